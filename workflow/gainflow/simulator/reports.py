"""The per-layer report values and the three report files, as SCALE-Sim v2.0.2 writes them."""

from dataclasses import dataclass, fields

from gainflow.files import layout
from gainflow.files.plain import plain


@dataclass(frozen=True)
class LayerReport:
    """Every value of a layer's three report rows. Cycle start/stop values are ints here; the report
    files print them as floats, as SCALE-Sim does."""

    total_cycles: int
    stall_cycles: int
    macs: int
    array_pes: int
    mapping_efficiency: float
    compute_util: float
    sram_ifmap_start: int
    sram_ifmap_stop: int
    sram_ifmap_reads: int
    sram_filter_start: int
    sram_filter_stop: int
    sram_filter_reads: int
    sram_ofmap_start: int
    sram_ofmap_stop: int
    sram_ofmap_writes: int
    dram_ifmap_start: int
    dram_ifmap_stop: int
    dram_ifmap_reads: int
    dram_filter_start: int
    dram_filter_stop: int
    dram_filter_reads: int
    dram_ofmap_start: int
    dram_ofmap_stop: int
    dram_ofmap_writes: int

    @property
    def overall_util(self):
        # One true division of two integers, in this order.
        return (self.macs * 100) / (self.total_cycles * self.array_pes)

    def sram_bandwidths(self):
        return tuple(count / self.total_cycles for count in
                     (self.sram_ifmap_reads, self.sram_filter_reads, self.sram_ofmap_writes))

    def dram_bandwidths(self):
        return tuple(count / float(stop - start + 1) for start, stop, count in (
            (self.dram_ifmap_start, self.dram_ifmap_stop, self.dram_ifmap_reads),
            (self.dram_filter_start, self.dram_filter_stop, self.dram_filter_reads),
            (self.dram_ofmap_start, self.dram_ofmap_stop, self.dram_ofmap_writes),
        ))


COMPUTE_HEADER = ("LayerID", "Total Cycles", "Stall Cycles", "Overall Util %", "Mapping Efficiency %",
                  "Compute Util %")
BANDWIDTH_HEADER = ("LayerID", "Avg IFMAP SRAM BW", "Avg FILTER SRAM BW", "Avg OFMAP SRAM BW",
                    "Avg IFMAP DRAM BW", "Avg FILTER DRAM BW", "Avg OFMAP DRAM BW")
DETAILED_HEADER = ("LayerID",) + tuple(
    f"{memory} {operand} {what}"
    for memory, operands in (("SRAM", ("IFMAP", "Filter", "OFMAP")), ("DRAM", ("IFMAP", "Filter", "OFMAP")))
    for operand in operands
    for what in ("Start Cycle", "Stop Cycle", "Writes" if operand == "OFMAP" else "Reads")
)

# Report fields of the detailed access report, in column order (all fields from sram_ifmap_start on).
_DETAILED_FIELDS = tuple(f.name for f in fields(LayerReport))[6:]


def _line(values):
    return ", ".join(str(plain(v)) for v in values) + ",\n"


def _compute_row(index, report):
    return (index, report.total_cycles, report.stall_cycles, report.overall_util,
            report.mapping_efficiency, report.compute_util)


def _bandwidth_row(index, report):
    return (index,) + report.sram_bandwidths() + report.dram_bandwidths()


def _detailed_row(index, report):
    values = []
    for name in _DETAILED_FIELDS:
        value = getattr(report, name)
        # Start/stop cycles come from float64 trace matrices in SCALE-Sim: printed as `1.0`.
        values.append(float(value) if name.endswith(("_start", "_stop")) else value)
    return (index,) + tuple(values)


REPORT_FILES = {
    layout.COMPUTE_REPORT: (COMPUTE_HEADER, _compute_row),
    layout.BANDWIDTH_REPORT: (BANDWIDTH_HEADER, _bandwidth_row),
    layout.DETAILED_ACCESS_REPORT: (DETAILED_HEADER, _detailed_row),
}


def report_texts(reports):
    """File name -> text of the three report files for the layers' reports, in layer order."""
    texts = {}
    for name, (header, row) in REPORT_FILES.items():
        texts[name] = _line(header) + "".join(_line(row(i, r)) for i, r in enumerate(reports))
    return texts
