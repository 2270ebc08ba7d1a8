"""The code a workflow job runs (gainflow.sweep.code_version), on a small made-up gainflow package:
imports followed transitively, inside functions and relative ones too, with parent packages; the
compiled module counted as its C source; the hash moves with exactly those files."""

import textwrap

import pytest
from gainflow.sweep.code_version import closure_files, code_version, import_closure

# A package `gainflow` in miniature: file -> source.
PACKAGE = {
    "__init__.py": "",
    "errors.py": "",
    "unused.py": "import gainflow.errors\n",
    "kernels.py": "from gainflow._kernels import fast\n",
    "_kernels.c": "/* C */\n",
    "stage/__init__.py": "",
    "stage/first.py": """
        import os
        from gainflow.stage import second

        def late():
            from gainflow.deep.inner import thing  # imported only when called
            return thing
    """,
    "stage/second.py": "from . import third\nfrom ..errors import InputError\n",
    "stage/third.py": "import numpy\n",
    "deep/__init__.py": "",
    "deep/inner.py": "from gainflow import kernels\nthing = 1\n",
}


@pytest.fixture
def package(tmp_path):
    for name, source in PACKAGE.items():
        (tmp_path / "gainflow" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "gainflow" / name).write_text(textwrap.dedent(source))
    (tmp_path / "adapter.py").write_text("import argparse\nfrom gainflow.stage.first import late\n")
    return tmp_path / "gainflow"


def test_closure_of_a_script(package):
    assert import_closure(package, [str(package.parent / "adapter.py")]) == {
        "gainflow", "gainflow.stage", "gainflow.stage.first", "gainflow.stage.second", "gainflow.stage.third",
        "gainflow.errors", "gainflow.deep", "gainflow.deep.inner", "gainflow.kernels", "gainflow._kernels"}


def test_closure_of_a_module_name_includes_its_parents(package):
    assert import_closure(package, ["gainflow.stage.second"]) == {
        "gainflow", "gainflow.stage", "gainflow.stage.second", "gainflow.stage.third", "gainflow.errors"}


def test_files_of_the_closure_count_the_c_source(package):
    files = closure_files(package, ["gainflow.deep.inner"])
    assert [path.relative_to(package).as_posix() for path in files] == [
        "__init__.py", "_kernels.c", "deep/__init__.py", "deep/inner.py", "kernels.py"]


@pytest.mark.parametrize("edited, moves", [
    ("stage/third.py", True),      # imported by an imported module
    ("deep/inner.py", True),       # imported inside a function
    ("_kernels.c", True),          # the compiled module's source
    ("__init__.py", True),         # a parent package runs too
    ("unused.py", False),
    ("stage/__init__.py", True),
])
def test_hash_moves_with_exactly_the_closure(package, edited, moves):
    entries = [str(package.parent / "adapter.py")]
    before = code_version(package, entries)
    assert len(before) == 16 and code_version(package, entries) == before
    (package / edited).write_text((package / edited).read_text() + "\n# edited\n")
    assert (code_version(package, entries) != before) == moves
