"""SCALE-Sim v2 compatible systolic-array simulator (CALC mode), byte-identical reports and traces.

What it reproduces of SCALE-Sim v2.0.2, quirks included: docs/simulator.md. The modules follow the data:

- `geometry`: folds of a layer on the array, SRAM counters, mapping efficiency and compute util;
- `operands`: operand matrices and the recipe of each demand matrix;
- `demand`: demand rows / address streams from those recipes (compiled loops);
- `write_buffer`: OFMAP write buffer, drains and the cycle of every demand row;
- `read_buffer`: CALC read buffer of IFMAP and FILTER: DRAM fetch batches;
- `layer`: one layer -> report values and access events (`simulate_layer`);
- `reports`, `traces`: the report and trace files (digits by `gainflow.files.csv_text`);
- `topology_run`: a whole topology into `OUTDIR/<run_name>/` (`simulate_topology`).
"""

from gainflow.simulator.layer import LayerResult, simulate_layer
from gainflow.simulator.reports import LayerReport
from gainflow.simulator.topology_run import simulate_topology

__all__ = ["LayerReport", "LayerResult", "simulate_layer", "simulate_topology"]
