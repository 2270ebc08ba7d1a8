"""Reading SCALE-Sim CSV traces: the `1.0` width padding, streaming, and bad input. The real traces are
SCALE-Sim 2.0.2 runs kept in tests/data/lifetimes and tests/data/golden (scripts/make_golden.py)."""

import pytest
from data_support import GOLDEN, LIFETIMES_EXTRAS, layer_dirs
from gainflow.errors import InputError
from gainflow.lifetimes.intervals import lifetimes_from_trace_dir
from gainflow.events.scalesim_traces import (
    DEFAULT_OFFSETS,
    TRACE_FILES,
    find_layer_dirs,
    iter_accesses,
    load_buffer_events,
    read_total_cycles,
    read_writes,
)

PADDING_RUN = LIFETIMES_EXTRAS / "padding_os" / "expected" / "padding_os"  # scalesim 2.0.2, 8x8 os, 1 kB SRAMs


def detailed_access_report(run_dir, layer_index=0):
    lines = (run_dir / "DETAILED_ACCESS_REPORT.csv").read_text().splitlines()
    header = [name.strip() for name in lines[0].split(",")]
    return dict(zip(header, [field.strip() for field in lines[1 + layer_index].split(",")]))


def expected_fill_batches(sram_trace, words_per_set):
    """SCALE-Sim's CALC read buffer (behaviour reference 5.2, 'equivalent formulation'): walking the
    SRAM reads row-major, an address is fetched when not seen since the last batch; every
    50 * words_per_set fetched addresses form a batch, after which nothing counts as seen."""
    seen, batches = set(), [[]]
    for line in sram_trace.read_text().splitlines():
        for address in map(int, line.split(",")[1:]):
            if address == -1 or address in seen:
                continue
            seen.add(address)
            batches[-1].append(address)
            if len(batches[-1]) == 50 * words_per_set:
                batches.append([])
                seen = set()
    return [batch for batch in batches if batch]


@pytest.mark.parametrize("subdivision, report_column", [("ifmap", "DRAM IFMAP Reads"), ("filter", "DRAM Filter Reads")])
def test_padding_removed_on_a_real_multi_batch_trace(subdivision, report_column):
    # 1 kB SRAM: 10 words per set, batches of 500 addresses; the traces mix batch widths 10, 8, 7,
    # 3, 2 and 1, so most rows carry 1.0 padding.
    layer = PADDING_RUN / "layer0"
    cycles, addresses = read_writes(layer, subdivision)
    assert len(addresses) == int(detailed_access_report(PADDING_RUN)[report_column])
    sram_trace = layer / f"{subdivision.upper()}_SRAM_TRACE.csv"
    batches = expected_fill_batches(sram_trace, words_per_set=10)
    # Full batches of 500, then the rest; the writes come batch after batch.
    assert [len(batch) for batch in batches[:-1]] == [500] * (len(batches) - 1)
    assert sum(len(batch) for batch in batches) == len(addresses)
    for number, batch in enumerate(batches):
        assert sorted(addresses[500 * number: 500 * number + len(batch)].tolist()) == sorted(batch)


@pytest.mark.parametrize("layer_dir", layer_dirs(GOLDEN), ids=lambda p: f"{p.parts[-4]}-{p.name}")
def test_golden_dram_traces_give_the_reported_fill_counts(layer_dir):
    # Single-batch traces (no padding) where 1.0 is a real IFMAP address inside rows: nothing may be dropped.
    report = detailed_access_report(layer_dir.parent, int(layer_dir.name.removeprefix("layer")))
    for subdivision, column in (("ifmap", "DRAM IFMAP Reads"), ("filter", "DRAM Filter Reads")):
        assert len(read_writes(layer_dir, subdivision)[1]) == int(report[column])


def test_real_address_one_ending_an_interior_row_is_kept():
    # IFMAP DRAM row `200.0,0.0,1.0,1.0,...` sits in a batch of width 2 (its neighbours are
    # `199.0,798.0,799.0,1.0...` and `201.0,2.0,3.0,1.0...`): its first 1.0 is address 1.
    cycles, addresses = read_writes(PADDING_RUN / "layer0", "ifmap")
    assert addresses[cycles == 200].tolist() == [0, 1]
    assert addresses[cycles == 199].tolist() == [798, 799]
    # Address 1 is fetched in the first batch and again in the second (expected_fill_batches).
    assert cycles[addresses == 1].tolist() == [-50, 200]


def write_trace(folder, name, lines):
    path = folder / name
    path.write_text("".join(line + "\n" for line in lines))
    return path


def accesses(path, subdivision, **kwargs):
    blocks = list(iter_accesses(path, subdivision, DEFAULT_OFFSETS, **kwargs))
    return [(int(c), int(a)) for cycles, addresses in blocks for c, a in zip(cycles, addresses)]


def test_filter_trace_every_trailing_one_is_padding(tmp_path):
    # FILTER addresses start at 10000000, so 1.0 can only be padding.
    path = write_trace(tmp_path, "FILTER_DRAM_TRACE.csv", [
        "-2.0,10000000.0,10000001.0,10000002.0",
        "-1.0,10000003.0,1.0,1.0",
        "0.0,10000004.0,-1.0,1.0",
    ])
    assert accesses(path, "filter") == [(-2, 10000000), (-2, 10000001), (-2, 10000002), (-1, 10000003), (0, 10000004)]


def test_ifmap_interior_row_one_narrower_than_both_neighbours_ends_in_address_one(tmp_path):
    # Batch of width 2 padded to 3: rows 2 wide, except the middle one whose 2nd address is 1.
    path = write_trace(tmp_path, "IFMAP_DRAM_TRACE.csv", [
        "4.0,10.0,11.0,1.0", "5.0,7.0,1.0,1.0", "6.0,12.0,13.0,1.0",
    ])
    assert accesses(path, "ifmap") == [(4, 10), (4, 11), (5, 7), (5, 1), (6, 12), (6, 13)]


def test_ifmap_width_one_batch_row_holding_only_address_one(tmp_path):
    path = write_trace(tmp_path, "IFMAP_DRAM_TRACE.csv", [
        "0.0,20.0,21.0,22.0", "1.0,30.0,1.0,1.0", "2.0,1.0,1.0,1.0", "3.0,31.0,1.0,1.0",
    ])
    assert accesses(path, "ifmap") == [(0, 20), (0, 21), (0, 22), (1, 30), (2, 1), (3, 31)]


def test_ifmap_minus_one_tail_then_padding(tmp_path):
    # The end of a width-2 batch: -1.0 fills its last row, 1.0 pads it to the trace width.
    path = write_trace(tmp_path, "IFMAP_DRAM_TRACE.csv", [
        "0.0,5.0,6.0,7.0", "1.0,8.0,9.0,1.0", "2.0,4.0,-1.0,1.0", "3.0,-1.0,-1.0,1.0",
    ])
    assert accesses(path, "ifmap") == [(0, 5), (0, 6), (0, 7), (1, 8), (1, 9), (2, 4)]


def test_ifmap_address_one_at_a_batch_boundary_is_the_documented_ambiguity(tmp_path):
    # A width-3 batch whose last row ends in address 1, then a width-2 batch: the row looks like
    # a row of the narrower batch, so the 1 is taken as padding (see traces_reader docstring).
    path = write_trace(tmp_path, "IFMAP_DRAM_TRACE.csv", [
        "0.0,5.0,6.0,7.0", "1.0,8.0,9.0,1.0", "2.0,3.0,4.0,1.0", "3.0,2.0,12.0,1.0",
    ])
    assert (1, 1) not in accesses(path, "ifmap")


def test_single_batch_trace_keeps_a_trailing_address_one(tmp_path):
    # Without other batches nothing can be padded: `0.0,5.0,1.0` is two real fills.
    path = write_trace(tmp_path, "IFMAP_DRAM_TRACE.csv", ["-1.0,5.0,1.0"])
    assert accesses(path, "ifmap") == [(-1, 5), (-1, 1)]


def test_ofmap_dram_trace_is_not_width_padded(tmp_path):
    path = write_trace(tmp_path, "OFMAP_DRAM_TRACE.csv", ["9.0,20000001.0,20000002.0", "10.0,20000003.0,-1.0"])
    assert accesses(path, "ofmap") == [(9, 20000001), (9, 20000002), (10, 20000003)]


@pytest.mark.parametrize("subdivision", ["ifmap", "filter", "ofmap"])
def test_tiny_blocks_give_the_same_events_as_one_block(subdivision):
    # 1000-byte blocks cut the traces into ~10-line pieces: the padding decision must carry over.
    for name in TRACE_FILES[subdivision]:
        path = PADDING_RUN / "layer0" / name
        assert accesses(path, subdivision, block_bytes=1000) == accesses(path, subdivision)


def test_events_of_a_layer_folder():
    # ofmap: writes from the OFMAP SRAM trace, reads from the OFMAP DRAM trace; 8x8 outputs x 16 filters.
    events = load_buffer_events(PADDING_RUN / "layer0", "ofmap")
    assert len(events.write_addresses) == len(events.read_addresses) == 8 * 8 * 16
    assert sorted(events.write_addresses.tolist()) == list(range(20000000, 20000000 + 1024))
    assert events.read_cycles.min() == 759  # DRAM OFMAP Start Cycle of the report


def test_total_cycles_from_the_compute_report():
    assert read_total_cycles(PADDING_RUN) == {0: 1375}


# --- bad input ------------------------------------------------------------------------------------


def assert_input_error(call, *fragments):
    with pytest.raises(InputError) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value)
    return caught.value


def test_truncated_last_line(tmp_path):
    path = tmp_path / "IFMAP_SRAM_TRACE.csv"
    path.write_text("1,0,-1,2\n2,3,4,5\n3,6")
    error = assert_input_error(lambda: accesses(path, "ifmap"), str(path), "line 3", "expected 4")
    assert error.line == 3


@pytest.mark.parametrize("bad_line, expected", [
    ("3,6,abc,7", "'abc'"),
    ("3,6,7,8,9", "found 5"),
    ("3,6.5,7,8", "'6.5'"),
    ("", "found 1"),
])
def test_malformed_line_is_named(tmp_path, bad_line, expected):
    path = tmp_path / "IFMAP_SRAM_TRACE.csv"
    path.write_text(f"1,0,-1,2\n2,3,4,5\n{bad_line}\n4,1,1,1\n")
    assert_input_error(lambda: accesses(path, "ifmap"), str(path), "line 3", expected)


def test_malformed_line_in_a_later_block_gets_its_file_line_number(tmp_path):
    path = tmp_path / "FILTER_SRAM_TRACE.csv"
    good = [f"{cycle},10000000,10000001" for cycle in range(1, 500)]
    path.write_text("\n".join(good[:300] + ["301,10000000,x"] + good[300:]) + "\n")
    assert_input_error(lambda: accesses(path, "filter", block_bytes=256), "line 301", "'x'")


def test_empty_trace(tmp_path):
    path = tmp_path / "OFMAP_SRAM_TRACE.csv"
    path.write_text("")
    assert_input_error(lambda: accesses(path, "ofmap"), str(path), "empty trace")


def test_address_outside_the_buffer_range(tmp_path):
    # A FILTER address (>= 10000000) in the IFMAP trace on line 2.
    path = tmp_path / "IFMAP_SRAM_TRACE.csv"
    path.write_text("1,0,1\n2,10000005,-1\n")
    assert_input_error(lambda: accesses(path, "ifmap"), str(path), "line 2", "10000005", "[0, 10000000)")


def test_addresses_too_far_apart_to_analyse_name_the_trace(tmp_path):
    # Found by tests/test_properties_lifetimes.py: OFMAP's range reaches 2**63, and an address near
    # 2**62 in a trace stopped the lifetime analysis with a ValueError of its key packing.
    (tmp_path / "OFMAP_SRAM_TRACE.csv").write_text("0,20000000,-1\n1,4611686018427387904,20000001\n")
    (tmp_path / "OFMAP_DRAM_TRACE.csv").write_text("5.0,20000000.0,20000001.0\n")
    offsets = {"ifmap": 0, "filter": 10000000, "ofmap": 20000000}
    assert_input_error(lambda: lifetimes_from_trace_dir(tmp_path, "ofmap", offsets),
                       str(tmp_path / "OFMAP_SRAM_TRACE.csv"), "do not fit one 62-bit key")
    (tmp_path / "OFMAP_SRAM_TRACE.csv").write_text("0,20000000,-1\n")
    (tmp_path / "OFMAP_DRAM_TRACE.csv").write_text("4611686018427387904.0,20000000.0,-1.0\n")
    assert_input_error(lambda: lifetimes_from_trace_dir(tmp_path, "ofmap", offsets),
                       str(tmp_path / "OFMAP_DRAM_TRACE.csv"), "too far after the first write")


def test_folder_without_traces(tmp_path):
    (tmp_path / "layer0").mkdir()
    assert_input_error(lambda: find_layer_dirs(tmp_path), str(tmp_path), "no layer<i>/")
    assert_input_error(lambda: find_layer_dirs(tmp_path / "missing"), "not a directory")


def test_missing_or_bad_compute_report(tmp_path):
    assert_input_error(lambda: read_total_cycles(tmp_path), "COMPUTE_REPORT.csv", "missing")
    (tmp_path / "COMPUTE_REPORT.csv").write_text("LayerID, Total Cycles,\n0, 12,\n1, lots,\n")
    assert_input_error(lambda: read_total_cycles(tmp_path), "line 3", "lots")


def test_missing_trace_file_is_named(tmp_path):
    (tmp_path / "IFMAP_SRAM_TRACE.csv").write_text("1,0\n")
    assert_input_error(lambda: read_writes(tmp_path, "ifmap"), "IFMAP_DRAM_TRACE.csv", "missing trace file")


def test_streaming_keeps_memory_bounded_by_the_block(tmp_path):
    # 50,000 rows read in 16 kB blocks: no block holds more than 16 kB worth of rows.
    path = tmp_path / "IFMAP_SRAM_TRACE.csv"
    path.write_text("".join(f"{row + 1},{row % 1000},{(row + 1) % 1000}\n" for row in range(50_000)))
    sizes = [len(cycles) for cycles, _ in iter_accesses(path, "ifmap", DEFAULT_OFFSETS, block_bytes=1 << 14)]
    assert sum(sizes) == 100_000
    assert max(sizes) <= 2 * (1 << 14) // len("1,0,1\n")


def test_one_line_without_line_end(tmp_path):
    path = tmp_path / "OFMAP_SRAM_TRACE.csv"
    path.write_text("7,20000003,-1")
    assert accesses(path, "ofmap") == [(7, 20000003)]
