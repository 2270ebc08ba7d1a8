"""The workflow's batched layer graphs: rule `layer` writes each graph's compact data
(`layer<i>_graph_data.json`), `graphs_<topology>_layers<first>_<last>` jobs draw the PNGs from those,
byte-identical to the graph `gainflow lifetimes` draws directly."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from gainflow.files import layout
from gainflow.lifetimes.histogram import summarize
from gainflow.lifetimes.intervals import BufferLifetimes
from gainflow.lifetimes.layer_files import merge_layer_parts, write_layer_files
from gainflow.lifetimes.parts import save_part

GRAPHS_ADAPTER = Path(__file__).resolve().parents[1] / "workflow" / "scripts" / "graphs.py"


def lifetimes_of(subdivision, lifetimes, dead_writes=0, unfilled_reads=0):
    count = len(lifetimes)
    return BufferLifetimes(
        subdivision=subdivision, address=np.arange(count, dtype=np.int64),
        write_cycle=np.zeros(count, dtype=np.int64), lifetime=np.array(lifetimes, dtype=np.int64),
        interval_reads=np.ones(count, dtype=np.int64), first_read_cycle=np.zeros(count, dtype=np.int64), reads=count, writes=count,
        dead_writes=dead_writes, unfilled_reads=unfilled_reads, unique_addresses=count,
    )


LAYERS = [
    [lifetimes_of("ifmap", [0, 1, 3, 3, 9], dead_writes=2), lifetimes_of("filter", []),
     lifetimes_of("ofmap", [5], unfilled_reads=4)],
    [lifetimes_of("ifmap", [0]), lifetimes_of("filter", [1, 2, 4, 8, 16, 1000]), lifetimes_of("ofmap", [])],
]


def test_graph_data_by_hand(tmp_path):
    # Bins [0,1) [1,2) [2,4) [4,8) [8,16): 0 | 1 | 3,3 | - | 9 -> 1,1,2,0,1; ofmap 5: [0,1)..[4,8) -> 0,0,0,1.
    write_layer_files(tmp_path, 0, LAYERS[0], 100, with_graph=False)
    assert not (tmp_path / "layer0_graph.png").exists()
    assert json.loads((tmp_path / "layer0_graph_data.json").read_text()) == [
        {"subdivision": "ifmap", "intervals": 5, "dead_writes": 2, "unfilled_reads": 0, "counts": [1, 1, 2, 0, 1]},
        {"subdivision": "filter", "intervals": 0, "dead_writes": 0, "unfilled_reads": 0, "counts": []},
        {"subdivision": "ofmap", "intervals": 1, "dead_writes": 0, "unfilled_reads": 4, "counts": [0, 0, 0, 1]},
    ]


def test_batched_graphs_equal_the_directly_drawn_ones(tmp_path):
    run_dir = tmp_path / "run"
    for index, buffers in enumerate(LAYERS):
        parts = []
        for lifetimes in buffers:
            parts.append(tmp_path / f"{index}_{lifetimes.subdivision}.part")
            save_part(parts[-1], summarize(lifetimes), 100)
        merge_layer_parts(parts, layout.layer_dir(run_dir, index), index, tables=False, with_graph=False)
        write_layer_files(tmp_path / "direct", index, buffers, 100)
    assert not list(run_dir.rglob("*.png"))
    subprocess.run([sys.executable, str(GRAPHS_ADAPTER), "--run-dir", str(run_dir), "--layers", "0", "1"], check=True)
    for index in range(len(LAYERS)):
        direct = tmp_path / "direct" / layout.layer_file_name(index, layout.GRAPH)
        assert layout.layer_file(run_dir, index, layout.GRAPH).read_bytes() == direct.read_bytes()
