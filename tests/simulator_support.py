"""Shared helpers of the simulator tests: where the reference cases live, the real `gainflow simulate`
command line, a reader for SCALE-Sim trace files, and a small layer and array counted by hand."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import data_support
import numpy as np

from gainflow.inputs.topology import Layer

GAINFLOW = Path(sys.executable).with_name("gainflow")
# SCALE-Sim 2.0.2 references made by scripts/make_golden.py: the golden cases and the simulator extras.
GOLDEN = data_support.GOLDEN
EXTRA_GOLDEN = data_support.SIMULATOR_EXTRAS


@dataclasses.dataclass(frozen=True)
class Array:
    """The hardware fields the work and memory counts read: an 8x8 array with 1 kB buffers unless told."""

    dataflow: str
    array_height: int = 8
    array_width: int = 8
    ifmap_sram_kb: int = 1
    filter_sram_kb: int = 1
    ofmap_sram_kb: int = 1


# tests/data/workflow/tiny.csv conv1: 8x8x2 input, 3x3 filters, 4 of them, stride 1 -> 6x6 output,
# P = 36 pixels, K = 18 window, NF = 4 filters.
CONV1 = Layer("conv1", 8, 8, 3, 3, 2, 4, 1, 1)


def case_dirs():
    """Every reference case, as the committed manifests list them."""
    return data_support.case_dirs(GOLDEN) + data_support.case_dirs(EXTRA_GOLDEN)


def case_inputs(case_dir):
    """(hw.cfg, topology.csv, input_type, expected run folder) of a reference case."""
    input_type = (case_dir / "input_type").read_text().strip()
    expected = next((case_dir / "expected").iterdir())
    return case_dir / "hw.cfg", case_dir / "topology.csv", input_type, expected


def gainflow_simulate(*args):
    return subprocess.run([str(GAINFLOW), "simulate", *map(str, args)], capture_output=True, text=True)


def read_trace(path):
    """A trace CSV as (cycles, address rows) of float64, exactly as written."""
    matrix = np.loadtxt(path, delimiter=",", ndmin=2)
    return matrix[:, 0], matrix[:, 1:]


def flatten_events(cycles, addresses, exclude):
    """Row-major (cycle, address) pairs of a trace, without the values in `exclude`, as int64."""
    keep = ~np.isin(addresses, exclude)
    row_cycles = np.broadcast_to(cycles[:, None], addresses.shape)
    return row_cycles[keep].astype(np.int64), addresses[keep].astype(np.int64)
