"""gainflow: a sweep of network topologies x hardware configs, from simulation to memory-technology report.

    snakemake --cores all                              # the sweep in config/config.yaml
    snakemake --cores all --configfile my_sweep.yaml   # another sweep (see config/README.md)
    snakemake --workflow-profile profiles/slurm        # the same on a SLURM cluster
    snakemake --report report.html                     # HTML report: summary table and plots
"""

from pathlib import Path

import yaml
from gainflow.sweep.config_numbers import with_numbers
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


CONFIG_SCHEMA = "workflow/schemas/config.schema.yaml"
# Numbers YAML reads as text (1e9) become numbers wherever the schema expects one; then the schema
# rejects unknown keys and values of the wrong type (naming the key) and fills in defaults before any
# rule reads the config.
config.update(with_numbers(config, yaml.safe_load(Path(CONFIG_SCHEMA).read_text())))
validate(config, CONFIG_SCHEMA)


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


onstart:
    drop_local_job_rate_limit()
    warn_if_the_disk_is_short()
    start_job_server()


onsuccess:
    stop_job_server()
    print(where_results_are())


onerror:
    stop_job_server()
