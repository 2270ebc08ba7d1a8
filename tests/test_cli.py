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


def test_closed_pipe_is_not_an_error(tmp_path):
    # `gainflow layers ... | head -1`: the reader closes the pipe early. The table
    # (about 1 MB) is larger than a pipe buffer, so the writer does hit the closed pipe.
    topology = tmp_path / "many.csv"
    rows = "".join(f"conv{i}, 56, 56, 3, 3, 64, 64, 1,\n" for i in range(8000))
    topology.write_text("Layer name, H, W, FH, FW, C, NF, S,\n" + rows)
    proc = subprocess.Popen([str(GAINFLOW), "layers", "-t", str(topology)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert "Traceback" not in stderr


def test_only_the_chosen_subcommand_is_imported():
    code = (
        "import sys; from gainflow.cli import build_parser; build_parser('layers'); "
        "print(sorted(m for m in sys.modules if m.startswith('gainflow.commands.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['gainflow.commands.layers']"


# Runs the CLI as if gainflow._kernels had never been built (it is found first, and refused).
WITHOUT_KERNELS = """
import sys

class RefuseKernels:
    def find_spec(self, name, path=None, target=None):
        if name == "gainflow._kernels":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, RefuseKernels())
from gainflow.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", [
    ["simulate", "-t", "topologies/alexnet.csv", "-c", "hardware/scale32_os.cfg", "-p", "{out}"],
    ["lifetimes", "-t", "topologies/alexnet.csv", "-c", "hardware/scale32_os.cfg", "-o", "{out}"],
])
def test_missing_compiled_module_says_how_to_build_it(command, tmp_path):
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "out"
    argv = [arg.format(out=out) for arg in command]
    result = subprocess.run([sys.executable, "-c", WITHOUT_KERNELS, *argv], cwd=root, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("gainflow: error: gainflow's compiled module gainflow._kernels does not load "
                                    "(No module named 'gainflow._kernels').")
    assert "reinstall with `pip install .` (needs a C compiler), or run `make setup`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
