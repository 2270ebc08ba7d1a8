"""What each workflow job needs: peak memory (MB) and run time, estimated before it runs from the
work it will do.

The work is counted in closed form from the layer's fold geometry (nothing is simulated): per buffer,
the SRAM accesses as SCALE-Sim's report counts them (IFMAP and FILTER reads, OFMAP writes), the access
events of the lifetime analysis (reads and writes; an IFMAP or FILTER write is a fill from DRAM, at
most one per read, and only one per address where the whole operand fits the buffer's fetch window),
each operand's address count (its footprint) and the entries of the operand matrices. Every job kind
has a linear model over a few such quantities, for its peak resident memory and for its CPU time:

    estimate = base + sum(coefficient x quantity)

The coefficients are data (gainflow/data/resources.json, each model with what it was fitted on and
the command), fitted to the peak RSS and CPU time of every job of a sweep over all shipped topologies
and hardware configs by `scripts/bench_resources.py --fit`, which writes that file (docs/performance.md
has the table and the commands): the fit makes every estimate at least the measured peak, and the
benchmark checks that. Memory is in MB (10^6 bytes, Snakemake's `mem_mb`); the run time a job asks for is in
minutes (Snakemake's `runtime`), RUNTIME_MARGIN times the estimated CPU time: a job shares its node.
"""

import importlib.resources
import json
import math
from dataclasses import dataclass
from pathlib import Path

from gainflow.errors import InputError
from gainflow.files.csv_text import ROWS_PER_CHUNK
from gainflow.lifetimes.stream import DENSE_SLACK, STATE_BYTES_PER_ADDRESS
from gainflow.simulator.memory import buffer_arrays, fold_slots, folding, report_arrays
from gainflow.simulator.read_buffer import read_window_words

INT64_BYTES = 8
# Events in the first block (a MB of text) of a DRAM trace, about (31,020 to 39,420 measured on GEMM
# and convolution FILTER traces of a 64x64 `is` array with 128 kB buffers).
TRACE_BLOCK_EVENTS = 1 << 15
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
    # Per buffer: the bytes of the simulator's arrays live at once while it makes that buffer's events
    # (gainflow.simulator.memory.buffer_arrays); and while it makes the layer's report (report_arrays).
    simulator_bytes: dict
    report_bytes: int
    # Per buffer, the entries of its two SCALE-Sim trace files (`save_traces`): its SRAM trace, a row per
    # demand row as wide as the buffer's ports (-1 in empty slots), and its DRAM trace, an entry per
    # fill (IFMAP, FILTER: the write bound) or drain (OFMAP) beside a little padding.
    trace_entries: dict
    # The largest block of rows the simulator builds while it writes an SRAM trace (int64 with the cycle
    # column, gainflow.simulator.traces): whole folds of about ROWS_PER_CHUNK rows, at least one fold.
    trace_block_bytes: int
    # Per buffer, whether parsing its traces maps the addresses through a hash table (trace_hashed).
    trace_hashed: dict

    @property
    def total_accesses(self):
        return sum(self.reads.values())


def layer_work(layer, hw):
    """LayerWork of `layer` (gainflow.inputs.topology.Layer) on `hw`: anything with `dataflow`,
    `array_height`, `array_width` and the SRAM sizes (a HardwareConfig or a grid point)."""
    fold = folding(layer, hw)
    pixels, window, filters = layer.ofmap_height * layer.ofmap_width, layer.window_size, layer.num_filters
    # Over all folds, the rows used add up to spread_rows per column fold, the columns used to
    # spread_cols per row fold (gainflow.simulator.geometry.sram_counters sums them fold by fold).
    row_reads = fold.temporal * fold.spread_rows * fold.col_folds
    col_reads = fold.temporal * fold.spread_cols * fold.row_folds
    used = fold.spread_rows * fold.spread_cols
    ifmap, filter_, ofmap = {
        "os": (row_reads, col_reads, used + fold.folds * (hw.array_height + hw.array_width)),
        "ws": (row_reads, used, col_reads),
        "is": (used, row_reads, col_reads),
    }[hw.dataflow]
    footprint = {"ifmap": layer.ifmap_height * layer.ifmap_width * layer.channels, "filter": window * filters,
                 "ofmap": pixels * filters}
    fetch_window = {"ifmap": read_window_words(hw.ifmap_sram_kb), "filter": read_window_words(hw.filter_sram_kb)}
    reads = {"ifmap": ifmap, "filter": filter_, "ofmap": ofmap}
    fills = {name: min(footprint[name], reads[name]) if footprint[name] <= fetch_window[name] else reads[name]
             for name in fetch_window}
    # Rows per fold as gainflow.simulator.geometry.plan_folds counts them.
    fold_len = fold.temporal + (hw.array_height + hw.array_width - 2 if hw.dataflow == "os"
                                else 2 * hw.array_height + hw.array_width - 2)
    # The SRAM traces' widths (gainflow.simulator.operands.demand_specs): the operand streamed along the
    # rows has a port per array row, the others one per column.
    widths = {"ifmap": hw.array_height, "filter": hw.array_width, "ofmap": hw.array_width}
    if hw.dataflow == "is":
        widths = {"ifmap": hw.array_width, "filter": hw.array_height, "ofmap": hw.array_width}
    demand_rows = fold.folds * fold_len
    writes = {**fills, "ofmap": ofmap}  # also the DRAM traces' entries: a fill or a drain (once per write) each
    block_rows = min(fold.folds, max(1, ROWS_PER_CHUNK // fold_len)) * fold_len
    return LayerWork(reads=reads, writes=writes, footprint=footprint,
                     operand_entries=(pixels + filters) * window + pixels * filters,
                     fold_slots=fold_slots(fold, hw.dataflow), demand_rows=demand_rows,
                     simulator_bytes={name: buffer_arrays(layer, hw, name)["peak"] for name in reads},
                     report_bytes=report_arrays(layer, hw)["peak"],
                     trace_entries={name: demand_rows * widths[name] + writes[name] for name in reads},
                     trace_block_bytes=block_rows * (1 + max(widths.values())) * INT64_BYTES,
                     trace_hashed=trace_hashed(layer, hw, footprint))


def trace_hashed(layer, hw, footprint):
    """Per buffer, whether its addresses parsed from traces go through a hash table. The streaming
    state's table follows the addresses seen, densely while the range they span is at most 4 x the
    addresses seen (or the events coming) + DENSE_SLACK (gainflow.lifetimes.stream). The first folds'
    events sweep an operand's outer index (FILTER's filter n, at n x K + k; IFMAP's and OFMAP's pixel),
    footprint / extent addresses apart (the stride): where the demand's lanes run along it (FILTER on
    `os` and `ws` arrays, IFMAP on `os` and `is` ones, OFMAP on `is` ones) the first block of
    TRACE_BLOCK_EVENTS events spans min(lanes, extent) strides; where the demand's rows do (a row a
    cycle, `lanes` addresses each), r rows span r strides against r x lanes addresses seen, up to the
    whole extent."""
    pixels, window, filters = layer.ofmap_height * layer.ofmap_width, layer.window_size, layer.num_filters
    rows, cols = hw.array_height, hw.array_width
    # Per buffer: its lanes (at most its inner extent where they run along the inner index) and
    # whether they run along the outer index.
    lanes = {
        "os": {"ifmap": (rows, True), "filter": (cols, True), "ofmap": (min(cols, filters), False)},
        "ws": {"ifmap": (min(rows, window), False), "filter": (cols, True), "ofmap": (min(cols, filters), False)},
        "is": {"ifmap": (cols, True), "filter": (min(rows, window), False), "ofmap": (cols, True)},
    }[hw.dataflow]
    extents = {"ifmap": pixels, "filter": filters, "ofmap": pixels}
    hashed = {}
    for name, (width, along_outer) in lanes.items():
        extent = extents[name]
        stride = footprint[name] // extent
        if along_outer:
            hashed[name] = min(width, extent) * stride > 4 * TRACE_BLOCK_EVENTS + DENSE_SLACK
        else:
            hashed[name] = extent * (stride - 4 * width) > DENSE_SLACK
    return hashed


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


MODELS_FILE = importlib.resources.files("gainflow") / "data" / "resources.json"
# The quantities of each job kind's models (memory, CPU time), as the *_work functions below give them:
# in millions (maccesses: SRAM accesses, mreads and mwrites: a buffer's events, mentries: operand
# matrix entries, mfold_slots: slots of a fold's demand pattern, maddresses: a buffer's footprint,
# mdemand_rows: demand rows), in MB (10^6 bytes, *_mb) or plain counts. A simulate job's memory is the
# simulator's arrays while it makes its largest layer's report (one layer at a time).
# A lifetime job streams its events: its memory is the simulator's arrays while it makes the buffer's
# events (simulator_mb) and the state row per address of the buffer's footprint (state_mb), plus
# blocks and histograms of a few MB (the base), whatever the number of events. With per-interval
# tables it also puts every interval on disk as it closes, in sorted runs of a fixed size
# (gainflow.lifetimes.interval_runs): the same quantities, a larger base, kinds of their own (the
# runs take CPU time per interval: mwrites bounds them). The `layer` job merges those runs as it
# writes the table, a block of a fixed size at a time (tables: 1, else 0).
# With `save_traces` the simulate job also writes every layer's traces (mtrace_entries: their entries):
# it makes every buffer's events, so its memory follows, over the layers, the simulator's arrays of
# the largest buffer plus the largest block of trace rows it builds (peak_layer_traces_mb). A lifetime
# job then parses its buffer's two traces instead of simulating (so does one of an existing SCALE-Sim
# run), the same code for every buffer (one kind, another with tables): in blocks of a MB, its
# memory is the state rows (state_mb; again, hashed_state_mb, where the addresses go through a hash
# table, see trace_hashed) and the base, its CPU time the entries parsed and the events.
_SETUP = ("mdemand_rows", "mentries", "mfold_slots")
_STREAMING_MEMORY = ("simulator_mb", "state_mb")
_LIFETIME_CPU = (*_SETUP, "mreads", "mwrites")
QUANTITIES = {
    "simulate": (("peak_layer_simulator_mb",), ("layers", "maccesses")),
    "simulate_traces": (("peak_layer_simulator_mb", "peak_layer_traces_mb"), ("layers", "maccesses", "mtrace_entries")),
    **{f"lifetimes_{name}": (_STREAMING_MEMORY, _LIFETIME_CPU) for name in ("ifmap", "filter", "ofmap")},
    **{f"lifetimes_traces{tables}": (("hashed_state_mb", "state_mb"), ("mreads", "mtrace_entries", "mwrites"))
       for tables in ("", "_tables")},
    **{f"lifetimes_{name}_tables": (_STREAMING_MEMORY, _LIFETIME_CPU) for name in ("ifmap", "filter", "ofmap")},
    "layer": (("mdemand_rows", "tables"), ("mdemand_rows", "table_mwrites")),
    "graphs": (("layers",), ("layers",)),
    "report": (("layers", "peak_layer_mdemand_rows_sram_mb", "sram_kb"), ("layers", "mdemand_rows")),
    "summary": (("reports",), ("reports",)),
    "hardware": ((), ()),
}


def _number(value, key, path):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InputError(f"expected a finite number >= 0, got {value!r}", path=path, key=key)
    return float(value)


def _linear(entry, key, names, path):
    """The Linear of `entry` ({"base": b, "coefficients": {name: c}}), its names exactly `names`."""
    if not isinstance(entry, dict) or entry.keys() != {"base", "coefficients"}:
        raise InputError("expected an object with the keys base and coefficients", path=path, key=key)
    coefficients = entry["coefficients"]
    if not isinstance(coefficients, dict) or sorted(coefficients) != sorted(names):
        raise InputError(f"expected the coefficients {sorted(names)}, got "
                         f"{sorted(coefficients) if isinstance(coefficients, dict) else coefficients!r}",
                         path=path, key=f"{key}.coefficients")
    return Linear(_number(entry["base"], f"{key}.base", path),
                  {name: _number(value, f"{key}.coefficients.{name}", path) for name, value in coefficients.items()})


def load_models(path=MODELS_FILE):
    """The job models of the JSON file `path` ({"models": {kind: model}}, written by
    `scripts/bench_resources.py --fit`): one model for each kind of QUANTITIES, each with its memory
    and CPU-time Linear over exactly that kind's quantities, what it was fitted on (`fitted_on`) and,
    if `fitted`, the command that fitted it. InputError names the file and the key."""
    try:
        document = json.loads((Path(path) if isinstance(path, str) else path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"cannot read the job resource models: {err}", path=path) from None
    return models_of(document, path)


def models_of(document, path):
    """The job models of a models file's parsed `document` (see load_models); `path` names it in errors."""
    models = document.get("models") if isinstance(document, dict) else None
    if not isinstance(models, dict):
        raise InputError("expected an object of job kinds", path=path, key="models")
    if models.keys() != QUANTITIES.keys():
        raise InputError(f"expected the job kinds {sorted(QUANTITIES)}, got {sorted(models)}", path=path, key="models")
    loaded = {}
    for kind, (memory_names, cpu_names) in QUANTITIES.items():
        entry, key = models[kind], f"models.{kind}"
        if not isinstance(entry, dict) or not isinstance(entry.get("fitted"), bool):
            raise InputError("expected an object with fitted: true or false", path=path, key=key)
        for text in ("fitted_on", "command") if entry["fitted"] else ("fitted_on",):
            if not isinstance(entry.get(text), str) or not entry[text].strip():
                raise InputError("expected a non-empty text", path=path, key=f"{key}.{text}")
        loaded[kind] = JobModel(_linear(entry.get("memory_mb"), f"{key}.memory_mb", memory_names, path),
                                _linear(entry.get("cpu_s"), f"{key}.cpu_s", cpu_names, path))
    return loaded


MODELS = load_models()


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


def simulate_work(works, traces=False):
    """A whole topology (its layers' LayerWork) simulated for its reports, one layer at a time (with
    `traces` also writing each layer's traces)."""
    memory = {"peak_layer_simulator_mb": max(_millions(work.report_bytes) for work in works)}
    cpu = {"maccesses": _millions(sum(work.total_accesses for work in works)), "layers": len(works)}
    if traces:
        traces_bytes = max(max(work.simulator_bytes.values()) + work.trace_block_bytes for work in works)
        return JobWork("simulate_traces", memory={**memory, "peak_layer_traces_mb": _millions(traces_bytes)},
                       cpu={**cpu, "mtrace_entries": _millions(sum(sum(work.trace_entries.values()) for work in works))})
    return JobWork("simulate", memory=memory, cpu=cpu)


def lifetimes_work(work, subdivision, tables, state_bytes_per_address=STATE_BYTES_PER_ADDRESS, traces=False):
    """One buffer of one layer: the layer set up, the buffer's events simulated (with `traces` parsed
    from its two traces instead), its lifetimes computed (streamed, against `state_bytes_per_address`
    per address of the footprint; with `tables` every interval also spilled to disk in sorted runs)."""
    state = {"state_mb": _millions(state_bytes_per_address * work.footprint[subdivision])}
    events = {"mreads": _millions(work.reads[subdivision]), "mwrites": _millions(work.writes[subdivision])}
    if traces:
        hashed = {"hashed_state_mb": state["state_mb"] if work.trace_hashed[subdivision] else 0.0}
        return JobWork(f"lifetimes_traces{'_tables' if tables else ''}", memory={**state, **hashed},
                       cpu={**events, "mtrace_entries": _millions(work.trace_entries[subdivision])})
    # The OFMAP's fold pattern is built for every buffer: it times the drains.
    fold_slots = work.fold_slots[subdivision] + (work.fold_slots["ofmap"] if subdivision != "ofmap" else 0)
    setup = {"mentries": _millions(work.operand_entries), "mfold_slots": _millions(fold_slots),
             "mdemand_rows": _millions(work.demand_rows)}
    simulator = {"simulator_mb": _millions(work.simulator_bytes[subdivision])}
    return JobWork(f"lifetimes_{subdivision}{'_tables' if tables else ''}", cpu={**setup, **events},
                   memory={**simulator, **state})


def layer_step_work(work, tables):
    """A layer's three part files merged (their histograms: at most one distinct lifetime per cycle,
    which the demand rows count); with `tables` also its per-interval table, merged from the parts'
    runs a block at a time: at most one interval per write."""
    rows = {"mdemand_rows": _millions(work.demand_rows)}
    return JobWork("layer", memory={**rows, "tables": 1.0 if tables else 0.0},
                   cpu={**rows, "table_mwrites": _millions(sum(work.writes.values())) if tables else 0.0})


def _counted(kind, name, count):
    return JobWork(kind, memory={name: count}, cpu={name: count})


def graphs_work(layers):
    return _counted("graphs", "layers", layers)


def report_work(works, hw):
    """The report of a run on `hw` (`works`: its layers' LayerWork), from its layers' histogram files
    and the buffers' cells: their sizes are not known before the run. Measured, the memory grew with
    the layers, the SRAM (in kB) and, beyond, with the largest layer's cycles (its demand rows: at most
    one distinct lifetime per cycle) times the SRAM in MB (larger buffers, more distinct lifetimes)."""
    sram_kb = hw.ifmap_sram_kb + hw.filter_sram_kb + hw.ofmap_sram_kb
    largest = _millions(max(work.demand_rows for work in works)) * sram_kb / 1000
    return JobWork("report", memory={"layers": len(works), "sram_kb": sram_kb, "peak_layer_mdemand_rows_sram_mb": largest},
                   cpu={"layers": len(works), "mdemand_rows": _millions(sum(work.demand_rows for work in works))})


def summary_work(reports):
    return _counted("summary", "reports", reports)


def hardware_work():
    return JobWork("hardware", memory={}, cpu={})
