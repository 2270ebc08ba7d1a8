"""Topology CSV files (SCALE-Sim v2 format, conv and GEMM) -> a list of `Layer`."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    """One convolution layer as SCALE-Sim models it (GEMM rows are mapped onto this too)."""

    name: str
    ifmap_height: int
    ifmap_width: int
    filter_height: int
    filter_width: int
    channels: int
    num_filters: int
    stride_height: int
    stride_width: int

    @property
    def ofmap_height(self):
        # No padding parameter: a window may run past the input edge (those addresses become -1).
        return math.ceil((self.ifmap_height - self.filter_height + self.stride_height) / self.stride_height)

    @property
    def ofmap_width(self):
        return math.ceil((self.ifmap_width - self.filter_width + self.stride_width) / self.stride_width)

    @property
    def window_size(self):
        return self.filter_height * self.filter_width * self.channels

    @property
    def macs(self):
        return self.ofmap_height * self.ofmap_width * self.num_filters * self.window_size


def load_topology(path, input_type="conv"):
    """Parse a topology file; `input_type` is "conv" or "gemm". Raises InputError on bad input."""
    raise NotImplementedError("topology parsing: see issue 3")
