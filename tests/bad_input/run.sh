#!/usr/bin/env bash
# Runs the bad-input table (cases.txt beside this script): each case must end with its exit
# status, within 60 s, with its message fragment on stderr, without a traceback or an abort,
# and (for the apps on 2 ranks) with exactly one "error:" line: one rank speaks for all.
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$(cd "$HERE/../../tools" && pwd)
source "$HERE/../e2e/lib.sh"

# The files the cases name.
"$BIN_DIR/tessera-data" generate blobs -o pts.h5 --rows 200 --features 4 --centres 3 >/dev/null
"$BIN_DIR/tessera-data" generate keys -o keys.h5 --rows 100 >/dev/null
/usr/bin/python3 - <<'PY'
import h5py, numpy as np
rng = np.random.default_rng(1)
with h5py.File("digits.h5", "w") as f:
    f["images"] = rng.random((400, 8))
    f["labels"] = (np.arange(400) % 4).astype(np.int32)
with h5py.File("nan.h5", "w") as f:
    x = rng.random((20, 3))
    x[3, 1] = np.nan
    x[9, 0] = np.inf
    f["points"] = x
PY
echo "not an HDF5 file" >text.h5
mkfifo fifo
mkdir empty
mpi 2 1 "$BIN_DIR/heat" --n 16 --steps 4 --checkpoint-every 2 --output good --quiet \
  --record results.jsonl >/dev/null

run_case() {  # EXIT FRAGMENT COMMAND
  local want=$1 fragment=$2 command=$3 status word
  read -r word _ <<<"$command"
  local rest=${command#"$word"}
  rest=${rest//BIN\//$BIN_DIR/}
  local launch
  case $word in
    heat | cg | kmeans | sort | stats | train) launch="$MPIEXEC -n 2 --oversubscribe env OMP_NUM_THREADS=1 $BIN_DIR/$word --quiet" ;;
    ckpt) launch="$BIN_DIR/tessera-ckpt" ;;
    data) launch="$BIN_DIR/tessera-data" ;;
    probe) launch="$BIN_DIR/probe --quiet" ;;
    *) launch="$TOOLS/$word" ;;
  esac
  set +e
  eval "timeout 60 $launch $rest" </dev/null >out.log 2>err.log
  status=$?
  set -e
  local where="[$command]"
  [ "$status" -eq "$want" ] || { cat out.log err.log; fail "$where exited $status, expected $want"; }
  grep -qF -- "$fragment" err.log out.log || { cat out.log err.log; fail "$where: no '$fragment' in its messages"; }
  ! grep -q "Traceback\|MPI_ABORT\|Segmentation\|terminate called" err.log || { cat err.log; fail "$where crashed"; }
  case $word in
    heat | cg | kmeans | sort | stats | train)
      [ "$(grep -c '^error:' err.log)" -eq 1 ] || { cat err.log; fail "$where: expected one error line"; } ;;
  esac
  echo "ok: $command -> $status: $(grep -m1 -F -- "$fragment" err.log out.log | cut -c1-160)"
}

cases=0
while IFS= read -r line; do
  case $line in '' | '#'*) continue ;; esac
  want=${line%% | *}
  rest=${line#* | }
  fragment=${rest%% | *}
  command=${rest#* | }
  run_case "$want" "$fragment" "$command"
  cases=$((cases + 1))
done <"$HERE/cases.txt"
[ "$cases" -ge 60 ] || fail "only $cases cases in the table"
echo "PASS: $cases bad inputs refused as documented"
