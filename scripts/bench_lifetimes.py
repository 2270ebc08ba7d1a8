"""Benchmark of the lifetime analysis. Prints figures (measured ones: docs/performance.md).

(a) every (layer, buffer) of a topology from the simulator's events, each pair in a fresh child
    process (as one workflow job with the default `lifetime_tables: false`): CPU time of simulation and
    lifetimes (that buffer's events only), part-file write time, peak RSS; `--path stream` (the job's
    streaming analysis, default) or `--path whole` (the whole event arrays and the interval path, as
    the job was before streaming);
(b) CSV-reader throughput: the simulator writes one layer's traces, then `gainflow lifetimes -s`'s
    reader streams them (MB of CSV per second, per buffer and overall), in a child for its RSS;
(c) bounded memory: that layer's IFMAP SRAM trace repeated to --big-gb GB (the same reads again and
    again, valid input: reads may come in any order) is streamed in a child; peak RSS must not grow
    with the file.

    .venv/bin/python scripts/bench_lifetimes.py                 # both, ResNet-50 on scale32_os
    .venv/bin/python scripts/bench_lifetimes.py --part pairs --layers 0 1 --path whole
    .venv/bin/python scripts/bench_lifetimes.py --part pairs --topology topologies/gpt2_gemm.csv --input-type gemm \
        --config hardware/eyeriss_ws.cfg --layers 5
    .venv/bin/python scripts/bench_lifetimes.py --part csv --csv-layer 0 --big-gb 2
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBDIVISIONS = ("ifmap", "filter", "ofmap")


def child_pair(topology, input_type, config, layer_index, subdivision, path):
    """In a child: one (layer, buffer) the way a workflow job does it by default; prints a JSON line.
    `path` "stream": the streaming analysis (the job since streaming); "whole": the whole event
    arrays through the interval path (the job before)."""
    from gainflow.inputs.hwconfig import load_hardware_config
    from gainflow.inputs.topology import load_topology
    from gainflow.lifetimes.parts import save_part

    layer = load_topology(topology, input_type)[layer_index]
    hw = load_hardware_config(config)
    start = time.process_time()
    if path == "stream":
        from gainflow.lifetimes.stream import summary_from_simulator

        summary, total_cycles = summary_from_simulator(layer, hw, subdivision)
    else:
        from gainflow.lifetimes.histogram import summarize
        from gainflow.lifetimes.intervals import compute_lifetimes
        from gainflow.simulator.layer import layer_buffer_events

        events, total_cycles = layer_buffer_events(layer, hw, subdivision)
        summary = summarize(compute_lifetimes(events))
    computed = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        save_part(Path(folder) / "lifetimes.part", summary, total_cycles)
    saved = time.process_time()
    print(json.dumps({
        "layer": layer_index, "subdivision": subdivision, "name": layer.name,
        "reads": summary.reads, "writes": summary.writes, "footprint": summary.unique_addresses,
        "job_s": computed - start, "save_s": saved - computed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def child_csv(layer_dir, *subdivisions):
    """In a child: stream one layer folder's traces through the lifetime analysis."""
    import pandas  # noqa: F401  (a one-off 0.3-0.5 s import, kept out of the throughput)
    from gainflow.events.scalesim_traces import DEFAULT_OFFSETS, TRACE_FILES
    from gainflow.lifetimes.intervals import lifetimes_from_trace_dir

    rows = []
    for subdivision in subdivisions or SUBDIVISIONS:
        size = sum((Path(layer_dir) / name).stat().st_size for name in TRACE_FILES[subdivision])
        start = time.perf_counter()
        cpu = time.process_time()
        lifetimes = lifetimes_from_trace_dir(layer_dir, subdivision, DEFAULT_OFFSETS)
        rows.append({"subdivision": subdivision, "mb": size / 1e6, "wall_s": time.perf_counter() - start,
                     "cpu_s": time.process_time() - cpu, "reads": lifetimes.reads, "writes": lifetimes.writes})
    print(json.dumps({"buffers": rows, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(*arguments):
    output = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True)
    if output.returncode != 0:
        sys.exit(f"child {' '.join(arguments)} failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def bench_pairs(topology, input_type, config, layers, path):
    from gainflow.inputs.topology import load_topology

    indices = layers if layers else range(len(load_topology(topology, input_type)))
    rows = []
    wall = time.perf_counter()
    for index in indices:
        for subdivision in SUBDIVISIONS:
            row = run_child("--child-pair", str(topology), input_type, str(config), str(index), subdivision, path)
            rows.append(row)
            print(f"  layer {index:2d} {row['name']:<10} {subdivision:<6} reads {row['reads']:>10} writes "
                  f"{row['writes']:>9} footprint {row['footprint']:>8}  simulate + lifetimes {row['job_s']:6.2f} s  "
                  f"save {row['save_s']:4.2f} s  peak RSS {row['peak_rss_mb']:6.0f} MB", flush=True)
    wall = time.perf_counter() - wall
    total = {key: sum(row[key] for row in rows) for key in ("job_s", "save_s", "reads", "writes")}
    worst = max(rows, key=lambda row: row["peak_rss_mb"])
    print(f"(a) {len(rows)} pairs, {path}: CPU simulate + lifetimes {total['job_s']:.1f} s + save {total['save_s']:.1f} s "
          f"= {total['job_s'] + total['save_s']:.1f} s; {total['reads']:,} reads, {total['writes']:,} writes; "
          f"max peak RSS {worst['peak_rss_mb']:.0f} MB (layer {worst['layer']} {worst['subdivision']}); "
          f"wall incl. {len(rows)} interpreter starts {wall:.0f} s")


def bench_csv(topology, input_type, config, layer_index, big_gb):
    from gainflow.inputs.hwconfig import load_hardware_config
    from gainflow.inputs.topology import load_topology
    from gainflow.simulator import simulate_topology

    layer = load_topology(topology, input_type)[layer_index]
    hw = load_hardware_config(config)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as folder:
        simulate_topology([layer], hw, folder, save_traces=True, progress=False)
        layer_dir = Path(folder) / hw.run_name / "layer0"
        result = run_child("--child-csv", str(layer_dir))
        report_csv(result, f"(b) layer {layer_index} ({layer.name}) traces")
        if big_gb:
            repeat_sram_trace(layer_dir / "IFMAP_SRAM_TRACE.csv", big_gb * 1e9)
            report_csv(run_child("--child-csv", str(layer_dir), "ifmap"), f"(c) IFMAP with a {big_gb} GB SRAM trace")


def repeat_sram_trace(path, target_bytes):
    block = path.read_bytes()
    with open(path, "ab") as handle:
        for _ in range(int(target_bytes // len(block))):
            handle.write(block)


def report_csv(result, title):
    for row in result["buffers"]:
        print(f"  {row['subdivision']:<6} {row['mb']:7.1f} MB of CSV in {row['wall_s']:5.2f} s wall "
              f"({row['cpu_s']:5.2f} s CPU): {row['mb'] / row['cpu_s']:5.0f} MB/s per CPU second")
    mb = sum(row["mb"] for row in result["buffers"])
    cpu = sum(row["cpu_s"] for row in result["buffers"])
    print(f"{title}: {mb:.1f} MB in {cpu:.2f} s CPU = {mb / cpu:.0f} MB/s; peak RSS {result['peak_rss_mb']:.0f} MB")


def main():
    if sys.argv[1:2] == ["--child-pair"]:
        topology, input_type, config, index, subdivision, path = sys.argv[2:]
        return child_pair(topology, input_type, config, int(index), subdivision, path)
    if sys.argv[1:2] == ["--child-csv"]:
        return child_csv(*sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topology", default=ROOT / "topologies" / "resnet50.csv")
    parser.add_argument("--input-type", choices=("conv", "gemm"), default="conv")
    parser.add_argument("--config", default=ROOT / "hardware" / "scale32_os.cfg")
    parser.add_argument("--part", choices=("pairs", "csv", "both"), default="both")
    parser.add_argument("--layers", type=int, nargs="*", help="only these layer indices in (a)")
    parser.add_argument("--path", choices=("stream", "whole"), default="stream",
                        help="(a): the streaming analysis (the default job) or whole event arrays (the job before)")
    parser.add_argument("--csv-layer", type=int, default=0, help="layer whose traces (b) reads")
    parser.add_argument("--big-gb", type=float, default=2.0, help="size of the trace in (c); 0 skips (c)")
    args = parser.parse_args()
    print(f"topology {args.topology}, config {args.config}, 1 process at a time")
    if args.part in ("pairs", "both"):
        bench_pairs(args.topology, args.input_type, args.config, args.layers, args.path)
    if args.part in ("csv", "both"):
        bench_csv(args.topology, args.input_type, args.config, args.csv_layer, args.big_gb)


if __name__ == "__main__":
    main()
