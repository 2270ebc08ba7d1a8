"""Rule `lifetimes`: one (layer, subdivision) of one topology on one hardware config.

Re-simulates just that layer with the simulator's events for that buffer (fast; no CSV traces),
computes the lifetime intervals and hands them over to the per-layer step as a part file
(gainflow.lifetimes.parts): the exact lifetime histogram and counts, plus the per-interval arrays
with `--intervals` (only when the per-layer step writes the per-interval lifetime table).
"""

import argparse
import sys

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.lifetimes.histogram import summarize
from gainflow.lifetimes.intervals import pair_from_simulator
from gainflow.lifetimes.parts import save_part


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topology", required=True)
    parser.add_argument("--input-type", choices=("conv", "gemm"), required=True)
    parser.add_argument("--hardware", required=True)
    parser.add_argument("--layer", type=int, required=True, help="layer index (0-based)")
    parser.add_argument("--subdivision", choices=SUBDIVISIONS, required=True)
    parser.add_argument("--intervals", action="store_true", help="also hand over every interval")
    parser.add_argument("--output", required=True, help="part file to write")
    args = parser.parse_args(argv)
    layer = load_topology(args.topology, args.input_type)[args.layer]
    lifetimes, total_cycles = pair_from_simulator(layer, load_hardware_config(args.hardware), args.subdivision)
    save_part(args.output, summarize(lifetimes), total_cycles, lifetimes if args.intervals else None)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"lifetimes: error: {err}")
