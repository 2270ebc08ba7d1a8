"""`gainflow devices`: the per-bit table of a device library at one capacity, with numbered sources.

Expected figures by hand (nominal corner, reference capacity 128 kB, energy exponent 0.47):
SRAM read at 128 kB is 85.4 fJ/bit; at 64 kB 85.4 x 0.5^0.47 = 61.66; at 6 MB 85.4 x 48^0.47 = 526.8.
Area per bit at 64 kB: 0.074 + 0.04547 x 2^0.5 = 0.1383 um^2.
"""

import contextlib
import io
import re

import pytest
from frontend_support import write_device_files
from gainflow.cli import main


def devices(*args):
    """(exit status, stdout, stderr) of `gainflow devices ARGS` in-process."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = main(["devices", *map(str, args)])
        except SystemExit as exit_:  # argparse usage errors
            status = exit_.code
    return status, stdout.getvalue(), stderr.getvalue()


def rows(stdout):
    """technology -> its figures without their source references: retention, area, read, write,
    refresh, leakage (cells are two or more spaces apart)."""
    lines = stdout.split("\n\nsources:")[0].splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("technology"))
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines[header + 1:]]
    return {line[0]: [cell.split(" [")[0] for cell in line[1:]] for line in cells}


def sources(stdout):
    return dict(re.findall(r"^\[(\d+)\] (.*)$", stdout.split("\n\nsources:")[1], flags=re.M))


def test_nominal_at_64_kb():
    status, stdout, _ = devices("--capacity-kb", 64)
    assert status == 0
    table = rows(stdout)
    assert list(table) == ["SRAM", "Si-Si", "Hybrid-Si-OS", "OS-OS"]
    assert table["SRAM"][:3] == ["static", "0.1383", "61.66"]
    assert table["SRAM"][4] == "-"  # a static cell is never refreshed
    assert table["Si-Si"][0] == "10 us"
    assert table["OS-OS"][0] == "1000 s"
    assert "[1]" in stdout.splitlines()[3]  # the SRAM row's first figure cites source 1
    assert "corner nominal" in stdout and "16 nm FinFET, 0.8 V" in stdout


def test_capacity_changes_the_per_bit_energy():
    small = rows(devices("--capacity-kb", 64)[1])["SRAM"][2]
    large = rows(devices("--capacity-kb", 6144)[1])["SRAM"][2]
    assert (small, large) == ("61.66", "526.8")


def test_every_cited_source_is_listed_and_every_listed_one_cited():
    _, stdout, _ = devices()
    listed = sources(stdout)
    cited = {number for cell in re.findall(r"\[([\d,]+)\]", stdout.split("\n\nsources:")[0])
             for number in cell.split(",")}
    assert cited == set(listed)
    assert any("Horowitz" in text and "ISSCC 2014" in text for text in listed.values())
    assert any("Giterman" in text and "Solid-State Circuits Letters" in text for text in listed.values())
    assert any("no published per-access energy" in text for text in listed.values())


def test_pessimistic_corner():
    table = rows(devices("--corner", "pessimistic")[1])
    assert table["Si-Si"][0] == "1 us"
    assert table["Hybrid-Si-OS"][0] == "5 s"
    # 2.58 pJ / 32 bit x 1.9315 (0.6 -> 0.8 V) = 155.7 fJ at the reference capacity
    assert table["Si-Si"][2] == "155.7"


def test_own_files_without_a_capacity_model(tmp_path):
    gc_path, ap_path = write_device_files(tmp_path)
    status, stdout, _ = devices("--gc-list", gc_path, "--area-power", ap_path, "--capacity-kb", 6144)
    assert status == 0
    table = rows(stdout)
    # the test library's numbers, whatever the capacity: GC 0.05 um2, 2 / 3 / 5 fJ, 0.1 nW
    assert table["GC"] == ["10 us", "0.05", "2", "3", "5", "0.1"]
    assert sources(stdout) == {"1": "test", "2": "test value"}


@pytest.mark.parametrize("args", [("--capacity-kb", "0"), ("--capacity-kb", "big"), ("--corner", "typical")])
def test_bad_options(args):
    status, _, stderr = devices(*args)
    assert status == 2
    assert "usage:" in stderr


def test_bad_device_file(tmp_path):
    gc_path, ap_path = write_device_files(tmp_path)
    ap_path.write_text(ap_path.read_text().replace('"fJ/bit"', '"furlongs"', 1))
    status, stdout, stderr = devices("--area-power", ap_path, "--gc-list", gc_path)
    assert status == 2 and stdout == ""
    assert "area_power.json, key 'technologies.SRAM.read_energy_per_bit.unit': unknown unit" in stderr
