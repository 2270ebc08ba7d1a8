"""Where gainflow's files live: every file and folder name of a run, defined once.

A SCALE-Sim run directory (what `gainflow simulate` writes, and what `gainflow lifetimes -s` and the
workflow's `scalesim_runs` read):

    <run>/COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv
    <run>/layer<i>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv

A lifetimes run directory (what `gainflow lifetimes` and the workflow write, and the frontend reads):

    <run>/run_info.json
    <run>/layer<i>/layer<i>_lifetime_data.csv, _lifetime_histogram.csv.gz, _aggregate_data.csv,
                   _graph.png (or _graph_data.json, the graph's data, in the workflow)

(`_lifetime_histogram.csv.gz`: the exact lifetime histograms, a gzip-compressed CSV with one row per
subdivision and value that any histogram counts; formats in `gainflow.lifetimes.layer_files`.)
    <run>/frontend_report.json (`gainflow frontend`'s default report path)

The workflow writes `layer<i>_lifetime_data.csv` only with `lifetime_tables`, and adds
`<run>/layer<i>/layer<i>_<subdivision>.part` (temporary: one buffer's hand-over from its lifetime
job to the per-layer step, `gainflow.lifetimes.parts`), `<run>/traces/` (a SCALE-Sim run directory,
when traces are saved), `<run>/report-<clock>-<corner>-<start>.json` (its reports),
`results/hardware/<hardware>.cfg` (every run's config) and the sweep's summary:
`results/summary/summary.csv`, `pareto_<topology>.png` (one per topology), `sensitivity.png`.

Names take a layer index or, for Snakemake patterns, the text of a wildcard such as "{layer}".
"""

import re
from pathlib import Path

COMPUTE_REPORT = "COMPUTE_REPORT.csv"
BANDWIDTH_REPORT = "BANDWIDTH_REPORT.csv"
DETAILED_ACCESS_REPORT = "DETAILED_ACCESS_REPORT.csv"
REPORT_FILES = (COMPUTE_REPORT, BANDWIDTH_REPORT, DETAILED_ACCESS_REPORT)
TRACE_GLOB = "*_TRACE.csv"

RUN_INFO = "run_info.json"
FRONTEND_REPORT = "frontend_report.json"
TRACES_DIR = "traces"
SUMMARY_DIR = "summary"  # under the workflow's results/
SWEEP_HARDWARE_DIR = "hardware"  # under the workflow's results/: every run's config, <hardware>.cfg
SUMMARY_TABLE = "summary.csv"
SENSITIVITY_PLOT = "sensitivity.png"
PARETO_PREFIX = "pareto_"

# The per-layer files of a lifetimes run, by kind: `layer<i>_<kind>`.
LIFETIME_TABLE = "lifetime_data.csv"
LIFETIME_HISTOGRAM = "lifetime_histogram.csv.gz"
AGGREGATE_TABLE = "aggregate_data.csv"
GRAPH = "graph.png"
GRAPH_DATA = "graph_data.json"
LAYER_FILE_KINDS = (LIFETIME_TABLE, LIFETIME_HISTOGRAM, AGGREGATE_TABLE, GRAPH, GRAPH_DATA)

PART_SUFFIX = ".part"


def sweep_report_name(clock, corner, start):
    """`report-<clock>-<corner>-<start>.json`: the workflow's report of a run at one clock (its label,
    e.g. 1GHz) with one device corner and one lifetime start (fill or first_read). No name holds a
    hyphen, so the name splits unambiguously."""
    return f"report-{clock}-{corner}-{start}.json"


def sram_trace_name(subdivision):
    """`IFMAP_SRAM_TRACE.csv` for "ifmap", and so on."""
    return f"{subdivision.upper()}_SRAM_TRACE.csv"


def dram_trace_name(subdivision):
    return f"{subdivision.upper()}_DRAM_TRACE.csv"


def layer_dir_name(layer):
    return f"layer{layer}"


def layer_index_of(folder_name):
    """The layer index of a `layer<i>` folder name, or None for any other name."""
    match = re.fullmatch(r"layer(\d+)", folder_name)
    return None if match is None else int(match.group(1))


def layer_dir(run_dir, layer):
    """`<run_dir>/layer<layer>`."""
    return Path(run_dir) / layer_dir_name(layer)


def layer_file_name(layer, kind):
    """`layer<layer>_<kind>`, `kind` one of LAYER_FILE_KINDS."""
    if kind not in LAYER_FILE_KINDS:
        raise ValueError(f"unknown per-layer file kind {kind!r}")
    return f"{layer_dir_name(layer)}_{kind}"


def layer_file(run_dir, layer, kind):
    """`<run_dir>/layer<layer>/layer<layer>_<kind>`."""
    return layer_dir(run_dir, layer) / layer_file_name(layer, kind)


def part_file_name(layer, subdivision):
    """`layer<layer>_<subdivision>.part`: one buffer's hand-over to the per-layer step, beside the
    layer's files (in a folder of its own, the workflow would leave that folder behind empty)."""
    return f"{layer_dir_name(layer)}_{subdivision}{PART_SUFFIX}"


def pareto_plot_name(topology):
    """`pareto_<topology>.png`: the summary's Pareto plot of one topology."""
    return f"{PARETO_PREFIX}{topology}.png"


def pareto_plot_topology(path):
    """The topology of a `pareto_<topology>.png` path (ValueError for another name)."""
    name = Path(path).name
    if not (name.startswith(PARETO_PREFIX) and name.endswith(".png")):
        raise ValueError(f"a Pareto plot must be named {pareto_plot_name('<topology>')}: {path}")
    return name[len(PARETO_PREFIX):-len(".png")]
