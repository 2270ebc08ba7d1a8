"""Rule `summary`: the sweep's reports -> summary table, Pareto plots and sensitivity plot
(gainflow.sweep.summary)."""

import argparse
import sys

from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.sweep.summary import write_summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", nargs="+", required=True, help="report JSON of every run of the sweep")
    parser.add_argument("--table", required=True, help="summary CSV to write")
    parser.add_argument("--pareto", nargs="+", required=True, help="PNGs to write, one per topology: pareto_<topology>.png")
    parser.add_argument("--sensitivity", required=True, help="sensitivity PNG to write")
    parser.add_argument("--dpi", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        pareto = {layout.pareto_plot_topology(path): path for path in args.pareto}
    except ValueError as err:
        parser.error(str(err))
    write_summary(args.reports, args.table, pareto, args.sensitivity, args.dpi)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        print(f"summary: error: {err}", file=sys.stderr)
        sys.exit(2)
