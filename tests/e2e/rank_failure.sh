# One rank fails alone (the others wait in a collective): the job ends within seconds with
# that rank's message and exit status 3, on 1 to 4 ranks.
source "$(dirname "$0")/lib.sh"
app=$1
for np in 1 2 4; do
  start=$(date +%s)
  set +e
  OMP_NUM_THREADS=1 timeout 60 "$MPIEXEC" -n "$np" --oversubscribe "$app" >out.log 2>err.log
  status=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  [ "$status" -ne 124 ] || fail "$np ranks: the job hung (killed by timeout)"
  [ "$status" -eq 3 ] || { cat err.log; fail "$np ranks: exit status $status, expected 3"; }
  grep -q "\[rank $((np - 1))\] error: disk quota exceeded on rank $((np - 1))" err.log || { cat err.log; fail "$np ranks: message missing"; }
  [ "$elapsed" -lt 30 ] || fail "$np ranks: took $elapsed s to end"
  echo "ok: $np ranks: exit 3 in ${elapsed}s with the failing rank's message"
done
