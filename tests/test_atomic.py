"""Atomic outputs: complete or absent, ordinary permissions, staged trees published whole."""

import stat

import pytest
from gainflow.files.atomic import atomic_file, publish_tree, staged_tree


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_file_is_an_ordinary_readable_file(tmp_path):
    target = tmp_path / "sub" / "out.csv"
    with atomic_file(target) as handle:
        handle.write(b"a,b\n")
    assert target.read_bytes() == b"a,b\n"
    assert mode(target) == 0o644  # not mkstemp's 0600
    assert [p.name for p in target.parent.iterdir()] == ["out.csv"]


def test_atomic_file_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as handle:
            handle.write(b"half")
            raise RuntimeError("failed mid-write")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_publish_tree_moves_every_file_and_replaces_older_ones(tmp_path):
    staging, target = tmp_path / "staging", tmp_path / "target"
    (staging / "layer0").mkdir(parents=True)
    (staging / "report.csv").write_text("new")
    (staging / "layer0" / "trace.csv").write_text("t")
    target.mkdir()
    (target / "report.csv").write_text("old")
    (target / "keep.txt").write_text("k")
    publish_tree(staging, target)
    assert (target / "report.csv").read_text() == "new"
    assert (target / "layer0" / "trace.csv").read_text() == "t"
    assert (target / "keep.txt").read_text() == "k"
    assert not any(p.is_file() for p in staging.rglob("*"))


def test_staged_tree_publishes_on_success_only(tmp_path):
    target = tmp_path / "run"
    with staged_tree(target, tmp_path) as staging:
        (staging / "layer0").mkdir()
        (staging / "layer0" / "a.csv").write_text("a")
    assert (target / "layer0" / "a.csv").read_text() == "a"
    with pytest.raises(RuntimeError):
        with staged_tree(target, tmp_path) as staging:
            (staging / "b.csv").write_text("b")
            raise RuntimeError("a later layer failed")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "run", "run/layer0", "run/layer0/a.csv"]


def test_a_killed_writers_temporary_file_goes_with_the_next_write(tmp_path):
    # What a writer killed mid-write leaves: its temporary file (no cleanup ran); and other outputs'.
    (tmp_path / ".out.csv.k3j_x9qz.tmp").write_text("half")
    (tmp_path / ".out.csv.gz.k3j_x9qz.tmp").write_text("another output's")
    (tmp_path / ".out.csv.k3j.x9qz.tmp").write_text("not one of ours")
    with atomic_file(tmp_path / "out.csv") as handle:
        handle.write(b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.csv.gz.k3j_x9qz.tmp", ".out.csv.k3j.x9qz.tmp", "out.csv"]
    assert (tmp_path / "out.csv").read_text() == "whole"


def test_a_killed_writers_staging_folder_goes_with_the_next_staging(tmp_path):
    (tmp_path / ".run.staging-ab_12cd" / "layer0").mkdir(parents=True)
    (tmp_path / ".run.staging-ab_12cd" / "layer0" / "half.csv").write_text("half")
    (tmp_path / ".run2.staging-ab_12cd").mkdir()  # another target's, maybe being written right now
    with staged_tree(tmp_path / "run", tmp_path) as staging:
        (staging / "a.csv").write_text("a")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run2.staging-ab_12cd", "run"]
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["a.csv"]
