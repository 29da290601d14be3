"""Atomic writes leave whole files with the usual permissions, and nothing on failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kata.kit.atomic import atomic_path, write_text


@pytest.fixture
def umask():
    """Sets the process's umask for one test, then restores it."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)],
                         ids=["umask 022", "umask 002", "umask 077"])
def test_written_files_respect_the_umask(tmp_path: Path, umask, mask: int, mode: int):
    umask(mask)
    write_text(tmp_path / "gradebook.csv", "id,score\n")
    with atomic_path(tmp_path / "plots" / "loss.png") as temp:
        temp.write_bytes(b"\x89PNG")  # as matplotlib's savefig writes to the yielded path
    for written in (tmp_path / "gradebook.csv", tmp_path / "plots" / "loss.png"):
        assert stat.S_IMODE(written.stat().st_mode) == mode, written


def test_replaces_the_old_file_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "training.json"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert sorted(tmp_path.iterdir()) == [target]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path):
    target = tmp_path / "training.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(tmp_path.iterdir()) == [target]
