"""Fast CSV text for integer trace matrices, in the two formats SCALE-Sim's traces use:
`%i` (SRAM traces: `12,-1`) and `str(float64)` of integral values (DRAM traces: `12.0,-1.0`).

numpy.savetxt formats one row at a time in Python; these traces run to hundreds of megabytes, so the
digits are written by a compiled loop (numba; about 7x faster than the best vectorised numpy layout
tried). Only trace writing imports this module: reports-only runs never load numba.
"""

import numba
import numpy as np

ROWS_PER_CHUNK = 1 << 15
_MAX_FIELD = 24  # sign + 19 digits + ".0" + separator, rounded up


@numba.njit(cache=True)
def _put_int(buffer, pos, value):
    if value < 0:
        buffer[pos] = 45  # '-'
        pos += 1
        value = -value
    digits = 1
    probe = value
    while probe >= 10:
        probe //= 10
        digits += 1
    for k in range(digits - 1, -1, -1):
        buffer[pos + k] = 48 + value % 10
        value //= 10
    return pos + digits


@numba.njit(cache=True)
def _format(matrix, float_style, buffer):
    pos = 0
    rows, cols = matrix.shape
    for i in range(rows):
        for j in range(cols):
            pos = _put_int(buffer, pos, matrix[i, j])
            if float_style:
                buffer[pos] = 46  # '.'
                buffer[pos + 1] = 48  # '0'
                pos += 2
            buffer[pos] = 44 if j < cols - 1 else 10  # ',' or '\n'
            pos += 1
    return pos


def format_rows(matrix, float_style=False):
    """CSV bytes of an int64 matrix (all of it: callers prepend the cycle column)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.int64)
    buffer = np.empty(matrix.size * _MAX_FIELD + 1, dtype=np.uint8)
    length = _format(matrix, float_style, buffer)
    return buffer[:length].tobytes()


def with_cycles(cycles, matrix):
    """Prepend the cycle column to a block of demand rows."""
    return np.concatenate([np.asarray(cycles, dtype=np.int64)[:, None], matrix], axis=1)
