#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds everything, and runs the whole test
# suite (kernel, MPI at 1-4 ranks, end-to-end, install). .ci/run calls this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" --with-slurm --with-petsc
"$root/tools/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "${BUILD_DIR:-$root/build}"
ctest -j "${JOBS:-2}" --output-on-failure --timeout 600 "$@"
