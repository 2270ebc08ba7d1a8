"""Reading a processed run: streaming gives exact histograms; bad files name file and line."""

import json

import pytest
from frontend_support import AGGREGATE_COUNTS, LIFETIME_HEADER, LIFETIME_ROWS, write_processed_run
from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.frontend.processed_run import load_processed_run


def test_histograms_and_counts_summed_over_layers(tmp_path):
    run = load_processed_run(write_processed_run(tmp_path / "run"))
    ifmap = run.buffers["ifmap"]
    assert list(ifmap.histogram.lifetimes) == [500, 1000, 20001]
    assert list(ifmap.histogram.intervals) == [1, 1, 1]
    assert list(ifmap.histogram.reads) == [2, 1, 1]
    assert (ifmap.reads, ifmap.writes, ifmap.dead_writes, ifmap.unfilled_reads) == (5, 4, 1, 1)
    assert (ifmap.footprint_words, ifmap.unique_addresses_sum) == (2, 3)
    assert list(run.buffers["ofmap"].histogram.lifetimes) == [0, 10001]


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_chunk_size_does_not_change_the_histogram(tmp_path, chunk_rows):
    # Many repeated lifetimes spread over chunk borders.
    rows = {0: [("ifmap", i % 5, (i * 7) % 11, 0, 1 + i % 3) for i in range(40)], 1: []}
    counts = {0: {"ifmap": (40, 0, 40, 0, 0, 5)}, 1: {}}
    run_dir = write_processed_run(tmp_path / "run", lifetime_rows=rows, aggregate_counts=counts)
    whole = load_processed_run(run_dir).buffers["ifmap"].histogram
    chunked = load_processed_run(run_dir, chunk_rows=chunk_rows).buffers["ifmap"].histogram
    for field in ("lifetimes", "intervals", "reads"):
        assert list(getattr(chunked, field)) == list(getattr(whole, field))
    # by hand: lifetimes (7 i mod 11) cycle through all 11 residues; 40 = 3 x 11 + 7
    assert list(whole.lifetimes) == list(range(11))
    assert int(whole.intervals.sum()) == 40
    assert int(whole.reads.sum()) == sum(1 + i % 3 for i in range(40))


def lifetime_file(run_dir, layer=0):
    return layout.layer_file(run_dir, layer, layout.LIFETIME_TABLE)


def replace_line(path, number, text):
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("line, text, message", [
    (1, "subdivision,address,lifetime", "bad header"),
    (1, "address,subdivision,lifetime,write_cycle,reads", "bad header"),
    (3, "ifmap,1,10.5,0,1", "column 'lifetime': expected an integer, got '10.5'"),
    (3, "ifmap,1,,0,1", "column 'lifetime': expected an integer, got ''"),
    (4, "filter,10000000,abc,3,4", "column 'lifetime': expected an integer, got 'abc'"),
    (3, "ifmap,1,1000,0,-2", "column 'reads': expected a non-negative integer"),
    (2, "ifmap,0,-5,0,2", "column 'lifetime': expected a non-negative integer"),
    (5, "psum,20000000,10001,5,1", "column 'subdivision': expected one of"),
])
def test_bad_lifetime_rows_name_file_and_line(tmp_path, line, text, message):
    run_dir = write_processed_run(tmp_path / "run")
    replace_line(lifetime_file(run_dir), line, text)
    with pytest.raises(InputError) as caught:
        load_processed_run(run_dir)
    assert caught.value.path == str(lifetime_file(run_dir))
    assert caught.value.line == line
    assert message in caught.value.detail


def test_ragged_lifetime_row(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    replace_line(lifetime_file(run_dir), 3, "ifmap,1,1000,0,1,7,8")
    with pytest.raises(InputError, match=r"layer0_lifetime_data\.csv: malformed CSV.*line 3"):
        load_processed_run(run_dir)


def test_interval_count_must_match_the_aggregate(tmp_path):
    counts = {0: dict(AGGREGATE_COUNTS[0], filter=(2, 4, 1, 0, 0, 1)), 1: AGGREGATE_COUNTS[1]}
    run_dir = write_processed_run(tmp_path / "run", aggregate_counts=counts)
    with pytest.raises(InputError, match=r"layer0_aggregate_data\.csv, key 'intervals': filter: 2 intervals, "
                                         r"but layer0_lifetime_data\.csv has 1"):
        load_processed_run(run_dir)


def test_bad_aggregate_value(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    path = layout.layer_file(run_dir, 1, layout.AGGREGATE_TABLE)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("filter,0,0,0,0,0,0,0,0", "filter,0,0,0,0,0,0,x,0")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        load_processed_run(run_dir)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert "column 'reads': expected an integer, got 'x'" in caught.value.detail


def test_duplicate_aggregate_row(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    path = layout.layer_file(run_dir, 0, layout.AGGREGATE_TABLE)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(InputError, match="subdivision 'ifmap' appears twice") as caught:
        load_processed_run(run_dir)
    assert caught.value.line == 5


def test_missing_layer_files(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    lifetime_file(run_dir, 1).unlink()
    with pytest.raises(InputError, match=r"layer1_lifetime_data\.csv: file not found"):
        load_processed_run(run_dir)


def test_not_a_processed_run(tmp_path):
    with pytest.raises(InputError, match="no run_info.json"):
        load_processed_run(tmp_path)
    with pytest.raises(InputError, match="processed run directory not found"):
        load_processed_run(tmp_path / "absent")


@pytest.mark.parametrize("layers, key", [
    ([], "layers"),
    ([{"index": 0}], "layers.0.total_cycles"),
    ([{"index": "0", "total_cycles": 5}], "layers.0.index"),
    ([{"index": 0, "total_cycles": -1}], "layers.0.total_cycles"),
])
def test_bad_run_info(tmp_path, layers, key):
    run_dir = write_processed_run(tmp_path / "run")
    info = json.loads((run_dir / layout.RUN_INFO).read_text())
    info["layers"] = layers
    (run_dir / layout.RUN_INFO).write_text(json.dumps(info))
    with pytest.raises(InputError) as caught:
        load_processed_run(run_dir)
    assert caught.value.key == key


def test_empty_lifetime_file_is_fine(tmp_path):
    rows = {0: [], 1: LIFETIME_ROWS[1]}
    counts = {0: {}, 1: AGGREGATE_COUNTS[1]}
    run = load_processed_run(write_processed_run(tmp_path / "run", lifetime_rows=rows,
                                                 aggregate_counts=counts))
    assert list(run.buffers["ifmap"].histogram.lifetimes) == [20001]
    assert lifetime_file(tmp_path / "run").read_text() == LIFETIME_HEADER + "\n"
