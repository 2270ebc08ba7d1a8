"""The reference data under tests/data is all there, byte for byte as its SHA256SUMS manifests list it
(the manifests are written by the scripts that make the data: scripts/make_golden.py and
scripts/copy_scalesim_corpus.py)."""

import hashlib

import pytest
from data_support import GOLDEN, MANIFEST, MANIFEST_FOLDERS, SCALESIM, case_dirs, listed_files

HAND_WRITTEN = {MANIFEST, "README.md", "LICENSE"}


@pytest.mark.parametrize("folder", MANIFEST_FOLDERS, ids=lambda folder: folder.name)
def test_folder_holds_exactly_the_listed_files(folder):
    listed = listed_files(folder)
    on_disk = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}
    assert sorted(on_disk.keys() - HAND_WRITTEN) == sorted(listed)
    for name, digest in listed.items():
        assert hashlib.sha256(on_disk[name].read_bytes()).hexdigest() == digest, name
    assert (folder / "README.md").is_file()


def test_golden_set_is_the_twelve_documented_cases():
    assert [case.name for case in case_dirs(GOLDEN)] == [
        "alexnet_conv1_ws", "dp_os", "ns_conv_is", "ns_conv_os", "ns_conv_ws", "resnet50_l01_os",
        "tiny_conv_is", "tiny_conv_os", "tiny_conv_ws", "tiny_gemm_is", "tiny_gemm_os", "tiny_gemm_ws"]


def test_scalesim_corpus_is_its_117_topologies_and_3_configs():
    names = listed_files(SCALESIM)
    assert sum(name.startswith("topologies/") and name.endswith(".csv") for name in names) == 117
    assert sorted(name for name in names if name.startswith("configs/")) == [
        "configs/eyeriss.cfg", "configs/google.cfg", "configs/scale.cfg"]
    assert len(names) == 120
