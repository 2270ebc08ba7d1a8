"""Rule `lifetimes`: one (layer, subdivision) of one run.

Computes the lifetime intervals of one buffer in one layer and hands them over to the per-layer
step as a part file (gainflow.lifetimes.parts): the exact lifetime histograms and counts, plus the
per-interval arrays with `--intervals` (only when the per-layer step writes the per-interval
lifetime table). Without `--intervals` the events are streamed (gainflow.lifetimes.stream: memory
bounded by the buffer's footprint, whatever the number of events); with it, the interval path
(gainflow.lifetimes.intervals) holds every write and interval. The events come either from SCALE-Sim CSV traces (`--traces`: the traces the
simulate job saved, or an existing SCALE-Sim run's) or from re-simulating just that layer
(`--topology` and `--hardware`: fast, no CSV traces).

`--run-info` is the run's record (the simulate job's run_info.json): the layer's Total Cycles found
here must equal the one recorded there, and with `--traces` its hardware gives the buffer offsets.
"""

import argparse
import sys

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files.run_info import RunInfo
from gainflow.lifetimes.histogram import summarize
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


def lifetimes_and_cycles(args, info):
    """(BufferSummary, BufferLifetimes or None, Total Cycles) of the layer's buffer, from the traces or
    the simulator: streamed (memory bounded by the footprint) unless the intervals are handed over."""
    if args.traces is not None:
        from gainflow.events.scalesim_traces import offsets_of
        from gainflow.inputs.hwconfig import HardwareConfig

        hardware = None if info.hardware is None else HardwareConfig(**info.hardware)
        source = (args.traces, args.layer, args.subdivision, offsets_of(hardware))
        if not args.intervals:
            from gainflow.lifetimes.stream import summary_from_trace_dir

            return _no_intervals(*summary_from_trace_dir(*source))
        from gainflow.lifetimes.intervals import pair_from_trace_dir

        return _with_intervals(*pair_from_trace_dir(*source))
    from gainflow.inputs.hwconfig import load_hardware_config
    from gainflow.inputs.topology import load_topology

    source = (load_topology(args.topology, args.input_type)[args.layer], load_hardware_config(args.hardware),
              args.subdivision)
    if not args.intervals:
        from gainflow.lifetimes.stream import summary_from_simulator

        return _no_intervals(*summary_from_simulator(*source))
    from gainflow.lifetimes.intervals import pair_from_simulator

    return _with_intervals(*pair_from_simulator(*source))


def _no_intervals(summary, total_cycles):
    return summary, None, total_cycles


def _with_intervals(lifetimes, total_cycles):
    return summarize(lifetimes), lifetimes, total_cycles


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
    summary, intervals, total_cycles = lifetimes_and_cycles(args, info)
    if total_cycles != recorded.total_cycles:
        source = f"its traces in {args.traces}" if args.traces is not None else "re-simulating it"
        raise InputError(f"layer {args.layer} takes {recorded.total_cycles} Total Cycles in the run, but "
                         f"{total_cycles} from {source}: the run and this job's inputs disagree",
                         path=args.run_info, key=f"layers.{position}.total_cycles")
    save_part(args.output, summary, total_cycles, intervals)


if __name__ == "__main__":
    try:
        main()
    except InputError as err:
        sys.exit(f"lifetimes: error: {err}")
