"""The Snakemake workflow, run for real on a tiny sweep (2 topologies x 2 hardware configs):
complete outputs, then stale-only reruns after each kind of edit."""

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import gainflow.errors
import pytest
from gainflow.cli import main as cli_main
from gainflow.files import layout
from gainflow.events import SUBDIVISIONS
from workflow_support import (
    TINY_HARDWARE as HARDWARE,
    TINY_LAYERS as LAYERS,
    edit_config,
    make_workflow_copy,
    planned_jobs,
    private_copy,
    replace_in_file,
    result_files,
    rule_counts,
    snakemake,
)


@pytest.fixture(scope="module")
def completed_run(tmp_path_factory):
    """One complete run of the tiny sweep, shared (read-only) by the tests of this module."""
    workdir = make_workflow_copy(tmp_path_factory.mktemp("completed"))
    snakemake(workdir)
    return workdir


@pytest.fixture
def rerun_copy(completed_run, tmp_path):
    """A private copy of the completed run."""
    return private_copy(completed_run, tmp_path / "run")


def test_full_run_writes_every_output(completed_run):
    results = completed_run / "results"
    for topology, layers in LAYERS.items():
        for hardware in HARDWARE:
            run = results / topology / hardware
            for name in layout.REPORT_FILES:
                assert (run / name).is_file()
            compute_rows = (run / layout.COMPUTE_REPORT).read_text().splitlines()
            assert len(compute_rows) == 1 + layers
            for i in range(layers):
                for kind in (layout.LIFETIME_HISTOGRAM, layout.AGGREGATE_TABLE, layout.GRAPH):
                    assert layout.layer_file(run, i, kind).stat().st_size > 0
                # lifetime_tables is off by default: no per-interval table.
                assert not layout.layer_file(run, i, layout.LIFETIME_TABLE).exists()
            assert not (run / "traces").exists()  # save_traces is off in the tiny config
            report = json.loads((run / "report-1GHz-nominal-fill.json").read_text())
            assert report["workload"]["clock_hz"] == 1e9
    # Nothing temporary is left: no part files, no empty folders, no hidden staging files.
    leftovers = [path for path in results.rglob("*") if path.suffix == ".part" or path.name.startswith(".")
                 or (path.is_dir() and not any(path.iterdir()))]
    assert leftovers == []
    summary = (results / "summary" / "summary.csv").read_text().splitlines()
    assert len(summary) > 1
    for plot in [f"pareto_{topology}.png" for topology in LAYERS] + ["sensitivity.png"]:
        assert (results / "summary" / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_local_run_looks_for_jobs_to_start_only_when_one_finishes(tmp_path):
    """No job rate limit in a local run: Snakemake's scheduling passes are the first one and one per
    finished job. (Its limiter added a pass per second for every job that finished while others
    waited: quadratic in the jobs of a run on few cores.)"""
    workdir = make_workflow_copy(tmp_path / "run")
    edit_config(workdir, topologies=["tiny"], hardware=["tiny_os"])
    result = snakemake(workdir, "--verbose", cores=1)
    output = result.stdout + result.stderr
    jobs = int(re.search(r"^total\s+(\d+)", output, re.MULTILINE).group(1))
    passes = len(re.findall(r"^Ready jobs: \d+", output, re.MULTILINE))
    # named_hardware, simulate, 3 x (3 lifetimes + layer), graphs, report, summary and `all`
    assert jobs == 18
    assert 1 <= passes <= jobs + 1


def test_workflow_writes_the_bytecode_jobs_import_also_where_python_would_not(tmp_path):
    """Each job is a new process: the workflow compiles the package once, so that jobs do not
    compile its modules again, also under PYTHONDONTWRITEBYTECODE (set in many container images)."""
    source = Path(gainflow.errors.__file__)
    cached = Path(importlib.util.cache_from_source(source))
    cached.unlink(missing_ok=True)
    workdir = make_workflow_copy(tmp_path / "run")
    snakemake(workdir, "--dry-run", env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    # A .pyc header: magic, flags, then the source's mtime and size it was compiled from.
    header = cached.read_bytes()[:16]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[8:12], "little") == int(source.stat().st_mtime)
    assert int.from_bytes(header[12:16], "little") == source.stat().st_size


def test_nothing_to_do_after_a_complete_run(completed_run):
    assert "Nothing to be done" in snakemake(completed_run, "--dry-run").stdout


def test_clock_change_reruns_only_reports_and_summary(rerun_copy):
    edit_config(rerun_copy, clock_hz=2.0e9)
    jobs = planned_jobs(rerun_copy)
    assert rule_counts(jobs) == {"report": 4, "summary": 1}
    before = result_files(rerun_copy)
    snakemake(rerun_copy)
    after = result_files(rerun_copy)
    changed = {path for path in after if after[path] != before.get(path)}
    assert {path for path in changed if "/report-" in path} == {
        f"{t}/{h}/report-2GHz-nominal-fill.json" for t in LAYERS for h in HARDWARE
    }
    assert all("/report-" in path or path.startswith("summary/") for path in changed)
    assert planned_jobs(rerun_copy) == []


def test_lifetime_tables_rerun_the_layer_steps_only_and_change_nothing_else(rerun_copy, tmp_path):
    before = result_files(rerun_copy)
    edit_config(rerun_copy, lifetime_tables=True)
    layer_jobs = sum(LAYERS.values()) * len(HARDWARE)
    # The lifetime jobs run again only because their temporary part files are gone; not the simulations.
    assert rule_counts(planned_jobs(rerun_copy)) == {
        "lifetimes": layer_jobs * len(SUBDIVISIONS), "layer": layer_jobs, "graphs_tiny_layers0_2": 2,
        "graphs_tiny_gemm_layers0_1": 2, "report": 4, "summary": 1}
    snakemake(rerun_copy)
    with_tables = result_files(rerun_copy)
    tables = {layout.layer_file(f"{t}/{h}", i, layout.LIFETIME_TABLE).as_posix() for t, n in LAYERS.items()
              for h in HARDWARE for i in range(n)}
    assert {path: data for path, data in with_tables.items() if path not in tables} == before
    # The tables are those of `gainflow lifetimes`.
    for topology, hardware in (("tiny", "tiny_os"), ("tiny_gemm", "tiny_ws")):
        input_type = "gemm" if topology.endswith("_gemm") else "conv"
        assert cli_main(["lifetimes", "-t", str(rerun_copy / "topologies" / f"{topology}.csv"), "-i", input_type,
                         "-c", str(rerun_copy / "hardware" / f"{hardware}.cfg"), "-o", str(tmp_path / topology)]) == 0
        for i in range(LAYERS[topology]):
            table = layout.layer_file(f"{topology}/{hardware}", i, layout.LIFETIME_TABLE)
            assert with_tables[table.as_posix()] == (tmp_path / table).read_bytes()
    edit_config(rerun_copy, lifetime_tables=False)
    assert rule_counts(planned_jobs(rerun_copy))["layer"] == layer_jobs
    snakemake(rerun_copy)
    assert result_files(rerun_copy) == before  # the tables are gone again


def test_saved_traces_give_the_same_bytes_as_re_simulating(rerun_copy):
    """With `save_traces`, the lifetime jobs parse the traces the simulate job wrote instead of
    re-simulating their layer: every file of the run is the same."""
    before = result_files(rerun_copy)
    edit_config(rerun_copy, topologies=["tiny"], hardware=["tiny_ws"], save_traces=True)
    layers = LAYERS["tiny"]
    assert rule_counts(planned_jobs(rerun_copy)) == {
        "simulate": 1, "lifetimes": layers * len(SUBDIVISIONS), "layer": layers, "graphs_tiny_layers0_2": 1,
        "report": 1, "summary": 1}
    snakemake(rerun_copy)
    run = rerun_copy / "results" / "tiny" / "tiny_ws"
    assert (run / "traces" / "layer2" / "OFMAP_SRAM_TRACE.csv").is_file()
    after = result_files(rerun_copy)
    run_files = {path for path in before if path.startswith("tiny/tiny_ws/")}
    assert len(run_files) == 3 + 1 + 1 + layers * 3  # reports, run_info, report, per layer: 2 tables + graph data
    assert {path: after[path] for path in run_files} == {path: before[path] for path in run_files}


def test_hardware_edit_reruns_exactly_that_hardware(rerun_copy):
    replace_in_file(rerun_copy / "hardware" / "tiny_ws.cfg", "IfmapSramSzkB:    1", "IfmapSramSzkB:    2")
    jobs = planned_jobs(rerun_copy)
    layer_jobs = sum(LAYERS.values())
    assert rule_counts(jobs) == {
        "named_hardware": 1,
        "simulate": 2,
        "lifetimes": layer_jobs * len(SUBDIVISIONS),
        "layer": layer_jobs,
        "graphs_tiny_layers0_2": 1,
        "graphs_tiny_gemm_layers0_1": 1,
        "report": 2,
        "summary": 1,
    }
    assert {wildcards["hw"] for rule, wildcards in jobs if rule != "summary"} == {"tiny_ws"}


def test_new_topology_runs_only_its_jobs(rerun_copy):
    shutil.copy2(rerun_copy / "topologies" / "tiny.csv", rerun_copy / "topologies" / "tiny_copy.csv")
    edit_config(rerun_copy, topologies=["tiny", "tiny_gemm", "tiny_copy"])
    jobs = planned_jobs(rerun_copy)
    assert rule_counts(jobs) == {
        "simulate": 2,
        "lifetimes": LAYERS["tiny"] * len(SUBDIVISIONS) * 2,
        "layer": LAYERS["tiny"] * 2,
        "graphs_tiny_copy_layers0_2": 2,
        "report": 2,
        "summary": 1,
    }
    assert {wildcards["topo"] for rule, wildcards in jobs if rule != "summary"} == {"tiny_copy"}


def test_simulator_code_edit_reruns_simulations(rerun_copy):
    """Rules list the package modules they run as inputs, so a code edit is not missed."""
    source = rerun_copy / "workflow" / "gainflow" / "simulator" / "__init__.py"
    source.write_text(source.read_text() + "\n# edited\n")
    counts = rule_counts(planned_jobs(rerun_copy))
    assert counts["simulate"] == 4
    assert counts["lifetimes"] == sum(LAYERS.values()) * len(SUBDIVISIONS) * len(HARDWARE)


def test_html_report_contains_summary(completed_run, tmp_path):
    report = tmp_path / "report.html"
    snakemake(completed_run, "--report", str(report))
    html = report.read_text(errors="replace")
    assert all(name in html for name in ("summary.csv", "pareto_tiny.png", "pareto_tiny_gemm.png", "sensitivity.png"))
