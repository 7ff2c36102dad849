# cg checkpoint/restart: a run killed mid-solve and resumed ends with the same state digest
# and the same iteration count as an uninterrupted run. In reproducible mode the resume may
# use another rank count (and thread count); in fast mode it uses the same decomposition.
source "$(dirname "$0")/lib.sh"

ARGS=(--nx 29 --ny 23 --nz 19 --rtol 1e-10 --quiet --no-write-solution)

check_resume() {
  local label=$1 ref_np=$2 ref_threads=$3 kill_np=$4 resume_np=$5 resume_threads=$6
  shift 6
  mpi "$ref_np" "$ref_threads" "$BIN_DIR/cg" "${ARGS[@]}" "$@" --output "$label-ref" --record "$label-ref.jsonl" >/dev/null
  local expected iterations
  expected=$(digest_of "$label-ref.jsonl")
  iterations=$(record_field "$label-ref.jsonl" iterations)
  [ "$iterations" -gt 40 ] || fail "$label: only $iterations iterations; the kill at 35 would miss the solve"

  set +e
  mpi "$kill_np" 1 "$BIN_DIR/cg" "${ARGS[@]}" "$@" --output "$label" --checkpoint-every 10 \
    --inject-fault kill:1@35 --record "$label.jsonl" >kill.log 2>&1
  local status=$?
  set -e
  [ "$status" -ne 0 ] || { cat kill.log; fail "$label: the run with a rank killed at iteration 35 exited 0"; }
  [ ! -s "$label.jsonl" ] || fail "$label: the killed run wrote a run record"

  mpi "$resume_np" "$resume_threads" "$BIN_DIR/cg" "${ARGS[@]}" "$@" --output "$label" --checkpoint-every 10 \
    --restart --record "$label.jsonl" | tee resume.log
  grep -q "resumed from checkpoint iteration 30" resume.log || fail "$label: did not resume from the iteration-30 checkpoint"
  local got got_iterations
  got=$(digest_of "$label.jsonl")
  got_iterations=$(record_field "$label.jsonl" iterations)
  [ "$got" = "$expected" ] || fail "$label: resumed digest $got differs from uninterrupted $expected"
  [ "$got_iterations" = "$iterations" ] || fail "$label: $got_iterations iterations after resuming, $iterations uninterrupted"
  echo "ok: $label: killed on $kill_np ranks at iteration 35, resumed on $resume_np ranks x $resume_threads threads:" \
    "$got_iterations iterations, digest $got as uninterrupted on $ref_np ranks"
}

check_resume reproducible 2 1 3 4 1 --reproducible
check_resume reproducible-threads 1 1 4 2 2 --reproducible --preconditioner jacobi
check_resume fast 3 1 3 3 1

# Every checkpoint damaged: restart reads x, r, p from the newest, rejects it (digest), then the
# older one, and starts from iteration 0. x and p must not keep the rejected data.
mpi 2 1 "$BIN_DIR/cg" "${ARGS[@]}" --reproducible --output damaged --checkpoint-every 10 --max-iters 20 \
  >/dev/null 2>&1 || true
ls damaged/checkpoints/ckpt_*.h5 >/dev/null 2>&1 || fail "no checkpoints to damage"
for f in damaged/checkpoints/ckpt_*.h5; do
  python3 - "$f" <<'PY'
import os, sys
path = sys.argv[1]
size = os.path.getsize(path)
with open(path, "r+b") as f:  # the arrays are the bulk of the file: flip bytes across them
    for at in (size // 3, size // 2, size * 2 // 3):
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x40]))
PY
done
mpi 3 1 "$BIN_DIR/cg" "${ARGS[@]}" --reproducible --output damaged --checkpoint-every 10 --restart \
  --record damaged.jsonl >damaged.log 2>&1 || { cat damaged.log; fail "the restart over damaged checkpoints failed"; }
grep -q "no valid checkpoint" damaged.log || { cat damaged.log; fail "the damaged checkpoints were not all rejected"; }
got=$(digest_of damaged.jsonl)
expected=$(digest_of reproducible-ref.jsonl)
[ "$got" = "$expected" ] || { cat damaged.log; fail "after rejecting damaged checkpoints: digest $got, expected $expected"; }
echo "ok: all checkpoints damaged: rejected, started from iteration 0, digest $got as uninterrupted"
