"""OFMAP write buffer and its drain to DRAM (docs/simulator.md), and with it the cycle of
every demand row: the write buffer is the only part that can stall in CALC mode.

SCALE-Sim's per-word state machine is replayed drain by drain: between two events (a drain
start or a stall) nothing happens but words filling the buffer, so the next event's word follows
from the word counts per row. Lines are consecutive runs of the OFMAP address stream (`w = C`
words, or fewer when a drain forces a partial line out), kept as end offsets into that stream.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gainflow.simulator.geometry import ceil_div


@dataclass(frozen=True)
class RowWords:
    """The OFMAP addresses written by each demand row, kept per fold shape, not per row (the largest
    layers have 10^8 rows): every fold has one of a few shapes, each with its words per row."""

    shape_words: np.ndarray  # shapes x fold length: words written by each row of a fold of that shape
    fold_shapes: np.ndarray  # the shape of each fold

    @classmethod
    def of_rows(cls, words):
        """Words per row given row by row (a single fold)."""
        return cls(np.asarray(words)[None, :], np.zeros(1, dtype=np.int64))

    @property
    def fold_len(self):
        return self.shape_words.shape[1]

    @property
    def num_rows(self):
        return len(self.fold_shapes) * self.fold_len

    @cached_property
    def _shape_before(self):
        """Per shape, the words of its rows before row i, for i = 0 .. fold length."""
        before = np.zeros((len(self.shape_words), self.fold_len + 1), dtype=np.int64)
        np.cumsum(self.shape_words, axis=1, out=before[:, 1:])
        return before

    @cached_property
    def _fold_before(self):
        """The words of the folds before fold f, for f = 0 .. folds."""
        return np.concatenate([[0], np.cumsum(self._shape_before[self.fold_shapes, -1])])

    @property
    def total(self):
        return int(self._fold_before[-1])

    def before(self, row):
        """The words of the rows before `row` (0 .. num_rows)."""
        fold, offset = divmod(row, self.fold_len)
        if fold == len(self.fold_shapes):
            return self.total
        return int(self._fold_before[fold] + self._shape_before[self.fold_shapes[fold], offset])

    def row_of_word(self, word):
        """The row that writes word number `word` (words are numbered from 1)."""
        fold = int(np.searchsorted(self._fold_before, word)) - 1
        within = word - self._fold_before[fold]
        return fold * self.fold_len + int(np.searchsorted(self._shape_before[self.fold_shapes[fold]], within)) - 1

    def writing_rows(self):
        """The first and the last row that write a word."""
        return self.row_of_word(1), self.row_of_word(self.total)


@dataclass(frozen=True)
class RowCycles:
    """The cycle of each demand row, `row + the stall before it`, looked up like an array (an int,
    negative ones too, or an integer array of rows); kept per stalled row, not per row. With
    `waited_until`, the OFMAP cycles: a stalled row's write ends at the cycle it waited until."""

    num_rows: int
    stalled_rows: np.ndarray  # int64, increasing
    stall_before: np.ndarray  # stall of the rows after the first k stalled rows, k = 0 .. stalled rows
    waited_until: np.ndarray = None  # per stalled row

    def __len__(self):
        return self.num_rows

    def __getitem__(self, rows):
        scalar = np.ndim(rows) == 0
        rows = np.asarray(rows, dtype=np.int64)
        if scalar and rows < 0:
            rows = rows + self.num_rows
        cycles = self._cycles(rows)
        return int(cycles) if scalar else cycles

    def _cycles(self, rows):
        if rows.size == 0:
            return rows.copy()
        low, high = np.searchsorted(self.stalled_rows, [rows.min(), rows.max()])
        if low == high and (self.waited_until is None or high == len(self.stalled_rows)
                            or self.stalled_rows[high] != rows.max()):
            return rows + self.stall_before[low]  # no stalled row among them: one stall for all
        before = np.searchsorted(self.stalled_rows, rows)  # stalled rows before each row
        cycles = rows + self.stall_before[before]
        if self.waited_until is not None:
            at = np.minimum(before, len(self.stalled_rows) - 1)
            cycles = np.where(self.stalled_rows[at] == rows, self.waited_until[at], cycles)
        return cycles


@dataclass(frozen=True)
class DrainPlan:
    row_words: RowWords  # OFMAP addresses written by each demand row
    row_cycles: RowCycles  # cycle t of each demand row (IFMAP/FILTER SRAM trace cycle = t + 1)
    ofmap_cycles: RowCycles  # OFMAP SRAM trace cycle of each demand row
    stall_cycles: int
    line_ends: np.ndarray  # end offset of each DRAM line in the OFMAP address stream
    line_cycles: np.ndarray  # drain cycle of each DRAM line
    line_width: int
    dram_writes: int

    @property
    def line_lengths(self):
        return np.diff(self.line_ends, prepend=0)


class _Lines:
    """DRAM lines cut from the word stream, and the drains that empty them."""

    def __init__(self, num_words, width, lines_per_drain):
        # Full lines plus at most one forced partial line per drain; grown on demand.
        capacity = num_words // width + num_words // (width * lines_per_drain) + 1024
        self.ends = np.empty(capacity, dtype=np.int64)
        self.cycles = np.empty_like(self.ends)
        self.count = 0
        self.drained = 0
        self.packed_to = 0  # words already packed into lines
        self.width = width
        self.lines_per_drain = lines_per_drain

    def pack(self, words):
        """Pack words up to `words` into full lines; a partial rest is forced out as a short line."""
        ends = np.arange(self.packed_to + self.width, words + 1, self.width)
        if (words - self.packed_to) % self.width:
            ends = np.append(ends, words)
        if self.count + len(ends) > len(self.ends):
            capacity = (self.count + len(ends)) * 5 // 4
            self.ends = np.resize(self.ends, capacity)
            self.cycles = np.resize(self.cycles, capacity)
        self.ends[self.count:self.count + len(ends)] = ends
        self.count += len(ends)
        self.packed_to = words

    def drain(self, start):
        """Drain the next chunk of lines, one per cycle from `start`. Returns (words credited, last
        cycle). Only the last line's padding is subtracted: partial lines inside a chunk count as
        full (SCALE-Sim's over-count)."""
        first, stop = self.drained, min(self.drained + self.lines_per_drain, self.count)
        last_line_start = self.ends[stop - 2] if stop >= 2 else 0
        words = (stop - first - 1) * self.width + int(self.ends[stop - 1] - last_line_start)
        self.cycles[first:stop] = np.arange(start, start + stop - first)
        self.drained = stop
        return words, start + stop - first - 1


class _RowClock:
    """Cycle of each demand row: `row + stall`, where a stalled row ends later than it started."""

    def __init__(self):
        self.stall_before = 0  # stall accumulated before the stalled row (or before all rows)
        self.stalled_row = -1
        self.stalled_until = 0
        self.stalled_rows = []  # (row, its OFMAP cycle), in row order

    @property
    def stall_after(self):
        """Stall of rows after the last stalled row. SCALE-Sim 2.0.2 counts one cycle less than
        the delay (`t_of - t - 1`)."""
        if self.stalled_row < 0:
            return self.stall_before
        start = self.stalled_row + self.stall_before
        return self.stall_before + max(0, self.stalled_until - start - 1)

    def cycle(self, row):
        """The write buffer's current cycle for a word of `row` (no earlier row than the stalled one)."""
        return self.stalled_until if row == self.stalled_row else row + self.stall_after

    def stall(self, row, until):
        if row != self.stalled_row:
            self._close_stalled_row()
            self.stalled_row = row
        self.stalled_until = until

    def _close_stalled_row(self):
        if self.stalled_row >= 0:
            self.stalled_rows.append((self.stalled_row, self.stalled_until))
            self.stall_before = self.stall_after
            self.stalled_row = -1

    def row_cycles(self, num_rows):
        """(row cycles, OFMAP cycles) of all rows as RowCycles, and the total stall."""
        self._close_stalled_row()
        stalled = np.array([row for row, _ in self.stalled_rows], dtype=np.int64)
        waited_until = np.array([until for _, until in self.stalled_rows], dtype=np.int64)
        stall_before = [0]
        for row, until in self.stalled_rows:
            stall_before.append(stall_before[-1] + max(0, until - (row + stall_before[-1]) - 1))
        stall_before = np.array(stall_before, dtype=np.int64)
        return (RowCycles(num_rows, stalled, stall_before), RowCycles(num_rows, stalled, stall_before, waited_until),
                int(stall_before[-1]))


def plan_drains(row_words, ofmap_sram_kb, line_width):
    """DrainPlan for the OFMAP demand rows, given the number of addresses in each (RowWords)."""
    total = ofmap_sram_kb * 1024
    active = ceil_div(total, 2)  # ceil(total * 0.5)
    num_rows = row_words.num_rows
    num_words = row_words.total
    row_of_word = row_words.row_of_word

    lines = _Lines(num_words, line_width, ceil_div(total - active, line_width))
    clock = _RowClock()
    credited = dram_writes = done = drain_end = 0
    while True:
        # Words are numbered from 1. A drain starts at the first word that leaves fewer than
        # `active` free words at a cycle no earlier than the end of the running drain.
        first_over_capacity = total - active + credited + 1
        first_full = total + credited  # the word that leaves no free word
        if (clock.stalled_row >= 0 and clock.stalled_until >= drain_end
                and row_words.before(clock.stalled_row + 1) > done):
            first_in_time = done + 1
        else:
            row = min(max(drain_end - clock.stall_after, clock.stalled_row + 1, 0), num_rows)
            first_in_time = row_words.before(row) + 1
        trigger = max(first_over_capacity, first_in_time, done + 1)
        stall_word = max(first_full, done + 1)
        if stall_word < trigger and stall_word <= num_words:
            # Buffer full while a drain runs: the write waits until the drain ends.
            clock.stall(row_of_word(stall_word), drain_end)
            done = stall_word
            continue
        if trigger > num_words:
            break
        start = clock.cycle(row_of_word(trigger))
        lines.pack(trigger)
        words, drain_end = lines.drain(start)
        credited += words
        dram_writes += words
        done = trigger
    row_cycles, ofmap_cycles, stall = clock.row_cycles(num_rows)
    # Final flush: from the last row's cycle, without waiting for a running drain.
    lines.pack(num_words)
    start = ofmap_cycles[-1]
    while lines.drained < lines.count:
        words, last = lines.drain(start)
        dram_writes += words
        start = last + 1
    return DrainPlan(row_words, row_cycles, ofmap_cycles, stall,
                     lines.ends[:lines.count], lines.cycles[:lines.count], line_width, dram_writes)


def dram_trace_blocks(plan, address_chunks):
    """OFMAP DRAM trace as int64 blocks of whole lines: drain cycle, then the line's addresses padded
    with -1. `address_chunks`: the OFMAP address stream in chunks (a line may straddle two)."""
    carried = np.empty(0, dtype=np.int64)
    words = first_line = 0  # words before `carried`; the line it starts
    for chunk in address_chunks:
        carried = np.concatenate((carried, chunk))
        stop_line = int(np.searchsorted(plan.line_ends, words + len(carried), side="right"))
        ends = plan.line_ends[first_line:stop_line] - words
        lengths = np.diff(ends, prepend=0)
        matrix = np.full((len(lengths), 1 + plan.line_width), -1, dtype=np.int64)
        matrix[:, 0] = plan.line_cycles[first_line:stop_line]
        line_of_word = np.repeat(np.arange(len(lengths)), lengths)
        column_of_word = np.arange(len(line_of_word)) - np.repeat(ends - lengths, lengths)
        matrix[line_of_word, 1 + column_of_word] = carried[:len(line_of_word)]
        yield matrix
        carried = carried[len(line_of_word):]
        words += len(line_of_word)
        first_line = stop_line
