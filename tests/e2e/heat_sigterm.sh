# SIGTERM to one rank: all ranks stop after the same step, write a checkpoint, exit 75; the
# resumed run matches an uninterrupted one. SIGUSR1 to the launcher (forwarded) does the same,
# and so does a SIGTERM in a rank's first moments (before MPI_Init is done). Two SIGTERMs to
# the launcher in quick succession make mpirun leave at once without its ranks: they notice
# their launcher is gone, checkpoint and end instead of running on as orphans.
source "$(dirname "$0")/lib.sh"

ARGS=(--dims 2 --nx 1001 --ny 999 --steps 1500 --quiet)
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output ref --record ref.jsonl
expected=$(digest_of ref.jsonl)

for how in term-rank usr1-launcher term-early term-twice-launcher; do
  out="run-$how"
  # Started directly (not through the mpi helper) so that $! is the launcher itself.
  OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" "${ARGS[@]}" --output "$out" \
    --checkpoint-every 100 --record "$out.jsonl" >"$out.log" 2>&1 &
  launcher=$!
  if [ "$how" = term-early ]; then
    # As soon as the first rank catches SIGTERM (its SigCgt mask has bit 15: the handler is
    # installed first thing in main, before MPI_Init), while the others may still start up.
    first=""
    until [ -n "$first" ]; do
      for pid in $(pgrep -P "$launcher"); do
        mask=$(awk '/^SigCgt/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        if [ -n "$mask" ] && (( 0x$mask & 0x4000 )); then first=$pid; break; fi
      done
      kill -0 "$launcher" 2>/dev/null || fail "$how: the run ended before a rank started"
      sleep 0.002
    done
    kill -TERM "$first"
  else
    wait_for_checkpoint "$out/checkpoints" 100 120 "$launcher"
  fi
  case $how in
    term-rank) kill -TERM "$(rank_pids "--output $out" | head -n 1)" ;;
    usr1-launcher) kill -USR1 "$launcher" ;;
    term-twice-launcher) kill -TERM "$launcher"; sleep 0.05; kill -TERM "$launcher" ;;
  esac
  set +e
  wait "$launcher"
  status=$?
  set -e
  cat "$out.log"
  if [ "$how" = term-twice-launcher ]; then
    # mpirun's own status says nothing here; what counts is that no rank runs on.
    for _ in $(seq 200); do [ -z "$(rank_pids "--output $out")" ] && break; sleep 0.1; done
    [ -z "$(rank_pids "--output $out")" ] || { rank_pids "--output $out" | xargs -r kill -KILL; fail "$how: ranks still run 20 s after their launcher ended"; }
    steps=$(ls "$out/checkpoints" | grep -c '^ckpt_.*\.h5$')
    sleep 1
    [ "$(ls "$out/checkpoints" | grep -c '^ckpt_.*\.h5$')" -eq "$steps" ] || fail "$how: checkpoints still appear"
  else
    [ "$status" -eq 75 ] || fail "$how: expected exit status 75 after a stop signal, got $status"
    grep -q "checkpoint of step" "$out.log" || fail "$how: no checkpoint message"
  fi
  [ ! -s "$out.jsonl" ] || fail "$how: a stopped run must not write a final record"
  mpi 3 1 "$BIN_DIR/heat" "${ARGS[@]}" --output "$out" --checkpoint-every 100 --restart --record "$out.jsonl" >"$out.resume.log"
  got=$(digest_of "$out.jsonl")
  [ "$got" = "$expected" ] || fail "$how: resumed digest $got differs from $expected"
  echo "$how: exit 75, checkpoint written, resumed digest matches"
done
