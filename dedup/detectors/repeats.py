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
- a copy of the page's first line: that is the headline printed in the body (the titles
  detector decides about it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.titles import page_title_copy
from dedup.document import Document, Line

NAME = "repeats"
_LETTER = re.compile(r"[^\W\d_]")  # one letter of any script (C speed, even on 1 MB lines)


def _near_paragraph(doc: Document, pos: int, config: CleanConfig) -> bool:
    """Return whether the non-blank line at position ``pos`` has a paragraph near it."""
    lines, k = doc.content_lines, config.repeat_context_lines
    near = lines[max(0, pos - k) : pos] + lines[pos + 1 : pos + 1 + k]
    return any(doc.lines[i].n_words >= config.repeat_context_words for i in near)


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
        line_no = doc.lines[doc.content_lines[seen]].line_no
        out.append(Mark(i, "repeated_line", f"same as line {line_no}", NAME, 1.0))
    return out
