"""The workflow over an existing SCALE-Sim run (config `scalesim_runs`): its lifetime jobs parse the
run's traces, the layer, report and summary steps follow with every clock and device corner, and the
results are byte for byte those of the workflow simulating the same inputs. Bad entries stop the
workflow before any job runs, naming the key."""

import re
import shutil

import pytest
import yaml
from data_support import SCALESIM_RUNS
from workflow_support import (TINY, failed_dry_run, make_workflow_copy, planned_jobs, printed_jobs, result_files,
                              rule_counts, snakemake)

from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.sweep import resources

CASE = SCALESIM_RUNS / "tiny_gemm_ws_offsets"  # SCALE-Sim 2.0.2's run of tiny_gemm on tiny_ws_offsets
RUN_NAME = "tiny_ws_offsets"
RUN_DIR = f"runs/{RUN_NAME}"  # where the tests put it, relative to the workflow's folder
ENTRY = {"dir": RUN_DIR, "topology": "tiny_gemm", "hardware": RUN_NAME}
SETTINGS = {
    "clock_hz": [1.0e9, 5.0e8],
    "device_corners": {"nominal": {}, "sisi": {"gc_list": "hardware/devices/sisi_retention_1us.json"}},
}
REPORTS = {f"tiny_gemm/{RUN_NAME}/report-{clock}-{corner}-fill.json"
           for clock in ("1GHz", "500MHz") for corner in ("nominal", "sisi")}


def workflow_copy(dest, config):
    """A workflow copy with the case's topology and config among the tiny sweep's, and its run in RUN_DIR."""
    inputs = dest / "inputs"
    inputs.mkdir(parents=True)
    shutil.copy(CASE / "topology.csv", inputs / "tiny_gemm.csv")
    shutil.copy(CASE / "hw.cfg", inputs / f"{RUN_NAME}.cfg")
    workdir = make_workflow_copy(dest / "sweep", topologies=[TINY / "tiny.csv", inputs / "tiny_gemm.csv"],
                                 hardware=[TINY / "tiny_os.cfg", TINY / "tiny_ws.cfg", inputs / f"{RUN_NAME}.cfg"])
    shutil.copytree(CASE / "expected" / RUN_NAME, workdir / RUN_DIR)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump({**SETTINGS, **config}))
    return workdir


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    workdir = workflow_copy(tmp_path_factory.mktemp("simulated"), {"topologies": ["tiny_gemm"], "hardware": [RUN_NAME]})
    snakemake(workdir)
    return workdir


@pytest.fixture(scope="module")
def from_traces(tmp_path_factory):
    workdir = workflow_copy(tmp_path_factory.mktemp("from_traces"), {"scalesim_runs": {RUN_NAME: ENTRY}})
    snakemake(workdir)
    return workdir


def test_the_existing_run_gives_the_simulated_runs_bytes(simulated, from_traces):
    parsed, simulated_files = result_files(from_traces), result_files(simulated)
    assert REPORTS <= set(parsed)
    assert "summary/summary.csv" in parsed and f"tiny_gemm/{RUN_NAME}/layer1/layer1_aggregate_data.csv" in parsed
    assert parsed == simulated_files
    assert (from_traces / "results" / "summary" / "pareto_tiny_gemm.png").is_file()


def test_its_jobs_parse_the_runs_traces(tmp_path):
    workdir = workflow_copy(tmp_path, {"scalesim_runs": {RUN_NAME: ENTRY}})
    assert rule_counts(planned_jobs(workdir)) == {
        "scalesim_run": 1, "scalesim_lifetimes": 6, "layer": 2, "graphs_tiny_gemm_layers0_1": 1, "report": 4,
        "summary": 1}
    # Each lifetime job asks for what parsing its buffer's traces takes.
    works = [resources.layer_work(layer, load_hardware_config(CASE / "hw.cfg"))
             for layer in load_topology(CASE / "topology.csv", "gemm")]
    for job in printed_jobs(snakemake(workdir, "--dry-run").stdout):
        if job["rule"] == "scalesim_lifetimes":
            expected = resources.estimate(resources.lifetimes_work(works[int(job["wildcards"]["layer"])],
                                                                   job["wildcards"]["sub"], tables=False, traces=True))
            assert (job["mem_mb"], job["runtime_min"]) == (expected.mem_mb, expected.runtime_min), job
    commands = snakemake(workdir, "--dry-run", "--printshellcmds").stdout
    parses = re.findall(r"lifetimes_part\.py --run-info (\S+) --traces (\S+) --layer (\d) --subdivision (\w+)", commands)
    assert sorted(parses) == sorted((f"results/tiny_gemm/{RUN_NAME}/run_info.json", RUN_DIR, layer, sub)
                                    for layer in "01" for sub in ("ifmap", "filter", "ofmap"))
    edges = set(re.findall(r"(\w+) -> (\w+)", rule_graph(workdir)))
    assert {("scalesim_run", "scalesim_lifetimes"), ("scalesim_lifetimes", "layer"), ("layer", "report"),
            ("report", "summary")} <= edges
    assert not {rule for edge in edges for rule in edge} & {"simulate", "lifetimes", "named_hardware"}


def rule_graph(workdir):
    """`snakemake --rulegraph` with each node's number replaced by its rule's name."""
    dot = snakemake(workdir, "--rulegraph").stdout
    labels = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", dot, re.MULTILINE))
    return "\n".join(f"{labels[a]} -> {labels[b]}" for a, b in re.findall(r"^\s*(\d+) -> (\d+)$", dot, re.MULTILINE))


def test_existing_runs_join_a_simulated_sweep(tmp_path):
    workdir = workflow_copy(tmp_path, {"topologies": ["tiny"], "hardware": ["tiny_os"],
                                       "scalesim_runs": {RUN_NAME: ENTRY}})
    jobs = planned_jobs(workdir)
    assert rule_counts(jobs) == {
        "named_hardware": 1, "simulate": 1, "lifetimes": 9, "scalesim_run": 1, "scalesim_lifetimes": 6, "layer": 5,
        "graphs_tiny_layers0_2": 1, "graphs_tiny_gemm_layers0_1": 1, "report": 8, "summary": 1}
    assert {(job["topo"], job["hw"]) for rule, job in jobs if rule == "report"} == {
        ("tiny", "tiny_os"), ("tiny_gemm", RUN_NAME)}


def remove_layer1(workdir):
    shutil.rmtree(workdir / RUN_DIR / "layer1")


@pytest.mark.parametrize("entry, edit, expected", [
    ({"dir": "runs/elsewhere"}, None, "runs/elsewhere, key 'scalesim_runs.tiny_ws_offsets.dir': not a directory"),
    ({}, remove_layer1, "key 'scalesim_runs.tiny_ws_offsets.dir': missing traces: layer1/FILTER_DRAM_TRACE.csv"),
    # tiny_ws: the run's array and dataflow, SCALE-Sim's default offsets.
    ({"hardware": "tiny_ws"}, None,
     "runs/tiny_ws_offsets/layer0/FILTER_DRAM_TRACE.csv, line 1, key 'scalesim_runs.tiny_ws_offsets.hardware': "
     "address 3000034 is outside the filter buffer's range [10000000, 20000000)"),
    ({"hardware": "tiny_os"}, None,
     "line 2, key 'scalesim_runs.tiny_ws_offsets.hardware': layer 0 (g1) has Mapping Efficiency 42.1875 %"),
    ({"topology": "tiny"}, None,
     "key 'scalesim_runs.tiny_ws_offsets.topology': the run's LayerIDs are 0-1, but topology tiny has layers 0 to 2"),
    ({"topology": "nope"}, None, "topologies/nope.csv (config scalesim_runs.tiny_ws_offsets.topology)"),
    ({"hardware": "nope"}, None, "hardware/nope.cfg (config scalesim_runs.tiny_ws_offsets.hardware)"),
], ids=["missing dir", "missing layer folder", "other offsets", "other dataflow", "other topology",
        "no topology file", "no hardware file"])
def test_a_bad_entry_stops_the_workflow_naming_its_key(tmp_path, entry, edit, expected):
    workdir = workflow_copy(tmp_path, {"scalesim_runs": {RUN_NAME: {**ENTRY, **entry}}})
    if edit:
        edit(workdir)
    assert expected in failed_dry_run(workdir)


def test_a_run_named_like_a_hardware_config_is_refused(tmp_path):
    workdir = workflow_copy(tmp_path, {"topologies": ["tiny"], "hardware": [RUN_NAME],
                                       "scalesim_runs": {RUN_NAME: ENTRY}})
    assert "key 'scalesim_runs.tiny_ws_offsets': named like a hardware config" in failed_dry_run(workdir)


def test_an_entry_needs_its_three_keys(tmp_path):
    workdir = workflow_copy(tmp_path, {"scalesim_runs": {RUN_NAME: {"dir": RUN_DIR, "topology": "tiny_gemm"}}})
    assert "'hardware' is a required property" in failed_dry_run(workdir)


def test_nothing_to_sweep(tmp_path):
    workdir = workflow_copy(tmp_path, {"hardware": ["tiny_os"]})
    assert "nothing to sweep" in failed_dry_run(workdir)
