# tools/sort-benchmark at a tiny size: every table row is there, every method agreed on the
# order (sort_bench exits non-zero otherwise), and the app rows carry their figures.
source "$(dirname "$0")/../e2e/lib.sh"
TOOLS=$(cd "$(dirname "$0")/../../tools" && pwd)
OMP_NUM_THREADS=1 "$TOOLS/sort-benchmark" --rows 200000 --repeats 1 --types int64,float32 --dists uniform,zipf \
  --bin-dir "$BIN_DIR" --mpirun "$MPIEXEC" >bench.log 2>&1 || { cat bench.log; fail "sort-benchmark failed"; }
cat bench.log
for method in "std::sort" "__gnu_parallel::sort" "tessera local_sort"; do
  [ "$(grep -E '^(int64|float32) ' bench.log | grep -cF " $method ")" -eq 8 ] || fail "expected 8 rows of $method (2 types x 2 dists x 2 thread counts)"
done
[ "$(grep -cE '^(int64|float32) +(uniform|zipf) +[0-9.]+ +[0-9.]+ ' bench.log)" -eq 4 ] || fail "expected 4 app rows"
echo "ok: sort-benchmark printed its kernel and app tables"
