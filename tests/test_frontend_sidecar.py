"""The per-layer lifetime histogram sidecar: written exactly, read instead of the lifetime CSV
with byte-identical reports, ignored when stale, and bad sidecars name file and line. The real runs
start from golden cases' inputs (tests/data/golden)."""

import contextlib
import gzip
import io
import os
import re
import shutil

import numpy as np
import pytest
from data_support import GOLDEN
from frontend_support import write_device_files
from gainflow.cli import main
from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.files.run_info import LayerInfo, RunInfo
from gainflow.frontend.processed_run import load_processed_run
from gainflow.lifetimes.intervals import BufferLifetimes
from gainflow.lifetimes.layer_files import write_layer_files



def gainflow(*args):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([str(arg) for arg in args]) == 0


def buffer(subdivision, lifetimes, interval_reads, first_reads=None):
    """Intervals written at cycle 0, first read at `first_reads` (default 0)."""
    count = len(lifetimes)
    return BufferLifetimes(
        subdivision=subdivision, address=np.arange(count, dtype=np.int64),
        write_cycle=np.zeros(count, dtype=np.int64), lifetime=np.array(lifetimes, dtype=np.int64),
        interval_reads=np.array(interval_reads, dtype=np.int64),
        first_read_cycle=np.array(first_reads or [0] * count, dtype=np.int64),
        reads=int(sum(interval_reads)), writes=count,
        dead_writes=0, unfilled_reads=0, unique_addresses=count)


# ifmap lifetimes 5, 3, 5, 0 with 2, 1, 4, 1 reads, first read 1, 3, 5, 0 cycles after the write (the
# prefetch slack), so from the first read 4, 0, 0, 0; no filter intervals; one ofmap interval of 7
# cycles, first read after 2, so 5 from the first read. Per subdivision one row per value any of the
# three histograms counts: intervals and reads from the fill, from the first read, of the slack.
HAND_SIDECAR = ("subdivision,cycles,lifetime_intervals,lifetime_reads,lifetime_from_first_read_intervals,"
                "lifetime_from_first_read_reads,prefetch_slack_intervals,prefetch_slack_reads\n"
                "ifmap,0,1,1,3,6,1,1\n"  # the lifetime-0 interval; from the first read 1 + 4 + 1 reads
                "ifmap,1,0,0,0,0,1,2\n"
                "ifmap,3,1,1,0,0,1,1\n"
                "ifmap,4,0,0,1,2,0,0\n"
                "ifmap,5,2,6,0,0,1,4\n"  # two intervals of 5 cycles: 2 + 4 reads
                "ofmap,2,0,0,0,0,1,3\n"
                "ofmap,5,0,0,1,3,0,0\n"
                "ofmap,7,1,3,0,0,0,0\n")


@pytest.fixture(scope="module")
def written_hand_run(tmp_path_factory):
    """A one-layer processed run written by the real layer writer (once: it draws a graph)."""
    run_dir = tmp_path_factory.mktemp("hand") / "run"
    buffers = [buffer("ofmap", [7], [3], [2]), buffer("ifmap", [5, 3, 5, 0], [2, 1, 4, 1], [1, 3, 5, 0]),
               buffer("filter", [], [])]
    write_layer_files(run_dir / "layer0", 0, buffers, 100)
    RunInfo("hand", (LayerInfo(0, 100),)).write(run_dir / layout.RUN_INFO)
    return run_dir


@pytest.fixture
def hand_run(written_hand_run, tmp_path):
    # copytree keeps the modification times: the sidecar stays current.
    return shutil.copytree(written_hand_run, tmp_path / "run")


def sidecar(run_dir):
    return layout.layer_file(run_dir, 0, layout.LIFETIME_HISTOGRAM)


def sidecar_text(run_dir):
    return gzip.decompress(sidecar(run_dir).read_bytes()).decode()


def test_sidecar_holds_exact_counts_per_distinct_lifetime(hand_run):
    assert sidecar(hand_run).name == "layer0_lifetime_histogram.csv.gz"
    assert sidecar_text(hand_run) == HAND_SIDECAR


def test_sidecar_is_a_deterministic_gzip_file(hand_run, tmp_path):
    # No time stamp and no file name in the gzip header (RFC 1952): equal layers, equal bytes.
    data = sidecar(hand_run).read_bytes()
    assert data[:10] == bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF])
    write_layer_files(tmp_path / "again", 0, [buffer("ofmap", [7], [3], [2]),
                                              buffer("ifmap", [5, 3, 5, 0], [2, 1, 4, 1], [1, 3, 5, 0])], 100)
    assert (tmp_path / "again" / "layer0_lifetime_histogram.csv.gz").read_bytes() == data


def test_sidecar_of_far_apart_lifetimes(tmp_path):
    # A span of 2**40 cycles over three intervals: counted by sorting, not by one bin per cycle.
    # First read at the write: slack 0, lifetimes from the first read as from the fill.
    write_layer_files(tmp_path, 0, [buffer("filter", [2**40, 3, 2**40], [1, 2, 3])], 10)
    lines = gzip.decompress((tmp_path / "layer0_lifetime_histogram.csv.gz").read_bytes()).decode().splitlines()
    assert lines[1:] == ["filter,0,0,0,0,0,3,6", "filter,3,1,2,1,2,0,0", "filter,1099511627776,2,4,2,4,0,0"]


def test_sidecar_of_a_layer_without_intervals(tmp_path):
    write_layer_files(tmp_path / "run" / "layer0", 0, [buffer(name, [], []) for name in ("ifmap", "filter", "ofmap")], 10)
    RunInfo("empty", (LayerInfo(0, 10),)).write(tmp_path / "run" / layout.RUN_INFO)
    assert sidecar_text(tmp_path / "run") == HAND_SIDECAR.splitlines(keepends=True)[0]
    layout.layer_file(tmp_path / "run", 0, layout.LIFETIME_TABLE).unlink()
    assert all(h.total_intervals() == 0 for totals in load_processed_run(tmp_path / "run").buffers.values()
               for h in totals.histograms.values())


def test_sidecar_alone_gives_the_histograms(hand_run):
    # Without the lifetime CSV the sidecar must be what is read.
    layout.layer_file(hand_run, 0, layout.LIFETIME_TABLE).unlink()
    buffers = load_processed_run(hand_run).buffers
    ifmap = buffers["ifmap"].histogram
    assert (list(ifmap.lifetimes), list(ifmap.intervals), list(ifmap.reads)) == ([0, 3, 5], [1, 1, 2], [1, 1, 6])
    assert list(buffers["ofmap"].histogram.lifetimes) == [7]
    assert buffers["filter"].histogram.total_intervals() == 0
    from_first_read = load_processed_run(hand_run, lifetime_start="first_read").buffers
    ifmap = from_first_read["ifmap"].histogram
    assert (list(ifmap.lifetimes), list(ifmap.intervals), list(ifmap.reads)) == ([0, 4], [3, 1], [6, 2])
    assert list(from_first_read["ofmap"].histogram.lifetimes) == [5]
    slack = from_first_read["ifmap"].histograms["prefetch_slack"]
    assert (list(slack.lifetimes), list(slack.reads)) == ([0, 1, 3, 5], [1, 2, 1, 4])


def histograms_of(buffers):
    return {(subdivision, name): (list(h.lifetimes), list(h.intervals), list(h.reads))
            for subdivision, totals in buffers.items() for name, h in totals.histograms.items()}


def test_lifetime_table_gives_the_sidecar_histograms(hand_run):
    from_sidecar = histograms_of(load_processed_run(hand_run).buffers)
    assert len(from_sidecar) == 9
    sidecar(hand_run).unlink()
    assert histograms_of(load_processed_run(hand_run).buffers) == from_sidecar


def test_a_lifetime_table_without_first_reads_serves_the_fill_start_only(hand_run):
    # A lifetime table as written before first reads were measured, without a sidecar.
    table = layout.layer_file(hand_run, 0, layout.LIFETIME_TABLE)
    table.write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in table.read_text().splitlines()))
    sidecar(hand_run).unlink()
    buffers = load_processed_run(hand_run).buffers
    assert list(buffers["ifmap"].histogram.reads) == [1, 1, 6] and list(buffers["ifmap"].histograms) == ["lifetime"]
    with pytest.raises(InputError, match="lifetime start 'first_read': the layer files hold no lifetimes from the first"):
        load_processed_run(hand_run, lifetime_start="first_read")


def test_an_older_gainflows_histogram_file_alone_asks_for_a_rerun(hand_run):
    layout.layer_file(hand_run, 0, layout.LIFETIME_TABLE).unlink()
    sidecar(hand_run).unlink()
    legacy = hand_run / "layer0" / "layer0_lifetime_histogram.csv"
    legacy.write_text("subdivision,lifetime,intervals,reads,histogram\nifmap,0,1,1,lifetime\n")
    with pytest.raises(InputError, match=r"layer0_lifetime_histogram\.csv: a histogram file of an older gainflow; "
                                         r"this one reads layer0_lifetime_histogram\.csv\.gz"):
        load_processed_run(hand_run)


def test_a_sidecar_spelled_otherwise_gives_the_same_histograms(hand_run):
    # Line ends of another system and spaces, as another program may write them: the line-by-line reader.
    expected = histograms_of(load_processed_run(hand_run).buffers)
    write_sidecar_text(hand_run, HAND_SIDECAR.replace(",", ", ").replace("\n", "\r\n").replace(", ", ",", 7))
    assert histograms_of(load_processed_run(hand_run).buffers) == expected


def test_first_read_outside_its_interval_in_a_lifetime_table_names_the_line(hand_run):
    # Row 2 (ifmap, lifetime 5, written at 0): a first read at 6 lies after the last read.
    table = layout.layer_file(hand_run, 0, layout.LIFETIME_TABLE)
    replace_line(table, 2, "ifmap,0,5,0,2,6")
    sidecar(hand_run).unlink()
    with pytest.raises(InputError, match=r"line 2: column 'first_read_cycle': expected a cycle from write_cycle"):
        load_processed_run(hand_run)


def test_a_sidecar_older_than_its_lifetime_csv_is_ignored(hand_run):
    write_sidecar_text(hand_run, "not,a,sidecar\n")
    csv_path = layout.layer_file(hand_run, 0, layout.LIFETIME_TABLE)
    stale = sidecar(hand_run).stat().st_mtime_ns
    os.utime(csv_path, ns=(stale + 10**9, stale + 10**9))
    assert list(load_processed_run(hand_run).buffers["ifmap"].histogram.reads) == [1, 1, 6]


def replace_line(path, number, text):
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")


def write_sidecar_text(run_dir, text):
    sidecar(run_dir).write_bytes(gzip.compress(text.encode()))


def replace_sidecar_line(run_dir, number, text):
    lines = sidecar_text(run_dir).splitlines()
    lines[number - 1] = text
    write_sidecar_text(run_dir, "\n".join(lines) + "\n")


@pytest.mark.parametrize("edits, line, message", [
    ({1: "subdivision,lifetime,intervals"}, 1, "bad header 'subdivision,lifetime,intervals'"),
    ({2: "psum,0,1,1,3,6,1,1"}, 2, "column 'subdivision': expected one of"),
    ({4: "ifmap,3,x,1,0,0,1,1"}, 4, "column 'lifetime_intervals': expected an integer, got 'x'"),
    ({4: "ifmap,3,2.5,1,0,0,1,1"}, 4, "column 'lifetime_intervals': expected an integer, got '2.5'"),
    ({9: "ofmap,7,1,-3,0,0,0,0"}, 9, "column 'lifetime_reads': expected a non-negative integer, got '-3'"),
    ({5: "ifmap,3,0,0,1,2,0,0"}, 5, "column 'cycles': expected subdivisions in the order"),  # 3 twice
    ({2: "ofmap,0,1,1,3,6,1,1"}, 3, "column 'cycles': expected subdivisions in the order"),  # ifmap after ofmap
    ({3: "ifmap,1,0,5,0,0,1,2"}, 3, "column 'lifetime_reads': expected 0 where lifetime_intervals is 0, got 5"),
    ({3: "ifmap,1,0,0,0,0,0,0"}, 3, "column 'cycles': expected a value that some histogram counts, got 1"),
])
def test_bad_sidecar_rows_name_file_and_line(hand_run, edits, line, message):
    for number, text in edits.items():
        replace_sidecar_line(hand_run, number, text)
    expected = re.escape(f"layer0_lifetime_histogram.csv.gz, line {line}: {message}")
    with pytest.raises(InputError, match=expected):
        load_processed_run(hand_run)


@pytest.mark.parametrize("row", ["ifmap,1,0,0,0,0,1,2,9", "ifmap,1,0,0,0,0,1"])
def test_a_longer_or_shorter_row_names_the_line(hand_run, row):
    replace_sidecar_line(hand_run, 3, row)
    with pytest.raises(InputError, match=r"layer0_lifetime_histogram\.csv\.gz: malformed CSV: expected 8 fields in "
                                         r"line 3, saw [79]"):
        load_processed_run(hand_run)


@pytest.mark.parametrize("data, message", [
    (HAND_SIDECAR.encode(), "not a readable gzip file"),
    (gzip.compress(HAND_SIDECAR.encode())[:-12], "not a readable gzip file"),  # truncated
    (gzip.compress(b"\xff\xfe"), "malformed CSV"),
])
def test_a_sidecar_that_is_no_gzip_text_is_an_input_error(hand_run, data, message):
    sidecar(hand_run).write_bytes(data)
    with pytest.raises(InputError, match=re.escape(f"layer0_lifetime_histogram.csv.gz: {message}")):
        load_processed_run(hand_run)


def test_sidecar_disagreeing_with_the_aggregate_counts_is_an_error(hand_run):
    replace_sidecar_line(hand_run, 6, "ifmap,5,3,6,0,0,1,4")
    with pytest.raises(InputError, match=r"ifmap: 4 intervals, but layer0_lifetime_histogram\.csv\.gz has 5 in its "
                                         r"'lifetime' histogram"):
        load_processed_run(hand_run)


@pytest.mark.parametrize("case", ["ns_conv_ws", "tiny_gemm_ws"])
def test_report_from_sidecars_is_byte_identical_to_the_csv_path(tmp_path, case):
    golden = GOLDEN / case
    input_type = (golden / "input_type").read_text().strip()
    gainflow("lifetimes", "-t", golden / "topology.csv", "-c", golden / "hw.cfg", "-i", input_type,
             "-o", tmp_path / "out")
    [run_dir] = (tmp_path / "out").iterdir()
    gc_path, ap_path = write_device_files(tmp_path / "devices")
    # 100 MHz: the test library's Dense technology (1 us retention) refreshes some intervals.
    options = ["--clock-hz", "1e8", "--gc-list", gc_path, "--area-power", ap_path]
    gainflow("frontend", run_dir, "-o", tmp_path / "sidecar.json", *options)
    sidecars = sorted(run_dir.glob("layer*/layer*_lifetime_histogram.csv.gz"))
    assert len(sidecars) == len(list(run_dir.glob("layer*/layer*_lifetime_data.csv"))) > 1
    for path in sidecars:
        path.unlink()
    gainflow("frontend", run_dir, "-o", tmp_path / "csv.json", *options)
    from_sidecars = (tmp_path / "sidecar.json").read_bytes()
    assert from_sidecars == (tmp_path / "csv.json").read_bytes()
    assert b'"refreshes": 0,' in from_sidecars and re.search(rb'"refreshes": [1-9]', from_sidecars)
