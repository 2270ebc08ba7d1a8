"""A sweep's frontend reports -> the summary table (`summary.csv`) and its plots.

The table is tidy: one row per (topology, hardware point, clock, device corner, lifetime start,
design), where the designs of a run are each technology of the device library used for all three
buffers (library order), then the report's two compositions. Rows are sorted by topology, hardware
point, clock, corner and lifetime start. Cells are plain numbers or names; an empty cell means "not applicable" (a static
technology's retention, a composition's refresh count) or "undefined" (a share over no access, a
ratio against an all-baseline design of zero area or energy). Columns:

- `topology`: the network (topology file name); `hardware`: the hardware point (run name);
- `array_rows`, `array_columns`: systolic array height and width (PEs); `dataflow`: os, ws or is;
- `ifmap_sram_kb`, `filter_sram_kb`, `ofmap_sram_kb`: scratchpad sizes (kB of 1024 bytes);
- `clock_hz`: clock frequency (Hz); `device_corner`: the device library's corner ("default" when the
  report names none); `lifetime_start`: where the report's lifetimes start, `fill` (at the write) or
  `first_read` (at the interval's first read);
- `layers`: layers simulated; `total_cycles`: run length (cycles, all layers);
- `design`: a technology name, "min-energy per buffer" (each buffer of its least-energy technology)
  or "retention split" (each lifetime interval in the densest technology whose retention covers it);
- `design_kind`: "baseline" (the all-baseline technology, SRAM in the shipped library),
  "technology" (another single technology) or "composition";
- `retention_s`: the technology's retention time (s; empty for static memories and compositions);
- `refreshes`: refresh operations over the run (all buffers; empty for compositions);
- `accesses_within_retention`: share (0-1) of the accesses whose data lifetime is within the
  retention time (all buffers pooled; 1 for static memories; empty for compositions);
- `area_mm2`: scratchpad area at full capacity (mm^2);
- `read_energy_j`, `write_energy_j`, `refresh_energy_j`, `leakage_energy_j`, `total_energy_j`:
  scratchpad energy over the run (J); total = read + write + refresh + leakage;
- `area_vs_baseline`, `energy_vs_baseline`: area and total energy over those of the all-baseline
  design of the same run (1 for the baseline itself), to 12 significant digits as in the reports.

Everything comes from the reports (`workflow/gainflow/schemas/report.schema.json`); nothing is recomputed
but the ratios.
"""

import csv
import io

from gainflow.errors import InputError
from gainflow.files.atomic import atomic_file
from gainflow.frontend.report import rounded
from gainflow.files.plain import plain
from gainflow.sweep.reports import BUFFER_NAMES, ENERGY_PARTS, START_ORDER, load_runs

TABLE_COLUMNS = (
    "topology", "hardware", "array_rows", "array_columns", "dataflow",
    *(f"{name}_sram_kb" for name in BUFFER_NAMES), "clock_hz", "device_corner", "lifetime_start", "layers",
    "total_cycles",
    "design", "design_kind", "retention_s", "refreshes", "accesses_within_retention", "area_mm2",
    *(f"{part}_energy_j" for part in ENERGY_PARTS), "area_vs_baseline", "energy_vs_baseline",
)


def ratio(value, reference):
    """value / reference to the reports' 12 significant digits, or None when the reference is zero."""
    return rounded(value / reference) if reference else None


def _run_columns(run):
    return {
        "topology": run.topology, "hardware": run.hardware,
        "array_rows": run.array_rows, "array_columns": run.array_columns, "dataflow": run.dataflow,
        **{f"{name}_sram_kb": run.buffer_kb[name] for name in BUFFER_NAMES},
        "clock_hz": run.clock_hz, "device_corner": run.device_corner, "lifetime_start": run.lifetime_start,
        "layers": run.layers, "total_cycles": run.total_cycles,
    }


def _design_columns(design, baseline):
    return {
        "design": design.name, "design_kind": design.kind, "retention_s": design.retention_s,
        "refreshes": design.refreshes, "accesses_within_retention": design.accesses_within_retention,
        "area_mm2": design.area_mm2,
        **{f"{part}_energy_j": design.energy_j[part] for part in ENERGY_PARTS},
        "area_vs_baseline": ratio(design.area_mm2, baseline.area_mm2),
        "energy_vs_baseline": ratio(design.energy_j["total"], baseline.energy_j["total"]),
    }


def summary_rows(runs):
    """The table's rows (dicts keyed by TABLE_COLUMNS; None = empty cell), in the runs' order."""
    rows = []
    for run in runs:
        columns = _run_columns(run)
        baseline = run.baseline()
        rows += [{**columns, **_design_columns(design, baseline)} for design in run.designs]
    return rows


def table_text(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    # csv writes None as an empty field; `plain` refuses numpy scalars and other non-plain values.
    writer.writerows({key: plain(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def write_table(rows, path):
    """CSV with TABLE_COLUMNS, written atomically."""
    with atomic_file(path) as handle:
        handle.write(table_text(rows).encode())


def runs_by_topology(runs, topologies):
    """topology -> its runs, for each of `topologies`; a topology without a report is an error."""
    grouped = {topology: [run for run in runs if run.topology == topology] for topology in topologies}
    missing = [topology for topology, found in grouped.items() if not found]
    if missing:
        raise InputError(f"no report of topology {', '.join(missing)} among the summary's inputs")
    return grouped


def write_summary(report_paths, table_path, pareto_paths, sensitivity_path, dpi):
    """Table, one Pareto plot per topology (`pareto_paths`: topology -> PNG path) and the
    sensitivity plot. All reports are read and checked before anything is written."""
    # Plotting imports matplotlib (about half a second): only once the inputs are known to be good.
    runs = load_runs(report_paths)
    plotted = runs_of_one_start(runs)
    grouped = runs_by_topology(plotted, pareto_paths)
    from gainflow.sweep import plots

    write_table(summary_rows(runs), table_path)
    for topology, path in pareto_paths.items():
        plots.plot_pareto(topology, grouped[topology], path, dpi)
    plots.plot_sensitivity(plotted, sensitivity_path, dpi)


def runs_of_one_start(runs):
    """The runs the plots show: those of the first lifetime start (in `START_ORDER`) the sweep has."""
    start = min((run.lifetime_start for run in runs), key=START_ORDER.index, default=None)
    return [run for run in runs if run.lifetime_start == start]
