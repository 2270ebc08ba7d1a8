"""The package's stages import only earlier stages, and no module imports itself back.

Read from the source with ast (every import statement, also those inside functions), so the test
sees the import structure as written, not what happens to be loaded.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workflow" / "gainflow"
# The stage order: a module may import modules of its own stage or of earlier ones. The errors,
# the compiled kernels and `files` (how outputs are written and named) serve every stage.
STAGES = (
    {"gainflow", "errors", "kernels", "_kernels", "files"},
    {"inputs"},
    {"simulator", "events"},
    {"lifetimes"},
    {"frontend"},
    {"sweep"},
    {"commands", "cli"},
)


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name):
    """The gainflow modules `name` imports (`from gainflow.x import y` counts as gainflow.x.y when
    that is a module, else as gainflow.x)."""
    tree = ast.parse(MODULES[name].read_text(), filename=str(MODULES[name]))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "gainflow")
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: relative import"
            if (node.module or "").split(".")[0] != "gainflow":
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES or alias.name == "_kernels" else node.module)
    return found - {name}


def stage_of(module):
    top = module.split(".")[1] if "." in module else module
    return next(index for index, members in enumerate(STAGES) if top in members)


def test_every_module_belongs_to_a_stage():
    for name in MODULES:
        stage_of(name)


def test_stages_import_only_earlier_stages():
    backwards = [f"{name} ({stage_of(name)}) imports {imported} ({stage_of(imported)})"
                 for name in MODULES for imported in sorted(imported_modules(name))
                 if stage_of(imported) > stage_of(name)]
    assert backwards == []


def import_cycles(graph):
    """Each cycle found by a depth-first walk of {module: imported modules}, as "a -> b -> a"."""
    cycles, state = [], {}

    def visit(name, path):
        state[name] = "open"
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                cycles.append(" -> ".join(path[path.index(imported):] + [imported]))
            elif imported not in state:
                visit(imported, path + [imported])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_the_cycle_finder_finds_cycles():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert import_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles():
    graph = {name: {module for module in imported_modules(name) if module in MODULES} for name in MODULES}
    assert import_cycles(graph) == []
