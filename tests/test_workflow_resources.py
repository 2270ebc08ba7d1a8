"""Every job declares the memory and time it needs (gainflow.sweep.resources through the rules), and
local runs share the machine's memory by those figures."""

import re

import pytest
from workflow_support import TINY, make_workflow_copy, snakemake

from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology
from gainflow.sweep import resources

RULES = {"named_hardware", "simulate", "lifetimes", "layer", "graphs_tiny_layers0_2", "graphs_tiny_gemm_layers0_1",
         "report", "summary"}


def job_blocks(output):
    """(rule, wildcards dict, mem_mb, runtime) of each job Snakemake printed (but the target rule `all`)."""
    jobs = []
    # A group's jobs are printed indented under the group.
    for _, rule, block in re.findall(r"^( *)(?:local)?rule (\w+):\n((?:\1    .*\n)+)", output, re.MULTILINE):
        if rule == "all":
            continue
        wildcards = re.search(r"^ +wildcards: (.*)$", block, re.MULTILINE)
        declared = re.search(r"^ +resources: .*$", block, re.MULTILINE).group(0)
        jobs.append((rule, dict(item.split("=") for item in wildcards.group(1).split(", ")) if wildcards else {},
                     int(re.search(r"\bmem_mb=(\d+)", declared).group(1)),
                     int(re.search(r"\bruntime=(\d+)", declared).group(1))))
    return jobs


@pytest.fixture(scope="module")
def dry_run_jobs(tmp_path_factory):
    workdir = make_workflow_copy(tmp_path_factory.mktemp("resources"))
    return job_blocks(snakemake(workdir, "--dry-run").stdout)


def expected_estimate(rule, wildcards):
    if rule in ("named_hardware", "summary") or rule.startswith("graphs_"):
        return None
    topo, hw = wildcards["topo"], wildcards["hw"]
    layers = load_topology(TINY / f"{topo}.csv", "gemm" if topo.endswith("_gemm") else "conv")
    works = [resources.layer_work(layer, load_hardware_config(TINY / f"{hw}.cfg")) for layer in layers]
    if rule == "simulate":
        return resources.estimate(resources.simulate_work(works))
    if rule == "report":
        return resources.estimate(resources.report_work(len(layers)))
    work = works[int(wildcards["layer"])]
    if rule == "lifetimes":
        return resources.estimate(resources.lifetimes_work(work, wildcards["sub"], tables=False))
    return resources.estimate(resources.layer_step_work(work, tables=False))


def test_dry_run_prints_each_jobs_own_estimate(dry_run_jobs):
    assert {rule for rule, *_ in dry_run_jobs} == RULES
    for rule, wildcards, mem_mb, runtime in dry_run_jobs:
        assert mem_mb > 0 and runtime >= 1, rule
        expected = expected_estimate(rule, wildcards)
        if expected is not None:
            assert (mem_mb, runtime) == (expected.mem_mb, expected.runtime_min), (rule, wildcards)
    lifetimes = {(w["topo"], w["hw"], w["layer"], w["sub"]): mem for rule, w, mem, _ in dry_run_jobs if rule == "lifetimes"}
    # tiny.csv conv1 on tiny_os reads 648 IFMAP words (tested by hand in test_sweep_resources), conv3 225.
    assert lifetimes["tiny", "tiny_os", "0", "ifmap"] >= lifetimes["tiny", "tiny_os", "2", "ifmap"]
    graphs = [mem for rule, _, mem, _ in dry_run_jobs if rule.startswith("graphs_")]
    assert graphs[0] >= resources.estimate(resources.graphs_work(2)).mem_mb


def run_output(workdir, *args):
    result = snakemake(workdir, *args)
    return result.stdout + result.stderr


def provided_memory(output):
    """The memory pool Snakemake reports ("mem_mb=75", or in Snakemake 9 `mem_mb=Resource("mem_mb", 75)`)."""
    return int(re.search(r"^Provided resources: .*\bmem_mb=\D*(\d+)", output, re.MULTILINE).group(1))


def test_a_memory_pool_smaller_than_two_jobs_runs_them_one_at_a_time(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    # One layer's files: among their jobs, three lifetime jobs that could run side by side.
    target = "results/tiny/tiny_os/layer0/layer0_aggregate_data.csv"
    planned = job_blocks(snakemake(workdir, "--dry-run", target).stdout)
    assert [rule for rule, *_ in planned].count("lifetimes") == 3
    smallest = min(mem for _, _, mem, _ in planned)
    pool = smallest + smallest // 2
    output = run_output(workdir, target, "--resources", f"mem_mb={pool}")
    assert provided_memory(output) == pool
    running, started_jobs = set(), 0
    for started, finished in re.findall(r"^ *jobid: (\d+)$|^Finished jobid: (\d+)", output, re.MULTILINE):
        if started:
            assert not running, f"job {started} started while {running} ran"
            running.add(started)
            started_jobs += 1
        else:
            running.discard(finished)
    assert started_jobs == len(planned)


def test_a_local_run_shares_the_machines_memory(tmp_path):
    workdir = make_workflow_copy(tmp_path)
    output = run_output(workdir, "--until", "named_hardware")
    pool = provided_memory(output)
    with open("/proc/meminfo") as meminfo:
        total_mb = int(re.search(r"MemTotal:\s+(\d+) kB", meminfo.read()).group(1)) * 1024 // 10**6
    assert 0 < pool <= total_mb
