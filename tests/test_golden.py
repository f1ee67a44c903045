"""Golden tests: real scraped pages with a gold label for every line.

- ``golden/seeds/*.txt`` with ``*.labels.tsv`` (label of every non-blank line) and
  ``*.clean.txt`` (the kept lines): copied from the project's seed pages.
- ``golden/negative/*.json``: clean articles where nothing may be removed.
- ``golden/cases/*.json`` and ``golden/known_failures/*.json`` (strict xfail):
  ``{"input": ..., "keep": [lines], "remove": [{"text": line, "label": label}], "comment": ...}``.
Adding a case needs no code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dedup

GOLDEN = Path(__file__).parent / "golden"
SEEDS = sorted((GOLDEN / "seeds").glob("*.labels.tsv"))


def _nonblank(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def _seed(path: Path) -> tuple[str, list[tuple[int, str, str]], list[str]]:
    stem = path.name.removesuffix(".labels.tsv")
    raw = (path.parent / f"{stem}.txt").read_text(encoding="utf-8")
    rows = []
    for row in path.read_text(encoding="utf-8").splitlines()[1:]:
        line_no, label, text = row.split("\t", 2)
        rows.append((int(line_no), label, text))
    clean = _nonblank((path.parent / f"{stem}.clean.txt").read_text(encoding="utf-8"))
    return raw, rows, clean


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name.split("_")[0])
def test_seed_kept_lines_equal_gold(path: Path) -> None:
    raw, _, gold = _seed(path)
    assert _nonblank(dedup.clean(raw)) == gold


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name.split("_")[0])
def test_seed_every_line_label(path: Path) -> None:
    raw, rows, _ = _seed(path)
    result = dedup.clean_and_explain(raw)
    got = {ll.line_no: ll.label for ll in result.line_labels}
    wrong = [
        f"line {n}: expected {label}, got {got.get(n)} ({text[:60]!r})"
        for n, label, text in rows
        if got.get(n) != label
    ]
    assert not wrong, "\n".join(wrong)
    assert set(got) == {n for n, _, _ in rows}


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name.split("_")[0])
def test_seed_explanation_replays(path: Path) -> None:
    raw, _, _ = _seed(path)
    result = dedup.clean_and_explain(raw)
    assert dedup.apply_removals(raw, result.removals) == result.text
    assert dedup.clean(result.text) == result.text


def _cases(folder: str) -> list[Path]:
    return sorted((GOLDEN / folder).glob("*.json"))


def _check_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    result = dedup.clean_and_explain(case["input"])
    kept = set(_nonblank(result.text))
    labels = {ll.span.slice(case["input"]).strip(): ll.label for ll in result.line_labels}
    for line in case.get("keep", []):
        assert line in kept, f"{path.name}: should keep {line!r} (got {labels.get(line)})"
    for item in case.get("remove", []):
        assert labels.get(item["text"]) == item["label"], (
            f"{path.name}: {item['text']!r} should be {item['label']}, "
            f"got {labels.get(item['text'])}"
        )


@pytest.mark.parametrize("path", _cases("negative"), ids=lambda p: p.stem)
def test_negative_nothing_removed(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    result = dedup.clean_and_explain(case["input"])
    assert result.removals == (), [(r.label, r.reason) for r in result.removals]
    assert result.text == case["input"]
    if "title" in case:  # the title is found (or, for a plain paragraph, none is invented)
        assert result.title == case["title"]


@pytest.mark.parametrize("path", _cases("cases"), ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    _check_case(path)


@pytest.mark.parametrize("path", _cases("known_failures"), ids=lambda p: p.stem)
@pytest.mark.xfail(strict=True, reason="known failure: see the case's comment")
def test_known_failure(path: Path) -> None:
    _check_case(path)
