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
  `writes_per_address = writes / unique_addresses`;
- `first_read_mean`, `first_read_median`, `first_read_p90`, `first_read_max`, `first_read_min`: the
  same statistics over the lifetimes measured from each interval's first read (last read - first read);
- `prefetch_slack_median`, `prefetch_slack_p90`, `prefetch_slack_max`: over each interval's first read -
  write cycle (for ifmap and filter, how long a fill waits for its first use).

A value that is undefined (no intervals, zero cycles or zero addresses) is an empty field,
which pandas reads as NaN. Floats are written in Python's shortest round-trip form.
"""

from gainflow.files.plain import csv_field
from gainflow.lifetimes.histogram import LIFETIME_FROM_FIRST_READ, PREFETCH_SLACK, lifetime_summary

STATISTICS = ("mean", "median", "p90", "max", "min")
SLACK_STATISTICS = ("median", "p90", "max")
AGGREGATE_COLUMNS = (
    "subdivision", "intervals", *STATISTICS, "reads", "writes", "dead_writes",
    "unfilled_reads", "unique_addresses", "cycles", "read_rate", "write_rate", "writes_per_address",
    *(f"first_read_{name}" for name in STATISTICS), *(f"prefetch_slack_{name}" for name in SLACK_STATISTICS),
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
        **_prefixed("first_read_", lifetime_summary(summary.histograms[LIFETIME_FROM_FIRST_READ]), STATISTICS),
        **_prefixed("prefetch_slack_", lifetime_summary(summary.histograms[PREFETCH_SLACK]), SLACK_STATISTICS),
    }


def _prefixed(prefix, statistics, names):
    return {prefix + name: statistics[name] for name in names}


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def aggregate_csv(rows):
    """The aggregate CSV text: header, then one line per row dict (values checked by `csv_field`)."""
    lines = [",".join(AGGREGATE_COLUMNS)]
    lines += [",".join(csv_field(row[column]) for column in AGGREGATE_COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"
