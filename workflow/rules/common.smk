# Config -> sweep lists, wildcard constraints, and the functions the rules use for inputs and params.
# Everything a job depends on reaches it as an `input:` file or a `params:` value, so Snakemake's
# rerun triggers see every change (config values read inside a script would be invisible to them).

import collections
import functools
import hashlib
import os
import re
import sys
from pathlib import Path

from gainflow.errors import InputError, MissingBuildError
from gainflow.sweep.code_version import COMPILED_SOURCE, code_version as closure_code_version

PACKAGE = Path("workflow/gainflow")

# Every job's code hash counts the compiled module as its C source: refuse a build of another source
# (an edit since the last build) before any job runs with it. First: the modules below import it.
try:
    from gainflow.kernels import check_built_from

    check_built_from(PACKAGE / COMPILED_SOURCE)
except MissingBuildError as err:
    raise WorkflowError(str(err)) from None

from gainflow.events.scalesim_traces import TRACE_FILES
from gainflow.files import layout
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.lifetimes.histogram import LIFETIME_STARTS
from gainflow.sweep.clocks import LABEL_PATTERN, sweep_clocks
from gainflow.sweep import disk as disk_estimate, resources as job_resources
from gainflow.sweep.grid import check_names, expand_grids
from gainflow.sweep import job_server
from gainflow.sweep.scalesim_runs import check_run_names, check_scalesim_run, scalesim_runs

SUBDIVISIONS = ("ifmap", "filter", "ofmap")
REPORT_FILES = layout.REPORT_FILES

# The shipped device library: a corner's file when the config names none.
DEFAULT_DEVICE_FILES = {
    "gc_list": f"{PACKAGE}/data/devices/simple_gc_list.json",
    "area_power": f"{PACKAGE}/data/devices/area_power.json",
}

TOPOLOGIES = config["topologies"]
NAMED_HARDWARE = config["hardware"]
# Existing SCALE-Sim runs, by name: results/<its topology>/<name>/ (gainflow.sweep.scalesim_runs).
SCALESIM_RUNS = scalesim_runs(config["scalesim_runs"])
# Every topology with a run: the simulated ones, then those only existing runs have.
SWEEP_TOPOLOGIES = list(dict.fromkeys(TOPOLOGIES + [run.topology for run in SCALESIM_RUNS.values()]))


# Jobs run `python` and `gainflow` from PATH: put first the interpreter running Snakemake, which has
# gainflow installed, also when Snakemake was started as .venv/bin/snakemake without activating the
# venv (a SLURM job's Snakemake process evaluates this file again and does the same).
envvars:
    "PATH",


inherited_path = os.environ["PATH"]
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{inherited_path}"
# No job does linear algebra; NumPy's OpenBLAS would start a thread per core in each of the
# hundreds of short jobs (about 0.1 CPU-s each). An explicit setting by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def compile_package():
    """Write the bytecode of the gainflow package the jobs import, where it is missing or stale.

    Every job is a new Python process: without the package's .pyc files each one compiles the
    modules it imports again (0.01-0.03 CPU-s a job). Python writes them on first import unless
    PYTHONDONTWRITEBYTECODE is set (container images often set it) or the folder is read-only (then
    nothing is written here either). An installed, unedited package: nothing to do.
    """
    import compileall
    import gainflow

    compileall.compile_dir(Path(gainflow.__file__).parent, quiet=2)


compile_package()


wildcard_constraints:
    topo=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    hw=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    layer=r"\d+",
    sub="|".join(SUBDIVISIONS),
    clock=LABEL_PATTERN,
    corner=r"[A-Za-z0-9_]+",
    start="|".join(LIFETIME_STARTS),


# Inputs that follow from the wildcards alone are patterns, not functions: Snakemake calls (and
# inspects) an input or param function for every job, which is most of the cost of building the
# DAG of a large sweep.
TOPOLOGY_INPUT = "topologies/{topo}.csv"
NAMED_HARDWARE_INPUT = "hardware/{hw}.cfg"
# Every run's hardware config, named or a grid point, is written here (rules in hardware.smk).
HARDWARE_INPUT = f"results/{layout.SWEEP_HARDWARE_DIR}/{{hw}}.cfg"
RUN_DIR = "results/{topo}/{hw}"  # a (topology, hardware) run's folder, as a pattern
RUN_INFO_OUTPUT = f"{RUN_DIR}/{layout.RUN_INFO}"
TRACES_OUTPUT = f"{RUN_DIR}/{layout.TRACES_DIR}"
SAVE_TRACES = config["save_traces"]
REPORT_OUTPUT = f"{RUN_DIR}/{layout.sweep_report_name('{clock}', '{corner}', '{start}')}"


def topology_file(topo):
    return TOPOLOGY_INPUT.format(topo=topo)


def named_hardware_file(hw):
    return NAMED_HARDWARE_INPUT.format(hw=hw)


def topology_input_type(topo):
    """GEMM topologies are named *_gemm (see config/README.md); all others are convolutions."""
    return "gemm" if topo.endswith("_gemm") else "conv"


def _device_corners():
    """Corner name -> its two device files, the shipped ones where the config names none."""
    return {name: {**DEFAULT_DEVICE_FILES, **(files or {})} for name, files in config["device_corners"].items()}


DEVICE_CORNERS = _device_corners()
# Where lifetimes start (one report each): the config's list, or its one value.
SWEEP_STARTS = config["lifetime_start"] if isinstance(config["lifetime_start"], list) else [config["lifetime_start"]]


def _check_sweep_files():
    """Every file the sweep names must exist before any job starts; name the missing ones.
    (Grid bases are checked as the grids are read.)"""
    named = [(f"topologies: {t}", topology_file(t)) for t in TOPOLOGIES]
    named += [(f"hardware: {h}", named_hardware_file(h)) for h in NAMED_HARDWARE]
    for run in SCALESIM_RUNS.values():
        named += [(run.key("topology"), topology_file(run.topology)), (run.key("hardware"), named_hardware_file(run.hardware))]
    named += [
        (f"device_corners.{corner}.{key}", path) for corner, files in DEVICE_CORNERS.items() for key, path in files.items()
    ]
    missing = [f"  {path} (config {key})" for key, path in named if not Path(path).is_file()]
    if missing:
        raise WorkflowError("missing input files named in the config:\n" + "\n".join(missing))


@functools.cache
def load_named_hardware(name):
    return load_hardware_config(named_hardware_file(name))


@functools.cache
def topology_layers(topo):
    return load_topology(topology_file(topo), topology_input_type(topo))


def _read_sweep_axes():
    """Grid points, clocks and layers per topology, read at parse time: the DAG is static, one job per
    layer is known up front, and a bad config value or a malformed .cfg fails before any job runs."""
    try:
        for hw in NAMED_HARDWARE:
            load_named_hardware(hw)
        points = expand_grids(config.get("hardware_grid"), load_named_hardware)
        check_names(NAMED_HARDWARE, points)
        clocks = sweep_clocks(config["clock_hz"])
        layers = {t: len(topology_layers(t)) for t in SWEEP_TOPOLOGIES}
        check_run_names(SCALESIM_RUNS, set(NAMED_HARDWARE) | {point.name for point in points})
        for run in SCALESIM_RUNS.values():
            check_scalesim_run(run, topology_layers(run.topology), load_named_hardware(run.hardware))
    except InputError as err:
        raise WorkflowError(f"bad config or input file: {err}") from None
    if TOPOLOGIES and not NAMED_HARDWARE and not points:
        raise WorkflowError("no hardware to sweep: name configs in `hardware` or give a `hardware_grid`")
    if not TOPOLOGIES and not SCALESIM_RUNS:
        raise WorkflowError("nothing to sweep: name `topologies` (run on the hardware) or give `scalesim_runs`")
    return {point.name: point for point in points}, clocks, layers


_check_sweep_files()
GRID_POINTS, CLOCKS, LAYER_COUNT = _read_sweep_axes()
HARDWARE = NAMED_HARDWARE + list(GRID_POINTS)
# Every (topology, hardware) run of the sweep: simulated ones, then existing SCALE-Sim runs.
RUNS = [(topo, hw) for topo in TOPOLOGIES for hw in HARDWARE] + [(run.topology, name) for name, run in SCALESIM_RUNS.items()]


@functools.cache
def code_version(*entries):
    """Hash of the gainflow sources a job runs, passed as a param: editing them reruns the job.

    The entries are what the job runs (an adapter script, or `gainflow.cli` and the subcommand's
    module); their import closure is found statically (gainflow.sweep.code_version), once per rule.
    (A hash param is checked once per job; the source files as inputs would cost a dependency search
    per file and job, which doubled the DAG build of a large sweep.)
    """
    return closure_code_version(PACKAGE, entries)


GRAPH_BATCH = 12  # layers per graphs job


def graph_batches(topo):
    """The topology's layer indices in batches of GRAPH_BATCH, one graphs job each."""
    layers = list(range(LAYER_COUNT[topo]))
    return [layers[first:first + GRAPH_BATCH] for first in range(0, len(layers), GRAPH_BATCH)]


def graphs_rule_stems(topologies):
    """Topology -> the part of its graphs rules' names that says which topology (a Python identifier).

    Readable when it can be: the name with `_` for what an identifier cannot hold. Topologies whose
    readable stems coincide (`yolo-tiny` and `yolo_tiny`) each add a hash of their full name, so no
    two topologies share a rule.
    """
    readable = {topo: "".join(c if c.isalnum() else "_" for c in topo) for topo in topologies}
    shared = {stem for stem, count in collections.Counter(readable.values()).items() if count > 1}
    stems = {topo: stem if stem not in shared else f"{stem}_{hashlib.sha256(topo.encode()).hexdigest()[:8]}"
             for topo, stem in readable.items()}
    if len(set(stems.values())) != len(stems):
        raise WorkflowError(f"topology names too alike to name their graphs rules apart: {sorted(topologies)}")
    return stems


GRAPHS_RULE_STEMS = graphs_rule_stems(SWEEP_TOPOLOGIES)


def graphs_rule_name(topo, layers):
    """The name of the rule drawing a batch of a topology's layer graphs (a Python identifier)."""
    return f"graphs_{GRAPHS_RULE_STEMS[topo]}_layers{layers[0]}_{layers[-1]}"


def adapter_script(name):
    return f"workflow/scripts/{name}.py"


# Every Python job runs through workflow/scripts/run_job.py: in a local run's job server (a bare
# interpreter asks it to fork the job, see the next section), else it runs the job itself.
RUN_JOB = "python -S workflow/scripts/run_job.py"


# ----------------------------------------------------------------------------- input and param functions


LAYER_DIR = str(layout.layer_dir(RUN_DIR, "{layer}"))
# The lifetime jobs' hand-over files, temporary, beside the layer's files (a folder of their own would
# stay behind empty: Snakemake deletes temporary files, not the folders they leave empty).
PART_OUTPUT = f"{LAYER_DIR}/{layout.part_file_name('{layer}', '{sub}')}"
LAYER_PARTS = [PART_OUTPUT.replace("{sub}", sub) for sub in SUBDIVISIONS]
# The per-layer tables of rule `layer`; the per-interval lifetime table only with `lifetime_tables`.
LIFETIME_TABLES = config["lifetime_tables"]
LAYER_TABLES = ((layout.LIFETIME_TABLE,) if LIFETIME_TABLES else ()) + (layout.LIFETIME_HISTOGRAM, layout.AGGREGATE_TABLE)


def layer_file_pattern(kind, layer="{layer}"):
    """`results/{topo}/{hw}/layer<layer>/layer<layer>_<kind>` (gainflow.files.layout)."""
    return str(layout.layer_file(RUN_DIR, layer, kind))


def input_type_param(wildcards):
    return topology_input_type(wildcards.topo)


def layer_outputs_of_run(wildcards):
    """The per-layer lifetime tables of one (topology, hardware) run: the report's inputs."""
    run_dir = RUN_DIR.format(topo=wildcards.topo, hw=wildcards.hw)
    return [
        str(layout.layer_file(run_dir, i, kind))
        for i in range(LAYER_COUNT[wildcards.topo])
        for kind in LAYER_TABLES
    ]


def device_files_of_corner(wildcards):
    return DEVICE_CORNERS[wildcards.corner]


def clock_hz_param(wildcards):
    return CLOCKS[wildcards.clock]


def one_of(names):
    """A wildcard constraint matching exactly these names (none: matching nothing)."""
    return "|".join(re.escape(name) for name in names) or "(?!)"


def existing_run(wildcards):
    """The `scalesim_runs` entry of a job of an existing SCALE-Sim run."""
    run = SCALESIM_RUNS[wildcards.hw]
    if wildcards.topo != run.topology:
        raise WorkflowError(f"{run.key()} is a run of topology {run.topology}, not {wildcards.topo}")
    return run


def existing_run_inputs(wildcards):
    """An existing run's reports, and the topology and hardware config it was made with."""
    run = existing_run(wildcards)
    return {
        "reports": [str(run.dir / name) for name in REPORT_FILES],
        "topology": topology_file(run.topology),
        "hardware": named_hardware_file(run.hardware),
    }


def existing_run_traces(wildcards):
    """The two traces of a buffer in an existing run's layer folder, and its COMPUTE_REPORT.csv (the
    lifetime job reads the layer's Total Cycles there)."""
    run = existing_run(wildcards)
    layer_dir = layout.layer_dir(run.dir, int(wildcards.layer))
    return [str(layer_dir / name) for name in TRACE_FILES[wildcards.sub]] + [str(run.dir / layout.COMPUTE_REPORT)]


def existing_run_dir(wildcards):
    return str(existing_run(wildcards).dir)


def grid_point_base(wildcards):
    return named_hardware_file(GRID_POINTS[wildcards.hw].base)


def grid_point_arguments(wildcards):
    point = GRID_POINTS[wildcards.hw]
    return (
        f"--array {point.array} --dataflow {point.dataflow} --ifmap-sram-kb {point.ifmap_sram_kb}"
        f" --filter-sram-kb {point.filter_sram_kb} --ofmap-sram-kb {point.ofmap_sram_kb}"
    )


# ----------------------------------------------------------------------------- resources


# Each job's `mem_mb` (peak memory, MB) and `runtime` (minutes) are estimated from its own work by
# gainflow.sweep.resources, from the layer geometry alone (nothing is simulated to know them). The
# SLURM profile asks for them; local runs share the memory pool profiles/default sets by them.


def hardware_point(hw):
    """A named config's HardwareConfig or a grid point: both give the array and the dataflow (an
    existing run's: its config's)."""
    if hw in SCALESIM_RUNS:
        return load_named_hardware(SCALESIM_RUNS[hw].hardware)
    return GRID_POINTS[hw] if hw in GRID_POINTS else load_named_hardware(hw)


@functools.cache
def run_work(topo, hw):
    """LayerWork of each layer of one (topology, hardware) run."""
    point = hardware_point(hw)
    return [job_resources.layer_work(layer, point) for layer in topology_layers(topo)]


@functools.cache
def simulate_estimate(topo, hw):
    return job_resources.estimate(job_resources.simulate_work(run_work(topo, hw), traces=SAVE_TRACES))


@functools.cache
def lifetimes_estimate(topo, hw, layer, sub):
    """A lifetime job's: it parses traces with `save_traces`, and always for an existing SCALE-Sim run."""
    return job_resources.estimate(job_resources.lifetimes_work(run_work(topo, hw)[int(layer)], sub, LIFETIME_TABLES,
                                                               traces=SAVE_TRACES or hw in SCALESIM_RUNS))


@functools.cache
def layer_estimate(topo, hw, layer):
    return job_resources.estimate(job_resources.layer_step_work(run_work(topo, hw)[int(layer)], LIFETIME_TABLES))


@functools.cache
def report_estimate(topo, hw):
    return job_resources.estimate(job_resources.report_work(run_work(topo, hw), hardware_point(hw)))


def wildcard_resources(estimate_of, *wildcard_names):
    """A rule's `resources:` (mem_mb, runtime) from `estimate_of(*wildcard values)`, an Estimate."""

    def of(wildcards):
        return estimate_of(*(wildcards[name] for name in wildcard_names))

    return {"mem_mb": lambda wildcards: of(wildcards).mem_mb, "runtime": lambda wildcards: of(wildcards).runtime_min}


def fixed_resources(estimate):
    """A rule's `resources:` of an Estimate that is the same for all its jobs."""
    return {"mem_mb": estimate.mem_mb, "runtime": estimate.runtime_min}


# ----------------------------------------------------------------------------- scheduling


def drop_local_job_rate_limit():
    """In a local run, no job rate limit (Snakemake's default allows 100 jobs a second).

    Local jobs wait for cores and memory only. Snakemake's limiter starts a one-second timer at
    every scheduling pass that leaves jobs waiting, and each timer causes another pass: every job
    that finishes while others wait adds one pass per second until nothing waits, each pass
    checking every waiting job's inputs. Without it, passes happen when jobs finish. A SLURM run
    keeps the limit (it throttles submissions). Runs in `onstart`: the scheduler exists by then.
    """
    if workflow.local_exec and getattr(workflow.scheduler, "job_rate_limiter", None) is not None:
        workflow.scheduler.job_rate_limiter = None


local_job_server = None  # the local run's job server process (gainflow.sweep.job_server), if any


def start_job_server():
    """In a local run, the job server the jobs ask to fork them (gainflow.sweep.job_server): each job
    then costs a bare interpreter's start instead of Python's, numpy's and the package's. Not with
    GAINFLOW_JOB_SERVER=off, nor where jobs run elsewhere (a cluster) or in a software environment
    of their own (--software-deployment-method): there, and if the server is not there, jobs run in
    their own processes. Runs in `onstart`; the server ends in `onsuccess`/`onerror`, or when this
    process does, however it ends."""
    global local_job_server
    if not workflow.local_exec or workflow.deployment_settings.deployment_method:
        os.environ[job_server.SOCKET_VARIABLE] = "off"
    local_job_server = job_server.start()


def stop_job_server():
    job_server.stop(local_job_server)


# ----------------------------------------------------------------------------- targets


def run_reports(topo, hw):
    """One report per clock x device corner x lifetime start of a run."""
    return [
        REPORT_OUTPUT.format(topo=topo, hw=hw, clock=clock, corner=corner, start=start)
        for clock in CLOCKS
        for corner in DEVICE_CORNERS
        for start in SWEEP_STARTS
    ]


def sweep_reports():
    """The reports of every run (topology x hardware, then existing runs)."""
    return [report for topo, hw in RUNS for report in run_reports(topo, hw)]


SUMMARY_DIR = f"results/{layout.SUMMARY_DIR}"
SUMMARY_TABLE = f"{SUMMARY_DIR}/{layout.SUMMARY_TABLE}"
SENSITIVITY_PLOT = f"{SUMMARY_DIR}/{layout.SENSITIVITY_PLOT}"


def pareto_plot(topo):
    """The summary's Pareto plot of one topology (the adapter reads the topology from the name)."""
    return f"{SUMMARY_DIR}/{layout.pareto_plot_name(topo)}"


def summary_outputs():
    return [SUMMARY_TABLE, SENSITIVITY_PLOT] + [pareto_plot(topo) for topo in SWEEP_TOPOLOGIES]


def final_outputs():
    graphs = [
        str(layout.layer_file(RUN_DIR.format(topo=topo, hw=hw), i, layout.GRAPH))
        for topo, hw in RUNS
        for i in range(LAYER_COUNT[topo])
    ]
    traces = [TRACES_OUTPUT.format(topo=topo, hw=hw) for topo in TOPOLOGIES for hw in HARDWARE]
    return summary_outputs() + sweep_reports() + graphs + (traces if SAVE_TRACES else [])


def where_results_are():
    """The closing message of a run that produced the summary (not of a run for a few targets)."""
    if not Path(SUMMARY_TABLE).exists():
        return ""
    return "\n".join(
        [
            "",
            "gainflow: sweep complete.",
            f"  summary table:    {SUMMARY_TABLE}",
            *(f"  Pareto plot:      {pareto_plot(topo)}" for topo in SWEEP_TOPOLOGIES),
            f"  sensitivity plot: {SENSITIVITY_PLOT}",
            f"  reports:          results/<topology>/<hardware>/report-<clock>-<corner>-<start>.json ({len(sweep_reports())})",
            "  per-layer files:  results/<topology>/<hardware>/layer<i>/",
            "  HTML report:      snakemake --report report.html",
        ]
    )


# ----------------------------------------------------------------------------- disk


def outputs_still_to_write():
    """Estimated bytes of the sweep's outputs not there yet (gainflow.sweep.disk): per run, its layers
    without their aggregate table and its missing reports; the summary if missing."""
    needed = 0 if Path(SUMMARY_TABLE).exists() else disk_estimate.SUMMARY_BYTES
    for topo, hw in RUNS:
        run_dir = RUN_DIR.format(topo=topo, hw=hw)
        works = [work for i, work in enumerate(run_work(topo, hw))
                 if not layout.layer_file(run_dir, i, layout.AGGREGATE_TABLE).exists()]
        reports = [report for report in run_reports(topo, hw) if not Path(report).exists()]
        if works or reports:
            needed += disk_estimate.run_bytes(works, hardware_point(hw), len(reports), tables=LIFETIME_TABLES,
                                              traces=SAVE_TRACES and hw not in SCALESIM_RUNS)
    return needed


def warn_if_the_disk_is_short():
    """Before the jobs start: a warning on stderr (the run goes on) when the outputs still to write
    are estimated above the free space of the results directory's file system."""
    warning = disk_estimate.disk_warning(outputs_still_to_write(), disk_estimate.free_bytes("results"), "results")
    if warning:
        print(warning, file=sys.stderr)
