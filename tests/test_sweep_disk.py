"""The disk estimate of a sweep's outputs (gainflow.sweep.disk): counted by hand on a small layer, the
warning against a free space given as an argument, and a real Snakemake run that prints it."""

import dataclasses
import shutil

import yaml
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import Layer, load_topology
from gainflow.sweep import disk, resources
from workflow_support import ROOT, make_workflow_copy, snakemake

# tests/data/workflow/tiny.csv conv1 (test_sweep_resources counts its work by hand) on an 8x8 os array.
CONV1 = Layer("conv1", 8, 8, 3, 3, 2, 4, 1, 1)


@dataclasses.dataclass(frozen=True)
class Array:
    dataflow: str = "os"
    array_height: int = 8
    array_width: int = 8
    ifmap_sram_kb: int = 1
    filter_sram_kb: int = 1
    ofmap_sram_kb: int = 1


def test_a_layers_files_by_hand():
    work = resources.layer_work(CONV1, Array())
    # 160 demand rows (3 digits); addresses up to 144 (3 digits); 128 + 72 + 224 = 424 writes.
    # "filter," address, lifetime, write cycle (with a minus sign), 2-digit reads, first read cycle, "\n".
    row = len("filter,") + 3 + 1 + 3 + 1 + (1 + 3) + 1 + 2 + 1 + 3 + 1
    assert row == 27
    assert disk.lifetime_table_bytes(work) == 424 * 27
    # Per cycle an SRAM and a DRAM row per buffer: 8 + 2 x 8 ports, 4 bytes an address.
    assert disk.trace_bytes(work, Array()) == 2 * 160 * 24 * 4
    histogram = 160  # 160 cycles, a byte each
    assert disk.layer_bytes(work, Array(), tables=False, traces=False) == 40_000 + histogram
    assert disk.layer_bytes(work, Array(), tables=True, traces=True) == 40_000 + histogram + 424 * 27 + 2 * 160 * 24 * 4
    assert disk.run_bytes([work, work], Array(), 3, tables=False, traces=False) == \
        10_000 + 3 * 40_000 + 2 * (40_000 + histogram)


def test_the_estimate_of_a_measured_table_is_within_twice_its_size():
    # AlexNet layer 4 on scale32_os wrote a 140,987,403-byte lifetime table (4,089,088 intervals).
    layer = load_topology(ROOT / "topologies" / "alexnet.csv")[4]
    work = resources.layer_work(layer, load_hardware_config(ROOT / "hardware" / "scale32_os.cfg"))
    assert 140_987_403 <= disk.lifetime_table_bytes(work) <= 2 * 140_987_403


def test_the_warning_only_when_the_outputs_exceed_the_free_space():
    assert disk.disk_warning(10**9, 10**9, "results") is None
    warning = disk.disk_warning(53_000_000_000, 2_000_000_000, "results")
    assert warning.startswith("gainflow: WARNING: this run's outputs are estimated at 53.0 GB, more than the 2.0 GB "
                              "free on the file system of results/.")
    assert "lifetime_tables" in warning


def test_full_context_gpt2_with_tables_does_not_fit_a_small_disk():
    hw = load_hardware_config(ROOT / "hardware" / "eyeriss_ws.cfg")
    works = [resources.layer_work(layer, hw) for layer in load_topology(ROOT / "topologies" / "gpt2_gemm.csv", "gemm")]
    with_tables = disk.run_bytes(works, hw, 1, tables=True, traces=False)
    without = disk.run_bytes(works, hw, 1, tables=False, traces=False)
    assert with_tables > 10**10 > 10**9 > without
    assert disk.disk_warning(with_tables, 10**10, "results") is not None
    assert disk.disk_warning(without, 10**10, "results") is None


def test_free_space_of_a_folder_not_made_yet_is_its_file_systems(tmp_path):
    assert disk.free_bytes(tmp_path / "results" / "x") == shutil.disk_usage(tmp_path).free


# Full-context GPT-2 with per-interval tables and traces on arrays down to 1x1: petabytes of outputs.
HUGE_SWEEP = {"topologies": ["gpt2_gemm"], "hardware": ["eyeriss_ws"], "clock_hz": [1.0e9],
              "lifetime_tables": True, "save_traces": True,
              "hardware_grid": {"base": "eyeriss_ws", "array": ["1x1", "1x2", "2x1", "2x2", "4x4"],
                                "dataflow": ["os", "ws", "is"], "ifmap_sram_kb": [1, 2, 4, 8],
                                "filter_sram_kb": [1, 2], "ofmap_sram_kb": [1, 2]}}


def test_a_run_warns_before_its_jobs_when_the_outputs_exceed_the_free_space(tmp_path):
    config = tmp_path / "huge.yaml"
    config.write_text(yaml.safe_dump(HUGE_SWEEP))
    workdir = make_workflow_copy(tmp_path / "run", config, [ROOT / "topologies" / "gpt2_gemm.csv"],
                                 [ROOT / "hardware" / "eyeriss_ws.cfg"])
    free = disk.free_bytes(workdir / "results")
    assert free < 10**15  # no file system here holds a petabyte
    result = snakemake(workdir, "results/hardware/eyeriss_ws.cfg")
    assert "gainflow: WARNING: this run's outputs are estimated at" in result.stderr
    assert "free on the file system of results/" in result.stderr
    assert (workdir / "results" / "hardware" / "eyeriss_ws.cfg").is_file()  # a warning: the run went on
    # A dry run starts nothing and warns of nothing.
    assert "WARNING" not in snakemake(workdir, "--dry-run").stderr
