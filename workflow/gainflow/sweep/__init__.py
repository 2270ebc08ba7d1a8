"""A sweep's reports -> one summary table and comparison plots."""
