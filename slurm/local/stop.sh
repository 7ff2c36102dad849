#!/usr/bin/env bash
# Stops what slurm/local/start.sh started (by the PIDs it recorded) and any job processes the
# cluster left behind (with proctrack/linuxproc they can outlive their job).
set -uo pipefail
STATE=${SLURM_LOCAL_STATE:-/run/tessera-slurm}
for name in slurmd slurmctld munged; do
  pidfile="$STATE/$name.pid"
  [ -f "$pidfile" ] || continue
  for pid in $(cat "$pidfile"); do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$pidfile"
done
# Leftover job processes carry the cluster name in their environment.
for env in /proc/[0-9]*/environ; do
  pid=${env#/proc/}
  pid=${pid%/environ}
  if { tr '\0' '\n' <"$env"; } 2>/dev/null | grep -qx 'SLURM_CLUSTER_NAME=tessera-local'; then
    kill -9 "$pid" 2>/dev/null || true
  fi
done
echo "slurm/local/stop.sh: stopped"
