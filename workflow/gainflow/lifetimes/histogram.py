"""`LifetimeHistogram`: a buffer's lifetimes reduced to exact counts per distinct lifetime.

What the per-layer histogram sidecar holds (`gainflow.lifetimes.layer_files`) and what the frontend's
memory model works on (`gainflow.frontend.model`): no rows, so memory follows the number of distinct
lifetimes, not of intervals.
"""

from dataclasses import dataclass

import numpy as np


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


def merge_histograms(histograms):
    histograms = [h for h in histograms if h.lifetimes.size]
    if not histograms:
        return LifetimeHistogram.empty()
    return LifetimeHistogram.from_parts(
        np.concatenate([h.lifetimes for h in histograms]),
        np.concatenate([h.intervals for h in histograms]),
        np.concatenate([h.reads for h in histograms]))
