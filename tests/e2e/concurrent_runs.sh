#!/usr/bin/env bash
# Two runs on the same directories: the second is refused at once (exit 2, naming the holder's
# app, host and pid) and touches nothing of the first, whose checkpoints keep coming; once the
# first is killed (SIGKILL: no clean-up of its own), the kernel has released its lock and a
# resume on the same directory runs.
source "$(dirname "$0")/lib.sh"

mpi 2 1 "$BIN_DIR/heat" --n 512 --steps 1000000 --checkpoint-every 100 --keep 2 --output first --quiet \
  >first.log 2>&1 &
launcher=$!
wait_for_checkpoint first/checkpoints 100 60 $launcher
holders=$(rank_pids "heat --n 512" | tr "\n" " ")

expect_refused() {  # LABEL ARGS...
  local label=$1 status
  shift
  set +e
  timeout 60 "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" --quiet --n 32 --steps 50 "$@" >second.log 2>&1
  status=$?
  set -e
  [ "$status" -eq 2 ] || { cat second.log; fail "$label: exit $status, expected 2"; }
  grep -q "is in use by another run (heat on host $(hostname), pid [0-9]*, started 20" second.log ||
    { cat second.log; fail "$label: the message does not name the holder"; }
  [ "$(grep -c '^error:' second.log)" -eq 1 ] || { cat second.log; fail "$label: expected one error line"; }
  echo "ok: $label -> exit 2: $(grep '^error:' second.log)"
}
expect_refused "same --output" --output first --checkpoint-every 10
expect_refused "same --checkpoint-dir" --output elsewhere --checkpoint-dir first/checkpoints --checkpoint-every 10
# The refused runs wrote nothing there: the first run's checkpoints are all of its own steps.
for f in first/checkpoints/ckpt_*.h5; do
  step=$((10#$(basename "$f" .h5 | cut -c6-)))
  [ $((step % 100)) -eq 0 ] || fail "a checkpoint of step $step appeared: the refused run wrote into the directory"
done
kill -0 $launcher || fail "the first run died while the second was refused"
grep -q "^error" first.log && { cat first.log; fail "the first run reported an error"; }
echo "ok: the first run is unharmed (ranks $holders)"

# SIGKILL to every rank: nothing runs clean-up, yet the lock is gone with the processes.
rank_pids "heat --n 512" | xargs -r kill -KILL
wait $launcher || true
mpi 2 1 "$BIN_DIR/heat" --n 32 --steps 50 --output first --checkpoint-dir fresh --quiet >third.log 2>&1 ||
  { cat third.log; fail "a run on the directory of a killed run was refused"; }
echo "ok: after SIGKILL of the holder, the directory is free again"
echo "PASS"
