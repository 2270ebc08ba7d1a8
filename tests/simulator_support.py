"""Shared helpers of the simulator tests: where the reference cases live, the real `gainflow simulate`
command line, and a reader for SCALE-Sim trace files."""

import subprocess
import sys
from pathlib import Path

import data_support
import numpy as np

GAINFLOW = Path(sys.executable).with_name("gainflow")
# SCALE-Sim 2.0.2 references made by scripts/make_golden.py: the golden cases and the simulator extras.
GOLDEN = data_support.GOLDEN
EXTRA_GOLDEN = data_support.SIMULATOR_EXTRAS


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
