"""The memory-technology model: refreshes, shares, energy, area and composition.

Everything works on a `LifetimeHistogram` (gainflow.lifetimes.histogram; exact:
lifetime in cycles -> number of intervals and their reads), never on rows. Formulas (for users:
docs/memory-model.md), with clock f, word size b bits and retention R:

- an interval of c cycles lives L = c / f seconds; it needs 0 refreshes if
  L <= R, else ceil(L / R) - 1 (static cells: always 0);
- an interval's accesses are its write plus its reads;
- dynamic energy = reads * E_read + writes * E_write + refreshes * E_refresh,
  per-word energies = per-bit energies * b;
- leakage energy = P_leak per bit * capacity bits * run time;
- area = bits * area per bit.

Comparisons against R use exact fractions of cycles (R * f), so L == R is
never misjudged by float rounding.
"""

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

MICROSECOND = Fraction(1, 10**6)


@dataclass(frozen=True)
class ModelSettings:
    """The knobs of the model: clock (exact, Hz), word size (bits), run time (s)."""

    clock_hz: Fraction
    word_bits: int
    run_time_s: float


def as_exact_ints(cycles, factor):
    """cycles * factor as int64 when it cannot overflow, else as Python ints (object array)."""
    largest = int(cycles.max()) if cycles.size else 0
    if largest * factor < 2**62:
        return cycles * factor
    return cycles.astype(object) * factor


def within(cycles, limit_cycles):
    """Mask of lifetimes c <= limit (limit a Fraction of cycles; None: unlimited)."""
    if limit_cycles is None:
        return np.ones(cycles.shape, dtype=bool)
    limit = Fraction(limit_cycles)
    return as_exact_ints(cycles, limit.denominator) <= limit.numerator


def refreshes_per_interval(cycles, retention_cycles):
    """0 if c <= R*f, else ceil(c / (R*f)) - 1; None (static cell) -> all 0. int64, or Python ints
    (object array) where a retention's fraction or a count exceeds int64."""
    if retention_cycles is None:
        return np.zeros(cycles.shape, dtype=np.int64)
    retention = Fraction(retention_cycles)
    scaled = as_exact_ints(cycles, retention.denominator)
    if retention.numerator >= 2**62:
        scaled = scaled.astype(object)  # numpy cannot divide int64 by a Python int beyond int64
    ceiling = -((-scaled) // retention.numerator)
    return np.where(within(cycles, retention), 0, ceiling - 1)


def retention_cycles(technology, clock_hz):
    """Retention of a technology in (fractional) cycles; None for a static cell."""
    if technology.retention_s is None:
        return None
    return technology.retention_s * Fraction(clock_hz)


def total_refreshes(histogram, retention_in_cycles):
    return int((refreshes_per_interval(histogram.lifetimes, retention_in_cycles)
                * histogram.intervals).sum())


def shares_within(histogram, limit_cycles):
    """(share of intervals, share of interval accesses) whose lifetime is <= limit; None if empty."""
    mask = within(histogram.lifetimes, limit_cycles)
    intervals, accesses = histogram.total_intervals(), histogram.total_accesses()
    return (ratio(int(histogram.intervals[mask].sum()), intervals),
            ratio(int(histogram.accesses[mask].sum()), accesses))


def ratio(part, whole):
    return None if whole == 0 else part / whole


def dynamic_energy(technology, reads, writes, refreshes, word_bits):
    """Joules of reads, writes and refreshes of whole words."""
    read = reads * technology.read_energy_j * word_bits
    write = writes * technology.write_energy_j * word_bits
    refresh = refreshes * technology.refresh_energy_j * word_bits
    return {"read_j": read, "write_j": write, "refresh_j": refresh,
            "dynamic_j": read + write + refresh}


def leakage_energy(technology, capacity_bits, run_time_s):
    return technology.leakage_w * capacity_bits * run_time_s


def area_m2(technology, bits):
    return technology.area_m2 * bits
