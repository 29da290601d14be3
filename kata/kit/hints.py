"""`make hint EX=conv.backward`: progressive hints, one more each time you ask.

Hints live beside each exercise file, in exercises/<module>.hints.toml, one table per
exercise id, ordered from the idea, to the shapes, to the formula (never the code):

    ["conv.backward"]
    hints = ["the idea ...", "the shapes ...", "the formula ..."]

    python -m kata.kit.hints conv.backward            the hints seen so far, plus the next one
    python -m kata.kit.hints conv.backward --level 2  exactly the first two

How many hints each exercise has revealed is remembered in .hints-seen.json (a small
JSON file beside exercises/, safe to delete: that starts every exercise over).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from kata.kit import atomic
from kata.exercises import exercises_in, modules, normalize, select

ROOT = Path(__file__).resolve().parents[2]
LABELS = ("the idea", "the shapes", "the formula")


class HintError(Exception):
    """A missing or malformed hints file."""


def hints_path(module: str, exercises_dir: Path = ROOT / "exercises") -> Path:
    return exercises_dir / f"{module}.hints.toml"


def load_hints(module: str, exercises_dir: Path = ROOT / "exercises") -> dict[str, list[str]]:
    """{exercise id: hints} of one exercise file, validated against the registry."""
    path = hints_path(module, exercises_dir)
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HintError(f"{path} not found: no hints for {module}.py yet") from None
    except tomllib.TOMLDecodeError as error:
        raise HintError(f"{path}: not valid TOML: {error}") from None
    expected = {exercise.id for exercise in exercises_in(module)}
    hints: dict[str, list[str]] = {}
    for key, table in tables.items():
        if key not in expected:
            raise HintError(f"{path}: [{key!r}] is not an exercise of {module}.py ({', '.join(sorted(expected))})")
        values = table.get("hints") if isinstance(table, dict) else None
        if not isinstance(values, list) or not all(isinstance(h, str) and h.strip() for h in values):
            raise HintError(f"{path}: [{key!r}] needs hints = [\"...\", ...], a list of non-empty strings")
        hints[key] = values
    return hints


def _load_seen(path: Path) -> dict[str, int]:
    try:
        seen = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in seen.items() if isinstance(v, int)} if isinstance(seen, dict) else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make hint EX=<exercise>", description=__doc__.splitlines()[0])
    parser.add_argument("exercise", nargs="?", help="an exercise id, e.g. conv.backward")
    parser.add_argument("--level", type=int, help="show exactly the first LEVEL hints")
    parser.add_argument("--exercises", type=Path, default=ROOT / "exercises", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    args.exercise = normalize(args.exercise)  # EX=conv.py means conv
    if not args.exercise:
        console.print("[red]error:[/red] which exercise? e.g. make hint EX=conv.backward "
                      "(`make test` lists every exercise)")
        return 2
    if args.exercise in modules():
        choices = ", ".join(f"EX={e.id}" for e in exercises_in(args.exercise))
        console.print(f"[red]error:[/red] {args.exercise}.py holds several exercises; ask for one: {choices}")
        return 2
    try:
        exercise = select(args.exercise)[0]
        hints = load_hints(exercise.module, args.exercises).get(exercise.id)
    except (ValueError, HintError) as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    if not hints:
        console.print(f"[red]error:[/red] no hints for {exercise.id} in {hints_path(exercise.module, args.exercises)}")
        return 2
    if args.level is not None and args.level < 1:
        console.print("[red]error:[/red] LEVEL counts from 1")
        return 2

    seen_path = args.exercises.parent / ".hints-seen.json"
    seen = _load_seen(seen_path)
    level = min(args.level if args.level is not None else seen.get(exercise.id, 0) + 1, len(hints))
    seen[exercise.id] = max(level, seen.get(exercise.id, 0))
    try:
        atomic.write_text(seen_path, json.dumps(seen, indent=1, sort_keys=True))
    except OSError:
        pass  # remembering is a convenience; the hints are shown anyway
    for number, hint in enumerate(hints[:level], start=1):
        label = f" ({LABELS[number - 1]})" if number <= len(LABELS) else ""
        console.print(Panel(hint, title=f"{exercise.id}: hint {number}/{len(hints)}{label}", title_align="left"))
    # Say what THIS output showed: LEVEL=2 after seeing all three still shows two of three,
    # so it is not "the last hint"; the next command asks for exactly the next level.
    if level < len(hints):
        again = f"`make hint EX={exercise.id} LEVEL={level + 1}`" if args.level is not None \
            else f"`make hint EX={exercise.id}` again"
        console.print(f"Shown {level} of {len(hints)} hints. Still stuck? {again} shows hint {level + 1}/{len(hints)}.")
    else:
        console.print(f"That was the last hint ({level} of {len(hints)}). The docstring and TODO steps in "
                      f"exercises/{exercise.module}.py give the shapes; `make test EX={exercise.id}` shows what "
                      "is still wrong.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
