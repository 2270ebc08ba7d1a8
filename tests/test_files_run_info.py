"""run_info.json: the exact text RunInfo writes, reading it back, and bad files naming file and key."""

import json

import pytest
from gainflow.errors import InputError
from gainflow.files.run_info import LayerInfo, RunInfo, TopologyInfo
from gainflow.inputs.hwconfig import HardwareConfig

HARDWARE = HardwareConfig(run_name="tiny_os", array_height=4, array_width=8, ifmap_sram_kb=1, filter_sram_kb=2,
                          ofmap_sram_kb=1, ifmap_offset=0, filter_offset=10000000, ofmap_offset=20000000,
                          dataflow="os", interface_bandwidth="CALC")
# Sorted keys, indent 2, newline at the end: the text the workflow's simulate step has always written.
FULL_TEXT = """{
  "hardware": {
    "array_height": 4,
    "array_width": 8,
    "dataflow": "os",
    "filter_offset": 10000000,
    "filter_sram_kb": 2,
    "ifmap_offset": 0,
    "ifmap_sram_kb": 1,
    "interface_bandwidth": "CALC",
    "ofmap_offset": 20000000,
    "ofmap_sram_kb": 1,
    "run_name": "tiny_os"
  },
  "layers": [
    {
      "index": 0,
      "macs": 13824,
      "name": "conv1",
      "total_cycles": 159
    },
    {
      "index": 1,
      "macs": null,
      "name": null,
      "total_cycles": 103
    }
  ],
  "run_name": "tiny_os",
  "topology": {
    "input_type": "conv",
    "name": "tiny",
    "path": "topologies/tiny.csv"
  }
}
"""


def full_run_info():
    return RunInfo.of_run("tiny_os", [LayerInfo(0, 159, name="conv1", macs=13824), LayerInfo.of_layer(1, 103)],
                          topology=TopologyInfo.of_file("topologies/tiny.csv", "conv"), hardware=HARDWARE)


def test_exact_text_and_round_trip(tmp_path):
    info = full_run_info()
    assert info.to_json() == FULL_TEXT
    info.write(tmp_path / "run_info.json")
    assert (tmp_path / "run_info.json").read_text() == FULL_TEXT
    assert RunInfo.load(tmp_path / "run_info.json") == info


def test_without_topology_and_hardware(tmp_path):
    info = RunInfo("r", (LayerInfo(3, 0),))
    assert json.loads(info.to_json()) == {"run_name": "r", "topology": None, "hardware": None,
                                          "layers": [{"index": 3, "name": None, "macs": None, "total_cycles": 0}]}
    info.write(tmp_path / "run_info.json")
    assert RunInfo.load(tmp_path / "run_info.json") == info


def test_numpy_counts_are_refused():
    import numpy as np

    with pytest.raises(TypeError, match="np.int64"):
        RunInfo("r", (LayerInfo(0, np.int64(5)),)).to_json()


def edited(change):
    data = json.loads(FULL_TEXT)
    change(data)
    return data


@pytest.mark.parametrize("data, key", [
    (edited(lambda d: d.pop("run_name")), "run_name"),
    (edited(lambda d: d.update(run_name=7)), "run_name"),
    (edited(lambda d: d.update(layers=[])), "layers"),
    (edited(lambda d: d.update(layers={"index": 0})), "layers"),
    (edited(lambda d: d["layers"][1].pop("total_cycles")), "layers.1.total_cycles"),
    (edited(lambda d: d["layers"][0].update(index="0")), "layers.0.index"),
    (edited(lambda d: d["layers"][0].update(index=True)), "layers.0.index"),
    (edited(lambda d: d["layers"][1].update(total_cycles=-1)), "layers.1.total_cycles"),
    (edited(lambda d: d["layers"][0].update(macs=1.5)), "layers.0.macs"),
    (edited(lambda d: d["layers"][0].update(name=3)), "layers.0.name"),
    (edited(lambda d: d["layers"].__setitem__(1, 5)), "layers.1"),
    (edited(lambda d: d["layers"][1].update(index=0)), "layers.1.index"),
    (edited(lambda d: d.update(hardware=[1])), "hardware"),
    (edited(lambda d: d.pop("hardware")), "hardware"),
    (edited(lambda d: d.update(topology="tiny")), "topology"),
    (edited(lambda d: d["topology"].pop("path")), "topology.path"),
    ([1, 2], None),
])
def test_bad_content_names_the_key(tmp_path, data, key):
    path = tmp_path / "run_info.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as caught:
        RunInfo.load(path)
    assert caught.value.path == str(path)
    assert caught.value.key == key


@pytest.mark.parametrize("content, message, line", [
    (b'{"run_name": "r",\n "layers": [}', "not valid JSON", 2),
    (b"\xff\xfe{}", "not UTF-8 text", None),
])
def test_unreadable_files(tmp_path, content, message, line):
    path = tmp_path / "run_info.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        RunInfo.load(path)
    assert caught.value.line == line


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"no run_info\.json"):
        RunInfo.load(tmp_path / "run_info.json")
