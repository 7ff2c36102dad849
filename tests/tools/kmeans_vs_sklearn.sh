# tools/kmeans-vs-sklearn end to end on toy sizes: scikit-learn and kmeans (1 rank x 2 threads and
# 2 ranks x 1 thread) run the same iterations to the same inertia, and the table and JSON are
# written with every figure; a malformed --cases is a usage error (exit 2). Not a timing test.
TOOL="$(cd "$(dirname "$0")/../../tools" && pwd)/kmeans-vs-sklearn"
source "$(dirname "$0")/../e2e/lib.sh"

PY=/usr/bin/python3 # the Debian python, which has numpy, h5py and scikit-learn

# 20000x8x4 converges early (well separated blobs), 30000x5x7 runs all 10 iterations.
"$TOOL" --cases 20000x8x4,30000x5x7 --threads 1,2 --repeats 1 --max-iters 10 --gemm-n 256 \
  --workdir kvs --keep --bin-dir "$BIN_DIR" --mpirun "$MPIEXEC" >run.log 2>&1 ||
  { cat run.log; fail "kmeans-vs-sklearn exited non-zero"; }
cat run.log
grep -q "internal_api openblas" run.log || fail "threadpoolctl did not report OpenBLAS"
grep -q '^| 30000x5 k=7 | float32 | 2 |' run.log || fail "no table row for 30000x5 float32 on 2 threads"
[ -s kvs/kmeans-vs-sklearn.md ] || fail "no summary table written"
$PY - <<'PY' || fail "kmeans-vs-sklearn.json is incomplete or the results disagree"
import json
summary = json.load(open("kvs/kmeans-vs-sklearn.json"))
rows = summary["rows"]
assert [(r["case"], r["dtype"], r["threads"]) for r in rows] == [
    (c, d, t) for c in ("20000x8 k=4", "30000x5 k=7") for d in ("float64", "float32") for t in (1, 2)], rows
assert not summary["failures"], summary["failures"]
for r in rows:
    assert r["sklearn_iterations"] == r["kmeans_iterations"] == r["kmeans_Tx1_iterations"], r
    for key in ("sklearn_seconds_per_iteration", "kmeans_1xT_seconds_per_iteration",
                "kmeans_Tx1_seconds_per_iteration", "gemm_flops_per_s"):
        assert r[key] > 0, (key, r)
    assert abs(r["ratio_1xT"] - r["kmeans_1xT_seconds_per_iteration"] / r["sklearn_seconds_per_iteration"]) < 1e-12
    if r["dtype"] == "float64":
        assert r["inertia_rel_diff"] <= 1e-6 and r["label_agreement"] >= 0.9999, r
    assert r["label_agreement"] > 0.99, r
assert [r["kmeans_iterations"] for r in rows if r["case"] == "30000x5 k=7"] == [10] * 4, rows
print("ok: kmeans-vs-sklearn ran both, agreed, and wrote its table and JSON")
PY

status=0
"$TOOL" --cases 20000x8 >out.log 2>err.log || status=$?
[ "$status" -eq 2 ] || { cat out.log err.log; fail "a malformed --cases exited $status, expected 2"; }
grep -q "ROWSxFEATURESxK" err.log || { cat err.log; fail "the --cases error does not show the expected form"; }
echo "ok: a malformed --cases is a usage error"
