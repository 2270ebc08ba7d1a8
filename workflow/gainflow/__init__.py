"""gainflow: gain-cell memory exploration for systolic-array accelerators.

The modules follow the data:
config and topology parsing -> simulation -> access events -> lifetimes
-> aggregation -> memory-technology model -> report.
"""

__version__ = "0.1.0"
