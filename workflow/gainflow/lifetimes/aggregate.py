"""Per-layer aggregate statistics of one buffer's lifetimes (one row of `layer<i>_aggregate_data.csv`).

Columns (`AGGREGATE_COLUMNS`), all lifetimes in cycles:

- `intervals`: intervals with a lifetime (rows of the lifetime CSV; = writes - dead_writes);
- `mean`, `median`, `p90`, `max`, `min` over those lifetimes, from the buffer's exact lifetime
  histogram (`gainflow.lifetimes.histogram.lifetime_summary`): `mean` = exact integer sum / count,
  `median` = numpy's `median`, `p90` = linear interpolation (numpy `quantile(..., 0.9)` = pandas
  `quantile(0.9)`), each bit for bit what numpy gives on the per-interval lifetimes;
- `reads`, `writes`, `dead_writes`, `unfilled_reads`, `unique_addresses` (see gainflow.lifetimes.intervals);
- `cycles`: the layer's Total Cycles (COMPUTE_REPORT.csv);
- `read_rate = reads / cycles`, `write_rate = writes / cycles` (accesses per cycle),
  `writes_per_address = writes / unique_addresses`.

A value that is undefined (no intervals, zero cycles or zero addresses) is an empty field,
which pandas reads as NaN. Floats are written in Python's shortest round-trip form.
"""

from gainflow.files.plain import csv_field
from gainflow.lifetimes.histogram import lifetime_summary

AGGREGATE_COLUMNS = (
    "subdivision", "intervals", "mean", "median", "p90", "max", "min", "reads", "writes", "dead_writes",
    "unfilled_reads", "unique_addresses", "cycles", "read_rate", "write_rate", "writes_per_address",
)


def aggregate_row(summary, cycles):
    """{column: value} for one `BufferSummary`; None marks an undefined value."""
    return {
        "subdivision": summary.subdivision,
        "intervals": summary.intervals,
        **lifetime_summary(summary.histogram),
        **summary.counts(),
        "cycles": int(cycles),
        "read_rate": _ratio(summary.reads, cycles),
        "write_rate": _ratio(summary.writes, cycles),
        "writes_per_address": _ratio(summary.writes, summary.unique_addresses),
    }


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def aggregate_csv(rows):
    """The aggregate CSV text: header, then one line per row dict (values checked by `csv_field`)."""
    lines = [",".join(AGGREGATE_COLUMNS)]
    lines += [",".join(csv_field(row[column]) for column in AGGREGATE_COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"
