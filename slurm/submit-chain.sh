#!/usr/bin/env bash
# For clusters that forbid requeue: submits COUNT jobs of SCRIPT in a chain. Each job after the
# first starts only if the one before did not finish successfully (--dependency=afternotok:
# stopped at its time limit, pre-empted, or a rank failed) and resumes from the newest
# checkpoint; once a job completes, the rest of the chain is cancelled (their dependency can
# no longer be met). Jobs do not requeue themselves.
#   slurm/submit-chain.sh 5 slurm/heat.sbatch --n 4096 --steps 100000 --checkpoint-every 1000
set -euo pipefail
if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
  echo "usage: $0 COUNT SCRIPT [APP OPTIONS...]   (COUNT >= 1 jobs in the chain)" >&2
  exit 2
fi
count=$1
script=$2
shift 2
previous=$(sbatch --parsable --no-requeue --export=ALL,TESSERA_NO_REQUEUE=1 "$script" "$@")
echo "chain job 1/$count: $previous"
for i in $(seq 2 "$count"); do
  previous=$(sbatch --parsable --no-requeue --dependency="afternotok:$previous" \
    --export=ALL,TESSERA_NO_REQUEUE=1,TESSERA_RESUME=1 "$script" "$@")
  echo "chain job $i/$count: $previous (after job before it fails or stops)"
done
