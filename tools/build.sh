#!/usr/bin/env bash
# Configures and builds tessera into BUILD_DIR (default: build) with JOBS parallel jobs
# (default 2). Extra arguments go to cmake's configure step, e.g. -DTESSERA_SANITIZE=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
jobs=${JOBS:-2}
mkdir -p "$build_dir"
log="$build_dir/configure.log"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >"$log" 2>&1 || {
  cat "$log" >&2
  echo "build: cmake configure failed (log above, also in $log)" >&2
  exit 1
}
cmake --build "$build_dir" -j "$jobs"
