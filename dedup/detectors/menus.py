"""Detector `menus`: runs of short link-like lines (navigation menus, tag clouds, footers).

Receives a `Document` and the earlier detectors' marks; hands on a "chrome" mark for each line
of a run of at least ``CleanConfig.menu_min_run`` link-like lines in a row: 1 to
``menu_max_words`` words, short, no sentence end, no list marker (see
`dedup.detectors.content.is_link_like`). Lines earlier detectors removed continue a run (a
"Share" between menu items), and so does a bare date with its day, which is no item (the
article's date in a bar of share buttons: the content model has its say on it); a kept line
(a title) ends it.

Why runs: on real pages a menu is dozens of one-to-three-word lines ("Home", "World",
"N.Y. / Region"), while inside an article short lines come alone (a subheading) or as a list
with markers. A run of eight or more such lines is navigation in any language, so this needs
no word list. Two exceptions are left to the content model: a run that is a table (number
cells among word cells: "Phoenix", "$83", "28.7%"; `dedup.detectors.content.table_span`), and
the parts of a date printed one per line ("24", "Jul", "2012") that end a run right above a
headline.
"""

from __future__ import annotations

from collections.abc import Mapping

from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.content import (
    _DIGIT,
    _LINK_MAX_CHARS,
    _LIST_MARKER,
    CLAUSE_ENDS,
    is_date_part,
    is_table,
)
from dedup.detectors.dates import line_date_shape
from dedup.document import Document, Line
from dedup.types import KEPT_LABELS

NAME = "menus"


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    r"""Mark as chrome every unmarked line of a long run of link-like lines.

    Args:
        doc: the document.
        marks: marks of the earlier detectors (read-only).
        config: ``menu_max_words`` and ``menu_min_run``.

    Returns:
        "chrome" marks with a reason such as "navigation menu: run of 14 short link-like lines".

    Example:
        >>> items = ["Home", "World", "U.S.", "Business", "Sports", "Opinion", "Tech", "Arts"]
        >>> text = "\n".join([*items, "The council met on Monday and agreed on a budget."])
        >>> len(detect(Document(text), {}, CleanConfig()))  # "Arts" may head the text
        7
    """
    out: list[Mark] = []
    run: list[int] = []  # unmarked link-like lines of the current run
    length = 0  # lines in the current run, removed ones included
    dated = False  # whether a date line came after the run's last item

    def flush(spare: int) -> None:
        # A table's cells are short lines too, but numbers among words ("Phoenix", "$83",
        # "28.7%"): left to the content model, which keeps a table in or after the article.
        long_run = length >= config.menu_min_run and run
        if long_run and not is_table([doc.lines[i] for i in run], config):
            reason = f"navigation menu: run of {length} short link-like lines"
            if spare:
                # A date printed one part per line ("24", "Jul", "2012") above the headline.
                lines = [doc.lines[i] for i in run]
                while spare < min(len(run), config.content_head_lines) and is_date_part(
                    lines, len(run) - 1 - spare
                ):
                    spare += 1
            out.extend(Mark(i, "chrome", reason, NAME) for i in run[: len(run) - spare])

    lines, min_run, menu_words = doc.lines, config.menu_min_run, config.menu_max_words
    for i in doc.content_lines:
        mark = marks.get(i)
        if mark is not None and mark.label not in KEPT_LABELS:
            length += 1
            continue
        ln = lines[i]
        n = ln.n_words
        if (  # `is_link_like` and not `is_list_item`, inlined: they run on every line
            mark is None
            and 0 < n <= menu_words
            and len(ln.stripped) <= _LINK_MAX_CHARS
            and (n == 1 or not ln.ends_sentence)
            and not ln.stripped.endswith(CLAUSE_ENDS)
            and _LIST_MARKER.match(ln.text) is None
        ):
            if _is_day(ln, config):
                # The article's own date among share buttons ("08.09.2023, 13.14 Uhr",
                # "Facebook", "E-Mail") or under a menu: it continues the run but is no menu
                # item; the dates detector and the content model have their say on it.
                length += 1
                dated = True
                continue
            run.append(i)
            length += 1
            dated = False
            continue
        # A menu often runs straight into the headline ("Leaked memo") or the dateline above
        # a title: the last lines of a run that a text line follows are left to the content
        # model, which keeps a few short lines heading the article. (`flush` does nothing
        # for a run too short: not called then.)
        if length >= min_run and run:
            # (No line is spared when a date already ends the run, right above the text.)
            keep_last = not dated and (mark is None or mark.label in KEPT_LABELS)
            flush(config.menu_spare_lines if keep_last else 0)
        run, length, dated = [], 0, False
    flush(0)
    return out


def _is_day(ln: Line, config: CleanConfig) -> bool:
    """Return whether ``ln`` is a bare date with its day ("3 August 2025", "08.09.2023")."""
    if _DIGIT.search(ln.stripped) is None:
        return False  # (a day is written with a number: no need to read the line's shape)
    shape = line_date_shape(ln, config)
    return shape is not None and shape.kind == "day"
