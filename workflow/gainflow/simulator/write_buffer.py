"""OFMAP write buffer and its drain to DRAM (specification 5.1 and 5.3), and with it the cycle of
every demand row: the write buffer is the only part that can stall in CALC mode.

Lines are consecutive runs of the OFMAP address stream (`w = C` words, or fewer when a drain forces
a partial line out), so they are kept as end offsets into that stream.
"""

from dataclasses import dataclass

import numba
import numpy as np


@dataclass(frozen=True)
class DrainPlan:
    row_cycles: np.ndarray  # cycle t of each demand row (IFMAP/FILTER SRAM trace cycle = t + 1)
    ofmap_cycles: np.ndarray  # OFMAP SRAM trace cycle of each demand row
    stall_cycles: int
    line_ends: np.ndarray  # end offset of each DRAM line in the OFMAP address stream
    line_cycles: np.ndarray  # drain cycle of each DRAM line
    line_width: int
    dram_writes: int

    @property
    def line_lengths(self):
        return np.diff(self.line_ends, prepend=0)


@numba.njit(cache=True)
def _drain(line_ends, line_cycles, next_line, num_lines, lines_per_drain, width, start):
    """Drain up to `lines_per_drain` lines from `next_line`, one per cycle from `start`.

    Returns (words credited, new next_line, last drain cycle). Only the last line's -1 padding is
    subtracted, so partial lines inside a chunk count as full (SCALE-Sim's over-count).
    """
    stop = min(next_line + lines_per_drain, num_lines)
    last_start = line_ends[stop - 2] if stop >= 2 else 0
    words = (stop - next_line - 1) * width + (line_ends[stop - 1] - last_start)
    for line in range(next_line, stop):
        line_cycles[line] = start + line - next_line
    return words, stop, start + stop - next_line - 1


@numba.njit(cache=True)
def _replay(stream_rows, num_rows, total, active, width, row_cycles, ofmap_cycles, line_ends, line_cycles):
    lines_per_drain = -(-(total - active) // width)
    free = total
    partial = 0
    num_lines = 0
    next_line = 0
    drain_end = 0
    dram_writes = 0
    stall = 0
    word = 0
    for i in range(num_rows):
        t = i + stall
        cur = t
        while word < len(stream_rows) and stream_rows[word] == i:
            word += 1
            partial += 1
            free -= 1
            if partial == width:
                line_ends[num_lines] = word
                num_lines += 1
                partial = 0
            if cur < drain_end:
                if free <= 0:  # buffer full while draining: stall until the drain ends
                    cur = drain_end
            elif free < active:
                if partial > 0:  # force the partial line out
                    line_ends[num_lines] = word
                    num_lines += 1
                    partial = 0
                words, next_line, drain_end = _drain(line_ends, line_cycles, next_line, num_lines,
                                                     lines_per_drain, width, cur)
                dram_writes += words
                free += words
        row_cycles[i] = t
        ofmap_cycles[i] = cur
        # SCALE-Sim 2.0.2 counts one cycle less than the OFMAP delay.
        stall += max(0, cur - t - 1)
    if partial > 0:
        line_ends[num_lines] = word
        num_lines += 1
    # Final flush: starts at the last row's cycle, without waiting for a running drain.
    start = ofmap_cycles[num_rows - 1]
    while next_line < num_lines:
        words, next_line, last = _drain(line_ends, line_cycles, next_line, num_lines,
                                        lines_per_drain, width, start)
        dram_writes += words
        start = last + 1
    return stall, num_lines, dram_writes


def plan_drains(stream_rows, num_rows, ofmap_sram_kb, line_width):
    """DrainPlan for the OFMAP demand stream (`stream_rows[k]` = demand row of the k-th address)."""
    total = ofmap_sram_kb * 1024
    active = -(-total // 2)  # ceil(total * 0.5)
    row_cycles = np.empty(num_rows, dtype=np.int64)
    ofmap_cycles = np.empty(num_rows, dtype=np.int64)
    line_ends = np.empty(len(stream_rows), dtype=np.int64)
    line_cycles = np.empty(len(stream_rows), dtype=np.int64)
    stall, num_lines, dram_writes = _replay(stream_rows, num_rows, total, active, line_width,
                                            row_cycles, ofmap_cycles, line_ends, line_cycles)
    return DrainPlan(row_cycles, ofmap_cycles, int(stall), line_ends[:num_lines].copy(),
                     line_cycles[:num_lines].copy(), line_width, int(dram_writes))


def dram_trace_matrix(plan, stream_addresses):
    """OFMAP DRAM trace as an int64 matrix: drain cycle, then the line's addresses padded with -1."""
    lengths = plan.line_lengths
    matrix = np.full((len(lengths), 1 + plan.line_width), -1, dtype=np.int64)
    matrix[:, 0] = plan.line_cycles
    line_of_word = np.repeat(np.arange(len(lengths)), lengths)
    column_of_word = np.arange(len(stream_addresses)) - np.repeat(plan.line_ends - lengths, lengths)
    matrix[line_of_word, 1 + column_of_word] = stream_addresses
    return matrix
