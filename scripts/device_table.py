#!/usr/bin/env python3
"""Active-energy and area ratios against all-SRAM, per technology, composition and device corner,
beside GainSight's published claims (arXiv 2504.14866: Si-GCRAM 11-28 % less active energy than SRAM
in v1; up to 3x less active energy and 4x less area for optimal compositions in v5).

Runs `gainflow lifetimes` once per workload (ResNet-50 and GPT-2's block at a 128-token context on
hardware/tpu256_ws.cfg, gainflow's simulator), then `gainflow frontend` once per shipped device
corner at 1 GHz, and prints a Markdown table. Active energy = reads + writes + refreshes (the
reports' `dynamic_j`); area = the buffers' capacity area. Nothing is tuned.

    .venv/bin/python scripts/device_table.py [--outdir results/device_table] [--clock-hz 1e9]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from gainflow.frontend.devices import SHIPPED_CORNERS, shipped_corner

ROOT = Path(__file__).resolve().parents[1]
GAINFLOW = Path(sys.executable).with_name("gainflow")
HARDWARE = ROOT / "hardware" / "tpu256_ws.cfg"
# (label, topology name, input type)
WORKLOADS = (("ResNet-50", "resnet50", "conv"), ("GPT-2 block, 128 tokens", "gpt2_128_gemm", "gemm"))
TECHNOLOGIES = ("Si-Si", "Hybrid-Si-OS", "OS-OS")
COMPOSITIONS = (("min-energy", "min_energy_per_buffer"), ("retention split", "retention_split"))
GAINSIGHT = ("GainSight v1: Si-GCRAM active energy 0.72-0.89 of SRAM (11-28 % less); "
             "v5: optimal compositions down to 0.33 active energy (3x) and 0.25 area (4x)")


def run(*args):
    print("$", " ".join(map(str, args)), file=sys.stderr, flush=True)
    subprocess.run([str(arg) for arg in args], check=True, stdout=subprocess.DEVNULL)


def lifetimes(outdir, topology, input_type):
    """The run directory of one workload's lifetimes (computed once, reused afterwards)."""
    run_dir = outdir / topology / HARDWARE.stem
    if not (run_dir / "run_info.json").exists():
        run(GAINFLOW, "lifetimes", "-t", ROOT / "topologies" / f"{topology}.csv", "-i", input_type,
            "-c", HARDWARE, "-o", outdir / topology)
    return run_dir


def corner_report(run_dir, corner, clock_hz):
    gc_list, area_power = shipped_corner(corner)
    path = run_dir / f"report-{corner}.json"
    run(GAINFLOW, "frontend", run_dir, "-o", path, "--gc-list", gc_list, "--area-power", area_power,
        "--device-corner", corner, "--clock-hz", clock_hz)
    return json.loads(path.read_text())


def ratio_cells(report):
    """Per technology and composition: 'active energy / area' against all-SRAM."""
    baseline = report["technologies"][report["composition"]["baseline"]]["total"]
    cells = []
    for name in TECHNOLOGIES:
        total = report["technologies"][name]["total"]
        cells.append(pair(total["energy"]["dynamic_j"] / baseline["energy"]["dynamic_j"],
                          total["area_capacity_mm2"] / baseline["area_capacity_mm2"]))
    for _, key in COMPOSITIONS:
        versus = report["composition"][key]["vs_baseline"]
        cells.append(pair(versus["dynamic_energy"], versus["area"]))
    chosen = report["composition"]["min_energy_per_buffer"]["per_subdivision"]
    cells.append(", ".join(chosen[name]["technology"] for name in ("ifmap", "filter", "ofmap")))
    return cells


def pair(energy, area):
    return f"{energy:.2f} / {area:.2f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "results" / "device_table")
    parser.add_argument("--clock-hz", default="1e9", help="clock (default 1e9)")
    args = parser.parse_args(argv)
    header = ["workload", "corner", *TECHNOLOGIES, *(label for label, _ in COMPOSITIONS),
              "min-energy choice (ifmap, filter, ofmap)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, topology, input_type in WORKLOADS:
        run_dir = lifetimes(args.outdir, topology, input_type)
        for corner in SHIPPED_CORNERS:
            lines.append("| " + " | ".join([label, corner, *ratio_cells(corner_report(run_dir, corner, args.clock_hz))])
                         + " |")
    print("\n".join(lines))
    print(f"\nEach cell: active energy / area, against all-SRAM (below 1: less). {GAINSIGHT}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
