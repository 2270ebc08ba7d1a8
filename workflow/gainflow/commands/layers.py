"""`gainflow layers`: the layers a topology file parses into, as a table or as JSON."""

import json

from gainflow.commands import add_topology_arguments, format_table
from gainflow.files.plain import plain_json
from gainflow.inputs.topology import load_topology

# The printed columns, in order; the JSON objects have exactly these keys.
COLUMNS = ("name", "ifmap_height", "ifmap_width", "filter_height", "filter_width", "channels",
           "num_filters", "stride_height", "stride_width", "ofmap_height", "ofmap_width", "macs")


def add_arguments(parser):
    add_topology_arguments(parser)
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list of objects instead of a table")


def run(args):
    rows = [{column: getattr(layer, column) for column in COLUMNS}
            for layer in load_topology(args.topology, args.input_type)]
    table = format_table(COLUMNS, [[row[column] for column in COLUMNS] for row in rows])
    print(json.dumps(plain_json(rows), indent=2) if args.json else table)
    return 0
