"""`gainflow lifetimes` (not implemented yet)."""

import sys


def add_arguments(parser):
    parser.add_argument("rest", nargs="*", help=argparse_suppress())


def argparse_suppress():
    return "arguments of the future implementation"


def run(args):
    print("gainflow lifetimes: not implemented yet (its issue has not landed)", file=sys.stderr)
    return 3
