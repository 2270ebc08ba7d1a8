"""The frontend's JSON report: workload, lifetime statistics, write frequencies, technologies, composition,
prefetch slack.

Every lifetime-based figure uses the lifetimes of one start (`workload.lifetime_start`: from the
fill, or from each interval's first read; `gainflow.frontend.processed_run.load_processed_run`);
`prefetch_slack` compares the two.

`build_report` returns plain data; `write_report` writes it deterministically
(sorted keys, floats rounded to 12 significant digits) and atomically. Keys and
units are documented in `workflow/gainflow/schemas/report.schema.json`.
"""

import hashlib
import json
from fractions import Fraction
from pathlib import Path

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS
from gainflow.files.atomic import atomic_file
from gainflow.files.plain import plain_json
from gainflow.frontend.composition import (
    MM2_PER_M2,
    against_baseline,
    energy_record,
    min_energy_choice,
    retention_split,
    sum_energies,
)
from gainflow.frontend.model import (
    MICROSECOND,
    ModelSettings,
    area_m2,
    dynamic_energy,
    leakage_energy,
    ratio,
    retention_cycles,
    shares_within,
    total_refreshes,
)
from gainflow.lifetimes.histogram import (
    LIFETIME,
    LIFETIME_FROM_FIRST_READ,
    PREFETCH_SLACK,
    lifetime_summary,
    merge_histograms,
)

REPORT_VERSION = 2
SIGNIFICANT_DIGITS = 12
BITS_PER_KB = 1024 * 8  # SCALE-Sim sizes are kB of 1024 bytes
BUFFER_SIZE_KEYS = {name: f"{name}_sram_kb" for name in SUBDIVISIONS}
ALL = "all"


def capacity_bits(hardware):
    return {name: hardware[key] * BITS_PER_KB for name, key in BUFFER_SIZE_KEYS.items()}


def check_hardware(hardware, origin):
    required = ("array_height", "array_width", "dataflow", *BUFFER_SIZE_KEYS.values())
    for key in required:
        if key not in hardware:
            raise InputError("missing hardware field", path=origin, key=f"hardware.{key}")
    for key in BUFFER_SIZE_KEYS.values():
        value = hardware[key]
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise InputError(f"expected a non-negative buffer size in kB, got {value!r}",
                             path=origin, key=f"hardware.{key}")


def total_cycles(run_info):
    """The run's length: the sum of the layers' Total Cycles."""
    return sum(layer.total_cycles for layer in run_info.layers)


def model_settings(run_info, clock_hz, word_bits):
    clock = Fraction(str(clock_hz))
    return ModelSettings(clock_hz=clock, word_bits=word_bits,
                         run_time_s=float(Fraction(total_cycles(run_info)) / clock))


def pooled(buffers):
    """All subdivisions together, as one histogram."""
    return merge_histograms(totals.histogram for totals in buffers.values())


def within_record(histogram, limit_cycles):
    intervals_share, accesses_share = shares_within(histogram, limit_cycles)
    return {"intervals_share": intervals_share, "accesses_share": accesses_share}


def statistics_record(histogram, counts, settings):
    summary = lifetime_summary(histogram)
    record = {f"{key}_cycles": value for key, value in summary.items()}
    record.update(counts)
    record["intervals"] = histogram.total_intervals()
    record["interval_accesses"] = histogram.total_accesses()
    record["within_1us"] = within_record(histogram, MICROSECOND * settings.clock_hz)
    return record


COUNT_FIELDS = ("reads", "writes", "dead_writes", "unfilled_reads", "footprint_words",
                "unique_addresses_sum")


def lifetime_statistics(buffers, settings):
    stats = {name: statistics_record(totals.histogram,
                                     {key: getattr(totals, key) for key in COUNT_FIELDS}, settings)
             for name, totals in buffers.items()}
    overall = {key: sum(stats[name][key] for name in SUBDIVISIONS) for key in COUNT_FIELDS}
    stats[ALL] = statistics_record(pooled(buffers), overall, settings)
    return stats


def write_frequency(buffers, settings, cycles):
    def record(reads, writes, unique_sum):
        return {"reads": reads, "writes": writes,
                "reads_per_cycle": ratio(reads, cycles),
                "writes_per_cycle": ratio(writes, cycles),
                "read_frequency_hz": ratio(reads, settings.run_time_s),
                "write_frequency_hz": ratio(writes, settings.run_time_s),
                "writes_per_address": ratio(writes, unique_sum)}

    result = {name: record(t.reads, t.writes, t.unique_addresses_sum) for name, t in buffers.items()}
    result[ALL] = record(*(sum(getattr(t, key) for t in buffers.values())
                           for key in ("reads", "writes", "unique_addresses_sum")))
    return result


def technology_on_buffer(tech, histogram, reads, writes, bits, footprint_bits, settings):
    """One technology filling one buffer of `bits` bits, with its per-bit figures at that capacity."""
    sized = tech.at_capacity(bits)
    refreshes = total_refreshes(histogram, retention_cycles(sized, settings.clock_hz))
    return {
        "per_bit": per_bit_record(sized),
        "refreshes": refreshes,
        "within_retention": within_record(histogram, retention_cycles(sized, settings.clock_hz)),
        "area_capacity_mm2": area_m2(sized, bits) * MM2_PER_M2,
        "area_footprint_mm2": area_m2(sized, footprint_bits) * MM2_PER_M2,
        "energy": energy_record(sized, reads, writes, refreshes, settings.word_bits,
                                leakage_energy(sized, bits, settings.run_time_s)),
    }


def per_bit_record(tech):
    return {"area_per_bit_m2": tech.area_m2,
            "read_energy_per_bit_j": tech.read_energy_j,
            "write_energy_per_bit_j": tech.write_energy_j,
            "refresh_energy_per_bit_j": tech.refresh_energy_j,
            "leakage_power_per_bit_w": tech.leakage_w}


def technology_record(tech, buffers, capacities, settings):
    per_buffer = {
        name: technology_on_buffer(tech, totals.histogram, totals.reads, totals.writes,
                                   capacities[name], totals.footprint_words * settings.word_bits,
                                   settings)
        for name, totals in buffers.items()}
    total = {
        "refreshes": sum(part["refreshes"] for part in per_buffer.values()),
        "within_retention": within_record(pooled(buffers), retention_cycles(tech, settings.clock_hz)),
        "area_capacity_mm2": sum(part["area_capacity_mm2"] for part in per_buffer.values()),
        "area_footprint_mm2": sum(part["area_footprint_mm2"] for part in per_buffer.values()),
        "energy": sum_energies(part["energy"] for part in per_buffer.values()),
    }
    return {
        "parameters": {
            "static": tech.retention_s is None,
            "retention_s": None if tech.retention_s is None else float(tech.retention_s),
            "retention_cycles": None if tech.retention_s is None
            else float(retention_cycles(tech, settings.clock_hz)),
            "capacity_model": tech.scaling is not None,
            **per_bit_record(tech),
        },
        "per_subdivision": per_buffer,
        "total": total,
    }


def composition(buffers, library, technologies, capacities, settings):
    baseline = technologies[library.baseline]["total"]
    min_energy = {}
    for name in SUBDIVISIONS:
        per_tech = {tech: technologies[tech]["per_subdivision"][name] for tech in technologies}
        chosen = min_energy_choice(per_tech)
        min_energy[name] = {"technology": chosen, "area_mm2": per_tech[chosen]["area_capacity_mm2"],
                            "energy": per_tech[chosen]["energy"]}
    split = {name: retention_split(buffers[name], library, settings, capacities[name])
             for name in SUBDIVISIONS}
    return {"baseline": library.baseline,
            "min_energy_per_buffer": summarise(min_energy, baseline),
            "retention_split": summarise(split, baseline)}


def summarise(per_buffer, baseline):
    area = sum(part["area_mm2"] for part in per_buffer.values())
    energy = sum_energies(part["energy"] for part in per_buffer.values())
    return {"per_subdivision": per_buffer, "area_mm2": area, "energy": energy,
            "vs_baseline": against_baseline(area, energy, baseline["area_capacity_mm2"],
                                            baseline["energy"])}


def prefetch_slack(buffers, library, capacities, settings):
    """Per buffer: the prefetch slack (first read - write) over its intervals, and per technology the
    refresh energy it costs (refresh energy of the lifetimes from the fill minus that of the lifetimes
    from the first read); None when the layer files carry no first reads."""
    if any(PREFETCH_SLACK not in totals.histograms for totals in buffers.values()):
        return None
    return {name: slack_record(totals, library, capacities[name], settings) for name, totals in buffers.items()}


def slack_record(totals, library, bits, settings):
    """One buffer of `bits` bits; each technology with its per-bit figures at that capacity."""
    slack = lifetime_summary(totals.histograms[PREFETCH_SLACK])

    def refresh_energy(tech, histogram):
        sized = tech.at_capacity(bits)
        refreshes = total_refreshes(histogram, retention_cycles(sized, settings.clock_hz))
        return dynamic_energy(sized, 0, 0, refreshes, settings.word_bits)["refresh_j"]

    return {
        "intervals": totals.histograms[PREFETCH_SLACK].total_intervals(),
        **{f"{key}_cycles": slack[key] for key in ("median", "p90", "max")},
        "refresh_energy_j": {tech.name: refresh_energy(tech, totals.histograms[LIFETIME])
                             - refresh_energy(tech, totals.histograms[LIFETIME_FROM_FIRST_READ])
                             for tech in library.technologies},
    }


def workload(run, hardware, settings):
    info = run.run_info
    macs = [layer.macs for layer in info.layers]
    return {
        "run_name": info.run_name,
        "topology": None if info.topology is None else info.topology.name,
        "input_type": None if info.topology is None else info.topology.input_type,
        "layers": len(info.layers),
        "macs": None if None in macs else sum(macs),
        "total_cycles": total_cycles(info),
        "run_time_s": settings.run_time_s,
        "dataflow": hardware["dataflow"],
        "array_height": hardware["array_height"],
        "array_width": hardware["array_width"],
        "buffer_kb": {name: hardware[key] for name, key in BUFFER_SIZE_KEYS.items()},
        "clock_hz": float(settings.clock_hz),
        "word_bits": settings.word_bits,
        "lifetime_start": run.lifetime_start,
    }


def file_record(path):
    return {"file": Path(path).name, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()}


def build_report(run, library, hardware, settings, device_files, corner):
    """The whole report as plain data (see report.schema.json); `corner` names the device library."""
    capacities = capacity_bits(hardware)
    technologies = {tech.name: technology_record(tech, run.buffers, capacities, settings)
                    for tech in library.technologies}
    return {
        "report_version": REPORT_VERSION,
        "workload": workload(run, hardware, settings),
        "device_library": {"corner": corner, "baseline": library.baseline,
                           "technology_order": [tech.name for tech in library.technologies],
                           **{key: file_record(path) for key, path in device_files.items()}},
        "lifetime_statistics": lifetime_statistics(run.buffers, settings),
        "write_frequency": write_frequency(run.buffers, settings, total_cycles(run.run_info)),
        "technologies": technologies,
        "composition": composition(run.buffers, library, technologies, capacities, settings),
        "prefetch_slack": prefetch_slack(run.buffers, library, capacities, settings),
    }


def rounded(value):
    """Floats to a fixed number of significant digits, recursively (byte-stable output)."""
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def report_bytes(report):
    return (json.dumps(plain_json(rounded(report)), indent=2, sort_keys=True, allow_nan=False) + "\n").encode()


def write_report(report, path):
    """Write atomically (`gainflow.files.atomic`); an unwritable path is an InputError."""
    data = report_bytes(report)
    try:
        with atomic_file(path) as handle:
            handle.write(data)
    except OSError as err:
        raise InputError(f"cannot write the report: {err.strerror}", path=path) from None
