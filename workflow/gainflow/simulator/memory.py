"""The simulator's largest arrays while it makes one buffer's events, counted from the layer's shape
and the hardware config alone (nothing is simulated): what a lifetime job's memory follows
(gainflow.sweep.resources adds the lifetime analysis' own state).

Per array, its elements times their bytes, as the modules named below allocate them:

- the IFMAP operand matrix of a convolution (gainflow.simulator.operands: built once, P x K ids, int64
  while built, then kept in the id type); GEMMs compute it (as FILTER and OFMAP) from row and column;
- the OFMAP write buffer's DRAM lines (gainflow.simulator.write_buffer: end offset and drain cycle of
  each line, int64, allocated for every line the layer drains);
- the buffer's fold pattern (gainflow.simulator.demand: each slot's demand row, column, operand row
  and offset, int64), and while the drains are planned the OFMAP's;
- a chunk of folds gathered, and its filled slots turned into events (demand rows, columns,
  addresses, cycles: int64 temporaries); OFMAP gathers two at a time (its SRAM writes and its drains);
- for IFMAP and FILTER, the read buffer's fetch scan (gainflow.simulator.read_buffer): its
  first-occurrence table (int32 per operand address, kept while the events are made), the folds it
  keeps gathered, one segment's temporaries, one fetch window's addresses and the pieces of a fetch
  batch's events.

What is live at once: the set-up's peak (operand matrix being built, OFMAP pattern while the drains
are planned) or what the event stream keeps (the kept arrays plus the largest temporaries), whichever
is larger.
"""

from dataclasses import dataclass

from gainflow.simulator.demand import CHUNK_SLOTS
from gainflow.simulator.geometry import ceil_div
from gainflow.simulator.operands import id_dtype, ifmap_is_affine
from gainflow.simulator.read_buffer import MAX_SEGMENT, read_window_words

INT64 = 8
# Bytes of each template slot kept by a DemandStream: demand row, column, operand row and offset.
PATTERN_BYTES = 4 * INT64
# While the OFMAP's template is built for the drain plan (`row_words`): rows, columns, masks.
PATTERN_BUILDING_BYTES = 6 * INT64
# Per slot of a chunk of folds while its events are made (`DemandStream.compact_chunks` and the
# cycles of its rows; measured with tracemalloc: 68-120 bytes).
CHUNK_WORKING_BYTES = 120
# Per slot of a chunk handed over and held while the other stream is made: the gathered slots, the
# filled slots' indices, columns, rows, addresses and cycles, the lifetime state's slots.
CHUNK_HELD_BYTES = 4 + 6 * INT64
# Per slot of a scanned segment (`_FirstOccurrences.first_in_window`): values, the table's entries
# before and after, masks, the indices of the new addresses.
SEGMENT_BYTES = 4 * INT64 + 3
# Per address of a fetch window: found in pieces and joined, its new indices, then in set order.
WINDOW_BYTES = 3 * INT64
# Per event of a fetch batch's piece while made (positions, their rows, cycles, the lifetime state's
# slots) and held.
PIECE_WORKING_BYTES = 4 * INT64
PIECE_HELD_BYTES = 2 * INT64
# Per DRAM line of the OFMAP: its end offset and its drain cycle.
LINE_BYTES = 2 * INT64


@dataclass(frozen=True)
class Folding:
    """A layer's fold geometry on an array (gainflow.simulator.geometry.plan_folds, in closed form)."""

    spread_rows: int
    spread_cols: int
    temporal: int
    row_folds: int
    col_folds: int
    fold_rows: int  # rows a full fold uses
    fold_cols: int

    @property
    def folds(self):
        return self.row_folds * self.col_folds


def folding(layer, hw):
    """Folding of `layer` on `hw` (anything with `dataflow`, `array_height`, `array_width`)."""
    pixels = layer.ofmap_height * layer.ofmap_width
    spread_rows, spread_cols, temporal = {
        "os": (pixels, layer.num_filters, layer.window_size),
        "ws": (layer.window_size, layer.num_filters, pixels),
        "is": (layer.window_size, pixels, layer.num_filters),
    }[hw.dataflow]
    return Folding(spread_rows, spread_cols, temporal, ceil_div(spread_rows, hw.array_height),
                   ceil_div(spread_cols, hw.array_width), min(hw.array_height, spread_rows),
                   min(hw.array_width, spread_cols))


def fold_slots(fold, dataflow):
    """Slots of a full fold's pattern per operand (gainflow.simulator.demand.DemandStream.fold_size):
    the operand streamed along the rows covers T x (rows used), the one along the columns
    T x (columns used), the stationary one (rows used) x (columns used)."""
    t, rows, cols = fold.temporal, fold.fold_rows, fold.fold_cols
    return dict(zip(("ifmap", "filter", "ofmap"), {
        "os": (t * rows, t * cols, rows * cols),
        "ws": (t * rows, rows * cols, t * cols),
        "is": (rows * cols, t * rows, t * cols),
    }[dataflow]))


def ofmap_words(fold, dataflow):
    """The OFMAP words the array writes (every OFMAP slot of every fold that holds an address)."""
    if dataflow == "os":
        return fold.spread_rows * fold.spread_cols
    return fold.temporal * fold.spread_cols * fold.row_folds


def drain_lines(words, ofmap_sram_kb, line_width):
    """The DRAM lines the write buffer allocates for `words` (gainflow.simulator.write_buffer._Lines):
    full lines plus one partial line per drain, and 1024 spare."""
    total = ofmap_sram_kb * 1024
    lines_per_drain = ceil_div(total - ceil_div(total, 2), line_width)
    return words // line_width + words // (line_width * lines_per_drain) + 1024


def _chunk_slots(fold_size, folds):
    """Slots gathered at a time: whole folds, about CHUNK_SLOTS (at least one fold)."""
    return min(folds, max(1, CHUNK_SLOTS // max(1, fold_size))) * fold_size


@dataclass(frozen=True)
class _Shapes:
    """What the sizes of a layer's arrays follow, per operand where they differ."""

    footprint: dict  # addresses of each operand
    slots: dict  # slots of a full fold's pattern
    chunks: dict  # slots gathered at a time
    ids: dict  # bytes of an operand's ids
    windows: dict  # IFMAP, FILTER: new addresses of a fetch window (at most the footprint)
    matrix_entries: int  # entries of the IFMAP matrix, if built (0 where computed: GEMMs)
    lines: int  # OFMAP DRAM lines

    def kept(self):
        """Kept from the set-up on: the IFMAP matrix (if built) and the DRAM lines."""
        return {"ifmap_matrix": self.matrix_entries * self.ids["ifmap"], "drain_lines": LINE_BYTES * self.lines}

    def setup(self):
        """The set-up's peak: the IFMAP matrix being built (int64, then in its id type), or the OFMAP's
        pattern while the drains are planned."""
        return max(self.matrix_entries * (INT64 + self.ids["ifmap"]),
                   self.kept()["ifmap_matrix"] + PATTERN_BUILDING_BYTES * self.slots["ofmap"] + LINE_BYTES * self.lines)

    def scan(self, operand):
        """(kept, working) bytes of the read buffer's fetch scan of IFMAP or FILTER: its table and the
        folds it keeps gathered (from a matrix: with their int64 indices while gathered), one segment's
        temporaries and a fetch window's addresses."""
        chunk = self.chunks[operand]
        kept = 4 * (self.footprint[operand] + 1) + chunk * self.ids[operand]
        gathering = chunk * INT64 if operand == "ifmap" and self.matrix_entries else 0
        return kept, gathering + min(MAX_SEGMENT, chunk) * SEGMENT_BYTES + self.windows[operand] * WINDOW_BYTES


def _shapes(layer, hw):
    fold = folding(layer, hw)
    slots = fold_slots(fold, hw.dataflow)
    pixels = layer.ofmap_height * layer.ofmap_width
    footprint = {"ifmap": layer.ifmap_height * layer.ifmap_width * layer.channels,
                 "filter": layer.window_size * layer.num_filters, "ofmap": pixels * layer.num_filters}
    windows = {"ifmap": min(read_window_words(hw.ifmap_sram_kb), footprint["ifmap"]),
               "filter": min(read_window_words(hw.filter_sram_kb), footprint["filter"])}
    return _Shapes(footprint, slots, {name: _chunk_slots(size, fold.folds) for name, size in slots.items()},
                   {name: id_dtype(count).itemsize for name, count in footprint.items()}, windows,
                   0 if ifmap_is_affine(layer) else pixels * layer.window_size,
                   drain_lines(ofmap_words(fold, hw.dataflow), hw.ofmap_sram_kb, hw.array_width))


def buffer_arrays(layer, hw, subdivision):
    """{array: bytes} of the simulator's largest arrays while it makes the events of `subdivision`
    ("ifmap", "filter" or "ofmap") of `layer` on `hw` (also a grid point: only the array, dataflow and
    SRAM sizes are read), and "peak": what is live at once (see the module's docstring)."""
    shapes = _shapes(layer, hw)
    chunk = shapes.chunks[subdivision]
    kept = {**shapes.kept(), "pattern": PATTERN_BYTES * shapes.slots[subdivision]}
    # The SRAM side (IFMAP, FILTER: reads; OFMAP: writes) and the other (fills; drains) take turns:
    # one makes its next chunk while the other holds the chunk it handed over.
    sram_working = chunk * (CHUNK_WORKING_BYTES + shapes.ids[subdivision])
    sram_held = chunk * CHUNK_HELD_BYTES
    if subdivision == "ofmap":
        other_working, other_held = sram_working, sram_held
    else:
        window = shapes.windows[subdivision]
        piece = min(MAX_SEGMENT, window)
        kept["scan"], scanning = shapes.scan(subdivision)
        other_held = window * WINDOW_BYTES + piece * PIECE_HELD_BYTES
        other_working = scanning + piece * PIECE_WORKING_BYTES
    events = max(sram_working + other_held, other_working + sram_held)
    setup = shapes.setup()
    return {**kept, "events": events, "setup": setup, "peak": max(setup, sum(kept.values()) + events)}


def report_arrays(layer, hw):
    """{array: bytes} of the simulator's largest arrays while it makes the report of `layer` on `hw`
    (what a simulate job does for each layer): the set-up, then the fetch scans of IFMAP and FILTER,
    one after the other (each kept stream's pattern stays), and "peak"."""
    shapes = _shapes(layer, hw)
    kept = {**shapes.kept(), "patterns": PATTERN_BYTES * (shapes.slots["ifmap"] + shapes.slots["filter"])}
    scans = max(sum(shapes.scan(operand)) for operand in ("ifmap", "filter"))
    setup = shapes.setup()
    return {**kept, "scans": scans, "setup": setup, "peak": max(setup, sum(kept.values()) + scans)}
