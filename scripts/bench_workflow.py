#!/usr/bin/env python3
"""Benchmark of the Snakemake workflow, each case in a fresh temporary copy of the repository
(figures and targets: docs/performance.md):

1. full DAG of ResNet-50 x scale32_os from empty results/ with --cores 2 (simulate, 162 lifetime jobs,
   54 per-layer steps, report, summary): wall time, target < 90 s;
2. dry run of every shipped topology x 6 hardware configs (the three shipped configs plus three
   dataflow variants of them): DAG build time, target < 10 s.

    .venv/bin/python scripts/bench_workflow.py [--skip-full-run]
"""

import argparse
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workflow_support import make_workflow_copy, snakemake  # noqa: E402  (the tests' repository copy)

SHIPPED_HARDWARE = ("scale32_os", "tpu256_ws", "eyeriss_ws")
DATAFLOW_VARIANTS = {"scale32_ws": ("scale32_os", "ws"), "tpu256_os": ("tpu256_ws", "os"),
                     "eyeriss_is": ("eyeriss_ws", "is")}


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(workdir, *args, cores=2):
    """(wall seconds, CPU seconds of Snakemake and all its jobs, CompletedProcess). On a shared
    machine the CPU time shows what the run itself cost when the wall time is stretched by others."""
    started, cpu_before = time.perf_counter(), children_cpu_seconds()
    result = snakemake(workdir, *args, cores=cores, timeout=3600)
    return time.perf_counter() - started, children_cpu_seconds() - cpu_before, result


def job_count(output):
    """The total of Snakemake's "Job stats" table."""
    match = re.search(r"^total\s+(\d+)", output, re.MULTILINE)
    return int(match.group(1)) if match else None


def write_config(path, topologies, hardware):
    path.write_text(yaml.safe_dump({"topologies": list(topologies), "hardware": list(hardware)}))
    return path


def full_run(tmp):
    config = write_config(tmp / "resnet50.yaml", ["resnet50"], ["scale32_os"])
    workdir = make_workflow_copy(tmp / "full", config, [ROOT / "topologies" / "resnet50.csv"],
                                 [ROOT / "hardware" / "scale32_os.cfg"])
    seconds, cpu, result = timed_run(workdir, "--scheduler", "greedy")
    jobs = job_count(result.stdout + result.stderr)
    print(f"full run, ResNet-50 x scale32_os, --cores 2, empty results/: {seconds:.1f} s wall "
          f"({cpu:.0f} CPU-s), {jobs} jobs (target < 90 s wall)")


def variant_configs(tmp):
    """The three shipped configs and three copies with another dataflow (and run name)."""
    files = [ROOT / "hardware" / f"{name}.cfg" for name in SHIPPED_HARDWARE]
    for name, (source, dataflow) in DATAFLOW_VARIANTS.items():
        text = (ROOT / "hardware" / f"{source}.cfg").read_text()
        text = re.sub(r"(?im)^(\s*Dataflow\s*[:=]\s*)\w+", rf"\g<1>{dataflow}", text)
        text = re.sub(r"(?im)^(\s*run_name\s*[:=]\s*)\S+", rf"\g<1>{name}", text)
        (tmp / f"{name}.cfg").write_text(text)
        files.append(tmp / f"{name}.cfg")
    return files


def dry_run(tmp):
    topology_files = sorted((ROOT / "topologies").glob("*.csv"))
    hardware_files = variant_configs(tmp)
    config = write_config(tmp / "sweep.yaml", [p.stem for p in topology_files], [p.stem for p in hardware_files])
    workdir = make_workflow_copy(tmp / "sweep", config, topology_files, hardware_files)
    seconds, cpu, _ = timed_run(workdir, "--dry-run", "--quiet")
    # Counted in a second, untimed run: the job table costs time of its own (the reasons per job).
    _, _, result = timed_run(workdir, "--dry-run", "--quiet", "rules")
    jobs = job_count(result.stdout + result.stderr)
    print(f"dry run, {len(topology_files)} topologies x {len(hardware_files)} hardware configs: "
          f"{seconds:.1f} s wall ({cpu:.1f} CPU-s) to build the DAG of {jobs} jobs (target < 10 s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-full-run", action="store_true", help="only the dry-run benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gainflow-bench-") as tmp:
        tmp = Path(tmp)
        dry_run(tmp)
        if not args.skip_full_run:
            full_run(tmp)


if __name__ == "__main__":
    main()
