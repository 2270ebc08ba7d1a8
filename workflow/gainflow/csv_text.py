"""Fast CSV text for integer matrices (traces, lifetime tables), in the two formats SCALE-Sim's traces use:
`%i` (SRAM traces: `12,-1`) and `str(float64)` of integral values (DRAM traces: `12.0,-1.0`).

numpy.savetxt formats one row at a time in Python; these traces run to hundreds of megabytes, so the
digits are written by a compiled loop (numba; about 7x faster than the best vectorised numpy layout
tried). Only trace and lifetime-table writing import this module: reports-only runs never load numba.
"""

import numba
import numpy as np

ROWS_PER_CHUNK = 1 << 15
_MAX_FIELD = 24  # sign + 19 digits + ".0" + separator, rounded up


# "00" .. "99": two digits per division.
_DIGIT_PAIRS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode(), dtype=np.uint8).copy()


@numba.njit(cache=True)
def _put_int(buffer, pos, value):
    if value == -1:  # the empty slot: most fields of an SRAM trace
        buffer[pos] = 45  # '-'
        buffer[pos + 1] = 49  # '1'
        return pos + 2
    if value < 0:
        buffer[pos] = 45
        pos += 1
        value = -value
    rest = np.uint64(value)  # unsigned division is cheaper
    digits = 1
    bound = np.uint64(10)
    while rest >= bound and digits < 19:
        bound *= np.uint64(10)
        digits += 1
    end = pos + digits
    while rest >= np.uint64(100):
        quotient = rest // np.uint64(100)
        pair = 2 * (rest - quotient * np.uint64(100))
        buffer[end - 1] = _DIGIT_PAIRS[pair + 1]
        buffer[end - 2] = _DIGIT_PAIRS[pair]
        end -= 2
        rest = quotient
    if rest >= np.uint64(10):
        buffer[end - 1] = _DIGIT_PAIRS[2 * rest + 1]
        buffer[end - 2] = _DIGIT_PAIRS[2 * rest]
    else:
        buffer[end - 1] = np.uint8(48) + np.uint8(rest)
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
    """CSV bytes of an int64 matrix (all of it: the cycle column is the matrix's first column)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.int64)
    if float_style and matrix.size and np.abs(matrix).max() >= 10 ** 16:
        # str(float64) switches to exponent notation there; addresses never get this large.
        raise ValueError("trace values of 1e16 or more are not supported")
    buffer = np.empty(matrix.size * _MAX_FIELD + 1, dtype=np.uint8)
    length = _format(matrix, float_style, buffer)
    return buffer[:length].tobytes()
