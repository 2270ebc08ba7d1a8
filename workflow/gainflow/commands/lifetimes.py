"""`gainflow lifetimes`: per-address data lifetimes per layer and buffer (GainSight's `run.py`).

Two ways in, one result:

- `-s SCALESIM_RUN_DIR`: SCALE-Sim CSV traces (`<run>/layer<i>/*_TRACE.csv`, Total Cycles from
  `<run>/COMPUTE_REPORT.csv`), streamed; offsets from `-c` or SCALE-Sim's defaults; `-t` adds
  layer names and MACs to run_info.json;
- `-t TOPOLOGY -c CONFIG`: gainflow's simulator, without any CSV trace.

Outputs go to `OUTDIR/<run_name>/` (layer<i>/ files and run_info.json, see gainflow.lifetimes.layer_files).
Everything is first written to a hidden staging folder inside OUTDIR and moved into place only
when every layer succeeded, so bad input leaves no partial outputs.
"""

from pathlib import Path

from gainflow.commands import add_topology_arguments
from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.events import scalesim_traces as traces_reader
from gainflow.files import layout
from gainflow.files.atomic import staged_tree
from gainflow.files.run_info import LayerInfo, RunInfo, TopologyInfo
from gainflow.lifetimes import layer_files
from gainflow.lifetimes.intervals import compute_lifetimes, lifetimes_from_trace_dir


def add_arguments(parser):
    parser.add_argument("-s", "--scalesim-run", metavar="SCALESIM_RUN_DIR",
                        help="SCALE-Sim output folder with layer<i>/*_TRACE.csv and COMPUTE_REPORT.csv; "
                             "without it, -t and -c run gainflow's simulator instead")
    parser.add_argument("-o", "--outdir", required=True, metavar="OUTDIR",
                        help="results go to OUTDIR/<run_name>/")
    parser.add_argument("-c", "--config", metavar="CONFIG",
                        help="SCALE-Sim .cfg (buffer offsets; with -s optional, defaults 0/10000000/20000000)")
    add_topology_arguments(parser, required=False)
    parser.add_argument("--layer", type=int, metavar="N", help="only layer N (0-based)")
    parser.add_argument("--subdivision", choices=SUBDIVISIONS, help="only this buffer")


def run(args):
    # Parse every input before anything is written.
    hardware = _load_hardware(args.config)
    layers = _load_layers(args.topology, args.input_type)
    if args.scalesim_run:
        source = TraceSource(args.scalesim_run, hardware, layers)
    elif hardware is None or layers is None:
        raise InputError("without -s SCALESIM_RUN_DIR both -t TOPOLOGY and -c CONFIG are needed")
    else:
        source = SimulatorSource(layers, hardware)
    indices = _selected_layers(source.layer_indices(), args.layer)
    subdivisions = (args.subdivision,) if args.subdivision else SUBDIVISIONS
    topology = None if layers is None else TopologyInfo.of_file(args.topology, args.input_type)

    outdir = Path(args.outdir)
    if outdir.exists() and not outdir.is_dir():
        raise InputError("-o: exists and is not a directory", path=outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with staged_tree(outdir, outdir) as staging:
        run_dir = staging / source.run_name
        entries = []
        for index in indices:
            buffers, total_cycles = source.layer_lifetimes(index, subdivisions)
            layer_files.write_layer_files(layout.layer_dir(run_dir, index), index, buffers, total_cycles)
            entries.append(LayerInfo.of_layer(index, total_cycles, None if layers is None else layers[index]))
        RunInfo.of_run(source.run_name, entries, topology=topology, hardware=hardware).write(run_dir / layout.RUN_INFO)
    return 0


def _load_hardware(path):
    if path is None:
        return None
    from gainflow.inputs.hwconfig import load_hardware_config

    return load_hardware_config(path)


def _load_layers(path, input_type):
    if path is None:
        return None
    from gainflow.inputs.topology import load_topology

    return load_topology(path, input_type)


def _selected_layers(available, wanted):
    if wanted is None:
        return available
    if wanted not in available:
        raise InputError(f"--layer {wanted}: no such layer (available: {available[0]}..{available[-1]})")
    return [wanted]


class TraceSource:
    """Lifetimes from a SCALE-Sim run directory's CSV traces."""

    def __init__(self, run_dir, hardware, layers):
        self.run_dir = Path(run_dir)
        self.run_name = self.run_dir.resolve().name
        self.offsets = traces_reader.offsets_of(hardware)
        self.layer_dirs = traces_reader.find_layer_dirs(self.run_dir)
        self.total_cycles = traces_reader.read_total_cycles(self.run_dir)
        if layers is not None and max(self.layer_dirs) >= len(layers):
            raise InputError(
                f"the run has layer{max(self.layer_dirs)} but the topology has only {len(layers)} layers",
                path=self.run_dir,
            )

    def layer_indices(self):
        return list(self.layer_dirs)

    def layer_lifetimes(self, index, subdivisions):
        if index not in self.total_cycles:
            raise InputError(f"no row for LayerID {index}", path=self.run_dir / layout.COMPUTE_REPORT)
        buffers = [lifetimes_from_trace_dir(self.layer_dirs[index], name, self.offsets) for name in subdivisions]
        return buffers, self.total_cycles[index]


class SimulatorSource:
    """Lifetimes from gainflow's simulator (no CSV traces)."""

    def __init__(self, layers, hardware):
        self.layers = layers
        self.hardware = hardware
        self.run_name = hardware.run_name

    def layer_indices(self):
        return list(range(len(self.layers)))

    def layer_lifetimes(self, index, subdivisions):
        from gainflow.simulator import simulate_layer

        result = simulate_layer(self.layers[index], self.hardware, events=subdivisions)
        buffers = [compute_lifetimes(result.events[name]) for name in subdivisions]
        return buffers, int(result.report.total_cycles)
