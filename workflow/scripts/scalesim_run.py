"""Rule `scalesim_run`: an existing SCALE-Sim run directory taken into the sweep in place of a simulation.

Copies the run's three reports into OUTDIR and writes `run_info.json` as the simulate step does (the
layer list with each layer's Total Cycles from COMPUTE_REPORT.csv, the topology and the hardware
config, under the run's name in the sweep). The run was checked against the topology and the config
when the workflow started (gainflow.sweep.scalesim_runs).
"""

import argparse
import dataclasses
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.events.scalesim_traces import read_total_cycles
from gainflow.files import layout
from gainflow.files.atomic import copy_atomically
from gainflow.files.run_info import RunInfo
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scalesim-run", required=True, type=Path, help="the SCALE-Sim run directory")
    parser.add_argument("--topology", required=True, help="the topology file the run simulated")
    parser.add_argument("--input-type", choices=("conv", "gemm"), required=True)
    parser.add_argument("--hardware", required=True, help="the SCALE-Sim .cfg the run used")
    parser.add_argument("--name", required=True, help="the run's name in the sweep")
    parser.add_argument("--outdir", required=True, type=Path)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    layers = load_topology(args.topology, args.input_type)
    hw = dataclasses.replace(load_hardware_config(args.hardware), run_name=args.name)
    total_cycles = read_total_cycles(args.scalesim_run)
    missing = [index for index in range(len(layers)) if index not in total_cycles]
    if missing:
        raise InputError(f"no row for LayerID {missing[0]}", path=args.scalesim_run / layout.COMPUTE_REPORT)
    for name in layout.REPORT_FILES:
        copy_atomically(args.scalesim_run / name, args.outdir / name)
    cycles = [total_cycles[index] for index in range(len(layers))]
    RunInfo.of_topology_run(args.name, layers, cycles, args.topology, args.input_type, hw).write(
        args.outdir / layout.RUN_INFO)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"scalesim_run: error: {err}")
