# Shared body of the tessera batch scripts (sourced by slurm/<app>.sbatch; not submitted itself).
#
# tessera_job APP [APP OPTIONS...] runs the app on the job's tasks and decides what happens
# when it ends:
#   exit 0        done
#   exit 1, 2     verification failed / bad input: never requeued, rerunning cannot help
#   anything else (75 = stopped by a signal after a checkpoint, 76 = hang watchdog, a killed
#                 rank, a node failure):
#                 the job requeues itself (scontrol requeue) and the rerun resumes with
#                 --restart, up to TESSERA_MAX_RESTARTS times (default 3, counted by
#                 SLURM_RESTART_COUNT). With TESSERA_NO_REQUEUE=1 (job chains) it only exits.
# Signals: Slurm sends USR1 to this batch shell before the time limit (#SBATCH
# --signal=B:USR1@SECONDS) or on pre-emption; it is forwarded to the job step, whose ranks
# finish the current step, write a checkpoint and exit 75. TERM is forwarded the same way.
#
# Placement: one task per rank, OMP_NUM_THREADS = --cpus-per-task, each task bound to its cores
# (srun --cpu-bind=cores; TESSERA_CPU_BIND overrides, e.g. none where the cluster has no
# binding plugin). With more than one thread per task the threads are also bound within the
# task's cores (OMP_PLACES=cores, OMP_PROC_BIND=close); with one thread nothing is set, since on
# a cluster without task binding OpenMP binding would put every rank on the node's first core.
#
# The pieces, for batch scripts that run something before the app (slurm/kmeans.sbatch
# generates its data set first, slurm/train.sbatch imports one):
#   tessera_setup              placement (OMP_*), TESSERA_LAUNCH (srun or mpirun command line),
#                              TESSERA_RESTARTS (reruns so far)
#   tessera_exe NAME           TESSERA_EXE = path of the executable NAME; exits 2 if missing
#   tessera_step MODE CMD...   runs CMD on the job's tasks; MODE forward passes USR1/TERM on
#                              to it, MODE hold only notes them (TESSERA_STOP_ASKED=1) and lets
#                              it finish; the exit status is in TESSERA_STEP_RC
#   tessera_run_here MODE CMD...
#                              the same for a serial CMD (a tool, a shell function) that runs in
#                              the batch shell itself, not on the job's tasks
#   tessera_end NAME RC        exits with RC, requeueing the job first as described above
#   tessera_app_option NAME ARGS...
#                              the value of app option NAME (e.g. --output) in ARGS, else in
#                              the --config file given in ARGS; empty if unset
#   tessera_generate FILE ARGS...
#                              makes the data set FILE with `tessera-data generate ARGS...` on
#                              the job's tasks unless FILE is there (a requeued job reuses it)
#   tessera_make FILE CMD...   makes FILE with the serial CMD (in the batch shell) unless FILE is
#                              there (a requeued job reuses it); CMD writes FILE.partial, which
#                              is removed first and renamed to FILE once CMD has succeeded

tessera_setup() {
  export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
  if [ "$OMP_NUM_THREADS" -gt 1 ]; then
    export OMP_PLACES=${OMP_PLACES:-cores}
    export OMP_PROC_BIND=${OMP_PROC_BIND:-close}
  fi
  TESSERA_RESTARTS=${SLURM_RESTART_COUNT:-0}
  if [ "${TESSERA_LAUNCHER:-srun}" = srun ] && srun --mpi=list 2>&1 | grep -q pmix; then
    TESSERA_LAUNCH=(srun --mpi=pmix --cpu-bind="${TESSERA_CPU_BIND:-cores}" --cpus-per-task="$OMP_NUM_THREADS")
  else
    # Some sites' srun cannot start this MPI: mpirun reads the allocation from Slurm itself.
    TESSERA_LAUNCH=(mpirun --bind-to core --map-by "slot:PE=$OMP_NUM_THREADS")
  fi
}

tessera_exe() {
  local root=${TESSERA_ROOT:-${SLURM_SUBMIT_DIR:-$PWD}}
  TESSERA_EXE=${TESSERA_BIN:-$root/build/bin}/$1
  if [ ! -x "$TESSERA_EXE" ]; then
    echo "tessera: no executable $TESSERA_EXE; build tessera first (bash tools/build.sh) and submit from the" \
         "repository root, or set TESSERA_ROOT / TESSERA_BIN" >&2
    exit 2
  fi
}

tessera_step() {
  local mode=$1
  shift
  tessera_run_here "$mode" "${TESSERA_LAUNCH[@]}" "$@"
}

tessera_run_here() {
  local mode=$1
  shift
  TESSERA_STOP_ASKED=0
  # The step runs in the background: bash runs traps only between commands, so a foreground
  # step would delay the signal until it ended by itself.
  "$@" &
  local step=$!
  if [ "$mode" = forward ]; then
    trap "echo 'tessera: USR1 received: asking the ranks to checkpoint and stop'; kill -USR1 $step 2>/dev/null" USR1
    trap "echo 'tessera: TERM received: asking the ranks to checkpoint and stop'; kill -USR1 $step 2>/dev/null" TERM
  else
    # A step that cannot checkpoint (it would only be lost): let it finish, stop after it.
    trap "echo 'tessera: USR1 received: stopping after this step'; TESSERA_STOP_ASKED=1" USR1
    trap "echo 'tessera: TERM received: stopping after this step'; TESSERA_STOP_ASKED=1" TERM
  fi
  while :; do
    wait "$step"
    TESSERA_STEP_RC=$?
    # wait returns early (status > 128) when a trapped signal arrives; the step goes on.
    kill -0 "$step" 2>/dev/null || break
  done
  trap - USR1 TERM
}

tessera_end() {
  local app=$1 rc=$2
  case $rc in
    0) echo "tessera: $app finished (exit 0)"; exit 0 ;;
    1) echo "tessera: $app failed its verification (exit 1): not requeued" >&2; exit 1 ;;
    2) echo "tessera: $app rejected its input (exit 2): not requeued, fix the options" >&2; exit 2 ;;
  esac
  if [ -n "${TESSERA_NO_REQUEUE:-}" ]; then
    echo "tessera: $app ended with exit $rc; resume with --restart (next job of the chain)" >&2
    exit "$rc"
  fi
  local max_restarts=${TESSERA_MAX_RESTARTS:-3}
  if [ "$TESSERA_RESTARTS" -ge "$max_restarts" ]; then
    echo "tessera: $app ended with exit $rc after $TESSERA_RESTARTS restarts: giving up (TESSERA_MAX_RESTARTS=$max_restarts)" >&2
    exit "$rc"
  fi
  echo "tessera: $app ended with exit $rc: requeueing job $SLURM_JOB_ID (restart $((TESSERA_RESTARTS + 1)) of $max_restarts)"
  scontrol requeue "$SLURM_JOB_ID"
  exit "$rc"
}

tessera_job() {
  local app=$1
  shift
  tessera_exe "$app"
  tessera_setup
  local args=("$@")
  if [ "$TESSERA_RESTARTS" -gt 0 ] || [ -n "${TESSERA_RESUME:-}" ]; then
    args+=(--restart)
  fi
  echo "tessera: job ${SLURM_JOB_ID:-?} run $((TESSERA_RESTARTS + 1)) on ${SLURM_JOB_NODELIST:-?}:" \
       "${TESSERA_LAUNCH[*]} $TESSERA_EXE ${args[*]} (OMP_NUM_THREADS=$OMP_NUM_THREADS)"
  tessera_step forward "$TESSERA_EXE" "${args[@]}"
  tessera_end "$app" "$TESSERA_STEP_RC"
}

tessera_app_option() {
  local name=$1 value="" config=""
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      "$name") value=${2:-}; shift ;;
      "$name"=*) value=${1#*=} ;;
      --config) config=${2:-}; shift ;;
      --config=*) config=${1#*=} ;;
    esac
    shift
  done
  if [ -z "$value" ] && [ -n "$config" ] && [ -r "$config" ]; then
    # A top-level `name = "value"` of the TOML file, name with - or _.
    local key=${name#--}
    key=${key//-/[-_]}
    value=$(sed -nE "s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*[\"']([^\"']*)[\"'].*/\1/p" "$config" | tail -n 1)
  fi
  echo "$value"
}

tessera_generate() {
  local data=$1
  shift
  if [ -e "$data" ]; then
    echo "tessera: reusing the data set $data"
    return
  fi
  tessera_exe tessera-data
  tessera_setup
  mkdir -p "$(dirname "$data")"
  echo "tessera: job ${SLURM_JOB_ID:-?}: generating the data set $data:" \
       "${TESSERA_LAUNCH[*]} $TESSERA_EXE generate $*"
  # tessera-data writes FILE.partial and renames it when complete: a killed generation never
  # leaves a file that a rerun would take for the data set.
  tessera_step hold "$TESSERA_EXE" generate "$@" --output "$data"
  if [ "$TESSERA_STEP_RC" -ne 0 ]; then
    tessera_end tessera-data "$TESSERA_STEP_RC"
  fi
  if [ "$TESSERA_STOP_ASKED" -eq 1 ]; then
    # Asked to stop (time limit, pre-emption) while generating: the data set is kept for the rerun.
    tessera_end tessera-data 75
  fi
}

tessera_make() {
  local data=$1
  shift
  if [ -e "$data" ]; then
    echo "tessera: reusing the data set $data"
    return
  fi
  tessera_setup
  mkdir -p "$(dirname "$data")"
  # A .partial left by a run that was killed is incomplete: start it again.
  rm -f "$data.partial"
  echo "tessera: job ${SLURM_JOB_ID:-?}: making the data set $data: $*"
  tessera_run_here hold "$@"
  if [ "$TESSERA_STEP_RC" -ne 0 ]; then
    rm -f "$data.partial"
    tessera_end "$(basename "$1")" "$TESSERA_STEP_RC"
  fi
  if [ ! -e "$data.partial" ]; then
    echo "tessera: $* succeeded but wrote no $data.partial" >&2
    exit 3
  fi
  mv "$data.partial" "$data"
  if [ "$TESSERA_STOP_ASKED" -eq 1 ]; then
    # Asked to stop (time limit, pre-emption) while making it: the data set is kept for the rerun.
    tessera_end "$(basename "$1")" 75
  fi
}
