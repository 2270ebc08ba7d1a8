# Config -> sweep lists, wildcard constraints, and the functions the rules use for inputs and params.
# Everything a job depends on reaches it as an `input:` file or a `params:` value, so Snakemake's
# rerun triggers see every change (config values read inside a script would be invisible to them).

import os
import sys
from pathlib import Path

from gainflow.errors import InputError
from gainflow.hwconfig import load_hardware_config
from gainflow.topology import load_topology

SUBDIVISIONS = ("ifmap", "filter", "ofmap")
REPORT_FILES = ("COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv")
ADAPTERS = "workflow/scripts"
PACKAGE = Path("workflow/gainflow")

# Jobs run `python` from PATH: make that the interpreter running Snakemake, which has gainflow
# installed, also when Snakemake was started as .venv/bin/snakemake without activating the venv
# (a SLURM job's Snakemake process evaluates this file again and does the same).
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

TOPOLOGIES = config["topologies"]
HARDWARE = config["hardware"]
RUN_DIR = "results/{topo}/{hw}"
SUMMARY_DIR = "results/summary"


wildcard_constraints:
    topo=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    hw=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    layer=r"\d+",
    sub="|".join(SUBDIVISIONS),


def topology_file(topo):
    return f"topologies/{topo}.csv"


def hardware_file(hw):
    return f"hardware/{hw}.cfg"


def topology_input_type(topo):
    """GEMM topologies are named *_gemm (topologies/README); all others are convolutions."""
    return "gemm" if topo.endswith("_gemm") else "conv"


def _check_sweep_files():
    """Every file the sweep names must exist before any job starts; name the missing ones."""
    named = [(f"topologies: {t}", topology_file(t)) for t in TOPOLOGIES]
    named += [(f"hardware: {h}", hardware_file(h)) for h in HARDWARE]
    named += [(f"devices.{key}", path) for key, path in config["devices"].items()]
    missing = [f"  {path} (config {key})" for key, path in named if not Path(path).is_file()]
    if missing:
        raise WorkflowError("missing input files named in the config:\n" + "\n".join(missing))


def _count_layers():
    """Layers per topology, read at parse time: the DAG is static, one job per layer is known up front.

    Hardware configs are parsed here too, so a malformed .cfg fails before any job runs.
    """
    try:
        for hw in HARDWARE:
            load_hardware_config(hardware_file(hw))
        return {t: len(load_topology(topology_file(t), topology_input_type(t))) for t in TOPOLOGIES}
    except InputError as err:
        raise WorkflowError(f"bad input file: {err}") from None


_check_sweep_files()
LAYER_COUNT = _count_layers()


def layer_indices(topo):
    return range(LAYER_COUNT[topo])


def adapter_script(name):
    return f"{ADAPTERS}/{name}.py"


def package_sources(*modules):
    """The gainflow source files a job runs, as inputs: editing them reruns the job.

    (Snakemake tracks the text of a `shell:` command, not the Python modules the command imports.)
    Each name is a module (`events`) or a subpackage (`simulator`) of gainflow.
    """
    files = []
    for name in modules:
        if (PACKAGE / name).is_dir():
            files += sorted(str(p) for p in (PACKAGE / name).rglob("*.py"))
        else:
            files.append(str(PACKAGE / f"{name}.py"))
    return files


# ----------------------------------------------------------------------------- input functions


def topology_input(wildcards):
    return topology_file(wildcards.topo)


def hardware_input(wildcards):
    return hardware_file(wildcards.hw)


def input_type_param(wildcards):
    return topology_input_type(wildcards.topo)


def layer_lifetime_parts(wildcards):
    return expand(
        RUN_DIR + "/layer{layer}/parts/{sub}.npz",
        sub=SUBDIVISIONS,
        **wildcards,
    )


def layer_outputs_of_run(wildcards):
    """Every per-layer GainSight file of one (topology, hardware) run: the report's inputs."""
    return [
        f"{RUN_DIR}/layer{i}/layer{i}_{kind}".format(**wildcards)
        for i in layer_indices(wildcards.topo)
        for kind in ("lifetime_data.csv", "aggregate_data.csv")
    ]


def sweep_reports():
    return expand(RUN_DIR + "/report.json", topo=TOPOLOGIES, hw=HARDWARE)


def sweep_aggregates():
    return [
        f"results/{topo}/{hw}/layer{i}/layer{i}_aggregate_data.csv"
        for topo in TOPOLOGIES
        for hw in HARDWARE
        for i in layer_indices(topo)
    ]


SUMMARY_PLOTS = {
    "area": "Area per technology against the all-SRAM design",
    "energy": "Energy per technology against the all-SRAM design",
    "lifetimes": "Lifetime distributions against retention times",
}


def summary_outputs():
    return [f"{SUMMARY_DIR}/summary.csv"] + [f"{SUMMARY_DIR}/{name}.png" for name in SUMMARY_PLOTS]


def final_outputs():
    graphs = [
        f"results/{topo}/{hw}/layer{i}/layer{i}_graph.png"
        for topo in TOPOLOGIES
        for hw in HARDWARE
        for i in layer_indices(topo)
    ]
    traces = expand(RUN_DIR + "/traces", topo=TOPOLOGIES, hw=HARDWARE) if config["save_traces"] else []
    return summary_outputs() + sweep_reports() + graphs + traces


def where_results_are():
    """The closing message of a run that produced the summary (not of a run for a few targets)."""
    if not Path(f"{SUMMARY_DIR}/summary.csv").exists():
        return ""
    return "\n".join(
        [
            "",
            "gainflow: sweep complete.",
            f"  summary table:    {SUMMARY_DIR}/summary.csv",
            f"  summary plots:    {SUMMARY_DIR}/" + ", ".join(f"{n}.png" for n in SUMMARY_PLOTS),
            f"  reports:          results/<topology>/<hardware>/report.json ({len(TOPOLOGIES) * len(HARDWARE)} files)",
            "  per-layer files:  results/<topology>/<hardware>/layer<i>/",
            "  HTML report:      snakemake --report report.html",
        ]
    )


def run_dir_param(wildcards):
    return RUN_DIR.format(**wildcards)


def layer_dir_param(wildcards):
    return f"{RUN_DIR}/layer{{layer}}".format(**wildcards)
