"""Reading a submission, once: a folder or a .zip holding the student's exercise files.

Only the allow-listed names (conv.py, dense.py, ... from kata/exercises.py) are taken, from
the one folder that holds them: the top, or a folder up to SUBMISSION_DEPTH levels down (the
usual "zip of my folder", or a zipped handout: cnn-kata/exercises/conv.py). Dot-folders
(.venv, .git), __MACOSX and other tool folders are never searched. Everything else is
ignored: other files, symlinks, devices, `../` or absolute zip paths.

Files are read into memory with a size cap (so a zip bomb inflates at most that much),
and everything downstream (the resume hash, the ban scan, the worker's copy, the
feedback) works on these bytes, never on the original path again. Reading never raises:
whatever a folder or an archive does wrong becomes the submission's `unreadable` reason,
or one file's entry in `problems`.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kata.exercises import modules

from grader.trusted.policy import MAX_FILE_BYTES, SUBMISSION_DEPTH, SUBMISSION_ENTRIES

ALLOWED = frozenset(f"{module}.py" for module in modules())
NO_PASSWORD = "Zip the files again without a password (a plain `zip` or your system's Compress)."
IGNORED_FOLDERS = frozenset({"__MACOSX", "__pycache__", "site-packages", "node_modules"})  # and dot-folders


@dataclass
class Submission:
    files: dict[str, bytes] = field(default_factory=dict)  # "conv.py" -> content
    problems: dict[str, str] = field(default_factory=dict)  # "conv.py" -> why it was refused
    unreadable: str | None = None  # why nothing of it can be graded (not a zip, ambiguous layout)

    def accept(self, name: str, data: bytes) -> None:
        """Keep a file read with a cap of MAX_FILE_BYTES + 1 bytes, unless it hit the cap."""
        if len(data) > MAX_FILE_BYTES:
            self.problems[name] = f"{name} is larger than {MAX_FILE_BYTES // 1024} KB: not graded"
        else:
            self.files[name] = data

    @property
    def empty(self) -> bool:
        """Readable, but no exercise file in it at all."""
        return self.unreadable is None and not self.files and not self.problems


class Unreadable(Exception):
    """Raised inside this module only; read_submission turns it into Submission.unreadable."""


def _searched(folder: str) -> bool:
    return not (folder.startswith(".") or folder in IGNORED_FOLDERS or folder == "")


def _candidate(parts: tuple[str, ...]) -> tuple[str, str] | None:
    """(folder, name) for an allow-listed file at most SUBMISSION_DEPTH folders down, else None."""
    if not parts or len(parts) > SUBMISSION_DEPTH + 1 or parts[-1] not in ALLOWED:
        return None
    if not all(_searched(folder) for folder in parts[:-1]):
        return None
    return "/".join(parts[:-1]), parts[-1]


def _choose_folder(candidates: dict[tuple[str, str], object]) -> str:
    """The one folder ("" = top) holding exercise files; files at the top win."""
    folders = sorted({folder for folder, _ in candidates})
    if not folders or "" in folders:
        return ""
    if len(folders) > 1:
        raise Unreadable(f"exercise files in several folders ({', '.join(folders)}): "
                         "keep one copy of each file, at the top or in one folder")
    return folders[0]


def _read_zip(path: Path) -> Submission:
    try:
        archive = zipfile.ZipFile(path)
    except Exception as error:  # BadZipFile, OSError, EOFError, struct.error...: never the batch's problem
        raise Unreadable(f"{path.name} is not a readable zip file ({type(error).__name__}: {error})") from None
    submission, found, seen = Submission(), {}, set()
    with archive:
        for info in archive.infolist()[:SUBMISSION_ENTRIES]:
            posix = PurePosixPath(info.filename.replace("\\", "/"))
            is_link = stat.S_ISLNK(info.external_attr >> 16)
            if info.is_dir() or is_link or posix.is_absolute() or ".." in posix.parts:
                continue
            key = _candidate(posix.parts)
            if key is None:
                continue
            if key in seen:
                submission.problems[key[1]] = f"{key[1]} appears more than once in the zip: not graded"
            seen.add(key)
            found[key] = info
        folder = _choose_folder(found)
        for (where, name), info in found.items():
            if where != folder or name in submission.problems:
                continue
            if info.flag_bits & 0x1:  # the encryption bit: zipfile would ask for a password
                submission.problems[name] = f"{name} is password-protected in the zip: not graded. {NO_PASSWORD}"
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)
            except Exception as error:  # zlib.error, RuntimeError, NotImplementedError, CRC errors...
                submission.problems[name] = (f"{name} could not be extracted from the zip "
                                             f"({type(error).__name__}: {error}): not graded")
                continue
            submission.accept(name, data)
    if found and all(info.flag_bits & 0x1 for info in found.values()):
        raise Unreadable(f"{path.name} is password-protected: not graded. {NO_PASSWORD}")
    return submission


def _read_regular(path: str) -> bytes | None:
    """A regular file's bytes (never through a symlink), capped; None if it is not one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(MAX_FILE_BYTES + 1)


def _read_folder(path: Path) -> Submission:
    found: dict[tuple[str, str], str] = {}
    looked_at = 0
    pending: list[tuple[str, tuple[str, ...]]] = [(str(path), ())]
    try:
        while pending and looked_at < SUBMISSION_ENTRIES:
            folder, parts = pending.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    looked_at += 1
                    if entry.is_dir(follow_symlinks=False):
                        if len(parts) < SUBMISSION_DEPTH and _searched(entry.name):
                            pending.append((entry.path, (*parts, entry.name)))
                        continue
                    key = _candidate((*parts, entry.name))
                    if key is not None and entry.is_file(follow_symlinks=False):
                        found[key] = entry.path
    except OSError as error:
        raise Unreadable(f"{path.name} cannot be read ({error.strerror})") from None
    submission = Submission()
    folder = _choose_folder(found)
    for (where, name), file in found.items():
        data = _read_regular(file) if where == folder else None
        if data is not None:
            submission.accept(name, data)
    return submission


def read_submission(path: Path) -> Submission:
    """The allow-listed files of a folder or .zip, read once; never raises."""
    try:
        return _read_folder(path) if path.is_dir() else _read_zip(path)
    except Unreadable as error:
        return Submission(unreadable=str(error))


def submission_name(path: Path) -> str:
    """The gradebook's name for a submission: its base name without .zip."""
    name = path.name
    return name[:-4] if name.lower().endswith(".zip") and len(name) > 4 else name
