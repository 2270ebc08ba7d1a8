"""One module per `gainflow` subcommand: `add_arguments(parser)` and `run(args)`."""

import argparse

from gainflow.inputs.topology import INPUT_TYPES


def add_topology_arguments(parser, *, required=True):
    """The SCALE-Sim `-t TOPOLOGY [-i conv|gemm]` pair, shared by every subcommand that reads a topology."""
    parser.add_argument("-t", "--topology", required=required, metavar="TOPOLOGY",
                        help="topology CSV file (SCALE-Sim format)")
    parser.add_argument("-i", "--input-type", choices=INPUT_TYPES, default="conv",
                        help="conv (default) or gemm (rows are `name, M, N, K,`)")


def positive_number(text):
    """argparse type: a positive finite number, kept as text (the model converts it exactly)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return text


def positive_int(text):
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def format_table(header, lines):
    """Aligned text table: the first column left-aligned, the others right-aligned, two spaces apart."""
    cells = [list(header)] + [[str(cell) for cell in line] for line in lines]
    widths = [max(len(line[index]) for line in cells) for index in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) if index == 0 else cell.rjust(width)
                  for index, (cell, width) in enumerate(zip(line, widths))).rstrip()
        for line in cells)
