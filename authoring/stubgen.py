"""`make exercises`: generate the exercise stubs in exercises/ from the reference code in solutions/.

How a stub is made from a solution file (the BEGIN/END SOLUTION fences, the hash header
that tells a pristine stub from an edited one) is kata/kit/stubs.py.

    python -m authoring.stubgen                 write missing or outdated pristine stubs
    python -m authoring.stubgen --check         exit 1 if exercises/ differs from the generation
    python -m authoring.stubgen --force conv    restore exercises/conv.py, backing up the old one
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kata.exercises import modules
from kata.kit.stubs import StubError, backup, is_pristine, make_stub

ROOT = Path(__file__).resolve().parent.parent


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
    parser = argparse.ArgumentParser(prog="python -m authoring.stubgen", description=__doc__.splitlines()[0])
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
