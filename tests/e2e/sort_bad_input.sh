# sort bad input: exit status 2, one clear message from one rank, no hang. Every case runs
# and the script fails at the end with the list of cases that did not hold.
source "$(dirname "$0")/lib.sh"
APP=sort
PY=/usr/bin/python3 # numpy and h5py live there

"$PY" - <<'PY'
import h5py
import numpy as np

rng = np.random.default_rng(3)
with h5py.File("bad.h5", "w") as f:
    f["keys"] = rng.integers(0, 100, size=20)
    f["table"] = rng.normal(size=(20, 2))
    f["short_values"] = np.arange(19)
    f["cube_values"] = np.zeros((20, 2, 2))
    f["bytes"] = np.arange(20, dtype=np.uint8)
    f["int16"] = np.arange(20, dtype=np.int16)
    f.create_group("grp")
    f["scalar"] = 3.0
PY
echo "not an HDF5 file" >text.h5

failures=()
check() {
  (expect_usage_error "$@") || failures+=("$(printf '%q ' "${@:2}")")
}

check "--input is required" --values bad.h5:/keys
check "no-such-file.h5: no such file" --input no-such-file.h5:/keys
check "text.h5 is not an HDF5 file" --input text.h5:/keys
check "has no dataset '/nothere'" --input bad.h5:/nothere
check "--input 'bad.h5' does not name a dataset; write FILE.h5:/path/to/dataset" --input bad.h5
check "bad.h5:/table is 2-dimensional (20x2); this needs a 1D dataset of keys" --input bad.h5:/table
check "bad.h5:/short_values has 19 rows but bad.h5:/keys has 20 keys; --values needs one row per key" \
  --input bad.h5:/keys --values bad.h5:/short_values
check "bad.h5:/cube_values is 20x2x2; --values takes a 1D or 2D dataset" --input bad.h5:/keys --values bad.h5:/cube_values
check "holds uint8 keys; sort takes int32, int64, uint64, float32 or float64 keys" --input bad.h5:/bytes
check "bad.h5:/int16" --input bad.h5:/int16
check "bad.h5:/grp is a group" --input bad.h5:/grp
check "bad.h5:/scalar" --input bad.h5:/scalar
check "--values 'bad.h5:keys' does not name a dataset" --input bad.h5:/keys --values bad.h5:keys
check "--seed: must be 0 or more, got -1" --input bad.h5:/keys --seed -1
check "unknown option or unexpected argument: --bins 3" --input bad.h5:/keys --bins 3

if [ "${#failures[@]}" -gt 0 ]; then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "all sort bad-input cases exit 2 with one message"
