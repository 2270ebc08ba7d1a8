"""The six SCALE-Sim trace files of one layer, streamed in row chunks so memory stays bounded."""

import numpy as np

from gainflow.events import SUBDIVISIONS
from gainflow.files import layout
from gainflow.files.csv_text import ROWS_PER_CHUNK, RowWriter
from gainflow.simulator import read_buffer, write_buffer
from gainflow.simulator.demand import fill_demand_rows


def _write_matrix(handle, matrix, float_style):
    RowWriter(handle, float_style).write(matrix)


def _write_sram_trace(handle, state, operand):
    spec, stream = state.specs[operand], state.stream(operand)
    num_folds = len(spec.folds)
    folds_per_chunk = max(1, ROWS_PER_CHUNK // spec.fold_len)
    writer = RowWriter(handle)
    for first_fold in range(0, num_folds, folds_per_chunk):
        stop_fold = min(first_fold + folds_per_chunk, num_folds)
        rows = np.arange(first_fold * spec.fold_len, stop_fold * spec.fold_len)
        block = np.empty((len(rows), 1 + spec.width), dtype=np.int64)
        block[:, 0] = state.sram_cycles(operand, rows)
        fill_demand_rows(stream, first_fold, stop_fold, block[:, 1:])
        writer.write(block)


def _dram_matrix(state, operand):
    if operand == "ofmap":
        return write_buffer.dram_trace_matrix(state.drains, state.stream("ofmap").compact()[0])
    return read_buffer.dram_trace_matrix(state.fetch(operand))


def write_layer_traces(state, layer_dir):
    """Write `{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv` of a simulated layer into `layer_dir`."""
    layer_dir.mkdir(parents=True, exist_ok=True)
    for operand in SUBDIVISIONS:
        with open(layer_dir / layout.sram_trace_name(operand), "wb") as handle:
            _write_sram_trace(handle, state, operand)
        with open(layer_dir / layout.dram_trace_name(operand), "wb") as handle:
            _write_matrix(handle, _dram_matrix(state, operand), float_style=True)
