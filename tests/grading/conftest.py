"""The grader's suites share ONE grading run: the attack corpus, the example class and the
layout cases, graded by the command line in one batch next to the reference (`batch`).

Grading is what costs (the whole hidden suite per submission), so each submission is graded
once; test_attacks.py and test_grading.py each assert what their submissions must score.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from authoring import example_class
from tests.grading.corpus import REPO, reference_submission
from tests.grading.harness import (ATTACKS, Batch, finish, git_status, live_processes, private_tmp, read_gradebook,
                                  start_grader, tree_digest)

RUNNABLE = [attack for attack in ATTACKS if attack.skip_reason() is None]

EXAMPLE_CLASS = ("half_done", "classic_bugs", "crashes_at_import")  # its reference is the batch's own


def missing_dense(dest: Path) -> Path:
    """The reference without dense.py: a layout case (a file the student never handed in)."""
    (reference_submission(dest) / "dense.py").unlink()
    return dest


@pytest.fixture(scope="session")
def batch(tmp_path_factory: pytest.TempPathFactory):
    """Builds every runnable attack, the reference and the layout cases, and grades them,
    with the example class, in one CLI run."""
    work = tmp_path_factory.mktemp("attacks")
    markers = Path(tempfile.mkdtemp(prefix="kata-attack-markers-"))
    (markers / "pids").mkdir()
    for folder in (markers, markers / "pids"):
        folder.chmod(0o777)  # the sandboxed worker (another user when run as root) leaves evidence here
    grader_tmp = private_tmp()  # the grader's TMPDIR: must end up empty
    values = {"MARKERS": str(markers), "REPO": str(REPO), "GRADER_TMP": str(grader_tmp), "TEST_UID": str(os.getuid())}
    submissions = {"reference": reference_submission(work / "reference")}
    for attack in RUNNABLE:
        submissions[attack.name] = attack.build(work / attack.name, values)
    example_class.build(work / "examples")
    submissions |= {name: work / "examples" / name for name in EXAMPLE_CLASS}
    submissions["no_dense"] = missing_dense(work / "no_dense")
    digests = {name: tree_digest(path) for name, path in submissions.items()}
    secret = secrets.token_hex(16)
    # KATA_SANDBOX_SHARED: the markers folder is the one thing of the host a worker's world holds.
    env = dict(os.environ, KATA_ATTACK_SECRET=secret, TMPDIR=str(grader_tmp), KATA_SANDBOX_SHARED=str(markers))
    processes, git_before = live_processes(), git_status()
    completed = finish(start_grader(list(submissions.values()), work / "out", "--jobs", "2", env=env))
    time.sleep(1.5)  # a daemon that outlived its worker would act within 0.5 s
    rows = read_gradebook(work / "out") if (work / "out" / "gradebook.csv").exists() else []
    yield Batch(completed, work / "out", markers, grader_tmp, secret, submissions, digests, rows, processes,
                git_before)
    shutil.rmtree(markers, ignore_errors=True)
    shutil.rmtree(grader_tmp, ignore_errors=True)


