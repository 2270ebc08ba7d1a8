"""Topology CSV files (SCALE-Sim v2 format, conv and GEMM) -> a list of `Layer`.

Every file SCALE-Sim v2 (2.0.2) parses without error yields exactly its layers:

- the first line is a header and is always skipped, whatever it holds; blank lines are skipped;
- a row is split on `,` and its last field dropped (rows end in a trailing comma);
- conv rows are `name, H, W, FH, FW, C, N, SH[, SW]`: one stride is used for both directions, further
  integer columns are ignored; a name containing `DP` is a depthwise layer, expanded into `C` layers
  `<name>Channel_<i>` with one channel each (and the same number of filters);
- GEMM rows are `name, M, N, K`, mapped onto the conv layer `H=M, W=K, FH=1, FW=K, C=1, N=N, S=1`;
  columns after K are ignored whatever they hold.

Where SCALE-Sim crashes but the intent is plain, the row is read anyway (docs/simulator.md):

- a row of only commas (and spaces) is skipped like a blank line;
- a row without a trailing comma keeps its last value when dropping it would leave too few values;
- in conv rows, an empty field after the 7th value ends the layer: it and everything after it are
  extra columns (such as the `Eh,Ew,e2` columns of SCALE-Sim's own Resnet50.csv) and ignored;
- a row without any comma is split on tabs (tab-separated files such as SCALE-Sim's UNet_maestro.csv).

Anything else raises `InputError` naming the file, the line and the field.
"""

import math
from dataclasses import dataclass

from gainflow.errors import InputError
from gainflow.inputs.inputfile import read_lines

CONV_FIELDS = ("IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels", "Num Filter",
               "Strides")
GEMM_FIELDS = ("M", "N", "K")
INPUT_TYPES = ("conv", "gemm")


@dataclass(frozen=True)
class Layer:
    """One convolution layer as SCALE-Sim models it (GEMM rows are mapped onto this too)."""

    name: str
    ifmap_height: int
    ifmap_width: int
    filter_height: int
    filter_width: int
    channels: int
    num_filters: int
    stride_height: int
    stride_width: int

    @property
    def ofmap_height(self):
        # No padding parameter: a window may run past the input edge (those addresses become -1).
        return math.ceil((self.ifmap_height - self.filter_height + self.stride_height) / self.stride_height)

    @property
    def ofmap_width(self):
        return math.ceil((self.ifmap_width - self.filter_width + self.stride_width) / self.stride_width)

    @property
    def window_size(self):
        return self.filter_height * self.filter_width * self.channels

    @property
    def macs(self):
        return self.ofmap_height * self.ofmap_width * self.num_filters * self.window_size


def load_topology(path, input_type="conv"):
    """Parse a topology file; `input_type` is "conv" or "gemm". Raises InputError on bad input."""
    if input_type not in INPUT_TYPES:
        raise InputError(f"input type must be one of {', '.join(INPUT_TYPES)}, got {input_type!r}",
                         path=path, key="input_type")
    parse_row = _conv_layers if input_type == "conv" else _gemm_layers
    layers = []
    for line_number, fields in _data_rows(path):
        layers.extend(parse_row(_RowContext(path, line_number), fields))
    if not layers:
        raise InputError("the topology has no layers (expected a header line, then one row per layer)",
                         path=path)
    return layers


@dataclass(frozen=True)
class _RowContext:
    """Where a row came from, so that every error names the file and line."""

    path: object
    line: int

    def error(self, message):
        return InputError(message, path=self.path, line=self.line)


def _data_rows(path):
    """Yield (line number, stripped fields) for each data row: header, blank and all-comma rows skipped."""
    for line_number, line in enumerate(read_lines(path, "topology CSV"), start=1):
        text = line.strip()
        if line_number == 1 or not text:
            continue
        if "," not in text and "\t" in text:
            # Tab-separated; stripping the line removed its trailing tab, the "" stands for that field.
            fields = [field.strip() for field in text.split("\t")] + [""]
        else:
            fields = [field.strip() for field in text.split(",")]
        if any(fields):
            yield line_number, fields


def _value_fields(context, fields, field_names):
    """The fields after the name that SCALE-Sim reads as values (the trailing-field rule)."""
    needed = len(field_names)
    values = fields[1:-1]
    if fields[-1] and len(values) < needed:
        # No trailing comma and dropping the last value would lose it: keep it.
        values = fields[1:]
    if len(values) < needed:
        raise context.error(f"too few fields: expected the layer name and {needed} values "
                            f"({', '.join(field_names)}), found {len(values)} value(s); "
                            f"field '{field_names[len(values)]}' (column {len(values) + 2}) is missing")
    return values


def _to_int(context, text, column, field_name):
    try:
        return int(text)
    except ValueError:
        raise context.error(f"field '{field_name}' (column {column}): expected an integer, "
                            f"got {text!r}") from None


def _positive(context, value, column, field_name):
    if value <= 0:
        raise context.error(f"field '{field_name}' (column {column}): expected a positive integer, "
                            f"got {value}")
    return value


def _conv_layers(context, fields):
    values = _value_fields(context, fields, CONV_FIELDS)
    if "" in values[len(CONV_FIELDS):]:
        # Tolerant rule: an empty field after the 7th value starts extra columns, which are ignored.
        values = values[:values.index("", len(CONV_FIELDS))]
    names = _conv_field_names(len(values))
    numbers = [_to_int(context, text, column, field_name)
               for column, (text, field_name) in enumerate(zip(values, names), start=2)]
    shape = numbers[:len(CONV_FIELDS) + 1]  # up to the stride width; later integers are ignored
    for column, (value, field_name) in enumerate(zip(shape, names), start=2):
        _positive(context, value, column, field_name)
    height, width, filter_height, filter_width, channels, num_filters, stride_height = shape[:7]
    stride_width = shape[7] if len(shape) > 7 else stride_height
    _check_filter_fits(context, height, width, filter_height, filter_width)
    name = fields[0]
    if "DP" not in name:
        return [Layer(name, height, width, filter_height, filter_width, channels, num_filters,
                      stride_height, stride_width)]
    # SCALE-Sim's depthwise model: one single-channel layer per input channel, each with all filters.
    return [Layer(f"{name}Channel_{index}", height, width, filter_height, filter_width, 1, num_filters,
                  stride_height, stride_width)
            for index in range(channels)]


def _conv_field_names(count):
    """Names of `count` conv values: a lone stride serves both directions; columns past SW are extras."""
    if count == len(CONV_FIELDS):
        return CONV_FIELDS
    strides = ("Stride Height", "Stride Width")
    extras = tuple(f"extra column {column}" for column in range(10, count + 2))
    return CONV_FIELDS[:-1] + strides + extras


def _check_filter_fits(context, height, width, filter_height, filter_width):
    if filter_height > height:
        raise context.error(f"field 'Filter Height' (column 4): the filter ({filter_height}) is taller "
                            f"than the input ({height})")
    if filter_width > width:
        raise context.error(f"field 'Filter Width' (column 5): the filter ({filter_width}) is wider "
                            f"than the input ({width})")


def _gemm_layers(context, fields):
    values = _value_fields(context, fields, GEMM_FIELDS)
    m, n, k = (_positive(context, _to_int(context, text, column, field_name), column, field_name)
               for column, (text, field_name) in enumerate(zip(values, GEMM_FIELDS), start=2))
    return [Layer(fields[0], ifmap_height=m, ifmap_width=k, filter_height=1, filter_width=k, channels=1,
                  num_filters=n, stride_height=1, stride_width=1)]
