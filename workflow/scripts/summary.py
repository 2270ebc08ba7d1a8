"""Rule `summary`: the sweep's reports -> summary table, Pareto plots and sensitivity plot
(gainflow.sweep.summary)."""

import argparse
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.sweep.summary import write_summary

PARETO_PREFIX = "pareto_"


def topology_of(pareto_path):
    """`pareto_<topology>.png` -> topology."""
    stem = Path(pareto_path).stem
    if not stem.startswith(PARETO_PREFIX):
        raise SystemExit(f"summary: error: a Pareto plot must be named {PARETO_PREFIX}<topology>.png: {pareto_path}")
    return stem[len(PARETO_PREFIX):]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", nargs="+", required=True, help="report JSON of every run of the sweep")
    parser.add_argument("--table", required=True, help="summary CSV to write")
    parser.add_argument("--pareto", nargs="+", required=True, help="PNGs to write, one per topology: pareto_<topology>.png")
    parser.add_argument("--sensitivity", required=True, help="sensitivity PNG to write")
    parser.add_argument("--dpi", type=int, required=True)
    args = parser.parse_args(argv)
    pareto = {topology_of(path): path for path in args.pareto}
    write_summary(args.reports, args.table, pareto, args.sensitivity, args.dpi)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        print(f"summary: error: {err}", file=sys.stderr)
        sys.exit(2)
