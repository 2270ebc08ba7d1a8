"""GainSight's per-layer files and the run description, from `BufferLifetimes`.

Per layer `i`, in `<run>/layer<i>/`:

- `layer<i>_lifetime_data.csv`: header `subdivision,address,lifetime,write_cycle,reads`, one
  row per interval with a lifetime, ordered by subdivision (ifmap, filter, ofmap), address,
  write cycle; `reads` = reads inside the interval;
- `layer<i>_lifetime_histogram.csv`: the same intervals reduced for the frontend, header
  `subdivision,lifetime,intervals,reads`, per subdivision one row per distinct lifetime (ascending):
  how many intervals have it and their reads (exact counts; kilobytes where the CSV has gigabytes);
- `layer<i>_aggregate_data.csv`: one row per subdivision (`gainflow.lifetimes.aggregate`);
- `layer<i>_graph.png`: the lifetime distributions (`gainflow.lifetimes.graphs`); with `with_graph=False`
  (the workflow's per-layer step) `layer<i>_graph_data.json` instead, the graph's compact data,
  from which one job per run draws all its graphs (`gainflow.lifetimes.graphs.draw_layer_graph`).

`<run>/run_info.json` describes the run (`gainflow.files.run_info.RunInfo`).

Workflow entry point: `merge_layer_pairs(pair_paths, layer_dir, layer_index)` (after one
`gainflow.lifetimes.save_pair` per subdivision). Every file is written atomically.
"""

import io
from pathlib import Path

import numpy as np

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files import layout
from gainflow.files.atomic import atomic_file
from gainflow.files.csv_text import write_int_rows
from gainflow.lifetimes.aggregate import aggregate_csv, aggregate_row
from gainflow.lifetimes.graphs import write_graph_data, write_layer_graph
from gainflow.lifetimes.histogram import LifetimeHistogram
from gainflow.lifetimes.intervals import load_pair

LIFETIME_HEADER = "subdivision,address,lifetime,write_cycle,reads\n"
HISTOGRAM_HEADER = "subdivision,lifetime,intervals,reads\n"


def lifetime_csv(buffers):
    """The lifetime CSV text of a layer's buffers (given in subdivision order)."""
    text = io.BytesIO()
    write_lifetime_csv(text, buffers)
    return text.getvalue().decode()


def write_lifetime_csv(handle, buffers):
    """The lifetime CSV into the binary `handle` (tables run to tens of millions of rows)."""
    write_subdivision_tables(handle, LIFETIME_HEADER, [
        (buffer.subdivision, (buffer.address, buffer.lifetime, buffer.write_cycle, buffer.interval_reads))
        for buffer in buffers])


def lifetime_histogram(buffer):
    """A buffer's exact `LifetimeHistogram`: one interval per lifetime row.

    Counted by np.bincount when the lifetimes span at most a few times their number: linear, and
    on 10^7 rows 0.2 s instead of the 3.2 s of `LifetimeHistogram.from_parts`' sort. bincount sums
    the reads in float64, exact while their total stays below 2**53 (checked)."""
    lifetimes, reads = buffer.lifetime, buffer.interval_reads
    span = int(lifetimes.max()) + 1 if lifetimes.size else 0
    if span > 4 * lifetimes.size + (1 << 20) or int(reads.sum()) >= 1 << 53:
        return LifetimeHistogram.from_parts(lifetimes, np.ones(lifetimes.size, dtype=np.int64), reads)
    intervals = np.bincount(lifetimes, minlength=span)
    present = np.flatnonzero(intervals)
    read_sums = np.bincount(lifetimes, weights=reads, minlength=span)[present]
    return LifetimeHistogram(present.astype(np.int64), intervals[present].astype(np.int64),
                             read_sums.astype(np.int64))


def write_histogram_csv(handle, buffers):
    """The lifetime histogram sidecar into the binary `handle`: per subdivision, one row per
    distinct lifetime (ascending) with its number of intervals and their reads."""
    tables = []
    for buffer in buffers:
        histogram = lifetime_histogram(buffer)
        tables.append((buffer.subdivision, (histogram.lifetimes, histogram.intervals, histogram.reads)))
    write_subdivision_tables(handle, HISTOGRAM_HEADER, tables)


def write_subdivision_tables(handle, header, tables):
    """`header`, then for each (subdivision, integer columns) one row per element, led by the subdivision."""
    handle.write(header.encode())
    for subdivision, columns in tables:
        write_int_rows(handle, columns, prefix=subdivision.encode() + b",")


def write_layer_files(layer_dir, layer_index, buffers, total_cycles, *, with_graph=True):
    """Write the three GainSight files of one layer from its `BufferLifetimes`; without the graph,
    its data (`layer<i>_graph_data.json`) in its place."""
    buffers = sorted(buffers, key=lambda buffer: SUBDIVISIONS.index(buffer.subdivision))
    layer_dir = Path(layer_dir)

    def path(kind):
        return layer_dir / layout.layer_file_name(layer_index, kind)

    with atomic_file(path(layout.LIFETIME_TABLE)) as handle:
        write_lifetime_csv(handle, buffers)
    # After the lifetime CSV: the frontend takes a sidecar older than its CSV as stale.
    with atomic_file(path(layout.LIFETIME_HISTOGRAM)) as handle:
        write_histogram_csv(handle, buffers)
    with atomic_file(path(layout.AGGREGATE_TABLE)) as handle:
        handle.write(aggregate_csv([aggregate_row(buffer, total_cycles) for buffer in buffers]).encode())
    if with_graph:
        with atomic_file(path(layout.GRAPH)) as handle:
            write_layer_graph(handle, layer_index, buffers)
    else:
        with atomic_file(path(layout.GRAPH_DATA)) as handle:
            write_graph_data(handle, buffers)


def merge_layer_pairs(pair_paths, layer_dir, layer_index, *, with_graph=True):
    """Per-layer workflow step: the pair files of `gainflow.lifetimes.save_pair` (one per
    subdivision, any order) -> the three GainSight files in `layer_dir` (`with_graph`: as in
    `write_layer_files`). Returns Total Cycles."""
    loaded = [load_pair(path) for path in pair_paths]
    cycles = {total_cycles for _, total_cycles in loaded}
    if len(cycles) != 1:
        raise InputError(f"pair files disagree on the layer's Total Cycles: {sorted(cycles)}", path=layer_dir)
    subdivisions = [buffer.subdivision for buffer, _ in loaded]
    if len(set(subdivisions)) != len(subdivisions):
        raise InputError(f"two pair files for the same subdivision: {subdivisions}", path=layer_dir)
    buffers = [buffer for buffer, _ in loaded]
    write_layer_files(layer_dir, layer_index, buffers, cycles.pop(), with_graph=with_graph)
    return loaded[0][1]
