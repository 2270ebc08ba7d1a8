"""Operand matrices and how each demand matrix reads from them.

IFMAP `P x K` (NHWC, batch 1; -1 where a window runs past the input edge), FILTER `K x NF`,
OFMAP `P x NF`, with entries relative to the operand's offset ("local ids"). FILTER, OFMAP and a
GEMM's IFMAP are affine in the row and column (`AffineIds`) and never built.
A demand matrix is never built whole: it is described by a `DemandSpec` from which
`gainflow.simulator.demand` produces its stream of slots.
"""

from dataclasses import dataclass

import numpy as np


def ifmap_matrix(layer, outside=-1):
    """Local ids of the IFMAP operand (`P x K`); `outside` where a window runs past the input edge."""
    oh, ow = layer.ofmap_height, layer.ofmap_width
    width, fw, ch = layer.ifmap_width, layer.filter_width, layer.channels
    oy, ox = np.divmod(np.arange(oh * ow, dtype=np.int64), ow)
    k = np.arange(layer.window_size, dtype=np.int64)
    fy, fx = k // (fw * ch), k // ch % fw
    y0, x0 = oy * layer.stride_height, ox * layer.stride_width
    ids = ((y0 * width + x0) * ch)[:, None] + ((fy * width + fx) * ch + k % ch)[None, :]
    # Only pixels near the bottom or right edge can have windows past it.
    edge = np.flatnonzero((y0 + layer.filter_height > layer.ifmap_height) | (x0 + fw > width))
    if len(edge):
        past = ((y0[edge, None] + fy[None, :]) >= layer.ifmap_height) | ((x0[edge, None] + fx[None, :]) >= width)
        block = ids[edge]
        block[past] = outside
        ids[edge] = block
    return ids


@dataclass(frozen=True)
class AffineIds:
    """An operand matrix that is never built: entry `(r, c)` is `r * row_step + c * col_step`. FILTER
    and OFMAP are such, and IFMAP when every window spans the input's full width and none runs
    past its bottom edge (GEMMs): for large layers the matrices would take gigabytes."""

    shape: tuple
    row_step: int
    col_step: int
    dtype: np.dtype


def id_dtype(address_count):
    """int32 when every id and the hole (`address_count`) fit: halves the streams."""
    return np.dtype(np.int32) if address_count < np.iinfo(np.int32).max else np.dtype(np.int64)


def ifmap_is_affine(layer):
    """Whether every window of `layer` is the flat input from its output pixel's row on: one output
    column, windows as wide as the input, none past the bottom edge (GEMMs)."""
    rows_fit = (layer.ofmap_height - 1) * layer.stride_height + layer.filter_height <= layer.ifmap_height
    return layer.ofmap_width == 1 and layer.filter_width == layer.ifmap_width and rows_fit


def _ifmap_ids(layer, address_count):
    """The IFMAP operand: AffineIds when the window of output pixel `p` is the flat input from
    `p * stride * width * channels` on (one output column, windows as wide as the input, none past
    the bottom edge: GEMMs), else the matrix (`address_count` where a window runs past the edge)."""
    if ifmap_is_affine(layer):
        row_step = layer.stride_height * layer.ifmap_width * layer.channels
        return AffineIds((layer.ofmap_height, layer.window_size), row_step, 1, id_dtype(address_count))
    return ifmap_matrix(layer, outside=address_count).astype(id_dtype(address_count))


@dataclass(frozen=True)
class DemandSpec:
    """Demand row `l` of fold `f`, column `j`, holds `S[rb + u, cb + j]` with `u = a*l + b*j + c`,
    valid while `0 <= u < row_limit` and `j < col_limit`; every other slot is empty (-1).
    `S` is `source` (a matrix or AffineIds), or its transpose when `transposed`; it holds local ids,
    and `address_count` where the operand entry is -1.

    `folds` holds `(rb, row_limit, cb, col_limit)` per fold. Skewed blocks have `b = -1`
    (element `(u, j)` moves down by `j`), flipped blocks `a = -1` (last PE row first).
    """

    source: object  # np.ndarray or AffineIds
    transposed: bool
    a: int
    b: int
    c: int
    folds: np.ndarray
    fold_len: int
    width: int
    address_base: int  # the operand's offset
    address_count: int  # local ids are 0 .. address_count - 1

    @property
    def num_rows(self):
        return len(self.folds) * self.fold_len


def _fold_table(plan, row_range, lane_range):
    """Per fold `(rb, row_limit, cb, col_limit)`.

    `row_range` is "spread" when the source's rows follow the row fold, else "temporal" (all T rows).
    `lane_range` says whether the demand columns follow the row fold ("rows") or the column fold ("cols").
    """
    if lane_range == "rows":
        lanes = (plan.row_start, plan.rows_used)
    else:
        lanes = (plan.col_start, plan.cols_used)
    if row_range == "spread":
        rows = (plan.row_start, plan.rows_used)
    else:
        rows = (np.zeros_like(plan.row_start), np.full_like(plan.row_start, plan.temporal))
    return np.ascontiguousarray(np.stack([rows[0], rows[1], lanes[0], lanes[1]], axis=1))


def demand_specs(layer, hw, plan):
    """`{"ifmap", "filter", "ofmap"}` -> DemandSpec for the layer under `plan`'s dataflow."""
    ifmap_count = layer.ifmap_height * layer.ifmap_width * layer.channels
    pixels, window, filters = layer.ofmap_height * layer.ofmap_width, layer.window_size, layer.num_filters
    ifm = _ifmap_ids(layer, ifmap_count)
    flt = AffineIds((window, filters), 1, window, id_dtype(window * filters))  # entry (k, n): n * K + k
    ofm = AffineIds((pixels, filters), filters, 1, id_dtype(pixels * filters))  # row-major P x NF
    R, C, T = plan.rows, plan.cols, plan.temporal
    ifmap_range = (hw.ifmap_offset, ifmap_count)
    filter_range = (hw.filter_offset, window * filters)
    ofmap_range = (hw.ofmap_offset, pixels * filters)
    # (source, transposed, a, b, c, row_range, lane_range, width), read off SCALE-Sim's demand-matrix blocks.
    recipes = {
        "os": {
            "ifmap": (ifm, True, 1, -1, 0, "temporal", "rows", R),
            "filter": (flt, False, 1, -1, 0, "temporal", "cols", C),
            "ofmap": (ofm, False, -1, 1, R + T - 2, "spread", "cols", C),
        },
        "ws": {
            "ifmap": (ifm, False, 1, -1, -R, "temporal", "rows", R),
            "filter": (flt, False, -1, 0, R - 1, "spread", "cols", C),
            "ofmap": (ofm, False, 1, -1, -(2 * R - 1), "temporal", "cols", C),
        },
        "is": {
            "ifmap": (ifm, True, -1, 0, R - 1, "spread", "cols", C),
            "filter": (flt, True, 1, -1, -R, "temporal", "rows", R),
            "ofmap": (ofm, True, 1, -1, -(2 * R - 1), "temporal", "cols", C),
        },
    }[plan.dataflow]
    ranges = {"ifmap": ifmap_range, "filter": filter_range, "ofmap": ofmap_range}
    specs = {}
    for name, (source, transposed, a, b, c, row_range, lane_range, width) in recipes.items():
        specs[name] = DemandSpec(
            source, transposed, a, b, c, _fold_table(plan, row_range, lane_range),
            plan.fold_len, width, *ranges[name],
        )
    return specs
