"""Read a `gainflow lifetimes` output directory into exact per-buffer totals.

Layout (`OUT/<run_name>/`): `run_info.json` and, per layer i listed there, in `layer<i>/`:
`layer<i>_lifetime_data.csv` (header `subdivision,address,lifetime,write_cycle,reads,first_read_cycle`)
or its sidecar `layer<i>_lifetime_histogram.csv.gz` (below) or both, and `layer<i>_aggregate_data.csv`
(one row per subdivision; columns in docs/lifetimes.md).

Lifetime CSVs can hold tens of millions of rows, so each layer is read from its
`layer<i>_lifetime_histogram.csv.gz` sidecar (a gzip-compressed CSV, columns
`gainflow.lifetimes.histogram.SIDECAR_COLUMNS`: per subdivision and value in cycles, each named
histogram's exact intervals and reads there; written by `gainflow.lifetimes.layer_files`) when it is
current: alone (the workflow writes no lifetime CSV unless `lifetime_tables` is set) it is
authoritative; beside a lifetime CSV it must not be older than the CSV. Otherwise the lifetime CSV is
streamed in chunks and reduced to the same `LifetimeHistogram`s per subdivision; no rows are kept.

A lifetime CSV written before lifetimes were also measured from the first read (without
`first_read_cycle`) gives only the `lifetime` histogram: enough for the lifetime start `fill`; the
start `first_read` then is an InputError. (The sidecars of that time, `layer<i>_lifetime_histogram.csv`,
are not read: rerun the layers.)
"""

import csv
import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files import layout
from gainflow.files.run_info import RunInfo
from gainflow.lifetimes.histogram import (
    HISTOGRAM_NAMES,
    LIFETIME,
    LIFETIME_FROM_FIRST_READ,
    LIFETIME_STARTS,
    PREFETCH_SLACK,
    SIDECAR_COLUMNS,
    LifetimeHistogram,
    merge_histograms,
)

LIFETIME_COLUMNS = ("subdivision", "address", "lifetime")  # leading columns, in this order
FIRST_READ_COLUMNS = ("write_cycle", "first_read_cycle")  # both or neither give the first-read histograms
LEGACY_SIDECAR = "lifetime_histogram.csv"  # its name before the sidecar was compressed (not read)
AGGREGATE_COUNTS = ("intervals", "reads", "writes", "dead_writes", "unfilled_reads", "unique_addresses")
CHUNK_ROWS = 1_000_000


@dataclass
class BufferTotals:
    """One subdivision summed over all layers. `histogram`: the lifetimes of the chosen start;
    `histograms`: every named histogram the files carry (`HISTOGRAM_NAMES`, or only `lifetime`)."""

    histogram: LifetimeHistogram = field(default_factory=LifetimeHistogram.empty)
    histograms: dict = field(default_factory=dict)
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
    lifetime_start: str  # where each buffer's `histogram` starts its lifetimes: a key of LIFETIME_STARTS


def load_processed_run(run_dir, chunk_rows=CHUNK_ROWS, lifetime_start="fill"):
    """The run's totals; each buffer's `histogram` holds the lifetimes measured from
    `lifetime_start` (a key of `LIFETIME_STARTS`)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("processed run directory not found", path=run_dir)
    info = RunInfo.load(run_dir / layout.RUN_INFO)
    buffers = {name: BufferTotals() for name in SUBDIVISIONS}
    carried = set(HISTOGRAM_NAMES)
    for layer in info.layers:
        histogram_path, layer_histograms = read_layer_histograms(run_dir, layer.index, chunk_rows)
        aggregate_path = layout.layer_file(run_dir, layer.index, layout.AGGREGATE_TABLE)
        intervals = add_aggregate(buffers, aggregate_path)
        for name, named in layer_histograms.items():
            carried &= set(named)
            for histogram_name, histogram in named.items():
                if histogram.total_intervals() != intervals.get(name, 0):
                    raise InputError(
                        f"{name}: {intervals.get(name, 0)} intervals, but {histogram_path.name} has "
                        f"{histogram.total_intervals()} in its {histogram_name!r} histogram", path=aggregate_path,
                        key="intervals")
                totals = buffers[name].histograms
                totals[histogram_name] = merge_histograms([totals.get(histogram_name, LifetimeHistogram.empty()),
                                                           histogram])
    choose_start(buffers, carried, lifetime_start, run_dir)
    return ProcessedRun(run_dir=run_dir, run_info=info, buffers=buffers, lifetime_start=lifetime_start)


def choose_start(buffers, carried, lifetime_start, run_dir):
    """Keep the histograms every layer carries; `histogram` := the one of `lifetime_start`."""
    wanted = LIFETIME_STARTS[lifetime_start]
    if wanted not in carried:
        raise InputError(f"lifetime start {lifetime_start!r}: the layer files hold no lifetimes from the first "
                         "read (written by an older gainflow; rerun `gainflow lifetimes`)", path=run_dir)
    for totals in buffers.values():
        totals.histograms = {name: totals.histograms.get(name, LifetimeHistogram.empty()) for name in
                             sorted(carried, key=HISTOGRAM_NAMES.index)}
        totals.histogram = totals.histograms[wanted]


def read_layer_histograms(run_dir, layer_index, chunk_rows):
    """(the file read, subdivision -> {histogram name: LifetimeHistogram}) of one layer: the sidecar
    if current."""
    csv_path = layout.layer_file(run_dir, layer_index, layout.LIFETIME_TABLE)
    sidecar_path = layout.layer_file(run_dir, layer_index, layout.LIFETIME_HISTOGRAM)
    if sidecar_is_current(sidecar_path, csv_path):
        return sidecar_path, read_histogram_sidecar(sidecar_path)
    legacy = csv_path.with_name(f"{layout.layer_dir_name(layer_index)}_{LEGACY_SIDECAR}")
    if legacy.exists() and not csv_path.exists():
        raise InputError(f"a histogram file of an older gainflow; this one reads {sidecar_path.name} (rerun the "
                         "layer's lifetimes)", path=legacy)
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
    """subdivision -> {histogram name: LifetimeHistogram} of a `layer<i>_lifetime_histogram.csv.gz`."""
    text = read_gzip_text(path)
    subdivisions, numbers = parse_sidecar(text) or parse_sidecar_by_line(text, path)
    check_subdivisions({"subdivision": subdivisions}, subdivisions, 0, path)
    columns = dict(zip(SIDECAR_COLUMNS[1:], numbers.T))
    position = np.array([SUBDIVISIONS.index(name) for name in subdivisions], dtype=np.int64)
    check_sidecar_rows(columns, position, path)
    cycles = columns["cycles"]
    histograms = {subdivision: {} for subdivision in SUBDIVISIONS}
    for name in HISTOGRAM_NAMES:
        intervals, reads = columns[f"{name}_intervals"], columns[f"{name}_reads"]
        for index, subdivision in enumerate(SUBDIVISIONS):
            rows = (position == index) & (intervals > 0)
            histograms[subdivision][name] = LifetimeHistogram(cycles[rows], intervals[rows], reads[rows])
    return histograms


def check_sidecar_rows(columns, position, path):
    """Rows as written: subdivisions in order (`position`: each row's index in SUBDIVISIONS), values
    increasing within each, every row counted by some histogram, no reads where none is counted."""
    cycles = columns["cycles"]
    unordered = np.concatenate(([False], (position[1:] < position[:-1])
                                | ((position[1:] == position[:-1]) & (cycles[1:] <= cycles[:-1]))))
    if unordered.any():
        first_bad_row(columns, 0, path, "cycles", unordered,
                      f"subdivisions in the order {SUBDIVISIONS} and increasing values within each")
    counted = np.zeros(len(cycles), dtype=bool)
    for name in HISTOGRAM_NAMES:
        intervals, reads = columns[f"{name}_intervals"], columns[f"{name}_reads"]
        if ((intervals == 0) & (reads > 0)).any():
            first_bad_row(columns, 0, path, f"{name}_reads", (intervals == 0) & (reads > 0),
                          f"0 where {name}_intervals is 0")
        counted |= intervals > 0
    if not counted.all():
        first_bad_row(columns, 0, path, "cycles", ~counted, "a value that some histogram counts")


def missing_output(path):
    """The error for a per-layer file that is not there."""
    return InputError("file not found (expected a `gainflow lifetimes` output)", path=path)


def read_gzip_text(path):
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read().decode("utf-8")
    except FileNotFoundError:
        raise missing_output(path) from None
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"not a readable gzip file: {err}", path=path) from None
    except UnicodeDecodeError as err:
        raise InputError(f"malformed CSV: {err}", path=path) from None


def parse_sidecar(text):
    """(subdivisions, integer matrix of the other columns) of a well-formed sidecar's text, by numpy's
    compiled parser; None for anything else (`parse_sidecar_by_line` then names the line)."""
    header, _, body = text.partition("\n")
    rows, numbers = body.count("\n"), len(SIDECAR_COLUMNS) - 1
    # Every row's columns are parsed below: this many commas leave no room for a longer or shorter row.
    if header != ",".join(SIDECAR_COLUMNS) or body.count(",") != rows * numbers or (body and not body.endswith("\n")):
        return None
    if not rows:
        return np.zeros(0, dtype=object), np.zeros((0, numbers), dtype=np.int64)
    try:
        values = np.loadtxt(io.StringIO(body), delimiter=",", usecols=range(1, 1 + numbers), dtype=np.int64,
                            ndmin=2, comments=None)
    except ValueError:
        return None
    if (values < 0).any():
        return None
    return np.array([line.partition(",")[0] for line in body.splitlines()], dtype=object), values


def parse_sidecar_by_line(text, path):
    """What `parse_sidecar` gives, row by row: the first malformed line is an InputError."""
    table = read_rows(csv.reader(io.StringIO(text, newline="")), path, check_sidecar_header)
    numbers = [integer_column(table, column, 0, path) for column in SIDECAR_COLUMNS[1:]]
    return table["subdivision"], np.column_stack(numbers).reshape(-1, len(numbers))


def check_sidecar_header(header, path):
    if header != list(SIDECAR_COLUMNS):
        raise InputError(f"bad header {','.join(header)!r}, expected {','.join(SIDECAR_COLUMNS)}",
                         path=path, line=1)


def read_small_table(path, check_header_fields=None):
    """column -> numpy array of the fields' text, for the per-layer aggregate files.

    They are small, so the csv module reads them; pandas (whose import alone costs a report job about
    0.35 CPU-s, with one job per clock and device corner) is left to the large lifetime tables.
    """
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return read_rows(csv.reader(handle), path, check_header_fields)
    except FileNotFoundError:
        raise missing_output(path) from None
    except UnicodeDecodeError as err:
        raise InputError(f"malformed CSV: {err}", path=path) from None


def read_rows(reader, path, check_header_fields=None):
    """column -> numpy array of the fields' text of the rows of a csv `reader`; every row as long
    as the header."""
    try:
        rows = list(reader)
    except csv.Error as err:
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
    """The header's fields, checked."""
    try:
        with open(path, encoding="utf-8") as handle:
            header = handle.readline().rstrip("\r\n").split(",")
    except FileNotFoundError:
        raise missing_output(path) from None
    check_header_fields(header, path, required_leading, required_anywhere)
    return header


def check_header_fields(header, path, required_leading, required_anywhere):
    leading_ok = tuple(header[:len(required_leading)]) == tuple(required_leading)
    missing = [name for name in required_anywhere if name not in header]
    if not leading_ok or missing:
        expected = ",".join(required_leading) + ",... with " + ",".join(required_anywhere)
        raise InputError(f"bad header {','.join(header)!r}, expected {expected}", path=path, line=1)


def first_bad_row(chunk, start_row, path, column, bad_mask, expected):
    position = int(np.flatnonzero(bad_mask)[0])
    value = np.asarray(chunk[column])[position]
    value = value.item() if isinstance(value, np.generic) else value  # 5, not np.int64(5)
    raise InputError(f"column '{column}': expected {expected}, got {value!r}",
                     path=path, line=start_row + position + 2)


def integer_column(chunk, column, start_row, path, signed=False):
    """The column as int64; errors name the first non-integer (or, unless `signed`, negative) value's line."""
    numbers = [_integer_or_none(text) for text in np.asarray(chunk[column])]
    bad = np.array([number is None for number in numbers], dtype=bool)
    if bad.any():
        first_bad_row(chunk, start_row, path, column, bad, "an integer")
    values = np.array(numbers, dtype=np.int64)
    if not signed and (values < 0).any():
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
    """subdivision -> {histogram name: LifetimeHistogram} of one lifetime CSV, streamed in chunks."""
    import pandas as pd  # only here: see read_small_table
    header = check_header(path, LIFETIME_COLUMNS, ("reads",))
    integers = ["lifetime", "reads"] + [column for column in FIRST_READ_COLUMNS if set(FIRST_READ_COLUMNS) <= set(header)]
    try:
        # All columns are parsed (not usecols), so that a row with extra fields is an error.
        chunks = pd.read_csv(path, chunksize=chunk_rows,
                             dtype={"subdivision": "category", **dict.fromkeys(integers, np.int64)})
        return accumulate_histograms(chunks, path, integers)
    except (ValueError, pd.errors.ParserError) as err:
        # The fast integer parser does not say where; a text pass finds the line.
        locate_bad_value(path, chunk_rows, integers)
        raise InputError(f"malformed CSV: {err}", path=path) from None


def accumulate_histograms(chunks, path, integers):
    # Merged chunk by chunk: memory is bounded by the number of distinct lifetimes, not rows.
    with_first_read = "first_read_cycle" in integers
    names = HISTOGRAM_NAMES if with_first_read else (LIFETIME,)
    histograms = {name: dict.fromkeys(names, LifetimeHistogram.empty()) for name in SUBDIVISIONS}
    start_row = 0
    for chunk in chunks:
        subdivisions = chunk["subdivision"].to_numpy(dtype=object)
        check_subdivisions(chunk, subdivisions, start_row, path)
        lifetimes, reads = chunk["lifetime"].to_numpy(), chunk["reads"].to_numpy()
        for column, values in (("lifetime", lifetimes), ("reads", reads)):
            if (values < 0).any():
                first_bad_row(chunk, start_row, path, column, values < 0, "a non-negative integer")
        per_interval = {LIFETIME: lifetimes}
        if with_first_read:
            per_interval.update(first_read_values(chunk, start_row, path))
        for name in SUBDIVISIONS:
            mask = subdivisions == name
            if mask.any():
                ones = np.ones(int(mask.sum()), dtype=np.int64)
                for histogram_name, values in per_interval.items():
                    histograms[name][histogram_name] = merge_histograms([
                        histograms[name][histogram_name], LifetimeHistogram.from_parts(values[mask], ones, reads[mask])])
        start_row += len(chunk)
    return histograms


def first_read_values(chunk, start_row, path):
    """Per row: the lifetime from the first read and the prefetch slack; the first read must lie
    within the interval (write cycle <= first read <= last read)."""
    write_cycle, first_read = chunk["write_cycle"].to_numpy(), chunk["first_read_cycle"].to_numpy()
    slack = first_read - write_cycle
    from_first_read = chunk["lifetime"].to_numpy() - slack
    outside = (slack < 0) | (from_first_read < 0)
    if outside.any():
        first_bad_row(chunk, start_row, path, "first_read_cycle", outside,
                      "a cycle from write_cycle to write_cycle + lifetime")
    return {LIFETIME_FROM_FIRST_READ: from_first_read, PREFETCH_SLACK: slack}


def check_subdivisions(chunk, subdivisions, start_row, path):
    unknown = ~np.isin(subdivisions, SUBDIVISIONS)
    if unknown.any():
        first_bad_row(chunk, start_row, path, "subdivision", unknown, f"one of {SUBDIVISIONS}")


def locate_bad_value(path, chunk_rows, columns):
    """Raise InputError at the first non-integer value of `columns`, if any."""
    import pandas as pd  # only here: see read_small_table
    start_row = 0
    chunks = pd.read_csv(path, usecols=columns, dtype=str, chunksize=chunk_rows, keep_default_na=False)
    try:
        for chunk in chunks:
            for column in columns:
                integer_column(chunk, column, start_row, path, signed=column in FIRST_READ_COLUMNS)
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
