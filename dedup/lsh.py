"""LSH banding: from a MinHash signature matrix to candidate pairs of near-duplicates.

Receives a ``(n_docs, num_perm)`` ``uint32`` signature matrix (in memory or a `numpy.memmap`
on disk) and a banding (``bands`` bands of ``rows`` slots each). Hands on the candidate
pairs: every pair of documents whose signatures agree on all ``rows`` slots of at least one
band, as a sorted ``(m, 2)`` ``int64`` array with ``i < j``. `dedup.cluster` verifies them and
joins the verified ones into clusters.

Batch, not incremental: per band, the ``rows`` slots of every document are hashed into one
64-bit key, the keys are sorted together with the document index, and pairs are read off
runs of equal keys. That is a sort of ``n_docs`` integers per band instead of a dictionary
insert per document and band: with verification and clustering included it is ~100x
faster than ``datasketch.MinHashLSH`` finding the candidates alone (``benchmarks/LSH.md``).

`choose_bands` picks the banding from the user's threshold (see `dedup.cluster` for the
similarity scale), aiming at recall just *below* the threshold: LSH only proposes,
verification decides, so a missed candidate is lost for good while an extra one costs a
comparison of two rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache, partial

import numpy as np
from numpy.typing import NDArray

from dedup.errors import ConfigError, InputError

#: Default size above which a bucket (documents sharing one band) is linked sparsely; see
#: `candidate_pairs`. 64 members give at most 2016 pairs, 16 times what a sparse link costs.
MAX_BUCKET = 64
#: Default recall `choose_bands` aims at for equal-size pairs at the lowest verifying Jaccard.
RECALL = 0.95
#: Rows of the signature matrix hashed at a time (on a memmap, the pages in use: 64k rows x
#: 128 slots x 4 bytes = 32 MB).
CHUNK_ROWS = 1 << 16
#: Bytes of band keys held at once: bands are processed in groups whose keys fit here (8 bands
#: at a million documents), so a memmap is read once per group rather than once per band. A
#: bigger buffer is not faster: fresh memory costs ~2 ms per MB to fault in, and 256 MB of
#: it cost more than the passes it saves.
KEY_BUDGET = 1 << 26

_U64 = np.uint64
# An odd 64-bit constant (murmur3's): multiplying by it is a bijection whose top bits depend
# on every bit of the input, and the top bits are what `candidate_pairs` compares.
_M1 = _U64(0xFF51AFD7ED558CCD)
_GOLDEN = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1


def _band_seed(band: int) -> np.uint64:
    """Return the starting value of band ``band``'s hash (distinct and well mixed per band)."""
    x = ((band + 1) * _GOLDEN) & _MASK64
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & _MASK64
    seed: np.uint64 = np.uint64(x ^ (x >> 29))
    return seed


def _band_words(chunk: NDArray[np.uint32], first: int, last: int, rows: int) -> NDArray[np.uint64]:
    """Return bands ``first..last-1`` of ``chunk`` (whole rows) as ``(m, g, ceil(rows/2))`` words.

    Two slots make one 64-bit word, exactly: ``slot[k] | slot[k + 1] << 32``, what a
    little-endian view of the uint32 row gives for free (no copy when ``rows`` and the
    row width are even); an odd band is padded with a zero slot.
    """
    m = chunk.shape[0]
    g = last - first
    if rows % 2 == 0 and chunk.shape[1] % 2 == 0 and chunk.flags.c_contiguous:
        words = chunk.view(np.uint64)[:, first * rows // 2 : last * rows // 2]
        return words.reshape(m, g, rows // 2)
    padded = np.zeros((m, g, rows + rows % 2), dtype=np.uint32)
    padded[:, :, :rows] = chunk[:, first * rows : last * rows].reshape(m, g, rows)
    return padded.view(np.uint64)


def _hash_bands(
    words: NDArray[np.uint64], seeds: NDArray[np.uint64], out: NDArray[np.uint64]
) -> None:
    """Hash each ``(doc, band)`` cell of ``words`` (`_band_words`) into ``out`` (``(m, g)``).

    Each word is xored into the band's running value (started at the band's seed) and
    multiplied by an odd constant: one multiply per word, because hashing all bands is a
    pass over the whole signature matrix. With ``rows <= 2`` a band's key is a bijection of
    its slots, so different slots never share a key; with more rows the running value is
    folded (``h ^= h >> 32``) before each further word. All bands of a group are hashed in
    the same numpy calls.
    """
    np.bitwise_xor(words[:, :, 0], seeds, out=out)
    out *= _M1
    for k in range(1, words.shape[2]):
        out ^= out >> _U64(32)  # fold the high bits down before the next word comes in
        out ^= words[:, :, k]
        out *= _M1


def check_signatures(sigs: object) -> NDArray[np.uint32]:
    """Return ``sigs`` if it is a 2-D ``uint32`` array; raise `InputError` saying how to fix it.

    Args:
        sigs: the signature matrix, one row per document (a `numpy.memmap` is fine).

    Returns:
        The same array, not copied.

    Raises:
        InputError: not a numpy array, not 2-D, or not ``uint32``.

    Example:
        >>> check_signatures(np.zeros((2, 4), dtype=np.uint32)).shape
        (2, 4)
    """
    if not isinstance(sigs, np.ndarray):
        msg = (
            f"signatures must be a numpy array of shape (n_docs, num_perm), got "
            f"{type(sigs).__name__}: stack them with np.vstack([m.hashvalues for m in ...])"
        )
        raise InputError(msg)
    if sigs.ndim != 2:
        msg = f"signatures must be 2-D (n_docs, num_perm), got shape {sigs.shape}"
        raise InputError(msg)
    if sigs.dtype != np.uint32:
        msg = (
            f"signatures must be uint32 (datasketch affine32 hash values), got {sigs.dtype}: "
            "convert with sigs.astype(np.uint32) if the values fit"
        )
        raise InputError(msg)
    return sigs


def _check_banding(bands: object, rows: object, num_perm: int) -> tuple[int, int]:
    """Validate a banding against the signature width; return it as plain ints."""
    for name, value in (("bands", bands), ("rows", rows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            msg = f"{name} must be a positive integer, got {value!r}"
            raise ConfigError(msg)
    b, r = int(bands), int(rows)  # type: ignore[call-overload]
    if b * r > num_perm:
        msg = (
            f"bands * rows must be at most num_perm = {num_perm}, got {b} * {r} = {b * r}: "
            f"use choose_bands(threshold, {num_perm}) or fewer bands"
        )
        raise ConfigError(msg)
    return b, r


def banding_recall(
    bands: int, rows: int, jaccard: float | NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return the probability that a pair with Jaccard ``jaccard`` becomes a candidate.

    The LSH S-curve: a band matches with probability ``J ** rows``, and at least one of
    ``bands`` independent bands matches with probability ``1 - (1 - J ** rows) ** bands``.

    Args:
        bands: number of bands.
        rows: slots per band.
        jaccard: Jaccard similarity (scalar or array) of the two shingle sets.

    Returns:
        The probability, same shape as ``jaccard`` (a 0-d array for a scalar).

    Example:
        >>> round(float(banding_recall(64, 2, 0.196)), 3)
        0.918
    """
    j = np.asarray(jaccard, dtype=np.float64)
    return np.asarray(1.0 - (1.0 - j**rows) ** bands, dtype=np.float64)


def choose_bands(
    threshold: float,
    num_perm: int,
    *,
    word_n: int = 5,
    recall: float = RECALL,
    size_ratio: float = 1.0,
    min_rows: int = 2,
    fp_weight: float = 0.5,
    fn_weight: float = 0.5,
) -> tuple[int, int]:
    """Choose ``(bands, rows)`` so that pairs just above ``threshold`` become candidates.

    The threshold is on the similarity scale of `dedup.cluster` (the share of the shorter
    document's words reproduced); `dedup.cluster.min_jaccard` turns it into ``J_min``, the
    lowest Jaccard at which an *equal-size* pair still verifies (0.196 for the default 0.8
    and 5-word shingles). Unlike ``datasketch.MinHashLSH`` (whose ``_optimal_param`` balances
    misses above *its* threshold against extra candidates below it, and so finds only ~68% of
    pairs at ``J_min`` with 29x2 bands), the banding is chosen for recall at ``J_min``:

    1. every banding ``bands * rows <= num_perm`` with ``rows >= min_rows`` is considered;
    2. those whose S-curve (`banding_recall`) reaches ``recall`` at ``J_min`` are kept, and
       among them the one minimising ``fp_weight * FP + fn_weight * FN`` wins, where
       ``FP`` is the area under the S-curve over ``[0, J_min)`` (candidates that fail
       verification: cheap, a row comparison each) and ``FN`` the area above it over
       ``[J_min, 1]`` (verifying pairs never proposed: lost);
    3. if no banding reaches ``recall``, the one with the highest recall at ``J_min`` wins
       (fewest false positives among equals): use `banding_recall` to report what it is.

    Why ``min_rows = 2`` by default: with one row per band any single shared slot makes a
    candidate, i.e. a pair at ``J = 0.02`` (two articles of one site sharing a few phrases)
    is proposed with probability ``1 - 0.98 ** bands`` (73% at 64 bands, against 2.5% with
    64x2), and MinHash minima of long texts are small numbers that collide by chance far more
    often than ``2 ** -32``. So at 128 permutations and threshold 0.8 the choice is 64x2, with
    recall 0.92 at ``J = 0.196``, 0.998 at ``J = 0.3`` and 0.99999 at ``J = 0.4`` (where edited
    copies start); 256 permutations give 77x2 and 0.95 at ``J_min`` (128x2 would give 0.993).
    Pass ``min_rows=1`` to insist on ``recall`` at ``J_min`` whatever the candidate count.
    On the dev set's cleaned pages (``benchmarks/LSH.md``) 14x1 proposes 77 of the 80 pairs
    that verify at 0.8 and 64x2 67 (the rest borderline, s <= 0.85, or a short page inside a
    long one), with 3.5x fewer candidates between different sites.

    Unequal sizes: a truncated copy keeping a share ``f`` of its original's shingles has
    ``J = f`` but containment 1; with 64x2 it is proposed with probability 0.9999 at
    ``f = 0.4``, 0.92 at 0.2 and 0.47 at 0.1. Pass ``size_ratio`` to aim the recall at pairs
    whose smaller document has that share of the larger one's shingles (``J_min`` is then
    lower, and so are the rows).

    Args:
        threshold: similarity threshold (0 < threshold <= 1; default of the API 0.8).
        num_perm: number of MinHash permutations (signature width).
        word_n: words per shingle (the ``n`` of the similarity scale).
        recall: wanted probability of proposing an equal-size pair at ``J_min``.
        size_ratio: the pairs the recall is for: smaller over larger shingle count, in
            ``(0, 1]`` (1: equal sizes, the default).
        min_rows: smallest number of rows per band considered.
        fp_weight: weight of the false-positive area in the objective.
        fn_weight: weight of the false-negative area in the objective.

    Returns:
        ``(bands, rows)``, with ``bands * rows <= num_perm``.

    Raises:
        ConfigError: an argument is out of range (the message says which and how to fix it).

    Example:
        >>> choose_bands(0.8, 128)
        (64, 2)
        >>> b, r = choose_bands(0.9, 128)
        >>> float(banding_recall(b, r, 0.42)) >= 0.95
        True
    """
    # dedup.cluster imports this module for candidate_pairs; import its scale here instead.
    from dedup.cluster import check_threshold, min_jaccard

    check_threshold(threshold)
    for name, value, low in (("num_perm", num_perm, 1), ("min_rows", min_rows, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            msg = f"{name} must be an integer >= {low}, got {value!r}"
            raise ConfigError(msg)
    if min_rows > num_perm:
        msg = f"min_rows ({min_rows}) cannot exceed num_perm ({num_perm}): lower min_rows"
        raise ConfigError(msg)
    if not 0.0 < recall < 1.0:
        msg = f"recall must be strictly between 0 and 1, got {recall!r} (e.g. 0.95)"
        raise ConfigError(msg)
    if fp_weight < 0 or fn_weight < 0 or fp_weight + fn_weight <= 0:
        msg = f"fp_weight and fn_weight must be >= 0 and not both 0, got {fp_weight}, {fn_weight}"
        raise ConfigError(msg)
    j_min = float(min_jaccard(threshold, word_n=word_n, size_ratio=size_ratio))

    options = np.array(
        [(b, r) for r in range(min_rows, num_perm + 1) for b in range(1, num_perm // r + 1)],
        dtype=np.int64,
    )
    b_col, r_col = options[:, :1].astype(np.float64), options[:, 1:].astype(np.float64)
    # Areas by the trapezoid rule on fine grids (the S-curve is smooth).
    lo = np.linspace(0.0, j_min, 201)
    hi = np.linspace(j_min, 1.0, 201)
    s_lo = 1.0 - (1.0 - lo**r_col) ** b_col
    s_hi = 1.0 - (1.0 - hi**r_col) ** b_col
    fp = ((s_lo[:, 1:] + s_lo[:, :-1]) / 2).sum(axis=1) * (lo[1] - lo[0])
    fn = ((2.0 - s_hi[:, 1:] - s_hi[:, :-1]) / 2).sum(axis=1) * (hi[1] - hi[0])
    at_min = s_hi[:, 0]
    ok = at_min >= recall
    if ok.any():
        cost = np.where(ok, fp_weight * fp + fn_weight * fn, np.inf)
        best = int(np.argmin(cost))
    else:
        # lexsort: last key first; highest recall, then fewest false positives
        best = int(np.lexsort((fp, -at_min))[0])
    return int(options[best, 0]), int(options[best, 1])


def _group_bands(n: int, bands: int) -> int:
    """Return how many bands' keys to compute per pass over the matrix (memory bound)."""
    return max(1, min(bands, KEY_BUDGET // max(1, 8 * n)))


def _iter_band_keys(
    sigs: NDArray[np.uint32], bands: int, rows: int
) -> Iterator[tuple[int, NDArray[np.uint64]]]:
    """Yield ``(band, keys)`` for every band, reading ``sigs`` in row chunks per band group.

    ``keys`` is a strided view into a buffer reused by the next group: use it before asking
    for the next band past a group's end. (No transpose to per-band rows: on a million
    documents a transpose costs more than all the sorts.)
    """
    n = sigs.shape[0]
    group = _group_bands(n, bands)
    buffer = np.empty((n, group), dtype=np.uint64)
    for first in range(0, bands, group):
        last = min(bands, first + group)
        keys = buffer[:, : last - first]
        _fill_band_keys(sigs, first, last, rows, keys)
        for b in range(first, last):
            yield b, keys[:, b - first]


def _fill_band_keys(
    sigs: NDArray[np.uint32], first: int, last: int, rows: int, keys: NDArray[np.uint64]
) -> None:
    """Write bands ``first..last-1`` of every row of ``sigs`` into ``keys`` (one column each)."""
    seeds = _band_seeds(first, last)
    for start in range(0, sigs.shape[0], CHUNK_ROWS):
        stop = min(sigs.shape[0], start + CHUNK_ROWS)
        chunk = np.asarray(sigs[start:stop])  # whole rows: one sequential read
        _hash_bands(_band_words(chunk, first, last, rows), seeds, keys[start:stop])


@cache
def _band_seeds(first: int, last: int) -> NDArray[np.uint64]:
    """`_band_seed` of bands ``first..last-1`` as one read-only array (made once per range)."""
    seeds = np.array([_band_seed(b) for b in range(first, last)], dtype=np.uint64)
    seeds.flags.writeable = False
    return seeds


def band_keys(sigs: NDArray[np.uint32], bands: int, rows: int) -> NDArray[np.uint64]:
    """Return each document's 64-bit key in each band: equal keys mean an equal band.

    The key of band ``b`` hashes slots ``b*rows .. (b+1)*rows - 1`` together with ``b``
    itself, so equal slots in different bands give different keys and one table can hold
    all bands (what a persistent index stores). With ``rows <= 2`` the key is a bijection of
    the slots (no false matches within a band); with more rows false matches are as rare as
    for any 64-bit hash, and verification removes them anyway.

    Args:
        sigs: ``(n_docs, num_perm)`` uint32 signatures (a memmap is read in row chunks).
        bands: number of bands.
        rows: slots per band; ``bands * rows <= num_perm``.

    Returns:
        ``(n_docs, bands)`` uint64 keys.

    Raises:
        InputError: ``sigs`` is not a 2-D uint32 array.
        ConfigError: the banding does not fit the signature width.

    Example:
        >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 5, 6], [9, 9, 3, 4]], dtype=np.uint32)
        >>> k = band_keys(sigs, 2, 2)
        >>> bool(k[0, 0] == k[1, 0]), bool(k[0, 1] == k[2, 1]), bool(k[0, 0] == k[0, 1])
        (True, True, False)
    """
    sigs = check_signatures(sigs)
    bands, rows = _check_banding(bands, rows, sigs.shape[1])
    out = np.empty((sigs.shape[0], bands), dtype=np.uint64)
    _fill_band_keys(sigs, 0, bands, rows, out)  # temporaries bounded by CHUNK_ROWS rows
    return out


def _row_order_keys(
    sigs: NDArray[np.uint32], members: NDArray[np.int64], band: int
) -> NDArray[np.uint64]:
    """Return a content hash of each member's whole row, seeded by ``band``.

    Orders the members of an oversized bucket by what they contain, not by where they sit in
    the input, so the sparse links do not change when the input is permuted; the seed gives
    each band a different order, hence different neighbours.
    """
    rows = np.asarray(sigs[np.sort(members)])  # sorted: sequential reads on a memmap
    seed = np.array([_band_seed(band) ^ _U64(_GOLDEN)], dtype=np.uint64)
    h = np.empty((len(rows), 1), dtype=np.uint64)
    _hash_bands(_band_words(rows, 0, 1, rows.shape[1]), seed, h)
    h = h[:, 0]
    out = np.empty_like(h)
    out[np.argsort(members, kind="stable")] = h
    return out


def bucket_pairs(
    packed: NDArray[np.uint64],
    pos: NDArray[np.int64],
    idx_bits: int,
    max_bucket: int,
    order_keys: Callable[[NDArray[np.int64]], NDArray[np.uint64]],
) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Yield ``(left, right)`` index arrays of pairs within runs of equal keys.

    ``packed`` is sorted and holds a key's top bits above ``idx_bits`` bits of document index;
    ``pos`` lists the positions ``p`` where ``packed[p]`` and ``packed[p + 1]`` share a key.
    ``order_keys(members)`` gives the content order of an oversized bucket's members (see
    `candidate_pairs`; `_row_order_keys` of the bucket's band). Shared by `candidate_pairs`
    and the Dask adapter (`dedup.adapters.dask`), which calls it on one shuffled partition
    of band keys at a time.
    """
    if not len(pos):
        return
    # runs of consecutive positions; a run of equal keys spans [start, end)
    breaks = np.flatnonzero(np.diff(pos) != 1)
    starts = pos[np.concatenate(([0], breaks + 1))]
    ends = pos[np.concatenate((breaks, [len(pos) - 1]))] + 2
    sizes = ends - starts
    low = _U64((1 << idx_bits) - 1)

    def index_at(where: NDArray[np.int64]) -> NDArray[np.int64]:
        found: NDArray[np.int64] = (packed[where] & low).astype(np.int64)
        return found

    small = sizes <= max_bucket
    for k in np.flatnonzero(np.bincount(sizes[small])).tolist():
        s = starts[small & (sizes == k)]
        a, b = np.triu_indices(k, 1)
        # indices ascend inside a run (index bits sort below key bits), so left < right
        yield index_at(s[:, None] + a).ravel(), index_at(s[:, None] + b).ravel()
    for s, e in zip(starts[~small].tolist(), ends[~small].tolist(), strict=True):
        members = index_at(np.arange(s, e))
        order = members[np.lexsort((members, order_keys(members)))]
        hub = np.full(len(order) - 1, order[0], dtype=np.int64)
        left = np.concatenate((hub, order[1:-1]))
        right = np.concatenate((order[1:], order[2:]))
        yield np.minimum(left, right), np.maximum(left, right)


def _sorted_unique(codes: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return the distinct values of ``codes``, sorted (a plain sort: faster than np.unique)."""
    codes.sort()
    if len(codes) < 2:
        return codes
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]


def candidate_pairs(
    sigs: NDArray[np.uint32],
    bands: int,
    rows: int,
    *,
    max_bucket: int = MAX_BUCKET,
) -> NDArray[np.int64]:
    """Return every pair of documents that agree on all slots of at least one band.

    Per band, each document's slots are hashed into a 64-bit key (`band_keys`); the key's
    top bits and the document index are packed into one uint64 and sorted, so equal keys
    form runs already ordered by index, and each run of ``k`` documents gives its
    ``k * (k - 1) / 2`` pairs. Pairs of all bands are merged and deduplicated.

    Oversized buckets: a run of more than ``max_bucket`` documents (boilerplate-only
    texts, templates, very short texts sharing one band) would give quadratically many
    pairs. Instead its members are ordered by a band-seeded hash of their whole signature
    row (content, not input position) and each is linked to the first member (a star: the
    bucket stays connected, in one hop) and to its successor (a chain: a second,
    different partner per band). What that costs: a pair inside an oversized bucket is
    proposed *by that bucket* only when the two are neighbours or one is the hub; it is
    still found by any other band the two share (a verifying pair at J = 0.4 shares 10 of
    64 bands of 2 rows on average, and buckets of templates are rarely oversized in all of
    them), and, when both verify against the hub, it ends in the same cluster anyway.

    The key's top ``64 - ceil(log2(n_docs))`` bits are compared (44 bits at a million
    documents): unrelated documents share them with probability ~2**-44 per band, a handful
    of extra candidates per million documents, which verification discards.

    Memory: about 33 bytes per document (sort buffer, neighbour test, index) plus the keys of
    one band group (`KEY_BUDGET`, or 8 bytes per document when one band exceeds it) plus
    ~24 bytes per candidate pair (a pair found in several bands is merged once more than 4
    per document have piled up); the signature matrix itself is only read, in row chunks.

    Args:
        sigs: ``(n_docs, num_perm)`` uint32 signatures; a `numpy.memmap` is read in chunks of
            `CHUNK_ROWS` rows, a group of bands at a time, so memory stays bounded by
            `KEY_BUDGET` plus the pairs.
        bands: number of bands.
        rows: slots per band; ``bands * rows <= num_perm``.
        max_bucket: largest bucket whose pairs are all emitted (>= 2).

    Returns:
        ``(m, 2)`` int64 array of pairs ``(i, j)``, ``i < j``, unique, sorted by ``i`` then ``j``.

    Raises:
        InputError: ``sigs`` is not a 2-D uint32 array.
        ConfigError: the banding does not fit, or ``max_bucket < 2``.

    Example:
        >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 5, 6], [9, 9, 3, 4], [7, 7, 7, 7]],
        ...                 dtype=np.uint32)
        >>> candidate_pairs(sigs, 2, 2).tolist()
        [[0, 1], [0, 2]]
    """
    sigs = check_signatures(sigs)
    n = sigs.shape[0]
    bands, rows = _check_banding(bands, rows, sigs.shape[1])
    if (
        isinstance(max_bucket, bool)
        or not isinstance(max_bucket, (int, np.integer))
        or max_bucket < 2
    ):
        msg = f"max_bucket must be an integer >= 2, got {max_bucket!r} (default {MAX_BUCKET})"
        raise ConfigError(msg)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    idx_bits = (n - 1).bit_length()
    high = ~_U64((1 << idx_bits) - 1)
    index = np.arange(n, dtype=np.uint64)
    # buffers reused band after band: fresh 8 MB arrays cost page faults every time
    packed = np.empty(n, dtype=np.uint64)
    diff = np.empty(n - 1, dtype=np.uint64)
    same = np.empty(n - 1, dtype=bool)
    limit = _U64(1 << idx_bits)
    codes: list[NDArray[np.int64]] = []
    held = 0
    for band, keys in _iter_band_keys(sigs, bands, rows):
        np.bitwise_and(keys, high, out=packed)
        packed |= index
        packed.sort()
        # neighbours share a key when they differ only in the index bits
        np.bitwise_xor(packed[1:], packed[:-1], out=diff)
        np.less(diff, limit, out=same)
        pos = np.flatnonzero(same)
        order = partial(_row_order_keys, sigs, band=band)
        for left, right in bucket_pairs(packed, pos, idx_bits, int(max_bucket), order):
            codes.append(left * n + right)  # n < 2**31.5 keeps n*n in int64
            held += len(left)
        if held > 4 * n + (1 << 20):  # a true pair recurs in many bands: drop repeats early
            codes = [_sorted_unique(np.concatenate(codes))]
            held = len(codes[0])
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    flat = _sorted_unique(np.concatenate(codes))
    return np.stack((flat // n, flat % n), axis=1)
