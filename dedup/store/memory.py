"""The in-memory backend of `dedup.Store` (``Store(":memory:")``): one process, nothing kept.

The reference the persistent backends are tested against: the same `Entry` stream gives the
same records here, in SQLite and in Redis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dedup.store.backend import Backend, Candidate, Decide, Entry, Record, new_writer


class MemoryBackend(Backend):
    """Dicts in this process; lost when it ends."""

    def __init__(self) -> None:
        self.location = ":memory:"
        self.writer = new_writer()
        self._meta: dict[str, str] | None = None
        self._records: dict[str, Record] = {}
        self._docs: dict[str, tuple[int, int, bytes | None, int | None, tuple[int, ...]]] = {}
        self._exact: dict[int, str] = {}
        self._bands: dict[int, dict[str, int]] = {}  # band key -> {id: seq}
        self._seq = 0

    def read_meta(self) -> dict[str, str] | None:
        """See `Backend.read_meta`."""
        return None if self._meta is None else dict(self._meta)

    def write_meta(self, meta: dict[str, str]) -> dict[str, str]:
        """See `Backend.write_meta`."""
        if self._meta is None:
            self._meta = dict(meta)
        return dict(self._meta)

    def get(self, doc_id: str) -> Record | None:
        """See `Backend.get`."""
        return self._records.get(doc_id)

    def lookup(self, entry: Entry) -> tuple[Record | None, list[Candidate]]:
        """See `Backend.lookup`."""
        hit = self._exact.get(entry.exact) if entry.exact is not None else None
        if hit is not None:
            return self._records[hit], []
        seen: dict[str, int] = {}
        for key in entry.bands:
            seen.update(self._bands.get(key, {}))
        cands = []
        for doc_id, seq in sorted(seen.items(), key=lambda x: x[1]):
            _, size, sig, _, _ = self._docs[doc_id]
            if sig is not None:
                cands.append(Candidate(doc_id, seq, size, sig))
        return None, cands

    def insert_many(self, entries: Sequence[Entry], decide: Decide) -> list[Record]:
        """See `Backend.insert_many`."""
        out = []
        for entry in entries:
            known = self._records.get(entry.id)
            if known is not None:
                out.append(dataclasses.replace(known, known=True))
                continue
            hit, cands = self.lookup(entry)
            if hit is not None:
                rec = Record(entry.id, hit.id, 1.0, "exact", entry.site)
            else:
                verdict = decide(entry, cands) if cands else None
                if verdict is None:
                    rec = Record(entry.id, site=entry.site)
                    self._seq += 1
                    self._docs[entry.id] = (
                        self._seq,
                        entry.size,
                        entry.sig,
                        entry.exact,
                        tuple(entry.bands),
                    )
                    if entry.exact is not None:
                        self._exact[entry.exact] = entry.id
                    for key in entry.bands:
                        self._bands.setdefault(key, {})[entry.id] = self._seq
                else:
                    rec = Record(entry.id, verdict[0], verdict[1], "near", entry.site)
            self._records[entry.id] = rec
            out.append(rec)
        return out

    def remove(self, doc_id: str) -> list[str]:
        """See `Backend.remove`."""
        rec = self._records.pop(doc_id, None)
        if rec is None:
            return []
        gone = [doc_id]
        doc = self._docs.pop(doc_id, None)
        if doc is not None:
            _, _, _, exact, bands = doc
            if exact is not None and self._exact.get(exact) == doc_id:
                del self._exact[exact]
            for key in bands:
                members = self._bands.get(key)
                if members is not None:
                    members.pop(doc_id, None)
                    if not members:
                        del self._bands[key]
            dups = [r.id for r in self._records.values() if r.duplicate_of == doc_id]
            for dup in dups:
                del self._records[dup]
            gone.extend(dups)
        return gone

    def counts(self) -> dict[str, int]:
        """See `Backend.counts`."""
        exact = sum(1 for r in self._records.values() if r.match == "exact")
        near = sum(1 for r in self._records.values() if r.match == "near")
        return {
            "documents": len(self._records),
            "stored": len(self._docs),
            "duplicates": exact + near,
            "exact": exact,
            "near": near,
        }

    def learning_since(self, cursor: int) -> tuple[list[bytes], int]:
        """See `Backend.learning_since`."""
        return [], cursor  # one process: its own cleaner already learned everything

    def close(self) -> None:
        """See `Backend.close`."""
        pass
