"""The SHA256SUMS manifest of a test data folder, and a byte-for-byte comparison of two data trees.

A manifest lists every file under its folder (except itself and the hand-written README.md and
LICENSE) in `sha256sum` format, sorted by path, so `sha256sum -c SHA256SUMS` checks a copy by hand
and the tests take their case lists from it. Plain standard library: the scripts that import this run
with whatever Python has SCALE-Sim installed.
"""

import hashlib

MANIFEST = "SHA256SUMS"
HAND_WRITTEN = {"README.md", "LICENSE"}


def data_files(folder):
    """Paths (relative, POSIX) of the generated files under `folder`, manifest included, sorted."""
    relative = (path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    return sorted(name for name in relative if name not in HAND_WRITTEN)


def write_manifest(folder):
    lines = [f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
             for name in data_files(folder) if name != MANIFEST]
    (folder / MANIFEST).write_text("".join(lines))


def tree_differences(made, committed):
    """What differs between two data trees, one line per file (empty when byte-identical)."""
    made_files, committed_files = set(data_files(made)), set(data_files(committed))
    differences = [f"only in the regenerated data: {name}" for name in sorted(made_files - committed_files)]
    differences += [f"missing from the regenerated data: {name}" for name in sorted(committed_files - made_files)]
    differences += [f"differs: {name}" for name in sorted(made_files & committed_files)
                    if (made / name).read_bytes() != (committed / name).read_bytes()]
    return differences


def report_check(label, differences):
    """Print the outcome of a --check; returns the exit status."""
    for line in differences:
        print(f"{label}: {line}")
    print(f"{label}: {'DIFFERS' if differences else 'byte-identical'}")
    return 1 if differences else 0
