"""Hand-computed checks of the simulator's formulas: output size, operand addresses, fold plans,
SRAM counters, mapping efficiency, compute util, Total Cycles and utilisation."""

import dataclasses

import numpy as np
import pytest
from gainflow.inputs.hwconfig import HardwareConfig
from gainflow.inputs.topology import Layer
from gainflow.simulator import simulate_layer
from gainflow.simulator.geometry import fold_averages, plan_folds, sram_counters
from gainflow.simulator.demand import demand_stream
from gainflow.simulator.operands import AffineIds, demand_specs, ifmap_matrix

# 8x8x2 input, 3x3 filters, 4 filters, stride 1: the first layer of tests/data/golden/tiny_conv_*.
TINY_CONV1 = Layer("conv1", 8, 8, 3, 3, 2, 4, 1, 1)
# K = 1*1*10 = 10, P = 2*2 = 4, 10 filters: 10 > 8 in both spread dimensions of ws.
TEN_BY_TEN = Layer("ten", 2, 2, 1, 1, 10, 10, 1, 1)


def hardware(dataflow, rows=8, cols=8, kb=1):
    return HardwareConfig("t", rows, cols, kb, kb, kb, 0, 10000000, 20000000, dataflow, "CALC")


def test_output_size_counts_windows_past_the_edge():
    # 7x7 input, 2x2 filter, stride 2: ceil((7 - 2 + 2) / 2) = 4 (the 4th window runs past the edge).
    layer = Layer("c", 7, 7, 2, 2, 3, 1, 2, 2)
    assert (layer.ofmap_height, layer.ofmap_width) == (4, 4)


def test_ifmap_addresses_are_nhwc_and_minus_one_past_the_edge():
    ifm = ifmap_matrix(Layer("c", 7, 7, 2, 2, 3, 1, 2, 2))
    assert ifm.shape == (16, 12)  # P = 4*4 pixels, K = 2*2*3
    # pixel 1 = (oy 0, ox 1), k = 4 = (fy 0, fx 1, c 1): ((0*7 + 2+1)*3 + 1 = 10
    assert ifm[1, 4] == 10
    # pixel 15 = (oy 3, ox 3), k 0: y = x = 6 -> (6*7 + 6)*3 = 144; k 3 (fx 1): x = 7 is past the edge
    assert ifm[15, 0] == 144
    assert ifm[15, 3] == -1
    # oy = 3 or ox = 3 alone: fy = 1 (or fx = 1) is out, 6 of 12 entries, 3 pixels each;
    # pixel 15: 6 + 6 - 3 (fy = fx = 1 counted twice) = 9
    assert (ifm == -1).sum() == 3 * 6 + 3 * 6 + 9


def test_gemm_ifmap_address_is_m_times_k_plus_k():
    # GEMM M=5, N=2, K=3 maps to a 5x3 input with 1x3 filters.
    ifm = ifmap_matrix(Layer("g", 5, 3, 1, 3, 1, 2, 1, 1))
    assert ifm.tolist() == [[m * 3 + k for k in range(3)] for m in range(5)]


def affine_entries(ids):
    rows, cols = np.indices(ids.shape)
    return rows * ids.row_step + cols * ids.col_step


# A GEMM (M=5, N=2, K=3); a 9x4x2 input under 3x4 filters at stride 2 (4 windows as wide as the input,
# the last ending on the bottom row); a 10-row input at stride 2, whose 5th window runs past the edge.
GEMM = Layer("g", 5, 3, 1, 3, 1, 2, 1, 1)
FULL_WIDTH = Layer("tall", 9, 4, 3, 4, 2, 3, 2, 1)
PAST_THE_EDGE = Layer("edge", 10, 4, 3, 4, 2, 3, 2, 1)


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
@pytest.mark.parametrize("layer", [GEMM, FULL_WIDTH, PAST_THE_EDGE, TINY_CONV1])
def test_operands_that_are_never_built_give_the_ids_and_streams_of_the_matrices(layer, dataflow):
    specs = demand_specs(layer, hardware(dataflow, 4, 3), plan_folds(layer, dataflow, 4, 3))
    pixels, window, filters = layer.ofmap_height * layer.ofmap_width, layer.window_size, layer.num_filters
    # FILTER entry (k, n) is n * K + k, OFMAP (p, n) is p * NF + n; IFMAP is affine only for
    # windows as wide as the input and none past the edge: then p * (2 * 4 * 2) + k at stride 2.
    assert affine_entries(specs["filter"].source).tolist() == [
        [n * window + k for n in range(filters)] for k in range(window)]
    assert affine_entries(specs["ofmap"].source).tolist() == [
        [p * filters + n for n in range(filters)] for p in range(pixels)]
    matrices = {"ifmap": ifmap_matrix(layer, outside=specs["ifmap"].address_count),
                "filter": affine_entries(specs["filter"].source), "ofmap": affine_entries(specs["ofmap"].source)}
    assert isinstance(specs["ifmap"].source, AffineIds) == (layer in (GEMM, FULL_WIDTH))
    if layer is FULL_WIDTH:
        assert affine_entries(specs["ifmap"].source).tolist() == [[p * 16 + k for k in range(24)] for p in range(4)]
    for name, spec in specs.items():
        built = demand_stream(dataclasses.replace(spec, source=matrices[name].astype(spec.source.dtype)))
        stream = demand_stream(spec)
        assert np.array_equal(stream.gather(0, stream.num_folds), built.gather(0, built.num_folds))


def test_os_fold_plan_of_tiny_conv1():
    plan = plan_folds(TINY_CONV1, "os", 8, 8)
    # Sr = P = 36 -> 5 row folds, Sc = NF = 4 -> 1 column fold, T = K = 18
    assert plan.row_start.tolist() == [0, 8, 16, 24, 32]
    assert plan.rows_used.tolist() == [8, 8, 8, 8, 4]
    assert plan.cols_used.tolist() == [4] * 5
    assert plan.fold_len == 18 + 8 + 8 - 2
    assert plan.num_demand_rows == 160


def test_folds_visit_column_fold_outer_row_fold_inner():
    plan = plan_folds(TEN_BY_TEN, "ws", 8, 8)
    assert list(zip(plan.row_start.tolist(), plan.col_start.tolist())) == [(0, 0), (8, 0), (0, 8), (8, 8)]
    assert plan.rows_used.tolist() == [8, 2, 8, 2]
    assert plan.cols_used.tolist() == [8, 8, 2, 2]
    assert plan.fold_len == 2 * 8 + 8 + 4 - 2  # T = P = 4


def test_non_square_array_folds():
    # is on 12 rows x 5 columns: Sr = K = 18 -> 2 row folds, Sc = P = 36 -> 8 column folds, T = NF = 4
    plan = plan_folds(TINY_CONV1, "is", 12, 5)
    assert plan.num_folds == 16
    assert plan.rows_used.tolist()[:2] == [12, 6]
    assert plan.cols_used.tolist()[-2:] == [1, 1]
    assert plan.fold_len == 2 * 12 + 5 + 4 - 2


def test_sram_counters_per_dataflow():
    # os: T*sum(nr) = 18*36, T*sum(nc) = 18*20, sum(nr*nc) + folds*(R+C) = 144 + 5*16
    assert sram_counters(plan_folds(TINY_CONV1, "os", 8, 8)) == (648, 360, 224)
    # ws on TEN_BY_TEN: T*sum(nr) = 4*20, sum(nr*nc) = 64+16+16+4, T*sum(nc) = 4*20
    assert sram_counters(plan_folds(TEN_BY_TEN, "ws", 8, 8)) == (80, 100, 80)
    # is: Sr = K = 10 (nr 8, 2), Sc = P = 4 (nc 4), T = NF = 10
    assert sram_counters(plan_folds(TEN_BY_TEN, "is", 8, 8)) == (32 + 8, 10 * 10, 10 * 8)


def test_mapping_efficiency_and_compute_util():
    # os tiny conv1: folds use 8x4 (4 times) and 4x4 of 64 PEs; cycles per fold 18 + 8 + 8 - 2 = 32
    assert fold_averages(plan_folds(TINY_CONV1, "os", 8, 8)) == (45.0, 25.3125)
    # ws: compute util takes 2R + 2C + T - 3 = 16 + 16 + 4 - 3 = 33 cycles per fold
    mapping, util = fold_averages(plan_folds(TEN_BY_TEN, "ws", 8, 8))
    assert mapping == pytest.approx((64 + 16 + 16 + 4) / 64 / 4 * 100)
    assert util == pytest.approx((64 + 16 + 16 + 4) * 4 / (64 * 33) / 4 * 100)


@pytest.mark.parametrize("dataflow, fold_len", [("os", 32), ("ws", 2 * 8 + 8 + 36 - 2), ("is", 2 * 8 + 8 + 4 - 2)])
def test_total_cycles_is_rows_minus_one_and_utilisation(dataflow, fold_len):
    plan = plan_folds(TINY_CONV1, dataflow, 8, 8)
    report = simulate_layer(TINY_CONV1, hardware(dataflow)).report
    assert report.total_cycles == plan.num_folds * fold_len - 1
    assert report.stall_cycles == 0
    macs = 36 * 4 * 18
    assert report.overall_util == macs * 100 / (report.total_cycles * 64)


def test_trace_number_formats():
    from gainflow.files.csv_text import format_rows

    matrix = np.array([[-13, 0, -1, 1, 99, 100, 10000000], [7, 20000028, -1, -1, 12345, 9, 10]])
    # SRAM traces: %i; DRAM traces: str(float64) of integral values
    assert format_rows(matrix) == b"-13,0,-1,1,99,100,10000000\n7,20000028,-1,-1,12345,9,10\n"
    assert format_rows(matrix[:1], float_style=True) == b"-13.0,0.0,-1.0,1.0,99.0,100.0,10000000.0\n"
    with pytest.raises(ValueError):
        format_rows(np.array([[0, 10 ** 16]]), float_style=True)


def test_csv_rows_with_prefix_reused_buffer_and_bad_input():
    import io

    from gainflow.files.csv_text import RowWriter, write_int_rows

    text = io.BytesIO()
    writer = RowWriter(text, prefix=b"ifmap,")
    writer.write(np.array([[0, -9223372036854775807 - 1], [9223372036854775807, 5]]))
    writer.write(np.array([[1, 2, 3]], dtype=np.int32))  # wider rows: the buffer grows
    writer.write(np.zeros((0, 4), dtype=np.int64))
    assert text.getvalue() == (b"ifmap,0,-9223372036854775808\nifmap,9223372036854775807,5\nifmap,1,2,3\n")
    table = io.BytesIO()
    write_int_rows(table, [np.array([7, 8], dtype=np.uint16), np.array([-1, 2 ** 40])], prefix=b"ofmap,")
    assert table.getvalue() == b"ofmap,7,-1\nofmap,8,1099511627776\n"
    with pytest.raises(ValueError, match="integer"):
        writer.write(np.array([[1.5]]))
    with pytest.raises(ValueError, match="differ in length"):
        write_int_rows(table, [np.arange(2), np.arange(3)])
