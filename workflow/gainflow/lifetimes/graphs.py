"""`layer<i>_graph.png`: the lifetime distribution of each buffer of one layer.

One axes, one step line per subdivision: a histogram of interval lifetimes over power-of-two
bins ([0,1), [1,2), [2,4), ...) drawn as equally wide steps, so the x axis is logarithmic in the
lifetime while lifetime 0 stays visible; the y axis is logarithmic too. The legend gives each
buffer's interval, dead-write and unfilled-read counts. (Drawing time is mostly text: one axes,
plain-text ticks, no mathtext and no automatic minor log ticks keep a graph to a few tenths of a
second; matplotlib's symlog axis and tight_layout cost seconds.)

A graph is drawn from its panels' compact data (`graph_panels`: counts per bin and the legend
figures), which `write_graph_data` / `read_graph_data` keep as a small JSON file: the workflow
draws a batch of graphs in one process from those, since importing matplotlib costs ~0.5 s.
"""

import json

import numpy as np

from gainflow.files.plain import plain_json


def lifetime_bins(max_lifetime):
    """Bin edges 0, 1, 2, 4, ... up to the first power of two above `max_lifetime`."""
    top = int(max_lifetime).bit_length()
    return np.concatenate(([0], 2 ** np.arange(top + 1)))


def bin_counts(histogram):
    """Intervals per `lifetime_bins` bin of a `LifetimeHistogram` ([] if it is empty): what
    `np.histogram` gives on the per-interval lifetimes, counted per distinct lifetime."""
    if histogram.lifetimes.size == 0:
        return []
    edges = lifetime_bins(histogram.lifetimes[-1])
    counts = np.zeros(len(edges) - 1, dtype=np.int64)
    # Bin i holds edges[i] <= lifetime < edges[i + 1]; the largest lifetime is below the last edge.
    np.add.at(counts, np.searchsorted(edges, histogram.lifetimes, side="right") - 1, histogram.intervals)
    return [int(count) for count in counts]


def graph_panels(summaries):
    """The compact data of a layer graph, one dict per `BufferSummary`: subdivision, intervals,
    dead_writes, unfilled_reads and `counts`, the histogram over `lifetime_bins` ([] if no lifetimes)."""
    return [{
        "subdivision": summary.subdivision,
        "intervals": summary.intervals,
        "dead_writes": summary.dead_writes,
        "unfilled_reads": summary.unfilled_reads,
        "counts": bin_counts(summary.histogram),
    } for summary in summaries]


def write_graph_data(handle, summaries):
    """`graph_panels(summaries)` as JSON into the binary `handle`."""
    handle.write((json.dumps(plain_json(graph_panels(summaries))) + "\n").encode())


def read_graph_data(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_layer_graph(handle, layer_index, summaries):
    """Draw one step line per `BufferSummary` of `summaries` into the binary `handle` (PNG)."""
    draw_layer_graph(handle, layer_index, graph_panels(summaries))


def draw_layer_graph(handle, layer_index, panels):
    """Draw the graph of `graph_panels` data into the binary `handle` (PNG)."""
    # The object API, not pyplot: no global figure state, and pyplot's import alone costs ~0.5 s.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullLocator

    figure = Figure(figsize=(8, 5))
    FigureCanvasAgg(figure)
    axis = figure.add_axes((0.1, 0.11, 0.87, 0.66))  # the top fifth: title and legend
    bins = max([len(panel["counts"]) for panel in panels] + [1])
    for panel in panels:
        counts = np.zeros(bins, dtype=np.int64)
        counts[:len(panel["counts"])] = panel["counts"]
        # Empty bins drop to the bottom of the log axis (0.5) instead of vanishing.
        axis.stairs(np.where(counts > 0, counts, 0.5), np.arange(bins + 1), baseline=0.5, linewidth=1.5,
                    label=f"{panel['subdivision']}: {panel['intervals']} intervals, {panel['dead_writes']} dead "
                          f"writes, {panel['unfilled_reads']} unfilled reads")
    edges = lifetime_bins(2 ** (bins - 1) - 1)  # the edges `graph_panels` counted over
    ticks = np.arange(0, len(edges), max(1, -(-len(edges) // 12)))
    axis.set_xticks(ticks, [_power_label(int(edges[i]), base=2) for i in ticks])
    axis.set_xlim(0, bins)
    axis.set_yscale("log")
    top = max([max(panel["counts"], default=0) for panel in panels] + [1])
    decades = 10 ** np.arange(len(str(top)) + 1)
    axis.set_yticks(decades, [_power_label(int(decade), base=10) for decade in decades])
    axis.yaxis.set_minor_locator(NullLocator())
    axis.set_ylim(0.5, decades[-1])
    axis.grid(True, axis="y", alpha=0.3)
    axis.set_xlabel("lifetime (cycles, power-of-two bins)")
    axis.set_ylabel("intervals (count)")
    figure.suptitle(f"layer{layer_index}: data lifetime distribution per buffer", fontsize=11, y=0.97)
    axis.legend(loc="lower left", bbox_to_anchor=(0, 1.02), fontsize=8, frameon=False)
    # No metadata: the PNG depends only on the data.
    figure.savefig(handle, format="png", dpi=100, metadata={"Software": None})


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_label(value, base):
    """`value` in digits while short, else as base and superscript exponent (plain text)."""
    if value < 16 if base == 2 else value < 1000:
        return str(value)
    exponent = value.bit_length() - 1 if base == 2 else len(str(value)) - 1
    return f"{base}{str(exponent).translate(_SUPERSCRIPTS)}"
