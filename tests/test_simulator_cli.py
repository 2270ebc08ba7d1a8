"""`gainflow simulate` as users run it: progress, --quiet, reruns, and bad input (clear message,
non-zero exit, no output left behind)."""

import pytest
from simulator_support import GOLDEN, case_inputs, gainflow_simulate

CONFIG, TOPOLOGY, _, EXPECTED = case_inputs(GOLDEN / "tiny_conv_is")


def test_progress_per_layer_on_stderr_and_quiet(tmp_path):
    result = gainflow_simulate("-t", TOPOLOGY, "-c", CONFIG, "-p", tmp_path / "a")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["layer 1/3 conv1", "layer 2/3 conv2", "layer 3/3 conv3"]
    assert "389 cycles" in lines[0]
    quiet = gainflow_simulate("-t", TOPOLOGY, "-c", CONFIG, "-p", tmp_path / "b", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_rerun_into_the_same_folder_overwrites(tmp_path):
    report = tmp_path / "tiny_is" / "COMPUTE_REPORT.csv"
    assert gainflow_simulate("-t", TOPOLOGY, "-c", CONFIG, "-p", tmp_path, "--quiet").returncode == 0
    report.write_text("stale")
    result = gainflow_simulate("-t", TOPOLOGY, "-c", CONFIG, "-p", tmp_path, "--quiet", "--save-traces")
    assert result.returncode == 0, result.stderr
    assert report.read_bytes() == (EXPECTED / "COMPUTE_REPORT.csv").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["tiny_is"]
    assert (tmp_path / "tiny_is" / "layer2" / "OFMAP_DRAM_TRACE.csv").exists()


def _assert_rejected(result, *fragments):
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("gainflow simulate: error: ")
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.mark.parametrize("bad_file, old, new, fragments", [
    ("bad.cfg", "Dataflow : is", "Dataflow : xs", ("bad.cfg", "Dataflow")),
    ("user.cfg", "InterfaceBandwidth: CALC", "InterfaceBandwidth: USER", ("user.cfg", "CALC")),
    ("net.csv", "conv2, 7, 7", "conv2, 7, seven", ("net.csv", "line 3")),
])
def test_bad_input_exits_with_the_message_and_writes_nothing(tmp_path, bad_file, old, new, fragments):
    source = TOPOLOGY if bad_file.endswith(".csv") else CONFIG
    path = tmp_path / bad_file
    path.write_text(source.read_text().replace(old, new))
    inputs = {"-t": TOPOLOGY, "-c": CONFIG, "-t" if source is TOPOLOGY else "-c": path}
    out = tmp_path / "out"
    _assert_rejected(gainflow_simulate(*[str(v) for pair in inputs.items() for v in pair], "-p", out), *fragments)
    assert not out.exists()


def test_failure_during_the_run_leaves_no_partial_output(tmp_path):
    # A 600-row array with 1 kB SRAMs: one demand row brings more than 50 sets (500 words) of new
    # IFMAP addresses, which SCALE-Sim cannot model either. The first layer succeeds, the second fails.
    config = tmp_path / "wide.cfg"
    config.write_text(CONFIG.read_text().replace("ArrayHeight:    8", "ArrayHeight: 600")
                      .replace("ArrayWidth:     8", "ArrayWidth: 4").replace("Dataflow : is", "Dataflow : os"))
    topology = tmp_path / "net.csv"
    topology.write_text("Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,"
                        " Strides,\nsmall, 4, 4, 1, 1, 2, 2, 1,\nwide, 24, 24, 1, 1, 600, 2, 1,\n")
    out = tmp_path / "out"
    result = gainflow_simulate("-t", topology, "-c", config, "-p", out, "--save-traces")
    _assert_rejected(result, "layer 1 (wide)", "one demand row")
    assert "layer 1/2 small" in result.stderr
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    _assert_rejected(gainflow_simulate("-t", topology, "-c", config, "-p", existing, "--save-traces"))
    assert list(existing.iterdir()) == []


def test_layer_of_zero_cycles_is_rejected(tmp_path):
    # Found by tests/test_properties_inputs.py: one MAC on a 1x1 output-stationary array is a single
    # demand row, Total Cycles 0, and the reports' utilisation and bandwidths divided by it.
    config = tmp_path / "one.cfg"
    config.write_text(CONFIG.read_text().replace("ArrayHeight:    8", "ArrayHeight: 1")
                      .replace("ArrayWidth:     8", "ArrayWidth: 1").replace("Dataflow : is", "Dataflow : os"))
    topology = tmp_path / "one_gemm.csv"
    topology.write_text("Layer, M, N, K,\nbig, 2, 2, 2,\nmac, 1, 1, 1,\n")
    out = tmp_path / "out"
    result = gainflow_simulate("-t", topology, "-i", "gemm", "-c", config, "-p", out)
    _assert_rejected(result, "layer 1 (mac)", "0 cycles")
    assert not out.exists()
