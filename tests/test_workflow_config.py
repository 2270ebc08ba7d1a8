"""Config problems stop the workflow before any job runs, with a message that names the culprit;
the workflow passes Snakemake's linter; the DAG has the documented shape."""

import re

import pytest
import yaml
from workflow_support import (
    TINY,
    edit_config,
    failed_dry_run,
    make_workflow_copy,
    planned_jobs,
    replace_in_file,
    rule_counts,
    snakemake,
)


@pytest.fixture
def workdir(tmp_path):
    return make_workflow_copy(tmp_path)


def test_unknown_key_is_named(workdir):
    replace_in_file(workdir / "config" / "config.yaml", "clock_hz:", "clock_hzz:")
    output = failed_dry_run(workdir)
    assert "Additional properties are not allowed" in output and "'clock_hzz' was unexpected" in output


def test_unknown_nested_key_is_named(workdir):
    edit_config(workdir, plots={"dpi": 100, "colour": "red"})
    assert "'colour' was unexpected" in failed_dry_run(workdir)


@pytest.mark.parametrize("line, shown, key", [
    ("word_bits: eight", "'eight' is not of type 'integer'", "['word_bits']"),
    ("word_bits: '8.5'", "'8.5' is not of type 'integer'", "['word_bits']"),
    ("plots: {dpi: 1.2e1}", "12 is less than the minimum of 30", "['plots']['dpi']"),
    ("clock_hz: [1e9, 1 GHz]", "[1000000000.0, '1 GHz']", "['clock_hz']"),
    ("lifetime_start: [fill, last_read]", "['fill', 'last_read']", "['lifetime_start']"),
    ("lifetime_start: [fill, fill]", "['fill', 'fill']", "['lifetime_start']"),
])
def test_wrong_type_is_named(workdir, line, shown, key):
    text = (workdir / "config" / "config.yaml").read_text()
    (workdir / "config" / "config.yaml").write_text(f"{text}{line}\n")
    output = failed_dry_run(workdir)
    assert shown in output and f"On instance{key}" in output


def test_numbers_yaml_reads_as_text_are_numbers(workdir):
    # PyYAML reads each of these values as text; each is the number it spells.
    (workdir / "config" / "config.yaml").write_text(
        "topologies: [tiny1_gemm]\nhardware: []\nclock_hz: [1e9, 7.5e+8]\nword_bits: 1.6e1\nplots: {dpi: 1.5e2}\n"
        "hardware_grid: {base: tiny_os, array: 8x4, ifmap_sram_kb: [2e0], filter_sram_kb: 1e0, ofmap_sram_kb: '1_0'}\n")
    output = snakemake(workdir, "--dry-run", "--printshellcmds").stdout
    assert "--word-bits 16" in output and "--dpi 150" in output
    assert "--clock-hz 1000000000 " in output and "--clock-hz 750000000 " in output
    assert "--ifmap-sram-kb 2 --filter-sram-kb 1 --ofmap-sram-kb 10" in output
    assert "results/tiny1_gemm/a8x4-os-i2-f1-o10/report-750MHz-nominal-fill.json" in output


def test_one_lifetime_start_without_a_list(workdir):
    edit_config(workdir, lifetime_start="first_read")
    output = snakemake(workdir, "--dry-run", "--printshellcmds").stdout
    assert "--lifetime-start first_read" in output and "--lifetime-start fill" not in output
    assert "-nominal-first_read.json" in output


def test_missing_topology_and_hardware_files_are_named(workdir):
    edit_config(workdir, topologies=["tiny", "resnet_missing"], hardware=["tiny_os", "nope"])
    output = failed_dry_run(workdir)
    assert "topologies/resnet_missing.csv (config topologies: resnet_missing)" in output
    assert "hardware/nope.cfg (config hardware: nope)" in output


def test_missing_device_file_is_named(workdir):
    edit_config(workdir, device_corners={"nominal": {}, "mine": {"gc_list": "hardware/my_gc_list.json"}})
    assert "hardware/my_gc_list.json (config device_corners.mine.gc_list)" in failed_dry_run(workdir)


def test_malformed_hardware_config_is_named(workdir):
    replace_in_file(workdir / "hardware" / "tiny_ws.cfg", "Dataflow : ws", "Dataflow : xy")
    output = failed_dry_run(workdir)
    assert "hardware/tiny_ws.cfg" in output and "Dataflow" in output


def test_lint_is_clean(workdir):
    result = snakemake(workdir, "--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations" in result.stdout + result.stderr


def test_dag_has_one_lifetime_job_per_layer_and_subdivision(workdir):
    # tiny.csv: 3 layers, tiny_gemm.csv: 2 layers; 2 hardware configs.
    counts = rule_counts(planned_jobs(workdir))
    assert counts == {"named_hardware": 2, "simulate": 4, "lifetimes": 30, "layer": 10, "graphs_tiny_layers0_2": 2, "graphs_tiny_gemm_layers0_1": 2,
                      "report": 4, "summary": 1}


def rule_graph_edges(workdir):
    """(from rule, to rule) of every edge of `snakemake --rulegraph` (the graph of the HTML report)."""
    dot = snakemake(workdir, "--rulegraph").stdout
    labels = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", dot, re.MULTILINE))
    return {(labels[source], labels[target]) for source, target in re.findall(r"^\s*(\d+) -> (\d+)$", dot, re.MULTILINE)}


@pytest.mark.parametrize("save_traces", [False, True])
def test_rule_graph_reads_simulate_lifetimes_layer_report_summary(workdir, save_traces):
    edit_config(workdir, save_traces=save_traces)
    edges = rule_graph_edges(workdir)
    chain = {("simulate", "lifetimes"), ("lifetimes", "layer"), ("layer", "report"), ("report", "summary")}
    assert chain <= edges
    # The report takes run_info.json from the simulate job; the graphs are drawn from the layer files.
    assert {("simulate", "report"), ("layer", "graphs_tiny_layers0_2"), ("named_hardware", "simulate")} <= edges
    inputs_of_lifetimes = {source for source, target in edges if target == "lifetimes"}
    # Re-simulating a layer needs its hardware config; parsing the saved traces needs only the run.
    assert inputs_of_lifetimes == ({"simulate"} if save_traces else {"simulate", "named_hardware"})


def test_save_traces_writes_a_scalesim_run_directory(workdir):
    edit_config(workdir, topologies=["tiny_gemm"], hardware=["tiny_os"], save_traces=True)
    snakemake(workdir, "results/tiny_gemm/tiny_os/traces")
    run = workdir / "results" / "tiny_gemm" / "tiny_os"
    for name in ("COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"):
        assert (run / "traces" / name).read_bytes() == (run / name).read_bytes()
    for layer in ("layer0", "layer1"):
        traces = sorted(path.name for path in (run / "traces" / layer).iterdir())
        assert traces == [f"{buffer}_{memory}_TRACE.csv" for buffer in ("FILTER", "IFMAP", "OFMAP")
                          for memory in ("DRAM", "SRAM")]


def test_defaults_fill_the_schema(workdir):
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump({"topologies": ["tiny"], "hardware": ["tiny_os"]}))
    output = snakemake(workdir, "--dry-run", "--printshellcmds").stdout
    assert "--clock-hz 1000000000" in output and "--word-bits 8" in output
    assert "--gc-list workflow/gainflow/data/devices/simple_gc_list.json" in output
    # lifetime_tables off: neither intervals handed over nor per-interval tables written.
    assert "lifetimes_part.py" in output and "--intervals" not in output and "--tables" not in output


def test_graphs_rules_of_alike_topology_names_stay_apart(tmp_path):
    # `yolo-tiny` and `yolo_tiny` both read as `yolo_tiny` in an identifier: each gets a hash of its
    # own name, so each topology's graphs are drawn by its own rule and both run.
    tiny = tmp_path / "inputs"
    tiny.mkdir()
    for name in ("yolo-tiny", "yolo_tiny"):
        (tiny / f"{name}.csv").write_text((TINY / "tiny.csv").read_text())
    workdir = make_workflow_copy(tmp_path / "sweep", topologies=sorted(tiny.glob("*.csv")))
    edit_config(workdir, topologies=["yolo-tiny", "yolo_tiny"])
    jobs = planned_jobs(workdir)
    graphs = {rule: wildcards["topo"] for rule, wildcards in jobs if rule.startswith("graphs_")}
    assert sorted(set(graphs.values())) == ["yolo-tiny", "yolo_tiny"]
    names = {topo: {rule for rule, drawn in graphs.items() if drawn == topo} for topo in ("yolo-tiny", "yolo_tiny")}
    assert len(names["yolo-tiny"]) == len(names["yolo_tiny"]) == 1
    assert names["yolo-tiny"] != names["yolo_tiny"]
    assert all(rule.startswith("graphs_yolo_tiny_") for rule in graphs)
    # Names without such a clash stay as they were (the other tests name graphs_tiny_layers0_2).
    assert rule_counts(jobs)["layer"] == 2 * 3 * 2
