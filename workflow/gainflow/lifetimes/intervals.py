"""Access events of one buffer in one layer -> lifetime intervals and counts.

The definition (for users: docs/lifetimes.md):

- Per address, events are ordered by cycle; at equal cycles writes come before reads.
- Each write opens an *interval* that ends at the next write to the same address, or
  at the end of the layer (all later events of the layer).
- The interval's *lifetime* = cycle of the last read inside it - the write cycle
  (an integer, 0 allowed). An interval without reads is a *dead write*: counted, no
  lifetime. Two writes at the same cycle: the first one is a dead write.
- The interval's *lifetime from the first read* = cycle of the last read inside it -
  cycle of its first read (0 allowed): how long the data is in use, without the time
  between the fill and the first use (a prefetcher's run-ahead).
- Reads of an address before its first write (or of an address never written) are
  *unfilled reads*: counted, no lifetime.
- `unique_addresses` counts the distinct addresses with any event (the footprint).

Algorithm: the writes are sorted by (address, cycle) once; every read is assigned to
the last write with the same address and a cycle <= its own (a binary search over
packed (address, cycle) keys; where the written addresses are dense, a table gives each
address's last write, and most reads are found by a short walk back from it: a compiled
loop, `gainflow._kernels.assign_reads`, which also keeps each interval's first and last
read). Reads can therefore arrive in any order and in blocks (`LifetimeBuilder.add_reads`),
so a CSV trace is processed in bounded memory: state is a few integers per write.

`gainflow lifetimes` takes this path (`compute_lifetimes`, `lifetimes_from_trace_dir`); the
workflow's lifetime jobs take `gainflow.lifetimes.stream` instead, in memory bounded by the
footprint, whose intervals give the same tables (`gainflow.lifetimes.interval_runs`).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gainflow import kernels
from gainflow.events import BufferEvents
from gainflow.files import layout

READ_BLOCK = 1 << 20  # reads processed per step on the simulator path (bounds temporaries, stays in cache)
# Below every packed key (keys are >= 0), and its address field (-1) matches none.
_BEFORE_ALL_KEYS = -1


class KeyRangeError(ValueError):
    """Addresses and cycles too far apart to pack into one 62-bit key (no simulated layer comes near;
    a trace file can hold any integers)."""


@dataclass(frozen=True)
class BufferLifetimes:
    """Lifetime intervals of one buffer in one layer.

    The arrays describe the intervals WITH a lifetime, ordered by address, then
    write cycle; `interval_reads` = number of reads inside each interval;
    `first_read_cycle` = the cycle of each interval's first read."""

    subdivision: str
    address: np.ndarray
    write_cycle: np.ndarray
    lifetime: np.ndarray
    interval_reads: np.ndarray
    first_read_cycle: np.ndarray
    reads: int
    writes: int
    dead_writes: int
    unfilled_reads: int
    unique_addresses: int

    @property
    def lifetime_from_first_read(self):
        """Per interval: last read - first read (cycles)."""
        return self.write_cycle + self.lifetime - self.first_read_cycle


class LifetimeBuilder:
    """Collects one buffer's writes (all at once) and reads (in any number of blocks)."""

    def __init__(self, subdivision, write_cycles, write_addresses):
        address = np.asarray(write_addresses, np.int64)
        cycle = np.asarray(write_cycles, np.int64)
        self.subdivision = subdivision
        self.keys = _KeyPacking(address, cycle) if len(address) else None
        # Slot 0 stands before every write, so a search result is a slot, never -1; slot i + 1
        # is the i-th write in key order. The per-slot state starts at slot 1.
        self.slot_keys = np.empty(len(address) + 1, np.int64)
        self.slot_keys[0] = _BEFORE_ALL_KEYS
        self.slots_by_address = self._sort_writes(address, cycle)
        self.interval_reads = np.zeros(len(self.slot_keys), np.int64)
        self.first_read_key = np.full(len(self.slot_keys), _BEFORE_ALL_KEYS, np.int64)  # set by a slot's first read
        self.last_read_key = np.full(len(self.slot_keys), _BEFORE_ALL_KEYS, np.int64)
        self.reads = 0
        self.unfilled_reads = 0
        self.unfilled_addresses = np.empty(0, np.int64)

    def add_reads(self, read_cycles, read_addresses):
        address = np.asarray(read_addresses, np.int64)
        cycle = np.asarray(read_cycles, np.int64)
        self.reads += len(address)
        if self.keys is None:  # nothing written: every read is unfilled
            self._add_unfilled(address)
            return
        address, cycle, outside = self._split_by_key_range(address, cycle)
        keys = self.keys.pack(address, cycle)
        # The interval of a read: the last write at or before it in (address, cycle) order, if that
        # write has the read's address (equal keys: the write comes first). The compiled loop counts
        # the read into its interval and keeps the interval's smallest and largest read keys, its
        # first and last reads.
        unfilled = np.empty(len(keys), dtype=np.uint8)
        kernels.assign_reads(self.slot_keys, self.slots_by_address, self.keys.cycle_bits, keys,
                             self.interval_reads, self.first_read_key, self.last_read_key, unfilled)
        if unfilled.any():
            outside = np.concatenate((address[unfilled.view(bool)], outside))
        self._add_unfilled(outside)

    def _sort_writes(self, address, cycle):
        """Puts the writes' keys in order into slots 1.. and returns the slots by address: entry i is
        the slot of the last write at or below address base + i (the reads' search starts there and
        walks back over the address's later writes). Where the written addresses are dense, a
        counting sort by address gives both at once (a write stream is in cycle order, so bucketing it
        by address leaves it in key order); where they are too sparse for such a table, the keys are
        sorted and the table is empty (the reads are then binary-searched)."""
        if self.keys is None:
            return np.empty(0, np.int64)
        keys = self.keys.pack(address, cycle)
        if self.keys.address_span > 4 * len(keys) + (1 << 16):
            self.slot_keys[1:] = np.sort(keys)
            return np.empty(0, np.int64)
        table = np.empty(self.keys.address_span + 1, np.int64)
        if not kernels.bucket_by_address(keys, self.keys.cycle_bits, table, self.slot_keys[1:]):
            self.slot_keys[1:].sort()  # some address's writes were out of cycle order
        return table

    def _split_by_key_range(self, address, cycle):
        """(addresses, cycles) of the reads that have a key, and the addresses of the others:
        outside the written span or before the first write, hence unfilled."""
        if self.keys.holds_all(address, cycle):
            return address, cycle, address[:0]
        inside = self.keys.holds(address, cycle)
        return address[inside], cycle[inside], address[~inside]

    def _add_unfilled(self, addresses):
        self.unfilled_reads += len(addresses)
        self.unfilled_addresses = distinct_sorted(np.sort(np.concatenate((self.unfilled_addresses, addresses))))

    def finish(self):
        writes = len(self.slot_keys) - 1
        address, write_cycle, lifetime, interval_reads, first_read_cycle, written = (
            np.empty(writes, np.int64) for _ in range(6))
        live = distinct = 0
        if self.keys is not None:
            live, distinct = kernels.collect_intervals(
                self.slot_keys, self.interval_reads, self.first_read_key, self.last_read_key, self.keys.cycle_bits,
                self.keys.address_base, self.keys.cycle_base, address, write_cycle, lifetime, interval_reads,
                first_read_cycle, written)
        # Footprint: the written addresses plus the unfilled-read addresses never written.
        never_written = np.count_nonzero(~np.isin(self.unfilled_addresses, written[:distinct], assume_unique=True))
        return BufferLifetimes(
            subdivision=self.subdivision,
            address=address[:live],
            write_cycle=write_cycle[:live],
            lifetime=lifetime[:live],
            interval_reads=interval_reads[:live],
            first_read_cycle=first_read_cycle[:live],
            reads=self.reads,
            writes=writes,
            dead_writes=writes - live,
            unfilled_reads=self.unfilled_reads,
            unique_addresses=distinct + never_written,
        )


class _KeyPacking:
    """(address, cycle) <-> one int64 key whose order is (address, cycle) order.

    Fixed by the writes: addresses between the smallest and largest written address in the
    high bits, cycles from the first write on in the low bits (all bits the addresses leave)."""

    def __init__(self, address, cycle):
        self.address_base = int(address.min())
        self.cycle_base = int(cycle.min())
        address_span = int(address.max()) - self.address_base
        self.cycle_bits = 62 - address_span.bit_length()
        cycle_span = int(cycle.max()) - self.cycle_base
        if cycle_span.bit_length() > self.cycle_bits - 1:
            raise KeyRangeError(f"address span {address_span} and cycle span {cycle_span} do not fit one 62-bit key")
        self.address_span = address_span

    def holds_all(self, address, cycle):
        """Whether every pair has a key (checked by extremes: the usual case, and cheap)."""
        if len(cycle) == 0:
            return True
        # Reads before the first write (a negative offset) have no key but are no overflow: unfilled.
        if int(cycle.max()) - self.cycle_base >= 1 << self.cycle_bits:
            raise KeyRangeError(f"a read at cycle {int(cycle.max())} is too far after the first write to pack")
        return (int(address.min()) >= self.address_base and int(address.max()) - self.address_base <= self.address_span
                and int(cycle.min()) >= self.cycle_base)

    def holds(self, address, cycle):
        """Which (address, cycle) pairs have a key."""
        relative = address - self.address_base
        return (relative >= 0) & (relative <= self.address_span) & (cycle >= self.cycle_base)

    def pack(self, address, cycle):
        return ((address - self.address_base) << self.cycle_bits) | (cycle - self.cycle_base)


def distinct_sorted(values):
    """The distinct values of a sorted array (np.unique hashes, which is far slower here)."""
    if len(values) == 0:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def compute_lifetimes(events: BufferEvents, read_block=READ_BLOCK):
    """`BufferEvents` -> `BufferLifetimes` (reads taken `read_block` at a time)."""
    builder = LifetimeBuilder(events.subdivision, events.write_cycles, events.write_addresses)
    for start in range(0, len(events.read_cycles), read_block):
        stop = start + read_block
        builder.add_reads(events.read_cycles[start:stop], events.read_addresses[start:stop])
    return builder.finish()


def lifetimes_from_trace_dir(layer_dir, subdivision, offsets):
    """One buffer of one SCALE-Sim `layer<i>/` folder -> `BufferLifetimes` (streamed)."""
    from gainflow.errors import InputError
    from gainflow.events import scalesim_traces as traces_reader

    writes_file, reads_file = (Path(layer_dir) / name for name in traces_reader.TRACE_FILES[subdivision])
    try:
        builder = LifetimeBuilder(subdivision, *traces_reader.read_writes(layer_dir, subdivision, offsets))
    except KeyRangeError as error:
        raise InputError(f"{error}: not a trace of a layer", path=writes_file) from None
    for read_cycles, read_addresses in traces_reader.iter_reads(layer_dir, subdivision, offsets):
        try:
            builder.add_reads(read_cycles, read_addresses)
        except KeyRangeError as error:
            raise InputError(f"{error}: not a trace of a layer", path=reads_file) from None
    return builder.finish()


def layer_total_cycles(run_dir, layer_index):
    """Total Cycles of one layer from a SCALE-Sim run directory's COMPUTE_REPORT.csv."""
    from gainflow.errors import InputError
    from gainflow.events import scalesim_traces as traces_reader

    total_cycles = traces_reader.read_total_cycles(run_dir)
    if layer_index not in total_cycles:
        raise InputError(f"no row for LayerID {layer_index}", path=Path(run_dir) / layout.COMPUTE_REPORT)
    return total_cycles[layer_index]
