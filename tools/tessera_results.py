"""Reading tessera run records (JSON Lines) for scaling sweeps and reports.

Every line of a results file is one run record as the apps write it with --record, plus a
"sweep" object added by tessera-scaling. Loading checks each line and names the file and line
of anything malformed, so a report never silently drops or misreads a run.
"""

import json
import math
import statistics

REQUIRED_KEYS = ("app", "ranks", "threads", "verified", "state_digest", "timers", "metrics")
PHASES = ("compute", "halo", "reduce", "io")
# A point whose repeats' times spread more than this ((max - min) / median) was disturbed.
SPREAD_LIMIT = 0.10


class AppKind:
    """What the report says about one app's runs: the word for a step, what its size counts,
    its throughput metric, and the unit of work that weak scaling keeps fixed."""

    def __init__(self, step, size_unit, throughput_key, throughput_label, throughput_scale, weak_per,
                 bandwidth_label="GB/s"):
        self.step = step                          # "step" or "iteration"
        self.size_unit = size_unit                # what the record's "size" counts
        self.throughput_key = throughput_key      # metric in the record
        self.throughput_label = throughput_label  # table header, after scaling
        self.throughput_scale = throughput_scale  # the table shows metric / scale
        self.weak_per = weak_per                  # "rank" or "core": weak scaling fixes size per ...
        self.bandwidth_label = bandwidth_label

    def weak_share(self, record):
        """The record's size per unit that weak scaling keeps fixed."""
        per = record["ranks"] * (record["threads"] if self.weak_per == "core" else 1)
        return record["size"] / per

    def weak_text(self):
        return f"{self.size_unit} per " + ("core (rank x thread)" if self.weak_per == "core" else "rank")

    def throughput(self, value):
        return f"{value / self.throughput_scale:.1f}" if self.throughput_scale != 1 else f"{value:.3g}"


STENCIL = AppKind("step", "cells", "cell_updates_per_s", "Mcell-updates/s", 1e6, "rank")
APP_KINDS = {
    "heat": STENCIL,
    "cg": STENCIL,  # a cg iteration is reported as a step, as before
    # Every iteration compares each row with each centre over every feature; weak scaling grows
    # the rows with ranks x threads, since threads share the rows of a rank.
    "kmeans": AppKind("iteration", "rows", "triples_per_s", "point-centre-feature triples/s", 1, "core",
                      "GB/s (points read)"),
    # One pass over the data: a "step" is the whole sort (its sort phases) or the statistics.
    "sort": AppKind("sort", "keys", "keys_per_s", "Mkeys/s", 1e6, "core", "GB/s (keys read)"),
    "stats": AppKind("pass", "values", "values_per_s", "Mvalues/s", 1e6, "core", "GB/s (values read)"),
}


def kind_of(app):
    return APP_KINDS.get(app, STENCIL)


def bytes_per_step(record):
    """Bytes an app's step moves, where its record does not say (kmeans: each iteration reads
    every point once; labels and centres are small beside them; sort and stats: their keys,
    once); None if unknown."""
    problem = record.get("problem", {})
    element = {"float32": 4, "int32": 4, "uint8": 1}.get(problem.get("type"), 8)
    if record["app"] == "kmeans":
        return problem.get("rows", record["size"]) * problem.get("features", 1) * element
    if record["app"] in ("sort", "stats"):
        return problem.get("rows", record["size"]) * element
    return None


class ResultsError(Exception):
    """A results file that cannot be used: the message names the file and line."""


def read_lines(path):
    """Yields (line_number, text) of a UTF-8 text file, one line at a time.

    The file is read as bytes and each line decoded on its own: a binary file given by mistake
    (an .h5, an executable) fails at its first undecodable line, naming it, instead of deep in
    a decoder, and is never read whole into memory.
    """
    hint = "give the JSON Lines file that tessera-scaling --results wrote"
    try:
        with open(path, "rb") as f:
            for number, raw in enumerate(f, start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise ResultsError(f"{path}: not a text results file (line {number} is not UTF-8 JSON); "
                                       f"{hint}") from None
                yield number, text
    except OSError as e:
        raise ResultsError(f"{path}: cannot read the results file: {e.strerror}; {hint}") from e


def load_records(path):
    """Returns [(line_number, record)] for every non-empty line of `path`."""
    records = []
    for number, text in read_lines(path):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as e:
            raise ResultsError(f"{path}:{number}: not a JSON record ({e.msg} at column {e.colno})") from e
        if not isinstance(record, dict):
            raise ResultsError(f"{path}:{number}: a record must be a JSON object, got {type(record).__name__}")
        missing = [k for k in REQUIRED_KEYS if k not in record]
        if missing:
            raise ResultsError(f"{path}:{number}: record lacks {', '.join(missing)} (is this a tessera run record?)")
        for key in ("ranks", "threads"):
            if not isinstance(record[key], int) or record[key] < 1:
                raise ResultsError(f"{path}:{number}: '{key}' must be a positive integer, got {record[key]!r}")
        # The report reads into these: a field of another JSON type must be named, not crash it.
        for key in ("timers", "problem", "metrics", "sweep"):
            if key in record and not isinstance(record[key], dict):
                raise ResultsError(f"{path}:{number}: '{key}' must be a JSON object, got "
                                   f"{type(record[key]).__name__} {json.dumps(record[key])[:40]}")
        for key in ("wall_seconds", "size", "steps_run"):
            if key in record and not is_number(record[key]):
                raise ResultsError(f"{path}:{number}: '{key}' must be a number, got {json.dumps(record[key])[:40]}")
        if "load" in record and not is_load(record["load"]):
            raise ResultsError(f"{path}:{number}: 'load' must be {{\"start\": [1m, 5m, 15m], \"end\": [1m, 5m, 15m], "
                               "\"cores_on_node\": N, \"cpus_online\": M} (load averages as /proc/loadavg gives "
                               f"them, or null), got {json.dumps(record['load'])[:60]}")
        records.append((number, record))
    if not records:
        raise ResultsError(f"{path}: no run records in the file")
    return records


def is_number(value):
    """True for a JSON number (bool is an int to Python, not a number to JSON)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_load(value):
    """True for a record's "load": {"start": [...], "end": [...], "cores_on_node": N,
    "cpus_online": M}: the 1-, 5- and 15-minute load averages when the run started and ended
    (null where /proc/loadavg could not be read), the cores its ranks on a node were bound to,
    and the node's online CPUs; any of them may be missing."""
    if not isinstance(value, dict):
        return False
    averages = [value.get(key) for key in ("start", "end") if value.get(key) is not None]
    counts = [value.get(key) for key in ("cores_on_node", "cpus_online") if value.get(key) is not None]
    return (all(isinstance(a, list) and a and all(is_number(v) for v in a) for a in averages) and
            all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in counts))


def probe_of(records):
    """The last machine-probe record, or None."""
    probes = [r for _, r in records if r["app"] == "probe"]
    return probes[-1] if probes else None


def sweep_groups(records, path):
    """Groups sweep runs by (app, mode): {(app, mode): [(line, record)]}.

    Strong-scaling runs of one group must share the global size, weak-scaling runs the size per
    rank; a run that differs is reported with its line, since mixing them would make every
    speedup and efficiency in the report wrong.
    """
    groups = {}
    for number, record in records:
        if record["app"] == "probe":
            continue
        sweep = record.get("sweep")
        if not isinstance(sweep, dict) or sweep.get("mode") not in ("strong", "weak"):
            raise ResultsError(f"{path}:{number}: run record of '{record['app']}' has no sweep information "
                               "(records in a results file come from tessera-scaling)")
        for key in ("size", "steps_run"):
            if key not in record:
                raise ResultsError(f"{path}:{number}: record lacks '{key}'")
        groups.setdefault((record["app"], sweep["mode"]), []).append((number, record))
    for (app, mode), runs in groups.items():
        kind = kind_of(app)

        def size_key(r):
            return r["size"] if mode == "strong" else kind.weak_share(r)
        first_line, first = runs[0]
        for number, record in runs[1:]:
            if not math.isclose(size_key(record), size_key(first), rel_tol=1e-9):
                what = "global size" if mode == "strong" else f"size per {kind.weak_per}"
                raise ResultsError(f"{path}:{number}: {app} {mode}-scaling run has {what} {size_key(record):g}, "
                                   f"but line {first_line} has {size_key(first):g}; put different sweeps in "
                                   "different results files")
    return groups


def seconds_per_step(record):
    """Stepping time per step, without checkpoint or snapshot I/O."""
    steps = max(record["steps_run"], 1)
    seconds = record.get("step_seconds", record.get("wall_seconds", 0.0))
    return seconds / steps


def phase_per_step(record, phase):
    """Average over ranks of one phase's time per step."""
    timers = record["timers"].get(phase, {})
    return timers.get("avg", 0.0) / max(record["steps_run"], 1)


def bandwidth(record):
    """Achieved bandwidth (bytes/s) of a record: its own metric, else bytes_per_step per step."""
    if "bandwidth_bytes_per_s" in record["metrics"]:
        return record["metrics"]["bandwidth_bytes_per_s"]
    moved = bytes_per_step(record)
    seconds = seconds_per_step(record)
    return moved / seconds if moved is not None and seconds > 0 else 0.0


def summarize_points(runs):
    """One row per (ranks, threads): medians over repeats."""
    points = {}
    for _, record in runs:
        points.setdefault((record["ranks"], record["threads"]), []).append(record)
    rows = []
    for (ranks, threads), group in sorted(points.items()):
        kind = kind_of(group[0]["app"])
        times = [seconds_per_step(r) for r in group]
        median = statistics.median(times)
        loads = [r.get("load", {}) for r in group]
        row = {
            "ranks": ranks,
            "threads": threads,
            "cores": ranks * threads,
            "ranks_per_node": max(r.get("ranks_per_node", ranks) for r in group),
            "size": group[0]["size"],
            "repeats": len(group),
            "seconds_per_step": median,
            "seconds_per_step_min": min(times),
            "seconds_per_step_max": max(times),
            "spread": (max(times) - min(times)) / median if median > 0 else 0.0,  # 0 for one repeat
            "load_at_start": max((load["start"][0] for load in loads if load.get("start")), default=None),
            "cores_on_node": min((load["cores_on_node"] for load in loads if load.get("cores_on_node")), default=None),
            "cpus_online": min((load["cpus_online"] for load in loads if load.get("cpus_online")), default=None),
            "cell_updates_per_s": statistics.median(r["metrics"].get("cell_updates_per_s", 0.0) for r in group),
            "throughput": statistics.median(r["metrics"].get(kind.throughput_key, 0.0) for r in group),
            "bandwidth_bytes_per_s": statistics.median(bandwidth(r) for r in group),
            "verified": all(r["verified"] for r in group),
            "oversubscribed": any(r.get("oversubscribed", False) for r in group),
            "phases": {p: statistics.median(phase_per_step(r, p) for r in group) for p in PHASES},
            "compute_max_per_step": statistics.median(
                r["timers"].get("compute", {}).get("max", 0.0) / max(r["steps_run"], 1) for r in group),
            "dims": group[0].get("problem", {}).get("dims", 2),
        }
        rows.append(row)
    base = rows[0]
    for row in rows:
        ratio = base["seconds_per_step"] / row["seconds_per_step"] if row["seconds_per_step"] > 0 else 0.0
        scale = row["cores"] / base["cores"]
        row["speedup"] = ratio if row["size"] == base["size"] else ratio * row["size"] / base["size"]
        row["efficiency"] = row["speedup"] / scale
    return rows


def note_points(rows, fallback_cores):
    """Says, per row, why its time may show something other than scaling: row["notes"] is a list
    of short phrases, empty for a clean point. A point is judged against the cores its records
    give (load.cores_on_node: the cores its ranks on a node were bound to), else against
    `fallback_cores` (None: unknown, and only the records' own oversubscribed flags count).

    A point is oversubscribed when its record says so (the app compares ranks x threads with its
    affinity masks) or when its ranks per node x threads exceed those cores. It is disturbed when
    its repeats' times spread more than SPREAD_LIMIT, or when the 1-minute load average at the
    start of a repeat exceeded the node's online CPUs (load.cpus_online; those cores where a
    record lacks it): more runnable work than the node could run before it began. The load
    average counts the whole node, so it is held against the whole node's CPUs: other jobs on
    a shared node's other cores do not flag a point. (A load average lags: the sweep's own
    previous run still weighs in it, but with at most its ranks x threads, so a sweep whose
    points grow does not flag itself.)"""
    for row in rows:
        cores = row["cores_on_node"] or fallback_cores
        notes = []
        on_node = row["ranks_per_node"] * row["threads"]
        if cores is not None and on_node > cores:
            row["oversubscribed"] = True
            per_node = " per node" if row["ranks_per_node"] < row["ranks"] else ""
            notes.append(f"oversubscribed ({row['ranks_per_node']} ranks x {row['threads']} threads{per_node} on "
                         f"{cores} cores)")
        elif row["oversubscribed"]:
            notes.append("oversubscribed (as the run found: more ranks x threads than the cores it was bound to)")
        if row["spread"] > SPREAD_LIMIT:
            notes.append(f"spread {row['spread']:.0%} over {row['repeats']} repeats")
        node_cpus = row.get("cpus_online") or cores
        if node_cpus is not None and row["load_at_start"] is not None and row["load_at_start"] > node_cpus:
            notes.append(f"load {row['load_at_start']:.1f} at start")
        row["notes"] = notes


def stream_copy_bandwidth(probe):
    """The probe's best all-ranks STREAM copy bandwidth (bytes/s), or None."""
    if not probe:
        return None
    figures = [s["bytes_per_s"]["median"] for s in probe["metrics"].get("stream", [])
               if s["kernel"] == "copy" and s["scope"] == "all"]
    return max(figures) if figures else None
