# The PETSc comparison solves the same problem the same way: after a fixed number of CG
# iterations PETSc's KSPCG and tessera's cg reach the same true residual (to rounding), on 1
# and 2 ranks; and tools/cg-vs-petsc runs end to end on a small grid, writing its table.
source "$(dirname "$0")/../e2e/lib.sh"

for np in 1 2; do
  petsc=$(mpi "$np" 1 "$BIN_DIR/petsc_cg" -n 20 -iterations 25)
  echo "$petsc"
  mpi "$np" 1 "$BIN_DIR/cg" --n 20 --rtol 0 --max-iters 25 --quiet --no-write-solution --output out \
    --record "cg$np.jsonl" >/dev/null
  ours=$(record_field "cg$np.jsonl" metrics relative_residual_true)
  python3 - "$petsc" "$ours" <<'PY' || fail "on $np ranks the residuals differ: PETSc '$petsc', tessera $ours"
import re, sys
m = re.search(r"iterations=(\d+) .*relative_residual=(\S+)", sys.argv[1])
assert m and int(m.group(1)) == 25, "PETSc did not run 25 iterations"
petsc, ours = float(m.group(2)), float(sys.argv[2])
print(f"relative residual after 25 iterations: PETSc {petsc:.10e}, tessera {ours:.10e}")
sys.exit(0 if abs(petsc - ours) <= 1e-8 * petsc else 1)
PY
done

"$(dirname "$0")/../../tools/cg-vs-petsc" --n 24 --iterations 20 --ranks 1,2 --repeats 1 --out compare \
  --bin-dir "$BIN_DIR" --mpirun "$MPIEXEC"
[ -s compare/cg-vs-petsc.md ] || fail "no summary table written"
python3 - <<'PY' || fail "cg-vs-petsc.json is incomplete"
import json
rows = json.load(open("compare/cg-vs-petsc.json"))
assert [r["ranks"] for r in rows] == [1, 2], rows
for r in rows:
    assert r["tessera_seconds_per_iteration"] > 0 and r["petsc_seconds_per_iteration"] > 0
    assert abs(r["ratio"] - r["tessera_seconds_per_iteration"] / r["petsc_seconds_per_iteration"]) < 1e-12
    assert r["stream_triad_dram"] > 0 and r["same_residual"]
print("ok: tools/cg-vs-petsc wrote its table and JSON")
PY
