"""Streaming lifetimes: a buffer's writes and reads, chunk by chunk in cycle order -> its `BufferSummary`.

The same definition as `gainflow.lifetimes.intervals` (docs/lifetimes.md), the same counts and the
same three exact histograms as `summarize(compute_lifetimes(events))`, but the events are never held
whole: the two chunk streams are merged in cycle order (at equal cycles writes first) against one
state row per address (`gainflow._kernels.merge_events`): the open interval's write cycle, its first
and last read and its reads, `STATE_BYTES_PER_ADDRESS` (16) bytes. Memory is therefore
STATE_BYTES_PER_ADDRESS x footprint (the distinct addresses) + a chunk of each stream + a block of
closed intervals (`OUTPUT_BLOCK`, 3 MB) + the histograms (48 bytes per distinct value at most), whatever
the number of events. For the per-interval tables, an `intervals` sink takes every closed interval
as well, block by block (address, write cycle, lifetime, reads, first read), in the order they close:
`gainflow.lifetimes.interval_runs.IntervalSpill` puts them in address order on disk.

- Rows are narrow: four uint32, the cycles as offsets from the first write's cycle. An event beyond
  their reach (a cycle more than about 2**32 after the first write, an interval's 2**32nd read) makes
  them wide (four uint64, `WIDE_STATE_BYTES_PER_ADDRESS` bytes, the same values) before it is merged,
  so the result is exact in every case; a layer whose cycles are known to span more than
  `NARROW_CYCLE_SPAN` starts wide (`summary_from_simulator`).

- A write closes its address's open interval (a dead write if it had no reads) and opens one; a read
  of an address never written is an unfilled read; at the end of the layer the open intervals close.
- Closed intervals are counted into the histograms block by block, exact integers, each histogram a
  hash table of distinct values (`gainflow._kernels.histogram_add`), sorted at the end.
- Order: writes must come in cycle order; a read may come late (after events of later cycles: the
  OFMAP's final flush may start before a running drain ends) as long as its address has not been
  written again since its cycle: first and last reads are a min and a max. Anything else raises
  `EventOrderError` (from CSV traces: an InputError naming the file, "events not in cycle order").
- Addresses: the simulator gives its operand's address range, a dense table from the start. CSV
  traces can hold any addresses: the table grows with the range seen (amortised), and where that
  range is far wider than the addresses seen, the addresses go through a hash table to dense slots
  (`gainflow._kernels.address_slots`), so memory stays O(footprint) for sparse traces too.
"""

from pathlib import Path

import numpy as np

from gainflow import kernels
from gainflow.lifetimes.histogram import HISTOGRAM_NAMES, BufferSummary, LifetimeHistogram

STATE_FIELDS = 4  # open write cycle, first read, last read, reads (as in _kernels.c)
NARROW, WIDE = np.dtype(np.uint32), np.dtype(np.uint64)  # the rows' fields
STATE_BYTES_PER_ADDRESS = STATE_FIELDS * NARROW.itemsize
WIDE_STATE_BYTES_PER_ADDRESS = STATE_FIELDS * WIDE.itemsize
# Cycles after the first write that narrow rows hold (writes; reads two more): the write field keeps
# two values for addresses not yet seen and addresses with unfilled reads only (as in _kernels.c).
WRITTEN_AT = 2
NARROW_CYCLE_SPAN = int(np.iinfo(np.uint32).max) - WRITTEN_AT
# Closed intervals handed from the merge to the histograms at a time (4 arrays of 512 kB).
OUTPUT_BLOCK = 1 << 16
# A histogram's hash table: rows (value, intervals, reads) as in _kernels.c, from this many rows on.
HISTOGRAM_FIELDS, FIRST_HISTOGRAM_ROWS = 3, 1 << 10
ONE_INTERVAL_EACH = np.empty(0, np.int64)  # histogram_add's counts: one interval per value
UNSEEN = 0  # write field of an address without events (as in _kernels.c): fresh rows are zeros
EMPTY_KEY = np.iinfo(np.int64).min  # a free entry of a hash table (addresses, histograms; as in _kernels.c)
# A dense table may span up to 4 x the addresses seen plus this many slots (32 MB) before the
# addresses go through the hash table instead.
DENSE_SLACK = 1 << 20
# Statuses of merge_events (as in _kernels.c).
NEEDS_INPUT, OUTPUT_FULL, NEEDS_WIDER_STATE = 0, 1, 2
WRITE_BEFORE_FRONTIER, READ_OF_CLOSED_INTERVAL, CYCLE_OUT_OF_RANGE = -1, -2, -3
LAST_WRITE, DEAD_WRITES, UNFILLED_READS, BASE = range(4)  # counters (as in _kernels.c)
NO_WRITE_YET = np.iinfo(np.int64).min  # the last write's cycle before the first write


class EventOrderError(ValueError):
    """The events break the streaming order (or their cycles are too far apart to subtract);
    `stream` is "writes" or "reads": the stream holding the offending event, `index` its position
    in that stream (None when no single event is to blame)."""

    def __init__(self, message, stream, index=None):
        super().__init__(message)
        self.stream = stream
        self.index = index


def summarize_stream(subdivision, writes, reads, address_range=None, wide=False, intervals=None):
    """`BufferSummary` of one buffer from two iterables of (cycles, addresses) int64 chunks: its
    writes and its reads, each in cycle order. `address_range` = [lo, hi) of every address when
    known (the simulator's operand), else the table follows the addresses seen. `wide`: start with
    wide rows (the events are known to span more than NARROW_CYCLE_SPAN cycles); the result is the
    same either way. `intervals`: a sink (`add(address, write_cycle, lifetime, interval_reads,
    first_read_cycle)`, int64 arrays) that also gets every interval with a lifetime."""
    state = _AddressState(address_range, WIDE if wide else NARROW, keep_addresses=intervals is not None)
    return _Merge(subdivision, state, intervals).run(writes, reads)


class _Stream:
    """One side of the merge: the current chunk (cycles, addresses, slots) and the position in it."""

    def __init__(self, name, chunks):
        self.name = name
        self.chunks = iter(chunks)
        self.cycles = self.addresses = self.slots = np.empty(0, np.int64)
        self.position = 0
        self.start = 0  # index in the stream of the chunk's first event
        self.final = False  # no chunk left
        self.events = 0

    @property
    def consumed(self):
        return self.position == len(self.cycles)

    def refill(self, state):
        """The next non-empty chunk, once the current one is consumed."""
        while self.consumed and not self.final:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.final = True
                return
            cycles, addresses = (np.ascontiguousarray(values, np.int64) for values in chunk)
            self.cycles, self.addresses, self.position, self.start = cycles, addresses, 0, self.events
            self.events += len(cycles)
            self.slots = state.slots(addresses)

    def remap(self, state):
        """Slots again for the rest of the chunk (the state moved its rows)."""
        self.cycles, self.addresses = self.cycles[self.position:], self.addresses[self.position:]
        self.start += self.position
        self.position = 0
        self.slots = state.slots(self.addresses)


class _AddressState:
    """The per-address state rows, and addresses -> rows: `address - base` in a dense table, or a
    hash table's slots once the addresses are too sparse for one."""

    def __init__(self, address_range, fields=NARROW, keep_addresses=False):
        self.fixed = address_range is not None
        self.base = int(address_range[0]) if self.fixed else 0
        self.rows = _new_rows(int(address_range[1]) - self.base if self.fixed else 0, fields)
        self.hashed = None  # (keys, slots) of the hash table, once in use
        self.used = 0  # slots in use in the hash table
        self.moves = 0  # how often rows moved (the slots handed out before are stale)
        # Hashed, each slot's address (kept only where the intervals are handed out with theirs).
        self.keep_addresses = keep_addresses
        self.slot_addresses = np.empty(0, np.int64)

    def addresses_of(self, slots):
        """The addresses of state rows (slots as the merge handed them out since the last move)."""
        if self.hashed is None:
            return slots + np.int64(self.base)
        return self.slot_addresses[slots]

    @property
    def narrow(self):
        return self.rows.dtype == NARROW

    def widen(self):
        """Wide rows with the same values (same slots: no move)."""
        self.rows = self.rows.astype(WIDE)

    def slots(self, addresses):
        if self.hashed is None and len(addresses):
            low, high = int(addresses.min()), int(addresses.max()) + 1
            if low < self.base or high > self.base + len(self.rows):
                if self.fixed:
                    raise ValueError(f"address outside the given range [{self.base}, {self.base + len(self.rows)})")
                self._widen(low, high, len(addresses))
        if self.hashed is None:
            return addresses - np.int64(self.base)
        return self._hash_slots(addresses)

    def _widen(self, low, high, incoming):
        """Make the dense table cover [low, high) too, growing it at least by half (amortised), or
        switch to the hash table if the range is far wider than the addresses seen."""
        size = len(self.rows)
        if size:
            low, high = min(low, self.base), max(high, self.base + size)
        seen = int(np.count_nonzero(self.rows[:, 0] != UNSEEN))
        if high - low > 4 * (seen + incoming) + DENSE_SLACK:
            self._switch_to_hash(incoming)
            return
        if size:
            extra = size // 2
            low = max(min(low, self.base - extra), np.iinfo(np.int64).min + 2)
            high = min(max(high, self.base + size + extra), np.iinfo(np.int64).max)
        rows = _new_rows(high - low, self.rows.dtype)
        if size:
            rows[self.base - low:self.base - low + size] = self.rows
        self.rows, self.base = rows, low
        self.moves += 1

    def _switch_to_hash(self, incoming):
        seen = np.flatnonzero(self.rows[:, 0] != UNSEEN)
        self.rows = self.rows[seen]
        self.hashed = _new_table(len(seen) + min(incoming, len(seen)))
        addresses = seen + np.int64(self.base)
        self.used = kernels.address_slots(addresses, *self.hashed, 0, np.empty_like(seen))
        if self.keep_addresses:
            self.slot_addresses = addresses  # slot i is the i-th address seen, in ascending order
        self.moves += 1

    def _hash_slots(self, addresses):
        """Slots of the addresses, new ones numbered on; the table doubles whenever it is half full,
        so its size follows the addresses seen, not the chunk's length."""
        result = np.empty_like(addresses)
        start, used_before = 0, self.used
        while start < len(addresses):
            room = len(self.hashed[0]) // 2 - self.used
            if room == 0:
                self._double_table()
                continue
            stop = start + room
            self.used = kernels.address_slots(addresses[start:stop], *self.hashed, self.used, result[start:stop])
            start = stop
        if self.used > len(self.rows):
            rows = _new_rows(max(self.used, 2 * len(self.rows)), self.rows.dtype)
            rows[:len(self.rows)] = self.rows
            self.rows = rows
        if self.keep_addresses and self.used > used_before:
            self._note_new_slots(addresses, result, used_before)
        return result

    def _note_new_slots(self, addresses, slots, used_before):
        if self.used > len(self.slot_addresses):
            grown = np.empty(max(self.used, 2 * len(self.slot_addresses)), np.int64)
            grown[:len(self.slot_addresses)] = self.slot_addresses
            self.slot_addresses = grown
        new = slots >= used_before
        self.slot_addresses[slots[new]] = addresses[new]

    def _double_table(self):
        keys, slots = self.hashed
        occupied = keys != EMPTY_KEY
        in_slot_order = keys[occupied][np.argsort(slots[occupied])]
        self.hashed = _new_table(len(keys) // 2)
        kernels.address_slots(in_slot_order, *self.hashed, 0, np.empty_like(in_slot_order))


def _new_table(entries):
    """(keys, slots) of an empty hash table for at least `entries` addresses (at most half full)."""
    size = 1 << max(2 * entries, 2).bit_length()
    return np.full(size, EMPTY_KEY, np.int64), np.empty(size, np.int64)


def _new_rows(count, fields):
    """`count` rows of addresses not yet seen (zeros: pages of rows never touched take no memory)."""
    return np.zeros((count, STATE_FIELDS), fields)


class _Merge:
    """The merge of the two streams and the histograms of the intervals it closes."""

    def __init__(self, subdivision, state, intervals=None):
        self.subdivision = subdivision
        self.state = state
        self.intervals = intervals
        self.counters = np.array([NO_WRITE_YET, 0, 0, 0], np.int64)
        self.output = _output_block(OUTPUT_BLOCK)
        self.histograms = {name: _HistogramTable() for name in HISTOGRAM_NAMES}

    def run(self, write_chunks, read_chunks):
        writes, reads = _Stream("writes", write_chunks), _Stream("reads", read_chunks)
        emitted = 0
        while True:
            moves = self.state.moves
            writes.refill(self.state)
            reads.refill(self.state)
            if self.state.moves != moves:  # the other stream's slots are stale
                writes.remap(self.state)
                reads.remap(self.state)
            if writes.consumed and writes.final and reads.consumed and reads.final:
                break
            writes.position, reads.position, emitted, status = kernels.merge_events(
                writes.cycles, writes.slots, writes.position, writes.final, reads.cycles, reads.slots,
                reads.position, reads.final, self.state.rows, self.state.narrow, self.counters,
                *self.output.values(), emitted)
            # With a sink, every call's intervals leave at once: their slots go stale when the rows move.
            if status == OUTPUT_FULL or self.intervals is not None:
                self._reduce(emitted)
                emitted = 0
            if status == NEEDS_WIDER_STATE:
                self.state.widen()
            elif status < 0:
                raise self._order_error(status, writes, reads)
        self._reduce(emitted)
        unique_addresses = self._close_open_intervals()
        histograms = {name: table.histogram() for name, table in self.histograms.items()}
        return BufferSummary(self.subdivision, histograms, reads=reads.events, writes=writes.events,
                             dead_writes=int(self.counters[DEAD_WRITES]),
                             unfilled_reads=int(self.counters[UNFILLED_READS]), unique_addresses=unique_addresses)

    def _reduce(self, count):
        """The first `count` closed intervals of the output block into the histograms."""
        reads = self.output["reads"][:count]
        for name, table in self.histograms.items():
            table.add(self.output[name][:count], reads)
        if self.intervals is not None and count:
            write = self.output["write"][:count]
            self.intervals.add(self.state.addresses_of(self.output["slot"][:count]), write,
                               self.output["lifetime"][:count], reads, write + self.output["prefetch_slack"][:count])

    def _close_open_intervals(self):
        """The end of the layer closes every open interval; returns the distinct addresses seen."""
        row, seen, emitted = 0, 0, 0
        while row < len(self.state.rows):
            row, emitted, seen_now, status = kernels.close_open_intervals(
                self.state.rows, self.state.narrow, row, self.counters, *self.output.values(), emitted)
            seen += seen_now
            if status == CYCLE_OUT_OF_RANGE:
                raise EventOrderError("cycles too far apart to analyse: a lifetime beyond 2**63 cycles", "reads")
            self._reduce(emitted)
            emitted = 0
        return seen

    def _order_error(self, status, writes, reads):
        stream = writes if status in (WRITE_BEFORE_FRONTIER,) else reads
        if status == CYCLE_OUT_OF_RANGE:
            # The event the merge stopped at: the earlier head (a write when tied or alone).
            stream = writes if not writes.consumed and (reads.consumed or
                                                        writes.cycles[writes.position] <= reads.cycles[reads.position]) \
                else reads
        cycle, address = int(stream.cycles[stream.position]), int(stream.addresses[stream.position])
        slot = int(stream.slots[stream.position])
        if status == WRITE_BEFORE_FRONTIER:
            message = (f"events not in cycle order: a write at cycle {cycle} (address {address}) after a write at "
                       f"cycle {int(self.counters[LAST_WRITE])}")
        elif status == READ_OF_CLOSED_INTERVAL:
            message = (f"events not in cycle order: a read at cycle {cycle} (address {address}) after its address was "
                       f"written again at cycle {self._write_cycle(slot)}")
        else:
            message = f"cycles too far apart to analyse: an event at cycle {cycle} (address {address})"
        return EventOrderError(message, stream.name, stream.start + stream.position)

    def _write_cycle(self, slot):
        """The cycle of the open interval's write of a state row."""
        return int(self.counters[BASE]) + int(self.state.rows[slot, 0]) - WRITTEN_AT


class _HistogramTable:
    """A histogram being counted: distinct values -> intervals and their reads (exact int64), in a
    hash table that doubles whenever a new value would fill it beyond half."""

    def __init__(self):
        self.rows = _new_histogram_rows(FIRST_HISTOGRAM_ROWS)
        self.used = 0

    def add(self, values, reads, counts=ONE_INTERVAL_EACH):
        """Each value with its reads, and `counts` intervals (one each by default)."""
        position = 0
        while position < len(values):
            position, self.used = kernels.histogram_add(values, reads, counts, position, self.rows, self.used)
            if position < len(values):
                self._double()

    def histogram(self):
        """The `LifetimeHistogram`: the distinct values in ascending order."""
        rows = self._occupied()
        rows = rows[np.argsort(rows[:, 0])]
        return LifetimeHistogram(*(np.ascontiguousarray(rows[:, field]) for field in range(HISTOGRAM_FIELDS)))

    def _occupied(self):
        return self.rows[self.rows[:, 0] != EMPTY_KEY]

    def _double(self):
        occupied = self._occupied()
        self.rows, self.used = _new_histogram_rows(2 * len(self.rows)), 0
        values, intervals, reads = (np.ascontiguousarray(occupied[:, field]) for field in range(HISTOGRAM_FIELDS))
        self.add(values, reads, intervals)


def _new_histogram_rows(count):
    rows = np.zeros((count, HISTOGRAM_FIELDS), np.int64)
    rows[:, 0] = EMPTY_KEY
    return rows


def _output_block(size):
    """The arrays a merge fills with closed intervals, in the order merge_events takes them."""
    return {name: np.empty(size, np.int64) for name in (*HISTOGRAM_NAMES, "reads", "slot", "write")}


def summary_from_simulator(layer, hw, subdivision, intervals=None):
    """(BufferSummary, Total Cycles) of one (layer, subdivision) from gainflow's simulator, streamed
    (every interval also into the sink `intervals`, if given: see summarize_stream)."""
    from gainflow.simulator.layer import layer_event_chunks

    (writes, reads), address_range, total_cycles = layer_event_chunks(layer, hw, subdivision)
    # The events span at least the layer's cycles: where that is beyond narrow rows' reach, start wide
    # rather than widen on the way (both kinds of rows at once for a moment).
    wide = total_cycles > NARROW_CYCLE_SPAN
    return summarize_stream(subdivision, writes, reads, address_range, wide, intervals), total_cycles


def summary_from_trace_dir(run_dir, layer_index, subdivision, offsets, intervals=None):
    """(BufferSummary, Total Cycles) of one (layer, subdivision) of a SCALE-Sim run directory, streamed
    (every interval also into the sink `intervals`, if given)."""
    from gainflow.errors import InputError
    from gainflow.events import scalesim_traces as traces_reader
    from gainflow.files import layout
    from gainflow.lifetimes.intervals import layer_total_cycles

    total_cycles = layer_total_cycles(run_dir, layer_index)
    layer_dir = layout.layer_dir(Path(run_dir), layer_index)
    files = dict(zip(("writes", "reads"), (layer_dir / name for name in traces_reader.TRACE_FILES[subdivision])))
    writes = traces_reader.iter_writes(layer_dir, subdivision, offsets)
    reads = traces_reader.iter_reads(layer_dir, subdivision, offsets)
    try:
        return summarize_stream(subdivision, writes, reads, intervals=intervals), total_cycles
    except EventOrderError as error:
        path = files[error.stream]
        line = None if error.index is None else traces_reader.line_of_access(path, subdivision, offsets, error.index)
        raise InputError(str(error), path=path, line=line) from None
