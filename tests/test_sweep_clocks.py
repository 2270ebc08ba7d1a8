"""The config's clock_hz (gainflow.sweep.clocks): labels, exact values, and the entries it rejects."""

import pytest

from gainflow.errors import InputError
from gainflow.sweep.clocks import sweep_clocks


@pytest.mark.parametrize("setting, expected", [
    (1e9, {"1GHz": "1000000000"}),
    (1000000000, {"1GHz": "1000000000"}),
    ("1e9", {"1GHz": "1000000000"}),  # YAML reads 1e9 (no dot) as text
    (7e8, {"700MHz": "700000000"}),
    (1.5e9, {"1.5GHz": "1500000000"}),
    ([1e9, "7e8", 1.5e9, 250e3, 20, 0.5], {"1GHz": "1000000000", "700MHz": "700000000",
                                           "1.5GHz": "1500000000", "250kHz": "250000", "20Hz": "20",
                                           "0.5Hz": "0.5"}),
    ("1.25E+9", {"1.25GHz": "1250000000"}),
    (999999999, {"999.999999MHz": "999999999"}),
    (2e12, {"2000GHz": "2000000000000"}),
])
def test_labels_and_values(setting, expected):
    clocks = sweep_clocks(setting)
    assert clocks == expected
    assert list(clocks) == list(expected)  # the config's order


@pytest.mark.parametrize("setting, key, shown", [
    ("fast", "clock_hz", "'fast'"),
    (0, "clock_hz", "0"),
    (-1e9, "clock_hz", "-1000000000.0"),
    (True, "clock_hz", "True"),
    (float("inf"), "clock_hz", "inf"),
    ("nan", "clock_hz", "'nan'"),
    ([1e9, "1 GHz"], "clock_hz[1]", "'1 GHz'"),
    ([1e9, None], "clock_hz[1]", "None"),
    ([], "clock_hz", "non-empty list"),
    # Found by tests/test_properties_inputs.py: text beyond the float range raised decimal.Overflow,
    # or became the clock 0 Hz; far too many digits made labels longer than a file name may be.
    ("1e9999999", "clock_hz", "'1e9999999'"),
    ([1e9, "1e-9999999"], "clock_hz[1]", "'1e-9999999'"),
    (1e241, "clock_hz", "label of 236 characters"),
    ("0.000000000000000000000000000000000000001", "clock_hz", "at most 40"),
])
def test_bad_clock_names_the_key(setting, key, shown):
    with pytest.raises(InputError) as caught:
        sweep_clocks(setting)
    assert f"key '{key}'" in str(caught.value) and shown in str(caught.value)


def test_same_clock_twice_is_an_error():
    with pytest.raises(InputError, match=r"key 'clock_hz\[2\]': '1e9' is 1GHz again"):
        sweep_clocks([1e9, 7e8, "1e9"])
