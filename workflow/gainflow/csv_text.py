"""CSV text of integer matrices: SCALE-Sim's traces and the lifetime tables, which run to gigabytes.

Two number formats, as SCALE-Sim's traces use them: `%i` (SRAM traces: `12,-1`) and `str(float64)` of
integral values (DRAM traces: `12.0,-1.0`). numpy.savetxt formats one row at a time in Python, and
vectorised numpy layouts need many passes over memory; the digits are written by a compiled loop
(`gainflow._kernels.format_rows`, C, built at install time).
"""

import numpy as np

from gainflow._kernels import format_rows as _format_rows

ROWS_PER_CHUNK = 1 << 15


def format_rows(matrix, float_style=False, prefix=b""):
    """CSV bytes of an integer matrix, one line per row, each led by `prefix`."""
    matrix = np.ascontiguousarray(matrix, dtype=np.int64)
    if matrix.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got {matrix.ndim} dimensions")
    if float_style and matrix.size and np.abs(matrix).max() >= 10 ** 16:
        # str(float64) switches to exponent notation there; addresses never get this large.
        raise ValueError("trace values of 1e16 or more are not supported")
    if matrix.size == 0:
        return b""
    return _format_rows(matrix, matrix.shape[1], prefix, b".0" if float_style else b"")


def write_int_rows(handle, columns, prefix=b""):
    """Write one CSV row per element of the equally long integer `columns` into the binary `handle`,
    each row led by `prefix` (e.g. b"ifmap,"), in bounded memory."""
    columns = [np.asarray(column) for column in columns]
    if not columns or any(column.ndim != 1 or column.dtype.kind not in "iu" for column in columns):
        raise ValueError("expected one or more 1-D integer columns")
    if any(len(column) != len(columns[0]) for column in columns):
        raise ValueError("columns differ in length")
    for start in range(0, len(columns[0]), ROWS_PER_CHUNK):
        stop = min(start + ROWS_PER_CHUNK, len(columns[0]))
        block = np.empty((stop - start, len(columns)), dtype=np.int64)
        for index, column in enumerate(columns):
            block[:, index] = column[start:stop]
        handle.write(format_rows(block, prefix=prefix))
