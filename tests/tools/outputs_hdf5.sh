# Every HDF5 file the apps write describes itself to h5py: heat snapshots (2D and 3D), the cg
# solution, kmeans.h5, sorted.h5, stats.h5 and model.h5, written on 2 ranks, carry root
# attributes app, tessera_version and git_revision (those `APP --version` prints) and options, a
# JSON object of every option that defines the result (each option --help lists, less the run
# control: paths, checkpoints, messages, failure handling, process grid) with the values given;
# every dataset has dimension_names (one per dimension), long_name and units; snapshots have
# step (the file name's) and time, and u has origin and spacing per dimension in the order of
# dimension_names. No attribute anywhere, checkpoints included, reads as bytes: every string is
# str. The heat checkpoints' config says the order of its cells (cells_order).
CHECKS=$(cd "$(dirname "$0")" && pwd)
source "$CHECKS/../e2e/lib.sh"
PY=/usr/bin/python3 # the Debian python, which has numpy and h5py

run() { # NAME APP ARGS...: APP on 2 ranks, which must succeed
  local name=$1 app=$2
  shift 2
  mpi 2 1 "$BIN_DIR/$app" "$@" >"$name.log" 2>&1 || { cat "$name.log"; fail "$name: $app $* exited non-zero"; }
}

# Run-control options given on purpose: none of them may reach a file's options.
run heat2d heat --n 40 --ny 20 --steps 40 --output-every 20 --output heat2d --record heat2d.jsonl --keep 3 \
  --watchdog-timeout 60 --quiet
run heat3d heat --dims 3 --n 12 --nz 6 --steps 20 --output-every 10 --output heat3d --record heat3d.jsonl --quiet
run checkpoints heat --n 16 --steps 20 --checkpoint-every 10 --output ckpt --quiet
run cg cg --n 12 --rtol 1e-7 --output cg --record cg.jsonl --quiet
run blobs tessera-data generate blobs -o blobs.h5 --rows 203 --features 3 --centres 3 --seed 2
run kmeans kmeans --input blobs.h5:/points --k 3 --labels --output kmeans --checkpoint-every 1 --quiet
run keys tessera-data generate keys --rows 1001 --dist normal --type float64 -o keys.h5
run sort sort --input keys.h5:/keys --values keys.h5:/values --output sort --quiet
run stats stats --input keys.h5:/keys --bins 20 --output stats --quiet
$PY - <<'PY'
import h5py
import numpy as np
rng = np.random.default_rng(3)
with h5py.File("d.h5", "w") as f:
    f["images"] = rng.integers(0, 255, size=(40, 16), dtype=np.uint8)
    f["labels"] = rng.integers(0, 3, size=40, dtype=np.int32)
    f["images"].attrs["labels"] = "/labels"
PY
run train train --train d.h5:/images --input-scale 0.0039 --model mlp --hidden 8 --epochs 2 --batch 8 --output train \
  --quiet
for app in heat cg kmeans sort stats train; do
  "$BIN_DIR/$app" --help >"help-$app.txt" || fail "$app --help exited non-zero"
  "$BIN_DIR/$app" --version >"version-$app.txt" || fail "$app --version exited non-zero"
done

$PY - <<'PY' || fail "the HDF5 files do not describe themselves"
import glob
import json
import os
import re

import h5py
import numpy as np

# The options that steer a run but do not define its result (src/run/common_options.hpp), and
# the process grid and the output cadence (how the work is laid out and written, not what is
# computed).
RUN_CONTROL = {"config", "output", "checkpoint-every", "checkpoint-dir", "keep", "restart", "record", "quiet",
               "watchdog-timeout", "on-checkpoint-error", "inject-fault", "proc-grid", "output-every"}
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def help_options(app):
    names = re.findall(r"^ +(?:-\w,)?--([a-z0-9][a-z0-9-]*)", open(f"help-{app}.txt").read(), re.M)
    return set(names) - {"help", "version"}


def version_of(app):
    m = re.fullmatch(r"tessera (\S+) \(git (\S+)\)\n?", open(f"version-{app}.txt").read())
    assert m, f"{app} --version printed {open(f'version-{app}.txt').read()!r}"
    return m[1], m[2] if m[2] == "unknown" else "g" + m[2]


def no_bytes(path, f):
    """Every attribute of every object of the file, root first: strings are str, never bytes."""
    objects = [("/", f)]
    f.visititems(lambda name, obj: objects.append(("/" + name, obj)))
    for where, obj in objects:
        for key in obj.attrs:
            value = obj.attrs[key]
            items = value.ravel().tolist() if isinstance(value, np.ndarray) else [value]
            dtype_kind = value.dtype.kind if isinstance(value, (np.ndarray, np.generic)) else None
            check(dtype_kind != "S" and not any(isinstance(v, (bytes, np.bytes_)) for v in items),
                  f"{path}:{where} attribute {key} reads as bytes: {value!r}")
    return objects


def described(path, name, d):
    """A dataset that says what its dimensions, values and units are."""
    dn = d.attrs.get("dimension_names")
    if check(dn is not None, f"{path}:/{name}: no dimension_names"):
        names = list(dn) if isinstance(dn, np.ndarray) else [dn]
        check(len(names) == d.ndim and all(isinstance(n, str) and n for n in names),
              f"{path}:/{name}: dimension_names {names!r} for {d.ndim} dimensions")
    for key in ("long_name", "units"):
        v = d.attrs.get(key)
        check(isinstance(v, str) and v != "", f"{path}:/{name}: {key} is {v!r}, expected a non-empty str")


def provenance(path, f, app, given):
    """Root attributes app, tessera_version, git_revision, options (JSON, no run control)."""
    version, revision = version_of(app)
    a = f.attrs
    check(a.get("app") == app, f"{path}: app {a.get('app')!r}, expected {app!r}")
    check(a.get("tessera_version") == version, f"{path}: tessera_version {a.get('tessera_version')!r}, "
          f"{app} --version says {version!r}")
    check(a.get("git_revision") == revision, f"{path}: git_revision {a.get('git_revision')!r}, "
          f"{app} --version says {revision!r}")
    rev = a.get("git_revision")
    check(isinstance(rev, str) and (rev.startswith("g") or rev == "unknown"),
          f"{path}: git_revision {rev!r} is neither g<hash> nor 'unknown'")
    text = a.get("options")
    if not check(isinstance(text, str), f"{path}: options is {text!r}, expected a JSON str"):
        return
    try:
        options = json.loads(text)
    except ValueError as e:
        check(False, f"{path}: options is not JSON ({e}): {text!r}")
        return
    if not check(isinstance(options, dict), f"{path}: options is JSON {type(options).__name__}, not an object"):
        return
    leaked = sorted(RUN_CONTROL & set(options))
    check(not leaked, f"{path}: options holds run-control keys {leaked}")
    want = help_options(app) - RUN_CONTROL
    check(set(options) == want, f"{path}: options lacks {sorted(want - set(options))} and has extra "
          f"{sorted(set(options) - want)} (expected every option of {app} --help less run control)")
    for key, value in given.items():
        check(options.get(key) == value and type(options.get(key)) is type(value),
              f"{path}: options[{key!r}] is {options.get(key)!r}, the run gave {value!r}")


def snapshots(folder, stem, app, given, cells, dt):
    """The snapshot series of heat (dt: its time step) or cg (dt None: time is the iteration)."""
    files = sorted(glob.glob(f"{folder}/{stem}_*.h5"))
    check(files, f"{folder}: no {stem}_*.h5")
    for path in files:
        with h5py.File(path, "r") as f:
            no_bytes(path, f)
            provenance(path, f, app, given)
            step = int(re.fullmatch(rf"{stem}_(\d+)\.h5", os.path.basename(path))[1])
            s, t = f.attrs.get("step"), f.attrs.get("time")
            check(isinstance(s, np.integer) and s == step, f"{path}: step {s!r}, the file name says {step}")
            check(isinstance(t, np.floating), f"{path}: time {t!r} is not a float")
            want_t = step * dt if dt is not None else float(step)
            check(t is not None and abs(t - want_t) <= 1e-12 * max(abs(want_t), 1e-300),
                  f"{path}: time {t!r}, expected {want_t!r} for step {step}")
            if not check("u" in f, f"{path}: no /u"):
                continue
            u = f["u"]
            described(path, "u", u)
            dims = ["z", "y", "x"][-u.ndim:]
            check(list(u.attrs.get("dimension_names", [])) == dims,
                  f"{path}:/u: dimension_names {u.attrs.get('dimension_names')!r}, expected {dims}")
            check(u.shape == tuple(reversed(cells)), f"{path}:/u: shape {u.shape}, cells (x, y, z) {cells}")
            h = [1.0 / (c + 1) for c in reversed(cells)]  # in the order of dimension_names
            for key in ("origin", "spacing"):
                v = u.attrs.get(key)
                if check(v is not None and np.ndim(v) == 1 and len(v) == u.ndim,
                         f"{path}:/u: {key} {v!r}, expected {u.ndim} numbers"):
                    check(np.allclose(v, h, rtol=1e-14, atol=0), f"{path}:/u: {key} {list(v)}, expected {h}")
    return files


def record(path):
    return json.loads(open(path).readlines()[-1])


checked = []
dt2 = record("heat2d.jsonl")["problem"]["dt"]
dt3 = record("heat3d.jsonl")["problem"]["dt"]
checked += snapshots("heat2d", "heat", "heat", {"n": 40, "ny": 20, "steps": 40, "dims": 2},
                     (40, 20), dt2)
checked += snapshots("heat3d", "heat", "heat", {"n": 12, "nz": 6, "steps": 20, "dims": 3},
                     (12, 12, 6), dt3)
checked += snapshots("cg", "cg_solution", "cg", {"n": 12, "rtol": 1e-7}, (12, 12, 12), None)
check(len(glob.glob("heat2d/heat_*.h5")) == 3 and len(glob.glob("heat3d/heat_*.h5")) == 3 and
      len(glob.glob("cg/cg_solution_*.h5")) == 1, "not the expected number of snapshot files")

# The data apps: the datasets each file must hold, every one described.
data = [("kmeans/kmeans.h5", "kmeans", {"k": 3, "input": "blobs.h5:/points", "labels": True},
         {"centres", "cluster_sizes", "labels"}),
        ("sort/sorted.h5", "sort", {"input": "keys.h5:/keys", "values": "keys.h5:/values"}, {"keys", "values"}),
        ("stats/stats.h5", "stats", {"input": "keys.h5:/keys", "bins": 20}, {"histogram", "bin_edges"}),
        ("train/model.h5", "train", {"train": "d.h5:/images", "model": "mlp", "hidden": "8", "epochs": 2, "batch": 8},
         {"layer0_weights", "layer0_bias", "layer1_weights", "layer1_bias"})]
for path, app, given, names in data:
    if not check(os.path.isfile(path), f"{path} was not written"):
        continue
    with h5py.File(path, "r") as f:
        objects = no_bytes(path, f)
        provenance(path, f, app, given)
        datasets = [(w[1:], o) for w, o in objects if isinstance(o, h5py.Dataset)]
        check(names <= {n for n, _ in datasets}, f"{path}: datasets {sorted(n for n, _ in datasets)}, "
              f"expected at least {sorted(names)}")
        for name, d in datasets:
            described(path, name, d)
    checked.append(path)

# Generated inputs (tessera-data): who made them, and every dataset described.
for path, generator in (("blobs.h5", "tessera-data generate blobs"), ("keys.h5", "tessera-data generate keys")):
    with h5py.File(path, "r") as f:
        objects = no_bytes(path, f)
        version, revision = version_of("kmeans")
        check(f.attrs.get("app") == generator, f"{path}: app {f.attrs.get('app')!r}, expected {generator!r}")
        check(f.attrs.get("tessera_version") == version and f.attrs.get("git_revision") == revision,
              f"{path}: tessera_version {f.attrs.get('tessera_version')!r}, git_revision {f.attrs.get('git_revision')!r}")
        for name, d in ((w[1:], o) for w, o in objects if isinstance(o, h5py.Dataset)):
            described(path, name, d)
    checked.append(path)

# Checkpoints: no bytes anywhere (metadata, arrays and their attributes); config names the cells.
ckpts = sorted(glob.glob("ckpt/checkpoints/ckpt_*.h5")) + sorted(glob.glob("kmeans/checkpoints/ckpt_*.h5"))
check(len(glob.glob("ckpt/checkpoints/ckpt_*.h5")) == 2, "heat wrote not 2 checkpoints (steps 10 and 20)")
check(glob.glob("kmeans/checkpoints/ckpt_*.h5"), "kmeans --checkpoint-every 1 wrote no checkpoint")
for path in ckpts:
    with h5py.File(path, "r") as f:
        no_bytes(path, f)
        if path.startswith("ckpt/"):
            config = f.attrs.get("config")
            check(isinstance(config, str) and "cells_order=x,y,z" in config, f"{path}: config {config!r} lacks cells_order")
    checked.append(path)

for f in failures:
    print("FAIL:", f)
if failures:
    raise SystemExit(1)
print(f"ok: {len(checked)} files describe themselves:", " ".join(checked))
PY
echo "ok: every HDF5 file carries its provenance and options, every dataset its dimensions and units, no bytes"
