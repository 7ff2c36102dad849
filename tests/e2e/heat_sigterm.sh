# SIGTERM to one rank: all ranks stop after the same step, write a checkpoint, exit 75; the
# resumed run matches an uninterrupted one. SIGUSR1 to the launcher (forwarded) does the same.
source "$(dirname "$0")/lib.sh"

ARGS=(--dims 2 --nx 1001 --ny 999 --steps 1500 --quiet)
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output ref --record ref.jsonl
expected=$(digest_of ref.jsonl)

for how in term-rank usr1-launcher; do
  out="run-$how"
  # Started directly (not through the mpi helper) so that $! is the launcher itself.
  OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" "${ARGS[@]}" --output "$out" \
    --checkpoint-every 100 --record "$out.jsonl" >"$out.log" 2>&1 &
  launcher=$!
  wait_for_checkpoint "$out/checkpoints" 100 120 "$launcher"
  if [ "$how" = term-rank ]; then
    kill -TERM "$(rank_pids "--output $out" | head -n 1)"
  else
    kill -USR1 "$launcher"
  fi
  set +e
  wait "$launcher"
  status=$?
  set -e
  cat "$out.log"
  [ "$status" -eq 75 ] || fail "$how: expected exit status 75 after a stop signal, got $status"
  grep -q "checkpoint of step" "$out.log" || fail "$how: no checkpoint message"
  [ ! -s "$out.jsonl" ] || fail "$how: a stopped run must not write a final record"
  mpi 3 1 "$BIN_DIR/heat" "${ARGS[@]}" --output "$out" --checkpoint-every 100 --restart --record "$out.jsonl" >"$out.resume.log"
  got=$(digest_of "$out.jsonl")
  [ "$got" = "$expected" ] || fail "$how: resumed digest $got differs from $expected"
  echo "$how: exit 75, checkpoint written, resumed digest matches"
done
