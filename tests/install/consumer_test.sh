# Installs tessera from BUILD_DIR into a scratch prefix, then configures and builds a small
# consumer project with find_package(tessera) and runs it on 2 ranks.
set -euo pipefail
build_dir=$1
consumer_src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
cmake -S "$consumer_src" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log"
cmake --build "$work/build" -j2 >"$work/build.log"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
output=$(OMP_NUM_THREADS=1 mpiexec -n 2 --oversubscribe "$work/build/consumer")
echo "$output"
grep -q "consumer: 2 ranks, sum of ranks 1, partition ok" <<<"$output"
