"""Rule `lifetimes`: one (layer, subdivision) of one topology on one hardware config.

Re-simulates just that layer with the simulator's events for that buffer (fast; no CSV traces), computes
the lifetime intervals and writes them as the compact pair file the per-layer step merges
(gainflow.lifetimes.intervals: `pair_from_simulator`, `save_pair`).
"""

import argparse
import sys

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.lifetimes.intervals import pair_from_simulator, save_pair


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topology", required=True)
    parser.add_argument("--input-type", choices=("conv", "gemm"), required=True)
    parser.add_argument("--hardware", required=True)
    parser.add_argument("--layer", type=int, required=True, help="layer index (0-based)")
    parser.add_argument("--subdivision", choices=SUBDIVISIONS, required=True)
    parser.add_argument("--output", required=True, help="pair file to write")
    args = parser.parse_args(argv)
    layer = load_topology(args.topology, args.input_type)[args.layer]
    lifetimes, total_cycles = pair_from_simulator(layer, load_hardware_config(args.hardware), args.subdivision)
    save_pair(args.output, lifetimes, total_cycles)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"lifetimes: error: {err}")
