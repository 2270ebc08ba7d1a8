"""Exact lifetime histograms: what the lifetimes stage hands on, and everything derived from them.

A `LifetimeHistogram` holds, per distinct lifetime (cycles, ascending), how many intervals have it
and their reads: exact integers, kilobytes where the per-interval rows take gigabytes. Every
per-layer statistic is computed from it, equal bit for bit to the same statistic over the rows:

- `lifetime_summary`: mean (exact integer sum / count), median (numpy's `np.median`), p90 (numpy's
  `np.quantile(..., 0.9)`, linear interpolation), max, min;
- `BufferSummary`: one buffer of one layer as named histograms plus its access counts, the
  hand-over from a lifetime job to the per-layer step (`gainflow.lifetimes.parts`). Three
  histograms (`HISTOGRAM_NAMES`), each counting every interval with a lifetime once: `lifetime`
  (from the write to the interval's last read), `lifetime_from_first_read` (from its first read to
  its last) and `prefetch_slack` (from the write to the first read).
"""

import math
from dataclasses import dataclass

import numpy as np

LIFETIME = "lifetime"  # the histogram of write-to-last-read lifetimes
LIFETIME_FROM_FIRST_READ = "lifetime_from_first_read"  # first read to last read
PREFETCH_SLACK = "prefetch_slack"  # write to first read
HISTOGRAM_NAMES = (LIFETIME, LIFETIME_FROM_FIRST_READ, PREFETCH_SLACK)
# Where a lifetime starts -> the histogram of those lifetimes (`gainflow frontend --lifetime-start`).
LIFETIME_STARTS = {"fill": LIFETIME, "first_read": LIFETIME_FROM_FIRST_READ}
COUNT_NAMES = ("reads", "writes", "dead_writes", "unfilled_reads", "unique_addresses")
# The columns of a layer's histogram file (`layer<i>_lifetime_histogram.csv.gz`, written by
# gainflow.lifetimes.layer_files, read by gainflow.frontend.processed_run): a subdivision and a number
# of cycles, then per histogram the intervals it counts at that value and their reads.
SIDECAR_COLUMNS = ("subdivision", "cycles", *(f"{name}_{count}" for name in HISTOGRAM_NAMES
                                               for count in ("intervals", "reads")))


@dataclass(frozen=True)
class LifetimeHistogram:
    """Lifetimes (cycles, sorted, unique) with the number of intervals and reads at each."""

    lifetimes: np.ndarray
    intervals: np.ndarray
    reads: np.ndarray

    @classmethod
    def empty(cls):
        zero = np.zeros(0, dtype=np.int64)
        return cls(zero, zero, zero)

    @classmethod
    def from_parts(cls, lifetimes, intervals, reads):
        """Merge unsorted (lifetime, intervals, reads) triples in which lifetimes may repeat."""
        lifetimes = np.asarray(lifetimes, dtype=np.int64)
        if lifetimes.size == 0:
            return cls.empty()
        order = np.argsort(lifetimes, kind="stable")
        ordered = lifetimes[order]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(ordered)) + 1))
        # reduceat on int64 keeps the sums exact (np.bincount would go through float64).
        return cls(ordered[starts],
                   np.add.reduceat(np.asarray(intervals, dtype=np.int64)[order], starts),
                   np.add.reduceat(np.asarray(reads, dtype=np.int64)[order], starts))

    @classmethod
    def of_intervals(cls, lifetimes, interval_reads):
        """The histogram of per-interval rows: one interval per (lifetime, reads) row.

        Counted by np.bincount when the lifetimes span at most a few times their number: linear, and
        on 10^7 rows 0.2 s instead of the 3.2 s of `from_parts`' sort. bincount sums the reads in
        float64, exact while their total stays below 2**53 (checked)."""
        lifetimes = np.asarray(lifetimes, dtype=np.int64)
        span = int(lifetimes.max()) + 1 if lifetimes.size else 0
        if span > 4 * lifetimes.size + (1 << 20) or int(interval_reads.sum()) >= 1 << 53:
            return cls.from_parts(lifetimes, np.ones(lifetimes.size, dtype=np.int64), interval_reads)
        intervals = np.bincount(lifetimes, minlength=span)
        present = np.flatnonzero(intervals)
        read_sums = np.bincount(lifetimes, weights=interval_reads, minlength=span)[present]
        return cls(present.astype(np.int64), intervals[present].astype(np.int64), read_sums.astype(np.int64))

    @property
    def accesses(self):
        """Per lifetime: the intervals' writes plus their reads."""
        return self.intervals + self.reads

    def total_intervals(self):
        return int(self.intervals.sum())

    def total_reads(self):
        return int(self.reads.sum())

    def total_accesses(self):
        return int(self.accesses.sum())

    def total_lifetime(self):
        """The exact sum of all intervals' lifetimes (in Python ints where int64 could overflow)."""
        largest = int(self.lifetimes[-1]) if self.lifetimes.size else 0
        if largest * self.total_intervals() < 1 << 63:
            return int((self.lifetimes * self.intervals).sum())
        return int((self.lifetimes.astype(object) * self.intervals.astype(object)).sum())


def merge_histograms(histograms):
    histograms = [h for h in histograms if h.lifetimes.size]
    if not histograms:
        return LifetimeHistogram.empty()
    return LifetimeHistogram.from_parts(
        np.concatenate([h.lifetimes for h in histograms]),
        np.concatenate([h.intervals for h in histograms]),
        np.concatenate([h.reads for h in histograms]))


def nth_lifetimes(histogram, ranks):
    """The lifetimes at 0-based `ranks` of the sorted per-interval lifetimes (Python ints)."""
    ends = np.cumsum(histogram.intervals)
    return [int(histogram.lifetimes[i]) for i in np.searchsorted(ends, ranks, side="right")]


def quantile(histogram, q):
    """`np.quantile(rows, q)` (method "linear") of the lifetimes the histogram counts, bit for bit:
    the same float64 operations in the same order as numpy's `_lerp`."""
    count = histogram.total_intervals()
    position = (count - 1) * q
    lower = math.floor(position)
    if position >= count - 1:  # numpy takes the largest value (one interval, or q = 1)
        return float(nth_lifetimes(histogram, [count - 1])[0])
    low, high = nth_lifetimes(histogram, [lower, lower + 1])
    gamma = position - lower
    difference = float(high - low)
    if gamma >= 0.5:
        return float(high) - difference * (1 - gamma)
    return float(low) + difference * gamma


def median(histogram):
    """`np.median(rows)`, bit for bit: the middle value, or the float64 mean of the middle two."""
    count = histogram.total_intervals()
    low, high = nth_lifetimes(histogram, [(count - 1) // 2, count // 2])
    return float(low) if count % 2 else (float(low) + float(high)) / 2


def lifetime_summary(histogram):
    """mean, median, p90, max, min over intervals (cycles); None for each when there are none."""
    count = histogram.total_intervals()
    if count == 0:
        return dict.fromkeys(("mean", "median", "p90", "max", "min"))
    return {"mean": histogram.total_lifetime() / count, "median": median(histogram),
            "p90": quantile(histogram, 0.9), "max": int(histogram.lifetimes[-1]),
            "min": int(histogram.lifetimes[0])}


@dataclass(frozen=True)
class BufferSummary:
    """One buffer of one layer: named lifetime histograms and the access counts `COUNT_NAMES`
    (as in `gainflow.lifetimes.intervals.BufferLifetimes`)."""

    subdivision: str
    histograms: dict  # name -> LifetimeHistogram; HISTOGRAM_NAMES (at least LIFETIME)
    reads: int
    writes: int
    dead_writes: int
    unfilled_reads: int
    unique_addresses: int

    @property
    def histogram(self):
        """The write-to-last-read lifetime histogram."""
        return self.histograms[LIFETIME]

    @property
    def intervals(self):
        """Intervals with a lifetime (= writes - dead_writes)."""
        return self.histogram.total_intervals()

    def counts(self):
        return {name: getattr(self, name) for name in COUNT_NAMES}


def summarize(buffer):
    """The `BufferSummary` of a `BufferLifetimes` (gainflow.lifetimes.intervals)."""
    per_interval = {LIFETIME: buffer.lifetime, LIFETIME_FROM_FIRST_READ: buffer.lifetime_from_first_read,
                    PREFETCH_SLACK: buffer.first_read_cycle - buffer.write_cycle}
    histograms = {name: LifetimeHistogram.of_intervals(values, buffer.interval_reads)
                  for name, values in per_interval.items()}
    return BufferSummary(buffer.subdivision, histograms, **{name: int(getattr(buffer, name)) for name in COUNT_NAMES})
