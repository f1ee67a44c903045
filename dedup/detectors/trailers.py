"""Detector `trailers`: the lines that close an article ("Published in Dawn, November 27th, 2025").

Receives a `Document`; hands on a ``trailer`` mark for every line that is, as a whole, one of
the patterns of ``dedup/resources/trailers/<lang>.txt``: where the article first appeared,
copyright notices ("© 2012 ...", "All rights reserved"), agency credits ("(Reporting by ...;
Editing by ...)"), "The views expressed in this article ...".

The patterns use the phrase-file syntax of the chrome detector (``*``, ``**``, ``#``), plus
``~~``: the rest of the line, which must then read as names and dates (capitalised words,
numbers, month names, the pattern's own words). So "Published in Dawn, November 27th, 2025"
is a trailer and "Published in 1998, the novel sold a million copies." stays. In a script
without case the rest must hold a date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache

from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.bylines import is_credit
from dedup.detectors.chrome import compile_phrases
from dedup.detectors.dates import (
    ConfigHandle,
    config_handle,
    find_dates,
    is_date_line,
    is_date_word,
)
from dedup.detectors.prescreen import candidates
from dedup.document import Document
from dedup.normalize import match_key, normalize

# Verdicts are pure functions of (line, config): cached, because the cleaner re-runs every
# detector on its own output and one site repeats the same chrome on every page.
_CACHE_LINES = 1 << 14  # short lines only (<= 300 chars): a few MB at most

# Words of the original line (case kept), for the names-and-dates test of "~~" patterns.
_WORD = re.compile(r"[^\W_]+")
# "©" and "(c)" before a year read as the word "copyright", which the patterns spell out
# (a bare "(c)" is more often the third item of a list).
_COPYRIGHT = re.compile(r"©|\([cC]\)(?=\s?(?:19|20)\d\d)")


@cache
def _pattern_words(langs: tuple[str, ...] | None) -> frozenset[str]:
    """Return every literal word of the trailer patterns: allowed lower-case in a "~~" rest."""
    phrases = compile_phrases("trailers", langs)
    words: set[str] = set()
    for _, entry in phrases.patterns:
        words.update(match_key(entry).split())
    return frozenset(words)


def _names_and_dates(text: str, cfg: CleanConfig) -> bool:
    """Return whether every word of ``text`` is a name, a number, date or pattern vocabulary."""
    allowed = _pattern_words(cfg.languages)
    caseless = False
    for m in _WORD.finditer(text):
        word = m.group()
        if word[0].isdigit() or word[0].isupper():
            continue
        if word.lower() == word.upper():
            caseless = True  # a script without case: judged by its date below
            continue
        if normalize(word) in allowed or is_date_word(word, config=cfg):
            continue
        if is_credit(word, config=cfg):
            continue  # agencies written in lower case: "Mit Material von dpa"
        return False
    return not caseless or bool(find_dates(text, config=cfg))


def has_copyright(text: str) -> bool:
    """Return whether ``text`` holds a "©" or a "(c)" before a year, read as "copyright".

    Example:
        >>> has_copyright("(c) 2012 Reuters"), has_copyright("(c) a third item")
        (True, False)
    """
    return _COPYRIGHT.search(text) is not None


def trailer_key(text: str) -> str:
    """Return the matching key of a trailer candidate, with "©" read as "copyright".

    Example:
        >>> trailer_key("© 2012 The Washington Post")
        'copyright 2012 the washington post'
    """
    return match_key(_COPYRIGHT.sub(" copyright ", text))


def match_trailer(text: str, *, config: CleanConfig | None = None) -> str | None:
    """Return the trailer pattern a whole line matches (as ``"pattern (lang)"``), else None.

    Args:
        text: one line.
        config: its ``languages`` choose the pattern files; ``trailer_max_chars`` caps the
            length of a line that can be a trailer.

    Example:
        >>> match_trailer("Published in Dawn, November 27th, 2025")
        '"published in ~~" (en)'
        >>> match_trailer("Published in 1998, the novel sold a million copies.") is None
        True
        >>> match_trailer("Copyright 2024 The Associated Press. All rights reserved.")
        '"copyright # **" (en)'
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.trailer_max_chars:
        return None
    stripped = text.strip()
    if not stripped or len(stripped) > cfg.trailer_max_chars:
        return None
    return _match_text(stripped, config_handle(cfg))


@lru_cache(maxsize=_CACHE_LINES)
def _match_text(stripped: str, handle: ConfigHandle) -> str | None:
    return _match(stripped, trailer_key(stripped), handle)


@lru_cache(maxsize=_CACHE_LINES)
def _match(stripped: str, key: str, handle: ConfigHandle) -> str | None:
    cfg = handle.config
    phrases = compile_phrases("trailers", cfg.languages)
    entry = phrases.match(key)
    if entry is None:
        return None
    if "~~" in entry.split() and not _names_and_dates(stripped, cfg):
        # "Copyright ⓒ 조선일보 & chosun.com": "copyright ~~" matches first and fails (no names
        # in a script without case, no date); another language's pattern may still hold.
        entry = next((e for e in phrases.matches(key) if "~~" not in e.split()), None)
        if entry is None:
            return None
    if is_date_line(stripped, config=cfg):
        return None  # "Published on May 5, 2024" is the article's timestamp (dates detector)
    return f'"{entry}" ({phrases.langs[entry]})'


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark every line that is, as a whole, a trailer pattern as ``trailer``.

    Args:
        doc: the document.
        marks: earlier detectors' marks; those lines are skipped.
        config: options (``languages``, ``trailer_max_chars``).

    Returns:
        One ``trailer`` mark per matching line; the reason names the pattern and language.
    """
    out = []
    handle = config_handle(config)
    lines = doc.lines
    # Most lines are too long or fail the pattern set's cheap necessary test
    # (`PhraseSet.could_match`): the pre-screen, one scan shared with the other lexical
    # detectors, leaves them out.
    for i in candidates(doc, config).trailers:
        if i in marks:
            continue
        line = lines[i]
        stripped = line.stripped
        # The line's cached key serves unless a "©" must first be read as "copyright".
        key = line.key
        if ("©" in stripped or "(c)" in stripped or "(C)" in stripped) and _COPYRIGHT.search(
            stripped
        ):
            key = trailer_key(stripped)
        hit = _match(stripped, key, handle)
        if hit is not None:
            out.append(Mark(i, "trailer", f"the line is the trailer {hit}", "trailers"))
    return out
