"""Simple performance models of a step, for projecting measured scaling to large runs:
StencilModel for the grid apps (heat, cg), LloydModel for kmeans.

Stencil step:

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

Lloyd iteration (kmeans):
time per iteration (P ranks) = compute + reduce, where
  compute = rows per rank / r, with r the per-rank rate (rows/s) at the run's thread count,
            fitted from the measured runs (rows per rank / (time per iteration - modelled
            reduce), median over the runs with that many threads per rank);
  reduce  = the iteration's four blocking allreduces: cluster counts (8 k bytes), changed
            labels (8 B), inertia (8 B; 560 B with --reproducible) and the centre sums
            (8 k x features bytes; 24 k x features with --reproducible), each the probe's
            allreduce time interpolated linearly in bytes between its 8 B and largest figures,
            scaled by log2(P) / log2(P_probe). There is no halo: rows are independent.

These are models: they ignore network contention, the overlap of halo exchange with compute,
and memory bandwidth shared between ranks of a node beyond what the fitted rate saw. Their
error on the measured points is reported next to every projection.
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

    def work(self, cells):
        """Cells of a grid (x, y, z), the work of one step."""
        return math.prod(cells[: self.dims])

    def weak_problem(self, first_cells, first_ranks, first_threads, ranks, threads):
        """The grid of a weak-scaling run on `ranks` ranks: the first run's block per rank."""
        per_rank = [c / g for c, g in zip(first_cells[: self.dims], dims_create(first_ranks, self.dims))]
        return [p * g for p, g in zip(per_rank, dims_create(ranks, self.dims))] + [1] * (3 - self.dims)


def allreduce_figures(probe):
    """[(bytes, seconds)] of the probe's allreduce measurements, smallest first."""
    allreduce = probe["metrics"].get("allreduce", []) if probe else []
    return sorted((a["bytes"], a["seconds"]["median"]) for a in allreduce)


class LloydModel:
    """A Lloyd (k-means) iteration: rows per rank at a fitted rate plus four small allreduces."""

    def __init__(self, rows, probe, problem):
        k = problem.get("k", 1)
        features = problem.get("features", 1)
        exact = problem.get("sums") == "reproducible"
        # counts, changed labels, inertia, centre sums (src/analytics/kmeans.cpp, iterate()).
        self.messages = [8 * k, 8, 560 if exact else 8, (24 if exact else 8) * k * features]
        self.figures = allreduce_figures(probe)
        self.probe_ranks = probe["ranks"] if probe else 1
        by_threads = {}
        for row in rows:
            compute = row["seconds_per_step"] - self.reduce_time(row["ranks"])
            if compute > 0:
                by_threads.setdefault(row["threads"], []).append((row["size"] / row["ranks"]) / compute)
        if not by_threads:
            raise ValueError("no run has a compute time: cannot fit the compute rate")
        self.rates = {t: statistics.median(r) for t, r in sorted(by_threads.items())}

    def allreduce_time(self, size):
        """The probe's allreduce time for `size` bytes at its rank count, linear between figures."""
        if not self.figures:
            return 0.0
        if len(self.figures) == 1 or size <= self.figures[0][0]:
            return self.figures[0][1]
        for (b0, t0), (b1, t1) in zip(self.figures, self.figures[1:]):
            if size <= b1:
                return t0 + (t1 - t0) * (size - b0) / (b1 - b0)
        (b0, t0), (b1, t1) = self.figures[-2], self.figures[-1]
        return t1 + (t1 - t0) * (size - b1) / (b1 - b0)

    def reduce_time(self, ranks):
        if ranks <= 1:
            return 0.0
        depth = math.log2(ranks) / max(math.log2(self.probe_ranks), 1.0)
        return depth * sum(self.allreduce_time(b) for b in self.messages)

    def parameters(self):
        rates = {f"compute rate per rank, {t} thread(s) (rows/s)": r for t, r in self.rates.items()}
        return {
            **rates,
            "allreduce bytes per iteration": float(sum(self.messages)),
            f"allreduces per iteration at {self.probe_ranks} ranks (s)": sum(self.allreduce_time(b)
                                                                            for b in self.messages),
        }

    def rate(self, threads):
        if threads in self.rates:
            return self.rates[threads]
        nearest = min(self.rates, key=lambda t: abs(t - threads))
        return self.rates[nearest] * threads / nearest

    def step_time(self, ranks, rows, threads=1):
        """Predicted seconds per iteration on `ranks` ranks of `threads` threads for `rows` rows."""
        return rows / ranks / self.rate(threads) + self.reduce_time(ranks)

    def errors(self, rows, rows_of):
        out = []
        for row in rows:
            predicted = self.step_time(row["ranks"], rows_of(row), row["threads"])
            out.append(abs(predicted - row["seconds_per_step"]) / row["seconds_per_step"])
        return out

    def work(self, rows):
        return rows

    def weak_problem(self, first_rows, first_ranks, first_threads, ranks, threads):
        """Weak scaling keeps the rows per core (rank x thread) of the first run."""
        return first_rows / (first_ranks * first_threads) * ranks * threads
