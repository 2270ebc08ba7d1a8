"""Rules `graphs_<topology>_layers<first>_<last>`: the `layer<i>_graph.png` of a batch of one run's
layers (RUN_DIR/layer<i>/), each from its `layer<i>_graph_data.json`, in one process (importing
matplotlib costs about as much as drawing three graphs: once here instead of once per layer)."""

import argparse

from gainflow.files import layout
from gainflow.files.atomic import atomic_file
from gainflow.lifetimes.graphs import draw_layer_graph, read_graph_data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--layers", type=int, nargs="+", required=True, help="layer indices")
    args = parser.parse_args(argv)
    for index in args.layers:
        with atomic_file(layout.layer_file(args.run_dir, index, layout.GRAPH)) as handle:
            graph_data = read_graph_data(layout.layer_file(args.run_dir, index, layout.GRAPH_DATA))
            draw_layer_graph(handle, index, graph_data)


if __name__ == "__main__":
    main()
