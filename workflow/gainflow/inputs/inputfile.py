"""Reading a user's input file as text, with every failure an InputError naming the file."""

from gainflow.errors import InputError


def read_lines(path, kind):
    """The lines of the UTF-8 text file `path` (a `kind` such as "topology CSV"), ends kept.

    Universal newlines, as a text-mode file iteration (SCALE-Sim's) splits them: \\n, \\r\\n or \\r.
    """
    try:
        with open(path, encoding="utf-8", newline=None) as handle:
            return handle.readlines()
    except FileNotFoundError:
        raise InputError(f"{kind} file not found", path=path) from None
    except IsADirectoryError:
        raise InputError(f"expected a {kind} file, got a directory", path=path) from None
    except UnicodeDecodeError as err:
        raise InputError(f"not a UTF-8 text file ({err.reason} at byte {err.start})", path=path) from None
    except OSError as err:
        raise InputError(f"cannot read {kind} file: {err.strerror}", path=path) from None
