"""gainflow: a sweep of network topologies x hardware configs, from simulation to memory-technology report.

    snakemake --cores all                              # the sweep in config/config.yaml
    snakemake --cores all --configfile my_sweep.yaml   # another sweep (see config/README.md)
    snakemake --profile profiles/slurm                 # the same on a SLURM cluster
    snakemake --report report.html                     # HTML report: summary table and plots
"""

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


# Rejects unknown keys and fills in defaults before any rule reads the config.
validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/hardware.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/lifetimes.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/summary.smk"


rule all:
    default_target: True
    input:
        final_outputs(),


onsuccess:
    print(where_results_are())
