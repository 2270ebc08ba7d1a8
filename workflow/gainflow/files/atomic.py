"""Outputs that appear complete or not at all: write a temporary name in the same folder, then rename."""

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_file(path):
    """Yield a binary handle; on success the data replaces `path`, on error nothing is left."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def publish_tree(staging, target):
    """Move every file under the folder `staging` to the same relative path under `target`
    (older files replaced). Used after a whole multi-file output was staged successfully."""
    for folder, _, names in sorted(os.walk(staging)):
        destination = Path(target) / Path(folder).relative_to(staging)
        destination.mkdir(parents=True, exist_ok=True)
        for name in sorted(names):
            os.replace(Path(folder) / name, destination / name)
