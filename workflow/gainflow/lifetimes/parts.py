"""Part files: the hand-over from a lifetime job (one buffer of one layer) to the per-layer step.

A part holds a `BufferSummary` (named exact lifetime histograms and the access counts) and the
layer's Total Cycles: kilobytes, whatever the number of intervals. The per-interval arrays
(address, write cycle, lifetime, reads and first read cycle of every interval) are added only when the per-layer step
is to write the per-interval lifetime table: as runs in address order
(`gainflow.lifetimes.interval_runs`), which the per-layer step merges as it writes the table.

Format (version 3): the line `gainflow-lifetime-part 3`, one line of JSON (sorted keys), then raw
little-endian arrays, in this order:

    {"subdivision": "ifmap", "total_cycles": 123,
     "counts": {"reads", "writes", "dead_writes", "unfilled_reads", "unique_addresses", "intervals"},
     "histograms": {"lifetime": 17, ...},     # name -> distinct lifetimes; names in sorted order:
                                              #   lifetimes, intervals, reads (int64 each)
     "intervals": null or {"runs": [{"length": 40, "dtypes": {"address": "<i4", ...}}, ...]}}
                                              # then per run: address, write_cycle, lifetime,
                                              #   interval_reads, first_read_cycle

Every part holds the histograms `HISTOGRAM_NAMES` (lifetimes from the fill, from the first read,
and the prefetch slack); a reader takes every named histogram it finds, so a further histogram is a
new name, not a new format.
Plain bytes rather than .npz: no zip module to import and no checksum over the gigabytes of
intervals in the hundreds of short jobs that write and read them. Written atomically and
byte-identical for equal inputs; any file that is not such a part (its size too) is an InputError.
"""

import json
import os
from pathlib import Path

import numpy as np

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files.atomic import atomic_file
from gainflow.files.plain import plain_json
from gainflow.lifetimes.histogram import COUNT_NAMES, HISTOGRAM_NAMES, BufferSummary, LifetimeHistogram
from gainflow.lifetimes.interval_runs import COLUMNS as INTERVAL_COLUMNS, DTYPES as INTERVAL_DTYPES
from gainflow.lifetimes.interval_runs import IntervalRuns, IntervalSpill

VERSION = 3
MAGIC_PREFIX = b"gainflow-lifetime-part "
MAGIC = MAGIC_PREFIX + b"%d\n" % VERSION
HISTOGRAM_COLUMNS = ("lifetimes", "intervals", "reads")
HEADER_COUNTS = (*COUNT_NAMES, "intervals")
# Bytes: a header is a few hundred, plus about 150 per run of intervals (a run per 2**19 intervals); a
# file without line breaks is not read whole.
HEADER_LIMIT = 1 << 24


def save_part(path, summary, total_cycles, intervals=None):
    """Write a part: `summary` (a BufferSummary), Total Cycles, and if given the intervals: an
    IntervalSpill that took every interval of the buffer, or a BufferLifetimes of it."""
    if intervals is not None and not isinstance(intervals, IntervalSpill):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with IntervalSpill(Path(path).parent) as spill:
            spill.add_sorted(intervals)
            return save_part(path, summary, total_cycles, spill)
    histograms = {name: summary.histograms[name] for name in sorted(summary.histograms)}
    arrays = [np.ascontiguousarray(getattr(histogram, column), "<i8")
              for histogram in histograms.values() for column in HISTOGRAM_COLUMNS]
    header = {
        "subdivision": summary.subdivision,
        "total_cycles": int(total_cycles),
        "counts": {**summary.counts(), "intervals": summary.intervals},
        "histograms": {name: len(histogram.lifetimes) for name, histogram in histograms.items()},
        "intervals": None,
    }
    if intervals is not None:
        intervals.finish()
        header["intervals"] = {"runs": intervals.runs}
    with atomic_file(path) as handle:
        handle.write(MAGIC + json.dumps(plain_json(header), sort_keys=True).encode() + b"\n")
        for values in arrays:
            handle.write(values.data)
        if intervals is not None:
            intervals.copy_to(handle)


def load_part(path):
    """(BufferSummary, Total Cycles, IntervalRuns or None) of a file written by `save_part`: the
    histograms are read, the intervals (if any) stay in the file until IntervalRuns reads them."""
    with open(path, "rb") as handle:
        _check_magic(handle.readline(len(MAGIC) + 20), path)
        header = _read_header(handle.readline(HEADER_LIMIT), path)
        histograms = {name: LifetimeHistogram(*(_read_array(handle, "<i8", length, path)
                                                for _ in HISTOGRAM_COLUMNS))
                      for name, length in sorted(header["histograms"].items())}
        offset = handle.tell()
    intervals = None if header["intervals"] is None else IntervalRuns(path, offset, header["intervals"]["runs"])
    size = os.path.getsize(path)
    end = offset if intervals is None else intervals.end
    if size < end:
        raise InputError("truncated lifetime part file", path=path)
    if size > end:
        raise InputError("unexpected bytes after the arrays of a lifetime part file", path=path)
    counts = {name: header["counts"][name] for name in COUNT_NAMES}
    summary = BufferSummary(header["subdivision"], histograms, **counts)
    _check_consistency(summary, header["counts"]["intervals"], intervals, path)
    return summary, header["total_cycles"], intervals


def _check_magic(line, path):
    if line == MAGIC:
        return
    if line.startswith(MAGIC_PREFIX):
        version = line[len(MAGIC_PREFIX):].decode(errors="replace").strip()
        raise InputError(f"lifetime part file version {version}; this gainflow reads version {VERSION}"
                         " (rerun the lifetime jobs)", path=path, line=1)
    raise InputError("not a gainflow lifetime part file", path=path, line=1)


def _read_header(line, path):
    """The header dict, every field checked; an InputError naming the first bad key otherwise."""
    try:
        if not line.endswith(b"\n"):
            raise ValueError("no line break after the header")
        header = json.loads(line)
    except ValueError as error:
        raise InputError(f"malformed lifetime part header: {error}", path=path, line=2) from None
    if not isinstance(header, dict):
        raise InputError("malformed lifetime part header: not a JSON object", path=path, line=2)
    _expect(header, "subdivision", lambda value: value in SUBDIVISIONS, f"one of {SUBDIVISIONS}", path)
    _expect(header, "total_cycles", _is_count, "a non-negative integer", path)
    _expect_mapping(header, "counts", HEADER_COUNTS, path)
    _expect(header, "histograms", lambda value: isinstance(value, dict) and set(HISTOGRAM_NAMES) <= set(value),
            f"an object with at least {HISTOGRAM_NAMES}", path)
    for name in header["histograms"]:
        _expect(header["histograms"], name, _is_count, "a non-negative integer", path, f"histograms.{name}")
    _expect(header, "intervals", lambda value: value is None or isinstance(value, dict), "null or an object", path)
    if header["intervals"] is not None:
        _expect(header["intervals"], "runs", lambda value: isinstance(value, list), "a list of runs", path,
                "intervals.runs")
        for number, run in enumerate(header["intervals"]["runs"]):
            key = f"intervals.runs.{number}"
            _expect(header["intervals"]["runs"], number, lambda value: isinstance(value, dict), "an object", path, key)
            _expect(run, "length", _is_count, "a non-negative integer", path, f"{key}.length")
            _expect(run, "dtypes", lambda value: isinstance(value, dict)
                    and sorted(value) == sorted(INTERVAL_COLUMNS) and all(v in INTERVAL_DTYPES for v in value.values()),
                    f"an object giving {INTERVAL_COLUMNS} each one of {INTERVAL_DTYPES}", path, f"{key}.dtypes")
    return header


def _expect_mapping(header, key, names, path):
    _expect(header, key, lambda value: isinstance(value, dict) and sorted(value) == sorted(names),
            f"an object with exactly {names}", path)
    for name in names:
        _expect(header[key], name, _is_count, "a non-negative integer", path, f"{key}.{name}")


def _expect(mapping, key, accepts, expected, path, full_key=None):
    present = key < len(mapping) if isinstance(mapping, list) else key in mapping
    if not present or not accepts(mapping[key]):
        got = repr(mapping[key]) if present else "nothing"
        raise InputError(f"lifetime part header: expected {expected}, got {got}", path=path, line=2,
                         key=full_key or key)


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_array(handle, dtype, length, path):
    values = np.fromfile(handle, dtype=np.dtype(dtype), count=length)
    if len(values) != length:
        raise InputError("truncated lifetime part file", path=path)
    return values


def _check_consistency(summary, intervals, runs, path):
    """Each histogram sorted, with positive interval counts; the interval count everywhere the same."""
    for name, histogram in summary.histograms.items():
        if (np.diff(histogram.lifetimes) <= 0).any() or (histogram.lifetimes[:1] < 0).any():
            raise InputError(f"histogram {name!r}: lifetimes not distinct, ascending and non-negative", path=path)
        if (histogram.intervals <= 0).any() or (histogram.reads < 0).any():
            raise InputError(f"histogram {name!r}: interval counts must be positive, reads non-negative",
                             path=path)
    for name, histogram in summary.histograms.items():
        if histogram.total_intervals() != intervals:
            raise InputError(f"counts.intervals is {intervals} but histogram {name!r} counts "
                             f"{histogram.total_intervals()}", path=path, key="counts.intervals")
    if runs is not None and len(runs) != intervals:
        raise InputError(f"{len(runs)} interval rows for {intervals} intervals", path=path, key="intervals.runs")
