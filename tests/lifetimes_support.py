"""The interval path (gainflow.lifetimes.intervals, what `gainflow lifetimes` runs) over one buffer
of one layer, as the reference the workflow's streaming path is compared with."""

import numpy as np

from gainflow.files import layout
from gainflow.lifetimes.intervals import LifetimeBuilder, layer_total_cycles, lifetimes_from_trace_dir
from gainflow.simulator.layer import layer_event_chunks


def interval_path_from_simulator(layer, hw, subdivision):
    """(BufferLifetimes, Total Cycles) of one buffer from gainflow's simulator: the writes whole, the
    reads block by block as the simulator makes them."""
    (writes, reads), _, total_cycles = layer_event_chunks(layer, hw, subdivision)
    cycles, addresses = zip(*writes)  # never empty: a stream has a fold, a fetch plan a batch
    builder = LifetimeBuilder(subdivision, np.concatenate(cycles), np.concatenate(addresses))
    for read_cycles, read_addresses in reads:
        builder.add_reads(read_cycles, read_addresses)
    return builder.finish(), total_cycles


def interval_path_from_traces(run_dir, layer_index, subdivision, offsets):
    """(BufferLifetimes, Total Cycles) of one buffer of a SCALE-Sim run directory's traces."""
    lifetimes = lifetimes_from_trace_dir(layout.layer_dir(run_dir, layer_index), subdivision, offsets)
    return lifetimes, layer_total_cycles(run_dir, layer_index)
