"""Rule `layer`: a layer's three per-buffer part files -> GainSight's per-layer files in LAYER_DIR
(`layer<i>_lifetime_histogram.csv.gz`, `layer<i>_aggregate_data.csv`, with `--tables` also
`layer<i>_lifetime_data.csv`) and the graph's data (`layer<i>_graph_data.json`, drawn by the graphs
rules), through gainflow.lifetimes.layer_files.merge_layer_parts."""

import argparse
import sys

from gainflow.errors import InputError
from gainflow.lifetimes.layer_files import merge_layer_parts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layer", type=int, required=True, help="layer index (0-based)")
    parser.add_argument("--parts", nargs="+", required=True, help="the layer's part files (ifmap, filter, ofmap)")
    parser.add_argument("--layer-dir", required=True)
    parser.add_argument("--tables", action="store_true", help="write the per-interval lifetime table")
    args = parser.parse_args(argv)
    # Not the graph: importing pyplot costs 1-2 s per process; the graphs rules draw a run's graphs at once.
    merge_layer_parts(args.parts, args.layer_dir, args.layer, tables=args.tables, with_graph=False)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"layer: error: {err}")
