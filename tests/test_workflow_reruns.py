"""Reruns that are right, on the tiny sweep (2 topologies x 2 hardware configs) run once for real.

Each rule's code hash covers every gainflow module its jobs really import (compared with what the
jobs of a real run had loaded); a compiled module built from another source is refused; editing a
topology file, a device file, `word_bits`, lifetime code or report code reruns exactly the jobs that
depend on it, and after the rerun every other output is byte-identical. A sweep killed (SIGKILL, jobs
and all) at any of several points ends, after the README's recovery commands, with every result
file byte-identical to the uninterrupted run's."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import gainflow._kernels
import pytest
from gainflow.events import SUBDIVISIONS
from gainflow.files import layout
from gainflow.sweep.code_version import import_closure
from workflow_support import (
    ROOT,
    RUN_TIMEOUT_S,
    TINY_HARDWARE as HARDWARE,
    TINY_LAYERS as LAYERS,
    edit_config,
    failed_dry_run,
    make_workflow_copy,
    planned_jobs,
    private_copy,
    replace_in_file,
    result_files,
    rule_counts,
    snakemake,
)

LAYER_JOBS = sum(LAYERS.values()) * len(HARDWARE)
REPORTS = {f"{topology}/{hardware}/report-1GHz-nominal-fill.json" for topology in LAYERS for hardware in HARDWARE}

# Imported by every Python process that finds it on PYTHONPATH (Snakemake's jobs included): when the
# process ends, it writes its command line and the gainflow modules it had loaded.
RECORDER = """
import atexit, json, os, sys

def _record():
    modules = sorted(name for name in sys.modules if name.split(".")[0] == "gainflow")
    with open(os.path.join(os.environ["GAINFLOW_IMPORT_LOG"], f"{os.getpid()}.json"), "w") as out:
        json.dump({"argv": sys.argv, "modules": modules}, out)

atexit.register(_record)
"""


def recording_environment(root):
    """An environment whose Python processes record their imports into root/imports/. Jobs run in
    processes of their own (GAINFLOW_JOB_SERVER=off): forked from the job server, each would have
    loaded what the server imported for all of them."""
    (root / "hook").mkdir()
    (root / "hook" / "sitecustomize.py").write_text(RECORDER)
    (root / "imports").mkdir()
    path = os.pathsep.join(filter(None, [str(root / "hook"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "GAINFLOW_IMPORT_LOG": str(root / "imports"), "GAINFLOW_JOB_SERVER": "off"}


@pytest.fixture(scope="module")
def recorded_run(tmp_path_factory):
    """One complete run of the tiny sweep, its jobs' imports recorded in <root>/imports/; shared
    (read-only) by the tests of this module. Returns the run's folder."""
    root = tmp_path_factory.mktemp("recorded")
    workdir = make_workflow_copy(root / "run")
    snakemake(workdir, env=recording_environment(root))
    return workdir


@pytest.fixture
def rerun_copy(recorded_run, tmp_path):
    return private_copy(recorded_run, tmp_path / "run")


def job_entries(argv):
    """What a recorded process ran, as the rules name it to code_version; None for other processes."""
    if Path(argv[0]).parent.name == "scripts" and argv[0].endswith(".py"):
        return (argv[0],)
    if Path(argv[0]).name == "gainflow":
        return ("gainflow.cli", f"gainflow.commands.{argv[1]}")
    return None


def test_each_rules_code_hash_covers_what_its_jobs_import(recorded_run, tmp_path):
    # The tiny sweep has no grid point: run the grid point adapter as its rule does.
    environment = recording_environment(tmp_path)
    subprocess.run([sys.executable, "workflow/scripts/grid_point.py", "--base", "hardware/tiny_os.cfg",
                    "--name", "a4x4-os-i1-f1-o1", "--array", "4x4", "--dataflow", "os", "--ifmap-sram-kb", "1",
                    "--filter-sram-kb", "1", "--ofmap-sram-kb", "1", "--output", str(tmp_path / "point.cfg")],
                   cwd=recorded_run, env=environment, check=True)
    loaded = {}
    for record_file in [*(recorded_run.parent / "imports").glob("*.json"), *(tmp_path / "imports").glob("*.json")]:
        record = json.loads(record_file.read_text())
        entries = job_entries(record["argv"])
        if entries:
            loaded.setdefault(entries, set()).update(record["modules"])
    assert set(loaded) == {(f"workflow/scripts/{name}.py",) for name in (
        "simulate", "lifetimes_part", "layer", "graphs", "summary", "grid_point")} | {
        ("gainflow.cli", "gainflow.commands.frontend")}
    for entries, modules in loaded.items():
        assert "gainflow" in modules
        in_run = [str(recorded_run / entry) if entry.endswith(".py") else entry for entry in entries]
        missed = modules - import_closure(recorded_run / "workflow" / "gainflow", in_run)
        assert not missed, f"{entries} imports {sorted(missed)}, which its code hash does not cover"


def test_compiled_module_carries_the_hash_of_its_source():
    source = ROOT / "workflow" / "gainflow" / "_kernels.c"
    assert gainflow._kernels.SOURCE_SHA256 == hashlib.sha256(source.read_bytes()).hexdigest()


def test_compiled_module_of_an_older_source_is_refused(tmp_path):
    # The package with its build, then its C source edited without a rebuild.
    shutil.copytree(ROOT / "workflow" / "gainflow", tmp_path / "gainflow", ignore=shutil.ignore_patterns("__pycache__"))
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    where = [sys.executable, "-c", "import gainflow.kernels; print(gainflow.kernels.__file__)"]
    loads = subprocess.run(where, env=environment, capture_output=True, text=True, check=True)
    assert loads.stdout.strip() == str(tmp_path / "gainflow" / "kernels.py")
    with open(tmp_path / "gainflow" / "_kernels.c", "a") as source:
        source.write("/* edited */\n")
    refused = subprocess.run(where, env=environment, capture_output=True, text=True)
    assert refused.returncode != 0
    assert f"was not built from {tmp_path / 'gainflow' / '_kernels.c'}" in refused.stderr
    assert "make setup" in refused.stderr
    # The command line says so in one line, with gainflow's exit status for bad input.
    command = subprocess.run([sys.executable, "-m", "gainflow.cli", "simulate", "--help"],
                             env=environment, capture_output=True, text=True)
    assert command.returncode == 2
    assert command.stderr.startswith("gainflow: error: gainflow's compiled module") and "make setup" in command.stderr


def test_workflow_refuses_a_compiled_module_of_an_older_source(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    with open(workdir / "workflow" / "gainflow" / "_kernels.c", "a") as source:
        source.write("/* edited */\n")
    output = failed_dry_run(workdir)
    assert "was not built from workflow/gainflow/_kernels.c" in output and "make setup" in output


def changed_files(workdir, edit):
    """Result files (CSV, JSON) that a real rerun after `edit()` changes or adds; no job is left after."""
    before = result_files(workdir)
    edit()
    snakemake(workdir)
    after = result_files(workdir)
    assert set(after) >= set(before)
    assert planned_jobs(workdir) == []
    return {path for path in after if after[path] != before.get(path)}


def test_topology_edit_reruns_exactly_that_topology(rerun_copy):
    def edit():
        # The last layer's filters, 12 -> 11: layers 0 and 1 stay as they were.
        replace_in_file(rerun_copy / "topologies" / "tiny.csv", "conv3, 5, 5, 1, 1, 9, 12, 1,", "conv3, 5, 5, 1, 1, 9, 11, 1,")
        jobs = planned_jobs(rerun_copy)
        assert rule_counts(jobs) == {"simulate": 2, "lifetimes": LAYERS["tiny"] * len(SUBDIVISIONS) * 2, "layer": LAYERS["tiny"] * 2,
                                     "graphs_tiny_layers0_2": 2, "report": 2, "summary": 1}
        assert {wildcards["topo"] for rule, wildcards in jobs if rule != "summary"} == {"tiny"}

    changed = changed_files(rerun_copy, edit)
    assert changed
    for path in changed:
        assert path.startswith("summary/") or (path.startswith("tiny/") and "/layer0/" not in path and "/layer1/" not in path)
    for hardware in HARDWARE:
        assert f"tiny/{hardware}/{layout.COMPUTE_REPORT}" in changed
        assert f"tiny/{hardware}/report-1GHz-nominal-fill.json" in changed


def test_device_file_edit_reruns_the_reports(rerun_copy):
    def edit():
        replace_in_file(rerun_copy / "workflow" / "gainflow" / "data" / "devices" / "area_power.json",
                        '"value": 0.074,', '"value": 0.08,')  # the SRAM cell's area per bit
        assert rule_counts(planned_jobs(rerun_copy)) == {"report": 4, "summary": 1}

    changed = changed_files(rerun_copy, edit)
    assert {path for path in changed if not path.startswith("summary/")} == REPORTS


def test_word_bits_edit_reruns_the_reports(rerun_copy):
    def edit():
        edit_config(rerun_copy, word_bits=16)
        assert rule_counts(planned_jobs(rerun_copy)) == {"report": 4, "summary": 1}

    changed = changed_files(rerun_copy, edit)
    assert {path for path in changed if not path.startswith("summary/")} == REPORTS


def edit_module(workdir, module):
    source = workdir / "workflow" / "gainflow" / module
    source.write_text(source.read_text() + "\n# edited\n")


def test_lifetime_code_edit_reruns_the_lifetime_jobs_and_what_follows(rerun_copy):
    edit_module(rerun_copy, "lifetimes/intervals.py")
    assert rule_counts(planned_jobs(rerun_copy)) == {
        "lifetimes": LAYER_JOBS * len(SUBDIVISIONS), "layer": LAYER_JOBS, "graphs_tiny_layers0_2": 2,
        "graphs_tiny_gemm_layers0_1": 2, "report": 4, "summary": 1}


def test_report_code_edit_reruns_the_reports(rerun_copy):
    edit_module(rerun_copy, "frontend/report.py")
    assert rule_counts(planned_jobs(rerun_copy)) == {"report": 4, "summary": 1}


def test_plot_code_edit_reruns_only_the_summary(rerun_copy):
    edit_module(rerun_copy, "sweep/plots.py")
    assert rule_counts(planned_jobs(rerun_copy)) == {"summary": 1}


# ----------------------------------------------------------------------------- crash recovery

# A job of the rule has started when its log file appears.
KILL_POINTS = {
    "simulate": "logs/*/*/simulate.log",
    "lifetimes": "logs/*/*/layer*/lifetimes_*.log",
    "report": "logs/*/*/report-*.log",
}


def as_users_run(workdir, *args):
    """Snakemake as the README runs it (with the default workflow profile: rerun-incomplete)."""
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)


def every_result_file(workdir):
    """Relative path -> bytes of every file under results/ (plots included)."""
    return {str(path.relative_to(workdir)): path.read_bytes() for path in sorted((workdir / "results").rglob("*"))
            if path.is_file()}


def kill_when_started(workdir, pattern):
    """Start a sweep in its own process group; SIGKILL the group (Snakemake and its jobs) just after
    a job whose log matches `pattern` has started."""
    sweep = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=workdir,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not any(workdir.glob(pattern)):
            assert sweep.poll() is None, "the sweep ended before the kill point"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.5)  # into the job (its imports take about that long)
    finally:
        os.killpg(sweep.pid, signal.SIGKILL)
        sweep.wait()


@pytest.mark.parametrize("rule", KILL_POINTS)
def test_sweep_killed_during_a_rule_recovers_byte_identically(recorded_run, tmp_path, rule):
    workdir = make_workflow_copy(tmp_path)
    kill_when_started(workdir, KILL_POINTS[rule])
    assert not (workdir / "results" / "summary").exists()  # cut off before the end
    locked = as_users_run(workdir)
    assert locked.returncode != 0
    assert "Directory cannot be locked" in locked.stderr and "--unlock" in locked.stderr
    # The README's commands after a crash.
    assert as_users_run(workdir, "--unlock").returncode == 0
    recovered = as_users_run(workdir)
    assert recovered.returncode == 0, recovered.stderr
    assert every_result_file(workdir) == every_result_file(recorded_run)
    # Nothing of the killed jobs is left: no temporary file or staging folder, no part file.
    assert [path for path in (workdir / "results").rglob("*") if path.name.startswith(".") or path.suffix == ".part"] == []
