# Bad input: exit status 2, one clear message (from one rank, not four), and no hang.
source "$(dirname "$0")/lib.sh"

APP=heat

printf 'n = 16\nsteps = 5\nbogus = 3\n' >unknown.toml
printf 'n = [1, \n' >broken.toml
printf 'chekpoint-every = 5\n' >typo.toml
expect_usage_error "--n" --n 0
expect_usage_error "--dims" --dims 4
expect_usage_error "3x3" --proc-grid 3x3
expect_usage_error "stability limit" --n 32 --dt 1
expect_usage_error "no-such-file.toml" --config no-such-file.toml
expect_usage_error "bogus" --config unknown.toml
expect_usage_error "TOML" --config broken.toml
expect_usage_error "--frobnicate" --frobnicate
expect_usage_error "has only 2 cells" --nx 2 --ny 2 --proc-grid 4x1
expect_usage_error "unknown key 'chekpoint-every'" --config typo.toml
expect_usage_error "GiB per rank" --n 99999999999
expect_usage_error "choose a writable --record" --record /dev/null/runs.jsonl
expect_usage_error "choose a writable --output" --output /dev/null/out
expect_usage_error "--nz 5 is for 3D grids" --nz 5

OMP_NUM_THREADS=1 "$BIN_DIR/heat" --help >help.txt
for option in --dims --n --nx --ny --nz --steps --alpha --dt --proc-grid --output-every --config --output \
  --checkpoint-every --checkpoint-dir --keep --restart --record --quiet; do
  grep -q -- "$option" help.txt || fail "--help does not list $option"
done
echo "ok: --help lists every option"

# A checkpoint directory from another problem is refused, not silently resumed.
mpi 2 1 "$BIN_DIR/heat" --n 20 --steps 10 --checkpoint-every 5 --output other --quiet >/dev/null
expect_usage_error "different problem options" --n 24 --steps 10 --restart --output other
# Resuming a checkpoint that lies beyond the requested step count.
expect_usage_error "beyond this run's 7 steps" --n 20 --steps 7 --restart --output other
