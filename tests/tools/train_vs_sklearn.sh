# tools/train-vs-sklearn end to end on the digits (imported here with tools/tessera-import from
# scikit-learn's CSV and split into /train and /test): scikit-learn's MLPClassifier and train
# (1 rank x 2 threads, 1 and 2 ranks x 1 thread, reproducible) all run, every figure is printed
# and parses as a number, the JSON holds them consistently, and a bad --hidden, a missing --data
# and a --data without the four datasets are usage errors (exit 2, one line). Not a timing test.
TOOLS="$(cd "$(dirname "$0")/../../tools" && pwd)"
TOOL="$TOOLS/train-vs-sklearn"
source "$(dirname "$0")/../e2e/lib.sh"

PY=/usr/bin/python3 # the Debian python, which has numpy, h5py, scikit-learn and threadpoolctl
DIGITS_CSV=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
[ -f "$DIGITS_CSV" ] || fail "$DIGITS_CSV is missing (Debian's python3-sklearn ships it)"

# The digits as the tool reads --data: the first 1437 rows train, the other 360 test.
"$TOOLS/tessera-import" "$DIGITS_CSV" digits-all.h5:/digits --label-column -1 >import.log 2>&1 ||
  { cat import.log; fail "tessera-import of the digits failed"; }
$PY - <<'PY' || fail "could not split the digits"
import h5py
with h5py.File("digits-all.h5", "r") as f:
    x, y = f["/digits"][...], f["/digits_labels"][...].astype("int32")
assert x.shape == (1797, 64) and y.shape == (1797,), (x.shape, y.shape)
with h5py.File("digits.h5", "w") as f:
    f["/train/images"], f["/train/labels"] = x[:1437], y[:1437]
    f["/test/images"], f["/test/labels"] = x[1437:], y[1437:]
PY

"$TOOL" --data digits.h5 --epochs 2 --batch 64 --hidden 32,16 --lr 0.003 --input-scale 0.0625 --threads 2 \
  --repeats 1 --gemm-n 256 --json figures.json --workdir tvs --keep --bin-dir "$BIN_DIR" --mpirun "$MPIEXEC" \
  >run.log 2>&1 ||
  { cat run.log; fail "train-vs-sklearn exited non-zero"; }
cat run.log
grep -Eq "^# train-vs-sklearn: .+, [0-9]+ cores available to this run" run.log ||
  fail "no header line with the CPU and cores"
grep -q "internal_api openblas" run.log || fail "threadpoolctl did not report OpenBLAS"
grep -q "1437 training and 360 test samples of 64 float64 values, 10 classes; input x 0.0625 as float32" run.log ||
  fail "the data line is wrong"
grep -q "model: mlp 64-32-16-10 (ReLU)" run.log || fail "the model line does not show the architecture"
[ "$(grep -c '^\(MET\|MISSED\): ' run.log)" -eq 3 ] || fail "expected 3 MET/MISSED target lines"

# Every printed figure is a number, and the printed figures agree with each other.
$PY - <<'PY' || fail "the printed figures are missing or do not parse"
import re
text = open("run.log").read()
N = r"([0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?)"  # a number as printed (.4g may use an exponent)
def grab(pattern):
    m = re.search(pattern, text, re.M)
    assert m, f"no line matches {pattern!r}"
    return [float(v) for v in m.groups()]
sk, tr, ratio = grab(rf"^samples/s +scikit-learn +{N} +train +{N} +ratio train/sklearn {N}$")
assert sk > 0 and tr > 0 and abs(ratio - tr / sk) <= 0.01 * ratio + 0.006, (sk, tr, ratio)
sk_acc, tr_acc = grab(rf"^test accuracy +scikit-learn {N} +train {N};")
assert 0 < sk_acc <= 1 and 0 < tr_acc <= 1, (sk_acc, tr_acc)
mark, sk_time = grab(rf"^time to {N} +scikit-learn {N} s +train ")
assert mark == sk_acc and sk_time > 0, (mark, sk_time)
assert re.search(rf"^time to .* train ({N} s \(epoch [0-9]+\); scikit-learn / train {N}|not reached in 2 epochs "
                 rf"\(best {N}\))$",
                 text, re.M), "no time to accuracy for train"
gflops, app_gflops, sgemm, fraction = grab(
    rf"^train GFLOP/s +{N} \(app record {N}\); SGEMM {N}; fraction of SGEMM {N}$")
assert gflops > 0 and sgemm > 0 and abs(fraction - gflops / sgemm) <= 0.01 * fraction, (gflops, sgemm, fraction)
t1, t2, eff = grab(rf"^epoch seconds +1x1 {N} +2x1 {N} +scaling efficiency t1/\(2 t2\) {N}$")
assert t1 > 0 and t2 > 0 and eff > 0, (t1, t2, eff)
t2r, repro = grab(rf"^reproducible +2x1 {N} s per epoch, {N}x fast sums$")
assert t2r > 0 and repro > 0, (t2r, repro)
for what in ("train / scikit-learn samples/s", "scaling efficiency 1 -> 2 ranks", "reproducible / fast"):
    assert re.search(rf"^(MET|MISSED): {re.escape(what)} {N}( at 2 ranks)? \(target ", text, re.M), what
print("ok: every figure printed and parsed")
PY

# The JSON: every figure, consistent with the runs it came from.
$PY - <<'PY' || fail "figures.json is incomplete or inconsistent"
import json, math
s = json.load(open("figures.json"))
f = s["figures"]
assert s["cores"] >= 1 and s["cpu"], s["cpu"]
assert s["settings"]["hidden"] == [32, 16] and s["settings"]["epochs"] == 2 and s["settings"]["threads"] == 2
assert s["data"]["train_rows"] == 1437 and s["data"]["test_rows"] == 360 and s["data"]["input_scale"] == 0.0625
assert s["flops_per_sample"] == 6 * (64 * 32 + 32 * 16 + 16 * 10), s["flops_per_sample"]
assert any(p.get("internal_api") == "openblas" for p in s["threadpools"]), s["threadpools"]
for key in ("sklearn_samples_per_s", "train_samples_per_s", "ratio_train_sklearn", "sklearn_fit_seconds",
            "train_seconds", "train_gflops", "sgemm_gflops", "gemm_fraction", "epoch_seconds_1x1",
            "epoch_seconds_2x1", "scaling_efficiency", "epoch_seconds_2x1_reproducible", "reproducible_over_fast",
            "app_record_samples_per_s", "app_record_gflops"):
    assert isinstance(f[key], float) and math.isfinite(f[key]) and f[key] > 0, (key, f[key])
assert abs(f["ratio_train_sklearn"] - f["train_samples_per_s"] / f["sklearn_samples_per_s"]) < 1e-9
assert abs(f["scaling_efficiency"] - f["epoch_seconds_1x1"] / (2 * f["epoch_seconds_2x1"])) < 1e-9
assert abs(f["reproducible_over_fast"] - f["epoch_seconds_2x1_reproducible"] / f["epoch_seconds_2x1"]) < 1e-9
assert abs(f["sklearn_samples_per_s"] - 2 * 1437 / f["sklearn_fit_seconds"]) < 1e-6 * f["sklearn_samples_per_s"]
assert f["dgemm_gflops"] is None  # float32: SGEMM only
runs = s["runs"]
assert len(runs["sklearn"]) == 1 and runs["sklearn"][0]["n_iter"] == 2, runs["sklearn"]
assert [(r["ranks"], r["threads"]) for r in runs["train"]] == [(1, 2), (1, 1), (2, 1), (2, 1)], runs["train"]
for r in runs["train"]:
    assert [e["epoch"] for e in r["history"]] == [1, 2], r["history"]
    assert abs(r["train_seconds"] - sum(e["seconds"] for e in r["history"])) < 1e-12
fast = runs["train"][0]
assert [e["test_accuracy"] for e in fast["history"]][-1] == f["train_test_accuracy"]
assert abs(f["train_samples_per_s"] - 2 * 1437 / fast["train_seconds"]) < 1e-6 * f["train_samples_per_s"]
# Time to accuracy: train's is a cumulative sum of its epochs, or absent when never reached.
if f["train_seconds_to_mark"] is not None:
    e = f["train_epoch_at_mark"]
    assert fast["history"][e - 1]["test_accuracy"] >= f["accuracy_mark"]
    assert abs(f["train_seconds_to_mark"] - sum(h["seconds"] for h in fast["history"][:e])) < 1e-12
else:
    assert all(h["test_accuracy"] < f["accuracy_mark"] for h in fast["history"])
# The same training on any layout: fast sums differ in rounding only, never in what was learned.
accuracies = [r["record_metrics"]["train_accuracy"] for r in runs["train"]]
assert max(accuracies) - min(accuracies) < 0.02, accuracies
print("ok: figures.json is complete and consistent")
PY
[ -s tvs/train-vs-sklearn.json ] || fail "no summary JSON in the work directory"

# expect_usage_error NAME FRAGMENT ARGS...: exit 2, one stderr line "train-vs-sklearn: error: ...".
expect_usage_error() {
  local name=$1 fragment=$2
  shift 2
  local status=0
  "$TOOL" --bin-dir "$BIN_DIR" --mpirun "$MPIEXEC" "$@" >out.log 2>err.log || status=$?
  [ "$status" -eq 2 ] || { cat out.log err.log; fail "$name: exited $status, expected 2"; }
  [ "$(wc -l <err.log)" -eq 1 ] || { cat err.log; fail "$name: $(wc -l <err.log) lines on stderr, expected 1"; }
  grep -q '^train-vs-sklearn: error: ' err.log || { cat err.log; fail "$name: no 'train-vs-sklearn: error: '"; }
  grep -qF -- "$fragment" err.log || { cat err.log; fail "$name: the message lacks '$fragment'"; }
  ! grep -q Traceback err.log || fail "$name: a Python traceback"
  echo "ok: $name -> $(cat err.log)"
}
expect_usage_error "a bad --hidden" "hidden layer sizes must be positive" --data digits.h5 --hidden 128,0
expect_usage_error "a missing --data" "--data nothing.h5: no such file" --data nothing.h5
expect_usage_error "--data without /train and /test" "lacks /train/images, /train/labels" --data digits-all.h5
expect_usage_error "--data and --digits together" "not allowed with argument" --data digits.h5 --digits
expect_usage_error "a --batch larger than the data" "--batch 5000 is more than the 1437 training samples" \
  --data digits.h5 --batch 5000
echo "ok: train-vs-sklearn printed its figures and refused bad input"
