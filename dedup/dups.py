"""Near-duplicate and exact-duplicate documents: the pipeline behind `find_duplicates`.

Receives documents (str, or mappings with ``id`` and ``text``), in batches, and hands on a
`DuplicateResult`: every document in exactly one `Cluster`, with the cluster's
representative, how each member matched it (``exact`` / ``near``) and the estimated
similarity. Stages, in order:

1. *prepare* (per batch, in worker processes with ``jobs > 1``): clean the text with
   `dedup.clean` (``clean=True``), hash its normalised form (the exact-duplicate key), and
   make its MinHash signature (`dedup.signatures`);
2. *exact*: documents with the same key join the first one's group; only one document per
   group goes on;
3. *near*: signatures of the groups with enough shingles are spooled to a ``uint32`` file on
   disk (memory-mapped, never Python objects), then banded, verified and clustered
   (`dedup.lsh`, `dedup.cluster`);
4. *representative*: each cluster's document to keep (``keep="longest"``: the longest cleaned
   text, ties broken by content and then id, so the choice does not depend on input order;
   ``keep="first"``: the first in input order).

Texts too short for a reliable signature (fewer than ``min_shingles`` distinct shingles:
headlines, one-liners) are compared exactly only and reported as ``too_short``: nothing is
ever merged through an empty or tiny signature. A document that cleans to nothing is keyed by
its raw text instead, so pages that are all chrome are not merged with each other.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import multiprocessing
import os
import pickle
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np

from dedup.cleaner import clean as clean_text
from dedup.errors import ConfigError, InputError, refuse_one
from dedup.learn import Cleaner, LearnState
from dedup.normalize import normalize
from dedup.shingle import ShingleParams
from dedup.signatures import SignatureScheme, signatures

Keep = Literal["longest", "first"]
KEEP_CHOICES: tuple[str, ...] = ("longest", "first")

#: Documents per batch handed to `prepare_batch` (and to a worker process).
BATCH_DOCS = 256
#: Rounds of re-clustering members unlike their representative (`DuplicateFinder`).
SPLIT_ROUNDS = 3
#: How a document joined its cluster.
MATCH_KINDS: tuple[str, ...] = ("representative", "exact", "near")


@dataclass(frozen=True, slots=True)
class Cluster:
    """One group of documents that are copies of each other.

    Attributes:
        id: the cluster's id: its representative's id.
        ids: the members' ids, in input order (the representative among them).
        representative: the id of the member to keep.
        similarity: per member, the estimated similarity with the representative (1.0 for
            the representative and its exact copies); see `dedup.cluster`.
        match: per member, ``"representative"``, ``"exact"`` (same normalised text) or
            ``"near"`` (MinHash-LSH, verified).
    """

    id: str
    ids: tuple[str, ...]
    representative: str
    similarity: tuple[float, ...]
    match: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def duplicates(self) -> tuple[str, ...]:
        """Return the ids of the members that are not the representative."""
        return tuple(i for i in self.ids if i != self.representative)


@dataclass(frozen=True, slots=True)
class Assignment:
    """What `find_duplicates` decided for one document (see `DuplicateResult.assignments`).

    Attributes:
        id: the document's id.
        cluster: the id of its cluster (the representative's id).
        duplicate_of: the representative's id when the document is a duplicate, else ``None``.
        similarity: the estimated similarity with the representative.
        match: ``"representative"``, ``"exact"`` or ``"near"``.
        too_short: the text had too few shingles for a signature; only exact copies can match.
    """

    id: str
    cluster: str
    duplicate_of: str | None
    similarity: float
    match: str
    too_short: bool

    @property
    def is_duplicate(self) -> bool:
        """Return whether the document is a copy of another one (not its cluster's keeper)."""
        return self.duplicate_of is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form the ``dedup dups`` command writes into each record."""
        return {
            "cluster": self.cluster,
            "duplicate": self.is_duplicate,
            "of": self.duplicate_of,
            "similarity": round(self.similarity, 4),
            "match": self.match,
            "too_short": self.too_short,
        }


@dataclass(slots=True)
class DuplicateStats:
    """Counts and CPU seconds per stage of one `find_duplicates` run.

    Attributes:
        documents: documents read.
        exact_duplicates: documents whose normalised text equals an earlier one's.
        near_duplicates: documents put in another document's cluster by MinHash-LSH.
        clusters: clusters with more than one member.
        too_short: documents with too few shingles for a signature (exact matching only).
        empty: documents whose text (after cleaning) is empty.
        raw_copies: exact duplicates found by their raw text, before any cleaning (these
            are counted in ``exact_duplicates`` too; they were not cleaned again).
        signed: documents that went through LSH (one per exact group, long enough).
        candidates: candidate pairs LSH found; ``verified``: those that passed verification.
        split: times a member unlike its cluster's representative was taken out and
            clustered again (union-find chaining undone).
        chrome_lines: line templates learned as site chrome (on 3+ pages of their site) and
            left out of the compared texts (`dedup.Cleaner`).
        bands: LSH bands used; ``rows``: signature slots per band.
        seconds: CPU seconds per stage (``clean``, ``sign``, ``cluster``), summed over workers.
    """

    documents: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    clusters: int = 0
    too_short: int = 0
    empty: int = 0
    raw_copies: int = 0
    signed: int = 0
    candidates: int = 0
    verified: int = 0
    split: int = 0
    chrome_lines: int = 0
    bands: int = 0
    rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def duplicates(self) -> int:
        """Return how many documents are copies of another (exact + near)."""
        return self.exact_duplicates + self.near_duplicates


class DuplicateResult:
    """The clusters `find_duplicates` found, with per-document lookups.

    Every document is in exactly one cluster; a document with no copy is a cluster of one.

    Attributes:
        ids: document ids in input order.
        stats: `DuplicateStats` of the run.
        scheme: the `dedup.signatures.SignatureScheme` the signatures were made with.
        threshold: the similarity threshold used.
    """

    def __init__(
        self,
        *,
        ids: list[str],
        rep: np.ndarray,
        similarity: np.ndarray,
        match: np.ndarray,
        too_short: np.ndarray,
        stats: DuplicateStats,
        scheme: SignatureScheme,
        threshold: float,
    ) -> None:
        self.ids = ids
        self._rep = rep
        self._similarity = similarity
        self._match = match
        self._too_short = too_short
        self.stats = stats
        self.scheme = scheme
        self.threshold = threshold
        self._clusters: tuple[Cluster, ...] | None = None
        self._cluster_at: dict[str, Cluster] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        s = self.stats
        return (
            f"DuplicateResult({s.documents:,} documents, {s.clusters:,} clusters with copies, "
            f"{s.exact_duplicates:,} exact + {s.near_duplicates:,} near duplicates)"
        )

    def assignment(self, i: int) -> Assignment:
        """Return the decision for the ``i``-th document (input order)."""
        r = int(self._rep[i])
        rep_id = self.ids[r]
        return Assignment(
            id=self.ids[i],
            cluster=rep_id,
            duplicate_of=None if r == i else rep_id,
            similarity=float(self._similarity[i]),
            match=MATCH_KINDS[int(self._match[i])],
            too_short=bool(self._too_short[i]),
        )

    def assignments(self) -> Iterator[Assignment]:
        """Yield the decision for every document, in input order."""
        for i in range(len(self.ids)):
            yield self.assignment(i)

    @property
    def representatives(self) -> np.ndarray:
        """Return, per document (input order), the input position of its representative."""
        return self._rep

    @property
    def is_duplicate(self) -> np.ndarray:
        """Return, per document in input order, True when it is a copy of another (a bool array)."""
        flags: np.ndarray = self._rep != np.arange(len(self._rep))
        return flags

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        """Return every cluster, ordered by their first member's input position."""
        if self._clusters is None:
            n = len(self.ids)
            order = np.argsort(self._rep, kind="stable")
            reps = self._rep[order]
            bounds: list[int] = []
            if n:
                starts = np.flatnonzero(np.r_[True, reps[1:] != reps[:-1]])
                bounds = np.r_[starts, n].tolist()
            groups = [order[a:b] for a, b in itertools.pairwise(bounds)]
            groups.sort(key=lambda g: int(g[0]))
            out = []
            for g in groups:
                members = g.tolist()
                rep_id = self.ids[int(self._rep[members[0]])]
                out.append(
                    Cluster(
                        id=rep_id,
                        ids=tuple(self.ids[i] for i in members),
                        representative=rep_id,
                        similarity=tuple(float(x) for x in self._similarity[g]),
                        match=tuple(MATCH_KINDS[int(x)] for x in self._match[g]),
                    )
                )
            self._clusters = tuple(out)
        return self._clusters

    def largest(self, k: int = 20) -> list[Cluster]:
        """Return the ``k`` largest clusters with copies (biggest first; ties by position).

        Unlike `clusters`, this builds only the clusters it returns, so it is cheap on a dump
        of millions of documents.
        """
        n = len(self.ids)
        if n == 0 or k <= 0:
            return []
        counts = np.bincount(self._rep, minlength=n)
        reps = np.flatnonzero(counts > 1)
        top = reps[np.lexsort((reps, -counts[reps]))][:k]
        out = []
        for r in top.tolist():
            members = np.flatnonzero(self._rep == r)
            rep_id = self.ids[r]
            out.append(
                Cluster(
                    id=rep_id,
                    ids=tuple(self.ids[i] for i in members.tolist()),
                    representative=rep_id,
                    similarity=tuple(float(x) for x in self._similarity[members]),
                    match=tuple(MATCH_KINDS[int(x)] for x in self._match[members]),
                )
            )
        return out

    def cluster_of(self, doc_id: str) -> Cluster:
        """Return the cluster of the document with id ``doc_id``.

        Raises:
            KeyError: no document has that id.
        """
        if self._cluster_at is None:
            self._cluster_at = {i: c for c in self.clusters for i in c.ids}
        try:
            return self._cluster_at[doc_id]
        except KeyError:
            msg = f"no document has id {doc_id!r}"
            raise KeyError(msg) from None


# --------------------------------------------------------------------------- prepare


@dataclass(frozen=True, slots=True)
class Prepared:
    """One batch, ready for the exact and near stages (made by `prepare_batch`).

    Attributes:
        keys: ``uint64`` exact-duplicate key per document (hash of the normalised text).
        lengths: characters of the text compared (cleaned, unless ``clean=False``).
        sizes: distinct shingles per document.
        signatures: ``(n, num_perm)`` ``uint32`` MinHash signatures.
        empty: documents whose compared text is empty.
        blank: documents whose raw text is empty or only white space: they match nothing.
        seconds: CPU seconds spent cleaning and signing this batch.
    """

    keys: np.ndarray
    lengths: np.ndarray
    sizes: np.ndarray
    signatures: np.ndarray
    empty: np.ndarray
    blank: np.ndarray
    seconds: tuple[float, float]


def _key(text: str) -> int:
    data = normalize(text).encode("utf-8", errors="surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def prepare_batch(
    texts: Sequence[str],
    *,
    clean: bool,
    scheme: SignatureScheme,
    compared: Sequence[str] | None = None,
) -> Prepared:
    """Clean, key and sign a batch of texts (the part of the work that runs in parallel).

    Args:
        texts: the documents' texts.
        clean: compare the texts `dedup.clean` returns (True) or the raw texts.
        scheme: the signature parameters.
        compared: the texts to compare, already cleaned otherwise (``clean`` is then unused).

    Returns:
        a `Prepared` batch, in the order of ``texts``.
    """
    t0 = time.process_time()
    if compared is None:
        compared = [clean_text(t) for t in texts] if clean else list(texts)
    t1 = time.process_time()
    keys = np.empty(len(texts), dtype=np.uint64)
    empty = np.zeros(len(texts), dtype=bool)
    blank = np.zeros(len(texts), dtype=bool)
    for i, (raw, text) in enumerate(zip(texts, compared, strict=True)):
        if text.strip():
            keys[i] = _key(text)
        elif not raw.strip():
            empty[i] = blank[i] = True  # nothing to compare: a cluster of its own
            keys[i] = 0
        else:
            # Pages that are all chrome clean to nothing: key them by their raw text, so only
            # byte-for-byte copies of such a page are merged, never two different pages.
            empty[i] = True
            keys[i] = _key("\x00raw\x00" + raw)
    sigs, sizes = signatures(compared, scheme)
    lengths = np.fromiter((len(t) for t in compared), dtype=np.int64, count=len(compared))
    t2 = time.process_time()
    sizes = sizes.astype(np.int64)
    return Prepared(keys, lengths, sizes, sigs, empty, blank, (t1 - t0, t2 - t1))


def _map_ordered(
    fn: Callable[..., Any],
    batches: Iterable[Any],
    jobs: int,
    init: tuple[Callable[[Any], None], Any] | None = None,
) -> Iterator[Any]:
    """Yield ``fn(batch)`` for each batch, in order, in ``jobs`` worker processes.

    At most ``2 * jobs`` batches are in flight, so memory stays bounded however long the
    input is. ``fn`` must be picklable (a module-level function or a `functools.partial`).
    ``init`` is a function and its argument, called once in each worker (or here, with one
    job) before any batch: how a large read-only object reaches the workers once.
    """
    if jobs <= 1:
        if init is not None:
            init[0](init[1])
        for batch in batches:
            yield fn(batch)
        return
    if init is None:
        pool = ProcessPoolExecutor(max_workers=jobs)
    else:
        # Workers that get a large object once are started clean (not forked from this
        # process, whose heap they would otherwise carry) and receive only that object.
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=init[0], initargs=(init[1],)
        )
    pending: deque[Future[Any]] = deque()
    try:
        for batch in batches:
            pending.append(pool.submit(fn, batch))
            while len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)


def _prepare_job(texts: list[str], clean: bool, scheme: SignatureScheme) -> Prepared:
    return prepare_batch(texts, clean=clean, scheme=scheme)


# --------------------------------------------------------------------------- the finder


class _Spool:
    """Signature rows appended to a file, read back as a memory map (bounded memory)."""

    def __init__(self, num_perm: int, workdir: str | os.PathLike[str] | None) -> None:
        self.num_perm = num_perm
        fd, name = tempfile.mkstemp(prefix="dedup-signatures-", suffix=".u32", dir=workdir)
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self.rows = 0

    def append(self, rows: np.ndarray) -> None:
        self.file.write(np.ascontiguousarray(rows, dtype=np.uint32).tobytes())
        self.rows += len(rows)

    def matrix(self) -> np.ndarray:
        self.file.close()
        if self.rows == 0:
            return np.empty((0, self.num_perm), dtype=np.uint32)
        return np.memmap(self.path, dtype=np.uint32, mode="r", shape=(self.rows, self.num_perm))

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.path.unlink(missing_ok=True)


class DuplicateFinder:
    """Streaming accumulator behind `find_duplicates`: add batches, then `finish`.

    Use it directly to feed documents from your own loop (the ``dedup dups`` command does),
    or to run the expensive `prepare_batch` elsewhere (another process or machine) and add
    its output with `add_prepared`.

    Args:
        threshold: minimum estimated similarity (0-1] for two documents to be near-duplicates;
            see `dedup.cluster` for its scale (the share of the shorter text's words the other
            reproduces in place: 0.8 catches copies with up to ~15% of words edited).
        keep: which member represents a cluster: ``"longest"`` (longest compared text; ties
            by content, then by id: independent of input order) or ``"first"`` (input order).
        clean: compare the cleaned texts (`dedup.clean`, default) or the raw texts.
        scheme: signature parameters (num_perm, seed, shingle sizes).
        min_shingles: documents with fewer distinct shingles are matched exactly only.
        workdir: directory for the temporary signature file (default: the system's).

    Raises:
        ConfigError: an option is out of range.
    """

    def __init__(
        self,
        *,
        threshold: float = 0.8,
        keep: Keep = "longest",
        clean: bool = True,
        scheme: SignatureScheme | None = None,
        min_shingles: int = 8,
        workdir: str | os.PathLike[str] | None = None,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            msg = f"threshold must be in (0, 1], got {threshold!r} (0.8 is the default)"
            raise ConfigError(msg)
        if keep not in KEEP_CHOICES:
            msg = f"keep must be one of {', '.join(KEEP_CHOICES)}, got {keep!r}"
            raise ConfigError(msg)
        if min_shingles < 1:
            msg = f"min_shingles must be >= 1, got {min_shingles!r}"
            raise ConfigError(msg)
        self.threshold = threshold
        self.keep = keep
        self.clean = clean
        self.scheme = scheme if scheme is not None else SignatureScheme()
        self.min_shingles = min_shingles
        self.ids: list[str] = []
        self.stats = DuplicateStats(seconds={"clean": 0.0, "sign": 0.0, "cluster": 0.0})
        self._doc_group = np.empty(1024, dtype=np.int64)  # per document: its exact group
        self._first: dict[int, int] = {}  # exact key -> group number
        self._group_doc: list[int] = []  # group -> input position of its first document
        self._group_len: list[np.ndarray] = []
        self._group_key: list[np.ndarray] = []
        self._group_row: list[np.ndarray] = []  # group -> spool row, or -1 (too short/empty)
        self._group_short: list[np.ndarray] = []
        self._group_empty: list[np.ndarray] = []
        self._sizes: list[np.ndarray] = []  # per spooled row: distinct shingles
        self.workdir = workdir
        self._spool = _Spool(self.scheme.num_perm, workdir)

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Prepare and add one batch of documents (in this process)."""
        self.add_prepared(ids, prepare_batch(texts, clean=self.clean, scheme=self.scheme))

    def add_prepared(
        self, ids: Sequence[str], batch: Prepared, copy_of: Sequence[int] | None = None
    ) -> None:
        """Add a batch that `prepare_batch` made with this finder's ``clean`` and ``scheme``.

        Args:
            ids: the documents' ids, in input order.
            batch: what `prepare_batch` returned for their texts.
            copy_of: per document, the input position of an earlier document with the very
                same raw text (`RawCopies`), or -1; such a document joins that one's exact
                group whatever ``batch`` says of it (its text need not have been prepared).
        """
        n = len(ids)
        if batch.signatures.shape != (n, self.scheme.num_perm):
            msg = (
                f"a batch of {n} ids came with signatures of shape {batch.signatures.shape}; "
                f"expected ({n}, {self.scheme.num_perm}): prepare it with this finder's scheme"
            )
            raise ConfigError(msg)
        t0 = time.process_time()
        base = len(self.ids)
        self.ids.extend(ids)
        if base + n > len(self._doc_group):
            grown = np.empty(max(2 * len(self._doc_group), base + n), dtype=np.int64)
            grown[:base] = self._doc_group[:base]
            self._doc_group = grown
        groups = self._doc_group[base : base + n]
        new_pos: list[int] = []
        first = self._first
        group_count = len(self._group_doc)
        blank = batch.blank.tolist()
        copies = [-1] * n if copy_of is None else list(copy_of)
        doc_group = self._doc_group
        for i, key in enumerate(batch.keys.tolist()):
            if copies[i] >= 0:
                groups[i] = doc_group[copies[i]]
                continue
            g = None if blank[i] else first.get(key)
            if g is None:
                g = group_count
                if not blank[i]:
                    first[key] = g
                group_count += 1
                new_pos.append(i)
                self._group_doc.append(base + i)
            groups[i] = g
        if new_pos:
            pos = np.asarray(new_pos, dtype=np.int64)
            sizes = batch.sizes[pos]
            short = (sizes < self.min_shingles) | batch.empty[pos]
            rows = np.full(len(pos), -1, dtype=np.int64)
            signed = pos[~short]
            rows[~short] = self._spool.rows + np.arange(len(signed))
            self._spool.append(batch.signatures[signed])
            self._sizes.append(batch.sizes[signed])
            self._group_row.append(rows)
            self._group_short.append(short)
            self._group_empty.append(batch.empty[pos])
            self._group_len.append(batch.lengths[pos])
            self._group_key.append(batch.keys[pos])
        s = self.stats
        s.documents += n
        s.raw_copies += n - copies.count(-1)
        s.seconds["clean"] += batch.seconds[0]
        s.seconds["sign"] += batch.seconds[1] + (time.process_time() - t0)

    def finish(self) -> DuplicateResult:
        """Cluster everything added and return the result (the finder is then closed)."""
        from dedup.cluster import cluster_signatures

        t0 = time.process_time()
        try:
            return self._finish(cluster_signatures, t0)
        finally:
            self._spool.close()

    def close(self) -> None:
        """Remove the temporary signature file (`finish` does it too)."""
        self._spool.close()

    def _finish(self, cluster_signatures: Callable[..., Any], t0: float) -> DuplicateResult:
        _check_unique_ids(self.ids)
        n = len(self.ids)
        group_of = self._doc_group[:n]
        group_doc = np.asarray(self._group_doc, dtype=np.int64)
        group_len = _cat(self._group_len, np.int64)
        group_key = _cat(self._group_key, np.uint64)
        group_row = _cat(self._group_row, np.int64)
        group_short = _cat(self._group_short, bool)
        n_groups = len(group_doc)
        # Priority of each exact group (lower = kept): by length then content, or input order.
        if self.keep == "longest":
            rank = np.empty(n_groups, dtype=np.int64)
            rank[np.lexsort((group_key, -group_len))] = np.arange(n_groups)
        else:
            rank = group_doc.copy()
        # Near stage over the spooled signatures (one row per long-enough exact group).
        sigs = self._spool.matrix()
        sizes = _cat(self._sizes, np.int64)
        signed_groups = np.flatnonzero(group_row >= 0)  # spool row r belongs to group signed[r]
        root = np.arange(n_groups, dtype=np.int64)  # group -> representative group
        sim_group = np.ones(n_groups, dtype=np.float32)
        s = self.stats
        if len(signed_groups) > 1:
            labels, similarity = self._near_clusters(
                cluster_signatures, sigs, sizes, rank[signed_groups]
            )
            root[signed_groups] = signed_groups[labels]
            sim_group[signed_groups] = similarity
        s.signed = len(signed_groups)
        # Documents: representative document of the representative group.
        doc_group = group_of
        doc_root = root[doc_group]
        rep_doc_of_group = self._rep_docs(doc_group, group_doc)
        rep = rep_doc_of_group[doc_root]
        similarity = np.where(doc_group == doc_root, np.float32(1.0), sim_group[doc_group])
        match = np.where(rep == np.arange(n), 0, np.where(doc_group == doc_root, 1, 2)).astype(
            np.int8
        )
        too_short = group_short[doc_group] if n else np.zeros(0, dtype=bool)
        s.exact_duplicates = int((match == 1).sum())
        s.near_duplicates = int((match == 2).sum())
        s.clusters = len(np.unique(rep[match != 0])) if n else 0
        s.too_short = int(too_short.sum())
        s.empty = int(_cat(self._group_empty, bool)[doc_group].sum()) if n else 0
        s.seconds["cluster"] += time.process_time() - t0
        return DuplicateResult(
            ids=self.ids,
            rep=rep,
            similarity=similarity.astype(np.float32),
            match=match,
            too_short=too_short,
            stats=s,
            scheme=self.scheme,
            threshold=self.threshold,
        )

    def _near_clusters(
        self,
        cluster_signatures: Callable[..., Any],
        sigs: np.ndarray,
        sizes: np.ndarray,
        priority: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cluster the spooled signatures; every member ends up similar to its representative.

        Union-find chains: A~B and B~C put A and C together however unlike they are, and on
        real pages one stray edge (two articles that share leftover chrome) can join two
        families of copies. So a member whose similarity with its cluster's representative
        is below the threshold is taken out and clustered again with the other members taken
        out (up to `SPLIT_ROUNDS` rounds; what is left after them stands alone). Measured on
        a generated dump (docs/dups.md): pairwise precision 0.43 -> 0.77 for recall 0.96 ->
        0.90. The result depends on the signatures and the priority only, not on the order.

        Returns:
            per spooled row: the row of its representative, and its similarity with it.
        """
        s = self.stats
        n = len(sizes)
        labels = np.arange(n, dtype=np.int64)
        similarity = np.ones(n, dtype=np.float32)
        todo = np.arange(n, dtype=np.int64)
        for _ in range(SPLIT_ROUNDS):
            if len(todo) < 2:
                break
            part = sigs if len(todo) == n else np.ascontiguousarray(sigs[todo])
            clustering = cluster_signatures(
                part,
                sizes[todo],
                threshold=self.threshold,
                word_n=self.scheme.shingle.word_n,
                priority=priority[todo],
            )
            got = np.asarray(clustering.labels, dtype=np.int64)
            sim = np.asarray(clustering.similarity, dtype=np.float32)
            weak = sim < np.float32(self.threshold)
            labels[todo] = np.where(weak, todo, todo[got])
            similarity[todo] = np.where(weak, np.float32(1.0), sim)
            s.candidates += int(clustering.candidates)
            s.verified += len(clustering.pairs)
            s.split += int(weak.sum())
            if not s.bands:
                s.bands, s.rows = int(clustering.bands), int(clustering.rows)
            todo = todo[weak]
        return labels, similarity

    def _rep_docs(self, doc_group: np.ndarray, group_doc: np.ndarray) -> np.ndarray:
        """Return, per exact group, the document that represents it.

        ``keep="first"``: the group's first document. ``keep="longest"``: its members have
        the same normalised text, so the tie is broken by the smallest id, which does not
        depend on input order.
        """
        rep: np.ndarray = group_doc.copy()
        if self.keep == "first" or len(doc_group) == len(group_doc):
            return rep
        counts = np.bincount(doc_group, minlength=len(group_doc))
        multi = counts[doc_group] > 1
        for i in np.flatnonzero(multi).tolist():
            g = int(doc_group[i])
            if self.ids[i] < self.ids[int(rep[g])]:
                rep[g] = i
        return rep


def _cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:  # noqa: ANN401 - a numpy dtype
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _check_unique_ids(ids: list[str]) -> None:
    if len(set(ids)) == len(ids):
        return
    seen: dict[str, int] = {}
    for i, x in enumerate(ids):
        if x in seen:
            msg = (
                f"the id {x!r} is used by documents {seen[x] + 1} and {i + 1} (counting from "
                "1): ids must be unique; give each document its own id, or pass plain strings "
                "to have them numbered"
            )
            raise ConfigError(msg)
        seen[x] = i


# --------------------------------------------------------------------------- public API


def _id_and_text(doc: object, position: int, text_field: str, id_field: str) -> tuple[str, str]:
    if isinstance(doc, str):
        return str(position), doc
    if isinstance(doc, Mapping):
        if text_field not in doc:
            keys = ", ".join(repr(k) for k in list(doc)[:8])
            msg = (
                f"document {position + 1} has no {text_field!r} field (it has {keys}); pass "
                "text_field= to name the field holding the text"
            )
            raise InputError(msg)
        text = doc[text_field]
        doc_id = doc.get(id_field)
        name = str(position) if doc_id is None else str(doc_id)
    else:
        text, name = doc, str(position)
    if isinstance(text, bytes | bytearray):
        msg = (
            f"document {position + 1} is bytes: decode it first, e.g. "
            "data.decode('utf-8', errors='replace')"
        )
        raise InputError(msg)
    if not isinstance(text, str):
        msg = (
            f"document {position + 1} must be a str or a mapping with a str {text_field!r} "
            f"field, got {type(text).__name__}"
        )
        raise InputError(msg)
    return name, text


def raw_key(text: str) -> int:
    """Return a 64-bit hash of a text's exact characters: equal keys, byte-for-byte copies."""
    data = text.encode("utf-8", errors="surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


class RawCopies:
    """Spot documents whose raw text is byte-for-byte an earlier document's, before cleaning.

    Re-scraped pages are often identical; cleaning and signing them again would be wasted
    work. `route` replaces such a text by ``""`` (nothing to prepare) and records which
    earlier document it copies, for `DuplicateFinder.add_prepared`. Memory: one dict entry
    (a 64-bit hash) per distinct text.
    """

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._position = 0

    def route(self, texts: list[str]) -> tuple[list[str], list[int]]:
        """Return the texts to prepare and, per text, the position it copies (or -1)."""
        out: list[str] = []
        copy_of: list[int] = []
        seen = self._seen
        for text in texts:
            first = seen.setdefault(raw_key(text), self._position)
            self._position += 1
            if first == self._position - 1 or not text.strip():
                out.append(text)
                copy_of.append(-1)
            else:
                out.append("")
                copy_of.append(first)
        return out, copy_of


def site_of(doc: object, site_field: str, url_field: str) -> str | None:
    """Return a document's site: its ``site_field``, else the host of its ``url_field``."""
    if not isinstance(doc, Mapping):
        return None
    site = doc.get(site_field)
    if isinstance(site, str) and site:
        return site
    url = doc.get(url_field)
    if isinstance(url, str) and url:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
        return host.removeprefix("www.") if host else None
    return None


def _batches(
    docs: Iterable[object],
    text_field: str,
    id_field: str,
    ids: list[str],
    sites: list[str | None] | None = None,
    *,
    site_field: str = "site",
    url_field: str = "url",
) -> Iterator[list[str]]:
    batch: list[str] = []
    for position, doc in enumerate(docs):
        name, text = _id_and_text(doc, position, text_field, id_field)
        ids.append(name)
        if sites is not None:
            sites.append(site_of(doc, site_field, url_field))
        batch.append(text)
        if len(batch) >= BATCH_DOCS:
            yield batch
            batch = []
    if batch:
        yield batch


def _routed(
    batches: Iterable[list[str]], copies: RawCopies, routes: deque[list[int]]
) -> Iterator[list[str]]:
    """Yield each batch with raw copies blanked; their routes queue up in ``routes``."""
    for texts in batches:
        out, copy_of = copies.route(texts)
        routes.append(copy_of)
        yield out


def prepare_stream(
    batches: Iterable[list[str]],
    finder: DuplicateFinder,
    ids: list[str],
    *,
    jobs: int,
    sites: list[str | None] | None = None,
    learner: Cleaner | None = None,
) -> None:
    """Prepare ``batches`` (``jobs`` processes) and add them to ``finder`` in order.

    ``ids`` (and ``sites``) grow as the batches are read (the batch generator appends to
    them), so they hold every batch's values by the time that batch is added.

    With ``learner`` (and the finder cleaning), the work takes two passes: the raw texts are
    spooled to disk while the workers learn each site's chrome from them (`dedup.Cleaner`,
    merged in the main process); then the workers clean each text with what was learned,
    sign it and hand it back to be added. Without it, cleaning and signing happen in one pass.
    """
    routes: deque[list[int]] = deque()
    stream = _routed(batches, RawCopies(), routes)
    if learner is None or sites is None or not finder.clean:
        job = functools.partial(_prepare_job, clean=finder.clean, scheme=finder.scheme)
        added = 0
        for batch in _map_ordered(job, stream, jobs):
            n = len(batch.keys)
            finder.add_prepared(ids[added : added + n], batch, routes.popleft())
            added += n
        return
    site_list = sites
    with tempfile.TemporaryFile(dir=finder.workdir) as spool:
        batches_spooled = 0

        def spooled() -> Iterator[list[tuple[str, str | None]]]:
            nonlocal batches_spooled
            done = 0
            for texts in stream:
                docs = list(zip(texts, site_list[done : done + len(texts)], strict=True))
                pickle.dump(docs, spool, protocol=pickle.HIGHEST_PROTOCOL)
                batches_spooled += 1
                done += len(texts)
                yield docs

        for state, spent in _map_ordered(_learn_job, spooled(), jobs):
            learner.absorb(state)
            finder.stats.seconds["learn"] = finder.stats.seconds.get("learn", 0.0) + spent
        cleaner = learner.for_cleaning()
        finder.stats.chrome_lines = learner.learned_templates()
        spool.seek(0)
        unspooled = (pickle.load(spool) for _ in range(batches_spooled))  # our own file
        job = functools.partial(_learned_prepare_job, scheme=finder.scheme)
        added = 0
        for batch in _map_ordered(job, unspooled, jobs, init=(_set_worker_cleaner, cleaner)):
            n = len(batch.keys)
            finder.add_prepared(ids[added : added + n], batch, routes.popleft())
            added += n
    _set_worker_cleaner(None)


def _learn_job(docs: list[tuple[str, str | None]]) -> tuple[LearnState, float]:
    """Learn from a share of the (text, site) documents in a worker; return what was learned."""
    t0 = time.process_time()
    worker = Cleaner()
    worker._observe_many(docs)
    # find_duplicates never lists learned lines: their examples need not cross processes.
    return worker.export_pending(examples=False), time.process_time() - t0


#: The cleaner of this worker process (set once per worker by the pool's initializer).
_WORKER_CLEANER: Cleaner | None = None


def _set_worker_cleaner(cleaner: Cleaner | None) -> None:
    global _WORKER_CLEANER  # one per worker process, set by the pool's initializer
    _WORKER_CLEANER = cleaner


def _learned_prepare_job(docs: list[tuple[str, str | None]], scheme: SignatureScheme) -> Prepared:
    """Clean a batch with the worker's learned cleaner, then key and sign it."""
    cleaner = _WORKER_CLEANER
    assert cleaner is not None  # set by _set_worker_cleaner before any job runs
    t0 = time.process_time()
    compared = [cleaner.clean(text, site=site) if text else "" for text, site in docs]
    spent = time.process_time() - t0
    raw = [text for text, _ in docs]
    batch = prepare_batch(raw, clean=False, scheme=scheme, compared=compared)
    return dataclasses.replace(batch, seconds=(spent, batch.seconds[1]))


def find_duplicates(
    docs: Iterable[str | Mapping[str, Any]],
    *,
    threshold: float = 0.8,
    keep: Keep = "longest",
    clean: bool = True,
    num_perm: int = 128,
    seed: int = 1,
    shingle: ShingleParams | None = None,
    min_shingles: int = 8,
    text_field: str = "text",
    id_field: str = "id",
    site_field: str = "site",
    url_field: str = "url",
    learn_chrome: bool = True,
    jobs: int = 1,
    workdir: str | os.PathLike[str] | None = None,
) -> DuplicateResult:
    """Cluster exact and near-duplicate documents.

    Streams ``docs`` once (memory: a few bytes per document plus a signature file on disk),
    then clusters. Every document lands in exactly one cluster; which clusters form does not
    depend on the order of ``docs`` or on ``jobs``.

    Args:
        docs: texts, or mappings with a text field and an optional id field (default ids:
            the position, ``"0"``, ``"1"``, ...). Ids must be unique.
        threshold: minimum estimated similarity for a near-duplicate, on the scale of "share
            of the shorter text's words the other reproduces in place" (`dedup.cluster`):
            0.8 catches copies with up to ~15% of their words edited, and truncated copies.
        keep: ``"longest"`` or ``"first"``: which member represents its cluster.
        clean: compare the texts `dedup.clean` returns (default), so shared site chrome does
            not make different articles look alike; False compares the raw texts.
        num_perm: MinHash permutations.
        seed: MinHash seed (datasketch-compatible ``affine32`` permutations).
        shingle: shingling parameters (default: word 5-grams; character n-grams for text
            written without spaces).
        min_shingles: texts with fewer distinct shingles are matched exactly only.
        text_field: the mappings' text field.
        id_field: the mappings' id field.
        site_field: the mappings' site field; without it, the host of ``url_field``.
        url_field: the mappings' URL field.
        learn_chrome: with ``clean``, learn each site's chrome across the documents
            (`dedup.Cleaner`: lines on 3+ different pages of a site) and compare the texts
            that Cleaner returns. It costs a second pass over the raw texts, spooled to disk.
        jobs: worker processes for cleaning and signing (results are the same for any value).
        workdir: where the temporary files go (signatures, cleaned texts).

    Returns:
        a `DuplicateResult`.

    Raises:
        InputError: ``docs`` is one document, or a document is not a str or a mapping with
            a str text field.
        ConfigError: an option is out of range, or two documents share an id.

    Example:
        >>> article = " ".join(f"word{i}" for i in range(60))
        >>> docs = [article, "something else entirely " * 5, article.upper() + " Read more"]
        >>> result = find_duplicates(docs, clean=False)
        >>> [(c.ids, c.representative, c.match) for c in result.clusters]
        [(('0', '2'), '2', ('near', 'representative')), (('1',), '1', ('representative',))]
    """
    refuse_one(docs, "find_duplicates")
    scheme = SignatureScheme(
        num_perm=num_perm, seed=seed, shingle=shingle if shingle is not None else ShingleParams()
    )
    finder = DuplicateFinder(
        threshold=threshold,
        keep=keep,
        clean=clean,
        scheme=scheme,
        min_shingles=min_shingles,
        workdir=workdir,
    )
    try:
        ids: list[str] = []
        sites: list[str | None] = []
        batches = _batches(
            docs, text_field, id_field, ids, sites, site_field=site_field, url_field=url_field
        )
        learner = (
            Cleaner(text_field=text_field, site_field=site_field, url_field=url_field)
            if learn_chrome
            else None
        )
        prepare_stream(batches, finder, ids, jobs=jobs, sites=sites, learner=learner)
    except BaseException:
        finder.close()
        raise
    return finder.finish()


def duplicate_columns(
    batch: Mapping[str, Sequence[Any]] | Sequence[str],
    *,
    text_field: str = "text",
    id_field: str | None = None,
    threshold: float = 0.8,
    keep: Keep = "longest",
    clean: bool = True,
) -> dict[str, list[Any]]:
    """Return duplicate columns for a table of documents: for Hugging Face ``datasets``/pandas.

    With ``datasets``: ``ds.map(duplicate_columns, batched=True, batch_size=None)`` (the
    whole dataset as one batch, so copies anywhere in it are found), then
    ``ds.filter(lambda r: not r["is_duplicate"])``. With pandas:
    ``df.assign(**duplicate_columns(df["text"].tolist()))``.

    Args:
        batch: a mapping of columns (``{"text": [...], ...}``) or a sequence of texts.
        text_field: the column holding the text.
        id_field: a column of unique ids to report in ``duplicate_of``; default: row numbers.
        threshold: see `find_duplicates`.
        keep: see `find_duplicates`.
        clean: see `find_duplicates`.

    Returns:
        columns ``cluster`` (representative's id or row), ``is_duplicate``, ``duplicate_of``
        (``None`` for kept rows) and ``similarity``, one value per row.

    Raises:
        InputError: ``batch`` is one text, or one row of a table (``datasets`` without
            ``batched=True``).

    Example:
        >>> cols = duplicate_columns(["same text here"] * 2 + ["other"], clean=False)
        >>> cols["is_duplicate"], cols["duplicate_of"]
        ([False, True, False], [None, '0', None])
    """
    if isinstance(batch, Mapping):
        if text_field not in batch:
            msg = f"the batch has no {text_field!r} column (it has {', '.join(map(str, batch))})"
            raise InputError(msg)
        column = batch[text_field]
        if isinstance(column, str):
            msg = (
                f"the batch's {text_field!r} column is one text, not a column: that is one "
                "row; give duplicate_columns the whole table, e.g. with datasets: "
                "ds.map(duplicate_columns, batched=True, batch_size=None)"
            )
            raise InputError(msg)
        texts = list(column)
        ids = [str(x) for x in batch[id_field]] if id_field is not None else None
    else:
        refuse_one(batch, "duplicate_columns")
        texts, ids = list(batch), None
    docs: list[str | Mapping[str, Any]] = (
        [{"id": i, "text": t} for i, t in zip(ids, texts, strict=True)]
        if ids is not None
        else list(texts)
    )
    result = find_duplicates(docs, threshold=threshold, keep=keep, clean=clean)
    cols: dict[str, list[Any]] = {
        "cluster": [],
        "is_duplicate": [],
        "duplicate_of": [],
        "similarity": [],
    }
    for a in result.assignments():
        cols["cluster"].append(a.cluster)
        cols["is_duplicate"].append(a.is_duplicate)
        cols["duplicate_of"].append(a.duplicate_of)
        cols["similarity"].append(a.similarity)
    return cols
