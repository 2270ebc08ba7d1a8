"""load_topology against SCALE-Sim 2.0.2 itself, over SCALE-Sim's own 117 topology files
(tests/data/scalesim/topologies) and the topologies of the golden cases (tests/data/golden).

`tests/data/scalesim_topology_reference.json` was written by `scripts/make_topology_reference.py`,
which runs SCALE-Sim's loader (in its own venv): for each file, the layers it yields (with its output
sizes and MACs) or the exception it raises. Paths are relative to `tests/data`.
"""

import json

import pytest
from data_support import DATA, GOLDEN, SCALESIM, TOPOLOGY_REFERENCE, listed_files
from gainflow.errors import InputError
from gainflow.inputs.topology import Layer, load_topology

CORPUS = "scalesim/topologies/"
REFERENCE = json.loads(TOPOLOGY_REFERENCE.read_text())
FILES = REFERENCE["files"]
PARSED_BY_SCALESIM = sorted(name for name, entry in FILES.items() if "layers" in entry)
CRASHED_SCALESIM = sorted(name for name, entry in FILES.items() if "scalesim_error" in entry)

# Files SCALE-Sim cannot run that gainflow reads under a tolerant rule (README "Input formats"):
# file -> number of layers.
TOLERATED = {
    # blank ",,," row and extra ",,Eh,Ew,e2" columns
    CORPUS + "conv_nets/Resnet50.csv": 54,
    # a row without trailing comma whose stride SCALE-Sim drops
    CORPUS + "conv_nets/MobileNet_4k_non_dw.csv": 15,
    CORPUS + "conv_nets/mobilnet_4k.csv": 28,
    CORPUS + "conv_nets/mobilnet_reduce_run.csv": 11,
    # tab-separated
    CORPUS + "conv_nets/UNet_maestro.csv": 23,
    # blank ",,," rows, some also without trailing commas
    CORPUS + "mlperf/NCF_recommendation_short.csv": 6,
    CORPUS + "mlperf/Sentimental_seqCNN.csv": 4,
    CORPUS + "mlperf/Transformer_short.csv": 9,
    **{f"{CORPUS}mlperf/{scale}/{name}.csv": count
       for scale in ("div64q", "div256q")
       for name, count in [("AlphaGoZero", 8), ("NCF_recommendation_short", 6), ("Resnet50", 54),
                           ("Sentimental_seqCNN", 4), ("Sentimental_seqLSTM_short", 8),
                           ("Transformer_short", 9)]},
}
# Files gainflow rejects, as SCALE-Sim does: file -> (line, words the message must contain).
REJECTED = {
    # symbolic sizes ("1, B, 1, 1, H, H, 1,")
    CORPUS + "CSV/LSTM.csv": (2, "'IFMAP Width' (column 3)"),
    CORPUS + "rnn_eval/LSTM_template.csv": (2, "'IFMAP Width' (column 3)"),
    # a network title row ("AlphaGoZero,") between the layers
    CORPUS + "CSV/MLPERF.csv": (3, "too few fields"),
    CORPUS + "mlperf/MLPERF.csv": (3, "too few fields"),
    CORPUS + "mlperf/NCF_recommendation.csv": (3, "too few fields"),
    CORPUS + "mlperf/Sentimental_seqLSTM.csv": (3, "too few fields"),
    CORPUS + "mlperf/Transformer.csv": (3, "too few fields"),
}


def as_rows(layers):
    return [[getattr(layer, column) for column in REFERENCE["layer_columns"]] for layer in layers]


def load_corpus_file(name):
    return load_topology(DATA / name, FILES[name]["input_type"])


def test_reference_was_made_by_scalesim_2_0_2_over_the_whole_corpus():
    assert REFERENCE["scalesim_version"] == "2.0.2"
    corpus = [f"scalesim/{name}" for name in listed_files(SCALESIM) if name.endswith(".csv")]
    golden = [f"golden/{name}" for name in listed_files(GOLDEN) if name.endswith("/topology.csv")]
    assert sorted(FILES) == sorted(corpus + golden)
    # The count: SCALE-Sim cannot run 27 of its 117 files.
    assert sum(name.startswith(CORPUS) for name in FILES) == 117
    assert len(CRASHED_SCALESIM) == 27


def test_depthwise_expansion_is_covered_by_the_reference():
    names = [row[0] for row in FILES["golden/dp_os/topology.csv"]["layers"]]
    assert names == ["DPconvChannel_0", "DPconvChannel_1", "DPconvChannel_2", "pw"]


def test_every_scalesim_crash_is_either_tolerated_or_rejected():
    assert sorted(TOLERATED.keys() | REJECTED.keys()) == CRASHED_SCALESIM
    assert not TOLERATED.keys() & REJECTED.keys()


@pytest.mark.parametrize("name", PARSED_BY_SCALESIM)
def test_same_layers_as_scalesim(name):
    assert as_rows(load_corpus_file(name)) == FILES[name]["layers"]


@pytest.mark.parametrize("name", sorted(TOLERATED))
def test_tolerated_file_parses(name):
    assert len(load_corpus_file(name)) == TOLERATED[name]


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_file_names_file_and_line(name):
    line, words = REJECTED[name]
    with pytest.raises(InputError) as caught:
        load_corpus_file(name)
    assert (caught.value.path, caught.value.line) == (str(DATA / name), line)
    assert words in str(caught.value)


def test_resnet50_with_extra_columns_equals_scalesims_mlperf_copy():
    # conv_nets/Resnet50.csv (SCALE-Sim crashes) and mlperf/Resnet50.csv (SCALE-Sim parses) are the same
    # 54-layer network; the tolerant rules must recover exactly the layers SCALE-Sim yields for the latter.
    scalesim_layers = FILES[CORPUS + "mlperf/Resnet50.csv"]["layers"]
    assert as_rows(load_corpus_file(CORPUS + "conv_nets/Resnet50.csv")) == scalesim_layers


def test_tab_separated_unet_hand_checked():
    layers = load_corpus_file(CORPUS + "conv_nets/UNet_maestro.csv")
    assert layers[0] == Layer("Conv1_1", 572, 572, 3, 3, 1, 64, 1, 1)
    assert layers[-1] == Layer("Conv1_5", 388, 388, 1, 1, 64, 2, 1, 1)


def test_row_without_trailing_comma_keeps_its_stride_hand_checked():
    # line 7 is "Conv11,270,512,1,1,256,256,1" (no trailing comma)
    layers = load_corpus_file(CORPUS + "conv_nets/mobilnet_reduce_run.csv")
    assert layers[5] == Layer("Conv11", 270, 512, 1, 1, 256, 256, 1, 1)


def test_comment_field_is_dropped_like_scalesim_does_hand_checked():
    # line 4 is "Conv2_dw, 1080, 2048, 3, 3, 1, 1, 1,#dw": the last field "#dw" is the dropped one.
    layers = load_corpus_file(CORPUS + "conv_nets/mobilnet_4k.csv")
    assert layers[1] == Layer("Conv2_dw", 1080, 2048, 3, 3, 1, 1, 1, 1)


def test_blank_rows_and_no_trailing_commas_hand_checked():
    # ",,,,,,," on line 2, then rows like "Predict_FC,1,1,1,1,16,1,1" without trailing comma
    layers = load_corpus_file(CORPUS + "mlperf/NCF_recommendation_short.csv")
    assert layers[0] == Layer("MF_Embedding_user", 1, 1, 1, 1, 138000, 8, 1, 1)
    assert layers[-1] == Layer("Predict_FC", 1, 1, 1, 1, 16, 1, 1, 1)
