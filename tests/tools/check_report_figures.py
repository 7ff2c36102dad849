"""Checks what a tessera-report's plots hold against the records they were drawn from.

  check_report_figures.py RESULTS REPORT_DIR CORES

tessera-report writes beside each PNG a JSON of what it drew. Per app and scaling mode, this
checks: one series per thread count, each joining only points of its own thread count (so no
line runs from 1 rank x 2 threads to 2 ranks x 1 thread), over cores = ranks x threads on a
log2 axis ticked with the measured counts; hollow (flagged) points exactly where the table has
a note, and the notes those of the records (oversubscribed beyond the record's cores, repeats
spread over 10%, a load average at the start above the node's online CPUs, else the record's
cores; CORES for records that give neither); min-max error bars over the repeats on the time
and speedup plots; legends clear of the axes. Exits 1 with a line per failure.
"""

import json
import math
import os
import re
import statistics
import sys

SPREAD_LIMIT = 0.10
OVER_CORES = ("time", "speedup", "efficiency", "bandwidth")


def seconds_per_step(record):
    return record.get("step_seconds", record.get("wall_seconds", 0.0)) / max(record["steps_run"], 1)


def load_points(path):
    """{(app, mode): {(ranks, threads): [records]}} of the sweep runs in a results file."""
    groups = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["app"] == "probe":
                continue
            points = groups.setdefault((record["app"], record["sweep"]["mode"]), {})
            points.setdefault((record["ranks"], record["threads"]), []).append(record)
    return groups


def expected_notes(group, fallback_cores):
    """The kinds of note a point's records call for (the first word of each note)."""
    ranks, threads = group[0]["ranks"], group[0]["threads"]
    loads = [r.get("load", {}) for r in group]
    cores = min((load["cores_on_node"] for load in loads if load.get("cores_on_node")), default=fallback_cores)
    times = [seconds_per_step(r) for r in group]
    on_node = max(r.get("ranks_per_node", ranks) for r in group) * threads
    kinds = set()
    if any(r.get("oversubscribed") for r in group) or on_node > cores:
        kinds.add("oversubscribed")
    if len(times) > 1 and (max(times) - min(times)) / statistics.median(times) > SPREAD_LIMIT:
        kinds.add("spread")
    # The load average counts the whole node: held against the node's online CPUs where known.
    node_cpus = min((load["cpus_online"] for load in loads if load.get("cpus_online")), default=cores)
    if any(load.get("start") and load["start"][0] > node_cpus for load in loads):
        kinds.add("load")
    return kinds


def table_notes(markdown, app, mode):
    """{(ranks, threads): note} from the run table of a report section."""
    lines = markdown[markdown.index(f"## {app}: {mode} scaling"):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| ranks | threads |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    assert header[-1] == "note", header
    notes = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        notes[(int(cells[0]), int(cells[1]))] = cells[-1]
    return notes


class Checker:
    """Collects failures, so one run names them all."""

    def __init__(self):
        self.failures = []

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition


def check_notes(check, tag, points, notes, cores):
    for point, group in points.items():
        kinds = {re.match(r"[a-z]+", n.strip()).group(0) for n in notes[point].split(";") if n.strip()}
        check.expect(kinds == expected_notes(group, cores),
                     f"{tag} {point}: note '{notes[point]}', expected kinds {sorted(expected_notes(group, cores))}")


def check_series(check, name, plot, points, notes):
    """One series per thread count, each of its own thread count only, over ranks x threads."""
    series = [s for s in plot["series"] if "threads" in s]
    thread_counts = sorted({t for _, t in points})
    check.expect(sorted(s["threads"] for s in series) == thread_counts,
                 f"{name}: series for thread counts {[s['threads'] for s in series]}, the records have {thread_counts}")
    for s in series:
        t = s["threads"]
        check.expect(s["label"] == f"{t} thread{'s' if t > 1 else ''} per rank", f"{name}: label '{s['label']}'")
        check.expect(s["ranks"] == sorted({r for r, th in points if th == t}),
                     f"{name}: the {t}-thread series has ranks {s['ranks']}, not those of its thread count")
        check.expect(s["x"] == [r * t for r in s["ranks"]], f"{name}: the {t}-thread series' x is not ranks x {t}")
        check.expect(s["flagged"] == [bool(notes[(r, t)]) for r in s["ranks"]],
                     f"{name}: the {t}-thread series is hollow at {s['flagged']}, not where the table has notes")
    cores = sorted({r * t for r, t in points})
    check.expect(plot["x_scale"] == "log2", f"{name}: x axis is {plot['x_scale']}, not log2")
    # Every measured count is ticked, or every other one when there are many.
    labelled = [str(c) for c in (cores if len(cores) <= 8 else cores[(len(cores) - 1) % 2::2])]
    check.expect(plot["x_ticks"] == labelled, f"{name}: x ticks {plot['x_ticks']}, not {labelled}")


def check_error_bars(check, name, plot, points):
    """Min-max bars round every point; on the time plot, exactly the repeats' min and max."""
    for s in (s for s in plot["series"] if "threads" in s):
        if not check.expect("y_min" in s and "y_max" in s, f"{name}: {s['threads']}-thread series without error bars"):
            continue
        for rank, y, low, high in zip(s["ranks"], s["y"], s["y_min"], s["y_max"]):
            times = [seconds_per_step(r) for r in points[(rank, s["threads"])]]
            check.expect(low <= y <= high, f"{name}: {rank}x{s['threads']} bar {low:.3e}..{high:.3e} misses {y:.3e}")
            if name.endswith("_time") and len(times) > 1:
                check.expect(math.isclose(low, min(times)) and math.isclose(high, max(times)),
                             f"{name}: {rank}x{s['threads']} bar {low:.3e}..{high:.3e}, repeats "
                             f"{min(times):.3e}..{max(times):.3e}")


def main():
    results, report, cores = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(os.path.join(report, "report.md"), encoding="utf-8") as f:
        markdown = f.read()
    check = Checker()
    for png in (n for n in os.listdir(report) if n.endswith(".png")):
        check.expect(os.path.exists(os.path.join(report, png[:-4] + ".json")), f"{png} has no data file beside it")
    for (app, mode), points in sorted(load_points(results).items()):
        tag = f"{app}_{mode}"
        notes = table_notes(markdown, app, mode)
        check_notes(check, tag, points, notes, cores)
        for plot_name in OVER_CORES:
            path = os.path.join(report, f"{tag}_{plot_name}.json")
            if plot_name == "bandwidth" and not os.path.exists(path):
                continue  # no probe record, no bandwidth plot
            with open(path, encoding="utf-8") as f:
                plot = json.load(f)
            check_series(check, f"{tag}_{plot_name}", plot, points, notes)
            if plot_name in ("time", "speedup"):
                check_error_bars(check, f"{tag}_{plot_name}", plot, points)
    for name in (n for n in os.listdir(report) if n.endswith(".json")):
        with open(os.path.join(report, name), encoding="utf-8") as f:
            check.expect(json.load(f)["legend_clear_of_axes"], f"{name}: the legend covers part of the axes")
    for failure in check.failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if check.failures:
        sys.exit(1)
    print(f"report figures checked: {report} against {results} ({cores} cores)")


if __name__ == "__main__":
    main()
