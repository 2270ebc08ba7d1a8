"""The sweep's results do not depend on how it was run: a small real Snakemake sweep (2 topologies x 2
hardware configs x 2 clocks, in temporary repository copies) run with --cores 2, with --cores 1, and
with the config's topology, hardware and clock lists in another order gives byte-identical files,
every report, per-layer file, plot and the summary table. The summary's rows follow the documented
order (topology, hardware point by its parameters, clock), not the config's."""

import csv
import io

import pytest
import yaml
from gainflow.files import layout
from workflow_support import TINY, failed_dry_run, make_workflow_copy, snakemake

SMALL_CONV = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n" \
             "c1, 7, 7, 2, 2, 3, 10, 2,\n"
CONFIG = {"topologies": ["small", "tiny1_gemm"], "hardware": ["tiny_os", "tiny_ws"], "clock_hz": [1.0e9, 5.0e8]}
PERMUTED = {"topologies": ["tiny1_gemm", "small"], "hardware": ["tiny_ws", "tiny_os"], "clock_hz": [5.0e8, 1.0e9]}


def sweep(root, config, cores):
    """Every file of a completed sweep under results/: relative path -> bytes."""
    (root / "inputs").mkdir(parents=True)
    small = root / "inputs" / "small.csv"
    small.write_text(SMALL_CONV)
    config_path = root / "inputs" / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    workdir = make_workflow_copy(root / "repo", config=config_path, topologies=[small, TINY / "tiny1_gemm.csv"],
                                 hardware=[TINY / "tiny_os.cfg", TINY / "tiny_ws.cfg"])
    snakemake(workdir, cores=cores)
    results = workdir / "results"
    return {str(path.relative_to(results)): path.read_bytes() for path in sorted(results.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("cores2"), CONFIG, cores=2)


def test_reference_sweep_is_complete(reference):
    reports = [name for name in reference if name.endswith(".json") and "/report-" in name]
    assert len(reports) == 2 * 2 * 2
    assert f"{layout.SUMMARY_DIR}/{layout.SUMMARY_TABLE}" in reference
    assert any(name.endswith(layout.GRAPH) for name in reference)


def test_one_core_gives_the_same_bytes(reference, tmp_path):
    assert sweep(tmp_path, CONFIG, cores=1) == reference


def test_sweep_order_gives_the_same_bytes(reference, tmp_path):
    assert sweep(tmp_path, PERMUTED, cores=2) == reference


def test_summary_rows_follow_topology_hardware_clock_not_the_config(reference):
    rows = list(csv.DictReader(io.StringIO(reference[f"{layout.SUMMARY_DIR}/{layout.SUMMARY_TABLE}"].decode())))
    runs = list(dict.fromkeys((row["topology"], row["hardware"], float(row["clock_hz"])) for row in rows))
    # tiny_os and tiny_ws differ only in their dataflow: os sorts first.
    assert runs == [(topology, hardware, clock) for topology in ("small", "tiny1_gemm")
                    for hardware in ("tiny_os", "tiny_ws") for clock in (5.0e8, 1.0e9)]


def test_clock_beyond_float64_stops_the_dry_run_naming_the_key(tmp_path):
    # Found by tests/test_properties_inputs.py: this clock crashed sweep_clocks with decimal.Overflow
    # (and the spelled-number conversion must leave it as text, not hang): the schema names it.
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"topologies": ["tiny"], "hardware": ["tiny_os"], "clock_hz": [1e9, "1e9999999"]}))
    output = failed_dry_run(make_workflow_copy(tmp_path / "repo", config=config))
    assert "On instance['clock_hz']" in output and "'1e9999999'" in output
    assert "Traceback" not in output
