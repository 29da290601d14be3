"""The attack corpus and the wrong programs: submissions built at test time from solutions/.

Every folder of tests/grading/attacks/ is one trick, and every folder of
tests/grading/wrong/ one wrong (or right-but-unusual) program the judge must score exactly.
A folder holds only what it changes:

- `attack.toml`: `family`, `trick` (one line, what it does), `zero` (the exercise ids
  where it cheats: they must score 0; every other exercise must keep full points),
  optionally `[scores]` (exercise id = exact points, for a partial score such as a wrong
  program that loses 5 of 15) and optionally `requires = "root"`
  (or `"world"`: a filesystem of the worker's own, grader/trusted/world.py) with a comment saying why
  (a protection that only holds when the grader can run the worker as a separate user).
- an exercise file (`softmax.py`, ...): APPENDED to the reference solution's file, so it
  can redefine a function or patch a class method while the rest stays honest.
- any other file or folder (`numpy.py`, `pytest.ini`, `tests/hidden/...`): copied as is,
  minus a `.shipped` suffix: `conftest.py.shipped` and `test_*.py.shipped` are stored so,
  or pytest would load them while collecting this repository's own tests.

In the code, `{{MARKERS}}` (a world-writable folder where an attack leaves evidence of
what it managed to do), `{{REPO}}` (this repository, as an attacker who knows the layout
would guess it), `{{GRADER_TMP}}` (the grader's temp folder in this test) and `{{TEST_UID}}`
are replaced when the submission is built.

The archive attacks (zips with hostile entries) are built in code, in archives.py.
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.trusted.proxy import world_usable
from kata.exercises import BY_ID, EXERCISES, affected_by, modules

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions"
ATTACKS = Path(__file__).resolve().parent / "attacks"
WRONG_PROGRAMS = Path(__file__).resolve().parent / "wrong"
EXERCISE_FILES = {f"{name}.py" for name in modules()}


@dataclass(frozen=True)
class Attack:
    """One malicious submission and the exact scores it must get."""

    name: str
    family: str
    trick: str
    zero: frozenset[str]
    build: Callable[[Path, dict[str, str]], Path] = field(compare=False, repr=False)
    requires: str | None = None  # "root": only meaningful when the grader runs as root
    scores: dict[str, float] = field(default_factory=dict)  # exact partial scores
    status: str = "graded"  # the gradebook's status column must start with this

    def expected_scores(self) -> dict[str, float | None]:
        """0 where it cheats, its stated score where it is partly wrong, full points where its
        code is honest, None (not pinned, at most full) for an honest exercise whose file
        imports a cheating one (network.py runs conv.py's code), since how many of its checks
        the trick breaks is the trick's business."""
        pinned = {exercise_id: 0.0 for exercise_id in self.zero} | self.scores
        cheating_files = {BY_ID[exercise_id].module for exercise_id in pinned}
        tainted = set().union(*(affected_by(module) for module in cheating_files)) - set(pinned)
        return {e.id: pinned[e.id] if e.id in pinned else None if e.id in tainted else float(e.points)
                for e in EXERCISES}

    def skip_reason(self) -> str | None:
        """Why this attack cannot be run here, or None."""
        if not sys.platform.startswith("linux"):
            return "the attack corpus targets Linux (/proc, process groups, rlimits)"
        if self.requires in ("root", "world") and os.geteuid() != 0:
            return ("only holds when the grader runs as root (the worker then runs as a separate, "
                    "unprivileged user); as one user, the worker can reach whatever the grader can")
        if self.requires == "world" and not world_usable():
            return ("only holds where the worker gets a filesystem of its own (root, namespaces allowed, "
                    "a Python under /usr): see docs/security.md")
        return None


def substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def reference_submission(dest: Path) -> Path:
    """A copy of solutions/ (the exercise files only): the honest submission."""
    dest.mkdir(parents=True)
    for name in sorted(EXERCISE_FILES):
        shutil.copyfile(SOLUTIONS / name, dest / name)
    return dest


def folder_builder(source: Path) -> Callable[[Path, dict[str, str]], Path]:
    """Builds the submission of one attack folder (see the module docstring)."""

    def build(dest: Path, values: dict[str, str]) -> Path:
        reference_submission(dest)
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_dir() or relative.name == "attack.toml":
                continue
            text = substitute(path.read_text(), values)
            target = dest / relative.with_name(relative.name.removesuffix(".shipped"))
            target.parent.mkdir(parents=True, exist_ok=True)
            if str(relative) in EXERCISE_FILES:
                text = target.read_text() + "\n\n# ---- the attack ----\n" + text
            target.write_text(text)
        return dest

    return build


def folder_attacks(corpus: Path = ATTACKS) -> list[Attack]:
    attacks = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()) if corpus.is_dir() else []:
        meta = tomllib.loads((folder / "attack.toml").read_text())
        zero, scores = meta.get("zero", []), {key: float(value) for key, value in meta.get("scores", {}).items()}
        unknown = (set(zero) | set(scores)) - set(BY_ID)
        assert not unknown, f"{folder.name}/attack.toml: unknown exercise ids {unknown}"
        attacks.append(Attack(folder.name, meta["family"], meta["trick"], frozenset(zero),
                              folder_builder(folder), meta.get("requires"), scores))
    return attacks
