"""`gainflow layers` through the installed console script: table, JSON, GEMM, and bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

GAINFLOW = Path(sys.executable).with_name("gainflow")
KEYS = ["name", "ifmap_height", "ifmap_width", "filter_height", "filter_width", "channels", "num_filters",
        "stride_height", "stride_width", "ofmap_height", "ofmap_width", "macs"]


def gainflow_layers(*args):
    return subprocess.run([str(GAINFLOW), "layers", *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def conv_file(tmp_path):
    path = tmp_path / "net.csv"
    path.write_text("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,"
                    " Strides,\nconv1, 8, 9, 3, 2, 4, 5, 2,\nfcDP, 1, 1, 1, 1, 2, 10, 1,\n")
    return path


def test_table(conv_file):
    result = gainflow_layers("-t", conv_file)
    assert result.returncode == 0, result.stderr
    # conv1: OH = ceil(7/2) = 4, OW = ceil(9/2) = 5, MACs = 4*5*5*(3*2*4) = 2400; fcDP: 2 copies, 1*1*10*1 MACs
    assert result.stdout == (
        "name           ifmap_height  ifmap_width  filter_height  filter_width  channels  num_filters"
        "  stride_height  stride_width  ofmap_height  ofmap_width  macs\n"
        "conv1                     8            9              3             2         4            5"
        "              2             2             4            5  2400\n"
        "fcDPChannel_0             1            1              1             1         1           10"
        "              1             1             1            1    10\n"
        "fcDPChannel_1             1            1              1             1         1           10"
        "              1             1             1            1    10\n")


def test_json(conv_file):
    result = gainflow_layers("-t", conv_file, "--json")
    assert result.returncode == 0, result.stderr
    layers = json.loads(result.stdout)
    assert [list(layer) for layer in layers] == [KEYS] * 3
    assert list(layers[0].values()) == ["conv1", 8, 9, 3, 2, 4, 5, 2, 2, 4, 5, 2400]
    assert [layer["name"] for layer in layers] == ["conv1", "fcDPChannel_0", "fcDPChannel_1"]


def test_gemm_json(tmp_path):
    path = tmp_path / "mm_gemm.csv"
    path.write_text("Layer, M, N, K,\nQKT, 16, 32, 8,\n")
    result = gainflow_layers("-t", path, "-i", "gemm", "--json")
    assert result.returncode == 0, result.stderr
    # M=16, N=32, K=8 -> a 16x8 input, 1x8 filter, 32 filters: output 16x1, 16*32*8 MACs
    assert json.loads(result.stdout) == [dict(zip(KEYS, ["QKT", 16, 8, 1, 8, 1, 32, 1, 1, 16, 1, 4096]))]


def test_bad_row_names_file_line_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("header\nok,8,8,1,1,1,1,1,\nbad,8,8,9,1,1,1,1,\n")
    result = gainflow_layers("-t", path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f"gainflow layers: error: {path}, line 3: field 'Filter Height' (column 4): "
                             "the filter (9) is taller than the input (8)\n")


def test_missing_file(tmp_path):
    result = gainflow_layers("-t", tmp_path / "absent.csv")
    assert result.returncode == 2
    assert f"{tmp_path / 'absent.csv'}: topology CSV file not found" in result.stderr


@pytest.mark.parametrize("args", [[], ["-t", "x.csv", "-i", "matmul"]])
def test_bad_arguments(args):
    result = gainflow_layers(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: gainflow layers")
