"""Detector `repeats`: a line printed again inside one document (label ``repeated_line``).

Receives a `Document` and the marks of the detectors before it (titles, teasers, trailers,
bylines, dates and chrome have labelled their own repeats); hands on a ``repeated_line`` mark
for every later copy of a line (same `Line.key`: case, quotes and punctuation aside), the
reason citing the line number of the first copy, which is kept.

Not every repeat is boilerplate, so some are left alone (when unsure, keep):
- lines with no letter at all: bullets alone ("•"), rules ("* * *"), numbers, scores and
  percentages are table cells or list markers, repeated by nature;
- repeats where either copy sits next to a paragraph (``repeat_context_words`` words or
  more): a line repeated inside running text is a table cell, a refrain, a greeting or a
  signature in comments. On the dev set this keeps 55% of the gold lines an unconditional
  rule removes, for 20% fewer removals, most of which the menu and content detectors make
  anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.document import Document

NAME = "repeats"
_LETTER = re.compile(r"[^\W\d_]")  # one letter of any script (C speed, even on 1 MB lines)


def _beside_paragraph(doc: Document, pos: int, words: int) -> bool:
    """Return whether the non-blank line at position ``pos`` has a paragraph beside it."""
    lines = doc.content_lines
    near = lines[max(0, pos - 1) : pos] + lines[pos + 1 : pos + 2]
    return any(doc.lines[i].n_words >= words for i in near)


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    r"""Mark later copies of a line already printed in the document as ``repeated_line``.

    Args:
        doc: the document.
        marks: earlier detectors' marks; a line they marked is not marked again, but it
            still counts as a first copy (a second "Share this" after a removed one goes).
        config: ``repeat_context_words``.

    Returns:
        One mark per later copy.

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> doc = Document("Share this story\nA short note\nShare this story")
        >>> [(m.line, m.reason) for m in detect(doc, {}, DEFAULT_CONFIG)]
        [(2, 'same as line 1')]
    """
    first: dict[str, int] = {}  # key -> position (among non-blank lines) of the first copy
    out: list[Mark] = []
    words = config.repeat_context_words
    for pos, i in enumerate(doc.content_lines):
        key = doc.lines[i].key
        if _LETTER.search(key) is None:
            continue
        seen = first.setdefault(key, pos)
        if seen == pos or i in marks:
            continue
        if _beside_paragraph(doc, pos, words) or _beside_paragraph(doc, seen, words):
            continue
        line_no = doc.lines[doc.content_lines[seen]].line_no
        out.append(Mark(i, "repeated_line", f"same as line {line_no}", NAME, 1.0))
    return out
