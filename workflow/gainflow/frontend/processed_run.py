"""Read a `gainflow lifetimes` output directory into exact per-buffer totals.

Layout (`OUT/<run_name>/`): `run_info.json` and, per layer i listed there, in `layer<i>/`:
`layer<i>_lifetime_data.csv` (header `subdivision,address,lifetime,write_cycle,reads`) or its
sidecar `layer<i>_lifetime_histogram.csv` (below) or both, and `layer<i>_aggregate_data.csv`
(one row per subdivision; columns in docs/lifetimes.md).

Lifetime CSVs can hold tens of millions of rows, so each layer is read from its
`layer<i>_lifetime_histogram.csv` sidecar (header `subdivision,lifetime,intervals,reads`,
exact counts per distinct lifetime, written by `gainflow.lifetimes.layer_files`) when it is current:
alone (the workflow writes no lifetime CSV unless `lifetime_tables` is set) it is authoritative;
beside a lifetime CSV it must not be older than the CSV. Otherwise the lifetime CSV is streamed in
chunks and reduced to the same `LifetimeHistogram` per subdivision; no rows are kept.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files import layout
from gainflow.files.run_info import RunInfo
from gainflow.lifetimes.histogram import LifetimeHistogram, merge_histograms

LIFETIME_COLUMNS = ("subdivision", "address", "lifetime")  # leading columns, in this order
HISTOGRAM_COLUMNS = ["subdivision", "lifetime", "intervals", "reads"]  # exactly these
AGGREGATE_COUNTS = ("intervals", "reads", "writes", "dead_writes", "unfilled_reads", "unique_addresses")
CHUNK_ROWS = 1_000_000


@dataclass
class BufferTotals:
    """One subdivision summed over all layers."""

    histogram: LifetimeHistogram = field(default_factory=LifetimeHistogram.empty)
    intervals: int = 0
    reads: int = 0
    writes: int = 0
    dead_writes: int = 0
    unfilled_reads: int = 0
    unique_addresses_sum: int = 0  # over layers: address-layer pairs
    footprint_words: int = 0  # the largest per-layer footprint


@dataclass
class ProcessedRun:
    run_dir: Path
    run_info: RunInfo
    buffers: dict  # subdivision -> BufferTotals


def load_processed_run(run_dir, chunk_rows=CHUNK_ROWS):
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("processed run directory not found", path=run_dir)
    info = RunInfo.load(run_dir / layout.RUN_INFO)
    buffers = {name: BufferTotals() for name in SUBDIVISIONS}
    for layer in info.layers:
        histogram_path, layer_histograms = read_layer_histograms(run_dir, layer.index, chunk_rows)
        aggregate_path = layout.layer_file(run_dir, layer.index, layout.AGGREGATE_TABLE)
        intervals = add_aggregate(buffers, aggregate_path)
        for name, histogram in layer_histograms.items():
            if histogram.total_intervals() != intervals.get(name, 0):
                raise InputError(
                    f"{name}: {intervals.get(name, 0)} intervals, but {histogram_path.name} has "
                    f"{histogram.total_intervals()}", path=aggregate_path, key="intervals")
            buffers[name].histogram = merge_histograms([buffers[name].histogram, histogram])
    return ProcessedRun(run_dir=run_dir, run_info=info, buffers=buffers)


def read_layer_histograms(run_dir, layer_index, chunk_rows):
    """(the file read, subdivision -> LifetimeHistogram) of one layer: the sidecar if current."""
    csv_path = layout.layer_file(run_dir, layer_index, layout.LIFETIME_TABLE)
    sidecar_path = layout.layer_file(run_dir, layer_index, layout.LIFETIME_HISTOGRAM)
    if sidecar_is_current(sidecar_path, csv_path):
        return sidecar_path, read_histogram_sidecar(sidecar_path)
    return csv_path, read_lifetime_histograms(csv_path, chunk_rows)


def sidecar_is_current(sidecar_path, csv_path):
    """The sidecar exists and the lifetime CSV (if any) was not rewritten after it."""
    try:
        sidecar_time = sidecar_path.stat().st_mtime_ns
    except FileNotFoundError:
        return False
    try:
        return sidecar_time >= csv_path.stat().st_mtime_ns
    except FileNotFoundError:
        return True


def read_histogram_sidecar(path):
    """subdivision -> LifetimeHistogram of a `layer<i>_lifetime_histogram.csv`."""
    table = read_small_table(path, check_histogram_header)
    names = table["subdivision"]
    check_subdivisions(table, names, 0, path)
    lifetimes, intervals, reads = (integer_column(table, column, 0, path) for column in HISTOGRAM_COLUMNS[1:])
    if (intervals == 0).any():
        first_bad_row(table, 0, path, "intervals", intervals == 0, "a positive integer")
    # Rows as written: subdivisions in order, lifetimes strictly increasing within each.
    order = np.array([SUBDIVISIONS.index(name) for name in names], dtype=np.int64)
    unordered = np.concatenate(([False], (order[1:] < order[:-1])
                                | ((order[1:] == order[:-1]) & (lifetimes[1:] <= lifetimes[:-1]))))
    if unordered.any():
        first_bad_row(table, 0, path, "lifetime", unordered,
                      f"subdivisions in the order {SUBDIVISIONS} and increasing lifetimes within each")
    return {name: LifetimeHistogram(lifetimes[order == position], intervals[order == position],
                                    reads[order == position])
            for position, name in enumerate(SUBDIVISIONS)}


def check_histogram_header(header, path):
    if header != HISTOGRAM_COLUMNS:
        raise InputError(f"bad header {','.join(header)!r}, expected {','.join(HISTOGRAM_COLUMNS)}",
                         path=path, line=1)


def read_small_table(path, check_header_fields=None):
    """column -> numpy array of the fields' text, for the per-layer sidecar and aggregate files.

    They are small, so the csv module reads them; pandas (whose import alone costs a report job about
    0.35 CPU-s, with one job per clock and device corner) is left to the large lifetime tables.
    """
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise InputError("file not found (expected a `gainflow lifetimes` output)", path=path) from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"malformed CSV: {err}", path=path) from None
    if not rows:
        raise InputError("malformed CSV: the file is empty", path=path)
    header, body = rows[0], rows[1:]
    if check_header_fields is not None:
        check_header_fields(header, path)
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InputError(f"malformed CSV: expected {len(header)} fields in line {line}, saw {len(row)}",
                             path=path)
    columns = list(zip(*body)) if body else [()] * len(header)
    return {name: np.array(values, dtype=object) for name, values in zip(header, columns)}


def check_header(path, required_leading, required_anywhere):
    try:
        with open(path, encoding="utf-8") as handle:
            header = handle.readline().rstrip("\r\n").split(",")
    except FileNotFoundError:
        raise InputError("file not found (expected a `gainflow lifetimes` output)", path=path) from None
    check_header_fields(header, path, required_leading, required_anywhere)


def check_header_fields(header, path, required_leading, required_anywhere):
    leading_ok = tuple(header[:len(required_leading)]) == tuple(required_leading)
    missing = [name for name in required_anywhere if name not in header]
    if not leading_ok or missing:
        expected = ",".join(required_leading) + ",... with " + ",".join(required_anywhere)
        raise InputError(f"bad header {','.join(header)!r}, expected {expected}", path=path, line=1)


def first_bad_row(chunk, start_row, path, column, bad_mask, expected):
    position = int(np.flatnonzero(bad_mask)[0])
    value = np.asarray(chunk[column])[position]
    raise InputError(f"column '{column}': expected {expected}, got {value!r}",
                     path=path, line=start_row + position + 2)


def integer_column(chunk, column, start_row, path):
    """The column as int64; errors name the first non-integer or negative value's line."""
    numbers = [_integer_or_none(text) for text in np.asarray(chunk[column])]
    bad = np.array([number is None for number in numbers], dtype=bool)
    if bad.any():
        first_bad_row(chunk, start_row, path, column, bad, "an integer")
    values = np.array(numbers, dtype=np.int64)
    if (values < 0).any():
        first_bad_row(chunk, start_row, path, column, values < 0, "a non-negative integer")
    return values


def _integer_or_none(text):
    """The integer a field spells ("12", " 12", "12.0", "1e3"), or None."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def read_lifetime_histograms(path, chunk_rows):
    """subdivision -> LifetimeHistogram of one lifetime CSV, streamed in chunks."""
    import pandas as pd  # only here: see read_small_table
    check_header(path, LIFETIME_COLUMNS, ("reads",))
    try:
        # All columns are parsed (not usecols), so that a row with extra fields is an error.
        chunks = pd.read_csv(path, chunksize=chunk_rows,
                             dtype={"subdivision": "category", "lifetime": np.int64, "reads": np.int64})
        return accumulate_histograms(chunks, path)
    except (ValueError, pd.errors.ParserError) as err:
        # The fast integer parser does not say where; a text pass finds the line.
        locate_bad_value(path, chunk_rows)
        raise InputError(f"malformed CSV: {err}", path=path) from None


def accumulate_histograms(chunks, path):
    # Merged chunk by chunk: memory is bounded by the number of distinct lifetimes, not rows.
    histograms = {name: LifetimeHistogram.empty() for name in SUBDIVISIONS}
    start_row = 0
    for chunk in chunks:
        subdivisions = chunk["subdivision"].to_numpy(dtype=object)
        check_subdivisions(chunk, subdivisions, start_row, path)
        lifetimes = chunk["lifetime"].to_numpy()
        reads = chunk["reads"].to_numpy()
        for column, values in (("lifetime", lifetimes), ("reads", reads)):
            if (values < 0).any():
                first_bad_row(chunk, start_row, path, column, values < 0, "a non-negative integer")
        for name in SUBDIVISIONS:
            mask = subdivisions == name
            if mask.any():
                histograms[name] = merge_histograms([histograms[name], LifetimeHistogram.from_parts(
                    lifetimes[mask], np.ones(int(mask.sum()), dtype=np.int64), reads[mask])])
        start_row += len(chunk)
    return histograms


def check_subdivisions(chunk, subdivisions, start_row, path):
    unknown = ~np.isin(subdivisions, SUBDIVISIONS)
    if unknown.any():
        first_bad_row(chunk, start_row, path, "subdivision", unknown, f"one of {SUBDIVISIONS}")


def locate_bad_value(path, chunk_rows):
    """Raise InputError at the first non-integer lifetime or reads value, if any."""
    import pandas as pd  # only here: see read_small_table
    start_row = 0
    chunks = pd.read_csv(path, usecols=["lifetime", "reads"], dtype=str, chunksize=chunk_rows,
                         keep_default_na=False)
    try:
        for chunk in chunks:
            for column in ("lifetime", "reads"):
                integer_column(chunk, column, start_row, path)
            start_row += len(chunk)
    except pd.errors.ParserError:
        return  # a structural error: the caller reports pandas' message, which names the line


def add_aggregate(buffers, path):
    """Add one layer's aggregate counts to the per-subdivision totals; return its intervals."""
    table = read_small_table(
        path, lambda header, path: check_header_fields(header, path, ("subdivision",), AGGREGATE_COUNTS))
    names = table["subdivision"]
    check_subdivisions(table, names, 0, path)
    seen = set()
    counts = {column: integer_column(table, column, 0, path) for column in AGGREGATE_COUNTS}
    for row, name in enumerate(names):
        if name in seen:
            raise InputError(f"subdivision {name!r} appears twice", path=path, line=row + 2)
        seen.add(name)
        totals = buffers[name]
        for column in ("intervals", "reads", "writes", "dead_writes", "unfilled_reads"):
            setattr(totals, column, getattr(totals, column) + int(counts[column][row]))
        unique = int(counts["unique_addresses"][row])
        totals.unique_addresses_sum += unique
        totals.footprint_words = max(totals.footprint_words, unique)
    return {name: int(counts["intervals"][row]) for row, name in enumerate(names)}
