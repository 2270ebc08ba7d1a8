"""Shared pieces of the property-based tests: byte-level mutations of a valid file, the CLI run
in-process, and the checks every bad input must pass (gainflow's own error, naming the file and a
line or key; exit status 2; no output left behind)."""

import contextlib
import io
import json
from pathlib import Path

from gainflow.cli import main as cli_main
from gainflow.errors import InputError
from hypothesis import strategies as st

# Fragments a mutation inserts or puts in place of a field: separators, signs, numbers of every
# size and spelling, non-numbers, and bytes that are not UTF-8.
FRAGMENTS = (b",", b"\n", b"\r", b"\t", b" ", b"", b"-", b".", b"-1", b"0", b"1", b"7", b"1.0", b"-1.0",
             b"1e3", b"nan", b"inf", b"x", b"DP", b"9" * 25, b"4611686018427387904", b"=", b":", b"[", b"]",
             b"%(", b"#", b";", b"\x00", b"\xff", "\u00e9".encode(), b'"', b"{", b"}")
FIELD_SEPARATORS = b",\n:=\t "


@st.composite
def mutated(draw, data, max_mutations=3):
    """`data` (bytes) after one to `max_mutations` edits: a byte range deleted, a fragment inserted,
    one field replaced, a line dropped or repeated, or the end cut off."""
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(("delete", "insert", "field", "drop_line", "repeat_line", "cut")))
        data = EDITS[kind](draw, data)
    return data


def _position(draw, data):
    return draw(st.integers(0, len(data)))


def _delete(draw, data):
    start = _position(draw, data)
    return data[:start] + data[start + draw(st.integers(1, 4)):]


def _insert(draw, data):
    at = _position(draw, data)
    return data[:at] + draw(st.sampled_from(FRAGMENTS)) + data[at:]


def _field(draw, data):
    """Replace the field (text between separators) around a position."""
    at = _position(draw, data)
    start = max((data.rfind(bytes([c]), 0, at) for c in FIELD_SEPARATORS), default=-1) + 1
    ends = [index for index in (data.find(bytes([c]), at) for c in FIELD_SEPARATORS) if index >= 0]
    end = min(ends, default=len(data))
    return data[:start] + draw(st.sampled_from(FRAGMENTS)) + data[end:]


def _lines(data):
    return data.split(b"\n")


def _drop_line(draw, data):
    lines = _lines(data)
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"\n".join(lines)


def _repeat_line(draw, data):
    lines = _lines(data)
    index = draw(st.integers(0, len(lines) - 1))
    lines.insert(draw(st.integers(0, len(lines))), lines[index])
    return b"\n".join(lines)


def _cut(draw, data):
    return data[:_position(draw, data)]


EDITS = {"delete": _delete, "insert": _insert, "field": _field, "drop_line": _drop_line,
         "repeat_line": _repeat_line, "cut": _cut}

# JSON values a structured mutation puts anywhere in a JSON document.
NUMBERS = st.sampled_from((0, -1, 1, 2.5, 10**400, -(10**400), 1e308, float("inf"), float("-inf"), float("nan"),
                           1e-320))
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), NUMBERS,
    st.integers(-(10**6), 10**6), st.text(max_size=5),
    st.sampled_from(("s", "us", "ns", "GHz", "pJ/bit", "W/bit", "um^2/bit", "SRAM", "Si-Si", "ifmap", "")))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)), max_leaves=6)


def json_paths(document, prefix=()):
    """Every path (tuple of keys and indices) to a value inside `document`, the document itself first."""
    paths = [prefix]
    items = document.items() if isinstance(document, dict) else enumerate(document) if isinstance(document, list) else ()
    for key, value in items:
        paths += json_paths(value, prefix + (key,))
    return paths


@st.composite
def mutated_json(draw, document, focus=(), focus_values=NUMBERS):
    """A copy of `document` with one value replaced or one key removed; half the time a value whose
    key is in `focus` (the numbers among many text fields, say) is replaced, by one of `focus_values`."""
    document = json.loads(json.dumps(document))
    paths = json_paths(document)[1:]
    focused = [path for path in paths if path[-1] in focus]
    at_focus = bool(focused) and draw(st.booleans())
    path = draw(st.sampled_from(focused if at_focus else paths))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if not at_focus and isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(focus_values if at_focus else JSON_VALUES)
    return document


def json_bytes(document):
    """Python's JSON text, which writes inf and nan as Infinity and NaN (as the json module reads them)."""
    return json.dumps(document).encode()


def check_input_error(error, paths, whole_file=()):
    """An InputError names one of `paths`, and a line or key unless its message is one of the
    `whole_file` conditions (about the whole file: empty, not text, no layers)."""
    assert isinstance(error, InputError)
    assert error.path in {str(path) for path in paths}, error
    assert error.line is not None or error.key is not None or any(text in error.detail for text in whole_file), error


def run_cli(*args):
    """(exit status, stderr) of `gainflow ARGS`, run in this process."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        status = cli_main([str(arg) for arg in args])
    return status, stderr.getvalue()


def files_under(folder):
    """Every file below `folder` (relative paths, sorted); none if it does not exist."""
    folder = Path(folder)
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
