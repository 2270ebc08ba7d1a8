"""Generate (or check) the SCALE-Sim 2.0.2 reference cases of the test suite.

Run it with the Python of a separate virtual environment that has the reference installed (never the
project's own environment; no gainflow code is involved):

    python3 -m venv ~/scalesim-venv && ~/scalesim-venv/bin/pip install scalesim==2.0.2
    ~/scalesim-venv/bin/python scripts/make_golden.py           # rewrite tests/data/{golden,simulator,lifetimes,scalesim_runs}
    ~/scalesim-venv/bin/python scripts/make_golden.py --check   # regenerate in a temp folder, compare
    ~/scalesim-venv/bin/python scripts/make_golden.py --set scalesim_runs   # one set only

Each case folder gets hw.cfg, topology.csv, input_type and expected/<run_name>/: what SCALE-Sim wrote
through its Python API with traces on (`scalesim(save_disk_space=False, ...)`, then
`run_scale(top_path="expected")`). Large cases keep the reports only, plus TRACE_SHA256SUMS (the
`sha256sum` of every trace, relative to the run folder). Each set folder gets a SHA256SUMS manifest.
"""

import argparse
import contextlib
import hashlib
import io
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from data_manifest import HAND_WRITTEN, report_check, tree_differences, write_manifest

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"

CONFIG = """[general]
run_name = {run_name}

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    {kb}
FilterSramSzkB:   {kb}
OfmapSramSzkB:    {kb}
IfmapOffset:    {offsets[0]}
FilterOffset:   {offsets[1]}
OfmapOffset:    {offsets[2]}
Bandwidth : 10
Dataflow : {dataflow}
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC
"""

CONV_HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
GEMM_HEADER = "Layer, M, N, K,\n"
# Three small layers; conv2's stride-2 windows run past the input edge.
TINY_CONV = CONV_HEADER + "conv1, 8, 8, 3, 3, 2, 4, 1,\nconv2, 7, 7, 2, 2, 3, 10, 2,\nconv3, 5, 5, 1, 1, 9, 12, 1,\n"
TINY_GEMM = GEMM_HEADER + "g1, 20, 12, 9,\ng2, 7, 33, 5,\n"
# SCALE-Sim expands a `DP`-named layer into one layer per channel.
DEPTHWISE = CONV_HEADER + "DPconv, 6, 6, 3, 3, 3, 2, 1,\npw, 4, 4, 1, 1, 3, 5, 1,\n"
# SCALE-Sim's own CI case, spacing as in its topology file.
ALEXNET_CONV1 = CONV_HEADER + "Conv1,  224, 224,    11, 11,    3,      96,     4,\n"
RESNET50_FIRST = CONV_HEADER + "Conv1, 224, 224, 7, 7, 3, 64, 2,\nCB2a_1, 56, 56, 1, 1, 64, 64, 1,\n"
# 12x12x4 input, 3x3x8 filters: 576 IFMAP words with 1 kB (n = 10, 50 sets = 500 words) -> several
# fetch windows, later batches narrower than 10 (1.0 padding); then a rectangular input with
# different vertical and horizontal strides whose windows run past both edges.
MULTI_WINDOW = CONV_HEADER + "multiwin, 12, 12, 3, 3, 4, 8, 1,\nrect, 9, 7, 3, 2, 3, 5, 2, 3,\n"
# One row fold and N*K = 500 filter words: the FILTER fetch window completes on the very last
# address, so the final batch is empty.
EXACT_WINDOW = GEMM_HEADER + "exact, 8, 25, 20,\n"
# 1 kB SRAMs (500-address windows), an 800-word IFMAP and a 1152-word filter: DRAM traces with fill
# batches of several widths, so `1.0` width padding; its IFMAP DRAM trace has an interior row
# `200.0,0.0,1.0,1.0,...` whose first 1.0 is the real address 1.
PADDING = CONV_HEADER + "wide, 10,10,3,3,8,16, 1,\n"


@dataclass(frozen=True)
class Case:
    topology: str
    input_type: str
    rows: int
    cols: int
    kb: int
    dataflow: str
    run_name: str
    keep_traces: bool = True  # else TRACE_SHA256SUMS replaces the trace files
    offsets: tuple = (0, 10_000_000, 20_000_000)  # IfmapOffset, FilterOffset, OfmapOffset


def all_dataflows(prefix, run_prefix, topology, input_type, rows, cols, kb):
    return {f"{prefix}_{dataflow}": Case(topology, input_type, rows, cols, kb, dataflow, f"{run_prefix}_{dataflow}")
            for dataflow in ("os", "ws", "is")}


# set folder under tests/data -> case name -> case
SETS = {
    "golden": {
        **all_dataflows("tiny_conv", "tiny", TINY_CONV, "conv", 8, 8, 1),
        **all_dataflows("tiny_gemm", "tiny", TINY_GEMM, "gemm", 8, 8, 1),
        **all_dataflows("ns_conv", "ns", TINY_CONV, "conv", 12, 5, 2),
        "dp_os": Case(DEPTHWISE, "conv", 8, 8, 1, "os", "tiny_os"),
        "alexnet_conv1_ws": Case(ALEXNET_CONV1, "conv", 32, 32, 64, "ws", "scale32_ws", keep_traces=False),
        "resnet50_l01_os": Case(RESNET50_FIRST, "conv", 32, 32, 64, "os", "scale32_os", keep_traces=False),
    },
    "simulator": {
        "multiwin_os": Case(MULTI_WINDOW, "conv", 8, 8, 1, "os", "multiwin_os"),
        "multiwin_ws": Case(MULTI_WINDOW, "conv", 8, 8, 1, "ws", "multiwin_ws"),
        "multiwin_is": Case(MULTI_WINDOW, "conv", 6, 10, 1, "is", "multiwin_is"),
        "exact_window_os": Case(EXACT_WINDOW, "gemm", 8, 8, 1, "os", "exact_window_os"),
    },
    "lifetimes": {
        "padding_os": Case(PADDING, "conv", 8, 8, 1, "os", "padding_os"),
    },
    # A run the workflow takes in as it is (config key scalesim_runs), with buffer offsets of its own.
    "scalesim_runs": {
        "tiny_gemm_ws_offsets": Case(TINY_GEMM, "gemm", 8, 8, 1, "ws", "tiny_ws_offsets",
                                     offsets=(1_000_000, 3_000_000, 5_000_000)),
    },
}


def make_case(folder, case):
    from scalesim.scale_sim import scalesim

    folder.mkdir(parents=True)
    (folder / "hw.cfg").write_text(CONFIG.format(run_name=case.run_name, rows=case.rows, cols=case.cols,
                                                 kb=case.kb, dataflow=case.dataflow, offsets=case.offsets))
    (folder / "topology.csv").write_text(case.topology)
    (folder / "input_type").write_text(case.input_type + "\n")
    sim = scalesim(save_disk_space=False, verbose=False, config=str(folder / "hw.cfg"),
                   topology=str(folder / "topology.csv"), input_type_gemm=case.input_type == "gemm")
    with contextlib.redirect_stdout(io.StringIO()):  # its progress bars
        sim.run_scale(top_path=str(folder / "expected"))
    if not case.keep_traces:
        replace_traces_by_sums(folder / "expected" / case.run_name, folder / "TRACE_SHA256SUMS")


def replace_traces_by_sums(run_dir, sums_file):
    """Write `sha256sum ./layer*/*` as run inside `run_dir`, then delete the layer folders."""
    traces = sorted(path.relative_to(run_dir).as_posix() for path in run_dir.glob("layer*/*"))
    sums_file.write_text("".join(f"{hashlib.sha256((run_dir / name).read_bytes()).hexdigest()}  ./{name}\n"
                                 for name in traces))
    for layer_dir in run_dir.glob("layer*"):
        shutil.rmtree(layer_dir)


def make_set(folder, cases):
    for name, case in cases.items():
        make_case(folder / name, case)
        print(f"made {folder.name}/{name}", file=sys.stderr)
    write_manifest(folder)


def replace_set(committed, made):
    """Swap the generated content of `committed` for `made`, keeping the hand-written files."""
    committed.mkdir(parents=True, exist_ok=True)
    for path in committed.iterdir():
        if path.name not in HAND_WRITTEN:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in made.iterdir():
        shutil.move(str(path), str(committed / path.name))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and compare with the committed data byte for byte")
    parser.add_argument("--data", type=Path, default=DATA, help=f"data folder holding the sets (default: {DATA})")
    parser.add_argument("--set", action="append", choices=SETS, dest="sets",
                        help="only this set (repeatable; default: every set)")
    args = parser.parse_args(argv)
    status = 0
    with tempfile.TemporaryDirectory() as scratch:
        for set_name in args.sets or SETS:
            cases = SETS[set_name]
            made = Path(scratch) / set_name
            make_set(made, cases)
            if args.check:
                status |= report_check(set_name, tree_differences(made, args.data / set_name))
            else:
                replace_set(args.data / set_name, made)
                print(f"wrote {args.data / set_name}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
