"""Running the grader's command line as an instructor would, and reading what it wrote."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from grader.tests.corpus import REPO
from kata.exercises import EXERCISES

FULL = {exercise.id: float(exercise.points) for exercise in EXERCISES}
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
    return json.loads((out / submission / "results.json").read_text())


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

    The grader and its trusted pytest name this repository on their command line; the
    workers and anything they spawned work in a folder inside the run's TMPDIR.
    """
    found = {}
    for pid, command in live_processes().items():
        if pid in before:
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        if str(REPO) in command or cwd.startswith(str(grader_tmp)):
            found[pid] = command
    return found
