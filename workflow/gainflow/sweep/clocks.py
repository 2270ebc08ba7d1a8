"""The config's `clock_hz` (one frequency or a list) -> a readable label per clock and its exact value.

Labels name the report files (`report-1GHz-<corner>-<start>.json`): the value in the largest unit that keeps
it at least 1, with as many decimals as it needs (1e9 -> 1GHz, 7e8 -> 700MHz, 1.5e9 -> 1.5GHz).
YAML reads `1e9` (no dot) as text; such text is accepted as the number it spells.
"""

from decimal import Decimal, InvalidOperation

from gainflow.errors import InputError

CLOCK_KEY = "clock_hz"
UNITS = (("GHz", 10**9), ("MHz", 10**6), ("kHz", 10**3), ("Hz", 1))
# What clock_label writes (a Snakemake wildcard constraint).
LABEL_PATTERN = r"[0-9]+(\.[0-9]+)?(GHz|MHz|kHz|Hz)"
# Labels are parts of file names, which file systems cap at 255 bytes; a readable label is far shorter.
LABEL_LIMIT = 40


def sweep_clocks(setting):
    """label -> the frequency in Hz as plain decimal text, in the config's order.

    Two entries with the same label (the same frequency, however written) are an error."""
    entries = setting if isinstance(setting, list) else [setting]
    if not entries:
        raise InputError("expected a frequency in Hz or a non-empty list of them", key=CLOCK_KEY)
    clocks = {}
    for index, value in enumerate(entries):
        key = f"{CLOCK_KEY}[{index}]" if isinstance(setting, list) else CLOCK_KEY
        hz = parse_hz(value, key)
        label = clock_label(hz)
        if len(label) > LABEL_LIMIT:
            raise InputError(f"{value!r} makes a label of {len(label)} characters ({label[:12]}...), at most "
                             f"{LABEL_LIMIT}: give the frequency with fewer digits", key=key)
        if label in clocks:
            raise InputError(f"{value!r} is {label} again: each clock once", key=key)
        clocks[label] = plain_decimal(hz)
    return clocks


def parse_hz(value, key):
    """A positive frequency (a number or its text) as an exact Decimal; the report stage takes it as
    a float64, so it must be one too (neither 0 nor infinite there)."""
    hz = None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            hz = Decimal(str(value))
        except InvalidOperation:
            pass
    if hz is None or not 0 < float(hz) < float("inf"):
        raise InputError(f"expected a positive frequency in Hz (e.g. 1.0e+9), got {value!r}", key=key)
    return hz


def clock_label(hz):
    for unit, factor in UNITS:
        if hz >= factor or factor == 1:
            return f"{plain_decimal(hz / factor)}{unit}"


def plain_decimal(number):
    """`number` in positional notation without trailing zeros (1.50E+9 -> 1500000000)."""
    return format(number.normalize(), "f")
