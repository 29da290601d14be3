"""The bundled example class in grader/examples/, generated from solutions/ and kata/bugs.py.

    reference          solutions/ as they are: full marks
    half_done          the first half of the exercise files solved, the rest still stubs
    classic_bugs       solutions/ with the seed tutorial's classic bugs (CLASSIC, from kata/bugs.py)
    crashes_at_import  solutions/ whose last seed file fails at import (a stray debug line)

`make grade` grades this class. The folders are committed (so they are easy to browse) and
regenerated from their sources, so they cannot drift apart from them:

    python -m grader.example_class            rewrite grader/examples/
    python -m grader.example_class --check    exit 1 if grader/examples/ differs
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

from kata import bugs
from kata.exercises import EXERCISES, modules

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "grader" / "examples"
SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"
CRASH_LINE = "\n# A debugging line left behind: `image` exists only inside forward.\nprint(image.shape)\n"


# The mistakes the seed tutorial itself makes or invites (see kata/bugs.py for each one).
CLASSIC = ("softmax without subtracting the max", "ties double-counted in max pooling",
           "= instead of += in conv backward")


def classic() -> list[bugs.Bug]:
    return [bugs.BY_NAME[name] for name in CLASSIC]


def crashing_module() -> str:
    """The file that crashes at import: the last file of the seed track."""
    return [e.module for e in EXERCISES if e.track == "seed"][-1]


def solved_half() -> list[str]:
    """The files the half-done student finished: the first half, in teaching order."""
    names = modules()
    return names[: len(names) // 2]


def _copy(source: Path, dest: Path, names: list[str]) -> None:
    for name in names:
        shutil.copyfile(source / f"{name}.py", dest / f"{name}.py")


def reference(dest: Path) -> None:
    _copy(SOLUTIONS, dest, modules())


def half_done(dest: Path) -> None:
    _copy(SOLUTIONS, dest, solved_half())
    _copy(STUBS, dest, [m for m in modules() if m not in solved_half()])


def classic_bugs(dest: Path) -> None:
    bugs.apply(classic(), SOLUTIONS, dest)


def crashes_at_import(dest: Path) -> None:
    reference(dest)
    path = dest / f"{crashing_module()}.py"
    path.write_text(path.read_text() + CRASH_LINE)


BUILDERS: dict[str, Callable[[Path], None]] = {
    "reference": reference, "half_done": half_done, "classic_bugs": classic_bugs,
    "crashes_at_import": crashes_at_import,
}


def build(into: Path) -> None:
    for name, builder in BUILDERS.items():
        (into / name).mkdir(parents=True)
        builder(into / name)


def differences(generated: Path, committed: Path) -> list[str]:
    """Files that differ between two example folders (relative paths)."""
    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.py")} if root.exists() else {}
    new, old = files(generated), files(committed)
    return sorted(name for name in new.keys() | old.keys() if new.get(name) != old.get(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.example_class", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        generated = Path(scratch) / "examples"
        build(generated)
        changed = differences(generated, EXAMPLES)
        if args.check:
            for name in changed:
                print(f"grader/examples/{name} differs from what `python -m grader.example_class` generates")
            return 1 if changed else 0
        for name in BUILDERS:
            shutil.rmtree(EXAMPLES / name, ignore_errors=True)
            shutil.copytree(generated / name, EXAMPLES / name)
        print(f"wrote {len(BUILDERS)} example submissions in {EXAMPLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
