# stats bad input: exit status 2, one clear message from one rank, no hang. Every case runs
# and the script fails at the end with the list of cases that did not hold.
source "$(dirname "$0")/lib.sh"
APP=stats
PY=/usr/bin/python3 # numpy and h5py live there

# On 4 ranks the 20 values are 5 per rank: the NaN (row 13) sits on rank 2.
"$PY" - <<'PY'
import h5py
import numpy as np

rng = np.random.default_rng(5)
with h5py.File("bad.h5", "w") as f:
    f["x"] = rng.normal(size=20)
    f["table"] = rng.normal(size=(20, 3))
    f["cube"] = np.zeros((4, 5, 3))
    x = rng.normal(size=20)
    x[13] = np.nan
    f["with_nan"] = x
    f["empty"] = np.zeros(0)
PY

failures=()
check() {
  (expect_usage_error "$@") || failures+=("$(printf '%q ' "${@:2}")")
}

check "--quantiles: 'median' is not a number" --input bad.h5:/x --quantiles 0.5,median
check "--quantiles: '1.5' is above 1" --input bad.h5:/x --quantiles 1.5
check "--quantiles: '-0.1' is not a number" --input bad.h5:/x --quantiles=-0.1
check "--quantiles '0.5,,0.9' has an empty entry" --input bad.h5:/x --quantiles 0.5,,0.9
check "--range '3:3' is empty; give LO:HI with LO < HI" --input bad.h5:/x --range 3:3
check "--range '5:-5' is empty" --input bad.h5:/x --range 5:-5
check "--range 'a:b' has a bad LO" --input bad.h5:/x --range a:b
check "--range '1:2x' has a bad HI" --input bad.h5:/x --range 1:2x
check "--range '0:inf' is not finite" --input bad.h5:/x --range 0:inf
check "--range '1' has no ':'" --input bad.h5:/x --range 1
check "--bins: must be greater than 0, got 0" --input bad.h5:/x --bins 0
check "--bins 100000000 is more than 1048576" --input bad.h5:/x --bins 100000000
check "--range '-1e308:1e308' is wider than the largest double" --input bad.h5:/x --range=-1e308:1e308
check "--range '0:1e-320' is too narrow for 50 bins" --input bad.h5:/x --range 0:1e-320
check "bad.h5:/table is 2D (20x3); choose a column with --column J (0..2)" --input bad.h5:/table
check "--column 3 is beyond the 3 columns of bad.h5:/table (0-based: 0..2)" --input bad.h5:/table --column 3
check "--column 1: bad.h5:/x is 1D (one column, 0)" --input bad.h5:/x --column 1
check "bad.h5:/cube is 4x5x3; stats takes a 1D dataset or a 2D one with --column" --input bad.h5:/cube
check "bad.h5:/empty holds no values" --input bad.h5:/empty
check "row 13" --input bad.h5:/with_nan
check "no-such.h5: no such file" --input no-such.h5:/x

if [ "${#failures[@]}" -gt 0 ]; then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "all stats bad-input cases exit 2 with one message"
