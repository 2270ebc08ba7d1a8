"""Hardware design-space grids: the config's `hardware_grid` -> named hardware points, each a
SCALE-Sim v2 `.cfg` text.

A grid lists values per axis (array shape, dataflow, the three SRAM sizes); every combination is one
point. A point takes every other key (offsets, Bandwidth, MemoryBanks, InterfaceBandwidth, ...) from
its grid's `base`, a named config, and is named after its parameters, e.g. `a32x32-os-i64-f64-o64`.
Bad values and points the simulator cannot run are reported as an InputError naming the grid entry
(key and value), so a sweep fails before any job runs. See docs/design-space.md.
"""

import configparser
import itertools
import re
from dataclasses import dataclass

from gainflow.errors import InputError
from gainflow.inputs.hwconfig import DATAFLOWS, POSITIVE_KEYS
from gainflow.simulator.read_buffer import read_window_words

GRID_KEY = "hardware_grid"
DEFAULT_BASE = "scale32_os"
# Axes in the order of the point name; `array` sets both ArrayHeight and ArrayWidth.
AXES = ("array", "dataflow", "ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb")
ARRAY_SPEC = re.compile(r"\s*([0-9]+)\s*x\s*([0-9]+)\s*")
# Where a key's value starts in a written .cfg line, as in the shipped configs.
VALUE_COLUMN = 16


@dataclass(frozen=True)
class GridPoint:
    base: str  # the named config the point inherits its other keys from
    array_height: int
    array_width: int
    dataflow: str
    ifmap_sram_kb: int
    filter_sram_kb: int
    ofmap_sram_kb: int

    @property
    def name(self):
        return (f"a{self.array_height}x{self.array_width}-{self.dataflow}"
                f"-i{self.ifmap_sram_kb}-f{self.filter_sram_kb}-o{self.ofmap_sram_kb}")

    @property
    def array(self):
        return f"{self.array_height}x{self.array_width}"

    def architecture_values(self):
        """The [architecture_presets] keys the point sets, spelled as in SCALE-Sim's configs."""
        values = {key: getattr(self, field) for field, key in POSITIVE_KEYS.items()}
        values["Dataflow"] = self.dataflow
        return values


def grid_list(grids):
    """The config's `hardware_grid` (one grid, a list of grids, or None) as (label, grid) pairs."""
    if grids is None:
        return []
    if isinstance(grids, dict):
        return [(GRID_KEY, grids)]
    if not isinstance(grids, list):
        raise InputError(f"expected a grid (mapping) or a list of grids, got {grids!r}", key=GRID_KEY)
    return [(f"{GRID_KEY}[{index}]", grid) for index, grid in enumerate(grids)]


def expand_grids(grids, load_base):
    """Every point of the config's `hardware_grid`, in grid order, then in the order of AXES with
    the values as listed; a point listed again is kept once.

    `load_base(name)` returns the named config's HardwareConfig (and raises InputError if it cannot).
    """
    points = {}
    for label, grid in grid_list(grids):
        for point in expand_grid(grid, label, load_base):
            earlier = points.setdefault(point.name, point)
            if earlier.base != point.base:
                raise InputError(f"point {point.name} is in grids with different bases ({earlier.base} and "
                                 f"{point.base}): give the grids one base", key=f"{label}.base")
    return list(points.values())


def expand_grid(grid, label, load_base):
    """The points of one grid; `label` names it in messages (`hardware_grid` or `hardware_grid[i]`)."""
    if not isinstance(grid, dict):
        raise InputError(f"expected a mapping of axis -> values, got {grid!r}", key=label)
    unknown = sorted(set(grid) - set(AXES) - {"base"})
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r}; expected base or one of {', '.join(AXES)}",
                         key=f"{label}.{unknown[0]}")
    base_name = grid.get("base", DEFAULT_BASE)
    if not isinstance(base_name, str):
        raise InputError(f"expected the name of a hardware config, got {base_name!r}", key=f"{label}.base")
    try:
        base = load_base(base_name)
    except InputError as error:
        raise InputError(f"base {base_name!r}: {error}", key=f"{label}.base") from None
    inherited = {"array": f"{base.array_height}x{base.array_width}", "dataflow": base.dataflow,
                 **{axis: getattr(base, axis) for axis in AXES[2:]}}
    axes = [[(axis, value) for value in _axis_values(grid, axis, label, inherited)] for axis in AXES]
    return [grid_point(base_name, dict(combination), label) for combination in itertools.product(*axes)]


def grid_point(base_name, values, label):
    """The checked point of `values` (axis -> value as the config writes it); `label` names the grid."""
    checked = {axis: _checked(axis, values[axis], label) for axis in AXES}
    height, width = checked.pop("array")
    point = GridPoint(base=base_name, array_height=height, array_width=width, **checked)
    _check_read_windows(point, label)
    return point


def _axis_values(grid, axis, label, inherited):
    """The axis's values: a list, one value, or (axis not given) the base's value."""
    values = grid.get(axis, [inherited[axis]])
    if not isinstance(values, list):
        values = [values]
    if not values:
        raise InputError("expected at least one value", key=f"{label}.{axis}")
    return values


def _checked(axis, value, label):
    """An axis value in its point form: (height, width) for `array`, else the value itself."""
    key = f"{label}.{axis}"
    if axis == "array":
        match = ARRAY_SPEC.fullmatch(value) if isinstance(value, str) else None
        if match is None or min(int(match[1]), int(match[2])) < 1:
            raise InputError(f"expected ROWSxCOLUMNS with positive integers (e.g. 32x32), got {value!r}",
                             key=key)
        return int(match[1]), int(match[2])
    if axis == "dataflow":
        if value not in DATAFLOWS:
            raise InputError(f"expected one of {', '.join(DATAFLOWS)}, got {value!r}", key=key)
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError(f"expected a positive integer (kB), got {value!r}", key=key)
    return value


def _check_read_windows(point, label):
    """The simulator (like SCALE-Sim) cannot run a read buffer whose fetch window holds fewer words
    than one demand row may bring; a row is as wide as one side of the array, so the wider side
    is checked (conservative: it depends on the dataflow which side a buffer's rows span)."""
    widest = max(point.array_height, point.array_width)
    for axis in ("ifmap_sram_kb", "filter_sram_kb"):
        kb = getattr(point, axis)
        if read_window_words(kb) < widest:
            raise InputError(
                f"{kb} (with array {point.array}): a {kb} kB read buffer fetches windows of "
                f"{read_window_words(kb)} words, fewer than one {widest}-word demand row of the array, "
                "which the simulator cannot run; use a larger buffer or a smaller array",
                key=f"{label}.{axis}")


def point_config_text(point, base_text):
    """The point's `.cfg` text: the base config's sections and keys in their order, with the point's
    run name, array, dataflow and SRAM sizes; laid out as the shipped configs."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep the base's spelling of the keys
    parser.read_string(base_text)
    _replace(parser["general"], {"run_name": point.name})
    _replace(parser["architecture_presets"], point.architecture_values())
    sections = []
    for section in parser.sections():
        lines = [f"[{section}]"]
        for key, value in parser[section].items():
            separator = " = " if section == "general" else ":".ljust(max(2, VALUE_COLUMN - len(key)))
            lines.append(f"{key}{separator}{value}")
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def _replace(section, values):
    """Set the section's keys named in `values`, matching names case-insensitively as SCALE-Sim does."""
    by_lower = {key.lower(): value for key, value in values.items()}
    for key in section:
        if key.lower() in by_lower:
            section[key] = str(by_lower[key.lower()])


def check_names(named, points):
    """A point may not take the name of a named config (both would write results/<...>/<name>/)."""
    clashes = sorted(set(named) & {point.name for point in points})
    if clashes:
        raise InputError(f"grid point {clashes[0]} has the name of a config in `hardware`; rename "
                         f"hardware/{clashes[0]}.cfg or drop it from `hardware`", key=GRID_KEY)
