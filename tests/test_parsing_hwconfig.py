"""load_hardware_config: SCALE-Sim's own example configs (copied in tests/data/scalesim/configs),
configparser rules, and every error."""

import pytest
from data_support import SCALESIM_CONFIGS
from gainflow.errors import InputError
from gainflow.inputs.hwconfig import HardwareConfig, load_hardware_config

GOOD = """\
[general]
run_name = tiny

[architecture_presets]
ArrayHeight:    8
ArrayWidth:     5
IfmapSramSzkB:   1
FilterSramSzkB:  2
OfmapSramSzkB:   3
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : ws
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC
"""
TINY = HardwareConfig(run_name="tiny", array_height=8, array_width=5, ifmap_sram_kb=1, filter_sram_kb=2,
                      ofmap_sram_kb=3, ifmap_offset=0, filter_offset=10000000, ofmap_offset=20000000,
                      dataflow="ws", interface_bandwidth="CALC")


def write(tmp_path, text):
    path = tmp_path / "hw.cfg"
    path.write_text(text)
    return path


def replace_line(text, prefix, new_line):
    """`text` with the line starting with `prefix` replaced (or removed when `new_line` is None)."""
    lines = text.splitlines()
    assert sum(line.startswith(prefix) for line in lines) == 1, f"expected one line starting with {prefix!r}"
    kept = [new_line if line.startswith(prefix) else line for line in lines]
    return "\n".join(line for line in kept if line is not None) + "\n"


def assert_config_error(path, key, *fragments):
    with pytest.raises(InputError) as caught:
        load_hardware_config(path)
    assert caught.value.path == str(path)
    assert caught.value.key == key
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize("file_name, expected", [
    ("scale.cfg", ("scale_example_run_32x32_os", 32, 32, 64, 64, 64, "os")),
    ("google.cfg", ("GoogleTPU_v1_ws", 256, 256, 6144, 6144, 2048, "ws")),
    ("eyeriss.cfg", ("eyeriss", 12, 14, 36, 36, 36, "ws")),
])
def test_scalesim_shipped_configs(file_name, expected):
    # the three example configs of the SCALE-Sim repository (tests/data/scalesim/configs)
    run_name, height, width, ifmap_kb, filter_kb, ofmap_kb, dataflow = expected
    assert load_hardware_config(SCALESIM_CONFIGS / file_name) == HardwareConfig(
        run_name=run_name, array_height=height, array_width=width, ifmap_sram_kb=ifmap_kb,
        filter_sram_kb=filter_kb, ofmap_sram_kb=ofmap_kb, ifmap_offset=0, filter_offset=10000000,
        ofmap_offset=20000000, dataflow=dataflow, interface_bandwidth="CALC")


def test_good_config(tmp_path):
    assert load_hardware_config(write(tmp_path, GOOD)) == TINY


def test_keys_are_case_insensitive_and_both_separators_work(tmp_path):
    text = GOOD.replace("ArrayHeight:    8", "ARRAYHEIGHT = 8").replace("Dataflow : ws", "dataflow=ws")
    assert load_hardware_config(write(tmp_path, text)) == TINY


def test_bandwidth_and_memory_banks_are_optional(tmp_path):
    text = replace_line(replace_line(GOOD, "Bandwidth", None), "MemoryBanks", None)
    assert load_hardware_config(write(tmp_path, text)) == TINY


def test_network_presets_section_is_ignored(tmp_path):
    # SCALE-Sim crashes on it (it looks the key up in the wrong section); the topology comes from -t.
    text = GOOD + '\n[network_presets]\nTopologyCsvLoc: "../topologies/x.csv"\n'
    assert load_hardware_config(write(tmp_path, text)) == TINY


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_each_dataflow(tmp_path, dataflow):
    text = replace_line(GOOD, "Dataflow", f"Dataflow : {dataflow}")
    assert load_hardware_config(write(tmp_path, text)).dataflow == dataflow


def test_user_bandwidth_mode_is_rejected_naming_calc(tmp_path):
    path = write(tmp_path, replace_line(GOOD, "InterfaceBandwidth", "InterfaceBandwidth: USER"))
    assert_config_error(path, "InterfaceBandwidth", "only InterfaceBandwidth: CALC is supported",
                        "USER bandwidth mode is not supported yet")


def test_unknown_bandwidth_mode(tmp_path):
    path = write(tmp_path, replace_line(GOOD, "InterfaceBandwidth", "InterfaceBandwidth: calc"))
    assert_config_error(path, "InterfaceBandwidth", "CALC is supported", "got 'calc'")


@pytest.mark.parametrize("value", ["WS", "rs", ""])
def test_invalid_dataflow(tmp_path, value):
    # SCALE-Sim would silently run these as os.
    path = write(tmp_path, replace_line(GOOD, "Dataflow", f"Dataflow : {value}"))
    assert_config_error(path, "Dataflow", "expected one of os, ws, is", repr(value))


@pytest.mark.parametrize("key", ["run_name", "ArrayHeight", "ArrayWidth", "IfmapSramSzkB", "FilterSramSzkB",
                                 "OfmapSramSzkB", "IfmapOffset", "FilterOffset", "OfmapOffset", "Dataflow",
                                 "InterfaceBandwidth"])
def test_missing_key(tmp_path, key):
    path = write(tmp_path, replace_line(GOOD, key, None))
    assert_config_error(path, key, "missing key")


@pytest.mark.parametrize("section, key", [("general", "run_name"), ("run_presets", "InterfaceBandwidth")])
def test_missing_section(tmp_path, section, key):
    path = write(tmp_path, replace_line(replace_line(GOOD, f"[{section}]", None), key, None))
    assert_config_error(path, key, f"missing section [{section}]")


@pytest.mark.parametrize("key, value, fragment", [
    ("ArrayHeight", "3.5", "expected an integer, got '3.5'"),
    ("ArrayWidth", "many", "expected an integer, got 'many'"),
    ("IfmapSramSzkB", "0", "expected a positive integer, got 0"),
    ("OfmapSramSzkB", "-64", "expected a positive integer, got -64"),
    ("ArrayHeight", "0", "expected a positive integer, got 0"),
    ("FilterOffset", "-1", "expected an integer >= 0, got -1"),
])
def test_bad_number(tmp_path, key, value, fragment):
    path = write(tmp_path, replace_line(GOOD, key, f"{key}: {value}"))
    assert_config_error(path, key, fragment)


@pytest.mark.parametrize("run_name", ["a/b", "..", ""])
def test_run_name_must_be_a_folder_name(tmp_path, run_name):
    path = write(tmp_path, replace_line(GOOD, "run_name", f"run_name = {run_name}"))
    assert_config_error(path, "run_name", "folder name")


def test_not_an_ini_file(tmp_path):
    path = write(tmp_path, "ArrayHeight: 8\n")
    with pytest.raises(InputError, match="not a valid .cfg file") as caught:
        load_hardware_config(path)
    assert (caught.value.path, caught.value.line) == (str(path), 1)


def test_duplicate_key_names_its_line(tmp_path):
    path = write(tmp_path, GOOD.replace("ArrayWidth:     5\n", "ArrayWidth:     5\narraywidth: 6\n"))
    with pytest.raises(InputError, match="not a valid .cfg file") as caught:
        load_hardware_config(path)
    assert caught.value.line == 7


def test_line_that_is_neither_section_nor_key_names_its_line(tmp_path):
    # Found by tests/test_properties_inputs.py: configparser's ParsingError has no `lineno`.
    path = write(tmp_path, "[general]\nrun_name = x\nArrayHeight\n")
    with pytest.raises(InputError, match="expected \\[section\\] or key = value, got 'ArrayHeight'") as caught:
        load_hardware_config(path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
