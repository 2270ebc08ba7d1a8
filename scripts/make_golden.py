"""Generate the extra simulator reference cases in tests/data/simulator/ with SCALE-Sim 2.0.2.

Run it with the Python of a separate virtual environment that has the reference installed (never the
project's own environment):

    python3 -m venv /work/scalesim-venv && /work/scalesim-venv/bin/pip install scalesim==2.0.2
    /work/scalesim-venv/bin/python scripts/make_golden.py [OUT_DIR]

Each case folder gets hw.cfg, topology.csv, input_type and expected/<run_name>/ (reports and traces),
the same layout as ../shared/golden. The cases target corners the shared golden set does not reach.
"""

import contextlib
import io
import sys
from pathlib import Path

CONFIG = """[general]
run_name = {run_name}

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {kb}
FilterSramSzkB: {kb}
OfmapSramSzkB: {kb}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth: 10
Dataflow: {dataflow}
MemoryBanks: 1

[run_presets]
InterfaceBandwidth: CALC
"""

CONV_HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
# 12x12x4 input, 3x3x8 filters: 576 IFMAP words with 1 kB (n = 10, 50 sets = 500 words) -> several
# fetch windows, later batches narrower than 10 (1.0 padding); then a rectangular input with
# different vertical and horizontal strides whose windows run past both edges.
MULTI_WINDOW = CONV_HEADER + "multiwin, 12, 12, 3, 3, 4, 8, 1,\nrect, 9, 7, 3, 2, 3, 5, 2, 3,\n"
# One row fold and N*K = 500 filter words: the FILTER fetch window completes on the very last
# address, so the final batch is empty.
EXACT_WINDOW = "Layer, M, N, K,\nexact, 8, 25, 20,\n"

# case -> (topology text, input type, rows, cols, SRAM kB, dataflow)
CASES = {
    "multiwin_os": (MULTI_WINDOW, "conv", 8, 8, 1, "os"),
    "multiwin_ws": (MULTI_WINDOW, "conv", 8, 8, 1, "ws"),
    "multiwin_is": (MULTI_WINDOW, "conv", 6, 10, 1, "is"),
    "exact_window_os": (EXACT_WINDOW, "gemm", 8, 8, 1, "os"),
}


def make_case(folder, topology, input_type, rows, cols, kb, dataflow):
    from scalesim.scale_sim import scalesim

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hw.cfg").write_text(CONFIG.format(run_name=folder.name, rows=rows, cols=cols, kb=kb,
                                                 dataflow=dataflow))
    (folder / "topology.csv").write_text(topology)
    (folder / "input_type").write_text(input_type + "\n")
    sim = scalesim(save_disk_space=False, verbose=False, config=str(folder / "hw.cfg"),
                   topology=str(folder / "topology.csv"), input_type_gemm=input_type == "gemm")
    with contextlib.redirect_stdout(io.StringIO()):  # its progress bars
        sim.run_scale(top_path=str(folder / "expected"))


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "tests" / "data" / "simulator"
    for name, case in CASES.items():
        make_case(out / name, *case)
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
