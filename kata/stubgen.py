"""Generate the exercise stubs in exercises/ from the reference code in solutions/.

In a solution file, the part a student writes is fenced:

        # TODO 1. ...            <- kept: the steps the student follows
        # BEGIN SOLUTION
        ...reference code...     <- replaced by a NotImplementedError naming the function
        # END SOLUTION

Everything else (docstrings, signatures, constructors, TODO lists) is copied as it is.
Each stub starts with a header recording a hash of its own body, so the generator can tell
a pristine stub (safe to regenerate) from one a person has edited (never overwritten
without --force, and then only after a timestamped backup).

    python -m kata.stubgen                 write missing or outdated pristine stubs
    python -m kata.stubgen --check         exit 1 if exercises/ differs from the generation
    python -m kata.stubgen --force conv    restore exercises/conv.py, backing up the old one
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import shutil
import sys
import time
from pathlib import Path
from typing import Collection

from kata.exercises import modules

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
HASH_PREFIX = "# stub-hash: "


class StubError(Exception):
    """A solution file whose markers cannot be turned into a stub."""


def _function_names(source: str) -> dict[int, str]:
    """Line number -> qualified name of the innermost function containing it."""
    names: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                qualname = prefix + child.name
                if isinstance(child, ast.FunctionDef):
                    for line in range(child.lineno, child.end_lineno + 1):
                        names[line] = qualname
                visit(child, qualname + ".")

    visit(ast.parse(source), "")
    return names


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def make_stub(source: str, module: str, functions: Collection[str] | None = None) -> str:
    """The stub text for one solution file (header included).

    functions: stub only the blocks inside functions of these names (e.g. {"backward"}),
        keeping the others' solution code; None stubs every block. The tooling tests use
        it to prove that each exercise's tests call that exercise's code.
    """
    names = _function_names(source)
    out: list[str] = []
    inside = keep = False
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside or number not in names:
                raise StubError(f"{module}.py:{number}: {BEGIN} must open a block inside a function")
            inside = True
            keep = functions is not None and names[number].split(".")[-1] not in functions
            if not keep:
                indent = line[: len(line) - len(line.lstrip())]
                what = f"{module}.{names[number]}"
                out.append(f'{indent}raise NotImplementedError("{what} is not written yet: follow its TODO steps")\n')
        elif marker == END:
            if not inside:
                raise StubError(f"{module}.py:{number}: {END} without {BEGIN}")
            inside = False
        elif not inside or keep:
            out.append(line)
    if inside:
        raise StubError(f"{module}.py: {BEGIN} is never closed")
    body = "".join(out)
    header = (
        f"# Exercise stub generated from solutions/{module}.py by `make exercises`.\n"
        f"# Replace each NotImplementedError with your code; `make reset EX={module}` restores\n"
        f"# this file and keeps yours as a timestamped backup.\n"
        f"{HASH_PREFIX}{body_hash(body)}\n"
    )
    return header + body


def is_pristine(text: str) -> bool:
    """True when a stub file is exactly as generated (its body matches its recorded hash)."""
    lines = text.splitlines(keepends=True)
    if len(lines) < 4 or not lines[3].startswith(HASH_PREFIX):
        return False
    return lines[3][len(HASH_PREFIX):].strip() == body_hash("".join(lines[4:]))


def backup(path: Path) -> Path:
    """Copy path to path.bak-YYYYmmdd-HHMMSS (never overwriting an older backup)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while target.exists():
        target, n = path.with_name(f"{path.name}.bak-{stamp}-{n}"), n + 1
    shutil.copy2(path, target)
    return target


def generate(solutions: Path, exercises: Path, only: list[str], force: bool, check: bool) -> int:
    """Write (or with check, compare) the stubs; returns the process exit code."""
    status = 0
    for module in only or modules():
        source_path, stub_path = solutions / f"{module}.py", exercises / f"{module}.py"
        stub = make_stub(source_path.read_text(), module)
        current = stub_path.read_text() if stub_path.exists() else None
        if current == stub:
            continue
        if check:
            print(f"{stub_path} differs from what `make exercises` generates from {source_path}")
            status = 1
        elif current is not None and not is_pristine(current) and not force:
            print(f"{stub_path} has your edits: left as it is (`make reset EX={module}` "
                  "restores the stub and keeps a backup of yours)")
        else:
            if current is not None and not is_pristine(current):
                print(f"saved your version as {backup(stub_path)}")
            stub_path.parent.mkdir(parents=True, exist_ok=True)
            stub_path.write_text(stub)
            print(f"wrote {stub_path}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kata.stubgen", description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"only these files (of: {', '.join(modules())})")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")
    parser.add_argument("--force", action="store_true", help="overwrite edited stubs (after a backup)")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--exercises", type=Path, default=ROOT / "exercises")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.modules) - set(modules()))
    if unknown:
        parser.error(f"unknown exercise file(s) {', '.join(unknown)}; choose from {', '.join(modules())}")
    try:
        return generate(args.solutions, args.exercises, args.modules, args.force, args.check)
    except (StubError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
