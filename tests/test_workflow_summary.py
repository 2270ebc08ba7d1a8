"""gainflow.sweep.summary: the sweep table from hand-made reports (values and ratios computed by hand)."""

import csv
import json

from gainflow.sweep.summary import TABLE_COLUMNS, write_summary


def energy(read, write, refresh, leakage):
    return {"read_j": read, "write_j": write, "refresh_j": refresh, "dynamic_j": read + write + refresh,
            "leakage_j": leakage, "total_j": read + write + refresh + leakage}


def technology(static, retention_s, refreshes, share, area_mm2, energy_record):
    return {
        "parameters": {"static": static, "retention_s": retention_s},
        "total": {"refreshes": refreshes, "within_retention": {"accesses_share": share},
                  "area_capacity_mm2": area_mm2, "energy": energy_record},
    }


def composition(area_mm2, energy_record, area_ratio, energy_ratio):
    return {"area_mm2": area_mm2, "energy": energy_record,
            "vs_baseline": {"area": area_ratio, "total_energy": energy_ratio}}


def report(topology, hardware):
    sram_energy = energy(4.0, 2.0, 0.0, 2.0)  # total 8 J
    gc_energy = energy(1.0, 0.5, 0.5, 0.0)  # total 2 J
    return {
        "workload": {"topology": topology, "run_name": hardware, "dataflow": "os", "array_height": 8,
                     "array_width": 4, "layers": 3, "total_cycles": 445, "clock_hz": 1e9},
        "device_library": {"baseline": "SRAM", "technology_order": ["SRAM", "GC"]},
        "technologies": {
            "SRAM": technology(True, None, 0, 1.0, 2.0, sram_energy),
            "GC": technology(False, 1e-5, 7, 0.75, 0.5, gc_energy),
        },
        "lifetime_statistics": {
            name: {"intervals": 2, "min_cycles": 0, "median_cycles": 5.0, "p90_cycles": 9.0, "max_cycles": 10}
            for name in ("ifmap", "filter", "ofmap")
        },
        "composition": {
            "min_energy_per_buffer": composition(0.5, gc_energy, 0.25, 0.25),
            "retention_split": composition(1.25, sram_energy, 0.625, 1.0),
        },
    }


def test_table_rows_and_ratios(tmp_path):
    paths = []
    for name, (topology, hardware) in {"a": ("net", "hw1"), "b": ("net", "hw2")}.items():
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(report(topology, hardware)))
    plots = {name: tmp_path / f"{name}.png" for name in ("area", "energy", "lifetimes")}
    write_summary(paths, tmp_path / "summary.csv", plots, dpi=40)

    with (tmp_path / "summary.csv").open() as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == TABLE_COLUMNS
        rows = list(reader)
    # Per run: the two technologies in library order, then the two compositions.
    assert [(r["hardware"], r["design"]) for r in rows] == [
        (hw, design) for hw in ("hw1", "hw2")
        for design in ("SRAM", "GC", "min-energy per buffer", "retention split")
    ]
    sram, gc, min_energy, split = rows[:4]
    assert sram["array"] == "8x4" and sram["retention_s"] == "" and sram["total_energy_j"] == "8.0"
    assert sram["area_vs_baseline"] == "1.0" and sram["energy_vs_baseline"] == "1.0"
    # GC: 0.5 mm2 / 2.0 mm2 = 0.25; 2 J / 8 J = 0.25.
    assert gc["retention_s"] == "1e-05" and gc["refreshes"] == "7" and gc["accesses_within_retention"] == "0.75"
    assert gc["area_vs_baseline"] == "0.25" and gc["energy_vs_baseline"] == "0.25"
    assert gc["refresh_energy_j"] == "0.5" and gc["leakage_energy_j"] == "0.0"
    # Compositions take the report's own ratios.
    assert (min_energy["area_vs_baseline"], min_energy["energy_vs_baseline"]) == ("0.25", "0.25")
    assert (split["area_mm2"], split["area_vs_baseline"], split["energy_vs_baseline"]) == ("1.25", "0.625", "1.0")
    for path in plots.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_reports_give_the_same_bytes(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report("net", "hw1")))
    outputs = []
    for run in ("one", "two"):
        folder = tmp_path / run
        folder.mkdir()
        plots = {name: folder / f"{name}.png" for name in ("area", "energy", "lifetimes")}
        write_summary([path], folder / "summary.csv", plots, dpi=40)
        outputs.append([(folder / name).read_bytes() for name in ("summary.csv", "area.png", "lifetimes.png")])
    assert outputs[0] == outputs[1]
