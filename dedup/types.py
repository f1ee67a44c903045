"""Result types: spans into the input, labelled removals and the result of cleaning.

Everything here is immutable. A `Span` always points into the *original* input text, never
into normalised text, so a `CleanResult` can be replayed with `dedup.apply_removals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Labels of removed lines, in the order the cleaner prefers them when several apply.
REMOVAL_LABELS: tuple[str, ...] = (
    "duplicate_title",
    "teaser",
    "trailer",
    "byline",
    "timestamp",
    "chrome",
    "repeated_line",
    "site_boilerplate",
)

#: Labels of kept lines.
KEPT_LABELS: tuple[str, ...] = ("title", "content")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets into the original input."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            msg = f"invalid span [{self.start}, {self.end}): need 0 <= start <= end"
            raise ValueError(msg)

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, text: str) -> str:
        """Return the part of ``text`` this span covers."""
        return text[self.start : self.end]


def trusted_span(start: int, end: int) -> Span:
    """Return ``Span(start, end)`` without validating it, for offsets known to be valid.

    The cleaner builds a span for every line of a page, from offsets of its own line split;
    the checks and the frozen dataclass's field-by-field ``__init__`` cost more than the
    rest of building the result.
    """
    span = _new(Span)
    _set_start(span, start)
    _set_end(span, end)
    return span


_new = object.__new__
_set_start = Span.__dict__["start"].__set__  # slot descriptors: no frozen __setattr__ check
_set_end = Span.__dict__["end"].__set__


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed span, with the kind of boilerplate it is and why it was removed.

    Attributes:
        span: the removed characters of the input (a whole line and its line break).
        label: the kind of boilerplate, one of `REMOVAL_LABELS`.
        reason: a sentence a user can check, e.g. ``"same as the title on line 1"``.
        detector: the module that decided, e.g. ``"titles"``.
        score: the detector's confidence or measured evidence, where it has one.
    """

    span: Span
    label: str
    reason: str
    detector: str
    score: float | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable form (used by ``dedup clean --explain``)."""
        return {
            "start": self.span.start,
            "end": self.span.end,
            "label": self.label,
            "reason": self.reason,
            "detector": self.detector,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class LineLabel:
    """The label the cleaner gave one non-blank line of the input."""

    line_no: int  # 1-based line number in the input
    span: Span  # the line's text, without its line break
    label: str  # a removal label, or "title" / "content" for kept lines
    reason: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a scraped file that holds several (see `dedup.split_articles`)."""

    span: Span
    title: str | None
    text: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    """What `dedup.clean_and_explain` hands back.

    Attributes:
        text: the cleaned text: the kept lines of the input, in input order, unchanged.
        removals: the removed spans, sorted and non-overlapping;
            ``apply_removals(original, removals) == text``.
        title: the title of the (first) article, if one was found.
        byline: the author named by the first byline (``"Orkhan Jalilov"`` from ``"By Orkhan
            Jalilov"``), else the first credit printed alone (``"Reuters"``), if any.
        published: dates found in removed timestamps and bylines and in kept date lines
            (the article's own date under its headline), and the full dates of the kept line
            right under a title (a dateline with a place or a source beside the date), in the
            order of the text but months alone last (an archive's "October 2012"), as ISO
            8601 strings where they could be parsed, else as written.
        titles: spans of every kept title line (a file may hold several articles).
        line_labels: the label of every non-blank input line, kept or removed.
    """

    text: str
    removals: tuple[Removal, ...] = ()
    title: str | None = None
    byline: str | None = None
    published: tuple[str, ...] = ()
    titles: tuple[Span, ...] = ()
    line_labels: tuple[LineLabel, ...] = field(default=(), repr=False)

    def counts(self) -> dict[str, int]:
        """Return how many lines were removed under each label."""
        out: dict[str, int] = {}
        for r in self.removals:
            out[r.label] = out.get(r.label, 0) + 1
        return out
