# kmeans bad input: exit status 2, one clear message from one rank, no hang. Every case runs
# (each in a subshell) and the script fails at the end with the list of cases that did not hold,
# so that one broken case does not hide the others.
source "$(dirname "$0")/lib.sh"
APP=kmeans
PY=/usr/bin/python3 # numpy and h5py live there

# Fixtures: a good 20 x 3 table and one dataset per kind of bad input. On 4 ranks the 20 rows
# are 5 per rank: the NaN/Inf rows (7, 12 twice, 18) sit on ranks 1, 2 and 3, none on rank 0.
"$PY" - <<'PY'
import h5py
import numpy as np

rng = np.random.default_rng(7)
with h5py.File("bad.h5", "w") as f:
    f["points"] = rng.normal(size=(20, 3))
    f["one_d"] = rng.normal(size=20)
    f["three_d"] = rng.normal(size=(4, 5, 3))
    f.create_dataset("strings", data=np.array([b"a", b"bb", b"ccc"]))
    x = rng.normal(size=(20, 3))
    x[7, 1] = np.nan
    x[12, 0] = np.nan
    x[12, 2] = np.inf
    x[18, 2] = -np.inf
    f["nan_rows"] = x
    f["empty"] = np.zeros((0, 3))
    f.create_group("grp/inner")
    f["centres_3x2"] = rng.normal(size=(3, 2))
    f["centres_2x3"] = rng.normal(size=(2, 3))
    # Good input: a 'labels' attribute as h5py writes a str (a variable-length string), which is
    # how tools/tessera-import names the labels it splits off.
    f["labelled"] = np.concatenate([rng.normal(size=(10, 3)), rng.normal(size=(10, 3)) + 20])
    f["labelled_labels"] = np.repeat(np.arange(2, dtype=np.int64), 10)
    f["labelled"].attrs["labels"] = "/labelled_labels"
PY
echo "not an HDF5 file" >text.h5
printf 'k = 3\nmax-iter = 5\n' >typo.toml

failures=()
check() {
  (expect_usage_error "$@") || failures+=("$(printf '%q ' "${@:2}")")
}

check "--k: must be greater than 0, got 0" --input bad.h5:/points --k 0
check "--k 21 is larger than the 20 rows of bad.h5:/points" --input bad.h5:/points --k 21
check "no-such-file.h5: no such file" --input no-such-file.h5:/points --k 2
check "text.h5 is not an HDF5 file" --input text.h5:/points --k 2
# The message lists what the file holds (the first 8 datasets, then "...").
check "has no dataset '/nothere' (the file holds /centres_2x3, /centres_3x2, /empty, /labelled," --input bad.h5:/nothere --k 2
check "bad.h5:/one_d is 1-dimensional (20); this needs a 2D table" --input bad.h5:/one_d --k 2
check "bad.h5:/three_d is 3-dimensional (4x5x3); this needs a 2D table" --input bad.h5:/three_d --k 2
check "bad.h5:/strings holds strings" --input bad.h5:/strings --k 2
check "bad.h5:/nan_rows has 3 rows with NaN or infinite values (the first is row 7" --input bad.h5:/nan_rows --k 2
check "bad.h5:/grp is a group, not a dataset" --input bad.h5:/grp --k 2
check "bad.h5:/empty is empty (0x3)" --input bad.h5:/empty --k 2
check "--input 'bad.h5' does not name a dataset" --input bad.h5 --k 2
check "--input is required" --k 2
check "--init 'kmeans++' is not a seeding method" --input bad.h5:/points --k 2 --init kmeans++
check "--init bad.h5:/centres_3x2 has shape 3x2; the centres must be 3x3" --input bad.h5:/points --k 3 --init bad.h5:/centres_3x2
check "--init bad.h5:/centres_2x3 has shape 2x3; the centres must be 3x3" --input bad.h5:/points --k 3 --init bad.h5:/centres_2x3
check "choose a writable --output" --input bad.h5:/points --k 2 --output /dev/null/out
check "choose a writable --record" --input bad.h5:/points --k 2 --record /dev/null/runs.jsonl
check "--precision: float16 not in {float32,float64}" --input bad.h5:/points --k 2 --precision float16
check "--max-iters: must be greater than 0, got 0" --input bad.h5:/points --k 2 --max-iters 0
check "--tol: must be 0 or more, got -1" --input bad.h5:/points --k 2 --tol -1
check "--tol: 'nan' is not a number" --input bad.h5:/points --k 2 --tol nan
check "unknown key 'max-iter'" --input bad.h5:/points --config typo.toml
check "--inject-fault 'boom'" --input bad.h5:/points --k 2 --inject-fault boom
check "bad.h5 has no dataset '/no_labels'" --input bad.h5:/points --k 2 --true-labels bad.h5:/no_labels
check "bad.h5:/three_d is 3-dimensional (4x5x3); this needs a 1D dataset of labels" \
  --input bad.h5:/points --k 2 --true-labels bad.h5:/three_d

# Checkpoints of another problem are refused on --restart, not silently resumed.
mpi 2 1 "$BIN_DIR/kmeans" --input bad.h5:/points --k 3 --tol 0 --checkpoint-every 1 --output other --quiet >/dev/null
ls other/checkpoints/ckpt_*.h5 >/dev/null 2>&1 || fail "the k = 3 run wrote no checkpoint"
check "different problem options (k: checkpoint 3, this run 4)" --input bad.h5:/points --k 4 --tol 0 --restart --output other
check "different problem options (init: checkpoint k-means++, this run random)" \
  --input bad.h5:/points --k 3 --tol 0 --init random --restart --output other
check "different problem options (seed: checkpoint 1, this run 9)" --input bad.h5:/points --k 3 --tol 0 --seed 9 --restart --output other

# Not bad input: the labels named by a variable-length string attribute are read (exit 0, an
# adjusted Rand index in the record), as they are for tessera-data's fixed-length one.
if mpi 2 1 "$BIN_DIR/kmeans" --input bad.h5:/labelled --k 2 --quiet --output labelled --record labelled.jsonl \
  >labelled.log 2>&1 && [ "$(record_field labelled.jsonl metrics adjusted_rand_index)" = "1.0" ]; then
  echo "ok: a variable-length string 'labels' attribute names the true labels (adjusted Rand index 1)"
else
  cat labelled.log
  failures+=("--input bad.h5:/labelled (labels attribute a variable-length string, as h5py and tessera-import write it)")
fi

OMP_NUM_THREADS=1 "$BIN_DIR/kmeans" --help >help.txt
unlisted=0
for option in --input --k --init --seed --par-rounds --max-iters --tol --precision --labels --true-labels --reproducible \
  --config --output --checkpoint-every --checkpoint-dir --keep --restart --record --quiet --watchdog-timeout \
  --on-checkpoint-error --inject-fault; do
  grep -q -- "$option" help.txt || { failures+=("--help does not list $option"); unlisted=1; }
done
[ "$unlisted" -eq 1 ] || echo "ok: --help lists every option"

if [ "${#failures[@]}" -gt 0 ]; then
  printf '  %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} case(s) above failed (see their FAIL lines)"
fi
