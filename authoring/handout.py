"""`make handout`: what students get, as dist/handout/ and dist/handout.zip.

    python -m authoring.handout [--out dist] [--track seed|advanced|all]

The handout holds
    exercises/            the stubs (generated from solutions/ here) and their hints files
    kata/pristine/        a second copy of the stubs, for `make reset` (no solutions/ there)
    kata/                 whole: the judge the public tests use (kata/judge/) and the
                          student's commands (kata/kit/); a folder rule, no import crawl
    tests/public/, tests/conftest.py, docs/student-guide.md
    Makefile, mk/*.mk, pyproject.toml (the same pins), README.md, .gitignore

README.md is rendered from authoring/handout/README.md, a template whose {{...}} directives pull in
what the registry says, so nothing is copied by hand:
    {{exercise_table}}          the registry (kata/exercises.py): order, id, points, title
    {{exercise_files}}          the files a submission holds
The theory and the commands are docs/student-guide.md, shipped whole.

Before anything is written, every file is checked: no "# BEGIN SOLUTION" marker in a
stub, no line of reference code anywhere.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Callable

from kata.kit.atomic import atomic_path
from kata.exercises import TRACKS, in_track, modules
from kata.kit.stubs import BEGIN, END, make_stub

ROOT = Path(__file__).resolve().parent.parent
ZIP_FOLDER = "cnn-kata"  # the folder a student gets when unzipping
# The handout is a folder rule: these folders and files go whole (minus caches). What a
# student must not see lives elsewhere (solutions/, tests/hidden/, grader/, authoring/),
# so nothing is picked by crawling imports and nothing is left out by a deny-list.
SHIPPED = ("kata", "tests/conftest.py", "tests/public", "mk/venv.mk", "mk/student.mk", "docs/student-guide.md")


class HandoutError(Exception):
    """The handout cannot be built, or would leak something."""


def exercise_table(track: str = "all") -> str:
    rows = ["| # | Exercise | File | Points | What |", "|---|---|---|---|---|"]
    rows += [f"| {n} | `{e.id}` | `exercises/{e.module}.py` | {e.points} | {e.title} |"
             for n, e in enumerate(in_track(track), start=1)]
    return "\n".join(rows)


def render_readme(template: str, track: str = "all") -> str:
    directives: dict[str, Callable[[str], str]] = {
        "exercise_table": lambda _: exercise_table(track),
        "exercise_files": lambda _: ", ".join(f"`{m}.py`" for m in modules(track)),
    }

    def expand(match: re.Match) -> str:
        name, argument = match.group(1), (match.group(2) or "").strip()
        if name not in directives:
            raise HandoutError(f"handout/README.md: unknown directive {{{{{name}}}}}")
        return directives[name](argument)

    return re.sub(r"\{\{\s*(\w+)\s*(?::([^}]*))?\}\}", expand, template)


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[\n" + "".join(f"    {_toml_value(item)},\n" for item in value) + "]"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise HandoutError(f"pyproject.toml: cannot write {value!r} into the handout's pyproject")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if isinstance(value, str) else str(value)


STUDENT_EXTRAS = ("watch",)  # the grader's and the authors' extras (copydetect, mutmut) stay out


def student_pyproject(root: Path) -> str:
    """The repository's pins and pytest settings, under the student's project name."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    project = config["project"]
    lines = ["# The packages `make test` installs into .venv, pinned exactly.", "[project]",
             'name = "cnn-kata-handout"', f'version = "{project["version"]}"',
             f"description = {_toml_value(project['description'])}",
             f"requires-python = {_toml_value(project['requires-python'])}",
             f"dependencies = {_toml_value(project['dependencies'])}", "",
             "[project.optional-dependencies]"]
    lines += [f"{extra} = {_toml_value(pins)}" for extra, pins in project.get("optional-dependencies", {}).items()
              if extra in STUDENT_EXTRAS]
    lines += ["", "[tool.pytest.ini_options]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in config["tool"]["pytest"]["ini_options"].items()]
    return "\n".join(lines) + "\n"


def shipped_files(root: Path, track: str = "all") -> list[str]:
    """The repository's files the handout takes as they are (SHIPPED, folders whole), and of
    tests/public only the track's test files (test_<module>.py)."""
    other_tracks = set(modules()) - set(modules(track))
    files = []
    for entry in SHIPPED:
        path = root / entry
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            public_test_of = file.stem.removeprefix("test_") if file.parent.name == "public" else None
            if "__pycache__" not in file.parts and public_test_of not in other_tracks:
                files.append(file.relative_to(root).as_posix())
    return files


def populate(stage: Path, root: Path, track: str = "all") -> None:
    """Write every file of the handout into the empty folder stage."""
    def put(relative: str, text: str) -> None:
        target = stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    for module in modules(track):
        stub = make_stub((root / "solutions" / f"{module}.py").read_text(), module)
        put(f"exercises/{module}.py", stub)
        put(f"kata/pristine/{module}.py", stub)
        hints = root / "exercises" / f"{module}.hints.toml"
        if hints.is_file():
            put(f"exercises/{hints.name}", hints.read_text())
    for relative in shipped_files(root, track):
        put(relative, (root / relative).read_text())
    templates = root / "authoring" / "handout"
    put("Makefile", (templates / "Makefile").read_text().replace("TRACK ?= all", f"TRACK ?= {track}"))
    put(".gitignore", (templates / "gitignore").read_text())
    put("pyproject.toml", student_pyproject(root))
    put("README.md", render_readme((templates / "README.md").read_text(), track))


def reference_lines(source: str) -> set[str]:
    """The code lines of a solution file between its markers, whitespace removed.

    Lines that are no solution by themselves are left out: short ones, loop and branch
    headers (`for i in range(d_out.shape[0]):`) and `return name`, which any helper (an
    oracle the public tests import, say) may share.
    """
    lines: set[str] = set()
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        code = "".join(stripped.split())
        if stripped in (BEGIN, END):
            inside = stripped == BEGIN
        elif inside and len(code) >= 12 and not (code.startswith("#") or code.endswith(":")
                                                  or re.fullmatch(r"return\w+", code)):
            lines.add(code)
    return lines


def leaks(stage: Path, root: Path) -> list[str]:
    """What in the staged handout must not be there (empty when all is well)."""
    found = []
    secret_lines = set().union(*(reference_lines((root / "solutions" / f"{m}.py").read_text()) for m in modules()))
    for path in sorted(p for p in stage.rglob("*") if p.is_file()):
        relative = path.relative_to(stage).as_posix()
        text = path.read_text(errors="replace")
        is_stub = relative.startswith(("exercises/", "kata/pristine/"))
        if is_stub and (BEGIN in text or END in text):  # (authoring/stubgen.py names them, legitimately)
            found.append(f"{relative}: contains a solution marker")
        code = {"".join(line.split()) for line in text.splitlines()}
        for line in sorted(secret_lines & code):
            found.append(f"{relative}: contains the reference line {line!r}")
    return found


def build(root: Path = ROOT, out: Path = ROOT / "dist", track: str = "all") -> tuple[Path, Path]:
    """Build out/handout/ and out/handout.zip (handout-seed/ and handout-seed.zip for one
    track); returns both paths. Raises HandoutError."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out, prefix=".handout-"))
    try:
        populate(stage, root, track)
        problems = leaks(stage, root)
        if problems:
            raise HandoutError("the handout would leak:\n  " + "\n  ".join(problems))
        name = "handout" if track == "all" else f"handout-{track}"
        folder, archive_path = out / name, out / f"{name}.zip"
        with atomic_path(archive_path) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in stage.rglob("*") if p.is_file()):
                archive.write(path, f"{ZIP_FOLDER}/{path.relative_to(stage).as_posix()}")
        shutil.rmtree(folder, ignore_errors=True)
        stage.rename(folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return folder, archive_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.handout", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where handout/ and handout.zip go")
    parser.add_argument("--track", choices=TRACKS, default="all", help="only one track's exercises (default: all)")
    args = parser.parse_args(argv)
    try:
        folder, archive = build(ROOT, args.out, args.track)
    except (HandoutError, OSError, SyntaxError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"wrote {folder}/ ({count} files) and {archive} (unzips to {ZIP_FOLDER}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
