# tools/tessera-campaign: a randomized fault campaign of 10 faults (seed 1) over every app,
# each resumed on another rank count, must end with exit 0 and a summary table of 10 faults, no
# digest mismatch, no hang and no lost checkpoint, with one JSON line per fault; bad options end
# with exit 2 and one line before anything runs. About 30 s on 2 cores.
TOOLS=$(cd "$(dirname "$0")/../../tools" && pwd) # before lib.sh changes into the work directory
source "$(dirname "$0")/../e2e/lib.sh"

set +e
"$TOOLS/tessera-campaign" --faults 10 --seed 1 --bin-dir "$BIN_DIR" --mpirun "$MPIEXEC" --work "$WORK/run" \
  --results faults.jsonl | tee campaign.log
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || fail "tessera-campaign --faults 10 --seed 1 exited $status, expected 0"

# The total row of the summary, checked by column name.
/usr/bin/python3 - <<'PY' || fail "the summary table is not that of a clean 10-fault campaign"
import json
lines = open("campaign.log").read().splitlines()
header = next(i for i, l in enumerate(lines) if l.startswith("| app | faults |"))
names = [c.strip() for c in lines[header].strip("|").split("|")]
rows = []
for line in lines[header + 2:]:
    if not line.startswith("|"):
        break
    rows.append(dict(zip(names, (c.strip() for c in line.strip("|").split("|")))))
total = rows[-1]
assert total["app"] == "**total**", total
for key, want in (("faults", "10"), ("resumes", "10"), ("digest mismatches", "0"), ("hangs", "0"),
                  ("lost checkpoints", "0"), ("other failures", "0")):
    assert total[key] == want, (key, total[key], want)
assert sum(int(r["faults"]) for r in rows[:-1]) == 10, rows
assert {r["app"] for r in rows[:-1]} == {"heat2d", "heat3d", "cg", "kmeans", "sort", "stats", "train"}, rows
faults = [json.loads(l) for l in open("faults.jsonl")]
assert len(faults) == 10, len(faults)
assert all(f["resume_exit"] == 0 and not f["problems"] for f in faults), faults
print("ok: summary: 10 faults, 10 resumes, 0 mismatches, 0 hangs, 0 lost checkpoints; 10 JSON lines")
PY
[ "$(grep -c '^\[ *[0-9]*/10\] ' campaign.log)" -eq 10 ] || fail "expected one line per fault"

# Bad options: exit 2 and exactly one line on stderr, nothing run.
expect_campaign_error() {
  local fragment=$1
  shift
  set +e
  "$TOOLS/tessera-campaign" "$@" --work "$WORK/bad" >out.log 2>err.log
  local status=$?
  set -e
  [ "$status" -eq 2 ] || { cat out.log err.log; fail "tessera-campaign $* exited $status, expected 2"; }
  [ "$(wc -l <err.log)" -eq 1 ] && grep -q "^tessera-campaign: error: .*$fragment" err.log ||
    { cat err.log; fail "tessera-campaign $*: not one error line with '$fragment'"; }
  [ ! -e "$WORK/bad" ] || fail "tessera-campaign $*: made its work directory before refusing"
  echo "ok: $(cat err.log)"
}
expect_campaign_error "--faults 0: give at least 1" --faults 0 --seed 1 --bin-dir "$BIN_DIR"
expect_campaign_error "unknown app 'fft'" --faults 3 --seed 1 --apps heat2d,fft --bin-dir "$BIN_DIR"
expect_campaign_error "--bin-dir $WORK/no-bin is not a directory" --faults 3 --seed 1 --bin-dir "$WORK/no-bin"
expect_campaign_error "--mpirun no-such-mpirun: no such executable" --faults 3 --seed 1 --bin-dir "$BIN_DIR" \
  --mpirun no-such-mpirun
echo "tessera-campaign: all checks passed"
