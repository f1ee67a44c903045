"""A document split into lines with offsets, plus the per-line features detectors share.

Receives one raw text; hands on a `Document`: every line with its span in the input (text
without the line break, and the line break itself), its matching key and cheap features
(word count, letters, sentence end). Detectors read a `Document`; none of them re-splits text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from dedup.normalize import match_key, normalize

# Line breaks as str.splitlines() sees them, so every line break the user's text holds is kept.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# A "word": a run of letters/digits, or a single CJK / Thai / kana character (scripts written
# without spaces count one word per character, so a Chinese sentence is not a one-word line).
_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0e7f]"
    r"|[^\W_]+(?:['’.\-][^\W_]+)*"
)
_SENTENCE_END = re.compile(r"[.!?。！？…»\"”’)\]]\s*$")


@dataclass(frozen=True)
class Line:
    """One line of a document.

    Attributes:
        index: 0-based position among all lines (blank ones included).
        start: offset of the line's first character in the input.
        end: offset just past the line's last character (before the line break).
        stop: offset just past the line break (``end`` for the last line if it has none).
        text: the line as in the input.
        line_break: the line break that ends it (``""`` for a last line without one).
    """

    index: int
    start: int
    end: int
    stop: int
    text: str
    line_break: str = ""

    @property
    def line_no(self) -> int:
        """Return the 1-based line number, as editors show it."""
        return self.index + 1

    @cached_property
    def stripped(self) -> str:
        """Return the text without surrounding whitespace."""
        return self.text.strip()

    @cached_property
    def norm(self) -> str:
        """Return the `dedup.normalize.normalize` form."""
        return normalize(self.text)

    @cached_property
    def key(self) -> str:
        """Return the `dedup.normalize.match_key` form (punctuation dropped)."""
        return match_key(self.text)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """Return the words of the line (CJK characters count one each)."""
        return tuple(_WORD.findall(self.text))

    @cached_property
    def n_words(self) -> int:
        """Return the number of words."""
        return len(self.words)

    @cached_property
    def blank(self) -> bool:
        """Return whether the line holds only whitespace."""
        return not self.stripped

    @cached_property
    def ends_sentence(self) -> bool:
        """Return whether the line ends like a sentence (., !, ?, a closing quote...)."""
        return bool(_SENTENCE_END.search(self.stripped))


def split_lines(text: str) -> list[Line]:
    r"""Split ``text`` into `Line`s that cover it exactly, line breaks included.

    Example:
        >>> [(ln.text, ln.start, ln.stop) for ln in split_lines("a\r\nb")]
        [('a', 0, 3), ('b', 3, 4)]
    """
    lines: list[Line] = []
    pos = 0
    # str.splitlines is C code and splits at exactly the breaks _LINE_BREAK names ("\r\n" as one).
    for piece in text.splitlines(keepends=True):
        stop = pos + len(piece)
        if piece.endswith("\r\n"):
            end = stop - 2
        elif _LINE_BREAK.match(piece, len(piece) - 1):
            end = stop - 1
        else:
            end = stop
        lines.append(Line(len(lines), pos, end, stop, piece[: end - pos], piece[end - pos :]))
        pos = stop
    return lines


class Document:
    """One text, split into lines, with the views detectors need.

    Args:
        text: the raw input.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[Line] = split_lines(text)
        self._init_index()

    @classmethod
    def from_lines(cls, lines: Sequence[Line]) -> Document:
        """Return the document made of ``lines`` (with their breaks), one after the other.

        The lines get new indices and offsets; the features already computed on them
        (``norm``, ``key``, ``words``...) are carried over, so a re-run of the detectors on
        the cleaned text does not compute them again.
        """
        doc = cls.__new__(cls)
        doc.lines = []
        parts: list[str] = []
        pos = 0
        for k, ln in enumerate(lines):
            width = ln.stop - ln.start
            new = Line(k, pos, pos + len(ln.text), pos + width, ln.text, ln.line_break)
            for name, value in ln.__dict__.items():  # cached features; fields are set already
                new.__dict__.setdefault(name, value)
            doc.lines.append(new)
            parts.append(ln.text)
            parts.append(ln.line_break)
            pos += width
        doc.text = "".join(parts)
        doc._init_index()
        return doc

    def _init_index(self) -> None:
        #: indices (into ``lines``) of the non-blank lines, in order.
        self.content_lines: list[int] = [ln.index for ln in self.lines if not ln.blank]

    def __len__(self) -> int:
        return len(self.lines)

    def nonblank(self) -> list[Line]:
        """Return the non-blank lines in order."""
        return [self.lines[i] for i in self.content_lines]

    def neighbours(self, index: int, k: int = 1) -> tuple[list[Line], list[Line]]:
        """Return up to ``k`` non-blank lines before and after line ``index``."""
        pos = self._position(index)
        before = [self.lines[i] for i in self.content_lines[max(0, pos - k) : pos]]
        after = [self.lines[i] for i in self.content_lines[pos + 1 : pos + 1 + k]]
        return before, after

    def _position(self, index: int) -> int:
        # content_lines is sorted: bisect finds the position of a line among non-blank ones.
        from bisect import bisect_left

        return bisect_left(self.content_lines, index)
