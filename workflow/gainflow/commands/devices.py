"""`gainflow devices`: the per-bit figures a device library gives a buffer of one capacity, with sources.

One row per technology: retention, and area, read, write and refresh energy and leakage per bit at
the requested capacity (the capacity model of docs/memory-model.md). Each figure is followed by the
numbers of its sources, which are listed under the table; a figure the capacity model changed also
cites the model parameters it used.
"""

from fractions import Fraction

from gainflow.commands import format_table, positive_number
from gainflow.frontend.devices import (
    SHIPPED_CORNERS,
    load_device_library,
    read_device_files,
    shipped_corner,
)

DEFAULT_CAPACITY_KB = "128"
BITS_PER_KB = 8 * 1024
HEADER = ("technology", "retention", "area um^2/bit", "read fJ/bit", "write fJ/bit", "refresh fJ/bit",
          "leakage nW/bit")
TIME_UNITS = ((1, "s"), (Fraction(1, 10**3), "ms"), (Fraction(1, 10**6), "us"), (Fraction(1, 10**9), "ns"))


def add_arguments(parser):
    parser.add_argument("--capacity-kb", type=positive_number, default=DEFAULT_CAPACITY_KB, metavar="N",
                        help=f"buffer capacity in kB of 1024 bytes (default {DEFAULT_CAPACITY_KB}, "
                             "the shipped library's reference capacity)")
    parser.add_argument("--corner", choices=list(SHIPPED_CORNERS), default="nominal",
                        help="a shipped corner (default nominal); --gc-list/--area-power replace its files")
    parser.add_argument("--gc-list", metavar="FILE", help="retention per technology (simple_gc_list.json)")
    parser.add_argument("--area-power", metavar="FILE", help="area and energy per technology (area_power.json)")
    parser.add_argument("--clock-hz", type=positive_number, default="1e9", metavar="F",
                        help="clock that picks rows of a retention table (default 1e9)")


def run(args):
    corner_gc_list, corner_area_power = shipped_corner(args.corner)
    gc_list_path = args.gc_list or corner_gc_list
    area_power_path = args.area_power or corner_area_power
    gc_list, area_power = read_device_files(gc_list_path, area_power_path)
    library = load_device_library(gc_list_path, area_power_path, Fraction(args.clock_hz))
    bits = float(args.capacity_kb) * BITS_PER_KB
    sources = SourceList()
    lines = [table_line(tech, tech.at_capacity(bits), gc_list["technologies"][tech.name],
                        area_power["technologies"][tech.name], sources)
             for tech in library.technologies]
    library_name = f"corner {args.corner}" if not (args.gc_list or args.area_power) \
        else f"{gc_list_path}, {area_power_path}"
    print(f"{args.capacity_kb} kB buffer; device library: {library_name}")
    if "reference_node" in area_power:
        print(f"reference node: {area_power['reference_node']}")
    print(format_table(HEADER, lines))
    print("\nsources:")
    print("\n".join(f"[{number}] {text}" for number, text in sources.numbered()))
    return 0


class SourceList:
    """Distinct source texts, numbered in the order they are first cited."""

    def __init__(self):
        self.numbers = {}

    def cite(self, *entries):
        """'[1,3]' for the sources of the given number objects."""
        numbers = []
        for entry in entries:
            number = self.numbers.setdefault(entry["source"], len(self.numbers) + 1)
            if number not in numbers:
                numbers.append(number)
        return "[" + ",".join(map(str, numbers)) + "]"

    def numbered(self):
        return [(number, text) for text, number in self.numbers.items()]


def table_line(tech, sized, retention_entry, entry, sources):
    """One technology's row: each figure at the capacity, followed by its source numbers."""
    model = entry.get("capacity_scaling")
    energy_model = [model["energy_exponent"]] if model else []
    area_model = [model["periphery_area_per_bit"], model["periphery_exponent"]] if model else []
    read, write = entry["read_energy_per_bit"], entry["write_energy_per_bit"]
    refresh = [entry["refresh_energy_per_bit"]] if "refresh_energy_per_bit" in entry else [read, write]
    return [
        tech.name,
        f"{retention_text(tech.retention_s)} {sources.cite(*retention_sources(retention_entry['retention']))}",
        f"{sized.area_m2 * 1e12:.4g} {sources.cite(entry['area_per_bit'], *area_model)}",
        f"{sized.read_energy_j * 1e15:.4g} {sources.cite(read, *energy_model)}",
        f"{sized.write_energy_j * 1e15:.4g} {sources.cite(write, *energy_model)}",
        "-" if tech.retention_s is None
        else f"{sized.refresh_energy_j * 1e15:.4g} {sources.cite(*refresh, *energy_model)}",
        f"{sized.leakage_w * 1e9:.4g} {sources.cite(entry['leakage_power_per_bit'], *area_model)}",
    ]


def retention_sources(retention):
    if "table" in retention:
        return [row["retention"] for row in retention["table"]]
    return [retention]


def retention_text(seconds):
    """'static', or the time in the largest unit that keeps it at least 1 (10 us, 1000 s)."""
    if seconds is None:
        return "static"
    factor, unit = next(((factor, unit) for factor, unit in TIME_UNITS if seconds >= factor), TIME_UNITS[-1])
    return f"{float(seconds / factor):g} {unit}"
