"""SCALE-Sim v2 compatible systolic-array simulator (CALC mode), byte-identical reports and traces.

The modules follow the data (section numbers refer to ../shared/reference/scalesim-v2-behaviour.md):

- `geometry`: folds of a layer on the array, SRAM counters, mapping efficiency and compute util (4.3-4.6);
- `operands`: operand matrices and the recipe of each demand matrix (4.2, 4.5);
- `demand`: demand rows / address streams from those recipes (compiled loops);
- `write_buffer`: OFMAP write buffer, drains and the cycle of every demand row (5.1, 5.3);
- `read_buffer`: CALC read buffer of IFMAP and FILTER: DRAM fetch batches (5.2);
- `layer`: one layer -> report values and access events (`simulate_layer`);
- `reports`, `traces`: the report and trace files (6; digits by `gainflow.files.csv_text`);
- `topology_run`: a whole topology into `OUTDIR/<run_name>/` (`simulate_topology`).
"""

from gainflow.simulator.layer import LayerResult, simulate_layer
from gainflow.simulator.reports import LayerReport
from gainflow.simulator.topology_run import simulate_topology

__all__ = ["LayerReport", "LayerResult", "simulate_layer", "simulate_topology"]
