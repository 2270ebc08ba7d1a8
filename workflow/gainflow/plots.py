"""`layer<i>_graph.png`: the lifetime distribution of each buffer of one layer.

One panel per subdivision: a histogram of interval lifetimes over power-of-two bins
([0,1), [1,2), [2,4), ...), drawn as equally wide bars, so the x axis is logarithmic in
the lifetime while lifetime 0 stays visible; the y axis is logarithmic too. The panel title
gives the interval, dead-write and unfilled-read counts. (Matplotlib's symlog axis and
tight_layout cost seconds per figure; fixed margins and plain-text ticks keep it near a tenth.)

A graph is drawn from its panels' compact data (`graph_panels`: counts per bin and the title
figures), which `write_graph_data` / `read_graph_data` keep as a small JSON file: the workflow
draws a whole run's graphs in one process from those, since importing pyplot costs 1-2 s.
"""

import json

import numpy as np


def lifetime_bins(max_lifetime):
    """Bin edges 0, 1, 2, 4, ... up to the first power of two above `max_lifetime`."""
    top = int(max_lifetime).bit_length()
    return np.concatenate(([0], 2 ** np.arange(top + 1)))


def graph_panels(buffers):
    """The compact data of a layer graph, one dict per `BufferLifetimes`: subdivision, intervals,
    dead_writes, unfilled_reads and `counts`, the histogram over `lifetime_bins` ([] if no lifetimes)."""
    panels = []
    for buffer in buffers:
        lifetimes = buffer.lifetime
        counts = np.histogram(lifetimes, bins=lifetime_bins(lifetimes.max()))[0] if len(lifetimes) else []
        panels.append({
            "subdivision": buffer.subdivision,
            "intervals": len(lifetimes),
            "dead_writes": int(buffer.dead_writes),
            "unfilled_reads": int(buffer.unfilled_reads),
            "counts": [int(count) for count in counts],
        })
    return panels


def write_graph_data(handle, buffers):
    """`graph_panels(buffers)` as JSON into the binary `handle`."""
    handle.write((json.dumps(graph_panels(buffers)) + "\n").encode())


def read_graph_data(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_layer_graph(handle, layer_index, buffers):
    """Draw one panel per `BufferLifetimes` of `buffers` into the binary `handle` (PNG)."""
    draw_layer_graph(handle, layer_index, graph_panels(buffers))


def draw_layer_graph(handle, layer_index, panels):
    """Draw the graph of `graph_panels` data into the binary `handle` (PNG)."""
    # The object API, not pyplot: no global figure state, and pyplot's import alone costs ~0.5 s.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5 * len(panels), 4))
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(panels), squeeze=False)
    for axis, panel in zip(axes[0], panels):
        _draw_panel(axis, panel)
    figure.suptitle(f"layer{layer_index}: data lifetime distribution per buffer")
    figure.subplots_adjust(left=0.09 / len(panels) * 1.5, right=0.98, bottom=0.16, top=0.80, wspace=0.3)
    # No metadata: the PNG depends only on the data.
    figure.savefig(handle, format="png", dpi=100, metadata={"Software": None})


def _draw_panel(axis, panel):
    from matplotlib.ticker import FixedLocator, NullLocator

    axis.set_title(
        f"{panel['subdivision']}: {panel['intervals']} intervals\n"
        f"{panel['dead_writes']} dead writes, {panel['unfilled_reads']} unfilled reads",
        fontsize=10,
    )
    axis.set_xlabel("lifetime (cycles, power-of-two bins)")
    axis.set_ylabel("intervals (count)")
    if panel["intervals"] == 0:
        axis.text(0.5, 0.5, "no lifetimes", ha="center", va="center", transform=axis.transAxes)
        return
    counts = np.array(panel["counts"])
    edges = lifetime_bins(2 ** (len(counts) - 1) - 1)  # the edges `graph_panels` counted over
    axis.bar(np.arange(len(counts)), counts, width=1.0, align="edge")
    # Plain-text labels at chosen places: mathtext labels and a log axis's automatic minor ticks
    # made up most of a second per graph.
    step = max(1, -(-len(edges) // 12))
    ticks = np.arange(0, len(edges), step)
    axis.set_xticks(ticks, [_power_label(int(edges[i]), base=2) for i in ticks], fontsize=8)
    axis.set_xlim(0, len(counts))
    axis.set_yscale("log")
    decades = 10 ** np.arange(int(np.log10(counts.max())) + 2)
    axis.yaxis.set_major_locator(FixedLocator(decades))
    axis.yaxis.set_minor_locator(NullLocator())
    axis.set_yticks(decades, [_power_label(int(decade), base=10) for decade in decades])
    axis.set_ylim(0.8, decades[-1])
    axis.grid(True, axis="y", alpha=0.3)


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_label(value, base):
    """`value` in digits while short, else as base and superscript exponent (plain text)."""
    if value < 16 if base == 2 else value < 1000:
        return str(value)
    exponent = value.bit_length() - 1 if base == 2 else len(str(value)) - 1
    return f"{base}{str(exponent).translate(_SUPERSCRIPTS)}"
