"""`layer<i>_graph.png`: the lifetime distribution of each buffer of one layer.

One panel per subdivision: a histogram of interval lifetimes over power-of-two bins
([0,1), [1,2), [2,4), ...) on a symmetric-log x axis (so lifetime 0 stays visible) and a
log y axis. The panel title gives the interval, dead-write and unfilled-read counts.
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
    figure.tight_layout()
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
    axis.set_xlabel("lifetime (cycles)")
    axis.set_ylabel("intervals (count)")
    if len(lifetimes) == 0:
        axis.text(0.5, 0.5, "no lifetimes", ha="center", va="center", transform=axis.transAxes)
        return
    edges = lifetime_bins(lifetimes.max())
    counts, _ = np.histogram(lifetimes, bins=edges)
    axis.stairs(counts, edges, fill=True)
    axis.set_xscale("symlog", linthresh=1)
    axis.set_yscale("log")
    axis.set_ylim(bottom=0.8)
    axis.grid(True, which="major", alpha=0.3)
