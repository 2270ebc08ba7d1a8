#!/usr/bin/env python3
"""Record what SCALE-Sim v2's own topology loader makes of every topology of the test data.

The reference is produced by scalesim 2.0.2 itself (installed in a separate venv, never in ours), so
the test suite can check gainflow's parser against it:

    python3 -m venv ~/scalesim-venv && ~/scalesim-venv/bin/pip install scalesim==2.0.2
    .venv/bin/python scripts/make_topology_reference.py --scalesim-python ~/scalesim-venv/bin/python [--check]

It covers every `*.csv` under `tests/data/scalesim/topologies/` (SCALE-Sim's own files; those under
`GEMM_mnk/` in GEMM mode, the rest in conv mode) and every `tests/data/golden/<case>/topology.csv` (in
the mode its `input_type` file names); paths in the JSON are relative to `tests/data`. It
loads the file with `scalesim.topology_utils.topologies().load_arrays(...)`, then computes SCALE-Sim's
per-layer hyper-parameters (output size, MACs), which every simulation does first. The JSON lists
each file's layers, or the exception SCALE-Sim raised. Output is deterministic (sorted, fixed layout);
`--check` compares it with the committed file byte for byte instead of writing it.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from gainflow.files.atomic import atomic_file

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / "tests" / "data"
DEFAULT_OUTPUT = DEFAULT_DATA / "scalesim_topology_reference.json"
CORPUS = "scalesim/topologies"
GEMM_FOLDER = "GEMM_mnk"

# Runs inside the scalesim venv: reads [[path, input_type], ...] on stdin, writes results on stdout.
LOADER_PROGRAM = r"""
import contextlib, importlib.metadata, io, json, platform, sys
from scalesim.topology_utils import topologies

def load(path, input_type):
    topo = topologies()
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            topo.load_arrays(topofile=path, mnk_inputs=input_type == "gemm")
            topo.topo_calc_hyperparams()
        except Exception as err:
            return {"error": f"{type(err).__name__}: {err}"}
    layers = []
    for params, (ofmap_h, ofmap_w, macs, _window) in zip(topo.topo_arrays, topo.layers_calculated_hyperparams):
        name, values = params[0], params[1:9]
        layers.append([name, *values, ofmap_h, ofmap_w, macs])
    return {"layers": layers}

jobs = json.load(sys.stdin)
json.dump({"scalesim_version": importlib.metadata.version("scalesim"),
           "python_version": platform.python_version(),
           "results": [load(path, input_type) for path, input_type in jobs]}, sys.stdout)
"""

LAYER_COLUMNS = ["name", "ifmap_height", "ifmap_width", "filter_height", "filter_width", "channels",
                 "num_filters", "stride_height", "stride_width", "ofmap_height", "ofmap_width", "macs"]


def corpus_files(data):
    """(path relative to `data`, input type) for every topology CSV, in sorted order."""
    files = []
    for path in (data / CORPUS).rglob("*.csv"):
        gemm = path.relative_to(data / CORPUS).parts[0] == GEMM_FOLDER
        files.append((path.relative_to(data).as_posix(), "gemm" if gemm else "conv"))
    for path in (data / "golden").glob("*/topology.csv"):
        input_type = (path.parent / "input_type").read_text().strip()
        files.append((path.relative_to(data).as_posix(), input_type))
    return sorted(files)


def run_scalesim_loader(scalesim_python, data, files):
    jobs = [[str(data / name), input_type] for name, input_type in files]
    completed = subprocess.run([scalesim_python, "-c", LOADER_PROGRAM], input=json.dumps(jobs),
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def build_reference(loaded, files):
    entries = {}
    for (name, input_type), result in zip(files, loaded["results"]):
        entry = {"input_type": input_type}
        if "error" in result:
            entry["scalesim_error"] = result["error"]
        else:
            entry["layers"] = result["layers"]
        entries[name] = entry
    return {
        "generator": "scripts/make_topology_reference.py",
        "scalesim_version": loaded["scalesim_version"],
        "python_version": loaded["python_version"],
        "layer_columns": LAYER_COLUMNS,
        "files": entries,
    }


def format_reference(reference):
    """Indented JSON with one line per layer (a plain indent would put every number on its own line)."""
    layer_rows = {name: entry.pop("layers", None) for name, entry in reference["files"].items()}
    text = json.dumps(reference, indent=1, sort_keys=True)
    for name, rows in layer_rows.items():
        if rows is None:
            continue
        reference["files"][name]["layers"] = rows
        compact_rows = ",\n".join("    " + json.dumps(row) for row in rows)
        entry_start = text.index(json.dumps(name) + ": {")
        entry_end = text.index("\n  }", entry_start)
        text = f'{text[:entry_end]},\n   "layers": [\n{compact_rows}\n   ]{text[entry_end:]}'
    return text + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalesim-python", required=True,
                        help="python of a separate venv with scalesim==2.0.2 installed")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"folder holding {CORPUS}/ and golden/ (default: {DEFAULT_DATA})")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"reference JSON to write (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--check", action="store_true",
                        help="compare with the existing --output byte for byte instead of writing it")
    args = parser.parse_args(argv)
    data = args.data.resolve()
    files = corpus_files(data)
    if not files:
        parser.error(f"no topology files under {data}")
    loaded = run_scalesim_loader(args.scalesim_python, data, files)
    if loaded["scalesim_version"] != "2.0.2":
        parser.error(f"expected scalesim 2.0.2, the given python has {loaded['scalesim_version']}")
    reference = build_reference(loaded, files)
    text = format_reference(reference)
    if args.check:
        same = args.output.read_text() == text
        print(f"{args.output}: {'byte-identical' if same else 'DIFFERS'}")
        return 0 if same else 1
    with atomic_file(args.output) as handle:
        handle.write(text.encode())
    failed = sum("scalesim_error" in entry for entry in reference["files"].values())
    print(f"{args.output}: {len(files)} files, SCALE-Sim fails on {failed}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
