"""One module per `gainflow` subcommand: `add_arguments(parser)` and `run(args)`."""

from gainflow.inputs.topology import INPUT_TYPES


def add_topology_arguments(parser, *, required=True):
    """The SCALE-Sim `-t TOPOLOGY [-i conv|gemm]` pair, shared by every subcommand that reads a topology."""
    parser.add_argument("-t", "--topology", required=required, metavar="TOPOLOGY",
                        help="topology CSV file (SCALE-Sim format)")
    parser.add_argument("-i", "--input-type", choices=INPUT_TYPES, default="conv",
                        help="conv (default) or gemm (rows are `name, M, N, K,`)")
