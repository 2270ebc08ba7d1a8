"""gainflow works from a built wheel, installed away from the checkout (not only as an editable install).

The wheel is built from a copy of the sources (so no build directory of the checkout leaks into it),
installed with `pip install --target`, and run from a directory outside the repository with only that
install on PYTHONPATH ahead of the test environment (which supplies numpy and the other dependencies).
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from gainflow.files import layout

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "workflow"
PACKAGE = ROOT / "workflow" / "gainflow"
# What the wheel holds besides Python modules: the compiled module and the package data.
DATA_FILES = {
    "gainflow/schemas/area_power.schema.json",
    "gainflow/schemas/report.schema.json",
    "gainflow/schemas/simple_gc_list.schema.json",
    "gainflow/data/resources.json",
    "gainflow/data/devices/area_power.json",
    "gainflow/data/devices/simple_gc_list.json",
    "gainflow/data/devices/optimistic/area_power.json",
    "gainflow/data/devices/optimistic/simple_gc_list.json",
    "gainflow/data/devices/pessimistic/area_power.json",
    "gainflow/data/devices/pessimistic/simple_gc_list.json",
}
TIMEOUT_S = 120


def run(command, cwd, env=None):
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=TIMEOUT_S)
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "workflow" / "gainflow",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.egg-info"))
    wheels = tmp_path_factory.mktemp("wheels")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "--wheel-dir", wheels, source], cwd=source)
    (built,) = wheels.glob("gainflow-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", target, wheel],
        cwd=target)
    return target


def test_wheel_holds_the_modules_the_compiled_module_and_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package_files = {name for name in names if not name.startswith("gainflow-0.1.0.dist-info/")}
    modules = {f"gainflow/{path.relative_to(PACKAGE).as_posix()}" for path in PACKAGE.rglob("*.py")}
    (compiled,) = (name for name in package_files if name.endswith(".so"))
    assert compiled.startswith("gainflow/_kernels.")
    assert package_files == modules | DATA_FILES | {compiled}


def test_installed_wheel_runs_simulate_lifetimes_and_frontend_with_the_shipped_devices(site, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(site))
    work = tmp_path / "work"  # outside the checkout: nothing is found relative to the repository
    work.mkdir()
    for name in ("tiny.csv", "tiny_os.cfg"):
        shutil.copy2(TINY / name, work / name)
    where = run([sys.executable, "-c", "import gainflow; print(gainflow.__file__)"], cwd=work, env=env)
    assert Path(where.strip()).is_relative_to(site)
    gainflow = site / "bin" / "gainflow"  # the console script of the wheel

    run([gainflow, "simulate", "-t", "tiny.csv", "-c", "tiny_os.cfg", "-p", "sim", "--quiet"], cwd=work, env=env)
    for name in layout.REPORT_FILES:
        assert (work / "sim" / "tiny_os" / name).stat().st_size > 0

    run([gainflow, "lifetimes", "-t", "tiny.csv", "-c", "tiny_os.cfg", "-o", "life"], cwd=work, env=env)
    processed = work / "life" / "tiny_os"
    assert (processed / layout.RUN_INFO).exists()
    for layer in range(3):  # tiny.csv has three layers
        assert layout.layer_file(processed, layer, layout.LIFETIME_TABLE).exists()

    run([gainflow, "frontend", processed], cwd=work, env=env)
    report = json.loads((processed / layout.FRONTEND_REPORT).read_text())
    schema = json.loads((site / "gainflow" / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    # The defaults are the device files shipped in the package.
    for key, name in (("gc_list", "simple_gc_list.json"), ("area_power", "area_power.json")):
        shipped = (PACKAGE / "data" / "devices" / name).read_bytes()
        assert report["device_library"][key] == {"file": name, "sha256": hashlib.sha256(shipped).hexdigest()}
