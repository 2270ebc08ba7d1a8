"""One layer through the memory system: demand streams -> write buffer (cycles, stalls, drains) ->
read buffers (DRAM fetches) -> report values and access events."""

from dataclasses import dataclass

import numpy as np

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS, BufferEvents
from gainflow.simulator.demand import demand_stream, row_words
from gainflow.simulator.geometry import fold_averages, plan_folds, sram_counters
from gainflow.simulator.operands import demand_specs
from gainflow.simulator.read_buffer import dram_event_chunks, fetch_batches, plan_fetches, set_words
from gainflow.simulator.reports import LayerReport
from gainflow.simulator.write_buffer import plan_drains


@dataclass(frozen=True)
class LayerResult:
    report: LayerReport
    events: dict  # subdivision -> BufferEvents, only those asked for


@dataclass
class LayerState:
    """Everything the reports, events and traces of one layer are made from."""

    layer: object
    plan: object  # FoldPlan
    specs: dict  # operand -> DemandSpec
    streams: dict  # operand -> DemandStream, built when first needed (see `stream`)
    drains: object  # DrainPlan
    fetches: dict  # "ifmap"/"filter" -> FetchPlan, built when first needed (see `fetch`)
    hw: object  # HardwareConfig

    def stream(self, operand):
        """The operand's DemandStream (its folds gathered on demand)."""
        if operand not in self.streams:
            self.streams[operand] = demand_stream(self.specs[operand])
        return self.streams[operand]

    def fetch(self, operand):
        """The FetchPlan of IFMAP or FILTER. The reports need both; one buffer's events only its own."""
        if operand not in self.fetches:
            self.fetches[operand] = plan_fetches(self.stream(operand), self.drains.row_cycles,
                                                 self.read_sram_kb(operand))
        return self.fetches[operand]

    def read_sram_kb(self, operand):
        return {"ifmap": self.hw.ifmap_sram_kb, "filter": self.hw.filter_sram_kb}[operand]

    @property
    def total_cycles(self):
        return int(self.drains.ofmap_cycles[-1])

    def sram_cycles(self, operand, rows):
        """SRAM trace cycles of demand rows: IFMAP/FILTER one after the row cycle, OFMAP its own."""
        if operand == "ofmap":
            return self.drains.ofmap_cycles[rows]
        return self.drains.row_cycles[rows] + 1


def run_layer(layer, hw):
    """Simulate `layer` on `hw` (CALC mode) and return its LayerState."""
    plan = plan_folds(layer, hw.dataflow, hw.array_height, hw.array_width)
    specs = demand_specs(layer, hw, plan)
    drains = plan_drains(row_words(specs["ofmap"]), hw.ofmap_sram_kb, hw.array_width)
    return LayerState(layer, plan, specs, {}, drains, {}, hw)


def layer_report(state):
    if state.total_cycles == 0:
        # One demand row (one MAC, output stationary on a 1x1 array): the utilisation and the
        # bandwidths divide by Total Cycles, as in SCALE-Sim, which crashes here.
        raise InputError("the layer runs in 0 cycles (a single demand row), so its utilisation and "
                         "bandwidths are undefined; use a larger layer or array")
    plan, drains = state.plan, state.drains
    ifmap_reads, filter_reads, ofmap_writes = sram_counters(plan)
    mapping_efficiency, compute_util = fold_averages(plan)

    def sram_span(operand, rows):
        return tuple(int(c) for c in state.sram_cycles(operand, np.array(rows)))

    ofmap_rows = list(drains.row_words.writing_rows())
    (if_start, if_stop), (fl_start, fl_stop) = (
        sram_span(name, state.stream(name).row_span) for name in ("ifmap", "filter"))
    of_start, of_stop = sram_span("ofmap", ofmap_rows)
    ifmap_fetch, filter_fetch = state.fetch("ifmap"), state.fetch("filter")
    return LayerReport(
        total_cycles=state.total_cycles,
        stall_cycles=drains.stall_cycles,
        macs=state.layer.macs,
        array_pes=plan.rows * plan.cols,
        mapping_efficiency=mapping_efficiency,
        compute_util=compute_util,
        sram_ifmap_start=if_start, sram_ifmap_stop=if_stop, sram_ifmap_reads=ifmap_reads,
        sram_filter_start=fl_start, sram_filter_stop=fl_stop, sram_filter_reads=filter_reads,
        sram_ofmap_start=of_start, sram_ofmap_stop=of_stop, sram_ofmap_writes=ofmap_writes,
        dram_ifmap_start=ifmap_fetch.start_cycle, dram_ifmap_stop=ifmap_fetch.stop_cycle,
        dram_ifmap_reads=ifmap_fetch.dram_reads,
        dram_filter_start=filter_fetch.start_cycle, dram_filter_stop=filter_fetch.stop_cycle,
        dram_filter_reads=filter_fetch.dram_reads,
        dram_ofmap_start=int(drains.line_cycles[0]), dram_ofmap_stop=int(drains.line_cycles[-1]),
        dram_ofmap_writes=drains.dram_writes,
    )


def buffer_event_chunks(state, subdivision):
    """The events of one subdivision (GainSight convention, see gainflow.events) as two iterators,
    writes and reads, each of (cycles, addresses) int64 chunks in trace order, which is cycle order
    (OFMAP drains: except the final flush, which may start before a running drain ends). Chunks
    hold a few folds or one fetch batch: memory stays bounded whatever the layer's size."""
    stream = state.stream(subdivision)
    sram = ((state.sram_cycles(subdivision, rows), addresses) for addresses, rows, _ in stream.compact_chunks())
    if subdivision == "ofmap":
        return sram, _drain_chunks(state.drains, stream)
    batches = fetch_batches(stream, state.drains.row_cycles, state.read_sram_kb(subdivision))
    return dram_event_chunks(batches, set_words(state.read_sram_kb(subdivision))), sram


def _drain_chunks(drains, stream):
    """(drain cycles, addresses) of the OFMAP words, chunk by chunk: the lines are consecutive runs
    of the OFMAP address stream."""
    words = 0
    for addresses, _, _ in stream.compact_chunks():
        first_line = int(np.searchsorted(drains.line_ends, words, side="right"))
        stop_line = int(np.searchsorted(drains.line_ends, words + len(addresses) - 1, side="right")) + 1
        ends = np.minimum(drains.line_ends[first_line:stop_line], words + len(addresses))
        lengths = np.diff(ends, prepend=words)
        yield np.repeat(drains.line_cycles[first_line:stop_line], lengths), addresses
        words += len(addresses)


def buffer_events(state, subdivision):
    """BufferEvents of one subdivision, whole (see `buffer_event_chunks`)."""
    writes, reads = (_joined(chunks) for chunks in buffer_event_chunks(state, subdivision))
    return BufferEvents(subdivision, *writes, *reads)


def _joined(chunks):
    cycles, addresses = zip(*chunks)  # never empty: a stream has a fold, a fetch plan a batch
    return np.concatenate(cycles), np.concatenate(addresses)


def simulate_layer(layer, hw, *, events=()):
    """Simulate one layer; returns LayerResult with the report and the BufferEvents of `events`
    (a tuple of "ifmap", "filter", "ofmap"). Writes nothing."""
    unknown = set(events) - set(SUBDIVISIONS)
    if unknown:
        raise ValueError(f"unknown subdivisions {sorted(unknown)}; expected some of {SUBDIVISIONS}")
    state = run_layer(layer, hw)
    return LayerResult(layer_report(state), {name: buffer_events(state, name) for name in events})


def layer_event_chunks(layer, hw, subdivision):
    """((writes, reads) chunk iterators as `buffer_event_chunks`, [lo, hi) of the buffer's addresses,
    Total Cycles): what one streaming lifetime job needs."""
    state = run_layer(layer, hw)
    stream = state.stream(subdivision)
    address_range = (stream.address_base, stream.address_base + stream.hole)  # ids 0 .. hole - 1
    return buffer_event_chunks(state, subdivision), address_range, state.total_cycles


def layer_buffer_events(layer, hw, subdivision):
    """(BufferEvents of one subdivision, Total Cycles): what one lifetime job needs, without the
    report (which would also plan the other read buffer's fetches)."""
    state = run_layer(layer, hw)
    return buffer_events(state, subdivision), state.total_cycles
