# heat gives the same final state (digest) on 1, 3 and 4 ranks and 1 or 2 threads, for a
# grid that no rank count divides evenly, in 2D and 3D; and every run says PASS.
source "$(dirname "$0")/lib.sh"

check_same() {
  local label=$1
  shift
  local first=""
  for rec in "$@"; do
    local d
    d=$(digest_of "$rec")
    [ "$d" != "unverified" ] || fail "$label: run $rec did not verify"
    if [ -z "$first" ]; then first=$d; elif [ "$d" != "$first" ]; then fail "$label: digest $d of $rec differs from $first"; fi
  done
  echo "$label: all runs agree on digest $first"
}

mpi 1 2 "$BIN_DIR/heat" --dims 2 --nx 61 --ny 47 --steps 40 --quiet --output o1 --record r2d_1.jsonl
mpi 3 1 "$BIN_DIR/heat" --dims 2 --nx 61 --ny 47 --steps 40 --quiet --output o3 --record r2d_3.jsonl
mpi 4 1 "$BIN_DIR/heat" --dims 2 --nx 61 --ny 47 --steps 40 --quiet --output o4 --proc-grid 4x1 --record r2d_4.jsonl
check_same "2D 61x47" r2d_1.jsonl r2d_3.jsonl r2d_4.jsonl

mpi 1 1 "$BIN_DIR/heat" --dims 3 --nx 19 --ny 13 --nz 11 --steps 20 --quiet --output p1 --record r3d_1.jsonl
mpi 3 1 "$BIN_DIR/heat" --dims 3 --nx 19 --ny 13 --nz 11 --steps 20 --quiet --output p3 --record r3d_3.jsonl
mpi 2 2 "$BIN_DIR/heat" --dims 3 --nx 19 --ny 13 --nz 11 --steps 20 --quiet --output p2 --record r3d_2.jsonl
check_same "3D 19x13x11" r3d_1.jsonl r3d_3.jsonl r3d_2.jsonl

grep -q '"ranks":3' r2d_3.jsonl || fail "run record lacks the rank count"
python3 - <<'PY'
import json
r = json.loads(open("r2d_3.jsonl").read().splitlines()[-1])
for key in ("app", "ranks", "threads", "verified", "state_digest", "timers", "metrics", "proc_grid", "steps"):
    assert key in r, f"run record lacks {key}"
assert len(r["state_digest"]) == 18 and r["state_digest"].startswith("0x")
assert r["app"] == "heat" and r["ranks"] == 3 and r["steps"] == 40
for phase in ("compute", "halo", "reduce", "io"):
    assert set(r["timers"][phase]) == {"min", "avg", "max"}
print("run record has every required key")
PY
