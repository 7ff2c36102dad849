#!/usr/bin/env bash
# The sanitizer pass of the test suite (tools/test.sh runs it after the main suite; set
# TESSERA_SANITIZERS=0 to skip it):
#   build-asan: AddressSanitizer + UndefinedBehaviorSanitizer (any UB is fatal), running the MPI
#     tests at 1-4 ranks and the end-to-end tests (the longest two, the failure campaign and the
#     digits training, run in the main suite only);
#   build-tsan: ThreadSanitizer on the paths where threads run beside MPI: the watchdog and
#     launcher watch, stop signals and their split-phase agreement (their unit tests, and heat
#     stopped by signals and by the loss of its launcher).
# Leak detection is off: Open MPI and HDF5 keep allocations until exit by design. Under TSan,
# reports from inside the uninstrumented MPI, HDF5 and OpenMP libraries are suppressed (they
# would be false positives), and OpenMP runs one thread.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== sanitizers: address + undefined behaviour"
BUILD_DIR="$root/build-asan" BUILD_TYPE=RelWithDebInfo "$root/tools/build.sh" \
  -DTESSERA_SANITIZE=address -DTESSERA_BUILD_BENCHMARKS=OFF
(
  cd "$root/build-asan"
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest -j "$jobs" --output-on-failure --timeout 900 -L "mpi|e2e" -LE "bench|tools|slurm|install" \
    -E "failure_campaign|train_digits"
)

echo "== sanitizers: thread (watchdog, launcher watch, stop signals)"
suppressions="$root/build-tsan/tsan.supp"
mkdir -p "$root/build-tsan"
# Matched against the modules of a report's frames: Open MPI's libraries and plugins (under
# .../openmpi/), PMIx, libevent, HDF5, UCX and libgomp.
printf '%s\n' "race:openmpi" "race:libmpi" "race:libopen-pal" "race:libopen-rte" "race:libpmix" "race:libevent" \
  "race:libhdf5" "race:libgomp" "race:libucs" "race:libucp" "called_from_lib:libgomp.so" "deadlock:openmpi" \
  "mutex:openmpi" "signal:openmpi" >"$suppressions"
cmake -S "$root" -B "$root/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_SANITIZE=thread \
  -DTESSERA_BUILD_BENCHMARKS=OFF >"$root/build-tsan/configure.log" 2>&1 || {
  cat "$root/build-tsan/configure.log" >&2
  exit 1
}
cmake --build "$root/build-tsan" -j "$jobs" --target heat tessera-ckpt test_step_driver test_run_support
(
  cd "$root/build-tsan"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$suppressions"
  export OMP_NUM_THREADS=1
  ctest -j "$jobs" --output-on-failure --timeout 900 -R "step_driver|run_support|heat_sigterm"
)
echo "== sanitizers: all passed"
