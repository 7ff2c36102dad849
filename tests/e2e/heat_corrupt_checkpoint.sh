# The newest checkpoint damaged (a byte flipped in the field data, or the file truncated):
# restart says so, resumes from the previous one, and still ends with the right digest.
source "$(dirname "$0")/lib.sh"

ARGS=(--dims 3 --n 24 --steps 60 --quiet)
mpi 2 1 "$BIN_DIR/heat" "${ARGS[@]}" --output ref --record ref.jsonl
expected=$(digest_of ref.jsonl)

for damage in flip truncate; do
  out="run-$damage"
  # Stop at step 40 with checkpoints at 20 and 40, as if the job had been killed.
  mpi 2 1 "$BIN_DIR/heat" --dims 3 --n 24 --steps 40 --quiet --output "$out" --checkpoint-every 20 >/dev/null
  newest="$out/checkpoints/ckpt_000000040.h5"
  [ -f "$newest" ] || fail "no checkpoint at step 40"
  python3 - "$newest" "$damage" <<'PY'
import os, sys
path, damage = sys.argv[1], sys.argv[2]
size = os.path.getsize(path)
if damage == "truncate":
    os.truncate(path, size // 2)
else:
    # The field dataset is the bulk of the file: flip a byte in its middle.
    with open(path, "r+b") as f:
        f.seek(size * 2 // 3)
        b = f.read(1)
        f.seek(size * 2 // 3)
        f.write(bytes([b[0] ^ 0x40]))
PY
  mpi 3 1 "$BIN_DIR/heat" "${ARGS[@]}" --output "$out" --restart --record "$out.jsonl" >"$out.log" 2>&1 || {
    cat "$out.log"
    fail "$damage: the restart failed"
  }
  grep -q "ckpt_000000040.h5 is" "$out.log" || { cat "$out.log"; fail "$damage: the damaged checkpoint was not reported"; }
  grep -q "resumed from checkpoint step 20" "$out.log" || { cat "$out.log"; fail "$damage: did not fall back to step 20"; }
  got=$(digest_of "$out.jsonl")
  [ "$got" = "$expected" ] || fail "$damage: digest $got differs from $expected"
  echo "$damage: reported, fell back to step 20, digest matches"
done
