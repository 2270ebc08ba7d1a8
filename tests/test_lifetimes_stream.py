"""The streaming lifetime analysis (gainflow.lifetimes.stream): the same counts and histograms as the
interval path (`summarize(compute_lifetimes(...))`) on every golden case, both ways in; hand-worked
cases for ties, dead writes, unfilled reads, late reads, order errors, sparse addresses and every
chunking; memory bounded by the footprint."""

import tracemalloc

import numpy as np
import pytest
from data_support import GOLDEN, LIFETIMES_EXTRAS, SCALESIM_RUNS, SIMULATOR_EXTRAS, case_dirs
from lifetimes_support import interval_path_from_simulator, interval_path_from_traces
from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS, BufferEvents
from gainflow.events.scalesim_traces import line_of_access, offsets_of
from gainflow.files import layout
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.lifetimes.histogram import summarize
from gainflow.lifetimes.intervals import compute_lifetimes
from gainflow import kernels
from gainflow.lifetimes.stream import (DEAD_WRITES, NEEDS_INPUT, NEEDS_WIDER_STATE, NO_WRITE_YET, EventOrderError,
                                       _HistogramTable, summarize_stream, summary_from_simulator,
                                       summary_from_trace_dir)


def histogram_rows(summary):
    """name -> [(lifetime, intervals, reads)] of every histogram (plain ints)."""
    return {name: list(zip(*(getattr(histogram, column).tolist() for column in ("lifetimes", "intervals", "reads"))))
            for name, histogram in summary.histograms.items()}


def assert_same_summary(streamed, expected):
    assert streamed.subdivision == expected.subdivision
    assert streamed.counts() == expected.counts()
    assert histogram_rows(streamed) == histogram_rows(expected)
    for name, histogram in streamed.histograms.items():
        for column in ("lifetimes", "intervals", "reads"):
            assert getattr(histogram, column).dtype == getattr(expected.histograms[name], column).dtype


def chunked(pairs, size):
    """(cycles, addresses) int64 chunks of `size` events from a list of (cycle, address)."""
    return [(np.array([c for c, _ in pairs[start:start + size]], np.int64),
             np.array([a for _, a in pairs[start:start + size]], np.int64)) for start in range(0, len(pairs), size)]


def stream(writes, reads, write_chunk=None, read_chunk=None, address_range=None, wide=False):
    return summarize_stream("ifmap", chunked(writes, write_chunk or max(len(writes), 1)),
                            chunked(reads, read_chunk or max(len(reads), 1)), address_range, wide)


def interval_path(writes, reads):
    arrays = [np.array([pair[field] for pair in pairs], np.int64) for pairs in (writes, reads) for field in (0, 1)]
    return summarize(compute_lifetimes(BufferEvents("ifmap", *arrays)))


# ----------------------------------------------------------------------------- golden cases

# The SCALE-Sim 2.0.2 reference runs: the golden cases, the simulator's corners, the padded traces and
# the run with its own buffer offsets.
REFERENCE_CASES = [case for folder in (GOLDEN, SIMULATOR_EXTRAS, LIFETIMES_EXTRAS, SCALESIM_RUNS)
                   for case in case_dirs(folder)]
GOLDEN_LAYERS = [(case, index) for case in REFERENCE_CASES
                 for index in range(len(load_topology(case / "topology.csv", (case / "input_type").read_text().strip())))]


@pytest.mark.parametrize("case, index", GOLDEN_LAYERS, ids=[f"{case.name}-{index}" for case, index in GOLDEN_LAYERS])
def test_golden_layers_stream_to_the_interval_paths_summary(case, index):
    """Every reference layer, every buffer, from the simulator and (where SCALE-Sim kept them) from its
    traces: the streamed summary equals the interval path's (the simulator's OFMAP flush never
    breaks the streaming order)."""
    layer = load_topology(case / "topology.csv", (case / "input_type").read_text().strip())[index]
    hw = load_hardware_config(case / "hw.cfg")
    run_dir = case / "expected" / hw.run_name
    has_traces = any(layout.layer_dir(run_dir, index).glob(layout.TRACE_GLOB))
    for subdivision in SUBDIVISIONS:
        lifetimes, total_cycles = interval_path_from_simulator(layer, hw, subdivision)
        streamed, streamed_cycles = summary_from_simulator(layer, hw, subdivision)
        assert streamed_cycles == total_cycles
        assert_same_summary(streamed, summarize(lifetimes))
        if has_traces:
            lifetimes, total_cycles = interval_path_from_traces(run_dir, index, subdivision, offsets_of(hw))
            streamed, streamed_cycles = summary_from_trace_dir(run_dir, index, subdivision, offsets_of(hw))
            assert streamed_cycles == total_cycles
            assert_same_summary(streamed, summarize(lifetimes))


def test_golden_cases_include_traces():
    """The trace half of the golden comparison is not empty."""
    assert sum(any(layout.layer_dir(case / "expected" / load_hardware_config(case / "hw.cfg").run_name, index)
                   .glob(layout.TRACE_GLOB)) for case, index in GOLDEN_LAYERS) >= 10


# ----------------------------------------------------------------------------- hand-worked cases

# Address 5: written at 0 (read at 0: a tie, the write first), at 3 (read at 3 and 4), twice at 9
# (the first a dead write; the second read at 10). Address 6: read at 1 before its write at 2
# (unfilled), then read at 2. Address 7: read at 8, never written (unfilled).
WRITES = [(0, 5), (2, 6), (3, 5), (9, 5), (9, 5)]
READS = [(0, 5), (1, 6), (2, 6), (3, 5), (4, 5), (8, 7), (10, 5)]
# Intervals (write, first read, last read, reads): (0, 0, 0, 1), (2, 2, 2, 1), (3, 3, 4, 2), (9, 10, 10, 1).
EXPECTED_COUNTS = {"reads": 7, "writes": 5, "dead_writes": 1, "unfilled_reads": 2, "unique_addresses": 3}
EXPECTED_HISTOGRAMS = {
    "lifetime": [(0, 2, 2), (1, 2, 3)],  # last read - write: 0, 0, 1, 1
    "lifetime_from_first_read": [(0, 3, 3), (1, 1, 2)],  # last - first read: 0, 0, 1, 0
    "prefetch_slack": [(0, 3, 4), (1, 1, 1)],  # first read - write: 0, 0, 0, 1
}


@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "wide"])
@pytest.mark.parametrize("write_chunk", range(1, len(WRITES) + 1))
@pytest.mark.parametrize("read_chunk", range(1, len(READS) + 1))
def test_hand_worked_case_at_every_chunking(write_chunk, read_chunk, wide):
    summary = stream(WRITES, READS, write_chunk, read_chunk, wide=wide)
    assert summary.counts() == EXPECTED_COUNTS
    assert histogram_rows(summary) == EXPECTED_HISTOGRAMS


def test_hand_worked_case_with_a_given_address_range_and_empty_chunks():
    empty = (np.empty(0, np.int64), np.empty(0, np.int64))
    writes = [empty, *chunked(WRITES, 2), empty]
    reads = [empty, empty, *chunked(READS, 3)]
    summary = summarize_stream("ifmap", writes, reads, address_range=(5, 8))
    assert summary.counts() == EXPECTED_COUNTS
    assert histogram_rows(summary) == EXPECTED_HISTOGRAMS


def test_no_events_at_all():
    summary = stream([], [])
    assert summary.counts() == dict.fromkeys(EXPECTED_COUNTS, 0)
    assert histogram_rows(summary) == dict.fromkeys(EXPECTED_HISTOGRAMS, [])


def test_only_writes_are_dead_and_only_reads_unfilled():
    assert stream([(0, 1), (4, 1), (4, 2)], []).counts() == {
        "reads": 0, "writes": 3, "dead_writes": 3, "unfilled_reads": 0, "unique_addresses": 2}
    assert stream([], [(0, 1), (4, 1), (4, 2)]).counts() == {
        "reads": 3, "writes": 0, "dead_writes": 0, "unfilled_reads": 3, "unique_addresses": 2}


@pytest.mark.parametrize("read_chunk", [1, 2, 3])
def test_a_late_read_still_after_its_write_counts_into_its_interval(read_chunk):
    # The read at 4 comes after the one at 11 (so after the write at 10 to address 2): address 1 was
    # not written since cycle 0, so it belongs to that interval, as first read.
    summary = stream([(0, 1), (10, 2)], [(11, 1), (4, 1), (12, 2)], read_chunk=read_chunk)
    assert summary.counts() == {"reads": 3, "writes": 2, "dead_writes": 0, "unfilled_reads": 0,
                                "unique_addresses": 2}
    assert histogram_rows(summary) == {"lifetime": [(2, 1, 1), (11, 1, 2)],  # 12 - 10, 11 - 0
                                       "lifetime_from_first_read": [(0, 1, 1), (7, 1, 2)],  # 12 - 12, 11 - 4
                                       "prefetch_slack": [(2, 1, 1), (4, 1, 2)]}  # 12 - 10, 4 - 0


def test_a_read_of_an_interval_already_closed_is_an_order_error():
    with pytest.raises(EventOrderError, match="events not in cycle order: a read at cycle 4 .address 1. after its "
                                              "address was written again at cycle 10") as error:
        stream([(0, 1), (10, 1)], [(11, 1), (4, 1)])
    assert error.value.stream == "reads"


def test_writes_out_of_cycle_order_are_an_order_error():
    with pytest.raises(EventOrderError, match="events not in cycle order: a write at cycle 3 .address 2. after a "
                                              "write at cycle 5") as error:
        stream([(5, 1), (3, 2)], [(6, 1)], write_chunk=1)
    assert error.value.stream == "writes"


def test_cycles_too_far_apart_to_subtract_are_named():
    with pytest.raises(EventOrderError, match="cycles too far apart"):
        stream([(-(2**62), 1)], [(2**62, 1)])  # closed at the end: a lifetime of 2**63
    with pytest.raises(EventOrderError, match="cycles too far apart"):
        stream([(-(2**62) - 1, 1), (2**62, 1)], [(2**62 - 1, 1)])  # closed by a write


@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "wide"])
@pytest.mark.parametrize("scale", [1, 10**9, 1 << 40])
@pytest.mark.parametrize("chunk", [1, 2, 5])
def test_sparse_and_negative_addresses(scale, chunk, wide):
    """Addresses far apart (the hash table), negative, and a range growing at both ends."""
    writes = [(cycle, address * scale) for cycle, address in [(0, 3), (1, -2), (2, 7), (5, 3), (6, 0), (8, -2)]]
    reads = [(cycle, address * scale) for cycle, address in [(0, 3), (2, 9), (3, 7), (4, -2), (7, 3), (9, -2), (9, 0)]]
    assert_same_summary(stream(writes, reads, chunk, chunk, wide=wide), interval_path(writes, reads))


def test_the_switch_to_sparse_slots_keeps_the_other_streams_pending_chunk():
    # The writes' chunk is read first (dense, addresses 0..9); the reads' chunk brings an address
    # 2**40 away while writes are still pending: they are re-mapped, and the result stays right.
    writes = [(cycle, cycle % 10) for cycle in range(40)]
    reads = [(cycle, cycle % 10) for cycle in range(0, 40, 3)] + [(41, 1 << 40), (42, 5)]
    assert_same_summary(stream(writes, reads, 40, 20), interval_path(writes, reads))


# ----------------------------------------------------------------------------- narrow and wide state rows

# Narrow rows hold cycle offsets from the first write's cycle: writes up to 2**32 - 3 after it, reads up
# to 2**32 - 1 (docs/lifetimes.md); an interval's reads up to 2**32 - 1.
WRITE_REACH, READ_REACH, READS_REACH = 2**32 - 3, 2**32 - 1, 2**32 - 1


@pytest.mark.parametrize("base", [0, -7, 1 << 40])
@pytest.mark.parametrize("chunk", [1, 3])
@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "wide"])
def test_cycles_at_and_beyond_the_narrow_rows_reach(base, chunk, wide):
    """Address 1: written at the base, read at the base + 2**32 - 1 (the last narrow read offset) and
    at + 2**32 (beyond). Address 2: written at + 2**32 - 3 (the last narrow write offset) and read
    then; written again at + 2**32 - 2 (beyond) and read at + 2**32 + 5."""
    writes = [(base, 1), (base + WRITE_REACH, 2), (base + WRITE_REACH + 1, 2)]
    reads = [(base + WRITE_REACH, 2), (base + READ_REACH, 1), (base + READ_REACH + 1, 1), (base + 2**32 + 5, 2)]
    summary = stream(writes, reads, chunk, chunk, wide=wide)
    assert summary.counts() == {"reads": 4, "writes": 3, "dead_writes": 0, "unfilled_reads": 0,
                                "unique_addresses": 2}
    # Intervals (write, first read, last read, reads) as offsets from the base: (0, 2**32-1, 2**32, 2),
    # (2**32-3, 2**32-3, 2**32-3, 1), (2**32-2, 2**32+5, 2**32+5, 1).
    assert histogram_rows(summary) == {"lifetime": [(0, 1, 1), (7, 1, 1), (2**32, 1, 2)],
                                       "lifetime_from_first_read": [(0, 2, 2), (1, 1, 2)],
                                       "prefetch_slack": [(0, 1, 1), (7, 1, 1), (2**32 - 1, 1, 2)]}


def merge_kernel(rows, counters, writes, reads, positions=(0, 0)):
    """One call of the compiled merge over (cycle, slot) lists, both final: (positions, status)."""
    (write_cycles, write_slots), (read_cycles, read_slots) = (
        np.ascontiguousarray(np.array(pairs, np.int64).reshape(-1, 2).T) for pairs in (writes, reads))
    output = [np.empty(4, np.int64) for _ in range(6)]
    write_position, read_position, _, status = kernels.merge_events(
        write_cycles, write_slots, positions[0], True, read_cycles, read_slots, positions[1], True, rows,
        rows.dtype == np.uint32, counters, *output, 0)
    return (write_position, read_position), status


def test_narrow_rows_stop_before_a_cycle_beyond_their_reach_and_go_on_wide():
    rows, counters = np.zeros((1, 4), np.uint32), np.array([NO_WRITE_YET, 0, 0, 0], np.int64)
    writes, reads = [(-3, 0)], [(-3 + READ_REACH, 0), (-3 + READ_REACH + 1, 0)]
    assert merge_kernel(rows, counters, writes, reads) == ((1, 1), NEEDS_WIDER_STATE)
    # The write field is 2 + the write's offset from the base (the first write's cycle, -3); the
    # refused read left the row as it was.
    assert rows.tolist() == [[2, READ_REACH, READ_REACH, 1]] and counters.tolist() == [-3, 0, 0, -3]
    rows = rows.astype(np.uint64)
    assert merge_kernel(rows, counters, writes, reads, (1, 1)) == ((1, 2), NEEDS_INPUT)
    assert rows.tolist() == [[2, READ_REACH, READ_REACH + 1, 2]]


def test_narrow_rows_stop_before_a_write_beyond_their_reach():
    rows, counters = np.zeros((2, 4), np.uint32), np.array([NO_WRITE_YET, 0, 0, 0], np.int64)
    writes = [(5, 0), (5 + WRITE_REACH, 1), (5 + WRITE_REACH + 1, 0)]
    assert merge_kernel(rows, counters, writes, []) == ((2, 0), NEEDS_WIDER_STATE)
    assert rows.tolist() == [[2, 0, 0, 0], [2 + WRITE_REACH, 0, 0, 0]]
    assert counters.tolist() == [5 + WRITE_REACH, 0, 0, 5]  # the last write, no dead write yet, the base
    rows = rows.astype(np.uint64)
    assert merge_kernel(rows, counters, writes, [], (2, 0)) == ((3, 0), NEEDS_INPUT)
    assert rows.tolist() == [[2 + WRITE_REACH + 1, 0, 0, 0], [2 + WRITE_REACH, 0, 0, 0]]
    assert counters[DEAD_WRITES] == 1


def test_narrow_rows_stop_before_an_intervals_reads_overflow_32_bits():
    """An interval read 2**32 - 2 times (the state set directly: 4 G events would take minutes), then
    three reads more: the second would overflow the narrow reads field."""
    rows = np.array([[2, 0, 4, READS_REACH - 1]], np.uint32)  # written at the base, read from 0 to 4
    counters = np.array([10, 0, 0, 10], np.int64)  # the last write and the base: cycle 10
    reads = [(11, 0), (12, 0), (13, 0)]
    assert merge_kernel(rows, counters, [], reads) == ((0, 1), NEEDS_WIDER_STATE)
    assert rows.tolist() == [[2, 0, 4, READS_REACH]]
    rows = rows.astype(np.uint64)
    assert merge_kernel(rows, counters, [], reads, (0, 1)) == ((0, 3), NEEDS_INPUT)
    assert rows.tolist() == [[2, 0, 4, READS_REACH + 2]]
    output = [np.empty(4, np.int64) for _ in range(6)]
    assert kernels.close_open_intervals(rows, False, 0, counters, *output, 0) == (1, 1, 1, NEEDS_INPUT)
    # ... and the interval's state row and write cycle (the base + its offset 0), for the tables.
    assert [int(values[0]) for values in output] == [4, 4, 0, 2**32 + 1, 0, 10]


def test_the_state_takes_16_bytes_per_address():
    """A dense range of 2 M addresses, a few events: the state rows are the peak, 16 bytes each (32
    when started wide)."""
    addresses = 2_000_000
    cycles = np.arange(1000, dtype=np.int64)
    for wide, row_bytes in ((False, 16), (True, 32)):
        tracemalloc.start()
        try:
            summary = summarize_stream("ifmap", [(cycles, cycles * 1999)], [(cycles + 1, cycles * 1999)],
                                       address_range=(0, addresses), wide=wide)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert summary.unique_addresses == 1000
        # The rows, and the block of closed intervals (4 x 512 kB) with small arrays besides.
        assert row_bytes * addresses <= peak < row_bytes * addresses + 3.5e6


def test_memory_follows_the_footprint_not_the_address_span():
    """1,000 addresses 2**40 apart, 200,000 events: the state is a few tens of bytes per address."""
    addresses = np.arange(1000, dtype=np.int64) << 40
    cycles = np.arange(200_000, dtype=np.int64)
    writes = [(cycles[start:start + 10_000], addresses[cycles[start:start + 10_000] % 1000])
              for start in range(0, len(cycles), 10_000)]
    reads = [(cycles + 1, addresses[(cycles * 7) % 1000])]
    tracemalloc.start()
    try:
        summary = summarize_stream("ifmap", writes, reads)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary.unique_addresses == 1000 and summary.writes == summary.reads == 200_000
    # The slots of the reads' one chunk (1.6 MB), the block of closed intervals (4 x 512 kB), the state,
    # the hash table and the histograms (tens of kB): nothing follows the 2**50 span.
    assert peak < 8e6


# ----------------------------------------------------------------------------- histogram tables


@pytest.mark.parametrize("block", [1, 7, 5000])
def test_histogram_tables_count_exactly_across_their_doublings(block):
    """5,000 intervals over 2,000 distinct lifetimes (the table doubles from 1,024 rows to 4,096),
    added in blocks: lifetime v = (7 i) mod 2000 with i reads; read sums beyond 2**53 stay exact."""
    intervals = np.arange(5000, dtype=np.int64)
    lifetimes, reads = (intervals * 7) % 2000, intervals.copy()
    reads[-1] = 2**60  # interval 4999, lifetime 993
    table = _HistogramTable()
    for start in range(0, len(intervals), block):
        table.add(lifetimes[start:start + block], reads[start:start + block])
    histogram = table.histogram()
    expected = {}
    for lifetime, count in zip(lifetimes.tolist(), reads.tolist()):
        expected.setdefault(lifetime, [0, 0])
        expected[lifetime][0] += 1
        expected[lifetime][1] += count
    assert histogram.lifetimes.tolist() == list(range(2000))
    assert [[intervals, reads] for intervals, reads in zip(histogram.intervals.tolist(), histogram.reads.tolist())] \
        == [expected[lifetime] for lifetime in range(2000)]
    assert expected[993] == [3, 999 + 2999 + 2**60]  # i = 999, 2999 (as many reads), 4999 (2**60 reads)
    assert len(table.rows) == 4096


def test_a_histogram_table_adds_counts_and_rejects_its_free_marker():
    table = _HistogramTable()
    table.add(np.array([4, 2, 4], np.int64), np.array([1, 2, 3], np.int64), counts=np.array([10, 20, 30], np.int64))
    histogram = table.histogram()
    assert (histogram.lifetimes.tolist(), histogram.intervals.tolist(), histogram.reads.tolist()) == \
        ([2, 4], [20, 40], [2, 4])
    with pytest.raises(ValueError, match="reserved"):
        table.add(np.array([-2**63], np.int64), np.array([1], np.int64))


# ----------------------------------------------------------------------------- CSV traces


def write_ofmap_traces(layer_dir, writes, reads):
    """OFMAP traces: writes in the SRAM trace (integers), reads in the DRAM trace (floats)."""
    layer_dir.mkdir(parents=True)
    (layer_dir / layout.sram_trace_name("ofmap")).write_text("".join(f"{c},{a}\n" for c, a in writes))
    (layer_dir / layout.dram_trace_name("ofmap")).write_text("".join(f"{c}.0,{a}.0\n" for c, a in reads))
    (layer_dir.parent / layout.COMPUTE_REPORT).write_text("LayerID, Total Cycles,\n0, 50,\n")


@pytest.mark.parametrize("writes, reads, bad_file, line", [
    # The write at 3 (line 3) after the one at 5.
    ([(1, 20_000_003), (5, 20_000_001), (3, 20_000_002)], [(6, 20_000_001)], layout.sram_trace_name("ofmap"), 3),
    # The read at 4 (line 2) after address 1 was written again at 10.
    ([(0, 20_000_001), (10, 20_000_001)], [(11, 20_000_001), (4, 20_000_001)], layout.dram_trace_name("ofmap"), 2),
])
def test_trace_events_out_of_order_name_the_file_and_line(tmp_path, writes, reads, bad_file, line):
    write_ofmap_traces(tmp_path / "layer0", writes, reads)
    with pytest.raises(InputError, match="events not in cycle order") as error:
        summary_from_trace_dir(tmp_path, 0, "ofmap", offsets_of(None))
    assert (error.value.path, error.value.line) == (str(tmp_path / "layer0" / bad_file), line)


def test_the_line_of_an_access_in_a_trace_with_empty_slots_and_many_blocks(tmp_path):
    # Line 1 holds no access, line 2 two, line 3 one: accesses 0, 1 on line 2, access 2 on line 3.
    path = tmp_path / layout.sram_trace_name("ofmap")
    path.write_text("0,-1,-1\n1,20000000,20000001\n2,-1,20000005\n" + "3,20000002,-1\n" * 500)
    lines = [line_of_access(path, "ofmap", offsets_of(None), index, block_bytes=64) for index in range(504)]
    assert lines[:4] == [2, 2, 3, 4] and lines[-2:] == [503, None]


def test_traces_stream_to_the_interval_paths_summary(tmp_path):
    writes = [(0, 20_000_001), (1, 20_000_002), (4, 20_000_001), (6, 20_000_003)]
    reads = [(2, 20_000_001), (2, 20_000_002), (5, 20_000_001), (5, 20_000_005), (9, 20_000_003)]
    write_ofmap_traces(tmp_path / "layer0", writes, reads)
    summary, total_cycles = summary_from_trace_dir(tmp_path, 0, "ofmap", offsets_of(None))
    assert total_cycles == 50
    assert_same_summary(summary, summarize(interval_path_from_traces(tmp_path, 0, "ofmap", offsets_of(None))[0]))
