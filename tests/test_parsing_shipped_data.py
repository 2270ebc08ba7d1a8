"""The shipped topologies and hardware configs parse, with the layer counts and MACs documented in
topologies/README.md, checked against SCALE-Sim's own parse of its files and against hand arithmetic."""

import json
from pathlib import Path

import pytest
from data_support import TOPOLOGY_REFERENCE
from gainflow.inputs.hwconfig import HardwareConfig, load_hardware_config
from gainflow.inputs.topology import load_topology

REPO = Path(__file__).resolve().parents[1]
REFERENCE = json.loads(TOPOLOGY_REFERENCE.read_text())


def scalesim_rows(corpus_file):
    return REFERENCE["files"]["scalesim/topologies/" + corpus_file]["layers"]


def shipped(name):
    input_type = "gemm" if name.endswith("_gemm") else "conv"
    return load_topology(REPO / "topologies" / f"{name}.csv", input_type)


def as_rows(layers):
    return [[getattr(layer, column) for column in REFERENCE["layer_columns"]] for layer in layers]


def total_macs(layers):
    return sum(layer.macs for layer in layers)


def test_every_shipped_topology_is_listed_here():
    names = sorted(path.stem for path in (REPO / "topologies").glob("*.csv"))
    assert names == ["alexnet", "gpt2_128_gemm", "gpt2_gemm", "llama7b_gemm", "mobilenet", "resnet18", "resnet50",
                     "yolo_tiny"]


@pytest.mark.parametrize("name, scalesim_file, layer_count, approximate_macs", [
    # layer counts and approximate MACs of SCALE-Sim's own topology files
    ("resnet50", "mlperf/Resnet50.csv", 54, 3.48e9),
    ("resnet18", "conv_nets/Resnet18.csv", 21, 1.47e9),
    ("mobilenet", "conv_nets/mobilenet.csv", 27, 565e6),
    ("alexnet", "conv_nets/alexnet.csv", 5, 805e6),
])
def test_same_layers_as_scalesims_file(name, scalesim_file, layer_count, approximate_macs):
    layers = shipped(name)
    assert as_rows(layers) == scalesim_rows(scalesim_file)
    assert len(layers) == layer_count
    assert total_macs(layers) == pytest.approx(approximate_macs, rel=0.005)


def test_alexnet_macs_by_hand():
    # OH*OW*N*(FH*FW*C), no padding: Conv1 (224-11+4)/4 -> 55; Conv2 27-5+1 = 23; Conv3-5 13-3+1 = 11
    per_layer = [55 * 55 * 96 * (11 * 11 * 3), 23 * 23 * 256 * (5 * 5 * 96), 11 * 11 * 384 * (3 * 3 * 256),
                 11 * 11 * 384 * (3 * 3 * 384), 11 * 11 * 256 * (3 * 3 * 384)]
    assert [layer.macs for layer in shipped("alexnet")] == per_layer
    assert sum(per_layer) == 805_118_496


def test_yolo_tiny_is_scalesims_with_conv1_corrected_to_16_filters():
    rows = scalesim_rows("conv_nets/yolo_tiny.csv")
    first_layer = scalesim_rows("conv_nets/yolo_tiny_layer1.csv")
    assert first_layer[0][6] == 16
    assert as_rows(shipped("yolo_tiny")) == first_layer + rows[1:]
    # Conv1: 414*414 outputs, 16 filters, 3*3*3 window
    assert total_macs(shipped("yolo_tiny")) == sum(row[-1] for row in rows[1:]) + 414 * 414 * 16 * 27


@pytest.mark.parametrize("name, tokens, macs", [
    ("gpt2_gemm", 1024, 1024 * (2304 * 768 + 1024 * 64 + 64 * 1024 + 768 * 768 + 2 * 3072 * 768)),
    ("gpt2_128_gemm", 128, 128 * (2304 * 768 + 128 * 64 + 64 * 128 + 768 * 768 + 2 * 3072 * 768)),
])
def test_gpt2_small_block(name, tokens, macs):
    layers = shipped(name)
    mnk = [(layer.ifmap_height, layer.num_filters, layer.window_size) for layer in layers]
    d_model, head, ff = 768, 64, 3072
    assert mnk == [(tokens, 3 * d_model, d_model), (tokens, tokens, head), (tokens, head, tokens),
                   (tokens, d_model, d_model), (tokens, ff, d_model), (tokens, d_model, ff)]
    assert [layer.name for layer in layers] == ["QKV_proj", "QKT", "QKTV", "Attn_proj", "FF1", "FF2"]
    assert total_macs(layers) == macs


def test_llama7b_decoder_block():
    layers = shipped("llama7b_gemm")
    mnk = [(layer.ifmap_height, layer.num_filters, layer.window_size) for layer in layers]
    tokens, d_model, head, ff = 2048, 4096, 128, 11008  # 32 heads of 128 = d_model
    assert mnk == [(tokens, 3 * d_model, d_model), (tokens, tokens, head), (tokens, head, tokens),
                   (tokens, d_model, d_model), (tokens, ff, d_model), (tokens, ff, d_model), (tokens, d_model, ff)]
    assert [layer.name for layer in layers] == ["QKV_proj", "QKT", "QKTV", "Attn_proj", "FF_gate", "FF_up", "FF_down"]
    # 2048 * (50,331,648 + 262,144 + 262,144 + 16,777,216 + 3 * 45,088,768), as topologies/README.md says
    assert total_macs(layers) == 415_538_085_888


@pytest.mark.parametrize("name, array, sram_kb, dataflow", [
    ("scale32_os", (32, 32), (64, 64, 64), "os"),
    ("tpu256_ws", (256, 256), (6144, 6144, 2048), "ws"),
    ("eyeriss_ws", (12, 14), (36, 36, 36), "ws"),
])
def test_shipped_hardware_configs(name, array, sram_kb, dataflow):
    assert load_hardware_config(REPO / "hardware" / f"{name}.cfg") == HardwareConfig(
        run_name=name, array_height=array[0], array_width=array[1], ifmap_sram_kb=sram_kb[0],
        filter_sram_kb=sram_kb[1], ofmap_sram_kb=sram_kb[2], ifmap_offset=0, filter_offset=10000000,
        ofmap_offset=20000000, dataflow=dataflow, interface_bandwidth="CALC")
