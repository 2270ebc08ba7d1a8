"""`run_info.json`: what a run was (`gainflow.files.layout.RUN_INFO`).

Written by the workflow's simulate step and by `gainflow lifetimes`, read by `gainflow frontend`:

    {"hardware": {...} or null, "layers": [{"index", "macs", "name", "total_cycles"}, ...],
     "run_name": "...", "topology": {"input_type", "name", "path"} or null}

`hardware` holds the fields of a `gainflow.inputs.hwconfig.HardwareConfig` (null when the run was made
without a config); a layer's `name` and `macs` are null when the run was made without a topology.
The text is JSON with sorted keys and an indent of 2, so equal runs give equal bytes.
"""

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from gainflow.errors import InputError
from gainflow.files.atomic import atomic_file
from gainflow.files.plain import plain_json


@dataclass(frozen=True)
class LayerInfo:
    index: int
    total_cycles: int
    name: str | None = None
    macs: int | None = None

    @classmethod
    def of_layer(cls, index, total_cycles, layer=None):
        """The entry of a `gainflow.inputs.topology.Layer` (or of a layer without a topology: None)."""
        if layer is None:
            return cls(index, total_cycles)
        return cls(index, total_cycles, name=layer.name, macs=layer.macs)


@dataclass(frozen=True)
class TopologyInfo:
    name: str
    path: str
    input_type: str

    @classmethod
    def of_file(cls, path, input_type):
        """The entry of a topology file: its stem names it."""
        return cls(name=Path(path).stem, path=str(path), input_type=input_type)


@dataclass(frozen=True)
class RunInfo:
    run_name: str
    layers: tuple  # of LayerInfo, in layer order
    topology: TopologyInfo | None = None
    hardware: dict | None = None  # HardwareConfig fields

    @classmethod
    def of_run(cls, run_name, layers, *, topology=None, hardware=None):
        """`hardware` is a HardwareConfig (dataclass) or None; `layers` LayerInfo in layer order."""
        return cls(run_name=run_name, layers=tuple(layers), topology=topology,
                   hardware=None if hardware is None else dataclasses.asdict(hardware))

    @classmethod
    def of_topology_run(cls, run_name, layers, total_cycles, topology_path, input_type, hardware):
        """The record of a run of a topology file's `layers` on `hardware` (a HardwareConfig), with
        the layers' Total Cycles in `total_cycles` (in layer order)."""
        entries = [LayerInfo.of_layer(index, cycles, layer)
                   for index, (layer, cycles) in enumerate(zip(layers, total_cycles, strict=True))]
        return cls.of_run(run_name, entries, topology=TopologyInfo.of_file(topology_path, input_type),
                          hardware=hardware)

    def to_json(self):
        return json.dumps(plain_json(dataclasses.asdict(self)), indent=2, sort_keys=True) + "\n"

    def write(self, path):
        """Write atomically (`gainflow.files.atomic`)."""
        with atomic_file(path) as handle:
            handle.write(self.to_json().encode())

    @classmethod
    def load(cls, path):
        """Read and check a run_info.json; InputError names the file and the offending key."""
        path = Path(path)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise InputError(f"not a `gainflow lifetimes` output directory (no {path.name})", path=path) from None
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", path=path) from None
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON: {err.msg}", path=path, line=err.lineno) from None
        return _Checker(path).run_info(data)


class _Checker:
    """Checks parsed run_info.json data field by field; errors name the file and the key."""

    def __init__(self, path):
        self.path = path

    def fail(self, key, expected, value):
        raise InputError(f"expected {expected}, got {value!r}", path=self.path, key=key)

    def field(self, data, key, prefix=""):
        if key not in data:
            raise InputError("missing", path=self.path, key=prefix + key)
        return data[key]

    def text(self, value, key, optional=False):
        if not (isinstance(value, str) or (optional and value is None)):
            self.fail(key, "text" + (" or null" if optional else ""), value)
        return value

    def count(self, value, key, optional=False):
        is_count = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not (is_count or (optional and value is None)):
            self.fail(key, "a non-negative integer" + (" or null" if optional else ""), value)
        return value

    def run_info(self, data):
        if not isinstance(data, dict):
            raise InputError(f"expected a JSON object, got {type(data).__name__}", path=self.path)
        run_name = self.text(self.field(data, "run_name"), "run_name")
        layers = self.field(data, "layers")
        if not isinstance(layers, list) or not layers:
            self.fail("layers", "a non-empty list", layers)
        layers = tuple(self.layer(layer, f"layers.{position}") for position, layer in enumerate(layers))
        indices = [layer.index for layer in layers]
        for position, index in enumerate(indices):
            if index in indices[:position]:
                self.fail(f"layers.{position}.index", "a layer index listed once", index)
        hardware = self.field(data, "hardware")
        if hardware is not None and not isinstance(hardware, dict):
            self.fail("hardware", "an object or null", hardware)
        return RunInfo(run_name=run_name, layers=layers, topology=self.topology(self.field(data, "topology")),
                       hardware=hardware)

    def layer(self, data, key):
        if not isinstance(data, dict):
            self.fail(key, "an object", data)
        prefix = key + "."
        return LayerInfo(
            index=self.count(self.field(data, "index", prefix), prefix + "index"),
            total_cycles=self.count(self.field(data, "total_cycles", prefix), prefix + "total_cycles"),
            name=self.text(self.field(data, "name", prefix), prefix + "name", optional=True),
            macs=self.count(self.field(data, "macs", prefix), prefix + "macs", optional=True),
        )

    def topology(self, data):
        if data is None:
            return None
        if not isinstance(data, dict):
            self.fail("topology", "an object or null", data)
        values = {name: self.text(self.field(data, name, "topology."), f"topology.{name}")
                  for name in ("name", "path", "input_type")}
        return TopologyInfo(**values)
