"""The declared dependencies: what the code imports, and environment.yml agreeing with pyproject.toml."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name_and_spec(requirement):
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", requirement)
    return _normalised(match.group(1)), match.group(2).replace(" ", "")


def _normalised(name):
    return name.lower().replace("_", "-")


def _requirements(requirements):
    return dict(_name_and_spec(r) for r in requirements)


def test_environment_yml_lists_the_dependencies_and_the_test_extra():
    runtime = _requirements(PYPROJECT["project"]["dependencies"])
    test = _requirements(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert not runtime.keys() & test.keys()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = _requirements(d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip")))
    # Conda has no system compiler: the one setup.py builds gainflow._kernels with (pip needs none listed).
    assert conda.pop("c-compiler") == ""
    assert conda == runtime | test


def test_environment_yml_requires_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python>=3.11" in env["dependencies"]


def top_level_imports(directory):
    """The top-level module of every absolute import in the Python files under `directory`."""
    for path in directory.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                yield from (alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                yield node.module.partition(".")[0]


def test_runtime_dependencies_are_exactly_what_the_code_imports():
    modules = {name for directory in (ROOT / "workflow" / "gainflow", ROOT / "workflow" / "scripts")
               for name in top_level_imports(directory)}
    third_party = modules - set(sys.stdlib_module_names) - {"gainflow"}
    distributions = importlib.metadata.packages_distributions()
    imported = {_normalised(distributions[module][0]) for module in third_party}
    # snakemake runs the workflow and brings pyyaml along; nothing in the package imports either.
    declared = set(_requirements(PYPROJECT["project"]["dependencies"])) - {"snakemake"}
    assert imported == declared
    assert "pyyaml" not in imported
