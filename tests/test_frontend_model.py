"""Every formula of the memory-technology model against hand-computed values."""

from fractions import Fraction

import numpy as np
import pytest
from gainflow.frontend.composition import assign_densest_covering, density_order, min_energy_choice
from gainflow.frontend.devices import Technology
from gainflow.frontend.model import (
    area_m2,
    dynamic_energy,
    leakage_energy,
    refreshes_per_interval,
    retention_cycles,
    shares_within,
    total_refreshes,
    within,
)
from gainflow.lifetimes.histogram import LifetimeHistogram


def tech(name="T", retention_s=None, area_um2=0.1, read_fj=10.0, write_fj=20.0, refresh_fj=30.0,
         leak_nw=1.0):
    return Technology(name=name, retention_s=retention_s, area_m2=area_um2 * 1e-12,
                      read_energy_j=read_fj * 1e-15, write_energy_j=write_fj * 1e-15,
                      refresh_energy_j=refresh_fj * 1e-15, leakage_w=leak_nw * 1e-9)


def cycles(*values):
    return np.array(values, dtype=np.int64)


# R = 10 us at 1 GHz is 10000 cycles: 0 refreshes up to and including L == R,
# then ceil(L / R) - 1.
@pytest.mark.parametrize("lifetime, expected", [
    (0, 0), (9999, 0), (10000, 0), (10001, 1), (19999, 1), (20000, 1), (20001, 2), (30000, 2),
    (30001, 3), (1_000_000, 99)])
def test_refreshes_at_10us_and_1ghz(lifetime, expected):
    retention = retention_cycles(tech(retention_s=Fraction(1, 100_000)), Fraction(10**9))
    assert retention == 10000
    assert refreshes_per_interval(cycles(lifetime), retention)[0] == expected


def test_refresh_boundary_is_exact_for_non_decimal_products():
    # 77 us at 0.7 GHz = 53900 cycles. (In floats, 10 * 1e-6 * 1e9 is 9999.999999999998, which would
    # give a lifetime of exactly 10 us one refresh; fractions avoid that.)
    retention = retention_cycles(tech(retention_s=Fraction(77, 10**6)), Fraction(7, 10) * 10**9)
    assert retention == 53900
    assert list(refreshes_per_interval(cycles(53899, 53900, 53901, 107800, 107801), retention)) \
        == [0, 0, 1, 1, 2]


def test_refresh_with_fractional_retention_cycles():
    # 1 ns at 1.5 GHz = 1.5 cycles: 1 -> 0; 2 -> ceil(1.33)-1 = 1; 3 -> ceil(2)-1 = 1; 4 -> ceil(2.67)-1 = 2
    retention = retention_cycles(tech(retention_s=Fraction(1, 10**9)), Fraction(3, 2) * 10**9)
    assert list(refreshes_per_interval(cycles(1, 2, 3, 4), retention)) == [0, 1, 1, 2]


def test_refreshes_beyond_int64_stay_exact():
    # Found by tests/test_properties_inputs.py: numpy cannot divide int64 lifetimes by a retention
    # fraction whose numerator exceeds int64, nor hold counts beyond it.
    long = Fraction(10**20 + 1, 3)  # cycles
    assert list(refreshes_per_interval(cycles(10**18, 2 * 10**18), long)) == [0, 0]
    assert list(refreshes_per_interval(cycles(10**18), Fraction(10**20 + 1, 700))) == [6]
    short = Fraction(1, 10**12)  # cycles: 10**12 retentions per cycle
    assert list(refreshes_per_interval(cycles(0, 2**40), short)) == [0, 2**40 * 10**12 - 1]


def test_static_cell_never_refreshes():
    assert retention_cycles(tech(retention_s=None), Fraction(10**9)) is None
    assert list(refreshes_per_interval(cycles(0, 10**12), None)) == [0, 0]


def test_total_refreshes_weights_by_interval_count():
    histogram = LifetimeHistogram(cycles(100, 250, 1000), cycles(3, 2, 1), cycles(0, 0, 0))
    # R = 100 cycles: 100 -> 0, 250 -> ceil(2.5)-1 = 2 (x2 intervals), 1000 -> 9
    assert total_refreshes(histogram, Fraction(100)) == 0 * 3 + 2 * 2 + 9 * 1


def test_within_compares_exactly():
    assert list(within(cycles(999, 1000, 1001), Fraction(1000))) == [True, True, False]
    assert list(within(cycles(1, 2), Fraction(3, 2))) == [True, False]
    assert list(within(cycles(0, 10**15), None)) == [True, True]


def test_shares_weight_intervals_and_accesses():
    # accesses per bin = intervals + reads = 6, 1, 4, 2 (13); intervals 2, 1, 1, 1 (5)
    histogram = LifetimeHistogram(cycles(500, 1000, 1001, 20000), cycles(2, 1, 1, 1), cycles(4, 0, 3, 1))
    assert shares_within(histogram, Fraction(1000)) == (3 / 5, 7 / 13)
    assert shares_within(histogram, Fraction(499)) == (0.0, 0.0)
    assert shares_within(histogram, None) == (1.0, 1.0)
    assert shares_within(LifetimeHistogram.empty(), Fraction(1)) == (None, None)


def test_dynamic_energy_sums_per_word_energies():
    # 8-bit words: reads 10 x 2 fJ x 8, writes 4 x 3 fJ x 8, refreshes 2 x 5 fJ x 8
    energy = dynamic_energy(tech(read_fj=2, write_fj=3, refresh_fj=5), reads=10, writes=4, refreshes=2,
                            word_bits=8)
    assert energy["read_j"] == pytest.approx(160e-15)
    assert energy["write_j"] == pytest.approx(96e-15)
    assert energy["refresh_j"] == pytest.approx(80e-15)
    assert energy["dynamic_j"] == pytest.approx(336e-15)


def test_dynamic_energy_scales_with_word_size():
    energy = dynamic_energy(tech(read_fj=1, write_fj=1, refresh_fj=1), reads=1, writes=1, refreshes=1,
                            word_bits=16)
    assert energy["dynamic_j"] == pytest.approx(48e-15)


def test_leakage_energy():
    # 1 nW/bit x 8192 bits x 20 us
    assert leakage_energy(tech(leak_nw=1), 8192, 2e-5) == pytest.approx(1.6384e-10)


def test_area():
    # 0.05 um^2/bit x 8192 bits = 409.6 um^2
    assert area_m2(tech(area_um2=0.05), 8192) == pytest.approx(409.6e-12)


def test_densest_covering_technology_is_chosen():
    # Dense covers <= 1000 cycles, GC <= 10000, SRAM everything (1 GHz).
    sram = tech("SRAM", None, area_um2=0.1)
    gc = tech("GC", Fraction(1, 10**5), area_um2=0.05)
    dense = tech("Dense", Fraction(1, 10**6), area_um2=0.02)
    technologies = [sram, gc, dense]
    assert [t.name for t in density_order(technologies)] == ["Dense", "GC", "SRAM"]
    choice = assign_densest_covering(cycles(0, 1000, 1001, 10000, 10001), technologies, Fraction(10**9))
    assert [technologies[i].name for i in choice] == ["Dense", "Dense", "GC", "GC", "SRAM"]


def test_equal_density_prefers_longer_retention_and_uncovered_goes_to_longest():
    short = tech("Short", Fraction(1, 10**6), area_um2=0.05)
    long = tech("Long", Fraction(1, 10**5), area_um2=0.05)
    technologies = [short, long]
    assert [t.name for t in density_order(technologies)] == ["Long", "Short"]
    # 20000 cycles: nothing covers it -> the longest retention (Long), refreshes counted elsewhere
    choice = assign_densest_covering(cycles(5, 20000), technologies, Fraction(10**9))
    assert [technologies[i].name for i in choice] == ["Long", "Long"]


def test_min_energy_choice_and_tie_order():
    per_tech = {"A": {"energy": {"total_j": 2.0}}, "B": {"energy": {"total_j": 1.0}},
                "C": {"energy": {"total_j": 1.0}}}
    assert min_energy_choice(per_tech) == "B"
