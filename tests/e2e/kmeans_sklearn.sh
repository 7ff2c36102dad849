# kmeans against scikit-learn's Lloyd from the same initial centres: the same label for every
# row, the same inertia and centres to rounding (1e-9 relative) and the same iteration count,
# on Debian's iris data and on generated blobs (float64, and float32 data computed in float64),
# on 1 rank x 2 threads and 3 ranks x 1 thread.
IMPORT="$(cd "$(dirname "$0")/../../tools" && pwd)/tessera-import" # before lib.sh changes directory
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3 # the Debian python, which has numpy, h5py and scikit-learn
IRIS_CSV=/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv

# Data: iris (150 x 4, header line "150,4,...", label in the last column) and blobs.
[ -r "$IRIS_CSV" ] || fail "no iris data at $IRIS_CSV (Debian's python3-sklearn)"
"$IMPORT" "$IRIS_CSV" iris.h5:/iris --skip-rows 1 --label-column -1 >/dev/null || fail "tessera-import of iris failed"
"$BIN_DIR/tessera-data" generate blobs -o blobs64.h5 --rows 3000 --features 5 --centres 7 --spread 2 --seed 11 >/dev/null
"$BIN_DIR/tessera-data" generate blobs -o blobs32.h5 --rows 3000 --features 5 --centres 7 --spread 2 --seed 11 \
  --type float32 >/dev/null

# compare NAME FILE DATASET K SEED TOL [KMEANS ARGS...]: k rows chosen by a seeded generator are
# the initial centres of both; scikit-learn runs once, kmeans on 1 and on 3 ranks.
compare() {
  local name=$1 file=$2 dataset=$3 k=$4 seed=$5 tol=$6
  shift 6
  OMP_NUM_THREADS=2 "$PY" - "$file" "$dataset" "$k" "$seed" "$name" "$tol" <<'PY' || fail "$name: scikit-learn reference failed"
import sys
import warnings

import h5py
import numpy as np
from sklearn.cluster import KMeans

file, dataset, k, seed, name, tol = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], float(sys.argv[6])
with h5py.File(file, "r") as f:
    X = f[dataset][...].astype(np.float64)
rows = np.sort(np.random.default_rng(seed).choice(len(X), size=k, replace=False))
init = X[rows].copy()
with h5py.File(f"{name}-init.h5", "w") as f:
    f["init"] = init
with warnings.catch_warnings():
    warnings.simplefilter("error")  # e.g. "Number of distinct clusters found smaller than n_clusters"
    km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=tol, max_iter=300).fit(X)
np.savez(f"{name}-sklearn.npz", labels=km.labels_, inertia=km.inertia_, centres=km.cluster_centers_,
         n_iter=km.n_iter_, init_rows=rows)
print(f"{name}: {X.shape[0]} x {X.shape[1]}, k {k}, tol {tol:g}, initial centres = rows {rows.tolist()}; "
      f"scikit-learn: {km.n_iter_} iterations, inertia {km.inertia_:.12e}")
PY
  local np threads
  for np in 1 3; do
    threads=$((np == 1 ? 2 : 1))
    mpi "$np" "$threads" "$BIN_DIR/kmeans" --input "$file:$dataset" --k "$k" --init "$name-init.h5:/init" --tol "$tol" \
      --max-iters 300 --labels --quiet --output "$name-$np" --record "$name-$np.jsonl" "$@" >"$name-$np.log" 2>&1 ||
      { cat "$name-$np.log"; fail "$name: kmeans on $np ranks exited non-zero"; }
    "$PY" - "$file" "$dataset" "$name-sklearn.npz" "$name-$np/kmeans.h5" "$name on $np ranks x $threads threads" <<'PY' ||
import sys

import h5py
import numpy as np

file, dataset, reference, result, what = sys.argv[1:6]
with h5py.File(file, "r") as f:
    X = f[dataset][...].astype(np.float64)
sk = np.load(reference)
with h5py.File(result, "r") as f:
    labels = f["labels"][...].astype(np.int64)
    centres = f["centres"][...]
    inertia = float(f.attrs["inertia"])
    iterations = int(f.attrs["iterations"])
scale = np.abs(X).max()
differ = np.flatnonzero(labels != sk["labels"])
inertia_rel = abs(inertia - sk["inertia"]) / sk["inertia"]
centre_rel = np.abs(centres - sk["centres"]).max() / scale if centres.shape == sk["centres"].shape else np.inf
print(f"{what}: labels agree on {len(X) - len(differ)}/{len(X)} rows; inertia {inertia:.12e} vs "
      f"{float(sk['inertia']):.12e} (relative difference {inertia_rel:.2e}); centres differ by {centre_rel:.2e} "
      f"of the data scale {scale:.3g}; iterations {iterations} vs scikit-learn {int(sk['n_iter'])}")
ok = True
if len(differ):
    ok = False
    print(f"  {len(differ)} rows differ; the first ones, with squared distances to both label's centres:")
    for i in differ[:10]:
        a, b = labels[i], sk["labels"][i]
        d = lambda c, j: float(((X[i] - c[j]) ** 2).sum())
        print(f"  row {i}: kmeans {a}, scikit-learn {b}; kmeans centres: d[{a}] {d(centres, a):.17g} d[{b}] "
              f"{d(centres, b):.17g}; scikit-learn centres: d[{a}] {d(sk['centres'], a):.17g} d[{b}] "
              f"{d(sk['centres'], b):.17g}")
if not inertia_rel <= 1e-9:
    ok = False
    print(f"  inertia differs by {inertia_rel:.3e} relative (limit 1e-9)")
if not centre_rel <= 1e-9:
    ok = False
    print(f"  centres differ by {centre_rel:.3e} of the data scale (limit 1e-9)")
    if centres.shape == sk["centres"].shape:
        print("  per centre:", np.abs(centres - sk["centres"]).max(axis=1))
if iterations != int(sk["n_iter"]):
    ok = False
    print(f"  {iterations} iterations, scikit-learn {int(sk['n_iter'])}")
sys.exit(0 if ok else 1)
PY
      fail "$name: kmeans on $np ranks differs from scikit-learn"
    echo "ok: $name: kmeans on $np ranks x $threads threads matches scikit-learn"
  done
}

# iris: the labels are named explicitly (the imported dataset also names them in its 'labels'
# attribute; kmeans_bad_input.sh checks that attribute is read).
compare iris iris.h5 /iris 3 5 0 --true-labels iris.h5:/iris_labels
compare blobs64 blobs64.h5 /points 7 3 0
compare blobs32 blobs32.h5 /points 7 3 0 --precision float64
# With a tolerance the loop stops on the centre shift before the labels settle, and a last
# assignment to the final centres gives the labels and inertia (scikit-learn's order).
compare blobs64-tol blobs64.h5 /points 7 3 1e-4
