"""The HTML report in a real browser: headless Chromium (Debian's) driven by Playwright.

`.ci/run` installs Debian's ``chromium`` when it is missing and the ``test`` extra installs
``playwright``; Playwright drives the system browser through ``executable_path`` (no browser
download). The page is opened from a ``file://`` URL, as a user opens the report.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import CHROMIUM, FLAGS
from test_cli import ok

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "examples" / "dump.jsonl"
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: .ci/run installs Debian's chromium package")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("report-browser")
    ok("clean", DUMP, "--learn", "--explain", "-o", d / "clean.jsonl", "-q")
    ok("dups", DUMP, "-o", d / "dups.jsonl", "-q")
    ok("report", d / "clean.jsonl", d / "dups.jsonl", "-o", d / "report.html", "-q")
    return d


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_report_in_chromium(browser: object, run_dir: Path, tmp_path: Path) -> None:
    clean = _records(run_dir / "clean.jsonl")
    verdicts = [r["dups"] for r in _records(run_dir / "dups.jsonl")]
    labels = Counter(r["label"] for rec in clean for r in rec["dedup"]["removals"])
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((run_dir / "report.html").as_uri())
    page.screenshot(path=str(tmp_path / "summary.png"), full_page=True)

    # The summary says what the inputs hold.
    assert page.get_by_test_id("sum-docs").inner_text() == str(len(clean))
    assert page.get_by_test_id("sum-dups").inner_text() == str(
        sum(v["duplicate"] for v in verdicts)
    )
    sizes = Counter(v["cluster"] for v in verdicts)
    assert page.get_by_test_id("sum-clusters").inner_text() == str(
        sum(1 for n in sizes.values() if n > 1)
    )
    for label, n in labels.items():
        assert page.get_by_test_id(f"label-{label}").inner_text() == f"{n:,}"
    for plot in ("plot-labels", "plot-sites", "plot-cluster-sizes", "plot-similarity"):
        assert page.get_by_test_id(plot).locator("svg").count() == 1, plot

    # Filtering by label lists exactly the documents that lost a line of that label.
    page.click("#tab-docs")
    assert (
        page.get_by_test_id("doc-count").inner_text() == f"{len(clean)} of {len(clean)} documents"
    )
    for label in ("teaser", "byline"):
        want = [
            rec["id"] for rec in clean if any(r["label"] == label for r in rec["dedup"]["removals"])
        ]
        assert want
        page.select_option("#doc-label", label=label)
        assert (
            page.get_by_test_id("doc-count").inner_text()
            == f"{len(want)} of {len(clean)} documents"
        )
        shown = page.locator("#doc-table tbody td.id").all_inner_texts()
        assert shown == want
    # ... and opening one shows its removed lines struck through, labelled, with the reason.
    page.click("#doc-table tbody tr:first-child")
    struck = page.locator('[data-testid="doc-view"] del.rm[data-label="byline"]')
    assert struck.count() >= 1
    assert struck.first.get_attribute("title")
    page.select_option("#doc-label", label="any")
    page.fill("#doc-q", "mirror")
    assert page.locator("#doc-table tbody tr").count() == sum(
        1 for r in _records(DUMP) if "mirror" in r["id"] or "mirror" in r["url"]
    )
    page.screenshot(path=str(tmp_path / "documents.png"), full_page=True)

    # A cluster side by side: the representative and a member, differences marked.
    page.click("#tab-clusters")
    page.check("#cl-text")  # every cluster of this small run has its texts
    assert page.get_by_test_id("cluster-count").inner_text() == "3 of 3 clusters"
    page.click("#cl-table tbody tr:first-child")
    view = page.get_by_test_id("cluster-view")
    assert view.locator(".sides > div").count() == 2
    assert view.get_by_test_id("diff-note").inner_text()
    page.screenshot(path=str(tmp_path / "clusters.png"), full_page=True)

    assert errors == []
    assert all(u.startswith("file://") for u in requests), requests  # nothing from a network
    assert (tmp_path / "summary.png").stat().st_size > 10_000
