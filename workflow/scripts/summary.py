"""Rule `summary`: the sweep's reports -> summary table and plots (gainflow.sweep.summary)."""

import argparse
from pathlib import Path

from gainflow.sweep.summary import write_summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", nargs="+", required=True, help="report.json of every run of the sweep")
    parser.add_argument("--table", required=True, help="summary CSV to write")
    parser.add_argument("--plots", nargs="+", required=True, help="PNGs to write, each named <plot>.png")
    parser.add_argument("--dpi", type=int, required=True)
    args = parser.parse_args(argv)
    write_summary(args.reports, args.table, {Path(path).stem: path for path in args.plots}, args.dpi)


if __name__ == "__main__":
    main()
