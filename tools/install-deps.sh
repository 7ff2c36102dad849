#!/usr/bin/env bash
# Installs the Debian 12 packages tessera needs, if any are missing. Needs root (or sudo) only
# when something is missing; otherwise it just checks and returns.
#   --with-slurm   also try to install Slurm and munge (for the Slurm tests; a failure there
#                  only means those tests are skipped)
#   --with-petsc   also try to install PETSc (petsc-dev, for the PETSc comparison driver
#                  bench/petsc_cg and its test; a failure only means those are skipped)
set -euo pipefail
with_slurm=0
with_petsc=0
for arg in "$@"; do
  case "$arg" in
    --with-slurm) with_slurm=1 ;;
    --with-petsc) with_petsc=1 ;;
    *) echo "install-deps: unknown option '$arg' (options: --with-slurm, --with-petsc)" >&2; exit 2 ;;
  esac
done

PACKAGES=(
  build-essential cmake git python3 python3-matplotlib python3-numpy python3-h5py procps
  python3-sklearn python3-threadpoolctl libopenblas0-pthread libblas-dev dataset-fashion-mnist
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools
  libeigen3-dev libgtest-dev libgmock-dev libbenchmark-dev libips4o-dev
  libcli11-dev libtoml11-dev nlohmann-json3-dev
  # tools.scaling_report renders the report's HTML in it (headless)
  chromium
  # tools.outputs_*: the outputs opened with the tools users open them with
  paraview xvfb xauth python3-pandas
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: this is not a Debian/Ubuntu system; install the equivalents of: ${PACKAGES[*]}" >&2
  echo "install-deps: then configure with cmake -S . -B build (HDF5 must be the parallel MPI-IO build)." >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
# Optional extras: a failure to install them only skips what needs them.
optional=()
[ "$with_slurm" -eq 1 ] && optional+=(slurm-wlm munge)
[ "$with_petsc" -eq 1 ] && optional+=(petsc-dev)
optional_missing=()
for p in "${optional[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || optional_missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#optional_missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
elif [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: ${optional_missing[*]} not installed and installing needs root; what needs them is skipped" >&2
  exit 0
else
  echo "install-deps: these packages are missing and installing them needs root:" >&2
  echo "    sudo apt-get install -y ${missing[*]}" >&2
  echo "install-deps: run that command (or this script as root), then run this command again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for p in "${optional_missing[@]}"; do
  echo "install-deps: installing $p (optional)"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
    echo "install-deps: could not install $p; what needs it (Slurm tests, PETSc comparison) is skipped" >&2
done
echo "install-deps: done"
