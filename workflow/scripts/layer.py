"""Rule `layer`: a layer's three per-buffer lifetime parts -> GainSight's per-layer files
(`layer<i>_lifetime_data.csv`, `layer<i>_aggregate_data.csv`) and the graph's data
(`layer<i>_graph_data.json`, drawn by rule `graphs`) in LAYER_DIR, through
gainflow.layer_files.merge_layer_pairs."""

import argparse

from gainflow.lifetimes.layer_files import merge_layer_pairs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layer", type=int, required=True, help="layer index (0-based)")
    parser.add_argument("--parts", nargs="+", required=True, help="the layer's pair files (ifmap, filter, ofmap)")
    parser.add_argument("--layer-dir", required=True)
    args = parser.parse_args(argv)
    # Not the graph: importing pyplot costs 1-2 s per process; rule `graphs` draws a run's graphs at once.
    merge_layer_pairs(args.parts, args.layer_dir, args.layer, with_graph=False)


if __name__ == "__main__":
    main()
