"""What the class got wrong: OUT/report.html, one self-contained page written by every `grade`.

    scores.png     the distribution of total scores, one panel per track graded
    exercises.png  per exercise, how many submissions got full, partial or zero marks
    report.html    both figures inlined (base64: the page works offline, as one file), the
                   class's counts per exercise, and per exercise how many submissions matched
                   each "Likely bug" of the catalogue ("3 of 4: ties double-counted ...")
                   with links to those submissions' feedback.md

A "Likely bug" is what the judge prints when a failing result equals what a known mistake
returns (kata/judge/checks.py): the label is its text up to the first colon.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)

from grader.report import SUBMISSIONS  # noqa: E402
from grader.trusted.run import Graded  # noqa: E402
from kata.exercises import EXERCISES  # noqa: E402
from kata.kit.atomic import atomic_path, write_text  # noqa: E402

LIKELY_BUG = re.compile(r"Likely bug: ([^:\n]+)")


def likely_bugs(rows: list[Graded]) -> dict[str, Counter[str]]:
    """Exercise id -> label of a likely bug -> how many submissions matched it (once each)."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for graded in rows:
        for result in graded.exercises:
            labels = {m.group(1).strip() for failure in result.failures for m in LIKELY_BUG.finditer(failure)}
            found[result.exercise.id].update(labels)
    return found


def marks(rows: list[Graded]) -> dict[str, tuple[int, int, int]]:
    """Exercise id -> (full, partial, zero) counts, for the exercises graded."""
    counts: dict[str, list[int]] = {}
    for graded in rows:
        for result in graded.exercises:
            if not result.max_score:
                continue
            bucket = counts.setdefault(result.exercise.id, [0, 0, 0])
            bucket[0 if result.score == result.max_score else 2 if result.score == 0 else 1] += 1
    return {e.id: tuple(counts[e.id]) for e in EXERCISES if e.id in counts}


def _png(figure: plt.Figure, path: Path) -> str:
    """Save the figure atomically and return it as base64 for the page."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    with atomic_path(path) as temp:
        temp.write_bytes(buffer.getvalue())
    return base64.b64encode(buffer.getvalue()).decode()


def score_figure(rows: list[Graded], path: Path) -> str:
    tracks = list(dict.fromkeys(r.exercise.track for g in rows for r in g.exercises))
    figure, axes = plt.subplots(1, max(1, len(tracks)), figsize=(5 * max(1, len(tracks)), 3.2), squeeze=False)
    for axis, track in zip(axes[0], tracks):
        totals = [float(sum(r.score for r in g.exercises if r.exercise.track == track)) for g in rows]
        top = sum(e.points for e in EXERCISES if e.track == track)
        axis.hist(totals, bins=10, range=(0, top), color="#4c72b0", edgecolor="white")
        axis.set(title=f"{track} track: score out of {top}", xlabel="score", ylabel="submissions")
        axis.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    return _png(figure, path)


def exercise_figure(counts: dict[str, tuple[int, int, int]], path: Path) -> str:
    ids = list(counts)
    figure, axis = plt.subplots(figsize=(9, 0.35 * len(ids) + 1.2))
    left = [0] * len(ids)
    for index, (label, colour) in enumerate([("full", "#55a868"), ("partial", "#dd8452"), ("zero", "#c44e52")]):
        values = [counts[i][index] for i in ids]
        axis.barh(ids, values, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, values)]
    axis.invert_yaxis()
    axis.set(title="Marks per exercise", xlabel="submissions")
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars, never over them
    figure.tight_layout()
    return _png(figure, path)


def render(rows: list[Graded], scores_png: str, exercises_png: str) -> str:
    counts, bugs = marks(rows), likely_bugs(rows)
    by_exercise: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for graded in rows:
        for result in graded.exercises:
            for failure in result.failures:
                for match in LIKELY_BUG.finditer(failure):
                    names = by_exercise[result.exercise.id][match.group(1).strip()]
                    if graded.name not in names:
                        names.append(graded.name)
    n = len(rows)
    esc = html.escape
    lines = ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'><title>Class report</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
             "td.n{text-align:right}</style></head><body>",
             f"<h1>Class report: {n} submission{'s' if n != 1 else ''}</h1>",
             f"<img alt='score distribution' src='data:image/png;base64,{scores_png}'>",
             f"<img alt='marks per exercise' src='data:image/png;base64,{exercises_png}'>",
             "<h2>Per exercise</h2>", "<table id='marks'><tr><th>exercise</th><th>full</th><th>partial</th>"
             "<th>zero</th></tr>"]
    lines += [f"<tr><td>{esc(i)}</td><td class='n'>{f}</td><td class='n'>{p}</td><td class='n'>{z}</td></tr>"
              for i, (f, p, z) in counts.items()]
    lines += ["</table>", "<h2>Likely bugs: what the class got wrong</h2>"]
    if not bugs:
        lines.append("<p>No failure matched a known bug.</p>")
    else:
        lines.append("<table id='bugs'><tr><th>exercise</th><th>likely bug</th><th>submissions</th>"
                     "<th>share</th><th>feedback</th></tr>")
        for exercise in (e.id for e in EXERCISES if e.id in bugs):
            for label, count in bugs[exercise].most_common():
                links = ", ".join(f"<a href='{SUBMISSIONS}/{esc(name)}/feedback.md'>{esc(name)}</a>"
                                  for name in by_exercise[exercise][label])
                lines.append(f"<tr><td>{esc(exercise)}</td><td>{esc(label)}</td><td class='n'>{count}</td>"
                             f"<td class='n'>{100 * count / n:.0f}%</td><td>{links}</td></tr>")
        lines.append("</table>")
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def write(out: Path, rows: list[Graded]) -> Path:
    """Write the figures and OUT/report.html; returns the page's path."""
    scores_png = score_figure(rows, out / "scores.png")
    exercises_png = exercise_figure(marks(rows), out / "exercises.png")
    write_text(out / "report.html", render(rows, scores_png, exercises_png))
    return out / "report.html"
