"""Rule `grid_point`: one hardware grid point -> its SCALE-Sim .cfg (gainflow.sweep.grid)."""

import argparse
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.files.atomic import atomic_file
from gainflow.sweep.grid import AXES, grid_point, point_config_text


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, type=Path, help="the named config the point inherits from")
    parser.add_argument("--name", required=True, help="the point's name in the sweep (checked)")
    parser.add_argument("--array", required=True, help="ROWSxCOLUMNS")
    parser.add_argument("--dataflow", required=True)
    for axis in AXES[2:]:
        parser.add_argument(f"--{axis.replace('_', '-')}", required=True, type=int)
    parser.add_argument("--output", required=True, type=Path)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        point = grid_point(args.base.stem, {axis: getattr(args, axis) for axis in AXES}, "point")
        if point.name != args.name:
            raise InputError(f"the parameters make the point {point.name}, not {args.name}", key="--name")
        text = point_config_text(point, args.base.read_text())
    except InputError as error:
        sys.exit(f"grid_point: error: {error}")
    with atomic_file(args.output) as handle:
        handle.write(text.encode())


if __name__ == "__main__":
    main()
