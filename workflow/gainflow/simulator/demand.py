"""Demand matrices, described by a `DemandSpec`, turned into streams: the slots of every fold in
row-major order, as operand-local address ids.

Every fold of a layer has the same slot pattern, cut short for the last row or column fold, so the
pattern is built once (a "template", already in row-major order) and gathered fold by fold when a
range of folds is asked for: a layer's stream is never held whole, and every consumer (fetch scan,
events, traces) walks it in chunks of a few folds. Slots a short fold does not use, and slots whose
operand entry is -1, hold the id `hole`.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np

from gainflow.simulator.operands import AffineIds
from gainflow.simulator.write_buffer import RowWords

CHUNK_SLOTS = 1 << 21  # slots per chunk of folds: bounds the gathered slots and their int64 temporaries


@dataclass(frozen=True)
class DemandStream:
    gather: Callable  # (first fold, stop fold) -> slots (folds x template slots): local id, or `hole`
    num_folds: int
    slot_rows: np.ndarray  # demand row (within its fold) of each template slot
    slot_columns: np.ndarray  # demand column of each template slot
    fold_len: int
    hole: int  # id of an empty slot (= the operand's address count)
    address_base: int  # operand offset: address = local id + address_base
    repeats: np.ndarray  # per fold: whether it holds exactly the slots of the fold before it
    # The folds `segment` gathered last: [(first fold, stop fold, their slots, flat)].
    _gathered: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of_slots(cls, slots, slot_rows, slot_columns, fold_len, hole, address_base, repeats):
        """A stream over slots already built (folds x template slots)."""
        return cls(lambda first, stop: slots[first:stop], len(slots), slot_rows, slot_columns, fold_len, hole,
                   address_base, repeats)

    @property
    def fold_size(self):
        return len(self.slot_rows)

    @property
    def num_slots(self):
        return self.num_folds * self.fold_size

    def chunks(self, slots_per_chunk=None):
        """(first fold, slots of a few folds: about `slots_per_chunk`, default CHUNK_SLOTS) from the
        first fold to the last."""
        step = max(1, (slots_per_chunk or CHUNK_SLOTS) // max(1, self.fold_size))
        for first in range(0, self.num_folds, step):
            yield first, self.gather(first, min(first + step, self.num_folds))

    def segment(self, start, stop):
        """The flat slots `start .. stop - 1` (flat index = fold * fold_size + template slot), a
        read-only view. Folds are gathered about CHUNK_SLOTS at a time and kept until a segment
        leaves them: scans ask for many segments shorter than a fold."""
        first, stop_fold = start // self.fold_size, -(-stop // self.fold_size)
        if not self._gathered or not (self._gathered[0] <= first and stop_fold <= self._gathered[1]):
            ahead = min(self.num_folds, first + max(1, CHUNK_SLOTS // max(1, self.fold_size)))
            slots = self.gather(first, max(stop_fold, ahead)).reshape(-1)
            slots.flags.writeable = False
            self._gathered[:] = [first, max(stop_fold, ahead), slots]
        offset = self._gathered[0] * self.fold_size
        return self._gathered[2][start - offset:stop - offset]

    def rows_of(self, indices):
        """Demand rows of flat slot indices."""
        folds, slots = np.divmod(indices, self.fold_size)
        return folds * self.fold_len + self.slot_rows[slots]

    def addresses_of(self, slots):
        """Addresses (int64) of filled slot values."""
        return slots.astype(np.int64) + self.address_base

    @cached_property
    def row_span(self):
        """Demand rows of the first and the last slot holding an address."""
        first_fold = np.flatnonzero(self.gather(0, 1)[0] != self.hole)
        last_fold = np.flatnonzero(self.gather(self.num_folds - 1, self.num_folds)[0] != self.hole)
        if len(first_fold) and len(last_fold):  # the usual case: no need to scan every fold
            first = int(first_fold[0])
            last = self.num_slots - self.fold_size + int(last_fold[-1])
        else:
            filled = np.concatenate([np.flatnonzero(slots.reshape(-1) != self.hole) + fold * self.fold_size
                                     for fold, slots in self.chunks()])
            first, last = int(filled[0]), int(filled[-1])
        return tuple(int(row) for row in self.rows_of(np.array([first, last])))

    def compact_chunks(self, slots_per_chunk=None):
        """(addresses, demand rows, demand columns) of the filled slots, row-major, chunk by chunk;
        int64."""
        for first_fold, slots in self.chunks(slots_per_chunk):
            flat = slots.reshape(-1)
            indices = np.flatnonzero(flat != self.hole)
            columns = self.slot_columns[indices % self.fold_size]
            yield self.addresses_of(flat[indices]), self.rows_of(indices + first_fold * self.fold_size), columns


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


class _FoldGather:
    """Gathers the slots of a range of folds of `spec` from its operand matrix, or computes them
    when the operand is AffineIds."""

    def __init__(self, spec, u, j):
        source = spec.source
        affine = isinstance(source, AffineIds)
        # Steps of a row and a column of `S`: in the flat matrix, or of the id itself when affine.
        row_step, col_step = (source.row_step, source.col_step) if affine else (source.shape[1], 1)
        if spec.transposed:
            row_step, col_step = col_step, row_step
        self.spec = spec
        self.affine = affine
        self.fold_starts = spec.folds[:, 0] * row_step + spec.folds[:, 2] * col_step
        self.template = u * row_step + j * col_step
        if affine:  # ids, added in the slots' type (past-the-operand slots may wrap: they are emptied)
            self.fold_starts = self.fold_starts.astype(source.dtype)
            self.template = self.template.astype(source.dtype)
        self.u, self.j = u, j
        self.full_rows, self.full_cols = int(spec.folds[:, 1].max()), int(spec.folds[:, 3].max())

    def __call__(self, first, stop):
        spec = self.spec
        slots = np.empty((stop - first, len(self.template)), dtype=spec.source.dtype)
        # Clipped (or, when affine, past-the-operand) slots of short folds are emptied below.
        if self.affine:
            np.add(self.fold_starts[first:stop, None], self.template[None, :], out=slots)
        else:
            np.take(spec.source, self.fold_starts[first:stop, None] + self.template[None, :], mode="clip", out=slots)
        row_limit, col_limit = spec.folds[first:stop, 1], spec.folds[first:stop, 3]
        short = (row_limit < self.full_rows) | (col_limit < self.full_cols)
        if short.any():
            outside = (self.u[None, :] >= row_limit[short, None]) | (self.j[None, :] >= col_limit[short, None])
            short_slots = slots[short]
            short_slots[outside] = spec.address_count
            slots[short] = short_slots
        return slots


def demand_stream(spec):
    """The DemandStream of `spec` (its folds gathered when asked for)."""
    rows, u, j = _template(spec)
    repeats = np.concatenate([[False], (spec.folds[1:] == spec.folds[:-1]).all(axis=1)])
    return DemandStream(_FoldGather(spec, u, j), len(spec.folds), rows, j, spec.fold_len, spec.address_count,
                        spec.address_base, repeats)


def row_words(spec):
    """RowWords: the slots of each demand row that the fold limits keep (for OFMAP, whose operand has
    no -1 entries: the addresses per row), per fold shape, without building the stream."""
    rows, u, j = _template(spec)
    limits, fold_shapes = np.unique(spec.folds[:, [1, 3]], axis=0, return_inverse=True)
    counts = np.stack([np.bincount(rows[(u < row_limit) & (j < col_limit)], minlength=spec.fold_len)
                       for row_limit, col_limit in limits])
    return RowWords(counts.astype(np.int32), fold_shapes.ravel())  # a row holds at most the array's width


def fill_demand_rows(stream, slots, out):
    """Write the demand rows of `slots` (the slots of whole folds) into `out` (int64, one row per
    demand row, as wide as the demand matrix): addresses, -1 in empty slots."""
    out[:] = -1
    addresses = np.where(slots == stream.hole, -1, slots.astype(np.int64) + stream.address_base)
    blocks = out.reshape(len(slots), stream.fold_len, out.shape[1])  # splits axis 0: a view
    blocks[:, stream.slot_rows, stream.slot_columns] = addresses
