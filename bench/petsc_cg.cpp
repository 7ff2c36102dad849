// petsc_cg: the cg app's problem solved by PETSc, for a same-machine comparison. A DMDA on the
// n^3 interior grid, the 7-point matrix assembled as AIJ (Dirichlet rows eliminated), the
// right-hand side of the same manufactured solution, and KSPCG with a fixed iteration count.
// Options (PETSc style, so any -ksp_ / -pc_ / -dm_ option works too):
//   -n N           interior points per dimension (default 128)
//   -iterations K  CG iterations (default 200); the tolerance is set so they all run
// Defaults match tessera's cg: -pc_type none and -ksp_norm_type natural (r.z, which CG
// computes anyway, so no extra norm). Prints one line of key=value figures; the time is that
// of KSPSolve, maximum over ranks, after an untimed warm-up solve.
#include <petscdmda.h>
#include <petscksp.h>

#include <cmath>
#include <algorithm>
#include <cstdio>

namespace {

double factor(double t) { return t * (1.0 - t) * std::exp(t); }
double factor_second(double t) { return -(t * t + 3.0 * t) * std::exp(t); }

PetscErrorCode assemble(DM da, PetscInt n, Mat a, Vec b) {
  PetscFunctionBeginUser;
  const double h = 1.0 / static_cast<double>(n + 1);
  const double c = 1.0 / (h * h);
  PetscInt xs, ys, zs, xm, ym, zm;
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscScalar*** f;
  PetscCall(DMDAVecGetArray(da, b, &f));
  for (PetscInt k = zs; k < zs + zm; ++k) {
    for (PetscInt j = ys; j < ys + ym; ++j) {
      for (PetscInt i = xs; i < xs + xm; ++i) {
        MatStencil row{};
        row.i = i;
        row.j = j;
        row.k = k;
        MatStencil cols[7];
        PetscScalar values[7];
        PetscInt count = 0;
        cols[count] = row;
        values[count++] = 6.0 * c;
        const PetscInt at[3] = {i, j, k};
        for (int d = 0; d < 3; ++d) {
          for (int side : {-1, 1}) {
            PetscInt nb[3] = {at[0], at[1], at[2]};
            nb[d] += side;
            if (nb[d] < 0 || nb[d] >= n) continue;  // Dirichlet boundary: u = 0 there
            cols[count].i = nb[0];
            cols[count].j = nb[1];
            cols[count].k = nb[2];
            values[count++] = -c;
          }
        }
        PetscCall(MatSetValuesStencil(a, 1, &row, count, cols, values, INSERT_VALUES));
        const double x = static_cast<double>(i + 1) * h;
        const double y = static_cast<double>(j + 1) * h;
        const double z = static_cast<double>(k + 1) * h;
        f[k][j][i] = -(factor_second(x) * factor(y) * factor(z) + factor(x) * factor_second(y) * factor(z) +
                       factor(x) * factor(y) * factor_second(z));
      }
    }
  }
  PetscCall(DMDAVecRestoreArray(da, b, &f));
  PetscCall(MatAssemblyBegin(a, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(a, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscErrorCode run() {
  PetscFunctionBeginUser;
  PetscInt n = 128;
  PetscInt iterations = 200;
  PetscCall(PetscOptionsGetInt(nullptr, nullptr, "-n", &n, nullptr));
  PetscCall(PetscOptionsGetInt(nullptr, nullptr, "-iterations", &iterations, nullptr));
  if (n < 1 || iterations < 1) {
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-n and -iterations must be at least 1, got %" PetscInt_FMT " and %" PetscInt_FMT, n, iterations);
  }

  DM da;
  PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, n,
                         n, n, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, nullptr, nullptr, nullptr, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  Mat a;
  Vec b;
  Vec x;
  PetscCall(DMCreateMatrix(da, &a));
  PetscCall(DMCreateGlobalVector(da, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(assemble(da, n, a, b));

  KSP ksp;
  PC pc;
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, a, a));
  PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCNONE));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_NATURAL));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPSetUp(ksp));

  // Warm-up: faults in the work vectors and the matrix, as tessera's first iterations do.
  PetscCall(KSPSetTolerances(ksp, 1e-300, 0.0, 1e300, std::min<PetscInt>(iterations, 5)));
  PetscCall(VecSet(x, 0.0));
  PetscCall(KSPSolve(ksp, b, x));

  PetscCall(KSPSetTolerances(ksp, 1e-300, 0.0, 1e300, iterations));
  PetscCall(VecSet(x, 0.0));
  PetscCall(MPI_Barrier(PETSC_COMM_WORLD));
  const double start = MPI_Wtime();
  PetscCall(KSPSolve(ksp, b, x));
  double local = MPI_Wtime() - start;
  double seconds = 0.0;
  PetscCall(MPI_Allreduce(&local, &seconds, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));

  PetscInt done = 0;
  PetscCall(KSPGetIterationNumber(ksp, &done));
  // The true relative residual |b - A x| / |b|, as tessera's cg reports it.
  Vec r;
  PetscCall(VecDuplicate(b, &r));
  PetscCall(MatMult(a, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscReal r_norm = 0.0;
  PetscReal b_norm = 0.0;
  PetscCall(VecNorm(r, NORM_2, &r_norm));
  PetscCall(VecNorm(b, NORM_2, &b_norm));
  KSPType type;
  PCType pc_type;
  PetscCall(KSPGetType(ksp, &type));
  PetscCall(PCGetType(pc, &pc_type));
  PetscMPIInt ranks = 1;
  PetscCall(MPI_Comm_size(PETSC_COMM_WORLD, &ranks));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "petsc_cg: n=%" PetscInt_FMT " ranks=%d ksp=%s pc=%s iterations=%" PetscInt_FMT
                        " seconds=%.6f seconds_per_iteration=%.6e relative_residual=%.12e\n",
                        n, ranks, type, pc_type, done, seconds, seconds / static_cast<double>(done > 0 ? done : 1),
                        static_cast<double>(r_norm / b_norm)));

  PetscCall(VecDestroy(&r));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&a));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

}  // namespace

int main(int argc, char** argv) {
  PetscCall(PetscInitialize(&argc, &argv, nullptr, nullptr));
  const PetscErrorCode status = run();
  PetscCall(PetscFinalize());
  return status == 0 ? 0 : 2;
}
