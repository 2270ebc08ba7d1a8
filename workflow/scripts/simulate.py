"""Rule `simulate`: one topology on one hardware config.

Writes SCALE-Sim v2's three reports and `run_info.json` (the layer list with total cycles, the topology
and the hardware config, as `gainflow lifetimes` writes it) into OUTDIR. With --save-traces, OUTDIR/traces/
is also a complete SCALE-Sim run directory (reports + layer<i>/ traces) that `gainflow lifetimes -s` reads.
"""

import argparse
import dataclasses
import shutil
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.files.atomic import copy_atomically
from gainflow.files.run_info import RunInfo
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
            copy_atomically(traces / name, args.outdir / name)
    else:
        # simulate_topology writes into <dir>/<run_name>/: name the run after OUTDIR itself.
        reports = simulate_topology(layers, dataclasses.replace(hw, run_name=args.outdir.name), args.outdir.parent)
    total_cycles = [report.total_cycles for report in reports]
    RunInfo.of_topology_run(args.name, layers, total_cycles, args.topology, args.input_type, hw).write(
        args.outdir / layout.RUN_INFO)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"simulate: error: {err}")
