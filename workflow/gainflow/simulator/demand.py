"""Demand matrices, described by a `DemandSpec`, turned into streams: the slots of every fold in
row-major order, as operand-local address ids.

Every fold of a layer has the same slot pattern, cut short for the last row or column fold, so the
pattern is built once (a "template", already in row-major order) and gathered for all folds at once.
Slots a short fold does not use, and slots whose operand entry is -1, hold the id `hole`.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class DemandStream:
    slots: np.ndarray  # (folds x template slots), int32 or int64: local address id, or `hole`
    slot_rows: np.ndarray  # demand row (within its fold) of each template slot
    slot_columns: np.ndarray  # demand column of each template slot
    fold_len: int
    hole: int  # id of an empty slot (= the operand's address count)
    address_base: int  # operand offset: address = local id + address_base
    repeats: np.ndarray  # per fold: whether it holds exactly the slots of the fold before it

    @property
    def flat(self):
        return self.slots.reshape(-1)

    def rows_of(self, indices):
        """Demand rows of flat slot indices."""
        folds, slots = np.divmod(indices, len(self.slot_rows))
        return folds * self.fold_len + self.slot_rows[slots]

    def filled(self):
        """Flat indices of the slots holding an address, in order."""
        return np.flatnonzero(self.flat != self.hole)

    def addresses_at(self, indices):
        """Addresses (int64) held by filled slots at flat `indices`."""
        return self.flat[indices].astype(np.int64) + self.address_base

    @cached_property
    def row_span(self):
        """Demand rows of the first and the last slot holding an address."""
        first_fold = np.flatnonzero(self.slots[0] != self.hole)
        last_fold = np.flatnonzero(self.slots[-1] != self.hole)
        if len(first_fold) and len(last_fold):  # the usual case: no need to scan every fold
            first, last = int(first_fold[0]), self.flat.size - self.slots.shape[1] + int(last_fold[-1])
        else:
            filled = self.flat != self.hole
            first, last = int(filled.argmax()), len(filled) - 1 - int(filled[::-1].argmax())
        return tuple(int(row) for row in self.rows_of(np.array([first, last])))

    def compact(self):
        """(addresses, demand rows, demand columns) of every filled slot, row-major; int64."""
        indices = self.filled()
        columns = self.slot_columns[indices % len(self.slot_columns)]
        return self.addresses_at(indices), self.rows_of(indices), columns


def _template(spec):
    """(l, u, j) of every slot of a full-size fold, sorted by demand row `l`, then column `j`."""
    row_limit = int(spec.folds[:, 1].max())
    col_limit = int(spec.folds[:, 3].max())
    l = np.arange(spec.fold_len, dtype=np.int64)
    s = spec.a * l + spec.c
    # Columns j of row l with 0 <= s + b*j < row_limit.
    if spec.b == -1:
        lo, hi = s - row_limit + 1, s + 1
    elif spec.b == 1:
        lo, hi = -s, row_limit - s
    else:
        inside = (s >= 0) & (s < row_limit)
        lo, hi = np.zeros_like(s), np.where(inside, col_limit, 0)
    lo = np.maximum(lo, 0)
    counts = np.maximum(np.minimum(hi, col_limit) - lo, 0)
    row_starts = np.cumsum(counts) - counts
    rows = np.repeat(l, counts)
    j = np.repeat(lo - row_starts, counts) + np.arange(int(counts.sum()), dtype=np.int64)
    return rows, spec.a * rows + spec.b * j + spec.c, j


GATHER_CHUNK = 1 << 22  # slots gathered at a time: bounds the int64 index temporaries


def demand_stream(spec):
    """The DemandStream of `spec`."""
    rows, u, j = _template(spec)
    rb, row_limit, cb, col_limit = (spec.folds[:, k] for k in range(4))
    row_step, col_step = (1, spec.source.shape[1]) if spec.transposed else (spec.source.shape[1], 1)
    fold_starts = rb * row_step + cb * col_step
    template = u * row_step + j * col_step
    slots = np.empty((len(fold_starts), len(template)), dtype=spec.source.dtype)
    folds_per_chunk = max(1, GATHER_CHUNK // max(1, len(template)))
    for first in range(0, len(fold_starts), folds_per_chunk):
        stop = first + folds_per_chunk
        # Clipped slots of short folds are emptied below.
        np.take(spec.source, fold_starts[first:stop, None] + template[None, :], mode="clip",
                out=slots[first:stop])
    short = (row_limit < row_limit.max()) | (col_limit < col_limit.max())
    if short.any():
        outside = (u[None, :] >= row_limit[short, None]) | (j[None, :] >= col_limit[short, None])
        short_slots = slots[short]
        short_slots[outside] = spec.address_count
        slots[short] = short_slots
    repeats = np.concatenate([[False], (spec.folds[1:] == spec.folds[:-1]).all(axis=1)])
    return DemandStream(slots, rows, j, spec.fold_len, spec.address_count, spec.address_base, repeats)


def words_per_row(spec):
    """Number of slots of each demand row that the fold limits keep (for OFMAP, whose operand has
    no -1 entries: the addresses per row), without building the stream."""
    rows, u, j = _template(spec)
    limits, fold_shape = np.unique(spec.folds[:, [1, 3]], axis=0, return_inverse=True)
    counts = np.stack([np.bincount(rows[(u < row_limit) & (j < col_limit)], minlength=spec.fold_len)
                       for row_limit, col_limit in limits])
    return counts[fold_shape.ravel()].ravel()


def fill_demand_rows(stream, first_fold, stop_fold, out):
    """Write the demand rows of folds `first_fold .. stop_fold - 1` into `out` (int64, one row per
    demand row, as wide as the demand matrix): addresses, -1 in empty slots."""
    out[:] = -1
    slots = stream.slots[first_fold:stop_fold]
    addresses = np.where(slots == stream.hole, -1, slots.astype(np.int64) + stream.address_base)
    blocks = out.reshape(stop_fold - first_fold, stream.fold_len, out.shape[1])  # splits axis 0: a view
    blocks[:, stream.slot_rows, stream.slot_columns] = addresses
