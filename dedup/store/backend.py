"""What every storage backend of `dedup.Store` implements, and the records they exchange.

A backend knows nothing of cleaning or MinHash: it receives `Entry` objects (an id, an
exact-duplicate key, a signature as bytes, its band keys) and keeps, per id, a `Record`
(stored, or a duplicate of which stored id). Its one hard duty is `Backend.insert`: check
and insert *atomically*, so that two processes adding copies of one article at once keep
exactly one of them. Verification (is a candidate similar enough?) is the store's job and
comes in as the ``decide`` callback, so every backend gives the same answers.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Name written into every store's metadata; opening anything else is refused.
FORMAT = "dedup.Store"
#: Version of the layout; a store of another version is refused with the way out. Version 4:
#: the learning log holds `dedup.learn.LearnState`\ s of version 2 (other page keys).
VERSION = "4"


@dataclass(frozen=True, slots=True)
class Entry:
    """One document as the backend sees it.

    Attributes:
        id: the caller's id (unique in the store).
        exact: int64 key of the normalised compared text; None for a blank document, which
            matches nothing.
        size: distinct shingles of the compared text.
        sig: the MinHash signature (``num_perm`` little-endian uint32) or None when the
            text is too short for one (matched exactly only).
        bands: int64 LSH band keys of the signature (empty when ``sig`` is None).
        site: the document's site, if known.
        state: what the document teaches the site model (`dedup.learn.LearnState` bytes),
            logged with the insert so other processes learn it too.
    """

    id: str
    exact: int | None
    size: int
    sig: bytes | None
    bands: Sequence[int]
    site: str | None = None
    state: bytes | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored document that shares a band key with the one being checked."""

    id: str
    seq: int
    size: int
    sig: bytes


@dataclass(frozen=True, slots=True)
class Record:
    """What a store knows of one id.

    Attributes:
        id: the document's id.
        duplicate_of: the stored document it duplicates (None: it is stored itself).
        similarity: estimated similarity with ``duplicate_of`` (1.0 for exact copies).
        match: ``"exact"``, ``"near"`` or None (stored).
        site: the site it was added under.
        known: True when the id was already in the store before this call (nothing was
            written: the earlier record is returned).
    """

    id: str
    duplicate_of: str | None = None
    similarity: float | None = None
    match: str | None = None
    site: str | None = None
    known: bool = False


#: The store's verdict on an entry given its band candidates: (id, similarity) of the stored
#: document it duplicates, or None when it is new.
Decide = Callable[[Entry, Sequence[Candidate]], "tuple[str, float] | None"]


def new_writer() -> str:
    """Return a name for one connection's entries in the learning log, unique across hosts."""
    return uuid.uuid4().hex


class Backend(ABC):
    """Storage of one `dedup.Store` (see the module docstring)."""

    #: Where the store lives, for messages (a path or a redis:// URL without password).
    location: str
    #: This connection's name in the learning log (`new_writer`): its own states are
    #: already in its cleaner and are not read back.
    writer: str

    @abstractmethod
    def read_meta(self) -> dict[str, str] | None:
        """Return the store's metadata, or None for a new, empty store."""

    @abstractmethod
    def write_meta(self, meta: dict[str, str]) -> dict[str, str]:
        """Write the metadata of a new store; return what is there (another may have won)."""

    @abstractmethod
    def get(self, doc_id: str) -> Record | None:
        """Return the record of ``doc_id``, or None."""

    @abstractmethod
    def lookup(self, entry: Entry) -> tuple[Record | None, list[Candidate]]:
        """Return the stored exact copy of ``entry`` (if any) and its band candidates."""

    def get_many(self, doc_ids: Sequence[str]) -> list[Record | None]:
        """Return the records of several ids at once (backends override it to batch)."""
        return [self.get(i) for i in doc_ids]

    def lookup_many(self, entries: Sequence[Entry]) -> list[tuple[Record | None, list[Candidate]]]:
        """Return `lookup` of several entries at once (backends override it to batch)."""
        return [self.lookup(e) for e in entries]

    @abstractmethod
    def insert_many(self, entries: Sequence[Entry], decide: Decide) -> list[Record]:
        """Check and insert each entry, in order, atomically; return their records.

        For each entry: an id already present returns its record (``known``); a stored
        document with the same exact key makes it an exact duplicate; otherwise ``decide``
        sees its band candidates and names the one it duplicates, or None to store it.
        Entries see the ones before them. All of them are committed together (durably), or
        none is.
        """

    @abstractmethod
    def remove(self, doc_id: str) -> list[str]:
        """Forget ``doc_id`` (and, if it is stored, the duplicates recorded of it).

        Returns:
            the ids forgotten (empty when ``doc_id`` is unknown).
        """

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Return ``documents``, ``stored``, ``duplicates`` (exact + near), ``exact``, ``near``."""

    @abstractmethod
    def learning_since(self, cursor: int) -> tuple[list[bytes], int]:
        """Return the learning states logged after ``cursor`` by other writers than this one.

        Returns:
            the states, and the cursor to pass next time.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the connection (the store stays on disk / on the server)."""
