"""Verification and clustering: from candidate pairs to clusters of near-duplicate documents.

Receives, per document, its MinHash signature row (``uint32``, ``num_perm`` slots) and its
number of distinct shingles; asks `dedup.lsh` for candidate pairs, verifies each on the
similarity scale below, joins the verified pairs into connected components and picks one
representative per component. Hands on a `Clustering`: per document the index of its
cluster's representative and its similarity to it, plus the verified edges.

The similarity scale (what ``threshold`` means everywhere in dedup):

- ``J``, the estimated Jaccard similarity of the two shingle sets: the share of signature
  slots where the two rows are equal.
- ``C``, the estimated containment of the smaller set in the larger: with sizes ``a`` and
  ``b``, ``|A & B| = J * (a + b) / (1 + J)``, so ``C = min(1, J * (a + b) / ((1 + J) *
  min(a, b)))``. A truncated copy ("Read more") has a low ``J`` but ``C`` near 1.
- ``s = C ** (1 / word_n)``: an estimate of the share of the shorter document's words
  that the other reproduces in place. If each word survives an edit with probability
  ``p``, a ``word_n``-word shingle survives with probability ``p ** word_n``; the root
  undoes that, so ``s`` reads like "share of words kept" whatever the shingle size.

A pair is a duplicate when ``s >= threshold`` (default 0.8). A copy with 5-15% of its words
edited has a 5-shingle ``J`` of 0.4-0.9 with its original, ``s >= ~0.89``; different
articles of one site, after chrome removal, have ``J`` ~0.0-0.05, ``s <= 0.62`` for equal
sizes (0.52 at ``J = 0.02``). For equal sizes, threshold 0.8 means ``C >= 0.33`` and
``J >= 0.196`` (`min_jaccard`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dedup.errors import ConfigError, InputError
from dedup.lsh import MAX_BUCKET, candidate_pairs, check_signatures, choose_bands

#: Default similarity threshold (share of the shorter document's words reproduced).
THRESHOLD = 0.8
#: Default words per shingle.
WORD_N = 5
#: Pairs compared at a time in `pair_similarity`: 8k x 2 rows of 512 bytes (8 MB) stay under
#: the allocator's mmap threshold, so the buffers are reused instead of faulted in anew.
_PAIR_CHUNK = 1 << 13


def check_threshold(threshold: object) -> float:
    """Return ``threshold`` as a float if it is in ``(0, 1]``; raise `ConfigError` otherwise.

    Args:
        threshold: a similarity threshold.

    Returns:
        The threshold.

    Raises:
        ConfigError: not a number in ``(0, 1]``; the message guesses a percentage.

    Example:
        >>> check_threshold(0.8)
        0.8
        >>> check_threshold(80)
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: threshold must be in (0, 1], got 80 (did you mean 0.8?)
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
        msg = f"threshold must be a number in (0, 1], got {type(threshold).__name__}"
        raise ConfigError(msg)
    value = float(threshold)
    if not 0.0 < value <= 1.0:
        hint = f" (did you mean {value / 100:g}?)" if 1.0 < value <= 100.0 else " (e.g. 0.8)"
        msg = f"threshold must be in (0, 1], got {threshold!r}{hint}"
        raise ConfigError(msg)
    return value


def _check_word_n(word_n: object) -> int:
    """Return ``word_n`` if it is a positive integer; raise `ConfigError` otherwise."""
    if isinstance(word_n, bool) or not isinstance(word_n, (int, np.integer)) or word_n < 1:
        msg = f"word_n must be a positive integer (words per shingle), got {word_n!r}"
        raise ConfigError(msg)
    return int(word_n)


def min_jaccard(threshold: float, *, word_n: int = WORD_N, size_ratio: float = 1.0) -> float:
    """Return the lowest Jaccard at which a pair still reaches ``threshold``.

    ``s >= threshold`` means ``C >= threshold ** word_n``; for sizes ``a <= b`` with
    ``a = size_ratio * b`` the Jaccard at containment ``C`` is ``C * a / (a + b - C * a)``.

    Args:
        threshold: similarity threshold in ``(0, 1]``.
        word_n: words per shingle.
        size_ratio: smaller over larger shingle count, in ``(0, 1]`` (1: equal sizes).

    Returns:
        The Jaccard similarity.

    Raises:
        ConfigError: an argument is out of range.

    Example:
        >>> round(min_jaccard(0.8), 3)
        0.196
        >>> round(min_jaccard(0.8, size_ratio=0.25), 3)
        0.07
    """
    t = check_threshold(threshold)
    n = _check_word_n(word_n)
    if not 0.0 < size_ratio <= 1.0:
        msg = f"size_ratio must be in (0, 1] (smaller size over larger), got {size_ratio!r}"
        raise ConfigError(msg)
    c = t**n
    return c * size_ratio / (1.0 + size_ratio - c * size_ratio)


def containment_from_jaccard(
    jaccard: ArrayLike, size_a: ArrayLike, size_b: ArrayLike
) -> NDArray[np.float64]:
    """Return the estimated containment of the smaller shingle set in the larger.

    ``C = min(1, J * (a + b) / ((1 + J) * min(a, b)))``, element-wise.

    Args:
        jaccard: estimated Jaccard similarities.
        size_a: distinct shingles of the first documents (>= 1).
        size_b: distinct shingles of the second documents (>= 1).

    Returns:
        Containments in ``[0, 1]`` (float64, broadcast shape).

    Example:
        >>> containment_from_jaccard([0.5, 0.25, 1.0], [100, 100, 100], [100, 25, 100]).tolist()
        [0.6666666666666666, 1.0, 1.0]
    """
    j = np.asarray(jaccard, dtype=np.float64)
    a = np.asarray(size_a, dtype=np.float64)
    b = np.asarray(size_b, dtype=np.float64)
    c = j * (a + b) / ((1.0 + j) * np.minimum(a, b))
    return np.asarray(np.minimum(c, 1.0), dtype=np.float64)


def similarity_from_containment(
    containment: ArrayLike, *, word_n: int = WORD_N
) -> NDArray[np.float64]:
    """Return ``s = C ** (1 / word_n)``: the share of the shorter document's words reproduced.

    Args:
        containment: containments in ``[0, 1]``.
        word_n: words per shingle.

    Returns:
        Similarities in ``[0, 1]`` (float64).

    Raises:
        ConfigError: ``word_n`` is not a positive integer.

    Example:
        >>> round(float(similarity_from_containment(0.32768)), 6)
        0.8
    """
    n = _check_word_n(word_n)
    c = np.clip(np.asarray(containment, dtype=np.float64), 0.0, 1.0)
    return np.asarray(c ** (1.0 / n), dtype=np.float64)


def similarity_from_jaccard(
    jaccard: ArrayLike, size_a: ArrayLike, size_b: ArrayLike, *, word_n: int = WORD_N
) -> NDArray[np.float64]:
    """Return the similarity ``s`` of pairs from their Jaccard and shingle counts.

    `containment_from_jaccard` then `similarity_from_containment`.

    Args:
        jaccard: estimated Jaccard similarities.
        size_a: distinct shingles of the first documents (>= 1).
        size_b: distinct shingles of the second documents (>= 1).
        word_n: words per shingle.

    Returns:
        Similarities in ``[0, 1]`` (float64, broadcast shape).

    Raises:
        ConfigError: ``word_n`` is not a positive integer.

    Example:
        >>> [round(x, 3) for x in similarity_from_jaccard([0.196, 0.05], 100, 100).tolist()]
        [0.8, 0.625]
    """
    c = containment_from_jaccard(jaccard, size_a, size_b)
    return similarity_from_containment(c, word_n=word_n)


def check_sizes(sizes: object, n_docs: int) -> NDArray[np.int64]:
    """Return ``sizes`` as an int64 array if it holds one count >= 1 per document.

    Args:
        sizes: distinct shingles per document.
        n_docs: number of signature rows.

    Returns:
        The counts as int64.

    Raises:
        InputError: wrong shape, not integers, or a count below 1.

    Example:
        >>> check_sizes([3, 4], 2).tolist()
        [3, 4]
    """
    arr = np.asarray(sizes)
    if arr.shape != (n_docs,):
        msg = f"sizes must hold one shingle count per signature row ({n_docs}), got {arr.shape}"
        raise InputError(msg)
    if n_docs and not np.issubdtype(arr.dtype, np.integer):
        msg = f"sizes must be integer counts of distinct shingles, got dtype {arr.dtype}"
        raise InputError(msg)
    out = arr.astype(np.int64)
    if n_docs and int(out.min()) < 1:
        bad = int(np.argmin(out))
        msg = (
            f"document {bad} has {int(out[bad])} shingles: a document with no shingle has no "
            "reliable signature; leave too-short texts out (dedup.find_duplicates does)"
        )
        raise InputError(msg)
    return out


def check_pairs(pairs: object, n_docs: int) -> NDArray[np.int64]:
    """Return ``pairs`` as an ``(m, 2)`` int64 array of indices below ``n_docs``.

    Args:
        pairs: index pairs.
        n_docs: number of documents.

    Returns:
        The pairs as int64 (a copy only if the dtype differs).

    Raises:
        InputError: wrong shape or an index out of range.

    Example:
        >>> check_pairs([[0, 1]], 2).tolist()
        [[0, 1]]
    """
    arr = np.asarray(pairs)
    if arr.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.issubdtype(arr.dtype, np.integer):
        msg = f"pairs must be an (m, 2) integer array, got shape {arr.shape} dtype {arr.dtype}"
        raise InputError(msg)
    out = arr.astype(np.int64, copy=False)
    if int(out.min()) < 0 or int(out.max()) >= n_docs:
        msg = f"pairs hold indices outside 0..{n_docs - 1}: [{int(out.min())}, {int(out.max())}]"
        raise InputError(msg)
    return out


def _pair_scores(
    sigs: NDArray[np.uint32], sizes: NDArray[np.int64], pairs: NDArray[np.int64], word_n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return float64 (J, C, s) for validated inputs, comparing rows a chunk of pairs at a time."""
    m, num_perm = len(pairs), sigs.shape[1]
    equal = np.empty(m, dtype=np.int64)
    for start in range(0, m, _PAIR_CHUNK):
        chunk = pairs[start : start + _PAIR_CHUNK]
        equal[start : start + len(chunk)] = np.count_nonzero(
            sigs[chunk[:, 0]] == sigs[chunk[:, 1]], axis=1
        )
    j = equal / float(num_perm) if num_perm else np.zeros(m)
    c = containment_from_jaccard(j, sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    s = similarity_from_containment(c, word_n=word_n)
    return np.asarray(j, dtype=np.float64), c, s


def pair_similarity(
    sigs: NDArray[np.uint32],
    sizes: ArrayLike,
    pairs: ArrayLike,
    *,
    word_n: int = WORD_N,
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
    """Return the estimated Jaccard, containment and similarity of each pair.

    Args:
        sigs: ``(n_docs, num_perm)`` uint32 signatures (a memmap is fine).
        sizes: distinct shingles per document (>= 1 each).
        pairs: ``(m, 2)`` document indices.
        word_n: words per shingle.

    Returns:
        ``(jaccard, containment, similarity)``, float32 arrays of length ``m``.

    Raises:
        InputError: malformed signatures, sizes or pairs.
        ConfigError: ``word_n`` is not a positive integer.

    Example:
        >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 9]], dtype=np.uint32)
        >>> j, c, s = pair_similarity(sigs, [100, 100], [[0, 1]])
        >>> float(j[0]), round(float(c[0]), 4), round(float(s[0]), 4)
        (0.75, 0.8571, 0.9696)
    """
    sigs = check_signatures(sigs)
    n = sigs.shape[0]
    size_arr = check_sizes(sizes, n)
    pair_arr = check_pairs(pairs, n)
    j, c, s = _pair_scores(sigs, size_arr, pair_arr, _check_word_n(word_n))
    return j.astype(np.float32), c.astype(np.float32), s.astype(np.float32)


def connected_components(n: int, pairs: ArrayLike) -> NDArray[np.int64]:
    """Label each of ``n`` nodes with the smallest index of its connected component.

    Vectorised union-find: each round hooks, for every edge whose ends have different roots,
    the larger root under the smaller (``np.minimum.at``), then jumps pointers
    (``labels = labels[labels]``) until every node points at a root; edges whose ends share
    a root are dropped for good. Labels only decrease and stay within a component, so the
    result is its smallest index. Self-pairs ``(i, i)`` are accepted and change nothing.

    Args:
        n: number of nodes (>= 0).
        pairs: ``(m, 2)`` edges, indices in ``0..n-1`` (any order, repeats allowed).

    Returns:
        int64 labels of length ``n``.

    Raises:
        ConfigError: ``n`` is negative or not an integer.
        InputError: malformed pairs.

    Example:
        >>> connected_components(6, [[4, 1], [1, 3], [5, 5]]).tolist()
        [0, 1, 2, 1, 1, 5]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        msg = f"n must be a non-negative integer (number of documents), got {n!r}"
        raise ConfigError(msg)
    edges = check_pairs(pairs, int(n))
    labels = np.arange(int(n), dtype=np.int64)
    u, v = edges[:, 0], edges[:, 1]
    while len(u):
        lu, lv = labels[u], labels[v]
        apart = lu != lv
        if not apart.any():
            break
        u, v, lu, lv = u[apart], v[apart], lu[apart], lv[apart]
        np.minimum.at(labels, np.maximum(lu, lv), np.minimum(lu, lv))
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
    return labels


@dataclass(frozen=True, eq=False, slots=True)
class Clustering:
    """Clusters of near-duplicate documents, with the evidence for them.

    Clusters are connected components of the verified pairs, so they chain: if A~B and B~C
    verify, A, B and C form one cluster even when A and C alone would not (what users of
    datasketch or text-dedup get from union-find too). ``similarity`` says, for every member,
    how close it is to its representative, so a caller can drop weak members.

    Attributes:
        labels: per document, the index of its cluster's representative (itself when alone).
        similarity: per document, ``s`` between it and its representative, computed from
            their two signature rows (1.0 for a representative).
        pairs: ``(m, 2)`` int64 verified pairs (``i < j``, sorted): the edges of the clusters.
        pair_similarity: float32 ``s`` of each verified pair.
        candidates: number of candidate pairs LSH proposed (before verification).
        bands: bands used.
        rows: rows per band used.

    Example:
        >>> c = Clustering(labels=np.array([1, 1, 2]), similarity=np.array([0.9, 1, 1], "f4"),
        ...                pairs=np.array([[0, 1]]), pair_similarity=np.array([0.9], "f4"),
        ...                candidates=1, bands=64, rows=2)
        >>> c.n_clusters, [m.tolist() for m in c.clusters()]
        (2, [[1, 0]])
    """

    labels: NDArray[np.int64]
    similarity: NDArray[np.float32]
    pairs: NDArray[np.int64]
    pair_similarity: NDArray[np.float32]
    candidates: int
    bands: int
    rows: int

    @property
    def n_clusters(self) -> int:
        """Number of clusters, singletons included."""
        return int(np.count_nonzero(self.labels == np.arange(len(self.labels))))

    def clusters(self, *, min_size: int = 2) -> list[NDArray[np.int64]]:
        """Return the clusters with at least ``min_size`` members, representative first.

        Args:
            min_size: smallest cluster returned (2: only clusters of duplicates).

        Returns:
            One int64 array per cluster: its representative, then the other members in
            index order; clusters ordered by representative index.
        """
        n = len(self.labels)
        counts = np.bincount(self.labels, minlength=n)
        idx = np.arange(n, dtype=np.int64)
        keep = counts[self.labels] >= max(1, min_size)
        members = idx[keep]
        # representative first: sort by (label, not representative, index)
        order = np.lexsort((members, members != self.labels[members], self.labels[members]))
        members = members[order]
        cuts = np.flatnonzero(np.diff(self.labels[members])) + 1
        return [m for m in np.split(members, cuts) if len(m)]


def _representatives(
    sigs: NDArray[np.uint32],
    comp: NDArray[np.int64],
    key1: NDArray[np.float64] | NDArray[np.int64],
    key2: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Return, per document, its component's member with the smallest (key1, key2, row)."""
    n = len(comp)
    labels = np.arange(n, dtype=np.int64)
    counts = np.bincount(comp, minlength=n)
    m = np.flatnonzero(counts[comp] > 1)
    if not len(m):
        return labels
    o = m[np.lexsort((key2[m], key1[m], comp[m]))]
    group = comp[o]
    head = np.concatenate(([True], group[1:] != group[:-1]))
    gid = np.cumsum(head) - 1
    first = o[head]
    tied = (key1[o] == key1[first][gid]) & (key2[o] == key2[first][gid])
    n_tied = np.bincount(gid[tied], minlength=len(first))
    rep_of = np.empty(n, dtype=np.int64)
    rep_of[comp[first]] = first
    t = o[tied & (n_tied[gid] > 1)]
    if len(t):
        # Ties on priority and size: the lowest row, slot by slot (content, not position),
        # narrowing the tied members of each cluster one slot at a time and setting a cluster
        # aside once one member is left (one or two slots settle nearly all); index last, only
        # among identical rows and sizes (indistinguishable documents).
        t = t[np.lexsort((t, comp[t]))]  # by cluster, then index
        for c in range(sigs.shape[1] + 1):
            g = comp[t]
            new = np.concatenate(([True], g[1:] != g[:-1]))
            alone = new & np.concatenate((new[1:], [True]))
            rep_of[g[alone]] = t[alone]
            if c == sigs.shape[1]:  # identical rows: the first by index
                rep_of[g[new]] = t[new]
                break
            t, new = t[~alone], new[~alone]
            if not len(t):
                break
            vals = np.asarray(sigs[t, c])
            low = np.minimum.reduceat(vals, np.flatnonzero(new))
            t = t[vals == low[np.cumsum(new) - 1]]
    labels[m] = rep_of[comp[m]]
    return labels


def cluster_signatures(
    sigs: NDArray[np.uint32],
    sizes: ArrayLike,
    *,
    threshold: float = THRESHOLD,
    word_n: int = WORD_N,
    bands: int | None = None,
    rows: int | None = None,
    priority: ArrayLike | None = None,
    max_bucket: int = MAX_BUCKET,
) -> Clustering:
    """Cluster documents whose similarity reaches ``threshold``: LSH, verify, union-find.

    Candidate pairs come from `dedup.lsh.candidate_pairs`; a pair is kept when its
    estimated similarity ``s`` (module docstring) is ``>= threshold``; clusters are the
    connected components of the kept pairs (they chain, see `Clustering`). Each cluster's
    representative is its member with the lowest ``priority``; ties go to more distinct
    shingles, then the lowest signature row (compared slot by slot), so the choice depends
    on content, not on input order: permuting the documents (and ``priority`` with them)
    permutes the result and nothing else. (Two exceptions, both between documents with
    identical rows: which of them represents when they also have equal sizes and
    priorities, and, in a bucket above ``max_bucket``, which of them is the hub when their
    sizes differ.)

    Args:
        sigs: ``(n_docs, num_perm)`` uint32 signatures (a memmap is fine).
        sizes: distinct shingles per document (>= 1 each).
        threshold: similarity threshold in ``(0, 1]``.
        word_n: words per shingle the signatures were made with.
        bands: LSH bands; with ``rows``, overrides `dedup.lsh.choose_bands`.
        rows: slots per band; give both or neither.
        priority: per document, lower is preferred as representative (e.g. a crawl time);
            default: the document with the most distinct shingles.
        max_bucket: see `dedup.lsh.candidate_pairs`.

    Returns:
        The `Clustering`.

    Raises:
        InputError: malformed signatures, sizes or priority.
        ConfigError: an option is out of range.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> sigs = rng.integers(0, 2**32, size=(4, 128), dtype=np.uint32)
        >>> sigs[3, :100] = sigs[1, :100]   # 3 is a copy of 1 with 28 slots changed
        >>> result = cluster_signatures(sigs, [50, 80, 50, 70])
        >>> result.labels.tolist(), [round(float(x), 3) for x in result.similarity]
        ([0, 1, 2, 1], [1.0, 1.0, 1.0, 0.988])
    """
    sigs = check_signatures(sigs)
    n, num_perm = sigs.shape
    size_arr = check_sizes(sizes, n)
    t = check_threshold(threshold)
    wn = _check_word_n(word_n)
    if (bands is None) != (rows is None):
        msg = f"give both bands and rows or neither (got bands={bands!r}, rows={rows!r})"
        raise ConfigError(msg)
    if bands is None or rows is None:
        bands, rows = choose_bands(t, num_perm, word_n=wn)
    if priority is None:
        key1: NDArray[np.float64] | NDArray[np.int64] = -size_arr
    else:
        p = np.asarray(priority)
        if p.shape != (n,) or (n and not np.issubdtype(p.dtype, np.number)):
            msg = f"priority must hold one number per document ({n}), got {p.shape} {p.dtype}"
            raise InputError(msg)
        if np.issubdtype(p.dtype, np.floating) and np.isnan(p).any():
            msg = "priority holds NaN: give every document a comparable number"
            raise InputError(msg)
        key1 = p.astype(np.float64) if np.issubdtype(p.dtype, np.floating) else p.astype(np.int64)

    cand = candidate_pairs(sigs, bands, rows, max_bucket=max_bucket)
    _, _, s = _pair_scores(sigs, size_arr, cand, wn)
    keep = s >= t
    verified, verified_s = cand[keep], s[keep]
    comp = connected_components(n, verified)
    labels = _representatives(sigs, comp, key1, -size_arr)

    similarity = np.ones(n, dtype=np.float32)
    members = np.flatnonzero(labels != np.arange(n))
    if len(members):
        to_rep = np.stack((members, labels[members]), axis=1)
        similarity[members] = _pair_scores(sigs, size_arr, to_rep, wn)[2]
    return Clustering(
        labels=labels,
        similarity=similarity,
        pairs=verified,
        pair_similarity=verified_s.astype(np.float32),
        candidates=len(cand),
        bands=int(bands),
        rows=int(rows),
    )


__all__ = [
    "THRESHOLD",
    "WORD_N",
    "Clustering",
    "check_pairs",
    "check_sizes",
    "check_threshold",
    "cluster_signatures",
    "connected_components",
    "containment_from_jaccard",
    "min_jaccard",
    "pair_similarity",
    "similarity_from_containment",
    "similarity_from_jaccard",
]
