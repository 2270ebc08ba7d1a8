"""A sweep's frontend reports -> one summary table and three comparison plots.

- table: one row per (topology, hardware config, design), where a design is each technology of the
  device library used for all three buffers, plus the report's two compositions (per-buffer
  minimum-energy choice, and the retention split); area and energy also as ratios against the
  all-baseline (SRAM) design of the same run;
- `area` and `energy` plots: those ratios per design, grouped by run (topology x hardware);
- `lifetimes` plot: per run and buffer, the lifetime range (min, median, p90, max) in seconds against
  each technology's retention time, and the share of accesses whose lifetime fits each retention.

Everything comes from the reports (`workflow/gainflow/schemas/report.schema.json`); nothing is recomputed.
"""

import csv
import json
import os
from pathlib import Path

from gainflow.events import SUBDIVISIONS

COMPOSITIONS = {"min_energy_per_buffer": "min-energy per buffer", "retention_split": "retention split"}
TABLE_COLUMNS = (
    "topology", "hardware", "dataflow", "array", "layers", "total_cycles", "clock_hz", "design",
    "retention_s", "refreshes", "accesses_within_retention", "area_mm2", "read_energy_j", "write_energy_j",
    "refresh_energy_j", "leakage_energy_j", "total_energy_j", "area_vs_baseline", "energy_vs_baseline",
)
PLOT_QUANTITIES = {"area": "area_vs_baseline", "energy": "energy_vs_baseline"}
PLOT_TITLES = {"area": "Scratchpad area per design", "energy": "Scratchpad energy per design"}
PLOT_MEASURES = {"area": "area", "energy": "energy (dynamic + refresh + leakage)"}
# Ratios spanning more than this factor are drawn on a log scale.
LOG_SCALE_SPAN = 20


def load_reports(paths):
    return [json.loads(Path(path).read_text()) for path in paths]


def run_label(report):
    workload = report["workload"]
    return f"{workload['topology']}\n{workload['run_name']}"


def _run_columns(report):
    workload = report["workload"]
    return {
        "topology": workload["topology"],
        "hardware": workload["run_name"],
        "dataflow": workload["dataflow"],
        "array": f"{workload['array_height']}x{workload['array_width']}",
        "layers": workload["layers"],
        "total_cycles": workload["total_cycles"],
        "clock_hz": workload["clock_hz"],
    }


def _energy_columns(energy):
    return {
        "read_energy_j": energy["read_j"],
        "write_energy_j": energy["write_j"],
        "refresh_energy_j": energy["refresh_j"],
        "leakage_energy_j": energy["leakage_j"],
        "total_energy_j": energy["total_j"],
    }


def _technology_row(total, parameters, baseline_total):
    return {
        "retention_s": "" if parameters["static"] else parameters["retention_s"],
        "refreshes": total["refreshes"],
        "accesses_within_retention": total["within_retention"]["accesses_share"],
        "area_mm2": total["area_capacity_mm2"],
        **_energy_columns(total["energy"]),
        "area_vs_baseline": total["area_capacity_mm2"] / baseline_total["area_capacity_mm2"],
        "energy_vs_baseline": total["energy"]["total_j"] / baseline_total["energy"]["total_j"],
    }


def _composition_row(composition):
    return {
        "retention_s": "",
        "refreshes": "",
        "accesses_within_retention": "",
        "area_mm2": composition["area_mm2"],
        **_energy_columns(composition["energy"]),
        "area_vs_baseline": composition["vs_baseline"]["area"],
        "energy_vs_baseline": composition["vs_baseline"]["total_energy"],
    }


def summary_rows(reports):
    """The table's rows, in report order, then the library's technology order, then compositions."""
    rows = []
    for report in reports:
        run = _run_columns(report)
        technologies = report["technologies"]
        baseline_total = technologies[report["device_library"]["baseline"]]["total"]
        for name in report["device_library"]["technology_order"]:
            record = technologies[name]
            rows.append({**run, "design": name,
                         **_technology_row(record["total"], record["parameters"], baseline_total)})
        for key, design in COMPOSITIONS.items():
            rows.append({**run, "design": design, **_composition_row(report["composition"][key])})
    return rows


def write_table(rows, path):
    """CSV with TABLE_COLUMNS, written atomically."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TABLE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)


def _new_figure(width, height):
    # Figure + Agg canvas instead of pyplot: no GUI backend lookup, and nothing global to close.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path, dpi):
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial.png")
    # No metadata: the same data gives the same bytes.
    figure.savefig(partial, dpi=dpi, metadata={"Software": None})
    os.replace(partial, path)


def _runs_and_designs(rows):
    runs = list(dict.fromkeys((row["topology"], row["hardware"]) for row in rows))
    designs = list(dict.fromkeys(row["design"] for row in rows))
    return runs, designs


def plot_ratios(rows, name, path, dpi):
    """Grouped bars: per run, one bar per design, of `PLOT_QUANTITIES[name]` (1 = all-baseline)."""
    column = PLOT_QUANTITIES[name]
    runs, designs = _runs_and_designs(rows)
    value = {(row["topology"], row["hardware"], row["design"]): row[column] for row in rows}
    figure = _new_figure(max(6.0, 1.2 * len(runs) + 2), 5.0)
    axes = figure.add_subplot()
    width = 0.8 / len(designs)
    for index, design in enumerate(designs):
        positions = [run + (index - (len(designs) - 1) / 2) * width for run in range(len(runs))]
        axes.bar(positions, [value[(*run, design)] for run in runs], width, label=design)
    axes.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    axes.set_xticks(range(len(runs)), [f"{topology}\n{hardware}" for topology, hardware in runs], fontsize=8)
    ratios = [ratio for ratio in value.values() if ratio > 0]
    if max(ratios) / min(ratios) > LOG_SCALE_SPAN:
        axes.set_yscale("log")
    axes.set_ylabel(f"{PLOT_MEASURES[name]}\nrelative to all-SRAM (dashed line = 1)")
    axes.set_title(PLOT_TITLES[name])
    axes.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    _save(figure, path, dpi)


def _lifetime_ranges(axes, reports):
    """Per run and buffer: min-max line, p90 tick, median dot (seconds); retention times as lines."""
    offsets = {name: offset for name, offset in zip(SUBDIVISIONS, (-0.2, 0.0, 0.2))}
    colours = {"ifmap": "tab:blue", "filter": "tab:orange", "ofmap": "tab:green"}
    floor = None
    for run, report in enumerate(reports):
        clock = report["workload"]["clock_hz"]
        floor = 1 / clock if floor is None else min(floor, 1 / clock)
        for name in SUBDIVISIONS:
            stats = report["lifetime_statistics"][name]
            if stats["intervals"] == 0:
                continue
            # Lifetimes of 0 cycles are drawn at one cycle: the axis is logarithmic.
            low, median, p90, high = (max(stats[f"{key}_cycles"], 1) / clock for key in ("min", "median", "p90", "max"))
            x = run + offsets[name]
            axes.plot([x, x], [low, high], color=colours[name], linewidth=1.5,
                      label=name if run == 0 else None)
            axes.plot([x], [median], "o", color=colours[name], markersize=4)
            axes.plot([x], [p90], "_", color=colours[name], markersize=10)
    # Technologies with equal retention share one line.
    names_by_retention = {}
    for name, record in reports[0]["technologies"].items():
        if not record["parameters"]["static"]:
            names_by_retention.setdefault(record["parameters"]["retention_s"], []).append(name)
    for seconds, names in sorted(names_by_retention.items()):
        axes.axhline(seconds, color="grey", linewidth=0.8, linestyle=":")
        axes.annotate(f"{', '.join(names)} retention", (1.0, seconds), xycoords=("axes fraction", "data"),
                      fontsize=7, ha="right", va="bottom", color="dimgrey")
    axes.set_yscale("log")
    axes.set_ylabel("data lifetime (s, log scale)")
    axes.set_title("Lifetimes per buffer: min-max, p90 (tick), median (dot)")
    axes.legend(fontsize=8, loc="center left")


def _retention_shares(axes, reports):
    """Per run, per technology with finite retention: share of accesses whose lifetime fits it."""
    names = [name for name in reports[0]["device_library"]["technology_order"]
             if not reports[0]["technologies"][name]["parameters"]["static"]]
    width = 0.8 / max(len(names), 1)
    for index, name in enumerate(names):
        positions = [run + (index - (len(names) - 1) / 2) * width for run in range(len(reports))]
        shares = [100 * report["technologies"][name]["total"]["within_retention"]["accesses_share"]
                  for report in reports]
        axes.bar(positions, shares, width, label=name)
    axes.set_ylim(0, 125)
    axes.set_ylabel("accesses within retention (%)")
    axes.set_title("Share of accesses whose lifetime fits the retention time")
    axes.legend(fontsize=8, ncols=len(names), loc="upper center")


def plot_lifetimes(reports, path, dpi):
    figure = _new_figure(max(7.0, 1.2 * len(reports) + 2), 7.5)
    top, bottom = figure.subplots(2, 1, sharex=True)
    _lifetime_ranges(top, reports)
    _retention_shares(bottom, reports)
    bottom.set_xticks(range(len(reports)), [run_label(report) for report in reports], fontsize=8)
    _save(figure, path, dpi)


def write_summary(report_paths, table_path, plot_paths, dpi):
    """`plot_paths`: plot name ("area", "energy", "lifetimes") -> PNG path."""
    reports = load_reports(report_paths)
    rows = summary_rows(reports)
    write_table(rows, table_path)
    for name in PLOT_QUANTITIES:
        plot_ratios(rows, name, plot_paths[name], dpi)
    plot_lifetimes(reports, plot_paths["lifetimes"], dpi)
