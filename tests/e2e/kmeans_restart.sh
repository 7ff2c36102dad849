# kmeans checkpoint/restart: a run with a rank killed mid-run, or stopped by SIGTERM, resumes from
# its checkpoint and ends with the same state digest (centres and labels) and the same iteration
# count as an uninterrupted run. In reproducible mode the resume may use another rank count (and
# thread count); in fast mode it uses the same one.
source "$(dirname "$0")/lib.sh"

# Overlapping clusters and --tol 0: 17 iterations, labels changing until the end.
"$BIN_DIR/tessera-data" generate blobs -o blobs.h5 --rows 4000 --features 8 --centres 12 --spread 4 --seed 5 >/dev/null
ARGS=(--input blobs.h5:/points --k 12 --tol 0 --labels --quiet)

# check_resume LABEL REF_NP KILL_NP RESUME_NP RESUME_THREADS [ARGS...]: rank 1 dies after iteration
# 7 (checkpoints every 3: the newest is of iteration 6); --restart must resume from it.
check_resume() {
  local label=$1 ref_np=$2 kill_np=$3 resume_np=$4 resume_threads=$5
  shift 5
  mpi "$ref_np" 1 "$BIN_DIR/kmeans" "${ARGS[@]}" "$@" --output "$label-ref" --record "$label-ref.jsonl" >/dev/null
  local expected iterations
  expected=$(digest_of "$label-ref.jsonl")
  iterations=$(record_field "$label-ref.jsonl" iterations)
  [ "$iterations" -gt 9 ] || fail "$label: only $iterations iterations; the kill at 7 would miss the run"

  set +e
  mpi "$kill_np" 1 "$BIN_DIR/kmeans" "${ARGS[@]}" "$@" --output "$label" --checkpoint-every 3 \
    --inject-fault kill:1@7 --record "$label.jsonl" >"$label-kill.log" 2>&1
  local status=$?
  set -e
  [ "$status" -ne 0 ] || { cat "$label-kill.log"; fail "$label: the run with a rank killed at iteration 7 exited 0"; }
  grep -q "injected fault: SIGKILL" "$label-kill.log" || { cat "$label-kill.log"; fail "$label: no rank was killed"; }
  [ ! -s "$label.jsonl" ] || fail "$label: the killed run wrote a run record"
  [ -e "$label/checkpoints/ckpt_000000006.h5" ] || { ls -R "$label"; fail "$label: no checkpoint of iteration 6"; }

  mpi "$resume_np" "$resume_threads" "$BIN_DIR/kmeans" "${ARGS[@]}" "$@" --output "$label" --checkpoint-every 3 \
    --restart --record "$label.jsonl" >"$label-resume.log" 2>&1 || { cat "$label-resume.log"; fail "$label: the resumed run failed"; }
  grep -q "resumed from checkpoint iteration 6" "$label-resume.log" ||
    { cat "$label-resume.log"; fail "$label: did not resume from the iteration-6 checkpoint"; }
  grep -q "PASS" "$label-resume.log" || { cat "$label-resume.log"; fail "$label: the resumed run did not PASS"; }
  local got got_iterations
  got=$(digest_of "$label.jsonl")
  got_iterations=$(record_field "$label.jsonl" iterations)
  if [ "$got" != "$expected" ] || [ "$got_iterations" != "$iterations" ]; then
    grep -h PASS "$label-resume.log" || true
    fail "$label: resumed: $got_iterations iterations, digest $got, inertia $(record_field "$label.jsonl" metrics inertia);" \
      "uninterrupted: $iterations iterations, digest $expected, inertia $(record_field "$label-ref.jsonl" metrics inertia)"
  fi
  echo "ok: $label: killed on $kill_np ranks after iteration 7, resumed on $resume_np ranks x $resume_threads threads" \
    "from iteration 6: $got_iterations iterations, digest $got as uninterrupted on $ref_np ranks"
}

# Each seeding: the centres are built differently (k-means++ and random replace the vector).
check_resume reproducible-3to2 2 3 2 1 --reproducible
check_resume reproducible-3to4-par 2 3 4 2 --reproducible --init k-means-par
check_resume reproducible-3to2-random 2 3 2 2 --reproducible --init random
check_resume fast-3to3 3 3 3 1

# SIGTERM: all ranks stop after the same iteration, write a checkpoint and exit 75; --restart
# resumes from it. So that the run cannot end before the signal lands, however fast or loaded the
# machine, the ranks are frozen (SIGSTOP) at their first checkpoint, signalled, and let go
# (SIGCONT) once the signal is pending on them. Open MPI's launcher may resume the ranks before it
# forwards the signal: the data are large enough (a few ms per iteration) that the signal lands
# long before the run could end.
"$BIN_DIR/tessera-data" generate blobs -o long.h5 --rows 200000 --features 4 --centres 3 --spread 10 --seed 5 >/dev/null
LONG=(--input long.h5:/points --k 50 --tol 0 --reproducible --quiet --checkpoint-every 1)
mpi 2 1 "$BIN_DIR/kmeans" "${LONG[@]}" --output long-ref --record long-ref.jsonl >/dev/null
expected=$(digest_of long-ref.jsonl)
iterations=$(record_field long-ref.jsonl iterations)
[ "$iterations" -gt 60 ] || fail "long: only $iterations iterations, too short to stop"
# Open MPI's mpiexec forwards SIGTERM to the ranks but then exits 1 itself, whatever they return
# (mpiexec -n 2 bash -c 'trap "exit 75" TERM; sleep 100 & wait' does the same); other launchers
# (srun, MPICH's hydra) pass 75 on. The ranks' status shows in their message and in the
# term-rank case, where the signal goes to one rank and mpiexec reports that rank's 75.
launcher_term_status=75
if "$MPIEXEC" --version 2>&1 | grep -q "Open MPI\|OpenRTE"; then launcher_term_status=1; fi

# stopped_or_gone PID: the process PID is stopped (SIGSTOP has taken effect) or has ended.
stopped_or_gone() {
  local status
  status=$(cat "/proc/$1/status" 2>/dev/null) || return 0
  grep -q '^State:[[:space:]]*T' <<<"$status"
}

# term_arrived PID: SIGTERM is pending on the stopped process PID, or PID runs again (a launcher
# may send SIGCONT with the signal) or has ended.
term_arrived() {
  local status pending
  status=$(cat "/proc/$1/status" 2>/dev/null) || return 0
  grep -q '^State:[[:space:]]*T' <<<"$status" || return 0
  pending=$(awk '/^(SigPnd|ShdPnd):/ { printf "%s ", $2 }' <<<"$status")
  for mask in $pending; do
    if (((16#$mask >> 14) & 1)); then return 0; fi
  done
  return 1
}

for how in term-launcher term-rank; do
  out="long-$how"
  # Started directly (not through the mpi helper) so that $! is the launcher itself.
  OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/kmeans" "${LONG[@]}" --output "$out" \
    --record "$out.jsonl" >"$out.log" 2>&1 &
  launcher=$!
  pids=()
  for _ in $(seq 1500); do
    mapfile -t pids < <(rank_pids "--output $out")
    [ "${#pids[@]}" -lt 2 ] || break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.02
  done
  [ "${#pids[@]}" -eq 2 ] || { cat "$out.log"; fail "$how: found ${#pids[@]} kmeans processes, expected 2"; }
  wait_for_checkpoint "$out/checkpoints" 1 60 "$launcher"
  kill -STOP "${pids[@]}"
  # SIGSTOP takes effect asynchronously; a SIGTERM sent before it has would be handled first.
  for pid in "${pids[@]}"; do
    for _ in $(seq 1500); do
      if stopped_or_gone "$pid"; then break; fi
      sleep 0.02
    done
  done
  kill -0 "$launcher" 2>/dev/null || { cat "$out.log"; fail "$how: the run ended before it could be stopped"; }
  if [ "$how" = term-rank ]; then
    kill -TERM "${pids[0]}"
    targets=("${pids[0]}")
    want=75
  else
    kill -TERM "$launcher"
    targets=("${pids[@]}")
    want=$launcher_term_status
  fi
  for pid in "${targets[@]}"; do
    for _ in $(seq 1500); do
      if term_arrived "$pid"; then break; fi
      sleep 0.02
    done
    term_arrived "$pid" || { kill -CONT "${pids[@]}"; fail "$how: SIGTERM did not reach rank process $pid within 30 s"; }
  done
  kill -CONT "${pids[@]}" 2>/dev/null || true
  set +e
  wait "$launcher"
  status=$?
  set -e
  [ "$status" -eq "$want" ] || { cat "$out.log"; fail "$how: exit status $status after SIGTERM, expected $want"; }
  stopped=$(sed -n 's/.*received SIGTERM: checkpoint of iteration \([0-9]*\) written.*exiting with code 75.*/\1/p' "$out.log" | head -n 1)
  [ -n "$stopped" ] || { cat "$out.log"; fail "$how: no 'received SIGTERM: checkpoint of iteration N written ... exiting with code 75'"; }
  [ -e "$out/checkpoints/ckpt_$(printf %09d "$stopped").h5" ] || { ls "$out/checkpoints"; fail "$how: no checkpoint file of iteration $stopped"; }
  [ "$stopped" -lt "$iterations" ] || fail "$how: stopped at iteration $stopped, not before the end ($iterations)"
  [ ! -s "$out.jsonl" ] || fail "$how: a stopped run must not write a final record"
  mpi 3 1 "$BIN_DIR/kmeans" "${LONG[@]}" --output "$out" --restart --record "$out.jsonl" >"$out.resume.log" 2>&1 ||
    { cat "$out.resume.log"; fail "$how: the resumed run failed"; }
  grep -q "resumed from checkpoint iteration $stopped" "$out.resume.log" ||
    { cat "$out.resume.log"; fail "$how: did not resume from the iteration-$stopped checkpoint written at SIGTERM"; }
  got=$(digest_of "$out.jsonl")
  got_iterations=$(record_field "$out.jsonl" iterations)
  [ "$got" = "$expected" ] && [ "$got_iterations" = "$iterations" ] ||
    fail "$how: resumed: $got_iterations iterations, digest $got; uninterrupted: $iterations iterations, digest $expected"
  echo "ok: $how: exit $status, checkpoint of iteration $stopped, resumed on 3 ranks: $got_iterations iterations, digest $got as uninterrupted"
done
