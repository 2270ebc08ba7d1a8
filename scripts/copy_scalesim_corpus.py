#!/usr/bin/env python3
"""Copy (or check) SCALE-Sim's topology files and example configs into tests/data/scalesim/.

The source is a checkout of https://github.com/scalesim-project/scale-sim-v2 at commit 22f88b1
(MIT licence, see tests/data/scalesim/LICENSE):

    git clone https://github.com/scalesim-project/scale-sim-v2 /tmp/scale-sim-v2
    git -C /tmp/scale-sim-v2 checkout 22f88b1
    python3 scripts/copy_scalesim_corpus.py /tmp/scale-sim-v2           # rewrite tests/data/scalesim
    python3 scripts/copy_scalesim_corpus.py /tmp/scale-sim-v2 --check   # compare byte for byte

Every `topologies/**/*.csv` is copied unchanged to `topologies/`, and the three example configs the
hardware-config tests read to `configs/`; then the SHA256SUMS manifest is rewritten. Afterwards
regenerate SCALE-Sim's parse of them with scripts/make_topology_reference.py.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from data_manifest import report_check, tree_differences, write_manifest

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "scalesim"
COMMIT = "22f88b1"
CONFIGS = ("eyeriss.cfg", "google.cfg", "scale.cfg")


def corpus_sources(checkout):
    """(path under the output folder, source file) for every file the corpus takes from `checkout`."""
    topologies = [(Path("topologies") / path.relative_to(checkout / "topologies"), path)
                  for path in sorted((checkout / "topologies").rglob("*.csv"))]
    return topologies + [(Path("configs") / name, checkout / "configs" / name) for name in CONFIGS]


def checked_out_commit(checkout):
    """HEAD of `checkout` if it is a git work tree, else None."""
    if not (checkout / ".git").exists():
        return None
    return subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


def copy_corpus(checkout, folder):
    for relative, source in corpus_sources(checkout):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / relative)
    write_manifest(folder)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help=f"a scale-sim-v2 checkout at commit {COMMIT}")
    parser.add_argument("--check", action="store_true",
                        help="copy into a temporary folder and compare with the committed data byte for byte")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    commit = checked_out_commit(args.checkout)
    if commit is not None and not commit.startswith(COMMIT):
        parser.error(f"{args.checkout} is at {commit}, not {COMMIT}")
    missing = [str(source) for _, source in corpus_sources(args.checkout) if not source.is_file()]
    if missing or not (args.checkout / "topologies").is_dir():
        parser.error(f"not a scale-sim-v2 checkout: missing {', '.join(missing) or 'topologies/'}")
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            copy_corpus(args.checkout, Path(scratch))
            return report_check("scalesim", tree_differences(Path(scratch), args.output))
    for folder in ("topologies", "configs"):
        shutil.rmtree(args.output / folder, ignore_errors=True)
    copy_corpus(args.checkout, args.output)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
