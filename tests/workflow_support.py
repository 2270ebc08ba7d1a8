"""Shared helpers of the workflow tests: a temporary copy of the repository with a tiny sweep, and
Snakemake runs in it through subprocess (the real command line, as users run it)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "workflow"
# The tiny sweep of tests/data/workflow: tiny.csv has 3 conv layers, tiny_gemm.csv 2 GEMMs, each run on
# both configs; one lifetime job per buffer (gainflow.events.SUBDIVISIONS) of every layer.
TINY_LAYERS = {"tiny": 3, "tiny_gemm": 2}
TINY_HARDWARE = ("tiny_os", "tiny_ws")
# What a checkout needs to run the workflow (the package itself is installed editable in the venv;
# its sources are copied because rules list them as inputs, its device library because the config does).
WORKFLOW_PARTS = ("Snakefile", "environment.yml", "workflow/rules", "workflow/schemas", "workflow/scripts", "workflow/report",
                  "workflow/gainflow", "profiles")
# The shipped what-if device corner (the default library comes with the package).
DEVICE_CORNER_FILES = ("hardware/devices/sisi_retention_1us.json",)
RUN_TIMEOUT_S = 300


def make_workflow_copy(dest, config=TINY / "config.yaml", topologies=None, hardware=None):
    """A repository copy in `dest` that sweeps `config` over the given topology and hardware files
    (by default the tiny sweep of tests/data/workflow)."""
    topologies = sorted(TINY.glob("*.csv")) if topologies is None else topologies
    hardware = sorted(TINY.glob("*.cfg")) if hardware is None else hardware
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, dest / part)
    (dest / "topologies").mkdir()
    (dest / "hardware").mkdir()
    for topology in topologies:
        shutil.copy2(topology, dest / "topologies" / Path(topology).name)
    for cfg in hardware:
        shutil.copy2(cfg, dest / "hardware" / Path(cfg).name)
    for name in DEVICE_CORNER_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    (dest / "config").mkdir()
    shutil.copy2(config, dest / "config" / "config.yaml")
    return dest


def snakemake(workdir, *args, cores=2, timeout=RUN_TIMEOUT_S, check=True, env=None, workflow_profile="none"):
    """Run Snakemake in `workdir`, by default without any workflow profile (in environment `env`,
    default this process's); returns the CompletedProcess."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--workflow-profile", workflow_profile, *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def failed_dry_run(workdir):
    """The output of a dry run that must fail before any job runs (and create no results)."""
    result = snakemake(workdir, "--dry-run", check=False)
    assert result.returncode != 0
    assert not (workdir / "results").exists()
    return result.stdout + result.stderr


def private_copy(completed, dest):
    """A copy of a completed run in `dest`, with Snakemake's metadata and the files' times."""
    shutil.copytree(completed, dest, symlinks=True)
    return dest


def edit_config(workdir, **changes):
    path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config.update(changes)
    path.write_text(yaml.safe_dump(config))


def replace_in_file(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def planned_jobs(workdir):
    """The jobs a dry run would run, as (rule, wildcards dict) pairs."""
    output = snakemake(workdir, "--dry-run").stdout
    if "Nothing to be done" in output:
        return []
    jobs = []
    # Jobs of a group (rules graphs_<topology>_layers<first>_<last>) are listed indented under "Group job ...".
    for block in re.split(r"\n(?=\s*(?:local)?rule \w+:)", output):
        header = re.match(r"\s*(?:local)?rule (\w+):", block)
        if not header or header.group(1) == "all":
            continue
        wildcards = re.search(r"^\s*wildcards: (.*)$", block, re.MULTILINE)
        pairs = wildcards.group(1).split(", ") if wildcards else []
        jobs.append((header.group(1), dict(pair.split("=", 1) for pair in pairs)))
    return jobs


def printed_jobs(output):
    """The jobs Snakemake printed (a run's or a dry run's; but the target rule `all`), in the order
    printed, each a dict: rule, wildcards (dict), jobid, log (its first file or None), mem_mb and
    runtime_min (the declared resources). A group's jobs are printed indented under the group."""
    jobs = []
    for _, rule, block in re.findall(r"^( *)(?:local)?rule (\S+):\n((?:\1    .*\n)+)", output, re.MULTILINE):
        fields = dict(re.findall(r"^ +(\w+): (.*)$", block, re.MULTILINE))
        if rule == "all" or "resources" not in fields:
            continue
        declared = dict(item.split("=", 1) for item in fields["resources"].split(", ") if "=" in item)
        wildcards = dict(item.split("=", 1) for item in fields.get("wildcards", "").split(", ") if "=" in item)
        jobs.append({"rule": rule, "wildcards": wildcards, "jobid": fields.get("jobid"),
                     "log": fields["log"].split()[0] if "log" in fields else None,
                     "mem_mb": int(declared["mem_mb"]), "runtime_min": int(declared["runtime"])})
    return jobs


def rule_counts(jobs):
    counts = {}
    for rule, _ in jobs:
        counts[rule] = counts.get(rule, 0) + 1
    return counts


def result_files(workdir, suffixes=(".csv", ".gz", ".json")):
    """Relative path -> bytes of every result file with one of `suffixes`."""
    results = workdir / "results"
    return {
        str(path.relative_to(results)): path.read_bytes()
        for path in sorted(results.rglob("*"))
        if path.suffix in suffixes
    }
