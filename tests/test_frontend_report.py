"""`gainflow frontend` end to end on a hand-made processed run, checked against hand-computed values.

The fixture (tests/frontend_support.py), at 1 GHz and 8-bit words, run time
(20000 + 30000) cycles = 50 us; buffers 1, 2, 1 kB = 8192, 16384, 8192 bits:

  buffer  lifetimes (reads)               reads writes dead unfilled footprint
  ifmap   500 (2), 1000 (1), 20001 (1)      5     4      1      1        2
  filter  10000 (4)                          4     1      0      0        1
  ofmap   10001 (1), 0 (1)                   2     2      0      0        1

Technologies: SRAM (static; 0.1 um2; read 10, write 20 fJ/bit; 1 nW/bit),
GC (10 us = 10000 cycles; 0.05 um2; 2 / 3 / refresh 5 fJ; 0.1 nW),
Dense (1 us = 1000 cycles; 0.02 um2; 1 / 1 / refresh 100 fJ; 0.08 nW).
"""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from frontend_support import AREA_POWER, FIRST_READS, HARDWARE, quantity, write_device_files, write_processed_run
from gainflow.cli import main
from gainflow.files import layout
from gainflow.frontend.devices import DEFAULT_AREA_POWER, DEFAULT_GC_LIST, load_schema

GAINFLOW = Path(sys.executable).with_name("gainflow")
ROOT = Path(__file__).resolve().parents[1]
RUN_TIME = 5e-5
BITS = {"ifmap": 8192, "filter": 16384, "ofmap": 8192}
FJ = 1e-15


def run_frontend(*args):
    """The real console script (used once per module: each start imports the whole package)."""
    return subprocess.run([str(GAINFLOW), "frontend", *map(str, args)], capture_output=True, text=True)


def frontend(*args):
    """The same command line in-process: (exit status, stderr)."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(["frontend", *map(str, args)])
        except SystemExit as exit_:  # argparse usage errors
            status = exit_.code
    return status, stderr.getvalue()


def validate_report(report):
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)


@pytest.fixture(scope="module")
def report_path(tmp_path_factory):
    return write_report(tmp_path_factory.mktemp("frontend"))


def write_report(root, *options):
    run_dir = write_processed_run(root / "tiny_os", first_reads=FIRST_READS)
    gc_path, ap_path = write_device_files(root / "devices")
    output = root / "out" / "report.json"
    result = run_frontend(run_dir, "-o", output, "--gc-list", gc_path, "--area-power", ap_path, *options)
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture(scope="module")
def report(report_path):
    report = json.loads(report_path.read_text())
    validate_report(report)
    return report


def test_workload(report):
    assert report["workload"] == {
        "run_name": "tiny_os", "topology": "tiny", "input_type": "conv", "layers": 2, "macs": 3000,
        "total_cycles": 50000, "run_time_s": RUN_TIME, "dataflow": "os", "array_height": 4,
        "array_width": 8, "buffer_kb": {"ifmap": 1, "filter": 2, "ofmap": 1}, "clock_hz": 1e9,
        "word_bits": 8, "lifetime_start": "fill"}


def test_prefetch_slack_and_what_it_costs(report):
    # Slacks (first read - write): ifmap 400, 1000, 20001; filter 9000; ofmap 10001, 0.
    slack = report["prefetch_slack"]
    # ifmap p90 at position 1.8: 1000 + 0.8 x 19001; ofmap p90 at 0.9: 0.9 x 10001.
    assert (slack["ifmap"]["intervals"], slack["ifmap"]["median_cycles"], slack["ifmap"]["max_cycles"]) == (
        3, 1000, 20001)
    assert slack["ifmap"]["p90_cycles"] == pytest.approx(16200.8)
    assert (slack["filter"]["median_cycles"], slack["filter"]["p90_cycles"], slack["filter"]["max_cycles"]) == (
        9000, 9000, 9000)
    assert (slack["ofmap"]["median_cycles"], slack["ofmap"]["max_cycles"]) == (5000.5, 10001)
    assert slack["ofmap"]["p90_cycles"] == pytest.approx(9000.9)
    # From the first read (100, 0, 0; 1000; 0, 0) nothing outlives the 1 us = 1000 cycles of Dense, so
    # the slack costs all refreshes from the fill (test_refreshes_and_retention_shares): GC 2, 0, 1
    # at 5 fJ x 8 bits; Dense 20, 9, 10 at 100 fJ x 8 bits; SRAM none.
    cost = {name: slack[name]["refresh_energy_j"] for name in BITS}
    assert [cost[name]["GC"] for name in BITS] == [pytest.approx(2 * 40 * FJ), 0, pytest.approx(40 * FJ)]
    assert [cost[name]["Dense"] for name in BITS] == [pytest.approx(n * 800 * FJ) for n in (20, 9, 10)]
    assert [cost[name]["SRAM"] for name in BITS] == [0, 0, 0]


@pytest.fixture(scope="module")
def first_read_report(tmp_path_factory):
    report = json.loads(write_report(tmp_path_factory.mktemp("first_read"), "--lifetime-start",
                                     "first_read").read_text())
    validate_report(report)
    return report


def test_first_read_start_drives_every_lifetime_figure(first_read_report, report):
    assert first_read_report["workload"]["lifetime_start"] == "first_read"
    # Lifetimes from the first read: ifmap 100, 0, 0 (reads 2, 1, 1); filter 1000; ofmap 0, 0.
    ifmap = first_read_report["lifetime_statistics"]["ifmap"]
    assert (ifmap["median_cycles"], ifmap["max_cycles"], ifmap["min_cycles"]) == (0, 100, 0)
    assert ifmap["mean_cycles"] == pytest.approx(100 / 3)
    assert ifmap["within_1us"] == {"intervals_share": 1.0, "accesses_share": 1.0}
    pooled = first_read_report["lifetime_statistics"]["all"]
    assert (pooled["intervals"], pooled["max_cycles"]) == (6, 1000)
    # Counts do not depend on the start.
    for key in ("reads", "writes", "dead_writes", "unfilled_reads", "interval_accesses"):
        assert pooled[key] == report["lifetime_statistics"]["all"][key]
    # No lifetime above 1000 cycles: no refreshes, everything within every retention, and the
    # retention split puts every interval in the densest technology.
    for name in ("GC", "Dense"):
        technology = first_read_report["technologies"][name]
        assert technology["total"]["refreshes"] == 0
        assert technology["total"]["energy"]["refresh_j"] == 0
        assert technology["total"]["within_retention"] == {"intervals_share": 1.0, "accesses_share": 1.0}
    split = first_read_report["composition"]["retention_split"]["per_subdivision"]
    assert [split[name]["technologies"]["Dense"]["capacity_share"] for name in BITS] == [1.0, 1.0, 1.0]
    # The slack is the same whichever start the report uses.
    assert first_read_report["prefetch_slack"] == report["prefetch_slack"]


def test_first_read_start_needs_files_with_first_reads(tmp_path):
    run_dir = write_processed_run(tmp_path / "tiny_os")  # lifetime tables without first_read_cycle
    result = run_frontend(run_dir, "-o", tmp_path / "report.json", "--lifetime-start", "first_read")
    assert result.returncode == 2 and "hold no lifetimes from the first read" in result.stderr
    assert not (tmp_path / "report.json").exists()
    assert run_frontend(run_dir, "-o", tmp_path / "report.json").returncode == 0
    assert json.loads((tmp_path / "report.json").read_text())["prefetch_slack"] is None


def test_lifetime_statistics_per_buffer(report):
    ifmap = report["lifetime_statistics"]["ifmap"]
    # mean (500 + 1000 + 20001) / 3; p90 at position 1.8: 1000 + 0.8 x 19001
    assert ifmap["mean_cycles"] == pytest.approx(7167.0)
    assert ifmap["median_cycles"] == 1000
    assert ifmap["p90_cycles"] == pytest.approx(16200.8)
    assert (ifmap["max_cycles"], ifmap["min_cycles"]) == (20001, 500)
    assert (ifmap["intervals"], ifmap["reads"], ifmap["writes"], ifmap["dead_writes"],
            ifmap["unfilled_reads"], ifmap["footprint_words"], ifmap["unique_addresses_sum"]) \
        == (3, 5, 4, 1, 1, 2, 3)
    assert ifmap["interval_accesses"] == 3 + 4
    # within 1 us = 1000 cycles: 500 and 1000 -> 2 of 3 intervals, (1+2) + (1+1) of 7 accesses
    assert ifmap["within_1us"] == {"intervals_share": pytest.approx(2 / 3),
                                   "accesses_share": pytest.approx(5 / 7)}
    empty = report["lifetime_statistics"]["filter"]
    assert empty["intervals"] == 1 and empty["within_1us"]["intervals_share"] == 0.0


def test_lifetime_statistics_pooled(report):
    pooled = report["lifetime_statistics"]["all"]
    # lifetimes 0, 500, 1000, 10000, 10001, 20001 with accesses 2, 3, 2, 5, 2, 2 (16)
    assert pooled["intervals"] == 6
    assert pooled["interval_accesses"] == 16
    assert pooled["median_cycles"] == pytest.approx(5500.0)
    assert pooled["within_1us"] == {"intervals_share": 0.5, "accesses_share": pytest.approx(7 / 16)}
    assert (pooled["reads"], pooled["writes"], pooled["footprint_words"]) == (11, 7, 4)


def test_write_frequency(report):
    ifmap = report["write_frequency"]["ifmap"]
    assert ifmap["writes_per_cycle"] == pytest.approx(4 / 50000)
    assert ifmap["write_frequency_hz"] == pytest.approx(4 / RUN_TIME)
    assert ifmap["read_frequency_hz"] == pytest.approx(5 / RUN_TIME)
    assert ifmap["writes_per_address"] == pytest.approx(4 / 3)
    assert report["write_frequency"]["all"]["writes"] == 7


def test_refreshes_and_retention_shares(report):
    gc, dense, sram = (report["technologies"][name] for name in ("GC", "Dense", "SRAM"))
    # GC, R = 10000: 20001 -> ceil(2.0001) - 1 = 2; 10000 -> 0 (L == R); 10001 -> 1
    assert [gc["per_subdivision"][b]["refreshes"] for b in BITS] == [2, 0, 1]
    # Dense, R = 1000: 20001 -> 20; 10000 -> 9; 10001 -> 10, 0 -> 0
    assert [dense["per_subdivision"][b]["refreshes"] for b in BITS] == [20, 9, 10]
    assert dense["total"]["refreshes"] == 39
    assert sram["total"]["refreshes"] == 0
    # pooled within 10000 cycles: 0, 500, 1000, 10000 -> 4 of 6 intervals, 12 of 16 accesses
    assert gc["total"]["within_retention"] == {"intervals_share": pytest.approx(4 / 6),
                                               "accesses_share": 0.75}
    assert sram["total"]["within_retention"] == {"intervals_share": 1.0, "accesses_share": 1.0}
    assert gc["parameters"]["retention_cycles"] == 10000
    assert sram["parameters"]["retention_s"] is None and sram["parameters"]["static"] is True


def test_energy_split(report):
    gc_ifmap = report["technologies"]["GC"]["per_subdivision"]["ifmap"]["energy"]
    # reads 5 x 2 fJ x 8, writes 4 x 3 fJ x 8, refreshes 2 x 5 fJ x 8; leakage 0.1 nW x 8192 x 50 us
    assert gc_ifmap["read_j"] == pytest.approx(80 * FJ)
    assert gc_ifmap["write_j"] == pytest.approx(96 * FJ)
    assert gc_ifmap["refresh_j"] == pytest.approx(80 * FJ)
    assert gc_ifmap["dynamic_j"] == pytest.approx(256 * FJ)
    assert gc_ifmap["leakage_j"] == pytest.approx(0.1e-9 * 8192 * RUN_TIME)
    assert gc_ifmap["total_j"] == pytest.approx(256 * FJ + 0.1e-9 * 8192 * RUN_TIME)
    sram_total = report["technologies"]["SRAM"]["total"]["energy"]
    # SRAM: reads 11 x 80 fJ + writes 7 x 160 fJ; leakage 1 nW x 32768 bits x 50 us
    assert sram_total["dynamic_j"] == pytest.approx(11 * 80 * FJ + 7 * 160 * FJ)
    assert sram_total["refresh_j"] == 0
    assert sram_total["leakage_j"] == pytest.approx(1e-9 * 32768 * RUN_TIME)


def test_areas(report):
    gc = report["technologies"]["GC"]
    # capacity: 0.05 um2 x bits; footprint: words x 8 bits x 0.05 um2 (um2 -> mm2: 1e-6)
    assert gc["per_subdivision"]["filter"]["area_capacity_mm2"] == pytest.approx(0.05 * 16384 * 1e-6)
    assert gc["per_subdivision"]["ifmap"]["area_footprint_mm2"] == pytest.approx(0.05 * 2 * 8 * 1e-6)
    assert gc["total"]["area_capacity_mm2"] == pytest.approx(0.05 * 32768 * 1e-6)
    assert gc["total"]["area_footprint_mm2"] == pytest.approx(0.05 * 4 * 8 * 1e-6)


def test_min_energy_composition(report):
    composition = report["composition"]["min_energy_per_buffer"]
    # ifmap: GC 256 fJ + 40.96 pJ leakage < Dense 16072 fJ + 32.768 pJ < SRAM
    # filter: Dense 7240 fJ + 65.536 pJ < GC 88 fJ + 81.92 pJ
    # ofmap: Dense 8032 fJ + 32.768 pJ < GC 120 fJ + 40.96 pJ
    chosen = {name: part["technology"] for name, part in composition["per_subdivision"].items()}
    assert chosen == {"ifmap": "GC", "filter": "Dense", "ofmap": "Dense"}
    area_um2 = 0.05 * 8192 + 0.02 * 16384 + 0.02 * 8192
    assert composition["area_mm2"] == pytest.approx(area_um2 * 1e-6)
    assert composition["vs_baseline"]["area"] == pytest.approx(area_um2 / (0.1 * 32768))
    dynamic = 256 * FJ + 7240 * FJ + 8032 * FJ
    assert composition["energy"]["dynamic_j"] == pytest.approx(dynamic)
    assert composition["vs_baseline"]["dynamic_energy"] == pytest.approx(dynamic / (2000 * FJ))


def test_retention_split_composition(report):
    split = report["composition"]["retention_split"]
    ifmap = split["per_subdivision"]["ifmap"]["technologies"]
    # ifmap: 500, 1000 -> Dense (+ the dead write); 20001 -> SRAM (+ the unfilled read)
    assert ifmap["Dense"]["capacity_share"] == pytest.approx(2 / 3)
    assert ifmap["SRAM"]["capacity_share"] == pytest.approx(1 / 3)
    assert ifmap["GC"]["capacity_share"] == 0
    assert ifmap["Dense"]["accesses_share"] == pytest.approx(5 / 7)
    # Dense: reads 3 x 8 fJ, writes (2 + 1 dead) x 8 fJ; SRAM: reads 2 x 80 fJ, write 1 x 160 fJ
    assert ifmap["Dense"]["energy"]["dynamic_j"] == pytest.approx(48 * FJ)
    assert ifmap["SRAM"]["energy"]["dynamic_j"] == pytest.approx(320 * FJ)
    assert ifmap["Dense"]["energy"]["leakage_j"] == pytest.approx(0.08e-9 * 8192 * 2 / 3 * RUN_TIME)
    assert all(part["refreshes"] == 0 for part in ifmap.values())
    # filter: 10000 -> GC (L == R); ofmap: 0 -> Dense, 10001 -> SRAM
    assert split["per_subdivision"]["filter"]["technologies"]["GC"]["capacity_share"] == 1
    assert split["per_subdivision"]["ofmap"]["technologies"]["SRAM"]["capacity_share"] == 0.5
    area_um2 = (0.02 * 8192 * 2 / 3 + 0.1 * 8192 / 3 + 0.05 * 16384 + 0.02 * 4096 + 0.1 * 4096)
    assert split["area_mm2"] == pytest.approx(area_um2 * 1e-6)
    assert split["vs_baseline"]["area"] == pytest.approx(area_um2 / (0.1 * 32768))
    dynamic = (48 + 320 + 4 * 16 + 24 + 16 + 240) * FJ
    assert split["energy"]["dynamic_j"] == pytest.approx(dynamic)
    assert split["vs_baseline"]["dynamic_energy"] == pytest.approx(dynamic / (2000 * FJ))


def test_capacity_model_sizes_each_buffer_and_each_split_part(tmp_path):
    # Dense gets a capacity model: reference 1 kB = 8192 bits, minimum 1 kbit, energy exponent 1,
    # periphery 0.02 um2/bit at 1 kB falling as C^-1.
    area_power = json.loads(json.dumps(AREA_POWER))
    area_power["technologies"]["Dense"]["capacity_scaling"] = {
        "reference_capacity": quantity(1, "kB"), "minimum_capacity": quantity(1, "kbit"),
        "energy_exponent": quantity(1, "1"), "periphery_area_per_bit": quantity(0.02, "um^2/bit"),
        "periphery_exponent": quantity(1, "1")}
    gc_path, ap_path = write_device_files(tmp_path / "devices", area_power=area_power)
    run_dir = write_processed_run(tmp_path / "run")
    status, stderr = frontend(run_dir, "-o", tmp_path / "r.json", "--gc-list", gc_path, "--area-power", ap_path)
    assert status == 0, stderr
    report = json.loads((tmp_path / "r.json").read_text())
    validate_report(report)
    dense = report["technologies"]["Dense"]
    assert dense["parameters"]["capacity_model"] is True
    assert dense["parameters"]["area_per_bit_m2"] == pytest.approx(0.02e-12)  # the cell
    # ifmap, 8192 bits: the reference figures, area 0.02 + 0.02
    ifmap = dense["per_subdivision"]["ifmap"]
    assert ifmap["per_bit"]["read_energy_per_bit_j"] == pytest.approx(1 * FJ)
    assert ifmap["per_bit"]["area_per_bit_m2"] == pytest.approx(0.04e-12)
    assert ifmap["area_capacity_mm2"] == pytest.approx(0.04 * 8192 * 1e-6)
    # filter, 16384 bits: energies x 2, periphery 0.02 / 2, leakage x 0.03 / 0.04
    filter_ = dense["per_subdivision"]["filter"]
    assert filter_["per_bit"]["read_energy_per_bit_j"] == pytest.approx(2 * FJ)
    assert filter_["per_bit"]["refresh_energy_per_bit_j"] == pytest.approx(200 * FJ)
    assert filter_["per_bit"]["area_per_bit_m2"] == pytest.approx(0.03e-12)
    assert filter_["per_bit"]["leakage_power_per_bit_w"] == pytest.approx(0.08e-9 * 0.75)
    # reads 4 x 2 fJ x 8, write 1 x 2 fJ x 8, refreshes 9 x 200 fJ x 8 (10000 cycles, R = 1000)
    assert filter_["energy"]["dynamic_j"] == pytest.approx((64 + 16 + 14400) * FJ)
    assert "per_bit" not in dense["total"]
    # retention split, ifmap: Dense holds 2/3 of 8192 bits, a macro of its own: energies x 2/3,
    # periphery 0.02 x 3/2; reads 3 and writes 3 (one dead) x 2/3 fJ x 8 bits
    part = report["composition"]["retention_split"]["per_subdivision"]["ifmap"]["technologies"]["Dense"]
    assert part["energy"]["dynamic_j"] == pytest.approx(32 * FJ)
    assert part["area_mm2"] == pytest.approx(0.05 * 8192 * 2 / 3 * 1e-6)
    # the SRAM and GC figures are the same as without the model
    assert report["technologies"]["GC"]["per_subdivision"]["filter"]["per_bit"]["read_energy_per_bit_j"] == \
        pytest.approx(2 * FJ)


def test_device_library_is_identified(report):
    library = report["device_library"]
    assert library["baseline"] == "SRAM"
    assert library["technology_order"] == ["SRAM", "GC", "Dense"]
    assert library["gc_list"]["file"] == "simple_gc_list.json"
    assert library["corner"] == "default"  # no --device-corner given


def test_device_corner_is_recorded(tmp_path):
    run_dir = write_processed_run(tmp_path / "tiny_os")
    status, stderr = frontend(run_dir, "-o", tmp_path / "r.json", "--device-corner", "sisi_retention_1us")
    assert status == 0, stderr
    report = json.loads((tmp_path / "r.json").read_text())
    validate_report(report)
    assert report["device_library"]["corner"] == "sisi_retention_1us"


def test_same_input_same_bytes(report_path, tmp_path):
    run_dir = write_processed_run(tmp_path / "tiny_os", first_reads=FIRST_READS)
    gc_path, ap_path = write_device_files(tmp_path / "devices")
    outputs = [tmp_path / "a.json", tmp_path / "b.json"]
    for output in outputs:
        assert frontend(run_dir, "-o", output, "--gc-list", gc_path, "--area-power", ap_path)[0] == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes() == report_path.read_bytes()


def test_shipped_library_default_output_path_and_options(tmp_path):
    run_dir = write_processed_run(tmp_path / "tiny_os")
    status, stderr = frontend(run_dir, "--clock-hz", "7e8", "--word-bits", "16")
    assert status == 0, stderr
    report = json.loads((run_dir / layout.FRONTEND_REPORT).read_text())
    validate_report(report)
    assert list(report["technologies"]) == ["Hybrid-Si-OS", "OS-OS", "SRAM", "Si-Si"]  # sorted keys
    assert report["device_library"]["technology_order"] == ["SRAM", "Si-Si", "Hybrid-Si-OS", "OS-OS"]
    assert report["workload"]["clock_hz"] == 7e8 and report["workload"]["word_bits"] == 16
    # 1 us at 0.7 GHz = 700 cycles: only 0 and 500 of the six lifetimes
    assert report["lifetime_statistics"]["all"]["within_1us"]["intervals_share"] == pytest.approx(2 / 6)
    assert DEFAULT_GC_LIST.exists() and DEFAULT_AREA_POWER.exists()


def test_no_hardware_and_no_config_is_an_error(tmp_path):
    run_dir = write_processed_run(tmp_path / "run", hardware=None)
    status, stderr = frontend(run_dir, "-o", tmp_path / "r.json")
    assert status == 2
    assert "run_info.json, key 'hardware': no hardware (buffer sizes) recorded; pass -c CFG" in stderr
    assert not (tmp_path / "r.json").exists()


def test_bad_buffer_size_in_run_info(tmp_path):
    run_dir = write_processed_run(tmp_path / "run", hardware={**HARDWARE, "ofmap_sram_kb": -4})
    status, stderr = frontend(run_dir, "-o", tmp_path / "r.json")
    assert status == 2
    assert "key 'hardware.ofmap_sram_kb'" in stderr


def test_bad_device_file_through_the_cli(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    gc_path, ap_path = write_device_files(tmp_path / "devices")
    ap_path.write_text(ap_path.read_text().replace('"fJ/bit"', '"furlongs"', 1))
    result = run_frontend(run_dir, "-o", tmp_path / "r.json", "--gc-list", gc_path, "--area-power", ap_path)
    assert result.returncode == 2
    assert "gainflow frontend: error: " in result.stderr
    assert "area_power.json, key 'technologies.SRAM.read_energy_per_bit.unit': unknown unit 'furlongs'" \
        in result.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("option, value", [("--clock-hz", "0"), ("--clock-hz", "fast"),
                                           ("--word-bits", "0"), ("--word-bits", "8.5")])
def test_bad_numeric_options(tmp_path, option, value):
    status, stderr = frontend(tmp_path, option, value)
    assert status == 2
    assert f"argument {option}" in stderr


def test_config_gives_the_buffer_sizes(tmp_path):
    # hardware/scale32_os.cfg: 32x32, os, 64 kB per buffer
    run_dir = write_processed_run(tmp_path / "run", hardware=None)
    status, stderr = frontend(run_dir, "-o", tmp_path / "r.json", "-c", ROOT / "hardware" / "scale32_os.cfg")
    assert status == 0, stderr
    workload = json.loads((tmp_path / "r.json").read_text())["workload"]
    assert workload["buffer_kb"] == {"ifmap": 64, "filter": 64, "ofmap": 64}
    assert (workload["array_height"], workload["array_width"], workload["dataflow"]) == (32, 32, "os")


def test_config_wins_over_run_info(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")  # run_info says 1/2/1 kB
    status, _ = frontend(run_dir, "-o", tmp_path / "r.json", "-c", ROOT / "hardware" / "eyeriss_ws.cfg")
    assert status == 0
    assert json.loads((tmp_path / "r.json").read_text())["workload"]["buffer_kb"] == \
        {"ifmap": 36, "filter": 36, "ofmap": 36}


def test_bad_config_is_an_input_error(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    status, stderr = frontend(run_dir, "-o", tmp_path / "r.json", "-c", tmp_path / "missing.cfg")
    assert status == 2
    assert "missing.cfg" in stderr


def test_unwritable_output_leaves_nothing_behind(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    target = tmp_path / "out"
    target.mkdir()
    (target / "report.json").mkdir()  # a directory where the report should go
    status, stderr = frontend(run_dir, "-o", target / "report.json")
    assert status == 2
    assert "report.json: cannot write the report" in stderr
    assert [path.name for path in target.iterdir()] == ["report.json"]
