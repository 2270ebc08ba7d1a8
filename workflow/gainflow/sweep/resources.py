"""What each workflow job needs: peak memory (MB) and run time, estimated before it runs from the
work it will do.

The work is counted in closed form from the layer's fold geometry (nothing is simulated): per buffer,
the SRAM accesses as SCALE-Sim's report counts them (IFMAP and FILTER reads, OFMAP writes), the access
events of the lifetime analysis (reads and writes; an IFMAP or FILTER write is a fill from DRAM, at
most one per read, and only one per address where the whole operand fits the buffer's fetch window),
each operand's address count (its footprint) and the entries of the operand matrices. Every job kind
has a linear model over a few such quantities, for its peak resident memory and for its CPU time:

    estimate = base + sum(coefficient x quantity)

The coefficients are fitted to the peak RSS and CPU time of every job of a sweep over all shipped
topologies and hardware configs (`scripts/bench_resources.py --fit`; docs/performance.md has the
table and the command): the fit makes every estimate at least the measured peak, and the benchmark
checks that. Memory is in MB (10^6 bytes, Snakemake's `mem_mb`); the run time a job asks for is in
minutes (Snakemake's `runtime`), RUNTIME_MARGIN times the estimated CPU time: a job shares its node.
"""

import math
from dataclasses import dataclass

from gainflow.simulator.geometry import ceil_div
from gainflow.simulator.read_buffer import read_window_words

RUNTIME_MARGIN = 3  # wall time asked for / estimated CPU time (shared nodes, slow file systems)
MIN_RUNTIME_MIN = 1


@dataclass(frozen=True)
class LayerWork:
    """The work of one layer on one array (per buffer: dicts keyed by SUBDIVISIONS)."""

    # Read events of the lifetime analysis: the SRAM accesses as SCALE-Sim counts them (IFMAP and
    # FILTER reads, OFMAP writes, each drained to DRAM once).
    reads: dict
    writes: dict  # write events: OFMAP's SRAM writes; for IFMAP and FILTER (fills from DRAM) a bound
    footprint: dict  # addresses of the operand
    operand_entries: int  # entries of the operand matrices: IFMAP P x K, FILTER K x NF, OFMAP P x NF
    # Slots of one full fold of the operand's demand matrix: the simulator builds this pattern once
    # per layer, with several integers per slot (gainflow.simulator.demand).
    fold_slots: dict
    # Demand rows of the layer (folds x rows per fold): the drain plan keeps a few integers per row.
    demand_rows: int

    @property
    def total_accesses(self):
        return sum(self.reads.values())


def layer_work(layer, hw):
    """LayerWork of `layer` (gainflow.inputs.topology.Layer) on `hw`: anything with `dataflow`,
    `array_height`, `array_width` and the SRAM sizes (a HardwareConfig or a grid point)."""
    pixels = layer.ofmap_height * layer.ofmap_width
    window, filters = layer.window_size, layer.num_filters
    # The fold geometry of gainflow.simulator.geometry.plan_folds: spread over rows, columns, temporal.
    spread_rows, spread_cols, temporal = {
        "os": (pixels, filters, window),
        "ws": (window, filters, pixels),
        "is": (window, pixels, filters),
    }[hw.dataflow]
    row_folds = ceil_div(spread_rows, hw.array_height)
    col_folds = ceil_div(spread_cols, hw.array_width)
    # Over all folds, the rows used add up to spread_rows per column fold, the columns used to
    # spread_cols per row fold (gainflow.simulator.geometry.sram_counters sums them fold by fold).
    row_reads = temporal * spread_rows * col_folds
    col_reads = temporal * spread_cols * row_folds
    used = spread_rows * spread_cols
    ifmap, filter_, ofmap = {
        "os": (row_reads, col_reads, used + row_folds * col_folds * (hw.array_height + hw.array_width)),
        "ws": (row_reads, used, col_reads),
        "is": (used, row_reads, col_reads),
    }[hw.dataflow]
    # A fold's slots: the operand streamed along the rows covers T x (rows used), the one along the
    # columns T x (columns used), the stationary one (rows used) x (columns used).
    fold_rows, fold_cols = min(hw.array_height, spread_rows), min(hw.array_width, spread_cols)
    fold_slots = dict(zip(("ifmap", "filter", "ofmap"), {
        "os": (temporal * fold_rows, temporal * fold_cols, fold_rows * fold_cols),
        "ws": (temporal * fold_rows, fold_rows * fold_cols, temporal * fold_cols),
        "is": (fold_rows * fold_cols, temporal * fold_rows, temporal * fold_cols),
    }[hw.dataflow]))
    footprint = {"ifmap": layer.ifmap_height * layer.ifmap_width * layer.channels, "filter": window * filters,
                 "ofmap": pixels * filters}
    fetch_window = {"ifmap": read_window_words(hw.ifmap_sram_kb), "filter": read_window_words(hw.filter_sram_kb)}
    reads = {"ifmap": ifmap, "filter": filter_, "ofmap": ofmap}
    fills = {name: min(footprint[name], reads[name]) if footprint[name] <= fetch_window[name] else reads[name]
             for name in fetch_window}
    # Rows per fold as gainflow.simulator.geometry.plan_folds counts them.
    fold_len = temporal + (hw.array_height + hw.array_width - 2 if hw.dataflow == "os"
                           else 2 * hw.array_height + hw.array_width - 2)
    return LayerWork(reads=reads, writes={**fills, "ofmap": ofmap}, footprint=footprint,
                     operand_entries=(pixels + filters) * window + pixels * filters, fold_slots=fold_slots,
                     demand_rows=row_folds * col_folds * fold_len)


@dataclass(frozen=True)
class Linear:
    """base + sum(coefficient x quantity), quantities by name."""

    base: float
    coefficients: dict

    def __call__(self, quantities):
        if quantities.keys() != self.coefficients.keys():
            raise ValueError(f"expected the quantities {sorted(self.coefficients)}, got {sorted(quantities)}")
        return self.base + sum(self.coefficients[name] * value for name, value in quantities.items())


@dataclass(frozen=True)
class JobModel:
    memory_mb: Linear
    cpu_s: Linear


# Fitted by `scripts/bench_resources.py --fit` to the runs listed in docs/performance.md (job
# resources), but the report's (see there). Quantities in millions (maccesses: SRAM accesses, mreads
# and mwrites: a buffer's events, mentries: operand matrix entries, mfold_slots: slots of a fold's
# demand pattern, maddresses: a buffer's footprint) or plain counts.
MODELS = {
    "simulate": JobModel(
        memory_mb=Linear(188.0, {"peak_layer_maccesses": 2.77, "peak_layer_mdemand_rows": 0.0, "peak_layer_mentries": 0.0, "peak_layer_mfold_slots": 54.2}),
        cpu_s=Linear(0.588, {"layers": 0.00891, "maccesses": 0.0217}),
    ),
    "lifetimes_ifmap": JobModel(
        memory_mb=Linear(68.2, {"maddresses": 13.3, "mdemand_rows": 105.0, "mentries": 0.0, "mfold_slots": 0.0, "mreads": 85.1, "mwrites": 12.5}),
        cpu_s=Linear(0.578, {"mdemand_rows": 5.46, "mentries": 0.0, "mfold_slots": 0.257, "mreads": 0.0, "mwrites": 0.177}),
    ),
    "lifetimes_filter": JobModel(
        memory_mb=Linear(49.5, {"maddresses": 40.0, "mdemand_rows": 32.5, "mentries": 19.8, "mfold_slots": 127.0, "mreads": 82.6, "mwrites": 30.2}),
        cpu_s=Linear(0.297, {"mdemand_rows": 0.064, "mentries": 0.075, "mfold_slots": 0.521, "mreads": 0.0969, "mwrites": 0.345}),
    ),
    "lifetimes_ofmap": JobModel(
        memory_mb=Linear(53.5, {"maddresses": 0.0, "mdemand_rows": 29.7, "mentries": 10.3, "mfold_slots": 15.3, "mreads": 46.9, "mwrites": 46.9}),
        cpu_s=Linear(0.263, {"mdemand_rows": 0.309, "mentries": 0.0, "mfold_slots": 0.0, "mreads": 0.26, "mwrites": 0.26}),
    ),
    "lifetimes_ifmap_tables": JobModel(
        memory_mb=Linear(89.1, {"maddresses": 152.0, "mdemand_rows": 0.0, "mentries": 10.4, "mfold_slots": 48.1, "mreads": 114.0, "mwrites": 0.0}),
        cpu_s=Linear(1.32, {"mdemand_rows": 0.0, "mentries": 0.107, "mfold_slots": 0.0, "mreads": 0.0, "mwrites": 0.609}),
    ),
    "lifetimes_filter_tables": JobModel(
        memory_mb=Linear(80.4, {"maddresses": 119.0, "mdemand_rows": 0.0, "mentries": 0.0, "mfold_slots": 214.0, "mreads": 107.0, "mwrites": 0.0}),
        cpu_s=Linear(0.419, {"mdemand_rows": 0.0, "mentries": 0.0, "mfold_slots": 2.61, "mreads": 0.175, "mwrites": 0.384}),
    ),
    "lifetimes_ofmap_tables": JobModel(
        memory_mb=Linear(52.1, {"maddresses": 0.0, "mdemand_rows": 66.7, "mentries": 0.0, "mfold_slots": 65.2, "mreads": 62.2, "mwrites": 62.2}),
        cpu_s=Linear(0.333, {"mdemand_rows": 0.498, "mentries": 0.0, "mfold_slots": 0.0, "mreads": 0.385, "mwrites": 0.385}),
    ),
    "layer": JobModel(
        memory_mb=Linear(54.0, {"table_mwrites": 21.7}),
        cpu_s=Linear(0.342, {"table_mwrites": 0.106}),
    ),
    "graphs": JobModel(
        memory_mb=Linear(94.3, {"layers": 0.372}),
        cpu_s=Linear(0.0, {"layers": 0.334}),
    ),
    # Set by hand: a report's memory follows the sizes of its lifetime histograms, which nothing
    # counts before the run (measured 51 to 224 MB, the largest on the 256 x 256 array).
    "report": JobModel(memory_mb=Linear(250.0, {"layers": 2.0}), cpu_s=Linear(1.0, {"layers": 0.8})),
    "summary": JobModel(
        memory_mb=Linear(96.7, {"reports": 1.2}),
        cpu_s=Linear(1.19, {"reports": 0.131}),
    ),
    "hardware": JobModel(
        memory_mb=Linear(42.9, {}),
        cpu_s=Linear(0.2, {}),
    ),
}


@dataclass(frozen=True)
class JobWork:
    """What one job's estimate is computed from: the quantities of its memory and CPU-time models."""

    kind: str  # a key of MODELS
    memory: dict
    cpu: dict


@dataclass(frozen=True)
class Estimate:
    mem_mb: int  # peak resident memory
    runtime_min: int  # wall time to ask for


def estimate(job):
    """The Estimate of a JobWork under MODELS."""
    model = MODELS[job.kind]
    cpu_s = model.cpu_s(job.cpu)
    return Estimate(math.ceil(model.memory_mb(job.memory)), max(MIN_RUNTIME_MIN, math.ceil(RUNTIME_MARGIN * cpu_s / 60)))


def _millions(count):
    return count / 1e6


def simulate_work(works):
    """A whole topology (its layers' LayerWork) simulated for its reports, one layer at a time."""
    return JobWork("simulate",
                   memory={"peak_layer_maccesses": max(_millions(work.total_accesses) for work in works),
                           "peak_layer_mentries": max(_millions(work.operand_entries) for work in works),
                           "peak_layer_mfold_slots": max(_millions(sum(work.fold_slots.values())) for work in works),
                           "peak_layer_mdemand_rows": max(_millions(work.demand_rows) for work in works)},
                   cpu={"maccesses": _millions(sum(work.total_accesses for work in works)), "layers": len(works)})


def _with_tables(kind, tables):
    """Per-interval tables change what a job holds: such jobs have models of their own."""
    return f"{kind}_tables" if tables else kind


def lifetimes_work(work, subdivision, tables):
    """One buffer of one layer: the layer set up, the buffer's events simulated, its lifetimes computed
    (with `tables` also every interval handed over)."""
    # The OFMAP's fold pattern is built for every buffer: it times the drains.
    fold_slots = work.fold_slots[subdivision] + (work.fold_slots["ofmap"] if subdivision != "ofmap" else 0)
    quantities = {"mreads": _millions(work.reads[subdivision]), "mwrites": _millions(work.writes[subdivision]),
                  "mentries": _millions(work.operand_entries), "mfold_slots": _millions(fold_slots),
                  "mdemand_rows": _millions(work.demand_rows)}
    return JobWork(_with_tables(f"lifetimes_{subdivision}", tables),
                   memory={**quantities, "maddresses": _millions(work.footprint[subdivision])}, cpu=quantities)


def layer_step_work(work, tables):
    """A layer's three part files merged; with `tables` also its per-interval table: at most one
    interval per write."""
    quantities = {"table_mwrites": _millions(sum(work.writes.values())) if tables else 0.0}
    return JobWork("layer", memory=quantities, cpu=quantities)


def _counted(kind, name, count):
    return JobWork(kind, memory={name: count}, cpu={name: count})


def graphs_work(layers):
    return _counted("graphs", "layers", layers)


def report_work(layers):
    """The report of a run, from its layers' histogram files."""
    return _counted("report", "layers", layers)


def summary_work(reports):
    return _counted("summary", "reports", reports)


def hardware_work():
    return JobWork("hardware", memory={}, cpu={})


def available_memory_mb(meminfo="/proc/meminfo"):
    """The memory the machine can give new processes now (Linux's MemAvailable), in MB; None where
    the kernel does not say."""
    try:
        with open(meminfo) as lines:
            fields = dict(line.split(":", 1) for line in lines if ":" in line)
        return int(fields["MemAvailable"].split()[0]) * 1024 // 10**6
    except (OSError, KeyError, ValueError):
        return None
