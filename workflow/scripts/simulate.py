"""Rule `simulate`: one topology on one hardware config.

Writes SCALE-Sim v2's three reports and `run_info.json` (the layer list with total cycles, the topology
and the hardware config, as `gainflow lifetimes` writes it) into OUTDIR. With --save-traces, OUTDIR/traces/
is also a complete SCALE-Sim run directory (reports + layer<i>/ traces) that `gainflow lifetimes -s` reads.
"""

import argparse
import dataclasses
import json
import shutil
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.files.atomic import atomic_file
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.simulator import simulate_topology


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topology", required=True)
    parser.add_argument("--input-type", choices=("conv", "gemm"), required=True)
    parser.add_argument("--hardware", required=True)
    parser.add_argument("--name", required=True, help="the hardware config's name in the sweep (run name)")
    parser.add_argument("--outdir", required=True, type=Path)
    parser.add_argument("--save-traces", action="store_true")
    return parser.parse_args(argv)


def run_info(name, args, layers, hw, reports):
    return {
        "run_name": name,
        "topology": {"name": Path(args.topology).stem, "path": args.topology, "input_type": args.input_type},
        "hardware": dataclasses.asdict(hw),
        "layers": [
            {"index": i, "name": layer.name, "macs": layer.macs, "total_cycles": report.total_cycles}
            for i, (layer, report) in enumerate(zip(layers, reports))
        ],
    }


def write_atomically(path, text):
    with atomic_file(path) as handle:
        handle.write(text.encode())


def main(argv=None):
    args = parse_args(argv)
    layers = load_topology(args.topology, args.input_type)
    # The sweep's name decides where results go, whatever run_name the .cfg file holds.
    hw = dataclasses.replace(load_hardware_config(args.hardware), run_name=args.name)
    if args.save_traces:
        traces = args.outdir / layout.TRACES_DIR
        shutil.rmtree(traces, ignore_errors=True)
        reports = simulate_topology(layers, dataclasses.replace(hw, run_name=layout.TRACES_DIR), args.outdir,
                                    save_traces=True)
        for name in layout.REPORT_FILES:
            write_atomically(args.outdir / name, (traces / name).read_text())
    else:
        # simulate_topology writes into <dir>/<run_name>/: name the run after OUTDIR itself.
        reports = simulate_topology(layers, dataclasses.replace(hw, run_name=args.outdir.name), args.outdir.parent)
    info = run_info(args.name, args, layers, hw, reports)
    write_atomically(args.outdir / layout.RUN_INFO, json.dumps(info, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"simulate: error: {err}")
