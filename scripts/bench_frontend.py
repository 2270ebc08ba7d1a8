#!/usr/bin/env python3
"""Benchmark of `gainflow frontend` on a large synthetic processed run (streaming read + report).

Writes one layer whose lifetime CSV has --rows rows (random lifetimes and reads, the three
subdivisions in order, as `gainflow lifetimes` writes them), runs the `gainflow frontend` command
on it and prints its wall time (including start-up), the CSV throughput and its peak RSS.

    .venv/bin/python scripts/bench_frontend.py [--rows 10000000] [--workdir DIR]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GAINFLOW = Path(sys.executable).with_name("gainflow")
AGGREGATE_HEADER = ("subdivision,intervals,mean,median,p90,max,min,reads,writes,dead_writes,"
                    "unfilled_reads,unique_addresses,cycles,read_rate,write_rate,writes_per_address")
SUBDIVISIONS = ("ifmap", "filter", "ofmap")
CYCLES = 1_000_000


def write_synthetic_run(run_dir, rows, seed=0, block_rows=1_000_000):
    """Written block by block so that this process stays small (a forked child counts its RSS)."""
    rng = np.random.default_rng(seed)
    layer = run_dir / "layer0"
    layer.mkdir(parents=True)
    counts = np.bincount(rng.integers(0, 3, rows), minlength=3)
    read_totals = []
    csv_path = layer / "layer0_lifetime_data.csv"
    with open(csv_path, "w") as handle:
        handle.write("subdivision,address,lifetime,write_cycle,reads\n")
        for name, count in zip(SUBDIVISIONS, counts):
            read_totals.append(0)
            for start in range(0, count, block_rows):
                size = min(block_rows, count - start)
                reads = rng.integers(1, 40, size)
                read_totals[-1] += int(reads.sum())
                pd.DataFrame({"subdivision": name, "address": rng.integers(0, 30_000_000, size),
                              "lifetime": rng.integers(0, 200_000, size),
                              "write_cycle": rng.integers(0, CYCLES, size), "reads": reads}
                             ).to_csv(handle, index=False, header=False)
    aggregate = [AGGREGATE_HEADER] + [
        f"{name},{count},0,0,0,0,0,{reads},{count},0,0,{count},{CYCLES},0,0,0"
        for name, count, reads in zip(SUBDIVISIONS, counts, read_totals)]
    (layer / "layer0_aggregate_data.csv").write_text("\n".join(aggregate) + "\n")
    hardware = {"array_height": 256, "array_width": 256, "dataflow": "ws", "ifmap_sram_kb": 6144,
                "filter_sram_kb": 6144, "ofmap_sram_kb": 2048}
    info = {"run_name": "synthetic", "topology": None, "hardware": hardware,
            "layers": [{"index": 0, "name": None, "macs": None, "total_cycles": CYCLES}]}
    (run_dir / "run_info.json").write_text(json.dumps(info))
    return csv_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, help="keep the synthetic run here (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        run_dir = (args.workdir or Path(temporary)) / "synthetic"
        csv_path = write_synthetic_run(run_dir, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        start = time.perf_counter()
        subprocess.run([str(GAINFLOW), "frontend", str(run_dir), "-o", str(run_dir / "report.json")],
                       check=True)
        elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"rows {args.rows}, CSV {size_mb:.0f} MB: gainflow frontend {elapsed:.1f} s "
          f"({size_mb / elapsed:.0f} MB/s), peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
