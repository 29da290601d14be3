"""report.html: written by every grading run, its numbers those of the gradebook, and it renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kata.exercises import BY_ID
from tests.grading.harness import BATCH_TIMEOUT, Batch

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Tables(HTMLParser):
    """The page's tables by id: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self._table: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._table is not None and self.tables[self._table] and data.strip():
            self.tables[self._table][-1].append(data.strip())


@pytest.fixture(scope="module")
def page(batch: Batch) -> Tables:
    parser = Tables()
    parser.feed((batch.out / "report.html").read_text())
    return parser


def test_the_marks_table_counts_what_the_gradebook_holds(batch: Batch, page: Tables):
    rows = page.tables["marks"][1:]
    for exercise, full, partial, zero in rows:
        scores = [float(row[exercise]) for row in batch.rows]
        points = BY_ID[exercise].points
        assert (int(full), int(partial), int(zero)) == (
            sum(s == points for s in scores), sum(0 < s < points for s in scores), sum(s == 0 for s in scores)), exercise
    assert len(rows) == 22 and all(src.startswith("data:image/png;base64,") for src in page.images)


def test_the_classic_bugs_are_named_with_links_to_the_feedback(page: Tables):
    bugs = {(row[0], row[1]): row for row in page.tables["bugs"][1:]}
    ties = next(row for (exercise, label), row in bugs.items()
                if exercise == "maxpool.backward" and label.startswith("ties double-counted"))
    assert "classic_bugs" in ties[4:]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: .ci/run installs Debian's chromium")
def test_the_page_renders_in_a_headless_browser(batch: Batch, tmp_path: Path):
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1000,1400",
                    (batch.out / "report.html").as_uri()], capture_output=True, timeout=120, check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a page with figures, not a blank one
