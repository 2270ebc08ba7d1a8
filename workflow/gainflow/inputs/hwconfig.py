"""SCALE-Sim v2 `.cfg` hardware configs -> `HardwareConfig`.

Read as SCALE-Sim v2 reads them: Python `configparser` (keys case-insensitive, `:` or `=`, whitespace
stripped), every key below required, no defaults. `Bandwidth`, `MemoryBanks` and any other key are
ignored (they matter only in USER mode or not at all). Stricter than SCALE-Sim: an unknown dataflow is
an error (SCALE-Sim silently runs it as `os`), sizes must be positive and offsets non-negative
integers, and `InterfaceBandwidth: USER` is rejected because only CALC is supported so far.
"""

import configparser
from dataclasses import dataclass

from gainflow.errors import InputError
from gainflow.inputs.inputfile import read_lines

DATAFLOWS = ("os", "ws", "is")
SUPPORTED_INTERFACE_BANDWIDTH = "CALC"

# HardwareConfig field -> key in [architecture_presets], spelled as SCALE-Sim's shipped configs spell it.
POSITIVE_KEYS = {
    "array_height": "ArrayHeight",
    "array_width": "ArrayWidth",
    "ifmap_sram_kb": "IfmapSramSzkB",
    "filter_sram_kb": "FilterSramSzkB",
    "ofmap_sram_kb": "OfmapSramSzkB",
}
OFFSET_KEYS = {
    "ifmap_offset": "IfmapOffset",
    "filter_offset": "FilterOffset",
    "ofmap_offset": "OfmapOffset",
}


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
    reader = _ConfigReader(path)
    interface_bandwidth = reader.text("run_presets", "InterfaceBandwidth")
    if interface_bandwidth != SUPPORTED_INTERFACE_BANDWIDTH:
        detail = ("USER bandwidth mode is not supported yet" if interface_bandwidth == "USER"
                  else f"got {interface_bandwidth!r}")
        raise InputError(f"only InterfaceBandwidth: CALC is supported ({detail})", path=path,
                         key="InterfaceBandwidth")
    dataflow = reader.text("architecture_presets", "Dataflow")
    if dataflow not in DATAFLOWS:
        raise InputError(f"expected one of {', '.join(DATAFLOWS)}, got {dataflow!r}", path=path,
                         key="Dataflow")
    sizes = {field: reader.integer("architecture_presets", key, minimum=1)
             for field, key in POSITIVE_KEYS.items()}
    offsets = {field: reader.integer("architecture_presets", key, minimum=0)
               for field, key in OFFSET_KEYS.items()}
    return HardwareConfig(run_name=_run_name(reader), dataflow=dataflow,
                          interface_bandwidth=interface_bandwidth, **sizes, **offsets)


def _run_name(reader):
    name = reader.text("general", "run_name")
    # The run name becomes an output folder name.
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise InputError(f"expected a non-empty folder name without path separators, got {name!r}",
                         path=reader.path, key="run_name")
    return name


class _ConfigReader:
    """configparser with every failure turned into an InputError naming the file and key."""

    def __init__(self, path):
        self.path = path
        self.parser = configparser.ConfigParser()
        lines = read_lines(path, "config")
        try:
            self.parser.read_file(lines, source=str(path))
        except configparser.MissingSectionHeaderError as err:
            raise InputError("not a valid .cfg file: expected a [section] line first", path=path,
                             line=err.lineno) from None
        except configparser.ParsingError as err:
            # Lines that are neither `[section]` nor `key = value` (nor a continuation): name the first.
            line = err.errors[0][0]
            raise InputError(f"not a valid .cfg file: expected [section] or key = value, got "
                             f"{lines[line - 1].strip()!r}", path=path, line=line) from None
        except configparser.Error as err:
            raise InputError(f"not a valid .cfg file: {err.message}", path=path,
                             line=getattr(err, "lineno", None)) from None

    def text(self, section, key):
        if not self.parser.has_section(section):
            raise InputError(f"missing section [{section}] (needed for key {key})", path=self.path,
                             key=key)
        try:
            return self.parser.get(section, key)
        except configparser.NoOptionError:
            raise InputError(f"missing key in section [{section}]", path=self.path, key=key) from None
        except configparser.InterpolationError as err:
            raise InputError(f"bad value in section [{section}]: {err.message}", path=self.path,
                             key=key) from None

    def integer(self, section, key, minimum):
        text = self.text(section, key)
        try:
            value = int(text)
        except ValueError:
            raise InputError(f"expected an integer, got {text!r}", path=self.path, key=key) from None
        if value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise InputError(f"expected {kind}, got {value}", path=self.path, key=key)
        return value
