"""load_topology: every SCALE-Sim rule, every tolerant rule and every error, on small hand-written files.

Expected layers are written out by hand from the rules in the module docstring (and the spec, sections
2.2 and 2.3), never produced by the code under test.
"""

import pytest
from gainflow.errors import InputError
from gainflow.inputs.topology import Layer, load_topology

HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
GEMM_HEADER = "Layer, M, N, K,\n"


def write(tmp_path, body, header=HEADER, newline="\n"):
    path = tmp_path / "topology.csv"
    path.write_bytes((header + body).replace("\n", newline).encode())
    return path


def conv(tmp_path, body, **kwargs):
    return load_topology(write(tmp_path, body, **kwargs), "conv")


def gemm(tmp_path, body):
    return load_topology(write(tmp_path, body, header=GEMM_HEADER), "gemm")


# --- SCALE-Sim v2 rules -------------------------------------------------------------------------------

def test_single_stride_serves_both_directions_and_derived_sizes(tmp_path):
    [layer] = conv(tmp_path, "c1, 8, 9, 3, 2, 4, 5, 2,\n")
    assert layer == Layer("c1", 8, 9, 3, 2, 4, 5, 2, 2)
    # OH = ceil((8-3+2)/2) = ceil(3.5) = 4; OW = ceil((9-2+2)/2) = ceil(4.5) = 5
    assert (layer.ofmap_height, layer.ofmap_width) == (4, 5)
    assert layer.window_size == 3 * 2 * 4
    assert layer.macs == 4 * 5 * 5 * 24


def test_window_falling_off_the_edge_gives_an_extra_output_row(tmp_path):
    # spec 2.2: 7x7 input, 2x2 filter, stride 2 -> 4x4 output
    [layer] = conv(tmp_path, "edge,7,7,2,2,1,1,2,\n")
    assert (layer.ofmap_height, layer.ofmap_width) == (4, 4)


def test_two_strides_are_height_then_width(tmp_path):
    assert conv(tmp_path, "c,8,8,3,3,1,1,2,3,\n") == [Layer("c", 8, 8, 3, 3, 1, 1, 2, 3)]


def test_extra_integer_columns_are_ignored(tmp_path):
    assert conv(tmp_path, "c,8,8,3,3,1,1,2,3,99,-7,\n") == [Layer("c", 8, 8, 3, 3, 1, 1, 2, 3)]


def test_first_line_is_always_the_header(tmp_path):
    # Even a header that looks like a layer row is skipped, as SCALE-Sim does.
    path = write(tmp_path, "b,9,9,1,1,1,1,1,\n", header="a,8,8,1,1,1,1,1,\n")
    assert [layer.name for layer in load_topology(path)] == ["b"]


def test_last_field_dropped_when_enough_values_remain(tmp_path):
    # No trailing comma and 8 values: SCALE-Sim drops the final "1", so the stride 2 serves both.
    assert conv(tmp_path, "c,8,8,3,3,1,1,2,1\n") == [Layer("c", 8, 8, 3, 3, 1, 1, 2, 2)]


def test_blank_lines_skipped_and_spaces_around_fields_stripped(tmp_path):
    layers = conv(tmp_path, "\n   \n  conv 1 , 8 , 8 , 3 , 3 , 1 , 1 , 1 , \n\n")
    assert layers == [Layer("conv 1", 8, 8, 3, 3, 1, 1, 1, 1)]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings(tmp_path, newline):
    layers = conv(tmp_path, "a,8,8,3,3,1,1,1,\nb,4,4,1,1,2,2,1,\n", newline=newline)
    assert [layer.name for layer in layers] == ["a", "b"]


def test_depthwise_row_expands_into_one_layer_per_channel(tmp_path):
    layers = conv(tmp_path, "convDP, 8, 8, 3, 3, 3, 4, 1,\nnext,8,8,1,1,3,5,1,\n")
    assert layers == [
        Layer("convDPChannel_0", 8, 8, 3, 3, 1, 4, 1, 1),
        Layer("convDPChannel_1", 8, 8, 3, 3, 1, 4, 1, 1),
        Layer("convDPChannel_2", 8, 8, 3, 3, 1, 4, 1, 1),
        Layer("next", 8, 8, 1, 1, 3, 5, 1, 1),
    ]


def test_depthwise_marker_is_case_sensitive(tmp_path):
    assert conv(tmp_path, "conv_dp,8,8,3,3,3,4,1,\n") == [Layer("conv_dp", 8, 8, 3, 3, 3, 4, 1, 1)]


def test_gemm_row_becomes_a_conv_layer(tmp_path):
    [layer] = gemm(tmp_path, "g, 4, 5, 6,\n")
    assert layer == Layer("g", ifmap_height=4, ifmap_width=6, filter_height=1, filter_width=6, channels=1,
                          num_filters=5, stride_height=1, stride_width=1)
    assert (layer.ofmap_height, layer.ofmap_width, layer.macs) == (4, 1, 4 * 5 * 6)


def test_gemm_columns_after_k_are_ignored_whatever_they_hold(tmp_path):
    assert gemm(tmp_path, "g,4,5,6,x,,y,\n") == [Layer("g", 4, 6, 1, 6, 1, 5, 1, 1)]


def test_gemm_has_no_depthwise_expansion(tmp_path):
    assert [layer.name for layer in gemm(tmp_path, "gDP,4,5,6,\n")] == ["gDP"]


def test_gemm_last_field_dropped_when_enough_values_remain(tmp_path):
    assert gemm(tmp_path, "g,4,5,6,7\n") == [Layer("g", 4, 6, 1, 6, 1, 5, 1, 1)]


# --- tolerant rules (SCALE-Sim crashes, the intent is plain) ------------------------------------------

def test_all_comma_rows_are_skipped(tmp_path):
    assert conv(tmp_path, ",,,,,,,,\n , , ,\na,8,8,3,3,1,1,1,\n") == [Layer("a", 8, 8, 3, 3, 1, 1, 1, 1)]


def test_missing_trailing_comma_keeps_the_stride(tmp_path):
    assert conv(tmp_path, "c,8,8,3,3,1,1,2\n") == [Layer("c", 8, 8, 3, 3, 1, 1, 2, 2)]


def test_gemm_missing_trailing_comma_keeps_k(tmp_path):
    assert gemm(tmp_path, "g,4,5,6\n") == [Layer("g", 4, 6, 1, 6, 1, 5, 1, 1)]


def test_extra_columns_after_an_empty_field_are_ignored(tmp_path):
    # The layout of SCALE-Sim's conv_nets/Resnet50.csv (issue #49): header ",,Eh,Ew,e2", blank row.
    path = write(tmp_path, ",,,,,,,,,,,,\nConv1,224,224,7,7,3,64,2,,,110,110,12100\nCB,56,56,1,1,64,64,1,,,,,\n",
                 header=HEADER.rstrip("\n") + ",,Eh,Ew,e2\n")
    assert load_topology(path) == [Layer("Conv1", 224, 224, 7, 7, 3, 64, 2, 2),
                                   Layer("CB", 56, 56, 1, 1, 64, 64, 1, 1)]


def test_extra_columns_after_two_strides(tmp_path):
    assert conv(tmp_path, "c,8,8,3,3,1,1,2,3,,note,\n") == [Layer("c", 8, 8, 3, 3, 1, 1, 2, 3)]


def test_tab_separated_rows(tmp_path):
    path = write(tmp_path, "Conv1_1\t572\t572\t3\t3\t1\t64\t1\t\nc2\t8\t8\t3\t3\t1\t1\t2\t3\n",
                 header="Layer name\tIFMAP Height\tIFMAP Width\n")
    assert load_topology(path) == [Layer("Conv1_1", 572, 572, 3, 3, 1, 64, 1, 1),
                                   Layer("c2", 8, 8, 3, 3, 1, 1, 2, 3)]


# --- errors -------------------------------------------------------------------------------------------

def assert_row_error(path, input_type, line, *fragments):
    with pytest.raises(InputError) as caught:
        load_topology(path, input_type)
    error = caught.value
    assert (error.path, error.line) == (str(path), line)
    message = str(error)
    assert message.startswith(f"{path}, line {line}: ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("row, fragments", [
    ("c,8,x,3,3,1,1,1,", ["'IFMAP Width' (column 3)", "expected an integer", "'x'"]),
    ("c,8,8.0,3,3,1,1,1,", ["'IFMAP Width' (column 3)", "expected an integer", "'8.0'"]),
    ("c,8,,3,3,1,1,1,", ["'IFMAP Width' (column 3)", "expected an integer", "''"]),
    ("c,8,8,3,3,1,1,1,2,z,", ["'extra column 10'", "'z'"]),
    ("c,8,8,3,3,1,1,", ["too few fields", "found 6", "'Strides' (column 8) is missing"]),
    ("Network title,", ["too few fields", "found 0", "'IFMAP Height' (column 2) is missing"]),
    ("c,8,8,3,3,0,1,1,", ["'Channels' (column 6)", "positive integer, got 0"]),
    ("c,0,8,3,3,1,1,1,", ["'IFMAP Height' (column 2)", "positive integer, got 0"]),
    ("c,8,8,3,3,1,-4,1,", ["'Num Filter' (column 7)", "positive integer, got -4"]),
    ("c,8,8,3,3,1,1,0,", ["'Strides' (column 8)", "positive integer, got 0"]),
    ("c,8,8,3,3,1,1,1,0,", ["'Stride Width' (column 9)", "positive integer, got 0"]),
    ("c,4,8,5,3,1,1,1,", ["'Filter Height' (column 4)", "taller than the input"]),
    ("c,8,2,3,3,1,1,1,", ["'Filter Width' (column 5)", "wider than the input"]),
    ("cDP,8,8,3,3,0,1,1,", ["'Channels' (column 6)", "positive integer, got 0"]),
])
def test_bad_conv_row(tmp_path, row, fragments):
    # Line 4: header, a good row, a blank line, then the bad row.
    path = write(tmp_path, f"good,8,8,1,1,1,1,1,\n\n{row}\n")
    assert_row_error(path, "conv", 4, *fragments)


@pytest.mark.parametrize("row, fragments", [
    ("g,4,five,6,", ["'N' (column 3)", "expected an integer", "'five'"]),
    ("g,4,5,", ["too few fields", "'K' (column 4) is missing"]),
    ("g,0,5,6,", ["'M' (column 2)", "positive integer, got 0"]),
    ("g,4,5,-6,", ["'K' (column 4)", "positive integer, got -6"]),
])
def test_bad_gemm_row(tmp_path, row, fragments):
    path = write(tmp_path, f"{row}\n", header=GEMM_HEADER)
    assert_row_error(path, "gemm", 2, *fragments)


@pytest.mark.parametrize("body", ["", "\n\n", ",,,,,,,,\n"])
def test_topology_without_layers(tmp_path, body):
    path = write(tmp_path, body)
    with pytest.raises(InputError, match="no layers") as caught:
        load_topology(path)
    assert caught.value.path == str(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(InputError, match="no layers"):
        load_topology(path)


def test_unknown_input_type(tmp_path):
    with pytest.raises(InputError, match="input type must be one of conv, gemm"):
        load_topology(write(tmp_path, "c,8,8,1,1,1,1,1,\n"), "matmul")
