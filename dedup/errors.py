"""Errors raised by dedup.

Every error inherits `DedupError` and the builtin it resembles, so callers can catch either.
Messages say what was given, what is allowed and a likely fix.
"""

from __future__ import annotations

from collections.abc import Mapping


class DedupError(Exception):
    """Base class of every error dedup raises on purpose."""


class ConfigError(DedupError, ValueError):
    """An option has a value outside what it allows."""


class InputError(DedupError, TypeError):
    """The input is not of a type dedup can read (e.g. ``bytes`` where ``str`` is needed)."""


class RecordError(DedupError, ValueError):
    """A record of an input file cannot be read; the message names the file and line."""


class MissingExtraError(DedupError, ImportError):
    """An optional feature needs a package that is not installed; the message has the pip line."""


class ModelError(DedupError, ValueError):
    """A saved model cannot be used: not a model file, damaged, or of another version."""


class StoreError(DedupError, OSError):
    """A `dedup.Store` cannot be used: damaged, not a store, or its server is unreachable.

    The message names the location and what to do.
    """


def refuse_one(docs: object, call: str) -> None:
    """Raise `InputError` when ``docs``, meant as many documents, is one document.

    A ``str`` is an iterable too: each character would be taken for a document of its own.

    Example:
        >>> refuse_one(["a", "b"], "find_duplicates")
        >>> refuse_one("a b", "find_duplicates")
        Traceback (most recent call last):
        ...
        dedup.errors.InputError: find_duplicates takes an iterable of documents, got one str: \
wrap it in a list: find_duplicates([doc])
    """
    if isinstance(docs, str | bytes | bytearray | Mapping):
        msg = (
            f"{call} takes an iterable of documents, got one {type(docs).__name__}: wrap it "
            f"in a list: {call}([doc])"
        )
        raise InputError(msg)
