"""The compiled part of gainflow; everything else is declared in pyproject.toml.

gainflow._kernels holds the inner loops that numpy cannot express without many passes over memory
(CSV digits, lifetime intervals, CPython's set order). It is built with the system C compiler at install time
and loads in a millisecond, which matters for a sweep of hundreds of short jobs.
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = Path("workflow/gainflow/_kernels.c")
# The module carries its source's hash: gainflow.kernels refuses a build of an older source.
SOURCE_SHA256 = hashlib.sha256(SOURCE.read_bytes()).hexdigest()

setup(ext_modules=[Extension("gainflow._kernels", [SOURCE.as_posix()], extra_compile_args=["-O2"],
                             define_macros=[("GAINFLOW_SOURCE_SHA256", f'"{SOURCE_SHA256}"')])])
