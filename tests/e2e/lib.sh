# Shared helpers for the end-to-end tests. Sourced; expects BIN_DIR, MPIEXEC and WORK_ROOT
# (set by ctest) and works in a fresh directory per test.
set -euo pipefail

: "${BIN_DIR:?BIN_DIR is not set (run through ctest)}"
: "${MPIEXEC:=mpiexec}"
: "${WORK_ROOT:=/tmp/tessera-e2e}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Options a developer exported for their own runs must not change what the tests run.
unset TESSERA_OPTIONS

WORK="$WORK_ROOT/$(basename "$0" .sh)"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# mpi NP THREADS ARGS...: runs an app under mpiexec with OMP_NUM_THREADS=THREADS.
mpi() {
  local np=$1 threads=$2
  shift 2
  OMP_NUM_THREADS=$threads "$MPIEXEC" -n "$np" --oversubscribe "$@"
}

# digest_of FILE: the state digest of the last run record in FILE.
digest_of() {
  tail -n 1 "$1" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["state_digest"] if r["verified"] else "unverified")'
}

# wait_for_checkpoint DIR STEP SECONDS PID: waits until DIR holds a committed checkpoint of
# step STEP or later (older ones may already have been pruned), failing if PID ends first.
wait_for_checkpoint() {
  local dir=$1 step=$2 limit=$3 pid=$4
  local waited=0
  while :; do
    for f in "$dir"/ckpt_*.h5; do
      [ -e "$f" ] || continue
      local s=${f##*/ckpt_}
      s=$((10#${s%.h5}))
      if [ "$s" -ge "$step" ]; then return 0; fi
    done
    kill -0 "$pid" 2>/dev/null || fail "the run ended before a checkpoint of step $step appeared in $dir"
    sleep 0.02
    waited=$((waited + 1))
    [ "$waited" -lt $((limit * 50)) ] || fail "timed out waiting for a checkpoint of step $step in $dir"
  done
}

# rank_pids PATTERN: PIDs of app processes whose command line contains PATTERN.
rank_pids() {
  pgrep -f -- "$1" | while read -r pid; do
    # Skip the launcher itself: only processes running the app binary.
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$BIN_DIR/"; then echo "$pid"; fi
  done
}

# expect_usage_error FRAGMENT ARGS...: $APP on 4 ranks must exit 2 with exactly one error line
# that contains FRAGMENT (one message from one rank, not four), and must not hang.
expect_usage_error() {
  local fragment=$1
  shift
  set +e
  timeout 60 "$MPIEXEC" -n 4 --oversubscribe "$BIN_DIR/$APP" --quiet "$@" >out.log 2>err.log
  local status=$?
  set -e
  [ "$status" -eq 2 ] || { cat out.log err.log; fail "$APP $* exited $status, expected 2"; }
  grep -qF -- "$fragment" err.log || { cat err.log; fail "$APP $*: message lacks '$fragment'"; }
  local count
  count=$(grep -c "^error:" err.log || true)
  [ "$count" -eq 1 ] || { cat err.log; fail "$APP $*: $count error lines, expected exactly 1"; }
  echo "ok: $APP $* -> exit 2: $(head -n 1 err.log)"
}

# record_field FILE KEY...: a field of the last run record in FILE, e.g. metrics error_max.
record_field() {
  local file=$1
  shift
  tail -n 1 "$file" | python3 -c 'import json,sys
r = json.loads(sys.stdin.read())
for key in sys.argv[1:]:
    r = r[key]
print(r)' "$@"
}
