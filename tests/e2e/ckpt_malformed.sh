#!/usr/bin/env bash
# tessera-ckpt against crafted checkpoints: every structurally malformed file (missing
# attribute or group, string digest, 5-D or scalar array, unknown format version, a plain HDF5
# file, a text file, an array declared far larger than the file) is reported INVALID with its
# reason while the others are still listed; directories, FIFOs and device links named like
# checkpoints are reported and never opened; output survives a pipe; nothing aborts or hangs.
source "$(dirname "$0")/lib.sh"
CKPT=$BIN_DIR/tessera-ckpt

mpi 2 1 "$BIN_DIR/heat" --quiet --n 24 --steps 20 --checkpoint-every 20 --output good >/dev/null
good=good/checkpoints/ckpt_000000020.h5

# Each case: a directory holding one damaged copy named for step 20, and the reason expected.
/usr/bin/python3 - "$good" <<'PY'
import h5py, numpy as np, os, shutil, sys
good = sys.argv[1]
def case(name):
    os.makedirs(name)
    path = os.path.join(name, "ckpt_000000020.h5")
    shutil.copy(good, path)
    return h5py.File(path, "r+")
def replace_array(f, **create):
    attrs = dict(f["arrays/u"].attrs)
    del f["arrays/u"]
    d = f.create_dataset("arrays/u", **create)
    for k, v in attrs.items():
        d.attrs[k] = v
with case("no_step") as f: del f.attrs["step"]
with case("no_arrays") as f: del f["arrays"]
with case("no_scalars") as f: del f["scalars"]
with case("string_digest") as f: f.attrs["meta_digest"] = "abc"
with case("five_dims") as f: replace_array(f, data=np.zeros((2, 2, 2, 2, 2)))
with case("scalar_array") as f: replace_array(f, data=3.0)
with case("huge_array") as f: replace_array(f, shape=(30000, 30000), dtype="f8")
with case("version_99") as f: f.attrs["format_version"] = 99
with case("no_array_digest") as f: del f["arrays/u"].attrs["digest"]
os.makedirs("plain_hdf5")
with h5py.File("plain_hdf5/ckpt_000000020.h5", "w") as f: f["x"] = [1, 2]
os.makedirs("text")
open("text/ckpt_000000020.h5", "w").write("not hdf5\n")
PY

expect_invalid() {  # DIR FRAGMENT
  local dir=$1 fragment=$2 status
  set +e
  timeout 60 "$CKPT" verify "$dir" >out.log 2>err.log
  status=$?
  set -e
  [ "$status" -eq 1 ] || { cat out.log err.log; fail "verify $dir exited $status, expected 1"; }
  grep -q "INVALID: .*$fragment" out.log || { cat out.log err.log; fail "verify $dir: no INVALID line with '$fragment'"; }
  ! grep -q "MPI_ABORT\|MPI_Abort" err.log || { cat err.log; fail "verify $dir aborted"; }
  echo "ok: $dir -> $(cut -c1-150 out.log)"
}
expect_invalid no_step "attribute 'step'"
expect_invalid no_arrays "group 'arrays'"
expect_invalid no_scalars "group 'scalars'"
expect_invalid string_digest "meta_digest"
expect_invalid five_dims "5 dimensions"
expect_invalid scalar_array "0 dimensions"
expect_invalid huge_array "declares 30000x30000 float64"
expect_invalid version_99 "format version 99"
expect_invalid no_array_digest "attribute 'digest'"
expect_invalid plain_hdf5 "not a tessera checkpoint"
expect_invalid text "cannot open HDF5 file"

# All of them in one directory, listed through a pipe: every file gets its line.
mkdir all
step=10
for d in no_step no_arrays five_dims huge_array plain_hdf5 text; do
  step=$((step + 1))
  cp "$d/ckpt_000000020.h5" "all/ckpt_0000000$step.h5"
done
cp "$good" all/ckpt_000000020.h5
mkdir all/ckpt_000000030.h5
mkfifo all/ckpt_000000031.h5
ln -s /dev/zero all/ckpt_000000032.h5
timeout 60 "$CKPT" list all | cat >list.log || fail "list ended with an error"
cat list.log
[ "$(grep -c INVALID list.log)" -eq 6 ] || fail "list: expected 6 INVALID lines"
grep -q "^ckpt_000000020.h5 .* valid$" list.log || fail "list: the good checkpoint is not listed as valid"
grep -q "ckpt_000000030.h5 .*ignored: a directory" list.log || fail "list: the directory is not reported"
grep -q "ckpt_000000031.h5 .*ignored: a FIFO" list.log || fail "list: the FIFO is not reported"
grep -q "ckpt_000000032.h5 .*ignored: a character device" list.log || fail "list: the device link is not reported"

# Under mpirun as well (verification split over ranks).
set +e
timeout 60 "$MPIEXEC" -n 2 --oversubscribe "$CKPT" verify all >mpi.log 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || { cat mpi.log; fail "verify on 2 ranks exited $status, expected 1"; }
[ "$(grep -c INVALID mpi.log)" -eq 6 ] || { cat mpi.log; fail "verify on 2 ranks: expected 6 INVALID lines"; }

# A FIFO given by name is refused at once, not opened.
set +e
timeout 20 "$CKPT" info all/ckpt_000000031.h5 >out.log 2>&1
status=$?
set -e
[ "$status" -eq 2 ] || { cat out.log; fail "info on a FIFO exited $status, expected 2"; }
grep -q "is a FIFO, not a regular file" out.log || { cat out.log; fail "info on a FIFO: unclear message"; }

# A misspelt subcommand is named.
set +e
"$CKPT" lsit all >out.log 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && grep -q "unknown subcommand 'lsit'" out.log || { cat out.log; fail "misspelt subcommand: exit $status"; }

# And a resume skips all the damaged ones for the newest good checkpoint, naming each.
cp -r good/checkpoints resume
cp huge_array/ckpt_000000020.h5 resume/ckpt_000000025.h5
mkdir resume/ckpt_000000026.h5
mpi 2 1 "$BIN_DIR/heat" --quiet --n 24 --steps 30 --restart --checkpoint-dir resume --output r >r.log 2>&1 ||
  { cat r.log; fail "the resume past damaged checkpoints failed"; }
grep -q "resumed from checkpoint step 20" r.log || { cat r.log; fail "did not resume from step 20"; }
grep -q "ckpt_000000026.h5: named like a checkpoint but a directory" r.log || { cat r.log; fail "the directory was not reported"; }
grep -q "ckpt_000000025.h5 is unusable" r.log || { cat r.log; fail "the damaged checkpoint was not reported"; }
echo "PASS"
