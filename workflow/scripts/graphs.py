"""Rule `graphs_<topology>`: every `layer<i>_graph.png` of one run (RUN_DIR/layer<i>/) from its
`layer<i>_graph_data.json`, in one process (importing matplotlib.pyplot costs 1-2 s: once here
instead of once per layer)."""

import argparse
from pathlib import Path

from gainflow.atomic import atomic_file
from gainflow.plots import draw_layer_graph, read_graph_data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--layers", type=int, required=True, help="number of layers")
    args = parser.parse_args(argv)
    for index in range(args.layers):
        layer_dir = Path(args.run_dir) / f"layer{index}"
        with atomic_file(layer_dir / f"layer{index}_graph.png") as handle:
            draw_layer_graph(handle, index, read_graph_data(layer_dir / f"layer{index}_graph_data.json"))


if __name__ == "__main__":
    main()
