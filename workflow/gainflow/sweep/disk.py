"""The disk a sweep's outputs will take, estimated before it runs from the same closed-form work counts
as the job resources (gainflow.sweep.resources.LayerWork), and the warning the workflow prints when that
exceeds the free space of the results directory's file system.

An estimate, not a bound: the per-interval tables are counted at one row per write event (at least
one interval per write is never exceeded; measured on AlexNet layer 4 on scale32_os: 4.09 million rows
against 6.92 million writes), the (compressed) histogram files at HISTOGRAM_BYTES_PER_CYCLE of the
layer's cycles, the traces at two digits-wide entries per port and cycle. The lifetime jobs' temporary
hand-over files and Snakemake's own files are not counted.
"""

import shutil
from pathlib import Path

# Measured sizes (a run of the tiny test sweep and AlexNet on scale32_os, 2026-12-02), rounded up.
LAYER_FILES_BYTES = 40_000  # per layer: graph PNG (~30 kB), aggregate table, graph data
# A gzip-compressed histogram file per layer cycle (demand row): 8.1 MB for 7.9 M cycles over the
# layers of ResNet-18 and MobileNet on 32x32 arrays with 64 and 512 kB buffers (the study's largest
# files; median 1.0 per layer), fewer on larger arrays.
HISTOGRAM_BYTES_PER_CYCLE = 1
RUN_FILES_BYTES = 10_000  # per run: SCALE-Sim's three reports, run_info.json
REPORT_BYTES = 40_000  # one JSON report (27.5 kB on the tiny sweep)
SUMMARY_BYTES = 500_000  # summary table and plots (200 kB on the tiny sweep)
# A per-interval table row: subdivision, address, lifetime, write cycle, reads, first read cycle. Beside
# the numbers as wide as the layer's: the name, a minus sign (a fill before the layer's first cycle),
# two digits of reads, five commas and the newline.
TABLE_ROW_FIXED_BYTES = len("filter") + 1 + 2 + 6


def digits(number):
    return len(str(max(int(number), 0)))


def lifetime_table_bytes(work):
    """A layer's per-interval lifetime table: at most one row per write event, each row as wide as
    the layer's largest address and cycle numbers (the layer's demand rows count its cycles)."""
    row = TABLE_ROW_FIXED_BYTES + digits(max(work.footprint.values())) + 3 * digits(work.demand_rows)
    return sum(work.writes.values()) * row


def trace_bytes(work, hw):
    """A layer's SCALE-Sim traces (`save_traces`): per cycle an SRAM and a DRAM row per buffer, an
    address (or -1) per port; a buffer has as many ports as the array has rows or columns."""
    ports = hw.array_height + 2 * hw.array_width
    return 2 * work.demand_rows * ports * (digits(max(work.footprint.values())) + 1)


def layer_bytes(work, hw, *, tables, traces):
    """The files of one layer of a run: `work` its LayerWork on `hw` (the run's array)."""
    histogram = HISTOGRAM_BYTES_PER_CYCLE * work.demand_rows
    return (LAYER_FILES_BYTES + histogram + (lifetime_table_bytes(work) if tables else 0)
            + (trace_bytes(work, hw) if traces else 0))


def run_bytes(works, hw, reports, *, tables, traces):
    """A (topology, hardware) run: its layers' files (`works`: the LayerWork of each layer still to
    do), its SCALE-Sim reports and `reports` JSON reports."""
    return (RUN_FILES_BYTES + reports * REPORT_BYTES
            + sum(layer_bytes(work, hw, tables=tables, traces=traces) for work in works))


def free_bytes(path):
    """Free space of the file system that holds `path` (or would: its nearest existing parent)."""
    path = Path(path).absolute()
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free


def gigabytes(count):
    return f"{count / 1e9:.1f} GB"


def disk_warning(needed, free, results_dir):
    """The warning to print when the outputs (`needed` bytes) exceed the `free` bytes of the file
    system of `results_dir`; None when they fit."""
    if needed <= free:
        return None
    return (f"gainflow: WARNING: this run's outputs are estimated at {gigabytes(needed)}, more than the "
            f"{gigabytes(free)} free on the file system of {results_dir}/. The run goes on, but may fail "
            f"with a full disk: free some space, give fewer targets, or turn off `lifetime_tables` and "
            f"`save_traces` (the per-interval tables and the traces are the large files).")
