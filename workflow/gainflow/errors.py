"""The one exception type that user-facing input problems raise.

Library code raises `InputError`; only the CLI turns it into a message and a
non-zero exit status.
"""


class InputError(Exception):
    """Bad user input: names the file, the line or key, and what was expected."""

    def __init__(self, message, *, path=None, line=None, key=None):
        self.path = None if path is None else str(path)
        self.line = line
        self.key = key
        self.detail = message
        super().__init__(self._format())

    def _format(self):
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.key is not None:
            where.append(f"key '{self.key}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


class MissingBuildError(ImportError):
    """The compiled module gainflow._kernels is missing or does not load: the package was not built."""
