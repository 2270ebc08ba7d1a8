"""The compiled inner loops, gainflow._kernels (built from `_kernels.c` when the package is installed).

Every module takes them from here, so that sources used without a build (a copied checkout, a failed
compile, another Python version) stop with how to build them rather than a bare ImportError.
"""

from gainflow.errors import MissingBuildError

try:
    from gainflow._kernels import assign_reads, collect_intervals, format_rows, set_order, text_bytes
except ImportError as err:
    raise MissingBuildError(
        f"gainflow's compiled module gainflow._kernels does not load ({err}). It is built when the "
        "package is installed: reinstall with `pip install .` (needs a C compiler), or run `make setup` "
        "in a checkout."
    ) from err

__all__ = ["assign_reads", "collect_intervals", "format_rows", "set_order", "text_bytes"]
