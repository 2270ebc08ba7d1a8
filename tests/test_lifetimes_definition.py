"""The lifetime definition (docs/lifetimes.md), clause by clause, on hand-built event sets.

Every expected value is worked out by hand in the comments."""

import numpy as np
import pytest
from gainflow.events import BufferEvents
from gainflow.lifetimes.intervals import LifetimeBuilder, compute_lifetimes


def events(writes, reads, subdivision="ifmap"):
    """writes/reads: lists of (cycle, address)."""
    def columns(pairs):
        array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        return array[:, 0], array[:, 1]

    write_cycles, write_addresses = columns(writes)
    read_cycles, read_addresses = columns(reads)
    return BufferEvents(subdivision, write_cycles, write_addresses, read_cycles, read_addresses)


def intervals(result):
    """[(address, write_cycle, lifetime, reads in interval)] of the intervals with a lifetime."""
    return list(zip(result.address.tolist(), result.write_cycle.tolist(), result.lifetime.tolist(),
                    result.interval_reads.tolist()))


def from_first_read(result):
    """[(address, write_cycle, first_read_cycle, lifetime_from_first_read)] of the intervals with a lifetime."""
    return list(zip(result.address.tolist(), result.write_cycle.tolist(), result.first_read_cycle.tolist(),
                    result.lifetime_from_first_read.tolist()))


def test_lifetime_is_last_read_minus_write_even_from_a_negative_fill_cycle():
    # Fill at -3, reads at 5 and 9: lifetime 9 - (-3) = 12, two reads.
    result = compute_lifetimes(events([(-3, 7)], [(5, 7), (9, 7)]))
    assert intervals(result) == [(7, -3, 12, 2)]
    assert (result.reads, result.writes, result.dead_writes, result.unfilled_reads) == (2, 1, 0, 0)


def test_read_in_the_same_cycle_as_the_write_comes_after_it_lifetime_zero():
    # W and R both at cycle 4: the write is ordered first, so the read is inside its interval.
    result = compute_lifetimes(events([(4, 3)], [(4, 3)]))
    assert intervals(result) == [(3, 4, 0, 1)]
    assert result.unfilled_reads == 0


def test_read_in_the_cycle_of_a_rewrite_belongs_to_the_new_interval():
    # W@0, R@2, W@6, R@6: first interval ends at the rewrite -> lifetime 2; the read at 6 goes
    # to the second write (writes first at equal cycles) -> lifetime 0.
    result = compute_lifetimes(events([(0, 5), (6, 5)], [(2, 5), (6, 5)]))
    assert intervals(result) == [(5, 0, 2, 1), (5, 6, 0, 1)]


def test_rewrite_splits_intervals_and_lifetime_uses_the_last_read_before_the_next_write():
    # W@0, R@3, R@7, W@10, R@12: intervals [0,10) with last read 7 -> 7 (2 reads);
    # [10, end) with last read 12 -> 2 (1 read).
    result = compute_lifetimes(events([(0, 1), (10, 1)], [(3, 1), (7, 1), (12, 1)]))
    assert intervals(result) == [(1, 0, 7, 2), (1, 10, 2, 1)]
    assert result.dead_writes == 0


def test_write_without_read_before_the_next_write_is_a_dead_write():
    # W@1, W@4, R@6: the first interval [1, 4) holds no read -> dead; the second: 6 - 4 = 2.
    result = compute_lifetimes(events([(1, 9), (4, 9)], [(6, 9)]))
    assert intervals(result) == [(9, 4, 2, 1)]
    assert (result.writes, result.dead_writes) == (2, 1)


def test_two_writes_in_one_cycle_the_first_is_dead():
    # Both writes at cycle 2; the read at 2 follows both writes, so it is in the second interval.
    result = compute_lifetimes(events([(2, 4), (2, 4)], [(2, 4), (5, 4)]))
    assert intervals(result) == [(4, 2, 3, 2)]
    assert result.dead_writes == 1


def test_last_interval_runs_to_the_end_of_the_layer():
    # After the last write every later read of the address counts, however late (a drain after
    # the layer's Total Cycles included): 1000 - 50 = 950.
    result = compute_lifetimes(events([(50, 2)], [(60, 2), (400, 2), (1000, 2)]))
    assert intervals(result) == [(2, 50, 950, 3)]


def test_written_and_never_read_at_the_end_of_the_layer_is_dead():
    result = compute_lifetimes(events([(0, 8), (5, 8)], [(3, 8)]))
    assert intervals(result) == [(8, 0, 3, 1)]
    assert result.dead_writes == 1


def test_reads_before_the_first_write_and_of_unwritten_addresses_are_unfilled():
    # Address 6: R@1 comes before its fill at 3 (unfilled), then R@4 -> lifetime 1.
    # Address 11 is never written: both reads unfilled, but it is part of the footprint.
    result = compute_lifetimes(events([(3, 6)], [(1, 6), (4, 6), (2, 11), (9, 11)]))
    assert intervals(result) == [(6, 3, 1, 1)]
    assert (result.reads, result.unfilled_reads, result.unique_addresses) == (4, 3, 2)


def test_unfilled_read_of_a_lower_address_is_not_taken_by_the_previous_address_interval():
    # Address 3 is written at 0; address 4's read at 10 must not land in address 3's interval.
    result = compute_lifetimes(events([(0, 3), (20, 4)], [(5, 3), (10, 4), (25, 4)]))
    assert intervals(result) == [(3, 0, 5, 1), (4, 20, 5, 1)]
    assert result.unfilled_reads == 1


def test_footprint_counts_each_address_with_any_event_once():
    # Addresses 1 (written twice, read), 2 (written, never read), 3 (only read): 3 addresses.
    result = compute_lifetimes(events([(0, 1), (4, 1), (0, 2)], [(5, 1), (6, 3)]))
    assert result.unique_addresses == 3
    assert (result.writes, result.dead_writes, result.unfilled_reads) == (3, 2, 1)


def test_output_is_ordered_by_address_then_write_cycle_whatever_the_input_order():
    writes = [(9, 30), (1, 20), (5, 20), (0, 30)]
    reads = [(10, 30), (7, 20), (2, 20), (3, 30)]
    # 20: W@1 R@2 -> 1; W@5 R@7 -> 2.  30: W@0 R@3 -> 3; W@9 R@10 -> 1.
    result = compute_lifetimes(events(writes, reads))
    assert intervals(result) == [(20, 1, 1, 1), (20, 5, 2, 1), (30, 0, 3, 1), (30, 9, 1, 1)]


def test_reads_given_in_blocks_give_the_same_result_as_all_at_once():
    rng = np.random.default_rng(4)
    write_cycles = rng.integers(-50, 500, 300)
    write_addresses = rng.integers(100, 140, 300)
    read_cycles = rng.integers(-60, 700, 2000)
    read_addresses = rng.integers(95, 145, 2000)
    whole = compute_lifetimes(BufferEvents("filter", write_cycles, write_addresses, read_cycles, read_addresses))
    in_blocks = compute_lifetimes(
        BufferEvents("filter", write_cycles, write_addresses, read_cycles, read_addresses), read_block=7
    )
    assert intervals(whole) == intervals(in_blocks)
    assert from_first_read(whole) == from_first_read(in_blocks)
    assert (whole.reads, whole.dead_writes, whole.unfilled_reads, whole.unique_addresses) == (
        in_blocks.reads, in_blocks.dead_writes, in_blocks.unfilled_reads, in_blocks.unique_addresses)


def test_lifetime_from_first_read_is_last_read_minus_first_read():
    # Fill at -3, reads at 5 and 9: from the fill 12, from the first read 9 - 5 = 4.
    result = compute_lifetimes(events([(-3, 7)], [(9, 7), (5, 7)]))
    assert from_first_read(result) == [(7, -3, 5, 4)]


def test_first_read_ties_one_read_two_reads_in_one_cycle_and_a_read_in_the_write_cycle():
    # Address 1: W@2, one read @6 -> first read 6, lifetime from it 0 (from the fill 4).
    # Address 2: W@0, two reads @3 -> first read 3, 0 (from the fill 3).
    # Address 3: W@4, R@4 (the write comes first, so the read is inside), R@8 -> first read 4, 4.
    result = compute_lifetimes(events([(2, 1), (0, 2), (4, 3)], [(6, 1), (3, 2), (3, 2), (8, 3), (4, 3)]))
    assert from_first_read(result) == [(1, 2, 6, 0), (2, 0, 3, 0), (3, 4, 4, 4)]
    assert result.lifetime.tolist() == [4, 3, 4]


def test_first_read_of_each_interval_when_an_address_is_rewritten():
    # W@0, R@3, R@7, W@10, R@10, R@12, W@20, R@25, R@30: intervals [0,10): reads 3, 7 -> (3, 4);
    # [10,20): the read at 10 follows the rewrite -> (10, 2); [20, end): (25, 5).
    result = compute_lifetimes(events([(0, 1), (10, 1), (20, 1)],
                                      [(30, 1), (12, 1), (3, 1), (25, 1), (10, 1), (7, 1)]))
    assert from_first_read(result) == [(1, 0, 3, 4), (1, 10, 10, 2), (1, 20, 25, 5)]
    assert result.lifetime.tolist() == [7, 2, 10]


def test_first_read_skips_dead_writes_and_unfilled_reads():
    # Address 5: R@1 before the fill (unfilled), W@2 (dead: rewritten at 4 without a read), W@4,
    # R@9, R@6 -> one interval, first read 6, from it 3; from the fill 5.
    # Address 8: only reads (unfilled). Address 9: written, never read (dead).
    result = compute_lifetimes(events([(2, 5), (4, 5), (0, 9)], [(1, 5), (9, 5), (6, 5), (3, 8)]))
    assert from_first_read(result) == [(5, 4, 6, 3)]
    assert result.lifetime.tolist() == [5]
    assert (result.dead_writes, result.unfilled_reads) == (2, 2)


def test_first_read_with_reads_given_in_blocks_out_of_order():
    # W@0 at address 4; reads 50, 20, 80, 10 in blocks of one: first read 10, last 80 -> 70.
    builder = LifetimeBuilder("ofmap", np.array([0]), np.array([4]))
    for cycle in (50, 20, 80, 10):
        builder.add_reads(np.array([cycle]), np.array([4]))
    assert from_first_read(builder.finish()) == [(4, 0, 10, 70)]


@pytest.mark.parametrize("address_scale", [1, 10**9], ids=["dense", "sparse"])
def test_random_events_match_a_direct_per_address_walk(address_scale):
    # An independent, slow statement of the definition: per address, sort (cycle, write-first).
    # Sparse addresses take the binary search instead of the address table.
    rng = np.random.default_rng(11)
    writes = list(zip(rng.integers(-20, 200, 150).tolist(), (rng.integers(0, 25, 150) * address_scale).tolist()))
    reads = list(zip(rng.integers(-20, 260, 900).tolist(), (rng.integers(0, 30, 900) * address_scale).tolist()))
    expected, expected_first, dead, unfilled = [], [], 0, 0
    for address in sorted({a for _, a in writes} | {a for _, a in reads}):
        timeline = sorted([(c, 0) for c, a in writes if a == address] + [(c, 1) for c, a in reads if a == address])
        open_write, first_read, last_read, count = None, None, None, 0
        for cycle, kind in timeline + [(None, 0)]:
            if kind == 0:  # a write (or the end sentinel) closes the open interval
                if open_write is not None:
                    if count:
                        expected.append((address, open_write, last_read - open_write, count))
                        expected_first.append((address, open_write, first_read, last_read - first_read))
                    else:
                        dead += 1
                open_write, first_read, last_read, count = cycle, None, None, 0
            elif open_write is None:
                unfilled += 1
            else:
                first_read = cycle if first_read is None else first_read
                last_read, count = cycle, count + 1
    result = compute_lifetimes(events(writes, reads))
    assert intervals(result) == expected
    assert from_first_read(result) == expected_first
    assert (result.dead_writes, result.unfilled_reads) == (dead, unfilled)


def test_no_events_and_reads_without_writes():
    empty = compute_lifetimes(events([], []))
    assert (len(empty.lifetime), empty.writes, empty.reads, empty.unique_addresses) == (0, 0, 0, 0)
    only_reads = compute_lifetimes(events([], [(1, 5), (2, 5)], "ofmap"))
    assert (only_reads.unfilled_reads, only_reads.unique_addresses, len(only_reads.lifetime)) == (2, 1, 0)


def test_reads_before_the_first_write_in_a_block_of_their_own_are_unfilled():
    # Found by tests/test_properties_lifetimes.py: a block of reads all before the first write (a
    # negative cycle offset) was taken for a cycle overflow and refused.
    result = compute_lifetimes(events([(1, 0)], [(0, 0), (2, 0)]), read_block=1)
    assert intervals(result) == [(0, 1, 1, 1)]
    assert (result.unfilled_reads, result.reads) == (1, 2)


def test_builder_rejects_spans_that_do_not_fit_its_key():
    # 31 address bits + 41 cycle bits > 62: refused instead of silently overflowing.
    with pytest.raises(ValueError, match="do not fit"):
        LifetimeBuilder("ofmap", np.array([0, 2**40]), np.array([0, 2**30]))


def test_builder_rejects_a_read_too_late_for_its_key():
    # Written addresses 0 .. 2**40 leave 62 - 41 = 21 cycle bits: a read 2**22 cycles later is refused.
    builder = LifetimeBuilder("ofmap", np.array([0, 0]), np.array([0, 2**40]))
    with pytest.raises(ValueError, match="too far after the first write"):
        builder.add_reads(np.array([2**22]), np.array([0]))
