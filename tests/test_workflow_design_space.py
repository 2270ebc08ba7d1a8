"""Design-space axes of the workflow, run for real: hardware grid points next to named configs,
several clocks and device corners; bad axis entries stop the run before any job; adding a value
runs only the jobs it needs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_support import (
    TINY,
    edit_config,
    failed_dry_run,
    make_workflow_copy,
    planned_jobs,
    private_copy,
    replace_in_file,
    rule_counts,
    snakemake,
)

from gainflow.inputs.hwconfig import HardwareConfig, load_hardware_config

GAINFLOW = Path(sys.executable).with_name("gainflow")
# tiny1_gemm: one GEMM layer. One named config and a two-point grid on tiny_os's other keys.
SWEEP = {
    "topologies": ["tiny1_gemm"],
    "hardware": ["tiny_ws"],
    "hardware_grid": {"base": "tiny_os", "array": ["4x4", "8x4"], "ifmap_sram_kb": 2},
}
POINTS = ("a4x4-os-i2-f1-o1", "a8x4-os-i2-f1-o1")
HARDWARE = ("tiny_ws", *POINTS)
# The jobs of one new (topology, hardware) run of the one-layer topology.
ONE_RUN = {"simulate": 1, "lifetimes": 3, "layer": 1, "graphs_tiny1_gemm_layers0_0": 1, "report": 1}


def write_config(workdir, config):
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))


@pytest.fixture(scope="module")
def completed_grid(tmp_path_factory):
    workdir = make_workflow_copy(tmp_path_factory.mktemp("grid"))
    write_config(workdir, SWEEP)
    snakemake(workdir)
    return workdir


@pytest.fixture
def rerun_copy(completed_grid, tmp_path):
    return private_copy(completed_grid, tmp_path / "run")


def report(workdir, hardware, name="report-1GHz-nominal-fill.json"):
    return json.loads((workdir / "results" / "tiny1_gemm" / hardware / name).read_text())


def test_grid_points_and_named_configs_run_side_by_side(completed_grid):
    configs = completed_grid / "results" / "hardware"
    assert sorted(path.name for path in configs.iterdir()) == sorted(f"{name}.cfg" for name in HARDWARE)
    assert (configs / "tiny_ws.cfg").read_bytes() == (TINY / "tiny_ws.cfg").read_bytes()
    assert load_hardware_config(configs / "a8x4-os-i2-f1-o1.cfg") == HardwareConfig(
        run_name="a8x4-os-i2-f1-o1", array_height=8, array_width=4, ifmap_sram_kb=2, filter_sram_kb=1,
        ofmap_sram_kb=1, ifmap_offset=0, filter_offset=10000000, ofmap_offset=20000000, dataflow="os",
        interface_bandwidth="CALC")
    workload = report(completed_grid, "a8x4-os-i2-f1-o1")["workload"]
    assert (workload["run_name"], workload["array_height"], workload["array_width"]) == ("a8x4-os-i2-f1-o1", 8, 4)
    assert workload["buffer_kb"] == {"ifmap": 2, "filter": 1, "ofmap": 1}
    assert report(completed_grid, "tiny_ws")["device_library"]["corner"] == "nominal"
    summary = (completed_grid / "results" / "summary" / "summary.csv").read_text()
    assert all(name in summary for name in HARDWARE)


def test_grid_point_config_runs_as_a_named_config(completed_grid, tmp_path):
    """The written .cfg is an ordinary SCALE-Sim config: `gainflow simulate` reads it and gives the
    workflow's reports."""
    config = completed_grid / "results" / "hardware" / "a4x4-os-i2-f1-o1.cfg"
    subprocess.run([GAINFLOW, "simulate", "-t", TINY / "tiny1_gemm.csv", "--input-type", "gemm", "-c", config,
                    "-p", tmp_path, "--quiet"], check=True)
    for name in ("COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"):
        produced = tmp_path / "a4x4-os-i2-f1-o1" / name
        assert produced.read_bytes() == (completed_grid / "results" / "tiny1_gemm" / "a4x4-os-i2-f1-o1" / name).read_bytes()


def test_added_clock_and_corner_run_only_reports_and_summary(rerun_copy):
    config = yaml.safe_load((rerun_copy / "config" / "config.yaml").read_text())
    write_config(rerun_copy, {**config, "device_corners": {
        "nominal": {}, "sisi_1us": {"gc_list": "hardware/devices/sisi_retention_1us.json"}}})
    assert rule_counts(planned_jobs(rerun_copy)) == {"report": 3, "summary": 1}
    text = (rerun_copy / "config" / "config.yaml").read_text()
    # Written as YAML text: 7e8 (no dot) is a string to YAML and still a clock.
    (rerun_copy / "config" / "config.yaml").write_text(text + "clock_hz: [1e9, 7e8]\n")
    jobs = planned_jobs(rerun_copy)
    assert rule_counts(jobs) == {"report": 9, "summary": 1}
    assert {(w["clock"], w["corner"]) for rule, w in jobs if rule == "report"} == {
        ("1GHz", "sisi_1us"), ("700MHz", "nominal"), ("700MHz", "sisi_1us")}  # not 1GHz nominal
    snakemake(rerun_copy)
    slow = report(rerun_copy, "tiny_ws", "report-700MHz-sisi_1us-fill.json")
    assert slow["workload"]["clock_hz"] == 7e8 and slow["device_library"]["corner"] == "sisi_1us"
    assert slow["device_library"]["gc_list"]["file"] == "sisi_retention_1us.json"
    assert planned_jobs(rerun_copy) == []


SHIPPED_CORNERS = {"nominal": {}, **{
    corner: {"gc_list": f"workflow/gainflow/data/devices/{corner}/simple_gc_list.json",
             "area_power": f"workflow/gainflow/data/devices/{corner}/area_power.json"}
    for corner in ("optimistic", "pessimistic")}}


def test_shipped_corners_as_a_sweep_axis(rerun_copy):
    # The snippet of config/README.md: the three shipped corners, one report each, nothing simulated again.
    edit_config(rerun_copy, device_corners=SHIPPED_CORNERS)
    assert rule_counts(planned_jobs(rerun_copy)) == {"report": 6, "summary": 1}
    snakemake(rerun_copy)
    reports = {corner: report(rerun_copy, "tiny_ws", f"report-1GHz-{corner}-fill.json") for corner in SHIPPED_CORNERS}
    for corner, data in reports.items():
        assert data["device_library"]["corner"] == corner
        assert data["technologies"]["Si-Si"]["parameters"]["capacity_model"] is True
    read = {corner: data["technologies"]["Si-Si"]["per_subdivision"]["ifmap"]["per_bit"]["read_energy_per_bit_j"]
            for corner, data in reports.items()}
    # the macro's 2.58 pJ per 64 bits at 0.6 V (optimistic), x 1.9315 at 0.8 V (nominal), per 32 bits (pessimistic)
    assert read["optimistic"] / read["nominal"] == pytest.approx(0.062268 / 0.120272, rel=1e-3)
    assert read["pessimistic"] / read["nominal"] == pytest.approx(2, rel=1e-3)
    sram = {corner: data["technologies"]["SRAM"]["total"] for corner, data in reports.items()}
    assert sram["optimistic"] == sram["nominal"] == sram["pessimistic"]  # one baseline in every corner
    summary = (rerun_copy / "results" / "summary" / "summary.csv").read_text()
    assert all(f",{corner}," in summary for corner in SHIPPED_CORNERS)


def test_added_lifetime_start_runs_only_reports_and_summary(rerun_copy):
    edit_config(rerun_copy, lifetime_start=["fill", "first_read"])
    jobs = planned_jobs(rerun_copy)
    assert rule_counts(jobs) == {"report": 3, "summary": 1}
    assert {w["start"] for rule, w in jobs if rule == "report"} == {"first_read"}
    snakemake(rerun_copy)
    fill = report(rerun_copy, "tiny_ws")
    first_read = report(rerun_copy, "tiny_ws", "report-1GHz-nominal-first_read.json")
    assert (fill["workload"]["lifetime_start"], first_read["workload"]["lifetime_start"]) == ("fill", "first_read")
    assert first_read["prefetch_slack"] == fill["prefetch_slack"]
    # A lifetime from the first read is never longer than the one from the fill.
    for name in ("ifmap", "filter", "ofmap"):
        assert first_read["lifetime_statistics"][name]["max_cycles"] <= fill["lifetime_statistics"][name]["max_cycles"]
    rows = (rerun_copy / "results" / "summary" / "summary.csv").read_text().splitlines()
    start = rows[0].split(",").index("lifetime_start")
    assert sorted({row.split(",")[start] for row in rows[1:]}) == ["fill", "first_read"]
    assert planned_jobs(rerun_copy) == []


def test_added_grid_value_runs_only_the_new_point(rerun_copy):
    edit_config(rerun_copy, hardware_grid={**SWEEP["hardware_grid"], "array": ["4x4", "8x4", "4x8"]})
    jobs = planned_jobs(rerun_copy)
    assert rule_counts(jobs) == {"grid_point": 1, **ONE_RUN, "summary": 1}
    assert {w["hw"] for rule, w in jobs if rule != "summary"} == {"a4x8-os-i2-f1-o1"}


def test_removed_grid_value_reruns_only_the_summary(rerun_copy):
    edit_config(rerun_copy, hardware_grid={**SWEEP["hardware_grid"], "array": ["8x4"]})
    assert rule_counts(planned_jobs(rerun_copy)) == {"summary": 1}


def test_unchanged_config_written_differently_reruns_nothing(rerun_copy):
    """The same sweep spelled otherwise: scalars for lists, a list of one grid, clock as text."""
    write_config(rerun_copy, {**SWEEP, "hardware_grid": [{**SWEEP["hardware_grid"], "ifmap_sram_kb": [2]}],
                              "clock_hz": ["1e9"], "device_corners": {"nominal": None}})
    assert planned_jobs(rerun_copy) == []


# ----------------------------------------------------------------------------- config errors (dry runs)


@pytest.fixture
def workdir(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    write_config(workdir, SWEEP)
    return workdir


@pytest.mark.parametrize("grid, named", [
    ({"array": ["4x4", "4y4"]}, "key 'hardware_grid.array': expected ROWSxCOLUMNS"),
    ({"dataflow": ["os", "rs"]}, "key 'hardware_grid.dataflow': expected one of os, ws, is, got 'rs'"),
    ({"ofmap_sram_kb": [1, 0]}, "key 'hardware_grid.ofmap_sram_kb': expected a positive integer (kB), got 0"),
    ({"array": "8x501"}, "key 'hardware_grid.ifmap_sram_kb': 1 (with array 8x501)"),
    ({"base": "tiny_xx"}, "key 'hardware_grid.base': base 'tiny_xx'"),
])
def test_bad_grid_entry_stops_the_dry_run(workdir, grid, named):
    edit_config(workdir, hardware_grid={"base": "tiny_os", **grid})
    assert named in failed_dry_run(workdir)


def test_grid_entry_of_the_wrong_type_is_named(workdir):
    edit_config(workdir, hardware_grid={"base": "tiny_os", "ifmap_sram_kb": "big"})
    output = failed_dry_run(workdir)
    assert "'big'" in output and "ifmap_sram_kb" in output


def test_point_named_like_a_named_config_stops_the_dry_run(workdir):
    shutil.copy2(workdir / "hardware" / "tiny_ws.cfg", workdir / "hardware" / "a4x4-os-i2-f1-o1.cfg")
    edit_config(workdir, hardware=["tiny_ws", "a4x4-os-i2-f1-o1"])
    assert "grid point a4x4-os-i2-f1-o1 has the name of a config in `hardware`" in failed_dry_run(workdir)


def test_no_hardware_at_all_stops_the_dry_run(workdir):
    write_config(workdir, {"topologies": ["tiny1_gemm"], "hardware": []})
    assert "no hardware to sweep" in failed_dry_run(workdir)


@pytest.mark.parametrize("clocks, named", [
    ("clock_hz: fast", "clock_hz"),
    ("clock_hz: [1e9, 1.0e+9]", "key 'clock_hz[1]': 1000000000.0 is 1GHz again"),
    ("clock_hz: [1e9, {fast: 1}]", "clock_hz"),
])
def test_bad_clock_stops_the_dry_run(workdir, clocks, named):
    text = (workdir / "config" / "config.yaml").read_text()
    (workdir / "config" / "config.yaml").write_text(text + clocks + "\n")
    output = failed_dry_run(workdir)
    assert named in output


def test_corner_name_with_a_hyphen_is_rejected(workdir):
    edit_config(workdir, device_corners={"slow-corner": {}})
    assert "'slow-corner'" in failed_dry_run(workdir)


def test_clock_and_corner_reach_the_frontend(workdir):
    replace_in_file(workdir / "config" / "config.yaml", "topologies:", "clock_hz: [1.5e9, 7e8]\ntopologies:")
    edit_config(workdir, device_corners={"sisi_1us": {"gc_list": "hardware/devices/sisi_retention_1us.json"}})
    output = snakemake(workdir, "--dry-run", "--printshellcmds", "results/tiny1_gemm/a8x4-os-i2-f1-o1/report-1.5GHz-sisi_1us-fill.json").stdout
    assert "--gc-list hardware/devices/sisi_retention_1us.json --area-power workflow/gainflow/data/devices/area_power.json" in output
    assert "--device-corner sisi_1us --clock-hz 1500000000" in output
