"""Hostile archives and folders, generated at test time (nothing binary is committed).

What an LMS export or a student hands in: zips with entries that climb out of the
extraction folder (`../`, absolute paths, links), a zip bomb, names that are not UTF-8,
one nested folder plus macOS junk, duplicate names, an empty zip, a file that is not a
zip at all; folders whose exercise file is a link or a named pipe. Each is an Attack of
corpus.py, with the scores it must get.
"""

from __future__ import annotations

import os
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Callable

from kata.exercises import EXERCISES
from tests.grading.corpus import EXERCISE_FILES, SOLUTIONS, Attack, reference_submission

ALL = frozenset(exercise.id for exercise in EXERCISES)
WRONG_SOFTMAX = "\n\ndef softmax(logits):\n    return np.zeros(logits.shape)\n"


def write_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": zip_duplicates means it
        for name, data in entries:
            archive.writestr(name, data)
    return path


def honest_entries(prefix: str = "", skip: tuple[str, ...] = ()) -> list[tuple[str, bytes]]:
    return [(prefix + name, (SOLUTIONS / name).read_bytes()) for name in sorted(EXERCISE_FILES) if name not in skip]


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    """A zip entry that unzip (and a careless extractor) recreates as a symbolic link."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: external_attr holds st_mode
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def zip_slip(dest: Path, values: dict[str, str]) -> Path:
    climb = "../" * 12 + values["MARKERS"].lstrip("/")
    return write_zip(dest.with_suffix(".zip"), honest_entries() + [
        (f"{climb}/zip-slip-relative.py", b"escaped = True\n"),
        (f"{values['MARKERS']}/zip-slip-absolute.py", b"escaped = True\n"),
    ])


def zip_symlinks(dest: Path, values: dict[str, str]) -> Path:
    return write_zip(dest.with_suffix(".zip"), honest_entries(skip=("softmax.py",)) + [
        symlink_entry("softmax.py", str(SOLUTIONS / "softmax.py")),
        symlink_entry("escape", values["MARKERS"]),
        ("escape/zip-symlink-through.py", b"escaped = True\n"),
    ])


def zip_bomb(dest: Path, values: dict[str, str]) -> Path:
    """dense.py: the honest code followed by 256 MB of blanks (about 250 KB compressed)."""
    path = dest.with_suffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in honest_entries(skip=("dense.py",)):
            archive.writestr(name, data)
        with archive.open("dense.py", "w", force_zip64=True) as bomb:
            bomb.write((SOLUTIONS / "dense.py").read_bytes() + b"#")
            blanks = b" " * 2**20
            for _ in range(256):
                bomb.write(blanks)
    return path


def zip_non_utf8_names(dest: Path, values: dict[str, str]) -> Path:
    """Entries whose raw names are not UTF-8 (patched into the bytes after writing)."""
    path = write_zip(dest.with_suffix(".zip"), honest_entries() + [
        ("XXXXXX.py", b"x = 1\n"), ("rYsumY.txt", b"notes\n")])
    data = path.read_bytes().replace(b"XXXXXX.py", b"\xff\xfe\x80\x81\xc3(.py").replace(b"rYsumY", b"r\xe9sum\xe9")
    path.write_bytes(data)
    return path


def zip_bad_utf8_flag(dest: Path, values: dict[str, str]) -> Path:
    """An entry flagged UTF-8 whose name is not: Python's zipfile refuses the whole archive."""
    path = write_zip(dest.with_suffix(".zip"), honest_entries() + [("\u00e9XXXX.py", b"x = 1\n")])
    path.write_bytes(path.read_bytes().replace("\u00e9XXXX".encode(), b"\xff\xfeXXXX"))
    return path


def zip_nested(dest: Path, values: dict[str, str]) -> Path:
    """Everything in one folder, plus the __MACOSX/ junk a Mac's zip adds."""
    return write_zip(dest.with_suffix(".zip"), honest_entries("hw3-jane/") + [
        ("__MACOSX/hw3-jane/._softmax.py", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "),
        ("hw3-jane/.DS_Store", b"\x00\x00\x00\x01Bud1"),
    ])


def zip_duplicates(dest: Path, values: dict[str, str]) -> Path:
    """softmax.py twice: one honest, one wrong. Which one counts is ambiguous."""
    wrong = (SOLUTIONS / "softmax.py").read_bytes() + WRONG_SOFTMAX.encode()
    return write_zip(dest.with_suffix(".zip"), [("softmax.py", wrong)] + honest_entries())


def zip_empty(dest: Path, values: dict[str, str]) -> Path:
    return write_zip(dest.with_suffix(".zip"), [])


def not_a_zip(dest: Path, values: dict[str, str]) -> Path:
    path = dest.with_suffix(".zip")
    path.write_bytes(b"PK\x03\x04 this is not a zip archive, only its first bytes look like one" * 10)
    return path


def folder_symlink(dest: Path, values: dict[str, str]) -> Path:
    """softmax.py is a symbolic link to the reference solution."""
    reference_submission(dest)
    (dest / "softmax.py").unlink()
    (dest / "softmax.py").symlink_to(SOLUTIONS / "softmax.py")
    return dest


def folder_fifo(dest: Path, values: dict[str, str]) -> Path:
    """dense.py is a named pipe: a grader that opens it to copy it waits forever."""
    reference_submission(dest)
    (dest / "dense.py").unlink()
    os.mkfifo(dest / "dense.py")
    return dest


def _attack(build: Callable[[Path, dict[str, str]], Path], trick: str, zero: frozenset[str] | set[str]) -> Attack:
    return Attack(build.__name__, "archives", trick, frozenset(zero), build)


def archive_attacks() -> list[Attack]:
    softmax = {"softmax.softmax", "softmax.cross_entropy"}
    return [
        _attack(zip_slip, "honest files plus entries named ../../... and /absolute that must not be written", set()),
        _attack(zip_symlinks, "softmax.py is a symlink entry to the reference; a symlinked folder to write through", softmax),
        _attack(zip_bomb, "dense.py decompresses to 256 MB", {"dense.forward", "dense.backward"}),
        _attack(zip_non_utf8_names, "extra entries whose names are not UTF-8", set()),
        _attack(zip_bad_utf8_flag, "an entry flagged UTF-8 whose name is not: the archive cannot be read", ALL),
        _attack(zip_nested, "all files in one nested folder, plus __MACOSX/ and .DS_Store junk", set()),
        _attack(zip_duplicates, "softmax.py twice (one wrong, one honest)", softmax),
        _attack(zip_empty, "an empty zip", ALL),
        _attack(not_a_zip, "a .zip that is not a zip", ALL),
        _attack(folder_symlink, "a folder whose softmax.py is a symlink to the reference solution", softmax),
        _attack(folder_fifo, "a folder whose dense.py is a named pipe", {"dense.forward", "dense.backward"}),
    ]
