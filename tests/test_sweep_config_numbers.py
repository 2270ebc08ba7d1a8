"""Numbers spelled as text in a workflow config (gainflow.sweep.config_numbers), against the real
config schema: every numeric key takes them, nothing else is touched, and what is not a number is
left for the schema to reject."""

from pathlib import Path

import pytest
import yaml
from gainflow.sweep.config_numbers import with_numbers

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())


def converted(yaml_text):
    """The config in `yaml_text` as PyYAML reads it, then with its spelled-out numbers made numbers."""
    return with_numbers(yaml.safe_load(yaml_text), SCHEMA)


def test_yaml_reads_these_spellings_as_text():
    # Why the module exists: YAML 1.1 floats need a dot and a signed exponent.
    assert yaml.safe_load("[1e9, 1.0e9, 1e+9, 2.5E8]") == ["1e9", "1.0e9", "1e+9", "2.5E8"]


@pytest.mark.parametrize("yaml_text, key, expected", [
    ("clock_hz: 1e9", "clock_hz", 1e9),
    ("clock_hz: 1.0e9", "clock_hz", 1e9),
    ("clock_hz: '1_000_000'", "clock_hz", 1000000),
    ("clock_hz: [5e8, 1.0e+9, 7.5E8, '.5e9']", "clock_hz", [5e8, 1e9, 7.5e8, 5e8]),
    ("word_bits: 1.6e1", "word_bits", 16),
    ("word_bits: '+8'", "word_bits", 8),
    ("word_bits: ' 8 '", "word_bits", 8),
    ("word_bits: 8.0e0", "word_bits", 8),
    ("plots: {dpi: 1.5e2}", "plots", {"dpi": 150}),
    ("plots: {dpi: '3_00'}", "plots", {"dpi": 300}),
    # Found by tests/test_properties_inputs.py: YAML's float 8.0 passed the schema as an integer but
    # reached the report job's command line as `--word-bits 8.0`, which it refused.
    ("word_bits: 8.0", "word_bits", 8),
    ("hardware_grid: {ifmap_sram_kb: [64.0, 32]}", "hardware_grid", {"ifmap_sram_kb": [64, 32]}),
])
def test_numeric_keys_take_spelled_numbers(yaml_text, key, expected):
    value = converted(yaml_text)[key]
    assert value == expected
    assert type(value) is type(expected)  # an integer key gets an int (it reaches the command line)
    if isinstance(value, list):
        assert [type(item) for item in value] == [type(item) for item in expected]


def test_grid_buffer_sizes_take_spelled_numbers():
    grid = "{base: tiny_os, array: [8x4], ifmap_sram_kb: [6.4e1, '1_024'], filter_sram_kb: 1.28e2, ofmap_sram_kb: 6.4e1}"
    expected = {"base": "tiny_os", "array": ["8x4"], "ifmap_sram_kb": [64, 1024], "filter_sram_kb": 128,
                "ofmap_sram_kb": 64}
    assert converted(f"hardware_grid: {grid}")["hardware_grid"] == expected
    # A list of grids as well.
    assert converted(f"hardware_grid: [{grid}, {{ofmap_sram_kb: 3.2e1}}]")["hardware_grid"] == [
        expected, {"ofmap_sram_kb": 32}]
    for value in converted(f"hardware_grid: {grid}")["hardware_grid"]["ifmap_sram_kb"]:
        assert type(value) is int


def test_text_where_text_is_expected_stays_text():
    config = {"topologies": ["1e9", "resnet50"], "hardware": ["8"], "hardware_grid": {"array": "1e2", "dataflow": "os"},
              "device_corners": {"nominal": {"gc_list": "1e3"}}, "lifetime_tables": "1"}
    assert with_numbers(config, SCHEMA) == config


@pytest.mark.parametrize("yaml_text, key, kept", [
    ("word_bits: eight", "word_bits", "eight"),
    ("word_bits: 8.5", "word_bits", 8.5),          # a real float: the schema says it is no integer
    ("word_bits: '8.5'", "word_bits", "8.5"),      # not whole: left for the schema, as written
    ("clock_hz: 1 GHz", "clock_hz", "1 GHz"),
    ("clock_hz: '1e400'", "clock_hz", "1e400"),    # beyond a float
    # Found while extending the config property (tests/test_properties_inputs.py): an integer key
    # took 1e9999999 as an int, which took minutes to compute (and 1e99999 one too long to print).
    ("word_bits: '1e9999999'", "word_bits", "1e9999999"),
    ("word_bits: '1e99999'", "word_bits", "1e99999"),
    ("clock_hz: nan", "clock_hz", "nan"),
    ("clock_hz: '1__000'", "clock_hz", "1__000"),
    ("clock_hz: '0x10'", "clock_hz", "0x10"),
    ("clock_hz: '1e'", "clock_hz", "1e"),
    ("plots: {dpi: high}", "plots", {"dpi": "high"}),
])
def test_what_is_no_number_is_left_for_the_schema(yaml_text, key, kept):
    assert converted(yaml_text)[key] == kept


def test_unknown_keys_are_left_alone():
    assert converted("word_bits: 8\ncolour: 1e3\nplots: {size: 2e1}") == {
        "word_bits": 8, "colour": "1e3", "plots": {"size": "2e1"}}
