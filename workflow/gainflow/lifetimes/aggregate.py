"""Per-layer aggregate statistics of one buffer's lifetimes (one row of `layer<i>_aggregate_data.csv`).

Columns (`AGGREGATE_COLUMNS`), all lifetimes in cycles:

- `intervals`: intervals with a lifetime (rows of the lifetime CSV; = writes - dead_writes);
- `mean`, `median`, `p90`, `max`, `min` over those lifetimes; `mean` = exact integer sum /
  count, `p90` = linear interpolation (numpy `quantile(..., 0.9)` = pandas `quantile(0.9)`);
- `reads`, `writes`, `dead_writes`, `unfilled_reads`, `unique_addresses` (see gainflow.lifetimes.intervals);
- `cycles`: the layer's Total Cycles (COMPUTE_REPORT.csv);
- `read_rate = reads / cycles`, `write_rate = writes / cycles` (accesses per cycle),
  `writes_per_address = writes / unique_addresses`.

A value that is undefined (no intervals, zero cycles or zero addresses) is an empty field,
which pandas reads as NaN. Floats are written in Python's shortest round-trip form.
"""

import numpy as np

AGGREGATE_COLUMNS = (
    "subdivision", "intervals", "mean", "median", "p90", "max", "min", "reads", "writes", "dead_writes",
    "unfilled_reads", "unique_addresses", "cycles", "read_rate", "write_rate", "writes_per_address",
)


def aggregate_row(lifetimes, cycles):
    """{column: value} for one `BufferLifetimes`; None marks an undefined value."""
    values = lifetimes.lifetime
    count = len(values)
    return {
        "subdivision": lifetimes.subdivision,
        "intervals": count,
        "mean": int(values.sum()) / count if count else None,
        "median": float(np.median(values)) if count else None,
        "p90": float(np.quantile(values, 0.9)) if count else None,
        "max": int(values.max()) if count else None,
        "min": int(values.min()) if count else None,
        "reads": lifetimes.reads,
        "writes": lifetimes.writes,
        "dead_writes": lifetimes.dead_writes,
        "unfilled_reads": lifetimes.unfilled_reads,
        "unique_addresses": lifetimes.unique_addresses,
        "cycles": cycles,
        "read_rate": _ratio(lifetimes.reads, cycles),
        "write_rate": _ratio(lifetimes.writes, cycles),
        "writes_per_address": _ratio(lifetimes.writes, lifetimes.unique_addresses),
    }


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def aggregate_csv(rows):
    """The aggregate CSV text: header, then one line per row dict."""
    lines = [",".join(AGGREGATE_COLUMNS)]
    lines += [",".join(_field(row[column]) for column in AGGREGATE_COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"


def _field(value):
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)
