# Failures done for real, with fault injection: a kill-and-resume campaign across rank counts,
# a kill in the middle of a checkpoint write, hangs in a halo exchange and an allreduce caught
# by the watchdog, a rank that throws, checkpoint write failures, and the local supervisor.
# kmeans: every action (kill, exit, hang) at every site it has (between iterations, in an
# allreduce, in a checkpoint write) ends with its documented exit code, and --restart on another
# rank count finishes PASS on the uninterrupted digest. sort and stats: each action between
# their phases, in a checkpoint write (sort) and in a global sum (stats) leaves no output file,
# and the rerun writes the bytes of the uninterrupted run. train: every action at every site
# (between steps, in the gradient allreduce, in a checkpoint write), resumed on another rank
# count, ends PASS on the uninterrupted run's weights and history.
source "$(dirname "$0")/lib.sh"
CKPT="$BIN_DIR/tessera-ckpt"
RUN="$(cd "$(dirname "$0")/../../tools" && pwd)/tessera-run"

# fault_ended_as ACTION VICTIM STATUS LOG: whether a run ended as its injected fault says: a
# kill through the launcher (non-zero), a throw with exit 3 and the victim's message, a hang
# with exit 76 from the watchdog.
fault_ended_as() {
  local action=$1 victim=$2 status=$3 log=$4
  case $action in
    kill) [ "$status" -ne 0 ] && grep -q "injected fault: SIGKILL" "$log" ;;
    # In a checkpoint write the error is agreed on at once (all ranks leave together with the
    # victim's message); elsewhere the victim aborts the job.
    exit) [ "$status" -eq 3 ] && grep -Eq "(\[rank $victim\] error|^error): injected failure on rank $victim" "$log" ;;
    hang) [ "$status" -eq 76 ] && grep -q "watchdog: no progress" "$log" ;;
  esac
}

ARGS=(--dims 2 --nx 301 --ny 203 --steps 600 --quiet --checkpoint-every 50 --keep 3)
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output ref --record ref.jsonl >/dev/null
expected=$(digest_of ref.jsonl)

# 1. SIGKILL one rank at a random step, resume on another rank count; three times in a row.
RANDOM=$$
step=0
for np in 4 3 2; do
  step=$((step + 60 + RANDOM % 100))
  victim=$((RANDOM % np))
  restart=()
  [ "$np" -eq 4 ] || restart=(--restart)
  set +e
  mpi "$np" 1 "$BIN_DIR/heat" "${ARGS[@]}" --output campaign "${restart[@]}" --inject-fault "kill:$victim@$step" \
    >campaign-$np.log 2>&1
  status=$?
  set -e
  [ "$status" -ne 0 ] || fail "campaign: the run on $np ranks survived its injected kill"
  grep -q "injected fault: SIGKILL" campaign-$np.log || fail "campaign: no injected kill on $np ranks"
  echo "ok: $np ranks: rank $victim killed after step $step (launcher exit $status)"
done
mpi 3 1 "$BIN_DIR/heat" "${ARGS[@]}" --output campaign --restart --record campaign.jsonl >campaign-final.log
got=$(digest_of campaign.jsonl)
[ "$got" = "$expected" ] || fail "campaign: final digest $got differs from the uninterrupted $expected"
echo "ok: three kills, resumed on 4 -> 3 -> 2 -> 3 ranks: digest $got matches"

# 2. Killed while writing the checkpoint of step 150: that checkpoint never counts.
set +e
mpi 3 1 "$BIN_DIR/heat" "${ARGS[@]}" --output midwrite --inject-fault kill-checkpoint:1@150 >midwrite.log 2>&1
set -e
[ ! -e midwrite/checkpoints/ckpt_000000150.h5 ] || fail "a checkpoint whose writer died was committed"
"$CKPT" list midwrite/checkpoints | tee midwrite-list.log
grep -q "ckpt_000000150.h5.partial .*incomplete" midwrite-list.log || fail "the half-written checkpoint is not listed as incomplete"
"$CKPT" verify midwrite/checkpoints >/dev/null || fail "the committed checkpoints do not verify"
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output midwrite --restart --record midwrite.jsonl >midwrite-resume.log
grep -q "resumed from checkpoint step 100" midwrite-resume.log || fail "did not resume from step 100"
[ "$(digest_of midwrite.jsonl)" = "$expected" ] || fail "kill during checkpoint write: digest differs"
echo "ok: kill during a checkpoint write: never committed, resumed from step 100, digest matches"

# 3. tessera-ckpt on damaged files: a flipped byte and a truncated file are invalid (exit 1).
cp -r midwrite/checkpoints damaged
newest=$(ls damaged/ckpt_*.h5 | tail -n 1)
/usr/bin/python3 - "$newest" <<'PY'
import os, sys
p = sys.argv[1]; s = os.path.getsize(p)
with open(p, "r+b") as f:
    f.seek(s * 2 // 3); b = f.read(1); f.seek(s * 2 // 3); f.write(bytes([b[0] ^ 0x40]))
PY
set +e
"$CKPT" verify "$newest" >verify.log
status=$?
set -e
[ "$status" -eq 1 ] && grep -q "INVALID" verify.log || fail "a flipped byte was not reported invalid"
truncate -s 20000 "$newest"
set +e
"$CKPT" verify "$newest" >verify.log
status=$?
set -e
[ "$status" -eq 1 ] && grep -q "INVALID" verify.log || fail "a truncated file was not reported invalid"
echo "ok: tessera-ckpt verify: flipped byte and truncated file INVALID (exit 1)"

# 4. Hangs: the watchdog ends the job with exit 76 within the timeout plus a few seconds and
#    names the stuck rank and phase.
for fault in hang-halo:1@40 hang-allreduce:2@40; do
  start=$(date +%s)
  set +e
  timeout 60 "$MPIEXEC" -n 4 --oversubscribe env OMP_NUM_THREADS=1 "$BIN_DIR/heat" "${ARGS[@]}" --output hang \
    --watchdog-timeout 3 --inject-fault "$fault" >hang.log 2>&1
  status=$?
  set -e
  elapsed=$(($(date +%s) - start))
  [ "$status" -eq 76 ] || { cat hang.log; fail "$fault: exit $status, expected 76"; }
  [ "$elapsed" -le 15 ] || fail "$fault: took $elapsed s"
  site=${fault%%:*}
  site=${site#hang-}
  grep -q "watchdog: no progress .* stuck in .*${site/allreduce/allreduce}" hang.log || { cat hang.log; fail "$fault: no watchdog report of the phase"; }
  echo "ok: $fault: exit 76 after ${elapsed}s: $(grep -m1 'watchdog' hang.log)"
done

# 5. One rank throws at a step: every rank leaves promptly with its message.
set +e
timeout 60 "$MPIEXEC" -n 4 --oversubscribe env OMP_NUM_THREADS=1 "$BIN_DIR/heat" "${ARGS[@]}" --output throw \
  --inject-fault exit:2@30 >throw.log 2>&1
status=$?
set -e
[ "$status" -eq 3 ] && grep -q "\[rank 2\] error: injected failure on rank 2" throw.log || { cat throw.log; fail "throwing rank: exit $status"; }
echo "ok: rank 2 throws after step 30: exit 3 with its message"
# The same inside a checkpoint write: the other ranks must not wait in the next collective
# write for the one that left (that hung until the watchdog once).
for np in 2 3; do
  set +e
  start=$SECONDS
  timeout 120 "$MPIEXEC" -n $np --oversubscribe env OMP_NUM_THREADS=1 "$BIN_DIR/heat" "${ARGS[@]}" --output throwck$np \
    --watchdog-timeout 100 --inject-fault exit-checkpoint:1@60 >throwck.log 2>&1
  status=$?
  set -e
  elapsed=$((SECONDS - start))
  [ "$status" -eq 3 ] && grep -q "injected failure on rank 1 in checkpoint write" throwck.log ||
    { cat throwck.log; fail "rank 1 throwing in a checkpoint write on $np ranks: exit $status"; }
  [ "$elapsed" -lt 60 ] || fail "rank 1 throwing in a checkpoint write on $np ranks: the job took $elapsed s to end"
  echo "ok: rank 1 throws in the checkpoint write after step 60 on $np ranks: exit 3 after ${elapsed}s"
done

# 6. A checkpoint that cannot be written: the checkpoint directory on a 2 MiB file system,
#    room for one checkpoint but not two. With --on-checkpoint-error stop the run ends with
#    exit 3 naming the path and the cause, and the earlier checkpoint stays valid; with
#    continue it finishes without the checkpoints it could not write.
BIG=(--dims 2 --n 400 --steps 60 --quiet --checkpoint-every 20 --keep 5)
mkdir -p small
if mount -t tmpfs -o size=2m tmpfs small 2>/dev/null; then
  trap 'umount "$WORK/small" 2>/dev/null || true' EXIT
  set +e
  mpi 2 1 "$BIN_DIR/heat" "${BIG[@]}" --output full --checkpoint-dir small/stop >full.log 2>&1
  status=$?
  set -e
  [ "$status" -eq 3 ] || { cat full.log; fail "disk full, stop: exit $status, expected 3"; }
  grep -q "small/stop/ckpt_000000040.h5" full.log || { cat full.log; fail "disk full: path not named"; }
  grep -qi "no space left" full.log || { cat full.log; fail "disk full: cause not named"; }
  "$CKPT" verify small/stop >verify-full.log || { cat verify-full.log; fail "disk full damaged the earlier checkpoint"; }
  grep -q "ckpt_000000020.h5: valid" verify-full.log || fail "the checkpoint of step 20 is not valid"
  echo "ok: disk full, --on-checkpoint-error stop: exit 3: $(grep -m1 '^error' full.log | cut -c1-160)"
  rm -rf small/stop
  mpi 2 1 "$BIN_DIR/heat" "${BIG[@]}" --output full2 --checkpoint-dir small/continue --on-checkpoint-error continue \
    >full2.log 2>&1 || { cat full2.log; fail "disk full, continue: the run did not finish"; }
  grep -q "continuing without it" full2.log && grep -q PASS full2.log || { cat full2.log; fail "continue: no warning or no PASS"; }
  echo "ok: disk full, --on-checkpoint-error continue: warned and finished with PASS"
  umount small
  trap - EXIT
else
  echo "note: cannot mount a small tmpfs here (needs root); the disk-full check was not run"
fi

# 7. The local supervisor: a killed run is relaunched with --restart; bad input is not retried.
OMP_NUM_THREADS=1 "$RUN" --retries 2 --wait 0 -- "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" \
  --dims 2 --nx 1023 --ny 1001 --steps 1500 --quiet --checkpoint-every 100 --output supervised \
  --record supervised.jsonl >supervised.log 2>&1 &
supervisor=$!
wait_for_checkpoint supervised/checkpoints 100 120 "$supervisor"
kill -KILL "$(rank_pids "--output supervised" | head -n 1)"
wait "$supervisor" || { cat supervised.log; fail "the supervisor did not bring the run to an end"; }
grep -q "retrying with --restart" supervised.log || fail "no retry"
grep -q "resumed from checkpoint" supervised.log || fail "the retry did not resume"
set +e
"$RUN" --retries 3 --wait 0 -- "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" --n 0 >bad.log 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && grep -q "not retrying" bad.log || fail "supervisor retried bad input (exit $status)"
echo "ok: tessera-run relaunched a killed run with --restart; did not retry bad input"

# 8. kmeans, which has no halo: each action at each site. A kill ends the job through the
#    launcher (non-zero), a throw with exit 3, a hang with exit 76 from the watchdog. A checkpoint
#    being written when its rank fails is never committed. Every run is resumed with --restart on another rank count and must pass
#    with the digest of the uninterrupted run (reproducible sums: the same on any rank count).
#    k 12 on 8 true clusters keeps Lloyd moving, so every run does all 30 iterations. About 35 s
#    on 2 cores.
"$BIN_DIR/tessera-data" generate blobs -o km.h5 --rows 30000 --features 8 --centres 8 --spread 6 >/dev/null
KM=("$BIN_DIR/kmeans" --input km.h5:/points --k 12 --max-iters 30 --tol 0 --reproducible --checkpoint-every 5
    --keep 3 --quiet)
mpi 2 1 "${KM[@]}" --output km-ref --record km-ref.jsonl >/dev/null
km_expected=$(digest_of km-ref.jsonl)
[ "$(record_field km-ref.jsonl iterations)" -eq 30 ] || fail "kmeans: the reference run stopped before 30 iterations"
case_number=0
for action in kill hang exit; do
  for site in step allreduce checkpoint; do
    # The fault fires at the site's first use after iteration `at`; the newest committed
    # checkpoint is then that of iteration `resume`.
    case $site in
      step) at=13 resume=10 ;;
      allreduce) at=17 resume=15 ;;
      checkpoint) at=20 resume=15 ;;
    esac
    np=$((3 + case_number % 2))
    again=$((np - 1))
    victim=$((case_number % np))
    case_number=$((case_number + 1))
    name=km-$action-$site
    start=$(date +%s)
    set +e
    # A short watchdog: a hang (injected, or a bug) ends in seconds, 10 s in file I/O.
    timeout 60 "$MPIEXEC" -n "$np" --oversubscribe env OMP_NUM_THREADS=1 "${KM[@]}" --output "$name" \
      --watchdog-timeout 1 --inject-fault "$action-$site:$victim@$at" >"$name.log" 2>&1
    status=$?
    set -e
    elapsed=$(($(date +%s) - start))
    fault_ended_as "$action" "$victim" "$status" "$name.log" || { cat "$name.log"; fail "kmeans $action-$site:$victim@$at on $np ranks: exit $status (kill: the launcher's non-zero, exit: 3, hang: 76)"; }
    if [ "$action" = hang ]; then
      # The hung rank's own watchdog fires first and says so.
      grep -q "\[rank $victim\] watchdog: no progress .* stuck in an injected hang .* after step $at" "$name.log" ||
        { cat "$name.log"; fail "$name: no watchdog report from the hung rank $victim"; }
      [ "$elapsed" -le 15 ] || fail "$name: the watchdog took $elapsed s"
    fi
    if [ "$site" = checkpoint ]; then
      [ ! -e "$name/checkpoints/ckpt_000000020.h5" ] || fail "$name: a checkpoint whose writer failed was committed"
    fi
    "$CKPT" verify "$name/checkpoints" >/dev/null || fail "$name: the committed checkpoints do not verify"
    mpi "$again" 1 "${KM[@]}" --output "$name" --restart --record "$name.jsonl" >"$name-resume.log" 2>&1 ||
      { cat "$name-resume.log"; fail "$name: --restart on $again ranks failed"; }
    grep -q "resumed from checkpoint iteration $resume" "$name-resume.log" || { cat "$name-resume.log"; fail "$name: did not resume from iteration $resume"; }
    grep -q "\[kmeans\] PASS" "$name-resume.log" || fail "$name: the resumed run did not PASS"
    got=$(digest_of "$name.jsonl")
    [ "$got" = "$km_expected" ] || fail "$name: digest $got after the restart differs from the uninterrupted $km_expected"
    echo "ok: kmeans $action-$site:$victim@$at on $np ranks: exit $status after ${elapsed}s; resumed at $resume on $again ranks, digest matches"
  done
done

# 9. sort: each action between phases (step 1: after the exchange, before its checkpoint;
#    step 2: after the checkpoint, before the write) and in the checkpoint write. No output
#    file appears; --restart on another rank count resumes after the exchange when the
#    checkpoint was committed (else starts again) and writes the bytes of the uninterrupted run.
mpi 2 1 "$BIN_DIR/tessera-data" generate keys -o keys.h5 --rows 60000 --dist zipf >/dev/null
SORT=("$BIN_DIR/sort" --input keys.h5:/keys --values keys.h5:/values --checkpoint-every 1 --quiet)
mpi 2 1 "${SORT[@]}" --output sort-ref >/dev/null
case_number=0
for action in kill hang exit; do
  for fault in step:2 checkpoint:1 step:1; do
    site=${fault%%:*}
    at=${fault#*:}
    np=$((3 + case_number % 2))
    again=$((np - 1))
    victim=$((case_number % np))
    case_number=$((case_number + 1))
    name=sort-$action-$site-$at
    set +e
    timeout 60 "$MPIEXEC" -n "$np" --oversubscribe env OMP_NUM_THREADS=1 "${SORT[@]}" --output "$name" \
      --watchdog-timeout 1 --inject-fault "$action-$site:$victim@$at" >"$name.log" 2>&1
    status=$?
    set -e
    fault_ended_as "$action" "$victim" "$status" "$name.log" || { cat "$name.log"; fail "sort $action-$site:$victim@$at on $np ranks: exit $status"; }
    [ ! -e "$name/sorted.h5" ] || fail "$name: a failed sort left $name/sorted.h5"
    mpi "$again" 1 "${SORT[@]}" --output "$name" --restart >"$name-resume.log" 2>&1 ||
      { cat "$name-resume.log"; fail "$name: --restart on $again ranks failed"; }
    if [ "$at" = 2 ]; then
      grep -q "resumed from checkpoint phase 1" "$name-resume.log" || { cat "$name-resume.log"; fail "$name: did not resume after the exchange"; }
    else
      grep -q "no valid checkpoint" "$name-resume.log" || { cat "$name-resume.log"; fail "$name: resumed from a checkpoint that should not exist"; }
    fi
    cmp -s sort-ref/sorted.h5 "$name/sorted.h5" || fail "$name: the output after --restart differs from the uninterrupted run"
    echo "ok: sort $action-$site:$victim@$at on $np ranks: exit $status; rerun on $again ranks: same bytes"
  done
done

# 10. stats: each action after the read (step 1), in its first global sum, and before the
#     write (step 2): the job ends with its exit code, leaves no stats.json or stats.h5, and a
#     rerun writes the bytes of the uninterrupted run.
STATS=("$BIN_DIR/stats" --input keys.h5:/keys --quiet)
mpi 2 1 "${STATS[@]}" --output stats-ref >/dev/null
for action in kill hang exit; do
  for fault in step:1 allreduce:1 step:2; do
    site=${fault%%:*}
    at=${fault#*:}
    victim=$((RANDOM % 3))
    name=stats-$action-$site-$at
    set +e
    timeout 60 "$MPIEXEC" -n 3 --oversubscribe env OMP_NUM_THREADS=1 "${STATS[@]}" --output "$name" \
      --watchdog-timeout 1 --inject-fault "$action-$site:$victim@$at" >"$name.log" 2>&1
    status=$?
    set -e
    fault_ended_as "$action" "$victim" "$status" "$name.log" || { cat "$name.log"; fail "stats $action-$site:$victim@$at: exit $status"; }
    [ ! -e "$name/stats.json" ] && [ ! -e "$name/stats.h5" ] || fail "$name: a failed run left its output"
    mpi 2 1 "${STATS[@]}" --output "$name" >/dev/null
    cmp -s stats-ref/stats.json "$name/stats.json" && cmp -s stats-ref/stats.h5 "$name/stats.h5" ||
      fail "$name: the rerun's output differs"
    echo "ok: stats $action-$site:$victim@$at: exit $status, no output left; the rerun writes the same bytes"
  done
done

# 11. train: each action at each site (between steps, in the gradient allreduce, in a checkpoint
#     write) on scikit-learn's digits. A checkpoint being written when its rank fails is never
#     committed; --restart on another rank count resumes from the newest committed one and must
#     pass with the weights digest of the uninterrupted run (reproducible sums: the same on any
#     rank count) and the same losses and accuracies in history.jsonl. 29 steps per epoch, 87 in
#     all, a checkpoint every 5. About 30 s on 2 cores.
DIGITS=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
[ -r "$DIGITS" ] || fail "$DIGITS is missing (Debian package python3-sklearn)"
"$(dirname "$0")/../../tools/tessera-import" "$DIGITS" digits.h5:/digits --label-column -1 >/dev/null
TRAIN=("$BIN_DIR/train" --train digits.h5:/digits --input-scale 0.0625 --model mlp --hidden 32 --lr 0.01
       --batch 64 --micro-batch 16 --epochs 3 --reproducible --target-accuracy 0.9 --checkpoint-every 5 --keep 3
       --quiet)
mpi 2 1 "${TRAIN[@]}" --output train-ref --record train-ref.jsonl >train-ref.log 2>&1 ||
  { cat train-ref.log; fail "train: the reference run failed"; }
train_expected=$(digest_of train-ref.jsonl)
[ "$(record_field train-ref.jsonl steps_run)" -eq 87 ] || fail "train: the reference run did not do 87 steps"
case_number=0
for action in kill hang exit; do
  for site in step allreduce checkpoint; do
    case $site in
      step) at=23 resume=20 ;;
      allreduce) at=37 resume=35 ;;
      checkpoint) at=50 resume=45 ;;
    esac
    np=$((3 + case_number % 2))
    again=$((np - 1))
    victim=$((case_number % np))
    case_number=$((case_number + 1))
    name=train-$action-$site
    start=$(date +%s)
    set +e
    timeout 60 "$MPIEXEC" -n "$np" --oversubscribe env OMP_NUM_THREADS=1 "${TRAIN[@]}" --output "$name" \
      --watchdog-timeout 1 --inject-fault "$action-$site:$victim@$at" >"$name.log" 2>&1
    status=$?
    set -e
    elapsed=$(($(date +%s) - start))
    fault_ended_as "$action" "$victim" "$status" "$name.log" || { cat "$name.log"; fail "train $action-$site:$victim@$at on $np ranks: exit $status (kill: the launcher's non-zero, exit: 3, hang: 76)"; }
    if [ "$action" = hang ]; then
      grep -q "\[rank $victim\] watchdog: no progress .* stuck in an injected hang .* after step $at" "$name.log" ||
        { cat "$name.log"; fail "$name: no watchdog report from the hung rank $victim"; }
      [ "$elapsed" -le 15 ] || fail "$name: the watchdog took $elapsed s"
    fi
    if [ "$site" = checkpoint ]; then
      [ ! -e "$name/checkpoints/ckpt_000000050.h5" ] || fail "$name: a checkpoint whose writer failed was committed"
    fi
    [ ! -e "$name/model.h5" ] || fail "$name: a failed run wrote $name/model.h5"
    "$CKPT" verify "$name/checkpoints" >/dev/null || fail "$name: the committed checkpoints do not verify"
    mpi "$again" 1 "${TRAIN[@]}" --output "$name" --restart --record "$name.jsonl" >"$name-resume.log" 2>&1 ||
      { cat "$name-resume.log"; fail "$name: --restart on $again ranks failed"; }
    grep -q "resumed from checkpoint step $resume " "$name-resume.log" || { cat "$name-resume.log"; fail "$name: did not resume from step $resume"; }
    grep -q "\[train\] PASS" "$name-resume.log" || fail "$name: the resumed run did not PASS"
    got=$(digest_of "$name.jsonl")
    [ "$got" = "$train_expected" ] || fail "$name: digest $got after the restart differs from the uninterrupted $train_expected"
    /usr/bin/python3 - train-ref/history.jsonl "$name/history.jsonl" <<'PY' || fail "$name: history.jsonl differs from the uninterrupted run's"
import json, sys
a, b = ([json.loads(line) for line in open(p)] for p in sys.argv[1:])
keys = ("epoch", "step", "loss", "train_accuracy", "lr")
assert [[e[k] for k in keys] for e in a] == [[e[k] for k in keys] for e in b], (a, b)
PY
    echo "ok: train $action-$site:$victim@$at on $np ranks: exit $status after ${elapsed}s; resumed at $resume on $again ranks, digest and history match"
  done
done
