# Failures done for real, with fault injection: a kill-and-resume campaign across rank counts,
# a kill in the middle of a checkpoint write, hangs in a halo exchange and an allreduce caught
# by the watchdog, a rank that throws, checkpoint write failures, and the local supervisor.
source "$(dirname "$0")/lib.sh"
CKPT="$BIN_DIR/tessera-ckpt"
RUN="$(cd "$(dirname "$0")/../../tools" && pwd)/tessera-run"

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
