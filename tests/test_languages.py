"""Each language's word lists, checked on real-looking lines of that language.

``tests/data/languages/<lang>.json`` holds, for one language, lines a news scraper meets
(every key optional):

- ``chrome``: page furniture `chrome.match_chrome` must recognise with this language's
  lists alone;
- ``pointers``: lines announcing links to other articles ("Lire aussi") in ``pointers/``;
- ``insets``: lines an ad or a picture leaves inside an article ("Publicité") in ``insets/``;
- ``threads``: headings that open a comment thread ("3 Kommentare") in ``threads/``;
- ``trailers``: lines closing an article `trailers.match_trailer` must recognise with this
  language's lists alone;
- ``dates``: timestamps and datelines `dates.is_date_line` must accept;
- ``find_dates``: ``[line, [dates as find_dates returns them]]`` pairs;
- ``bylines``: ``[line, name]`` pairs `bylines.parse_byline` must read;
- ``author_notes``: ``[byline, note]`` pairs: on a page bylined ``byline``, ``note`` is an
  author's note (`bylines.match_author_note`, this language's ``bio_verbs`` alone);
- ``titles``: ``[<title> line, headline]`` pairs: on a page of the <title> line, the
  headline and a paragraph (this file's ``content`` lines), the <title> line is the
  headline's ``duplicate_title`` and the headline the page's title (the separators and the
  site names of this language's news sites);
- ``content``: lines of article text that none of the four may take (the other side of
  each list: a sentence that starts like a phrase, a headline with a month name in it),
  with every language's lists loaded, as by default.

Adding a language is adding its resource files and one of these: no code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import dedup
from dedup.config import CleanConfig
from dedup.detectors import bylines, chrome, dates, trailers
from dedup.detectors.chrome import compile_phrases
from dedup.lexicon import languages
from dedup.normalize import match_key

CFG = CleanConfig()
EXAMPLES = Path(__file__).parent / "data" / "languages"
FILES = sorted(EXAMPLES.glob("*.json"))
KEYS = {
    "chrome",
    "pointers",
    "insets",
    "threads",
    "trailers",
    "dates",
    "find_dates",
    "bylines",
    "author_notes",
    "titles",
    "content",
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _only(lang: str) -> CleanConfig:
    """Return the default config with only ``lang``'s word lists."""
    return CleanConfig(languages=(lang,))


def _cases(key: str) -> list[Any]:
    return [
        pytest.param(path.stem, item, id=f"{path.stem}-{n}")
        for path in FILES
        for n, item in enumerate(_load(path).get(key, []))
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_file_is_well_formed(path: Path) -> None:
    data = _load(path)
    assert set(data) <= KEYS, f"{path.name}: unknown keys {sorted(set(data) - KEYS)}"
    assert path.stem in languages("chrome"), f"{path.name}: no dedup/resources/chrome/ file"
    assert data.get("content"), f"{path.name}: give content lines too (what must be kept)"


@pytest.mark.parametrize(("lang", "line"), _cases("chrome"))
def test_chrome(lang: str, line: str) -> None:
    # The language's own file must hold it (another language may list the same word).
    assert chrome.match_chrome(line, config=_only(lang)) is not None, line


@pytest.mark.parametrize(("lang", "line"), _cases("insets"))
def test_insets(lang: str, line: str) -> None:
    phrases = compile_phrases("insets", (lang,))
    assert phrases.match(match_key(line)) or phrases.match_prefix(line.strip()), line


@pytest.mark.parametrize(("lang", "line"), _cases("threads"))
def test_threads(lang: str, line: str) -> None:
    assert compile_phrases("threads", (lang,)).match(match_key(line), counts=True), line


@pytest.mark.parametrize(("lang", "line"), _cases("pointers"))
def test_pointers(lang: str, line: str) -> None:
    assert match_key(line) in compile_phrases("pointers", (lang,)).exact, line
    assert chrome.match_chrome(line) is not None, line


@pytest.mark.parametrize(("lang", "line"), _cases("trailers"))
def test_trailers(lang: str, line: str) -> None:
    assert trailers.match_trailer(line, config=_only(lang)) is not None, line


@pytest.mark.parametrize(("lang", "line"), _cases("dates"))
def test_dates(lang: str, line: str) -> None:
    assert dates.is_date_line(line), line


@pytest.mark.parametrize(("lang", "pair"), _cases("find_dates"))
def test_find_dates(lang: str, pair: list[Any]) -> None:
    line, expected = pair
    assert dates.find_dates(line) == expected


@pytest.mark.parametrize(("lang", "pair"), _cases("bylines"))
def test_bylines(lang: str, pair: list[str]) -> None:
    line, name = pair
    parsed = bylines.parse_byline(line)
    assert parsed is not None, line
    assert parsed.name == name


@pytest.mark.parametrize(("lang", "pair"), _cases("author_notes"))
def test_author_notes(lang: str, pair: list[str]) -> None:
    byline, note = pair
    parsed = bylines.parse_byline(byline)
    assert parsed is not None, byline
    authors = bylines.author_keys(parsed.name)
    assert bylines.match_author_note(note, authors, config=_only(lang)) is not None, note
    assert bylines.match_author_note(note, authors, config=_only("zh")) is None, note


@pytest.mark.parametrize(("lang", "pair"), _cases("titles"))
def test_titles(lang: str, pair: list[str]) -> None:
    page_title, headline = pair
    paragraph = " ".join(_load(EXAMPLES / f"{lang}.json")["content"])
    text = "\n".join([page_title, headline, paragraph])
    result = dedup.clean_and_explain(text)
    assert [(r.label, r.span.slice(text).strip()) for r in result.removals] == [
        ("duplicate_title", page_title)
    ]
    assert result.title == headline


@pytest.mark.parametrize(("lang", "line"), _cases("content"))
def test_content_is_none_of_them(lang: str, line: str) -> None:
    assert chrome.match_chrome(line) is None, (line, chrome.match_chrome(line))
    assert trailers.match_trailer(line) is None, (line, trailers.match_trailer(line))
    assert not dates.is_date_line(line), line
    assert bylines.parse_byline(line) is None, line
    assert compile_phrases("threads", None).match(match_key(line), counts=True) is None, line
