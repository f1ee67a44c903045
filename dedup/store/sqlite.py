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

import numpy as np

from dedup.errors import StoreError
from dedup.store.backend import Backend, Candidate, Decide, Entry, Record, new_writer

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
        found: dict[str, Record] = {}
        try:
            for start in range(0, len(doc_ids), 500):
                chunk = list(doc_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self.con.execute(
                    "SELECT id, duplicate_of, similarity, match, site FROM docs "
                    f"WHERE id IN ({marks})",
                    chunk,
                )
                found.update((row[0], Record(*row)) for row in rows)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot read documents") from exc
        return [found.get(i) for i in doc_ids]

    @staticmethod
    def _get(con: sqlite3.Connection, doc_id: str) -> Record | None:
        row = con.execute(
            "SELECT id, duplicate_of, similarity, match, site FROM docs WHERE id = ?", (doc_id,)
        ).fetchone()
        return None if row is None else Record(*row)

    def lookup(self, entry: Entry) -> tuple[Record | None, list[Candidate]]:
        """See `Backend.lookup`."""
        try:
            return self._lookup(self.con, entry)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot look a document up") from exc

    @staticmethod
    def _lookup(con: sqlite3.Connection, entry: Entry) -> tuple[Record | None, list[Candidate]]:
        if entry.exact is not None:
            row = con.execute(
                "SELECT d.id, d.site FROM exact x JOIN docs d ON d.seq = x.seq WHERE x.key = ?",
                (entry.exact,),
            ).fetchone()
            if row is not None:
                return Record(row[0], site=row[1]), []
        if not entry.bands:
            return None, []
        marks = ",".join("?" * len(entry.bands))
        rows = con.execute(
            f"SELECT seq, id, size, sig FROM docs WHERE seq IN "
            f"(SELECT seq FROM bands WHERE key IN ({marks})) ORDER BY seq",
            list(entry.bands),
        ).fetchall()
        return None, [Candidate(i, seq, size, sig) for seq, i, size, sig in rows if sig]

    def insert_many(self, entries: Sequence[Entry], decide: Decide) -> list[Record]:
        """See `Backend.insert_many`."""
        out: list[Record] = []
        try:
            with self._write() as con:
                for entry in entries:
                    out.append(self._insert(con, entry, decide))
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "cannot add documents (nothing of this batch was kept)") from exc
        return out

    def _insert(self, con: sqlite3.Connection, entry: Entry, decide: Decide) -> Record:
        known = self._get(con, entry.id)
        if known is not None:
            return Record(
                known.id, known.duplicate_of, known.similarity, known.match, known.site, True
            )
        hit, cands = self._lookup(con, entry)
        if hit is not None:
            rec = Record(entry.id, hit.id, 1.0, "exact", entry.site)
        else:
            verdict = decide(entry, cands) if cands else None
            if verdict is None:
                rec = Record(entry.id, site=entry.site)
            else:
                rec = Record(entry.id, verdict[0], verdict[1], "near", entry.site)
        stored = rec.duplicate_of is None
        bands = np.asarray(entry.bands, dtype=np.int64).tobytes() if stored else None
        cur = con.execute(
            "INSERT INTO docs (id, exact, size, sig, bands, site, duplicate_of, similarity, match)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.id,
                entry.exact,
                entry.size,
                entry.sig if stored else None,
                bands,
                entry.site,
                rec.duplicate_of,
                rec.similarity,
                rec.match,
            ),
        )
        if stored:
            seq = cur.lastrowid
            if entry.exact is not None:
                con.execute("INSERT INTO exact VALUES (?, ?)", (entry.exact, seq))
            con.executemany(
                "INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, seq) for k in entry.bands]
            )
        if entry.state is not None:
            con.execute(
                "INSERT INTO learning (writer, state) VALUES (?, ?)", (self.writer, entry.state)
            )
        return rec

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
