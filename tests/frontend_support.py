"""Hand-made `gainflow lifetimes` outputs and device libraries for the frontend tests.

The processed run (two layers, 20000 + 30000 cycles) and the three-technology
library use round numbers so that the tests can compute every expected value
by hand; the numbers are spelled out in test_frontend_report.py.
"""

import json

from gainflow.files import layout

AGGREGATE_HEADER = ("subdivision,intervals,mean,median,p90,max,min,reads,writes,dead_writes,"
                    "unfilled_reads,unique_addresses,cycles,read_rate,write_rate,writes_per_address")
LIFETIME_HEADER = "subdivision,address,lifetime,write_cycle,reads"

HARDWARE = {"run_name": "tiny_os", "array_height": 4, "array_width": 8, "ifmap_sram_kb": 1,
            "filter_sram_kb": 2, "ofmap_sram_kb": 1, "ifmap_offset": 0, "filter_offset": 10000000,
            "ofmap_offset": 20000000, "dataflow": "os", "interface_bandwidth": "CALC"}

# layer -> lifetime rows (subdivision, address, lifetime, write_cycle, reads)
LIFETIME_ROWS = {
    0: [("ifmap", 0, 500, 0, 2), ("ifmap", 1, 1000, 0, 1), ("filter", 10000000, 10000, 3, 4),
        ("ofmap", 20000000, 10001, 5, 1)],
    1: [("ifmap", 0, 20001, 0, 1), ("ofmap", 20000000, 0, 5, 1)],
}
# layer -> subdivision -> (intervals, reads, writes, dead_writes, unfilled_reads, unique_addresses)
AGGREGATE_COUNTS = {
    0: {"ifmap": (2, 3, 3, 1, 0, 2), "filter": (1, 4, 1, 0, 0, 1), "ofmap": (1, 1, 1, 0, 0, 1)},
    1: {"ifmap": (1, 2, 1, 0, 1, 1), "filter": (0, 0, 0, 0, 0, 0), "ofmap": (1, 1, 1, 0, 0, 1)},
}
LAYER_CYCLES = {0: 20000, 1: 30000}
# layer -> the first read cycle of each lifetime row (a further column `first_read_cycle`): prefetch
# slacks 400, 1000, 9000, 10001 and 20001, 0; lifetimes from the first read 100, 0, 1000, 0 and 0, 0.
FIRST_READS = {0: [400, 1000, 9003, 10006], 1: [20001, 5]}


def write_processed_run(run_dir, *, hardware=HARDWARE, lifetime_rows=LIFETIME_ROWS,
                        aggregate_counts=AGGREGATE_COUNTS, first_reads=None):
    """Write run_info.json and the per-layer CSVs in the `gainflow lifetimes` layout; with
    `first_reads` (as FIRST_READS), the lifetime tables have a column `first_read_cycle`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    layers = [{"index": i, "name": f"conv{i + 1}", "macs": 1000 * (i + 1), "total_cycles": cycles}
              for i, cycles in LAYER_CYCLES.items()]
    info = {"run_name": "tiny_os", "topology": {"name": "tiny", "path": "topologies/tiny.csv",
                                                "input_type": "conv"},
            "hardware": hardware, "layers": layers}
    (run_dir / layout.RUN_INFO).write_text(json.dumps(info, indent=1))
    for index, cycles in LAYER_CYCLES.items():
        layout.layer_dir(run_dir, index).mkdir(exist_ok=True)
        rows = [LIFETIME_HEADER] + [",".join(map(str, row)) for row in lifetime_rows[index]]
        if first_reads is not None:
            rows = [f"{row},{cycle}" for row, cycle in zip(rows, ["first_read_cycle", *first_reads[index]])]
        layout.layer_file(run_dir, index, layout.LIFETIME_TABLE).write_text("\n".join(rows) + "\n")
        # The statistics columns are not read by the frontend: written as 0 here.
        aggregate = [AGGREGATE_HEADER] + [
            f"{name},{counts[0]},0,0,0,0,0,{counts[1]},{counts[2]},{counts[3]},{counts[4]},"
            f"{counts[5]},{cycles},0,0,0"
            for name, counts in aggregate_counts[index].items()]
        layout.layer_file(run_dir, index, layout.AGGREGATE_TABLE).write_text("\n".join(aggregate) + "\n")
    return run_dir


def quantity(value, unit):
    return {"value": value, "unit": unit, "source": "test value"}


# Three technologies: static SRAM, a 10 us gain cell "GC" and a denser 1 us "Dense".
GC_LIST = {
    "baseline": "SRAM",
    "technologies": {
        "SRAM": {"retention": {"static": True, "source": "test"}},
        "GC": {"retention": quantity(10, "us")},
        "Dense": {"retention": quantity(1, "us")},
    },
}
AREA_POWER = {
    "technologies": {
        "SRAM": {"area_per_bit": quantity(0.1, "um^2/bit"), "read_energy_per_bit": quantity(10, "fJ/bit"),
                 "write_energy_per_bit": quantity(20, "fJ/bit"),
                 "leakage_power_per_bit": quantity(1, "nW/bit")},
        "GC": {"area_per_bit": quantity(0.05, "um^2/bit"), "read_energy_per_bit": quantity(2, "fJ/bit"),
               "write_energy_per_bit": quantity(3, "fJ/bit"),
               "refresh_energy_per_bit": quantity(5, "fJ/bit"),
               "leakage_power_per_bit": quantity(0.1, "nW/bit")},
        "Dense": {"area_per_bit": quantity(0.02, "um^2/bit"), "read_energy_per_bit": quantity(1, "fJ/bit"),
                  "write_energy_per_bit": quantity(1, "fJ/bit"),
                  "refresh_energy_per_bit": quantity(100, "fJ/bit"),
                  "leakage_power_per_bit": quantity(0.08, "nW/bit")},
    },
}


def write_device_files(directory, gc_list=GC_LIST, area_power=AREA_POWER):
    directory.mkdir(parents=True, exist_ok=True)
    gc_path, ap_path = directory / "simple_gc_list.json", directory / "area_power.json"
    gc_path.write_text(json.dumps(gc_list, indent=1))
    ap_path.write_text(json.dumps(area_power, indent=1))
    return gc_path, ap_path


def numeric_leaves(node):
    """Every dict in a device file that holds a numeric 'value'."""
    if isinstance(node, dict):
        if isinstance(node.get("value"), int | float):
            yield node
        for child in node.values():
            yield from numeric_leaves(child)
