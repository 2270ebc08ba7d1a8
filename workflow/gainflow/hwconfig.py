"""SCALE-Sim v2 `.cfg` hardware configs -> `HardwareConfig`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class HardwareConfig:
    run_name: str
    array_height: int
    array_width: int
    ifmap_sram_kb: int
    filter_sram_kb: int
    ofmap_sram_kb: int
    ifmap_offset: int
    filter_offset: int
    ofmap_offset: int
    dataflow: str  # "os", "ws" or "is"
    interface_bandwidth: str  # "CALC" (USER is rejected for now)


def load_hardware_config(path):
    """Parse a SCALE-Sim `.cfg` file. Raises InputError on bad input."""
    raise NotImplementedError("config parsing: see issue 3")
