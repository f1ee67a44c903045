"""Loading of the data files in ``dedup/resources/``: phrase lists, month names, patterns.

Word lists are data, not code: each lives in a UTF-8 text or JSON file, one entry per line,
``#`` starting a comment, grouped by language (``chrome/en.txt``, ``chrome/fr.txt``...).
Files are read once per process and cached.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from dedup.normalize import normalize


def _root() -> Any:  # noqa: ANN401 - importlib.resources.abc.Traversable is not exported on 3.10
    return resources.files("dedup").joinpath("resources")


@cache
def languages(kind: str, ext: str = ".txt") -> tuple[str, ...]:
    """Return the language codes that have a ``resources/<kind>/<lang><ext>`` file.

    ``common<ext>`` (entries shared by every language) is not a language.

    Example:
        >>> "en" in languages("chrome")
        True
        >>> "fr" in languages("dates", ".json")
        True
    """
    folder = _root().joinpath(kind)
    if not folder.is_dir():
        return ()
    names = (p.name[: -len(ext)] for p in folder.iterdir() if p.name.endswith(ext))
    return tuple(sorted(n for n in names if n != "common"))


@cache
def load_lines(path: str) -> tuple[str, ...]:
    r"""Return the entries of a text resource: one per line, blanks and ``#`` comments skipped.

    An entry that starts with ``#`` (a number, in a phrase pattern: ``# of #``) is written
    ``\#`` there, which is no comment.

    Args:
        path: a path relative to ``dedup/resources``, e.g. ``"chrome/en.txt"``.
    """
    text = _root().joinpath(path).read_text(encoding="utf-8")
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("\\#"):
            out.append(line[1:])
        elif line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


def chosen_languages(
    kind: str, langs: tuple[str, ...] | None, ext: str = ".txt"
) -> tuple[str, ...]:
    """Return the languages of ``langs`` (all if None) that have a ``<kind>`` file, in order.

    Example:
        >>> chosen_languages("dates", ("xx", "fr", "en"), ".json")
        ('fr', 'en')
    """
    have = languages(kind, ext)
    return have if langs is None else tuple(lang for lang in langs if lang in have)


def load_kind(kind: str, langs: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Return the entries of ``resources/<kind>/<lang>.txt`` for ``langs`` (all if None)."""
    out: list[str] = []
    for lang in chosen_languages(kind, langs):
        out.extend(load_lines(f"{kind}/{lang}.txt"))
    return tuple(out)


@cache
def load_json(path: str) -> Any:  # noqa: ANN401 - JSON is untyped by nature
    """Return the parsed content of a JSON resource relative to ``dedup/resources``."""
    return json.loads(_root().joinpath(path).read_text(encoding="utf-8"))


@cache
def date_words() -> frozenset[str]:
    """Return the one-word month and weekday names of every language, normalised.

    Example:
        >>> {"august", "dienstag", "mars"} <= date_words()
        True
    """
    words: set[str] = set()
    for lang in languages("dates", ".json"):
        data = load_json(f"dates/{lang}.json")
        for names in data.get("months", []):
            words.update(normalize(n) for n in names)
        for names in data.get("weekdays", []):
            words.update(normalize(n) for n in names)
        words.update(normalize(w) for w in data.get("weekday_words", []))
    return frozenset(w for w in words if w and " " not in w)
