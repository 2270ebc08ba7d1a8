"""File-level errors, the same for every input the parsers read (one reader: gainflow.inputs.inputfile)."""

import pytest
from gainflow.errors import InputError
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.inputs.topology import load_topology

LOADERS = {"topology": load_topology, "config": load_hardware_config}


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS.keys())
def test_missing_file(tmp_path, loader):
    with pytest.raises(InputError, match="not found") as caught:
        loader(tmp_path / "absent")
    assert caught.value.path == str(tmp_path / "absent")


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS.keys())
def test_directory_instead_of_file(tmp_path, loader):
    with pytest.raises(InputError, match="got a directory"):
        loader(tmp_path)


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS.keys())
def test_binary_file(tmp_path, loader):
    path = tmp_path / "binary"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not a UTF-8 text file") as caught:
        loader(path)
    assert caught.value.path == str(path)
