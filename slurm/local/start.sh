#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (munge, slurmctld, slurmd), as root and
# without systemd, for trying the batch scripts on a workstation and for the test suite.
# The node advertises SLURM_LOCAL_CPUS CPUs (default 8, more than a small machine has) so
# 4-task jobs run. Only processes this script started are stopped by stop.sh (PID files in
# SLURM_LOCAL_STATE, default /run/tessera-slurm).
set -euo pipefail

STATE=${SLURM_LOCAL_STATE:-/run/tessera-slurm}
CPUS=${SLURM_LOCAL_CPUS:-8}
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm/local/start.sh: must run as root (it starts munged, slurmctld and slurmd)" >&2
  exit 1
fi
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || {
    echo "slurm/local/start.sh: $tool not found; install with: apt-get install -y slurm-wlm munge" >&2
    exit 1
  }
done
if [ -f "$STATE/slurmctld.pid" ] && kill -0 "$(cat "$STATE/slurmctld.pid")" 2>/dev/null; then
  echo "slurm/local/start.sh: already running (state in $STATE)"
  exit 0
fi
mkdir -p "$STATE" /var/spool/slurmctld /var/spool/slurmd /run/slurm /var/log/slurm /etc/slurm

# munge: a key owned by munge, mode 0400, and its run directory.
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --force >/dev/null 2>&1 || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  cp /run/munge/munged.pid "$STATE/munged.pid"  # the daemon's own record of its PID
fi

host=$(hostname -s)
memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cat >/etc/slurm/slurm.conf <<CONF
# Written by tessera slurm/local/start.sh: a one-node test cluster.
ClusterName=tessera-local
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=${STATE}/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
DependencyParameters=kill_invalid_depend
ReturnToService=2
MinJobAge=4
KillWait=5
OverTimeLimit=0
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=${STATE}/slurmctld.pid
SlurmdPidFile=${STATE}/slurmd.pid
SlurmctldLogFile=${STATE}/slurmctld.log
SlurmdLogFile=${STATE}/slurmd.log
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${CPUS} CoresPerSocket=${CPUS} ThreadsPerCore=1 RealMemory=${memory} State=UNKNOWN
PartitionName=local Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -c
slurmd
for _ in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -q idle; then
    echo "slurm/local/start.sh: node ${host} idle with ${CPUS} CPUs (state and logs in ${STATE})"
    exit 0
  fi
  sleep 0.1
done
echo "slurm/local/start.sh: the node did not become idle; see ${STATE}/slurmctld.log and slurmd.log" >&2
sinfo >&2 || true
exit 1
