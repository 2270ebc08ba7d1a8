"""Per-interval tables in bounded memory: intervals as they close -> runs in address order on disk ->
one stream in (address, write cycle) order.

A streaming lifetime job (`gainflow.lifetimes.stream`) closes its intervals in cycle order, while the
lifetime table lists them by address, then write cycle. `IntervalSpill` collects them RUN_INTERVALS at
a time, sorts each such run by address (stably: an address's intervals close in the order of their
writes, so they stay in write order) and appends it to an unnamed temporary file; the part file
(`gainflow.lifetimes.parts`) then holds the runs one after another. `IntervalRuns` reads them back
merged: every run is in address order, and where two runs hold the same address the earlier run's
intervals were written earlier, so taking the rows below a common bound from each run, in run order,
and sorting them stably by address gives the table's order block by block. Memory: a run being
collected (RUN_INTERVALS rows) in the job, a block of about MERGE_BLOCK rows in the reader, whatever
the number of intervals.
"""

import shutil
import tempfile

import numpy as np

from gainflow.errors import InputError

COLUMNS = ("address", "write_cycle", "lifetime", "interval_reads", "first_read_cycle")
DTYPES = ("<i4", "<i8")  # per run and column, the narrowest that holds every value
RUN_INTERVALS = 1 << 19  # intervals per run: 20 MB of int64 columns while collected
MERGE_BLOCK = 1 << 18  # rows merged at a time by the reader (about 10 MB a copy of the five int64 columns)
COPY_BUFFER = 1 << 20


def narrowest(values):
    """int32 where every value fits (the usual case: half the bytes to write and read), else int64."""
    values = np.ascontiguousarray(values, "<i8")
    fits = values.size == 0 or (int(values.min()) >= -(1 << 31) and int(values.max()) < 1 << 31)
    return values.astype("<i4") if fits else values


class IntervalSpill:
    """A sink for `gainflow.lifetimes.stream.summarize_stream`: intervals in any order in, sorted runs
    in an unnamed temporary file in `directory` out. Use as a context manager (the file goes with it)."""

    def __init__(self, directory, run_intervals=RUN_INTERVALS):
        self.file = tempfile.TemporaryFile(dir=directory)
        self.run_intervals = run_intervals
        self.pending = []  # blocks of the run being collected: tuples of COLUMNS
        self.pending_rows = 0
        self.runs = []  # per run written: {"length", "dtypes"}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def add(self, address, write_cycle, lifetime, interval_reads, first_read_cycle):
        """A block of intervals (int64 arrays of equal length), in the order they closed."""
        block = tuple(np.array(values, np.int64) for values in
                      (address, write_cycle, lifetime, interval_reads, first_read_cycle))
        start = 0
        while start < len(block[0]):
            take = min(len(block[0]) - start, self.run_intervals - self.pending_rows)
            self.pending.append(tuple(values[start:start + take] for values in block))
            self.pending_rows += take
            start += take
            if self.pending_rows == self.run_intervals:
                self._write_run()

    def add_sorted(self, lifetimes):
        """All intervals of a `BufferLifetimes` (already in table order) as one run."""
        self.finish()
        self._write_columns([getattr(lifetimes, column) for column in COLUMNS])

    def finish(self):
        """Writes the run being collected; the file then holds every interval added."""
        if self.pending_rows:
            self._write_run()

    def copy_to(self, handle):
        """The runs' bytes, one run after another (as `self.runs` describes them), into `handle`."""
        self.finish()
        self.file.seek(0)
        shutil.copyfileobj(self.file, handle, COPY_BUFFER)

    def _write_run(self):
        columns = [np.concatenate(parts) for parts in zip(*self.pending)]
        self.pending, self.pending_rows = [], 0
        order = np.argsort(columns[0], kind="stable")
        self._write_columns([values[order] for values in columns])

    def _write_columns(self, columns):
        narrow = [narrowest(values) for values in columns]
        for values in narrow:
            self.file.write(values.data)
        self.runs.append({"length": len(columns[0]),
                          "dtypes": {name: values.dtype.str for name, values in zip(COLUMNS, narrow)}})


class IntervalRuns:
    """The runs of a part file (`path`, from byte `offset`: `runs` as IntervalSpill.runs), read back
    merged into the table's order."""

    def __init__(self, path, offset, runs):
        self.path = path
        self.runs = []  # per run: {column: (byte offset, dtype)}, and its length
        for run in runs:
            columns = {}
            for column in COLUMNS:
                dtype = np.dtype(run["dtypes"][column])
                columns[column] = (offset, dtype)
                offset += dtype.itemsize * run["length"]
            self.runs.append((columns, run["length"]))
        self.end = offset

    def __len__(self):
        return sum(length for _, length in self.runs)

    def columns(self):
        """Every interval at once, in table order: {column: int64 array} (for small parts and tests)."""
        blocks = list(self.blocks())
        return {column: np.concatenate([block[column] for block in blocks]) if blocks else np.empty(0, np.int64)
                for column in COLUMNS}

    def blocks(self, block=MERGE_BLOCK):
        """The intervals in (address, write cycle) order, as {column: int64 array} blocks of at most
        max(`block`, runs) rows (read from the file a window per run at a time: no mapping of the file, whose
        pages would count into the reader's resident memory)."""
        with open(self.path, "rb") as handle:
            readers = [_RunReader(handle, columns, length, self.path) for columns, length in self.runs]
            last = None
            while True:
                active = [reader for reader in readers if not reader.done]
                if not active:
                    return
                window = max(1, block // len(active))
                # Rows below the smallest last address of the runs' windows (among runs with rows beyond
                # their window) all lie in those windows: take them, run by run, and sort stably.
                bounds = [int(reader.addresses(window)[-1]) for reader in active if not reader.ends_within(window)]
                bound = min(bounds) if bounds else None
                counts = [len(reader.addresses(window)) if bound is None
                          else int(np.searchsorted(reader.addresses(window), bound)) for reader in active]
                if not any(counts):
                    # Every run is at the bound: its intervals of that address, the earliest run's first.
                    first = next(reader for reader in active if reader.addresses(window)[0] == bound)
                    active, counts = [first], [int(np.searchsorted(first.addresses(window), bound, side="right"))]
                taken = [reader.take(count) for reader, count in zip(active, counts) if count]
                merged = {column: np.concatenate([rows[column] for rows in taken]) for column in COLUMNS}
                order = np.argsort(merged["address"], kind="stable")
                merged = {column: values[order] for column, values in merged.items()}
                if last is not None and merged["address"][0] < last:
                    raise InputError("a run of intervals not in address order", path=self.path)
                last = merged["address"][-1]
                yield merged

    def column_blocks(self, block=MERGE_BLOCK):
        """The blocks as the table's columns: address, lifetime, write cycle, reads, first read."""
        for merged in self.blocks(block):
            yield (merged["address"], merged["lifetime"], merged["write_cycle"], merged["interval_reads"],
                   merged["first_read_cycle"])


class _RunReader:
    """One run of a part file read forward: a window of rows at a time, every column as int64."""

    def __init__(self, handle, columns, length, path):
        self.handle, self.columns, self.length, self.path = handle, columns, length, path
        self.position = 0  # rows taken
        self.buffer = {column: np.empty(0, np.int64) for column in COLUMNS}  # rows from `position` on

    @property
    def done(self):
        return self.position == self.length

    def ends_within(self, window):
        return self.position + window >= self.length

    def addresses(self, window):
        """The addresses of the next `window` rows (fewer at the end of the run)."""
        self._fill(min(window, self.length - self.position))
        return self.buffer["address"][:window]

    def take(self, count):
        """The next `count` rows (already read by `addresses`), checked to be in address order."""
        rows = {column: values[:count] for column, values in self.buffer.items()}
        addresses = rows["address"]
        if np.any(addresses[1:] < addresses[:-1]):
            raise InputError("a run of intervals not in address order", path=self.path)
        self.buffer = {column: values[count:] for column, values in self.buffer.items()}
        self.position += count
        if len(self.buffer["address"]) and self.buffer["address"][0] < addresses[-1]:
            raise InputError("a run of intervals not in address order", path=self.path)
        return rows

    def _fill(self, rows):
        held = len(self.buffer["address"])
        if held >= rows:
            return
        start, count = self.position + held, rows - held
        for column, (offset, dtype) in self.columns.items():
            self.handle.seek(offset + start * dtype.itemsize)
            values = np.fromfile(self.handle, dtype=dtype, count=count)
            if len(values) != count:
                raise InputError("truncated lifetime part file", path=self.path)
            self.buffer[column] = np.concatenate((self.buffer[column], values.astype(np.int64)))
