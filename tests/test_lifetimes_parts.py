"""Part files (a lifetime job's hand-over to the per-layer step) and the per-layer step on them:
the files it writes from histograms and counts are byte-identical to the per-interval path's."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from lifetimes_support import interval_path_from_simulator
from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.lifetimes.aggregate import aggregate_csv
from gainflow.lifetimes.graphs import lifetime_bins
from gainflow.lifetimes.histogram import (
    LIFETIME,
    LIFETIME_FROM_FIRST_READ,
    PREFETCH_SLACK,
    BufferSummary,
    LifetimeHistogram,
    summarize,
)
from gainflow.lifetimes.intervals import BufferLifetimes
from gainflow.lifetimes.layer_files import merge_layer_parts, write_layer_files
from gainflow.lifetimes.interval_runs import IntervalSpill
from gainflow.lifetimes.parts import load_part, save_part

DATA = Path(__file__).resolve().parent / "data"
# Per-layer files written by the per-interval path (every statistic taken over the intervals' rows:
# np.median, np.quantile, np.histogram), before the part files: `layer<i>_aggregate_data.csv`,
# `layer<i>_lifetime_histogram.csv` (the fill histogram, uncompressed, in the layout of that time),
# `layer<i>_graph_data.json` per case.
GOLDEN = DATA / "layer_summaries"
GOLDEN_CASES = {
    "padding_os": (DATA / "lifetimes" / "padding_os",),
    **{name: (DATA / "simulator" / name,) for name in ("exact_window_os", "multiwin_is", "multiwin_os", "multiwin_ws")},
    **{f"{topology}_{hardware}": (DATA / "workflow" / f"{topology}.csv", DATA / "workflow" / f"{hardware}.cfg")
       for topology in ("tiny", "tiny_gemm") for hardware in ("tiny_os", "tiny_ws")},
}
SUMMARY_FILES = ("lifetime_histogram.csv.gz", "aggregate_data.csv", "graph_data.json")
GOLDEN_FILES = ("lifetime_histogram.csv", "aggregate_data.csv", "graph_data.json")
FILL_AGGREGATE_COLUMNS = ("subdivision", "intervals", "mean", "median", "p90", "max", "min", "reads", "writes",
                          "dead_writes", "unfilled_reads", "unique_addresses", "cycles", "read_rate", "write_rate",
                          "writes_per_address")


def buffer(subdivision, lifetimes, *, reads=None, writes=None, dead_writes=0, unfilled_reads=0, seed=0):
    rng = np.random.default_rng(seed)
    count = len(lifetimes)
    interval_reads = rng.integers(1, 6, count)
    write_cycle, lifetime = rng.integers(-5, 10**6, count), np.array(lifetimes, dtype=np.int64)
    return BufferLifetimes(
        subdivision=subdivision, address=np.arange(count, dtype=np.int64) * 3 + 10_000_000,
        write_cycle=write_cycle, lifetime=lifetime, interval_reads=interval_reads,
        first_read_cycle=write_cycle + rng.integers(0, lifetime, endpoint=True),
        reads=int(interval_reads.sum()) + unfilled_reads if reads is None else reads,
        writes=count + dead_writes if writes is None else writes, dead_writes=dead_writes,
        unfilled_reads=unfilled_reads, unique_addresses=count + 1,
    )


def save_layer(folder, buffers, total_cycles, *, intervals):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for lifetimes in buffers:
        paths.append(folder / f"{lifetimes.subdivision}.part")
        save_part(paths[-1], summarize(lifetimes), total_cycles, lifetimes if intervals else None)
    return paths


def layer_files(folder, index):
    return {path.name: path.read_bytes() for path in sorted(Path(folder).glob(f"layer{index}_*"))}


# ----------------------------------------------------------------------------- the file format


def test_part_round_trip_and_is_byte_identical(tmp_path):
    lifetimes = buffer("filter", [4, 9, 4], dead_writes=1, unfilled_reads=2)
    for name in ("a", "b"):
        save_part(tmp_path / f"{name}.part", summarize(lifetimes), 77, lifetimes)
    assert (tmp_path / "a.part").read_bytes() == (tmp_path / "b.part").read_bytes()
    summary, cycles, intervals = load_part(tmp_path / "a.part")
    assert cycles == 77 and summary.subdivision == "filter" and summary.counts() == summarize(lifetimes).counts()
    assert (summary.histogram.lifetimes.tolist(), summary.histogram.intervals.tolist()) == ([4, 9], [2, 1])
    columns = intervals.columns()
    for column in ("address", "write_cycle", "lifetime", "interval_reads", "first_read_cycle"):
        assert np.array_equal(columns[column], getattr(lifetimes, column))
    assert (summary.dead_writes, summary.unfilled_reads) == (1, 2)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_part_without_intervals_is_small_and_has_none(tmp_path):
    lifetimes = buffer("ifmap", np.arange(100_000) % 50)
    save_part(tmp_path / "small.part", summarize(lifetimes), 5)
    save_part(tmp_path / "full.part", summarize(lifetimes), 5, lifetimes)
    # Three histograms of at most 50 distinct values: 3 x 3 x 50 x 8 bytes and a header.
    assert (tmp_path / "small.part").stat().st_size < 5000 < 1_000_000 < (tmp_path / "full.part").stat().st_size
    summary, cycles, intervals = load_part(tmp_path / "small.part")
    assert intervals is None and summary.intervals == 100_000 and summary.histogram.intervals.tolist() == [2000] * 50


def test_part_keeps_values_beyond_int32(tmp_path):
    big = buffer("ofmap", [2 ** 40])
    big = BufferLifetimes(**{**big.__dict__, "address": np.array([2 ** 33]), "write_cycle": np.array([-(2 ** 35)])})
    save_part(tmp_path / "big.part", summarize(big), 2 ** 41, big)
    summary, cycles, intervals = load_part(tmp_path / "big.part")
    assert cycles == 2 ** 41 and summary.histogram.lifetimes.tolist() == [2 ** 40]
    columns = intervals.columns()
    assert (columns["lifetime"].tolist(), columns["address"].tolist(), columns["write_cycle"].tolist()) == (
        [2 ** 40], [2 ** 33], [-(2 ** 35)])


def test_part_holds_the_three_histograms_and_further_names(tmp_path):
    # Lifetimes 3 and 5, first reads 1 and 1 cycle after the writes: from the first read 2 and 4,
    # slack 1 and 1. A further histogram is one more name in the file.
    lifetimes = buffer("ifmap", [3, 5])
    lifetimes = BufferLifetimes(**{**lifetimes.__dict__, "first_read_cycle": lifetimes.write_cycle + 1})
    summary = summarize(lifetimes)
    extra = LifetimeHistogram(np.array([0, 2]), np.array([1, 1]), np.array([1, 1]))
    with_extra = BufferSummary(**{**summary.__dict__, "histograms": {**summary.histograms, "extra": extra}})
    save_part(tmp_path / "two.part", with_extra, 9)
    loaded, _, _ = load_part(tmp_path / "two.part")
    assert sorted(loaded.histograms) == ["extra", LIFETIME, LIFETIME_FROM_FIRST_READ, PREFETCH_SLACK]
    assert loaded.histograms["extra"].lifetimes.tolist() == [0, 2]
    assert loaded.histogram.lifetimes.tolist() == [3, 5]
    assert loaded.histograms[LIFETIME_FROM_FIRST_READ].lifetimes.tolist() == [2, 4]
    assert loaded.histograms[PREFETCH_SLACK].intervals.tolist() == [2]


def good_part(tmp_path):
    lifetimes = buffer("ifmap", [1, 2, 2, 3])
    save_part(tmp_path / "good.part", summarize(lifetimes), 50, lifetimes)
    return (tmp_path / "good.part").read_bytes()


def with_header(data, change):
    magic, header, arrays = data.split(b"\n", 2)
    fields = json.loads(header)
    change(fields)
    return magic + b"\n" + json.dumps(fields).encode() + b"\n" + arrays


@pytest.mark.parametrize("damage, message", [
    (lambda data: b"PK\x03\x04 not a part file\n" + data, "not a gainflow lifetime part file"),
    (lambda data: data.replace(b"part 3\n", b"part 7\n", 1), "version 7; this gainflow reads version 3"),
    (lambda data: data[:-5], "truncated"),
    (lambda data: data + b"\0", "unexpected bytes after the arrays"),
    (lambda data: data.split(b"\n")[0] + b"\n{broken json\n", "malformed lifetime part header"),
    (lambda data: data.split(b"\n")[0] + b"\n" + b"{" * 100, "no line break after the header"),
    (lambda data: with_header(data, lambda h: h.update(subdivision="psum")), "key 'subdivision'.*one of"),
    (lambda data: with_header(data, lambda h: h.update(total_cycles=-1)), "key 'total_cycles'"),
    (lambda data: with_header(data, lambda h: h["counts"].pop("reads")), "key 'counts'"),
    (lambda data: with_header(data, lambda h: h["counts"].update(writes=1.5)), "key 'counts.writes'"),
    (lambda data: with_header(data, lambda h: h.update(histograms={})), "key 'histograms'"),
    (lambda data: with_header(data, lambda h: h["intervals"]["runs"][0]["dtypes"].update(address="<f8")),
     "key 'intervals.runs.0.dtypes'"),
    (lambda data: with_header(data, lambda h: h["intervals"].update(runs=[{"length": 4}])),
     "key 'intervals.runs.0.dtypes'"),
    (lambda data: with_header(data, lambda h: h["intervals"].update(runs=["run"])), "key 'intervals.runs.0'"),
    (lambda data: with_header(data, lambda h: h["intervals"].update(runs={})), "key 'intervals.runs'"),
    (lambda data: with_header(data, lambda h: h["intervals"]["runs"][0].update(length=3)), "unexpected bytes"),
    (lambda data: with_header(data, lambda h: h["intervals"]["runs"][0].update(length=5)), "truncated"),
    (lambda data: with_header(data, lambda h: h["counts"].update(intervals=5)), "key 'counts.intervals'"),
])
def test_bad_part_files_are_input_errors(tmp_path, damage, message):
    (tmp_path / "bad.part").write_bytes(damage(good_part(tmp_path)))
    with pytest.raises(InputError, match=message) as error:
        load_part(tmp_path / "bad.part")
    assert error.value.path == str(tmp_path / "bad.part")


def test_unsorted_histogram_is_an_input_error(tmp_path):
    summary = summarize(buffer("ifmap", [1, 2]))
    unsorted = LifetimeHistogram(np.array([2, 1]), np.array([1, 1]), np.array([1, 1]))
    save_part(tmp_path / "bad.part", BufferSummary(**{**summary.__dict__,
                                                      "histograms": {**summary.histograms, LIFETIME: unsorted}}), 9)
    with pytest.raises(InputError, match="not distinct, ascending"):
        load_part(tmp_path / "bad.part")


@pytest.mark.parametrize("change, message", [
    (lambda histograms: histograms.pop(PREFETCH_SLACK), "key 'histograms'"),
    (lambda histograms: histograms.update({LIFETIME_FROM_FIRST_READ: LifetimeHistogram(
        np.array([1]), np.array([1]), np.array([1]))}), "histogram 'lifetime_from_first_read' counts 1"),
])
def test_part_missing_a_histogram_or_counting_other_intervals_is_an_input_error(tmp_path, change, message):
    summary = summarize(buffer("ifmap", [1, 2]))
    histograms = dict(summary.histograms)
    change(histograms)
    save_part(tmp_path / "bad.part", BufferSummary(**{**summary.__dict__, "histograms": histograms}), 9)
    with pytest.raises(InputError, match=message):
        load_part(tmp_path / "bad.part")


# ----------------------------------------------------------------------------- the per-layer step


def test_merge_with_tables_equals_writing_the_layer_directly(tmp_path):
    buffers = [buffer(name, [i + 1, 3 * i, 0], seed=i) for i, name in enumerate(SUBDIVISIONS)]
    parts = save_layer(tmp_path / "parts", buffers, 50, intervals=True)
    # Any order of the parts.
    assert merge_layer_parts(parts[::-1], tmp_path / "merged", 1, tables=True, with_graph=True) == 50
    write_layer_files(tmp_path / "direct", 1, buffers, 50)
    merged = layer_files(tmp_path / "merged", 1)
    assert sorted(merged) == ["layer1_aggregate_data.csv", "layer1_graph.png", "layer1_lifetime_data.csv",
                              "layer1_lifetime_histogram.csv.gz"]
    assert merged == layer_files(tmp_path / "direct", 1)


def test_merge_without_tables_writes_everything_but_the_table(tmp_path):
    buffers = [buffer(name, [5, 5, 2 * i], seed=i) for i, name in enumerate(SUBDIVISIONS)]
    with_tables = save_layer(tmp_path / "full", buffers, 60, intervals=True)
    merge_layer_parts(with_tables, tmp_path / "tables", 0, tables=True, with_graph=False)
    out = tmp_path / "compact"
    out.mkdir()
    (out / "layer0_lifetime_data.csv").write_text("left by an earlier run\n")
    merge_layer_parts(save_layer(tmp_path / "small", buffers, 60, intervals=False), out, 0, tables=False,
                      with_graph=False)
    compact = layer_files(out, 0)
    assert sorted(compact) == [f"layer0_{name}" for name in sorted(SUMMARY_FILES)]
    assert compact == {name: data for name, data in layer_files(tmp_path / "tables", 0).items()
                       if name != "layer0_lifetime_data.csv"}


def test_tables_need_parts_with_intervals(tmp_path):
    parts = save_layer(tmp_path, [buffer("ifmap", [1])], 5, intervals=False)
    with pytest.raises(InputError, match=r"lifetime tables asked for, but the parts of \['ifmap'\] hold no intervals"):
        merge_layer_parts(parts, tmp_path / "out", 0, tables=True)
    assert not (tmp_path / "out").exists()


def test_merge_refuses_parts_of_different_layers(tmp_path):
    save_part(tmp_path / "ifmap.part", summarize(buffer("ifmap", [1])), 50)
    save_part(tmp_path / "filter.part", summarize(buffer("filter", [1])), 51)
    with pytest.raises(InputError, match="Total Cycles"):
        merge_layer_parts([tmp_path / "ifmap.part", tmp_path / "filter.part"], tmp_path / "out", 0, tables=False)
    save_part(tmp_path / "again.part", summarize(buffer("ifmap", [2])), 50)
    with pytest.raises(InputError, match="two part files for the same subdivision"):
        merge_layer_parts([tmp_path / "ifmap.part", tmp_path / "again.part"], tmp_path / "out", 0, tables=False)
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- byte-identity


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_layer_files_from_parts_equal_the_per_interval_golden_files(tmp_path, case):
    """Simulated layers of shipped test cases: the compact path writes exactly the golden files."""
    inputs = GOLDEN_CASES[case]
    if len(inputs) == 1:
        folder = inputs[0]
        topology, input_type, cfg = folder / "topology.csv", (folder / "input_type").read_text().strip(), folder / "hw.cfg"
    else:
        (topology, cfg), input_type = inputs, "gemm" if "gemm" in case else "conv"
    hardware = load_hardware_config(cfg)
    for index, layer in enumerate(load_topology(topology, input_type)):
        pairs = [interval_path_from_simulator(layer, hardware, name) for name in SUBDIVISIONS]
        merge_layer_parts(save_layer(tmp_path / f"parts{index}", [b for b, _ in pairs], pairs[0][1], intervals=False),
                          tmp_path / "out", index, tables=False, with_graph=False)
        expected = {f"layer{index}_{name}": (GOLDEN / case / f"layer{index}_{name}").read_bytes()
                    for name in GOLDEN_FILES}
        assert fill_columns(layer_files(tmp_path / "out", index), index) == expected


def fill_columns(files, index):
    """The per-layer files as they were before lifetimes were also measured from the first read and
    the histogram file was compressed: the histogram file's `lifetime` columns where they count
    intervals (`subdivision,lifetime,intervals,reads`, uncompressed), the aggregate's leading columns."""
    histogram, aggregate = f"layer{index}_lifetime_histogram.csv", f"layer{index}_aggregate_data.csv"
    lines = gzip.decompress(files.pop(histogram + ".gz")).decode().splitlines()
    assert lines[0] == ",".join(SIDECAR_HEADER)
    rows = [line.split(",")[:4] for line in lines[1:]]
    kept = ["subdivision,lifetime,intervals,reads\n"] + [",".join(row) + "\n" for row in rows if row[2] != "0"]
    columns = len(FILL_AGGREGATE_COLUMNS)
    aggregate_rows = [",".join(line.split(",")[:columns]) for line in files[aggregate].decode().splitlines()]
    assert aggregate_rows[0] == ",".join(FILL_AGGREGATE_COLUMNS)
    return {**files, histogram: "".join(kept).encode(), aggregate: ("\n".join(aggregate_rows) + "\n").encode()}


# The histogram file's columns, written out.
SIDECAR_HEADER = ("subdivision", "cycles", "lifetime_intervals", "lifetime_reads", "lifetime_from_first_read_intervals",
                  "lifetime_from_first_read_reads", "prefetch_slack_intervals", "prefetch_slack_reads")


def per_interval_files(buffers, cycles):
    """The per-layer summary files as the per-interval path computed them: over every row."""
    histogram_rows, aggregate_rows, panels = [], [], []

    def statistics(values, prefix, names=("mean", "median", "p90", "max", "min")):
        every = {"mean": int(values.sum()) / len(values) if len(values) else None,
                 "median": float(np.median(values)) if len(values) else None,
                 "p90": float(np.quantile(values, 0.9)) if len(values) else None,
                 "max": int(values.max()) if len(values) else None, "min": int(values.min()) if len(values) else None}
        return {prefix + name: every[name] for name in names}

    for lifetimes in buffers:
        values, count = lifetimes.lifetime, len(lifetimes.lifetime)
        slack = lifetimes.first_read_cycle - lifetimes.write_cycle
        # Per value any of the three takes, each one's intervals and reads there.
        rows = {}
        for column, per_interval in enumerate((values, values - slack, slack)):
            for value, reads in zip(per_interval.tolist(), lifetimes.interval_reads.tolist()):
                row = rows.setdefault(value, [0] * 6)
                row[2 * column] += 1
                row[2 * column + 1] += reads
        histogram_rows += [f"{lifetimes.subdivision},{value}," + ",".join(map(str, rows[value])) + "\n"
                           for value in sorted(rows)]
        aggregate_rows.append({
            "subdivision": lifetimes.subdivision, "intervals": count,
            "mean": int(values.sum()) / count if count else None,
            "median": float(np.median(values)) if count else None,
            "p90": float(np.quantile(values, 0.9)) if count else None,
            "max": int(values.max()) if count else None, "min": int(values.min()) if count else None,
            "reads": lifetimes.reads, "writes": lifetimes.writes, "dead_writes": lifetimes.dead_writes,
            "unfilled_reads": lifetimes.unfilled_reads, "unique_addresses": lifetimes.unique_addresses,
            "cycles": cycles, "read_rate": lifetimes.reads / cycles, "write_rate": lifetimes.writes / cycles,
            "writes_per_address": lifetimes.writes / lifetimes.unique_addresses,
            **statistics(values - slack, "first_read_"),
            **statistics(slack, "prefetch_slack_", ("median", "p90", "max"))})
        counts = np.histogram(values, bins=lifetime_bins(values.max()))[0] if count else []
        panels.append({"subdivision": lifetimes.subdivision, "intervals": count, "dead_writes": lifetimes.dead_writes,
                       "unfilled_reads": lifetimes.unfilled_reads, "counts": [int(c) for c in counts]})
    return {
        "layer0_lifetime_histogram.csv": (",".join(SIDECAR_HEADER) + "\n" + "".join(histogram_rows)).encode(),
        "layer0_aggregate_data.csv": aggregate_csv(aggregate_rows).encode(),
        "layer0_graph_data.json": (json.dumps(panels) + "\n").encode(),
    }


def test_layer_files_from_parts_equal_the_per_interval_ones_on_random_layers(tmp_path):
    rng = np.random.default_rng(11)
    for case in range(60):
        buffers = []
        for name in SUBDIVISIONS:
            size = int(rng.choice([0, 1, 2, int(rng.integers(3, 3000))]))
            high = int(rng.choice([1, 5, 1000, 10**7, 2**45]))
            buffers.append(buffer(name, rng.integers(0, high, size, endpoint=True), dead_writes=int(rng.integers(0, 4)),
                                  unfilled_reads=int(rng.integers(0, 4)), seed=case))
        cycles = int(rng.integers(1, 10**9))
        merge_layer_parts(save_layer(tmp_path / f"parts{case}", buffers, cycles, intervals=False),
                          tmp_path / f"out{case}", 0, tables=False, with_graph=False)
        files = layer_files(tmp_path / f"out{case}", 0)
        files["layer0_lifetime_histogram.csv"] = gzip.decompress(files.pop("layer0_lifetime_histogram.csv.gz"))
        assert files == per_interval_files(buffers, cycles), case


def test_intervals_spilled_in_runs_come_back_in_address_then_write_order(tmp_path):
    """Intervals closing in cycle order (address 5 and 3 alternately), two to a run: the runs are
    sorted by address, and merged back one row at a time address 3's intervals come first, each
    address's in the order of its writes; a run out of address order is an InputError."""
    closing = [(5, 0), (3, 1), (5, 2), (3, 3), (5, 4)]
    with IntervalSpill(tmp_path, run_intervals=2) as spill:
        for address, write in closing:
            spill.add([address], [write], [10 + write], [1], [write])
        save_part(tmp_path / "runs.part", summarize(buffer("ifmap", [10, 11, 12, 13, 14])), 20, spill)
        assert [run["length"] for run in spill.runs] == [2, 2, 1]
    _, _, intervals = load_part(tmp_path / "runs.part")
    for block in (1, 2, 100):
        rows = [list(zip(merged["address"].tolist(), merged["write_cycle"].tolist()))
                for merged in intervals.blocks(block)]
        assert sum(rows, []) == [(3, 1), (3, 3), (5, 0), (5, 2), (5, 4)]
        assert max(len(block_rows) for block_rows in rows) <= max(block, 3)  # a row per run at least
    data = bytearray((tmp_path / "runs.part").read_bytes())
    first_run = len(data) - 5 * 4 * 5  # five int32 columns of five rows: the first run's addresses
    data[first_run:first_run + 8] = np.array([5, 3], "<i4").tobytes()
    (tmp_path / "bad.part").write_bytes(bytes(data))
    with pytest.raises(InputError, match="bad.part: a run of intervals not in address order"):
        list(load_part(tmp_path / "bad.part")[2].blocks())
