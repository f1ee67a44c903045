"""`Store`: a persistent "seen before?" index for crawlers (see `dedup.store`)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn, cast

import numpy as np

from dedup.cleaner import clean_and_explain
from dedup.cluster import check_threshold, pair_similarity
from dedup.config import CleanConfig
from dedup.dups import _key, site_of
from dedup.errors import ConfigError, InputError, ModelError, StoreError, refuse_one
from dedup.lsh import band_keys, choose_bands
from dedup.signatures import SignatureScheme, signatures
from dedup.store.backend import FORMAT, VERSION, Backend, Candidate, Entry, Record
from dedup.types import CleanResult, Removal

if TYPE_CHECKING:
    from dedup.learn import Cleaner

#: Parameters recorded in a store's metadata, with their defaults.
DEFAULTS: dict[str, object] = {
    "threshold": 0.8,
    "min_shingles": 8,
    "clean": True,
    "learn": True,
    "min_pages": 3,
    "min_share": 0.02,
}


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What `Store.add` and `Store.query` hand back for one document.

    Attributes:
        id: the document's id (None for `Store.query`).
        text: the text compared: cleaned with what the store learned of its site so far
            (the raw text when the store does not clean).
        removals: what cleaning removed, each with its label and reason.
        duplicate_of: the id of the stored document it duplicates, or None when it is new.
        similarity: the estimated similarity with ``duplicate_of`` (1.0 for an exact copy).
        match: ``"exact"`` (same normalised text), ``"near"`` (MinHash-LSH, verified) or None.
        stored: this call stored the document (it is new and the call was an `add`).
        known: the id was in the store already: nothing was written, and ``duplicate_of``,
            ``similarity`` and ``match`` are those recorded when it was first added.
        too_short: the text has too few shingles for a signature: it is matched exactly only.
        site: the site it was counted under (None when unknown).
    """

    id: str | None
    text: str
    removals: tuple[Removal, ...]
    duplicate_of: str | None
    similarity: float | None
    match: str | None
    stored: bool
    known: bool
    too_short: bool
    site: str | None

    @property
    def is_duplicate(self) -> bool:
        """Return whether the document duplicates a stored one."""
        return self.duplicate_of is not None


def open_backend(location: str | os.PathLike[str]) -> Backend:
    """Return the backend for ``location``: ``":memory:"``, a ``redis://`` URL or a file path."""
    if not isinstance(location, (str, os.PathLike)):
        msg = (
            f"location must be a file path, a redis:// URL or ':memory:', got "
            f"{type(location).__name__}"
        )
        raise InputError(msg)
    text = os.fspath(location)
    if not text:
        msg = "location is empty: give a file path (e.g. seen.db) or a redis:// URL"
        raise ConfigError(msg)
    if text == ":memory:":
        from dedup.store.memory import MemoryBackend

        return MemoryBackend()
    if text.startswith(("redis://", "rediss://", "unix://")):
        from dedup.store.redis import RedisBackend

        return RedisBackend(text)
    from dedup.store.sqlite import SQLiteBackend

    return SQLiteBackend(text)


class Store:
    r"""A persistent "seen before?" store: clean each new page, tell whether it is a copy.

    One call per crawled page (`add`) returns the cleaned article, its removals and the id
    of an earlier near-duplicate (or None); the site chrome learned from every page added
    so far (`dedup.Cleaner`, updated incrementally) cleans the next one, so the 300th page
    of a site is cleaned with what the first 299 taught. The store survives restarts and
    crashes and can be shared by several processes: by a file (SQLite, the default) or by a
    Redis server (``redis://host:port/db``) for many crawler machines.

    Args:
        location: a file path (SQLite), a ``redis://host:port/db`` URL, or ``":memory:"``
            (this process only, nothing kept).
        threshold: similarity from which a page is a near-duplicate (see `dedup.cluster`).
        scheme: the signature parameters (num_perm, seed, shingle sizes).
        min_shingles: texts with fewer distinct shingles are compared exactly only.
        clean: compare cleaned texts (default) or raw texts.
        learn: learn each site's chrome from the pages added (needs ``clean``).
        min_pages, min_share: see `dedup.Cleaner`.
        config: options of the per-document cleaner (not recorded in the store).

    The parameters that decide an answer (all but ``config``) are recorded in the store;
    opening an existing store takes them from it, and giving a different value is a
    `ConfigError` (never silent misses).

    Raises:
        ConfigError: a parameter is out of range, or differs from the store's.
        StoreError: the location is not a store, is damaged, or cannot be reached.

    Example:
        >>> with Store(":memory:") as store:
        ...     text = "A storm hit the coast on Monday, closing roads and schools in the area."
        ...     first = store.add("a", text)
        ...     second = store.add("b", text.upper())
        >>> first.stored, second.duplicate_of, second.match
        (True, 'a', 'exact')
    """

    def __init__(
        self,
        location: str | os.PathLike[str] = ":memory:",
        *,
        threshold: float | None = None,
        scheme: SignatureScheme | None = None,
        min_shingles: int | None = None,
        clean: bool | None = None,
        learn: bool | None = None,
        min_pages: int | None = None,
        min_share: float | None = None,
        config: CleanConfig | None = None,
    ) -> None:
        asked: dict[str, object] = {
            "threshold": threshold,
            "min_shingles": min_shingles,
            "clean": clean,
            "learn": learn,
            "min_pages": min_pages,
            "min_share": min_share,
        }
        asked = {k: v for k, v in asked.items() if v is not None}
        if scheme is not None and not isinstance(scheme, SignatureScheme):
            msg = f"scheme must be a dedup.signatures.SignatureScheme, got {type(scheme).__name__}"
            raise InputError(msg)
        if config is not None and not isinstance(config, CleanConfig):
            msg = f"config must be a CleanConfig, got {type(config).__name__}"
            raise InputError(msg)
        _check_params({**DEFAULTS, **asked})
        self.backend = open_backend(location)
        self.location = self.backend.location
        try:
            meta = self.backend.read_meta()
            if meta is None:
                mine = _meta({**DEFAULTS, **asked}, scheme or SignatureScheme())
                meta = self.backend.write_meta(mine)
            params, stored_scheme = self._read_meta(meta)
            self._check_asked(params, stored_scheme, asked, scheme)
        except BaseException:
            self.backend.close()
            raise
        self.scheme = stored_scheme
        self.threshold = float(params["threshold"])  # type: ignore[arg-type]
        self.min_shingles = int(params["min_shingles"])  # type: ignore[call-overload]
        self.clean = bool(params["clean"])
        self.learn = bool(params["learn"])
        self.bands, self.rows = int(params["bands"]), int(params["rows"])  # type: ignore[call-overload]
        self.config = config
        # One connection and one cleaner per Store: threads of a crawler take turns.
        self._lock = threading.RLock()
        self._cleaner: Cleaner | None = None
        self._cursor = 0
        if self.learn:
            from dedup.learn import Cleaner

            self._cleaner = Cleaner(
                min_pages=int(params["min_pages"]),  # type: ignore[call-overload]
                min_share=float(params["min_share"]),  # type: ignore[arg-type]
                config=config,
            )

    # -- metadata ---------------------------------------------------------------------

    def _read_meta(self, meta: Mapping[str, str]) -> tuple[dict[str, object], SignatureScheme]:
        where = self.location
        if meta.get("format") != FORMAT:
            msg = (
                f"{where}: not a dedup store (format {meta.get('format')!r}); give a new "
                f"location or one made by dedup.Store"
            )
            raise StoreError(msg)
        if meta.get("version") != VERSION:
            msg = (
                f"{where}: a store of layout version {meta.get('version')}, this dedup reads "
                f"version {VERSION}; rebuild the store with this version"
            )
            raise StoreError(msg)
        try:
            params = json.loads(meta["params"])
            scheme = SignatureScheme.from_dict(json.loads(meta["scheme"]))
            _check_params(params)
            for name in ("bands", "rows"):
                if not isinstance(params.get(name), int):
                    raise KeyError(name)
        except (KeyError, ValueError, TypeError, ConfigError) as exc:
            msg = f"{where}: damaged store metadata ({exc!r}); rebuild the store"
            raise StoreError(msg) from exc
        return params, scheme

    def _check_asked(
        self,
        params: Mapping[str, object],
        scheme: SignatureScheme,
        asked: Mapping[str, object],
        asked_scheme: SignatureScheme | None,
    ) -> None:
        diffs = [f"{k} {params[k]!r} (asked {v!r})" for k, v in asked.items() if params[k] != v]
        if asked_scheme is not None and asked_scheme != scheme:
            diffs.append(f"scheme {scheme.to_dict()} (asked {asked_scheme.to_dict()})")
        if diffs:
            msg = (
                f"{self.location}: this store was made with {'; '.join(diffs)}; open it "
                f"without those arguments to use its own, or give a new location"
            )
            raise ConfigError(msg)

    # -- adding and querying ----------------------------------------------------------

    def add(
        self, doc_id: str, text: str, *, site: str | None = None, url: str | None = None
    ) -> StoreResult:
        """Clean a page, learn from it, and store it unless it duplicates a stored one.

        Args:
            doc_id: the page's id (e.g. its URL); adding an id already in the store writes
                nothing and returns what was recorded for it (``known=True``).
            text: the page's text, one block per line.
            site: its site (default: the host of ``url``, else inferred from the text).
            url: its URL, for the site.

        Returns:
            the `StoreResult`.

        Raises:
            InputError: ``doc_id`` or ``text`` is not a ``str``.
            StoreError: the store cannot be written.
        """
        return self.add_many([{"id": doc_id, "text": text, "site": site, "url": url}])[0]

    def add_many(self, docs: Iterable[Mapping[str, object]]) -> list[StoreResult]:
        """Add several pages in one transaction (faster; all or none are committed).

        Args:
            docs: mappings with ``id`` and ``text``, optionally ``site`` and ``url``.

        Returns:
            one `StoreResult` per document, in order; later documents are compared with
            the earlier ones of the same call.
        """
        refuse_one(docs, "add_many")
        items = [_read_doc(d, n) for n, d in enumerate(docs)]
        if not items:
            return []
        with self._lock:
            return self._add_many(items)

    def _add_many(self, items: list[tuple[str, str, str | None]]) -> list[StoreResult]:
        self._sync()
        # Ids already stored teach nothing new: learning from them twice would count their
        # pages twice. Without learning the insert itself tells known ids apart.
        if self._cleaner is not None:
            known = self.backend.get_many([doc_id for doc_id, _, _ in items])
        else:
            known = [None] * len(items)
        results: list[CleanResult] = []
        states: list[bytes | None] = []
        seen_ids: set[str] = set()
        for n, ((doc_id, text, site), rec) in enumerate(zip(items, known, strict=True)):
            learn = rec is None and doc_id not in seen_ids
            seen_ids.add(doc_id)
            result, state, key = self._clean(text, site, learn=learn)
            items[n] = (doc_id, text, key)
            results.append(result)
            states.append(state)
        entries = self._entries(items, results, states)
        records = self.backend.insert_many(entries, self._decide)
        return [
            self._result(doc_id, res, rec, entry, site)
            for (doc_id, _, site), res, rec, entry in zip(
                items, results, records, entries, strict=True
            )
        ]

    def query(self, text: str, *, site: str | None = None, url: str | None = None) -> StoreResult:
        """Return what `add` would answer for a page, without adding or learning anything."""
        return self.query_many([{"text": text, "site": site, "url": url}])[0]

    def query_many(self, docs: Iterable[str | Mapping[str, object]]) -> list[StoreResult]:
        """Return `query` for several pages (texts, or mappings with ``text``, ``site``, ``url``).

        Signing and lookups are batched: much faster per page than `query` one at a time.
        """
        refuse_one(docs, "query_many")
        items = [_read_query(d, n) for n, d in enumerate(docs)]
        if not items:
            return []
        with self._lock:
            self._sync()
            cleaned = [self._clean(text, site, learn=False) for text, site in items]
            rows = [
                ("", text, site) for (text, _), (_, _, site) in zip(items, cleaned, strict=True)
            ]
            results = [res for res, _, _ in cleaned]
            entries = self._entries(rows, results, [None] * len(rows))
            looked = self.backend.lookup_many(entries)
        out = []
        verdicts = self._decide_many(entries, [cands for _, cands in looked])
        for entry, res, (hit, _), near in zip(entries, results, looked, verdicts, strict=True):
            verdict = (hit.id, 1.0) if hit is not None else near
            if verdict is None:
                rec = Record("", site=entry.site)
            else:
                rec = Record("", verdict[0], verdict[1], "exact" if hit else "near", entry.site)
            out.append(self._result(None, res, rec, entry, entry.site))
        return out

    def _sync(self) -> None:
        """Learn what other processes sharing the store learned since we last looked."""
        if self._cleaner is None:
            return
        from dedup.learn import LearnState

        states, self._cursor = self.backend.learning_since(self._cursor)
        for data in states:
            try:
                state = LearnState.from_bytes(data)
            except ModelError as exc:
                msg = f"{self.location}: a damaged entry in the learning log ({exc})"
                raise StoreError(msg) from exc
            self._cleaner.absorb(state)

    def _clean(
        self, text: str, site: str | None, *, learn: bool
    ) -> tuple[CleanResult, bytes | None, str | None]:
        """Return the cleaned text, what it teaches (when ``learn``) and the site key."""
        cleaner = self._cleaner
        if cleaner is not None:
            site = cleaner.site_of(text, site=site)  # inferred from the text when unknown
            state = cleaner.page_state(text, site=site) if learn else None
            if state is not None:
                cleaner.absorb(state)
            blob = state.to_bytes() if state is not None else None
            return cleaner.clean_and_explain(text, site=site), blob, site
        if self.clean:
            return clean_and_explain(text, config=self.config), None, site
        return CleanResult(text=text), None, site

    def _entries(
        self,
        items: Sequence[tuple[str, str, str | None]],
        results: Sequence[CleanResult],
        states: Sequence[bytes | None],
    ) -> list[Entry]:
        compared = [
            r.text if self.clean else t for (_, t, _), r in zip(items, results, strict=True)
        ]
        sigs, sizes = signatures(compared, self.scheme)
        keys = band_keys(sigs, self.bands, self.rows).view(np.int64)
        out = []
        for i, ((doc_id, raw, site), text) in enumerate(zip(items, compared, strict=True)):
            if text.strip():
                exact: int | None = _signed(_key(text))
            elif raw.strip():
                exact = _signed(_key("\x00raw\x00" + raw))  # all chrome: raw copies only
            else:
                exact = None  # blank: matches nothing
            short = not text.strip() or int(sizes[i]) < self.min_shingles
            out.append(
                Entry(
                    doc_id,
                    exact,
                    int(sizes[i]),
                    None if short else sigs[i].tobytes(),
                    () if short else tuple(keys[i].tolist()),
                    site,
                    states[i],
                )
            )
        return out

    def _decide(self, entry: Entry, cands: Sequence[Candidate]) -> tuple[str, float] | None:
        """Return the stored document ``entry`` duplicates (most similar, then oldest)."""
        return self._decide_many([entry], [cands])[0]

    def _decide_many(
        self, entries: Sequence[Entry], cands: Sequence[Sequence[Candidate]]
    ) -> list[tuple[str, float] | None]:
        """`_decide` for each entry and its candidates: one similarity call for all pairs."""
        out: list[tuple[str, float] | None] = [None] * len(entries)
        rows: list[bytes] = []
        sizes: list[int] = []
        pairs: list[tuple[int, int]] = []
        owner: list[tuple[int, Candidate]] = []  # the entry and candidate of each pair
        for k, (entry, found) in enumerate(zip(entries, cands, strict=True)):
            if entry.sig is None or not found:
                continue
            first = len(rows)
            rows.append(entry.sig)
            sizes.append(max(1, entry.size))
            for c in found:
                pairs.append((first, len(rows)))
                owner.append((k, c))
                rows.append(c.sig)
                sizes.append(max(1, c.size))
        if not pairs:
            return out
        sigs = np.frombuffer(b"".join(rows), dtype=np.uint32).reshape(len(rows), -1)
        _, _, sim = pair_similarity(sigs, sizes, pairs, word_n=self.scheme.shingle.word_n)
        best: dict[int, tuple[float, int, str]] = {}  # entry -> (-similarity, seq, id)
        for (k, c), s in zip(owner, sim.tolist(), strict=True):
            if k not in best or (-s, c.seq) < best[k][:2]:
                best[k] = (-s, c.seq, c.id)
        for k, (neg, _, doc_id) in best.items():
            if -neg >= self.threshold:
                out[k] = (doc_id, -neg)
        return out

    def _result(
        self, doc_id: str | None, res: CleanResult, rec: Record, entry: Entry, site: str | None
    ) -> StoreResult:
        return StoreResult(
            id=doc_id,
            text=res.text,
            removals=res.removals,
            duplicate_of=rec.duplicate_of,
            similarity=rec.similarity,
            match=rec.match,
            stored=doc_id is not None and not rec.known and rec.duplicate_of is None,
            known=rec.known,
            too_short=entry.sig is None,
            site=rec.site if rec.known else entry.site,
        )

    # -- the rest of the API ----------------------------------------------------------

    def remove(self, doc_id: str) -> list[str]:
        """Forget a document; a stored one takes the duplicates recorded of it along.

        Returns:
            the ids forgotten.

        Raises:
            KeyError: ``doc_id`` is not in the store.
        """
        with self._lock:
            gone = self.backend.remove(doc_id)
        if not gone:
            raise KeyError(doc_id)
        return gone

    def get(self, doc_id: str) -> Record | None:
        """Return what is recorded for ``doc_id`` (None when absent)."""
        return self.backend.get(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.backend.get(doc_id) is not None

    def __len__(self) -> int:
        return self.backend.counts()["documents"]

    def stats(self) -> dict[str, object]:
        """Return counts (documents, stored, duplicates, exact, near, sites) and parameters."""
        out: dict[str, object] = {"location": self.location, **self.backend.counts()}
        if self._cleaner is not None:
            with self._lock:
                self._sync()
                learned = self._cleaner.stats()
            out["sites"] = learned["sites"]
            out["sites_learned"] = learned["sites_learned"]
        out.update(
            threshold=self.threshold,
            num_perm=self.scheme.num_perm,
            bands=self.bands,
            rows=self.rows,
            clean=self.clean,
            learn=self.learn,
        )
        return out

    def close(self) -> None:
        """Close the connection (everything added is already committed).

        Closing again does nothing; any other use of a closed store raises `StoreError`.
        """
        with self._lock:
            if isinstance(self.backend, _ClosedBackend):
                return
            self.backend.close()
            self.backend = cast(Backend, _ClosedBackend(self.location))

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _ClosedBackend:
    """Stands in for the backend of a closed `Store`: every use says the store is closed.

    Without it a closed SQLite store failed under another operation's words ("cannot count
    its documents (Cannot operate on a closed database.)"), a memory store went on working
    and Redis's client reconnected by itself.
    """

    def __init__(self, location: str) -> None:
        self.location = location

    def __getattr__(self, name: str) -> NoReturn:
        again = (
            "a new one starts empty: keep the store open while you use it"
            if self.location == ":memory:"
            else f"dedup.Store({self.location!r})"
        )
        msg = f"{self.location}: the store is closed; open it again: {again}"
        raise StoreError(msg)


def _signed(key: int) -> int:
    """Return a uint64 key as the int64 with the same bits (SQLite integers are signed)."""
    return key - (1 << 64) if key >= 1 << 63 else key


def _site(site: object, url: object) -> str | None:
    if site is not None and not isinstance(site, str):
        msg = f"site must be a str, got {type(site).__name__}"
        raise InputError(msg)
    if url is not None and not isinstance(url, str):
        msg = f"url must be a str, got {type(url).__name__}"
        raise InputError(msg)
    return site_of({"site": site, "url": url}, "site", "url")


def _read_doc(doc: object, n: int) -> tuple[str, str, str | None]:
    if not isinstance(doc, Mapping):
        msg = f"document {n} must be a mapping with 'id' and 'text', got {type(doc).__name__}"
        raise InputError(msg)
    doc_id, text = doc.get("id"), doc.get("text")
    if not isinstance(doc_id, str) or not doc_id:
        msg = f"document {n}: 'id' must be a non-empty str, got {doc_id!r}"
        raise InputError(msg)
    if not isinstance(text, str):
        msg = f"document {n} ({doc_id!r}): 'text' must be a str, got {type(text).__name__}"
        raise InputError(msg)
    return doc_id, text, _site(doc.get("site"), doc.get("url"))


def _read_query(doc: object, n: int) -> tuple[str, str | None]:
    if isinstance(doc, str):
        return doc, None
    if not isinstance(doc, Mapping):
        msg = f"query {n} must be a str or a mapping with 'text', got {type(doc).__name__}"
        raise InputError(msg)
    text = doc.get("text")
    if not isinstance(text, str):
        msg = f"query {n}: 'text' must be a str, got {type(text).__name__}"
        raise InputError(msg)
    return text, _site(doc.get("site"), doc.get("url"))


def _check_params(params: Mapping[str, object]) -> None:
    check_threshold(params.get("threshold"))
    n = params.get("min_shingles")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        msg = f"min_shingles must be a whole number >= 1, got {n!r}"
        raise ConfigError(msg)
    for name in ("clean", "learn"):
        if not isinstance(params.get(name), bool):
            msg = f"{name} must be True or False, got {params.get(name)!r}"
            raise ConfigError(msg)
    if params.get("learn") and not params.get("clean"):
        msg = "learn=True needs clean=True (learned chrome is removed by cleaning)"
        raise ConfigError(msg)
    share = params.get("min_share")
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        msg = f"min_share must be a number from 0 to 1, got {share!r}"
        raise ConfigError(msg)
    pages = params.get("min_pages")
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 2:
        msg = f"min_pages must be a whole number >= 2, got {pages!r}"
        raise ConfigError(msg)


def _meta(params: Mapping[str, object], scheme: SignatureScheme) -> dict[str, str]:
    threshold = float(params["threshold"])  # type: ignore[arg-type]
    bands, rows = choose_bands(threshold, scheme.num_perm, word_n=scheme.shingle.word_n)
    full = {**params, "threshold": threshold, "bands": bands, "rows": rows}
    return {
        "format": FORMAT,
        "version": VERSION,
        "params": json.dumps(full, sort_keys=True),
        "scheme": json.dumps(scheme.to_dict(), sort_keys=True),
    }


__all__ = ["Store", "StoreResult", "open_backend"]
