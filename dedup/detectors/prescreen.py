"""One scan of a page for the lexical detectors: which lines trailers, bylines, dates, chrome read.

Receives a `Document` and the `CleanConfig`; hands on, for each of the four detectors that
match a line as a whole against word lists (``trailers``, ``bylines``, ``dates``,
``chrome``), the indices of the non-blank lines that pass its cheap necessary test: short
enough, and a first word, last word or whole matching key that one of its phrases can start,
end or be (for bylines also: a role written after the name ends it, glued to the name or before
an e-mail address). Each detector then runs its full test on those lines only.

Run one after the other, the four detectors each read every line of the page, slice its first
word and look it up; most lines fail all four tests. Here a line is read once: its first word
is looked up in one table that says which detectors it concerns. The tests are exactly the
detectors' own pre-tests (`dedup.detectors.chrome.PhraseSet.could_match`, the first-word
tests of `bylines` and `dates`, `dedup.detectors.bylines.RoleEnds.could_end`), so the lines
each detector marks are the same.

The result is kept on the document (`Document.memo`) for the config it was made for: the four
detectors of one pass share one scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from dedup.config import CleanConfig
from dedup.document import Document

# Bits of the first-word, last-word and whole-key tables.
_TRAILER = 1  # a trailer pattern starts/ends with the word, or a plain trailer phrase is the key
_BYLINE = 2  # a byline lead or credit starts with the word, or a role after a name ends with it
_DATE = 4  # the word is date vocabulary
_CHROME = 8  # a chrome pattern starts/ends with the word, or a chrome phrase is the key
_CHROME_HEAD = 16  # a plain chrome phrase starts with the word (a row of phrases may)
_CRUMB = 32  # (a line's verdict only) a mark of a breadcrumb trail stands between spaces

_DIGIT = re.compile(r"\d")
_MEMO = "prescreen"
# The name under which a line keeps its verdict (the bits `_TRAILER`, `_BYLINE`, `_DATE`,
# `_CHROME` of the detectors that must test it, with the config it is for) among its features:
# `Document.from_lines` carries them over, so the cleaner's re-runs do not screen it again.
_FEATURE = "_prescreen"


@dataclass(frozen=True, slots=True)
class Candidates:
    """The lines (indices into `Document.lines`, in order) each lexical detector reads."""

    trailers: list[int]
    bylines: list[int]
    dates: list[int]
    chrome: list[int]
    breadcrumbs: frozenset[int]  # chrome lines with a breadcrumb's mark between spaces


@dataclass(frozen=True, slots=True)
class _Tables:
    firsts: dict[str, int]  # first word -> bits
    lasts: dict[str, int]  # last word -> bits
    exact: dict[str, int]  # whole matching key -> bits
    trailer_anchors: re.Pattern[str] | None
    chrome_anchors: re.Pattern[str] | None
    chrome_exact: dict[str, str]
    chrome_prefixes: bool
    trailer_could_match: Callable[..., bool]
    has_copyright: Callable[[str], bool]
    trailer_key: Callable[[str], str]
    without_counts: Callable[[str], list[str]]
    # bylines written name first ("김민수 기자"): `RoleEnds.could_end` past its ``lasts``
    # (merged into ``lasts`` above): whether there are such roles, and the glued ones
    byline_ends: bool
    byline_glued: tuple[str, ...]
    byline_role_before_date: Callable[[str, str], bool]  # `RoleEnds.role_before_date`
    byline_ascii_roles: bool  # whether a role written after a name is in ASCII letters
    pager_ends: frozenset[str]  # first and last characters of the marks of post links
    crumb_gap: re.Pattern[str]  # finds a mark between a breadcrumb trail's parts
    crumb_pretest: tuple[str, str, tuple[str, ...]]  # `chrome.breadcrumb_pretest`
    row_chars: frozenset[str]  # the characters of separators between chrome phrases


@cache
def _tables(langs: tuple[str, ...] | None) -> _Tables:
    """Return the merged lookup tables of the four detectors' phrase lists for ``langs``."""
    # Imported here: the four detectors import this module.
    from dedup.detectors import bylines, chrome, dates, trailers

    tr = chrome.compile_phrases("trailers", langs)
    ch = chrome.compile_phrases("chrome", langs)
    firsts: dict[str, int] = {}
    lasts: dict[str, int] = {}
    exact: dict[str, int] = {}

    def add(table: dict[str, int], words: Iterable[str], bit: int) -> None:
        for word in words:
            table[word] = table.get(word, 0) | bit

    add(firsts, tr.firsts, _TRAILER)
    add(firsts, bylines.lexicon_firsts(langs), _BYLINE)
    ends = bylines.lexicon_ends(langs)
    add(lasts, ends.lasts, _BYLINE)
    add(firsts, dates.vocabulary_words(langs), _DATE)
    add(firsts, ch.firsts, _CHROME)
    add(firsts, ch.heads, _CHROME_HEAD)
    add(lasts, tr.lasts, _TRAILER)
    add(lasts, ch.lasts, _CHROME)
    add(exact, tr.exact, _TRAILER)
    add(exact, ch.exact, _CHROME)
    return _Tables(
        firsts,
        lasts,
        exact,
        tr.anchors,
        ch.anchors,
        ch.exact,
        bool(ch.prefixes),
        tr.could_match,
        trailers.has_copyright,
        trailers.trailer_key,
        chrome.without_counts,
        bool(ends.lasts or ends.glued),
        ends.glued,
        ends.role_before_date,
        any(w.isascii() for w in (*ends.lasts, *ends.glued)),
        frozenset(m[0] for m in chrome.pager_marks()) | {m[-1] for m in chrome.pager_marks()},
        chrome.breadcrumb_gap(),
        chrome.breadcrumb_pretest(),
        chrome.ROW_SEPARATOR_CHARS,
    )


def candidates(doc: Document, config: CleanConfig) -> Candidates:
    r"""Return the lines of ``doc`` each lexical detector must test (see the module docstring).

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> doc = Document("Share\nMay 5, 2024\nRain fell on the city all day long.")
        >>> c = candidates(doc, DEFAULT_CONFIG)  # lines to test, not verdicts
        >>> c.trailers, c.bylines, c.dates, c.chrome
        ([], [], [1], [0])
    """
    memo = doc.memo.get(_MEMO)
    if memo is not None and memo[0] is config:
        found: Candidates = memo[1]
        return found
    found = _scan(doc, config)
    doc.memo[_MEMO] = (config, found)
    return found


def _scan(doc: Document, config: CleanConfig) -> Candidates:
    t = _tables(config.languages)
    # Everything the per-line test reads, in locals: it runs on every short line of a page.
    firsts, lasts, exact = t.firsts, t.lasts, t.exact
    tr_anchors, ch_anchors, ch_exact = t.trailer_anchors, t.chrome_anchors, t.chrome_exact
    has_copyright, trailer_key = t.has_copyright, t.trailer_key
    tr_could_match, without_counts = t.trailer_could_match, t.without_counts
    ch_prefixes, row_words = t.chrome_prefixes, config.chrome_row_max_words
    by_ends, by_glued, pager_ends, seps = t.byline_ends, t.byline_glued, t.pager_ends, t.row_chars
    crumb_gap = t.crumb_gap.search
    crumb_a, crumb_b, crumb_marks = t.crumb_pretest
    by_role_before_date, by_ascii = t.byline_role_before_date, t.byline_ascii_roles
    tr_limit, by_limit = config.trailer_max_chars, config.byline_max_chars
    date_limit, ch_limit = config.max_date_line_chars, config.max_chrome_chars
    longest = max(tr_limit, by_limit, date_limit, ch_limit)
    digit = _DIGIT.search
    out_tr: list[int] = []
    out_by: list[int] = []
    out_date: list[int] = []
    out_ch: list[int] = []
    crumbs: list[int] = []
    lines = doc.lines
    for i in doc.content_lines:
        features = lines[i].__dict__
        got = features.get(_FEATURE)
        if got is not None and got[0] is config:
            out = got[1]
        else:
            out = 0
            stripped, text = features["stripped"], features["text"]
            n, width = len(stripped), len(text)
            if n <= longest and width <= 2 * longest:  # else a paragraph: none of the four
                key = features["key"]
                space = key.find(" ")
                first = key if space < 0 else key[:space]
                bits = firsts.get(first, 0)
                last = key[key.rfind(" ") + 1 :]
                if key:
                    bits |= exact.get(key, 0)
                    if lasts:
                        bits |= lasts.get(last, 0)
                # trailers: `PhraseSet.could_match(key, counts=False)`, on the key with "©"
                # read as "copyright" when the line holds one.
                if n <= tr_limit and width <= 2 * tr_limit:
                    if (
                        "©" in stripped
                        or ("(" in stripped and ("(c)" in stripped or "(C)" in stripped))
                    ) and has_copyright(stripped):
                        if tr_could_match(trailer_key(stripped), counts=False):
                            out |= _TRAILER
                    elif key and (
                        bits & _TRAILER or (tr_anchors is not None and tr_anchors.search(key))
                    ):
                        out |= _TRAILER
                # bylines: a lead or a credit starts the line, or a role written after the
                # name ends it ("김민수 기자"), glued to the name ("山田太郎記者") or before an
                # e-mail address or a date (`RoleEnds.could_end`, inlined: its ``lasts`` are in
                # ``bits``; the date's test only where every such role is written in other
                # letters than ASCII, on lines that are not ASCII).
                if (
                    n <= by_limit
                    and width <= 2 * by_limit
                    and (
                        bits & _BYLINE
                        or (
                            by_ends
                            and (
                                last.endswith(by_glued)
                                or "@" in stripped
                                or (
                                    (by_ascii or not stripped.isascii())
                                    and by_role_before_date(key, last)
                                )
                            )
                        )
                    )
                ):
                    out |= _BYLINE
                # dates: the first word is date vocabulary or holds a digit (a word of
                # letters holds none).
                if (
                    n <= date_limit
                    and width <= 2 * date_limit
                    and (bits & _DATE or (not first.isalpha() and digit(first)))
                ):
                    out |= _DATE
                # chrome: `PhraseSet.could_match(key, row_words=...)`, or a colon for a
                # "<label>: **" entry. A count next to a phrase ("comments 12"): without a
                # count first (a count is digits, and `isdigit` holds for every digit), what
                # is left starts with the line's first word, which must start a plain phrase.
                # A row of plain phrases: side by side, or between separators
                # (`chrome.separated_row`).
                if n <= ch_limit and width <= 2 * ch_limit:
                    phrase = key and (
                        bits & _CHROME
                        or (ch_anchors is not None and ch_anchors.search(key))
                        or (
                            bits & _CHROME_HEAD
                            and (0 < key.count(" ") < row_words or not seps.isdisjoint(stripped))
                        )
                        or (
                            (key[0].isdigit() or (key[-1].isdigit() and bits & _CHROME_HEAD))
                            and any(k in ch_exact for k in without_counts(key)[1:])
                        )
                    )
                    if (  # a breadcrumb trail (`chrome.breadcrumb`)
                        (crumb_a in stripped or crumb_b in stripped)
                        if stripped.isascii()
                        else any(m in stripped for m in crumb_marks)
                    ) and crumb_gap(stripped) is not None:
                        out |= _CHROME | _CRUMB
                    elif (
                        phrase
                        or (ch_prefixes and (":" in stripped or "：" in stripped))
                        or stripped[0] in pager_ends  # a link to another post (`pager_link`)
                        or stripped[-1] in pager_ends
                    ):
                        out |= _CHROME
            features[_FEATURE] = (config, out)
        if out:
            if out & _TRAILER:
                out_tr.append(i)
            if out & _BYLINE:
                out_by.append(i)
            if out & _DATE:
                out_date.append(i)
            if out & _CHROME:
                out_ch.append(i)
                if out & _CRUMB:
                    crumbs.append(i)
    return Candidates(out_tr, out_by, out_date, out_ch, frozenset(crumbs))
