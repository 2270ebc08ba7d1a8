"""The values that reach CSV and JSON text are checked to be plain Python numbers, text or None."""

import decimal

import numpy as np
import pytest

from gainflow.files.plain import csv_field, plain, plain_json


@pytest.mark.parametrize("value", [0, -3, 2 ** 70, 1.5, float("inf"), "ifmap", "", None])
def test_plain_values_pass_unchanged(value):
    assert plain(value) is value


@pytest.mark.parametrize("value", [np.float64(1.5), np.int64(3), np.int32(3), np.bool_(True), True,
                                   decimal.Decimal("1.5"), b"ifmap", [1], np.array(2)])
def test_anything_else_is_refused(value):
    with pytest.raises(TypeError, match="not a plain int, float, str or None"):
        plain(value)


def test_csv_fields():
    assert [csv_field(value) for value in (None, 7, 2.275, 0.1 + 0.2, 1e16, "ofmap")] == [
        "", "7", "2.275", "0.30000000000000004", "1e+16", "ofmap"]
    with pytest.raises(TypeError):
        csv_field(np.float64(2.275))  # under numpy 2 its repr is "np.float64(2.275)"


def test_json_data():
    data = {"a": [1, 2.5, None, True], "b": (False, "x"), "c": {"d": {}}}
    assert plain_json(data) == {"a": [1, 2.5, None, True], "b": [False, "x"], "c": {"d": {}}}
    for bad in ({"a": [np.int64(1)]}, {1: "key not text"}, {"a": {"b": np.float64(0.5)}}, {"a": {1, 2}}):
        with pytest.raises(TypeError):
            plain_json(bad)
