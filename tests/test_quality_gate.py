"""Quality gate: `benchmarks/quality.py` on a fixed dev subset must stay above pinned floors.

The floors live in ``benchmarks/quality_floors.json`` (one entry per data file). Raising them
is ``python benchmarks/quality.py --subset tests/data/dev_subset.jsonl --update-floors
benchmarks/quality_floors.json``; lowering one needs ``--allow-lower`` and a reason.
Both rows are gated: the single-document ``dedup.clean`` (keys ``f1``...) and one
``dedup.Cleaner`` fitted on all subset pages (keys ``corpus.f1``...). The subset holds 60 pages
of 54 sites, so the Cleaner learns little there: its floors mostly say that corpus mode does
no harm when a site has too few pages; the dev-set floors say what it gains.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / "tests" / "data" / "dev_subset.jsonl"
FLOORS = ROOT / "benchmarks" / "quality_floors.json"


def _quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["quality"] = mod  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    return _quality()


@pytest.fixture(scope="module")
def subset_result(quality: ModuleType) -> dict:
    return quality.evaluate(quality.load(SUBSET), corpus=True)


def test_subset_is_fixed_and_labelled(quality: ModuleType) -> None:
    pages = quality.load(SUBSET)
    assert len(pages) == 60
    assert all(len(p.lines) == len(p.labels) for p in pages)
    assert sum(sum(p.labels) for p in pages) > 0


def test_quality_gate_above_floors(quality: ModuleType, subset_result: dict) -> None:
    floors = json.loads(FLOORS.read_text())
    failures = quality.check(subset_result, floors, SUBSET.name)
    assert not failures, "\n".join(failures)


def test_corpus_floors_are_pinned_and_measured(quality: ModuleType, subset_result: dict) -> None:
    pinned = json.loads(FLOORS.read_text())[SUBSET.name]
    assert {f"corpus.{k}" for k in quality.FLOORED} <= set(pinned)
    corpus = subset_result["corpus"]
    assert set(quality.FLOORED) <= set(corpus["figures"])
    assert corpus["cleaner_stats"]["documents"] > 0
    assert corpus["fit_seconds"] >= 0
    assert corpus["clean_seconds"] >= 0


def test_corpus_mode_without_enough_pages_is_the_single_document_cleaner(
    subset_result: dict,
) -> None:
    # No site of the subset has min_pages (3) pages: nothing is learned, and the Cleaner must
    # then clean every page exactly as dedup.clean does.
    corpus = subset_result["corpus"]
    assert corpus["cleaner_stats"]["sites_learned"] == 0
    assert corpus["figures"] == subset_result["dedup"]
    assert corpus["removed_by_label"] == subset_result["removed_by_label"]


def test_unknown_site_goes_in_as_none(quality: ModuleType) -> None:
    page = quality.Page("x", "unknown", "a", "a", [1])
    assert quality.corpus_site(page) is None
    assert quality.corpus_site(quality.Page("x", "", "a", "a", [1])) is None
    assert quality.corpus_site(quality.Page("x", "example.com", "a", "a", [1])) == "example.com"


def test_identity_baseline_is_what_keeping_everything_scores(subset_result: dict) -> None:
    ident = subset_result["baselines"]["identity"]
    assert ident["gold_lines_kept"] == 1.0
    assert ident["other_lines_removed"] == 0.0
    # Keeping everything has full recall (up to gold tokens that the page text lacks) and
    # precision well below 1: about half the tokens of a dumped page are not the article.
    assert ident["recall"] > 0.98
    assert 0.2 < ident["precision"] < 0.7


def test_token_scores(quality: ModuleType) -> None:
    p, r, f = quality.prf(quality.tokens("a b b c"), quality.tokens("B b d"))
    assert (p, r) == (0.5, 2 / 3)
    assert f == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert quality.tokens("Hello, hello WORLD") == Counter({"hello": 2, "world": 1})


def test_check_reports_figures_below_floor(quality: ModuleType, subset_result: dict) -> None:
    high = {SUBSET.name: {"f1": 1.01}}
    assert quality.check(subset_result, high, SUBSET.name)
    assert quality.check(subset_result, {}, SUBSET.name)  # no floors pinned: fail loudly
    assert quality.check(subset_result, {SUBSET.name: {"corpus.f1": 1.01}}, SUBSET.name)
    assert not quality.check(subset_result, {SUBSET.name: {"corpus.f1": 0.0}}, SUBSET.name)
    # A corpus floor without corpus figures (--no-corpus) fails rather than passing silently.
    single = {k: v for k, v in subset_result.items() if k != "corpus"}
    assert quality.check(single, {SUBSET.name: {"corpus.f1": 0.0}}, SUBSET.name)


def test_update_floors_refuses_to_lower(quality: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    res = {"dedup": dict.fromkeys(quality.FLOORED, 0.5)}
    assert quality.update_floors(res, path, "x.jsonl", allow_lower=False) == []
    assert json.loads(path.read_text())["x.jsonl"]["f1"] == 0.5
    lower = {"dedup": dict.fromkeys(quality.FLOORED, 0.4)}
    refused = quality.update_floors(lower, path, "x.jsonl", allow_lower=False)
    assert refused
    assert json.loads(path.read_text())["x.jsonl"]["f1"] == 0.5  # unchanged
    assert quality.update_floors(lower, path, "x.jsonl", allow_lower=True) == []
    assert json.loads(path.read_text())["x.jsonl"]["f1"] == 0.4


def test_update_floors_pins_corpus_figures(quality: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    res = {
        "dedup": dict.fromkeys(quality.FLOORED, 0.5),
        "corpus": {"figures": dict.fromkeys(quality.FLOORED, 0.6)},
    }
    assert quality.update_floors(res, path, "x.jsonl", allow_lower=False) == []
    pinned = json.loads(path.read_text())["x.jsonl"]
    assert pinned["f1"] == 0.5
    assert pinned["corpus.f1"] == 0.6
    # A run without the corpus row keeps the corpus floors as they were.
    single = {"dedup": dict.fromkeys(quality.FLOORED, 0.5)}
    assert quality.update_floors(single, path, "x.jsonl", allow_lower=False) == []
    assert json.loads(path.read_text())["x.jsonl"]["corpus.f1"] == 0.6
    lower = {**res, "corpus": {"figures": dict.fromkeys(quality.FLOORED, 0.55)}}
    assert quality.update_floors(lower, path, "x.jsonl", allow_lower=False)  # refused
    assert json.loads(path.read_text())["x.jsonl"]["corpus.f1"] == 0.6


def test_cli_check_exit_status(quality: ModuleType, tmp_path: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({SUBSET.name: {"f1": 1.01}}))
    assert quality.main(["--subset", str(SUBSET), "--json", "--check", str(floors)]) == 1
    floors.write_text(json.dumps({SUBSET.name: {"f1": 0.0}}))
    assert quality.main(["--subset", str(SUBSET), "--json", "--check", str(floors)]) == 0
