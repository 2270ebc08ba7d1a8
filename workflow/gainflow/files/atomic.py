"""Outputs that appear complete or not at all: write a temporary name in the same folder, then rename.

A process killed while writing (SIGKILL, a power cut) cannot clean up: its temporary file or folder
stays. The next writer of the same output (the rerun) removes it first, so a recovered run leaves
nothing behind. (One writer per output at a time, as in the workflow.)
"""

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

# What tempfile puts between prefix and suffix: letters, digits and `_`, never a dot (so the
# temporary files of `out.csv` are told apart from those of `out.csv.gz`).
RANDOM_PART = r"[a-z0-9_]+"


@contextlib.contextmanager
def atomic_file(path):
    """Yield a binary handle; on success the data replaces `path`, on error nothing is left."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix, suffix = f".{path.name}.", ".tmp"
    remove_leftovers(path.parent, prefix, suffix)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def copy_atomically(source, target):
    """`target` becomes a copy of the file `source`, complete or not at all."""
    with atomic_file(target) as handle:
        handle.write(Path(source).read_bytes())


@contextlib.contextmanager
def staged_tree(target, staging_parent):
    """Yield a new hidden folder in `staging_parent` (on `target`'s file system) to write a
    multi-file output into; when the block succeeds its files move under `target` (`publish_tree`).
    The folder is removed in any case, so a failure leaves no output behind."""
    prefix = f".{Path(target).name}.staging-"
    remove_leftovers(staging_parent, prefix)
    staging = Path(tempfile.mkdtemp(dir=staging_parent, prefix=prefix))
    try:
        yield staging
        publish_tree(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish_tree(staging, target):
    """Move every file under the folder `staging` to the same relative path under `target`
    (older files replaced). Used after a whole multi-file output was staged successfully."""
    for folder, _, names in sorted(os.walk(staging)):
        destination = Path(target) / Path(folder).relative_to(staging)
        destination.mkdir(parents=True, exist_ok=True)
        for name in sorted(names):
            os.replace(Path(folder) / name, destination / name)


def remove_leftovers(folder, prefix, suffix=""):
    """Remove the temporary files and folders (`<prefix><random><suffix>`) of an earlier writer of
    the same output that was killed before it could clean up."""
    pattern = re.compile(re.escape(prefix) + RANDOM_PART + re.escape(suffix))
    for leftover in Path(folder).iterdir():
        if pattern.fullmatch(leftover.name):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
