"""SCALE-Sim CSV traces -> access events (`gainflow.events.BufferEvents`), streamed.

A SCALE-Sim run directory holds `layer<i>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv`
(no header; column 0 = cycle, columns 1... = word addresses, `-1` = empty slot;
SRAM traces print integers, DRAM traces floats such as `12.0`). Per buffer the
write and read files follow GainSight's convention (see `gainflow.events`):
`TRACE_FILES[subdivision] == (writes_file, reads_file)`.

Streaming: files are parsed in blocks of `BLOCK_BYTES` (1 MB; numpy's C reader for
integer traces, pandas' for float ones), so memory depends on the block size and on
what the caller keeps, never on the file size. `iter_writes` and `iter_reads` yield a buffer's
writes and reads block by block (the streaming lifetime analysis takes both so); `read_writes`
concatenates the writes (the interval path keeps one entry per write anyway).

Validation (every problem raises `InputError` naming the file and the line): rows
must be comma-separated integers (DRAM floats must be integral), all rows of a file
equally wide, and every address must lie in its buffer's range (`address_range`).
A file cut at a line boundary cannot be told from a shorter trace; a file cut
inside a line is reported.

The `1.0` width padding of IFMAP/FILTER DRAM traces
------------------------------------------------------
SCALE-Sim's read buffer emits fills in *batches*; all rows of a batch are equally
wide (the first batch 10 addresses per row, later ones `ceil(batch/rows)`), and
within a batch each address occurs at most once. When batches of different widths
meet, the narrower rows are right-padded with the value `1.0` up to the trace's
width (`-1.0` only pads the end of a batch). Batch boundaries are not visible in
the cycle column (the cycles continue), so the rule works row by row:

- The *apparent width* of a row is its number of address columns minus its trailing
  run of `1.0` values. Columns at or beyond the apparent width are padding.
- If the buffer's address range contains 1 (IFMAP with offset 0) the leftmost `1.0`
  of that run may be a real address 1 that happens to end a row. It is taken as real
  when every neighbouring row (the one before and the one after, where they exist)
  has an apparent width exactly one larger: a batch is a run of equally wide rows,
  so a row one narrower than both neighbours can only be a row of their batch whose
  last address is 1 (address 1 occurs at most once per batch, so its neighbours in
  the batch are not shortened themselves).
- Ambiguous, and resolved as padding: a row ending in a real address 1 that is the
  first or last row of its batch, next to a batch exactly one column narrower. Then
  the row looks like a row of the narrower batch and one fill of address 1 is lost.
  It needs a batch boundary between widths w and w-1 *and* address 1 in the last
  column of the boundary row *and* no `-1` tail in that row. The test on a real
  multi-batch SCALE-Sim trace (tests/data/lifetimes/padding_os) checks the rule,
  including an interior row ending in address 1, against the report's DRAM reads.
- For every buffer whose range excludes 1 (FILTER, OFMAP with the usual offsets)
  every trailing `1.0` is padding, without ambiguity. OFMAP DRAM traces are never
  width-padded (every drain line is `C` wide), so nothing is stripped there.
"""

import io
import warnings
from pathlib import Path

import numpy as np

from gainflow.errors import InputError
from gainflow.events import SUBDIVISIONS, BufferEvents
from gainflow.files import layout

TRACE_FILES = {
    "ifmap": (layout.dram_trace_name("ifmap"), layout.sram_trace_name("ifmap")),
    "filter": (layout.dram_trace_name("filter"), layout.sram_trace_name("filter")),
    "ofmap": (layout.sram_trace_name("ofmap"), layout.dram_trace_name("ofmap")),
}
# Which file of the pair carries the `1.0` width padding (the read buffers' DRAM traces).
WIDTH_PADDED_FILES = {layout.dram_trace_name("ifmap"), layout.dram_trace_name("filter")}
# SCALE-Sim's shipped configs (scale.cfg and friends).
DEFAULT_OFFSETS = {"ifmap": 0, "filter": 10_000_000, "ofmap": 20_000_000}
BLOCK_BYTES = 1 << 20  # small enough for the per-block arrays to stay in cache (1 MB measured fastest)


def address_range(subdivision, offsets):
    """[lo, hi) of a buffer's addresses: from its offset up to the next larger offset."""
    lo = offsets[subdivision]
    higher = [offset for offset in offsets.values() if offset > lo]
    hi = min(higher) if higher else np.iinfo(np.int64).max
    return lo, hi


def offsets_of(hardware):
    """Buffer offsets of a `HardwareConfig`, or SCALE-Sim's defaults for None."""
    if hardware is None:
        return dict(DEFAULT_OFFSETS)
    return {"ifmap": hardware.ifmap_offset, "filter": hardware.filter_offset, "ofmap": hardware.ofmap_offset}


def find_layer_dirs(run_dir):
    """{layer index: path} of the `layer<i>/` folders holding traces. InputError if none."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("not a directory (expected a SCALE-Sim run directory)", path=run_dir)
    layers = {}
    for child in run_dir.iterdir():
        index = layout.layer_index_of(child.name)
        if index is not None and child.is_dir() and any(child.glob(layout.TRACE_GLOB)):
            layers[index] = child
    if not layers:
        raise InputError(
            "no layer<i>/ folders with *_TRACE.csv files (SCALE-Sim writes traces only with "
            "save_disk_space=False; gainflow simulate needs --save-traces)",
            path=run_dir,
        )
    return dict(sorted(layers.items()))


def read_total_cycles(run_dir):
    """{LayerID: Total Cycles} from `<run_dir>/COMPUTE_REPORT.csv`."""
    rows = read_compute_report(run_dir, {"Total Cycles": int})
    return {layer: row["Total Cycles"] for layer, (_, row) in rows.items()}


def read_compute_report(run_dir, columns):
    """{LayerID: (line number, {column: value})} from `<run_dir>/COMPUTE_REPORT.csv`, for the
    `columns` given as {name: type (int or float)}."""
    path = Path(run_dir) / layout.COMPUTE_REPORT
    if not path.is_file():
        raise InputError(f"missing (needed for the layers' {', '.join(columns)})", path=path)
    lines = path.read_text().splitlines()
    header = [name.strip() for name in lines[0].split(",")] if lines else []
    wanted = ["LayerID", *columns]
    if not set(wanted) <= set(header):
        raise InputError(f"expected a header with {', '.join(map(repr, wanted))}", path=path, line=1)
    positions = [header.index(name) for name in wanted]
    types = [int, *columns.values()]
    rows = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split(",")]
        try:
            layer, *values = (kind(fields[position]) for kind, position in zip(types, positions))
        except (IndexError, ValueError):
            raise InputError(
                f"expected numbers for {', '.join(map(repr, wanted))}, got {line!r}", path=path, line=number
            ) from None
        rows[layer] = (number, dict(zip(columns, values)))
    return rows


def trace_path(layer_dir, name):
    path = Path(layer_dir) / name
    if not path.is_file():
        raise InputError("missing trace file", path=path)
    return path


def read_writes(layer_dir, subdivision, offsets=DEFAULT_OFFSETS):
    """(cycles, addresses) of all writes of one buffer in one layer, trace order, int64."""
    return _joined(iter_writes(layer_dir, subdivision, offsets))


def iter_writes(layer_dir, subdivision, offsets=DEFAULT_OFFSETS):
    """Yield (cycles, addresses) blocks of the writes of one buffer in one layer, trace order."""
    return iter_accesses(trace_path(layer_dir, TRACE_FILES[subdivision][0]), subdivision, offsets)


def iter_reads(layer_dir, subdivision, offsets=DEFAULT_OFFSETS):
    """Yield (cycles, addresses) blocks of the reads of one buffer in one layer, trace order."""
    return iter_accesses(trace_path(layer_dir, TRACE_FILES[subdivision][1]), subdivision, offsets)


def load_buffer_events(layer_dir, subdivision, offsets=DEFAULT_OFFSETS):
    """All events of one buffer in one layer as `BufferEvents` (whole arrays in memory)."""
    write_cycles, write_addresses = read_writes(layer_dir, subdivision, offsets)
    read_cycles, read_addresses = _joined(iter_reads(layer_dir, subdivision, offsets))
    return BufferEvents(subdivision, write_cycles, write_addresses, read_cycles, read_addresses)


def _joined(blocks):
    """(cycles, addresses) blocks -> one (cycles, addresses) pair."""
    blocks = list(blocks)
    if not blocks:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate([cycles for cycles, _ in blocks]), np.concatenate([addresses for _, addresses in blocks])


def iter_accesses(path, subdivision, offsets=DEFAULT_OFFSETS, block_bytes=BLOCK_BYTES):
    """Yield (cycles, addresses) per block of a trace file: `-1` and width padding removed,
    addresses checked against the buffer's range."""
    for _, rows, is_access in _access_blocks(path, subdivision, offsets, block_bytes):
        yield np.broadcast_to(rows[:, :1], is_access.shape)[is_access], rows[:, 1:][is_access]


def line_of_access(path, subdivision, offsets, index, block_bytes=BLOCK_BYTES):
    """The line of the access number `index` (0-based, in the order `iter_accesses` yields them) of
    a trace file, or None past its last access. Reads the file again: for error messages."""
    for first_line, _, is_access in _access_blocks(path, subdivision, offsets, block_bytes):
        accesses = int(np.count_nonzero(is_access))
        if index < accesses:
            return first_line + int(np.nonzero(is_access)[0][index])
        index -= accesses
    return None


def _access_blocks(path, subdivision, offsets, block_bytes):
    """Yield (first line, rows, which address cells are accesses) per block of a trace file."""
    if subdivision not in SUBDIVISIONS:
        raise ValueError(f"subdivision must be one of {SUBDIVISIONS}, got {subdivision!r}")
    path = Path(path)
    lo, hi = address_range(subdivision, offsets)
    blocks = iter_trace_blocks(path, block_bytes)
    if path.name in WIDTH_PADDED_FILES:
        masked = with_width_padding(blocks, address_one_may_be_real=lo <= 1 < hi)
    else:
        masked = ((first_line, rows, None) for first_line, rows in blocks)
    for first_line, rows, padding in masked:
        addresses = rows[:, 1:]
        is_access = addresses != -1
        if padding is not None:
            is_access &= ~padding
        accessed = addresses[is_access]
        if len(accessed) and (accessed.min() < lo or accessed.max() >= hi):
            _raise_outside(addresses, is_access, lo, hi, path, first_line)
        yield first_line, rows, is_access


def _raise_outside(addresses, is_access, lo, hi, path, first_line):
    row, col = np.argwhere(is_access & ((addresses < lo) | (addresses >= hi)))[0]
    raise InputError(
        f"address {addresses[row, col]} is outside this buffer's range [{lo}, {hi}) (check the config's offsets, -c)",
        path=path,
        line=first_line + int(row),
    )


def iter_trace_blocks(path, block_bytes=BLOCK_BYTES):
    """Yield (first line number, int64 rows) for consecutive blocks of whole lines."""
    width = None
    line_number = 1
    with open(path, "rb") as handle:
        carry = b""
        while True:
            data = handle.read(block_bytes)
            if not data:
                break
            data = carry + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # a line longer than the block: keep reading
                carry = data
                continue
            block, carry = data[:cut], data[cut:]
            lines = block.count(b"\n")
            rows = _parse_block(block, lines, path, line_number, width)
            width = rows.shape[1]
            yield line_number, rows
            line_number += lines
        if carry:  # last line without a line end
            rows = _parse_block(carry, 1, path, line_number, width)
            width = rows.shape[1]
            yield line_number, rows
    if width is None:
        raise InputError("empty trace file (expected rows 'cycle,address,...')", path=path)


def _parse_block(block, lines, path, first_line, width):
    """int64 rows of a block of `lines` whole lines, or InputError naming the first bad line."""
    rows = _parse_floats(block) if b"." in block else _parse_integers(block)
    if rows is not None and rows.shape[0] == lines and rows.shape[1] >= 2 and width in (None, rows.shape[1]):
        return rows
    _raise_first_bad_line(block, path, first_line, width)


def _parse_integers(block):
    """SRAM traces print integers: numpy's C reader is the fastest for them (about 130 MB/s)."""
    try:
        return np.loadtxt(io.BytesIO(block), delimiter=",", dtype=np.int64, comments=None, ndmin=2)
    except ValueError:
        return None


def _parse_floats(block):
    """DRAM traces print floats (`12.0`); pandas' C reader parses them about twice as fast as numpy."""
    import pandas  # here, not at the top: only DRAM traces pay for importing it

    try:
        rows = pandas.read_csv(
            io.BytesIO(block), header=None, dtype=np.float64, na_filter=False, skip_blank_lines=False
        ).to_numpy()
    except (ValueError, pandas.errors.ParserError):
        return None
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        integers = rows.astype(np.int64)
    return integers if np.array_equal(integers, rows) else None


def _raise_first_bad_line(block, path, first_line, width):
    """Re-read a block that failed the fast parse line by line to name the bad line."""
    lines = block.decode("utf-8", "replace").split("\n")
    if lines[-1] == "":
        lines.pop()  # the empty remainder after the final line end
    for offset, line in enumerate(lines):
        fields = line.split(",")
        width = width or len(fields)
        if len(fields) != width or width < 2:
            raise InputError(
                f"expected {max(width, 2)} comma-separated fields (cycle, addresses...), found "
                f"{len(fields)} in {line!r} (truncated or malformed trace?)",
                path=path,
                line=first_line + offset,
            )
        for field in fields:
            if not _is_integral(field):
                raise InputError(
                    f"expected an integer cycle or address, found {field!r}", path=path, line=first_line + offset
                )
    raise InputError("malformed trace block", path=path, line=first_line)


def _is_integral(field):
    try:
        value = float(field)
    except ValueError:
        return False
    return value.is_integer()


def with_width_padding(blocks, address_one_may_be_real):
    """Add a padding mask (True = `1.0` width padding) to each (first_line, rows) block.

    A row's decision needs the apparent widths of its neighbours, so each block is
    yielded once the first row of the next one is known."""
    previous = None  # (first_line, rows, apparent widths) waiting for its successor
    width_before = None  # apparent width of the row just before `previous`
    for first_line, rows in blocks:
        widths = apparent_widths(rows[:, 1:])
        if previous is not None:
            yield previous[0], previous[1], _padding_mask(previous[1][:, 1:], previous[2], width_before,
                                                          widths[0], address_one_may_be_real)
            width_before = previous[2][-1]
        previous = (first_line, rows, widths)
    if previous is not None:
        yield previous[0], previous[1], _padding_mask(previous[1][:, 1:], previous[2], width_before, None,
                                                      address_one_may_be_real)


def apparent_widths(addresses):
    """Per row, the number of address columns before its trailing run of value 1."""
    not_one = addresses != 1
    last_not_one_from_right = np.argmax(not_one[:, ::-1], axis=1)
    return np.where(not_one.any(axis=1), addresses.shape[1] - last_not_one_from_right, 0)


def _padding_mask(addresses, widths, width_before, width_after, address_one_may_be_real):
    padding = np.arange(addresses.shape[1])[None, :] >= widths[:, None]
    if address_one_may_be_real:
        one_wider = widths + 1
        # A missing neighbour (trace start or end) does not vote.
        before = np.concatenate(([one_wider[0] if width_before is None else width_before], widths[:-1]))
        after = np.concatenate((widths[1:], [one_wider[-1] if width_after is None else width_after]))
        ends_in_one = (widths < addresses.shape[1]) & (before == one_wider) & (after == one_wider)
        rows = np.flatnonzero(ends_in_one)
        padding[rows, widths[rows]] = False
    return padding
