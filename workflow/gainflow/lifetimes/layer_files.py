"""GainSight's per-layer files and the run description.

Per layer `i`, in `<run>/layer<i>/`:

- `layer<i>_lifetime_data.csv` (`gainflow lifetimes` always; the workflow with `lifetime_tables`):
  header `subdivision,address,lifetime,write_cycle,reads,first_read_cycle`, one row per interval
  with a lifetime, ordered by subdivision (ifmap, filter, ofmap), address, write cycle; `reads` =
  reads inside the interval, `first_read_cycle` = the cycle of the first of them;
- `layer<i>_lifetime_histogram.csv.gz`: the same intervals reduced for the frontend, a gzip-compressed
  CSV (`gainflow.lifetimes.histogram.SIDECAR_COLUMNS`): `subdivision,cycles`, then per histogram (`lifetime`,
  `lifetime_from_first_read`, `prefetch_slack`: `gainflow.lifetimes.histogram.HISTOGRAM_NAMES`) the
  columns `<name>_intervals,<name>_reads`. Per subdivision (ifmap, filter, ofmap), one row per
  number of cycles that any of the three counts (ascending): how many intervals each histogram
  counts at that value and their reads, 0 where it counts none (exact counts; kilobytes where the
  CSV has gigabytes). The three histograms share rows: a slack often equals a lifetime;
- `layer<i>_aggregate_data.csv`: one row per subdivision (`gainflow.lifetimes.aggregate`);
- `layer<i>_graph.png`: the lifetime distributions (`gainflow.lifetimes.graphs`); with `with_graph=False`
  (the workflow's per-layer step) `layer<i>_graph_data.json` instead, the graph's compact data,
  from which one job per run draws all its graphs (`gainflow.lifetimes.graphs.draw_layer_graph`).

Only the lifetime table needs the intervals; the other files follow from each buffer's
`BufferSummary` (exact lifetime histogram and counts, `gainflow.lifetimes.histogram`), so the
workflow's per-layer step writes them from the small part files alone; the table it streams from the
parts' runs of intervals (`gainflow.lifetimes.interval_runs`), a block at a time.

`<run>/run_info.json` describes the run (`gainflow.files.run_info.RunInfo`).

Entry points: `write_layer_files(layer_dir, layer_index, buffers, total_cycles)` (`gainflow
lifetimes`) and `merge_layer_parts(part_paths, layer_dir, layer_index, tables=...)` (the workflow,
after one `gainflow.lifetimes.parts.save_part` per subdivision). Every file is written atomically.
"""

import gzip
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
from gainflow.lifetimes.histogram import HISTOGRAM_NAMES, SIDECAR_COLUMNS, summarize
from gainflow.lifetimes.parts import load_part

LIFETIME_HEADER = "subdivision,address,lifetime,write_cycle,reads,first_read_cycle\n"
HISTOGRAM_HEADER = ",".join(SIDECAR_COLUMNS) + "\n"
# zlib's default level: 6.5 times smaller than the text on the study's files, 5.6 times at level 1
# for a fifth of the CPU time; either is milliseconds per layer. mtime 0 and no file name in the
# gzip header: equal inputs give equal bytes.
GZIP_LEVEL = 6


def lifetime_csv(buffers):
    """The lifetime CSV text of a layer's buffers (given in subdivision order)."""
    text = io.BytesIO()
    write_lifetime_csv(text, buffers)
    return text.getvalue().decode()


def write_lifetime_csv(handle, buffers):
    """The lifetime CSV of `BufferLifetimes` into the binary `handle`."""
    write_interval_csv(handle, [
        (buffer.subdivision,
         [(buffer.address, buffer.lifetime, buffer.write_cycle, buffer.interval_reads, buffer.first_read_cycle)])
        for buffer in buffers])


def write_interval_csv(handle, subdivisions):
    """The lifetime CSV into the binary `handle` from (subdivision, blocks of its table columns:
    address, lifetime, write cycle, reads, first read) in subdivision order (tables run to tens of
    millions of rows: the blocks can stream)."""
    handle.write(LIFETIME_HEADER.encode())
    for subdivision, blocks in subdivisions:
        write_subdivision_rows(handle, ((subdivision, columns) for columns in blocks))


def write_histogram_csv(handle, summaries):
    """The lifetime histogram sidecar, gzip-compressed, into the binary `handle`: per subdivision,
    one row per value any of its histograms counts (ascending) with each histogram's intervals and
    reads at that value."""
    with gzip.GzipFile(filename="", mode="wb", fileobj=handle, compresslevel=GZIP_LEVEL, mtime=0) as compressed:
        compressed.write(HISTOGRAM_HEADER.encode())
        write_subdivision_rows(compressed, [(summary.subdivision, histogram_columns(summary.histograms))
                                            for summary in summaries])


def histogram_columns(histograms):
    """The sidecar's integer columns of one buffer's `histograms` (name -> LifetimeHistogram): the
    values any of `HISTOGRAM_NAMES` counts, then per name its intervals and reads at each (0 where
    it counts none)."""
    named = [histograms[name] for name in HISTOGRAM_NAMES]
    values = np.unique(np.concatenate([histogram.lifetimes for histogram in named]))
    columns = [values]
    for histogram in named:
        rows = np.searchsorted(values, histogram.lifetimes)
        for counts in (histogram.intervals, histogram.reads):
            column = np.zeros(len(values), dtype=np.int64)
            column[rows] = counts
            columns.append(column)
    return columns


def write_subdivision_rows(handle, tables):
    """For each (subdivision, integer columns) one row per element, led by the subdivision."""
    for subdivision, columns in tables:
        write_int_rows(handle, columns, prefix=subdivision.encode() + b",")


def write_layer_files(layer_dir, layer_index, buffers, total_cycles, *, with_graph=True):
    """All files of one layer from its `BufferLifetimes`: the per-interval lifetime table, then
    the files of `write_layer_summaries`."""
    buffers = in_subdivision_order(buffers)
    write_lifetime_table(layer_dir, layer_index, buffers)
    write_layer_summaries(layer_dir, layer_index, [summarize(buffer) for buffer in buffers], total_cycles,
                          with_graph=with_graph)


def in_subdivision_order(buffers):
    return sorted(buffers, key=lambda buffer: SUBDIVISIONS.index(buffer.subdivision))


def write_lifetime_table(layer_dir, layer_index, buffers):
    with atomic_file(Path(layer_dir) / layout.layer_file_name(layer_index, layout.LIFETIME_TABLE)) as handle:
        write_lifetime_csv(handle, buffers)


def write_layer_summaries(layer_dir, layer_index, summaries, total_cycles, *, with_graph=True):
    """The files of one layer that its `BufferSummary`s (in subdivision order) determine: the
    histogram sidecar, the aggregate statistics and the graph (without the graph, its data
    `layer<i>_graph_data.json` in its place). Written after any lifetime table: the frontend takes
    a sidecar older than its table as stale."""
    def path(kind):
        return Path(layer_dir) / layout.layer_file_name(layer_index, kind)

    with atomic_file(path(layout.LIFETIME_HISTOGRAM)) as handle:
        write_histogram_csv(handle, summaries)
    with atomic_file(path(layout.AGGREGATE_TABLE)) as handle:
        handle.write(aggregate_csv([aggregate_row(summary, total_cycles) for summary in summaries]).encode())
    if with_graph:
        with atomic_file(path(layout.GRAPH)) as handle:
            write_layer_graph(handle, layer_index, summaries)
    else:
        with atomic_file(path(layout.GRAPH_DATA)) as handle:
            write_graph_data(handle, summaries)


def merge_layer_parts(part_paths, layer_dir, layer_index, *, tables, with_graph=True):
    """Per-layer workflow step: a layer's part files (`gainflow.lifetimes.parts`, one per
    subdivision, any order) -> its files in `layer_dir`: with `tables`, the per-interval lifetime
    table (the parts must hold the intervals), then those of `write_layer_summaries`. Without
    `tables`, a lifetime table left there by an earlier run is removed (it would hold the earlier
    run's intervals). Returns Total Cycles."""
    loaded = sorted((load_part(path) for path in part_paths), key=lambda part: SUBDIVISIONS.index(part[0].subdivision))
    cycles = {total_cycles for _, total_cycles, _ in loaded}
    if len(cycles) != 1:
        raise InputError(f"part files disagree on the layer's Total Cycles: {sorted(cycles)}", path=layer_dir)
    subdivisions = [summary.subdivision for summary, _, _ in loaded]
    if len(set(subdivisions)) != len(subdivisions):
        raise InputError(f"two part files for the same subdivision: {subdivisions}", path=layer_dir)
    if tables:
        without = [summary.subdivision for summary, _, intervals in loaded if intervals is None]
        if without:
            raise InputError(f"lifetime tables asked for, but the parts of {without} hold no intervals",
                             path=layer_dir)
        table = Path(layer_dir) / layout.layer_file_name(layer_index, layout.LIFETIME_TABLE)
        with atomic_file(table) as handle:
            write_interval_csv(handle, [(summary.subdivision, intervals.column_blocks())
                                        for summary, _, intervals in loaded])
    else:
        (Path(layer_dir) / layout.layer_file_name(layer_index, layout.LIFETIME_TABLE)).unlink(missing_ok=True)
    total_cycles = cycles.pop()
    write_layer_summaries(layer_dir, layer_index, [summary for summary, _, _ in loaded], total_cycles,
                          with_graph=with_graph)
    return total_cycles

