"""The detector protocol shared by every per-document detector.

A detector receives a `Document`, the marks earlier detectors already made (read-only) and the
`CleanConfig`; it hands on a list of `Mark`s, one per line it has an opinion about. The cleaner
keeps the first mark each line gets, in the order of `dedup.config.DETECTOR_NAMES`, so a
detector never needs to know about the ones after it.

A mark with a kept label (``"title"``, ``"content"``) protects its line from later detectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from dedup.config import CleanConfig
from dedup.document import Document


@dataclass(frozen=True, slots=True)
class Mark:
    """A detector's verdict on one line.

    Attributes:
        line: index of the line in `Document.lines`.
        label: a removal label (see `dedup.types.REMOVAL_LABELS`) or a kept one
            (``"title"``, ``"content"``).
        reason: a sentence a user can check ("same as the title on line 1").
        detector: the detector's name (its module name).
        score: evidence or confidence, where the detector has one.
    """

    line: int
    label: str
    reason: str
    detector: str
    score: float | None = None

    def __init__(
        self, line: int, label: str, reason: str, detector: str, score: float | None = None
    ) -> None:
        # What the generated __init__ does (a frozen dataclass sets each field through
        # ``object.__setattr__``), through the slots' own setters: detectors make tens of
        # thousands of marks per page set, and this takes about half the time.
        _set_line(self, line)
        _set_label(self, label)
        _set_reason(self, reason)
        _set_detector(self, detector)
        _set_score(self, score)


def _slot_setter(name: str) -> Callable[[Mark, object], None]:
    """Return the setter of `Mark`'s slot ``name`` (it bypasses the frozen ``__setattr__``)."""
    setter: Callable[[Mark, object], None] = vars(Mark)[name].__set__
    return setter


_set_line = _slot_setter("line")
_set_label = _slot_setter("label")
_set_reason = _slot_setter("reason")
_set_detector = _slot_setter("detector")
_set_score = _slot_setter("score")


class Detector(Protocol):
    """What every detector function looks like."""

    def __call__(self, doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
        """Return marks for lines of ``doc`` (lines already in ``marks`` may be skipped)."""
        ...


def unmarked(doc: Document, marks: Mapping[int, Mark]) -> list[int]:
    """Return the indices of non-blank lines no detector has marked yet."""
    return [i for i in doc.content_lines if i not in marks]
