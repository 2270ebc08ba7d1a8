"""The frontend reports of a sweep, read into the plain records the summary table and plots use.

A report is one run: (topology, hardware point, clock, device corner, lifetime start). Only the keys
the summary needs are read; a missing or mistyped one is an InputError naming the report file and the
key (`workflow/gainflow/schemas/report.schema.json` documents them all). A report without
`device_library.corner` was made with the default device corner, one without `workload.lifetime_start`
with lifetimes from the fill.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from gainflow.errors import InputError
from gainflow.lifetimes.histogram import LIFETIME_STARTS

DEFAULT_CORNER = "default"
DEFAULT_START = "fill"
START_ORDER = tuple(LIFETIME_STARTS)
COMPOSITIONS = {"min_energy_per_buffer": "min-energy per buffer", "retention_split": "retention split"}
ENERGY_PARTS = ("read", "write", "refresh", "leakage", "total")
BUFFER_NAMES = ("ifmap", "filter", "ofmap")


@dataclass(frozen=True)
class Design:
    """One scratchpad design of a run: all three buffers of one technology, or a composition."""

    name: str
    kind: str  # "baseline" (the all-baseline technology), "technology" or "composition"
    retention_s: float | None  # None: static (no retention limit) or a composition
    refreshes: int | None  # None for a composition
    accesses_within_retention: float | None  # None for a composition, or no interval at all
    area_mm2: float
    energy_j: dict  # ENERGY_PARTS -> joules


@dataclass(frozen=True)
class Run:
    """One report: the design-space point it was made at and its designs (library order, then
    the compositions)."""

    path: str
    topology: str
    hardware: str
    array_rows: int
    array_columns: int
    dataflow: str
    buffer_kb: dict  # BUFFER_NAMES -> kB
    clock_hz: float
    device_corner: str
    lifetime_start: str
    layers: int
    total_cycles: int
    designs: tuple

    @property
    def key(self):
        """What tells runs apart."""
        return (self.topology, self.hardware, self.clock_hz, self.device_corner, self.lifetime_start)

    @property
    def order(self):
        """The table's order: topology, then hardware points by their parameters, clock, corner, start."""
        buffers = tuple(self.buffer_kb[name] for name in BUFFER_NAMES)
        return (self.topology, self.array_rows, self.array_columns, self.dataflow, buffers, self.hardware,
                self.clock_hz, self.device_corner, START_ORDER.index(self.lifetime_start))

    @property
    def pe_count(self):
        return self.array_rows * self.array_columns

    @property
    def total_buffer_kb(self):
        return sum(self.buffer_kb.values())

    def baseline(self):
        return next(design for design in self.designs if design.kind == "baseline")


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value, limit=60):
    """repr of a value found in a report, cut short: a wrong key may hold a whole section."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


EXPECTED = {
    "number": (_is_number, "a finite number"),
    "count": (lambda v: _is_integer(v) and v >= 0, "a non-negative integer"),
    "size": (lambda v: _is_integer(v) and v >= 1, "a positive integer"),
    "string": (lambda v: isinstance(v, str) and v != "", "a non-empty string"),
    "share": (lambda v: v is None or (_is_number(v) and 0 <= v <= 1), "a share in [0, 1] or null"),
    "positive": (lambda v: _is_number(v) and v > 0, "a positive number"),
    "positive_or_null": (lambda v: v is None or (_is_number(v) and v > 0), "a positive number or null"),
    "boolean": (lambda v: isinstance(v, bool), "true or false"),
    "names": (lambda v: isinstance(v, list) and v and all(isinstance(n, str) for n in v),
              "a non-empty list of names"),
    "start": (lambda v: v in START_ORDER, f"one of {START_ORDER}"),
}


class ReportFields:
    """Typed access to one parsed report; errors name the file and the dotted key."""

    def __init__(self, path, data):
        self.path = str(path)
        self.data = data

    def get(self, keys, expected):
        value = self.data
        for depth, key in enumerate(keys):
            if not isinstance(value, dict):
                raise InputError(f"expected an object, got {_shown(value)}", path=self.path,
                                 key=".".join(keys[:depth]))
            if key not in value:
                raise InputError("missing key", path=self.path, key=".".join(keys[:depth + 1]))
            value = value[key]
        check, description = EXPECTED[expected]
        if not check(value):
            raise InputError(f"expected {description}, got {_shown(value)}", path=self.path, key=".".join(keys))
        return value

    def optional(self, keys, expected, default):
        parent = self.data
        for key in keys[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        return self.get(keys, expected) if isinstance(parent, dict) and keys[-1] in parent else default

    def energy(self, keys):
        return {part: self.get((*keys, f"{part}_j"), "number") for part in ENERGY_PARTS}


def _technology_design(fields, name, baseline):
    technology = ("technologies", name)
    static = fields.get((*technology, "parameters", "static"), "boolean")
    retention = fields.get((*technology, "parameters", "retention_s"), "positive_or_null")
    total = (*technology, "total")
    return Design(
        name=name,
        kind="baseline" if name == baseline else "technology",
        retention_s=None if static else retention,
        refreshes=fields.get((*total, "refreshes"), "count"),
        accesses_within_retention=fields.get((*total, "within_retention", "accesses_share"), "share"),
        area_mm2=fields.get((*total, "area_capacity_mm2"), "number"),
        energy_j=fields.energy((*total, "energy")),
    )


def _composition_design(fields, key, name):
    return Design(name=name, kind="composition", retention_s=None, refreshes=None,
                  accesses_within_retention=None,
                  area_mm2=fields.get(("composition", key, "area_mm2"), "number"),
                  energy_j=fields.energy(("composition", key, "energy")))


def run_from_report(path, data):
    """The Run of one parsed report (`path` is named in errors)."""
    fields = ReportFields(path, data)
    order = fields.get(("device_library", "technology_order"), "names")
    baseline = fields.get(("device_library", "baseline"), "string")
    if baseline not in order:
        raise InputError(f"baseline {baseline!r} is not in technology_order", path=path,
                         key="device_library.baseline")
    designs = [_technology_design(fields, name, baseline) for name in order]
    designs += [_composition_design(fields, key, name) for key, name in COMPOSITIONS.items()]
    workload = ("workload",)
    return Run(
        path=str(path),
        topology=fields.get((*workload, "topology"), "string"),
        hardware=fields.get((*workload, "run_name"), "string"),
        array_rows=fields.get((*workload, "array_height"), "size"),
        array_columns=fields.get((*workload, "array_width"), "size"),
        dataflow=fields.get((*workload, "dataflow"), "string"),
        buffer_kb={name: fields.get((*workload, "buffer_kb", name), "number") for name in BUFFER_NAMES},
        clock_hz=fields.get((*workload, "clock_hz"), "positive"),
        device_corner=fields.optional(("device_library", "corner"), "string", DEFAULT_CORNER),
        lifetime_start=fields.optional((*workload, "lifetime_start"), "start", DEFAULT_START),
        layers=fields.get((*workload, "layers"), "count"),
        total_cycles=fields.get((*workload, "total_cycles"), "count"),
        designs=tuple(designs),
    )


def read_report(path):
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise InputError(f"cannot read the report: {err.strerror}", path=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err.msg}", path=path, line=err.lineno) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object (a gainflow frontend report)", path=path)
    return run_from_report(path, data)


def load_runs(paths):
    """Every report's Run in `Run.order`; two reports of the same point are an error."""
    runs, seen = [], {}
    for path in paths:
        run = read_report(path)
        if run.key in seen:
            raise InputError(f"the same (topology, hardware, clock, corner, lifetime start) as {seen[run.key]}: "
                             f"{run.key}",
                             path=path)
        seen[run.key] = path
        runs.append(run)
    return sorted(runs, key=lambda run: run.order)
