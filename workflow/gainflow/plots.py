"""`layer<i>_graph.png`: the lifetime distribution of each buffer of one layer.

One panel per subdivision: a histogram of interval lifetimes over power-of-two bins
([0,1), [1,2), [2,4), ...), drawn as equally wide bars, so the x axis is logarithmic in
the lifetime while lifetime 0 stays visible; the y axis is logarithmic too. The panel title
gives the interval, dead-write and unfilled-read counts. (Matplotlib's symlog axis and
tight_layout cost seconds per figure; fixed margins and plain ticks keep it well under one.)
"""

import numpy as np


def lifetime_bins(max_lifetime):
    """Bin edges 0, 1, 2, 4, ... up to the first power of two above `max_lifetime`."""
    top = int(max_lifetime).bit_length()
    return np.concatenate(([0], 2 ** np.arange(top + 1)))


def write_layer_graph(handle, layer_index, buffers):
    """Draw one panel per `BufferLifetimes` of `buffers` into the binary `handle` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(1, len(buffers), figsize=(5 * len(buffers), 4), squeeze=False)
    for axis, buffer in zip(axes[0], buffers):
        _draw_panel(axis, buffer)
    figure.suptitle(f"layer{layer_index}: data lifetime distribution per buffer")
    figure.subplots_adjust(left=0.09 / len(buffers) * 1.5, right=0.98, bottom=0.16, top=0.80, wspace=0.3)
    # No metadata: the PNG depends only on the data.
    figure.savefig(handle, format="png", dpi=100, metadata={"Software": None})
    pyplot.close(figure)


def _draw_panel(axis, buffer):
    lifetimes = buffer.lifetime
    axis.set_title(
        f"{buffer.subdivision}: {len(lifetimes)} intervals\n"
        f"{buffer.dead_writes} dead writes, {buffer.unfilled_reads} unfilled reads",
        fontsize=10,
    )
    axis.set_xlabel("lifetime (cycles, power-of-two bins)")
    axis.set_ylabel("intervals (count)")
    if len(lifetimes) == 0:
        axis.text(0.5, 0.5, "no lifetimes", ha="center", va="center", transform=axis.transAxes)
        return
    edges = lifetime_bins(lifetimes.max())
    counts, _ = np.histogram(lifetimes, bins=edges)
    axis.bar(np.arange(len(counts)), counts, width=1.0, align="edge")
    axis.set_xticks(np.arange(len(edges)), [_edge_label(edge) for edge in edges], fontsize=8)
    axis.set_xlim(0, len(counts))
    axis.set_yscale("log")
    axis.set_ylim(bottom=0.8)
    axis.grid(True, axis="y", alpha=0.3)


def _edge_label(edge):
    edge = int(edge)
    return str(edge) if edge < 16 else f"$2^{{{edge.bit_length() - 1}}}$"
