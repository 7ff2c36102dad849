#!/usr/bin/env bash
# Bad input to the Python tools: each case must exit 2 with one line on stderr that names the
# input and what is wrong, with no Python traceback, and before any work: the sweeps get a
# stand-in mpirun and stand-in app binaries that log every launch, and none may happen. Needs
# no built binaries (lib.sh wants BIN_DIR set; nothing here uses it), so it runs in seconds.
# Every case runs; the script fails at the end with the list of cases that did not hold.
set -euo pipefail
# Before lib.sh, which changes into the work directory: $0 may be a relative path.
TOOLS=$(cd "$(dirname "$0")/../../tools" && pwd)
source "$(dirname "$0")/../e2e/lib.sh"

# Stand-ins: anything that launches them has started work it should have refused to start.
mkdir fakebin emptybin
for name in heat cg kmeans sort stats train probe petsc_cg sort_bench tessera-data; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/launched.log"\nexit 99\n' "$name" "$WORK" >"fakebin/$name"
  chmod +x "fakebin/$name"
done
cp fakebin/heat fake-mpirun
echo "#!/bin/sh" >not-executable && chmod 644 not-executable
echo "a plain file" >plain.txt

# One valid strong-scaling run record: the report would succeed on it, so a refusal below is
# the check's doing, not the file's.
cat >good.jsonl <<'EOF'
{"app": "heat", "ranks": 1, "threads": 1, "verified": true, "state_digest": "0", "timers": {}, "metrics": {"cell_updates_per_s": 1e6}, "size": 4096, "steps_run": 10, "step_seconds": 0.5, "sweep": {"mode": "strong"}}
EOF
printf '\x89HDF\r\n\x1a\n\x00\x00\x00\x00\x00\x08\x08\x00\xff\xfe\n' >fake.h5
{ head -n 1 good.jsonl; printf '\xff\xfe\xfd binary tail\n'; } >binary-tail.jsonl
LS=$(command -v ls)
printf '\xff\xd8\xff\xe0 not json\n' >binary.json
echo '[1, 2, 3]' >list.json
echo '{"histogram": {"edges": [0, 1, 2], "counts": [3, 4]}}' >stats.json

REPORT="$TOOLS/tessera-report"
SCALING="$TOOLS/tessera-scaling"
# What every sweep case passes, so that only the option under test is wrong.
SWEEP=(--bin-dir "$WORK/fakebin" --mpirun "$WORK/fake-mpirun" --ranks 1 --repeats 1)
UNMADE="$WORK/unmade" # no refused command may create it

failures=()
# expect STATUS FRAGMENT COMMAND...: COMMAND exits STATUS, its stderr is one line holding
# FRAGMENT and no traceback, and nothing was launched.
expect() {
  local want=$1 fragment=$2 status=0
  shift 2
  timeout 60 "$@" >out.log 2>err.log || status=$?
  local why=""
  if [ "$status" -ne "$want" ]; then
    why="exited $status, expected $want"
  elif grep -q "Traceback" err.log; then
    why="printed a Python traceback"
  elif ! grep -qF -- "$fragment" err.log; then
    why="stderr lacks '$fragment'"
  elif [ "$(wc -l <err.log)" -ne 1 ]; then
    why="$(wc -l <err.log) lines on stderr, expected 1"
  elif [ -e launched.log ]; then
    why="launched $(head -n 1 launched.log) before refusing"
  fi
  local shown
  shown="$(basename "$1") ${*:2}"
  shown=${shown//$WORK\//}
  if [ -n "$why" ]; then
    echo "--- stdout"; cat out.log; echo "--- stderr"; cat err.log
    echo "not ok: $shown: $why"
    failures+=("$shown: $why")
    rm -f launched.log
  else
    echo "ok: $shown -> exit $status: $(head -n 1 err.log)"
  fi
}

# tessera-report: a binary results file (1), an output directory that cannot be made or
# written (2), projection counts out of range (3).
expect 2 "$LS: not a text results file (line 1 is not UTF-8 JSON)" "$REPORT" "$LS" -o "$UNMADE"
expect 2 "fake.h5: not a text results file (line 1 is not UTF-8 JSON)" "$REPORT" fake.h5 -o "$UNMADE"
expect 2 "binary-tail.jsonl: not a text results file (line 2 is not UTF-8 JSON)" \
  "$REPORT" binary-tail.jsonl -o "$UNMADE"
expect 2 "fakebin: cannot read the results file: Is a directory" "$REPORT" fakebin -o "$UNMADE"
# Fields of the wrong JSON type, named with their line instead of a traceback.
sed 's/"timers": {}/"timers": 5/' good.jsonl >bad-timers.jsonl
sed 's/"metrics": {[^}]*}/"metrics": null/' good.jsonl >bad-metrics.jsonl
expect 2 "bad-timers.jsonl:1: 'timers' must be a JSON object, got int 5" "$REPORT" bad-timers.jsonl -o "$UNMADE"
expect 2 "bad-metrics.jsonl:1: 'metrics' must be a JSON object, got NoneType null" "$REPORT" bad-metrics.jsonl -o "$UNMADE"
expect 2 "-o $WORK/plain.txt: exists and is not a directory" "$REPORT" good.jsonl -o "$WORK/plain.txt"
expect 2 "$WORK/plain.txt is a file, not a directory" "$REPORT" good.jsonl -o "$WORK/plain.txt/report"
expect 2 "-o /proc/tessera-report: cannot make it in /proc" "$REPORT" good.jsonl -o /proc/tessera-report
expect 2 "-o /proc: cannot write in it" "$REPORT" good.jsonl -o /proc
expect 2 "--max-nodes 0: the projection needs at least 1 node" "$REPORT" good.jsonl --max-nodes 0 -o "$UNMADE"
expect 2 "--max-nodes -4: the projection needs at least 1 node" "$REPORT" good.jsonl --max-nodes -4 -o "$UNMADE"
expect 2 "--ranks-per-node -2: give a positive count, or 0" "$REPORT" good.jsonl --ranks-per-node -2 -o "$UNMADE"

# tessera-scaling: a launcher that is not there (4), an unbalanced quote in --app-args (5), a
# results file that cannot be appended to (6), counts below 1, missing binaries.
expect 2 "--mpirun /no/such/mpirun: no such executable" \
  "$SCALING" "${SWEEP[@]}" --mpirun /no/such/mpirun --results "$UNMADE/sweep.jsonl"
expect 2 "--mpirun $WORK/not-executable: no such executable" \
  "$SCALING" "${SWEEP[@]}" --mpirun "$WORK/not-executable" --results "$UNMADE/sweep.jsonl"
expect 2 "--mpirun no-such-launcher-xyz: no such executable" \
  "$SCALING" "${SWEEP[@]}" --mpirun no-such-launcher-xyz --results "$UNMADE/sweep.jsonl"
expect 2 "--app-args \"--alpha '0.5\": No closing quotation" \
  "$SCALING" "${SWEEP[@]}" --app-args "--alpha '0.5" --results "$UNMADE/sweep.jsonl"
expect 2 "No escaped character" "$SCALING" "${SWEEP[@]}" --app-args "--alpha 0.5\\" --results "$UNMADE/sweep.jsonl"
expect 2 "--results $WORK/fakebin is a directory; name the JSON Lines file" \
  "$SCALING" "${SWEEP[@]}" --results "$WORK/fakebin"
expect 2 "--results /proc/tessera-sweep.jsonl: cannot create files in /proc" \
  "$SCALING" "${SWEEP[@]}" --results /proc/tessera-sweep.jsonl
expect 2 "--results /proc/version: cannot append to it" "$SCALING" "${SWEEP[@]}" --results /proc/version
expect 2 "$WORK/plain.txt is a file, not a directory" "$SCALING" "${SWEEP[@]}" --results "$WORK/plain.txt/sweep.jsonl"
expect 2 "--repeats 0: must be at least 1" "$SCALING" "${SWEEP[@]}" --repeats 0 --results "$UNMADE/sweep.jsonl"
expect 2 "'0,2': counts must be positive integers" "$SCALING" "${SWEEP[@]}" --ranks 0,2 --results "$UNMADE/sweep.jsonl"
expect 2 "'-1': counts must be positive integers" "$SCALING" "${SWEEP[@]}" --threads=-1 --results "$UNMADE/sweep.jsonl"
expect 2 "no executable $WORK/emptybin/heat" \
  "$SCALING" "${SWEEP[@]}" --bin-dir "$WORK/emptybin" --results "$UNMADE/sweep.jsonl"

# The other tools: a binary, directory or malformed input file, an unwritable output place, a
# missing launcher, an unbalanced quote.
expect 2 "binary.json: not a text file" "$TOOLS/tessera-plot-hist" binary.json
expect 2 "fakebin is a directory" "$TOOLS/tessera-plot-hist" fakebin
expect 2 "list.json: cannot read a histogram from it" "$TOOLS/tessera-plot-hist" list.json
expect 2 "--png $UNMADE/hist.png: the directory $UNMADE does not exist" \
  "$TOOLS/tessera-plot-hist" stats.json --png "$UNMADE/hist.png"
expect 2 "fake.h5: cannot read it" "$TOOLS/tessera-plot-training" fake.h5
expect 2 "--cg-args \"--x '1\": No closing quotation" "$TOOLS/cg-vs-petsc" --bin-dir "$WORK/fakebin" \
  --mpirun "$WORK/fake-mpirun" --cg-args "--x '1" --out "$UNMADE"
expect 2 "--out plain.txt exists and is not a directory" "$TOOLS/cg-vs-petsc" --bin-dir "$WORK/fakebin" \
  --mpirun "$WORK/fake-mpirun" --out plain.txt
expect 2 "--mpirun /no/such/mpirun: no such executable" "$TOOLS/sort-benchmark" --bin-dir "$WORK/fakebin" \
  --mpirun /no/such/mpirun --work "$UNMADE"
expect 2 "--workdir plain.txt exists and is not a directory" "$TOOLS/kmeans-vs-sklearn" --bin-dir "$WORK/fakebin" \
  --mpirun "$WORK/fake-mpirun" --workdir plain.txt
expect 2 "--workdir plain.txt exists and is not a directory" "$TOOLS/train-vs-sklearn" --bin-dir "$WORK/fakebin" \
  --mpirun "$WORK/fake-mpirun" --workdir plain.txt

[ ! -e "$UNMADE" ] || failures+=("a refused command created $UNMADE")

# The checks refuse only what is wrong: 0 ranks per node (the default, "from the measurements")
# and a report directory that does not exist yet are fine; a Slurm array script needs no mpirun.
"$REPORT" good.jsonl --ranks-per-node 0 -o "$WORK/new/report" >out.log 2>err.log &&
  [ -s new/report/report.md ] || { cat out.log err.log; failures+=("the report of a valid file failed"); }
"$SCALING" "${SWEEP[@]}" --mpirun /no/such/mpirun --results "$WORK/later/sweep.jsonl" --slurm-array sweep.sbatch \
  >out.log 2>err.log && [ -s sweep.sbatch ] ||
  { cat out.log err.log; failures+=("--slurm-array wanted a local mpirun"); }
[ ! -e launched.log ] || failures+=("the good paths launched $(head -n 1 launched.log)")
echo "ok: a valid report into a new directory, and a Slurm array script without a local mpirun"

if [ "${#failures[@]}" -gt 0 ]; then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "PASS: every bad input to the tools exits 2 with one line and no traceback"
