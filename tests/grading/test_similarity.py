"""Similarity: copies are flagged (renamed or not, and pasted judge code); honest work is not."""

from __future__ import annotations

import csv
from pathlib import Path

from grader import similarity
from grader.cli import main
from tests.grading.corpus import REPO

SOLUTIONS = {p.name: p.read_text() for p in (REPO / "solutions").glob("*.py")}
STUBS = {p.name: p.read_text() for p in (REPO / "exercises").glob("*.py")}
# Written apart from solutions/, as a student would: the same maths, their own code.
OWN_SOFTMAX = '''import numpy as np


def softmax(logits):
    shifted = logits - logits.max()
    e = np.exp(shifted)
    return e / e.sum()


def cross_entropy(logits, label):
    m = np.max(logits)
    lse = m + np.log(np.sum(np.exp(logits - m)))
    loss = lse - logits[label]
    grad = np.exp(logits - lse)
    grad[label] -= 1.0
    return float(loss), grad
'''


def flagged(submissions: dict[str, dict[str, str]]) -> set[tuple[str, str, str]]:
    pairs = similarity.compare(submissions, similarity.stub_files(), similarity.shipped_files())
    return {(p.file, p.a, p.b) for p in pairs}


def test_a_renamed_copy_is_flagged_and_honest_or_untouched_work_is_not():
    renamed = {name: text.replace("logits", "z").replace("image", "img") for name, text in SOLUTIONS.items()}
    found = flagged({"ref": SOLUTIONS, "renamed": renamed, "stubs": STUBS, "own": {"softmax.py": OWN_SOFTMAX}})
    assert ("softmax.py", "ref", "renamed") in found and ("conv.py", "ref", "renamed") in found
    assert not [pair for pair in found if "stubs" in pair or "own" in pair]  # the TODOs and stubs are everyone's


def test_judge_code_pasted_into_an_exercise_file_is_flagged():
    pasted = dict(STUBS, **{"maxpool.py": STUBS["maxpool.py"] + "\n" + (REPO / "kata" / "judge" / "checks.py").read_text()})
    found = flagged({"pasted": pasted, "ref": SOLUTIONS})
    assert ("maxpool.py", "pasted", "shipped: kata/judge/checks.py") in found


def test_the_command_writes_the_csv_and_the_page(tmp_path: Path):
    for name, files in {"alice": SOLUTIONS, "bob": SOLUTIONS, "carol": {"softmax.py": OWN_SOFTMAX}}.items():
        (tmp_path / name).mkdir()
        for file, text in files.items():
            (tmp_path / name / file).write_text(text)
    assert main(["similarity", *(str(tmp_path / n) for n in ("alice", "bob", "carol")), "--out", str(tmp_path / "out")]) == 0
    with open(tmp_path / "out" / "similarity.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {(r["a"], r["b"]) for r in rows} == {("alice", "bob")} and len(rows) == len(SOLUTIONS)
    assert all(r["share_a"] == "1.0" and r["lines_a"] for r in rows)
    assert "alice" in (tmp_path / "out" / "similarity.html").read_text()
