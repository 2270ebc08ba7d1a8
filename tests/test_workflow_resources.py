"""Every job declares the memory and time it needs (gainflow.sweep.resources through the rules), and
local runs share a memory pool by those figures (profiles/default sets it; the command line wins)."""

import re

import pytest
import yaml
from workflow_support import TINY, make_workflow_copy, printed_jobs, snakemake

from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.sweep import resources
from gainflow.sweep.local_memory import local_memory_pool_mb

RULES = {"named_hardware", "simulate", "lifetimes", "layer", "graphs_tiny_layers0_2", "graphs_tiny_gemm_layers0_1",
         "report", "summary"}
# One layer's files: among their jobs, three lifetime jobs that could run side by side.
ONE_LAYER = "results/tiny/tiny_os/layer0/layer0_aggregate_data.csv"


@pytest.fixture(scope="module")
def dry_run_jobs(tmp_path_factory):
    workdir = make_workflow_copy(tmp_path_factory.mktemp("resources"))
    return printed_jobs(snakemake(workdir, "--dry-run").stdout)


@pytest.fixture(scope="module")
def dry_run_jobs_saving_traces(tmp_path_factory):
    dest = tmp_path_factory.mktemp("traces")
    config = dest / "config.yaml"
    config.write_text(yaml.safe_dump({**yaml.safe_load((TINY / "config.yaml").read_text()), "save_traces": True}))
    return printed_jobs(snakemake(make_workflow_copy(dest / "sweep", config), "--dry-run").stdout)


def expected_estimate(rule, wildcards, traces=False):
    if rule in ("named_hardware", "summary") or rule.startswith("graphs_"):
        return None
    topo, hw = wildcards["topo"], wildcards["hw"]
    layers = load_topology(TINY / f"{topo}.csv", "gemm" if topo.endswith("_gemm") else "conv")
    config = load_hardware_config(TINY / f"{hw}.cfg")
    works = [resources.layer_work(layer, config) for layer in layers]
    if rule == "simulate":
        return resources.estimate(resources.simulate_work(works, traces))
    if rule == "report":
        return resources.estimate(resources.report_work(works, config))
    work = works[int(wildcards["layer"])]
    if rule == "lifetimes":
        return resources.estimate(resources.lifetimes_work(work, wildcards["sub"], tables=False, traces=traces))
    return resources.estimate(resources.layer_step_work(work, tables=False))


def test_dry_run_prints_each_jobs_own_estimate(dry_run_jobs):
    assert {job["rule"] for job in dry_run_jobs} == RULES
    for job in dry_run_jobs:
        assert job["mem_mb"] > 0 and job["runtime_min"] >= 1, job
        expected = expected_estimate(job["rule"], job["wildcards"])
        if expected is not None:
            assert (job["mem_mb"], job["runtime_min"]) == (expected.mem_mb, expected.runtime_min), job
    lifetimes = {tuple(job["wildcards"][key] for key in ("topo", "hw", "layer", "sub")): job["mem_mb"]
                 for job in dry_run_jobs if job["rule"] == "lifetimes"}
    # tiny.csv conv1 on tiny_os reads 648 IFMAP words (tested by hand in test_sweep_resources), conv3 225.
    assert lifetimes["tiny", "tiny_os", "0", "ifmap"] >= lifetimes["tiny", "tiny_os", "2", "ifmap"]
    graphs = [job["mem_mb"] for job in dry_run_jobs if job["rule"].startswith("graphs_")]
    assert graphs[0] >= resources.estimate(resources.graphs_work(2)).mem_mb


def test_saving_traces_the_simulate_and_lifetime_jobs_declare_the_trace_kinds_estimates(dry_run_jobs,
                                                                                        dry_run_jobs_saving_traces):
    without = {(job["rule"], *job["wildcards"].values()): job for job in dry_run_jobs}
    changed = set()
    for job in dry_run_jobs_saving_traces:
        expected = expected_estimate(job["rule"], job["wildcards"], traces=True)
        if expected is not None:
            assert (job["mem_mb"], job["runtime_min"]) == (expected.mem_mb, expected.runtime_min), job
        other = without[(job["rule"], *job["wildcards"].values())]
        if (job["mem_mb"], job["runtime_min"]) != (other["mem_mb"], other["runtime_min"]):
            changed.add(job["rule"])
    # Writing traces and parsing them: other kinds (the tiny simulate jobs' estimates may coincide);
    # the rest as without traces.
    assert "lifetimes" in changed and changed <= {"simulate", "lifetimes"}


def provided_memory(output):
    """The memory pool Snakemake reports ("mem_mb=75", or in Snakemake 9 `mem_mb=Resource("mem_mb", 75)`)."""
    return int(re.search(r"^Provided resources: .*\bmem_mb=\D*(\d+)", output, re.MULTILINE).group(1))


def largest_memory_side_by_side(output):
    """The largest sum of mem_mb over jobs running at once, from a run's log (a job is running from
    its block to its "Finished jobid" line), and how many jobs started."""
    declared = {job["jobid"]: job["mem_mb"] for job in printed_jobs(output)}
    running, largest, started_jobs = {}, 0, 0
    for started, finished in re.findall(r"^ *jobid: (\d+)$|^Finished jobid: (\d+)", output, re.MULTILINE):
        if started:
            running[started] = declared[started]
            started_jobs += 1
            largest = max(largest, sum(running.values()))
        else:
            running.pop(finished, None)
    return largest, started_jobs


def test_a_memory_pool_smaller_than_two_jobs_runs_them_one_at_a_time(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    planned = printed_jobs(snakemake(workdir, "--dry-run", ONE_LAYER).stdout)
    assert [job["rule"] for job in planned].count("lifetimes") == 3
    smallest = min(job["mem_mb"] for job in planned)
    pool = smallest + smallest // 2
    result = snakemake(workdir, ONE_LAYER, "--resources", f"mem_mb={pool}")
    output = result.stdout + result.stderr
    assert provided_memory(output) == pool
    # Every job but the smallest is capped at the pool; no two ran at once.
    assert largest_memory_side_by_side(output) == (pool, len(planned))


def test_the_default_profiles_pool_is_the_machines_available_memory(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    before = local_memory_pool_mb()
    result = snakemake(workdir, "--until", "named_hardware", workflow_profile="profiles/default")
    after = local_memory_pool_mb()
    pool = provided_memory(result.stdout + result.stderr)
    # MemAvailable moves with the other processes of the machine while Snakemake starts.
    assert 0.8 * min(before, after) <= pool <= 1.2 * max(before, after)
    with open("/proc/meminfo") as meminfo:
        total_mb = int(re.search(r"MemTotal:\s+(\d+) kB", meminfo.read()).group(1)) * 1024 // 10**6
    assert pool <= total_mb


def test_the_command_lines_pool_wins_over_the_profiles_and_bounds_the_jobs_side_by_side(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    planned = sorted(job["mem_mb"] for job in printed_jobs(snakemake(workdir, "--dry-run", ONE_LAYER).stdout))
    # Room for the largest job, not for it and the next: some jobs fit side by side, some do not.
    pool = planned[-1] + planned[-2] - 1
    result = snakemake(workdir, ONE_LAYER, "--resources", f"mem_mb={pool}", workflow_profile="profiles/default")
    output = result.stdout + result.stderr
    assert "Using workflow specific profile profiles/default" in output
    assert provided_memory(output) == pool
    largest, started_jobs = largest_memory_side_by_side(output)
    assert largest <= pool and started_jobs == len(planned)
