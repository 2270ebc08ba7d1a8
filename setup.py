"""The compiled part of gainflow; everything else is declared in pyproject.toml.

gainflow._kernels holds the inner loops that numpy cannot express without many passes over memory
(CSV digits, lifetime intervals, CPython's set order). It is built with the system C compiler at install time
and loads in a millisecond, which matters for a sweep of hundreds of short jobs.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("gainflow._kernels", ["workflow/gainflow/_kernels.c"], extra_compile_args=["-O2"])])
