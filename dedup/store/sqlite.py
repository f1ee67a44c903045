"""The SQLite backend of `dedup.Store`: one file, no server, several processes at once.

Layout (every lookup goes through a primary key; ``EXPLAIN QUERY PLAN`` shows no scan):

- ``meta(key PRIMARY KEY, value)``: format, version and every parameter that decides a
  signature or a verdict (`dedup.Store` refuses a store made with others);
- ``docs(seq INTEGER PRIMARY KEY, id UNIQUE, ...)``: one row per id, stored or duplicate;
  the signature of a stored document as a BLOB;
- ``exact(key PRIMARY KEY, seq)``: the exact-duplicate key of each stored document;
- ``bands(key, seq, PRIMARY KEY (key, seq)) WITHOUT ROWID``: LSH band keys;
- ``learning(seq INTEGER PRIMARY KEY, writer, state)``: what each added page taught the
  site model, read back by the other processes that share the file.

Durability and concurrency: WAL journal with ``synchronous=FULL`` (a committed add survives a
crash of the process or of the machine), one ``BEGIN IMMEDIATE`` transaction per
`insert_many` call (the write lock is taken before the candidates are read, so check and
insert are atomic across processes), and a busy timeout so writers queue instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np

from dedup.errors import StoreError
from dedup.store.backend import Backend, Candidate, Decide, Entry, Record, new_writer

_T = TypeVar("_T")

#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    exact INTEGER,
    size INTEGER NOT NULL,
    sig BLOB,
    bands BLOB,
    site TEXT,
    duplicate_of TEXT,
    similarity REAL,
    match TEXT
);
CREATE INDEX IF NOT EXISTS docs_duplicate_of ON docs (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS exact (key INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS learning (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, writer TEXT NOT NULL, state BLOB NOT NULL
);
"""


class SQLiteBackend(Backend):
    """A store in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.writer = new_writer()
        if self.path.is_dir():
            msg = f"{self.location}: is a folder; give the path of a store file (e.g. seen.db)"
            raise StoreError(msg)
        if not self.path.parent.is_dir():
            msg = f"{self.location}: the folder {self.path.parent} does not exist; create it first"
            raise StoreError(msg)
        self._check_header()
        try:
            self.con = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._error(exc, "cannot open the file (is the folder writable?)") from exc
        try:
            self._init()
        except sqlite3.DatabaseError as exc:
            self.con.close()
            raise self._error(exc, "cannot open it as a store") from exc
        except StoreError:
            self.con.close()
            raise

    def _init(self) -> None:
        """Check that the file is ours (or empty), then set durability and create the tables."""
        tables = {
            name
            for (name,) in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if tables and "meta" not in tables:
            msg = (
                f"{self.location}: an SQLite file of something else (tables "
                f"{', '.join(sorted(tables)[:5])}), not a dedup store; give another path"
            )
            raise StoreError(msg)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=FULL")
        self.con.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")

    def _check_header(self) -> None:
        """Refuse a file that is not a SQLite database before SQLite writes anything to it."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open("rb") as f:
            head = f.read(16)
        if head != b"SQLite format 3\x00":
            msg = (
                f"{self.location}: not a dedup store (not an SQLite file); give a new path or "
                f"the path of a store made by dedup.Store"
            )
            raise StoreError(msg)

    def _error(self, exc: BaseException, what: str) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.DatabaseError) and (
            "malformed" in text or "not a database" in text or "corrupt" in text
        ):
            return StoreError(
                f"{self.location}: the store file is damaged ({text}); restore it from a "
                f"backup or rebuild it by adding the documents again (sqlite3 {self.location} "
                f"'.recover' may save what is left)"
            )
        if "locked" in text or "busy" in text:
            return StoreError(
                f"{self.location}: {what}: another process held the store for more than "
                f"{BUSY_TIMEOUT:.0f} s ({text}); retry, or find the process that hangs"
            )
        return StoreError(f"{self.location}: {what} ({text})")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the lock first, so what is read inside stays true."""
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def read_meta(self) -> dict[str, str] | None:
        """See `Backend.read_meta`."""
        try:
            rows = self.con.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot read its metadata") from exc
        return dict(rows) if rows else None

    def write_meta(self, meta: dict[str, str]) -> dict[str, str]:
        """See `Backend.write_meta`."""
        try:
            with self._write() as con:
                if con.execute("SELECT 1 FROM meta LIMIT 1").fetchone() is None:
                    con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot write its metadata") from exc
        got = self.read_meta()
        assert got is not None  # written above, by us or by a process that won the race
        return got

    def get(self, doc_id: str) -> Record | None:
        """See `Backend.get`."""
        try:
            return self._get(self.con, doc_id)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot read a document") from exc

    def get_many(self, doc_ids: Sequence[str]) -> list[Record | None]:
        """See `Backend.get_many`: one query per 500 ids."""
        try:
            return self._records(self.con, doc_ids)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot read documents") from exc

    @staticmethod
    def _get(con: sqlite3.Connection, doc_id: str) -> Record | None:
        row = con.execute(
            "SELECT id, duplicate_of, similarity, match, site FROM docs WHERE id = ?", (doc_id,)
        ).fetchone()
        return None if row is None else Record(*row)

    def lookup(self, entry: Entry) -> tuple[Record | None, list[Candidate]]:
        """See `Backend.lookup`."""
        return self.lookup_many([entry])[0]

    def lookup_many(self, entries: Sequence[Entry]) -> list[tuple[Record | None, list[Candidate]]]:
        """See `Backend.lookup_many`: one query for all exact keys, one per 500 band keys."""
        try:
            exact, bands = self._fetch(self.con, entries)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot look documents up") from exc
        out: list[tuple[Record | None, list[Candidate]]] = []
        for entry in entries:
            hit = exact.get(entry.exact) if entry.exact is not None else None
            out.append((hit, [] if hit is not None else _union(bands, entry.bands)))
        return out

    @staticmethod
    def _fetch(
        con: sqlite3.Connection, entries: Sequence[Entry]
    ) -> tuple[dict[int, Record], dict[int, list[Candidate]]]:
        """Return the stored documents with the entries' exact keys and in their bands.

        A batch's keys are looked up together, sorted (B-tree pages are read in order).
        """
        exact: dict[int, Record] = {}
        keys = sorted({e.exact for e in entries if e.exact is not None})
        for chunk in _chunks(keys):
            rows = con.execute(
                "SELECT x.key, d.id, d.site FROM exact x JOIN docs d ON d.seq = x.seq "
                f"WHERE x.key IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            exact.update((key, Record(i, site=site)) for key, i, site in rows)
        bands: dict[int, list[Candidate]] = {}
        docs: dict[int, Candidate] = {}
        band_keys = sorted({k for e in entries for k in e.bands})
        for chunk in _chunks(band_keys):
            rows = con.execute(
                "SELECT b.key, b.seq, d.id, d.size, d.sig FROM bands b JOIN docs d "
                f"ON d.seq = b.seq WHERE b.key IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for key, seq, i, size, sig in rows:
                if sig:
                    cand = docs.get(seq)
                    if cand is None:
                        cand = docs[seq] = Candidate(i, seq, size, sig)
                    bands.setdefault(key, []).append(cand)
        return exact, bands

    def insert_many(self, entries: Sequence[Entry], decide: Decide) -> list[Record]:
        """See `Backend.insert_many`.

        What the batch needs from the store is read first, in a few sorted queries (the
        write lock is held, so it stays true); the entries are then judged in order, each
        seeing the ones before it; the band rows are written last, sorted by key.
        """
        try:
            with self._write() as con:
                return self._insert_many(con, entries, decide)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot add documents (nothing of this batch was kept)") from exc

    def _insert_many(
        self, con: sqlite3.Connection, entries: Sequence[Entry], decide: Decide
    ) -> list[Record]:
        known = {r.id: r for r in self._records(con, [e.id for e in entries]) if r is not None}
        exact, bands = self._fetch(con, entries)
        band_rows: list[tuple[int, int]] = []
        exact_rows: list[tuple[int, int]] = []
        learning: list[tuple[str, bytes]] = []
        out: list[Record] = []
        for entry in entries:
            old = known.get(entry.id)
            if old is not None:
                out.append(
                    Record(old.id, old.duplicate_of, old.similarity, old.match, old.site, True)
                )
                continue
            hit = exact.get(entry.exact) if entry.exact is not None else None
            if hit is not None:
                rec = Record(entry.id, hit.id, 1.0, "exact", entry.site)
            else:
                cands = _union(bands, entry.bands)
                verdict = decide(entry, cands) if cands else None
                if verdict is None:
                    rec = Record(entry.id, site=entry.site)
                else:
                    rec = Record(entry.id, verdict[0], verdict[1], "near", entry.site)
            stored = rec.duplicate_of is None
            cur = con.execute(
                "INSERT INTO docs (id, exact, size, sig, bands, site, duplicate_of, similarity,"
                " match) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.id,
                    entry.exact,
                    entry.size,
                    entry.sig if stored else None,
                    np.asarray(entry.bands, dtype=np.int64).tobytes() if stored else None,
                    entry.site,
                    rec.duplicate_of,
                    rec.similarity,
                    rec.match,
                ),
            )
            if stored:
                seq = int(cur.lastrowid or 0)
                if entry.exact is not None:
                    exact_rows.append((entry.exact, seq))
                    exact[entry.exact] = Record(entry.id, site=entry.site)
                if entry.sig is not None:
                    cand = Candidate(entry.id, seq, entry.size, entry.sig)
                    for key in set(entry.bands):
                        bands.setdefault(key, []).append(cand)
                        band_rows.append((key, seq))
            if entry.state is not None:
                learning.append((self.writer, entry.state))
            known[entry.id] = rec
            out.append(rec)
        con.executemany("INSERT INTO exact VALUES (?, ?)", exact_rows)
        band_rows.sort()
        con.executemany("INSERT INTO bands VALUES (?, ?)", band_rows)
        con.executemany("INSERT INTO learning (writer, state) VALUES (?, ?)", learning)
        return out

    @staticmethod
    def _records(con: sqlite3.Connection, doc_ids: Sequence[str]) -> list[Record | None]:
        found: dict[str, Record] = {}
        for chunk in _chunks(list(doc_ids)):
            rows = con.execute(
                "SELECT id, duplicate_of, similarity, match, site FROM docs "
                f"WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row[0], Record(*row)) for row in rows)
        return [found.get(i) for i in doc_ids]

    def remove(self, doc_id: str) -> list[str]:
        """See `Backend.remove`."""
        try:
            with self._write() as con:
                row = con.execute(
                    "SELECT seq, exact, bands, duplicate_of FROM docs WHERE id = ?", (doc_id,)
                ).fetchone()
                if row is None:
                    return []
                seq, exact, bands, duplicate_of = row
                gone = [doc_id]
                con.execute("DELETE FROM docs WHERE seq = ?", (seq,))
                if duplicate_of is None:
                    con.execute("DELETE FROM exact WHERE key = ? AND seq = ?", (exact, seq))
                    keys = np.frombuffer(bands or b"", dtype=np.int64).tolist()
                    con.executemany(
                        "DELETE FROM bands WHERE key = ? AND seq = ?", [(k, seq) for k in keys]
                    )
                    dups = [
                        i
                        for (i,) in con.execute(
                            "SELECT id FROM docs WHERE duplicate_of = ?", (doc_id,)
                        )
                    ]
                    con.execute("DELETE FROM docs WHERE duplicate_of = ?", (doc_id,))
                    gone.extend(dups)
                return gone
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot remove a document") from exc

    def counts(self) -> dict[str, int]:
        """See `Backend.counts`."""
        try:
            n, stored, exact, near = self.con.execute(
                "SELECT count(*), total(duplicate_of IS NULL), total(match = 'exact'),"
                " total(match = 'near') FROM docs"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot count its documents") from exc
        exact, near = int(exact), int(near)
        return {
            "documents": int(n),
            "stored": int(stored),
            "duplicates": exact + near,
            "exact": exact,
            "near": near,
        }

    def learning_since(self, cursor: int) -> tuple[list[bytes], int]:
        """See `Backend.learning_since`."""
        try:
            rows = self.con.execute(
                "SELECT seq, writer, state FROM learning WHERE seq > ? ORDER BY seq", (cursor,)
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot read what other processes learned") from exc
        if not rows:
            return [], cursor
        return [state for _, w, state in rows if w != self.writer], int(rows[-1][0])

    def close(self) -> None:
        """See `Backend.close`."""
        self.con.close()


def _chunks(values: Sequence[_T]) -> list[list[_T]]:
    """Cut a list of query parameters into chunks under SQLite's limit of bound values."""
    return [list(values[i : i + 500]) for i in range(0, len(values), 500)]


def _union(bands: dict[int, list[Candidate]], keys: Sequence[int]) -> list[Candidate]:
    """Return the candidates in any of the bands ``keys``, once each, oldest first."""
    found: dict[int, Candidate] = {}
    for key in keys:
        for cand in bands.get(key, ()):
            found[cand.seq] = cand
    return [found[seq] for seq in sorted(found)]
