# The apps' XDMF files as ParaView reads them: heat 2D and 3D snapshot series and the cg solution,
# written on 2 ranks, opened in pvbatch (under xvfb-run: Debian's ParaView has no offscreen
# build) with each of its three XDMF readers (XDMFReader, Xdmf3ReaderS, Xdmf3ReaderT). Every
# reader offers one time step per snapshot file, at the times the files hold; at each of them the
# bounds are the interior points [h, 1-h] per axis (2D data in the plane z = 0), the point count
# is the product of the cells, the range of "u" at the first and last time is the min/max h5py
# reads from the matching file, and every point's value is that file's u at the point's (x, y, z),
# which would catch axes swapped between the XDMF and the HDF5 layout.
# ParaView, xvfb-run and xauth missing is a failure that says to run tools/install-deps.sh.
CHECKS=$(cd "$(dirname "$0")" && pwd)
source "$CHECKS/../e2e/lib.sh"
PY=/usr/bin/python3 # the Debian python, which has numpy and h5py

for tool in pvbatch xvfb-run xauth; do
  command -v "$tool" >/dev/null ||
    fail "$tool is not installed, and the XDMF files are checked in ParaView (pvbatch under xvfb-run);" \
      "install with tools/install-deps.sh (as root, or with sudo; Debian packages paraview, xvfb, xauth)"
done

mpi 2 1 "$BIN_DIR/heat" --n 40 --ny 20 --steps 40 --output-every 20 --output heat2d --quiet >heat2d.log 2>&1 ||
  { cat heat2d.log; fail "heat 2D exited non-zero"; }
mpi 2 1 "$BIN_DIR/heat" --dims 3 --n 12 --nz 6 --steps 20 --output-every 10 --output heat3d --quiet \
  >heat3d.log 2>&1 || { cat heat3d.log; fail "heat 3D exited non-zero"; }
mpi 2 1 "$BIN_DIR/cg" --n 12 --output cg --quiet >cg.log 2>&1 || { cat cg.log; fail "cg exited non-zero"; }
for f in heat2d/heat.xdmf heat3d/heat.xdmf cg/cg_solution.xdmf; do
  [ -s "$f" ] || fail "$f was not written"
done

# Root is refused by ParaView unless PV_ALLOW_ROOT is set.
PV_ALLOW_ROOT=1 timeout 180 xvfb-run -a pvbatch "$CHECKS/outputs_paraview.py" seen.json \
  heat2d/heat.xdmf heat3d/heat.xdmf cg/cg_solution.xdmf >pvbatch.log 2>&1 ||
  { cat pvbatch.log; fail "pvbatch exited non-zero"; }
[ -s seen.json ] || { cat pvbatch.log; fail "pvbatch wrote no seen.json (the script did not finish)"; }

$PY - <<'PY' || fail "ParaView does not see what the HDF5 files hold"
import glob
import json
import os

import h5py
import numpy as np

seen = json.load(open("seen.json"))
# file, the cells (x, y, z; z None in 2D) and the number of snapshot files the run writes.
cases = [("heat2d/heat.xdmf", (40, 20, None), 40 // 20 + 1),
         ("heat3d/heat.xdmf", (12, 12, 6), 20 // 10 + 1),
         ("cg/cg_solution.xdmf", (12, 12, 12), 1)]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


for path, cells, count in cases:
    stem = os.path.basename(path)[:-len(".xdmf")]
    files = sorted(glob.glob(os.path.join(os.path.dirname(path), f"{stem}_*.h5")))
    check(len(files) == count, f"{path}: {len(files)} snapshot files beside it, expected {count}")
    snapshots = []  # (time, u) per file
    for name in files:
        with h5py.File(name, "r") as f:
            snapshots.append((float(f.attrs["time"]), f["u"][()]))
    dims = 2 if cells[2] is None else 3
    n = [c for c in cells if c is not None]
    h = [1.0 / (c + 1) for c in n]
    want_shape = tuple(reversed(n))  # (y, x) or (z, y, x)
    for reader, got in seen[path].items():
        where = f"{path} in {reader}"
        times = got["times"]
        if not check(len(times) == len(files), f"{where}: {len(times)} time steps, {len(files)} snapshot files"):
            continue
        for t, (want_t, _) in zip(times, snapshots):
            check(close(t, want_t), f"{where}: time {t!r}, the file holds {want_t!r}")
        for i, at in enumerate(got["at"]):
            t = at["time"]
            u = snapshots[i][1]
            w = f"{where} at time {t!r}"
            check("u" in at["arrays"], f"{w}: point arrays {at['arrays']}, no 'u'")
            check(u.shape == want_shape, f"{w}: the HDF5 u has shape {u.shape}, expected {want_shape}")
            b = at["bounds"]
            # VTK keeps an image's origin and spacing as float: 1e-6 relative.
            for axis in range(dims):
                lo, hi = b[2 * axis], b[2 * axis + 1]
                check(abs(lo - h[axis]) <= 1e-6 and abs(hi - (1 - h[axis])) <= 1e-6,
                      f"{w}: bounds in {'xyz'[axis]} [{lo}, {hi}], expected [{h[axis]}, {1 - h[axis]}]")
            if dims == 2:
                check(b[4] == 0.0 and b[5] == 0.0, f"{w}: 2D data not in the plane z = 0: z in [{b[4]}, {b[5]}]")
            points = int(np.prod(n))
            check(at["points_info"] == points, f"{w}: {at['points_info']} points, expected {points}")
            if i in (0, len(got["at"]) - 1):
                r = at["range"]
                check(r is not None and close(r[0], float(u.min())) and close(r[1], float(u.max())),
                      f"{w}: range of u {r}, h5py reads [{u.min()!r}, {u.max()!r}]")
            if not check(at["u"] is not None and len(at["u"]) == points == len(at["points"]),
                         f"{w}: u on {None if at['u'] is None else len(at['u'])} of {len(at['points'])} points"):
                continue
            xyz = np.array(at["points"])
            index = np.rint(xyz[:, :dims] / np.array(h) - 1).astype(int)
            on_grid = np.abs(xyz[:, :dims] - (index + 1) * np.array(h)).max() <= 1e-6
            inside = all(((index[:, a] >= 0) & (index[:, a] < n[a])).all() for a in range(dims))
            if not check(on_grid and inside, f"{w}: points off the grid of interior points"):
                continue
            if dims == 2:
                check(np.all(xyz[:, 2] == 0.0), f"{w}: 2D points with z != 0")
            check(len({tuple(p) for p in index.tolist()}) == points, f"{w}: points repeated")
            want = u[tuple(index[:, a] for a in reversed(range(dims)))]  # u[z][y][x]
            got_u = np.array(at["u"])
            bad = np.abs(got_u - want) > 1e-12 * np.maximum(np.abs(want), 1e-300)
            check(not bad.any(), f"{w}: u differs from the HDF5 file at {int(bad.sum())} points, first at "
                  f"{xyz[np.argmax(bad)].tolist()}: {got_u[np.argmax(bad)]!r} vs {want[np.argmax(bad)]!r}")
    if not [f for f in failures if f.startswith(path)]:
        print(f"ok: {path}: {len(files)} time steps in XDMFReader, Xdmf3ReaderS and Xdmf3ReaderT; bounds, "
              f"{int(np.prod(n))} points and every value of u as h5py reads them")

for f in failures:
    print("FAIL:", f)
raise SystemExit(1 if failures else 0)
PY
echo "ok: ParaView's three XDMF readers show the heat (2D, 3D) and cg files as h5py reads them"
