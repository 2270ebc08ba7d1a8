"""Demand matrices, described by a `DemandSpec`, produced as rows (for SRAM traces) or as the stream
of their non-(-1) addresses in row-major order (for the buffers, the counters and the events).

Compiled with numba: a layer has millions of demand slots and the buffers walk them in order.
"""

import numba
import numpy as np


@numba.njit(cache=True)
def _lane_interval(a, b, c, l, row_limit, col_limit):
    """Columns `j` of demand row `l` whose `u = a*l + b*j + c` lies in [0, row_limit), as [lo, hi)."""
    s = a * l + c
    if b == -1:
        lo, hi = s - row_limit + 1, s + 1
    elif b == 1:
        lo, hi = -s, row_limit - s
    elif 0 <= s < row_limit:
        lo, hi = 0, col_limit
    else:
        lo, hi = 0, 0
    return max(lo, 0), min(hi, col_limit)


@numba.njit(cache=True)
def _stream(source, a, b, c, folds, fold_len, out_addresses, out_rows):
    count = 0
    for f in range(folds.shape[0]):
        rb, row_limit, cb, col_limit = folds[f, 0], folds[f, 1], folds[f, 2], folds[f, 3]
        for l in range(fold_len):
            lo, hi = _lane_interval(a, b, c, l, row_limit, col_limit)
            for j in range(lo, hi):
                address = source[rb + a * l + b * j + c, cb + j]
                if address != -1:
                    out_addresses[count] = address
                    out_rows[count] = f * fold_len + l
                    count += 1
    return count


@numba.njit(cache=True)
def _fill_rows(source, a, b, c, folds, fold_len, first_row, out):
    out[:] = -1
    for i in range(out.shape[0]):
        f, l = divmod(first_row + i, fold_len)
        rb, row_limit, cb, col_limit = folds[f, 0], folds[f, 1], folds[f, 2], folds[f, 3]
        lo, hi = _lane_interval(a, b, c, l, row_limit, col_limit)
        for j in range(lo, hi):
            out[i, j] = source[rb + a * l + b * j + c, cb + j]


def demand_stream(spec):
    """(addresses, demand rows) of every non-(-1) demand slot, row-major; both int64."""
    capacity = int(np.sum(spec.folds[:, 1] * spec.folds[:, 3]))
    addresses = np.empty(capacity, dtype=np.int64)
    rows = np.empty(capacity, dtype=np.int64)
    count = _stream(spec.source, spec.a, spec.b, spec.c, spec.folds, spec.fold_len, addresses, rows)
    return addresses[:count].copy(), rows[:count].copy()


def demand_rows(spec, first_row, stop_row):
    """Demand rows `first_row .. stop_row - 1` as an int64 matrix, -1 in empty slots."""
    out = np.empty((stop_row - first_row, spec.width), dtype=np.int64)
    _fill_rows(spec.source, spec.a, spec.b, spec.c, spec.folds, spec.fold_len, first_row, out)
    return out
