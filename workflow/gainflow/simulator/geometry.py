"""How a layer is folded onto the array: spread dimensions, folds, per-fold metrics and SRAM counters.

Notation: `R` x `C` array, `P` output pixels,
`K` window size, `NF` filters. `Sr` is spread over the array rows, `Sc` over the columns and `T` is
temporal. Folds are visited column fold outer, row fold inner.
"""

from dataclasses import dataclass

import numpy as np


def ceil_div(numerator, denominator):
    return -(-numerator // denominator)


@dataclass(frozen=True)
class FoldPlan:
    dataflow: str
    rows: int  # R
    cols: int  # C
    spread_rows: int  # Sr
    spread_cols: int  # Sc
    temporal: int  # T
    fold_len: int  # demand rows per fold
    # One entry per fold, in fold order: first spread row/column and how many are used.
    row_start: np.ndarray
    rows_used: np.ndarray
    col_start: np.ndarray
    cols_used: np.ndarray

    @property
    def num_folds(self):
        return len(self.row_start)

    @property
    def num_demand_rows(self):
        return self.num_folds * self.fold_len


def plan_folds(layer, dataflow, rows, cols):
    """Fold plan of `layer` on an R x C array with `dataflow` ("os", "ws" or "is")."""
    pixels = layer.ofmap_height * layer.ofmap_width
    window = layer.window_size
    filters = layer.num_filters
    spread_rows, spread_cols, temporal = {
        "os": (pixels, filters, window),
        "ws": (window, filters, pixels),
        "is": (window, pixels, filters),
    }[dataflow]
    if dataflow == "os":
        fold_len = temporal + rows + cols - 2
    else:
        fold_len = 2 * rows + cols + temporal - 2
    row_folds = ceil_div(spread_rows, rows)
    col_folds = ceil_div(spread_cols, cols)
    # Column fold outer, row fold inner.
    row_start = np.tile(np.arange(row_folds, dtype=np.int64) * rows, col_folds)
    col_start = np.repeat(np.arange(col_folds, dtype=np.int64) * cols, row_folds)
    rows_used = np.minimum(row_start + rows, spread_rows) - row_start
    cols_used = np.minimum(col_start + cols, spread_cols) - col_start
    return FoldPlan(dataflow, rows, cols, spread_rows, spread_cols, temporal, fold_len,
                    row_start, rows_used, col_start, cols_used)


def sram_counters(plan):
    """(IFMAP reads, FILTER reads, OFMAP writes) as SCALE-Sim counts them, from unpadded fold sizes."""
    nr = [int(v) for v in plan.rows_used]
    nc = [int(v) for v in plan.cols_used]
    t = plan.temporal
    used = sum(r * c for r, c in zip(nr, nc))
    if plan.dataflow == "os":
        # The OS counter adds R + C per fold on top of the real writes (SCALE-Sim issue #166).
        return t * sum(nr), t * sum(nc), used + plan.num_folds * (plan.rows + plan.cols)
    if plan.dataflow == "ws":
        return t * sum(nr), used, t * sum(nc)
    return used, t * sum(nr), t * sum(nc)


def fold_averages(plan):
    """(Mapping Efficiency %, Compute Util %): per-fold ratios averaged with equal weight.

    Summed left to right in fold order, as Python 3.11's sum() does, so the last digits match.
    """
    pes = plan.rows * plan.cols
    t = plan.temporal
    if plan.dataflow == "os":
        util_cycles = t + plan.rows + plan.cols - 2
    else:
        # ws and is take the cycles from an unskewed block: one C - 1 more than the fold length.
        util_cycles = 2 * plan.rows + 2 * plan.cols + t - 3
    mapping_sum = 0.0
    util_sum = 0.0
    for r, c in zip(plan.rows_used.tolist(), plan.cols_used.tolist()):
        mapping_sum += (r * c) / pes
        util_sum += (r * c * t) / (pes * util_cycles)
    folds = plan.num_folds
    return mapping_sum / folds * 100, util_sum / folds * 100
