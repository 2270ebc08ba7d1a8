"""The simulator's largest arrays counted from the layer's shape (gainflow.simulator.memory): by hand
on small layers, against the arrays the simulator allocates, and against its traced peak."""

import dataclasses
import tracemalloc

import pytest

from gainflow.events import SUBDIVISIONS
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import Layer, load_topology
from gainflow.simulator.demand import CHUNK_SLOTS
from gainflow.simulator.layer import buffer_event_chunks, run_layer
from gainflow.simulator.memory import (CHUNK_HELD_BYTES, CHUNK_WORKING_BYTES, LINE_BYTES, PATTERN_BUILDING_BYTES,
                                       PATTERN_BYTES, PIECE_HELD_BYTES, PIECE_WORKING_BYTES, SEGMENT_BYTES,
                                       WINDOW_BYTES, buffer_arrays, drain_lines, fold_slots, folding, ofmap_words,
                                       report_arrays)
from simulator_support import CONV1, Array
from workflow_support import ROOT, TINY, TINY_HARDWARE


def test_output_stationary_conv_by_hand():
    hw = Array("os")
    # Rows P = 36 (5 folds of 8), columns NF = 4 (one fold, 4 used), temporal K = 18.
    fold = folding(CONV1, hw)
    assert (fold.row_folds, fold.col_folds, fold.fold_rows, fold.fold_cols, fold.temporal) == (5, 1, 8, 4, 18)
    assert fold_slots(fold, "os") == {"ifmap": 18 * 8, "filter": 18 * 4, "ofmap": 8 * 4}
    # 144 OFMAP words in lines of 8; a drain empties ceil(512 / 8) = 64 lines (half of 1 kB).
    assert ofmap_words(fold, "os") == 144
    assert drain_lines(144, 1, 8) == 18 + 0 + 1024
    # The IFMAP matrix is built (a convolution): 36 x 18 int32 ids, 4 bytes each, int64 while built.
    matrix, lines = 36 * 18 * 4, LINE_BYTES * 1042
    setup = max(36 * 18 * 12, matrix + PATTERN_BUILDING_BYTES * 32 + lines)
    ifmap = buffer_arrays(CONV1, hw, "ifmap")
    # All 5 folds are gathered at once (5 x 144 slots < CHUNK_SLOTS). The fetch window (50 sets of
    # 10 words) holds the whole IFMAP (128 addresses): a window and a piece of 128.
    chunk = 5 * 144
    scan_kept = 4 * (128 + 1) + chunk * 4
    scanning = chunk * 8 + chunk * SEGMENT_BYTES + 128 * WINDOW_BYTES
    events = max(chunk * (CHUNK_WORKING_BYTES + 4) + 128 * WINDOW_BYTES + 128 * PIECE_HELD_BYTES,
                 scanning + 128 * PIECE_WORKING_BYTES + chunk * CHUNK_HELD_BYTES)
    assert ifmap == {"ifmap_matrix": matrix, "drain_lines": lines, "pattern": PATTERN_BYTES * 144, "scan": scan_kept,
                     "events": events, "setup": setup,
                     "peak": max(setup, matrix + lines + PATTERN_BYTES * 144 + scan_kept + events)}
    # OFMAP: its SRAM writes and its drains both gather 5 x 32 slots; no scan.
    ofmap = buffer_arrays(CONV1, hw, "ofmap")
    events = 160 * (CHUNK_WORKING_BYTES + 4) + 160 * CHUNK_HELD_BYTES
    assert ofmap["events"] == events
    assert ofmap["peak"] == matrix + lines + PATTERN_BYTES * 32 + events
    # FILTER: affine ids, gathered without indices.
    filter_ = buffer_arrays(CONV1, hw, "filter")
    assert filter_["scan"] == 4 * (72 + 1) + 360 * 4


def test_a_gemm_builds_no_matrix_and_large_folds_come_one_at_a_time():
    # GEMM M = 4096 rows, K = 20, N = 10 on a weight-stationary 8 x 8 array: temporal P = 4096, so a
    # fold of the IFMAP pattern has 4096 x 8 slots; 2^21 // 32768 = 64 folds of 3 x 2 are gathered.
    gemm = Layer("g", 4096, 20, 1, 20, 1, 10, 1, 1)
    hw = Array("ws")
    ifmap = buffer_arrays(gemm, hw, "ifmap")
    assert ifmap["ifmap_matrix"] == 0
    assert ifmap["scan"] == 4 * (4096 * 20 + 1) + 6 * 4096 * 8 * 4
    huge = Layer("h", 1 << 20, 16, 1, 16, 1, 8, 1, 1)  # a fold of 2^20 x 8 slots: more than CHUNK_SLOTS
    assert fold_slots(folding(huge, hw), "ws")["ifmap"] * 4 > CHUNK_SLOTS
    assert buffer_arrays(huge, hw, "ifmap")["scan"] == 4 * ((1 << 20) * 16 + 1) + (1 << 23) * 4


def tiny_cases():
    hardware = [load_hardware_config(TINY / f"{name}.cfg") for name in TINY_HARDWARE]
    hardware.append(dataclasses.replace(hardware[0], dataflow="is"))
    layers = load_topology(TINY / "tiny.csv") + load_topology(TINY / "tiny_gemm.csv", "gemm")
    return [(layer, hw) for layer in layers for hw in hardware]


@pytest.mark.parametrize("layer, hw", tiny_cases())
def test_counts_are_the_simulators_arrays(layer, hw):
    state = run_layer(layer, hw)
    fold = folding(layer, hw)
    assert fold.folds == state.plan.num_folds
    # The DRAM lines' arrays are allocated once for the whole layer (the plan's arrays are views).
    lines = drain_lines(ofmap_words(fold, hw.dataflow), hw.ofmap_sram_kb, hw.array_width)
    assert len(state.drains.line_ends.base) == lines
    assert ofmap_words(fold, hw.dataflow) == state.drains.row_words.total
    for name in SUBDIVISIONS:
        stream = state.stream(name)
        assert fold_slots(fold, hw.dataflow)[name] == stream.fold_size
        largest_chunk = max(slots.size for _, slots in stream.chunks())
        assert largest_chunk == min(fold.folds, max(1, CHUNK_SLOTS // stream.fold_size)) * stream.fold_size


def traced_peak(layer, hw, subdivision):
    """The simulator's traced peak (bytes) while it makes one buffer's events, its two streams taking
    turns as the streaming merge takes them."""
    tracemalloc.start()
    try:
        writes, reads = buffer_event_chunks(run_layer(layer, hw), subdivision)
        for _ in zip(writes, reads):
            pass
        for _ in writes:
            pass
        for _ in reads:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Chunks of 2^21 slots: AlexNet's second layer on scale32_os (64 kB buffers' fetch windows), ResNet-18's
# first on eyeriss_ws (its OFMAP's two streams).
@pytest.mark.parametrize("topology, hardware, index, subdivision", [
    ("alexnet", "scale32_os", 1, "ifmap"), ("alexnet", "scale32_os", 1, "filter"), ("resnet18", "eyeriss_ws", 0, "ofmap")])
def test_the_count_follows_the_traced_peak_of_a_large_layer(topology, hardware, index, subdivision):
    layer = load_topology(ROOT / "topologies" / f"{topology}.csv")[index]
    hw = load_hardware_config(ROOT / "hardware" / f"{hardware}.cfg")
    counted = buffer_arrays(layer, hw, subdivision)["peak"]
    assert counted > 100e6
    assert 0.6 * counted <= traced_peak(layer, hw, subdivision) <= 1.1 * counted


def test_the_report_holds_both_scans_one_after_the_other():
    hw = Array("os")
    report = report_arrays(CONV1, hw)
    ifmap, filter_ = buffer_arrays(CONV1, hw, "ifmap"), buffer_arrays(CONV1, hw, "filter")
    scans = max(4 * (128 + 1) + 720 * 4 + 720 * 8 + 720 * SEGMENT_BYTES + 128 * WINDOW_BYTES,
                4 * (72 + 1) + 360 * 4 + 360 * SEGMENT_BYTES + 72 * WINDOW_BYTES)
    assert report["scans"] == scans
    assert report["patterns"] == ifmap["pattern"] + filter_["pattern"]
    assert report["peak"] == max(report["setup"], report["ifmap_matrix"] + report["drain_lines"] + report["patterns"]
                                 + scans)
