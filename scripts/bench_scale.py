"""Per-job CPU time and peak memory of a large topology x hardware config, against a memory bound.

    .venv/bin/python scripts/bench_scale.py --topology gpt2_gemm --hardware eyeriss_ws [--hardware ...]
        [--jobs simulate,traces,lifetimes,layer] [--layers 0,5] [--bound-mb 1500] [--workdir DIR]

Runs, one child process at a time, the commands the workflow runs for a topology x config:

- `simulate`: workflow/scripts/simulate.py, the whole topology, reports and run_info.json;
- `traces`: the same with --save-traces (the traces are deleted afterwards);
- `lifetimes`: per layer and buffer, workflow/scripts/lifetimes_part.py as rule `lifetimes` calls it
  without saved traces (re-simulating its layer);
- `layer`: per layer, workflow/scripts/layer.py on the layer's three part files;
- `events` (not by default): per layer and buffer, the simulator's share of a lifetime job alone: run
  the layer and walk `buffer_event_chunks` of the buffer without keeping the chunks;
- `layer-simulate`, `layer-traces` (not by default): `gainflow simulate` of one layer at a time (a
  one-row topology), without and with --save-traces: where a whole-topology run peaks.

Each row: the job, its wall time, CPU time (user + system) and peak RSS from the child's rusage, and
whether that peak is within `--bound-mb`. Rows are printed as the jobs end, then the table again.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "workflow" / "scripts"
GAINFLOW = Path(sys.executable).with_name("gainflow")
BUFFERS = ("ifmap", "filter", "ofmap")
JOBS = ("simulate", "traces", "lifetimes", "layer", "events", "layer-simulate", "layer-traces")
DEFAULT_JOBS = "simulate,traces,lifetimes,layer"

# The simulator's share of a lifetime job: one buffer's events, chunk by chunk, none of them kept.
EVENTS = """
import sys
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.simulator.layer import buffer_event_chunks, run_layer
topology, input_type, hardware, layer, buffer = sys.argv[1:6]
state = run_layer(load_topology(topology, input_type)[int(layer)], load_hardware_config(hardware))
for chunks in buffer_event_chunks(state, buffer):
    for _ in chunks:
        pass
"""


def run_child(command):
    """(wall s, CPU s, peak RSS MB) of a child process; stops the benchmark if it fails."""
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([str(part) for part in command], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # reaps the child and returns its own rusage
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(map(str, command))} failed:\n{err.read()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


class Table:
    def __init__(self, bound_mb):
        self.bound_mb = bound_mb
        self.rows = [f"| job | wall s | CPU s | peak RSS MB | within {bound_mb} MB |", "|---|---|---|---|---|"]

    def measure(self, job, command):
        wall, cpu, peak = run_child(command)
        within = "yes" if peak <= self.bound_mb else "NO"
        self.rows.append(f"| {job} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {within} |")
        print(self.rows[-1], flush=True)


def one_layer_topology(topology, index, folder):
    """A topology file holding only layer `index` (the header and that row)."""
    lines = topology.read_text().splitlines(keepends=True)
    path = folder / f"{topology.stem}_layer{index}.csv"
    path.write_text(lines[0] + lines[1 + index])
    return path


def bench_run(table, topology, hardware, jobs, layers, workdir):
    """Every asked-for job of one topology x config; run outputs under `workdir`, removed at the end."""
    input_type = "gemm" if topology.stem.endswith("_gemm") else "conv"
    config = ROOT / "hardware" / f"{hardware}.cfg"
    run = workdir / f"{topology.stem}-{hardware}"
    label = f"{topology.stem} x {hardware}"
    simulate = [sys.executable, SCRIPTS / "simulate.py", "--topology", topology, "--input-type", input_type,
                "--hardware", config, "--name", hardware, "--outdir"]
    if "traces" in jobs:
        table.measure(f"{label}: simulate --save-traces", simulate + [workdir / "traced", "--save-traces"])
        shutil.rmtree(workdir / "traced")
    if {"simulate", "lifetimes", "layer"} & jobs:  # the lifetime jobs need the run's run_info.json
        table.measure(f"{label}: simulate", simulate + [run])
    for index in layers:
        layer_label = f"{label} layer {index}"
        single = one_layer_topology(topology, index, workdir)
        gainflow_simulate = [GAINFLOW, "simulate", "-t", single, "-i", input_type, "-c", config, "--quiet", "-p"]
        if "layer-simulate" in jobs:
            table.measure(f"{layer_label}: gainflow simulate", gainflow_simulate + [workdir / "single"])
        if "layer-traces" in jobs:
            table.measure(f"{layer_label}: gainflow simulate --save-traces",
                          gainflow_simulate + [workdir / "single", "--save-traces"])
        shutil.rmtree(workdir / "single", ignore_errors=True)
        for buffer in BUFFERS:
            if "events" in jobs:
                table.measure(f"{layer_label} {buffer}: events",
                              [sys.executable, "-c", EVENTS, topology, input_type, config, index, buffer])
        parts = [run / f"layer{index}_{buffer}.part" for buffer in BUFFERS]
        if {"lifetimes", "layer"} & jobs:
            for buffer, part in zip(BUFFERS, parts):
                table.measure(f"{layer_label} {buffer}: lifetimes",
                              [sys.executable, SCRIPTS / "lifetimes_part.py", "--run-info", run / "run_info.json",
                               "--topology", topology, "--input-type", input_type, "--hardware", config,
                               "--layer", index, "--subdivision", buffer, "--output", part])
        if "layer" in jobs:
            table.measure(f"{layer_label}: layer", [sys.executable, SCRIPTS / "layer.py", "--layer", index,
                                                    "--parts", *parts, "--layer-dir", run / f"layer{index}"])
        for part in parts:
            part.unlink(missing_ok=True)
    shutil.rmtree(run, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topology", required=True, help="a name under topologies/ (gpt2_gemm)")
    parser.add_argument("--hardware", action="append", required=True, help="a name under hardware/ (repeatable)")
    parser.add_argument("--jobs", default=DEFAULT_JOBS, help=f"comma-separated, of {', '.join(JOBS)}")
    parser.add_argument("--layers", help="comma-separated layer indices (default: every layer)")
    parser.add_argument("--bound-mb", type=float, default=1500, help="the memory bound per job (MB)")
    parser.add_argument("--workdir", type=Path, help="where runs go (default: a temporary folder, removed)")
    args = parser.parse_args()
    jobs = set(args.jobs.split(","))
    if jobs - set(JOBS):
        parser.error(f"unknown jobs {sorted(jobs - set(JOBS))}; expected some of {', '.join(JOBS)}")
    topology = ROOT / "topologies" / f"{args.topology}.csv"
    layer_count = len(topology.read_text().splitlines()) - 1
    layers = range(layer_count) if args.layers is None else [int(v) for v in args.layers.split(",")]
    table = Table(args.bound_mb)
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    print("\n".join(table.rows), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench_scale-", dir=args.workdir))
    try:
        for hardware in args.hardware:
            bench_run(table, topology, hardware, jobs, layers, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}\n")
    print("\n".join(table.rows))


if __name__ == "__main__":
    main()
