"""Access events of one on-chip buffer in one layer: the data the lifetime analysis consumes.

Both ways in produce these: the simulator hands them over directly
(`gainflow.simulator`), and `gainflow.events.scalesim_traces` rebuilds them from
SCALE-Sim CSV trace files. Per buffer the convention is (GainSight):

- ifmap, filter: a write is an address in the buffer's DRAM trace (a fill from
  DRAM), a read is an address in its SRAM trace;
- ofmap: a write is an address in the OFMAP SRAM trace (the array writes a
  result), a read is an address in the OFMAP DRAM trace (drain to DRAM).

Arrays are int64, in trace order (row by row, left to right); `-1` slots and
SCALE-Sim's `1.0` width padding are never events.
"""

from dataclasses import dataclass

import numpy as np

SUBDIVISIONS = ("ifmap", "filter", "ofmap")


@dataclass(frozen=True)
class BufferEvents:
    subdivision: str
    write_cycles: np.ndarray
    write_addresses: np.ndarray
    read_cycles: np.ndarray
    read_addresses: np.ndarray

    def __post_init__(self):
        if self.subdivision not in SUBDIVISIONS:
            raise ValueError(f"subdivision must be one of {SUBDIVISIONS}, got {self.subdivision!r}")
        if len(self.write_cycles) != len(self.write_addresses):
            raise ValueError("write_cycles and write_addresses differ in length")
        if len(self.read_cycles) != len(self.read_addresses):
            raise ValueError("read_cycles and read_addresses differ in length")
