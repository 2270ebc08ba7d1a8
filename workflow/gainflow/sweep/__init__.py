"""The sweep as a whole: its design-space axes (hardware grids in `grid`, clocks in `clocks`) and,
from its reports, one summary table and comparison plots."""
