"""Hostile archives and folders, generated at test time (nothing binary is committed).

What an LMS export or a student hands in: zips with entries that climb out of the
extraction folder (`../`, absolute paths, links), a zip bomb, names that are not UTF-8,
one nested folder plus macOS junk, duplicate names, an empty zip, a file that is not a
zip at all, password-protected and corrupt entries, a zipped handout, a name that is one of
the grader's own files; folders whose exercise file is a link or a named pipe, nested
folders, an empty folder. Each is an Attack of corpus.py, with the scores and the status it
must get.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
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


def zip_password(dest: Path, values: dict[str, str]) -> Path:
    """`zip -e`: every entry encrypted (Python's zipfile cannot write one; Info-ZIP's zip can)."""
    honest = reference_submission(dest.parent / f"{dest.name}-files")
    path = dest.with_suffix(".zip")
    subprocess.run(["zip", "-q", "-P", "secret", str(path), *sorted(EXERCISE_FILES)], cwd=honest, check=True)
    shutil.rmtree(honest)
    return path


def _patch_flag_bits(data: bytes, name: bytes, bit: int) -> bytes:
    """Set a general-purpose flag bit of one entry, in its local and its central header."""
    data = bytearray(data)
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at:start + name_at + len(name)] == name:
                data[start + flag_at] |= bit
            start += 4
    return bytes(data)


def zip_encryption_bit(dest: Path, values: dict[str, str]) -> Path:
    """dense.py's entry has only the encryption flag bit set: its data is plain."""
    path = write_zip(dest.with_suffix(".zip"), honest_entries())
    path.write_bytes(_patch_flag_bits(path.read_bytes(), b"dense.py", 0x1))
    return path


def zip_corrupt_deflate(dest: Path, values: dict[str, str]) -> Path:
    """conv.py's deflate stream is garbage (zlib.error, which is not an OSError)."""
    path = write_zip(dest.with_suffix(".zip"), honest_entries())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("conv.py")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + 64] = b"\xff" * 64  # an invalid block type at the start of the stream
    path.write_bytes(bytes(data))
    return path


def zip_named_like_the_gradebook(dest: Path, values: dict[str, str]) -> Path:
    """An honest zip named gradebook.csv.zip: its results must not collide with gradebook.csv."""
    return write_zip(dest.parent / "gradebook.csv.zip", honest_entries())


def zip_handout(dest: Path, values: dict[str, str]) -> Path:
    """The student zipped their whole handout folder: files at cnn-kata/exercises/ (depth 2),
    with wrong decoys in its .venv and a __MACOSX copy, and the public tests beside them."""
    wrong = (SOLUTIONS / "softmax.py").read_bytes() + WRONG_SOFTMAX.encode()
    return write_zip(dest.with_suffix(".zip"), honest_entries("cnn-kata/exercises/") + [
        ("cnn-kata/.venv/lib/python3.11/site-packages/softmax.py", wrong),
        ("__MACOSX/cnn-kata/exercises/softmax.py", wrong),
        ("cnn-kata/tests/public/test_softmax.py", b"def test_nothing():\n    pass\n"),
        ("cnn-kata/README.md", b"# CNN kata\n"),
    ])


def zip_two_folders(dest: Path, values: dict[str, str]) -> Path:
    """Exercise files in two folders (an old copy kept beside the new one): ambiguous."""
    return write_zip(dest.with_suffix(".zip"), honest_entries("hw/") + honest_entries("hw-old/", skip=("conv.py",)))


def zip_no_exercise_files(dest: Path, values: dict[str, str]) -> Path:
    return write_zip(dest.with_suffix(".zip"), [("notes.txt", b"I did not finish\n"), ("hw/README.md", b"# hw\n")])


def folder_nested_deep(dest: Path, values: dict[str, str]) -> Path:
    """alice/hw1/*.py: a folder holding a folder holding the files (and a .venv decoy)."""
    reference_submission(dest / "hw1" / "src")
    decoy = dest / ".venv" / "lib" / "softmax.py"
    decoy.parent.mkdir(parents=True)
    decoy.write_bytes((SOLUTIONS / "softmax.py").read_bytes() + WRONG_SOFTMAX.encode())
    return dest


def folder_empty(dest: Path, values: dict[str, str]) -> Path:
    dest.mkdir(parents=True)
    return dest


def _attack(build: Callable[[Path, dict[str, str]], Path], trick: str, zero: frozenset[str] | set[str],
            status: str = "graded", name: str = "") -> Attack:
    return Attack(name or build.__name__, "archives", trick, frozenset(zero), build, status=status)


def archive_attacks() -> list[Attack]:
    softmax = {"softmax.softmax", "softmax.cross_entropy"}
    return [
        _attack(zip_slip, "honest files plus entries named ../../... and /absolute that must not be written", set()),
        _attack(zip_symlinks, "softmax.py is a symlink entry to the reference; a symlinked folder to write through", softmax),
        _attack(zip_bomb, "dense.py decompresses to 256 MB", {"dense.forward", "dense.backward"}),
        _attack(zip_non_utf8_names, "extra entries whose names are not UTF-8", set()),
        _attack(zip_bad_utf8_flag, "an entry flagged UTF-8 whose name is not: the archive cannot be read", ALL,
                "error: zip_bad_utf8_flag.zip is not a readable zip file"),
        _attack(zip_nested, "all files in one nested folder, plus __MACOSX/ and .DS_Store junk", set()),
        _attack(zip_duplicates, "softmax.py twice (one wrong, one honest)", softmax),
        _attack(zip_empty, "an empty zip", ALL, "no exercise files"),
        _attack(not_a_zip, "a .zip that is not a zip", ALL, "error: not_a_zip.zip is not a readable zip file"),
        _attack(zip_password, "zip -e: every entry password-protected", ALL,
                "error: zip_password.zip is password-protected"),
        _attack(zip_encryption_bit, "dense.py's entry has only the encryption flag bit set", {"dense.forward", "dense.backward"}),
        _attack(zip_corrupt_deflate, "conv.py's deflate stream is corrupt", {"conv.forward", "conv.backward"}),
        _attack(zip_named_like_the_gradebook, "an honest zip named gradebook.csv.zip", set(), name="gradebook.csv"),
        _attack(zip_handout, "the whole handout zipped: cnn-kata/exercises/*.py, decoys in .venv and __MACOSX", set()),
        _attack(zip_two_folders, "exercise files in two folders, hw/ and hw-old/", ALL,
                "error: exercise files in several folders (hw, hw-old)"),
        _attack(zip_no_exercise_files, "a zip with a text file and a README only", ALL, "no exercise files"),
        _attack(folder_nested_deep, "a folder holding hw1/src/*.py, and a wrong decoy in .venv", set()),
        _attack(folder_empty, "an empty folder", ALL, "no exercise files"),
        _attack(folder_symlink, "a folder whose softmax.py is a symlink to the reference solution", softmax),
        _attack(folder_fifo, "a folder whose dense.py is a named pipe", {"dense.forward", "dense.backward"}),
    ]
