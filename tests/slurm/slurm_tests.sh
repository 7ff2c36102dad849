# The batch scripts in slurm/ on a real (single-node) Slurm: 4-task heat and cg jobs complete; a job
# signalled with USR1 (as before its time limit) checkpoints, requeues, resumes and matches an
# uninterrupted run; a job whose rank is killed is requeued and resumes; a configuration error
# is not requeued; a 3-task job-array sweep writes 3 records and its dependent report job runs.
# sort, stats: jobs that generate or are given their keys pass, and sort matches a local run.
# kmeans: a job generates its data set on its 4 tasks, is stopped by USR1, requeued, reuses the
# data set and resumes to an uninterrupted run's digest; a job given KMEANS_INPUT completes.
# train: a job imports Fashion-MNIST into its output directory, is stopped by USR1, requeued,
# reuses the import and resumes to an uninterrupted run's weights and history; a job given
# TRAIN_DATA (scikit-learn's digits) completes with the default checkpoint interval.
# Exit 77 (skipped) only when Slurm is not installed.
source "$(dirname "$0")/../e2e/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "SKIPPED: Slurm is not installed here (apt-get install slurm-wlm munge; tools/test.sh tries this as root)"
  exit 77
fi
export SLURM_LOCAL_STATE="$WORK/slurm-state"
bash "$ROOT/slurm/local/start.sh" || fail "the local Slurm did not start"
trap 'bash "$ROOT/slurm/local/stop.sh" >/dev/null' EXIT
JOBCOMP="$SLURM_LOCAL_STATE/jobcomp.log"

# The local node has 2 cores under 4 tasks and no binding plugin.
export TESSERA_ROOT="$ROOT" TESSERA_BIN="$BIN_DIR" TESSERA_CPU_BIND=none OMPI_MCA_mpi_yield_when_idle=1

final_state() {  # the last state the job-completion log recorded for job $1
  { grep "^JobId=$1 " "$JOBCOMP" | tail -n 1 | grep -oE 'JobState=[A-Z_]+' | cut -d= -f2; } || true
}

# A requeued job waits ~120 s before it may start again; release it at once.
# Not in the second of the requeue itself: slurmd refuses a job whose credential is no newer
# than the revocation of its previous run ("Job credential revoked", the job then fails).
# Stops when told to, or when the test script has ended (a failed test must not leave it
# polling, which would hold ctest until its timeout).
release_requeued() {
  local id=$1 test_pid=$$
  while [ ! -e "release-$id.stop" ] && kill -0 "$test_pid" 2>/dev/null; do
    if scontrol show job "$id" 2>/dev/null | grep -q "Reason=BeginTime"; then
      sleep 2
      scontrol update JobId="$id" StartTime=now 2>/dev/null || true
    fi
    sleep 0.5
  done
}

# submit_bg NAME SBATCH-ARGS...: submits with --wait in the background; sets JOB and SUBMIT_PID.
submit_bg() {
  local name=$1
  shift
  sbatch --wait --parsable -o "$WORK/$name.out" "$@" >"$name.id" 2>"$name.err" &
  SUBMIT_PID=$!
  for _ in $(seq 100); do [ -s "$name.id" ] && break; sleep 0.1; done
  JOB=$(head -n 1 "$name.id")
  [ -n "$JOB" ] || fail "$name: sbatch gave no job id: $(cat "$name.err")"
  release_requeued "$JOB" &
}

start=$(date +%s)

# plain_job NAME APP ARGS...: slurm/APP.sbatch with 4 tasks completes, verifies, writes a record.
plain_job() {
  local name=$1 app=$2
  shift 2
  sbatch --wait -o "$WORK/$name.out" "$ROOT/slurm/$app.sbatch" --output "$WORK/$name" --record "$WORK/$name.jsonl" \
    "$@" >"$name.id" || fail "$name ($app) job failed: $(cat "$WORK/$name.out")"
  local id
  id=$(grep -oE '[0-9]+' "$name.id" | tail -n 1)
  grep -q "\[$app\] PASS" "$name.out" || fail "$name job printed no PASS"
  grep -q '"ranks":4' "$name.jsonl" || fail "$name job did not run 4 ranks"
  [ "$(final_state "$id")" = COMPLETED ] || fail "$name job $id ended $(final_state "$id")"
  echo "ok: job $id: $app, 4 tasks, PASS, COMPLETED"
}

# 1. heat and cg jobs with 4 tasks complete and verify.
plain_job plain heat --n 96 --steps 100
plain_job cg cg --n 40 --reproducible

# kmeans: no KMEANS_INPUT, so the job generates blobs into its output directory first. k 24 on
# 16 true clusters keeps Lloyd moving for all 60 iterations (a few seconds: time for USR1).
KM_ARGS=(--k 24 --max-iters 60 --tol 0 --reproducible --checkpoint-every 5 --quiet)
KMEANS_ROWS=300000 KMEANS_SPREAD=8 submit_bg kmeans "$ROOT/slurm/kmeans.sbatch" "${KM_ARGS[@]}" \
  --output "$WORK/kmeans" --record "$WORK/kmeans.jsonl"
wait_for_checkpoint kmeans/checkpoints 5 120 "$SUBMIT_PID"
scancel --signal=USR1 --batch "$JOB"
wait "$SUBMIT_PID" || fail "kmeans job: sbatch --wait returned non-zero: $(cat kmeans.out)"
touch "release-$JOB.stop"
data=kmeans/blobs-300000x16-c16-s8-seed1-float64.h5
[ "$(grep -c "generating the data set $WORK/$data" kmeans.out)" -eq 1 ] || fail "kmeans job: data not generated once: $(cat kmeans.out)"
grep -q "reusing the data set $WORK/$data" kmeans.out || fail "kmeans job: the rerun did not reuse the data set"
[ ! -e "$data.partial" ] || fail "kmeans job: a .partial data set was left behind"
grep -q "received SIGUSR1: checkpoint of iteration" kmeans.out || fail "kmeans job: no checkpoint on USR1"
grep -q "requeueing job $JOB" kmeans.out || fail "kmeans job: not requeued"
grep -q "resumed from checkpoint" kmeans.out || fail "kmeans job: the rerun did not resume"
grep -q "\[kmeans\] PASS" kmeans.out || fail "kmeans job printed no PASS"
grep -q '"ranks":4' kmeans.jsonl || fail "kmeans job did not run 4 ranks"
[ "$(final_state "$JOB")" = COMPLETED ] || fail "kmeans job ended $(final_state "$JOB")"
mpi 2 1 "$BIN_DIR/kmeans" --input "$data:/points" "${KM_ARGS[@]}" --output kmeans-ref --record kmeans-ref.jsonl >/dev/null
got=$(digest_of kmeans.jsonl)
[ "$got" = "$(digest_of kmeans-ref.jsonl)" ] || fail "kmeans job: digest $got differs from the uninterrupted $(digest_of kmeans-ref.jsonl)"
echo "ok: job $JOB: kmeans data generated once, USR1 -> checkpoint -> requeued -> data reused -> resumed -> digest $got matches"
KMEANS_INPUT="$WORK/$data:/points" plain_job kmeans-input kmeans --k 8 --max-iters 10
grep -q "generating" kmeans-input.out && fail "kmeans job given KMEANS_INPUT generated data"

# sort generates its keys (no --input, no SORT_INPUT) and writes the bytes of a local run;
# stats reads the same keys through STATS_INPUT.
SORT_ROWS=200000 SORT_DIST=zipf plain_job sort sort
keys=sort/keys-200000-zipf-int64-seed1.h5
grep -q "generating the data set $WORK/$keys" sort.out || fail "sort job: no keys generated: $(cat sort.out)"
mpi 2 1 "$BIN_DIR/sort" --input "$WORK/$keys:/keys" --values "$WORK/$keys:/values" --output sort-ref --quiet >/dev/null
cmp -s sort/sorted.h5 sort-ref/sorted.h5 || fail "sort job: its output differs from a local run's"
STATS_INPUT="$WORK/$keys:/keys" plain_job stats stats --bins 20
echo "ok: the sort job's output equals a local 2-rank run's; stats read the job's keys"

# train: no --train, no TRAIN_DATA, so the job imports Fashion-MNIST into its output directory
# first. An MLP for 2 epochs (470 steps, a few seconds: time for USR1).
TR_ARGS=(--model mlp --hidden 64 --epochs 2 --reproducible --checkpoint-every 50 --target-accuracy 0.8 --quiet)
submit_bg train "$ROOT/slurm/train.sbatch" "${TR_ARGS[@]}" --output "$WORK/train" --record "$WORK/train.jsonl"
wait_for_checkpoint train/checkpoints 50 120 "$SUBMIT_PID"
scancel --signal=USR1 --batch "$JOB"
wait "$SUBMIT_PID" || fail "train job: sbatch --wait returned non-zero: $(cat train.out)"
touch "release-$JOB.stop"
fm=train/fashion-mnist.h5
[ "$(grep -c "making the data set $WORK/$fm" train.out)" -eq 1 ] || fail "train job: data not imported once: $(cat train.out)"
grep -q "reusing the data set $WORK/$fm" train.out || fail "train job: the rerun did not reuse the import"
[ ! -e "$fm.partial" ] || fail "train job: a .partial data set was left behind"
grep -q "received SIGUSR1: checkpoint of step" train.out || fail "train job: no checkpoint on USR1"
grep -q "requeueing job $JOB" train.out || fail "train job: not requeued"
grep -q "resumed from checkpoint step" train.out || fail "train job: the rerun did not resume"
grep -q "\[train\] PASS" train.out || fail "train job printed no PASS"
grep -q '"ranks":4' train.jsonl || fail "train job did not run 4 ranks"
[ "$(final_state "$JOB")" = COMPLETED ] || fail "train job ended $(final_state "$JOB")"
mpi 2 1 "$BIN_DIR/train" --train "$fm:/train/images" --train-labels "$fm:/train/labels" --test "$fm:/test/images" \
  --test-labels "$fm:/test/labels" "${TR_ARGS[@]}" --output train-ref --record train-ref.jsonl >/dev/null
got=$(digest_of train.jsonl)
[ "$got" = "$(digest_of train-ref.jsonl)" ] || fail "train job: digest $got differs from the uninterrupted $(digest_of train-ref.jsonl)"
/usr/bin/python3 - train-ref/history.jsonl train/history.jsonl <<'PY' || fail "train job: its history differs from the uninterrupted run's"
import json, sys
a, b = ([json.loads(line) for line in open(p)] for p in sys.argv[1:])
keys = ("epoch", "step", "loss", "train_accuracy", "test_loss", "test_accuracy")
assert len(a) == 2 and [[e[k] for k in keys] for e in a] == [[e[k] for k in keys] for e in b], (a, b)
PY
echo "ok: job $JOB: Fashion-MNIST imported once, USR1 -> checkpoint -> requeued -> import reused -> resumed -> digest $got and history match"
"$ROOT/tools/tessera-import" /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz digits.h5:/digits \
  --label-column -1 >/dev/null
TRAIN_DATA="$WORK/digits.h5:/digits" plain_job train-digits train --input-scale 0.0625 --model mlp --hidden 32 \
  --lr 0.01 --batch 64 --epochs 3 --target-accuracy 0.9
grep -q "making the data set" train-digits.out && fail "train job given TRAIN_DATA imported data"
grep -q -- "--checkpoint-every 200 " train-digits.out || fail "train job: no default --checkpoint-every 200"

ARGS=(--nx 1023 --ny 1001 --steps 1500 --quiet)
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output ref --record ref.jsonl >/dev/null
expected=$(digest_of ref.jsonl)

# 2. USR1 to the batch shell (what --signal=B:USR1@T delivers before the time limit).
submit_bg usr1 "$ROOT/slurm/heat.sbatch" "${ARGS[@]}" --checkpoint-every 100 --output "$WORK/usr1" --record "$WORK/usr1.jsonl"
wait_for_checkpoint usr1/checkpoints 100 120 "$SUBMIT_PID"
scancel --signal=USR1 --batch "$JOB"
wait "$SUBMIT_PID" || fail "usr1 job: sbatch --wait returned non-zero: $(cat usr1.out)"
touch "release-$JOB.stop"
grep -q "received SIGUSR1: checkpoint of step" usr1.out || fail "usr1 job: no checkpoint on USR1"
grep -q "requeueing job $JOB" usr1.out || fail "usr1 job: not requeued"
grep -q "resumed from checkpoint step" usr1.out || fail "usr1 job: the rerun did not resume"
[ "$(final_state "$JOB")" = COMPLETED ] || fail "usr1 job ended $(final_state "$JOB")"
got=$(digest_of usr1.jsonl)
[ "$got" = "$expected" ] || fail "usr1 job: digest $got differs from the uninterrupted $expected"
echo "ok: job $JOB: USR1 -> checkpoint -> exit 75 -> requeued -> resumed -> digest $got matches"

# 3. A rank killed: the step fails, the job requeues and resumes from the last checkpoint.
submit_bg killed "$ROOT/slurm/heat.sbatch" "${ARGS[@]}" --checkpoint-every 100 --output "$WORK/killed" --record "$WORK/killed.jsonl"
wait_for_checkpoint killed/checkpoints 100 120 "$SUBMIT_PID"
victim=$(rank_pids "--output $WORK/killed" | tail -n 1)
[ -n "$victim" ] || fail "no rank of job $JOB to kill"
kill -KILL "$victim"
wait "$SUBMIT_PID" || fail "killed job: sbatch --wait returned non-zero: $(cat killed.out)"
touch "release-$JOB.stop"
grep -q "requeueing job $JOB" killed.out || fail "killed job: not requeued: $(cat killed.out)"
grep -q "resumed from checkpoint step" killed.out || fail "killed job: the rerun did not resume"
got=$(digest_of killed.jsonl)
[ "$got" = "$expected" ] || fail "killed job: digest $got differs from the uninterrupted $expected"
echo "ok: job $JOB: rank $victim killed -> requeued -> resumed -> digest matches"

# 4. A configuration error (exit 2) is not requeued.
set +e
sbatch --wait -o "$WORK/bad.out" "$ROOT/slurm/heat.sbatch" --n 0 >bad.id
status=$?
set -e
id=$(grep -oE '[0-9]+' bad.id | tail -n 1)
[ "$status" -eq 2 ] || fail "bad job: sbatch --wait returned $status, expected 2"
grep -q "not requeued" bad.out || fail "bad job: no 'not requeued' message"
! grep -q "run 2" bad.out || fail "bad job was rerun"
[ "$(final_state "$id")" = FAILED ] || fail "bad job ended $(final_state "$id")"
echo "ok: job $id: exit 2, FAILED, not requeued"

# 5. Where requeue is forbidden: a chain of 2 jobs; the first is stopped by USR1, the second
#    starts because the first did not complete, resumes, and matches.
bash "$ROOT/slurm/submit-chain.sh" 2 "$ROOT/slurm/heat.sbatch" "${ARGS[@]}" --checkpoint-every 100 \
  --output "$WORK/chain" --record "$WORK/chain.jsonl" | tee chain.log
first=$(sed -n 's/^chain job 1\/2: \([0-9]*\).*/\1/p' chain.log)
second=$(sed -n 's/^chain job 2\/2: \([0-9]*\).*/\1/p' chain.log)
[ -n "$first" ] && [ -n "$second" ] || fail "chain: no job ids"
for _ in $(seq 600); do ls chain/checkpoints/ckpt_*.h5 >/dev/null 2>&1 && break; sleep 0.1; done
scancel --signal=USR1 --batch "$first"
for _ in $(seq 240); do
  [ -n "$(final_state "$second")" ] && break
  sleep 0.5
done
[ "$(final_state "$first")" = FAILED ] || fail "chain: first job ended '$(final_state "$first")', expected FAILED (exit 75)"
[ "$(final_state "$second")" = COMPLETED ] || fail "chain: second job ended '$(final_state "$second")'"
grep -q "resumed from checkpoint step" "tessera-heat-$second.out" || fail "chain: the second job did not resume"
got=$(digest_of chain.jsonl)
[ "$got" = "$expected" ] || fail "chain: digest $got differs from the uninterrupted $expected"
echo "ok: chain $first -> $second: stopped, continued by the next job, digest matches"

# 6. A 3-task job-array sweep and its dependent report job.
bash "$ROOT/slurm/scaling-sweep.sh" sweep.jsonl sweep-report --mode strong --size 64 --ranks 1,2,4 --steps 20 \
  --repeats 1 --bin-dir "$BIN_DIR" | tee sweep.log
report_job=$(grep -oE 'report job [0-9]+' sweep.log | grep -oE '[0-9]+')
array_job=$(grep -oE 'job array [0-9]+' sweep.log | grep -oE '[0-9]+')
for _ in $(seq 240); do
  state=$(final_state "$report_job")
  [ -n "$state" ] && break
  sleep 0.5
done
[ "$state" = COMPLETED ] || fail "report job $report_job ended '${state:-still running}': $(cat sweep-report.report-*.out 2>/dev/null)"
[ "$(wc -l <sweep.jsonl)" -eq 3 ] || fail "the sweep wrote $(wc -l <sweep.jsonl) records, expected 3"
[ -s sweep-report/report.md ] || fail "no report"
echo "ok: array job $array_job wrote 3 records; report job $report_job COMPLETED -> sweep-report/report.md"
echo "slurm tests passed in $(( $(date +%s) - start )) s"
