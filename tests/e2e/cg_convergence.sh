# cg discretization error falls as h^2: solved to a tight tolerance on two grids, the error
# against the exact solution drops by about 4 when h halves. Also: Jacobi gives the same
# answer, and the solution is written as HDF5 + XDMF.
source "$(dirname "$0")/lib.sh"

mpi 2 1 "$BIN_DIR/cg" --n 15 --rtol 1e-12 --quiet --output coarse --record runs.jsonl
coarse=$(record_field runs.jsonl metrics error_max)
mpi 3 1 "$BIN_DIR/cg" --n 31 --rtol 1e-12 --quiet --output fine --record runs.jsonl
fine=$(record_field runs.jsonl metrics error_max)
python3 - "$coarse" "$fine" <<'PY' || fail "error ratio outside [3.6, 4.4]"
import sys
coarse, fine = map(float, sys.argv[1:])
ratio = coarse / fine
print(f"max error: h=1/16 {coarse:.3e}, h=1/32 {fine:.3e}, ratio {ratio:.3f} (second order: 4)")
sys.exit(0 if 3.6 <= ratio <= 4.4 else 1)
PY

mpi 2 1 "$BIN_DIR/cg" --n 31 --rtol 1e-12 --quiet --preconditioner jacobi --output jacobi --record jacobi.jsonl
jacobi=$(record_field jacobi.jsonl metrics error_max)
plain_iterations=$(record_field runs.jsonl iterations)
jacobi_iterations=$(record_field jacobi.jsonl iterations)
[ "$jacobi_iterations" -ge $((plain_iterations - 1)) ] && [ "$jacobi_iterations" -le $((plain_iterations + 1)) ] ||
  fail "Jacobi took $jacobi_iterations iterations, plain CG $plain_iterations (a constant diagonal: the same)"
python3 -c "import sys; a, b = $fine, $jacobi; sys.exit(0 if abs(a - b) <= 1e-9 * a else 1)" ||
  fail "Jacobi error $jacobi differs from the unpreconditioned $fine"
echo "ok: Jacobi: $(record_field jacobi.jsonl iterations) iterations, same error $jacobi"

[ -s fine/cg_solution.xdmf ] || fail "no XDMF file written"
h5=$(ls fine/cg_solution_*.h5)
[ -s "$h5" ] || fail "no solution HDF5 file written"
grep -q "$(basename "$h5")" fine/cg_solution.xdmf || fail "the XDMF file does not reference $h5"
grep -q 'Dimensions="31 31 31"' fine/cg_solution.xdmf || { cat fine/cg_solution.xdmf; fail "XDMF grid dimensions wrong"; }
echo "ok: solution written to $h5 with fine/cg_solution.xdmf"
