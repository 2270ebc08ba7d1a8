"""The compiled inner loops, gainflow._kernels (built from `_kernels.c` when the package is installed).

Every module takes them from here, so that sources used without a build (a copied checkout, a failed
compile, another Python version) or with the build of an older `_kernels.c` stop with how to build
them rather than a bare ImportError or a silently outdated result.
"""

import hashlib
from pathlib import Path

from gainflow.errors import MissingBuildError

HOW_TO_BUILD = "reinstall with `pip install .` (needs a C compiler), or run `make setup` in a checkout"

try:
    from gainflow._kernels import (SOURCE_SHA256, address_slots, assign_reads, bucket_by_address,
                                   close_open_intervals, collect_intervals, format_rows, histogram_add, merge_events,
                                   set_order, text_bytes)
except ImportError as err:
    raise MissingBuildError(
        f"gainflow's compiled module gainflow._kernels does not load ({err}). It is built when the "
        f"package is installed: {HOW_TO_BUILD}."
    ) from err


def check_built_from(source):
    """Raise MissingBuildError unless the loaded compiled module was built from the file `source`."""
    if SOURCE_SHA256 != hashlib.sha256(Path(source).read_bytes()).hexdigest():
        raise MissingBuildError(
            f"gainflow's compiled module gainflow._kernels was not built from {source} (edited since "
            f"the last build?). To rebuild it, {HOW_TO_BUILD}."
        )


# An installed package has no C source beside it; a checkout has, and its build must match it.
if Path(__file__).with_name("_kernels.c").is_file():
    check_built_from(Path(__file__).with_name("_kernels.c"))

__all__ = ["address_slots", "assign_reads", "bucket_by_address", "check_built_from", "close_open_intervals",
           "collect_intervals", "format_rows", "histogram_add", "merge_events", "set_order", "text_bytes"]
