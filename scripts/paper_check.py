#!/usr/bin/env python3
"""The check against GainSight's headline number (arXiv 2504.14866 v5: 79.01 % of systolic-array
scratchpad accesses have sub-microsecond lifetimes, 256x256 array).

For ResNet-50 on hardware/tpu256_ws.cfg (256x256, ws) at 1 GHz and 0.7 GHz and on
hardware/scale32_os.cfg (32x32, os) at 1 GHz, runs `gainflow lifetimes` once per config (gainflow's
simulator; skipped when OUTDIR already holds the run), then `gainflow frontend` per clock and
lifetime start (fill, first_read), and prints a Markdown table: the share of accesses (an
interval's write plus its reads) whose lifetime is at most 1 us, per buffer and pooled, beside
GainSight's figure. Nothing is tuned: the numbers are what the definitions give.

    .venv/bin/python scripts/paper_check.py [--outdir results/paper_check]
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
CASES = (("tpu256_ws", "1e9"), ("tpu256_ws", "7e8"), ("scale32_os", "1e9"))  # (hardware, clock in Hz)
STARTS = ("fill", "first_read")
BUFFERS = ("ifmap", "filter", "ofmap", "all")


def run(*args):
    print("$", " ".join(map(str, args)), file=sys.stderr, flush=True)
    subprocess.run([str(arg) for arg in args], check=True, stdout=subprocess.DEVNULL)


def percent(share):
    return "n/a" if share is None else f"{100 * share:.2f} %"


def lifetimes_run(outdir, hardware):
    """The run directory of ResNet-50 on `hardware`, computed if OUTDIR does not hold it yet."""
    run_dir = outdir / hardware
    if not (run_dir / "run_info.json").exists():
        run(GAINFLOW, "lifetimes", "-t", TOPOLOGY, "-c", ROOT / "hardware" / f"{hardware}.cfg", "-o", outdir)
    return run_dir


def report(run_dir, clock, start):
    path = run_dir / f"paper_check_{clock}_{start}.json"
    run(GAINFLOW, "frontend", run_dir, "-o", path, "--clock-hz", clock, "--lifetime-start", start)
    return json.loads(path.read_text())


def table_row(hardware, clock, start, data):
    stats = data["lifetime_statistics"]
    shares = [percent(stats[name]["within_1us"]["accesses_share"]) for name in BUFFERS]
    shares[-1] = f"**{shares[-1]}**"
    return f"| {hardware} | {float(clock) / 1e9:g} GHz | {start} | " + " | ".join(shares) + " |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "results" / "paper_check")
    args = parser.parse_args(argv)
    rows = []
    for hardware, clock in CASES:
        run_dir = lifetimes_run(args.outdir, hardware)
        rows += [table_row(hardware, clock, start, report(run_dir, clock, start)) for start in STARTS]
    print("| hardware | clock | lifetime start | ifmap | filter | ofmap | all buffers |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"| GainSight v5, 256x256 | not stated | not stated | | | | **{percent(GAINSIGHT_SHARE)}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
