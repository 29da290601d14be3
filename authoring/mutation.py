"""`make mutation`: how many small edits of each reference solution the hidden suite catches.

mutmut's operators (pinned in pyproject.toml) write every mutant of solutions/<file>.py: one
small edit each (a number off by one, `+` for `-`, `<` for `<=`, an argument dropped, `+=`
for `=`, ...). mutmut's own runner expects an installed package whose tests import it; here
the suite reaches the code through `--impl <folder>`, so this driver runs it instead: each
mutant is written into a copy of solutions/, and the hidden tests of that file's exercises
run on it in a fork of this warm process (`-x`: the first failure kills it).

Only the code a student writes is mutated: the lines between `# BEGIN SOLUTION` and
`# END SOLUTION`. The rest (constructors, properties) ships ready-made in the stub, so no
graded test can be about it (every test must fail on the stubs); --given-code mutates it
too, for a look at what a student who rewrites it could break unseen. A mutant is

    killed     some test failed, or the run overran its time limit (an endless loop);
    survived   every test passed: a wrong program that keeps its points, or an equivalent
               mutant (it computes the same thing), which must be in ALLOW_LIST with the
               reason it is equivalent.

    python -m authoring.mutation [softmax conv ...] [--jobs 2] [--limit N] [--given-code]

prints killed/total per file and every survivor, and exits 1 when a survivor is not in the
allow-list. It is slow (a few seconds per mutant), so it is not part of `make check`.
"""

from __future__ import annotations

import argparse
import difflib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import libcst
from mutmut.mutation.file_mutation import create_mutations

from kata.kit.stubs import BEGIN, END

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
ALLOW_LIST = ROOT / "authoring" / "mutation_allow.toml"
# The seed track's files and the advanced ones the issue names first; any solution file can be given.
DEFAULT_FILES = ("softmax", "dense", "maxpool", "conv", "network", "conv2d", "pool2d")
FORKS = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Mutant:
    file: str  # the module name: solutions/<file>.py
    number: int  # its place in mutmut's order, for messages only
    function: str  # the top-level function or class it edits
    line: int  # the first line it changes
    original: str  # that line before and after the edit, stripped
    mutated: str
    source: str  # the whole mutated file

    @property
    def key(self) -> str:
        """How the allow-list names it: stable while the line's text is unchanged."""
        return f"{self.function}: {self.original} -> {self.mutated}"


def solution_lines(code: str) -> set[int]:
    """The numbers of the lines inside BEGIN/END SOLUTION blocks: the code a student writes."""
    inside, lines = False, set()
    for number, line in enumerate(code.splitlines(), start=1):
        marker = line.strip()
        inside = (inside or marker == BEGIN) and marker != END
        if inside:
            lines.add(number)
    return lines


def mutants(file: str, given_code: bool = False) -> Iterator[Mutant]:
    """Every mutant mutmut makes of solutions/<file>.py, as a whole file each; only of the
    solution blocks unless given_code."""
    code = (SOLUTIONS / f"{file}.py").read_text()
    module, mutations, _, _ = create_mutations(f"{file}.py", code)
    before, written = code.splitlines(), solution_lines(code)
    for number, mutation in enumerate(mutations, start=1):
        source = module.deep_replace(mutation.original_node, mutation.mutated_node).code
        after = source.splitlines()
        opcodes = [op for op in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
                   if op[0] != "equal"]
        if not opcodes:
            continue  # an edit that renders to the same text (mutmut only knows the tree)
        _, i1, i2, j1, j2 = opcodes[0]
        if not given_code and i1 + 1 not in written:
            continue
        outer = mutation.contained_by_top_level_function
        function = outer.name.value if isinstance(outer, libcst.FunctionDef) else "<module>"
        yield Mutant(file, number, function, i1 + 1, " ".join(line.strip() for line in before[i1:i2]),
                     " ".join(line.strip() for line in after[j1:j2]), source)


def allowed() -> dict[str, dict[str, str]]:
    """file -> {mutant key: the reason it is equivalent}, from the reviewed allow-list."""
    if not ALLOW_LIST.is_file():
        return {}
    entries = tomllib.loads(ALLOW_LIST.read_text()).get("equivalent", [])
    table: dict[str, dict[str, str]] = {}
    for entry in entries:
        table.setdefault(entry["file"], {})[entry["mutant"]] = entry["reason"]
    return table


def _run_suite(impl: Path, file: str) -> None:
    """In the fork: the hidden tests of the file's exercises on impl; exits with pytest's status."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.chdir(ROOT)
    import pytest

    os._exit(int(pytest.main(["-q", "-x", "-p", "no:cacheprovider", "tests/hidden", "--impl", str(impl),
                              "--ex", file])))


def run(impl: Path, file: str, timeout: float) -> str:
    """"killed", "survived" or "timeout" (which counts as killed) for the code in impl."""
    process = FORKS.Process(target=_run_suite, args=(impl, file))
    process.start()
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
        return "timeout"
    return "survived" if process.exitcode == 0 else "killed"


def judge(mutant: Mutant, scratch: Path, timeout: float) -> str:
    impl = scratch / f"{mutant.file}-{mutant.number}"
    shutil.copytree(SOLUTIONS, impl, ignore=shutil.ignore_patterns("__pycache__"))
    (impl / f"{mutant.file}.py").write_text(mutant.source)
    try:
        return run(impl, mutant.file, timeout)
    finally:
        shutil.rmtree(impl, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", default=list(DEFAULT_FILES), help="solution modules (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants judged at once")
    parser.add_argument("--limit", type=int, default=0, help="only the first N mutants per file (a quick look)")
    parser.add_argument("--given-code", action="store_true", help="mutate the code the stubs ship too")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # mutmut reads its settings from ./pyproject.toml
    # Import what every fork needs once, here: a fork then starts in milliseconds.
    import numpy, pytest, scipy.ndimage, scipy.signal, scipy.special  # noqa: F401, E401

    equivalent = allowed()
    unexplained = 0
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for file in args.files:
            began = time.monotonic()
            reference = run(SOLUTIONS, file, timeout=600)
            if reference != "survived":
                print(f"{file}: the hidden suite fails on the reference solution ({reference}); skipped")
                unexplained += 1
                continue
            # A mutant gets 10x the reference's time (an endless loop is killed, a slow one is not).
            timeout = max(30.0, 10 * (time.monotonic() - began))
            todo = list(mutants(file, args.given_code))[:args.limit or None]
            with ThreadPoolExecutor(args.jobs) as pool:
                verdicts = list(pool.map(lambda mutant: judge(mutant, scratch, timeout), todo))
            survivors = [mutant for mutant, verdict in zip(todo, verdicts) if verdict == "survived"]
            known = equivalent.get(file, {})
            print(f"{file}.py: {len(todo) - len(survivors)}/{len(todo)} killed "
                  f"({sum(v == 'timeout' for v in verdicts)} by the time limit), "
                  f"{len(survivors)} survived, {time.monotonic() - began:.0f} s", flush=True)
            stale = set(known) - {mutant.key for mutant in mutants(file, True)}
            for key in sorted(stale):  # the solution changed under it: review the entry again
                print(f"  {ALLOW_LIST.name}: no such mutant of {file}.py any more: {key!r}")
            unexplained += len(stale)
            for mutant in survivors:
                reason = known.get(mutant.key)
                unexplained += reason is None
                status = f"equivalent: {reason}" if reason else "SURVIVED"
                print(f"  {file}.py:{mutant.line} [{mutant.function}] {mutant.original!r} -> {mutant.mutated!r}"
                      f"\n      {status}", flush=True)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
