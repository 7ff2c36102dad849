# train on scikit-learn's digits (1,797 real 8x8 images, 10 classes): an MLP reaches a stated
# test accuracy; with --reproducible the weights and every logged loss are bitwise the same on
# 1-4 ranks x 1-2 threads; a run killed mid-epoch and resumed on another rank count ends with
# the weights and losses of the uninterrupted run; --evaluate reproduces the final accuracy.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DIGITS=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
[ -r "$DIGITS" ] || fail "$DIGITS is missing (Debian package python3-sklearn)"

# A fixed split: rows 0-1499 train, 1500-1796 test.
"$(dirname "$0")/../../tools/tessera-import" "$DIGITS" all.h5:/digits --label-column -1 >/dev/null
"$PY" - <<'PY'
import h5py
with h5py.File("all.h5", "r") as f, h5py.File("digits.h5", "w") as out:
    x, y = f["digits"][:], f["digits_labels"][:]
    out["train/images"], out["train/labels"] = x[:1500], y[:1500].astype("int32")
    out["test/images"], out["test/labels"] = x[1500:], y[1500:].astype("int32")
    out["train/images"].attrs["labels"] = "/train/labels"
    out["test/images"].attrs["labels"] = "/test/labels"
PY
DATA=(--train digits.h5:/train/images --test digits.h5:/test/images --input-scale 0.0625)

# 1. Accuracy: an MLP 64-64-10 with adam, 12 epochs, reaches 90% on the held-out rows (91.25% measured).
start=$(date +%s.%N)
mpi 2 1 "$BIN_DIR/train" "${DATA[@]}" --model mlp --hidden 64 --epochs 12 --batch 64 --lr 0.005 \
  --target-accuracy 0.90 --output acc --record acc.jsonl >acc.log 2>&1 || { cat acc.log; fail "the accuracy run failed"; }
seconds=$(echo "$(date +%s.%N) - $start" | bc)
grep -q "PASS" acc.log || { cat acc.log; fail "no PASS"; }
accuracy=$(record_field acc.jsonl metrics test_accuracy)
lines=$(wc -l <acc/history.jsonl)
[ "$lines" -eq 12 ] || fail "history.jsonl holds $lines lines, expected one per epoch (12)"
echo "ok: digits MLP: test accuracy $accuracy >= 0.90 in $seconds s on 2 ranks; 12 history lines"

# 2. --evaluate on the saved model gives the same accuracy.
mpi 3 1 "$BIN_DIR/train" --evaluate acc/model.h5 --test digits.h5:/test/images --target-accuracy 0.9 >eval.log 2>&1 ||
  { cat eval.log; fail "--evaluate failed"; }
"$PY" - "$accuracy" eval.log <<'PY' || fail "--evaluate disagrees with the training run"
import re, sys
want = float(sys.argv[1])
text = open(sys.argv[2]).read()
right, total = map(int, re.search(r"accuracy [0-9.]+% \(([0-9]+) of ([0-9]+)\)", text).groups())
assert right / total == want, (right, total, want)
assert "confusion matrix" in text
PY
echo "ok: --evaluate acc/model.h5 on 3 ranks: the same accuracy, with a confusion matrix"

# 3. Reproducible: P = 1..4 x 1-2 threads, micro-batches of 7 (some ranks hold fewer rows than
# one on 4 ranks with batch 20), both optimizers: the same weights digest and history losses.
RUN=("${DATA[@]}" --model mlp --hidden 24,16 --epochs 2 --batch 20 --micro-batch 7 --reproducible --quiet)
# Adam on the whole grid; sgd with momentum and weight decay on 1 x 1 against 3 x 2.
for optimizer in "--optimizer adam --lr 0.003" "--optimizer sgd --lr 0.05 --momentum 0.9 --weight-decay 0.001"; do
  reference=""
  grid="1x1 1x2 2x1 2x2 3x1 3x2 4x1 4x2"
  case $optimizer in *sgd*) grid="1x1 3x2" ;; esac
  for point in $grid; do
    np=${point%x*} threads=${point#*x}
    {
      label="r$np-$threads"
      # shellcheck disable=SC2086
      mpi "$np" "$threads" "$BIN_DIR/train" "${RUN[@]}" $optimizer --output "$label" --record "$label.jsonl" \
        >"$label.log" 2>&1 || { cat "$label.log"; fail "$label failed"; }
      got="$(digest_of "$label.jsonl") $("$PY" -c 'import json,sys; print([json.loads(l)["loss"].hex() for l in open(sys.argv[1])])' "$label/history.jsonl" | md5sum)"
      [ -n "$reference" ] || reference=$got
      [ "$got" = "$reference" ] || fail "$optimizer on $np ranks x $threads threads: $got, on 1 x 1: $reference"
    }
  done
  echo "ok: --reproducible $optimizer: weights and losses bitwise equal on $grid ranks x threads ($reference)"
done

# 4. Kill at step 100 of 150 (checkpoints every 40: the newest is of step 80), resume on
# another rank count: weights and every later logged loss bitwise equal to the uninterrupted run.
RUN=("${DATA[@]}" --model mlp --hidden 32 --epochs 6 --batch 60 --micro-batch 16 --reproducible --quiet)
mpi 2 1 "$BIN_DIR/train" "${RUN[@]}" --output ref --record ref.jsonl >ref.log 2>&1 || { cat ref.log; fail "reference run"; }
set +e
mpi 3 1 "$BIN_DIR/train" "${RUN[@]}" --output killed --checkpoint-every 40 --inject-fault kill:2@100 \
  --record killed.jsonl >kill.log 2>&1
status=$?
set -e
[ "$status" -ne 0 ] || { cat kill.log; fail "the run with a rank killed at step 100 exited 0"; }
[ -e killed/checkpoints/ckpt_000000080.h5 ] || { ls -R killed; fail "no checkpoint of step 80"; }
mpi 4 2 "$BIN_DIR/train" "${RUN[@]}" --output killed --checkpoint-every 40 --restart --record killed.jsonl \
  >resume.log 2>&1 || { cat resume.log; fail "the resumed run failed"; }
grep -q "resumed from checkpoint step 80" resume.log || { cat resume.log; fail "did not resume from step 80"; }
[ "$(digest_of killed.jsonl)" = "$(digest_of ref.jsonl)" ] ||
  fail "resumed digest $(digest_of killed.jsonl) != uninterrupted $(digest_of ref.jsonl)"
"$PY" - ref/history.jsonl killed/history.jsonl <<'PY' || fail "the histories differ"
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:])
assert [e["epoch"] for e in b] == list(range(1, 7)), [e["epoch"] for e in b]
for x, y in zip(a, b):
    for key in ("loss", "train_accuracy", "test_loss", "test_accuracy", "lr"):
        assert x[key] == y[key], (x["epoch"], key, x[key], y[key])
PY
echo "ok: killed on 3 ranks at step 100, resumed on 4 ranks x 2 threads from step 80: weights and all 6 epochs' losses bitwise equal"
