"""Benchmark gainflow's simulator against SCALE-Sim 2.0.2, side by side in one run.

    .venv/bin/python scripts/bench_simulator.py --scalesim-python SCALESIM_VENV/bin/python
                                                [--workdir DIR] [--full-scalesim]

Every run is a separate child process; the table gives its wall time and peak RSS (from the
child's rusage). SCALE-Sim is driven through its Python API in its own virtual environment (its
command line never writes traces); gainflow both through the `gainflow simulate` command line and
through its Python API (`simulate_topology`), which is what SCALE-Sim's figure is compared with.
Outputs of the two simulators are compared byte for byte.

Runs: ResNet-50 layers 0-3 (rows 1-4 of topologies/resnet50.csv) on hardware/scale32_os.cfg
(SCALE-Sim's scale.cfg settings: 32x32, os, 64 kB, CALC), reports only and with traces; the full
ResNet-50 (54 layers), reports only, on scale32_os and tpu256_ws (SCALE-Sim too with
--full-scalesim: about 11 minutes); and the resident memory after each layer of a full run.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GAINFLOW = Path(sys.executable).with_name("gainflow")
RESNET50 = ROOT / "topologies" / "resnet50.csv"
CONFIGS = {name: ROOT / "hardware" / f"{name}.cfg" for name in ("scale32_os", "tpu256_ws")}

GAINFLOW_API = """
import sys
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.simulator import simulate_topology
from gainflow.inputs.topology import load_topology
topology, config, outdir, traces = sys.argv[1:5]
simulate_topology(load_topology(topology), load_hardware_config(config), outdir,
                  save_traces=traces == "1", progress=False)
"""

SCALESIM_API = """
import contextlib, io, sys
from scalesim.scale_sim import scalesim
topology, config, outdir, traces = sys.argv[1:5]
sim = scalesim(save_disk_space=traces != "1", verbose=False, config=config, topology=topology,
               input_type_gemm=False)
with contextlib.redirect_stdout(io.StringIO()):
    sim.run_scale(top_path=outdir)
"""

# Resident memory after each layer, simulated as simulate_topology does (state dropped per layer).
MEMORY_PER_LAYER = """
import sys
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.simulator.layer import layer_report, run_layer
from gainflow.inputs.topology import load_topology
hw = load_hardware_config(sys.argv[2])
for layer in load_topology(sys.argv[1]):
    layer_report(run_layer(layer, hw))
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    print(int(status["VmRSS"].split()[0]) // 1024)
"""


def run_child(command):
    """(wall seconds, peak RSS in MB, stdout) of a child process; stops the benchmark if it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # reaps the child and returns its own rusage
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, command))} failed:\n{err.read()}")
        return elapsed, usage.ru_maxrss / 1024, out.read()


def gainflow_cli(topology, config, outdir, traces):
    command = [str(GAINFLOW), "simulate", "-t", str(topology), "-c", str(config), "-p", str(outdir), "--quiet"]
    return command + (["--save-traces"] if traces else [])


def gainflow_api(topology, config, outdir, traces):
    return [sys.executable, "-c", GAINFLOW_API, str(topology), str(config), str(outdir), "1" if traces else "0"]


def scalesim_api(python, topology, config, outdir, traces):
    return [python, "-c", SCALESIM_API, str(topology), str(config), str(outdir), "1" if traces else "0"]


def identical_outputs(left, right):
    """Whether two run folders hold the same files with the same bytes."""
    def files(folder):
        return {p.relative_to(folder): p for p in folder.rglob("*") if p.is_file()}

    a, b = files(left), files(right)
    return a.keys() == b.keys() and all(a[k].read_bytes() == b[k].read_bytes() for k in a)


def first_layers(count, folder):
    path = folder / f"resnet50_first{count}.csv"
    path.write_text("".join(RESNET50.read_text().splitlines(keepends=True)[:count + 1]))
    return path


def row(case, gainflow, scalesim=None, identical=None):
    text = f"| {case} | {gainflow[0]:.2f} | {gainflow[1]:.0f} |"
    if scalesim is None:
        return text + " - | - | - | - |"
    return text + (f" {scalesim[0]:.1f} | {scalesim[1]:.0f} | {scalesim[0] / gainflow[0]:.0f}x |"
                   f" {'yes' if identical else 'NO'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scalesim-python", required=True,
                        help="Python of a virtual environment with scalesim==2.0.2")
    parser.add_argument("--workdir", type=Path, help="where outputs go (default: a temporary folder)")
    parser.add_argument("--full-scalesim", action="store_true",
                        help="also run SCALE-Sim on the full ResNet-50 (about 11 minutes)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_simulator-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os_config = CONFIGS["scale32_os"]
    four = first_layers(4, workdir)
    lines = ["| case | gainflow s | gainflow peak MB | SCALE-Sim s | SCALE-Sim peak MB | speed-up | identical |",
             "|---|---|---|---|---|---|---|"]
    for traces in (False, True):
        label = "with traces" if traces else "reports only"
        out = {name: workdir / f"first4_{name}_{int(traces)}" for name in ("api", "cli", "scalesim")}
        scalesim = run_child(scalesim_api(args.scalesim_python, four, os_config, out["scalesim"], traces))
        api = run_child(gainflow_api(four, os_config, out["api"], traces))
        cli = run_child(gainflow_cli(four, os_config, out["cli"], traces))
        reference = out["scalesim"] / "scale32_os"
        lines.append(row(f"ResNet-50 layers 0-3, 32x32 os, {label}, Python API", api, scalesim,
                         identical_outputs(out["api"] / "scale32_os", reference)))
        lines.append(row(f"ResNet-50 layers 0-3, 32x32 os, {label}, `gainflow simulate`", cli, scalesim,
                         identical_outputs(out["cli"] / "scale32_os", reference)))
    for name, config in CONFIGS.items():
        cli = run_child(gainflow_cli(RESNET50, config, workdir / f"full_cli_{name}", False))
        api = run_child(gainflow_api(RESNET50, config, workdir / f"full_api_{name}", False))
        scalesim = identical = None
        if args.full_scalesim:
            scalesim_out = workdir / f"full_scalesim_{name}"
            scalesim = run_child(scalesim_api(args.scalesim_python, RESNET50, config, scalesim_out, False))
            identical = identical_outputs(workdir / f"full_cli_{name}" / name, scalesim_out / name)
        lines.append(row(f"ResNet-50 all 54 layers, {name}, reports only, Python API", api, scalesim, identical))
        lines.append(row(f"ResNet-50 all 54 layers, {name}, reports only, `gainflow simulate`", cli,
                         scalesim, identical))
    print("\n".join(lines))
    for name, config in CONFIGS.items():
        rss = [int(v) for v in run_child([sys.executable, "-c", MEMORY_PER_LAYER, str(RESNET50), str(config)])[2].split()]
        print(f"{name}: RSS after layer 1 {rss[0]} MB, after layer {len(rss)} {rss[-1]} MB, largest {max(rss)} MB "
              f"(after layer {rss.index(max(rss)) + 1})")
    print(f"outputs in {workdir}")


if __name__ == "__main__":
    main()
