"""The frontend on lifetimes computed from real SCALE-Sim v2 traces (golden case tiny_conv_os of
tests/data/golden), cross-checked against the same quantities computed row by row with pandas from
the lifetime CSVs.

At 100 MHz one cycle is 10 ns: 1 us = 100 cycles, about the median lifetime of this case, which is
also the retention of the test library's Dense technology.
"""

import contextlib
import io
import json
import math

import data_support
import jsonschema
import pandas as pd
import pytest
from frontend_support import write_device_files
from gainflow.cli import main
from gainflow.frontend.devices import load_schema

GOLDEN = data_support.GOLDEN / "tiny_conv_os"
FJ = 1e-15


def gainflow(*args):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([str(arg) for arg in args]) == 0


@pytest.fixture(scope="module")
def golden_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden")
    gainflow("lifetimes", "-s", GOLDEN / "expected" / "tiny_os", "-c", GOLDEN / "hw.cfg", "-o", root)
    run_dir = root / "tiny_os"
    gc_path, ap_path = write_device_files(root / "devices")
    gainflow("frontend", run_dir, "-o", root / "report.json", "--clock-hz", "1e8",
             "--gc-list", gc_path, "--area-power", ap_path)
    report = json.loads((root / "report.json").read_text())
    layers = sorted(run_dir.glob("layer*/layer*_lifetime_data.csv"))
    lifetimes = pd.concat(pd.read_csv(path) for path in layers)
    aggregates = pd.concat(pd.read_csv(path) for path in sorted(run_dir.glob("layer*/layer*_aggregate_data.csv")))
    return report, lifetimes, aggregates


def test_report_is_valid(golden_run):
    report, lifetimes, _ = golden_run
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    assert report["workload"]["layers"] == 3
    assert report["lifetime_statistics"]["all"]["intervals"] == len(lifetimes) > 0


def test_statistics_agree_with_pandas(golden_run):
    report, lifetimes, _ = golden_run
    for name, rows in [*lifetimes.groupby("subdivision"), ("all", lifetimes)]:
        stats = report["lifetime_statistics"][name]
        accesses = 1 + rows["reads"]
        short = rows["lifetime"] <= 100
        assert stats["median_cycles"] == pytest.approx(rows["lifetime"].median()), name
        assert stats["p90_cycles"] == pytest.approx(rows["lifetime"].quantile(0.9)), name
        assert stats["mean_cycles"] == pytest.approx(rows["lifetime"].mean()), name
        assert stats["within_1us"]["accesses_share"] == pytest.approx(accesses[short].sum() / accesses.sum())
        assert stats["within_1us"]["intervals_share"] == pytest.approx(short.mean())
        assert 0 < stats["within_1us"]["intervals_share"] < 1, name


def test_refreshes_and_energy_agree_with_row_by_row_sums(golden_run):
    report, lifetimes, aggregates = golden_run
    dense = report["technologies"]["Dense"]["total"]
    assert dense["refreshes"] == sum(0 if c <= 100 else math.ceil(c / 100) - 1 for c in lifetimes["lifetime"])
    assert dense["refreshes"] > 0
    reads, writes = int(aggregates["reads"].sum()), int(aggregates["writes"].sum())
    sram = report["technologies"]["SRAM"]["total"]["energy"]
    assert sram["dynamic_j"] == pytest.approx((reads * 10 + writes * 20) * 8 * FJ)
    assert dense["energy"]["refresh_j"] == pytest.approx(dense["refreshes"] * 100 * 8 * FJ)
