# A heat run killed with SIGKILL on one rank after its second checkpoint, resumed with
# --restart on a different rank count, ends with the same digest as an uninterrupted run.
source "$(dirname "$0")/lib.sh"

ARGS=(--dims 2 --nx 1023 --ny 1001 --steps 1500 --quiet)
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output ref --record ref.jsonl
expected=$(digest_of ref.jsonl)

mpi 4 1 "$BIN_DIR/heat" "${ARGS[@]}" --output killed --checkpoint-every 50 --keep 3 --record killed.jsonl &
launcher=$!
wait_for_checkpoint killed/checkpoints 100 120 "$launcher"  # the second checkpoint
victim=$(rank_pids "--output killed" | tail -n 1)
[ -n "$victim" ] || fail "no rank process found to kill"
kill -KILL "$victim"
set +e
wait "$launcher"
status=$?
set -e
[ "$status" -ne 0 ] || fail "the killed run exited 0"
[ ! -s killed.jsonl ] || fail "the killed run wrote a run record (it finished before the kill?)"
echo "killed rank $victim; launcher exited $status; checkpoints: $(ls killed/checkpoints | tr '\n' ' ')"

mpi 3 1 "$BIN_DIR/heat" "${ARGS[@]}" --output killed --checkpoint-every 50 --restart --record killed.jsonl | tee resume.log
grep -q "resumed from checkpoint step" resume.log || fail "the resumed run did not start from a checkpoint"
got=$(digest_of killed.jsonl)
[ "$got" = "$expected" ] || fail "resumed digest $got differs from uninterrupted $expected"
echo "resumed on 3 ranks: digest $got matches the uninterrupted run"
