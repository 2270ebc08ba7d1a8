#!/usr/bin/env python3
"""Each workflow job's declared resources (`mem_mb`, `runtime`) against its measured peak memory and
time, over a sweep of every shipped topology and hardware config plus one grid point (figures and
command: docs/performance.md).

The sweep runs in a temporary copy of the repository with Snakemake (`--cores`, default 2; peak
memory is per process, so jobs side by side do not change it). Every job's shell is a small wrapper
(Snakemake's `shell_exec` resource) that runs the command with bash and records the command's peak
resident memory (getrusage of its processes: exact, where Snakemake's `benchmark:` directive samples
every few seconds and misses short peaks), CPU and wall time. A job is matched to what Snakemake
printed for it (rule, wildcards, resources) by its log file. The sweep runs without the job server
(GAINFLOW_JOB_SERVER=off): each job in a process of its own, as on a cluster, so that its peak and
CPU time are its own (a job forked from the server would share the server's memory and imports).

Checks: no job's peak exceeds its `mem_mb`; above 200 MB no `mem_mb` exceeds twice the peak; no job's
CPU time exceeds its `runtime` (on a cluster a job has its cores to itself; the wall times of a shared
machine are printed beside). The exit status is 1 if a check fails.

    .venv/bin/python scripts/bench_resources.py                         # every topology and config
    .venv/bin/python scripts/bench_resources.py --topology alexnet --hardware scale32_os
    .venv/bin/python scripts/bench_resources.py --exclude gpt2_gemm --save runs.json
    .venv/bin/python scripts/bench_resources.py --load runs.json --load more.json --fit
    .venv/bin/python scripts/bench_resources.py --load old.json --drop report --load new.json --fit

`--drop KIND` leaves a job kind out of the run loaded just before it (repeatable), e.g. where the code
of that kind's jobs has changed since the run was measured. `--save-traces` sweeps with
`save_traces: true`: the simulate jobs also write SCALE-Sim traces and the lifetime jobs parse them
(kinds simulate_traces and lifetimes_traces; an existing SCALE-Sim run's lifetime jobs, rule
scalesim_lifetimes, are of the latter).

Run it from a checkout that nothing edits while it runs: the jobs import gainflow from there.

`--fit` fits the models of every job kind measured and writes them, with what they were fitted on and
the command, to the models file (workflow/gainflow/data/resources.json; kinds measured fewer than
MIN_FIT_JOBS times, and models set by hand, `"fitted": false`, are kept): per kind, the linear model of the measured peaks (CPU times)
with the smallest spread of estimate / measurement, scaled up until it covers every measurement, plus
FIT_HEADROOM (see `fit_linear`). The tables it prints are those of the models before the fit; run it
again with --load to see the new ones.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workflow_support import make_workflow_copy, printed_jobs  # noqa: E402  (the tests' repository copy)

from gainflow.files.atomic import atomic_file  # noqa: E402

from gainflow.inputs.hwconfig import load_hardware_config  # noqa: E402
from gainflow.inputs.topology import load_topology  # noqa: E402
from gainflow.lifetimes.stream import STATE_BYTES_PER_ADDRESS  # noqa: E402
from gainflow.sweep import resources  # noqa: E402

# One grid point (the `is` dataflow, which no shipped config uses) covers the grid_point rule.
GRID = {"base": "scale32_os", "array": ["64x64"], "dataflow": ["is"], "ifmap_sram_kb": [128],
        "filter_sram_kb": [128], "ofmap_sram_kb": [128]}
LARGE_MB = 200  # above this peak, no estimate may exceed MAX_OVERESTIMATE times the peak
MAX_OVERESTIMATE = 2.0
FIT_HEADROOM = 1.1  # fitted models cover every measurement, then this much more
LAWSON_ROUNDS = 60
DESCENT_SMALLEST_STEP = 1e-3  # of a coefficient's typical size (see _descend)
MIN_FIT_JOBS = 5  # a kind measured fewer times keeps its model (one summary job fixes no slope)
STOP_GRACE_S = 30  # after --timeout: how long Snakemake may take to stop its jobs
MIN_CPU_SCALE_S = 1.0  # CPU time errors count relative to at least this
MEASURING_SHELL = """#!{python}
import json, resource, subprocess, sys, time
started = time.perf_counter()
status = subprocess.call([{bash!r}, *sys.argv[1:]])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
record = {{"command": sys.argv[-1], "status": status, "max_rss_kb": usage.ru_maxrss,
          "cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": time.perf_counter() - started}}
with open({records!r}, "a") as handle:
    handle.write(json.dumps(record) + "\\n")
sys.exit(status)
"""
LOG_PATH = re.compile(r"(logs/\S+?\.log)")


def shipped(folder, suffix):
    return sorted(path.stem for path in (ROOT / folder).glob(f"*{suffix}"))


def job_kind(rule):
    """The rule's kind of work (an existing SCALE-Sim run's lifetime jobs parse its traces)."""
    if rule.startswith("graphs_"):
        return "graphs"
    return {"named_hardware": "hardware", "grid_point": "hardware", "scalesim_run": "hardware",
            "scalesim_lifetimes": "lifetimes"}.get(rule, rule)


class LoadRun(argparse.Action):
    """--load PATH: one more run to read, as [PATH, kinds to drop]."""

    def __call__(self, parser, namespace, value, option_string=None):
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), (value, [])])


class DropKind(argparse.Action):
    """--drop KIND: a job kind left out of the run of the --load before it."""

    def __call__(self, parser, namespace, value, option_string=None):
        runs = getattr(namespace, self.dest)
        if not runs:
            parser.error(f"{option_string} {value}: give it after the --load of the run it applies to")
        if value not in resources.QUANTITIES:
            parser.error(f"{option_string} {value}: no such job kind (kinds: {', '.join(resources.QUANTITIES)})")
        runs[-1][1].append(value)


def run_snakemake(command, workdir, timeout_s):
    """(exit status, output) of Snakemake; after `timeout_s` seconds (None: no limit) it is stopped
    with SIGTERM (Snakemake then stops its jobs), or SIGKILL to its process group if it has not ended
    STOP_GRACE_S later, and the status is None."""
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, env={**os.environ, "GAINFLOW_JOB_SERVER": "off"})
    try:
        output, _ = process.communicate(timeout=timeout_s)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return None, output


def run_sweep(workdir, cores, targets, timeout_s=None):
    """Run the sweep in `workdir` with the measuring shell: one record per job that finished (if the
    sweep fails or is stopped after `timeout_s`, those measured so far, and a message on stderr)."""
    records = workdir / "job-measurements.jsonl"
    shell = workdir / "measuring-shell" / "bash"  # named bash: Snakemake keeps its `set -euo pipefail;` prefix
    shell.parent.mkdir()
    shell.write_text(MEASURING_SHELL.format(python=sys.executable, bash=shutil.which("bash"), records=str(records)))
    shell.chmod(0o755)
    # Targets first: --default-resources takes every value after it.
    command = [sys.executable, "-m", "snakemake", *targets, "--cores", str(cores), "--workflow-profile", "none",
               "--default-resources", f"shell_exec='{shell}'"]
    started = time.perf_counter()
    status, output = run_snakemake(command, workdir, timeout_s)
    print(f"sweep: {time.perf_counter() - started:.0f} s wall, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    if status is None:
        print(f"sweep stopped after {timeout_s} s; keeping the jobs that finished", file=sys.stderr)
    elif status != 0:
        print(f"snakemake failed in {workdir}; keeping the jobs that finished:\n{output[-3000:]}", file=sys.stderr)
    declared = {job["log"]: job for job in printed_jobs(output) if job["log"]}
    measured = [json.loads(line) for line in records.read_text().splitlines()] if records.exists() else []
    return [{**declared[LOG_PATH.search(record["command"]).group(1)], "peak_mb": record["max_rss_kb"] * 1024 / 1e6,
             "cpu_s": record["cpu_s"], "wall_s": record["wall_s"]}
            for record in measured if record["status"] == 0]


class SweepWork:
    """JobWork of each measured job, from the sweep's topologies and (generated) hardware configs."""

    def __init__(self, workdir, reports, tables, traces, state_bytes_per_address):
        self.workdir = Path(workdir)
        self.reports = reports
        self.tables = tables
        self.traces = traces
        self.state_bytes_per_address = state_bytes_per_address
        self.works = {}

    def hardware(self, hw):
        return load_hardware_config(self.workdir / "results" / "hardware" / f"{hw}.cfg")

    def run(self, topo, hw):
        if (topo, hw) not in self.works:
            layers = load_topology(self.workdir / "topologies" / f"{topo}.csv", "gemm" if topo.endswith("_gemm") else "conv")
            self.works[topo, hw] = [resources.layer_work(layer, self.hardware(hw)) for layer in layers]
        return self.works[topo, hw]

    def of(self, job):
        """The JobWork of a measured job (its rule and wildcards)."""
        rule, w = job["rule"], job["wildcards"]
        kind = job_kind(rule)
        if kind == "simulate":
            return resources.simulate_work(self.run(w["topo"], w["hw"]), self.traces)
        if kind == "lifetimes":
            return resources.lifetimes_work(self.run(w["topo"], w["hw"])[int(w["layer"])], w["sub"], self.tables,
                                            self.state_bytes_per_address, self.traces or rule == "scalesim_lifetimes")
        if kind == "layer":
            return resources.layer_step_work(self.run(w["topo"], w["hw"])[int(w["layer"])], self.tables)
        if kind == "graphs":
            first, last = map(int, re.search(r"_layers(\d+)_(\d+)$", rule).groups())
            return resources.graphs_work(last - first + 1)
        if kind == "report":
            return resources.report_work(self.run(w["topo"], w["hw"]), self.hardware(w["hw"]))
        if kind == "summary":
            return resources.summary_work(self.reports)
        return resources.hardware_work()


def nonnegative_least_squares(features, target, weights):
    """Weighted least squares with coefficients >= 0: a quantity whose coefficient comes out
    negative is dropped and the rest fitted again."""
    active = list(range(features.shape[1]))
    root = np.sqrt(weights)[:, None]
    while True:
        solution = np.linalg.lstsq(features[:, active] * root, target * root[:, 0], rcond=None)[0]
        if (solution >= 0).all() or len(active) == 1:
            break
        active.pop(int(np.argmin(solution)))
    coefficients = np.zeros(features.shape[1])
    coefficients[active] = np.maximum(solution, 0)
    return coefficients


def fit_linear(quantities, measured, scale_floor):
    """(base, {name: coefficient}), all >= 0, scaled to cover every measurement (times FIT_HEADROOM),
    with the smallest spread: the largest estimate / max(measurement, `scale_floor`) over the smallest
    estimate / measurement. Small jobs need only be covered: how far above them an estimate lies
    counts as if they had measured `scale_floor`.

    The first candidates are weighted least-squares fits of the relative errors, starting from equal
    weights and multiplying each job's weight by the square root of its error each round (a damped
    Lawson iteration); the best of them is then improved one coefficient at a time on the spread
    itself (`_descend`)."""
    names = sorted(quantities[0])
    scale = np.maximum(np.array(measured, dtype=float), scale_floor)
    features = np.array([[1.0] + [q[name] for name in names] for q in quantities]) / scale[:, None]
    target = np.array(measured, dtype=float) / scale
    weights = np.full(len(target), 1.0 / len(target))
    best, best_spread = None, np.inf
    for _ in range(LAWSON_ROUNDS):
        coefficients = nonnegative_least_squares(features, target, weights)
        spread = _spread(features, target, coefficients)
        if spread < best_spread:
            best, best_spread = coefficients, spread
        errors = np.abs(features @ coefficients - target) + 1e-9
        weights = np.maximum(weights * np.sqrt(errors), 1e-6)
        weights /= weights.sum()
    if best is None:  # nothing to fit (e.g. every quantity zero and a zero base): the largest measurement
        best = np.zeros(features.shape[1])
        best[0] = float(np.max(np.array(measured, dtype=float))) * FIT_HEADROOM
    else:
        best = _descend(features, target, best)
        best = best * FIT_HEADROOM / ((features @ best) / target).min()
    return float(best[0]), {name: float(value) for name, value in zip(names, best[1:])}


def _spread(features, target, coefficients):
    """The spread of `fit_linear` (features and target divided by the scale), inf if an estimate is
    not positive."""
    estimates = features @ coefficients
    if not (estimates > 0).all():
        return np.inf
    return estimates.max() / (estimates / target).min()


def _descend(features, target, coefficients):
    """`coefficients` improved on the spread: each in turn moved up or down by a step (relative to the
    others' size, so a zero one can start), kept where the spread shrinks; the step halves when no
    move helps."""
    coefficients = coefficients.copy()
    # A coefficient's typical size: what makes its quantity's median contribution the median target.
    typical = np.array([np.median(target) / max(np.median(column[column > 0]) if (column > 0).any() else 1.0, 1e-12)
                        for column in features.T])
    spread, step = _spread(features, target, coefficients), 0.5
    while step > DESCENT_SMALLEST_STEP:
        moved = False
        for index in range(len(coefficients)):
            for delta in (step, -step):
                trial = coefficients.copy()
                trial[index] = max(0.0, trial[index] + delta * typical[index])
                trial_spread = _spread(features, target, trial)
                if trial_spread < spread - 1e-12:
                    coefficients, spread, moved = trial, trial_spread, True
        if not moved:
            step /= 2
    return coefficients


def significant(value):
    return float(f"{value:.3g}")


def linear_entry(base, coefficients):
    """A model file's {"base", "coefficients"} of a fit, to 3 significant digits."""
    return {"base": significant(base), "coefficients": {name: significant(value) for name, value in sorted(coefficients.items())}}


def fitted_models(jobs, works, command):
    """The models file's document with every measured kind refitted (models set by hand kept), and
    one line per refitted kind on how its memory model does on these measurements."""
    document = json.loads(resources.MODELS_FILE.read_text())
    lines = []
    for kind in sorted({job["kind"] for job in jobs}):
        chosen = [(job, works[id(job)]) for job in jobs if job["kind"] == kind]
        if not document["models"][kind]["fitted"] or len(chosen) < MIN_FIT_JOBS:
            lines.append(f"{kind}: kept ({len(chosen)} jobs measured)")
            continue
        memory = linear_entry(*fit_linear([work.memory for _, work in chosen], [job["peak_mb"] for job, _ in chosen],
                                          LARGE_MB))
        cpu = linear_entry(*fit_linear([work.cpu for _, work in chosen], [job["cpu_s"] for job, _ in chosen],
                                       MIN_CPU_SCALE_S))
        sources = "; ".join(dict.fromkeys(job["source"] for job, _ in chosen))
        document["models"][kind] = {"fitted": True, "fitted_on": f"{len(chosen)} jobs measured {time.strftime('%Y-%m-%d')} "
                                    f"by {sources}", "command": command, "memory_mb": memory, "cpu_s": cpu}
        model = resources.Linear(memory["base"], memory["coefficients"])
        ratios = [math.ceil(model(work.memory)) / job["peak_mb"] for job, work in chosen]
        large = [ratio for ratio, (job, _) in zip(ratios, chosen) if job["peak_mb"] > LARGE_MB]
        lines.append(f"{kind}: {len(chosen)} jobs, mem_mb / peak {min(ratios):.2f}-{max(ratios):.2f}"
                     + (f", above {LARGE_MB} MB at most {max(large):.2f}" if large else ""))
    return document, lines


def write_fit(jobs, works, command):
    """Refit the measured kinds and write the models file (checked before it is written)."""
    document, lines = fitted_models(jobs, works, command)
    target = Path(str(resources.MODELS_FILE))
    resources.models_of(document, target)
    with atomic_file(target) as handle:
        handle.write((json.dumps(document, indent=2) + "\n").encode())
    print(f"\nFitted models written to {target.relative_to(ROOT)}:\n  " + "\n  ".join(lines))


def label(job):
    return " ".join([job["rule"], *(f"{k}={v}" for k, v in job["wildcards"].items())])


def check(jobs):
    """Rows per job kind, and the jobs that break a rule."""
    broken = []
    print(f"\n| job | jobs | largest peak MB | its mem_mb | mem_mb / peak (min-max) | above {LARGE_MB} MB: max mem_mb / peak "
          "| longest CPU s | longest wall s | its runtime min |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in sorted({job["kind"] for job in jobs}):
        chosen = [job for job in jobs if job["kind"] == kind]
        ratios = [job["mem_mb"] / job["peak_mb"] for job in chosen]
        large = [job["mem_mb"] / job["peak_mb"] for job in chosen if job["peak_mb"] > LARGE_MB]
        biggest = max(chosen, key=lambda job: job["peak_mb"])
        slowest = max(chosen, key=lambda job: job["wall_s"])
        print(f"| {kind} | {len(chosen)} | {biggest['peak_mb']:.0f} | {biggest['mem_mb']} | {min(ratios):.2f}-{max(ratios):.2f} "
              f"| {f'{max(large):.2f} ({len(large)} jobs)' if large else '-'} | {max(j['cpu_s'] for j in chosen):.1f} "
              f"| {slowest['wall_s']:.1f} | {slowest['runtime_min']} |")
        for job in chosen:
            if job["peak_mb"] > job["mem_mb"]:
                broken.append(f"{label(job)}: peak {job['peak_mb']:.0f} MB > mem_mb {job['mem_mb']}")
            if job["peak_mb"] > LARGE_MB and job["mem_mb"] > MAX_OVERESTIMATE * job["peak_mb"]:
                broken.append(f"{label(job)}: mem_mb {job['mem_mb']} > {MAX_OVERESTIMATE} x peak {job['peak_mb']:.0f} MB")
            if job["cpu_s"] > 60 * job["runtime_min"]:
                broken.append(f"{label(job)}: {job['cpu_s']:.0f} CPU-s > runtime {job['runtime_min']} min")
    return broken


def print_largest(jobs, count):
    print(f"\nThe {count} jobs with the largest peaks:\n")
    print("| job | peak MB | mem_mb | CPU s | wall s | runtime min |")
    print("|---|---|---|---|---|---|")
    for job in sorted(jobs, key=lambda job: -job["peak_mb"])[:count]:
        print(f"| {label(job)} | {job['peak_mb']:.0f} | {job['mem_mb']} | {job['cpu_s']:.1f} | {job['wall_s']:.1f} "
              f"| {job['runtime_min']} |")


def command_line():
    """This run's command, as docs/performance.md shows it."""
    return " ".join(["scripts/bench_resources.py", *sys.argv[1:]])


def sweep_config(topologies, hardware, tables, traces):
    return {"topologies": topologies, "hardware": hardware, "hardware_grid": GRID, "clock_hz": [1.0e9],
            "device_corners": {"nominal": {}}, "lifetime_tables": tables, "save_traces": traces}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topology", action="append", help="topologies/<name>.csv (repeatable; default: all)")
    parser.add_argument("--exclude", action="append", default=[], help="leave this topology out (repeatable)")
    parser.add_argument("--hardware", action="append", help="hardware/<name>.cfg (repeatable; default: all)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--lifetime-tables", action="store_true", help="sweep with `lifetime_tables: true`")
    parser.add_argument("--save-traces", action="store_true", help="sweep with `save_traces: true` (the simulate "
                        "jobs write SCALE-Sim traces, the lifetime jobs parse them)")
    parser.add_argument("--target", action="append", default=[],
                        help="run only the jobs for this file of the sweep (repeatable), e.g. one layer's "
                             "results/<topology>/<hardware>/layer<i>/layer<i>_aggregate_data.csv")
    parser.add_argument("--timeout", type=float, help="stop the sweep after this many seconds, keeping the jobs "
                        "measured by then (a partial sweep: say so where its figures are shown)")
    parser.add_argument("--save", type=Path, help="write the measurements (JSON) here")
    parser.add_argument("--load", type=Path, action=LoadRun, dest="runs",
                        help="read measurements saved with --save instead of running (repeatable: runs are combined; "
                             "the estimates are those of the current models)")
    parser.add_argument("--drop", action=DropKind, metavar="KIND", dest="runs",
                        help=f"leave this job kind out of the run loaded just before (repeatable; one of "
                             f"{', '.join(resources.QUANTITIES)}): its measurements are stale")
    parser.add_argument("--fit", action="store_true", help="print model coefficients fitted to the measurements")
    parser.add_argument("--largest", type=int, default=12, help="list this many jobs with the largest peaks")
    args = parser.parse_args()
    if args.runs:
        return report([{**json.loads(path.read_text()), "drop": drop} for path, drop in args.runs], args)
    topologies = [t for t in (args.topology or shipped("topologies", ".csv")) if t not in args.exclude]
    hardware = args.hardware or shipped("hardware", ".cfg")
    with tempfile.TemporaryDirectory(prefix="gainflow-bench-resources-") as tmp:
        tmp = Path(tmp)
        config = sweep_config(topologies, hardware, args.lifetime_tables, args.save_traces)
        (tmp / "sweep.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        workdir = make_workflow_copy(tmp / "sweep", tmp / "sweep.yaml",
                                     [ROOT / "topologies" / f"{t}.csv" for t in topologies],
                                     [ROOT / "hardware" / f"{h}.cfg" for h in shipped("hardware", ".cfg")])
        # The streaming state per address of the code measured: the models count it exactly.
        run = {"command": command_line(), "workdir": str(workdir), "reports": len(topologies) * (len(hardware) + 1),
               "tables": args.lifetime_tables, "traces": args.save_traces, "state_bytes_per_address": STATE_BYTES_PER_ADDRESS,
               "jobs": run_sweep(workdir, args.cores, args.target, args.timeout)}
        if args.save:
            # The inputs the models need (topologies, generated configs) are kept beside the measurements.
            kept = args.save.with_suffix(".inputs")
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(workdir / "topologies", kept / "topologies")
            shutil.copytree(workdir / "results" / "hardware", kept / "results" / "hardware", dirs_exist_ok=True)
            args.save.write_text(json.dumps({**run, "workdir": str(kept.resolve())}))
        return report([run], args, declared=True)


def run_source(run):
    """What measured a saved run, as the models file names it: its command, the file it was saved to
    by name only (no machine's paths), or else its folder."""
    if "command" not in run:
        return run["workdir"]
    return re.sub(r"--save (\S+)", lambda saved: f"--save {Path(saved.group(1)).name}", run["command"])


def report(runs, args, declared=False):
    """Check every job of `runs` against the current models' estimates (which, for a sweep just run,
    must be what Snakemake declared) and print the tables (and with --fit the fitted models)."""
    jobs, works = [], {}
    for run in runs:
        # Runs saved before the state's size was recorded measured the current code's.
        sweep = SweepWork(run["workdir"], run["reports"], run["tables"], run.get("traces", False),
                          run.get("state_bytes_per_address", STATE_BYTES_PER_ADDRESS))
        for job in run["jobs"]:
            work = sweep.of(job)
            if work.kind in run.get("drop", ()):
                continue
            estimate = resources.estimate(work)
            if declared and (job["mem_mb"], job["runtime_min"]) != (estimate.mem_mb, estimate.runtime_min):
                raise SystemExit(f"{label(job)}: Snakemake declared {job['mem_mb']} MB, {job['runtime_min']} min; "
                                 f"the models give {estimate}")
            job = {**job, "kind": work.kind, "mem_mb": estimate.mem_mb, "runtime_min": estimate.runtime_min,
                   "source": run_source(run)}
            works[id(job)] = work
            jobs.append(job)
    print(f"{len(jobs)} jobs measured")
    broken = check(jobs)
    print_largest(jobs, args.largest)
    if args.fit:
        write_fit(jobs, works, command_line())
    if broken:
        print(f"\n{len(broken)} checks failed:\n  " + "\n  ".join(broken[:40]))
        return 1
    print("\nEvery job within its estimate.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
