# kmeans --reproducible: the state digest (centres and labels) is the same on 1, 2, 3 and 4 ranks
# x 1 and 2 threads for every seeding, on a row count that does not divide evenly and on float32
# data; the kmeans.h5 centres are bitwise equal; ranks that hold no rows are fine. Fast mode
# (no --reproducible) only has to PASS and find well separated clusters.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3 # numpy and h5py live there

# Overlapping clusters (spread 3 in a box of +-10): 13-17 iterations with many labels changing.
"$BIN_DIR/tessera-data" generate blobs -o blobs64.h5 --rows 2003 --features 6 --centres 5 --spread 3 --seed 21 >/dev/null
"$BIN_DIR/tessera-data" generate blobs -o blobs32.h5 --rows 2003 --features 6 --centres 5 --spread 3 --seed 21 \
  --type float32 >/dev/null

# same_everywhere LABEL ARGS...: the digest and iteration count of every rank x thread count
# equal those of 1 rank x 1 thread; the centres and labels files of 1 and 4 ranks are bitwise equal.
same_everywhere() {
  local label=$1
  shift
  local expected="" iterations="" np threads out got got_iterations
  for np in 1 2 3 4; do
    for threads in 1 2; do
      out="$label-$np-$threads"
      mpi "$np" "$threads" "$BIN_DIR/kmeans" "$@" --reproducible --labels --quiet --output "$out" \
        --record "$out.jsonl" >"$out.log" 2>&1 || { cat "$out.log"; fail "$label: $np ranks x $threads threads exited non-zero"; }
      grep -q "PASS" "$out.log" || { cat "$out.log"; fail "$label: $np ranks x $threads threads did not PASS"; }
      got=$(digest_of "$out.jsonl")
      got_iterations=$(record_field "$out.jsonl" iterations)
      if [ -z "$expected" ]; then
        expected=$got
        iterations=$got_iterations
      fi
      [ "$got" = "$expected" ] ||
        fail "$label: digest $got on $np ranks x $threads threads, $expected on 1 rank x 1 thread"
      [ "$got_iterations" = "$iterations" ] ||
        fail "$label: $got_iterations iterations on $np ranks x $threads threads, $iterations on 1 rank x 1 thread"
    done
  done
  "$PY" - "$label-1-1/kmeans.h5" "$label-4-2/kmeans.h5" <<'PY' || fail "$label: kmeans.h5 of 1 and 4 ranks differ"
import sys

import h5py

a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
for name in ("centres", "cluster_sizes", "labels"):
    x, y = a[name][...], b[name][...]
    if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
        sys.exit(f"/{name} differs between {sys.argv[1]} and {sys.argv[2]}:\n{x}\n{y}")
for key in ("inertia", "iterations"):
    if a.attrs[key] != b.attrs[key]:
        sys.exit(f"attribute {key}: {a.attrs[key]} vs {b.attrs[key]}")
PY
  echo "ok: $label: digest $expected and $iterations iterations on 1-4 ranks x 1-2 threads; kmeans.h5 of 1 and 4 ranks bitwise equal"
}

for init in k-means++ k-means-par random; do
  same_everywhere "float64-$init" --input blobs64.h5:/points --k 5 --init "$init" --tol 0 --seed 4
done
same_everywhere float32-data-float32 --input blobs32.h5:/points --k 5 --init k-means++ --tol 0 --seed 4 --precision float32

# 3 rows on 4 ranks: at least one rank holds no rows.
"$PY" -c '
import h5py, numpy as np
with h5py.File("tiny.h5", "w") as f:
    f["points"] = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0]])
'
for init in k-means++ k-means-par random; do
  for np in 1 4; do
    mpi "$np" 1 "$BIN_DIR/kmeans" --input tiny.h5:/points --k 2 --init "$init" --reproducible --labels --quiet \
      --output "tiny-$init-$np" --record "tiny-$init-$np.jsonl" >tiny.log 2>&1 ||
      { cat tiny.log; fail "tiny ($init): 3 rows, k 2 on $np ranks exited non-zero"; }
    grep -q PASS tiny.log || { cat tiny.log; fail "tiny ($init): 3 rows, k 2 on $np ranks did not PASS"; }
  done
  [ "$(digest_of "tiny-$init-1.jsonl")" = "$(digest_of "tiny-$init-4.jsonl")" ] ||
    fail "tiny ($init): digests of 1 and 4 ranks differ"
  "$PY" - "tiny-$init-4/kmeans.h5" <<'PY' || fail "tiny ($init): not the obvious clustering"
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    labels, inertia = f["labels"][...], f.attrs["inertia"]
if not (labels[0] == labels[1] != labels[2] and inertia == 0.5):
    sys.exit(f"labels {labels}, inertia {inertia}; expected rows 0 and 1 together, row 2 alone, inertia 0.5")
PY
done
echo "ok: 3 rows, k 2 on 4 ranks (a rank without rows): PASS, same digest as 1 rank, rows {0,1} and {2}, inertia 0.5"

# Fast mode: well separated blobs are found on any rank count (threads 2, 1, 2, 1).
"$BIN_DIR/tessera-data" generate blobs -o separated.h5 --rows 2003 --features 6 --centres 5 --spread 0.3 --seed 8 >/dev/null
for np in 1 2 3 4; do
  threads=$((np % 2 + 1))
  out="fast-$np-$threads"
  mpi "$np" "$threads" "$BIN_DIR/kmeans" --input separated.h5:/points --k 5 --quiet --output "$out" \
    --record "$out.jsonl" >"$out.log" 2>&1 || { cat "$out.log"; fail "fast: $np ranks x $threads threads exited non-zero"; }
  grep -q PASS "$out.log" || { cat "$out.log"; fail "fast: $np ranks x $threads threads did not PASS"; }
  ari=$(record_field "$out.jsonl" metrics adjusted_rand_index)
  "$PY" -c "import sys; sys.exit(0 if float('$ari') > 0.99 else 1)" ||
    fail "fast: adjusted Rand index $ari on $np ranks x $threads threads, expected > 0.99"
done
echo "ok: fast mode: PASS and adjusted Rand index > 0.99 on 1-4 ranks"
