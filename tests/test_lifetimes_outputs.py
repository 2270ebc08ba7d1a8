"""Aggregate rows (hand-computed) and GainSight's per-layer files written from `BufferLifetimes`."""

import gzip
import json

import numpy as np
import pandas
import pytest
from gainflow.files import layout
from gainflow.lifetimes.aggregate import AGGREGATE_COLUMNS, aggregate_csv
from gainflow.lifetimes.aggregate import aggregate_row as aggregate_row_of_summary
from gainflow.lifetimes.graphs import lifetime_bins
from gainflow.lifetimes.histogram import summarize
from gainflow.lifetimes.intervals import BufferLifetimes
from gainflow.lifetimes.layer_files import lifetime_csv, write_layer_files


def buffer(subdivision, lifetimes, *, addresses=None, write_cycles=None, interval_reads=None, first_reads=None,
           reads=0, writes=0, dead_writes=0, unfilled_reads=0, unique_addresses=0):
    """Intervals with the given lifetimes; the first read defaults to the write cycle."""
    count = len(lifetimes)
    as_array = lambda values, default: np.array(default if values is None else values, dtype=np.int64)  # noqa: E731
    return BufferLifetimes(
        subdivision=subdivision,
        address=as_array(addresses, range(count)),
        write_cycle=as_array(write_cycles, [0] * count),
        lifetime=as_array(lifetimes, lifetimes),
        interval_reads=as_array(interval_reads, [1] * count),
        first_read_cycle=as_array(first_reads, as_array(write_cycles, [0] * count)),
        reads=reads, writes=writes, dead_writes=dead_writes, unfilled_reads=unfilled_reads,
        unique_addresses=unique_addresses,
    )


def aggregate_row(lifetimes, cycles):
    return aggregate_row_of_summary(summarize(lifetimes), cycles)


def test_aggregate_row_by_hand():
    # Lifetimes 12, 0, 20, 7, 2 -> sorted 0 2 7 12 20: mean 41/5 = 8.2, median 7,
    # p90 at position 0.9*4 = 3.6: 12 + 0.6*(20-12) = 16.8, max 20, min 0.
    # 10 reads and 8 writes over 40 cycles: 0.25 and 0.2 per cycle; 8 writes / 4 addresses = 2.
    # Written at 0, first read at 2, 0, 15, 7, 1 (the prefetch slack): from the first read
    # 10, 0, 5, 0, 1 -> sorted 0 0 1 5 10: mean 16/5 = 3.2, median 1, p90 5 + 0.6*(10-5) = 8, max 10,
    # min 0. Slack sorted 0 1 2 7 15: median 2, p90 7 + 0.6*(15-7) = 11.8, max 15.
    row = aggregate_row(buffer("filter", [12, 0, 20, 7, 2], first_reads=[2, 0, 15, 7, 1], reads=10, writes=8,
                               dead_writes=3, unfilled_reads=1, unique_addresses=4), cycles=40)
    first_read_p90, slack_p90 = row.pop("first_read_p90"), row.pop("prefetch_slack_p90")
    assert (first_read_p90, slack_p90) == (pytest.approx(8.0, abs=1e-12), pytest.approx(11.8, abs=1e-12))
    assert row == {
        "subdivision": "filter", "intervals": 5, "mean": 8.2, "median": 7.0, "p90": 16.8, "max": 20, "min": 0,
        "reads": 10, "writes": 8, "dead_writes": 3, "unfilled_reads": 1, "unique_addresses": 4, "cycles": 40,
        "read_rate": 0.25, "write_rate": 0.2, "writes_per_address": 2.0,
        "first_read_mean": 3.2, "first_read_median": 1.0, "first_read_max": 10, "first_read_min": 0,
        "prefetch_slack_median": 2.0, "prefetch_slack_max": 15,
    }
    row.update(first_read_p90=8.0, prefetch_slack_p90=11.8)
    assert aggregate_csv([row]) == (
        "subdivision,intervals,mean,median,p90,max,min,reads,writes,dead_writes,unfilled_reads,"
        "unique_addresses,cycles,read_rate,write_rate,writes_per_address,first_read_mean,first_read_median,"
        "first_read_p90,first_read_max,first_read_min,prefetch_slack_median,prefetch_slack_p90,prefetch_slack_max\n"
        "filter,5,8.2,7.0,16.8,20,0,10,8,3,1,4,40,0.25,0.2,2.0,3.2,1.0,8.0,10,0,2.0,11.8,15\n"
    )


def test_p90_interpolates_linearly_like_pandas():
    # Sorted 1 1 2 3 4 5 6 9: position 0.9*7 = 6.3 -> 6 + 0.3*(9-6) = 6.9; median (3+4)/2.
    row = aggregate_row(buffer("ofmap", [3, 1, 4, 1, 5, 9, 2, 6]), cycles=1)
    assert row["p90"] == pytest.approx(6.9, abs=1e-12)
    assert row["median"] == 3.5
    values = np.random.default_rng(3).integers(0, 10**6, 1001)
    series = pandas.Series(values)
    row = aggregate_row(buffer("ofmap", values), cycles=1)
    assert (row["p90"], row["median"], row["mean"]) == (series.quantile(0.9), series.median(), series.mean())


def test_undefined_values_are_empty_fields():
    # No interval, zero cycles, no address: statistics and ratios are undefined.
    row = aggregate_row(buffer("ifmap", [], writes=2, dead_writes=2, unique_addresses=0), cycles=0)
    assert aggregate_csv([row]).splitlines()[1] == "ifmap,0,,,,,,0,2,2,0,0,0,,,,,,,,,,,"
    table = pandas.read_csv(__import__("io").StringIO(aggregate_csv([row])))
    assert list(table.columns) == list(AGGREGATE_COLUMNS) and np.isnan(table.loc[0, "p90"])


def test_lifetime_csv_header_and_row_order():
    buffers = [
        buffer("ifmap", [5, 0], addresses=[3, 3], write_cycles=[-7, 4], interval_reads=[2, 1], first_reads=[-2, 4]),
        buffer("ofmap", [11], addresses=[20000001], write_cycles=[9], interval_reads=[1], first_reads=[20]),
    ]
    assert lifetime_csv(buffers) == (
        "subdivision,address,lifetime,write_cycle,reads,first_read_cycle\n"
        "ifmap,3,5,-7,2,-2\nifmap,3,0,4,1,4\nofmap,20000001,11,9,1,20\n"
    )


def test_lifetime_csv_across_write_chunks():
    # More rows than one formatting chunk (2**15), with an empty buffer in between.
    count = 70_000
    rows = np.arange(count)
    buffers = [
        buffer("filter", list(rows % 997), addresses=list(10_000_000 + rows), write_cycles=list(rows - 5),
               interval_reads=list(rows % 3 + 1), first_reads=list(rows - 5 + rows % 997 // 2)),
        buffer("ofmap", []),
    ]
    expected = "subdivision,address,lifetime,write_cycle,reads,first_read_cycle\n" + "".join(
        f"filter,{10_000_000 + i},{i % 997},{i - 5},{i % 3 + 1},{i - 5 + i % 997 // 2}\n" for i in range(count))
    assert lifetime_csv(buffers) == expected


def test_layer_files_are_written_in_subdivision_order(tmp_path):
    buffers = [buffer("ofmap", [1], writes=1, unique_addresses=1), buffer("ifmap", [2], writes=1, unique_addresses=1)]
    write_layer_files(tmp_path / "layer3", 3, buffers, total_cycles=10)
    assert sorted(p.name for p in (tmp_path / "layer3").iterdir()) == [
        "layer3_aggregate_data.csv", "layer3_graph.png", "layer3_lifetime_data.csv", "layer3_lifetime_histogram.csv.gz"]
    lines = layout.layer_file(tmp_path, 3, layout.LIFETIME_TABLE).read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["ifmap", "ofmap"]
    aggregate = layout.layer_file(tmp_path, 3, layout.AGGREGATE_TABLE).read_text().splitlines()
    assert [line.split(",")[0] for line in aggregate[1:]] == ["ifmap", "ofmap"]
    histogram = gzip.decompress(layout.layer_file(tmp_path, 3, layout.LIFETIME_HISTOGRAM).read_bytes()).decode()
    assert [line.split(",")[0] for line in histogram.splitlines()[1:]] == ["ifmap", "ifmap", "ofmap", "ofmap"]
    assert layout.layer_file(tmp_path, 3, layout.GRAPH).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_histogram_bins_are_zero_then_powers_of_two():
    assert lifetime_bins(0).tolist() == [0, 1]
    assert lifetime_bins(5).tolist() == [0, 1, 2, 4, 8]
    assert lifetime_bins(8).tolist() == [0, 1, 2, 4, 8, 16]
