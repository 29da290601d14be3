"""Stubs: a solution file with its fenced reference code taken out, and telling one untouched.

In a solution file, the part a student writes is fenced:

        # TODO 1. ...            <- kept: the steps the student follows
        # BEGIN SOLUTION
        ...reference code...     <- replaced by a NotImplementedError naming the function
        # END SOLUTION

Everything else (docstrings, signatures, constructors, TODO lists) is copied as it is.
Each stub starts with a header recording a hash of its own body, so a pristine stub (safe
to regenerate) can be told from one a person has edited (never overwritten without a
timestamped backup). authoring/stubgen.py writes exercises/ with these; the student's
`make reset` and `make submission` use them to tell edited files from untouched ones.
"""

from __future__ import annotations

import ast
import hashlib
import shutil
import time
from pathlib import Path
from typing import Collection

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
