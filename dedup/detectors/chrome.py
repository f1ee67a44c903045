"""Detector `chrome`: whole short lines that are page furniture ("Share", "Follow", "Short Url").

Receives a `Document`; hands on a ``chrome`` mark for every line whose matching key *is* a
chrome phrase of ``dedup/resources/chrome/<lang>.txt``: share/follow/print buttons, "Read
more", "Advertisement", cookie and newsletter prompts, a section label alone on its line
("Opinion"), "<Name> logo", a stray template value ("None", "undefined").

A line matches only as a whole, never through a substring: "Follow" is chrome, "Police
follow the suspect's trail" is not. A count before or after the phrase is allowed
("Comments (12)", "34 Shares"). In the phrase files ``*`` stands for one to three words and
``**`` for the rest of the line ("we use cookies **"); patterns are compiled to anchored,
linear-time regular expressions over the matching key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark, unmarked
from dedup.document import Document
from dedup.lexicon import languages, load_lines
from dedup.normalize import match_key

# A count around a phrase: "12", "1 2k" (1.2k once punctuation is dropped), "34k".
_COUNT = re.compile(r"\d+[km]?")
# One to three words; "\S+" and the space are disjoint, so the pattern cannot backtrack
# more than a bounded number of times.
_SOME_WORDS = r"\S+(?: \S+){0,2}"
_MAX_COUNT_TOKENS = 2


@dataclass(frozen=True, slots=True)
class _Phrases:
    exact: dict[str, str]  # matching key -> "phrase (lang)", for the reason
    patterns: list[tuple[re.Pattern[str], str]]  # one compiled pattern per entry
    combined: re.Pattern[str] | None  # all patterns at once, for the fast path
    firsts: frozenset[str]  # first words of patterns that start with a word
    lasts: frozenset[str]  # last words of patterns that start with a wildcard


def pattern_regex(entry: str) -> str:
    r"""Return the regular expression (over matching keys) of a chrome pattern entry.

    Args:
        entry: a line of a chrome phrase file holding ``*`` or ``**``.

    Example:
        >>> pattern_regex("follow us on *")
        'follow us on \\S+(?: \\S+){0,2}'
    """
    parts = []
    for token in entry.split():
        if token == "**":
            parts.append(".*")
        elif token == "*":
            parts.append(_SOME_WORDS)
        else:
            key = match_key(token)
            if key:
                parts.append(re.escape(key))
    return " ".join(parts).replace(" .*", "(?: .*)?")


@cache
def _phrases(langs: tuple[str, ...] | None) -> _Phrases:
    chosen = languages("chrome") if langs is None else langs
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for lang in chosen:
        if lang not in languages("chrome"):
            continue
        for entry in load_lines(f"chrome/{lang}.txt"):
            label = f'"{entry}" ({lang})'
            if {"*", "**"} & set(entry.split()):
                patterns.append((re.compile(pattern_regex(entry)), label))
            else:
                exact.setdefault(match_key(entry), label)
    combined = re.compile("|".join(f"(?:{p.pattern})" for p, _ in patterns)) if patterns else None
    # The combined pattern only runs on a line whose first or last word can start or end one.
    firsts: set[str] = set()
    lasts: set[str] = set()
    for _, label in patterns:
        tokens = label[1 : label.rindex('"')].split()
        if tokens[0] not in ("*", "**"):
            firsts.add(match_key(tokens[0]).split(" ")[0])
        else:
            lasts.add(match_key(tokens[-1]).split(" ")[-1])
    return _Phrases(exact, patterns, combined, frozenset(firsts), frozenset(lasts))


def _without_counts(key: str) -> list[str]:
    """Return ``key`` without its leading count, and without its trailing count.

    "comments 12" -> ["comments 12", "comments"]; a count on both sides is not stripped.
    """
    words = key.split(" ")
    out = [key]
    lo = 0
    while lo < min(_MAX_COUNT_TOKENS, len(words) - 1) and _COUNT.fullmatch(words[lo]):
        lo += 1
    if lo:
        out.append(" ".join(words[lo:]))
    hi = len(words)
    while hi > max(1, len(words) - _MAX_COUNT_TOKENS) and _COUNT.fullmatch(words[hi - 1]):
        hi -= 1
    if hi < len(words):
        out.append(" ".join(words[:hi]))
    return out


def match_chrome(text: str, *, config: CleanConfig | None = None) -> str | None:
    """Return the chrome phrase a whole line matches (as ``"phrase (lang)"``), else None.

    Args:
        text: one line.
        config: its ``languages`` choose the phrase files; ``max_chrome_chars`` caps the
            length of a line that can be chrome.

    Example:
        >>> match_chrome("Comments (12)")
        '"comments" (en)'
        >>> match_chrome("Newsroom logo")
        '"* logo" (en)'
        >>> match_chrome("Police follow the suspect's trail to the border") is None
        True
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.max_chrome_chars:
        return None
    stripped = text.strip()
    if len(stripped) > cfg.max_chrome_chars:
        return None
    return _match_key(match_key(stripped), cfg)


def _match_key(key: str, cfg: CleanConfig) -> str | None:
    if not key:
        return None
    phrases = _phrases(cfg.languages)
    hit = phrases.exact.get(key)
    if hit is not None:
        return hit
    # A count is allowed next to a plain phrase ("Comments (12)"), not next to a pattern,
    # whose wildcard would otherwise swallow a numbered headline ("44. More on ...").
    if key[0].isdigit() or key[-1].isdigit():
        for candidate in _without_counts(key)[1:]:
            hit = phrases.exact.get(candidate)
            if hit is not None:
                return hit
    if phrases.combined is None:
        return None
    first, _, rest = key.partition(" ")
    last = rest.rpartition(" ")[2] if rest else first
    if (first in phrases.firsts or last in phrases.lasts) and phrases.combined.fullmatch(key):
        for pattern, label in phrases.patterns:
            if pattern.fullmatch(key):
                return label
    return None


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark every line that is, as a whole, a chrome phrase.

    Args:
        doc: the document.
        marks: earlier detectors' marks; those lines are skipped.
        config: options (``languages``, ``max_chrome_chars``).

    Returns:
        One ``chrome`` mark per matching line; the reason names the phrase and its language.
    """
    out = []
    limit = config.max_chrome_chars
    for i in unmarked(doc, marks):
        line = doc.lines[i]
        if len(line.text) > 2 * limit or len(line.stripped) > limit:
            continue  # a paragraph: skip before computing its matching key
        hit = _match_key(line.key, config)
        if hit is not None:
            out.append(Mark(i, "chrome", f"the whole line is the chrome phrase {hit}", "chrome"))
    return out
