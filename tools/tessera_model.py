"""A simple performance model of a stencil step, for projecting measured scaling to large runs.

time per step (P ranks) = compute + halo + reduce, where
  compute = cells per rank / r, with r the per-rank compute rate at the run's thread count,
            fitted from the measured runs (cells per rank / compute time per step of the slowest
            rank, median over the runs with that many threads per rank);
  halo    = sum over the faces a rank exchanges of (latency + face bytes / bandwidth), with
            latency and bandwidth from the machine probe's ping-pong (smallest message latency,
            largest message bandwidth) and the process grid MPI_Dims_create would choose;
  reduce  = the probe's 8-byte allreduce time, scaled by log2(P) / log2(P_probe) (tree depth),
            times the app's blocking global sums per step (heat 0, cg 2 dot products; the
            stop-signal agreement is non-blocking and overlapped). cg --reproducible sums
            are 560 bytes, which the 8-byte figure underestimates a little.

It is a model: it ignores network contention, the overlap of halo exchange with compute, and
memory bandwidth shared between ranks of a node beyond what the fitted rate saw. Its error on
the measured points is reported next to every projection.
"""

import math
import statistics


def dims_create(ranks, dims):
    """A balanced process grid like MPI_Dims_create: largest factors first, sorted descending."""
    grid = [1] * dims
    n = ranks
    factors = []
    f = 2
    while f * f <= n:
        while n % f == 0:
            factors.append(f)
            n //= f
        f += 1
    if n > 1:
        factors.append(n)
    for f in sorted(factors, reverse=True):
        grid[grid.index(min(grid))] *= f
    return sorted(grid, reverse=True)


class StencilModel:
    def __init__(self, rows, probe, dims, reductions_per_step=0):
        self.dims = dims
        self.reductions_per_step = reductions_per_step
        by_threads = {}
        for row in rows:
            if row["compute_max_per_step"] > 0:
                rate = (row["size"] / row["ranks"]) / row["compute_max_per_step"]
                by_threads.setdefault(row["threads"], []).append(rate)
        if not by_threads:
            raise ValueError("no run has a compute time: cannot fit the compute rate")
        self.rates = {t: statistics.median(r) for t, r in sorted(by_threads.items())}
        pingpong = probe["metrics"].get("pingpong", []) if probe else []
        allreduce = probe["metrics"].get("allreduce", []) if probe else []
        if pingpong:
            self.latency = pingpong[0]["latency_s"]["median"]
            self.bandwidth = max(p["bytes_per_s"]["median"] for p in pingpong)
        else:  # a one-rank probe: no point-to-point figures, so no halo cost is modelled
            self.latency, self.bandwidth = 0.0, math.inf
        small = [a for a in allreduce if a["bytes"] <= 8]
        self.allreduce = small[0]["seconds"]["median"] if small else 0.0
        self.probe_ranks = probe["ranks"] if probe else 1

    def parameters(self):
        rates = {f"compute rate per rank, {t} thread(s) (cells/s)": r for t, r in self.rates.items()}
        return {
            **rates,
            "message latency (s)": self.latency,
            "message bandwidth (bytes/s)": self.bandwidth,
            f"allreduce 8 B at {self.probe_ranks} ranks (s)": self.allreduce,
        }

    def rate(self, threads):
        """Fitted rate at `threads` threads per rank; other counts scale the nearest linearly."""
        if threads in self.rates:
            return self.rates[threads]
        nearest = min(self.rates, key=lambda t: abs(t - threads))
        return self.rates[nearest] * threads / nearest

    def step_time(self, ranks, global_cells, threads=1):
        """Predicted seconds per step on `ranks` ranks of `threads` threads, for a grid of
        `global_cells` (x, y, z)."""
        cells = math.prod(global_cells[: self.dims])
        compute = cells / ranks / self.rate(threads)
        halo = 0.0
        if ranks > 1:
            grid = dims_create(ranks, self.dims)
            block = [global_cells[d] / grid[d] for d in range(self.dims)]
            for d in range(self.dims):
                if grid[d] == 1:
                    continue
                face = math.prod(block[e] for e in range(self.dims) if e != d)
                halo += 2 * (self.latency + 8.0 * face / self.bandwidth)
        reduce = 0.0
        if ranks > 1:
            depth = math.log2(ranks) / max(math.log2(self.probe_ranks), 1.0)
            reduce = self.allreduce * depth * self.reductions_per_step
        return compute + halo + reduce

    def errors(self, rows, cells_of):
        """Relative error |model - measured| / measured for each row."""
        out = []
        for row in rows:
            predicted = self.step_time(row["ranks"], cells_of(row), row["threads"])
            out.append(abs(predicted - row["seconds_per_step"]) / row["seconds_per_step"])
        return out
