"""Running the grader's command line as an instructor would, and reading what it wrote."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.report import submission_folder
from tests.grading.archives import archive_attacks
from tests.grading.corpus import REPO, WRONG_PROGRAMS, folder_attacks
from kata.exercises import EXERCISES

FULL = {exercise.id: float(exercise.points) for exercise in EXERCISES}
ATTACKS = folder_attacks() + folder_attacks(WRONG_PROGRAMS) + archive_attacks()
BATCH_TIMEOUT = 600  # seconds; far above a healthy run (about 90 s on 2 idle cores): only catches a hung grader


def start_grader(submissions: list[Path], out: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The CLI in its own session, so a hung run can be killed with everything it started."""
    command = [sys.executable, "-m", "grader", "grade", *map(str, submissions), "--out", str(out), *options]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def finish(process: subprocess.Popen, timeout: float = BATCH_TIMEOUT) -> subprocess.CompletedProcess:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise AssertionError(f"the grader did not finish within {timeout} s; stderr:\n{stderr.decode()[-3000:]}")
    except BaseException:  # interrupted (Ctrl-C, pytest-timeout): leave nothing running
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout.decode(errors="replace"),
                                       stderr.decode(errors="replace"))


def read_gradebook(out: Path) -> list[dict[str, str]]:
    with open(out / "gradebook.csv", newline="") as f:
        return list(csv.DictReader(f))


def read_results(out: Path, submission: str) -> dict[str, Any]:
    return json.loads((submission_folder(out, submission) / "results.json").read_text())


def scores_of(row: dict[str, str]) -> dict[str, float]:
    """A gradebook row's per-exercise points."""
    return {exercise_id: float(row[exercise_id]) for exercise_id in FULL}


def live_processes() -> dict[int, str]:
    """pid -> command line of every process that is not a zombie."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return found


def private_tmp() -> Path:
    """A TMPDIR for one grading run: its temp folders (the workers' among them) land here.

    Mode 0711: the workers' users must pass through to their own folders.
    """
    folder = Path(tempfile.mkdtemp(prefix="kata-attack-tmp-"))
    folder.chmod(0o711)
    return folder


def grader_processes_since(before: dict[int, str], grader_tmp: Path) -> dict[int, str]:
    """Processes started since the snapshot `before` that belong to a grading run.

    The grader and its trusted pytest processes (forks of grader.trusted.forkserver) run
    `-m grader...` in this repository; the workers and anything they spawned work in a folder
    inside the run's TMPDIR. Other processes of this repository (a test run beside this
    one) are not the grader's.
    """
    found = {}
    for pid, command in live_processes().items():
        if pid in before:
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        if (cwd == str(REPO) and " -m grader" in command) or cwd.startswith(str(grader_tmp)):
            found[pid] = command
    return found


def tree_digest(path: Path) -> str:
    """A hash of a file or folder's names, kinds and contents (links and pipes are not followed)."""
    digest = hashlib.sha256()
    paths = [path] if not path.is_dir() or path.is_symlink() else sorted(path.rglob("*"))
    for item in paths:
        digest.update(str(item.relative_to(path.parent)).encode())
        if item.is_symlink():
            digest.update(b"link:" + os.readlink(item).encode())
        elif item.is_file():
            digest.update(item.read_bytes())
    return digest.hexdigest()


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=REPO, capture_output=True,
                          text=True).stdout


WORLD_WRITABLE = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/lock")]


@dataclass
class Batch:
    completed: subprocess.CompletedProcess
    out: Path
    markers: Path
    grader_tmp: Path
    secret: str
    submissions: dict[str, Path]
    digests_before: dict[str, str]
    rows: list[dict[str, str]]
    processes_before: dict[int, str]
    git_before: str


def row_of(batch: Batch, name: str) -> dict[str, str]:
    rows = [row for row in batch.rows if row["submission"] == name]
    assert len(rows) == 1, f"{len(rows)} gradebook rows for {name}; grader stderr:\n{batch.completed.stderr[-3000:]}"
    return rows[0]
