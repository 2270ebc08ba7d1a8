"""How `LifetimeBuilder` finds a read's interval: a per-address table with a short walk back over
later writes (dense addresses), a binary search after WALK_STEPS steps, and a plain binary search
when the written addresses are too sparse for a table. Every path must give the same, hand-worked,
answer."""

import numpy as np
import pytest

from gainflow.lifetimes import WALK_STEPS, LifetimeBuilder

# Far enough apart that the per-address table is skipped (span > 4 * writes + 2**16).
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


# Address 1 written six times (more than WALK_STEPS later writes to walk over for the early reads),
# at cycles 10, 20, ..., 60. Reads (in reverse cycle order): 65 -> write 60, lifetime 5; 55 -> 50;
# 45 -> 40; 35 -> 30; 25 -> 20; 15 -> write 10, lifetime 5 (five later writes: found by the binary
# search after the walk); 5 -> before the first write: unfilled. All six intervals: lifetime 5, 1 read.
MANY_WRITES = [(cycle, 1) for cycle in (10, 20, 30, 40, 50, 60)]
MANY_READS = [(65, 1), (55, 1), (45, 1), (35, 1), (25, 1), (15, 1), (5, 1)]


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_an_address_written_more_often_than_the_walk_steps(scale):
    assert WALK_STEPS < 5
    expected = [(scale, cycle, 5, 1) for cycle in (10, 20, 30, 40, 50, 60)]
    assert summary(build(MANY_WRITES, MANY_READS, scale)) == (expected, 0, 1, 1)


def test_the_sparse_case_has_no_table_and_the_dense_case_has_one():
    assert build(MANY_WRITES + [(0, 0)], [], SPARSE).last_slot_per_address is None
    # Addresses 0 and 1 (seven writes, sorted by key: address 0 then address 1's six writes in
    # slots 1..7): the last slot at or below address 0 is 1, at or below address 1 is 7.
    assert build(MANY_WRITES + [(0, 0)], []).last_slot_per_address.tolist() == [1, 7]


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_reads_of_unwritten_or_not_yet_written_addresses_between_written_ones(scale):
    # Writes: address 0 at cycle 0; address 2 at cycle 50. Reads: address 1 at cycle 5 (never
    # written, inside the written span: its table entry points at address 0's write) -> unfilled;
    # address 2 at cycle 10 (before its write; the walk steps back onto address 0's write) -> unfilled;
    # address 2 at 70 -> write 50, lifetime 20; address 0 at 3 -> write 0, lifetime 3.
    # Footprint: addresses 0, 1, 2.
    writes = [(0, 0), (50, 2)]
    reads = [(5, 1), (10, 2), (70, 2), (3, 0)]
    expected = [(0, 0, 3, 1), (2 * scale, 50, 20, 1)]
    assert summary(build(writes, reads, scale)) == (expected, 0, 2, 3)


@pytest.mark.parametrize("scale", [1, SPARSE])
def test_equal_cycles_put_the_write_first_on_every_path(scale):
    # Address 3 written at 4 and 8; reads at 4 and 8 belong to the write of the same cycle:
    # two intervals, lifetime 0 each.
    expected = [(3 * scale, 4, 0, 1), (3 * scale, 8, 0, 1)]
    assert summary(build([(4, 3), (8, 3)], [(8, 3), (4, 3)], scale)) == (expected, 0, 0, 1)
