"""Property-based tests of every input file gainflow reads from users (Hypothesis, fixed profile in
tests/conftest.py): generated and mutated topology CSVs (conv and GEMM), hardware .cfg files, the two
device files and workflow config values end in success or in gainflow's own InputError naming the
file and a line or key; through the CLI, exit status 2 with that message and nothing written."""

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from frontend_support import write_processed_run
from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.frontend.devices import DEFAULT_AREA_POWER, DEFAULT_GC_LIST, load_device_library
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.sweep.clocks import LABEL_PATTERN, sweep_clocks
from gainflow.sweep.config_numbers import with_numbers
from gainflow.sweep.grid import expand_grids
from hypothesis import given, settings
from hypothesis import strategies as st
from property_support import (check_input_error, files_under, json_bytes, mutated, mutated_json, run_cli)

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "workflow"
TOPOLOGIES = {"conv": (TINY / "tiny.csv").read_bytes(), "gemm": (TINY / "tiny_gemm.csv").read_bytes(),
              # SCALE-Sim's own file with extra columns after the layer's values
              "conv_extra": (ROOT / "tests" / "data" / "scalesim" / "topologies" / "conv_nets" /
                             "Resnet18.csv").read_bytes()[:400]}
CFG = (TINY / "tiny_os.cfg").read_bytes()
# Conditions about a whole file, which no line or key could point at.
WHOLE_TOPOLOGY = ("has no layers", "not a UTF-8 text file")
CONFIG_SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
FILENAME_LIMIT = 255  # bytes in a file name on the usual file systems


def write(folder, name, data):
    path = Path(folder) / name
    path.write_bytes(data)
    return path


def check_topology(path, input_type):
    """load_topology gives layers of positive sizes whose filters fit, or an InputError naming the file
    and line; `gainflow layers` agrees (exit 0, or exit 2 with that message)."""
    try:
        layers = load_topology(path, input_type)
    except InputError as error:
        check_input_error(error, [path], WHOLE_TOPOLOGY)
        expected = 2
    else:
        assert layers
        for layer in layers:
            sizes = (layer.ifmap_height, layer.ifmap_width, layer.filter_height, layer.filter_width,
                     layer.channels, layer.num_filters, layer.stride_height, layer.stride_width)
            assert all(isinstance(size, int) and size > 0 for size in sizes)
            assert layer.filter_height <= layer.ifmap_height and layer.filter_width <= layer.ifmap_width
        expected = 0
    status, stderr = run_cli("layers", "-t", path, "-i", input_type, "--json")
    assert status == expected, stderr
    if status:
        assert stderr.startswith(f"gainflow layers: error: {path}")


@given(st.sampled_from(sorted(TOPOLOGIES)), st.data())
@settings(max_examples=120)
def test_mutated_topology_parses_or_names_file_and_line(tmp_path, which, data):
    text = data.draw(mutated(TOPOLOGIES[which]))
    check_topology(write(tmp_path, "topology.csv", text), "gemm" if which == "gemm" else "conv")


# One field of a generated row: mostly small integers, sometimes what a user might mistype.
FIELDS = st.one_of(st.integers(-2, 12).map(str), st.sampled_from(("", " ", "x", "1.5", "1e2", "07", "+3", "9" * 30,
                                                                 "\t4", "DP", "٣")))
ROWS = st.lists(st.tuples(st.sampled_from(("conv1", "DPconv", "", "g 1")), st.lists(FIELDS, max_size=11),
                          st.booleans()), max_size=4)


@given(st.sampled_from(("conv", "gemm")), ROWS, st.sampled_from(("\n", "\r\n", "\r")))
@settings(max_examples=120)
def test_generated_topology_parses_or_names_file_and_line(tmp_path, input_type, rows, newline):
    lines = ["Layer name, H, W, FH, FW, C, N, S,"]
    lines += [",".join([name, *fields]) + ("," if trailing_comma else "") for name, fields, trailing_comma in rows]
    check_topology(write(tmp_path, "topology.csv", newline.join(lines).encode()), input_type)


ONE_LAYER = b"Layer, M, N, K,\ng1, 6, 5, 4,\n"


def check_simulate(tmp_path, cfg_path, topology_path, input_type="gemm"):
    """`gainflow simulate` exits 0 with the three reports, or 2 with the error and nothing written."""
    outdir = tmp_path / "out"
    shutil.rmtree(outdir, ignore_errors=True)
    status, stderr = run_cli("simulate", "-t", topology_path, "-i", input_type, "-c", cfg_path, "-p", outdir, "--quiet")
    if status == 0:
        run_name = load_hardware_config(cfg_path).run_name
        assert files_under(outdir) == sorted(f"{run_name}/{name}" for name in layout.REPORT_FILES)
    else:
        assert status == 2 and stderr.startswith("gainflow simulate: error: "), stderr
        assert files_under(outdir) == []


@given(st.data())
@settings(max_examples=100)
def test_mutated_hardware_config_parses_or_names_file_and_key(tmp_path, data):
    path = write(tmp_path, "hw.cfg", data.draw(mutated(CFG)))
    try:
        hardware = load_hardware_config(path)
    except InputError as error:
        check_input_error(error, [path], ("not a UTF-8 text file",))
        simulate = True
    else:
        assert hardware.dataflow in ("os", "ws", "is") and hardware.run_name
        assert min(hardware.array_height, hardware.array_width, hardware.ifmap_sram_kb, hardware.filter_sram_kb,
                   hardware.ofmap_sram_kb) >= 1
        assert min(hardware.ifmap_offset, hardware.filter_offset, hardware.ofmap_offset) >= 0
        # Simulated only where it stays small (a mutation can make a 8888x8 array).
        simulate = max(hardware.array_height, hardware.array_width) <= 64 and hardware.run_name.isidentifier()
    if simulate:
        check_simulate(tmp_path, path, write(tmp_path, "t.csv", ONE_LAYER))


@given(st.integers(1, 24), st.integers(1, 24), st.sampled_from(("os", "ws", "is")), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 2), st.lists(st.integers(1, 12), min_size=3, max_size=3))
@settings(max_examples=40)
def test_simulate_runs_or_rejects_a_generated_array(tmp_path, rows, columns, dataflow, ifmap_kb, filter_kb,
                                                     ofmap_kb, gemm):
    """Small arrays and buffers in every combination: the simulator runs them or says which layer it
    cannot run (a read window smaller than a demand row), never crashes."""
    text = CFG.decode()
    for key, value in (("ArrayHeight", rows), ("ArrayWidth", columns), ("IfmapSramSzkB", ifmap_kb),
                       ("FilterSramSzkB", filter_kb), ("OfmapSramSzkB", ofmap_kb)):
        text = "\n".join(f"{key}: {value}" if line.startswith(key + ":") else line for line in text.split("\n"))
    text = text.replace("Dataflow : os", f"Dataflow : {dataflow}")
    topology = write(tmp_path, "t.csv", ("Layer, M, N, K,\ng1, %d, %d, %d,\n" % tuple(gemm)).encode())
    check_simulate(tmp_path, write(tmp_path, "hw.cfg", text.encode()), topology)


# ----------------------------------------------------------------------------- device files

DEVICE_DOCUMENTS = {"gc_list": json.loads(DEFAULT_GC_LIST.read_text()),
                    "area_power": json.loads(DEFAULT_AREA_POWER.read_text())}


@pytest.fixture(scope="module")
def processed_run(tmp_path_factory):
    return write_processed_run(tmp_path_factory.mktemp("processed") / "tiny_os")


def check_devices(tmp_path, processed_run, gc_list, area_power):
    """The library loads (every quantity a finite number) or an InputError names a file and key or
    line; `gainflow frontend` agrees and writes no report on error."""
    gc_path, ap_path = write(tmp_path, "gc.json", gc_list), write(tmp_path, "ap.json", area_power)
    try:
        library = load_device_library(gc_path, ap_path, 10**9)
    except InputError as error:
        check_input_error(error, [gc_path, ap_path], ("expected object",))  # a document that is no object
        expected = 2
    else:
        for technology in library.technologies:
            for value in (technology.area_m2, technology.read_energy_j, technology.write_energy_j,
                          technology.refresh_energy_j, technology.leakage_w):
                assert isinstance(value, float) and 0 <= value < float("inf")
        expected = 0
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    status, stderr = run_cli("frontend", processed_run, "-o", report, "--gc-list", gc_path, "--area-power", ap_path)
    assert status == expected, stderr
    assert report.exists() == (status == 0)
    if status:
        assert stderr.startswith("gainflow frontend: error: ")


@given(st.sampled_from(sorted(DEVICE_DOCUMENTS)), st.data())
@settings(max_examples=80)
def test_mutated_device_file_loads_or_names_file_and_key(tmp_path, processed_run, which, data):
    files = {name: json_bytes(document) for name, document in DEVICE_DOCUMENTS.items()}
    files[which] = json_bytes(data.draw(mutated_json(DEVICE_DOCUMENTS[which], focus=("value",))))
    check_devices(tmp_path, processed_run, files["gc_list"], files["area_power"])


@given(st.sampled_from(sorted(DEVICE_DOCUMENTS)), st.data())
@settings(max_examples=40)
def test_device_file_text_edits_load_or_name_file_and_line(tmp_path, processed_run, which, data):
    files = {name: json.dumps(document, indent=1).encode() for name, document in DEVICE_DOCUMENTS.items()}
    files[which] = data.draw(mutated(files[which]))
    check_devices(tmp_path, processed_run, files["gc_list"], files["area_power"])


# ----------------------------------------------------------------------------- workflow config values

CLOCK_TEXT = st.builds("{}{}e{}".format, st.sampled_from(("", "+", "-")), st.sampled_from(("1", "1.5", "0", ".5", "7")),
                       st.integers(-12, 12) | st.sampled_from((-400, 400, 10**7, -(10**7))))
CLOCKS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**12), CLOCK_TEXT,
                   st.sampled_from(("1e9", " 1e9 ", "1GHz", "", True, None, [], "1_000")))
SIZES = st.one_of(st.integers(-2, 300), st.sampled_from((True, "64", 1.5, None, 10**20)))
GRIDS = st.fixed_dictionaries({}, optional={
    "base": st.sampled_from(("tiny_os", "tiny_ws", "missing", "", 3)),
    "array": st.one_of(st.sampled_from(("8x8", "4x16", "0x8", "8x", " 2 x 3 ", "8X8", "x", "99999999999x1")),
                       st.lists(st.sampled_from(("8x8", "2x2", "64x64", "1x1")), max_size=3)),
    "dataflow": st.one_of(st.sampled_from(("os", "ws", "is", "OS", "")), st.lists(st.sampled_from(("os", "ws", "xs")))),
    "ifmap_sram_kb": SIZES | st.lists(SIZES, max_size=3),
    "filter_sram_kb": SIZES,
    "ofmap_sram_kb": SIZES,
    "colour": st.just("red")})


def load_base(name):
    """The grid's named configs: the tiny ones, anything else missing."""
    return load_hardware_config(TINY / f"{name}.cfg")


WORD_BITS = st.one_of(st.integers(-1, 64), CLOCK_TEXT, st.sampled_from(("8", "1_6", "8.0", "8.5", 8.0, "eight")))


@given(st.one_of(CLOCKS, st.lists(CLOCKS, max_size=3)), st.one_of(st.none(), GRIDS, st.lists(GRIDS, max_size=2)),
       WORD_BITS)
@settings(max_examples=150)
def test_config_clocks_and_grids_expand_or_name_the_key(clock_hz, hardware_grid, word_bits):
    """What the workflow reads at parse time (Snakefile, common.smk): numbers spelled as text become
    numbers, then a config the schema lets through expands into clocks and grid points, or is an
    InputError naming its key; every clock label names report files and every clock value is what
    `gainflow frontend --clock-hz` takes."""
    config = {"topologies": ["tiny"], "clock_hz": clock_hz, "word_bits": word_bits}
    if hardware_grid is not None:
        config["hardware_grid"] = hardware_grid
    config = with_numbers(config, CONFIG_SCHEMA)
    clock_hz, hardware_grid = config["clock_hz"], config.get("hardware_grid")
    try:
        jsonschema.validate(config, CONFIG_SCHEMA, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError:
        return  # Snakemake's schema validation names it (tests/test_workflow_config.py)
    assert isinstance(config["word_bits"], int) and config["word_bits"] >= 1
    for expand in (lambda: sweep_clocks(clock_hz), lambda: expand_grids(hardware_grid, load_base)):
        try:
            result = expand()
        except InputError as error:
            assert error.key is not None and error.key.startswith(("clock_hz", "hardware_grid")), error
            continue
        if isinstance(result, dict):
            assert result
            for label, hz in result.items():
                assert re.fullmatch(LABEL_PATTERN, label)
                assert len(layout.sweep_report_name(label, "nominal", "first_read").encode()) <= FILENAME_LIMIT
                assert 0 < float(hz) < float("inf")
        else:
            assert all(point.name and min(point.array_height, point.ifmap_sram_kb) >= 1 for point in result)
