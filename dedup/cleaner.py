"""The per-document cleaner: `clean`, `clean_and_explain`, `apply_removals`, `split_articles`.

Receives one raw text; runs the detectors of `dedup.detectors` over its lines in a fixed
order (the first verdict on a line wins); hands on a `CleanResult`: the kept lines, unchanged
and in order, plus a labelled `Removal` for every removed line and the title, byline and dates
found. Removing a line also removes the blank lines that follow it, so the output does not fill
up with empty lines; nothing else changes a character.

The cleaner runs again on its own output until no detector finds anything more (at most
`CleanConfig.max_passes` times): judgements that depend on neighbouring lines then agree with
the cleaned text, and ``clean(clean(t)) == clean(t)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from importlib.machinery import EXTENSION_SUFFIXES

from dedup import detectors
from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Detector, Mark
from dedup.document import Document, Line
from dedup.errors import InputError
from dedup.types import (
    KEPT_LABELS,
    Article,
    CleanResult,
    LineLabel,
    Removal,
    Span,
    trusted_span,
)

#: Whether the detectors run compiled: True in the build that pyproject.toml's ``mypyc`` hook
#: makes (``HATCH_BUILD_HOOKS_ENABLE=1 pip install .``), where they are C extensions. This
#: module stays Python, so its public functions check their arguments as documented.
COMPILED = detectors.base.__file__.endswith(tuple(EXTENSION_SUFFIXES))


def check_text(text: object, *, name: str = "text") -> str:
    """Return ``text`` if it is a ``str``; raise `InputError` saying what to do otherwise."""
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        msg = (
            f"{name} must be str, got {type(text).__name__}: decode it first, "
            f"e.g. {name}.decode('utf-8', errors='replace')"
        )
        raise InputError(msg)
    msg = f"{name} must be str, got {type(text).__name__} ({text!r:.60})"
    raise InputError(msg)


def _mark_lines(
    doc: Document,
    config: CleanConfig,
    known: Mapping[int, Mark] | None = None,
    names: Sequence[str] | None = None,
    corpus: Detector | None = None,
) -> dict[int, Mark]:
    """Run the detectors ``names`` (all enabled ones by default) in order; first mark wins.

    ``known`` holds verdicts of earlier passes that must stand (titles, see `_run`).
    ``corpus`` (evidence learned across documents, see `dedup.Cleaner`) runs just before the
    `content` detector: a line seen on many pages of the site is better evidence than how one
    line reads, and the content model then finds the article without the site's chrome
    around it. The per-document detectors before it keep their more precise labels.
    """
    marks: dict[int, Mark] = dict(known or {})
    chosen = config.detectors if names is None else names
    for name in chosen:
        if name == "content" and corpus is not None:
            _add_marks(doc, marks, corpus(doc, marks, config))
        _add_marks(doc, marks, detectors.get(name)(doc, marks, config))
    if corpus is not None and "content" not in chosen:
        _add_marks(doc, marks, corpus(doc, marks, config))
    return marks


def _add_marks(doc: Document, marks: dict[int, Mark], new: Iterable[Mark]) -> None:
    """Add the marks of one detector: the first mark of a (non-blank) line wins."""
    for mark in new:
        if mark.line not in marks and not doc.lines[mark.line].blank:
            marks[mark.line] = mark


def _titles_stand_alone(
    view: Document, config: CleanConfig, known: Mapping[int, Mark], marks: Mapping[int, Mark]
) -> bool:
    """Return whether `titles`, without the remembered ``known`` titles, labels lines the same.

    ``marks`` are the verdicts of the pass just run on ``view`` with ``known``: `titles` runs
    first and only it marks lines as ``"titles"`` (the remembered titles are its marks too),
    so its labels with the memory are those marks. When they agree with a run of `titles`
    alone, every later detector sees the same labels with or without the memory, so a second
    `clean` of the output would remove nothing more: no need to re-run them all.
    """
    if "titles" not in config.detectors:
        return not known
    with_known = {i: m.label for i, m in marks.items() if m.detector == "titles"}
    alone = {i: m.label for i, m in _mark_lines(view, config, {}, ("titles",)).items()}
    return with_known == alone


def _removed_extent(lines: Sequence[Line], removed: Iterable[int]) -> set[int]:
    """Return the removed lines plus the blank lines that directly follow each of them."""
    out: set[int] = set()
    for i in removed:
        out.add(i)
        j = i + 1
        while j < len(lines) and lines[j].blank and j not in out:
            out.add(j)
            j += 1
    return out


def clean_and_explain(text: str, *, config: CleanConfig | None = None) -> CleanResult:
    r"""Clean one scraped document and say what was removed and why.

    Args:
        text: the document, lines separated by line breaks (as a scraper dumps a page).
        config: options; the defaults suit scraped news pages.

    Returns:
        A `CleanResult`: ``.text`` (kept lines, unchanged, in order), ``.removals``
        (label, reason, detector and span of each removed line), ``.title``, ``.byline``,
        ``.published`` and ``.line_labels``.

    Raises:
        InputError: ``text`` is not a ``str`` (decode ``bytes`` first), or ``config`` is
            not a `CleanConfig`.

    Example:
        >>> raw = "Big news today\nShare\nIt rained all day in the city."
        >>> r = clean_and_explain(raw)
        >>> r.text
        'Big news today\nIt rained all day in the city.'
        >>> [(x.label, x.span.slice(raw)) for x in r.removals]
        [('chrome', 'Share\n')]
    """
    doc, removed, kept_marks, view = _run(text, config)
    return _result(doc, removed, kept_marks, view.text, config)


def _run(
    text: str, config: CleanConfig | None, corpus: Detector | None = None
) -> tuple[Document, dict[int, Mark], dict[int, Mark], Document]:
    """Clean ``text``: return its document, the removed and kept verdicts, and the kept view.

    The verdicts map original line indices to marks; the view is the document of the kept
    lines, whose text is the cleaned text. ``corpus`` is a detector of what was learned
    across documents (`dedup.Cleaner`), run before the content detector on every pass.
    """
    text = check_text(text)
    if config is not None and not isinstance(config, CleanConfig):
        msg = f"config must be a CleanConfig, got {type(config).__name__}: build one with "
        msg += "dedup.CleanConfig(**options)"
        raise InputError(msg)
    cfg = DEFAULT_CONFIG if config is None else config
    doc = Document(text)
    removed: dict[int, Mark] = {}  # original line index -> the removal that decided it
    kept_marks: dict[int, Mark] = {}  # original line index -> kept verdict of the last pass
    view, mapping = doc, list(range(len(doc.lines)))
    # A title found in one pass stays a (protected) title in the next ones: its evidence (the
    # copy printed under it) is gone once that copy is removed, and a second article's title
    # would otherwise look like a plain subheading.
    titles: dict[int, Mark] = {}
    for _ in range(cfg.max_passes):
        known = {i: titles[o] for i, o in enumerate(mapping) if o in titles}
        marks = _mark_lines(view, cfg, known, corpus=corpus)
        # A line kept for a reason in one pass keeps that reason when a later pass, on the
        # cleaned text, says nothing of it (one block of text left: nothing to weigh).
        kept_marks.update((mapping[i], m) for i, m in marks.items() if m.label in KEPT_LABELS)
        new = {mapping[i]: m for i, m in marks.items() if m.label not in KEPT_LABELS}
        # Only a title whose copy goes now loses its evidence: a lone title carried on would
        # hide from `titles` a copy that surfaces later, and clean(clean(t)) would differ.
        if any(m.label == "duplicate_title" for m in new.values()):
            titles.update((o, m) for o, m in kept_marks.items() if m.label == "title")
        if not new and known and not _titles_stand_alone(view, cfg, known, marks):
            # These verdicts leaned on titles remembered from earlier passes, which cleaning
            # the output again would not have: stop only once the text also stands without
            # them, so that clean(clean(t)) == clean(t). Labels keep the remembered titles.
            marks = _mark_lines(view, cfg, corpus=corpus)
            new = {mapping[i]: m for i, m in marks.items() if m.label not in KEPT_LABELS}
        if not new:
            break
        removed.update(new)
        gone = _removed_extent(doc.lines, removed)
        kept = [ln for ln in doc.lines if ln.index not in gone]
        view = Document.from_lines(kept)  # = Document(kept text), with line features reused
        mapping = [ln.index for ln in kept]
    return doc, removed, kept_marks, view


#: A date with its year, month and day (`find_dates` gives the others as written).
_FULL_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_MONTH = re.compile(r"\d{4}-\d\d")  # what `find_dates` makes of a month and a year


def _under_titles(
    content: Sequence[int], titles: Sequence[Span], lines: Sequence[Line]
) -> set[int]:
    """Return the kept lines right under a kept title (the next non-blank line)."""
    starts = {span.start for span in titles}
    return {content[k + 1] for k, i in enumerate(content[:-1]) if lines[i].start in starts}


def _result(
    doc: Document,
    removed: Mapping[int, Mark],
    kept: Mapping[int, Mark],
    cleaned: str,
    config: CleanConfig | None = None,
) -> CleanResult:
    """Build the explanation; ``cleaned`` is the kept view's text (= the removals replayed)."""
    cfg = DEFAULT_CONFIG if config is None else config
    text = doc.text
    lines, content = doc.lines, doc.content_lines
    removals: list[Removal] = []
    labels: list[LineLabel] = []
    titles: list[Span] = []
    for k, i in enumerate(content):
        ln = lines[i]
        span = trusted_span(ln.start, ln.end)
        mark = removed.get(i)
        if mark is not None:
            # The line, its break and the blank lines after it: up to the next non-blank line.
            end = lines[content[k + 1]].start if k + 1 < len(content) else len(text)
            removal_span = trusted_span(ln.start, end)
            removals.append(
                Removal(removal_span, mark.label, mark.reason, mark.detector, mark.score)
            )
        else:
            mark = kept.get(i)
        if mark is None:
            labels.append(LineLabel(ln.index + 1, span, "content", _NO_MARK))
            continue
        labels.append(LineLabel(ln.index + 1, span, mark.label, mark.reason))
        if mark.label == "title":
            titles.append(span)
    from dedup.detectors import bylines, dates  # metadata extractors live with their detectors

    ordered = sorted(removed.items())
    # The first author's byline ("By Jane Smith", "김민수 기자"), else the first credit alone
    # ("Reuters", "연합뉴스": an agency's name, often printed above the headline).
    marked = [i for i, m in ordered if m.label == "byline"]
    parsed = (bylines.parse_byline(lines[i].text) for i in marked)
    byline = next((b.name for b in parsed if b is not None and (b.lead or b.role)), None)
    if byline is None and marked:
        byline = bylines.extract_name(lines[marked[0]].text)
    under_title = _under_titles(content, titles, lines)
    if byline is None:
        # A row of a date and a byline under the headline stays in the text (a date part
        # keeps the line: "August 3, 2025 | By Jane Smith") and names the author all the same.
        row = (bylines.byline_in_row(lines[i].text, config=cfg) for i in sorted(under_title))
        byline = next((b.name for b in row if b is not None), None)
    # Dates of removed stamps and bylines, and of kept date lines (the article's own bare
    # date under its headline, which the dates detector keeps), in the order of the text;
    # and the full dates of a kept dateline right under a title, where a place or a source
    # beside the date makes no date line ("New Delhi | 3 August 2025, 14:30 IST").
    published: list[str] = []
    for i in content:
        mark = removed.get(i)
        found: list[str] | None = None
        if mark is None:
            if dates.line_date_shape(lines[i], cfg) is None:
                if i not in under_title or len(lines[i].stripped) > cfg.max_date_line_chars:
                    continue
                found = [d for d in dates.find_dates(lines[i].text) if _FULL_DATE.match(d)]
        elif mark.label not in ("timestamp", "byline"):
            continue
        for d in dates.find_dates(lines[i].text) if found is None else found:
            if d not in published:
                published.append(d)
    # A month alone is an archive's link ("October 2012", a list of them in the sidebar)
    # far more often than the article's date: after the other dates, so that
    # ``published[0]`` is the article's own date where the page prints one.
    published.sort(key=lambda d: _MONTH.fullmatch(d) is not None)
    return CleanResult(
        text=cleaned,
        removals=tuple(removals),
        title=titles[0].slice(text).strip() if titles else None,
        byline=byline,
        published=tuple(published),
        titles=tuple(titles),
        line_labels=tuple(labels),
    )


_NO_MARK = "kept: no detector found boilerplate"


def clean(text: str, *, config: CleanConfig | None = None) -> str:
    r"""Return ``text`` without its boilerplate: the kept lines, unchanged and in order.

    Args:
        text: one scraped document.
        config: options; the defaults suit scraped news pages.

    Raises:
        InputError: ``text`` is not a ``str``.

    Example:
        >>> clean("Big news today\nShare\nIt rained all day in the city.")
        'Big news today\nIt rained all day in the city.'
        >>> clean("")
        ''
    """
    # The kept view's text is what `apply_removals` gives for the removals (a removal spans
    # a removed line and the blank lines after it): no need to build the explanation.
    return _run(text, config)[3].text


def apply_removals(text: str, removals: Iterable[Removal]) -> str:
    r"""Replay an explanation: return ``text`` with every removal's span cut out.

    Args:
        text: the original input the removals were computed on.
        removals: sorted, non-overlapping removals (as in `CleanResult.removals`).

    Raises:
        InputError: ``text`` is not a ``str``.
        ValueError: a span is out of bounds, or spans are unsorted or overlap.

    Example:
        >>> from dedup.types import Removal, Span
        >>> apply_removals("a\nb\nc", [Removal(Span(2, 4), "chrome", "menu", "menus")])
        'a\nc'
    """
    text = check_text(text)
    parts: list[str] = []
    pos = 0
    for r in removals:
        if r.span.start < pos or r.span.end > len(text):
            msg = (
                f"removal span [{r.span.start}, {r.span.end}) overlaps the previous one or lies "
                f"outside the text (length {len(text)}): pass the removals of this very text, "
                "in order"
            )
            raise ValueError(msg)
        parts.append(text[pos : r.span.start])
        pos = r.span.end
    parts.append(text[pos:])
    return "".join(parts)


def split_articles(text: str, *, config: CleanConfig | None = None) -> list[Article]:
    """Split a scraped file that holds several articles into one `Article` per title.

    An article runs from its title line to the next article's title line (the first one from
    the start of the file). Each `Article` carries its span in the input, its title and its
    cleaned text.

    Example:
        >>> [a.span for a in split_articles("")]
        [Span(start=0, end=0)]
    """
    result = clean_and_explain(text, config=config)
    # The first article also holds whatever precedes its title (timestamps, a logo...).
    starts = [0, *(s.start for s in result.titles[1:])]
    ends = [*starts[1:], len(text)]
    articles = []
    for k, (start, end) in enumerate(zip(starts, ends, strict=False)):
        # A removal ends where the next non-blank line starts, so none crosses a title line.
        inside = [
            Removal(Span(r.span.start - start, r.span.end - start), r.label, r.reason, r.detector)
            for r in result.removals
            if start <= r.span.start < end
        ]
        title = result.titles[k].slice(text).strip() if k < len(result.titles) else None
        articles.append(Article(Span(start, end), title, apply_removals(text[start:end], inside)))
    return articles
