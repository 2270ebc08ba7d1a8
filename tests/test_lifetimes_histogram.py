"""Exact lifetime histograms: merging, and every statistic drawn from them equal bit for bit to
numpy's on the per-interval lifetimes (mean, np.median, np.quantile, np.histogram)."""

import numpy as np
import pytest
from gainflow.lifetimes.graphs import bin_counts, lifetime_bins
from gainflow.lifetimes.histogram import (
    LIFETIME,
    LIFETIME_FROM_FIRST_READ,
    PREFETCH_SLACK,
    LifetimeHistogram,
    lifetime_summary,
    median,
    merge_histograms,
    quantile,
    summarize,
)
from gainflow.lifetimes.intervals import BufferLifetimes


def cycles(*values):
    return np.array(values, dtype=np.int64)


def of_rows(values):
    values = np.asarray(values, dtype=np.int64)
    return LifetimeHistogram.of_intervals(values, np.ones(values.size, dtype=np.int64))


def random_lifetimes(rng):
    """Arrays of 1 to 60 lifetimes: from a few values (many ties) to spans beyond 2**53, where
    float64 rounds and any difference in the order of operations shows."""
    size = int(rng.choice([1, 2, 3, int(rng.integers(1, 61))]))
    high = int(rng.choice([1, 3, 10, 1000, 10**6, 2**40, 2**60]))
    values = rng.integers(0, high, size=size, endpoint=True)
    if rng.random() < 0.3:
        values = np.repeat(values[:max(1, size // 4)], 4)[:size]  # runs of equal values
    return values.astype(np.int64)


def test_histogram_merges_repeated_lifetimes_exactly():
    merged = merge_histograms([
        LifetimeHistogram.from_parts(cycles(7, 3, 7), cycles(1, 1, 1), cycles(2, 5, 4)),
        LifetimeHistogram.from_parts(cycles(3, 9), cycles(1, 1), cycles(1, 0)),
        LifetimeHistogram.empty()])
    assert list(merged.lifetimes) == [3, 7, 9]
    assert list(merged.intervals) == [2, 2, 1]
    assert list(merged.reads) == [6, 6, 0]
    assert list(merged.accesses) == [8, 8, 1]


@pytest.mark.parametrize("lifetimes", [
    [5, 0, 5, 2, 0, 5],  # dense: counted by bincount
    [2**40, 3, 2**40],  # sparse: sorted
    [],
])
def test_histogram_of_interval_rows_by_hand(lifetimes):
    reads = np.arange(1, len(lifetimes) + 1, dtype=np.int64)
    histogram = LifetimeHistogram.of_intervals(np.array(lifetimes, dtype=np.int64), reads)
    expected = {}
    for lifetime, read_count in zip(lifetimes, reads.tolist()):
        intervals, total = expected.get(lifetime, (0, 0))
        expected[lifetime] = (intervals + 1, total + read_count)
    assert histogram.lifetimes.tolist() == sorted(expected)
    assert histogram.intervals.tolist() == [expected[k][0] for k in sorted(expected)]
    assert histogram.reads.tolist() == [expected[k][1] for k in sorted(expected)]
    assert histogram.lifetimes.dtype == histogram.intervals.dtype == histogram.reads.dtype == np.int64


def test_read_sums_beyond_float64_precision_stay_exact():
    reads = np.array([2**53 + 1, 2**53 + 3], dtype=np.int64)
    assert LifetimeHistogram.of_intervals(cycles(4, 4), reads).reads.tolist() == [2**54 + 4]


def test_lifetime_summary_by_hand():
    # [10, 20, 20, 40]: mean 22.5, median 20, p90 at position 2.7 = 20 + 0.7 x 20 = 34
    histogram = LifetimeHistogram(cycles(10, 20, 40), cycles(1, 2, 1), cycles(1, 1, 1))
    assert lifetime_summary(histogram) == {"mean": 22.5, "median": 20.0, "p90": pytest.approx(34.0),
                                           "max": 40, "min": 10}
    assert lifetime_summary(LifetimeHistogram.empty()) == dict.fromkeys(
        ("mean", "median", "p90", "max", "min"))


def test_one_and_two_intervals():
    assert lifetime_summary(of_rows([7])) == {"mean": 7.0, "median": 7.0, "p90": 7.0, "max": 7, "min": 7}
    # [3, 8]: median 5.5; p90 at position 0.9: 8 - 5 x 0.1 (numpy's form for a weight >= 0.5).
    summary = lifetime_summary(of_rows([8, 3]))
    assert (summary["mean"], summary["median"], summary["p90"]) == (5.5, 5.5, 8 - 5 * (1 - 0.9))


def test_mean_is_exact_beyond_int64():
    histogram = LifetimeHistogram(cycles(2**62), cycles(4), cycles(0))
    assert histogram.total_lifetime() == 2**64
    assert lifetime_summary(histogram)["mean"] == float(2**62)


def test_statistics_equal_numpy_bit_for_bit_on_random_arrays():
    rng = np.random.default_rng(20261202)
    for _ in range(1000):
        values = random_lifetimes(rng)
        histogram = of_rows(values)
        summary = lifetime_summary(histogram)
        assert summary["median"] == float(np.median(values)), values
        assert summary["p90"] == float(np.quantile(values, 0.9)), values
        assert summary["mean"] == int(values.sum(dtype=object)) / len(values), values
        assert (summary["max"], summary["min"]) == (int(values.max()), int(values.min()))
        for q in (0.0, 0.25, 0.99, 1.0, float(rng.random())):
            assert quantile(histogram, q) == float(np.quantile(values, q)), (values, q)


def test_median_of_two_large_values_rounds_like_numpy():
    values = cycles(2**53 + 1, 2**53 + 3)
    assert median(of_rows(values)) == float(np.median(values))


def test_graph_bins_equal_numpy_histogram():
    rng = np.random.default_rng(7)
    cases = [np.array([0]), np.array([1]), np.array([0, 1, 2, 3, 4, 7, 8, 15, 16])]
    cases += [random_lifetimes(rng) for _ in range(500)]
    for values in cases:
        expected = np.histogram(values, bins=lifetime_bins(values.max()))[0].tolist()
        assert bin_counts(of_rows(values)) == expected, values
    assert bin_counts(LifetimeHistogram.empty()) == []


def test_summary_of_buffer_lifetimes():
    buffer = BufferLifetimes(
        subdivision="ofmap", address=cycles(1, 2, 3), write_cycle=cycles(0, 0, 5),
        lifetime=np.array([4, 9, 4], dtype=np.int32), interval_reads=cycles(1, 2, 3), first_read_cycle=cycles(2, 0, 5),
        reads=np.int64(8), writes=5, dead_writes=2, unfilled_reads=2, unique_addresses=3)
    summary = summarize(buffer)
    assert list(summary.histograms) == [LIFETIME, LIFETIME_FROM_FIRST_READ, PREFETCH_SLACK]
    # Written at 0, 0, 5; first read at 2, 0, 5; lifetimes 4, 9, 4 with 1, 2, 3 reads: from the first
    # read 2, 9, 4; prefetch slack 2, 0, 0.
    from_first_read = summary.histograms[LIFETIME_FROM_FIRST_READ]
    assert (from_first_read.lifetimes.tolist(), from_first_read.intervals.tolist(),
            from_first_read.reads.tolist()) == ([2, 4, 9], [1, 1, 1], [1, 3, 2])
    slack = summary.histograms[PREFETCH_SLACK]
    assert (slack.lifetimes.tolist(), slack.intervals.tolist(), slack.reads.tolist()) == ([0, 2], [2, 1], [5, 1])
    assert (summary.histogram.lifetimes.tolist(), summary.histogram.intervals.tolist(),
            summary.histogram.reads.tolist()) == ([4, 9], [2, 1], [4, 2])
    assert summary.intervals == 3
    assert summary.counts() == {"reads": 8, "writes": 5, "dead_writes": 2, "unfilled_reads": 2,
                                "unique_addresses": 3}
    assert all(type(value) is int for value in summary.counts().values())
