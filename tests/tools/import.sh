# tools/tessera-import: CSV (with and without a header, a label column, one streamed through
# several chunks), .npy and IDX (plain and gzip) become HDF5 datasets whose values, types, shapes
# and attributes equal what numpy reads from the same files; Debian's sklearn iris when present;
# two datasets in one file and --overwrite; bad inputs fail with exit 2 and one error line.
set -euo pipefail

IMPORT="$(cd "$(dirname "$0")/../../tools" && pwd)/tessera-import"
if [ -n "${WORK_ROOT:-}" ]; then
  WORK="$WORK_ROOT/tools_import"
  rm -rf "$WORK"
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
cd "$WORK"
PY=/usr/bin/python3 # the Debian python, which has numpy and h5py
IRIS=/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv

passed=0
pass() {
  echo "PASS: $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL: $*" >&2
  echo "$passed passed, 1 failed"
  exit 1
}

# run NAME ARGS...: the import must succeed and print one summary line.
run() {
  local name=$1
  shift
  "$IMPORT" "$@" >out.log 2>err.log || { cat out.log err.log >&2; fail "$name: tessera-import $* exited $?"; }
  if [ "$(wc -l <out.log)" -ne 1 ] || ! grep -q '^imported ' out.log; then
    cat out.log >&2
    fail "$name: no summary line"
  fi
}

# check NAME ARGS... <<'PY': a Python check (script on stdin) that must exit 0.
check() {
  local name=$1
  shift
  $PY - "$@" >check.log 2>&1 || { cat check.log >&2; fail "$name"; }
  pass "$name"
}

# expect_error NAME FRAGMENT ARGS...: exit 2, exactly one stderr line starting
# "tessera-import: error: " that contains FRAGMENT, no traceback, nothing on stdout.
expect_error() {
  local name=$1 fragment=$2
  shift 2
  local status=0
  "$IMPORT" "$@" >out.log 2>err.log || status=$?
  [ "$status" -eq 2 ] || { cat out.log err.log >&2; fail "$name: exited $status, expected 2"; }
  [ "$(wc -l <err.log)" -eq 1 ] || { cat err.log >&2; fail "$name: $(wc -l <err.log) lines on stderr, expected 1"; }
  grep -q '^tessera-import: error: ' err.log || { cat err.log >&2; fail "$name: no 'tessera-import: error: '"; }
  grep -qF -- "$fragment" err.log || { cat err.log >&2; fail "$name: message lacks '$fragment'"; }
  ! grep -q Traceback err.log || fail "$name: a Python traceback"
  [ ! -s out.log ] || { cat out.log >&2; fail "$name: output on stdout"; }
  pass "$name -> $(cat err.log)"
}

# --- Inputs, written by numpy -------------------------------------------------------------------
$PY - <<'PY'
import gzip
import numpy as np

rng = np.random.default_rng(7)
# Mixed notations: plain, exponent, negative, integers, many digits.
table = rng.normal(size=(50, 4)) * 10.0 ** rng.integers(-5, 6, size=(50, 4))
table[::7, 1] = np.round(table[::7, 1])
with open("header.csv", "w") as f:
    f.write("alpha,beta,gamma,delta\n")
    for row in table:
        f.write(",".join(repr(float(v)) if i % 2 else f"{v:.6e}" for i, v in enumerate(row)) + "\n")
np.savetxt("plain.csv", table[:20], delimiter=",", fmt="%.17g")
with open("plain.csv", "rb") as src, gzip.open("plain.csv.gz", "wb") as dst:
    dst.write(src.read())

# 100000 rows, more than one chunk and one batch: label first, then three values.
n = 100_000
big = np.column_stack([rng.integers(0, 10, size=n), rng.uniform(-1e3, 1e3, size=(n, 3))])
np.savetxt("big.csv", big, delimiter=",", fmt=["%d", "%.10g", "%.10g", "%.10g"], header="label,x,y,z", comments="")

for dtype in ("float32", "int64", "uint8"):
    info = np.iinfo(dtype) if dtype != "float32" else None
    a2 = (rng.normal(size=(300, 5)) * 1000).astype(dtype) if info is None else \
        rng.integers(info.min, info.max, size=(300, 5), dtype=dtype, endpoint=True)
    np.save(f"{dtype}_2d.npy", a2)
    np.save(f"{dtype}_1d.npy", a2[:, 0].copy())
np.save("cube.npy", rng.normal(size=(6, 3, 2)))

# IDX, the MNIST format: 00 00 type ndims, big-endian int32 dimensions, the data.
images = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
labels = rng.integers(0, 10, size=7, dtype=np.uint8)
def idx(array, code):
    return bytes([0, 0, code, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes() + array.tobytes()
open("images-idx3-ubyte", "wb").write(idx(images, 0x08))
open("labels-idx1-ubyte", "wb").write(idx(labels, 0x08))
open("images-idx3-ubyte.gz", "wb").write(gzip.compress(idx(images, 0x08)))
open("labels-idx1-ubyte.gz", "wb").write(gzip.compress(idx(labels, 0x08)))
open("gzipped-but-named-plain-idx3-ubyte", "wb").write(gzip.compress(idx(images, 0x08)))
open("floats.idx", "wb").write(idx(np.linspace(-1, 1, 12, dtype=">f4").reshape(3, 4), 0x0D))
np.save("images.npy", images)
np.save("labels.npy", labels)
whole = idx(images, 0x08)
open("truncated-idx3-ubyte", "wb").write(whole[:-5])
open("truncated-idx3-ubyte.gz", "wb").write(gzip.compress(whole[:-5]))
open("cut-gzip-idx3-ubyte.gz", "wb").write(gzip.compress(whole)[:-12])
open("badmagic-idx3-ubyte", "wb").write(b"\x01\x02" + whole[2:])
PY

# --- CSV ---------------------------------------------------------------------------------------
run "csv header float64" header.csv out.h5:/csv/header
grep -qF "imported 50 rows x 4 columns (float64) from header.csv into out.h5:/csv/header" out.log ||
  fail "csv header float64: summary line is '$(cat out.log)'"
run "csv header float32" header.csv out.h5:/csv/header32 --dtype float32
run "csv no header" plain.csv out.h5:/csv/plain
run "csv gzip" plain.csv.gz out.h5:/csv/plain_gz --dtype float32
check "CSV with and without a header, float64 and float32: values, dtype, shape, columns" <<'PY'
import h5py
import numpy as np
with h5py.File("out.h5", "r") as f:
    want = np.loadtxt("header.csv", delimiter=",", skiprows=1)
    for path, dtype in (("/csv/header", np.float64), ("/csv/header32", np.float32)):
        d = f[path]
        assert d.dtype == dtype and d.shape == want.shape, (path, d.dtype, d.shape)
        assert np.array_equal(d[()], want.astype(dtype)), path
        assert list(d.attrs["columns"]) == ["alpha", "beta", "gamma", "delta"], d.attrs["columns"]
        assert d.attrs["source"] == "header.csv"
        assert d.compression is None and d.chunks is not None
    want = np.loadtxt("plain.csv", delimiter=",")
    d = f["/csv/plain"]
    assert d.dtype == np.float64 and d.shape == (20, 4) and np.array_equal(d[()], want)
    assert "columns" not in d.attrs
    d = f["/csv/plain_gz"]
    assert d.dtype == np.float32 and np.array_equal(d[()], want.astype(np.float32))
PY

run "csv label column, streamed" big.csv out.h5:/big --label-column 0
summary="imported 100000 rows x 3 columns (float64) from big.csv into out.h5:/big"
grep -qF "$summary and 100000 labels (int64) into out.h5:/big_labels" out.log ||
  fail "csv label column: summary line is '$(cat out.log)'"
check "100000-row CSV in several chunks, element by element; label column as 1D int64" <<'PY'
import h5py
import numpy as np
want = np.loadtxt("big.csv", delimiter=",", skiprows=1)
with h5py.File("out.h5", "r") as f:
    d, l = f["/big"], f["/big_labels"]
    assert d.shape == (100000, 3) and d.dtype == np.float64, (d.shape, d.dtype)
    assert d.chunks[0] < 100000 and d.chunks[1] == 3, d.chunks
    assert d.maxshape == (None, 3), "not grown batch by batch"
    assert d.chunks[0] * 3 * 8 <= 1 << 20, "a chunk is more than about 1 MiB"
    got = d[()]
    for i in range(want.shape[0]):
        for j in range(3):
            assert got[i, j] == want[i, j + 1], (i, j, got[i, j], want[i, j + 1])
    assert list(d.attrs["columns"]) == ["x", "y", "z"]
    assert d.attrs["labels"] == "/big_labels"
    assert l.shape == (100000,) and l.dtype == np.int64 and l.ndim == 1
    assert np.array_equal(l[()], want[:, 0].astype(np.int64))
    assert list(l.attrs["columns"]) == ["label"]
    assert not [k for k in f if k.endswith(".partial")], list(f)
PY

# --- npy ---------------------------------------------------------------------------------------
for dtype in float32 int64 uint8; do
  for shape in 2d 1d; do
    run "npy $dtype $shape" "${dtype}_$shape.npy" npy.h5:/$dtype/$shape
  done
done
run "npy 3D flattened" cube.npy npy.h5:/cube
run "npy 3D --keep-shape" cube.npy npy.h5:/cube3 --keep-shape
run "npy --dtype int64 from uint8" uint8_2d.npy npy.h5:/widened --dtype int64
check ".npy float32, int64, uint8 in 2D and 1D; 3D flattened or kept" <<'PY'
import h5py
import numpy as np
with h5py.File("npy.h5", "r") as f:
    for dtype in ("float32", "int64", "uint8"):
        for shape in ("2d", "1d"):
            want = np.load(f"{dtype}_{shape}.npy")
            d = f[f"/{dtype}/{shape}"]
            assert d.dtype == want.dtype and d.shape == want.shape, (dtype, shape, d.dtype, d.shape)
            assert np.array_equal(d[()], want) and d.attrs["source"] == f"{dtype}_{shape}.npy"
    cube = np.load("cube.npy")
    assert f["/cube"].shape == (6, 6) and np.array_equal(f["/cube"][()], cube.reshape(6, 6))
    assert list(f["/cube"].attrs["row_shape"]) == [3, 2]
    assert f["/cube3"].shape == (6, 3, 2) and np.array_equal(f["/cube3"][()], cube)
    w = f["/widened"]
    assert w.dtype == np.int64 and np.array_equal(w[()], np.load("uint8_2d.npy").astype(np.int64))
PY

# --- IDX ---------------------------------------------------------------------------------------
run "idx plain" images-idx3-ubyte idx.h5:/plain/images
grep -qF "imported 7 rows x 20 columns (uint8)" out.log || fail "idx plain: summary line is '$(cat out.log)'"
run "idx labels plain" labels-idx1-ubyte idx.h5:/plain/labels
run "idx gzip" images-idx3-ubyte.gz idx.h5:/gz/images
run "idx labels gzip" labels-idx1-ubyte.gz idx.h5:/gz/labels
run "idx gzip found by its magic bytes" gzipped-but-named-plain-idx3-ubyte idx.h5:/magic/images
run "idx --keep-shape" images-idx3-ubyte.gz idx.h5:/gz/images3 --keep-shape
run "idx --dtype float32" images-idx3-ubyte idx.h5:/plain/images_f32 --dtype float32
run "idx float32 2D" floats.idx idx.h5:/floats
check "IDX plain and gzip: N x (R*C) by default, N x R x C with --keep-shape, 1D labels, bytes equal" <<'PY'
import h5py
import numpy as np
images, labels = np.load("images.npy"), np.load("labels.npy")
with h5py.File("idx.h5", "r") as f:
    for group in ("/plain", "/gz", "/magic"):
        d = f[group + "/images"]
        assert d.dtype == np.uint8 and d.shape == (7, 20), (group, d.shape)
        assert d[()].tobytes() == images.tobytes(), group
        assert list(d.attrs["row_shape"]) == [5, 4]
    for group in ("/plain", "/gz"):
        l = f[group + "/labels"]
        assert l.dtype == np.uint8 and l.shape == (7,) and l[()].tobytes() == labels.tobytes(), group
    k = f["/gz/images3"]
    assert k.shape == (7, 5, 4) and k[()].tobytes() == images.tobytes()
    assert "row_shape" not in k.attrs
    c = f["/plain/images_f32"]
    assert c.dtype == np.float32 and np.array_equal(c[()], images.reshape(7, 20).astype(np.float32))
    fl = f["/floats"]
    want = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    assert fl.dtype == np.float32 and np.array_equal(fl[()], want)
PY

# --- Debian's scikit-learn iris ------------------------------------------------------------------
if [ -f "$IRIS" ]; then
  run "iris" "$IRIS" iris.h5:/iris --skip-rows 1 --label-column -1
  summary="imported 150 rows x 4 columns (float64) from iris.csv into iris.h5:/iris"
  grep -qF "$summary and 150 labels (int64) into iris.h5:/iris_labels" out.log ||
    fail "iris: summary line is '$(cat out.log)'"
  check "iris: 150 x 4 float64 and 150 labels in {0,1,2}" "$IRIS" <<'PY'
import sys
import h5py
import numpy as np
want = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
with h5py.File("iris.h5", "r") as f:
    d, l = f["/iris"], f["/iris_labels"]
    assert d.shape == (150, 4) and d.dtype == np.float64 and np.array_equal(d[()], want[:, :4])
    assert l.shape == (150,) and l.dtype == np.int64 and set(l[()].tolist()) == {0, 1, 2}
    assert np.bincount(l[()]).tolist() == [50, 50, 50]
PY
else
  echo "SKIP: iris ($IRIS is absent: Debian's python3-sklearn is not installed)"
fi

# --- Two datasets in one file; --overwrite -------------------------------------------------------
run "first dataset" plain.csv two.h5:/a
run "second dataset" header.csv two.h5:/deep/group/b
expect_error "existing dataset without --overwrite" "pass --overwrite" header.csv two.h5:/a
run "--overwrite" header.csv two.h5:/a --overwrite
check "two datasets in one file, one replaced by --overwrite" <<'PY'
import h5py
import numpy as np
head = np.loadtxt("header.csv", delimiter=",", skiprows=1)
with h5py.File("two.h5", "r") as f:
    assert np.array_equal(f["/a"][()], head) and list(f["/a"].attrs["columns"])[0] == "alpha"
    assert np.array_equal(f["/deep/group/b"][()], head)
    assert sorted(f) == ["a", "deep"], list(f)
PY

# --- Bad inputs ----------------------------------------------------------------------------------
printf 'x,y,z\n1,2,3\n4,5,6\n7,8\n' >ragged.csv
printf 'x,y,z\n1,2,3\n4,five,6\n' >text.csv
printf 'x,y\n1,2\n3.5,4\n' >half.csv
printf 'x,y\n1,2\n3,300\n' >big_value.csv
printf 'x,y\n1,2\nnan,4\n' >nan.csv
: >empty.csv
printf 'x,y\n\n' >header_only.csv
expect_error "missing input" "does not exist" no_such_file.csv bad.h5:/x
expect_error "ragged row" "line 4 of ragged.csv has 2 fields, expected 3" ragged.csv bad.h5:/x
expect_error "non-numeric field" "line 3, column 1 ('y') of text.csv: 'five' is not a number" text.csv bad.h5:/x
expect_error "lossy --dtype int32" "value 3.5 at line 3, column 0 ('x') cannot be stored as int32" \
  half.csv bad.h5:/x --dtype int32
expect_error "lossy --dtype uint8" "value 300 at line 3, column 1 ('y') cannot be stored as uint8" \
  big_value.csv bad.h5:/x --dtype uint8
expect_error "NaN to an integer" "line 3, column 0" nan.csv bad.h5:/x --dtype int64
expect_error "lossy npy conversion" "cannot be stored as uint8" int64_2d.npy bad.h5:/x --dtype uint8
expect_error "bad OUTPUT spec" "FILE.h5:/path/to/dataset" plain.csv bad.h5
expect_error "empty dataset path" "empty" plain.csv bad.h5:/
expect_error "truncated IDX" "truncated" truncated-idx3-ubyte bad.h5:/x
expect_error "truncated IDX in gzip" "truncated" truncated-idx3-ubyte.gz bad.h5:/x
expect_error "cut gzip stream" "gzip stream" cut-gzip-idx3-ubyte.gz bad.h5:/x
expect_error "bad IDX magic" "not an IDX file" badmagic-idx3-ubyte bad.h5:/x
expect_error "empty CSV" "no data rows" empty.csv bad.h5:/x
expect_error "CSV with only a header" "no data rows" header_only.csv bad.h5:/x
touch data.bin
expect_error "format not known from the name" "pass --format csv, npy or idx" data.bin bad.h5:/x
expect_error "CSV read as npy" "not a .npy file" plain.csv bad.h5:/x --format npy
expect_error "label column out of range" "--label-column 9 is out of range for 3 columns" \
  ragged.csv bad.h5:/x --label-column 9
expect_error "unknown option" "unrecognized arguments" plain.csv bad.h5:/x --frobnicate
[ ! -e bad.h5 ] || fail "a failed import left bad.h5 behind"
pass "failed imports created no output file"

# A failure halfway (a bad value after many good rows) leaves an existing file as it was.
$PY - <<'PY'
with open("late.csv", "w") as f:
    f.write("x\n")
    f.writelines(f"{i}\n" for i in range(200_000))
    f.write("oops\n")
PY
expect_error "bad value after 200000 good rows" "line 200002, column 0 ('x') of late.csv: 'oops'" \
  late.csv two.h5:/late/x
check "a failed import leaves the file as it was" <<'PY'
import h5py
with h5py.File("two.h5", "r") as f:
    assert sorted(f) == ["a", "deep"], list(f)
PY

"$IMPORT" --help >help.log || fail "--help exited $?"
for word in --format --dtype --overwrite --keep-shape --header --skip-rows --delimiter --label-column --labels \
  examples; do
  grep -q -- "$word" help.log || fail "--help does not document $word"
done
pass "--help documents every option, with examples"

echo "$passed passed, 0 failed"
