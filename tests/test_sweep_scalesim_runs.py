"""Existing SCALE-Sim runs as sweep inputs (gainflow.sweep.scalesim_runs): an entry is checked against
its run's reports and traces, and every problem names the entry's key."""

import shutil

import pytest
from pathlib import Path

from data_support import GOLDEN, SCALESIM_RUNS
from gainflow.errors import InputError
from gainflow.events.scalesim_traces import read_compute_report, read_total_cycles
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.sweep.scalesim_runs import ScalesimRun, check_run_names, check_scalesim_run, scalesim_runs

CASE = SCALESIM_RUNS / "tiny_gemm_ws_offsets"  # SCALE-Sim 2.0.2: two GEMMs on an 8x8 ws array
RUN = CASE / "expected" / "tiny_ws_offsets"
LAYERS = load_topology(CASE / "topology.csv", "gemm")
HARDWARE = load_hardware_config(CASE / "hw.cfg")


def entry(run_dir=RUN):
    return ScalesimRun("mine", run_dir, "tiny_gemm", "tiny_ws_offsets")


@pytest.fixture
def run_copy(tmp_path):
    return shutil.copytree(RUN, tmp_path / "run")


def test_the_run_of_its_topology_and_hardware_passes():
    check_scalesim_run(entry(), LAYERS, HARDWARE)


def test_config_entries_become_runs():
    runs = scalesim_runs({"mine": {"dir": "runs/x", "topology": "tiny_gemm", "hardware": "tiny_ws"}})
    assert runs == {"mine": ScalesimRun("mine", Path("runs/x"), "tiny_gemm", "tiny_ws")}
    assert runs["mine"].key("dir") == "scalesim_runs.mine.dir"
    assert scalesim_runs(None) == {}


def test_a_missing_directory_names_the_dir_key(tmp_path):
    with pytest.raises(InputError, match="key 'scalesim_runs.mine.dir': not a directory") as error:
        check_scalesim_run(entry(tmp_path / "nowhere"), LAYERS, HARDWARE)
    assert error.value.path == str(tmp_path / "nowhere")


def test_a_missing_report_names_the_dir_key(run_copy):
    (run_copy / "BANDWIDTH_REPORT.csv").unlink()
    with pytest.raises(InputError, match="key 'scalesim_runs.mine.dir': no BANDWIDTH_REPORT.csv"):
        check_scalesim_run(entry(run_copy), LAYERS, HARDWARE)


def test_missing_traces_are_named(run_copy):
    shutil.rmtree(run_copy / "layer1")
    (run_copy / "layer0" / "OFMAP_DRAM_TRACE.csv").unlink()
    with pytest.raises(InputError) as error:
        check_scalesim_run(entry(run_copy), LAYERS, HARDWARE)
    assert error.value.key == "scalesim_runs.mine.dir"
    # layer0 lacks one file, layer1 all six: five named, two counted.
    assert ("missing traces: layer0/OFMAP_DRAM_TRACE.csv, layer1/FILTER_DRAM_TRACE.csv, "
            "layer1/FILTER_SRAM_TRACE.csv, layer1/IFMAP_DRAM_TRACE.csv, layer1/IFMAP_SRAM_TRACE.csv and 2 more") \
        in error.value.detail


@pytest.mark.parametrize("topology, message", [
    ("tiny.csv", "the run's LayerIDs are 0-1, but topology tiny_gemm has layers 0 to 2"),
    ("tiny1_gemm.csv", "the run's LayerIDs are 0-1, but topology tiny_gemm has layers 0 to 0"),
])
def test_another_layer_count_names_the_topology_key(topology, message):
    input_type = "gemm" if topology.endswith("_gemm.csv") else "conv"
    layers = load_topology(GOLDEN.parent / "workflow" / topology, input_type)
    with pytest.raises(InputError, match="key 'scalesim_runs.mine.topology'") as error:
        check_scalesim_run(entry(), layers, HARDWARE)
    assert error.value.detail == message


@pytest.mark.parametrize("config, found", [
    # g1 (M 20, N 12, K 9) on 8x8 os: 20 pixels x 12 filters -> folds 8x8, 8x8, 4x8, 8x4, 8x4, 4x4 of
    # 64 PEs, mapping (1 + 1 + .5 + .5 + .5 + .25) / 6 = 62.5 %.
    ("tiny_conv_os", "but 62.5 % and"),
    # On 12x5 ws: 9 window rows x 12 filters -> folds 9x5, 9x5, 9x2 of 60 PEs: (.75 + .75 + .3) / 3 = 60 %.
    ("ns_conv_ws", "but 60 % and"),
])
def test_another_array_or_dataflow_names_the_hardware_key(config, found):
    with pytest.raises(InputError) as error:
        check_scalesim_run(entry(), LAYERS, load_hardware_config(GOLDEN / config / "hw.cfg"))
    assert error.value.key == "scalesim_runs.mine.hardware"
    assert error.value.path == str(RUN / "COMPUTE_REPORT.csv") and error.value.line == 2
    # g1 on the run's 8x8 ws array: 9 window rows x 12 filters -> folds 8x8, 1x8, 8x4, 1x4:
    # (1 + .125 + .5 + .0625) / 4 = 42.1875 %.
    assert error.value.detail.startswith("layer 0 (g1) has Mapping Efficiency 42.1875 % and Compute Util")
    assert found in error.value.detail


def test_other_offsets_name_the_hardware_key(tmp_path):
    # The run's config with SCALE-Sim's default offsets (0, 10000000, 20000000): its IFMAP addresses
    # (from 1000000) still lie in [0, 10000000), its FILTER ones (from 3000000) do not.
    config = tmp_path / "defaults.cfg"
    config.write_text((CASE / "hw.cfg").read_text().replace("1000000", "0").replace("3000000", "10000000")
                      .replace("5000000", "20000000"))
    with pytest.raises(InputError) as error:
        check_scalesim_run(entry(), LAYERS, load_hardware_config(config))
    assert error.value.key == "scalesim_runs.mine.hardware"
    assert error.value.path == str(RUN / "layer0" / "FILTER_DRAM_TRACE.csv") and error.value.line == 1
    assert error.value.detail.startswith("address 3000034 is outside the filter buffer's range [10000000, 20000000)")
    assert "(FilterOffset 10000000)" in error.value.detail


def test_a_first_line_of_empty_slots_is_not_held_against_the_run(run_copy):
    trace = run_copy / "layer1" / "OFMAP_DRAM_TRACE.csv"
    first, rest = trace.read_text().split("\n", 1)
    width = first.count(",")
    trace.write_text("0.0" + ",-1.0" * width + "\n" + first + "\n" + rest)
    check_scalesim_run(entry(run_copy), LAYERS, HARDWARE)


def test_figures_rounded_elsewhere_still_match(run_copy):
    report = run_copy / "COMPUTE_REPORT.csv"
    report.write_text(report.read_text().replace("42.1875", "42.18750000001"))
    check_scalesim_run(entry(run_copy), LAYERS, HARDWARE)


def test_an_unreadable_compute_report_names_the_dir_key(run_copy):
    report = run_copy / "COMPUTE_REPORT.csv"
    report.write_text(report.read_text().replace("42.1875", "many"))
    with pytest.raises(InputError, match="line 2, key 'scalesim_runs.mine.dir': expected numbers"):
        check_scalesim_run(entry(run_copy), LAYERS, HARDWARE)


def test_a_run_named_like_a_hardware_config_is_refused():
    check_run_names({"mine": entry()}, {"tiny_os", "tiny_ws"})
    with pytest.raises(InputError, match="key 'scalesim_runs.mine': named like a hardware config"):
        check_run_names({"mine": entry()}, {"mine"})


def test_compute_report_columns_by_name():
    # The run's COMPUTE_REPORT.csv, as SCALE-Sim wrote it: header, then layer 0 on line 2, layer 1 on line 3.
    assert read_compute_report(RUN, {"Total Cycles": int, "Compute Util %": float}) == {
        0: (2, {"Total Cycles": 167, "Compute Util %": 17.21938775510204}),
        1: (3, {"Total Cycles": 144, "Compute Util %": 10.026041666666668}),
    }
    assert read_total_cycles(RUN) == {0: 167, 1: 144}
