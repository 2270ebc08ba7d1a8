"""A whole topology: every layer in turn, reports (and traces) written into `outdir/<run_name>/`.

Outputs are staged in a hidden folder next to the run folder and moved into place only when every
layer has succeeded, so an error never leaves partial files behind. Each layer's state is dropped
before the next one starts: memory does not grow with the number of layers.
"""

import sys
import time
from pathlib import Path

from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.files.atomic import staged_tree
from gainflow.simulator.layer import layer_report, run_layer
from gainflow.simulator.reports import report_texts


def simulate_topology(layers, hw, outdir, *, save_traces=False, progress=True):
    """Simulate `layers` on `hw`; write the three reports (and with `save_traces` the six traces per
    layer) to `outdir/<run_name>/`. Returns the list of LayerReport."""
    if save_traces:
        from gainflow.simulator.traces import write_layer_traces  # only runs that write traces need it
    outdir = Path(outdir)
    created_outdir = not outdir.exists()
    outdir.mkdir(parents=True, exist_ok=True)
    succeeded = False
    try:
        with staged_tree(outdir / hw.run_name, outdir) as staging:
            reports = []
            for index, layer in enumerate(layers):
                started = time.perf_counter()
                try:
                    state = run_layer(layer, hw)
                    reports.append(layer_report(state))  # plans the DRAM fetches: may find the layer unsupported
                except InputError as error:
                    raise InputError(f"layer {index} ({layer.name}): {error.detail}", path=error.path,
                                     line=error.line, key=error.key) from error
                if save_traces:
                    write_layer_traces(state, layout.layer_dir(staging, index))
                del state
                if progress:
                    print(f"layer {index + 1}/{len(layers)} {layer.name}: {reports[-1].total_cycles} cycles "
                          f"({time.perf_counter() - started:.2f} s)", file=sys.stderr, flush=True)
            for name, text in report_texts(reports).items():
                (staging / name).write_text(text)
        succeeded = True
    finally:
        if created_outdir and not succeeded and not any(outdir.iterdir()):
            outdir.rmdir()
    return reports
