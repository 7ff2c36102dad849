#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds everything, and runs the whole test
# suite (kernel, MPI at 1-4 ranks, end-to-end, install), then the sanitizer pass
# (tools/sanitize.sh). .ci/run calls this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" --with-slurm --with-petsc
"$root/tools/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "${BUILD_DIR:-$root/build}"
ctest -j "${JOBS:-2}" --output-on-failure --timeout 600 "$@"
# The same tests under the address, undefined-behaviour and thread sanitizers (not when a
# subset was asked for).
if [ "${TESSERA_SANITIZERS:-1}" != 0 ] && [ $# -eq 0 ]; then
  bash "$root/tools/sanitize.sh"
fi
