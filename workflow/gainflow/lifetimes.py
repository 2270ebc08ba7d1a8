"""Access events of one buffer in one layer -> lifetime intervals and counts.

The definition (issue 4; also in README, "Data lifetimes"):

- Per address, events are ordered by cycle; at equal cycles writes come before reads.
- Each write opens an *interval* that ends at the next write to the same address, or
  at the end of the layer (all later events of the layer).
- The interval's *lifetime* = cycle of the last read inside it - the write cycle
  (an integer, 0 allowed). An interval without reads is a *dead write*: counted, no
  lifetime. Two writes at the same cycle: the first one is a dead write.
- Reads of an address before its first write (or of an address never written) are
  *unfilled reads*: counted, no lifetime.
- `unique_addresses` counts the distinct addresses with any event (the footprint).

Algorithm: the writes are sorted by (address, cycle) once; every read is assigned to
the last write with the same address and a cycle <= its own (a binary search over
packed (address, cycle) keys; where the written addresses are dense, a table gives each
address's last write, and most reads are found by a short walk back from it). Reads can
therefore arrive in any order and in blocks (`LifetimeBuilder.add_reads`), so a CSV trace
is processed in bounded memory: state is a few integers per write.

Library functions for the workflow (one job per (layer, subdivision), then one per layer):

- `pair_from_simulator(layer, hw, subdivision) -> (BufferLifetimes, total_cycles)` and
  `pair_from_trace_dir(run_dir, layer_index, subdivision, offsets)` compute one pair;
- `save_pair(path, lifetimes, total_cycles)` writes the compact intermediate `.npz`
  (atomically, byte-identical for equal inputs), `load_pair(path)` reads it back;
- `gainflow.layer_files.merge_layer_pairs(pair_paths, layer_dir, layer_index)` turns
  a layer's three `.npz` files into GainSight's three files.
"""

import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from gainflow.atomic import atomic_file
from gainflow.events import BufferEvents

READ_BLOCK = 1 << 20  # reads processed per step on the simulator path (bounds temporaries, stays in cache)
# Below every packed key (keys are >= 0), and its address field (-1) matches none.
_BEFORE_ALL_KEYS = -1


@dataclass(frozen=True)
class BufferLifetimes:
    """Lifetime intervals of one buffer in one layer.

    The arrays describe the intervals WITH a lifetime, ordered by address, then
    write cycle; `interval_reads` = number of reads inside each interval."""

    subdivision: str
    address: np.ndarray
    write_cycle: np.ndarray
    lifetime: np.ndarray
    interval_reads: np.ndarray
    reads: int
    writes: int
    dead_writes: int
    unfilled_reads: int
    unique_addresses: int


class LifetimeBuilder:
    """Collects one buffer's writes (all at once) and reads (in any number of blocks)."""

    def __init__(self, subdivision, write_cycles, write_addresses):
        address = np.asarray(write_addresses, np.int64)
        cycle = np.asarray(write_cycles, np.int64)
        self.subdivision = subdivision
        self.keys = _KeyPacking(address, cycle) if len(address) else None
        sorted_keys = np.sort(self.keys.pack(address, cycle)) if self.keys else np.empty(0, np.int64)
        # Slot 0 stands before every write, so a search result is a slot, never -1; slot i + 1
        # is the i-th write in key order. The per-slot state starts at slot 1.
        self.slot_keys = np.concatenate(([_BEFORE_ALL_KEYS], sorted_keys))
        self.slots_by_address = self._slots_by_address(sorted_keys)
        self.interval_reads = np.zeros(len(self.slot_keys), np.int64)
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
        # The interval of a read: the last write at or before it in (address, cycle) order,
        # if that write has the read's address. Equal keys: side="right" puts writes first.
        slot, keys = self._search(address, keys)
        filled = self.keys.same_address(self.slot_keys[slot], keys)
        if not filled.all():
            outside = np.concatenate((self.keys.address(keys[~filled]), outside))
            slot, keys = slot[filled], keys[filled]
        np.add.at(self.interval_reads, slot, 1)  # O(reads): bincount(minlength) would cost O(writes) per block
        # Within one interval (one address) the largest key is the last read.
        np.maximum.at(self.last_read_key, slot, keys)
        self._add_unfilled(outside)

    def _slots_by_address(self, sorted_keys):
        """Entry i: the slot of the last write at or below address base + i; None when the
        written addresses are too sparse for such a table."""
        if self.keys is None or self.keys.address_span > 4 * len(sorted_keys) + (1 << 16):
            return None
        return np.cumsum(np.bincount(self.keys.address_field(sorted_keys), minlength=self.keys.address_span + 1))

    def _search(self, address, keys):
        """(slots, keys): per read, in any order, the slot of the last write at or before it in key
        order (0: none).

        With the table, a read starts at the last write of its address and walks back over that
        address's later writes while each step settles at least half of the reads still walking
        (a buffer rewrites an address a few times at most); the rest are binary-searched, sorted
        first so the search walks forwards."""
        if self.slots_by_address is None:
            keys = np.sort(keys)
            return np.searchsorted(self.slot_keys, keys, side="right") - 1, keys
        slot = self.slots_by_address[address - self.keys.address_base]
        walking = np.flatnonzero(self.slot_keys[slot] > keys)
        while len(walking):
            slot[walking] -= 1
            still = walking[self.slot_keys[slot[walking]] > keys[walking]]
            if 2 * len(still) > len(walking):
                break
            walking = still
        else:
            return slot, keys
        searched = np.sort(keys[still])
        done = np.ones(len(keys), bool)
        done[still] = False
        return (np.concatenate((slot[done], np.searchsorted(self.slot_keys, searched, side="right") - 1)),
                np.concatenate((keys[done], searched)))

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
        write_keys = self.slot_keys[1:]
        if self.keys is None:
            address = cycle = last_read = write_keys
        else:
            address, cycle = self.keys.address(write_keys), self.keys.cycle(write_keys)
            last_read = self.keys.cycle(self.last_read_key[1:])
        interval_reads = self.interval_reads[1:]
        live = interval_reads > 0
        written = distinct_sorted(address)
        # Footprint: the written addresses plus the unfilled-read addresses never written.
        never_written = np.count_nonzero(~np.isin(self.unfilled_addresses, written, assume_unique=True))
        return BufferLifetimes(
            subdivision=self.subdivision,
            address=address[live],
            write_cycle=cycle[live],
            lifetime=last_read[live] - cycle[live],
            interval_reads=interval_reads[live],
            reads=self.reads,
            writes=len(address),
            dead_writes=int(np.count_nonzero(~live)),
            unfilled_reads=self.unfilled_reads,
            unique_addresses=len(written) + never_written,
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
            raise ValueError(f"address span {address_span} and cycle span {cycle_span} do not fit one 62-bit key")
        self.address_span = address_span

    def holds_all(self, address, cycle):
        """Whether every pair has a key (checked by extremes: the usual case, and cheap)."""
        if len(cycle) == 0:
            return True
        if (int(cycle.max()) - self.cycle_base) >> self.cycle_bits:
            raise ValueError(f"a read at cycle {int(cycle.max())} is too far after the first write to pack")
        return (int(address.min()) >= self.address_base and int(address.max()) - self.address_base <= self.address_span
                and int(cycle.min()) >= self.cycle_base)

    def holds(self, address, cycle):
        """Which (address, cycle) pairs have a key."""
        relative = address - self.address_base
        return (relative >= 0) & (relative <= self.address_span) & (cycle >= self.cycle_base)

    def pack(self, address, cycle):
        return ((address - self.address_base) << self.cycle_bits) | (cycle - self.cycle_base)

    def address_field(self, key):
        return key >> self.cycle_bits

    def same_address(self, key, other):
        """Whether two keys hold the same address (arithmetic shift: a negative key matches none)."""
        return ((key ^ other) >> self.cycle_bits) == 0

    def address(self, key):
        return self.address_field(key) + self.address_base

    def cycle(self, key):
        return (key & ((1 << self.cycle_bits) - 1)) + self.cycle_base


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
    from gainflow import traces_reader

    builder = LifetimeBuilder(subdivision, *traces_reader.read_writes(layer_dir, subdivision, offsets))
    for read_cycles, read_addresses in traces_reader.iter_reads(layer_dir, subdivision, offsets):
        builder.add_reads(read_cycles, read_addresses)
    return builder.finish()


def pair_from_trace_dir(run_dir, layer_index, subdivision, offsets):
    """(BufferLifetimes, Total Cycles) of one (layer, subdivision) of a SCALE-Sim run directory."""
    from gainflow import traces_reader
    from gainflow.errors import InputError

    run_dir = Path(run_dir)
    total_cycles = traces_reader.read_total_cycles(run_dir)
    if layer_index not in total_cycles:
        raise InputError(f"no row for LayerID {layer_index}", path=run_dir / "COMPUTE_REPORT.csv")
    lifetimes = lifetimes_from_trace_dir(run_dir / f"layer{layer_index}", subdivision, offsets)
    return lifetimes, total_cycles[layer_index]


def pair_from_simulator(layer, hw, subdivision):
    """(BufferLifetimes, Total Cycles) of one (layer, subdivision) from gainflow's simulator."""
    from gainflow.simulator import simulate_layer

    result = simulate_layer(layer, hw, events=(subdivision,))
    return compute_lifetimes(result.events[subdivision]), int(result.report.total_cycles)


_COUNT_FIELDS = ("reads", "writes", "dead_writes", "unfilled_reads", "unique_addresses")
_ARRAY_FIELDS = ("address", "write_cycle", "lifetime", "interval_reads")


def save_pair(path, lifetimes, total_cycles):
    """Write one (layer, subdivision) result as `.npz` (atomic; byte-identical for equal inputs)."""
    arrays = {name: np.asarray(getattr(lifetimes, name), np.int64) for name in _ARRAY_FIELDS}
    arrays.update({name: np.int64(getattr(lifetimes, name)) for name in _COUNT_FIELDS})
    arrays["total_cycles"] = np.int64(total_cycles)
    arrays["subdivision"] = np.array(lifetimes.subdivision)
    with atomic_file(path) as handle, zipfile.ZipFile(handle, "w") as archive:
        for name, value in arrays.items():
            # Fixed timestamps: np.savez would stamp the current time.
            with archive.open(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as member:
                np.lib.format.write_array(member, np.asarray(value), allow_pickle=False)


def load_pair(path):
    """(BufferLifetimes, total_cycles) from a file written by `save_pair`."""
    with np.load(path, allow_pickle=False) as data:
        values = {field.name: data[field.name] for field in fields(BufferLifetimes)}
        total_cycles = int(data["total_cycles"])
    values["subdivision"] = str(values["subdivision"])
    values.update({name: int(values[name]) for name in _COUNT_FIELDS})
    return BufferLifetimes(**values), total_cycles
