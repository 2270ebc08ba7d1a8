"""CSV text of integer matrices: SCALE-Sim's traces and the lifetime tables, which run to gigabytes.

Two number formats, as SCALE-Sim's traces use them: `%i` (SRAM traces: `12,-1`) and `str(float64)` of
integral values (DRAM traces: `12.0,-1.0`). numpy.savetxt formats one row at a time in Python, and
vectorised numpy layouts need many passes over memory; the digits are written by a compiled loop
(`gainflow._kernels.format_rows`, C, built at install time) into one reused buffer.
"""

import io

import numpy as np

from gainflow import kernels

ROWS_PER_CHUNK = 1 << 15


class RowWriter:
    """Writes integer matrices as CSV rows into a binary handle, in chunks through one text buffer.
    Each row is led by `prefix` (e.g. b"ifmap,"); `float_style` writes DRAM-trace numbers."""

    def __init__(self, handle, float_style=False, prefix=b""):
        self.handle, self.prefix = handle, prefix
        self.suffix = b".0" if float_style else b""
        self.text = bytearray()

    def write(self, matrix):
        matrix = np.asarray(matrix)
        if matrix.ndim != 2 or matrix.dtype.kind not in "iu":
            raise ValueError("expected a 2-D integer matrix")
        if self.suffix and matrix.size and np.abs(matrix).max() >= 10 ** 16:
            # str(float64) switches to exponent notation there; addresses never get this large.
            raise ValueError("trace values of 1e16 or more are not supported")
        for start in range(0, len(matrix), ROWS_PER_CHUNK):
            chunk = np.ascontiguousarray(matrix[start:start + ROWS_PER_CHUNK], dtype=np.int64)
            if chunk.size == 0:
                continue
            size = kernels.text_bytes(len(chunk), chunk.shape[1], len(self.prefix), len(self.suffix))
            if len(self.text) < size:
                self.text = bytearray(size)
            length = kernels.format_rows(chunk, chunk.shape[1], self.prefix, self.suffix, self.text)
            self.handle.write(memoryview(self.text)[:length])


def format_rows(matrix, float_style=False, prefix=b""):
    """CSV bytes of an integer matrix, one line per row, each led by `prefix`."""
    text = io.BytesIO()
    RowWriter(text, float_style, prefix).write(matrix)
    return text.getvalue()


def write_int_rows(handle, columns, prefix=b""):
    """Write one CSV row per element of the equally long integer `columns` into the binary `handle`,
    each row led by `prefix` (e.g. b"ifmap,"), in bounded memory."""
    columns = [np.asarray(column) for column in columns]
    if not columns or any(column.ndim != 1 or column.dtype.kind not in "iu" for column in columns):
        raise ValueError("expected one or more 1-D integer columns")
    if any(len(column) != len(columns[0]) for column in columns):
        raise ValueError("columns differ in length")
    writer = RowWriter(handle, prefix=prefix)
    block = np.empty((min(ROWS_PER_CHUNK, len(columns[0])), len(columns)), dtype=np.int64)
    for start in range(0, len(columns[0]), ROWS_PER_CHUNK):
        rows = min(ROWS_PER_CHUNK, len(columns[0]) - start)
        for index, column in enumerate(columns):
            block[:rows, index] = column[start:start + rows]
        writer.write(block[:rows])

