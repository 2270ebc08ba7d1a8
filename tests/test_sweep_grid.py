"""Hardware grids (gainflow.sweep.grid): expansion, point names, .cfg text, and the entries it rejects."""

import functools
import subprocess
import sys
from pathlib import Path

import pytest

from gainflow.errors import InputError
from gainflow.inputs.hwconfig import HardwareConfig, load_hardware_config
from gainflow.sweep.grid import check_names, expand_grids, point_config_text

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def shipped(name):
    return load_hardware_config(ROOT / "hardware" / f"{name}.cfg")


def names(grids):
    return [point.name for point in expand_grids(grids, shipped)]


def rejection(grids):
    with pytest.raises(InputError) as caught:
        expand_grids(grids, shipped)
    return str(caught.value)


def test_every_combination_in_axis_order_named_after_its_parameters():
    grid = {"array": ["32x32", "64x16"], "dataflow": ["os", "is"], "ifmap_sram_kb": [64, 512],
            "filter_sram_kb": 128}
    assert names(grid) == [
        "a32x32-os-i64-f128-o64", "a32x32-os-i512-f128-o64",
        "a32x32-is-i64-f128-o64", "a32x32-is-i512-f128-o64",
        "a64x16-os-i64-f128-o64", "a64x16-os-i512-f128-o64",
        "a64x16-is-i64-f128-o64", "a64x16-is-i512-f128-o64",
    ]


def test_axes_left_out_take_the_base_values():
    # eyeriss_ws.cfg: 12x14, ws, 36 kB each.
    [point] = expand_grids({"base": "eyeriss_ws", "ofmap_sram_kb": [8]}, shipped)
    assert point.name == "a12x14-ws-i36-f36-o8"
    assert (point.base, point.array_height, point.array_width) == ("eyeriss_ws", 12, 14)
    # The default base is scale32_os (32x32, os, 64 kB each).
    assert names({"dataflow": "ws"}) == ["a32x32-ws-i64-f64-o64"]


def test_list_of_grids_keeps_each_point_once():
    grids = [{"array": ["8x8", "16x16"]}, {"array": ["16x16", "4x4"], "dataflow": ["os", "ws"]}]
    assert names(grids) == ["a8x8-os-i64-f64-o64", "a16x16-os-i64-f64-o64", "a16x16-ws-i64-f64-o64",
                            "a4x4-os-i64-f64-o64", "a4x4-ws-i64-f64-o64"]


def test_one_point_from_two_bases_is_an_error():
    message = rejection([{"array": "12x14", "dataflow": "ws", "ifmap_sram_kb": 36, "filter_sram_kb": 36,
                          "ofmap_sram_kb": 36},
                         {"base": "eyeriss_ws"}])
    assert "hardware_grid[1].base" in message and "a12x14-ws-i36-f36-o36" in message
    assert "scale32_os and eyeriss_ws" in message


def test_no_grid_no_points():
    assert expand_grids(None, shipped) == []


@pytest.mark.parametrize("entry, key, shown", [
    ({"array": ["32x32", "32y32"]}, "hardware_grid.array", "'32y32'"),
    ({"array": ["0x8"]}, "hardware_grid.array", "'0x8'"),
    ({"array": [16]}, "hardware_grid.array", "16"),  # YAML reads 0x10 as the number 16
    ({"array": ["x8"]}, "hardware_grid.array", "'x8'"),
    ({"dataflow": ["os", "rs"]}, "hardware_grid.dataflow", "'rs'"),
    ({"ifmap_sram_kb": [64, 0]}, "hardware_grid.ifmap_sram_kb", "0"),
    ({"filter_sram_kb": -4}, "hardware_grid.filter_sram_kb", "-4"),
    ({"ofmap_sram_kb": ["64"]}, "hardware_grid.ofmap_sram_kb", "'64'"),
    ({"ofmap_sram_kb": [True]}, "hardware_grid.ofmap_sram_kb", "True"),
    ({"ofmap_sram_kb": [1.5]}, "hardware_grid.ofmap_sram_kb", "1.5"),
    ({"ofmap_sram_kb": []}, "hardware_grid.ofmap_sram_kb", "at least one value"),
    ({"arrays": ["8x8"]}, "hardware_grid.arrays", "'arrays'"),
])
def test_bad_entry_is_named_with_its_value(entry, key, shown):
    message = rejection(entry)
    assert f"key '{key}'" in message and shown in message


def test_bad_entry_of_a_later_grid_names_that_grid():
    message = rejection([{"array": "8x8"}, {"dataflow": ["xs"]}])
    assert "key 'hardware_grid[1].dataflow'" in message and "'xs'" in message


def test_missing_base_is_named():
    message = rejection({"base": "nope", "array": "8x8"})
    assert "key 'hardware_grid.base'" in message and "'nope'" in message and "nope.cfg" in message


def test_read_buffer_narrower_than_a_demand_row_is_rejected():
    # 1 kB: sets of 1024 // 100 = 10 words, windows of 50 sets = 500 words.
    assert names({"array": "500x8", "ifmap_sram_kb": 1, "filter_sram_kb": 1}) == ["a500x8-os-i1-f1-o64"]
    message = rejection({"array": ["8x8", "8x501"], "ifmap_sram_kb": 1, "filter_sram_kb": 1})
    assert "key 'hardware_grid.ifmap_sram_kb'" in message
    assert "1 (with array 8x501)" in message and "500 words" in message
    # 2 kB: 20-word sets, 1000-word windows; the filter buffer is checked as well.
    assert names({"array": "1000x1000", "ifmap_sram_kb": 2, "filter_sram_kb": 2}) == ["a1000x1000-os-i2-f2-o64"]
    assert "key 'hardware_grid.filter_sram_kb'" in rejection(
        {"array": "1001x4", "ifmap_sram_kb": 3, "filter_sram_kb": 2})


def test_point_named_like_a_named_config_is_an_error():
    points = expand_grids({"array": "8x8"}, shipped)
    check_names(["scale32_os"], points)
    with pytest.raises(InputError, match="a8x8-os-i64-f64-o64 has the name of a config in `hardware`"):
        check_names(["scale32_os", "a8x8-os-i64-f64-o64"], points)


def test_cfg_text_is_the_base_with_the_point_parameters():
    [point] = expand_grids({"base": "scale32_os", "array": "16x8", "dataflow": "is", "ifmap_sram_kb": 128,
                            "filter_sram_kb": 32, "ofmap_sram_kb": 16}, shipped)
    base_text = (ROOT / "hardware" / "scale32_os.cfg").read_text()
    assert point_config_text(point, base_text) == (
        "[general]\n"
        "run_name = a16x8-is-i128-f32-o16\n"
        "\n"
        "[architecture_presets]\n"
        "ArrayHeight:    16\n"
        "ArrayWidth:     8\n"
        "IfmapSramSzkB:  128\n"
        "FilterSramSzkB: 32\n"
        "OfmapSramSzkB:  16\n"
        "IfmapOffset:    0\n"
        "FilterOffset:   10000000\n"
        "OfmapOffset:    20000000\n"
        "Bandwidth:      10\n"
        "Dataflow:       is\n"
        "MemoryBanks:    1\n"
        "\n"
        "[run_presets]\n"
        "InterfaceBandwidth: CALC\n"
    )


@pytest.mark.parametrize("base", ["scale32_os", "eyeriss_ws", "tpu256_ws"])
def test_point_with_the_base_parameters_is_the_base_file_renamed(base):
    [point] = expand_grids({"base": base}, shipped)
    text = (ROOT / "hardware" / f"{base}.cfg").read_text()
    assert point_config_text(point, text) == text.replace(f"run_name = {base}", f"run_name = {point.name}")


def test_cfg_text_reads_back_to_the_point(tmp_path):
    for point in expand_grids({"base": "eyeriss_ws", "array": ["7x300", "128x128"], "dataflow": ["os", "ws", "is"],
                               "ifmap_sram_kb": [8, 1024], "filter_sram_kb": 9, "ofmap_sram_kb": 1}, shipped):
        path = tmp_path / f"{point.name}.cfg"
        path.write_text(point_config_text(point, (ROOT / "hardware" / "eyeriss_ws.cfg").read_text()))
        assert load_hardware_config(path) == HardwareConfig(
            run_name=point.name, array_height=point.array_height, array_width=point.array_width,
            ifmap_sram_kb=point.ifmap_sram_kb, filter_sram_kb=9, ofmap_sram_kb=1,
            ifmap_offset=0, filter_offset=10000000, ofmap_offset=20000000, dataflow=point.dataflow,
            interface_bandwidth="CALC")


def test_cfg_text_keeps_the_base_spelling_and_extra_keys():
    base_text = ("[general]\nRun_Name = mine\n\n[architecture_presets]\narrayheight: 4\nArrayWidth: 4\n"
                 "IFMAPSRAMSZKB: 1\nFilterSramSzkB: 1\nOfmapSramSzkB: 1\nIfmapOffset: 5\nFilterOffset: 6\n"
                 "OfmapOffset: 7\nDataflow: os\nReadRequestBuffer: 32\n\n[run_presets]\nInterfaceBandwidth: CALC\n")
    [point] = expand_grids({"array": "2x3", "ifmap_sram_kb": 2}, shipped)
    text = point_config_text(point, base_text)
    assert "Run_Name = a2x3-os-i2-f64-o64\n" in text
    assert "arrayheight:    2\n" in text and "IFMAPSRAMSZKB:  2\n" in text and "ReadRequestBuffer: 32\n" in text
    assert "IfmapOffset:    5\n" in text


def run_grid_point_script(tmp_path, name, array="16x8"):
    output = tmp_path / "out" / f"{name}.cfg"
    result = subprocess.run(
        [sys.executable, ROOT / "workflow" / "scripts" / "grid_point.py", "--base", ROOT / "hardware" / "scale32_os.cfg",
         "--name", name, "--array", array, "--dataflow", "ws", "--ifmap-sram-kb", "8", "--filter-sram-kb", "16",
         "--ofmap-sram-kb", "32", "--output", output], capture_output=True, text=True)
    return result, output


def test_workflow_script_writes_the_point_config(tmp_path):
    result, output = run_grid_point_script(tmp_path, "a16x8-ws-i8-f16-o32")
    assert result.returncode == 0, result.stderr
    assert load_hardware_config(output) == HardwareConfig(
        run_name="a16x8-ws-i8-f16-o32", array_height=16, array_width=8, ifmap_sram_kb=8, filter_sram_kb=16,
        ofmap_sram_kb=32, ifmap_offset=0, filter_offset=10000000, ofmap_offset=20000000, dataflow="ws",
        interface_bandwidth="CALC")


@pytest.mark.parametrize("name, array, message", [
    ("a16x8-os-i8-f16-o32", "16x8", "the parameters make the point a16x8-ws-i8-f16-o32"),
    ("a16x0-ws-i8-f16-o32", "16x0", "key 'point.array'"),
])
def test_workflow_script_refuses_a_bad_point_and_writes_nothing(tmp_path, name, array, message):
    result, output = run_grid_point_script(tmp_path, name, array)
    assert result.returncode != 0 and message in result.stderr
    assert not output.parent.exists() or not any(output.parent.iterdir())
