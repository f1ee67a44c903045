"""Detector `teasers`: lists of other articles (label ``teaser``).

Receives a `Document` and the titles' marks; hands on a ``teaser`` mark for every line of a
teaser list. News pages end with the site's other articles, each printed as a small unit that
repeats: headline, date, headline again, truncated snippet (seed 004); or headline and date
("Related Posts" lists); or headline and snippet; or headline, standfirst and date (cards).
Every non-blank line is typed (``H`` headline-like short line, ``D`` bare date, ``S`` snippet
ending in "..."/"…", ``B`` a standfirst: one paragraph of at most `_BLURB_WORDS` words ending
a sentence, with a full stop when it is of a headline's length, ``X`` anything else); a
teaser list is a run of at least ``teaser_min_items`` consecutive copies of one unit of 2-4
types holding a date or a snippet. A unit with a standfirst holds a date, no snippet, and a
headline of `_BLURB_HEADLINE_WORDS` words or more in every item (a comment's header is its
author's name). Lines before the first unit ("Opinion", "Related Posts") and a trailing
incomplete unit are left to the other detectors.

Content is protected three ways: a paragraph (``X``) breaks a run, a unit needs a date or a
snippet (in-article subheadings alone never form one), and a list of bare headline/date
items with no snippet and no repeated headline counts only when it is not enclosed by
paragraphs (``teaser_context_lines``): a dated timeline inside an article has the article's
text right before and after it.

A line that points to other articles ("Related", "Read more:", "Lire aussi", "Mehr zum
Thema": ``dedup/resources/pointers/``) announces links: the headline-like lines right after
it, up to ``chrome_pointer_links``, are teasers too, inside the article as after it. The
pointer itself is a chrome phrase (the `chrome` detector removes it).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import islice

from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.chrome import compile_phrases, match_chrome
from dedup.detectors.dates import line_date_shape
from dedup.detectors.prescreen import candidates
from dedup.detectors.titles import _TRUNCATED, is_headline_like, is_paragraph, is_truncated
from dedup.document import Document, Line

NAME = "teasers"

HEADLINE, DATE, SNIPPET, OTHER = "H", "D", "S", "X"
# A teaser's standfirst: one short paragraph (`_BLURB_WORDS` words at most) ending a sentence.
BLURB = "B"
MAYBE_DATE = "d"  # a short line with a digit, before the date parser has looked at it
_DIGIT = re.compile(r"\d")
_MARKERS = frozenset((DATE, SNIPPET))
_LONGEST_UNIT = 4  # headline, date, headline again, snippet
_WORDS = {HEADLINE: "title", DATE: "date", SNIPPET: "snippet", BLURB: "standfirst"}
_BLURB_WORDS = 40
# The headline of an item with a standfirst has at least this many words: a commenter's name
# over the date and the comment ("Jane", "May 5, 2012", "I agree.") is no teaser.
_BLURB_HEADLINE_WORDS = 4
# A standfirst ends a sentence; one of a headline's length must end with a full stop: ending
# with "?" or "!", it stays a headline ("Why do cities still build car parks?").
_FULL_STOP = (".", ".\u201d", '."')
_SENTENCE_END = (*_FULL_STOP, "?", "!", "?\u201d", "!\u201d")


@dataclass(frozen=True, slots=True)
class Block:
    """A teaser list: positions ``[start, stop)`` among the non-blank lines, and its unit.

    Attributes:
        start: position (in `Document.content_lines`) of the block's first line.
        stop: position just past its last line.
        unit: the types of one item, e.g. ``"HDHS"``.
        items: how many items (copies of the unit) it holds.
        description: the unit in words ("title, date, title again, snippet").
    """

    start: int
    stop: int
    unit: str
    items: int
    description: str


def _cheap_type(line: Line, config: CleanConfig) -> str:
    """Return the line's type, with ``MAYBE_DATE`` for a short line holding a digit."""
    text = line.stripped
    if is_truncated(text) and line.n_words >= 3:
        return SNIPPET
    if line.n_words > config.max_title_words:
        return OTHER
    if len(text) <= config.max_date_line_chars and _DIGIT.search(text):
        return MAYBE_DATE
    if line.n_words == 0 or (text.endswith(".") and line.n_words >= config.title_body_words):
        return OTHER
    return HEADLINE


def _types(
    doc: Document, marks: Mapping[int, Mark], config: CleanConfig
) -> tuple[str, list[tuple[int, int]]]:
    """Return the type of every non-blank line (one character each) and the runs to search.

    A run lies between two ``X`` lines; every item of a list needs a date or a snippet, so a
    run with fewer than ``teaser_min_items`` of them is ruled out at once. The date parser is
    costly: a possible date is parsed only inside the runs that remain, and only those are
    searched for lists (returned as ``[start, end)`` positions).
    """
    # `_cheap_type`, inlined: it runs on every line of the page.
    lines = doc.lines
    max_words, max_chars = config.max_title_words, config.max_date_line_chars
    body_words = config.title_body_words
    cheap: list[str] = []
    others: list[int] = []  # positions of OTHER lines: they bound the runs
    maybe: list[int] = []  # positions of MAYBE_DATE lines
    snippets: list[int] = []  # positions of SNIPPET lines
    for pos, i in enumerate(doc.content_lines):
        if i in marks:
            cheap.append(OTHER)
            others.append(pos)
            continue
        line = lines[i]
        text = line.stripped  # no trailing space: `is_truncated` is a plain `endswith`
        n = line.n_words
        if n >= 3 and text.endswith(_TRUNCATED):
            cheap.append(SNIPPET)
            snippets.append(pos)
        elif n > max_words:
            if n <= _BLURB_WORDS and text.endswith(_SENTENCE_END):
                cheap.append(BLURB)
            else:
                cheap.append(OTHER)
                others.append(pos)
        elif len(text) <= max_chars and _DIGIT.search(text):
            cheap.append(MAYBE_DATE)
            maybe.append(pos)
        elif n == 0:
            cheap.append(OTHER)
            others.append(pos)
        elif n >= body_words and text.endswith(_FULL_STOP):
            cheap.append(BLURB)
        else:
            cheap.append(HEADLINE)
    runs: list[tuple[int, int]] = []
    start = 0
    # Every item needs a date or a snippet: a run with fewer than ``teaser_min_items`` of them
    # (counted by bisecting their sorted positions) is ruled out before any date is parsed.
    for end in [*others, len(cheap)]:
        lo, hi = bisect_left(maybe, start), bisect_left(maybe, end)
        markers = hi - lo + bisect_left(snippets, end) - bisect_left(snippets, start)
        possible = markers >= config.teaser_min_items
        for k in maybe[lo:hi]:
            # `titles.is_date` (the line holds a digit), its shape remembered on the line.
            line = lines[doc.content_lines[k]]
            cheap[k] = DATE if possible and line_date_shape(line, config) is not None else HEADLINE
        if possible:
            runs.append((start, end))
        start = end + 1
    return "".join(cheap), runs


def _repeats(types: str, size: int) -> list[int]:
    """Return, for every position, how many times the unit of ``size`` there repeats in a row.

    Computed from the end in one pass (each position reuses the count ``size`` further on),
    so finding lists stays linear however long a periodic run of lines is.
    """
    n = len(types)
    out = [0] * (n + size)
    for pos in range(n - size, -1, -1):
        unit_here = types[pos : pos + size]
        out[pos] = 1 + out[pos + size] if unit_here == types[pos + size : pos + 2 * size] else 1
    return out


@cache  # a unit is one of the few strings of 2-4 types: a lookup, not a function body
def _possible_unit(unit: str) -> bool:
    """Return whether ``unit`` can be a teaser item: a marker, one or two headlines, no X.

    A standfirst (``B``) goes with one headline and a date, and no snippet: "title,
    standfirst, date" or "title, date, standfirst".
    """
    if OTHER in unit or _MARKERS.isdisjoint(unit) or unit.count(HEADLINE) not in (1, 2):
        return False
    blurbs = unit.count(BLURB)
    return not blurbs or (blurbs == 1 and DATE in unit and SNIPPET not in unit)


def _describe(doc: Document, unit: str, lines: list[int]) -> tuple[str, bool]:
    """Return the unit in words and whether each item prints its headline twice."""
    heads = [j for j, t in enumerate(unit) if t == HEADLINE]
    again = len(heads) == 2 and all(
        doc.lines[lines[s + heads[0]]].key == doc.lines[lines[s + heads[1]]].key
        for s in range(0, len(lines), len(unit))
    )
    words = [_WORDS[t] for t in unit]
    if again:
        words[heads[1]] = "title again"
    return ", ".join(words), again


def _headlines_long(doc: Document, unit: str, lines: list[int]) -> bool:
    """Return whether every item's headline has `_BLURB_HEADLINE_WORDS` words or more."""
    head = unit.index(HEADLINE)
    return all(
        doc.lines[lines[s + head]].n_words >= _BLURB_HEADLINE_WORDS
        for s in range(0, len(lines), len(unit))
    )


def find_blocks(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Block]:
    r"""Return the teaser lists of ``doc``, in order (lines already marked break a list).

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> items = ["Rates rise again", "05 Dec, 2025", "Rates rise again", "Banks said on..."]
        >>> doc = Document("\n".join(items * 3))
        >>> [(b.start, b.stop, b.unit, b.items) for b in find_blocks(doc, {}, DEFAULT_CONFIG)]
        [(0, 12, 'HDHS', 3)]
    """
    types, runs = _types(doc, marks, config)
    blocks: list[Block] = []
    for start, end in runs:
        blocks.extend(_blocks_in_run(doc, types, start, end, config))
    return blocks


def _blocks_in_run(
    doc: Document, types: str, start: int, end: int, config: CleanConfig
) -> list[Block]:
    """Return the teaser lists among positions ``[start, end)`` (a run without ``X``)."""
    lines = doc.content_lines
    sizes = range(2, _LONGEST_UNIT + 1)
    reps = {size: _repeats(types[start:end], size) for size in sizes}
    # A run rejected at ``pos`` is rejected again one unit further on (same unit, fewer
    # items): remember where each size's rejected run ends, and its phase, to skip it.
    rejected: dict[tuple[int, int], int] = {}  # (size, phase) -> end of the rejected run
    blocks: list[Block] = []
    pos = start
    min_items = config.teaser_min_items
    while pos < end:
        # Every unit holds a marker (a date or a snippet): positions more than a unit's length
        # before the next marker start none, and after the last marker there is none.
        date, snippet = types.find(DATE, pos, end), types.find(SNIPPET, pos, end)
        if date < 0 and snippet < 0:
            break
        marker = snippet if date < 0 or 0 <= snippet < date else date
        pos = max(pos, marker - (_LONGEST_UNIT - 1))
        best: tuple[int, int, str, bool] | None = None  # items, size, description, again
        for size in sizes:
            items = reps[size][pos - start]
            if items < min_items:
                continue
            unit = types[pos : pos + size]
            if not _possible_unit(unit):
                continue
            if best and items * size <= best[0] * best[1]:
                continue
            if pos < rejected.get((size, pos % size), -1):
                continue
            description, again = _describe(doc, unit, lines[pos : pos + items * size])
            # One headline per item (or the same one twice): archive lists of bare dates
            # and comment threads (text, name, date) are not teaser lists.
            if (unit.count(HEADLINE) == 1 or again) and (
                BLURB not in unit or _headlines_long(doc, unit, lines[pos : pos + items * size])
            ):
                best = (items, size, description, again)
            else:
                rejected[(size, pos % size)] = pos + items * size
        if best is None:
            pos += 1
            continue
        items, size, description, again = best
        stop = pos + items * size
        unit = types[pos : pos + size]
        if SNIPPET in unit or again or not _inside_article(doc, pos, stop, config):
            blocks.append(Block(pos, stop, unit, items, description))
        pos = stop
    return blocks


def _inside_article(doc: Document, start: int, stop: int, config: CleanConfig) -> bool:
    """Return whether paragraphs sit close on both sides of positions ``[start, stop)``.

    A dated timeline in an article ("March 3, 2024" / "Plans first presented" ...) has the
    article's text right before and right after it; a "Related Posts" list does not.
    """
    lines, k = doc.content_lines, config.teaser_context_lines
    before = lines[max(0, start - k) : start]
    after = lines[stop : stop + k]
    return any(is_paragraph(doc.lines[i], config) for i in before) and any(
        is_paragraph(doc.lines[i], config) for i in after
    )


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark every line of every teaser list as ``teaser``.

    Args:
        doc: the document.
        marks: earlier detectors' marks (a title is never part of a teaser list).
        config: ``teaser_min_items``, ``teaser_context_lines``, ``max_title_words``,
            ``title_body_words``.

    Returns:
        One ``teaser`` mark per line of each list, the reason naming the list's shape.
    """
    out: list[Mark] = []
    for block in find_blocks(doc, marks, config):
        reason = f"teaser list of {block.items} other articles: {block.description}"
        out.extend(
            Mark(i, "teaser", reason, NAME, float(block.items))
            for i in doc.content_lines[block.start : block.stop]
        )
    out.extend(pointed_links(doc, marks, config, {m.line for m in out}))
    return out


#: How the reason of a link under a pointer starts (`dedup.detectors.content` reads it).
POINTED_REASON = "a link to another article under"


def pointed_links(
    doc: Document, marks: Mapping[int, Mark], config: CleanConfig, taken: set[int]
) -> list[Mark]:
    r"""Mark the headline-like lines right after a pointer line ("Related", "Lire aussi").

    Up to ``chrome_pointer_links`` of them; the first line that is no headline (a paragraph,
    a sentence, a line another detector decided) ends the links. Lines in ``taken`` are
    already teasers.

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> doc = Document("Read more:\nSchools face teacher shortage\nThe council met today.")
        >>> [(m.line, m.label) for m in pointed_links(doc, {}, DEFAULT_CONFIG, set())]
        [(1, 'teaser')]
    """
    pointers = compile_phrases("pointers", config.languages).exact  # plain phrases only
    insets = compile_phrases("insets", config.languages)
    out: list[Mark] = []
    lines, idx = doc.lines, doc.content_lines
    for i in candidates(doc, config).chrome:
        if lines[i].key not in pointers or i in marks:
            continue
        k = bisect_left(idx, i) + 1
        left = config.chrome_pointer_links
        for j in islice(idx, k, None):
            if left == 0:
                break
            if j in marks or j in taken:
                break
            if insets.match(lines[j].key) is not None:
                continue  # the box's own furniture between its links ("list 2 of 3")
            if not is_headline_like(lines[j], config):
                break
            if match_chrome(lines[j].text, config=config) is not None:
                break  # a chrome line ("Subscribe"), or another pointer with its own links
            left -= 1
            reason = f"{POINTED_REASON} {lines[i].stripped[:40]!r} (line {lines[i].line_no})"
            out.append(Mark(j, "teaser", reason, NAME))
            taken.add(j)
    return out
