"""Property-based tests of the lifetime stage (Hypothesis, fixed profile in tests/conftest.py).

- The lifetimes of a random event list equal a slow per-address walk written here from the
  definition in docs/lifetimes.md, through both ways in (BufferEvents and CSV trace files), and so do
  the histogram, the part file round trip and the aggregate statistics; the streaming analysis of the
  same events in cycle order, cut into random chunks, gives the same summary.
- Mutated part files and mutated SCALE-Sim trace directories end in success or in an InputError
  naming the file (and a line or key), and leave no file behind.
"""

import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from data_support import GOLDEN
from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS, BufferEvents
from gainflow.events import scalesim_traces as traces_reader
from gainflow.files import layout
from gainflow.lifetimes.aggregate import aggregate_row
from gainflow.lifetimes.histogram import summarize
from gainflow.lifetimes.interval_runs import COLUMNS as INTERVAL_COLUMNS, IntervalSpill
from gainflow.lifetimes.intervals import compute_lifetimes, lifetimes_from_trace_dir
from gainflow.lifetimes.layer_files import merge_layer_parts
from gainflow.lifetimes.parts import load_part, save_part
from gainflow.lifetimes.stream import summarize_stream, summary_from_trace_dir
from hypothesis import given, settings
from hypothesis import strategies as st
from property_support import check_input_error, files_under, mutated, run_cli


def walk(writes, reads):
    """The definition, address by address: events ordered by cycle, writes before reads at equal
    cycles; each write opens an interval up to the next write; lifetime = last read - write.
    Returns (intervals as (address, write cycle, lifetime, reads, first read cycle) in address then
    cycle order, counts)."""
    events = defaultdict(list)
    for cycle, address in writes:
        events[address].append((cycle, 0))  # 0 sorts writes before reads of the same cycle
    for cycle, address in reads:
        events[address].append((cycle, 1))
    intervals, dead_writes, unfilled_reads = [], 0, 0
    for address in sorted(events):
        interval = None  # [write cycle, last read cycle, reads, first read cycle]
        for cycle, is_read in sorted(events[address]) + [(None, 0)]:  # a last write closes the last interval
            if not is_read:
                dead_writes += interval is not None and interval[2] == 0
                if interval is not None and interval[2]:
                    intervals.append((address, interval[0], interval[1] - interval[0], interval[2], interval[3]))
                interval = [cycle, None, 0, None]
            elif interval is None:
                unfilled_reads += 1
            else:
                interval[1], interval[2] = cycle, interval[2] + 1
                interval[3] = cycle if interval[3] is None else interval[3]
    counts = {"reads": len(reads), "writes": len(writes), "dead_writes": dead_writes,
              "unfilled_reads": unfilled_reads, "unique_addresses": len(events)}
    return intervals, counts


def test_walk_follows_the_definition():
    # Address 5: a write at 0 read at 0 and 3, rewritten at 3 (the read at 3 still follows the
    # write of cycle 3: writes first), then two writes at 9 (the first is dead). Address 6: read
    # before its write (unfilled). Address 7: read, never written.
    writes = [(0, 5), (3, 5), (9, 5), (9, 5), (2, 6)]
    reads = [(0, 5), (3, 5), (4, 5), (10, 5), (1, 6), (2, 6), (8, 7)]
    intervals, counts = walk(writes, reads)
    assert intervals == [(5, 0, 0, 1, 0), (5, 3, 1, 2, 3), (5, 9, 1, 1, 10), (6, 2, 0, 1, 2)]
    assert counts == {"reads": 7, "writes": 5, "dead_writes": 1, "unfilled_reads": 2, "unique_addresses": 3}


def as_arrays(pairs):
    cycles = np.array([cycle for cycle, _ in pairs], dtype=np.int64)
    return cycles, np.array([address for _, address in pairs], dtype=np.int64)


# Addresses: a few, reused (several intervals per address), dense or spread far apart (the table
# and the binary-search paths of the builder); cycles may be negative (prefetches) and repeat.
ADDRESS_SETS = st.one_of(st.lists(st.integers(0, 12), min_size=1, max_size=6),
                         st.lists(st.integers(0, 1 << 30), min_size=1, max_size=6))


@st.composite
def event_lists(draw):
    addresses = draw(ADDRESS_SETS)
    event = st.tuples(st.integers(-20, 60), st.sampled_from(addresses))
    return draw(st.lists(event, max_size=40)), draw(st.lists(event, max_size=40))


def table_rows(columns):
    """(address, write cycle, lifetime, reads, first read) rows of a table's columns (by name)."""
    return list(zip(*(columns[name].tolist() for name in ("address", "write_cycle", "lifetime", "interval_reads",
                                                          "first_read_cycle"))))


def check_lifetimes(lifetimes, expected_intervals, expected_counts):
    assert table_rows(lifetimes.__dict__) == expected_intervals
    assert {name: getattr(lifetimes, name) for name in expected_counts} == expected_counts


@given(event_lists(), st.integers(1, 50), st.randoms(use_true_random=False))
@settings(max_examples=120)
def test_lifetimes_of_events_equal_the_walk(events, read_block, random):
    writes, reads = events
    expected_intervals, expected_counts = walk(writes, reads)
    random.shuffle(reads)  # reads may come in any order, in blocks of any size
    buffer = BufferEvents("ifmap", *as_arrays(writes), *as_arrays(reads))
    lifetimes = compute_lifetimes(buffer, read_block=read_block)
    check_lifetimes(lifetimes, expected_intervals, expected_counts)
    check_summary(summarize(lifetimes), expected_intervals, expected_counts, cycles=len(reads) % 3 * 50)


def chunks_of(pairs, lengths):
    """(cycles, addresses) chunks of the given lengths (0: an empty chunk), then the rest in one."""
    starts = np.minimum(np.cumsum([0, *lengths]), len(pairs)).tolist() + [len(pairs)]
    return [as_arrays(pairs[start:stop]) for start, stop in zip(starts, starts[1:])]


CHUNK_LENGTHS = st.lists(st.integers(0, 5), max_size=12)


# Cycles as drawn, or spread 2**27 apart: the events then span up to 80 x 2**27 cycles, beyond the
# narrow state rows' 2**32, which widen on the way.
CYCLE_SCALES = st.sampled_from([1, 1 << 27])


@given(event_lists(), CHUNK_LENGTHS, CHUNK_LENGTHS, CYCLE_SCALES, st.booleans())
@settings(max_examples=150)
def test_streamed_summary_of_events_in_cycle_order_equals_the_interval_paths(events, write_lengths, read_lengths,
                                                                             cycle_scale, wide):
    writes, reads = ([(cycle * cycle_scale, address) for cycle, address in sorted(pairs, key=lambda pair: pair[0])]
                     for pairs in events)  # stable: same-cycle order kept
    expected = summarize(compute_lifetimes(BufferEvents("ofmap", *as_arrays(writes), *as_arrays(reads))))
    streamed = summarize_stream("ofmap", chunks_of(writes, write_lengths), chunks_of(reads, read_lengths),
                                wide=wide)
    assert streamed.counts() == expected.counts()
    for name, histogram in expected.histograms.items():
        for column in ("lifetimes", "intervals", "reads"):
            assert getattr(streamed.histograms[name], column).tolist() == getattr(histogram, column).tolist()
    check_summary(streamed, *walk(writes, reads), cycles=60)


@given(event_lists(), CHUNK_LENGTHS, CHUNK_LENGTHS, st.integers(1, 5), st.integers(1, 7))
@settings(max_examples=150)
def test_streamed_intervals_in_runs_merge_into_the_walks_table(tmp_path, events, write_lengths, read_lengths,
                                                               run_intervals, block):
    """The per-interval tables' path: the intervals leave the merge as they close (by a dense table's
    rows, or a hash table's where the addresses lie far apart), go to disk in sorted runs of a few,
    and come back from the part file merged, a few rows at a time, in the walk's order."""
    writes, reads = ([(cycle, address) for cycle, address in sorted(pairs, key=lambda pair: pair[0])]
                     for pairs in events)
    expected_intervals, expected_counts = walk(writes, reads)
    path = tmp_path / "layer0_filter.part"
    with IntervalSpill(tmp_path, run_intervals) as spill:
        summary = summarize_stream("filter", chunks_of(writes, write_lengths), chunks_of(reads, read_lengths),
                                   intervals=spill)
        save_part(path, summary, 60, spill)
    check_summary(summary, expected_intervals, expected_counts, cycles=60)
    _, _, runs = load_part(path)
    blocks = list(runs.blocks(block))
    assert all(len(rows["address"]) for rows in blocks)
    columns = {name: np.concatenate([rows[name] for rows in blocks] or [np.empty(0, np.int64)])
               for name in INTERVAL_COLUMNS}
    assert table_rows(columns) == expected_intervals


def check_summary(summary, expected_intervals, expected_counts, cycles):
    """The exact histogram and the aggregate row against the walk's intervals (numpy over the rows
    for median and p90, as docs/lifetimes.md defines them)."""
    by_lifetime = defaultdict(lambda: [0, 0])
    for _, _, lifetime, reads, _ in expected_intervals:
        by_lifetime[lifetime][0] += 1
        by_lifetime[lifetime][1] += reads
    histogram = summary.histogram
    assert list(zip(histogram.lifetimes.tolist(), histogram.intervals.tolist(), histogram.reads.tolist())) == \
        [(lifetime, *by_lifetime[lifetime]) for lifetime in sorted(by_lifetime)]
    lifetimes = [lifetime for _, _, lifetime, _, _ in expected_intervals]
    row = aggregate_row(summary, cycles)
    expected = {"subdivision": summary.subdivision, "intervals": len(lifetimes), **expected_counts, "cycles": cycles,
                "read_rate": expected_counts["reads"] / cycles if cycles else None,
                "write_rate": expected_counts["writes"] / cycles if cycles else None,
                "writes_per_address": (expected_counts["writes"] / expected_counts["unique_addresses"]
                                       if expected_counts["unique_addresses"] else None)}
    # From the first read: last read (write + lifetime) - first read; slack: first read - write.
    from_first_read = [write + lifetime - first for _, write, lifetime, _, first in expected_intervals]
    slack = [first - write for _, write, _, _, first in expected_intervals]
    expected.update(statistics_of(lifetimes))
    expected.update({f"first_read_{name}": value for name, value in statistics_of(from_first_read).items()})
    expected.update({f"prefetch_slack_{name}": value for name, value in statistics_of(slack).items()
                     if name in ("median", "p90", "max")})
    assert row == expected
    assert all(type(value) in (int, float, str, type(None)) for value in row.values())
    assert row["writes"] - row["dead_writes"] == row["intervals"]


def statistics_of(values):
    """mean, median, p90, max, min of a list as docs/lifetimes.md defines them (None when empty)."""
    if not values:
        return dict.fromkeys(("mean", "median", "p90", "max", "min"))
    return {"mean": sum(values) / len(values), "median": float(np.median(values)),
            "p90": float(np.quantile(values, 0.9)), "max": max(values), "min": min(values)}


OFFSETS = {"ifmap": 0, "filter": 1, "ofmap": 2}  # ofmap's range: 2 and up


def trace_rows(pairs, width, float_style):
    """CSV text of one event per row (`cycle,address,-1,...`), `width` address columns."""
    number = "{}.0" if float_style else "{}"
    padding = "," + ",".join([number.format(-1)] * (width - 1)) if width > 1 else ""
    # A row of -1 stands for no event (a trace file is never empty).
    rows = [f"{number.format(cycle)},{number.format(address)}{padding}" for cycle, address in pairs]
    return "\n".join(rows or [f"{number.format(0)}," + ",".join([number.format(-1)] * width)]) + "\n"


@given(event_lists(), st.integers(1, 3))
@settings(max_examples=40)
def test_lifetimes_of_trace_files_equal_the_walk(tmp_path, events, width):
    """The other way in: the same events as OFMAP traces (SRAM = writes as integers, DRAM = reads as
    floats), read back and analysed in streaming blocks."""
    writes, reads = ([(cycle, address + OFFSETS["ofmap"]) for cycle, address in pairs] for pairs in events)
    expected_intervals, expected_counts = walk(writes, reads)
    layer_dir = tmp_path / "layer0"
    layer_dir.mkdir(exist_ok=True)
    (layer_dir / layout.sram_trace_name("ofmap")).write_text(trace_rows(writes, width, float_style=False))
    (layer_dir / layout.dram_trace_name("ofmap")).write_text(trace_rows(reads, width, float_style=True))
    check_lifetimes(lifetimes_from_trace_dir(layer_dir, "ofmap", OFFSETS), expected_intervals, expected_counts)


@given(st.lists(st.integers(0, 2**63 - 3), min_size=1, max_size=3), st.lists(st.integers(-(2**62), 2**62), min_size=1,
                                                                          max_size=3), st.data())
@settings(max_examples=40)
def test_trace_values_of_any_size_give_lifetimes_or_name_the_trace(tmp_path, addresses, cycles, data):
    """A trace may hold any int64 (below float64's exact range in DRAM traces): lifetimes as the walk
    has them, or an InputError naming the trace whose values are too far apart to analyse."""
    event = st.tuples(st.sampled_from(cycles), st.sampled_from(addresses).map(lambda a: a + OFFSETS["ofmap"]))
    writes = data.draw(st.lists(event, max_size=6))
    reads = [(cycle, address) for cycle, address in data.draw(st.lists(event, max_size=6)) if abs(cycle) < 2**53
             and address < 2**53]  # DRAM traces are floats: exact integers only up to 2**53
    layer_dir = tmp_path / "layer0"
    layer_dir.mkdir(exist_ok=True)
    (layer_dir / layout.sram_trace_name("ofmap")).write_text(trace_rows(writes, 1, float_style=False))
    (layer_dir / layout.dram_trace_name("ofmap")).write_text(trace_rows(reads, 1, float_style=True))
    try:
        lifetimes = lifetimes_from_trace_dir(layer_dir, "ofmap", OFFSETS)
    except InputError as error:
        check_input_error(error, [layer_dir / layout.sram_trace_name("ofmap"), layer_dir / layout.dram_trace_name("ofmap")],
                          ("not a trace of a layer",))
    else:
        check_lifetimes(lifetimes, *walk(writes, reads))


# ----------------------------------------------------------------------------- part files


@given(event_lists(), st.booleans(), st.integers(0, 10**6))
@settings(max_examples=40)
def test_part_round_trip_keeps_histogram_counts_and_intervals(tmp_path, events, with_intervals, total_cycles):
    writes, reads = events
    expected_intervals, expected_counts = walk(writes, reads)
    lifetimes = compute_lifetimes(BufferEvents("filter", *as_arrays(writes), *as_arrays(reads)))
    path = tmp_path / "layer0_filter.part"
    save_part(path, summarize(lifetimes), total_cycles, lifetimes if with_intervals else None)
    summary, cycles, intervals = load_part(path)
    assert cycles == total_cycles
    check_summary(summary, expected_intervals, expected_counts, cycles)
    if with_intervals:
        assert table_rows(intervals.columns()) == expected_intervals
    else:
        assert intervals is None


def real_part_files(folder):
    """One layer's three part files, with intervals, from a few hand-written events."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, subdivision in enumerate(SUBDIVISIONS):
        writes = [(0, 10 + index), (2, 10 + index), (3, 11), (5, 1 << 33)]
        reads = [(1, 10 + index), (4, 10 + index), (7, 11), (9, 11), (6, 12), (5, 1 << 33)]
        lifetimes = compute_lifetimes(BufferEvents(subdivision, *as_arrays(writes), *as_arrays(reads)))
        paths.append(folder / layout.part_file_name(0, subdivision))
        save_part(paths[-1], summarize(lifetimes), 100, lifetimes)
    return paths


@pytest.fixture(scope="module")
def good_parts(tmp_path_factory):
    return real_part_files(tmp_path_factory.mktemp("parts"))


@given(st.integers(0, 2), st.booleans(), st.data())
@settings(max_examples=80)
def test_mutated_part_file_loads_or_names_the_file(tmp_path, good_parts, which, tables, data):
    """load_part and the per-layer merge take a mutated part, or stop with an InputError naming it;
    on error the layer folder stays empty."""
    parts = [tmp_path / path.name for path in good_parts]
    for source, target in zip(good_parts, parts):
        shutil.copyfile(source, target)
    parts[which].write_bytes(data.draw(mutated(good_parts[which].read_bytes())))
    layer_dir = tmp_path / "layer0"
    shutil.rmtree(layer_dir, ignore_errors=True)
    layer_dir.mkdir()
    try:
        merge_layer_parts(parts, layer_dir, 0, tables=tables, with_graph=False)
    except InputError as error:
        # Disagreeing parts name the layer folder; a broken one names itself.
        check_input_error(error, [parts[which], layer_dir], ("part file", "part header", "histogram", "disagree",
                                                            "same subdivision", "hold no intervals",
                                                            "intervals not in address order", "interval rows for"))
        assert files_under(layer_dir) == []
    else:
        kinds = (layout.LIFETIME_HISTOGRAM, layout.AGGREGATE_TABLE, layout.GRAPH_DATA)
        kinds += (layout.LIFETIME_TABLE,) if tables else ()
        assert files_under(layer_dir) == sorted(layout.layer_file_name(0, kind) for kind in kinds)


# ----------------------------------------------------------------------------- SCALE-Sim trace directories

TRACE_RUN = GOLDEN / "tiny_gemm_os" / "expected" / "tiny_os"  # two layers, every trace, ~20 kB
TRACE_FILES = [path.relative_to(TRACE_RUN) for path in sorted(TRACE_RUN.rglob("*.csv"))
               if path.name.endswith("_TRACE.csv") or path.name == layout.COMPUTE_REPORT]


def trace_run_lifetimes(run_dir, layer, offsets=traces_reader.DEFAULT_OFFSETS):
    """What `gainflow lifetimes -s` reads of one layer: its Total Cycles and every buffer's lifetimes."""
    cycles = traces_reader.read_total_cycles(run_dir)
    return cycles.get(layer), [lifetimes_from_trace_dir(layout.layer_dir(run_dir, layer), name, offsets)
                               for name in SUBDIVISIONS]


@given(st.sampled_from(TRACE_FILES), st.data())
@settings(max_examples=70)
def test_mutated_trace_directory_is_read_or_names_file_and_line(tmp_path, name, data):
    """A run directory with one mutated trace (or COMPUTE_REPORT.csv) is read, or the error names
    that file and its line; `gainflow lifetimes -s` then exits 2 and leaves nothing in OUTDIR."""
    run_dir = tmp_path / "tiny_os"
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(TRACE_RUN, run_dir)
    (run_dir / name).write_bytes(data.draw(mutated((TRACE_RUN / name).read_bytes())))
    layer = 1 if str(name).startswith("layer1") else 0
    try:
        _, buffers = trace_run_lifetimes(run_dir, layer)
    except InputError as error:
        check_input_error(error, [run_dir / name], ("empty trace file", "not a UTF-8", "missing", "not a trace of a layer"))
        outdir = tmp_path / "out"
        status, stderr = run_cli("lifetimes", "-s", run_dir, "-o", outdir, "--layer", layer)
        assert status == 2 and stderr.startswith("gainflow lifetimes: error: "), stderr
        assert files_under(outdir) == []
        buffers = None
    check_streamed_trace_run(run_dir, layer, name, buffers)


def check_streamed_trace_run(run_dir, layer, name, buffers):
    """The streaming analysis of the same run directory: the interval path's summaries, or an
    InputError naming the mutated file and its line (a mutation may also break the cycle order,
    which only the streaming analysis requires)."""
    for position, subdivision in enumerate(SUBDIVISIONS):
        try:
            streamed, _ = summary_from_trace_dir(run_dir, layer, subdivision, traces_reader.DEFAULT_OFFSETS)
        except InputError as error:
            check_input_error(error, [run_dir / name], ("empty trace file", "not a UTF-8", "missing",
                                                        "not a trace of a layer", "cycles too far apart",
                                                        "no row for LayerID"))
        else:
            if buffers is not None:
                expected = summarize(buffers[position])
                assert streamed.counts() == expected.counts()
                assert {key: h.lifetimes.tolist() for key, h in streamed.histograms.items()} == \
                    {key: h.lifetimes.tolist() for key, h in expected.histograms.items()}
