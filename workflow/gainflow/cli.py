"""The `gainflow` command: a thin argparse layer over the library.

Each subcommand lives in `gainflow.commands.<name>` and provides
`add_arguments(parser)` and `run(args) -> int`.
"""

import argparse
import importlib
import os
import sys

from gainflow import __version__
from gainflow.errors import InputError, MissingBuildError

# name -> one-line help; the module gainflow.commands.<name> does the work.
SUBCOMMANDS = {
    "simulate": "simulate a topology on a systolic array (SCALE-Sim v2 compatible outputs)",
    "layers": "print the parsed layers of a topology file",
    "lifetimes": "compute per-address data lifetimes from a SCALE-Sim run directory",
    "frontend": "project refresh, area and energy per memory technology into a JSON report",
    "devices": "print the per-bit figures of a device library at one buffer capacity, with sources",
}


def build_parser(selected=None):
    """The argument parser; only the `selected` subcommand's module is imported.

    Importing every subcommand would pull in the simulator (numpy) and matplotlib
    for a one-line `gainflow layers`, so the others get a help line only.
    """
    parser = argparse.ArgumentParser(
        prog="gainflow",
        description="Gain-cell memory exploration for systolic-array accelerators.",
    )
    parser.add_argument("--version", action="version", version=f"gainflow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            module = importlib.import_module(f"gainflow.commands.{name}")
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(handler=module.run)
    return parser


def _selected_subcommand(argv):
    # The first argument that names a subcommand; options before it are global.
    return next((arg for arg in argv if arg in SUBCOMMANDS), None)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return run_command(argv)
    except MissingBuildError as err:
        # Raised while the subcommand's modules are imported; the message says how to build.
        print(f"gainflow: error: {err}", file=sys.stderr)
        return 2


def run_command(argv):
    args = build_parser(_selected_subcommand(argv)).parse_args(argv)
    try:
        return args.handler(args)
    except InputError as err:
        print(f"gainflow {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`gainflow layers ... | head`): not an error of ours.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
