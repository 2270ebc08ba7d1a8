"""The shipped what-if device corner: the shipped library with a 1 us Si-Si retention, nothing else."""

from fractions import Fraction
from pathlib import Path

from gainflow.frontend.devices import DEFAULT_AREA_POWER, DEFAULT_GC_LIST, load_device_library

CORNER = Path(__file__).resolve().parents[1] / "hardware" / "devices" / "sisi_retention_1us.json"
CLOCK_HZ = Fraction(10**9)


def test_sisi_retention_corner_differs_from_the_shipped_library_in_one_retention():
    shipped = load_device_library(DEFAULT_GC_LIST, DEFAULT_AREA_POWER, CLOCK_HZ)
    corner = load_device_library(CORNER, DEFAULT_AREA_POWER, CLOCK_HZ)
    assert corner.baseline == shipped.baseline
    retention = {tech.name: tech.retention_s for tech in corner.technologies}
    assert retention == {"SRAM": None, "Si-Si": Fraction(1, 10**6), "Hybrid-Si-OS": 1000, "OS-OS": 1000}
    for mine, theirs in zip(corner.technologies, shipped.technologies, strict=True):
        assert mine.name == theirs.name
        if mine.name != "Si-Si":
            assert mine == theirs
    assert {tech.name: tech.retention_s for tech in shipped.technologies}["Si-Si"] == Fraction(10, 10**6)
