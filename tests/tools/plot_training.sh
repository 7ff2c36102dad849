# tools/tessera-plot-training end to end: train runs on the digits (imported here with
# tools/tessera-import from scikit-learn's CSV), one with a test set and one without, are drawn
# into valid PNGs (by default beside the first history), with the test curves in the figure only
# when a history has them; a missing file, an empty history, a line that is not JSON and a JSON
# file that is not a history fail with exit 2 and one error line.
TOOLS="$(cd "$(dirname "$0")/../../tools" && pwd)"
PLOT="$TOOLS/tessera-plot-training"
source "$(dirname "$0")/../e2e/lib.sh"

PY=/usr/bin/python3 # the Debian python, which has numpy, h5py and matplotlib
DIGITS_CSV=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
[ -f "$DIGITS_CSV" ] || fail "$DIGITS_CSV is missing (Debian's python3-sklearn ships it)"

# The digits: 1797 x 64 values 0..16 and their labels (the 'labels' attribute names them).
"$TOOLS/tessera-import" "$DIGITS_CSV" digits.h5:/digits --label-column -1 >import.log 2>&1 ||
  { cat import.log; fail "tessera-import of the digits failed"; }

train_digits() { # OUT EPOCHS [ARGS...]
  local out=$1 epochs=$2
  shift 2
  mpi 2 1 "$BIN_DIR/train" --train digits.h5:/digits --input-scale 0.0625 --model mlp --hidden 32 \
    --batch 64 --epochs "$epochs" --lr 0.01 --output "$out" --quiet "$@" >"$out.log" 2>&1 ||
    { cat "$out.log"; fail "train $out exited non-zero"; }
  [ "$(wc -l <"$out/history.jsonl")" -eq "$epochs" ] || fail "$out/history.jsonl does not hold $epochs epochs"
}
train_digits with-test 3 --test digits.h5:/digits
train_digits train-only 2 --seed 2

# check_png FILE TEST_CURVES(yes|no): a PNG of nonzero size with a figure drawn in it; the test
# colour (#dd8452) is in the image exactly when test curves were drawn, the train colour always.
check_png() {
  $PY - "$1" "$2" <<'PY' || fail "$1 is not the PNG expected"
import struct, sys
import matplotlib.image as mpimg
import numpy as np
path, test_curves = sys.argv[1], sys.argv[2] == "yes"
head = open(path, "rb").read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: no PNG signature"
assert head[12:16] == b"IHDR", f"{path}: no IHDR chunk first"
width, height = struct.unpack(">II", head[16:24])
assert width >= 600 and height >= 300, (width, height)
pixels = (mpimg.imread(path)[..., :3] * 255).round().astype(int)
def present(hex_colour):
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - rgb).max(axis=-1) <= 8).sum())
train, test = present("#4878a8"), present("#dd8452")
assert train > 200, f"{path}: train curves hardly drawn ({train} pixels)"
assert (test > 200) if test_curves else (test == 0), f"{path}: {test} test-colour pixels, test curves {test_curves}"
print(f"ok: {path}: {width} x {height} PNG, {train} train and {test} test pixels")
PY
}

# One history, the default output: training.png beside it.
"$PLOT" with-test/history.jsonl >out.log 2>err.log || { cat out.log err.log; fail "plotting one history failed"; }
grep -q "wrote .*with-test/training.png" out.log || { cat out.log; fail "no 'wrote' line for the default PNG"; }
[ -s with-test/training.png ] || fail "with-test/training.png was not written"
check_png with-test/training.png yes

# Two runs (a directory stands for its history.jsonl), one figure.
"$PLOT" with-test train-only/history.jsonl --png both.png --title "digits" >out.log 2>err.log ||
  { cat out.log err.log; fail "plotting two histories failed"; }
check_png both.png yes
"$PLOT" train-only --png train-only.png >/dev/null 2>err.log || { cat err.log; fail "plotting a history without test"; }
check_png train-only.png no

# expect_error NAME FRAGMENT ARGS...: exit 2, one stderr line "tessera-plot-training: error: ..."
# with FRAGMENT, no traceback, nothing on stdout, no PNG written.
expect_error() {
  local name=$1 fragment=$2
  shift 2
  rm -f bad.png
  local status=0
  "$PLOT" "$@" --png bad.png >out.log 2>err.log || status=$?
  [ "$status" -eq 2 ] || { cat out.log err.log; fail "$name: exited $status, expected 2"; }
  [ "$(wc -l <err.log)" -eq 1 ] || { cat err.log; fail "$name: $(wc -l <err.log) lines on stderr, expected 1"; }
  grep -q '^tessera-plot-training: error: ' err.log ||
    { cat err.log; fail "$name: no 'tessera-plot-training: error: '"; }
  grep -qF -- "$fragment" err.log || { cat err.log; fail "$name: the message lacks '$fragment'"; }
  [ ! -s out.log ] || { cat out.log; fail "$name: output on stdout"; }
  [ ! -e bad.png ] || fail "$name: a PNG was written anyway"
  echo "ok: $name -> $(cat err.log)"
}
: >empty.jsonl
printf '\n\n' >blank.jsonl
head -n 1 with-test/history.jsonl >broken.jsonl
printf '{"epoch": 2, "loss": 0.5,\n' >>broken.jsonl
echo '{"app": "train", "metrics": {}}' >record.jsonl
sed 's/"loss":[^,]*/"loss":"high"/' with-test/history.jsonl >text-loss.jsonl
expect_error "a missing file" "no-such-dir/history.jsonl: no such file" no-such-dir/history.jsonl
expect_error "a missing file among good ones" "missing.jsonl: no such file" with-test missing.jsonl
expect_error "an empty history" "empty history" empty.jsonl
expect_error "a history of blank lines" "empty history" blank.jsonl
expect_error "a line that is not JSON" "broken.jsonl:2: not JSON" broken.jsonl
expect_error "a run record, not a history" "record.jsonl:1: no epoch, loss, train_accuracy" record.jsonl
expect_error "a loss that is not a number" 'loss is "high"' text-loss.jsonl
expect_error "no history at all" "required: history"
echo "ok: tessera-plot-training drew the curves and refused bad input"
