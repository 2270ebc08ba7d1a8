"""Where the test data lives (all inside the repository, under tests/data), and the case lists taken
from the committed SHA256SUMS manifests, never from whatever happens to be on disk: data that is
missing makes the tests that use it fail instead of collapsing to zero cases.

- golden/     SCALE-Sim 2.0.2 reference runs (inputs, reports, traces or trace sums), the 12 cases
- simulator/  more SCALE-Sim 2.0.2 references for simulator corners (multi-window, empty last batch)
- lifetimes/  a SCALE-Sim 2.0.2 run whose DRAM traces carry `1.0` width padding
- scalesim_runs/  a SCALE-Sim 2.0.2 run with its own buffer offsets, swept as an existing run
  (all four made by scripts/make_golden.py)
- scalesim/   SCALE-Sim's own topology files and example configs (scripts/copy_scalesim_corpus.py)
- scalesim_topology_reference.json  SCALE-Sim's parse of those topologies (scripts/make_topology_reference.py)

`broken` makes an edited copy of a JSON document for the bad-input tests of JSON files.
"""

import copy
from pathlib import Path, PurePosixPath

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"
SIMULATOR_EXTRAS = DATA / "simulator"
LIFETIMES_EXTRAS = DATA / "lifetimes"
SCALESIM_RUNS = DATA / "scalesim_runs"
SCALESIM = DATA / "scalesim"
SCALESIM_TOPOLOGIES = SCALESIM / "topologies"
SCALESIM_CONFIGS = SCALESIM / "configs"
TOPOLOGY_REFERENCE = DATA / "scalesim_topology_reference.json"
MANIFEST = "SHA256SUMS"
MANIFEST_FOLDERS = (GOLDEN, SIMULATOR_EXTRAS, LIFETIMES_EXTRAS, SCALESIM_RUNS, SCALESIM)


def listed_files(folder):
    """relative path -> SHA-256 of every file the folder's committed manifest lists (never empty)."""
    lines = (folder / MANIFEST).read_text().splitlines()
    listed = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    if not listed:
        raise AssertionError(f"{folder / MANIFEST} lists no files")
    return listed


def case_dirs(folder):
    """The case folders of a reference set: the first path component of every listed file."""
    return sorted({folder / name.split("/", 1)[0] for name in listed_files(folder)})


def layer_dirs(folder):
    """Every listed `<case>/expected/<run>/layer<N>` folder (runs that keep their traces)."""
    return sorted({(folder / name).parent for name in listed_files(folder)
                   if PurePosixPath(name).match("*/expected/*/layer*/*")})


def broken(document, path, value):
    """A deep copy of `document` with the key path set to `value` (or deleted when value is DELETE)."""
    document = copy.deepcopy(document)
    node = document
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return document


DELETE = object()
