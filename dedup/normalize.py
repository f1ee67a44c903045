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
_SPACE_RUN = re.compile(r"\s+")
# Everything but letters, digits and spaces, for the looser "key" form.
_NON_WORD = re.compile(r"[^\w\s]+")
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
    if len(text) <= _CACHED_CHARS:
        return _normalize_cached(text)
    return _normalize(text)


def _normalize(text: str) -> str:
    text = text.translate(_TRANSLATE)
    if not text.isascii():  # NFKC leaves ASCII as it is; skip the work for most lines
        text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _SPACE_RUN.sub(" ", text.casefold()).strip()


_normalize_cached = lru_cache(maxsize=_CACHE_SIZE)(_normalize)


def match_key(text: str) -> str:
    """Return a looser key than `normalize`: punctuation dropped, spaces collapsed.

    Two lines with the same key read the same to a person ("Short URL" and "short url:").

    Example:
        >>> match_key("  Islamabad, Tehran discuss… ")
        'islamabad tehran discuss'
    """
    if len(text) <= _CACHED_CHARS:
        return _match_key_cached(text)
    return _match_key(text)


def _match_key(text: str) -> str:
    return _SPACE_RUN.sub(" ", _NON_WORD.sub(" ", normalize(text))).strip()


_match_key_cached = lru_cache(maxsize=_CACHE_SIZE)(_match_key)
