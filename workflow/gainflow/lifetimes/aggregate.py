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

from gainflow.files.plain import csv_field

AGGREGATE_COLUMNS = (
    "subdivision", "intervals", "mean", "median", "p90", "max", "min", "reads", "writes", "dead_writes",
    "unfilled_reads", "unique_addresses", "cycles", "read_rate", "write_rate", "writes_per_address",
)


def aggregate_row(lifetimes, cycles):
    """{column: value} for one `BufferLifetimes`; None marks an undefined value. Every value is a
    plain Python number (the counts may arrive as numpy integers)."""
    values = lifetimes.lifetime
    count = len(values)
    reads, writes, unique_addresses, cycles = (
        int(number) for number in (lifetimes.reads, lifetimes.writes, lifetimes.unique_addresses, cycles))
    return {
        "subdivision": lifetimes.subdivision,
        "intervals": count,
        "mean": int(values.sum()) / count if count else None,
        "median": float(np.median(values)) if count else None,
        "p90": float(np.quantile(values, 0.9)) if count else None,
        "max": int(values.max()) if count else None,
        "min": int(values.min()) if count else None,
        "reads": reads,
        "writes": writes,
        "dead_writes": int(lifetimes.dead_writes),
        "unfilled_reads": int(lifetimes.unfilled_reads),
        "unique_addresses": unique_addresses,
        "cycles": cycles,
        "read_rate": _ratio(reads, cycles),
        "write_rate": _ratio(writes, cycles),
        "writes_per_address": _ratio(writes, unique_addresses),
    }


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def aggregate_csv(rows):
    """The aggregate CSV text: header, then one line per row dict (values checked by `csv_field`)."""
    lines = [",".join(AGGREGATE_COLUMNS)]
    lines += [",".join(csv_field(row[column]) for column in AGGREGATE_COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"
