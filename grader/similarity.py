"""Which submissions share code: with each other, and with the files we ship to students.

    python -m grader similarity SUB [SUB ...] --out DIR [--threshold 0.5]
    python -m grader grade SUB ... --similarity                 the same, into grade's --out

Each exercise file of every pair of submissions is compared with copydetect, which
fingerprints code the way MOSS does (winnowing over k-grams of tokens, with identifiers and
literals normalised, so renaming variables does not hide a copy). It is a maintained
library made for exactly this, works offline on files, and takes a "boilerplate" set of
fingerprints to ignore: here the stub of each exercise file, so the signatures, docstrings
and TODOs every student starts from never count as shared. Each file is also compared
with every Python file the handout ships (kata/, tests/public/), so helper code pasted from
the judge is flagged too.

Writes DIR/similarity.csv (one row per pair above the threshold: the file, both sides, the
share of each side's fingerprints found in the other, and the matching line spans) and
DIR/similarity.html (the same as a table). A flag is a place for a person to look, not a
verdict: two short correct functions can look alike.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from copydetect import CodeFingerprint, compare_files

from grader.trusted.submission import read_submission, submission_name
from kata.exercises import modules
from kata.kit.atomic import write_text

ROOT = Path(__file__).resolve().parents[1]
K, WINDOW = 20, 1  # tokens per fingerprinted k-gram; 1: every k-gram kept (small files)
THRESHOLD = 0.5


@dataclass
class Pair:
    file: str  # "conv.py"
    a: str  # a submission's name
    b: str  # another submission's name, or "shipped: kata/judge/oracles.py"
    share_a: float  # the share of a's fingerprints found in b
    share_b: float
    lines_a: str  # "12-20, 31-35": the matching spans in a
    lines_b: str


def _lines(text: str, spans) -> str:
    """Character spans (copydetect's slices) as 1-based line ranges."""
    starts, ends = spans
    ranges = [(text.count("\n", 0, int(s)) + 1, text.count("\n", 0, int(e)) + 1) for s, e in zip(starts, ends)]
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)


def _fingerprint(scratch: Path, name: str, text: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
    path = scratch / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return CodeFingerprint(str(path), K, WINDOW, boilerplate=boilerplate, language="py")


def compare(submissions: dict[str, dict[str, str]], stubs: dict[str, str], shipped: dict[str, str],
            threshold: float = THRESHOLD) -> list[Pair]:
    """Pairs above the threshold (either side's share). submissions: name -> file -> text."""
    pairs: list[Pair] = []
    with tempfile.TemporaryDirectory(prefix="kata-similarity-") as scratch_name:
        scratch = Path(scratch_name)
        shipped_prints = {path: _fingerprint(scratch / "shipped", path, text) for path, text in shipped.items()}
        for module in modules():
            file = f"{module}.py"
            stub = stubs.get(module, "")
            boilerplate = list(_fingerprint(scratch / "stubs", file, stub).hashes) if stub.strip() else []
            prints = {name: _fingerprint(scratch / name, file, files[file], boilerplate)
                      for name, files in submissions.items() if file in files}
            texts = {name: submissions[name][file] for name in prints}
            candidates = [(a, b, prints[b], texts[b]) for a, b in itertools.combinations(sorted(prints), 2)]
            candidates += [(a, f"shipped: {path}", fp, shipped[path]) for a in sorted(prints)
                           for path, fp in shipped_prints.items()]
            for a, b, other, other_text in candidates:
                if not len(prints[a].hashes) or not len(other.hashes):
                    continue
                _, (share_a, share_b), (spans_a, spans_b) = compare_files(prints[a], other)
                if max(share_a, share_b if not b.startswith("shipped:") else 0) >= threshold:
                    pairs.append(Pair(file, a, b, round(float(share_a), 3), round(float(share_b), 3),
                                      _lines(texts[a], spans_a), _lines(other_text, spans_b)))
    return pairs


def shipped_files(root: Path = ROOT) -> dict[str, str]:
    """Every Python file a student receives besides the stubs: kata/ and tests/public/."""
    paths = [*sorted((root / "kata").rglob("*.py")), *sorted((root / "tests" / "public").glob("*.py"))]
    return {p.relative_to(root).as_posix(): p.read_text() for p in paths if "__pycache__" not in p.parts}


def stub_files(root: Path = ROOT) -> dict[str, str]:
    return {m: (root / "exercises" / f"{m}.py").read_text() for m in modules() if (root / "exercises" / f"{m}.py").is_file()}


def read_all(paths: list[Path]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each readable submission's exercise files as text (the grader's own reader: nothing
    runs), and a note per one that could not be read."""
    found, notes = {}, []
    for path in paths:
        name = submission_name(path.resolve())
        submission = read_submission(path)
        if submission.unreadable is not None:
            notes.append(f"{name}: {submission.unreadable}")
            continue
        found[name] = {file: data.decode("utf-8", errors="replace") for file, data in submission.files.items()}
    return found, notes


def csv_text(pairs: list[Pair]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "a", "b", "share_a", "share_b", "lines_a", "lines_b"])
    writer.writerows([[p.file, p.a, p.b, p.share_a, p.share_b, p.lines_a, p.lines_b] for p in pairs])
    return buffer.getvalue()


def html_text(pairs: list[Pair], notes: list[str], threshold: float) -> str:
    esc = html.escape
    rows = "\n".join(f"<tr><td>{esc(p.file)}</td><td>{esc(p.a)}</td><td>{esc(p.b)}</td><td>{p.share_a:.0%}</td>"
                     f"<td>{p.share_b:.0%}</td><td>{esc(p.lines_a)}</td><td>{esc(p.lines_b)}</td></tr>" for p in pairs)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Similarity</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:.2em .5em}"
            "table{border-collapse:collapse}</style></head><body>"
            f"<h1>Shared code above {threshold:.0%} (the stubs' own lines never count)</h1>"
            + (f"<table id='pairs'><tr><th>file</th><th>a</th><th>b</th><th>share of a</th><th>share of b</th>"
               f"<th>lines in a</th><th>lines in b</th></tr>{rows}</table>" if pairs else "<p>No pair above the threshold.</p>")
            + "".join(f"<p>Not compared: {esc(n)}</p>" for n in notes) + "</body></html>\n")


def write(out: Path, paths: list[Path], threshold: float = THRESHOLD) -> list[Pair]:
    submissions, notes = read_all(paths)
    pairs = compare(submissions, stub_files(), shipped_files(), threshold)
    write_text(out / "similarity.csv", csv_text(pairs))
    write_text(out / "similarity.html", html_text(pairs, notes, threshold))
    return pairs
