# Run records as pandas reads them: heat, cg and kmeans on 2 ranks append to one r.jsonl.
# pandas.read_json(lines=True) keeps state_digest and git_revision as text (0x<16 hex digits>,
# g<hash> or 'unknown'); json_normalize flattens timers, options, load and step_time into
# columns; time_utc parses as a timezone-aware time of the run. Per record the phases are
# exclusive: min <= avg <= max per phase, the average phases never exceed run_seconds (the MAX
# over ranks of each rank's wall time), the phase maxima add up to at least run_seconds and the
# minima to at most it. The options echo every option --help
# lists, run control included, with the values given. The end-of-run timing table on stdout
# shows the same figures as the record. TESSERA_OPTIONS adds options (over a --config file), the
# command line wins over it, options the app lacks are ignored with one warning, quoted values
# keep their blanks, and an unclosed quote exits 2.
CHECKS=$(cd "$(dirname "$0")" && pwd)
source "$CHECKS/../e2e/lib.sh"
PY=/usr/bin/python3 # the Debian python, which has pandas, numpy and h5py
$PY -c 'import pandas' 2>/dev/null ||
  fail "pandas is not installed for $PY, and the run records are checked with it; install with" \
    "tools/install-deps.sh (as root, or with sudo; Debian package python3-pandas)"

run() { # NAME APP ARGS...: APP on 2 ranks, which must succeed; stdout in NAME.out
  local name=$1 app=$2
  shift 2
  mpi 2 1 "$BIN_DIR/$app" "$@" >"$name.out" 2>"$name.err" ||
    { cat "$name.out" "$name.err"; fail "$name: $app $* exited non-zero"; }
}

date -u +%s >started
run heat heat --n 24 --steps 20 --output-every 10 --checkpoint-every 10 --output heat-out --record r.jsonl
run cg cg --n 10 --checkpoint-every 5 --output cg-out --record r.jsonl
run blobs tessera-data generate blobs -o blobs.h5 --rows 203 --features 3 --centres 3 --seed 2
run kmeans kmeans --input blobs.h5:/points --k 3 --output kmeans-out --record r.jsonl
date -u +%s >ended
for app in heat cg kmeans; do
  "$BIN_DIR/$app" --help >"help-$app.txt" || fail "$app --help exited non-zero"
done
[ "$(wc -l <r.jsonl)" -eq 3 ] || fail "r.jsonl holds $(wc -l <r.jsonl) records, expected 3"

$PY - <<'PY' || fail "the run records are not what pandas users need"
import json
import re

import pandas as pd

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


apps = ["heat", "cg", "kmeans"]
df = pd.read_json("r.jsonl", lines=True)
check(list(df["app"]) == apps, f"apps {list(df['app'])}, expected {apps}")
for column, pattern in (("state_digest", r"0x[0-9a-f]{16}"), ("git_revision", r"g[0-9a-f]+(-dirty)?|unknown")):
    values = df[column].tolist()
    # object in pandas 1 and 2; pandas 3 reads text as its own string dtype.
    text_dtype = df[column].dtype == object or pd.api.types.is_string_dtype(df[column].dtype)
    check(text_dtype and all(isinstance(v, str) and re.fullmatch(pattern, v) for v in values),
          f"pandas reads {column} as {df[column].dtype}: {values!r}, expected str matching {pattern}")

records = [json.loads(line) for line in open("r.jsonl")]
flat = pd.json_normalize(records)
for column in ("timers.compute.max", "timers.other.avg", "options.steps", "options.output", "load.start",
               "step_time.median", "run_seconds"):
    check(column in flat.columns, f"json_normalize gives no column {column}")
if "options.steps" in flat.columns:
    check(flat["options.steps"][0] == 20, f"options.steps of heat is {flat['options.steps'][0]!r}, expected 20")
if "step_time.median" in flat.columns:
    check(flat["step_time.median"].notna().all() and (flat["step_time.median"] > 0).all(),
          f"step_time.median {flat['step_time.median'].tolist()}")

started, ended = int(open("started").read()), int(open("ended").read())
when = pd.to_datetime(df["time_utc"].astype(str), utc=True)
check(when.dt.tz is not None, "time_utc parses without a timezone")
seconds = [t.timestamp() for t in when]
check(all(started - 1 <= s <= ended + 1 for s in seconds),
      f"time_utc {df['time_utc'].tolist()} outside the test's runs ({started}..{ended} s since the epoch)")
for r in records:
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)", r["time_utc"]) is not None,
          f"{r['app']}: time_utc {r['time_utc']!r} is not ISO 8601 with its UTC offset")

PHASES = ("compute", "halo", "reduce", "io", "other")
for r in records:
    app, timers, run = r["app"], r["timers"], r["run_seconds"]
    if not check(set(timers) == set(PHASES), f"{app}: timers {sorted(timers)}, expected {sorted(PHASES)}"):
        continue
    for p in PHASES:
        t = timers[p]
        check(0 <= t["min"] <= t["avg"] * (1 + 1e-12) and t["avg"] <= t["max"] * (1 + 1e-12),
              f"{app}: timers.{p} min {t['min']} avg {t['avg']} max {t['max']} out of order")
    total = {k: sum(timers[p][k] for p in PHASES) for k in ("min", "avg", "max")}
    check(total["avg"] <= run * 1.0001 + 1e-6,
          f"{app}: the average phases add up to {total['avg']} s, more than run_seconds {run} (the slowest rank)")
    # Each rank's phases add up to its wall time and run_seconds is the largest of those.
    check(total["max"] >= run * (1 - 1e-9) - 1e-9, f"{app}: the phase maxima add up to {total['max']} < {run}")
    check(total["min"] <= run * (1 + 1e-9) + 1e-9, f"{app}: the phase minima add up to {total['min']} > {run}")

given = {"heat": {"steps": 20, "output-every": 10, "checkpoint-every": 10, "output": "heat-out", "record": "r.jsonl",
                  "n": 24, "quiet": False},
         "cg": {"checkpoint-every": 5, "output": "cg-out", "record": "r.jsonl", "n": 10},
         "kmeans": {"checkpoint-every": 0, "output": "kmeans-out", "record": "r.jsonl", "k": 3,
                    "input": "blobs.h5:/points"}}
for r in records:
    app, options = r["app"], r["options"]
    listed = set(re.findall(r"^ +(?:-\w,)?--([a-z0-9][a-z0-9-]*)", open(f"help-{app}.txt").read(), re.M))
    listed -= {"help", "version"}
    check(set(options) == listed, f"{app}: record options lack {sorted(listed - set(options))}, "
          f"have extra {sorted(set(options) - listed)} (expected every option of {app} --help)")
    for key, value in given[app].items():
        check(options.get(key) == value and type(options.get(key)) is type(value),
              f"{app}: record options[{key!r}] is {options.get(key)!r}, the run gave {value!r}")

# The timing table on stdout: the record's figures, as printed with 4 significant digits.
for r in records:
    app = r["app"]
    lines = open(f"{app}.out").read().splitlines()
    head = [i for i, line in enumerate(lines) if line.startswith(f"[{app}] timing over 2 ranks")]
    if not check(len(head) == 1, f"{app}: {len(head)} lines starting '[{app}] timing over 2 ranks' on stdout"):
        continue
    rows = {}
    for line in lines[head[0] + 1:]:
        words = line.split()
        if words and words[0] in PHASES + ("wall",):
            rows[words[0]] = words[1:]
    check(set(rows) == set(PHASES) | {"wall"}, f"{app}: timing table rows {sorted(rows)}")
    for p in PHASES:
        if p in rows:
            shown = [float(x) for x in rows[p][:3]]
            want = [float(f"{r['timers'][p][k]:.4g}") for k in ("min", "avg", "max")]
            check(shown == want, f"{app}: timing table row {p} {rows[p][:3]}, the record holds {want}")
    if "wall" in rows:
        check(float(rows["wall"][0]) == float(f"{r['run_seconds']:.4g}"),
              f"{app}: timing table wall {rows['wall'][0]}, the record's run_seconds {r['run_seconds']}")

for f in failures:
    print("FAIL:", f)
if failures:
    raise SystemExit(1)
print(f"ok: {len(records)} records: digests and revisions as text, flat columns, UTC times, exclusive phases, "
      "every option, and the timing tables")
PY

# TESSERA_OPTIONS: adds options; over a --config file; under the command line.
steps_of() { # FILE: options.steps and steps of the last record
  $PY -c 'import json,sys; r = json.loads(open(sys.argv[1]).readlines()[-1]); print(r["options"]["steps"], r["steps"])' "$1"
}
env_run() { # WANT_STEPS TESSERA_OPTIONS ARGS...
  local want=$1 env=$2
  shift 2
  TESSERA_OPTIONS="$env" mpi 2 1 "$BIN_DIR/heat" --n 16 --output env-out --record r2.jsonl --quiet "$@" >env.log 2>&1 ||
    { cat env.log; fail "TESSERA_OPTIONS='$env' heat $* exited non-zero"; }
  [ "$(steps_of r2.jsonl)" = "$want $want" ] ||
    fail "TESSERA_OPTIONS='$env' heat $*: options.steps and steps are $(steps_of r2.jsonl), expected $want"
  echo "ok: TESSERA_OPTIONS='$env' heat $* -> $want steps"
}
printf 'steps = 5\n' >five.toml
env_run 7 "--steps 7"
env_run 7 "--steps=7"
env_run 9 "--steps 7" --steps 9
env_run 9 "--steps 7" --steps=9
env_run 5 "" --config five.toml
env_run 7 "--steps 7" --config five.toml
env_run 9 "--steps 7" --config five.toml --steps 9

# Set for a whole job, as PETSC_OPTIONS is: an option this app lacks is ignored with a warning
# (with its value), quoted values keep their blanks, and an unclosed quote is an error.
status=0
TESSERA_OPTIONS="--bogus 3 --output 'env dir'" timeout 60 "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" --n 16 \
  --steps 3 --quiet >bogus.out 2>bogus.err || status=$?
[ "$status" -eq 0 ] || { cat bogus.out bogus.err; fail "TESSERA_OPTIONS=--bogus 3 exited $status, expected 0"; }
grep -q "^warning: TESSERA_OPTIONS: --bogus 3 is not an option of heat; ignored" bogus.err ||
  { cat bogus.err; fail "no warning naming the ignored --bogus 3"; }
[ "$(grep -c 'TESSERA_OPTIONS' bogus.err)" -eq 1 ] || { cat bogus.err; fail "the warning is not printed once"; }
[ -d "env dir" ] || fail "TESSERA_OPTIONS --output 'env dir' did not keep the quoted blank"
echo "ok: TESSERA_OPTIONS=--bogus 3 ignored with one warning; a quoted value keeps its blank"
status=0
TESSERA_OPTIONS="--output 'open" timeout 60 "$MPIEXEC" -n 2 --oversubscribe "$BIN_DIR/heat" --n 16 --quiet \
  >quote.out 2>quote.err || status=$?
[ "$status" -eq 2 ] || { cat quote.out quote.err; fail "an unclosed quote exited $status, expected 2"; }
[ "$(grep -c '^error:.*unclosed' quote.err)" -eq 1 ] || { cat quote.err; fail "not one error line for the unclosed quote"; }
echo "ok: an unclosed quote in TESSERA_OPTIONS -> exit 2: $(grep '^error:' quote.err)"
echo "ok: run records read by pandas; TESSERA_OPTIONS"
