"""Every reference case through `gainflow simulate`: reports and traces byte-identical to SCALE-Sim
2.0.2 (large cases' traces through their SHA-256 sums). The cases are SCALE-Sim 2.0.2 runs kept in
tests/data/golden and tests/data/simulator, made and checked by scripts/make_golden.py."""

import hashlib
from pathlib import Path

import pytest
from simulator_support import GOLDEN, case_dirs, case_inputs, gainflow_simulate

CASES = case_dirs()


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def _trace_sums(case_dir):
    """relative trace path -> SHA-256, for cases that keep sums instead of trace files."""
    sums_file = case_dir / "TRACE_SHA256SUMS"
    if not sums_file.exists():
        return {}
    pairs = (line.split() for line in sums_file.read_text().splitlines())
    return {Path(relative): digest for digest, relative in pairs}


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_reports_and_traces_are_byte_identical(case_dir, tmp_path):
    config, topology, input_type, expected = case_inputs(case_dir)
    result = gainflow_simulate("-t", topology, "-c", config, "-p", tmp_path, "-i", input_type,
                               "--save-traces", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert [p.name for p in tmp_path.iterdir()] == [expected.name]  # no staging folder left behind
    produced = tmp_path / expected.name
    sums = _trace_sums(case_dir)
    assert _files(produced) == sorted(set(_files(expected)) | set(sums))
    for relative in _files(expected):
        assert (produced / relative).read_bytes() == (expected / relative).read_bytes(), relative
    for relative, digest in sums.items():
        assert hashlib.sha256((produced / relative).read_bytes()).hexdigest() == digest, relative


def test_reports_only_run_writes_the_same_reports_and_no_traces(tmp_path):
    config, topology, input_type, expected = case_inputs(GOLDEN / "tiny_conv_ws")
    result = gainflow_simulate("-t", topology, "-c", config, "-p", tmp_path, "--quiet")
    assert result.returncode == 0, result.stderr
    produced = tmp_path / expected.name
    assert sorted(p.name for p in produced.iterdir()) == [
        "BANDWIDTH_REPORT.csv", "COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"]
    for report in produced.iterdir():
        assert report.read_bytes() == (expected / report.name).read_bytes()
