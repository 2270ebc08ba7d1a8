"""Rule `lifetimes`: one (layer, subdivision) of one run.

Computes the lifetime intervals of one buffer in one layer and hands them over to the per-layer
step as a part file (gainflow.lifetimes.parts): the exact lifetime histograms and counts, plus every
interval with `--intervals` (only when the per-layer step writes the per-interval lifetime table).
The events are streamed (gainflow.lifetimes.stream: memory bounded by the buffer's footprint,
whatever the number of events); with `--intervals` the intervals go to disk as they close, in runs
sorted by address (gainflow.lifetimes.interval_runs). The events come either from SCALE-Sim CSV
traces (`--traces`: the traces the simulate job saved, or an existing SCALE-Sim run's; in cycle
order) or from re-simulating just that layer (`--topology` and `--hardware`: fast, no CSV traces).

`--run-info` is the run's record (the simulate job's run_info.json): the layer's Total Cycles found
here must equal the one recorded there, and with `--traces` its hardware gives the buffer offsets.
"""

import argparse
import contextlib
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files.run_info import RunInfo
from gainflow.lifetimes.interval_runs import IntervalSpill
from gainflow.lifetimes.parts import save_part


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-info", required=True, help="the run's run_info.json")
    parser.add_argument("--traces", help="SCALE-Sim run directory (layer<i>/ traces, COMPUTE_REPORT.csv)")
    parser.add_argument("--topology", help="topology file to re-simulate the layer from (without --traces)")
    parser.add_argument("--input-type", choices=("conv", "gemm"))
    parser.add_argument("--hardware", help="SCALE-Sim .cfg to re-simulate the layer on (without --traces)")
    parser.add_argument("--layer", type=int, required=True, help="layer index (0-based)")
    parser.add_argument("--subdivision", choices=SUBDIVISIONS, required=True)
    parser.add_argument("--intervals", action="store_true", help="also hand over every interval")
    parser.add_argument("--output", required=True, help="part file to write")
    args = parser.parse_args(argv)
    if (args.traces is None) == (args.topology is None or args.hardware is None or args.input_type is None):
        parser.error("give either --traces or all of --topology, --input-type and --hardware")
    return args


def summary_and_cycles(args, info, intervals=None):
    """(BufferSummary, Total Cycles) of the layer's buffer, streamed from the traces or the simulator
    (memory bounded by the footprint), every interval also into the sink `intervals` if given."""
    if args.traces is not None:
        from gainflow.events.scalesim_traces import offsets_of
        from gainflow.inputs.hwconfig import HardwareConfig
        from gainflow.lifetimes.stream import summary_from_trace_dir

        hardware = None if info.hardware is None else HardwareConfig(**info.hardware)
        return summary_from_trace_dir(args.traces, args.layer, args.subdivision, offsets_of(hardware), intervals)
    from gainflow.inputs.hwconfig import load_hardware_config
    from gainflow.inputs.topology import load_topology
    from gainflow.lifetimes.stream import summary_from_simulator

    return summary_from_simulator(load_topology(args.topology, args.input_type)[args.layer],
                                  load_hardware_config(args.hardware), args.subdivision, intervals)


def recorded_layer(info, layer, path):
    """(position in run_info.json's layer list, entry) of the layer."""
    for position, entry in enumerate(info.layers):
        if entry.index == layer:
            return position, entry
    raise InputError(f"no entry for layer {layer}", path=path, key="layers")


def main(argv=None):
    args = parse_args(argv)
    info = RunInfo.load(args.run_info)
    position, recorded = recorded_layer(info, args.layer, args.run_info)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:  # the spilled intervals' file goes when the part is written
        intervals = stack.enter_context(IntervalSpill(Path(args.output).parent)) if args.intervals else None
        summary, total_cycles = summary_and_cycles(args, info, intervals)
        check_total_cycles(args, recorded, position, total_cycles)
        save_part(args.output, summary, total_cycles, intervals)


def check_total_cycles(args, recorded, position, total_cycles):
    if total_cycles != recorded.total_cycles:
        source = f"its traces in {args.traces}" if args.traces is not None else "re-simulating it"
        raise InputError(f"layer {args.layer} takes {recorded.total_cycles} Total Cycles in the run, but "
                         f"{total_cycles} from {source}: the run and this job's inputs disagree",
                         path=args.run_info, key=f"layers.{position}.total_cycles")


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"lifetimes: error: {err}")
