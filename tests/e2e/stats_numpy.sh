# stats end to end: against numpy (quantiles by method "inverted_cdf", histogram counts and
# edges, min/max exactly, mean and variance to 1e-12), against the sort app's output (quantile
# q is the sorted element of rank max(1, ceil(q n))), the same files on 1 to 4 ranks, and the
# histogram drawn by tools/tessera-plot-hist.
TOOLS="$(cd "$(dirname "$0")/../../tools" && pwd)"
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

N=40009
mpi 2 1 "$BIN_DIR/tessera-data" generate keys --rows "$N" --dist normal --type float64 -o normal.h5 >/dev/null
mpi 2 1 "$BIN_DIR/tessera-data" generate keys --rows "$N" --dist zipf --type int64 -o zipf.h5 >/dev/null
mpi 2 1 "$BIN_DIR/tessera-data" generate blobs --rows 9001 --features 3 --type float32 -o blobs.h5 >/dev/null
Q=0,0.001,0.25,0.5,0.9,0.99,0.999,1

run_stats() {  # NAME INPUT [ARGS...]
  local name=$1 input=$2
  shift 2
  for layout in "1 1" "2 2" "3 1" "4 1"; do
    set -- $layout "$@"
    local np=$1 threads=$2
    shift 2
    mpi "$np" "$threads" "$BIN_DIR/stats" --input "$input" --quantiles "$Q" --output "$name-$np" "$@" \
      >"$name-$np.log" || { cat "$name-$np.log"; fail "$name on $np ranks"; }
    grep -q "^\[stats\] PASS" "$name-$np.log" || fail "$name on $np ranks: no PASS"
    cmp -s "$name-1/stats.json" "$name-$np/stats.json" || fail "$name: stats.json on $np ranks differs from 1 rank"
    cmp -s "$name-1/stats.h5" "$name-$np/stats.h5" || fail "$name: stats.h5 on $np ranks differs from 1 rank"
  done
  echo "ok: $name: stats.json and stats.h5 identical on 1, 2 (x2 threads), 3 and 4 ranks"
}
run_stats normal normal.h5:/keys --bins 40
run_stats zipf zipf.h5:/keys --bins 25 --range 0:50
run_stats blobs blobs.h5:/points --column 1 --bins 30

"$PY" - "$Q" <<'PY' || fail "stats differ from numpy"
import json
import sys
import h5py
import numpy as np
qs = [float(q) for q in sys.argv[1].split(",")]
cases = [("normal", "normal.h5", "keys", None, 40, None), ("zipf", "zipf.h5", "keys", None, 25, (0, 50)),
         ("blobs", "blobs.h5", "points", 1, 30, None)]
for name, path, dset, column, bins, rng in cases:
    with h5py.File(path, "r") as f:
        x = f[dset][:]
    if column is not None:
        x = x[:, column]
    s = json.load(open(f"{name}-1/stats.json"))
    want = np.quantile(x, qs, method="inverted_cdf")
    got = np.array([q["value"] for q in s["quantiles"]], dtype=x.dtype)
    assert np.array_equal(got, want), (name, got, want)
    # stats bins in float64 (numpy bins float32 data with float32 edges).
    counts, edges = np.histogram(x.astype(np.float64), bins=bins, range=rng)
    assert np.array_equal(counts, s["histogram"]["counts"]), (name, counts, s["histogram"]["counts"])
    assert np.array_equal(edges, s["histogram"]["edges"]), name
    xd = x.astype(np.float64)
    assert s["min"] == xd.min() and s["max"] == xd.max() and s["count"] == len(x)
    assert abs(s["mean"] - xd.mean()) <= 1e-12 * max(1.0, abs(xd.mean())), name
    assert abs(s["variance"] - xd.var()) <= 1e-12 * xd.var(), name
    with h5py.File(f"{name}-1/stats.h5", "r") as f:
        assert np.array_equal(f["histogram"][:], counts) and np.array_equal(f["bin_edges"][:], edges)
    if rng is not None:
        assert s["histogram"]["above"] == int((x > rng[1]).sum()) and s["histogram"]["below"] == int((x < rng[0]).sum())
    print(f"ok: {name}: quantiles, histogram, min/max, mean and variance equal numpy's")
PY

# Against the sort app: quantile q is the sorted key of rank max(1, ceil(q n)).
mpi 2 1 "$BIN_DIR/sort" --input zipf.h5:/keys --output sorted --quiet >/dev/null
"$PY" - <<'PY' || fail "stats quantiles differ from the sorted keys"
import json
import h5py
s = json.load(open("zipf-1/stats.json"))
keys = h5py.File("sorted/sorted.h5", "r")["keys"]
for q in s["quantiles"]:
    assert keys[q["rank"] - 1] == q["value"], q
print("ok: every quantile is the sort app's key at its rank")
PY

"$TOOLS/tessera-plot-hist" normal-1/stats.json --png hist.png >/dev/null
[ "$(head -c 8 hist.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "tessera-plot-hist wrote no PNG"
echo "ok: tessera-plot-hist drew hist.png"
