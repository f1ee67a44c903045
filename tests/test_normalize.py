"""Tests of the matching forms of text (`dedup.normalize`) and the word pattern's letters."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from dedup._marks import MARKS, UNICODE
from dedup.document import Document
from dedup.normalize import match_key

_CLASS = re.compile(f"[{MARKS}]")
_MARK_CATEGORIES = ("Mn", "Mc", "Me")


def _bmp_marks() -> set[str]:
    chars = (chr(c) for c in range(0x80, 0x10000))
    return {c for c in chars if unicodedata.category(c) in _MARK_CATEGORIES}


def test_marks_are_the_combining_marks_of_the_bmp() -> None:
    got = {chr(c) for c in range(0x80, 0x10000) if _CLASS.match(chr(c))}
    marks = _bmp_marks()
    if unicodedata.unidata_version == UNICODE:
        assert got == marks
    else:  # another Unicode: what was a mark still is one (new marks may be missing)
        assert got - marks <= {c for c in got if unicodedata.category(c) == "Cn"}, sys.version


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("मनोरंजन", ("मनोरंजन",)),  # Devanagari: letters and vowel signs, one word
        ("राहुल शर्मा", ("राहुल", "शर्मा")),
        ("مَدْرَسَة كبيرة", ("مَدْرَسَة", "كبيرة")),  # Arabic with vowel points
        ("cafe\u0301 noir", ("cafe\u0301", "noir")),  # a decomposed accent
    ],
)
def test_words_keep_their_combining_marks(text: str, words: tuple[str, ...]) -> None:
    assert Document(text).lines[0].words == words


def test_keys_of_different_hindi_words_differ() -> None:
    # Before, vowel signs were dropped as punctuation: "शायर" (poet) keyed as "शेयर" (share).
    assert match_key("शायर") != match_key("शेयर")
    assert match_key("मनोरंजन") == "मनोरंजन"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("スポーツ", ("スポーツ",)),  # a katakana loanword is one word
        ("ニュース・スポーツ", ("ニュース", "スポーツ")),  # the middle dot is punctuation
        ("図書館を開いた", ("図", "書", "館", "を", "開", "い", "た")),  # kanji, hiragana: one each
        ("서울시는 새 도서관을 열었다.", ("서울시는", "새", "도서관을", "열었다")),  # spaces
    ],
)
def test_words_of_japanese_and_korean(text: str, words: tuple[str, ...]) -> None:
    assert Document(text).lines[0].words == words
