"""The sweep's plots: a Pareto plot per topology and the retention sensitivity plot.

- `pareto_<topology>.png`: total scratchpad energy against scratchpad area for every (hardware
  point, design) of the topology; one panel per (clock, device corner): rows are corners, columns
  clocks, with shared axes so panels compare directly. Colour tells the design, the all-baseline
  (SRAM) designs are hollow black squares, compositions diamonds. The black step line is the
  panel's Pareto front (both minimised; `gainflow.sweep.pareto`), its points lettered by hardware point,
  the letters keyed beside the panel (up to 12 hardware points, evenly spread along the front).
- `sensitivity.png`: per gain-cell technology (rows), the share of accesses whose lifetime is
  within the technology's retention, against the array size (PEs) and against the total scratchpad
  size (ifmap + filter + ofmap kB); one line per dataflow through the median over all runs at that
  size (every topology, other hardware parameter, clock and corner), a band from their minimum to
  their maximum.

Both show the reports of one lifetime start: `fill` when the sweep has it, else `first_read`
(`gainflow.sweep.summary.runs_of_one_start`). PNG bytes depend only on the data: fixed metadata, no
timestamps, Agg renderer.
"""

import statistics

from gainflow.files.atomic import atomic_file
from gainflow.sweep.pareto import pareto_front

# Axes whose values span more than this factor are logarithmic.
LOG_SCALE_SPAN = 20
FEW_DECADES = 1000
FRONT_LABELS = 12  # hardware points named on a front, at most (26 letters)
PNG_METADATA = {"Software": "gainflow"}
# Lines of equal values must stay distinguishable: each dataflow has its own colour, marker and dashes.
DATAFLOW_STYLES = (
    {"color": "tab:blue", "marker": "o", "linestyle": "-"},
    {"color": "tab:orange", "marker": "s", "linestyle": "--"},
    {"color": "tab:green", "marker": "^", "linestyle": ":"},
    {"color": "tab:purple", "marker": "v", "linestyle": "-."},
)
BASELINE_STYLE = {"marker": "s", "facecolors": "none", "edgecolors": "black", "s": 46, "linewidths": 1.4}


def new_figure(width, height):
    # Figure + Agg canvas instead of pyplot: no GUI backend lookup, and nothing global to close.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_png(figure, path, dpi):
    with atomic_file(path) as handle:
        figure.savefig(handle, format="png", dpi=dpi, metadata=PNG_METADATA)


CLOCK_UNITS = (("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3), ("Hz", 1))
TIME_UNITS = (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))


def with_unit(value, units):
    """`value` in the first of `units` (name, scale; largest first) that it reaches, else the last."""
    unit, scale = next(((unit, scale) for unit, scale in units if value >= scale), units[-1])
    return f"{value / scale:g} {unit}"


def scale_for(values):
    """"log" when positive values span more than LOG_SCALE_SPAN, else "linear"."""
    low, high = min(values), max(values)
    return "log" if low > 0 and high / low > LOG_SCALE_SPAN else "linear"


def set_scale(axes, which, values):
    """Axis `which` ("x" or "y") on `scale_for(values)`, log ticks labelled as plain numbers."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if scale_for(values) == "log":
        getattr(axes, f"set_{which}scale")("log")
        axis = getattr(axes, f"{which}axis")
        # Within a few decades, ticks at 1, 2 and 5 per decade: a decade-only axis may show one label.
        if max(values) / min(values) < FEW_DECADES:
            axis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.set_minor_formatter(NullFormatter())


# ----------------------------------------------------------------------------- Pareto plot


def _design_colours(runs):
    """Design name -> colour: black for the baseline, then the tab10 cycle in table order."""
    colours, cycle = {}, iter(f"C{index % 10}" for index in range(1000))
    for run in runs:
        for design in run.designs:
            if design.name not in colours:
                colours[design.name] = "black" if design.kind == "baseline" else next(cycle)
    return colours


def _draw_points(axes, points, colours):
    """`points`: (area, energy, run, design)."""
    for name, colour in colours.items():
        mine = [(x, y, design) for x, y, _, design in points if design.name == name]
        if not mine:
            continue
        xs, ys = [x for x, _, _ in mine], [y for _, y, _ in mine]
        kind = mine[0][2].kind
        if kind == "baseline":
            axes.scatter(xs, ys, label=f"{name} (all-baseline)", zorder=3, **BASELINE_STYLE)
        else:
            # Compositions hollow: one often equals a single-technology design drawn under it.
            style = ({"marker": "D", "facecolors": "none", "edgecolors": colour, "s": 34, "linewidths": 1.2}
                     if kind == "composition" else {"marker": "o", "color": colour, "s": 22, "linewidths": 0})
            axes.scatter(xs, ys, alpha=0.85, label=name, zorder=3, **style)


def _draw_front(axes, points):
    front = [points[index] for index in pareto_front([(x, y) for x, y, _, _ in points])]
    axes.step([x for x, *_ in front], [y for _, y, *_ in front], where="post", color="black",
              linewidth=1.0, zorder=2, label="Pareto front")
    # Hardware names are long and front points close: each point gets a letter, keyed beside the panel.
    hardware = list(dict.fromkeys(run.hardware for _, _, run, _ in front))
    letters = {name: chr(ord("A") + index) for index, name in enumerate(spread(hardware, FRONT_LABELS))}
    positions = {(x, y): run.hardware for x, y, run, _ in front if run.hardware in letters}  # equal points: one label
    for (x, y), name in positions.items():
        axes.annotate(letters[name], (x, y), xytext=(3, -9), textcoords="offset points", fontsize=7,
                      fontweight="bold", color="dimgrey")
    key = "\n".join(f"{letter}  {name}" for name, letter in letters.items())
    axes.text(1.03, 1.0, f"on the front:\n{key}", transform=axes.transAxes, va="top", ha="left", fontsize=7,
              family="monospace", color="0.2")


def spread(items, count):
    """At most `count` of `items`, evenly spaced, the first and the last included."""
    if len(items) <= count:
        return items
    return [items[round(index * (len(items) - 1) / (count - 1))] for index in range(count)]


def plot_pareto(topology, runs, path, dpi):
    corners = sorted({run.device_corner for run in runs})
    clocks = sorted({run.clock_hz for run in runs})
    colours = _design_colours(runs)
    figure = new_figure(max(6.4, 5.6 * len(clocks) + 0.6), 3.6 * len(corners) + 1.3)
    panels = figure.subplots(len(corners), len(clocks), sharex=True, sharey=True, squeeze=False)
    everything = []
    for row, corner in enumerate(corners):
        for column, clock in enumerate(clocks):
            axes = panels[row][column]
            points = [(design.area_mm2, design.energy_j["total"], run, design)
                      for run in runs if (run.device_corner, run.clock_hz) == (corner, clock)
                      for design in run.designs]
            everything += points
            if points:
                _draw_points(axes, points, colours)
                _draw_front(axes, points)
            axes.set_title(f"clock {with_unit(clock, CLOCK_UNITS)}, corner {corner}", fontsize=9)
            axes.grid(True, which="major", alpha=0.3)
            if row == len(corners) - 1:
                axes.set_xlabel("scratchpad area (mm², full capacity)")
            if column == 0:
                axes.set_ylabel("scratchpad energy over the run (J)")
    set_scale(panels[0][0], "x", [x for x, *_ in everything])
    set_scale(panels[0][0], "y", [y for _, y, *_ in everything])
    figure.suptitle(f"{topology}: scratchpad energy against area per hardware point and design "
                    "(lower left is better)", fontsize=11)
    handles, labels = _legend_entries(panels)
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), fontsize=8,
                  frameon=False)
    save_png(figure, path, dpi)


def _legend_entries(panels):
    """Each label once, in drawing order, over all panels."""
    entries = {}
    for axes in (axes for row in panels for axes in row):
        for handle, label in zip(*axes.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


# ----------------------------------------------------------------------------- sensitivity plot

SIZE_AXES = (
    ("array size (PEs = rows x columns)", lambda run: run.pe_count),
    ("scratchpad size (kB, ifmap + filter + ofmap)", lambda run: run.total_buffer_kb),
)


def _retention_technologies(runs):
    """Names of the technologies with a retention limit, in table order."""
    names = {}
    for run in runs:
        for design in run.designs:
            if design.kind == "technology" and design.retention_s is not None:
                names.setdefault(design.name, None)
    return list(names)


def _technology_title(runs, technology):
    """The name with the retention time, or its range when corners differ."""
    retentions = sorted({design.retention_s for run in runs for design in run.designs if design.name == technology})
    labels = [with_unit(seconds, TIME_UNITS) for seconds in (retentions[0], retentions[-1])]
    if len(retentions) == 1:
        return f"{technology} (retention {labels[0]})"
    return f"{technology} (retention {labels[0]} to {labels[1]} over the corners)"


def _share_of(run, technology):
    design = next((d for d in run.designs if d.name == technology), None)
    return None if design is None else design.accesses_within_retention


def _dataflow_styles(dataflows):
    return {flow: DATAFLOW_STYLES[index % len(DATAFLOW_STYLES)] for index, flow in enumerate(dataflows)}


def share_lines(runs, technology, size_of):
    """dataflow -> [(size, median %, min %, max %)] by increasing size, over the runs with a share."""
    lines = {}
    for dataflow in sorted({run.dataflow for run in runs}):
        by_size = {}
        for run in runs:
            share = _share_of(run, technology)
            if run.dataflow == dataflow and share is not None:
                by_size.setdefault(size_of(run), []).append(100 * share)
        lines[dataflow] = [(size, statistics.median(values), min(values), max(values))
                           for size, values in sorted(by_size.items())]
    return lines


def _draw_share_panel(axes, lines, styles):
    sizes = sorted({size for points in lines.values() for size, *_ in points})
    for dataflow, points in lines.items():
        if not points:
            continue
        xs, medians, lows, highs = zip(*points)
        axes.fill_between(xs, lows, highs, color=styles[dataflow]["color"], alpha=0.12, linewidth=0)
        axes.plot(xs, medians, markersize=5, linewidth=1.5, label=dataflow, **styles[dataflow])
    if sizes and scale_for(sizes) == "log":
        axes.set_xscale("log", base=2)
    axes.set_xticks(sizes, [f"{size:g}" for size in sizes], fontsize=7)
    axes.minorticks_off()
    axes.set_ylim(-4, 104)
    axes.grid(True, alpha=0.3)


def plot_sensitivity(runs, path, dpi):
    technologies = _retention_technologies(runs)
    styles = _dataflow_styles(sorted({run.dataflow for run in runs}))
    figure = new_figure(9.0, 2.3 * max(len(technologies), 1) + 1.2)
    panels = figure.subplots(max(len(technologies), 1), len(SIZE_AXES), sharey=True, squeeze=False)
    for row, technology in enumerate(technologies):
        for column, (label, size_of) in enumerate(SIZE_AXES):
            axes = panels[row][column]
            _draw_share_panel(axes, share_lines(runs, technology, size_of), styles)
            axes.set_title(_technology_title(runs, technology), fontsize=9)
            if row == len(technologies) - 1:
                axes.set_xlabel(label)
        panels[row][0].set_ylabel("accesses within\nretention (%)")
    if not technologies:
        panels[0][0].text(0.5, 0.5, "no technology with a retention limit", ha="center",
                          transform=panels[0][0].transAxes)
    figure.suptitle("Share of accesses within retention, per dataflow: median over topologies, other "
                    "hardware parameters,\nclocks and corners (band: minimum to maximum)", fontsize=10)
    handles, labels = _legend_entries(panels)
    if labels:
        figure.legend(handles, [f"dataflow {label}" for label in labels], loc="outside lower center",
                      ncols=len(labels), fontsize=8, frameon=False)
    save_png(figure, path, dpi)
