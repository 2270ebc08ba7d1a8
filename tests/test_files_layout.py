"""The names of a run's files, written out once by hand: the layout every other test reaches
through gainflow.files.layout."""

from pathlib import Path

import pytest
from gainflow.files import layout


def test_run_directory_names():
    assert layout.REPORT_FILES == ("COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv")
    assert [layout.sram_trace_name(name) for name in ("ifmap", "filter", "ofmap")] == [
        "IFMAP_SRAM_TRACE.csv", "FILTER_SRAM_TRACE.csv", "OFMAP_SRAM_TRACE.csv"]
    assert layout.dram_trace_name("ofmap") == "OFMAP_DRAM_TRACE.csv"
    assert (layout.RUN_INFO, layout.FRONTEND_REPORT, layout.TRACES_DIR) == (
        "run_info.json", "frontend_report.json", "traces")


def test_sweep_names():
    assert layout.sweep_report_name("1.5GHz", "nominal", "fill") == "report-1.5GHz-nominal-fill.json"
    assert layout.sweep_report_name("{clock}", "{corner}", "{start}") == "report-{clock}-{corner}-{start}.json"
    assert (layout.SUMMARY_DIR, layout.SWEEP_HARDWARE_DIR) == ("summary", "hardware")


def test_per_layer_files():
    assert layout.layer_dir("out/run", 3) == Path("out/run/layer3")
    assert [layout.layer_file("out/run", 3, kind) for kind in layout.LAYER_FILE_KINDS] == [
        Path("out/run/layer3/layer3_lifetime_data.csv"), Path("out/run/layer3/layer3_lifetime_histogram.csv.gz"),
        Path("out/run/layer3/layer3_aggregate_data.csv"), Path("out/run/layer3/layer3_graph.png"),
        Path("out/run/layer3/layer3_graph_data.json")]
    assert layout.part_file_name(3, "filter") == "layer3_filter.part"
    with pytest.raises(ValueError, match="unknown per-layer file kind"):
        layout.layer_file_name(0, "lifetimes.csv")


def test_snakemake_patterns_keep_their_wildcards():
    assert str(layout.layer_file("results/{topo}/{hw}", "{layer}", layout.AGGREGATE_TABLE)) == (
        "results/{topo}/{hw}/layer{layer}/layer{layer}_aggregate_data.csv")
    assert layout.part_file_name("{layer}", "{sub}") == "layer{layer}_{sub}.part"


@pytest.mark.parametrize("name, index", [("layer0", 0), ("layer12", 12), ("layer", None), ("layer1a", None),
                                         ("Layer1", None), ("xlayer1", None), ("layer-1", None)])
def test_layer_folder_names(name, index):
    assert layout.layer_index_of(name) == index
