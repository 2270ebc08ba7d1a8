"""CALC-mode read buffer of IFMAP and FILTER (docs/simulator.md): which addresses are fetched from
DRAM, in which batches, at which cycles and widths.

Equivalent to SCALE-Sim's set-by-set lookup, but faster: an address is fetched when it has not been seen
since the current 50-set window started; every `50*n` first occurrences form a batch, after which the
window is forgotten. Within a batch, each chunk of `n` addresses is emitted in CPython `set`
iteration order, reproduced by a C replica of CPython's set (or by real Python sets).
"""

import functools
from dataclasses import dataclass

import numpy as np

from gainflow import kernels
from gainflow.errors import InputError
from gainflow.simulator.geometry import ceil_div

SETS_PER_WINDOW = 50
FIRST_BATCH_WIDTH = 10  # words per cycle, hard-coded in SCALE-Sim v2
WORDS_PER_SET_DIVISOR = 100  # n = floor(SRAM words / 100)

MAX_SEGMENT = 1 << 20  # stream slots scanned at a time: bounds the scan's temporaries

# Columns of the batch table.
FIRST, COUNT, SPAN_LO, SPAN_HI, WIDTH = range(5)


@dataclass(frozen=True)
class FetchPlan:
    """The DRAM fetch batches of a read buffer. The fetched addresses are not kept: `fetch_batches`
    finds them again, window by window, when events or traces need them."""

    set_size: int  # n
    batches: np.ndarray  # int64 (batches x 5): FIRST, COUNT, SPAN_LO, SPAN_HI, WIDTH
    stream: object  # the DemandStream scanned
    row_cycles: np.ndarray
    sram_kb: int

    @property
    def dram_reads(self):
        return int(self.batches[:, COUNT].sum())

    @property
    def start_cycle(self):
        return int(self.batches[0, SPAN_LO]) + 1  # +1: DRAM latency

    @property
    def stop_cycle(self):
        return int(self.batches[-1, SPAN_HI]) + 1

    @property
    def trace_width(self):
        return int(self.batches[:, WIDTH].max())

    def batch_addresses(self):
        """(batch row, its addresses in demand order) of every batch, scanning the stream again."""
        return fetch_batches(self.stream, self.row_cycles, self.sram_kb)


class _FirstOccurrences:
    """Which slots of a scan hold the first occurrence of their address since the current window
    began. `table[a]` holds the value of address a's latest occurrence scattered so far; each
    segment's values lie below every earlier segment's and grow along the segment, so a
    minimum-scatter keeps a segment's first occurrence of each address, and an address is already
    in the window when its value from before the segment is below `window_top`, the lowest value
    of the segments before the window began.

    int32 by default, 4 bytes per address: when a segment would run below the type's range, the
    window's values are shifted up and older ones forgotten; should one window alone scan more
    slots than the type can number, the table turns int64.
    """

    def __init__(self, size, dtype=np.int32):
        top = int(np.iinfo(dtype).max)
        self.table = np.full(size, top, dtype=dtype)
        self.next_value = self.window_top = top

    def start_window(self):
        self.window_top = self.next_value

    def first_in_window(self, segment):
        """Per slot of `segment` (the slots that follow the scan so far): whether it holds its
        address's first occurrence in the current window."""
        if self.next_value - len(segment) < np.iinfo(self.table.dtype).min:
            self._make_room(len(segment))
        start = self.next_value - len(segment)
        values = np.arange(start, self.next_value, dtype=self.table.dtype)
        seen = self.table[segment] < self.window_top
        np.minimum.at(self.table, segment, values)
        self.next_value = start
        return (self.table[segment] == values) & ~seen

    def _make_room(self, length):
        bounds = np.iinfo(self.table.dtype)
        if self.window_top - self.next_value + length >= int(bounds.max) - int(bounds.min) - 1:
            self.table = self.table.astype(np.int64)
            return
        shift = int(bounds.max) - 1 - self.window_top
        older = self.table >= self.window_top
        for half in (shift // 2, shift - shift // 2):  # the shift itself may not fit the type
            np.add(self.table, half, out=self.table, where=~older)
        self.table[older] = bounds.max
        self.window_top += shift
        self.next_value += shift


def _windows(stream, window_words):
    """First occurrences of the stream's slots (ignoring holes), counted afresh after every
    `window_words` of them: per window, (its fetched addresses in demand order, the flat index at
    which it completed), the last, incomplete window (possibly empty) with completion None.

    The stream is scanned in segments (see `_FirstOccurrences`). A fold that repeats the one before
    it is skipped when no window completed since that one began: all its addresses are then
    already in the window.
    """
    hole, fold_size, num_slots = stream.hole, stream.fold_size, stream.num_slots
    repeat_starts = np.flatnonzero(stream.repeats) * fold_size
    run_ends = _repeat_run_ends(stream.repeats) * fold_size
    first = _FirstOccurrences(hole + 1)
    window = []
    found = pos = window_start = 0
    # Segment length: about what a window needs (first guess 4 reads per fetch), doubled while a
    # window stays incomplete; as long as allowed when no window can ever complete.
    length = num_slots if hole < window_words else 5 * window_words
    while pos < num_slots:
        next_repeat = np.searchsorted(repeat_starts, pos)
        if next_repeat < len(repeat_starts) and repeat_starts[next_repeat] == pos:
            if window_start <= pos - fold_size:  # the previous fold lies inside the current window
                pos = int(run_ends[next_repeat])
                continue
            next_repeat += 1
        stop = min(num_slots, pos + min(max(4096, length), MAX_SEGMENT))
        if next_repeat < len(repeat_starts):
            stop = min(stop, int(repeat_starts[next_repeat]))
        need = window_words - found
        segment = stream.segment(pos, stop)
        new = np.flatnonzero(first.first_in_window(segment) & (segment != hole))[:need]
        window.append(stream.addresses_of(segment[new]))
        if len(new) < need:
            found += len(new)
            length = max(length, 2 * (stop - pos))
            pos = stop
            continue
        end = pos + int(new[-1]) + 1
        yield np.concatenate(window), end - 1
        window = []
        length = int((end - window_start) * 1.25)
        first.start_window()
        found, pos, window_start = 0, end, end
    yield np.concatenate(window) if window else np.empty(0, np.int64), None


def _repeat_run_ends(repeats):
    """For each repeating fold, the first fold after its run of repeats."""
    folds = np.arange(len(repeats))
    not_repeating = np.where(~repeats, folds, len(repeats))
    next_break = np.minimum.accumulate(not_repeating[::-1])[::-1]  # first non-repeat at or after f
    return next_break[repeats]


def _later_batch_width(words, span_lo, span_hi, sram_kb, set_size):
    """Words per cycle of a batch spread over the previous window's cycles."""
    if span_hi < span_lo:
        # Two windows completed within one demand row; SCALE-Sim divides by zero here.
        raise InputError(
            f"{sram_kb} kB holds {SETS_PER_WINDOW} sets of {set_size} words, but one demand row brings "
            "more new addresses than that: use a larger SRAM or a narrower array")
    return ceil_div(words, span_hi - span_lo + 1)


def set_words(sram_kb):
    """n: the words of one set of a read buffer of `sram_kb` kB."""
    return sram_kb * 1024 // WORDS_PER_SET_DIVISOR


def read_window_words(sram_kb):
    """The new addresses that complete one fetch window (50 sets) of a read buffer of `sram_kb` kB.
    One demand row bringing more than that makes two windows complete in one row, which the
    simulator rejects (see `_later_batch_width`)."""
    return SETS_PER_WINDOW * set_words(sram_kb)


def fetch_batches(stream, row_cycles, sram_kb):
    """The DRAM fetch batches of an operand's DemandStream, in order, each with its addresses:
    (batch row FIRST, COUNT, SPAN_LO, SPAN_HI, WIDTH; addresses in demand order). `row_cycles[i]` is
    the cycle of demand row `i`. Batch k is known once window k completes: the cycles it spans end
    at window k - 1's completion."""
    set_size = set_words(sram_kb)
    window_words = read_window_words(sram_kb)
    first_cycle = int(row_cycles[stream.row_span[0]])
    span_lo, span_hi = -2, -1
    fetched = 0
    for index, (addresses, completion) in enumerate(_windows(stream, window_words)):
        if completion is None:
            break
        if index == 0:
            # The first window is fetched before the first demand row that needs data.
            span_hi = first_cycle - 2
            span_lo = span_hi - ceil_div(window_words, FIRST_BATCH_WIDTH) + 1
            width = FIRST_BATCH_WIDTH
        else:
            width = _later_batch_width(window_words, span_lo, span_hi, sram_kb, set_size)
        yield (fetched, window_words, span_lo, span_hi, width), addresses
        fetched += window_words
        # The next batch is spread over the cycles of this window.
        span_lo, span_hi = span_hi + 1, int(row_cycles[stream.rows_of(completion)])
    last_window = len(addresses)
    nominal_words = ceil_div(last_window, set_size) * set_size  # a partial last set counts as full
    if index == 0:
        # Everything fits in fewer than 50 sets: one batch ending at cycle -1.
        span_hi = -2
        span_lo = span_hi - ceil_div(nominal_words, FIRST_BATCH_WIDTH) + 1
        width = FIRST_BATCH_WIDTH
    else:
        width = _later_batch_width(nominal_words, span_lo, span_hi, sram_kb, set_size)
    yield (fetched, last_window, span_lo, span_hi, width), addresses


def plan_fetches(stream, row_cycles, sram_kb):
    """FetchPlan for an operand's DemandStream; `row_cycles[i]` is the cycle of demand row `i`."""
    batches = [batch for batch, _ in fetch_batches(stream, row_cycles, sram_kb)]
    return FetchPlan(set_words(sram_kb), np.array(batches, dtype=np.int64), stream, row_cycles, sram_kb)


def set_ordered(fetched, set_size):
    """`fetched` (distinct values per chunk) reordered chunk by chunk of `set_size` into CPython set
    iteration order: by a compiled replica of CPython's set (`gainflow._kernels.set_order`), checked
    once per process against this interpreter's real sets; real sets if the two ever disagree."""
    fetched = np.ascontiguousarray(fetched, dtype=np.int64)
    if not _replica_matches_this_interpreter():
        return np.array(_python_set_order(fetched.tolist(), set_size), dtype=np.int64)
    ordered = np.empty_like(fetched)
    kernels.set_order(fetched, set_size, ordered)
    return ordered


@functools.cache
def _replica_matches_this_interpreter():
    """Whether the replica orders sets as this interpreter does: chunk sizes around the table's
    growth steps, dense and strided values (strides that share hash slots make it probe)."""
    rng = np.random.default_rng(0)
    for set_size in (4, 5, 20, 77, 655):
        for stride in (1, 1024):
            values = rng.permutation(set_size * 2) * stride + int(rng.integers(0, 1 << 20))
            ordered = np.empty_like(values)
            kernels.set_order(values, set_size, ordered)
            if ordered.tolist() != _python_set_order(values.tolist(), set_size):
                return False
    return True


def _python_set_order(values, set_size):
    """The list `values`, chunk by chunk of `set_size`, through real Python sets."""
    return [a for start in range(0, len(values), set_size) for a in set(values[start:start + set_size])]


def batch_layout(batches, set_size):
    """Per batch of `fetch_batches`: (cycles of its DRAM rows, its addresses in emission order, its width)."""
    for (_, _, span_lo, span_hi, width), addresses in batches:
        # Batches start on set boundaries, so chunking within a batch is chunking from the start.
        cycles = np.arange(span_lo + 1, span_hi + 2, dtype=np.int64)
        yield cycles, set_ordered(addresses, set_size), width


def dram_event_chunks(batches, set_size):
    """(cycles, addresses) of the fetched addresses of the batches of `fetch_batches`, in DRAM trace
    order (so in cycle order), padding excluded: a batch in pieces of at most MAX_SEGMENT addresses."""
    for cycles, addresses, width in batch_layout(batches, set_size):
        if not width:
            yield cycles[:0], addresses
            continue
        for start in range(0, max(1, len(addresses)), MAX_SEGMENT):
            stop = min(start + MAX_SEGMENT, len(addresses))
            yield cycles[np.arange(start, stop) // width], addresses[start:stop]


def dram_trace_blocks(plan, rows_per_block):
    """The DRAM trace as int64 blocks of at most `rows_per_block` rows: cycle column, then
    addresses; -1 tail padding and the 1.0 width padding (printed `1.0`) that SCALE-Sim adds when
    batch widths differ."""
    total_width = plan.trace_width
    for cycles, addresses, width in batch_layout(plan.batch_addresses(), plan.set_size):
        for start in range(0, len(cycles), rows_per_block):
            stop = min(start + rows_per_block, len(cycles))
            block = np.ones((stop - start, 1 + total_width), dtype=np.int64)
            block[:, 0] = cycles[start:stop]
            slots = np.full((stop - start) * width, -1, dtype=np.int64)
            filled = addresses[start * width:stop * width]
            slots[:len(filled)] = filled
            block[:, 1:1 + width] = slots.reshape(stop - start, width)
            yield block

