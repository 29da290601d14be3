"""The bundled example class, generated from solutions/ and authoring/bugs.py into build/examples/.

    reference          solutions/ as they are: full marks
    half_done          the first half of the exercise files solved, the rest still stubs
    classic_bugs       solutions/ with the seed tutorial's classic bugs (CLASSIC, from authoring/bugs.py)
    crashes_at_import  solutions/ whose last seed file fails at import (a stray debug line)

`make grade` with no SUBS builds this class (again whenever solutions/ or the bug
catalogue change) and grades it. It is generated, never committed: a solution change
shows up once in review, and the class cannot drift from its sources.

    python -m authoring.example_class [--out build/examples]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

from authoring import bugs
from kata.exercises import EXERCISES, modules

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "build" / "examples"
SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"
CRASH_LINE = "\n# A debugging line left behind: `image` exists only inside forward.\nprint(image.shape)\n"


# The mistakes the seed tutorial itself makes or invites (see authoring/bugs.py for each one).
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.example_class", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES, help="where the class goes (default build/examples)")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Built beside its place and swapped in, so a grading run never sees half a class.
    with tempfile.TemporaryDirectory(dir=args.out.parent, prefix=".examples-") as scratch:
        generated = Path(scratch) / "examples"
        build(generated)
        shutil.rmtree(args.out, ignore_errors=True)
        generated.rename(args.out)
    print(f"wrote {len(BUILDERS)} example submissions in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
