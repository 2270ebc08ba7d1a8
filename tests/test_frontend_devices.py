"""The device library: the shipped files, schema errors, unit conversion, retention tables."""

import copy
import json
from fractions import Fraction

import pytest
from data_support import DELETE, broken
from frontend_support import AREA_POWER, GC_LIST, numeric_leaves, quantity, write_device_files
from gainflow.errors import InputError
from gainflow.frontend.devices import (
    DEFAULT_AREA_POWER,
    DEFAULT_GC_LIST,
    UNIT_FACTORS,
    load_device_library,
    load_schema,
)

GHZ = Fraction(10**9)


def load(tmp_path, gc_list=GC_LIST, area_power=AREA_POWER, clock_hz=GHZ):
    gc_path, ap_path = write_device_files(tmp_path, gc_list, area_power)
    return load_device_library(gc_path, ap_path, clock_hz)


def test_shipped_library_has_sram_and_three_gain_cells_with_sources():
    library = load_device_library(DEFAULT_GC_LIST, DEFAULT_AREA_POWER, GHZ)
    names = [tech.name for tech in library.technologies]
    assert names == ["SRAM", "Si-Si", "Hybrid-Si-OS", "OS-OS"]
    assert library.baseline == "SRAM"
    assert library.by_name("SRAM").retention_s is None
    assert library.by_name("Si-Si").retention_s == Fraction(1, 10**5)
    # every number in both files is an object with a non-empty source (the schema requires it too)
    for path in (DEFAULT_GC_LIST, DEFAULT_AREA_POWER):
        numbers = list(numeric_leaves(json.loads(path.read_text())))
        assert numbers, path
        assert all(parent.get("source") and "unit" in parent for parent in numbers)


def test_units_are_converted_to_si(tmp_path):
    library = load(tmp_path)
    gc = library.by_name("GC")
    assert gc.retention_s == Fraction(1, 10**5)
    assert gc.area_m2 == pytest.approx(0.05e-12)
    assert gc.read_energy_j == pytest.approx(2e-15)
    assert gc.write_energy_j == pytest.approx(3e-15)
    assert gc.refresh_energy_j == pytest.approx(5e-15)
    assert gc.leakage_w == pytest.approx(0.1e-9)


def test_refresh_energy_defaults_to_read_plus_write(tmp_path):
    # SRAM in the test library has no refresh_energy_per_bit: 10 + 20 fJ
    assert load(tmp_path).by_name("SRAM").refresh_energy_j == pytest.approx(30e-15)


def test_other_units_convert(tmp_path):
    area_power = copy.deepcopy(AREA_POWER)
    area_power["technologies"]["GC"].update(
        area_per_bit=quantity(50000, "nm^2/bit"), read_energy_per_bit=quantity(0.002, "pJ/bit"),
        write_energy_per_bit=quantity(3000, "aJ/bit"), leakage_power_per_bit=quantity(100, "pW/bit"))
    gc_list = copy.deepcopy(GC_LIST)
    gc_list["technologies"]["GC"]["retention"] = quantity(0.01, "ms")
    gc = load(tmp_path, gc_list, area_power).by_name("GC")
    assert gc.retention_s == Fraction(1, 10**5)
    assert gc.area_m2 == pytest.approx(0.05e-12)
    assert gc.read_energy_j == pytest.approx(2e-15)
    assert gc.write_energy_j == pytest.approx(3e-15)
    assert gc.leakage_w == pytest.approx(0.1e-9)


def table_library():
    gc_list = copy.deepcopy(GC_LIST)
    gc_list["technologies"]["GC"]["retention"] = {"table": [
        {"frequency": quantity(2, "GHz"), "retention": quantity(1, "us")},
        {"frequency": quantity(500, "MHz"), "retention": quantity(100, "us")},
        {"frequency": quantity(1, "GHz"), "retention": quantity(10, "us")},
    ]}
    return gc_list


@pytest.mark.parametrize("clock_hz, retention_s", [
    (Fraction(4 * 10**8), Fraction(1, 10**4)),  # 400 MHz -> the 500 MHz row
    (Fraction(5 * 10**8), Fraction(1, 10**4)),  # exactly 500 MHz
    (GHZ, Fraction(1, 10**5)),  # exactly 1 GHz
    (Fraction(12 * 10**8), Fraction(1, 10**6)),  # 1.2 GHz -> the 2 GHz row
])
def test_retention_table_picks_lowest_frequency_at_or_above_clock(tmp_path, clock_hz, retention_s):
    assert load(tmp_path, table_library(), clock_hz=clock_hz).by_name("GC").retention_s == retention_s


def test_retention_table_without_a_fast_enough_row(tmp_path):
    with pytest.raises(InputError, match=r"technologies\.GC\.retention.*no table row at or above"):
        load(tmp_path, table_library(), clock_hz=Fraction(3 * 10**9))


@pytest.mark.parametrize("which, path, value, key, message", [
    ("area_power", ("technologies", "GC", "read_energy_per_bit"), DELETE,
     "technologies.GC.read_energy_per_bit", "missing field"),
    ("area_power", ("technologies", "GC", "read_energy_per_bit", "unit"), DELETE,
     "technologies.GC.read_energy_per_bit.unit", "missing field"),
    ("area_power", ("technologies", "GC", "read_energy_per_bit", "source"), DELETE,
     "technologies.GC.read_energy_per_bit.source", "missing field"),
    ("area_power", ("technologies", "GC", "leakage_power_per_bit", "value"), -1,
     "technologies.GC.leakage_power_per_bit.value", "non-negative number, got -1"),
    ("area_power", ("technologies", "GC", "area_per_bit", "value"), 0,
     "technologies.GC.area_per_bit.value", "positive number, got 0"),
    ("area_power", ("technologies", "GC", "write_energy_per_bit", "value"), "3",
     "technologies.GC.write_energy_per_bit.value", "expected number, got '3'"),
    ("area_power", ("technologies", "GC", "write_energy_per_bit", "unit"), "fJ",
     "technologies.GC.write_energy_per_bit.unit", "unknown unit 'fJ'"),
    ("gc_list", ("technologies", "GC", "retention", "unit"), "fortnights",
     "technologies.GC.retention.unit", "unknown unit 'fortnights'"),
    ("gc_list", ("technologies", "GC", "retention", "value"), -10,
     "technologies.GC.retention.value", "positive number, got -10"),
    ("gc_list", ("technologies", "GC", "retention", "value"), None,
     "technologies.GC.retention.value", "expected number, got None"),
    ("gc_list", ("baseline",), DELETE, "baseline", "missing field"),
    # Found by tests/test_properties_inputs.py: an unknown key named no key at the top level.
    ("area_power", ("escription",), "typo", "escription", "unknown key"),
    ("gc_list", ("technologies", "GC", "retention", "colour"), "red", "technologies.GC.retention.colour", "unknown key"),
    # Found by tests/test_properties_inputs.py: Python's json reads Infinity, NaN and integers of any
    # size, which the schema let through, and conversion to floats then crashed.
    ("area_power", ("technologies", "GC", "area_per_bit", "value"), float("inf"),
     "technologies.GC.area_per_bit.value", "finite number within the float64 range, got inf"),
    ("area_power", ("technologies", "GC", "read_energy_per_bit", "value"), float("nan"),
     "technologies.GC.read_energy_per_bit.value", "got nan"),
    ("gc_list", ("technologies", "GC", "retention", "value"), 10**400,
     "technologies.GC.retention.value", "got 100000000000... (401 digits)"),
    # ... and retentions far beyond any memory's overflowed the refresh counts and cycle figures.
    ("gc_list", ("technologies", "GC", "retention", "value"), 1e-7,
     "technologies.GC.retention", "from 1 ps to 1e15 s (or static: true), got 1e-13 s"),
    ("gc_list", ("technologies", "GC", "retention", "value"), 1e308,
     "technologies.GC.retention", "got 1e+302 s"),
])
def test_schema_errors_name_file_and_key(tmp_path, which, path, value, key, message):
    gc_list = broken(GC_LIST, path, value) if which == "gc_list" else GC_LIST
    area_power = broken(AREA_POWER, path, value) if which == "area_power" else AREA_POWER
    with pytest.raises(InputError) as caught:
        load(tmp_path, gc_list, area_power)
    assert caught.value.path.endswith(f"{'simple_gc_list' if which == 'gc_list' else 'area_power'}.json")
    assert caught.value.key == key
    assert message in caught.value.detail


@pytest.mark.parametrize("removed_from, named_file", [("area_power", "simple_gc_list.json"),
                                                       ("gc_list", "area_power.json")])
def test_technology_missing_from_one_file(tmp_path, removed_from, named_file):
    # The error points at the file that lists the technology the other one lacks.
    gc_list = broken(GC_LIST, ("technologies", "Dense"), DELETE) if removed_from == "gc_list" else GC_LIST
    area_power = broken(AREA_POWER, ("technologies", "Dense"), DELETE) \
        if removed_from == "area_power" else AREA_POWER
    with pytest.raises(InputError) as caught:
        load(tmp_path, gc_list, area_power)
    assert caught.value.path.endswith(named_file)
    assert caught.value.key == "technologies.Dense"


def test_unknown_baseline(tmp_path):
    with pytest.raises(InputError, match="baseline 'DRAM' is not one of"):
        load(tmp_path, broken(GC_LIST, ("baseline",), "DRAM"), AREA_POWER)


def test_invalid_json_names_the_line(tmp_path):
    gc_path, ap_path = write_device_files(tmp_path)
    ap_path.write_text('{\n "technologies": {,\n}')
    with pytest.raises(InputError) as caught:
        load_device_library(gc_path, ap_path, GHZ)
    assert caught.value.line == 2


def test_missing_file(tmp_path):
    gc_path, _ = write_device_files(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        load_device_library(gc_path, tmp_path / "nope.json", GHZ)


def test_schema_units_and_conversion_table_agree():
    gc_defs = load_schema("simple_gc_list.schema.json")["$defs"]
    ap_defs = load_schema("area_power.schema.json")["$defs"]
    schema_units = {"time": gc_defs["time"], "frequency": gc_defs["frequency"], "area": ap_defs["area"],
                    "energy": ap_defs["energy"], "power": ap_defs["power"], "capacity": ap_defs["capacity"]}
    for dimension, definition in schema_units.items():
        assert set(definition["properties"]["unit"]["enum"]) == set(UNIT_FACTORS[dimension]), dimension
    assert {ap_defs["exponent"]["properties"]["unit"]["const"]} == set(UNIT_FACTORS["exponent"])


@pytest.mark.parametrize("field, value, key, message", [
    # Found by probing every number of the shipped files after the property tests: figures beyond
    # these bounds overflowed the model's float64 products (OverflowError, or inf in the report).
    (("capacity_scaling", "periphery_exponent"), 1000, "technologies.SRAM.capacity_scaling.periphery_exponent.value",
     "greater than the maximum of 4"),
    (("capacity_scaling", "reference_capacity"), 1e308, "technologies.SRAM.capacity_scaling.reference_capacity",
     "from 1 bit to 2**53 bits, got 1.049e+314 bits"),  # 1e308 Mbit of 2**20 bits
    (("area_per_bit",), 1e308, "technologies.SRAM.area_per_bit", "at most 1 m^2/bit, got 1.000e+296"),
])
def test_shipped_area_power_figures_beyond_float64_products_are_named(tmp_path, field, value, key, message):
    area_power = json.loads(DEFAULT_AREA_POWER.read_text())
    quantity_node = area_power["technologies"]["SRAM"]
    for name in field:
        quantity_node = quantity_node[name]
    quantity_node["value"] = value
    path = tmp_path / "area_power.json"
    path.write_text(json.dumps(area_power))
    with pytest.raises(InputError) as caught:
        load_device_library(DEFAULT_GC_LIST, path, GHZ)
    assert (caught.value.path, caught.value.key) == (str(path), key)
    assert message in caught.value.detail
