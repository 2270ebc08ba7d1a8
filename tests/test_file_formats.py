"""The files gainflow writes, checked at the root:

- `gainflow lifetimes -s` (SCALE-Sim traces), `gainflow lifetimes -t/-c` (the simulator) and the
  workflow write byte-identical per-layer files and run_info.json;
- one aggregate CSV written out by hand from its case's traces;
- every field of every CSV the project writes is a plain number or empty, except named text columns;
- the workflow's SCALE-Sim reports and traces equal SCALE-Sim's own (the golden cases) byte for byte.
"""

import gzip
import re
import shutil
import subprocess

import pytest
from gainflow.files import layout
from simulator_support import GAINFLOW, GOLDEN
from workflow_support import edit_config, make_workflow_copy, snakemake

# Sweep topology name -> the golden case topology it is; hardware name -> the golden cases run on it
# (the name is the run_name inside the case's hw.cfg, so that every way in names the run alike).
TOPOLOGIES = {"tiny": "tiny_conv_os", "tiny_gemm": "tiny_gemm_os", "dp": "dp_os"}
HARDWARE = {"tiny_os": "tiny_conv_os", "tiny_ws": "tiny_conv_ws"}
# (topology, hardware) -> the golden SCALE-Sim run of exactly that pair (dp was made on tiny_os only).
GOLDEN_RUNS = {
    ("tiny", "tiny_os"): GOLDEN / "tiny_conv_os" / "expected" / "tiny_os",
    ("tiny", "tiny_ws"): GOLDEN / "tiny_conv_ws" / "expected" / "tiny_ws",
    ("tiny_gemm", "tiny_os"): GOLDEN / "tiny_gemm_os" / "expected" / "tiny_os",
    ("tiny_gemm", "tiny_ws"): GOLDEN / "tiny_gemm_ws" / "expected" / "tiny_ws",
    ("dp", "tiny_os"): GOLDEN / "dp_os" / "expected" / "tiny_os",
}
WORKFLOW_ONLY_FILES = (layout.GRAPH_DATA,)  # the graph's data, drawn by a later job
NUMBER = re.compile(r"-?\d+(\.\d+)?(e[+-]\d+)?")
# The columns that hold text, per file kind; every other field must be a NUMBER or empty.
TEXT_COLUMNS = {
    "lifetime": {"subdivision"},
    "summary": {"topology", "hardware", "dataflow", "device_corner", "lifetime_start", "design", "design_kind"},
}


def input_type(topology):
    return "gemm" if topology.endswith("_gemm") else "conv"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """The workflow run over TOPOLOGIES x HARDWARE with traces saved, and `gainflow lifetimes` run both
    ways on the same inputs from the same folder (so that the recorded paths agree too)."""
    inputs = tmp_path_factory.mktemp("inputs")
    for name, case in TOPOLOGIES.items():
        shutil.copy(GOLDEN / case / "topology.csv", inputs / f"{name}.csv")
    for name, case in HARDWARE.items():
        shutil.copy(GOLDEN / case / "hw.cfg", inputs / f"{name}.cfg")
    workdir = make_workflow_copy(tmp_path_factory.mktemp("sweep"), topologies=sorted(inputs.glob("*.csv")),
                                 hardware=sorted(inputs.glob("*.cfg")))
    edit_config(workdir, topologies=list(TOPOLOGIES), hardware=list(HARDWARE), save_traces=True)
    snakemake(workdir)
    for topology in TOPOLOGIES:
        for hardware in HARDWARE:
            inputs = ["-t", f"topologies/{topology}.csv", "-i", input_type(topology), "-c", f"hardware/{hardware}.cfg"]
            lifetimes(workdir, *inputs, "-o", f"simulator/{topology}")
            if (topology, hardware) in GOLDEN_RUNS:
                lifetimes(workdir, "-s", GOLDEN_RUNS[topology, hardware], *inputs, "-o", f"traces/{topology}")
    return workdir


def lifetimes(workdir, *arguments):
    command = [str(GAINFLOW), "lifetimes", *map(str, arguments)]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def files_under(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def workflow_run_files(run_dir):
    """run_info.json and the per-layer files of a workflow run (not its reports, traces or report)."""
    files = {layout.RUN_INFO: (run_dir / layout.RUN_INFO).read_bytes()}
    for layer_folder in sorted(run_dir.glob("layer*")):
        for path in sorted(layer_folder.iterdir()):
            if path.is_file() and not path.name.endswith(WORKFLOW_ONLY_FILES):
                files[f"{layer_folder.name}/{path.name}"] = path.read_bytes()
    return files


# `gainflow lifetimes -t/-c` ran on every pair of the sweep, `-s` on every pair with SCALE-Sim traces.
COMMAND_RUNS = [("simulator", t, h) for t in TOPOLOGIES for h in HARDWARE] + [
    ("traces", t, h) for t, h in sorted(GOLDEN_RUNS)]


@pytest.mark.parametrize("way, topology, hardware", COMMAND_RUNS)
def test_both_ways_in_and_the_workflow_write_identical_files(sweep, way, topology, hardware):
    from_workflow = workflow_run_files(sweep / "results" / topology / hardware)
    from_command = files_under(sweep / way / topology / hardware)
    layers = len((sweep / "results" / topology / hardware / layout.COMPUTE_REPORT).read_text().splitlines()) - 1
    # Whatever the workflow writes of each layer, the command wrote the same bytes (the command draws
    # the graph itself; the workflow's graph jobs draw it from the graph's data).
    for index in range(layers):
        for kind in (layout.AGGREGATE_TABLE, layout.LIFETIME_HISTOGRAM, layout.GRAPH):
            assert f"{layout.layer_dir_name(index)}/{layout.layer_file_name(index, kind)}" in from_workflow
    assert {name: from_command[name] for name in from_workflow} == from_workflow


# Layer 3 of dp_os ("pw": 4x4 ifmap, 1x1 filter, 3 channels, 5 filters, os on 8x8; Total Cycles 33),
# by hand from tests/data/golden/dp_os/expected/tiny_os/layer3/*_TRACE.csv. Word k of a buffer is
# its offset + k. A lifetime = last read - write.
#
# ifmap: pixel q, channel c is word 3q + c. Written (IFMAP DRAM) at -5 (words 0-9), -4 (10-19),
#   -3 (20-28, 30), -2 (29, 31-39), -1 (40-47). Read once (IFMAP SRAM): pixels 0-7 at 1 + q + c,
#   pixels 8-15 at 18 + (q - 8) + c. Lifetimes, words 0-23:
#   6 7 8 7 8 9 8 9 10 9 | 9 10 9 10 11 10 11 12 11 12 | 12 11 12 13   (sum 81 + 105 + 48 = 234)
#   words 24-47: 21 22 23 22 23 23 23 23 24 23 24 25 24 25 26 25 25 26 25 26 27 26 27 28   (sum 586)
#   48 intervals, mean 820/48; sorted, the 24th and 25th values are 13 and 21: median 17.0;
#   p90 at position 0.9 * 47 = 42.3 of the sorted values, 26 and 26: 26.0; max 28, min 6.
#   48 reads, 48 writes, 48 addresses: read and write rates 48/33, 1 write per address.
# filter: words 0-9 written at -2, 10-14 at -1 (FILTER DRAM); each read twice (FILTER SRAM), first
#   at 1 (word 0), 2 (1, 3), 3 (2, 4, 6), 4 (5, 7, 9), 5 (8, 10, 12), 6 (11, 13), 7 (14), again 17
#   cycles later. Lifetimes = first read + 17 - write, words 0-14:
#   20 21 22 21 22 23 22 23 24 23 | 23 24 23 24 25   (sum 340)
#   15 intervals, mean 340/15, median 23.0 (the 8th sorted), p90 at 12.6 between 24 and 24: 24.0,
#   max 25, min 20; 30 reads, 15 writes, 15 addresses: read rate 30/33, write rate 15/33.
# ofmap: pixel p, filter f is word 5p + f. Written (OFMAP SRAM) once, pixels 0-7 at 9 - p + f
#   (cycles 2..13, 1 2 3 4 5 5 5 5 4 3 2 1 words per cycle), pixels 8-15 at 26 - (p - 8) + f (19..30);
#   drained (OFMAP DRAM) 8 words a cycle in write order, pixels 0-7 at 33..37, pixels 8-15 at 38..42.
#   Lifetimes of pixels 0-7: 24 x1, 25 x2, 26 x5, 27 x12, 28 x12, 29 x5, 30 x2, 31 x1 (sum 1100);
#   of pixels 8-15 each 12 less (sum 620). 80 intervals, mean 1720/80 = 21.5; median between the
#   40th and 41st sorted, 19 and 24: 21.5; p90 at 0.9 * 79 = 71.10000000000001 between 28 and 29:
#   28.10000000000001 (the float of that position); max 31, min 12; 80 reads and writes, 80 addresses.
DP_OS_LAYER3_AGGREGATE = """\
subdivision,intervals,mean,median,p90,max,min,reads,writes,dead_writes,unfilled_reads,unique_addresses,\
cycles,read_rate,write_rate,writes_per_address
ifmap,48,17.083333333333332,17.0,26.0,28,6,48,48,0,0,48,33,1.4545454545454546,1.4545454545454546,1.0
filter,15,22.666666666666668,23.0,24.0,25,20,30,15,0,0,15,33,0.9090909090909091,0.45454545454545453,1.0
ofmap,80,21.5,21.5,28.10000000000001,31,12,80,80,0,0,80,33,2.4242424242424243,2.4242424242424243,1.0
"""


def test_aggregate_by_hand(sweep):
    # 820/48, 340/15, 48/33, 30/33, 15/33 and 80/33 in Python's shortest round-trip form.
    assert (820 / 48, 340 / 15, 48 / 33, 30 / 33, 15 / 33, 80 / 33) == (
        17.083333333333332, 22.666666666666668, 1.4545454545454546, 0.9090909090909091, 0.45454545454545453,
        2.4242424242424243)
    path = layout.layer_file(sweep / "results" / "dp" / "tiny_os", 3, layout.AGGREGATE_TABLE)
    lines = path.read_text().splitlines()
    fill_columns = DP_OS_LAYER3_AGGREGATE.count(",", 0, DP_OS_LAYER3_AGGREGATE.index("\n")) + 1
    assert "".join(",".join(line.split(",")[:fill_columns]) + "\n" for line in lines) == DP_OS_LAYER3_AGGREGATE
    # ifmap and ofmap read each interval once (reads = intervals): its first read is its last, so
    # every lifetime from the first read is 0 and the prefetch slack is the lifetime from the fill.
    rows = {row["subdivision"]: row for row in (dict(zip(lines[0].split(","), line.split(","))) for line in lines[1:])}
    for name in ("ifmap", "ofmap"):
        row = rows[name]
        assert [row[f"first_read_{key}"] for key in ("mean", "median", "p90", "max", "min")] == [
            "0.0", "0.0", "0.0", "0", "0"]
        assert [row[f"prefetch_slack_{key}"] for key in ("median", "p90", "max")] == [
            row["median"], row["p90"], row["max"]]


def csv_kind(path):
    """Which rules a CSV's text follows: (has a header, file kind for TEXT_COLUMNS)."""
    if path.name.endswith("_TRACE.csv"):
        return False, "trace"
    if path.name.endswith("_REPORT.csv"):
        return True, "report"
    if path.name == layout.SUMMARY_TABLE:
        return True, "summary"
    return True, "lifetime"


def non_numbers(path):
    """(line, column, field) of every field that is neither a number nor empty nor in a text column."""
    has_header, kind = csv_kind(path)
    data = path.read_bytes()
    lines = (gzip.decompress(data) if path.name.endswith(".gz") else data).decode().splitlines()
    header = [name.strip() for name in lines[0].split(",")] if has_header else None
    text_columns = TEXT_COLUMNS.get(kind, set())
    found = []
    for number, line in enumerate(lines[1:] if has_header else lines, start=2 if has_header else 1):
        for position, field in enumerate(line.split(",")):
            column = header[position] if header and position < len(header) else position
            field = field.strip()  # SCALE-Sim's reports separate fields by ", "
            if column not in text_columns and field and not NUMBER.fullmatch(field):
                found.append((number, column, field))
    return found


def test_every_csv_field_is_a_number_or_empty(sweep):
    written = sorted(path for folder in ("results", "simulator", "traces") for pattern in ("*.csv", "*.csv.gz")
                     for path in (sweep / folder).rglob(pattern))
    kinds = {csv_kind(path)[1] for path in written}
    assert kinds == {"trace", "report", "summary", "lifetime"}
    names = {path.name for path in written}
    assert {"layer0_aggregate_data.csv", "layer0_lifetime_histogram.csv.gz", "IFMAP_DRAM_TRACE.csv",
            "OFMAP_SRAM_TRACE.csv", layout.COMPUTE_REPORT, layout.SUMMARY_TABLE} <= names
    assert {str(path.relative_to(sweep)): non_numbers(path) for path in written} == {
        str(path.relative_to(sweep)): [] for path in written}


def test_text_columns_hold_text(sweep):
    # The designated text columns are what they say (so that the number check above skips only them).
    summary = (sweep / "results" / "summary" / layout.SUMMARY_TABLE).read_text().splitlines()
    header = summary[0].split(",")
    assert TEXT_COLUMNS["summary"] <= set(header)
    rows = [dict(zip(header, line.split(","))) for line in summary[1:]]
    assert {row["topology"] for row in rows} == set(TOPOLOGIES)
    assert {row["hardware"] for row in rows} == set(HARDWARE)
    assert {row["dataflow"] for row in rows} == {"os", "ws"}


@pytest.mark.parametrize("topology, hardware", sorted(GOLDEN_RUNS))
def test_workflow_reports_and_traces_equal_scalesims(sweep, topology, hardware):
    run_dir = sweep / "results" / topology / hardware
    golden = GOLDEN_RUNS[topology, hardware]
    for name in layout.REPORT_FILES:
        assert (run_dir / name).read_bytes() == (golden / name).read_bytes(), name
        assert (run_dir / layout.TRACES_DIR / name).read_bytes() == (golden / name).read_bytes(), name
    golden_traces = {name: data for name, data in files_under(golden).items() if name.endswith("_TRACE.csv")}
    assert len(golden_traces) == 6 * len(list(golden.glob("layer*")))
    traces = files_under(run_dir / layout.TRACES_DIR)
    assert {name: traces[name] for name in golden_traces} == golden_traces


def test_the_field_check_finds_what_is_not_a_number(tmp_path):
    path = tmp_path / "layer0_aggregate_data.csv"
    path.write_text("subdivision,mean,p90,max\nifmap,np.float64(1.5),nan,\nofmap,1e+16,-2.5,inf\n")
    assert non_numbers(path) == [(2, "mean", "np.float64(1.5)"), (2, "p90", "nan"), (3, "max", "inf")]
    trace = tmp_path / "IFMAP_SRAM_TRACE.csv"
    trace.write_text("0,1,-1\n1,ifmap,2\n")
    assert non_numbers(trace) == [(2, 1, "ifmap")]
