"""CALC-mode read buffer of IFMAP and FILTER (specification 5.2): which addresses are fetched from
DRAM, in which batches, at which cycles and widths.

Uses the specification's equivalent formulation: an address is fetched when it has not been seen
since the current 50-set window started; every `50*n` first occurrences form a batch, after which the
window is forgotten. Within a batch, each chunk of `n` addresses is emitted in CPython `set`
iteration order, reproduced by building real Python sets.
"""

from dataclasses import dataclass

import numba
import numpy as np

SETS_PER_WINDOW = 50
FIRST_BATCH_WIDTH = 10  # words per cycle, hard-coded in SCALE-Sim v2
WORDS_PER_SET_DIVISOR = 100  # n = floor(SRAM words / 100)

# Columns of the batch table.
FIRST, COUNT, SPAN_LO, SPAN_HI, WIDTH = range(5)


@dataclass(frozen=True)
class FetchPlan:
    set_size: int  # n
    fetched: np.ndarray  # first occurrences, in demand order (int64)
    batches: np.ndarray  # int64 (batches x 5): FIRST, COUNT, SPAN_LO, SPAN_HI, WIDTH

    @property
    def dram_reads(self):
        return len(self.fetched)

    @property
    def start_cycle(self):
        return int(self.batches[0, SPAN_LO]) + 1  # +1: DRAM latency

    @property
    def stop_cycle(self):
        return int(self.batches[-1, SPAN_HI]) + 1

    @property
    def trace_width(self):
        return int(self.batches[:, WIDTH].max())


@numba.njit(cache=True)
def _ceil_div(numerator, denominator):
    return -(-numerator // denominator)


@numba.njit(cache=True)
def _record_batch(batches, index, first, count, span_lo, span_hi, width):
    batches[index, FIRST] = first
    batches[index, COUNT] = count
    batches[index, SPAN_LO] = span_lo
    batches[index, SPAN_HI] = span_hi
    batches[index, WIDTH] = width


@numba.njit(cache=True)
def _plan_fetches(addresses, rows, row_cycles, base, address_count, set_size, fetched, batches):
    window_words = SETS_PER_WINDOW * set_size
    last_window = np.full(address_count, -1, dtype=np.int64)
    window = 0
    in_window = 0
    count = 0
    num_batches = 0
    primed = False
    span_lo, span_hi = -2, -1
    first_cycle = row_cycles[rows[0]] if len(rows) > 0 else 0
    for i in range(len(addresses)):
        slot = addresses[i] - base
        if last_window[slot] == window:
            continue
        last_window[slot] = window
        fetched[count] = addresses[i]
        count += 1
        in_window += 1
        if in_window < window_words:
            continue
        if not primed:
            # The first window is fetched before the first demand row that needs data.
            span_hi = first_cycle - 2
            span_lo = span_hi - _ceil_div(window_words, FIRST_BATCH_WIDTH) + 1
            width = FIRST_BATCH_WIDTH
            primed = True
        else:
            span = span_hi - span_lo + 1
            if span <= 0:
                # Two windows completed within one demand row (more than 50*n new addresses in a row).
                return -1, num_batches
            width = _ceil_div(window_words, span)
        _record_batch(batches, num_batches, count - window_words, window_words, span_lo, span_hi, width)
        num_batches += 1
        window += 1
        in_window = 0
        # The next batch is spread over the cycles of this window.
        span_lo, span_hi = span_hi + 1, row_cycles[rows[i]]
    nominal_words = _ceil_div(in_window, set_size) * set_size  # a partial last set counts as full
    if not primed:
        span_hi = -2
        span_lo = span_hi - _ceil_div(nominal_words, FIRST_BATCH_WIDTH) + 1
        width = FIRST_BATCH_WIDTH
    else:
        width = _ceil_div(nominal_words, span_hi - span_lo + 1)
    _record_batch(batches, num_batches, count - in_window, in_window, span_lo, span_hi, width)
    return count, num_batches + 1


def plan_fetches(addresses, rows, row_cycles, spec, sram_kb):
    """FetchPlan for an operand's demand stream; `row_cycles[i]` is the cycle of demand row `i`."""
    set_size = sram_kb * 1024 // WORDS_PER_SET_DIVISOR
    fetched = np.empty(len(addresses), dtype=np.int64)
    batches = np.empty((len(addresses) // (SETS_PER_WINDOW * set_size) + 1, 5), dtype=np.int64)
    count, num_batches = _plan_fetches(addresses, rows, row_cycles, spec.address_base,
                                       spec.address_count, set_size, fetched, batches)
    if count < 0:
        raise ValueError("more than 50*n new addresses in one demand row: the array is too wide "
                         "for this SRAM size (not modelled by SCALE-Sim v2 either)")
    return FetchPlan(set_size, fetched[:count].copy(), batches[:num_batches].copy())


def set_ordered(fetched, set_size):
    """`fetched` reordered chunk by chunk of `set_size` into CPython set iteration order."""
    ordered = []
    for start in range(0, len(fetched), set_size):
        ordered.extend(set(fetched[start:start + set_size].tolist()))
    return np.array(ordered, dtype=np.int64)


def batch_layout(plan):
    """Per batch: (cycles of its DRAM rows, its addresses in emission order, its width)."""
    for first, count, span_lo, span_hi, width in plan.batches.tolist():
        # Batches start on set boundaries, so chunking within a batch is chunking from the start.
        addresses = set_ordered(plan.fetched[first:first + count], plan.set_size)
        cycles = np.arange(span_lo + 1, span_hi + 2, dtype=np.int64)
        yield cycles, addresses, width


def dram_events(plan):
    """(cycles, addresses) of every fetched address, in DRAM trace order, padding excluded."""
    cycle_parts, address_parts = [], []
    for cycles, addresses, width in batch_layout(plan):
        address_parts.append(addresses)
        cycle_parts.append(cycles[np.arange(len(addresses)) // width] if width else cycles[:0])
    return np.concatenate(cycle_parts), np.concatenate(address_parts)


def dram_trace_matrix(plan):
    """The DRAM trace as an int64 matrix: cycle column, then addresses; -1 tail padding and the 1.0
    width padding (printed `1.0`) that SCALE-Sim adds when batch widths differ."""
    total_width = plan.trace_width
    blocks = []
    for cycles, addresses, width in batch_layout(plan):
        block = np.ones((len(cycles), 1 + total_width), dtype=np.int64)
        block[:, 0] = cycles
        slots = np.full(len(cycles) * width, -1, dtype=np.int64)
        slots[:len(addresses)] = addresses
        block[:, 1:1 + width] = slots.reshape(len(cycles), width)
        blocks.append(block)
    return np.concatenate(blocks)
