"""The CALC read buffer and the OFMAP write buffer: hand-computed cases, and random inputs compared
with plain step-by-step models of SCALE-Sim's buffers (docs/simulator.md)."""

import math
import random

import numpy as np
import pytest
from gainflow.errors import InputError
from gainflow.simulator.demand import DemandStream
from gainflow.simulator.read_buffer import (_FirstOccurrences, dram_event_chunks, dram_trace_blocks, plan_fetches,
                                            set_ordered)
from gainflow.simulator.write_buffer import RowWords, plan_drains

HOLE = 1 << 20


def stream_of_rows(rows, copies=1):
    """A DemandStream of `copies` identical folds whose demand row i holds the addresses rows[i]
    (-1 = empty slot)."""
    slot_rows = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    slots = np.array([HOLE if a == -1 else a for r in rows for a in r], dtype=np.int64)
    repeats = np.arange(copies) > 0
    return DemandStream.of_slots(np.tile(slots, (copies, 1)), slot_rows, np.zeros_like(slot_rows), len(rows), HOLE,
                                 0, repeats)


def fetch(rows, sram_kb=1, copies=1):
    return plan_fetches(stream_of_rows(rows, copies), np.arange(len(rows) * copies), sram_kb)


def dram_trace_matrix(plan, rows_per_block=3):
    """The whole DRAM trace, from blocks of a few rows (a batch spans several blocks)."""
    return np.concatenate(list(dram_trace_blocks(plan, rows_per_block)))


def dram_events(plan):
    cycles, addresses = zip(*dram_event_chunks(plan.batch_addresses(), plan.set_size))
    return np.concatenate(cycles), np.concatenate(addresses)


def fetched_in_demand_order(plan):
    return np.concatenate([addresses for _, addresses in plan.batch_addresses()])


# --- read buffer, by hand (1 kB: n = floor(1024 / 100) = 10 words per set, 500 per window) ---

def test_set_size_and_single_batch_when_everything_fits():
    plan = fetch([[a] for a in range(128)])
    # 128 addresses < 500: one batch at 10 words/cycle, ceil(13 sets * 10 / 10) = 13 rows ending at -1
    assert plan.set_size == 10
    assert plan.batches.tolist() == [[0, 128, -14, -2, 10]]
    assert (plan.dram_reads, plan.start_cycle, plan.stop_cycle) == (128, -13, -1)
    matrix = dram_trace_matrix(plan)
    assert matrix[:, 0].tolist() == list(range(-13, 0))
    assert matrix[-1].tolist()[-2:] == [-1, -1]  # 13 sets x 10 slots for 128 addresses


def test_later_batches_spread_over_the_previous_window():
    plan = fetch([[a] for a in range(1200)])  # one new address per cycle
    # window 1 completes at cycle 499 -> fetched at 10/cycle over cycles -50 .. -1;
    # window 2 over the cycles of window 1 (-1 .. 499, 501 rows): ceil(500/501) = 1 word per cycle;
    # the last 200 (20 sets) over 500 .. 999: ceil(200/500) = 1.
    assert plan.batches.tolist() == [[0, 500, -51, -2, 10], [500, 500, -1, 499, 1], [1000, 200, 500, 999, 1]]
    assert (plan.dram_reads, plan.start_cycle, plan.stop_cycle) == (1200, -50, 1000)


def test_addresses_are_refetched_after_their_window_is_forgotten():
    plan = fetch([[a] for a in list(range(600)) + list(range(100))])
    # 0..499 fill window 1; 500..599 and then 0..99 again are new in window 2
    assert plan.dram_reads == 700
    assert fetched_in_demand_order(plan)[500:].tolist() == list(range(500, 600)) + list(range(100))


def test_empty_slots_are_never_fetched_and_first_cycle_is_the_first_filled_row():
    plan = fetch([[-1, -1], [-1, 3], [3, 4]])
    assert fetched_in_demand_order(plan).tolist() == [3, 4]
    # fits: one batch ending at cycle -1 whatever the first filled row
    assert plan.batches.tolist() == [[0, 2, -2, -2, 10]]


@pytest.mark.parametrize("seed", range(8))
def test_first_occurrences_in_a_window_survive_running_out_of_values(seed):
    # An int8 table runs out of values every few segments: the window's values are shifted up, or,
    # when one window scans more slots than int8 can number (odd seeds: a single window), the
    # table turns int64. Its answers stay those of a set of the window's addresses.
    rng = random.Random(seed)
    first = _FirstOccurrences(21, np.int8)
    window = set()
    for index in range(300):
        if seed % 2 == 0 and index % 3 == 0:  # windows of at most 3 x 39 slots
            first.start_window()
            window = set()
        segment = np.array([rng.randrange(21) for _ in range(rng.randrange(1, 40))])
        expected = []
        for address in segment.tolist():
            expected.append(address not in window)
            window.add(address)
        assert first.first_in_window(segment).tolist() == expected
    assert first.table.dtype == (np.int8 if seed % 2 == 0 else np.int64)


def test_set_iteration_order_is_cpythons():
    # 8-slot table: 1 lands in slot 1, 8 in slot 0 -> iteration 8, 1; chunks of 2 are separate sets
    assert set_ordered(np.array([1, 8]), 2).tolist() == [8, 1]
    assert set_ordered(np.array([1, 8, 3, 16]), 2).tolist() == [8, 1, 16, 3]


def test_two_windows_in_one_row_is_an_input_error():
    with pytest.raises(InputError, match="one demand row"):
        fetch([list(range(1100))])


# --- read buffer against the specification's original formulation ---

def reference_read_buffer(rows, sram_kb):
    """5.2 as written: closed 50-set windows of Python sets, EMIT with -1 and width padding (None
    here, `1.0` in the trace file)."""
    n = sram_kb * 1024 // 100
    closed, filling, win_lo = [], set(), 0
    state = {"span": (-2, -1), "trace": [], "width": 0, "reads": 0}
    first_cycle, primed = None, False

    def emit(sets, width):
        span_lo, span_hi = state["span"]
        addresses = [a for s in sets for a in s]
        count = span_hi - span_lo + 1
        slots = addresses + [-1] * (count * width - len(addresses))
        block = [[span_lo + r + 1] + slots[r * width:(r + 1) * width] for r in range(count)]
        total = max(width, state["width"])
        state["trace"] = [row + [None] * (1 + total - len(row)) for row in state["trace"] + block]
        state["width"] = total
        state["reads"] += len(addresses)

    for t, row in enumerate(rows):
        if first_cycle is None and any(a != -1 for a in row):
            first_cycle = t
        for a in row:
            if a == -1 or a in filling or any(a in s for s in closed[win_lo:]):
                continue
            filling.add(a)
            if len(filling) < n:
                continue
            closed.append(filling)
            filling = set()
            if len(closed) == win_lo + 50:
                if not primed:
                    span_hi = first_cycle - 2
                    state["span"] = (span_hi - math.ceil(50 * n / 10) + 1, span_hi)
                    emit(closed[win_lo:win_lo + 50], 10)
                    primed = True
                else:
                    span_lo, span_hi = state["span"]
                    emit(closed[win_lo:win_lo + 50], math.ceil(50 * n / (span_hi - span_lo + 1)))
                win_lo += 50
                state["span"] = (state["span"][1] + 1, t)
    if filling:
        closed.append(filling)
    last = len(closed) - 1
    if not primed:
        state["span"] = (-2 - math.ceil((last + 1) * n / 10) + 1, -2)
        emit(closed, 10)
    else:
        span_lo, span_hi = state["span"]
        emit(closed[win_lo:], math.ceil((last - win_lo + 1) * n / (span_hi - span_lo + 1)))
    return state["trace"], state["reads"]


@pytest.mark.parametrize("seed", range(12))
def test_read_buffer_matches_the_specifications_state_machine(seed):
    rng = random.Random(seed)
    footprint = rng.choice([300, 900, 2500])
    rows = [[rng.randrange(footprint) if rng.random() > 0.2 else -1 for _ in range(rng.randrange(0, 9))]
            for _ in range(rng.randrange(200, 1500))]
    rows[0] = [-1, -1]  # the first filled row is not row 0
    expected_trace, expected_reads = reference_read_buffer(rows, 1)
    plan = fetch(rows)
    assert dram_trace_matrix(plan).tolist() == [[1 if v is None else v for v in row] for row in expected_trace]
    assert plan.dram_reads == expected_reads
    cycles, addresses = dram_events(plan)
    expected_events = [(row[0], a) for row in expected_trace for a in row[1:] if a not in (None, -1)]
    assert list(zip(cycles.tolist(), addresses.tolist())) == expected_events
    assert len(expected_events) == expected_reads


@pytest.mark.parametrize("seed", range(8))
def test_repeated_folds_are_skipped_only_while_their_window_lasts(seed):
    rng = random.Random(100 + seed)
    # Folds of 300 to 1300 distinct addresses: windows of 500 complete inside some copies and not others.
    footprint = (300, 700, 1300)[seed % 3]
    fold = [[rng.randrange(footprint) for _ in range(rng.randrange(1, 8))] for _ in range(rng.randrange(150, 400))]
    copies = rng.randrange(2, 7)
    expected_trace, expected_reads = reference_read_buffer(fold * copies, 1)
    plan = fetch(fold, copies=copies)
    assert dram_trace_matrix(plan).tolist() == [[1 if v is None else v for v in row] for row in expected_trace]
    assert plan.dram_reads == expected_reads


# --- write buffer, by hand (1 kB: 1024 words, active 512, drains of ceil(512 / w) lines) ---

def test_drains_of_a_steady_stream():
    plan = plan_drains(RowWords.of_rows(np.full(200, 8)), 1, 8)
    # word 513 (row 64) leaves 511 < 512 free: its partial line of 1 word is forced out and lines
    # 0..63 drain at cycles 64..127; the next drains start at rows 128 and 192 (64 lines each,
    # the first counting the 1-word line as full: +7); the flush drains the last 9 lines from 199.
    assert plan.stall_cycles == 0
    assert plan.row_cycles[np.arange(200)].tolist() == list(range(200))
    assert len(plan.line_ends) == 201
    assert plan.line_lengths[64] == 1
    assert plan.line_cycles[[0, 63, 64, 127, 128, 191, 192, 200]].tolist() == [64, 127, 128, 191, 192, 255, 199, 207]
    assert plan.dram_writes == 1600 + 7


def test_a_full_buffer_stalls_until_the_drain_ends():
    plan = plan_drains(RowWords.of_rows(np.array([513, 1023, 1])), 1, 8)
    # row 0: drain of lines 0..63 at cycles 0..63; row 1 fills the buffer at its last word while the
    # drain runs: that row's write ends at cycle 63, a delay of 62 of which 2.0.2 counts 61.
    assert plan.ofmap_cycles[np.arange(3)].tolist() == [0, 63, 63]
    assert plan.row_cycles[np.arange(3)].tolist() == [0, 1, 63]
    assert plan.stall_cycles == 61
    # row 2 starts a drain at 63 (lines 64..127); the flush starts at 63 too, without waiting
    assert plan.line_cycles[[64, 127, 128, 191, 192]].tolist() == [63, 126, 63, 126, 127]
    assert plan.dram_writes == 1537 + 7


def reference_write_buffer(words_per_row, sram_kb, width):
    """5.1 and 5.3 as written, one word at a time."""
    total = sram_kb * 1024
    active = math.ceil(total * 0.5)
    drain_cap = total - active
    state = {"free": total, "next": 0, "writes": 0}
    lines, partial, cycles = [], [], []
    drain_end, stall, word = 0, 0, 0
    row_cycles, ofmap_cycles = [], []

    def drain(start):
        chunk = lines[state["next"]:min(state["next"] + math.ceil(drain_cap / width), len(lines))]
        words = len(chunk) * width - chunk[-1].count(-1)
        state["writes"] += words
        state["free"] += words
        cycles.extend(range(start, start + len(chunk)))
        state["next"] += len(chunk)
        return start + len(chunk) - 1

    for i, count in enumerate(words_per_row):
        t = i + stall
        cur = t
        for _ in range(count):
            partial.append(word)
            word += 1
            state["free"] -= 1
            if len(partial) == width:
                lines.append(partial)
                partial = []
            if cur < drain_end:
                if state["free"] <= 0:
                    cur = drain_end
            elif state["free"] < active:
                if partial:
                    lines.append(partial + [-1] * (width - len(partial)))
                    partial = []
                drain_end = drain(cur)
        row_cycles.append(t)
        ofmap_cycles.append(cur)
        stall += int(max(0, cur - t - 1))
    if partial:
        lines.append(partial + [-1] * (width - len(partial)))
    start = ofmap_cycles[-1]
    while state["next"] < len(lines):
        start = drain(start) + 1
    line_ends = np.cumsum([width - line.count(-1) for line in lines]).tolist()
    return row_cycles, ofmap_cycles, stall, line_ends, cycles, state["writes"]


@pytest.mark.parametrize("seed", range(16))
def test_write_buffer_matches_the_specifications_word_by_word_replay(seed):
    rng = random.Random(seed)
    width = rng.choice([3, 8, 13, 300])
    # Folds of one to three shapes (words per row of each), as a layer's demand rows come.
    # Mostly array-like rows (at most `width` words), sometimes bursts that fill the buffer.
    fold_len = rng.randrange(5, 60)
    shapes = [[rng.randrange(0, width + 1) if rng.random() > 0.05 else rng.randrange(400, 1400)
               for _ in range(fold_len)] for _ in range(rng.randrange(1, 4))]
    shapes[-1][-1] = max(shapes[-1][-1], 1)
    fold_shapes = [rng.randrange(len(shapes)) for _ in range(rng.randrange(1, 20))] + [len(shapes) - 1]
    words = [count for shape in fold_shapes for count in shapes[shape]]
    expected = reference_write_buffer(words, 1, width)
    plan = plan_drains(RowWords(np.array(shapes), np.array(fold_shapes)), 1, width)
    rows = np.arange(len(words))
    got = (plan.row_cycles[rows].tolist(), plan.ofmap_cycles[rows].tolist(), plan.stall_cycles,
           plan.line_ends.tolist(), plan.line_cycles.tolist(), plan.dram_writes)
    assert got == expected
    # Looked up row by row, and a few rows at a time in any order, the cycles are the same.
    assert [plan.ofmap_cycles[row] for row in rows] == expected[1]
    some = np.array(rng.sample(range(len(words)), min(len(words), 7)))
    assert plan.row_cycles[some].tolist() == [expected[0][row] for row in some]
    assert plan.ofmap_cycles[some].tolist() == [expected[1][row] for row in some]
    assert plan.ofmap_cycles[-1] == expected[1][-1]
    writing = [row for row, count in enumerate(words) if count]
    assert plan.row_words.writing_rows() == (writing[0], writing[-1])


def test_set_iteration_order_replica_matches_real_sets():
    # The compiled replica of CPython's set, on dense chunks (values in their home slots) and sparse
    # or strided ones (shared slots: probing), must equal this interpreter's sets, chunk by chunk.
    rng = np.random.default_rng(7)
    for _ in range(300):
        set_size = int(rng.integers(1, 700))
        values = []
        for _ in range(int(rng.integers(1, 5))):
            span = set_size * int(rng.choice([1, 2, 10, 1000]))
            stride = int(rng.choice([1, 1, 512, 1024, 4096]))
            values.extend(rng.choice(span, set_size, replace=False) * stride + int(rng.integers(0, 10 ** 5)))
        values = np.array(values[:len(values) - int(rng.integers(0, set_size))], dtype=np.int64)
        expected = [a for start in range(0, len(values), set_size)
                    for a in set(values[start:start + set_size].tolist())]
        assert set_ordered(values, set_size).tolist() == expected


def test_set_order_replica_rejects_repeats_and_negative_values():
    from gainflow import kernels

    ordered = np.empty(4, dtype=np.int64)
    with pytest.raises(ValueError, match="repeats"):
        kernels.set_order(np.array([1, 2, 2, 3]), 4, ordered)
    with pytest.raises(ValueError, match="2\\*\\*61"):
        kernels.set_order(np.array([1, -2, 5, 3]), 4, ordered)
