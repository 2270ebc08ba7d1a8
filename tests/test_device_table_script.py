"""scripts/device_table.py's table cells, on the hand-made processed run with the shipped nominal library.

The run (tests/frontend_support.py) has 11 reads and 7 writes over buffers of 1, 2 and 1 kB, all below
the capacity model's 8 kB minimum, so every technology takes its 8 kB figures and the capacity factor
cancels in the ratios. Hybrid-Si-OS (no refreshes): (11 x 77.86 + 7 x 74.24) / (18 x 85.4) = 0.8952;
area at 8 kB, periphery 0.04547 x (128 / 8)^0.5 = 0.18188: (0.02467 + 0.18188) / (0.074 + 0.18188) = 0.8072.
"""

import importlib.util
import json
from pathlib import Path

from frontend_support import write_processed_run
from gainflow.cli import main

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "device_table.py"


def load_script():
    spec = importlib.util.spec_from_file_location("device_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cells_are_active_energy_and_area_against_all_sram(tmp_path):
    run_dir = write_processed_run(tmp_path / "run")
    assert main(["frontend", str(run_dir), "-o", str(tmp_path / "r.json")]) == 0
    cells = load_script().ratio_cells(json.loads((tmp_path / "r.json").read_text()))
    # Si-Si, Hybrid-Si-OS, OS-OS, min-energy, retention split, min-energy choice
    assert len(cells) == 6
    assert cells[1] == "0.90 / 0.81"
    assert cells[2].startswith("0.90 / ")  # OS-OS: the same energies, a larger cell
    assert cells[5].count(",") == 2
