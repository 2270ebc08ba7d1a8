"""Numbers in a workflow config, however YAML spells them.

PyYAML reads `1e9`, `1.0e9` and `1e+9` (a float needs a dot and a signed exponent in YAML 1.1) as text,
and people write them so. Wherever the config's JSON schema expects a number, text that spells one
becomes that number: an int where the schema wants an integer (and only when the value is whole), else
a float. Everything else is left as it is, for the schema to reject with the key's name.
"""

import math
import re
from decimal import Decimal

# Decimal digits (groups joined by `_`), an optional fraction and exponent; no `inf` or `nan`.
DIGITS = r"\d(?:_?\d)*"
NUMBER_TEXT = re.compile(rf"[+-]?(?:{DIGITS}(?:\.(?:{DIGITS})?)?|\.{DIGITS})(?:[eE][+-]?\d+)?")
NUMERIC_TYPES = ("integer", "number")


def with_numbers(config, schema):
    """A copy of `config` with every spelled-out number where `schema` expects one made a number."""
    return _convert(config, [schema], schema)


def _convert(value, nodes, schema):
    """`value` as the schema `nodes` (any of which may apply at this place) expect it."""
    alternatives = [alternative for node in nodes for alternative in _alternatives(node, schema)]
    kinds = {kind for node in alternatives for kind in _types(node)} & set(NUMERIC_TYPES)
    if isinstance(value, str):
        return _number(value, kinds)
    if isinstance(value, float) and kinds == {"integer"} and value.is_integer():
        # YAML's 8.0: the schema takes it as an integer, the jobs' command lines need 8.
        return int(value)
    if isinstance(value, dict):
        return {key: _convert(item, _property_nodes(alternatives, key), schema) for key, item in value.items()}
    if isinstance(value, list):
        return [_convert(item, [node["items"] for node in alternatives if "items" in node], schema) for item in value]
    return value


def _alternatives(node, schema):
    """The node itself and, recursively, the members of its oneOf/anyOf, each with $ref resolved."""
    node = _resolve(node, schema)
    found = [node]
    for member in node.get("oneOf", []) + node.get("anyOf", []):
        found += _alternatives(member, schema)
    return found


def _resolve(node, schema):
    """A local reference (`#/$defs/name`) replaced by what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _types(node):
    kinds = node.get("type", [])
    return [kinds] if isinstance(kinds, str) else kinds


def _property_nodes(alternatives, key):
    nodes = [node["properties"][key] for node in alternatives if key in node.get("properties", {})]
    for node in alternatives:
        nodes += [sub for pattern, sub in node.get("patternProperties", {}).items() if re.search(pattern, key)]
    return nodes


def _number(text, kinds):
    """The number `text` spells if `kinds` admits it, else `text` unchanged."""
    if not kinds or not NUMBER_TEXT.fullmatch(text.strip()):
        return text
    exact = Decimal(text.strip().replace("_", ""))
    if not math.isfinite(float(exact)):
        # Beyond float64 (1e400, or 1e9999999, whose int alone would take minutes): left as text.
        return text
    if exact == exact.to_integral_value() and ("integer" in kinds or not re.search(r"[.eE]", text)):
        return int(exact)
    if "number" in kinds:
        return float(exact)
    return text
