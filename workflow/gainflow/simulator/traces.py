"""The six SCALE-Sim trace files of one layer, streamed in row chunks so memory stays bounded."""

import numpy as np

from gainflow.events import SUBDIVISIONS
from gainflow.files import layout
from gainflow.files.csv_text import ROWS_PER_CHUNK, RowWriter
from gainflow.simulator import read_buffer, write_buffer
from gainflow.simulator.demand import fill_demand_rows


def _write_sram_trace(handle, state, operand):
    stream, width = state.stream(operand), state.specs[operand].width
    writer = RowWriter(handle)
    for first_fold, slots in stream.chunks(stream.fold_size * max(1, ROWS_PER_CHUNK // stream.fold_len)):
        rows = np.arange(first_fold * stream.fold_len, (first_fold + len(slots)) * stream.fold_len)
        block = np.empty((len(rows), 1 + width), dtype=np.int64)
        block[:, 0] = state.sram_cycles(operand, rows)
        fill_demand_rows(stream, slots, block[:, 1:])
        writer.write(block)


def _dram_blocks(state, operand):
    if operand == "ofmap":
        addresses = (chunk for chunk, _, _ in state.stream("ofmap").compact_chunks())
        return write_buffer.dram_trace_blocks(state.drains, addresses)
    return read_buffer.dram_trace_blocks(state.fetch(operand), ROWS_PER_CHUNK)


def write_layer_traces(state, layer_dir):
    """Write `{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv` of a simulated layer into `layer_dir`."""
    layer_dir.mkdir(parents=True, exist_ok=True)
    for operand in SUBDIVISIONS:
        with open(layer_dir / layout.sram_trace_name(operand), "wb") as handle:
            _write_sram_trace(handle, state, operand)
        with open(layer_dir / layout.dram_trace_name(operand), "wb") as handle:
            writer = RowWriter(handle, float_style=True)
            for block in _dram_blocks(state, operand):
                writer.write(block)
