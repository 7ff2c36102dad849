# sort end to end: every key distribution and type, sorted on 1 to 4 ranks and 1 or 2 threads,
# gives byte-identical output files that equal numpy's stable sort (keys, and values = input
# positions); floats follow totalOrder (-0.0 before +0.0, NaNs by sign); a job killed after
# its exchange checkpoint resumes on another rank count and writes the same file.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

N=30011
gen() { mpi 2 1 "$BIN_DIR/tessera-data" generate keys --rows "$N" "$@" >/dev/null; }
gen --dist uniform --type int64 -o uniform.h5
gen --dist normal --type float64 -o normal.h5
gen --dist zipf --type int32 -o zipf.h5
gen --dist equal --type float32 -o equal.h5
gen --dist sorted --type uint64 -o sorted.h5
gen --dist reversed --type int64 -o reversed.h5
# Special floats, with 2-column float32 values carried along.
"$PY" - <<'PY'
import h5py
import numpy as np
rng = np.random.default_rng(1)
x = rng.normal(size=5003)
x[::7] = 0.0
x[::11] = -0.0
x[::13] = np.nan                                  # numpy's NaN: sign bit clear
x[::17] = -np.inf
x[5] = np.float64(np.inf)
neg_nan = np.array([0xFFF8000000000000], dtype=np.uint64).view(np.float64)[0]
x[::19] = neg_nan                                 # the x86 default NaN: sign bit set
with h5py.File("special.h5", "w") as f:
    f["keys"] = x
    f["values"] = rng.normal(size=(5003, 2)).astype(np.float32)
PY

for data in uniform normal zipf equal sorted reversed special; do
  for layout in "1 1" "2 2" "3 1" "4 1"; do
    set -- $layout
    mpi "$1" "$2" "$BIN_DIR/sort" --input "$data.h5:/keys" --values "$data.h5:/values" --output "out-$data-$1x$2" \
      --quiet --record "$data.jsonl" >"$data-$1x$2.log" || { cat "$data-$1x$2.log"; fail "$data on $1 ranks x $2 threads"; }
    grep -q "^\[sort\] PASS" "$data-$1x$2.log" || fail "$data on $1 x $2: no PASS"
    cmp -s "out-$data-1x1/sorted.h5" "out-$data-$1x$2/sorted.h5" || fail "$data: output on $1 ranks x $2 threads differs from 1 x 1"
  done
  "$PY" - "$data" <<'PY' || fail "$data: the output is not numpy's stable sort"
import sys
import h5py
import numpy as np
name = sys.argv[1]
with h5py.File(f"{name}.h5", "r") as f:
    keys = f["keys"][:]
    values = f["values"][:]
with h5py.File(f"out-{name}-1x1/sorted.h5", "r") as f:
    got_keys = f["keys"][:]
    got_values = f["values"][:]
    assert f.attrs["count"] == len(keys)
if keys.dtype.kind == "f":
    # IEEE totalOrder as an unsigned integer (the order the sort documents).
    u = keys.view(np.uint32 if keys.itemsize == 4 else np.uint64)
    top = np.array(1, dtype=u.dtype) << np.array(8 * keys.itemsize - 1, dtype=u.dtype)
    order = np.argsort(np.where(u & top, ~u, u | top), kind="stable")
else:
    order = np.argsort(keys, kind="stable")
assert got_keys.dtype == keys.dtype and got_values.dtype == values.dtype
assert np.array_equal(got_keys.view(np.uint8), keys[order].view(np.uint8)), "keys differ"
assert np.array_equal(got_values, values[order]), "values differ (not stable, or not carried along)"
print(f"ok: {name}: {len(keys)} {keys.dtype} keys equal numpy's stable sort on 1-4 ranks")
PY
done
imbalance=$("$PY" -c 'import json; r=[json.loads(l) for l in open("zipf.jsonl")]; print(max(x["metrics"]["bucket_imbalance"] for x in r))')
"$PY" -c "import sys; sys.exit(0 if $imbalance <= 1.05 else 1)" || fail "zipf: largest bucket $imbalance x the mean"
echo "ok: zipf keys: largest bucket at most $imbalance x the mean"

# Killed after the exchange checkpoint (fault injection at phase 2, before the write): no
# output file appears, and --restart on another rank count writes the same bytes.
set +e
mpi 3 1 "$BIN_DIR/sort" --input normal.h5:/keys --values normal.h5:/values --output killed --checkpoint-every 1 \
  --inject-fault kill:1@2 >killed.log 2>&1
status=$?
set -e
[ "$status" -ne 0 ] || fail "the run survived its injected kill"
[ ! -e killed/sorted.h5 ] || fail "a killed sort left killed/sorted.h5"
[ -e killed/checkpoints/ckpt_000000001.h5 ] || fail "no checkpoint after the exchange"
mpi 2 1 "$BIN_DIR/sort" --input normal.h5:/keys --values normal.h5:/values --output killed --restart >resumed.log
grep -q "resumed from checkpoint phase 1 (written on 3 ranks)" resumed.log || { cat resumed.log; fail "did not resume after the exchange"; }
cmp -s out-normal-1x1/sorted.h5 killed/sorted.h5 || fail "the resumed sort's output differs"
echo "ok: killed after the exchange on 3 ranks, resumed on 2: the same bytes"

# No keys at all: an empty sorted file, and a checkpoint that resumes.
"$PY" -c 'import h5py, numpy as np; h5py.File("empty.h5", "w")["keys"] = np.zeros(0, dtype=np.int64)'
mpi 3 1 "$BIN_DIR/sort" --input empty.h5:/keys --output empty --checkpoint-every 1 --quiet >empty.log ||
  { cat empty.log; fail "sorting no keys failed"; }
"$PY" -c 'import h5py; f = h5py.File("empty/sorted.h5", "r"); assert f["keys"].shape == (0,) and f.attrs["count"] == 0' ||
  fail "no keys: the output is not an empty /keys"
mpi 2 1 "$BIN_DIR/sort" --input empty.h5:/keys --output empty --restart >empty-resume.log ||
  { cat empty-resume.log; fail "no keys: the restart failed"; }
echo "ok: no keys: PASS, an empty /keys, and a restart from its checkpoint"

# The record names every phase, with keys/s.
"$PY" - <<'PY' || fail "the run record lacks phases"
import json
r = json.loads(open("normal.jsonl").readline())
stages = r["metrics"]["stages"]
for s in ("read", "sample", "partition", "exchange", "local_sort", "rebalance", "verify", "write"):
    assert s in stages, s
assert r["metrics"]["keys_per_s"] > 0 and r["verified"]
print("ok: record stages:", ", ".join(f"{k} {v:.4f}s" for k, v in stages.items()))
PY
