"""The `gainflow` console script exists and every subcommand answers --help."""

import subprocess
import sys
from pathlib import Path

import pytest

from gainflow.cli import SUBCOMMANDS

GAINFLOW = Path(sys.executable).with_name("gainflow")


def test_console_script_installed():
    assert GAINFLOW.exists(), "pip install -e . must create the gainflow console script"


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_subcommand_help(name):
    result = subprocess.run([str(GAINFLOW), name, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: gainflow " + name)


def test_unknown_subcommand_fails():
    result = subprocess.run([str(GAINFLOW), "nonsense"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
