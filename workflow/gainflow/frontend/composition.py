"""Heterogeneous compositions of the scratchpads, compared with the all-baseline design.

Two compositions (for users: docs/memory-model.md):

- min-energy: each buffer gets the one technology with the least total
  (dynamic + leakage) energy for its whole capacity;
- retention split: each lifetime interval goes to the densest technology whose
  retention covers it (L <= R, so no refresh); the buffer's capacity is split in
  proportion to the intervals each technology holds. Dead writes (never read)
  go to the densest technology, unfilled reads (no write seen) to the baseline.
  An interval no technology covers goes to the longest-retention one, with
  its refreshes counted.
"""

import math

import numpy as np

from gainflow.frontend.model import (
    area_m2,
    dynamic_energy,
    leakage_energy,
    ratio,
    refreshes_per_interval,
    retention_cycles,
    within,
)

MM2_PER_M2 = 1e6


def retention_key(technology):
    return math.inf if technology.retention_s is None else technology.retention_s


def density_order(technologies):
    """Densest first; at equal density the longer retention first; then library order."""
    return sorted(technologies, key=lambda tech: (tech.area_m2, -retention_key(tech)))


def assign_densest_covering(lifetimes, technologies, clock_hz):
    """Per lifetime: the index (into `technologies`) of the densest technology that covers it."""
    choice = np.full(lifetimes.shape, -1, dtype=np.int64)
    for tech in density_order(technologies):
        covered = within(lifetimes, retention_cycles(tech, clock_hz))
        choice[(choice == -1) & covered] = technologies.index(tech)
    longest = max(technologies, key=retention_key)
    choice[choice == -1] = technologies.index(longest)
    return choice


def energy_record(technology, reads, writes, refreshes, word_bits, leakage_j):
    energy = dynamic_energy(technology, reads, writes, refreshes, word_bits)
    energy["leakage_j"] = leakage_j
    energy["total_j"] = energy["dynamic_j"] + leakage_j
    return energy


def retention_split(totals, library, ctx, capacity_bits):
    """The retention-split composition of one buffer (`totals`: processed_run.BufferTotals)."""
    technologies = list(library.technologies)
    histogram = totals.histogram
    choice = assign_densest_covering(histogram.lifetimes, technologies, ctx.clock_hz)
    densest = density_order(technologies)[0].name
    all_intervals = histogram.total_intervals()
    parts = {}
    for index, tech in enumerate(technologies):
        mask = choice == index
        intervals = int(histogram.intervals[mask].sum())
        reads = int(histogram.reads[mask].sum())
        refreshes = int((refreshes_per_interval(histogram.lifetimes[mask],
                                                retention_cycles(tech, ctx.clock_hz))
                         * histogram.intervals[mask]).sum())
        writes = intervals + (totals.dead_writes if tech.name == densest else 0)
        reads += totals.unfilled_reads if tech.name == library.baseline else 0
        if all_intervals:
            share = intervals / all_intervals
        else:
            share = 1.0 if tech.name == library.baseline else 0.0
        bits = share * capacity_bits
        # Each part is a macro of its own: its per-bit figures are those of its capacity.
        sized = tech.at_capacity(bits)
        parts[tech.name] = {
            "capacity_share": share,
            "intervals": intervals,
            "accesses_share": ratio(int(histogram.accesses[mask].sum()), histogram.total_accesses()),
            "refreshes": refreshes,
            "area_mm2": area_m2(sized, bits) * MM2_PER_M2,
            "energy": energy_record(sized, reads, writes, refreshes, ctx.word_bits,
                                    leakage_energy(sized, bits, ctx.run_time_s)),
        }
    return {"technologies": parts,
            "area_mm2": sum(part["area_mm2"] for part in parts.values()),
            "energy": sum_energies(part["energy"] for part in parts.values())}


def sum_energies(records):
    records = list(records)
    return {key: sum(record[key] for record in records) for key in records[0]}


def min_energy_choice(per_technology):
    """Name of the technology with the least total energy (ties: library order)."""
    return min(per_technology, key=lambda name: per_technology[name]["energy"]["total_j"])


def against_baseline(area_mm2, energy, baseline_area_mm2, baseline_energy):
    """Composition / all-baseline, per quantity (below 1: the composition saves)."""
    return {"area": ratio(area_mm2, baseline_area_mm2),
            "dynamic_energy": ratio(energy["dynamic_j"], baseline_energy["dynamic_j"]),
            "leakage_energy": ratio(energy["leakage_j"], baseline_energy["leakage_j"]),
            "total_energy": ratio(energy["total_j"], baseline_energy["total_j"])}
