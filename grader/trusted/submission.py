"""Reading a submission: a folder or a .zip holding the student's exercise files.

Only the allow-listed names (conv.py, dense.py, ... from kata/exercises.py) are taken,
at the top or in exactly one nested folder (the usual "zip of my folder"). Everything
else is ignored: other files, deeper folders, symlinks, devices, `../` or absolute zip
paths. Files are read into memory with a size cap (so a zip bomb inflates at most that
much), and the grader only ever works on these bytes, never on the original path.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kata.exercises import modules

from grader.trusted.policy import MAX_FILE_BYTES

ALLOWED = frozenset(f"{module}.py" for module in modules())
IGNORED_FOLDERS = ("__MACOSX",)


class SubmissionError(Exception):
    """The submission cannot be read at all (not a zip, ambiguous layout): scores 0."""


@dataclass
class Submission:
    files: dict[str, bytes] = field(default_factory=dict)  # "conv.py" -> content
    problems: dict[str, str] = field(default_factory=dict)  # "conv.py" -> why it was refused

    def accept(self, name: str, data: bytes) -> None:
        """Keep a file read with a cap of MAX_FILE_BYTES + 1 bytes, unless it hit the cap."""
        if len(data) > MAX_FILE_BYTES:
            self.problems[name] = f"{name} is larger than {MAX_FILE_BYTES // 1024} KB: not graded"
        else:
            self.files[name] = data


def _choose_folder(candidates: dict[tuple[str, str], object]) -> str:
    """The one folder ("" = top) holding exercise files; SubmissionError when ambiguous."""
    folders = sorted({folder for folder, _ in candidates})
    if not folders or "" in folders:
        return ""
    if len(folders) > 1:
        raise SubmissionError(f"exercise files in several folders ({', '.join(folders)}): "
                              "put them at the top or in one folder")
    return folders[0]


def _candidate(parts: tuple[str, ...]) -> tuple[str, str] | None:
    """(folder, name) for an allow-listed file at depth 0 or 1, else None."""
    if len(parts) not in (1, 2) or parts[-1] not in ALLOWED:
        return None
    if len(parts) == 2 and (parts[0].startswith(".") or parts[0] in IGNORED_FOLDERS or parts[0] in ("..", "")):
        return None
    return ("" if len(parts) == 1 else parts[0], parts[-1])


def read_zip(path: Path) -> Submission:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SubmissionError(f"{path.name} is not a readable zip file ({error})") from None
    submission, found, seen = Submission(), {}, set()
    with archive:
        for info in archive.infolist():
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
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as error:
                submission.problems[name] = f"{name} could not be extracted ({error}): not graded"
                continue
            submission.accept(name, data)
    return submission


def _read_regular(path: Path) -> bytes | None:
    """A regular file's bytes (never through a symlink), capped; None if it is not one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(MAX_FILE_BYTES + 1)


def read_folder(path: Path) -> Submission:
    found: dict[tuple[str, str], Path] = {}
    try:
        top = list(os.scandir(path))
        for entry in top:
            if entry.is_dir(follow_symlinks=False) and _candidate((entry.name, "x.py")) is not None:
                for inner in os.scandir(entry.path):
                    key = _candidate((entry.name, inner.name))
                    if key is not None and inner.is_file(follow_symlinks=False):
                        found[key] = Path(inner.path)
            key = _candidate((entry.name,))
            if key is not None and entry.is_file(follow_symlinks=False):
                found[key] = Path(entry.path)
    except OSError as error:
        raise SubmissionError(f"{path.name} cannot be read ({error.strerror})") from None
    submission = Submission()
    folder = _choose_folder(found)
    for (where, name), file in found.items():
        if where != folder:
            continue
        data = _read_regular(file)
        if data is not None:
            submission.accept(name, data)
    return submission


def read_submission(path: Path) -> Submission:
    """The allow-listed files of a folder or .zip; SubmissionError if it cannot be read."""
    if path.is_dir():
        return read_folder(path)
    return read_zip(path)


def submission_name(path: Path) -> str:
    """The gradebook's name for a submission: its base name without .zip."""
    name = path.name
    return name[:-4] if name.lower().endswith(".zip") and len(name) > 4 else name
