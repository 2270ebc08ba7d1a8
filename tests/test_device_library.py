"""The capacity model and the shipped device library, checked against the published figures it was built from.

Reference figures (hand arithmetic in the comments):
- SRAM, 45 nm, 0.9 V (Horowitz, ISSCC 2014): 10 / 20 / 100 pJ per 64-bit read of 8 kB / 32 kB / 1 MB.
- 45 nm at 0.9 V -> 16 nm at 0.8 V (Stillmaker & Baas 2017 energy polynomials):
  (0.2958*0.64 - 0.1241*0.8 + 0.03024) / (1.103*0.81 - 0.362*0.9 + 0.2767) = 0.120272 / 0.84433.
- 16 nm 0.6 V -> 0.8 V: 0.120272 / (0.2958*0.36 - 0.1241*0.6 + 0.03024) = 0.120272 / 0.062268.
- The 16 nm 1-Mbit gain-cell macro (Giterman et al., SSC-L 2020) at 0.6 V: 131,570 um^2, 2.58 pJ per read,
  2.46 pJ per write, 105 uW leakage.
"""

import copy
import json
from fractions import Fraction

import pytest
from frontend_support import AREA_POWER, GC_LIST, numeric_leaves, quantity, write_device_files
from gainflow.frontend.devices import DEFAULT_DEVICE_DIR, SHIPPED_CORNERS, load_device_library, shipped_corner

GHZ = Fraction(10**9)
KB = 8 * 1024  # bits
MBIT = 1024 * 1024
NODE_45_TO_16 = 0.120272 / 0.84433
VOLT_06_TO_08 = 0.120272 / 0.062268
UM2, FJ, NW, UW = 1e-12, 1e-15, 1e-9, 1e-6


def scaled_library(tmp_path, **overrides):
    """The test library with a capacity model on GC: reference 2 kB, minimum 1 kB, energy exponent 1,
    periphery 0.05 um^2/bit at 2 kB falling as C^-1."""
    model = {"reference_capacity": quantity(2, "kB"), "minimum_capacity": quantity(1, "kB"),
             "energy_exponent": quantity(1, "1"), "periphery_area_per_bit": quantity(0.05, "um^2/bit"),
             "periphery_exponent": quantity(1, "1")}
    model.update(overrides)
    area_power = copy.deepcopy(AREA_POWER)
    area_power["technologies"]["GC"]["capacity_scaling"] = model
    gc_path, ap_path = write_device_files(tmp_path, GC_LIST, area_power)
    return load_device_library(gc_path, ap_path, GHZ)


def test_capacity_model_at_the_reference_and_twice_it(tmp_path):
    gc = scaled_library(tmp_path).by_name("GC")
    at_reference = gc.at_capacity(2 * KB)
    # cell 0.05 + periphery 0.05; energies and leakage as written
    assert at_reference.area_m2 == pytest.approx(0.10 * UM2)
    assert (at_reference.read_energy_j, at_reference.write_energy_j, at_reference.refresh_energy_j) == \
        pytest.approx((2 * FJ, 3 * FJ, 5 * FJ))
    assert at_reference.leakage_w == pytest.approx(0.1 * NW)
    doubled = gc.at_capacity(4 * KB)
    # periphery 0.05 x (2/4)^1 = 0.025; energies x (4/2)^1; leakage x 0.075 / 0.10
    assert doubled.area_m2 == pytest.approx(0.075 * UM2)
    assert (doubled.read_energy_j, doubled.write_energy_j, doubled.refresh_energy_j) == \
        pytest.approx((4 * FJ, 6 * FJ, 10 * FJ))
    assert doubled.leakage_w == pytest.approx(0.075 * NW)
    assert doubled.scaling is None and doubled.retention_s == gc.retention_s


def test_capacity_model_clamps_below_the_minimum(tmp_path):
    gc = scaled_library(tmp_path).by_name("GC")
    # 0 bits and 0.5 kB both take the 1 kB figures: energy x 1/2, periphery 0.05 x 2 = 0.10
    for bits in (0, KB // 2, KB):
        small = gc.at_capacity(bits)
        assert small.read_energy_j == pytest.approx(1 * FJ)
        assert small.area_m2 == pytest.approx(0.15 * UM2)


def test_square_root_exponents(tmp_path):
    gc = scaled_library(tmp_path, energy_exponent=quantity(0.5, "1"),
                        periphery_exponent=quantity(0.5, "1")).by_name("GC").at_capacity(8 * KB)
    # (8/2)^0.5 = 2: energy x 2, periphery / 2
    assert gc.read_energy_j == pytest.approx(4 * FJ)
    assert gc.area_m2 == pytest.approx(0.075 * UM2)


def test_without_a_capacity_model_nothing_changes(tmp_path):
    library = scaled_library(tmp_path)
    sram = library.by_name("SRAM")
    assert sram.at_capacity(KB) == sram == sram.at_capacity(1000 * KB)


def test_bad_capacity_unit_names_the_key(tmp_path):
    from gainflow.errors import InputError
    with pytest.raises(InputError) as caught:
        scaled_library(tmp_path, reference_capacity=quantity(2, "kiB"))
    assert caught.value.key == "technologies.GC.capacity_scaling.reference_capacity.unit"


def shipped(corner="nominal"):
    return load_device_library(*shipped_corner(corner), GHZ)


def test_sram_energy_reproduces_the_figures_it_was_fitted_to():
    sram = shipped().by_name("SRAM")
    for capacity_kb, picojoules in ((8, 10), (32, 20), (1024, 100)):
        published = picojoules * 1e-12 / 64 * NODE_45_TO_16  # per bit, at 16 nm and 0.8 V
        assert sram.at_capacity(capacity_kb * KB).read_energy_j == pytest.approx(published, rel=0.05)
    # 32 kB is the figure the value was scaled from: exact up to the 4 digits kept in the file
    assert sram.at_capacity(32 * KB).read_energy_j == pytest.approx(20e-12 / 64 * NODE_45_TO_16, rel=1e-3)


def test_sisi_reproduces_the_measured_macro_at_its_capacity():
    nominal = shipped().by_name("Si-Si").at_capacity(MBIT)
    assert nominal.area_m2 * MBIT == pytest.approx(131570 * UM2, rel=1e-3)
    assert nominal.read_energy_j * 64 == pytest.approx(2.58e-12 * VOLT_06_TO_08, rel=1e-3)
    assert nominal.write_energy_j * 64 == pytest.approx(2.46e-12 * VOLT_06_TO_08, rel=1e-3)
    assert nominal.leakage_w * MBIT == pytest.approx(105 * UW * VOLT_06_TO_08, rel=1e-3)
    measured = shipped("optimistic").by_name("Si-Si").at_capacity(MBIT)  # the 0.6 V figures as published
    assert measured.read_energy_j * 64 == pytest.approx(2.58e-12, rel=1e-3)
    assert measured.leakage_w * MBIT == pytest.approx(105 * UW, rel=1e-3)
    assert shipped("optimistic").by_name("Si-Si").retention_s == Fraction(77, 10**6)


def test_a_small_and_a_large_buffer_get_different_per_bit_figures():
    for tech in shipped().technologies:
        small, large = tech.at_capacity(64 * KB), tech.at_capacity(6144 * KB)
        # energy exponent 0.47: 96^0.47 = 8.54 times more per bit in the 6 MB buffer
        assert large.read_energy_j / small.read_energy_j == pytest.approx(96 ** 0.47)
        assert large.area_m2 < small.area_m2  # the periphery is shared by more bits


def test_every_shipped_number_has_a_source_and_a_node():
    for corner in SHIPPED_CORNERS:
        for path in shipped_corner(corner):
            document = json.loads(path.read_text())
            assert document["reference_node"]
            numbers = list(numeric_leaves(document))
            assert numbers, path
            assert all(number["source"] and number["node"] and number["unit"] for number in numbers), path


@pytest.mark.parametrize("capacity_kb", [64, 6144])
def test_corners_are_ordered_and_share_the_sram_baseline(capacity_kb):
    corners = {name: shipped(name) for name in ("optimistic", "nominal", "pessimistic")}
    sram = {name: library.by_name("SRAM") for name, library in corners.items()}
    assert sram["optimistic"] == sram["nominal"] == sram["pessimistic"]
    for name in ("Si-Si", "Hybrid-Si-OS", "OS-OS"):
        good, middle, bad = (corners[corner].by_name(name).at_capacity(capacity_kb * KB)
                             for corner in ("optimistic", "nominal", "pessimistic"))
        assert good.retention_s > middle.retention_s > bad.retention_s, name
        for field in ("area_m2", "read_energy_j", "write_energy_j"):  # leakage is not a corner quantity
            assert getattr(good, field) <= getattr(middle, field) <= getattr(bad, field), (name, field)
        assert good.read_energy_j < bad.read_energy_j and good.area_m2 < bad.area_m2, name


def test_shipped_corner_names_and_directories():
    assert list(SHIPPED_CORNERS) == ["nominal", "optimistic", "pessimistic"]
    assert shipped_corner("nominal") == (DEFAULT_DEVICE_DIR / "simple_gc_list.json",
                                         DEFAULT_DEVICE_DIR / "area_power.json")
    assert shipped_corner("pessimistic")[1] == DEFAULT_DEVICE_DIR / "pessimistic" / "area_power.json"
