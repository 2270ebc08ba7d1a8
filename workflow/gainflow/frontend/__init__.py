"""Lifetimes -> memory-technology model and report: device library, refreshes, area, energy, compositions."""
