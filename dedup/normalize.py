"""Matching-only normalisation of text.

Receives raw text (a line, a title, a document) and hands on a canonical form used *only*
to compare strings: NFKC, case-folded, typographic quotes/dashes unified, NBSP and other
spaces turned into a plain space, soft hyphens and zero-width characters dropped, runs of
whitespace collapsed. Normalised text is never written to output.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from dedup._marks import MARKS

# One table, applied with str.translate: typographic variants -> ASCII, invisible -> nothing.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u200e": None,  # LRM / RLM marks carry no meaning for matching
        "\u200f": None,
    }
)
# Everything but letters (with their combining marks: `dedup._marks`), digits and spaces, for
# the looser "key" form.
_NON_WORD = re.compile(rf"[^\w\s{MARKS}]+")
# The characters `_TRANSLATE` changes, found by one regex scan: on text that is not pure ASCII,
# `str.translate` looks every character up in the table, where the scan only stops at the few
# quotes and dashes a line holds (several times faster; the result is the same).
_TRANSLATED = re.compile("|".join(re.escape(chr(c)) for c in _TRANSLATE))
_REPLACEMENT = {chr(c): v or "" for c, v in _TRANSLATE.items()}
# On pure ASCII text both forms reduce to one `str.translate` (C's ASCII fast path) and a split:
# case folding is lower-casing there, NFKC changes nothing, "`" is the only ASCII character of
# `_TRANSLATE`, and the key turns every character `_NON_WORD` matches into a space. Whitespace
# runs are collapsed by ``" ".join(s.split())``: `str.split` and the regex ``\s`` agree on
# what whitespace is (both use ``str.isspace``).
_ASCII_NORM = str.maketrans(
    {c: c.lower() for c in map(chr, range(128)) if c != c.lower()} | {"`": "'"}
)
_ASCII_KEY = str.maketrans(
    {c: " " if _NON_WORD.match(c) else c.lower() for c in map(chr, range(128))}
)
#: The `str.translate` table that makes `match_key` of a pure-ASCII text before its spaces are
#: collapsed: ``" ".join(text.translate(ASCII_KEY_TABLE).split()) == match_key(text)``.
ASCII_KEY_TABLE = _ASCII_KEY
# Short lines (menus, share bars, section names) recur on every page of a site and in every
# pass of the cleaner: their forms are cached. Long lines are not, so the cache stays small.
_CACHED_CHARS = 200
_CACHE_SIZE = 1 << 15


def normalize(text: str) -> str:
    """Return the canonical matching form of ``text``.

    Args:
        text: any string.

    Returns:
        NFKC-normalised, case-folded text with quotes, dashes and spaces unified.

    Example:
        >>> normalize("“Vital\u00a0Role” \u2014 OK")
        '"vital role" - ok'
    """
    if text.isascii():
        return " ".join(text.translate(_ASCII_NORM).split())
    if len(text) <= _CACHED_CHARS:
        return _normalize_cached(text)
    return _normalize(text)


def _translate(text: str) -> str:
    """Return ``text.translate(_TRANSLATE)``."""
    return _TRANSLATED.sub(lambda m: _REPLACEMENT[m.group()], text)


def _normalize(text: str) -> str:
    text = _translate(text)
    if not text.isascii():  # NFKC leaves ASCII as it is; skip the work for most lines
        nfkc = unicodedata.normalize("NFKC", text)
        # `_TRANSLATE` maps onto characters it leaves alone: a text NFKC left unchanged
        # needs no second pass.
        text = nfkc if nfkc == text else _translate(nfkc)
    return " ".join(text.casefold().split())


_normalize_cached = lru_cache(maxsize=_CACHE_SIZE)(_normalize)


def match_key(text: str) -> str:
    """Return a looser key than `normalize`: punctuation dropped, spaces collapsed.

    Two lines with the same key read the same to a person ("Short URL" and "short url:").

    Example:
        >>> match_key("  Islamabad, Tehran discuss… ")
        'islamabad tehran discuss'
        >>> match_key("İLGİLİ HABERLER") == match_key("İlgili haberler") == "ilgili haberler"
        True
    """
    if text.isascii():
        return " ".join(text.translate(_ASCII_KEY).split())
    if len(text) <= _CACHED_CHARS:
        return _match_key_cached(text)
    return _match_key(text)


def _match_key(text: str) -> str:
    norm = normalize(text)
    if norm.isascii():  # most lines are, once their quotes and dashes are unified
        return " ".join(norm.translate(_ASCII_KEY).split())
    if "\u0307" in norm or "ı" in norm:
        # Turkish: "İ" case-folds to "i" and a combining dot, which is no word character
        # ("İlgili" would key as "i lgili"), and "I" folds to "i" where the language writes
        # "ı" ("YAZDIR" / "Yazdır"): both fold to a plain "i" in keys.
        norm = norm.replace("i\u0307", "i").replace("ı", "i")
    return " ".join(_NON_WORD.sub(" ", norm).split())


_match_key_cached = lru_cache(maxsize=_CACHE_SIZE)(_match_key)
