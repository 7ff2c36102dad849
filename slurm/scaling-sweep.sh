#!/usr/bin/env bash
# Submits a scaling sweep as a Slurm job array (one task per run, each appending its run record
# to RESULTS) and a report job that runs once every task has ended.
#   slurm/scaling-sweep.sh RESULTS REPORT_DIR [tessera-scaling options...]
#   slurm/scaling-sweep.sh results.jsonl report --mode strong --size 4096 --ranks 4,8,16,32 --repeats 3
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 RESULTS REPORT_DIR [tessera-scaling options: --mode --size --ranks --threads --repeats ...]" >&2
  exit 2
fi
results=$(realpath -m "$1")
report=$(realpath -m "$2")
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
array_script=$(mktemp "${TMPDIR:-/tmp}/tessera-sweep-XXXXXX.sbatch")
"$root/tools/tessera-scaling" "$@" --results "$results" --slurm-array "$array_script" >/dev/null
array=$(sbatch --parsable "$array_script")
report_job=$(sbatch --parsable --dependency="afterany:$array" --job-name=tessera-report \
  --output="$report.report-%j.out" --wrap "$root/tools/tessera-report $results -o $report")
echo "sweep: job array $array ($(grep -c '^  "' "$array_script") runs), report job $report_job -> $report/report.md"
