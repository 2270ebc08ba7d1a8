"""How `LifetimeBuilder` finds a read's interval (gainflow._kernels.assign_reads). Dense
addresses: a table gives each address's last write; a read before it walks back over that
address's writes, up to 8 steps, and is binary-searched beyond. Sparse addresses: a binary search
for every read. Every path must give the same, hand-worked, answer."""

import numpy as np
import pytest
from gainflow.lifetimes.intervals import LifetimeBuilder

# Far enough apart that the table is skipped (span > 4 * writes + 2**16).
SPARSE = 10**9


def build(writes, reads, address_scale=1):
    """writes/reads: (cycle, address) lists; reads are added in the order given, one block."""
    builder = LifetimeBuilder("ifmap", [c for c, _ in writes], [a * address_scale for _, a in writes])
    builder.add_reads(np.array([c for c, _ in reads], np.int64),
                      np.array([a * address_scale for _, a in reads], np.int64))
    return builder


def summary(builder):
    result = builder.finish()
    return (list(zip(result.address.tolist(), result.write_cycle.tolist(), result.lifetime.tolist(),
                     result.interval_reads.tolist())),
            result.dead_writes, result.unfilled_reads, result.unique_addresses)


# Address 1 written twelve times, at cycles 10, 20, ..., 120. Reads in reverse cycle order:
# 125 -> write 120 (table); 115 -> 110, ..., 45 -> 40 (1 to 8 steps back); 35 -> 30, 25 -> 20 and
# 15 -> 10 lie more than 8 steps back: binary-searched; 5 is before the first write: unfilled.
# All twelve intervals: lifetime 5, one read.
MANY_WRITES = [(cycle, 1) for cycle in range(10, 121, 10)]
MANY_READS = [(cycle + 5, 1) for cycle in range(120, -1, -10)]


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_reads_long_before_the_last_write_are_binary_searched(scale):
    expected = [(scale, cycle, 5, 1) for cycle in range(10, 121, 10)]
    assert summary(build(MANY_WRITES, MANY_READS, scale)) == (expected, 0, 1, 1)


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_reads_found_by_walking_back(scale):
    # Address 1 written at 10, 20, 30. Reads 35 -> write 30 (table); 25, 26, 15 are before it:
    # one step back (write 20) for 25 and 26, two (write 10) for 15.
    # Intervals: 10 -> read 15 (lifetime 5, 1 read); 20 -> reads 25, 26 (6, 2); 30 -> 35 (5, 1).
    builder = build([(10, 1), (20, 1), (30, 1)], [(35, 1), (25, 1), (26, 1), (15, 1)], scale)
    expected = [(scale, 10, 5, 1), (scale, 20, 6, 2), (scale, 30, 5, 1)]
    assert summary(builder) == (expected, 0, 0, 1)


def test_the_table_only_for_dense_addresses():
    assert build(MANY_WRITES + [(0, 0)], [], SPARSE).slots_by_address.size == 0
    # Addresses 0 and 1, thirteen writes in key order: address 0's in slot 1, address 1's in slots
    # 2..13. Entry i is the last write at or below address i: [1, 13].
    assert build(MANY_WRITES + [(0, 0)], []).slots_by_address.tolist() == [1, 13]


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_reads_of_unwritten_or_not_yet_written_addresses_between_written_ones(scale):
    # Writes: address 0 at cycle 0; address 2 at cycle 50. Reads: address 1 at cycle 5 (never
    # written, inside the written span: the table gives address 0's write) -> unfilled; address 2
    # at cycle 10 (before its write; one step back lands on address 0's write) -> unfilled;
    # address 2 at 70 -> write 50, lifetime 20; address 0 at 3 -> write 0, lifetime 3.
    # Footprint: addresses 0, 1, 2.
    writes = [(0, 0), (50, 2)]
    reads = [(5, 1), (10, 2), (70, 2), (3, 0)]
    expected = [(0, 0, 3, 1), (2 * scale, 50, 20, 1)]
    assert summary(build(writes, reads, scale)) == (expected, 0, 2, 3)


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_equal_cycles_put_the_write_first_on_every_path(scale):
    # Address 3 written at 4 and 8; reads at 8 and 4 belong to the write of the same cycle:
    # two intervals, lifetime 0 each.
    expected = [(3 * scale, 4, 0, 1), (3 * scale, 8, 0, 1)]
    assert summary(build([(4, 3), (8, 3)], [(8, 3), (4, 3)], scale)) == (expected, 0, 0, 1)


@pytest.mark.parametrize("writes", [
    [(1, 7), (2, 5), (3, 7), (4, 6), (5, 5)],  # in cycle order: bucketing by address orders them
    [(5, 5), (3, 7), (1, 7), (4, 6), (2, 5)],  # out of cycle order: bucketed, then sorted
], ids=["cycle order", "any order"])
def test_writes_end_up_in_address_then_cycle_order_with_their_table(writes):
    # Address 5 written at 2 and 5, 6 at 4, 7 at 1 and 3: relative to address 5, slots 1-2 hold
    # address 0, slot 3 address 1, slots 4-5 address 2.
    builder = build(writes, [(6, 5), (6, 7)])
    keys = builder.slot_keys[1:]
    assert [(key >> builder.keys.cycle_bits, (key & ((1 << builder.keys.cycle_bits) - 1)) + 1) for key in keys.tolist()] \
        == [(0, 2), (0, 5), (1, 4), (2, 1), (2, 3)]
    assert builder.slots_by_address.tolist() == [2, 3, 5]
    # Reads at 6: address 5's last write (5) and address 7's (3); the other writes are dead.
    assert summary(builder) == ([(5, 5, 1, 1), (7, 3, 3, 1)], 3, 0, 3)
