#!/usr/bin/env python3
"""The check against GainSight's headline number (arXiv 2504.14866 v5: 79.01 % of systolic-array
scratchpad accesses have sub-microsecond lifetimes, 256x256 array).

Runs `gainflow lifetimes` (ResNet-50 on hardware/tpu256_ws.cfg, gainflow's simulator) once, then
`gainflow frontend` at each clock, and prints the share of accesses (an interval's write plus its
reads) whose lifetime is at most 1 us, pooled over ifmap, filter and ofmap and per buffer. The
model is not tuned: the numbers are what the definitions give.

    .venv/bin/python scripts/paper_check.py [--outdir results/paper_check] [--clock-hz 1e9 7e8]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GAINFLOW = Path(sys.executable).with_name("gainflow")
GAINSIGHT_SHARE = 0.7901  # v5 abstract
TOPOLOGY = ROOT / "topologies" / "resnet50.csv"
HARDWARE = ROOT / "hardware" / "tpu256_ws.cfg"
BUFFERS = ("ifmap", "filter", "ofmap", "all")


def run(*args):
    print("$", " ".join(map(str, args)), flush=True)
    subprocess.run([str(arg) for arg in args], check=True)


def percent(share):
    return "n/a" if share is None else f"{100 * share:.2f} %"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "results" / "paper_check")
    parser.add_argument("--clock-hz", nargs="+", default=["1e9"], help="clocks to report (default 1e9)")
    args = parser.parse_args(argv)
    run_dir = args.outdir / HARDWARE.stem
    if not (run_dir / "run_info.json").exists():
        run(GAINFLOW, "lifetimes", "-t", TOPOLOGY, "-c", HARDWARE, "-o", args.outdir)
    for clock in args.clock_hz:
        report_path = run_dir / f"frontend_report_{clock}.json"
        run(GAINFLOW, "frontend", run_dir, "-o", report_path, "--clock-hz", clock)
        report = json.loads(report_path.read_text())
        print(f"\nResNet-50 on {HARDWARE.name} at {float(clock):g} Hz, {report['workload']['layers']} layers, "
              f"{report['workload']['total_cycles']} cycles")
        print(f"{'buffer':8} {'intervals':>12} {'accesses <= 1 us':>17} {'intervals <= 1 us':>18}")
        for name in BUFFERS:
            stats = report["lifetime_statistics"][name]
            print(f"{name:8} {stats['intervals']:>12} {percent(stats['within_1us']['accesses_share']):>17} "
                  f"{percent(stats['within_1us']['intervals_share']):>18}")
        print(f"GainSight (arXiv 2504.14866 v5): {percent(GAINSIGHT_SHARE)} of accesses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
