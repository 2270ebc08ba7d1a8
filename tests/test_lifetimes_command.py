"""`gainflow lifetimes`: both ways in give identical outputs; one pair; bad input leaves nothing.
The SCALE-Sim runs read here are kept in tests/data/golden and tests/data/lifetimes (scripts/make_golden.py)."""

import io
import json
import shutil

import numpy as np
import pytest
from data_support import GOLDEN, LIFETIMES_EXTRAS
from gainflow.cli import main
from gainflow.events import SUBDIVISIONS
from gainflow.events.scalesim_traces import offsets_of
from gainflow.files import layout
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.lifetimes.aggregate import aggregate_csv, aggregate_row
from gainflow.lifetimes.histogram import summarize
from gainflow.lifetimes.interval_runs import IntervalSpill
from gainflow.lifetimes.intervals import lifetimes_from_trace_dir
from gainflow.lifetimes.layer_files import lifetime_csv, write_interval_csv
from gainflow.lifetimes.parts import load_part, save_part
from gainflow.lifetimes.stream import summary_from_simulator, summary_from_trace_dir

PADDING_CASE = LIFETIMES_EXTRAS / "padding_os"


def run_dir_of(case):
    run_name = next(line.split("=")[1].strip() for line in (case / "hw.cfg").read_text().splitlines()
                    if line.startswith("run_name"))
    return case / "expected" / run_name


def case_arguments(case):
    input_type = (case / "input_type").read_text().strip()
    return ["-t", str(case / "topology.csv"), "-c", str(case / "hw.cfg"), "-i", input_type]


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def streamed(folder, name, summary_of):
    """(BufferSummary, Total Cycles, its table's text) of one buffer the workflow's way: the events
    streamed, the intervals spilled in sorted runs (a few rows each) into a part and merged back."""
    folder.mkdir(exist_ok=True)
    with IntervalSpill(folder, run_intervals=7) as spill:
        summary, cycles = summary_of(spill)
        save_part(folder / f"{name}.part", summary, cycles, spill)
    _, _, runs = load_part(folder / f"{name}.part")
    text = io.BytesIO()
    write_interval_csv(text, [(name, runs.column_blocks(block=5))])
    return summary, cycles, text.getvalue().decode()


@pytest.mark.parametrize("case", [GOLDEN / "tiny_conv_ws", GOLDEN / "tiny_conv_is", GOLDEN / "tiny_gemm_os",
                                  GOLDEN / "ns_conv_os", GOLDEN / "dp_os", PADDING_CASE], ids=lambda c: c.name)
def test_csv_traces_and_simulator_give_identical_tables(tmp_path, case):
    """Per buffer, the same table and aggregate from the SCALE-Sim traces and from the simulator, the
    workflow's way, and the same table as `gainflow lifetimes` writes from the traces' intervals."""
    hw = load_hardware_config(case / "hw.cfg")
    run_dir = run_dir_of(case)
    layers = load_topology(case / "topology.csv", (case / "input_type").read_text().strip())
    assert len(layers) == len(list(run_dir.glob("layer*")))
    for index, layer in enumerate(layers):
        for name in SUBDIVISIONS:
            from_csv = streamed(tmp_path / "csv", name, lambda spill: summary_from_trace_dir(
                run_dir, index, name, offsets_of(hw), spill))
            from_simulator = streamed(tmp_path / "simulator", name,
                                      lambda spill: summary_from_simulator(layer, hw, name, spill))
            assert from_csv[1:] == from_simulator[1:]
            intervals = lifetimes_from_trace_dir(layout.layer_dir(run_dir, index), name, offsets_of(hw))
            assert from_csv[2] == lifetime_csv([intervals])
            assert len(from_csv[2].splitlines()) == 1 + len(intervals.lifetime)
            cycles = from_csv[1]
            assert aggregate_csv([aggregate_row(from_csv[0], cycles)]) == aggregate_csv(
                [aggregate_row(from_simulator[0], cycles)]) == aggregate_csv([aggregate_row(summarize(intervals),
                                                                                           cycles)])


def test_command_both_ways_writes_identical_files(tmp_path):
    case = PADDING_CASE
    assert main(["lifetimes", "-s", str(run_dir_of(case)), "-o", str(tmp_path / "csv")] + case_arguments(case)) == 0
    assert main(["lifetimes", "-o", str(tmp_path / "sim")] + case_arguments(case)) == 0
    from_csv = tree(tmp_path / "csv")
    assert sorted(from_csv) == ["padding_os/layer0/layer0_aggregate_data.csv", "padding_os/layer0/layer0_graph.png",
                                "padding_os/layer0/layer0_lifetime_data.csv",
                                "padding_os/layer0/layer0_lifetime_histogram.csv.gz", "padding_os/run_info.json"]
    assert from_csv == tree(tmp_path / "sim")
    # writes / unique_addresses per buffer: 1820/800, 9216/1152, 1024/1024, as plain numbers.
    aggregate = from_csv["padding_os/layer0/layer0_aggregate_data.csv"].decode().splitlines()
    column = aggregate[0].split(",").index("writes_per_address")
    assert [line.split(",")[column] for line in aggregate[1:]] == ["2.275", "8.0", "1.0"]


def test_run_info_and_layer_files(tmp_path):
    case = GOLDEN / "tiny_conv_os"
    assert main(["lifetimes", "-s", str(run_dir_of(case)), "-o", str(tmp_path)]) == 0
    info = json.loads((tmp_path / "tiny_os" / layout.RUN_INFO).read_text())
    # Without -t/-c: no topology, no hardware; Total Cycles from COMPUTE_REPORT.csv (159, 103, 183).
    assert info == {"run_name": "tiny_os", "topology": None, "hardware": None, "layers": [
        {"index": 0, "name": None, "macs": None, "total_cycles": 159},
        {"index": 1, "name": None, "macs": None, "total_cycles": 103},
        {"index": 2, "name": None, "macs": None, "total_cycles": 183}]}
    lines = layout.layer_file(tmp_path / "tiny_os", 0, layout.LIFETIME_TABLE).read_text().splitlines()
    assert lines[0] == "subdivision,address,lifetime,write_cycle,reads,first_read_cycle"
    aggregate = layout.layer_file(tmp_path / "tiny_os", 0, layout.AGGREGATE_TABLE).read_text().splitlines()
    # os dataflow: each of the 6x6x4 = 144 outputs (the report's DRAM OFMAP Writes) written once.
    ofmap = dict(zip(aggregate[0].split(","), aggregate[3].split(",")))
    assert (ofmap["subdivision"], ofmap["writes"], ofmap["unique_addresses"], ofmap["cycles"]) == (
        "ofmap", "144", "144", "159")


def test_one_pair(tmp_path):
    case = GOLDEN / "tiny_conv_os"
    arguments = ["-o", str(tmp_path), "--layer", "1", "--subdivision", "filter"] + case_arguments(case)
    assert main(["lifetimes"] + arguments) == 0
    assert sorted(p.name for p in (tmp_path / "tiny_os").iterdir()) == ["layer1", "run_info.json"]
    aggregate = layout.layer_file(tmp_path / "tiny_os", 1, layout.AGGREGATE_TABLE).read_text().splitlines()
    assert [line.split(",")[0] for line in aggregate[1:]] == ["filter"]
    # The same pair from the traces gives the same table.
    assert main(["lifetimes", "-s", str(run_dir_of(case)), "-o", str(tmp_path / "csv"), "--layer", "1",
                 "--subdivision", "filter"]) == 0
    assert layout.layer_file(tmp_path / "csv" / "tiny_os", 1, layout.LIFETIME_TABLE).read_bytes() == (
        layout.layer_file(tmp_path / "tiny_os", 1, layout.LIFETIME_TABLE).read_bytes())


@pytest.mark.parametrize("arguments, message", [
    (["--layer", "3"], "--layer 3: no such layer"),
    (["-c", str(GOLDEN / "tiny_conv_os" / "hw.cfg")], "both -t TOPOLOGY and -c CONFIG"),
])
def test_bad_arguments(arguments, message, tmp_path, capsys):
    extra = case_arguments(GOLDEN / "tiny_conv_os") if arguments[0] == "--layer" else []
    assert main(["lifetimes", "-o", str(tmp_path / "out")] + extra + arguments) == 2
    assert message in capsys.readouterr().err
    assert tree(tmp_path) == {}


def test_bad_trace_after_a_finished_layer_leaves_no_output(tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(run_dir_of(GOLDEN / "tiny_conv_os"), run)
    trace = run / "layer1" / "OFMAP_DRAM_TRACE.csv"
    lines = trace.read_text().splitlines()
    trace.write_text("\n".join(lines[:5]) + "\n" + lines[5][: len(lines[5]) // 2])  # cut inside line 6
    out = tmp_path / "out"
    assert main(["lifetimes", "-s", str(run), "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert f"{trace}, line 6" in error and error.startswith("gainflow lifetimes: error:")
    assert tree(out) == {}


def test_output_path_that_is_a_file(tmp_path, capsys):
    (tmp_path / "out").write_text("")
    assert main(["lifetimes", "-s", str(run_dir_of(GOLDEN / "tiny_conv_os")), "-o", str(tmp_path / "out")]) == 2
    assert "out: -o: exists and is not a directory" in capsys.readouterr().err


def test_folder_without_traces_exits_non_zero(tmp_path, capsys):
    shutil.copy(run_dir_of(GOLDEN / "tiny_conv_os") / "COMPUTE_REPORT.csv", tmp_path)
    assert main(["lifetimes", "-s", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    assert "no layer<i>/ folders" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_address_outside_the_configured_offsets(tmp_path, capsys):
    # With FilterOffset 100 the IFMAP range is [0, 100): the tiny IFMAP (addresses up to 127) leaves it.
    config = tmp_path / "hw.cfg"
    config.write_text((GOLDEN / "tiny_conv_os" / "hw.cfg").read_text().replace("FilterOffset:   10000000",
                                                                                "FilterOffset:   100"))
    assert main(["lifetimes", "-s", str(run_dir_of(GOLDEN / "tiny_conv_os")), "-o", str(tmp_path / "out"),
                 "-c", str(config), "--subdivision", "ifmap"]) == 2
    error = capsys.readouterr().err
    assert "IFMAP_DRAM_TRACE.csv, line" in error and "outside this buffer's range [0, 100)" in error
    assert tree(tmp_path / "out") == {}
