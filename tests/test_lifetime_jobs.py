"""The workflow's lifetime job (workflow/scripts/lifetimes_part.py), run as the rule runs it: it reads
its run's run_info.json, takes its layer's events from SCALE-Sim traces or by re-simulating the layer,
and refuses a layer whose Total Cycles differ from the run's record."""

import shutil
import subprocess
import sys

import pytest
from data_support import GOLDEN
from gainflow.files.run_info import LayerInfo, RunInfo
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.lifetimes.parts import load_part
from workflow_support import ROOT

ADAPTER = ROOT / "workflow" / "scripts" / "lifetimes_part.py"
CASE = GOLDEN / "tiny_conv_os"  # SCALE-Sim 2.0.2's run of three conv layers, traces kept
TRACES = CASE / "expected" / "tiny_os"
# Total Cycles of its layers, from its COMPUTE_REPORT.csv.
TOTAL_CYCLES = (159, 103, 183)


def write_run_info(path, total_cycles=TOTAL_CYCLES):
    layers = [LayerInfo(index, cycles) for index, cycles in enumerate(total_cycles)]
    RunInfo.of_run("tiny_os", layers, hardware=load_hardware_config(CASE / "hw.cfg")).write(path)
    return path


def run_job(tmp_path, run_info, source, layer=1, subdivision="ifmap", traces=TRACES, extra=()):
    output = tmp_path / f"layer{layer}_{subdivision}.part"
    arguments = {
        "traces": ["--traces", traces, *extra],
        "simulator": ["--topology", CASE / "topology.csv", "--input-type", "conv", "--hardware", CASE / "hw.cfg"],
    }[source]
    command = [sys.executable, ADAPTER, "--run-info", run_info, *arguments, "--layer", str(layer),
               "--subdivision", subdivision, "--output", output]
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    return result, output


@pytest.mark.parametrize("subdivision", ["ifmap", "filter", "ofmap"])
def test_traces_and_simulator_hand_over_the_same_part(tmp_path, subdivision):
    run_info = write_run_info(tmp_path / "run_info.json")
    parts = {}
    for source in ("traces", "simulator"):
        result, output = run_job(tmp_path / source, run_info, source, subdivision=subdivision)
        assert result.returncode == 0, result.stderr
        parts[source] = output.read_bytes()
        assert load_part(output)[1] == TOTAL_CYCLES[1]
    assert parts["traces"] == parts["simulator"]


@pytest.mark.parametrize("source", ["traces", "simulator"])
def test_total_cycles_unlike_the_runs_record_fail_the_job(tmp_path, source):
    run_info = write_run_info(tmp_path / "run_info.json", total_cycles=(159, 104, 183))
    result, output = run_job(tmp_path, run_info, source)
    assert result.returncode != 0
    message = result.stderr
    assert f"{run_info}, key 'layers.1.total_cycles'" in message
    assert "layer 1 takes 104 Total Cycles in the run, but 103 from" in message
    assert ("its traces in" if source == "traces" else "re-simulating it") in message
    assert not output.exists() and list(tmp_path.iterdir()) == [run_info]


def test_a_layer_missing_from_the_record_fails_the_job(tmp_path):
    run_info = write_run_info(tmp_path / "run_info.json", total_cycles=(159,))
    result, output = run_job(tmp_path, run_info, "traces")
    assert result.returncode != 0
    assert f"{run_info}, key 'layers': no entry for layer 1" in result.stderr
    assert not output.exists()


def test_either_traces_or_a_layer_to_simulate(tmp_path):
    run_info = write_run_info(tmp_path / "run_info.json")
    command = [sys.executable, ADAPTER, "--run-info", run_info, "--layer", "0", "--subdivision", "ifmap",
               "--output", tmp_path / "out.part"]
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    assert result.returncode == 2
    assert "give either --traces or all of --topology, --input-type and --hardware" in result.stderr


def first_write_before_an_earlier_one(trace):
    """The number of the first line of a trace with an access at a cycle below an earlier access's."""
    latest = None
    for number, line in enumerate(trace.read_text().splitlines(), start=1):
        cycle, *addresses = (int(field) for field in line.split(","))
        if any(address != -1 for address in addresses):
            if latest is not None and cycle < latest:
                return number
            latest = cycle
    raise AssertionError(f"{trace} is in cycle order")


def test_streaming_job_names_a_trace_out_of_cycle_order(tmp_path):
    """The job streams the events, which must come in cycle order, with or without --intervals: OFMAP
    writes reversed stop it naming the trace and its line, and leave no part and no spilled file."""
    run_info = write_run_info(tmp_path / "run_info.json")
    traces = tmp_path / "tiny_os"
    shutil.copytree(TRACES, traces)
    writes = traces / "layer1" / "OFMAP_SRAM_TRACE.csv"
    writes.write_text("".join(reversed(writes.read_text().splitlines(keepends=True))))
    for name, extra in (("streamed", []), ("intervals", ["--intervals"])):
        result, output = run_job(tmp_path / name, run_info, "traces", subdivision="ofmap", traces=traces, extra=extra)
        assert result.returncode != 0
        assert f"lifetimes: error: {writes}, line {first_write_before_an_earlier_one(writes)}: events not in " \
               f"cycle order" in result.stderr
        assert not output.exists() and list(output.parent.iterdir()) == []
