# cg bad input: exit status 2, one clear message from one rank, no hang.
source "$(dirname "$0")/lib.sh"
APP=cg

printf 'n = 16\nrtol = 1e-6\ntolerance = 3\n' >unknown.toml
expect_usage_error "--n: must be greater than 0, got 0" --n 0
expect_usage_error "--nz: must be 0 or more, got -4" --nz -4
expect_usage_error "--rtol: must be 0 or more, got -1e-6" --rtol -1e-6
expect_usage_error "--rtol must be in [0, 1)" --rtol 2
expect_usage_error "--rtol: 'inf' is not a finite number" --rtol inf
expect_usage_error "--max-iters: must be greater than 0, got 0" --max-iters 0
expect_usage_error "--preconditioner" --preconditioner ilu
expect_usage_error "no-such-file.toml" --config no-such-file.toml
expect_usage_error "unknown key 'tolerance'" --config unknown.toml
expect_usage_error "has only 2 cells" --nx 2 --proc-grid 4x1x1
expect_usage_error "GiB per rank" --n 9999999
expect_usage_error "choose a writable --output" --output /dev/null/out

OMP_NUM_THREADS=1 "$BIN_DIR/cg" --help >help.txt
for option in --n --nx --ny --nz --rtol --max-iters --preconditioner --proc-grid --reproducible --no-write-solution \
  --config --output --checkpoint-every --checkpoint-dir --keep --restart --record --quiet; do
  grep -q -- "$option" help.txt || fail "--help does not list $option"
done
echo "ok: --help lists every option"

# Checkpoints of another grid or sum mode are refused, not silently resumed.
mpi 2 1 "$BIN_DIR/cg" --n 12 --checkpoint-every 5 --output other --quiet --no-write-solution >/dev/null
expect_usage_error "different problem options" --n 14 --restart --output other
expect_usage_error "different problem options" --n 12 --reproducible --restart --output other
expect_usage_error "beyond this run's 3 iterations; raise --max-iters" --n 12 --max-iters 3 --restart --output other
