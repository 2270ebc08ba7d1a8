"""The values gainflow writes into CSV and JSON text: plain Python numbers, text and None only.

A numpy scalar prints differently from the Python number it stands for (under numpy 2,
`repr(np.float64(1.5))` is `np.float64(1.5)`), and values computed from numpy arrays easily are
numpy scalars (`np.float64` even passes `isinstance(value, float)`). So every CSV and JSON writer
passes its values through `plain` / `plain_json`, which check the exact type and refuse anything
else: code that computes a value from numpy converts it with int() or float() where it does so.
"""

PLAIN_TYPES = (int, float, str, type(None))


def plain(value):
    """`value` itself if its type is exactly int, float, str or None (no bool, no numpy scalar);
    TypeError otherwise."""
    if type(value) not in PLAIN_TYPES:
        raise TypeError(f"not a plain int, float, str or None: {value!r} of type {type(value).__name__}")
    return value


def csv_field(value):
    """A CSV field: empty for None, Python's shortest round-trip form for floats, str otherwise."""
    value = plain(value)
    if value is None:
        return ""
    return repr(value) if type(value) is float else str(value)


def plain_json(data):
    """A copy of JSON data (dicts with text keys, lists, tuples as lists, True/False) whose every
    other value passed `plain`."""
    if type(data) is dict:
        if any(type(key) is not str for key in data):
            raise TypeError(f"JSON object keys must be text: {list(data)!r}")
        return {key: plain_json(value) for key, value in data.items()}
    if type(data) in (list, tuple):
        return [plain_json(value) for value in data]
    if type(data) is bool:
        return data
    return plain(data)
