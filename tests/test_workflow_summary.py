"""gainflow.sweep: the summary table, Pareto front and plots from hand-made reports (expected values
computed by hand)."""

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.sweep.pareto import pareto_front
from gainflow.sweep.plots import share_lines, spread
from gainflow.sweep.reports import load_runs
from gainflow.sweep.summary import TABLE_COLUMNS, write_summary

ADAPTER = Path(__file__).resolve().parents[1] / "workflow" / "scripts" / "summary.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DESIGNS = ("SRAM", "GC", "min-energy per buffer", "retention split")


def energy(read, write, refresh, leakage):
    return {"read_j": read, "write_j": write, "refresh_j": refresh, "dynamic_j": read + write + refresh,
            "leakage_j": leakage, "total_j": read + write + refresh + leakage}


def technology(static, retention_s, refreshes, share, area_mm2, energy_record):
    return {
        "parameters": {"static": static, "retention_s": retention_s},
        "total": {"refreshes": refreshes, "within_retention": {"accesses_share": share},
                  "area_capacity_mm2": area_mm2, "energy": energy_record},
    }


def composition(area_mm2, energy_record):
    return {"area_mm2": area_mm2, "energy": energy_record}


def report(topology="net", hardware="hw1", rows=8, columns=4, dataflow="os", kb=(1, 2, 4), clock_hz=1e9,
           corner=None, gc_share=0.75):
    sram_energy = energy(4.0, 2.0, 0.0, 2.0)  # total 8 J
    gc_energy = energy(1.0, 0.5, 0.5, 0.0)  # total 2 J
    library = {"baseline": "SRAM", "technology_order": ["SRAM", "GC"]}
    if corner is not None:
        library["corner"] = corner
    return {
        "workload": {"topology": topology, "run_name": hardware, "dataflow": dataflow, "array_height": rows,
                     "array_width": columns, "buffer_kb": dict(zip(("ifmap", "filter", "ofmap"), kb)),
                     "layers": 3, "total_cycles": 445, "clock_hz": clock_hz},
        "device_library": library,
        "technologies": {
            "SRAM": technology(True, None, 0, 1.0, 2.0, sram_energy),
            "GC": technology(False, 1e-5, 7, gc_share, 0.5, gc_energy),
        },
        "composition": {
            "min_energy_per_buffer": composition(0.5, gc_energy),
            "retention_split": composition(1.25, energy(3.0, 1.0, 0.0, 2.0)),  # total 6 J
        },
    }


def write_reports(folder, reports):
    paths = []
    for index, data in enumerate(reports):
        paths.append(folder / f"report{index}.json")
        paths[-1].write_text(json.dumps(data))
    return paths


def summarise(folder, paths, topologies=("net",)):
    """Run write_summary into `folder`; return the table's rows."""
    pareto = {topology: folder / f"pareto_{topology}.png" for topology in topologies}
    write_summary(paths, folder / "summary.csv", pareto, folder / "sensitivity.png", dpi=40)
    with (folder / "summary.csv").open() as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == TABLE_COLUMNS
        return list(reader)


# ----------------------------------------------------------------------------- table


def test_rows_values_and_ratios(tmp_path):
    # Given out of order: rows follow topology, then array size, dataflow, buffers, then clock and corner.
    reports = [
        report(hardware="big", rows=16, columns=16, kb=(8, 8, 16), clock_hz=5e8),
        report(hardware="small", clock_hz=2e9, corner="slow"),
        report(hardware="small", clock_hz=2e9),
        report(hardware="small", clock_hz=1e9),
        report(topology="alpha", hardware="small"),
    ]
    rows = summarise(tmp_path, write_reports(tmp_path, reports), topologies=("net", "alpha"))
    runs = [("alpha", "small", "1000000000.0", "default"), ("net", "small", "1000000000.0", "default"),
            ("net", "small", "2000000000.0", "default"), ("net", "small", "2000000000.0", "slow"),
            ("net", "big", "500000000.0", "default")]
    assert [(r["topology"], r["hardware"], r["clock_hz"], r["device_corner"], r["design"]) for r in rows] == [
        (*run, design) for run in runs for design in DESIGNS]
    sram, gc, min_energy, split = rows[:4]
    assert (sram["array_rows"], sram["array_columns"], sram["dataflow"]) == ("8", "4", "os")
    assert (sram["ifmap_sram_kb"], sram["filter_sram_kb"], sram["ofmap_sram_kb"]) == ("1", "2", "4")
    assert (rows[-1]["array_rows"], rows[-1]["ofmap_sram_kb"]) == ("16", "16")
    assert (sram["layers"], sram["total_cycles"]) == ("3", "445")
    assert [r["design_kind"] for r in rows[:4]] == ["baseline", "technology", "composition", "composition"]
    assert sram["retention_s"] == "" and sram["refreshes"] == "0" and sram["accesses_within_retention"] == "1.0"
    assert sram["total_energy_j"] == "8.0" and sram["area_vs_baseline"] == "1.0" and sram["energy_vs_baseline"] == "1.0"
    # GC: 0.5 mm2 / 2.0 mm2 = 0.25; 2 J / 8 J = 0.25.
    assert gc["retention_s"] == "1e-05" and gc["refreshes"] == "7" and gc["accesses_within_retention"] == "0.75"
    assert (gc["read_energy_j"], gc["write_energy_j"], gc["refresh_energy_j"], gc["leakage_energy_j"]) == (
        "1.0", "0.5", "0.5", "0.0")
    assert gc["area_vs_baseline"] == "0.25" and gc["energy_vs_baseline"] == "0.25"
    # Compositions: no retention, refreshes or share; retention split 1.25 / 2.0 = 0.625, 6 J / 8 J = 0.75.
    assert (min_energy["retention_s"], min_energy["refreshes"], min_energy["accesses_within_retention"]) == ("", "", "")
    assert (min_energy["area_vs_baseline"], min_energy["energy_vs_baseline"]) == ("0.25", "0.25")
    assert (split["area_mm2"], split["total_energy_j"]) == ("1.25", "6.0")
    assert (split["area_vs_baseline"], split["energy_vs_baseline"]) == ("0.625", "0.75")


def test_lifetime_start_is_one_more_axis_and_the_plots_show_one_start(tmp_path, monkeypatch):
    # The same point with lifetimes from the first read and from the fill (the latter written without
    # the key, as reports before the first read was measured): two runs, fill first.
    first_read = with_value(report(gc_share=0.9), "first_read", "workload", "lifetime_start")
    rows = summarise(tmp_path, write_reports(tmp_path, [first_read, report()]))
    assert [(r["lifetime_start"], r["design"]) for r in rows] == [
        (start, design) for start in ("fill", "first_read") for design in DESIGNS]
    assert [r["accesses_within_retention"] for r in rows if r["design"] == "GC"] == ["0.75", "0.9"]
    plotted = []
    from gainflow.sweep import plots
    monkeypatch.setattr(plots, "plot_sensitivity", lambda runs, path, dpi: plotted.extend(runs))
    monkeypatch.setattr(plots, "plot_pareto", lambda topology, runs, path, dpi: None)
    summarise(tmp_path, write_reports(tmp_path, [first_read, report()]))
    assert [run.lifetime_start for run in plotted] == ["fill"]
    summarise(tmp_path, write_reports(tmp_path, [first_read]))
    assert [run.lifetime_start for run in plotted[1:]] == ["first_read"]


def test_undefined_share_and_ratio_are_empty_cells(tmp_path):
    data = report(gc_share=None)
    data["technologies"]["SRAM"]["total"]["area_capacity_mm2"] = 0  # zero-sized baseline: no area ratio
    rows = summarise(tmp_path, write_reports(tmp_path, [data]))
    gc = rows[1]
    assert gc["accesses_within_retention"] == "" and gc["area_vs_baseline"] == ""
    assert gc["energy_vs_baseline"] == "0.25"


def test_ratios_have_the_reports_twelve_significant_digits(tmp_path):
    data = report()
    data["technologies"]["SRAM"]["total"]["area_capacity_mm2"] = 3.0
    data["technologies"]["GC"]["total"]["area_capacity_mm2"] = 1.0
    gc = summarise(tmp_path, write_reports(tmp_path, [data]))[1]
    assert gc["area_vs_baseline"] == "0.333333333333"  # 1 / 3


def test_same_reports_give_the_same_bytes_in_any_order(tmp_path):
    reports = [report(hardware="a"), report(hardware="b", dataflow="ws", rows=16, gc_share=0.5),
               report(hardware="a", corner="slow")]
    paths = write_reports(tmp_path, reports)
    outputs = []
    for name, order in (("one", paths), ("two", paths[::-1])):
        folder = tmp_path / name
        folder.mkdir()
        summarise(folder, order)
        outputs.append({path.name: path.read_bytes() for path in sorted(folder.iterdir())})
    assert sorted(outputs[0]) == ["pareto_net.png", "sensitivity.png", "summary.csv"]
    assert all(data.startswith(PNG_SIGNATURE) for name, data in outputs[0].items() if name.endswith(".png"))
    assert outputs[0] == outputs[1]


# ----------------------------------------------------------------------------- Pareto front


def test_pareto_front_keeps_only_undominated_points_by_increasing_area():
    points = [(3, 1), (1, 5), (2, 2), (2.5, 3), (4, 4)]
    # (2.5, 3) is beaten by (2, 2); (4, 4) by (3, 1) and (2, 2).
    assert pareto_front(points) == [1, 2, 0]


def test_pareto_front_ties():
    # Equal x: only the lower y. Equal y: only the lower x.
    assert pareto_front([(1, 3), (1, 2), (2, 2), (3, 1)]) == [1, 3]


def test_pareto_front_keeps_every_duplicate_of_a_front_point():
    assert pareto_front([(2, 1), (1, 2), (2, 1), (3, 3), (3, 3)]) == [1, 0, 2]


def test_pareto_front_small_inputs():
    assert pareto_front([]) == []
    assert pareto_front([(5.0, 5.0)]) == [0]
    assert pareto_front([(1, 1), (2, 2), (0.5, 3)]) == [2, 0]


def test_front_labels_spread_evenly_with_both_ends():
    assert spread(list(range(5)), 12) == [0, 1, 2, 3, 4]
    assert spread(list(range(10)), 4) == [0, 3, 6, 9]
    assert spread(list(range(7)), 3) == [0, 3, 6]


# ----------------------------------------------------------------------------- sensitivity aggregation


def test_share_lines_take_median_minimum_and_maximum_per_dataflow_and_size(tmp_path):
    reports = [
        report(hardware="a", dataflow="ws", gc_share=0.2),
        report(hardware="b", dataflow="ws", gc_share=0.9, kb=(2, 2, 2)),  # same array size as "a"
        report(hardware="c", dataflow="ws", gc_share=0.4, clock_hz=2e9),
        report(hardware="d", dataflow="ws", gc_share=0.6, rows=16),
        report(hardware="e", dataflow="os", gc_share=None),  # no access: left out
        report(hardware="f", dataflow="os", gc_share=0.1, corner="slow"),
    ]
    runs = load_runs(write_reports(tmp_path, reports))
    lines = share_lines(runs, "GC", lambda run: run.pe_count)
    # ws at 32 PEs: 20, 90, 40 % -> median 40; at 64 PEs: 60 %.
    assert lines == {"os": [(32, 10.0, 10.0, 10.0)], "ws": [(32, 40.0, 20.0, 90.0), (64, 60.0, 60.0, 60.0)]}
    by_buffer = share_lines(runs, "GC", lambda run: run.total_buffer_kb)
    # ws at 6 kB: "b" alone; at 7 kB: 20, 40, 60 %.
    assert by_buffer["ws"] == [(6, 90.0, 90.0, 90.0), (7, 40.0, 20.0, 60.0)]


# ----------------------------------------------------------------------------- bad inputs


def without(data, *keys):
    data = copy.deepcopy(data)
    parent = data
    for key in keys[:-1]:
        parent = parent[key]
    del parent[keys[-1]]
    return data


def with_value(data, value, *keys):
    data = copy.deepcopy(data)
    parent = data
    for key in keys[:-1]:
        parent = parent[key]
    parent[keys[-1]] = value
    return data


@pytest.mark.parametrize("data, key", [
    (without(report(), "workload", "clock_hz"), "workload.clock_hz"),
    (without(report(), "workload", "buffer_kb"), "workload.buffer_kb"),
    (without(report(), "technologies", "GC"), "technologies.GC"),
    (without(report(), "composition", "retention_split", "energy", "leakage_j"),
     "composition.retention_split.energy.leakage_j"),
    (with_value(report(), "big", "technologies", "GC", "total", "area_capacity_mm2"),
     "technologies.GC.total.area_capacity_mm2"),
    (with_value(report(), 1.5, "technologies", "GC", "total", "within_retention", "accesses_share"),
     "technologies.GC.total.within_retention.accesses_share"),
    (with_value(report(), True, "workload", "array_height"), "workload.array_height"),
    (with_value(report(), 0, "workload", "clock_hz"), "workload.clock_hz"),
    (with_value(report(), 7, "device_library", "corner"), "device_library.corner"),
    (with_value(report(), "last_read", "workload", "lifetime_start"), "workload.lifetime_start"),
    (with_value(report(), "HBM", "device_library", "baseline"), "device_library.baseline"),
    (with_value(report(), [], "workload"), "workload"),
])
def test_bad_report_key_names_file_and_key(tmp_path, data, key):
    good, bad = write_reports(tmp_path, [report(hardware="good"), data])
    bad = bad.rename(tmp_path / "bad.json")
    with pytest.raises(InputError) as caught:
        summarise(tmp_path, [good, bad])
    assert caught.value.path == str(bad) and caught.value.key == key
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob("*.png")) == []


def test_a_wrong_value_is_shown_cut_short(tmp_path):
    data = with_value(report(), {"SRAM": list(range(100))}, "device_library", "technology_order")
    with pytest.raises(InputError, match=r"expected a non-empty list of names, got \{'SRAM': \[0, 1, 2,.*\.\.\.$"):
        load_runs(write_reports(tmp_path, [data]))


def test_unreadable_and_malformed_reports(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"workload":\n  {"topology": "net",\n}')
    with pytest.raises(InputError) as caught:
        load_runs([broken])
    assert caught.value.path == str(broken) and caught.value.line == 3
    broken.write_text("[1, 2]")
    with pytest.raises(InputError, match="JSON object"):
        load_runs([broken])
    with pytest.raises(InputError, match="cannot read") as caught:
        load_runs([tmp_path / "absent.json"])
    assert caught.value.path == str(tmp_path / "absent.json")


def test_two_reports_of_one_run_are_an_error(tmp_path):
    first, second = write_reports(tmp_path, [report(), report(corner="default")])
    with pytest.raises(InputError, match=str(first)) as caught:
        load_runs([first, second])
    assert caught.value.path == str(second)


def test_a_topology_without_reports_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no report of topology other"):
        summarise(tmp_path, write_reports(tmp_path, [report()]), topologies=("net", "other"))
    assert not (tmp_path / "summary.csv").exists()


def test_adapter_names_the_plots_by_topology_and_exits_2_on_bad_input(tmp_path):
    (good,) = write_reports(tmp_path, [report(topology="tiny_gemm")])
    outputs = ["--table", str(tmp_path / "summary.csv"), "--pareto", str(tmp_path / "pareto_tiny_gemm.png"),
               "--sensitivity", str(tmp_path / "sensitivity.png"), "--dpi", "40"]
    done = subprocess.run([sys.executable, ADAPTER, "--reports", good, *outputs], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pareto_tiny_gemm.png").read_bytes().startswith(PNG_SIGNATURE)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(without(report(topology="tiny_gemm"), "workload", "dataflow")))
    failed = subprocess.run([sys.executable, ADAPTER, "--reports", bad, *outputs], capture_output=True, text=True)
    assert failed.returncode == 2
    assert f"{bad}, key 'workload.dataflow'" in failed.stderr


def test_pareto_plot_names_round_trip():
    for topology in ("tiny", "gpt2_128_gemm", "net.v2-b"):
        name = layout.pareto_plot_name(topology)
        assert layout.pareto_plot_topology(f"results/summary/{name}") == topology
    assert layout.pareto_plot_name("tiny") == "pareto_tiny.png"
    for wrong in ("pareto_tiny.svg", "tiny.png", "summary/pareto_tiny.png.partial"):
        with pytest.raises(ValueError, match="pareto_<topology>.png"):
            layout.pareto_plot_topology(wrong)
