"""Job resource estimates (gainflow.sweep.resources): the work counted in closed form, by hand on
small layers and against the simulator; the linear models and the estimates they give."""

import dataclasses
import json
import math

import numpy as np
import pytest

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import Layer, load_topology
from gainflow.lifetimes.stream import STATE_BYTES_PER_ADDRESS
from gainflow.simulator.layer import run_layer, simulate_layer
from gainflow.simulator.memory import buffer_arrays, report_arrays
from gainflow.simulator.traces import write_layer_traces
from gainflow.files import layout
from gainflow.sweep import resources
from gainflow.sweep.resources import Estimate, JobModel, JobWork, Linear
from gainflow.sweep.local_memory import available_memory_mb, local_memory_pool_mb
from data_support import DELETE, broken
from simulator_support import CONV1, Array
from workflow_support import TINY, TINY_HARDWARE


def test_output_stationary_counts_by_hand():
    work = resources.layer_work(CONV1, Array("os"))
    # Spread over rows P = 36 (5 row folds of 8), over columns NF = 4 (1 fold), temporal K = 18.
    assert work.reads == {"ifmap": 18 * 36 * 1, "filter": 18 * 4 * 5, "ofmap": 36 * 4 + 5 * (8 + 8)}
    assert work.footprint == {"ifmap": 8 * 8 * 2, "filter": 18 * 4, "ofmap": 36 * 4}
    # A 1 kB buffer's fetch window holds 50 sets of 10 words: both operands fit, each address filled once.
    assert work.writes == {"ifmap": 128, "filter": 72, "ofmap": 224}
    assert work.operand_entries == 36 * 18 + 18 * 4 + 36 * 4
    # A fold: K = 18 cycles of 8 IFMAP rows and of 4 FILTER columns; 8 x 4 OFMAP results.
    assert work.fold_slots == {"ifmap": 18 * 8, "filter": 18 * 4, "ofmap": 8 * 4}
    # 5 folds of K + R + C - 2 = 32 demand rows.
    assert work.demand_rows == 5 * 32
    assert work.total_accesses == 648 + 360 + 224
    # Traces: an SRAM row per demand row, 8 ports each (IFMAP along the rows, FILTER and OFMAP along
    # the columns), and a DRAM entry per fill or drain.
    assert work.trace_entries == {"ifmap": 160 * 8 + 128, "filter": 160 * 8 + 72, "ofmap": 160 * 8 + 224}
    # All 5 folds in one block (far fewer than 2^15 rows): 160 rows of a cycle and 8 addresses, int64.
    assert work.trace_block_bytes == 160 * (1 + 8) * 8


def test_trace_counts_by_hand_on_a_wide_array_and_long_folds():
    # Input stationary on 4 rows x 16 columns: IFMAP along the columns, FILTER along the rows.
    is_ = resources.layer_work(CONV1, Array("is", array_height=4, array_width=16))
    # Rows K = 18 (5 folds), columns P = 36 (3 folds), temporal NF = 4: 15 folds of 2R + C + T - 2 = 26 rows.
    assert is_.demand_rows == 15 * 26
    assert {name: is_.trace_entries[name] - is_.writes[name] for name in SUBDIVISIONS} == \
        {"ifmap": 15 * 26 * 16, "filter": 15 * 26 * 4, "ofmap": 15 * 26 * 16}
    # A GEMM whose fold is longer than a block of 2^15 rows: one fold per block. Output stationary on
    # 8x8, M = 40 (5 row folds), N = 10 (2 column folds), K = 40000: folds of K + 14 rows.
    long_fold = resources.layer_work(Layer("g", 40, 40000, 1, 40000, 1, 10, 1, 1), Array("os"))
    assert long_fold.demand_rows == 10 * (40000 + 14)
    assert long_fold.trace_block_bytes == (40000 + 14) * 9 * 8


def test_weight_and_input_stationary_counts_by_hand():
    ws = resources.layer_work(CONV1, Array("ws"))
    # Rows K = 18 (3 folds), columns NF = 4 (1 fold), temporal P = 36.
    assert ws.reads == {"ifmap": 36 * 18 * 1, "filter": 18 * 4, "ofmap": 36 * 4 * 3}
    assert ws.fold_slots == {"ifmap": 36 * 8, "filter": 8 * 4, "ofmap": 36 * 4}
    assert ws.demand_rows == 3 * (2 * 8 + 8 + 36 - 2)  # 3 folds of 2R + C + P - 2 rows
    is_ = resources.layer_work(CONV1, Array("is"))
    # Rows K = 18 (3 folds), columns P = 36 (5 folds), temporal NF = 4.
    assert is_.reads == {"ifmap": 18 * 36, "filter": 4 * 18 * 5, "ofmap": 4 * 36 * 3}
    assert is_.fold_slots == {"ifmap": 8 * 8, "filter": 4 * 8, "ofmap": 4 * 8}


def test_an_operand_larger_than_the_fetch_window_is_filled_once_per_read():
    # GEMM M=40, N=10, K=20: IFMAP 800 addresses > 500, FILTER 200 <= 500.
    gemm = Layer("g", 40, 20, 1, 20, 1, 10, 1, 1)
    work = resources.layer_work(gemm, Array("os"))
    assert work.reads["ifmap"] == 20 * 40 * 2 and work.reads["filter"] == 20 * 10 * 5
    assert work.writes["ifmap"] == work.reads["ifmap"]
    assert work.writes["filter"] == 200
    bigger_buffer = resources.layer_work(gemm, Array("os", ifmap_sram_kb=2))  # window 50 x 20 = 1000 words
    assert bigger_buffer.writes["ifmap"] == 800


def tiny_cases():
    hardware = [load_hardware_config(TINY / f"{name}.cfg") for name in TINY_HARDWARE]
    hardware.append(dataclasses.replace(hardware[0], dataflow="is"))
    hardware.append(dataclasses.replace(hardware[1], array_height=3, array_width=5, ifmap_sram_kb=4))
    layers = load_topology(TINY / "tiny.csv") + load_topology(TINY / "tiny_gemm.csv", "gemm")
    return [(layer, hw) for layer in layers for hw in hardware]


def test_trace_addresses_hashed_where_the_first_events_span_far_by_hand():
    # A GEMM with K = 4608 and 512 filters on a 64x64 `is` array: each demand row holds 64 k of one
    # filter n (at n x 4608 + k): r rows span r x 4608 addresses against 64 r seen, beyond
    # 4 x 64 r + 2^20 once r x 4352 > 1,048,576; the 512 filters of the first fold get there. With 240
    # filters they do not (1,044,480).
    wide = Layer("g", 64, 4608, 1, 4608, 1, 512, 1, 1)
    grid = Array("is", array_height=64, array_width=64)
    assert resources.layer_work(wide, grid).trace_hashed == {"ifmap": False, "filter": True, "ofmap": False}
    assert not resources.layer_work(dataclasses.replace(wide, num_filters=240), grid).trace_hashed["filter"]
    # On `ws` arrays a FILTER row holds one k of as many filters as the array has columns: the first
    # block spans min(columns, filters) x K addresses at once, beyond 4 x 2^15 + 2^20 = 1,179,648 for
    # 256 columns and K = 9216; not for K = 4608 (exactly that many), nor with 64 columns.
    big = Layer("g", 64, 9216, 1, 9216, 1, 1024, 1, 1)
    assert resources.layer_work(big, Array("ws", 256, 256)).trace_hashed["filter"]
    assert not resources.layer_work(dataclasses.replace(big, ifmap_width=4608, filter_width=4608),
                                    Array("ws", 256, 256)).trace_hashed["filter"]
    assert not resources.layer_work(big, Array("ws", 64, 64)).trace_hashed["filter"]
    # On a `ws` array the IFMAP's and OFMAP's rows run along the pixels: 5000 GEMM rows, 2^20 IFMAP
    # addresses apart (K) against 8 seen a row; the OFMAP's 8 apart (NF), 8 seen: dense. Its FILTER
    # rows span the 8 filters, 2^20 apart.
    rows = Layer("g", 5000, 2**20, 1, 2**20, 1, 8, 1, 1)
    assert resources.layer_work(rows, Array("ws")).trace_hashed == {"ifmap": True, "filter": True, "ofmap": False}
    work = resources.layer_work(wide, grid)
    from_traces = resources.lifetimes_work(work, "filter", tables=False, traces=True)
    assert from_traces.memory == {"state_mb": 16 * 4608 * 512 / 1e6, "hashed_state_mb": 16 * 4608 * 512 / 1e6}
    assert resources.lifetimes_work(work, "ifmap", tables=False, traces=True).memory["hashed_state_mb"] == 0.0


@pytest.mark.parametrize("layer, hw", tiny_cases())
def test_trace_counts_match_the_written_traces(layer, hw, tmp_path):
    work = resources.layer_work(layer, hw)
    write_layer_traces(run_layer(layer, hw), tmp_path)
    for name in SUBDIVISIONS:
        # Every slot of the SRAM trace (the cycle column aside); the DRAM trace's addresses, fills or
        # drains, are the events that test_counts_bound_the_simulated_events bounds by the writes.
        sram = np.loadtxt(tmp_path / layout.sram_trace_name(name), delimiter=",", ndmin=2)
        assert sram[:, 1:].size + work.writes[name] == work.trace_entries[name]


@pytest.mark.parametrize("layer, hw", tiny_cases())
def test_counts_bound_the_simulated_events(layer, hw):
    work = resources.layer_work(layer, hw)
    state = run_layer(layer, hw)
    assert {name: state.stream(name).fold_size for name in SUBDIVISIONS} == work.fold_slots
    assert state.plan.num_demand_rows == work.demand_rows
    result = simulate_layer(layer, hw, events=SUBDIVISIONS)
    report = result.report
    assert work.reads == {"ifmap": report.sram_ifmap_reads, "filter": report.sram_filter_reads,
                          "ofmap": report.sram_ofmap_writes}
    for name, events in result.events.items():
        assert len(events.read_addresses) <= work.reads[name]
        assert len(events.write_addresses) <= work.writes[name]
        assert len(set(events.read_addresses.tolist()) | set(events.write_addresses.tolist())) <= work.footprint[name]


def test_linear_model():
    model = Linear(10.0, {"a": 2.0, "b": 0.5})
    assert model({"a": 3, "b": 4}) == 10 + 6 + 2
    with pytest.raises(ValueError, match="expected the quantities"):
        model({"a": 3})


def test_estimate_rounds_memory_up_and_asks_margin_times_the_cpu_time(monkeypatch):
    monkeypatch.setitem(resources.MODELS, "lifetimes_ifmap",
                        JobModel(memory_mb=Linear(50.0, {"mreads": 100.0}), cpu_s=Linear(2.0, {"mreads": 8.0})))
    job = JobWork("lifetimes_ifmap", memory={"mreads": 2.5}, cpu={"mreads": 6.0})
    # 50 + 250 MB; 2 + 48 = 50 CPU-s, asked for 3 x 50 s = 2.5 min -> 3 min.
    assert resources.estimate(job) == Estimate(mem_mb=300, runtime_min=3)
    quick = JobWork("lifetimes_ifmap", memory={"mreads": 0.001}, cpu={"mreads": 0.0})
    assert resources.estimate(quick) == Estimate(mem_mb=math.ceil(50.1), runtime_min=1)  # at least a minute


def test_job_work_of_each_kind():
    work = resources.layer_work(CONV1, Array("os"))
    lifetimes = resources.lifetimes_work(work, "filter", tables=False)
    assert lifetimes.kind == "lifetimes_filter"
    # FILTER's fold pattern and OFMAP's (built for the drains).
    setup = {"mentries": 864e-6, "mfold_slots": (72 + 32) / 1e6, "mdemand_rows": 160e-6}
    events = {"mreads": 360e-6, "mwrites": 72e-6}
    # Streamed: the memory is the simulator's arrays and the state rows of the footprint, not the
    # events; the CPU time follows the set-up and the events.
    assert lifetimes.memory == {"simulator_mb": buffer_arrays(CONV1, Array("os"), "filter")["peak"] / 1e6,
                                "state_mb": STATE_BYTES_PER_ADDRESS * 72 / 1e6}
    assert resources.lifetimes_work(work, "filter", False, state_bytes_per_address=32).memory["state_mb"] == 32 * 72 / 1e6
    assert lifetimes.cpu == {**setup, **events}
    with_tables = resources.lifetimes_work(work, "filter", tables=True)
    assert with_tables.kind == "lifetimes_filter_tables"
    # With tables the job streams the same way (its intervals go to disk): the same quantities.
    assert (with_tables.memory, with_tables.cpu) == (lifetimes.memory, lifetimes.cpu)
    assert resources.lifetimes_work(work, "ofmap", tables=False).cpu["mfold_slots"] == 32e-6
    # Parsed from traces: no simulator, the same state rows; the CPU time follows the traces' entries.
    from_traces = resources.lifetimes_work(work, "filter", tables=False, traces=True)
    assert from_traces.kind == "lifetimes_traces"
    assert from_traces.memory == {"state_mb": lifetimes.memory["state_mb"], "hashed_state_mb": 0.0}
    assert from_traces.cpu == {**events, "mtrace_entries": (160 * 8 + 72) / 1e6}
    # With tables, a kind of its own (the intervals spilled as well), the same quantities.
    traces_tables = resources.lifetimes_work(work, "filter", tables=True, traces=True)
    assert (traces_tables.kind, traces_tables.memory, traces_tables.cpu) == ("lifetimes_traces_tables", from_traces.memory,
                                                                            from_traces.cpu)
    small_layer = Layer("small", 4, 4, 1, 1, 1, 1, 1, 1)
    small = resources.layer_work(small_layer, Array("os"))
    simulate = resources.simulate_work([work, small])
    # The larger layer's report: CONV1's (its IFMAP matrix and fold patterns are larger).
    assert simulate.memory == {"peak_layer_simulator_mb": report_arrays(CONV1, Array("os"))["peak"] / 1e6}
    assert report_arrays(CONV1, Array("os"))["peak"] > report_arrays(small_layer, Array("os"))["peak"]
    assert simulate.cpu == {"maccesses": (work.total_accesses + small.total_accesses) / 1e6, "layers": 2}
    writing = resources.simulate_work([work, small], traces=True)
    assert writing.kind == "simulate_traces"
    # CONV1's largest buffer arrays and block of trace rows (the larger layer's).
    assert writing.memory == {**simulate.memory,
                              "peak_layer_traces_mb": (max(work.simulator_bytes.values()) + work.trace_block_bytes) / 1e6}
    assert max(small.simulator_bytes.values()) + small.trace_block_bytes < \
        max(work.simulator_bytes.values()) + work.trace_block_bytes
    assert writing.cpu == {**simulate.cpu,
                           "mtrace_entries": (sum(work.trace_entries.values()) + sum(small.trace_entries.values())) / 1e6}
    # The layer step: its memory a merged block more with tables, its CPU time the table's rows (at
    # most a write each: IFMAP's fills, one per read here, FILTER's one per address, OFMAP's writes).
    plain, with_table = (resources.layer_step_work(work, tables) for tables in (False, True))
    assert (plain.memory, plain.cpu) == ({"tables": 0.0, "mdemand_rows": 160e-6},
                                         {"table_mwrites": 0.0, "mdemand_rows": 160e-6})
    assert (with_table.memory, with_table.cpu) == ({"tables": 1.0, "mdemand_rows": 160e-6},
                                                   {"table_mwrites": (128 + 72 + 224) / 1e6, "mdemand_rows": 160e-6})
    assert resources.graphs_work(12).memory == {"layers": 12}
    report = resources.report_work([work, small], Array("os", ifmap_sram_kb=64, filter_sram_kb=32, ofmap_sram_kb=16))
    rows = (160 + small.demand_rows) / 1e6
    assert (report.memory, report.cpu) == ({"layers": 2, "sram_kb": 112, "peak_layer_mdemand_rows_sram_mb": 160e-6 * 112 / 1000},
                                           {"layers": 2, "mdemand_rows": rows})
    assert resources.summary_work(64).memory == {"reports": 64}
    assert resources.hardware_work().memory == {}


def test_shipped_models_grow_with_the_work():
    for kind, model in resources.MODELS.items():
        for linear in (model.memory_mb, model.cpu_s):
            assert linear.base >= 0, kind
            assert all(value >= 0 for value in linear.coefficients.values()), kind
    small = resources.layer_work(CONV1, Array("os"))
    large = resources.layer_work(Layer("large", 56, 56, 3, 3, 64, 64, 1, 1), Array("os"))
    for name in SUBDIVISIONS:
        assert resources.estimate(resources.lifetimes_work(large, name, tables=False)).mem_mb > \
            resources.estimate(resources.lifetimes_work(small, name, tables=False)).mem_mb
    assert resources.estimate(resources.simulate_work([large])).mem_mb > \
        resources.estimate(resources.simulate_work([small])).mem_mb


def test_available_memory_from_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24684000 kB\nMemFree:        1000 kB\nMemAvailable:   2000000 kB\n")
    assert available_memory_mb(meminfo) == 2000000 * 1024 // 10**6  # 2048 MB
    assert local_memory_pool_mb(meminfo) == 2048
    meminfo.write_text("MemTotal:       24684000 kB\n")
    assert available_memory_mb(meminfo) is None
    assert available_memory_mb(tmp_path / "missing") is None


def test_without_memavailable_the_pool_is_the_machines_memory(tmp_path):
    with open("/proc/meminfo") as meminfo:
        total_kb = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    # MemTotal is the RAM the kernel manages, as sysconf's physical pages count it.
    assert local_memory_pool_mb(tmp_path / "missing") == total_kb * 1024 // 10**6


def models_document():
    return json.loads(resources.MODELS_FILE.read_text())


def test_shipped_models_file_has_every_kind_with_its_quantities_and_provenance():
    document = models_document()
    assert document["models"].keys() == resources.QUANTITIES.keys()
    for kind, entry in document["models"].items():
        memory_names, cpu_names = resources.QUANTITIES[kind]
        assert sorted(entry["memory_mb"]["coefficients"]) == sorted(memory_names), kind
        assert sorted(entry["cpu_s"]["coefficients"]) == sorted(cpu_names), kind
        assert entry["fitted_on"], kind
        if entry["fitted"]:
            assert entry["command"].startswith("scripts/bench_resources.py"), kind
    assert resources.load_models() == resources.MODELS
    assert resources.MODELS["hardware"].memory_mb.base == document["models"]["hardware"]["memory_mb"]["base"]


def test_every_kinds_work_has_the_quantities_its_model_names():
    work = resources.layer_work(CONV1, Array("os"))
    jobs = [*(resources.simulate_work([work], traces) for traces in (False, True)), resources.graphs_work(2),
            resources.report_work([work], Array("os")), resources.summary_work(2), resources.hardware_work(),
            *(resources.layer_step_work(work, tables) for tables in (False, True)),
            *(resources.lifetimes_work(work, name, tables, traces=traces)
              for name in SUBDIVISIONS for tables in (False, True) for traces in (False, True))]
    assert {job.kind for job in jobs} == resources.QUANTITIES.keys()
    for job in jobs:
        assert (tuple(sorted(job.memory)), tuple(sorted(job.cpu))) == resources.QUANTITIES[job.kind], job.kind


BAD_MODELS = [
    (("models", "layer"), DELETE, "key 'models': expected the job kinds"),
    (("models", "simulate", "memory_mb", "coefficients", "peak_layer_simulator_mb"), -1.0,
     "key 'models.simulate.memory_mb.coefficients.peak_layer_simulator_mb': expected a finite number >= 0, got -1.0"),
    (("models", "layer", "cpu_s", "base"), "0.3", "key 'models.layer.cpu_s.base': expected a finite number"),
    (("models", "graphs", "cpu_s", "base"), True, "key 'models.graphs.cpu_s.base': expected a finite number"),
    (("models", "summary", "memory_mb", "coefficients", "layers"), 1.0,
     "key 'models.summary.memory_mb.coefficients': expected the coefficients ['reports'], got ['layers', 'reports']"),
    (("models", "hardware", "cpu_s"), DELETE, "key 'models.hardware.cpu_s': expected an object with the keys"),
    (("models", "simulate", "command"), "", "key 'models.simulate.command': expected a non-empty text"),
    (("models", "report", "fitted"), "no", "key 'models.report': expected an object with fitted"),
    (("models",), [], "key 'models': expected an object of job kinds"),
]


@pytest.mark.parametrize("path, value, message", BAD_MODELS, ids=[".".join(case[0]) for case in BAD_MODELS])
def test_a_bad_models_file_is_refused_naming_the_key(tmp_path, path, value, message):
    bad = tmp_path / "resources.json"
    bad.write_text(json.dumps(broken(models_document(), path, value)))
    with pytest.raises(InputError) as refused:
        resources.load_models(bad)
    assert str(refused.value).startswith(f"{bad}, ") and message in str(refused.value)


def test_an_unreadable_models_file_is_refused_naming_it(tmp_path):
    for bad in (tmp_path / "missing.json", tmp_path / "broken.json"):
        if bad.name == "broken.json":
            bad.write_text('{"models": ')
        with pytest.raises(InputError, match=f"^{bad}: cannot read the job resource models"):
            resources.load_models(bad)
