"""A document split into lines with offsets, plus the per-line features detectors share.

Receives one raw text; hands on a `Document`: every line with its span in the input (text
without the line break, and the line break itself), its matching key and cheap features
(word count, letters, sentence end). Detectors read a `Document`; none of them re-splits text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from dedup._marks import LETTERS
from dedup.normalize import ASCII_KEY_TABLE, match_key, normalize

_T = TypeVar("_T")

# Line breaks as str.splitlines() sees them, so every line break the user's text holds is kept.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# A "word": a run of letters/digits, or a single CJK / hiragana character (scripts written
# without spaces count one word per character, so a Chinese sentence is not a one-word
# line), or a run of katakana (a loanword written as one unit: "スポーツ" is one word, as
# "Sports" is). Korean puts spaces between words: a run of Hangul is one word. So does Thai
# between phrases: a run of Thai or Lao is one token, which `Line.n_words` counts as a word
# per `_SEA_LETTERS_PER_WORD` letters. A word's letters include its combining marks
# (Devanagari vowel signs, Arabic vowel points, Thai vowels and tones:
# `dedup._marks.LETTERS`), which ``\w`` leaves out.
_WORD = re.compile(
    r"[\u30a1-\u30fa\u30fc]++"
    r"|[\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    rf"|{LETTERS}(?:['’.\-]{LETTERS})*+"  # possessive: the same matches, less bookkeeping
)
# Thai and Lao letters (and marks). Their words are not spaced; a Thai word has about four
# letters and marks ("เมือง", "สะพาน", "ใหม่"), so a run of them counts that many words.
_SEA = re.compile(r"[\u0e00-\u0eff]")
_SEA_LETTERS_PER_WORD = 4


def _n_words(text: str, words: Sequence[str]) -> int:
    """Return how many words ``words`` (the `_WORD` matches of ``text``) count for."""
    if not unpunctuated(text):  # no Thai or Lao: a word is a word
        return len(words)
    return sum(
        max(1, round(len(w) / _SEA_LETTERS_PER_WORD)) if "\u0e00" <= w[0] <= "\u0eff" else 1
        for w in words
    )


# East Asian wide characters of the scripts (Unicode East Asian Width W and F; emoji and
# other wide symbols left out): Hangul Jamo, CJK radicals to Yi (kana, ideographs, CJK
# punctuation), Hangul syllables, compatibility ideographs, vertical and small forms,
# fullwidth forms.
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    r"\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6]"
)
_SENTENCE_END = re.compile(r"[.!?。！？…»\"”’)\]؟۔।]\s*$")


class _feature(Generic[_T]):  # lower case: used like `functools.cached_property`
    """A line feature computed on first use and stored in the line's ``__dict__``.

    `functools.cached_property` without its lock (Python 3.11 takes one on every first
    computation, which cost more than most features on a page of 200 lines): lines are not
    shared between threads while their features are computed, and a feature is a pure
    function of the text, so two threads computing it would store the same value.
    """

    def __init__(self, func: Callable[[Line], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _feature[_T]: ...

    @overload
    def __get__(self, obj: Line, owner: type | None = None) -> _T: ...

    def __get__(self, obj: Line | None, owner: type | None = None) -> _T | _feature[_T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


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
        """Return the 1-based line number, as editors show it, in the text first split.

        A line of a view made by `Document.from_lines` (the kept lines of a cleaning pass)
        keeps the number it had there, so a reason that cites it ("same as line 6") points
        at the user's input, not at the view.
        """
        origin: int = self.__dict__.get("origin", self.index)
        return origin + 1

    @_feature
    def stripped(self) -> str:
        """Return the text without surrounding whitespace."""
        return self.text.strip()

    @_feature
    def norm(self) -> str:
        """Return the `dedup.normalize.normalize` form."""
        return normalize(self.text)

    @_feature
    def key(self) -> str:
        """Return the `dedup.normalize.match_key` form (punctuation dropped)."""
        return match_key(self.text)

    @_feature
    def words(self) -> tuple[str, ...]:
        """Return the words of the line (CJK characters count one each)."""
        return tuple(_WORD.findall(self.text))

    @_feature
    def width(self) -> int:
        """Return the stripped text's width in columns: an East Asian wide character is two.

        A line's length in characters says less in Chinese, Japanese or Korean, where one
        character holds about what two Latin letters do; its display width (what a terminal
        gives it, East Asian Width "W" and "F") measures all scripts alike.
        """
        text = self.stripped
        return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))

    @_feature
    def n_words(self) -> int:
        """Return the number of words (a CJK character one, a run of Thai one per 4 letters)."""
        return _n_words(self.text, self.words)

    @_feature
    def blank(self) -> bool:
        """Return whether the line holds only whitespace."""
        return not self.stripped

    @_feature
    def ends_sentence(self) -> bool:
        """Return whether the line ends like a sentence (., !, ?, a closing quote...)."""
        return bool(_SENTENCE_END.search(self.stripped))


def unpunctuated(text: str) -> bool:
    """Return whether ``text`` is in a script that ends no sentence with a mark (Thai, Lao).

    Thai separates sentences with a space: "a full stop somewhere" tells no paragraph there.

    Example:
        >>> unpunctuated("สภาเมืองมีมติ"), unpunctuated("The council met.")
        (True, False)
    """
    return not text.isascii() and _SEA.search(text) is not None


def count_words(text: str) -> int:
    """Return how many words `Line.n_words` counts in ``text`` (a CJK character is one).

    Example:
        >>> count_words("Rain fell on the city."), count_words("市政府周二宣布。")
        (5, 7)
        >>> count_words("เมืองเตรียมสร้างสะพานใหม่ปีหน้า")  # เมือง เตรียม สร้าง สะพาน ใหม่ ปี หน้า
        8
    """
    return _n_words(text, _WORD.findall(text))


def word_count(text: str) -> int:
    """Return the words of ``text``: space-separated tokens, or `count_words` where larger.

    Chinese and Japanese put no space between words, so a paragraph of them is one token;
    on text that is not ASCII the count of `count_words` (a CJK character is one word, as
    `Line.n_words` counts) is taken when it is larger. ASCII text keeps the cheap count.

    Example:
        >>> word_count("Rain fell on the city."), word_count("市政府周二宣布。")
        (5, 7)
    """
    n = len(text.split())
    return n if text.isascii() else max(n, count_words(text))


def split_lines(text: str) -> list[Line]:
    r"""Split ``text`` into `Line`s that cover it exactly, line breaks included.

    Example:
        >>> [(ln.text, ln.start, ln.stop) for ln in split_lines("a\r\nb")]
        [('a', 0, 3), ('b', 3, 4)]
    """
    lines: list[Line] = []
    append = lines.append
    pos = 0
    # str.splitlines is C code and splits at exactly the breaks _LINE_BREAK names ("\r\n" as
    # one); each line's text is a prefix of its piece, the rest being its line break.
    texts = text.splitlines()
    for index, piece in enumerate(text.splitlines(keepends=True)):
        line_text = texts[index]
        end = pos + len(line_text)
        stop = pos + len(piece)
        line = _new(Line)
        stripped = line_text.strip()
        if stripped:
            # Every detector reads the key and the word count of every non-blank line (titles
            # count the keys, teasers type lines by their words): computed here at once, not
            # through the lazy feature descriptors. On pure-ASCII text `match_key` is one
            # `str.translate` and a split, and `_ASCII_WORD` finds the words of `_WORD`.
            ascii_text = line_text.isascii()
            if ascii_text:
                key = " ".join(line_text.translate(ASCII_KEY_TABLE).split())
                words = tuple(_ASCII_WORD.findall(line_text))
            else:
                key = match_key(line_text)
                words = tuple(_WORD.findall(line_text))
            features = {
                "index": index,
                "start": pos,
                "end": end,
                "stop": stop,
                "text": line_text,
                "line_break": piece[end - pos :],
                "stripped": stripped,
                "blank": False,
                "key": key,
                "words": words,
                "n_words": len(words) if ascii_text else _n_words(line_text, words),
            }
        else:
            features = {
                "index": index,
                "start": pos,
                "end": end,
                "stop": stop,
                "text": line_text,
                "line_break": piece[end - pos :],
                "stripped": stripped,
                "blank": True,
            }
        _set(line, "__dict__", features)
        append(line)
        pos = stop
    return lines


# Words of a pure-ASCII line: there `[^\W_]` is `[A-Za-z0-9]`, "’" cannot occur and no
# character is CJK, so this finds the same words as `_WORD`, a little faster.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]++(?:['.\-][A-Za-z0-9]++)*+")


_new = object.__new__
_set = object.__setattr__


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

        The lines get new indices and offsets but keep their `Line.line_no`; the features
        already computed on them (``norm``, ``key``, ``words``...) are carried over, so a
        re-run of the detectors on the cleaned text does not compute them again.
        """
        doc = cls.__new__(cls)
        doc.lines = []
        parts: list[str] = []
        pos = 0
        for k, ln in enumerate(lines):
            width = ln.stop - ln.start
            new = _new(Line)
            features: dict[str, Any] = ln.__dict__.copy()  # fields and cached features
            features.setdefault("origin", ln.index)
            features["index"] = k
            features["start"] = pos
            features["end"] = pos + len(ln.text)
            features["stop"] = pos + width
            _set(new, "__dict__", features)
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
        #: results detectors share within one run over this document, by name (see
        #: `dedup.detectors.prescreen`); each entry records the config it was made for.
        self.memo: dict[str, Any] = {}

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
