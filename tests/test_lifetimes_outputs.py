"""Aggregate rows (hand-computed), GainSight's per-layer files, the pair files and their merge."""

import json

import numpy as np
import pandas
import pytest
from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.lifetimes.aggregate import AGGREGATE_COLUMNS, aggregate_csv, aggregate_row
from gainflow.lifetimes.graphs import lifetime_bins
from gainflow.lifetimes.intervals import BufferLifetimes, load_pair, save_pair
from gainflow.lifetimes.layer_files import lifetime_csv, merge_layer_pairs, write_layer_files


def buffer(subdivision, lifetimes, *, addresses=None, write_cycles=None, interval_reads=None,
           reads=0, writes=0, dead_writes=0, unfilled_reads=0, unique_addresses=0):
    count = len(lifetimes)
    as_array = lambda values, default: np.array(default if values is None else values, dtype=np.int64)  # noqa: E731
    return BufferLifetimes(
        subdivision=subdivision,
        address=as_array(addresses, range(count)),
        write_cycle=as_array(write_cycles, [0] * count),
        lifetime=as_array(lifetimes, lifetimes),
        interval_reads=as_array(interval_reads, [1] * count),
        reads=reads, writes=writes, dead_writes=dead_writes, unfilled_reads=unfilled_reads,
        unique_addresses=unique_addresses,
    )


def test_aggregate_row_by_hand():
    # Lifetimes 12, 0, 20, 7, 2 -> sorted 0 2 7 12 20: mean 41/5 = 8.2, median 7,
    # p90 at position 0.9*4 = 3.6: 12 + 0.6*(20-12) = 16.8, max 20, min 0.
    # 10 reads and 8 writes over 40 cycles: 0.25 and 0.2 per cycle; 8 writes / 4 addresses = 2.
    row = aggregate_row(buffer("filter", [12, 0, 20, 7, 2], reads=10, writes=8, dead_writes=3,
                               unfilled_reads=1, unique_addresses=4), cycles=40)
    assert row == {
        "subdivision": "filter", "intervals": 5, "mean": 8.2, "median": 7.0, "p90": 16.8, "max": 20, "min": 0,
        "reads": 10, "writes": 8, "dead_writes": 3, "unfilled_reads": 1, "unique_addresses": 4, "cycles": 40,
        "read_rate": 0.25, "write_rate": 0.2, "writes_per_address": 2.0,
    }
    assert aggregate_csv([row]) == (
        "subdivision,intervals,mean,median,p90,max,min,reads,writes,dead_writes,unfilled_reads,"
        "unique_addresses,cycles,read_rate,write_rate,writes_per_address\n"
        "filter,5,8.2,7.0,16.8,20,0,10,8,3,1,4,40,0.25,0.2,2.0\n"
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
    assert aggregate_csv([row]).splitlines()[1] == "ifmap,0,,,,,,0,2,2,0,0,0,,,"
    table = pandas.read_csv(__import__("io").StringIO(aggregate_csv([row])))
    assert list(table.columns) == list(AGGREGATE_COLUMNS) and np.isnan(table.loc[0, "p90"])


def test_lifetime_csv_header_and_row_order():
    buffers = [
        buffer("ifmap", [5, 0], addresses=[3, 3], write_cycles=[-7, 4], interval_reads=[2, 1]),
        buffer("ofmap", [11], addresses=[20000001], write_cycles=[9], interval_reads=[1]),
    ]
    assert lifetime_csv(buffers) == (
        "subdivision,address,lifetime,write_cycle,reads\n"
        "ifmap,3,5,-7,2\nifmap,3,0,4,1\nofmap,20000001,11,9,1\n"
    )


def test_lifetime_csv_across_write_chunks():
    # More rows than one formatting chunk (2**15), with an empty buffer in between.
    count = 70_000
    rows = np.arange(count)
    buffers = [
        buffer("filter", list(rows % 997), addresses=list(10_000_000 + rows), write_cycles=list(rows - 5),
               interval_reads=list(rows % 3 + 1)),
        buffer("ofmap", []),
    ]
    expected = "subdivision,address,lifetime,write_cycle,reads\n" + "".join(
        f"filter,{10_000_000 + i},{i % 997},{i - 5},{i % 3 + 1}\n" for i in range(count))
    assert lifetime_csv(buffers) == expected


def test_layer_files_are_written_in_subdivision_order(tmp_path):
    buffers = [buffer("ofmap", [1], writes=1, unique_addresses=1), buffer("ifmap", [2], writes=1, unique_addresses=1)]
    write_layer_files(tmp_path / "layer3", 3, buffers, total_cycles=10)
    assert sorted(p.name for p in (tmp_path / "layer3").iterdir()) == [
        "layer3_aggregate_data.csv", "layer3_graph.png", "layer3_lifetime_data.csv", "layer3_lifetime_histogram.csv"]
    lines = layout.layer_file(tmp_path, 3, layout.LIFETIME_TABLE).read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["ifmap", "ofmap"]
    aggregate = layout.layer_file(tmp_path, 3, layout.AGGREGATE_TABLE).read_text().splitlines()
    assert [line.split(",")[0] for line in aggregate[1:]] == ["ifmap", "ofmap"]
    assert layout.layer_file(tmp_path, 3, layout.GRAPH).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pair_file_round_trip_and_is_byte_identical(tmp_path):
    original = buffer("filter", [4, 9], addresses=[10000003, 10000008], write_cycles=[-2, 6],
                      interval_reads=[3, 1], reads=5, writes=3, dead_writes=1, unfilled_reads=1, unique_addresses=3)
    save_pair(tmp_path / "a.pair", original, 77)
    save_pair(tmp_path / "b.pair", original, 77)
    assert (tmp_path / "a.pair").read_bytes() == (tmp_path / "b.pair").read_bytes()
    loaded, cycles = load_pair(tmp_path / "a.pair")
    assert cycles == 77
    assert loaded.subdivision == "filter" and loaded.unique_addresses == 3 and loaded.dead_writes == 1
    for name in ("address", "write_cycle", "lifetime", "interval_reads"):
        assert np.array_equal(getattr(loaded, name), getattr(original, name))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_pair_file_keeps_values_beyond_int32(tmp_path):
    big = buffer("ofmap", [2 ** 40], addresses=[2 ** 33], write_cycles=[-(2 ** 35)])
    save_pair(tmp_path / "big.pair", big, 2 ** 41)
    loaded, cycles = load_pair(tmp_path / "big.pair")
    assert cycles == 2 ** 41
    assert (loaded.lifetime.tolist(), loaded.address.tolist(), loaded.write_cycle.tolist()) == (
        [2 ** 40], [2 ** 33], [-(2 ** 35)])


def test_bad_pair_files_are_input_errors(tmp_path):
    save_pair(tmp_path / "good.pair", buffer("ifmap", [1, 2, 3]), 50)
    good = (tmp_path / "good.pair").read_bytes()
    (tmp_path / "other.pair").write_bytes(b"PK\x03\x04 not a pair file\n")
    (tmp_path / "truncated.pair").write_bytes(good[:-5])
    (tmp_path / "header.pair").write_bytes(good.split(b"\n")[0] + b"\n{broken json\n")
    for name, message in (("other", "not a gainflow lifetime pair file"), ("truncated", "truncated"),
                          ("header", "malformed")):
        with pytest.raises(InputError, match=message) as error:
            load_pair(tmp_path / f"{name}.pair")
        assert error.value.path == str(tmp_path / f"{name}.pair")


def test_merge_of_pair_files_equals_writing_the_layer_directly(tmp_path):
    buffers = [buffer(name, [i + 1, 3 * i], writes=2, reads=2, unique_addresses=2)
               for i, name in enumerate(("ifmap", "filter", "ofmap"))]
    for b in buffers:
        save_pair(tmp_path / f"{b.subdivision}.pair", b, 50)
    # Any order of the parts.
    assert merge_layer_pairs([tmp_path / f"{n}.pair" for n in ("ofmap", "ifmap", "filter")],
                             tmp_path / "merged", 1) == 50
    write_layer_files(tmp_path / "direct", 1, buffers, 50)
    for name in ("layer1_lifetime_data.csv", "layer1_lifetime_histogram.csv", "layer1_aggregate_data.csv",
                 "layer1_graph.png"):
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "direct" / name).read_bytes()


def test_merge_refuses_parts_of_different_layers(tmp_path):
    save_pair(tmp_path / "ifmap.pair", buffer("ifmap", [1]), 50)
    save_pair(tmp_path / "filter.pair", buffer("filter", [1]), 51)
    with pytest.raises(InputError, match="Total Cycles"):
        merge_layer_pairs([tmp_path / "ifmap.pair", tmp_path / "filter.pair"], tmp_path / "out", 0)
    assert not (tmp_path / "out").exists()


def test_histogram_bins_are_zero_then_powers_of_two():
    assert lifetime_bins(0).tolist() == [0, 1]
    assert lifetime_bins(5).tolist() == [0, 1, 2, 4, 8]
    assert lifetime_bins(8).tolist() == [0, 1, 2, 4, 8, 16]
