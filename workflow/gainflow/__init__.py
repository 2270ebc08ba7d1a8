"""gainflow: gain-cell memory exploration for systolic-array accelerators.

The subpackages follow the data, one stage each:

    inputs      topology CSV files and SCALE-Sim hardware configs -> checked layers and arrays
    simulator   a topology on a systolic array -> SCALE-Sim v2 reports, traces and access events
    events      access events of one buffer in one layer (from the simulator or from SCALE-Sim traces)
    lifetimes   events -> per-address data lifetimes, GainSight's per-layer files
    frontend    lifetimes + device library -> refreshes, area, energy, compositions: the JSON report
    sweep       a sweep's reports -> summary table and plots

`files` holds what every stage writes with (file names, atomic publication, CSV text, run_info.json);
`commands` and `cli` are the thin `gainflow` command over the stages, `workflow/scripts/` the Snakemake
adapters. A stage imports only `errors`, `files`, the compiled kernels and earlier stages (simulator and
events are one stage); tests/test_package_structure.py checks it.
"""

__version__ = "0.1.0"
