#!/usr/bin/env python3
"""Benchmarks of the Snakemake workflow, each case in a fresh temporary copy of the repository
(figures and targets: docs/performance.md). Snakemake runs as users run it, with the shipped workflow
profile (profiles/default: greedy scheduler) and `--cores 2`; `--profile none` runs it without any
profile (Snakemake's default ILP scheduler), as the tests do. Cases (`--case`, default all but `study`):

- full: ResNet-50 x scale32_os from empty results/, --cores 2: wall and CPU time (all processes, and
  Snakemake's own process), jobs, size of results/, files left behind that are not results.
- startup: the fixed cost of one job: interpreter, numpy, each kind of job's imports and argument
  parsing (as its job runs them) in a process of its own and as the job server serves it (the client's
  process and the server's forked child), and Snakemake's own CPU time per job (from the full case
  when it ran).
- study: ResNet-18 and MobileNet on a 24-point grid (4 arrays x 3 dataflows x 2 buffer sizes) x
  3 clocks x 2 device corners, --cores 2: wall, CPU, disk.
- dry: DAG build of 6 topologies x a 50-point grid x 3 clocks (`snakemake -n`): seconds and jobs per second.

    .venv/bin/python scripts/bench_workflow.py [--case full --case dry ...] [--profile none] [--job-server off]

`--job-server off` runs the sweeps with GAINFLOW_JOB_SERVER=off: every job in a process of its own.
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workflow_support import make_workflow_copy  # noqa: E402  (the tests' repository copy)

from gainflow.sweep import job_server  # noqa: E402

ARRAYS = ["32x32", "64x64", "128x128", "256x256"]
CLOCKS = [5e8, 1e9, 1.5e9]
CORNERS = {"nominal": {}, "sisi_1us": {"gc_list": "hardware/devices/sisi_retention_1us.json"}}
# Snakemake run inside a Python that reports its own CPU time on exit: the scheduler's share of a run.
SNAKEMAKE_WITH_SELF_CPU = (
    "import atexit, resource, sys\n"
    "def report():\n"
    "    usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    print(f'SNAKEMAKE_SELF_CPU {usage.ru_utime + usage.ru_stime:.2f}', file=sys.stderr)\n"
    "atexit.register(report)\n"
    "from snakemake.cli import main\n"
    "sys.argv = ['snakemake', *sys.argv[1:]]\n"
    "main()\n"
)
# What each kind of job runs before its work, in the environment the workflow gives its jobs (one
# OpenBLAS thread: workflow/rules/common.smk): the adapter's imports and argument parsing (`--help`
# exits right after them); a graphs job also imports the parts of matplotlib it draws with.
JOB_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1"}
STARTUP_COMMANDS = {
    "interpreter alone": [sys.executable, "-c", "pass"],
    "numpy alone": [sys.executable, "-c", "import numpy"],
    "lifetime job (lifetimes_part.py)": [sys.executable, "workflow/scripts/lifetimes_part.py", "--help"],
    "layer job (layer.py)": [sys.executable, "workflow/scripts/layer.py", "--help"],
    "report job (gainflow frontend)": [str(Path(sys.executable).with_name("gainflow")), "frontend", "--help"],
    "graphs job (graphs.py and matplotlib)": [
        sys.executable, "-c", "import runpy, sys; sys.argv = ['graphs.py', '--help']; "
        "import matplotlib.figure, matplotlib.backends.backend_agg; "
        "runpy.run_path('workflow/scripts/graphs.py', run_name='__main__')"],
}


# The same jobs through the job server: the client (a bare interpreter) asks the server to fork them.
SERVED_COMMANDS = {
    "lifetime job (lifetimes_part.py)": ["workflow/scripts/lifetimes_part.py", "--help"],
    "layer job (layer.py)": ["workflow/scripts/layer.py", "--help"],
    "report job (gainflow frontend)": ["gainflow", "frontend", "--help"],
    "graphs job (graphs.py, matplotlib in the server)": ["workflow/scripts/graphs.py", "--help"],
}


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


PROFILE_ARGS = []  # ["--workflow-profile", "none"] with --profile none
SWEEP_ENVIRONMENT = {}  # {"GAINFLOW_JOB_SERVER": "off"} with --job-server off


def run_snakemake(workdir, *args, cores=2):
    """(wall s, CPU s of all processes, Snakemake's own CPU s, combined output); raises on failure."""
    command = [sys.executable, "-c", SNAKEMAKE_WITH_SELF_CPU, "--cores", str(cores), *PROFILE_ARGS, *args]
    started, cpu_before = time.perf_counter(), children_cpu_seconds()
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, env={**os.environ, **SWEEP_ENVIRONMENT})
    wall, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu_before
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed in {workdir}:\n{output[-4000:]}")
    own = re.search(r"^SNAKEMAKE_SELF_CPU ([0-9.]+)$", output, re.MULTILINE)
    return wall, cpu, float(own.group(1)) if own else float("nan"), output


def job_count(output):
    """The total of Snakemake's "Job stats" table."""
    match = re.search(r"^total\s+(\d+)", output, re.MULTILINE)
    return int(match.group(1)) if match else 0


def disk_mb(folder):
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def leftovers(workdir):
    """Files and folders a finished run should not leave: pair files, staging folders, empty folders."""
    results = workdir / "results"
    found = [path for path in results.rglob("*") if path.suffix == ".pair" or path.name.startswith(".")]
    found += [path for path in results.rglob("*") if path.is_dir() and not any(path.iterdir())]
    return sorted(str(path.relative_to(workdir)) for path in found)


def workflow_copy(tmp, name, config, topologies):
    (tmp / f"{name}.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return make_workflow_copy(tmp / name, tmp / f"{name}.yaml", [ROOT / "topologies" / f"{t}.csv" for t in topologies],
                              sorted((ROOT / "hardware").glob("*.cfg")))


def load():
    return f"load average {os.getloadavg()[0]:.1f}"


def profile():
    scheduler = "no profile: ILP scheduler" if PROFILE_ARGS else "profiles/default: greedy scheduler"
    return f"{scheduler}, job server {'off' if SWEEP_ENVIRONMENT else 'on'}"


def full_case(tmp):
    workdir = workflow_copy(tmp, "full", {"topologies": ["resnet50"], "hardware": ["scale32_os"]}, ["resnet50"])
    wall, cpu, own, output = run_snakemake(workdir)
    jobs = job_count(output)
    print(f"full: ResNet-50 x scale32_os, --cores 2, empty results/: {wall:.1f} s wall, {cpu:.0f} CPU-s "
          f"({own:.0f} of them Snakemake's own process), {jobs} jobs, {jobs / wall:.1f} jobs/s; "
          f"results/ {disk_mb(workdir / 'results'):.1f} MB; left behind: {leftovers(workdir) or 'nothing'} "
          f"({profile()}, {load()}; targets: 35 s, 30 MB)")
    return own / jobs if jobs else None


def startup_case(snakemake_per_job):
    def cpu_of(command):
        started = children_cpu_seconds()
        subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, **JOB_ENVIRONMENT}, stdout=subprocess.DEVNULL)
        return children_cpu_seconds() - started

    # The package's bytecode, as the workflow writes it at start (workflow/rules/common.smk).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "workflow" / "gainflow")], check=True)
    repeats = 10
    for name, command in STARTUP_COMMANDS.items():
        print(f"startup: {name}: {min(cpu_of(command) for _ in range(repeats)):.3f} CPU-s "
              f"(best of {repeats}, {load()})")
    served_startup(repeats=20)
    if snakemake_per_job is not None:
        print(f"startup: Snakemake's own process per job (full case): {snakemake_per_job:.3f} CPU-s")


def served_startup(repeats):
    """Each served kind's mean CPU time over `repeats` jobs: the client's process (this process's
    children) and the server's forked children (the time of its reaped children in /proc/<server>/stat)."""
    server = job_server.start()  # this process's server: its pid gives its children's CPU time
    environment = {**os.environ, **JOB_ENVIRONMENT, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    del os.environ[job_server.SOCKET_VARIABLE]  # only for the jobs below, not for later sweeps

    def served(arguments):
        return subprocess.run([sys.executable, "-S", "workflow/scripts/run_job.py", *arguments], check=True, cwd=ROOT,
                              env=environment, stdout=subprocess.DEVNULL)

    try:
        while f"@{environment[job_server.SOCKET_VARIABLE]}" not in Path("/proc/net/unix").read_text():
            time.sleep(0.01)
        served(SERVED_COMMANDS["layer job (layer.py)"])  # returns once the server has done its imports
        print(f"startup served: the server's own start (its imports), once per run: "
              f"{process_cpu_seconds(server.pid)[0]:.2f} CPU-s ({load()})")
        for name, arguments in SERVED_COMMANDS.items():
            clients, forked = children_cpu_seconds(), process_cpu_seconds(server.pid)[1]
            for _ in range(repeats):
                served(arguments)
            cpu = children_cpu_seconds() - clients + process_cpu_seconds(server.pid)[1] - forked
            print(f"startup served: {name}: {cpu / repeats:.3f} CPU-s (mean of {repeats}, {load()})")
    finally:
        job_server.stop(server)


def process_cpu_seconds(pid):
    """(CPU seconds of process `pid`, of the children it has waited for), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def study_case(tmp):
    grids = [{"array": ARRAYS, "dataflow": ["os", "ws", "is"], "ifmap_sram_kb": kb, "filter_sram_kb": kb,
              "ofmap_sram_kb": kb} for kb in (64, 512)]
    config = {"topologies": ["resnet18", "mobilenet"], "hardware": [], "hardware_grid": grids,
              "clock_hz": CLOCKS, "device_corners": CORNERS}
    workdir = workflow_copy(tmp, "study", config, config["topologies"])
    wall, cpu, own, output = run_snakemake(workdir)
    reports = len(list((workdir / "results").glob("*/*/report-*.json")))
    jobs = job_count(output)
    print(f"study: 2 topologies x 24 grid points x 3 clocks x 2 corners ({reports} reports), --cores 2: "
          f"{wall:.0f} s wall, {cpu:.0f} CPU-s ({own:.0f} Snakemake's own), {jobs} jobs, {jobs / wall:.1f} jobs/s; "
          f"results/ {disk_mb(workdir / 'results'):.0f} MB ({profile()}, {load()}; targets: 15 min, 1 GB)")


def dry_case(tmp):
    topologies = ["resnet18", "resnet50", "mobilenet", "alexnet", "yolo_tiny", "gpt2_gemm"]
    grid = {"array": ["16x16", "32x32", "64x64", "128x128", "256x256"], "dataflow": ["os", "ws"],
            "ifmap_sram_kb": [64, 128, 256, 512, 1024]}
    config = {"topologies": topologies, "hardware": [], "hardware_grid": grid, "clock_hz": CLOCKS}
    workdir = workflow_copy(tmp, "dry", config, topologies)
    wall, cpu, _, _ = run_snakemake(workdir, "--dry-run", "--quiet")
    # Counted in a second, untimed run: the job table costs time of its own (the reasons per job).
    jobs = job_count(run_snakemake(workdir, "--dry-run", "--quiet", "rules")[3])
    print(f"dry: 6 topologies x 50 grid points x 3 clocks: DAG of {jobs} jobs built in {wall:.1f} s wall "
          f"({cpu:.1f} CPU-s), {jobs / wall:.0f} jobs/s ({profile()}, {load()}; target 60 s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", choices=("full", "startup", "study", "dry"),
                        help="run only these cases (repeatable); default: full, startup, dry")
    parser.add_argument("--profile", choices=("default", "none"), default="default",
                        help="default: the shipped profiles/default (as users run it); none: no profile")
    parser.add_argument("--job-server", choices=("on", "off"), default="on",
                        help="on: local runs' job server (as users run it); off: every job a process of its own")
    args = parser.parse_args()
    if args.job_server == "off":
        SWEEP_ENVIRONMENT[job_server.SOCKET_VARIABLE] = "off"
    cases = args.case or ["full", "startup", "dry"]
    if args.profile == "none":
        PROFILE_ARGS.extend(["--workflow-profile", "none"])
    with tempfile.TemporaryDirectory(prefix="gainflow-bench-") as tmp:
        tmp = Path(tmp)
        per_job = full_case(tmp) if "full" in cases else None
        if "startup" in cases:
            startup_case(per_job)
        if "study" in cases:
            study_case(tmp)
        if "dry" in cases:
            dry_case(tmp)


if __name__ == "__main__":
    main()
