"""What code a workflow job runs, and a hash of it (the rules' `code` param: editing it reruns the job).

Snakemake tracks the text of a `shell:` command, not the Python modules the command imports. A job's
code is the import closure of what it runs (an adapter script, or a `gainflow` subcommand's modules),
found statically: every `import` of a `gainflow` module, also inside functions, followed transitively,
with each imported module's parent packages (Python runs their `__init__`). A job that imports the
compiled module runs `_kernels.c` as built; gainflow.kernels refuses a build of another source.
"""

import ast
import functools
import hashlib
from pathlib import Path

PACKAGE_NAME = "gainflow"
COMPILED_MODULE = f"{PACKAGE_NAME}._kernels"
COMPILED_SOURCE = "_kernels.c"


def code_version(package_dir, entries):
    """A short hash of every gainflow source the `entries` (script paths or module names) run."""
    package_dir = Path(package_dir)
    digest = hashlib.sha256()
    for path in closure_files(package_dir, entries):
        digest.update(f"{path.relative_to(package_dir).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def closure_files(package_dir, entries):
    """The source files of the modules the `entries` import, sorted."""
    return sorted({source_file(Path(package_dir), name) for name in import_closure(package_dir, entries)})


def import_closure(package_dir, entries):
    """Names of the gainflow modules (and the compiled module) that running the `entries` imports."""
    package_dir = Path(package_dir)
    to_visit = list(_with_parents(str(entry) for entry in entries if not str(entry).endswith(".py")))
    seen = set()
    for script in (Path(entry) for entry in entries if str(entry).endswith(".py")):
        to_visit += _imported_modules(script, None)
    while to_visit:
        name = to_visit.pop()
        if name in seen or source_file(package_dir, name) is None:
            continue
        seen.add(name)
        if name != COMPILED_MODULE:
            to_visit += _imported_modules(source_file(package_dir, name), name)
    return seen


def source_file(package_dir, name):
    """The file module `name` runs (its .py, its package's __init__.py, or the C source), or None."""
    if name == COMPILED_MODULE:
        return package_dir / COMPILED_SOURCE
    top, *inner = name.split(".")
    if top != PACKAGE_NAME:
        return None
    module = package_dir.joinpath(*inner)
    return next((path for path in (module / "__init__.py", module.with_suffix(".py")) if path.is_file()), None)


@functools.cache
def _imported_modules(path, module_name):
    """gainflow module names that `path` (module `module_name`, None for a script) imports, with
    each one's parent packages. `from a import b` gives `a` and `a.b` (b may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module_name, path.name == "__init__.py")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return _with_parents(name for name in names if name.split(".")[0] == PACKAGE_NAME)


def _with_parents(names):
    """The module names and their parent packages' names, sorted (`a.b.c` -> `a`, `a.b`, `a.b.c`)."""
    parts = [name.split(".") for name in names]
    return tuple(sorted({".".join(split[:depth]) for split in parts for depth in range(1, len(split) + 1)}))


def _absolute(node, module_name, is_package):
    """The module an ImportFrom names, relative imports resolved against `module_name`."""
    if not node.level:
        return node.module
    parts = module_name.split(".") if module_name else []
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([node.module] if node.module else []))
