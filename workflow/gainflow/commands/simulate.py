"""`gainflow simulate`: a topology on a systolic array, SCALE-Sim v2 compatible reports and traces."""

from gainflow.commands import add_topology_arguments
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.simulator import simulate_topology


def add_arguments(parser):
    add_topology_arguments(parser)
    parser.add_argument("-c", "--config", required=True, metavar="CONFIG",
                        help="SCALE-Sim .cfg hardware config (InterfaceBandwidth: CALC)")
    parser.add_argument("-p", "--outdir", required=True, metavar="OUTDIR",
                        help="output directory; results go to OUTDIR/<run_name>/")
    parser.add_argument("--save-traces", action="store_true",
                        help="also write layer<i>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv")
    parser.add_argument("--quiet", action="store_true", help="no per-layer progress on stderr")


def run(args):
    # Parse both inputs before anything is created, so bad input leaves no output behind.
    hw = load_hardware_config(args.config)
    layers = load_topology(args.topology, args.input_type)
    simulate_topology(layers, hw, args.outdir, save_traces=args.save_traces, progress=not args.quiet)
    return 0
