"""scripts/bench_resources.py's fit: every measurement covered (with the headroom), and the largest
over-estimate above the scale floor as small as the quantities allow; saved runs loaded with job kinds
dropped, and each job's kind (with traces, of an existing SCALE-Sim run)."""

import importlib.util
import json
import re
import shutil
import sys

import numpy as np
import pytest

from workflow_support import ROOT, TINY


def load_script():
    spec = importlib.util.spec_from_file_location("bench_resources", ROOT / "scripts" / "bench_resources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def estimates(base, coefficients, quantities):
    return np.array([base + sum(coefficients[name] * value for name, value in q.items()) for q in quantities])


def test_fit_covers_every_job_and_stays_close_above_the_floor():
    bench = load_script()
    # Small jobs of 40 to 90 MB with nothing counted (the base must cover 90 MB: 2.4 times the
    # smallest), large ones at 40 MB + their counted MB, give or take 10 %.
    rng = np.random.default_rng(0)
    counted = np.concatenate([np.zeros(150), rng.uniform(150, 600, 40)])
    measured = np.concatenate([rng.uniform(40, 90, 150), 40 + counted[150:] * rng.uniform(0.9, 1.1, 40)])
    quantities = [{"simulator_mb": value} for value in counted]
    base, coefficients = bench.fit_linear(quantities, measured.tolist(), bench.LARGE_MB)
    ratios = estimates(base, coefficients, quantities) / measured
    assert ratios.min() >= bench.FIT_HEADROOM - 1e-9
    # Above the floor the estimates follow the large jobs (1.1 / 0.9 x the headroom at best), not the
    # small jobs' spread (a fit that tolerates it gives 1.66 here).
    assert ratios[measured > bench.LARGE_MB].max() <= 1.5


def test_fit_of_constant_jobs_is_their_largest_measurement_with_headroom():
    bench = load_script()
    base, coefficients = bench.fit_linear([{"layers": 0.0}] * 3, [10.0, 12.0, 11.0], bench.LARGE_MB)
    assert np.isclose(base + coefficients["layers"] * 0, 12.0 * bench.FIT_HEADROOM)


def saved_run(tmp_path, traces=False):
    """A saved run of tiny.csv on tiny_os (its inputs beside it, as --save keeps them): a simulate job, the
    lifetime jobs of layer 0 and a report, each measured within any estimate (half a MB)."""
    inputs = tmp_path / "run.inputs"
    (inputs / "topologies").mkdir(parents=True)
    (inputs / "results" / "hardware").mkdir(parents=True)
    shutil.copy(TINY / "tiny.csv", inputs / "topologies")
    shutil.copy(TINY / "tiny_os.cfg", inputs / "results" / "hardware")
    jobs = [("simulate", {}), *(("lifetimes", {"layer": "0", "sub": sub}) for sub in ("ifmap", "filter", "ofmap")),
            ("report", {"clock": "1GHz", "corner": "nominal", "start": "fill"})]
    measured = [{"rule": rule, "wildcards": {"topo": "tiny", "hw": "tiny_os", **wildcards}, "jobid": str(index),
                 "log": f"logs/{index}.log", "mem_mb": 1, "runtime_min": 1, "peak_mb": 0.5, "cpu_s": 0.1,
                 "wall_s": 1.0} for index, (rule, wildcards) in enumerate(jobs)]
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"command": "scripts/bench_resources.py --topology tiny", "workdir": str(inputs),
                                "reports": 1, "tables": False, "traces": traces, "jobs": measured}))
    return path


def run_main(bench, monkeypatch, capsys, *arguments):
    monkeypatch.setattr(sys, "argv", ["bench_resources.py", *arguments])
    status = bench.main()
    return status, capsys.readouterr()


def table_kinds(output):
    return re.findall(r"^\| (\w+) \| \d+ \|", output, re.MULTILINE)


def test_drop_leaves_the_kind_out_of_the_run_loaded_before_it(tmp_path, monkeypatch, capsys):
    bench = load_script()
    first, second = saved_run(tmp_path / "first"), saved_run(tmp_path / "second", traces=True)
    status, printed = run_main(bench, monkeypatch, capsys, "--load", str(first), "--drop", "report", "--drop",
                               "lifetimes_ofmap", "--load", str(second))
    assert status == 0 and printed.out.startswith("8 jobs measured")
    # The second run (traces: its lifetime jobs parsed them) keeps its report and its OFMAP job.
    assert table_kinds(printed.out) == ["lifetimes_filter", "lifetimes_ifmap", "lifetimes_traces", "report",
                                        "simulate", "simulate_traces"]
    assert re.search(r"^\| report \| 1 \|", printed.out, re.MULTILINE)
    assert re.search(r"^\| lifetimes_traces \| 3 \|", printed.out, re.MULTILINE)


@pytest.mark.parametrize("arguments, message", [
    (["--drop", "report"], "--drop report: give it after the --load of the run it applies to"),
    (["--load", "run.json", "--drop", "reports"], "--drop reports: no such job kind"),
])
def test_a_drop_without_its_run_or_of_no_kind_is_refused(tmp_path, monkeypatch, capsys, arguments, message):
    bench = load_script()
    with pytest.raises(SystemExit) as refused:
        run_main(bench, monkeypatch, capsys, *arguments)
    assert refused.value.code == 2 and message in capsys.readouterr().err


def test_lifetime_jobs_of_an_existing_run_parse_traces(tmp_path):
    bench = load_script()
    run = json.loads(saved_run(tmp_path).read_text())
    sweep = bench.SweepWork(run["workdir"], 1, tables=False, traces=False, state_bytes_per_address=16)
    job = {"rule": "scalesim_lifetimes", "wildcards": {"topo": "tiny", "hw": "tiny_os", "layer": "1", "sub": "filter"}}
    assert sweep.of(job).kind == "lifetimes_traces"
    assert sweep.of({**job, "rule": "lifetimes"}).kind == "lifetimes_filter"
    assert sweep.of({"rule": "scalesim_run", "wildcards": {"topo": "tiny", "hw": "tiny_os"}}).kind == "hardware"


def test_a_runs_source_names_its_saved_file_without_the_folder():
    bench = load_script()
    command = "scripts/bench_resources.py --topology alexnet --save /home/someone/runs/sweep.json --cores 2"
    assert bench.run_source({"command": command, "workdir": "/x"}) == \
        "scripts/bench_resources.py --topology alexnet --save sweep.json --cores 2"
    assert bench.run_source({"workdir": "/x/sweep.inputs"}) == "/x/sweep.inputs"
