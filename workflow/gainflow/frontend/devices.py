"""The memory-device library: `simple_gc_list.json` + `area_power.json` -> `Technology` list.

Both files are data (the defaults ship in `gainflow/data/devices/`, their JSON Schemas in
`gainflow/schemas/`):
every number is `{"value", "unit", "source"}`. Loading validates each file
against its schema, checks that both name the same technologies and that the
baseline exists, and converts every quantity to SI units. Retention stays an
exact `Fraction` of seconds (or `None` for a static cell) so that the refresh
boundary `L == R` is decided exactly, not up to float rounding.

A technology may carry a capacity model (`capacity_scaling`, docs/memory-model.md): its per-bit
figures then hold at a reference capacity, and `Technology.at_capacity` gives the figures of a
buffer of any capacity. The model's parameters are data, like every other number.

Nothing about a particular technology lives in this module.
"""

import json
import re
import sys
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import jsonschema

from gainflow.errors import InputError

# Package data, found wherever the package is installed. gainflow has a compiled module, so it is
# always installed as files on disk (never imported from a zip) and these are real paths.
SCHEMA_DIR = resources.files("gainflow") / "schemas"
DEFAULT_DEVICE_DIR = resources.files("gainflow") / "data" / "devices"
DEFAULT_GC_LIST = DEFAULT_DEVICE_DIR / "simple_gc_list.json"
DEFAULT_AREA_POWER = DEFAULT_DEVICE_DIR / "area_power.json"
# The shipped corners: corner name -> the folder of its two files (the nominal one is the default).
SHIPPED_CORNERS = {"nominal": DEFAULT_DEVICE_DIR, "optimistic": DEFAULT_DEVICE_DIR / "optimistic",
                   "pessimistic": DEFAULT_DEVICE_DIR / "pessimistic"}

# unit -> factor to the SI unit (s, Hz, m^2/bit, J/bit, W/bit; capacities in bits, exponents are
# plain numbers). The schemas list the same units (a test keeps them in agreement).
UNIT_FACTORS = {
    "time": {"s": 1, "ms": Fraction(1, 10**3), "us": Fraction(1, 10**6),
             "ns": Fraction(1, 10**9), "ps": Fraction(1, 10**12)},
    "frequency": {"Hz": 1, "kHz": 10**3, "MHz": 10**6, "GHz": 10**9},
    "area": {"mm^2/bit": Fraction(1, 10**6), "um^2/bit": Fraction(1, 10**12),
             "nm^2/bit": Fraction(1, 10**18)},
    "energy": {"J/bit": 1, "nJ/bit": Fraction(1, 10**9), "pJ/bit": Fraction(1, 10**12),
               "fJ/bit": Fraction(1, 10**15), "aJ/bit": Fraction(1, 10**18)},
    "power": {"W/bit": 1, "mW/bit": Fraction(1, 10**3), "uW/bit": Fraction(1, 10**6),
              "nW/bit": Fraction(1, 10**9), "pW/bit": Fraction(1, 10**12)},
    # SI unit: bit; kB and MB are 1024 and 1024^2 bytes, as SCALE-Sim's buffer sizes.
    "capacity": {"bit": 1, "kbit": 1024, "Mbit": 1024**2, "kB": 8 * 1024, "MB": 8 * 1024**2},
    "exponent": {"1": 1},
}


# Retentions a memory can have: from the schemas' smallest time unit up to about 30 million years
# (a cell that never needs a refresh is `static`). Beyond them the refresh counts or the retention
# in cycles would outgrow the float64 values of the report.
SHORTEST_RETENTION_S = UNIT_FACTORS["time"]["ps"]
LONGEST_RETENTION_S = 10**15
# A capacity model's capacities (see capacity_bits); its exponents are at most 4 (the schema).
LARGEST_CAPACITY_BITS = 2**53
SI_UNITS = {"area": "m^2/bit", "energy": "J/bit", "power": "W/bit"}


@dataclass(frozen=True)
class CapacityScaling:
    """How per-bit figures change with a buffer's capacity (all capacities in bits).

    energies x (C / reference)^energy_exponent; area per bit = cell + periphery x
    (reference / C)^periphery_exponent; leakage per bit in proportion to the area per bit.
    C is clamped below at `minimum_bits`.
    """

    reference_bits: float
    minimum_bits: float
    energy_exponent: float
    periphery_area_m2: float  # per bit, at the reference capacity
    periphery_exponent: float

    def effective_bits(self, bits):
        return max(float(bits), self.minimum_bits)

    def energy_factor(self, bits):
        return (self.effective_bits(bits) / self.reference_bits) ** self.energy_exponent

    def periphery_area(self, bits):
        return self.periphery_area_m2 * (self.reference_bits / self.effective_bits(bits)) ** self.periphery_exponent


@dataclass(frozen=True)
class Technology:
    """One memory technology in SI units, per bit.

    `retention_s` is None for a static cell (never refreshed). With a capacity model (`scaling`),
    `area_m2` is the cell alone and the energies and leakage hold at the reference capacity:
    `at_capacity` gives the figures of a real buffer.
    """

    name: str
    retention_s: Fraction | None
    area_m2: float
    read_energy_j: float
    write_energy_j: float
    refresh_energy_j: float
    leakage_w: float
    scaling: CapacityScaling | None = None  # None: the figures hold at every capacity

    def at_capacity(self, bits):
        """This technology's per-bit figures in a buffer of `bits` bits (no capacity model left)."""
        if self.scaling is None:
            return self
        scaling = self.scaling
        energy = scaling.energy_factor(bits)
        area = self.area_m2 + scaling.periphery_area(bits)
        reference_area = self.area_m2 + scaling.periphery_area(scaling.reference_bits)
        return replace(self, area_m2=area, read_energy_j=self.read_energy_j * energy,
                       write_energy_j=self.write_energy_j * energy,
                       refresh_energy_j=self.refresh_energy_j * energy,
                       leakage_w=self.leakage_w * area / reference_area, scaling=None)


@dataclass(frozen=True)
class DeviceLibrary:
    technologies: tuple  # of Technology, in the order of simple_gc_list.json
    baseline: str

    def by_name(self, name):
        return next(tech for tech in self.technologies if tech.name == name)


def shipped_corner(name):
    """(simple_gc_list.json, area_power.json) of a shipped corner."""
    folder = SHIPPED_CORNERS[name]
    return folder / DEFAULT_GC_LIST.name, folder / DEFAULT_AREA_POWER.name


def load_schema(name):
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err.msg} (column {err.colno})",
                         path=path, line=err.lineno) from None
    check_numbers(document, path)
    return document


def check_numbers(value, path, keys=()):
    """Every number must be a finite float64: Python's json module also reads NaN, Infinity and
    integers of any size, which JSON Schema's bounds let through (NaN compares false)."""
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            check_numbers(item, path, (*keys, str(key)))
    elif isinstance(value, int | float) and not isinstance(value, bool) and not abs(value) <= sys.float_info.max:
        shown = repr(value) if len(repr(value)) <= 24 else f"{repr(value)[:12]}... ({len(repr(value))} digits)"
        raise InputError(f"expected a finite number within the float64 range, got {shown}", path=path,
                         key=".".join(keys) or None)


def validate(document, schema_name, path):
    """Raise InputError naming the dotted key of the first schema violation."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return
    keys = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        keys.append(missing)
        message = "missing field (required by the schema)"
    elif error.validator == "additionalProperties" and error.validator_value is False:
        allowed = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        keys.append(next(name for name in error.instance
                         if name not in allowed and not any(re.search(pattern, name) for pattern in patterns)))
        message = "unknown key (not in the schema)"
    elif error.validator == "enum":
        message = f"unknown unit {error.instance!r}, expected one of {error.validator_value}"
    elif error.validator in ("minimum", "exclusiveMinimum"):
        bound = "non-negative" if error.validator == "minimum" else "positive"
        message = f"expected a {bound} number, got {error.instance!r}"
    elif error.validator == "type":
        message = f"expected {error.validator_value}, got {error.instance!r}"
    else:
        message = error.message
    raise InputError(message, path=path, key=".".join(keys) or None)


def to_si(quantity, dimension):
    """Exact SI value of a schema-valid `{"value", "unit"}` object."""
    # str() keeps the decimal literal as written (10 us -> exactly 1e-5 s).
    return Fraction(str(quantity["value"])) * UNIT_FACTORS[dimension][quantity["unit"]]


def retention_at(retention, clock_hz, path, key):
    """Retention in seconds (None: static) for a clock; table rows are maximum frequencies."""
    if retention.get("static"):
        return None
    seconds = to_si(retention, "time") if "table" not in retention else _table_retention(retention, clock_hz, path, key)
    if not SHORTEST_RETENTION_S <= seconds <= LONGEST_RETENTION_S:
        raise InputError(f"expected a retention from 1 ps to 1e15 s (or static: true), got {float(seconds):g} s",
                         path=path, key=key)
    return seconds


def _table_retention(retention, clock_hz, path, key):
    rows = [(to_si(row["frequency"], "frequency"), row["retention"]) for row in retention["table"]]
    fast_enough = [row for row in rows if row[0] >= clock_hz]
    if not fast_enough:
        fastest = max(frequency for frequency, _ in rows)
        raise InputError(f"no table row at or above the clock of {float(clock_hz):g} Hz "
                         f"(fastest row: {float(fastest):g} Hz)", path=path, key=key)
    return to_si(min(fast_enough, key=lambda row: row[0])[1], "time")


def read_device_files(gc_list_path, area_power_path):
    """Both device files as validated JSON documents (gc_list, area_power)."""
    gc_list = read_json(gc_list_path)
    validate(gc_list, "simple_gc_list.schema.json", gc_list_path)
    area_power = read_json(area_power_path)
    validate(area_power, "area_power.schema.json", area_power_path)
    return gc_list, area_power


def load_device_library(gc_list_path, area_power_path, clock_hz):
    """Load, validate and convert both device files; `clock_hz` picks retention table rows."""
    gc_list, area_power = read_device_files(gc_list_path, area_power_path)
    names = list(gc_list["technologies"])
    for name in area_power["technologies"]:
        if name not in gc_list["technologies"]:
            raise InputError(f"technology not in {gc_list_path}", path=area_power_path,
                             key=f"technologies.{name}")
    for name in names:
        if name not in area_power["technologies"]:
            raise InputError(f"technology not in {area_power_path}", path=gc_list_path,
                             key=f"technologies.{name}")
    if gc_list["baseline"] not in names:
        raise InputError(f"baseline {gc_list['baseline']!r} is not one of the technologies {names}",
                         path=gc_list_path, key="baseline")
    technologies = tuple(
        build_technology(name, gc_list["technologies"][name]["retention"],
                         area_power["technologies"][name], Fraction(clock_hz), gc_list_path, area_power_path)
        for name in names)
    return DeviceLibrary(technologies=technologies, baseline=gc_list["baseline"])


def build_technology(name, retention, entry, clock_hz, gc_list_path, area_power_path):
    def figure(field, dimension):
        return per_bit(entry, field, dimension, area_power_path, f"technologies.{name}")

    read, write = figure("read_energy_per_bit", "energy"), figure("write_energy_per_bit", "energy")
    # A refresh is a read plus a write-back unless the library gives its own figure.
    return Technology(
        name=name,
        retention_s=retention_at(retention, clock_hz, gc_list_path, f"technologies.{name}.retention"),
        area_m2=figure("area_per_bit", "area"),
        read_energy_j=read,
        write_energy_j=write,
        refresh_energy_j=read + write if "refresh_energy_per_bit" not in entry else figure("refresh_energy_per_bit",
                                                                                            "energy"),
        leakage_w=figure("leakage_power_per_bit", "power"),
        scaling=None if "capacity_scaling" not in entry else build_scaling(
            entry["capacity_scaling"], area_power_path, f"technologies.{name}.capacity_scaling"),
    )


def per_bit(entry, field, dimension, path, key):
    """A per-bit figure in SI units, at most 1 (m^2, J or W per bit: far beyond any memory, and what
    keeps the report's products with bit and access counts within float64)."""
    value = to_si(entry[field], dimension)
    if value > 1:
        raise InputError(f"expected at most 1 {SI_UNITS[dimension]}, got {scientific(value)}", path=path,
                         key=f"{key}.{field}")
    return float(value)


def build_scaling(model, path, key):
    return CapacityScaling(
        reference_bits=capacity_bits(model, "reference_capacity", path, key),
        minimum_bits=capacity_bits(model, "minimum_capacity", path, key),
        energy_exponent=float(to_si(model["energy_exponent"], "exponent")),
        periphery_area_m2=per_bit(model, "periphery_area_per_bit", "area", path, key),
        periphery_exponent=float(to_si(model["periphery_exponent"], "exponent")),
    )


def capacity_bits(model, name, path, key):
    """A capacity of the model in bits, from 1 bit to 2**53 (a petabyte): beyond them the model's
    powers of capacity ratios leave the float64 range."""
    bits = to_si(model[name], "capacity")
    if not 1 <= bits <= LARGEST_CAPACITY_BITS:
        raise InputError(f"expected a capacity from 1 bit to 2**53 bits, got {scientific(bits)} bits", path=path,
                         key=f"{key}.{name}")
    return float(bits)


def scientific(fraction):
    """A Fraction of any size as text such as 1.000e+400 (float() would overflow)."""
    return f"{Decimal(fraction.numerator) / fraction.denominator:.3e}"
