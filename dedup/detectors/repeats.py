"""Detector `repeats`: a line printed again inside one document (label ``repeated_line``).

Receives a `Document` and the marks of the detectors before it (titles, teasers, trailers,
bylines, dates and chrome have labelled their own repeats); hands on a ``repeated_line`` mark
for every later copy of a line (same `Line.key`: case, quotes and punctuation aside), the
reason citing the line number of the first copy, which is kept.

Not every repeat is boilerplate, so some are left alone (when unsure, keep):
- lines with no letter at all: bullets alone ("•"), rules ("* * *"), numbers, scores and
  percentages are table cells or list markers, repeated by nature;
- repeats where either copy has a paragraph (``repeat_context_words`` words or more)
  within ``repeat_context_lines`` lines: a line repeated inside running text is a table
  cell, a refrain, a greeting or a signature in comments, a photo-caption stub. Removing
  those also changes what the content model sees around the article; on the dev set this
  rule keeps all but 10 of the 177 gold lines an unconditional rule loses;
- a row label of two tables printed a cell per line ("Phoenix", "15,516", "-20.7%", ...
  then "Phoenix" again by the next month's figures): both copies inside the span of a table
  of figures (`dedup.detectors.content.table_span`);
- a copy of the page's first line: that is the headline printed in the body (the titles
  detector decides about it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.content import _FIGURE, table_span
from dedup.detectors.titles import page_title_copy
from dedup.document import Document, Line

NAME = "repeats"
_LETTER = re.compile(r"[^\W\d_]")  # one letter of any script (C speed, even on 1 MB lines)


def _near_paragraph(doc: Document, pos: int, config: CleanConfig) -> bool:
    """Return whether the non-blank line at position ``pos`` has a paragraph near it."""
    lines, k = doc.content_lines, config.repeat_context_lines
    near = lines[max(0, pos - k) : pos] + lines[pos + 1 : pos + 1 + k]
    return any(doc.lines[i].n_words >= config.repeat_context_words for i in near)


def _table_cell(doc: Document, pos: int, config: CleanConfig, spans: dict[int, range]) -> bool:
    """Return whether the non-blank line at position ``pos`` is a cell of a table.

    A table printed one cell per line is a run of short lines; the maximal run around ``pos``
    is judged whole by `dedup.detectors.content.table_span`, as the content model judges it,
    and must hold figures. ``spans`` keeps each judged line's table (an empty range when
    none), so a run is judged once.
    """
    got = spans.get(pos)
    if got is not None:
        return pos in got
    lines, content, words = doc.lines, doc.content_lines, config.menu_max_words
    if not 0 < lines[content[pos]].n_words <= words:
        spans[pos] = range(0)
        return False
    lo, hi = pos, pos + 1
    while lo > 0 and 0 < lines[content[lo - 1]].n_words <= words:
        lo -= 1
    while hi < len(content) and 0 < lines[content[hi]].n_words <= words:
        hi += 1
    run = [lines[content[k]] for k in range(lo, hi)]
    span = table_span(run, config)
    # Of figures ("15,516", "-20.7%", "+3"): dates printed a part per line ("24", "Jul",
    # "2012", "9:11am") among a menu's links read as number cells too.
    table = range(0)
    if span is not None and (
        sum(_FIGURE.search(ln.stripped) is not None for ln in run[span[0] : span[1]])
        >= config.content_table_cells
    ):
        table = range(lo + span[0], lo + span[1])
    for k in range(lo, hi):
        spans[k] = table
    return pos in table


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    r"""Mark later copies of a line already printed in the document as ``repeated_line``.

    Args:
        doc: the document.
        marks: earlier detectors' marks; a line they marked is not marked again, but it
            still counts as a first copy (a second "Share this" after a removed one goes).
        config: ``repeat_context_words`` and ``repeat_context_lines``.

    Returns:
        One mark per later copy.

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> doc = Document("Storm warning\nShare this story\nA short note\nShare this story")
        >>> [(m.line, m.reason) for m in detect(doc, {}, DEFAULT_CONFIG)]
        [(3, 'same as line 2')]
    """
    first: dict[str, int] = {}  # key -> position (among non-blank lines) of the first copy
    is_page_title: Callable[[Line], bool] | None = None  # built on the first repeat found
    spans: dict[int, range] = {}  # the table of each line judged (`_table_cell`)
    out: list[Mark] = []
    lines = doc.lines
    for pos, i in enumerate(doc.content_lines):
        key = lines[i].key
        # A key that starts with a letter has one: the regex only for the others.
        if not key[:1].isalpha() and _LETTER.search(key) is None:
            continue
        seen = first.setdefault(key, pos)
        if seen == pos or i in marks:
            continue
        if is_page_title is None:
            is_page_title = page_title_copy(doc, config)
        if is_page_title(doc.lines[i]):
            # A copy of the page's first line (its HTML <title>, maybe with the site's name)
            # is the headline printed in the body: the titles detector decides about it, and
            # when it did not, keep it.
            continue
        if _near_paragraph(doc, pos, config) or _near_paragraph(doc, seen, config):
            continue
        if _table_cell(doc, pos, config, spans) and _table_cell(doc, seen, config, spans):
            continue  # a row label of two tables ("Phoenix" by the figures of two months)
        line_no = doc.lines[doc.content_lines[seen]].line_no
        out.append(Mark(i, "repeated_line", f"same as line {line_no}", NAME, 1.0))
    return out
