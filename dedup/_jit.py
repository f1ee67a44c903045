"""Compiled loops for shingling and MinHash, used when numba is installed (``dedup[fast]``).

`dedup.shingle` and `dedup.signatures` compute the same hashes in numpy, one array pass per
step. These kernels run each document's steps in one loop over its characters, tokens or
hashes, with nothing written to memory between them: about twice the speed of the numpy
path end to end (`benchmarks/SIGNATURES.md`). They give bit for bit the numpy path's values
(tests compare the two on real and generated texts), so signatures made with and without
numba mix freely.

`enabled` says whether they are used: numba importable and the environment variable
``DEDUP_JIT`` not ``0``. numba is imported at the first signature, not with ``dedup`` (it
takes about 0.3 s), and each kernel is compiled at its first call, or loaded from numba's
cache (``cache=True``: ``__pycache__`` beside this file, or numba's user cache directory
where that is read-only; ``NUMBA_CACHE_DIR`` moves it).
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray

U32 = NDArray[np.uint32]
U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]
P = ParamSpec("P")
R = TypeVar("R")


_FORCED: list[bool] = []  # the innermost `forced` block's choice, if any


def enabled() -> bool:
    """Return whether the compiled kernels are used (imports numba the first time).

    False when numba is not installed, when ``DEDUP_JIT=0``, or when numba is installed
    but cannot be imported (e.g. built for another numpy): then with a warning that says
    so, since the numpy path gives the same results, only slower. Inside a `forced` block,
    that block's choice.
    """
    return _FORCED[-1] if _FORCED else _available()


@contextmanager
def forced(on: bool) -> Iterator[None]:
    """Sign on the kernels (``on``) or on the numpy path inside the block, to compare them.

    Not thread-safe: for tests and benchmarks, which run one path at a time.
    """
    _FORCED.append(on)
    try:
        yield
    finally:
        _FORCED.pop()


@functools.cache
def _available() -> bool:
    """Whether numba is importable and not turned off (see `enabled`)."""
    if os.environ.get("DEDUP_JIT", "1").strip() == "0":
        return False
    try:
        import numba  # noqa: F401
    except ModuleNotFoundError:
        return False
    except ImportError as err:
        warnings.warn(
            f"numba is installed but cannot be imported ({err}); dedup computes signatures "
            f"with numpy instead (the same values, about half the speed). Install a numba "
            f"that matches this numpy, or set DEDUP_JIT=0 to silence this warning.",
            RuntimeWarning,
            stacklevel=3,
        )
        return False
    return True


def _jit(fn: Callable[P, R]) -> Callable[P, R]:
    """Compile ``fn`` with numba at its first call (cached on disk, the GIL released).

    Where numba finds no directory to cache in (a read-only installation and no writable
    user cache), the kernel is compiled in memory, with one warning per process.
    """
    compiled: Callable[P, R] | None = None

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal compiled
        if compiled is None:
            import numba

            try:
                compiled = numba.njit(cache=True, nogil=True)(fn)
            except RuntimeError as err:  # "cannot cache function ...: no locator available"
                _warn_uncached(str(err))
                compiled = numba.njit(nogil=True)(fn)
        return compiled(*args, **kwargs)

    return call


_UNCACHED: list[str] = []  # why the kernels are compiled without a cache, once warned


def _warn_uncached(reason: str) -> None:
    """Warn, once per process (not once per kernel), that there is no disk cache."""
    if _UNCACHED:
        return
    _UNCACHED.append(reason)
    warnings.warn(
        f"numba cannot cache dedup's compiled kernels ({reason}): every process compiles "
        f"them at its first signature (a few seconds). Set NUMBA_CACHE_DIR to a writable "
        f"directory to cache them.",
        RuntimeWarning,
        stacklevel=4,
    )


@_jit
def minhash_rows(  # pragma: no cover
    values: U32, offsets: I64, a: U32, b: U32, empty: np.uint32, distinct: bool
) -> tuple[U32, I64]:
    """Return the MinHash of each row of a CSR pair of 32-bit hashes, and its distinct count.

    The same signatures as `dedup.signatures._minhash`: each hash is mixed by MurmurHash3's
    32-bit finaliser, permutation ``k`` maps it to ``a[k] * h + b[k]`` modulo 2**32 and a
    slot keeps the minimum; an empty row is all ``empty``. A row's mixed hashes are
    gathered first, then each permutation's minimum is one loop over them, which the
    compiler vectorises.

    With ``distinct``, a hash repeated in its row is signed once (a small open-addressing
    set per row, its slots marked with the row's number so it is never cleared) and the
    second array counts each row's distinct hashes, as `dedup.shingle.unique_rows` does;
    without it every hash is signed and the counts are the row lengths.
    """
    n_docs = len(offsets) - 1
    num_perm = len(a)
    out = np.empty((n_docs, num_perm), dtype=np.uint32)
    counts = np.zeros(n_docs, dtype=np.int64)
    longest = 0
    for d in range(n_docs):
        longest = max(longest, offsets[d + 1] - offsets[d])
    size = 16
    while size < 4 * longest:
        size *= 2
    # one word per slot: the row's number (from 1) above the hash, so a slot left by an
    # earlier row reads as free and the set is never cleared
    seen = np.zeros(size if distinct else 0, dtype=np.uint64)
    c1 = np.uint32(0x85EBCA6B)
    c2 = np.uint32(0xC2B2AE35)
    s13 = np.uint32(13)
    s16 = np.uint32(16)
    s32 = np.uint64(32)
    hashes = np.empty(longest, dtype=np.uint32)  # a row's distinct mixed hashes
    for d in range(n_docs):
        lo = offsets[d]
        hi = offsets[d + 1]
        mask = 15
        while mask + 1 < 4 * (hi - lo):
            mask = 2 * mask + 1
        mark = np.uint64(d + 1) << s32
        m = 0
        for i in range(lo, hi):
            h = values[i]
            h ^= h >> s16
            h = np.uint32(h * c1)
            h ^= h >> s13
            h = np.uint32(h * c2)
            h ^= h >> s16
            if distinct:
                entry = mark | np.uint64(h)
                j = h & mask
                while seen[j] >= mark and seen[j] != entry:
                    j = (j + 1) & mask
                if seen[j] == entry:
                    continue  # a repeat: the same minima
                seen[j] = entry
            hashes[m] = h
            m += 1
        counts[d] = m
        # one permutation at a time, a minimum over the row's hashes (vectorised)
        for k in range(num_perm):
            ak = a[k]
            bk = b[k]
            low = empty
            for i in range(m):
                low = min(low, np.uint32(ak * hashes[i] + bk))
            out[d, k] = low
    return out, counts


@_jit
def keys(  # pragma: no cover
    cp: U32,
    doc_starts: I64,
    packed: U32,
    ccc: U8,
    exp_chars: U32,
    exp_len: I64,
    exp_rows: U32,
    consts: U64,
) -> tuple[U32, I64] | None:
    """Return the key of every code point (`dedup.shingle._keys`), or None.

    ``cp`` holds the documents' code points joined by 0, ``doc_starts`` where each begins;
    ``packed`` maps a code point to its normalised key and flags, ``ccc`` to its canonical
    combining class, and ``exp_chars``/``exp_len``/``exp_rows`` list the characters that
    normalise to several keys. ``consts`` is `dedup.shingle._jit_constants`'s uint64 array
    ``(_, _, flagged, _, _, delete, complex, mark, expand, key_mask)``. Returns the keys
    (characters normalisation deletes left out, expansions spliced in) and the shifted
    document starts; None when a document needs `dedup.normalize.normalize` itself (a
    character that may compose with its neighbour, combining marks out of canonical order),
    which the caller leaves to the numpy path.
    """
    flagged = np.uint32(consts[2])
    f_delete = np.uint32(consts[5])
    f_complex = np.uint32(consts[6])
    f_mark = np.uint32(consts[7])
    f_expand = np.uint32(consts[8])
    key_mask = np.uint32(consts[9])
    n = len(cp)
    last = len(packed) - 1
    out = np.empty(n, dtype=np.uint32)
    grow = 0
    edits = 0
    for i in range(n):
        c = min(cp[i], last)
        key = packed[c]
        out[i] = key
        if key >= flagged:  # rare: a character with a normalisation flag
            if key & f_complex:
                return None
            if key & f_mark and i > 0:
                prev = min(cp[i - 1], last)
                if packed[prev] & f_delete or ccc[prev] > ccc[c]:
                    return None  # marks out of canonical order
            if key & f_delete:
                grow -= 1
            elif key & f_expand:
                grow += exp_len[np.searchsorted(exp_chars, c)] - 1
            edits += 1
    if edits == 0:
        return out, doc_starts
    edited = np.empty(n + grow, dtype=np.uint32)
    starts = doc_starts.copy()
    d = 0
    j = 0
    for i in range(n):
        while d < len(doc_starts) and doc_starts[d] == i:
            starts[d] = j
            d += 1
        key = out[i]
        if key < flagged:
            edited[j] = key
            j += 1
        elif key & f_delete:
            continue
        elif key & f_expand:
            row = np.searchsorted(exp_chars, min(cp[i], last))
            for q in range(exp_len[row]):
                edited[j] = exp_rows[row, q]
                j += 1
        else:
            edited[j] = key & key_mask
            j += 1
    starts[d:] = j  # empty documents at the end
    return edited, starts


@_jit
def shingle_rows(  # pragma: no cover
    keys: U32, doc_starts: I64, word_mult: U64, char_mult: U64, consts: U64
) -> tuple[U32, I64]:
    """Return the shingle hashes of the documents in ``keys`` as a CSR pair.

    ``keys`` holds the documents' normalised characters with their class bits (`keys`),
    joined by a 0 key; ``doc_starts`` is each document's first key. ``consts`` is
    `dedup.shingle._jit_constants`'s ``(b_word, b_nospace, _, r, k_len, ...)`` as uint64.
    The values are those of `dedup.shingle._numpy_chunk`: tokens are runs of word keys (at
    or above ``b_word``, below ``b_nospace``) and single keys of scripts written without
    spaces (at or above ``b_nospace``); a token's hash is the polynomial
    ``sum(key[j] * r**(j - start))`` modulo 2**32 with its length in the high 32 bits,
    through SplitMix64; a shingle is the multilinear sum of ``n`` consecutive token hashes
    (``len(word_mult)`` words, or ``len(char_mult)`` characters where most tokens of the
    document are such characters) xor ``n * k_len``, of which the high 32 bits are kept. A
    document with fewer tokens than that has one shingle, of all its tokens.

    The loop over characters branches only on characters of scripts without spaces (rare
    or constant in a text): a word's end is written at every character and kept by
    advancing the token count, one store per character.
    """
    b_word = np.uint32(consts[0])
    b_nospace = np.uint32(consts[1])
    r = np.uint32(consts[3])
    k_len = np.uint64(consts[4])
    n = len(keys)
    n_docs = len(doc_starts)
    tok = np.empty(n + 2, dtype=np.uint64)  # a document's tokens (at most one per key)
    values = np.empty(n + 1, dtype=np.uint32)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    out = 0
    m1 = np.uint64(0xBF58476D1CE4E5B9)
    m2 = np.uint64(0x94D049BB133111EB)
    s27 = np.uint64(27)
    s30 = np.uint64(30)
    s31 = np.uint64(31)
    s32 = np.uint64(32)
    zero = np.uint32(0)
    one = np.uint32(1)
    for d in range(n_docs):
        lo = doc_starts[d]
        hi = doc_starts[d + 1] if d + 1 < n_docs else n
        t = 0
        ns = 0
        poly = zero
        power = one
        length = zero
        in_word = zero
        for i in range(lo, hi):
            key = keys[i]
            word = np.uint32(key >= b_word) & np.uint32(key < b_nospace)
            mask = np.uint32(zero - word)
            # the word that ends here (its length above its polynomial), kept if it does
            # (t stays an int: numpy's stubs would type the uint32 sum as uint32)
            tok[t] = (np.uint64(length) << s32) | np.uint64(poly)
            t += int(in_word & (one - word))
            if key >= b_nospace:  # a character of a script without spaces is a token
                tok[t] = (np.uint64(1) << s32) | np.uint64(key)
                t += 1
                ns += 1
            poly = np.uint32(poly + np.uint32(key * power)) & mask
            power = (np.uint32(power * r) & mask) | (one - word)
            length = np.uint32(length + one) & mask
            in_word = word
        if in_word:
            tok[t] = (np.uint64(length) << s32) | np.uint64(poly)
            t += 1
        if t == 0:
            offsets[d + 1] = out
            continue
        for j in range(t):
            x = tok[j]
            x ^= x >> s30
            x = x * m1
            x ^= x >> s27
            x = x * m2
            x ^= x >> s31
            tok[j] = x
        mult = word_mult
        if len(char_mult) != len(word_mult) and 2 * ns > t:
            mult = char_mult
        size = len(mult)
        if t < size:
            acc = np.uint64(0)
            for k in range(t):
                acc += tok[k] * mult[k]
            acc ^= np.uint64(t) * k_len
            values[out] = np.uint32(acc >> s32)
            out += 1
        else:
            tail = np.uint64(size) * k_len
            for j in range(t - size + 1):
                acc = np.uint64(0)
                for k in range(size):
                    acc += tok[j + k] * mult[k]
                values[out] = np.uint32((acc ^ tail) >> s32)
                out += 1
        offsets[d + 1] = out
    return values[:out].copy(), offsets
