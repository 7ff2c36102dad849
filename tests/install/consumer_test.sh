# Installs tessera from BUILD_DIR into a scratch prefix, then builds a small consumer of it two
# ways, with find_package(tessera) and with pkg-config, and runs both on 2 ranks; checks the
# installed layout (headers under include/tessera, the Python tools beside the apps) and that
# the library also builds and links as a shared library (BUILD_SHARED_LIBS=ON).
set -euo pipefail
build_dir=$1
consumer_src=$2
work=$3
source_dir=$(cd "$consumer_src/../../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1

prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log"
[ -f "$prefix/include/tessera/comm/collectives.hpp" ] || fail "no include/tessera/comm/collectives.hpp"
[ -f "$prefix/include/tessera/kernels/threads.hpp" ] || fail "no include/tessera/kernels/threads.hpp"
[ -f "$prefix/include/tessera/version.hpp" ] || fail "no include/tessera/version.hpp"
[ ! -e "$prefix/include/tessera/src" ] || fail "headers installed under the generic include/tessera/src"
if grep -rq '#include "src/\|#include "kernels/' "$prefix/include/tessera"; then
  fail "installed headers include generic src/ or kernels/ paths"
fi
for tool in heat tessera-scaling tessera-report tessera-run tessera-import; do
  [ -x "$prefix/bin/$tool" ] || fail "$tool is not installed to bin/"
done
"$prefix/bin/tessera-report" --help >/dev/null || fail "the installed tessera-report does not run"
"$prefix/bin/heat" --version | grep -q "^tessera " || fail "the installed heat has no --version"
# The installed sweep tool finds the installed apps beside it (no repository, no build tree).
(cd "$work" && OMPI_MCA_rmaps_base_oversubscribe=1 "$prefix/bin/tessera-scaling" --app heat --size 32 --ranks 1,2 \
  --steps 5 --repeats 1 --results sweep.jsonl >sweep.log 2>&1) || fail "the installed tessera-scaling failed: $work/sweep.log"
[ "$(wc -l <"$work/sweep.jsonl")" -eq 2 ] || fail "the installed tessera-scaling recorded $(wc -l <"$work/sweep.jsonl") runs, not 2"

check_output() {
  grep -q "consumer: 2 ranks, sum of ranks 1, partition ok" <<<"$1" || fail "$2: consumer printed: $1"
  echo "ok: $2"
}

# CMake: find_package(tessera).
cmake -S "$consumer_src" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/configure.log"
cmake --build "$work/build" -j2 >"$work/build.log"
check_output "$(mpiexec -n 2 --oversubscribe "$work/build/consumer")" "find_package(tessera) consumer"

# pkg-config, compiled by hand the way a Makefile would.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
flags=$(pkg-config --cflags --libs tessera) || fail "pkg-config does not know tessera"
# shellcheck disable=SC2086  # the flags are words
mpicxx "$consumer_src/main.cpp" -o "$work/consumer-pc" $flags || fail "the pkg-config build failed"
check_output "$(mpiexec -n 2 --oversubscribe "$work/consumer-pc")" "pkg-config consumer"

# The same sources as shared libraries: built, installed, consumed, and the installed apps
# find libtessera.so through their RPATH.
cmake -S "$source_dir" -B "$work/shared" -DBUILD_SHARED_LIBS=ON -DTESSERA_BUILD_TESTS=OFF \
  -DTESSERA_BUILD_BENCHMARKS=OFF >"$work/shared-configure.log"
cmake --build "$work/shared" -j2 >"$work/shared-build.log" || fail "the shared build failed ($work/shared-build.log)"
shared_prefix=$work/shared-prefix
cmake --install "$work/shared" --prefix "$shared_prefix" >/dev/null
ls "$shared_prefix"/lib*/libtessera.so >/dev/null 2>&1 || fail "BUILD_SHARED_LIBS=ON installed no libtessera.so"
cmake -S "$consumer_src" -B "$work/build-shared" -DCMAKE_PREFIX_PATH="$shared_prefix" >"$work/configure-shared.log"
cmake --build "$work/build-shared" -j2 >"$work/build-shared.log"
check_output "$(mpiexec -n 2 --oversubscribe "$work/build-shared/consumer")" "shared-library consumer"
mpiexec -n 2 --oversubscribe "$shared_prefix/bin/heat" --n 16 --steps 4 --output "$work/heat-out" --quiet |
  grep -q PASS || fail "the installed shared-library heat did not pass"
echo "ok: shared libraries installed, consumed, and the installed heat runs"
