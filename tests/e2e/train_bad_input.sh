# train bad input: exit status 2, one clear message from one rank, no hang. Every case runs and
# the script fails at the end with the list of cases that did not hold.
source "$(dirname "$0")/lib.sh"
APP=train
PY=/usr/bin/python3

# 40 good 4x4 images in 3 classes, and one dataset per kind of bad input. On 4 ranks the rows
# are 10 per rank: the bad rows sit on ranks other than 0.
"$PY" - <<'PY'
import h5py
import numpy as np

rng = np.random.default_rng(3)
with h5py.File("d.h5", "w") as f:
    f["images"] = rng.integers(0, 255, size=(40, 16), dtype=np.uint8)
    f["labels"] = rng.integers(0, 3, size=40, dtype=np.int32)
    f["images"].attrs["labels"] = "/labels"
    f["no_attr"] = rng.random((40, 16), dtype=np.float32)
    f["short_labels"] = rng.integers(0, 3, size=39, dtype=np.int32)
    bad = rng.integers(0, 3, size=40, dtype=np.int32)
    bad[23] = -1
    f["negative_labels"] = bad
    f["float_labels"] = rng.random(40)
    f["one_class"] = np.zeros(40, dtype=np.int32)
    x = rng.random((40, 16), dtype=np.float32)
    x[27, 5] = np.nan
    f["nan_images"] = x
    f["one_d"] = rng.random(40)
    f["test9"] = rng.integers(0, 255, size=(10, 9), dtype=np.uint8)
    f["test_labels"] = rng.integers(0, 3, size=10, dtype=np.int32)
    big = rng.integers(0, 3, size=10, dtype=np.int32)
    big[6] = 7
    f["test_big_labels"] = big
    f["test16"] = rng.integers(0, 255, size=(10, 16), dtype=np.uint8)
PY
echo "not an HDF5 file" >text.h5
G=(--train d.h5:/images)

failures=()
check() {
  (expect_usage_error "$@") || failures+=("$(printf '%q ' "${@:2}")")
}

check "--train FILE.h5:/images is required" --epochs 1
check "--batch 0: the global batch needs at least 1 sample" "${G[@]}" --batch 0
check "--batch 41 is larger than the training set (40 samples)" "${G[@]}" --batch 41
check "--micro-batch 0: a micro-batch needs at least 1 sample" "${G[@]}" --micro-batch 0
check "--model cnn: unknown model; use softmax" "${G[@]}" --model cnn
check "--model mlp needs hidden layer sizes" "${G[@]}" --model mlp
check "--hidden 0: every hidden layer needs at least 1 unit, got 0" "${G[@]}" --model mlp --hidden 0
check "--hidden 64,x: 'x' is not a layer size" "${G[@]}" --model mlp --hidden 64,x
check "--hidden is for --model mlp" "${G[@]}" --hidden 32
check "--optimizer rmsprop: unknown optimizer" "${G[@]}" --optimizer rmsprop
check "--schedule linear: unknown schedule" "${G[@]}" --schedule linear
check "--lr: must be greater than 0, got -1" "${G[@]}" --lr -1
check "--precision: " "${G[@]}" --precision float16
check "holds 40 samples but d.h5:/short_labels holds 39 labels" "${G[@]}" --train-labels d.h5:/short_labels
check "d.h5:/negative_labels row 23 holds label -1" "${G[@]}" --train-labels d.h5:/negative_labels
check "the labels must be a 1D dataset of integer classes" "${G[@]}" --train-labels d.h5:/float_labels
check "holds only class 0: a classifier needs at least 2 classes" "${G[@]}" --train-labels d.h5:/one_class
check "d.h5:/no_attr names no labels (no 'labels' attribute); give --train-labels" --train d.h5:/no_attr
check "d.h5:/nan_images" --train d.h5:/nan_images --train-labels d.h5:/labels
check "it must hold one sample per row" --train d.h5:/one_d --train-labels d.h5:/labels
check "--test d.h5:/test9 has 9 values per sample but --train d.h5:/images has 16" "${G[@]}" \
  --test d.h5:/test9 --test-labels d.h5:/test_labels
check "d.h5:/test_big_labels row 6 holds label 7, but the model has 3 classes" "${G[@]}" \
  --test d.h5:/test16 --test-labels d.h5:/test_big_labels
check "--classes 1: a classifier needs at least 2 classes" "${G[@]}" --classes 1
check "holds label 2, but the model has 2 classes (0 to 1); raise --classes" "${G[@]}" --classes 2
check "text.h5 is not an HDF5 file" --train text.h5:/images
check "has no dataset '/nothere'" --train d.h5:/nothere
check "--evaluate needs --test" --evaluate d.h5
check "is not a model written by train: it has no /layer0_weights" --evaluate d.h5 --test d.h5:/test16 \
  --test-labels d.h5:/test_labels
check "--target-accuracy: " "${G[@]}" --target-accuracy 1.5
check "--seed: must be 0 or more, got -3" "${G[@]}" --seed -3

# A diverging run (a learning rate far too large) ends with a runtime error, not a NaN model.
set +e
"$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/train" --quiet "${G[@]}" --input-scale 1e30 --optimizer sgd --lr 1e30 \
  --epochs 2 --batch 8 >diverge.log 2>&1
status=$?
set -e
if [ "$status" -eq 3 ] && grep -q "the training diverged at step" diverge.log && [ ! -e tessera-output/model.h5 ]; then
  echo "ok: a diverging run exits 3: $(grep -m1 "diverged" diverge.log)"
else
  cat diverge.log
  failures+=("diverging run: exit $status")
fi

OMP_NUM_THREADS=1 "$BIN_DIR/train" --help >help.txt
unlisted=0
for option in --train --train-labels --test --test-labels --input-scale --evaluate --model --hidden --classes \
  --optimizer --lr --momentum --weight-decay --schedule --warmup-steps --decay-epochs --decay-factor --batch \
  --micro-batch --epochs --seed --precision --target-accuracy --reproducible --config --output --checkpoint-every \
  --restart --record --quiet --watchdog-timeout --inject-fault; do
  grep -q -- "$option" help.txt || { failures+=("--help does not list $option"); unlisted=1; }
done
[ "$unlisted" -eq 1 ] || echo "ok: --help lists every option"

if [ "${#failures[@]}" -gt 0 ]; then
  printf '  %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} case(s) above failed (see their FAIL lines)"
fi
