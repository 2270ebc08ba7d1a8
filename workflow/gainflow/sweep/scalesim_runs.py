"""Existing SCALE-Sim runs as sweep inputs: the workflow config's `scalesim_runs`.

An entry `name: {dir: RUN_DIR, topology: TOPOLOGY, hardware: HARDWARE}` says that RUN_DIR is a
SCALE-Sim v2 run directory (its three reports and `layer<i>/*_TRACE.csv`, as SCALE-Sim writes them
with traces on) of `topologies/TOPOLOGY.csv` on `hardware/HARDWARE.cfg`. The sweep takes its reports
and parses its traces instead of simulating. `check_scalesim_run` checks, before any job runs, what
can be checked without reading the traces; each problem is an InputError naming the entry's key:

- `dir`: a directory holding the three reports and, for every layer of the topology, its six traces;
- `topology`: COMPUTE_REPORT.csv lists exactly the topology's layers (LayerID 0 to n-1);
- `hardware`: every layer's Mapping Efficiency % and Compute Util % are those of the topology's layer
  on the config's array and dataflow (they depend on nothing else), so a run of another array,
  dataflow or topology is caught; and the first address of each of its DRAM traces lies in its
  buffer's range under the config's offsets (one line read per trace), so a run made with other
  offsets is caught.

The SRAM sizes leave no trace in those figures. Any later trace address outside the config's buffer
ranges fails the lifetime job that reads it, naming the trace file and line.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.events.scalesim_traces import TRACE_FILES, address_range, offsets_of, read_compute_report
from gainflow.files import layout
from gainflow.simulator.geometry import fold_averages, plan_folds

CONFIG_KEY = "scalesim_runs"
TRACE_FILE_NAMES = sorted({name for pair in TRACE_FILES.values() for name in pair})
ARRAY_FIGURES = ("Mapping Efficiency %", "Compute Util %")
# The reports print Python floats; a run made elsewhere may round their last digits.
FIGURE_TOLERANCE = 1e-9
MISSING_LISTED = 5  # missing trace files named in a message; the rest are counted
OFFSET_KEYS = {"ifmap": "IfmapOffset", "filter": "FilterOffset", "ofmap": "OfmapOffset"}
FIRST_LINE_LIMIT = 1 << 20  # bytes read of a trace's first line (a row of a 4096-wide array is ~50 kB)


@dataclass(frozen=True)
class ScalesimRun:
    name: str
    dir: Path
    topology: str  # the name of topologies/<topology>.csv
    hardware: str  # the name of hardware/<hardware>.cfg

    def key(self, field=None):
        """The entry's key in the config, e.g. `scalesim_runs.my_run.dir`."""
        return f"{CONFIG_KEY}.{self.name}" + (f".{field}" if field else "")


def scalesim_runs(entries):
    """name -> ScalesimRun of the config's (schema-checked) `scalesim_runs` mapping."""
    return {name: ScalesimRun(name, Path(entry["dir"]), entry["topology"], entry["hardware"])
            for name, entry in (entries or {}).items()}


def check_run_names(runs, hardware_names):
    """A run's results go to results/<topology>/<name>/, as a hardware config's do: no name twice."""
    for run in runs.values():
        if run.name in hardware_names:
            raise InputError("named like a hardware config of the sweep; give the run another name",
                             key=run.key())


def check_scalesim_run(run, layers, hardware):
    """InputError unless `run.dir` is a SCALE-Sim run of `layers` (the topology's) on `hardware`
    (a HardwareConfig) with every trace; see the module docstring."""
    _check_reports(run)
    try:
        rows = read_compute_report(run.dir, dict.fromkeys(ARRAY_FIGURES, float))
    except InputError as err:
        raise InputError(err.detail, path=err.path, line=err.line, key=run.key("dir")) from None
    compute_report = run.dir / layout.COMPUTE_REPORT
    if sorted(rows) != list(range(len(layers))):
        raise InputError(f"the run's LayerIDs are {_ranges(sorted(rows))}, but topology {run.topology} has "
                         f"layers 0 to {len(layers) - 1}", path=compute_report, key=run.key("topology"))
    _check_traces(run, len(layers))
    for index, layer in enumerate(layers):
        line, row = rows[index]
        found = tuple(row[figure] for figure in ARRAY_FIGURES)
        expected = fold_averages(plan_folds(layer, hardware.dataflow, hardware.array_height, hardware.array_width))
        if not all(math.isclose(a, b, rel_tol=FIGURE_TOLERANCE) for a, b in zip(found, expected)):
            raise InputError(
                f"layer {index} ({layer.name}) has Mapping Efficiency {found[0]:g} % and Compute Util "
                f"{found[1]:g} % in the run, but {expected[0]:g} % and {expected[1]:g} % on the "
                f"{hardware.array_height}x{hardware.array_width} {hardware.dataflow} array of hardware "
                f"{run.hardware}: the run was made with another array, dataflow or topology",
                path=compute_report, line=line, key=run.key("hardware"))
    _check_offsets(run, len(layers), hardware)


def _check_reports(run):
    if not run.dir.is_dir():
        raise InputError("not a directory (expected a SCALE-Sim run directory)", path=run.dir, key=run.key("dir"))
    missing = [name for name in layout.REPORT_FILES if not (run.dir / name).is_file()]
    if missing:
        raise InputError(f"no {', '.join(missing)} (a SCALE-Sim run directory holds all three reports)",
                         path=run.dir, key=run.key("dir"))


def _check_traces(run, layer_count):
    missing = [f"{layout.layer_dir_name(index)}/{name}" for index in range(layer_count)
               for name in TRACE_FILE_NAMES if not (layout.layer_dir(run.dir, index) / name).is_file()]
    if missing:
        more = f" and {len(missing) - MISSING_LISTED} more" if len(missing) > MISSING_LISTED else ""
        raise InputError(f"missing traces: {', '.join(missing[:MISSING_LISTED])}{more} (SCALE-Sim writes "
                         "traces only with save_disk_space=False)", path=run.dir, key=run.key("dir"))


def _check_offsets(run, layer_count, hardware):
    offsets = offsets_of(hardware)
    for index in range(layer_count):
        for subdivision in SUBDIVISIONS:
            path = layout.layer_dir(run.dir, index) / layout.dram_trace_name(subdivision)
            address = _first_address(path)
            lo, hi = address_range(subdivision, offsets)
            if address is not None and not lo <= address < hi:
                raise InputError(
                    f"address {address} is outside the {subdivision} buffer's range [{lo}, {hi}) under the "
                    f"offsets of hardware {run.hardware} ({OFFSET_KEYS[subdivision]} {offsets[subdivision]}): "
                    "the run was made with other offsets", path=path, line=1, key=run.key("hardware"))


def _first_address(path):
    """The first address (not -1) on the first line of a trace, or None."""
    with open(path, "rb") as handle:
        fields = handle.readline(FIRST_LINE_LIMIT).split(b",")[1:]
    for field in fields:
        try:
            address = float(field)
        except ValueError:
            return None  # not a trace line: the lifetime job that parses it says where
        if address != -1:
            return int(address)
    return None


def _ranges(indices):
    """`0-3, 5` for [0, 1, 2, 3, 5] (none: `none`)."""
    if not indices:
        return "none"
    spans, start = [], indices[0]
    for previous, index in zip(indices, indices[1:] + [None]):
        if index != previous + 1:
            spans.append(f"{start}" if start == previous else f"{start}-{previous}")
            start = index
    return ", ".join(spans)
