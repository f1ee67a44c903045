"""MinHash signatures: shingle hashes in, one uint32 signature row per document out.

Receives documents (`signatures`) or their shingle hashes as a CSR pair (`minhash_batch`,
from `dedup.shingle.shingle_batch`) and hands on a ``(n_docs, num_perm)`` uint32 matrix,
which the LSH index bands and compares.

The signatures are bit-for-bit those of datasketch 2.x ``MinHash(num_perm, seed,
scheme="affine32")`` updated with the same 32-bit shingle hashes (with ``hashfunc=lambda x:
x``): each input hash is pre-mixed once with the MurmurHash3 32-bit finaliser, then
permutation ``k`` maps it to ``a[k] * h + b[k]`` in uint32 arithmetic (wrapping around), and
a slot keeps the minimum. So our rows mix freely with datasketch's ``MinHash``,
``LeanMinHash`` and ``MinHashLSH`` (`to_datasketch`, `from_datasketch`). A document without
shingles has every slot at ``0xFFFFFFFF``, datasketch's empty value; callers must not let
such rows match each other (they are "too short", compared exactly instead).

Everything that decides a signature (scheme, ``num_perm``, ``seed``, shingling) is a
`SignatureScheme`; it is saved with anything saved, and `SignatureScheme.check_compatible`
refuses to compare signatures made by different ones.

Example:
    >>> sig, counts = signatures(["a b c d e f g", "a b c d e f h"], SignatureScheme(num_perm=64))
    >>> sig.shape, sig.dtype.name, counts.tolist()
    ((2, 64), 'uint32', [3, 3])
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dedup import _jit
from dedup.errors import ConfigError, InputError
from dedup.shingle import ShingleParams, shingle_chunks, unique_rows

if TYPE_CHECKING:
    import datasketch

U32 = NDArray[np.uint32]
I64 = NDArray[np.int64]

#: The only permutation scheme implemented (datasketch 2.x's default).
SCHEMES: tuple[str, ...] = ("affine32",)
#: Value of an empty slot (datasketch's ``_max_hash`` for affine32).
EMPTY = np.uint32(0xFFFFFFFF)
_MAX_PERM = 1 << 16
# Shingles per piece of the permutation step (see `_minhash_rows`): long enough that the
# per-call overhead of numpy is small, short enough that the piece stays in the L2 cache.
_PIECE = 1 << 17
# Up to this many shingles x permutations (all documents of a call together, 4 MB of uint32)
# `minhash_batch` computes every permutation in one broadcast array: at 128 permutations,
# 8,192 shingles. Measured faster than the per-permutation loop up to ~40k shingles; below
# that the loop's ~270 us of numpy calls dominate.
_SMALL_CELLS = 1 << 20


@dataclass(frozen=True, kw_only=True)
class SignatureScheme:
    """Everything that decides a signature; two signatures compare only under equal schemes.

    Attributes:
        num_perm: permutations (slots) per signature. 128 gives a Jaccard estimate with a
            standard deviation of at most 0.044; more slots, less noise, more memory.
        seed: seed of the permutations (datasketch's ``seed``).
        scheme: permutation scheme; only ``"affine32"`` (datasketch 2.x's default).
        shingle: how texts are cut into shingles.

    Example:
        >>> SignatureScheme(num_perm=64).to_dict()["num_perm"]
        64
    """

    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    shingle: ShingleParams = field(default_factory=ShingleParams)

    def __post_init__(self) -> None:
        """Validate the values (a `ConfigError` says what is allowed)."""
        n = self.num_perm
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= _MAX_PERM:
            msg = (
                f"num_perm must be an integer from 1 to {_MAX_PERM}, got {n!r} "
                f"(128 is the usual choice)"
            )
            raise ConfigError(msg)
        s = self.seed
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < 1 << 32:
            msg = f"seed must be an integer from 0 to 2**32 - 1 (numpy's limit), got {s!r}"
            raise ConfigError(msg)
        if self.scheme not in SCHEMES:
            msg = (
                f"scheme {self.scheme!r} is not supported: only 'affine32' (datasketch 2.x's "
                f"default) is; re-compute datasketch MinHashes with scheme='affine32'"
            )
            raise ConfigError(msg)
        if not isinstance(self.shingle, ShingleParams):
            msg = (
                f"shingle must be a dedup.shingle.ShingleParams, got "
                f"{type(self.shingle).__name__} (use ShingleParams.from_dict for a dict)"
            )
            raise ConfigError(msg)

    def to_dict(self) -> dict[str, object]:
        """Return the scheme as JSON-ready values (the shingle parameters nested).

        Example:
            >>> SignatureScheme().to_dict()["shingle"]["word_n"]
            5
        """
        return {
            "scheme": self.scheme,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "shingle": self.shingle.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> SignatureScheme:
        """Rebuild a scheme saved by `to_dict`, validating it.

        Args:
            d: a mapping as `to_dict` returns it; missing fields take their defaults.

        Returns:
            The scheme.

        Raises:
            ConfigError: on an unknown key or a bad value.

        Example:
            >>> SignatureScheme.from_dict({"num_perm": 64, "seed": 3}).seed
            3
        """
        if not isinstance(d, Mapping):
            msg = f"a signature scheme must be a mapping (a dict), got {type(d).__name__}"
            raise ConfigError(msg)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            msg = (
                f"unknown signature scheme key(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(sorted(known))}"
            )
            raise ConfigError(msg)
        kwargs: dict[str, Any] = dict(d)
        if "shingle" in kwargs and not isinstance(kwargs["shingle"], ShingleParams):
            kwargs["shingle"] = ShingleParams.from_dict(kwargs["shingle"])
        return cls(**kwargs)

    def check_compatible(self, other: SignatureScheme, *, what: str = "these signatures") -> None:
        """Raise unless signatures made under ``other`` compare with ours.

        Args:
            other: the scheme of the other signatures.
            what: what is being combined, for the message (e.g. ``"the index at seen.db"``).

        Raises:
            ConfigError: naming every differing field with both values, and the fix.

        Example:
            >>> SignatureScheme().check_compatible(SignatureScheme(num_perm=64))
            Traceback (most recent call last):
            ...
            dedup.errors.ConfigError: cannot combine these signatures: num_perm 128 != 64; ...
        """
        mine, theirs = _flat(self.to_dict()), _flat(other.to_dict())
        diffs = [
            f"{key} {mine.get(key)!r} != {theirs.get(key)!r}"
            for key in sorted(set(mine) | set(theirs))
            if mine.get(key) != theirs.get(key)
        ]
        if diffs:
            msg = (
                f"cannot combine {what}: {', '.join(diffs)}; signatures compare only when "
                f"made with the same parameters: re-sign one side with the other's scheme"
            )
            raise ConfigError(msg)


def _flat(d: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """Flatten nested dicts into dotted keys (``shingle.word_n``)."""
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@cache
def _permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def permutations(scheme: SignatureScheme) -> tuple[U32, U32]:
    """Return the permutation parameters ``(a, b)`` of a scheme, as datasketch makes them.

    Mirrors datasketch's ``MinHash._init_permutations`` for affine32 (a numpy
    ``RandomState(seed)`` draws ``a`` odd, then ``b``), without importing datasketch. The
    arrays are cached and read-only.

    Args:
        scheme: the signature scheme.

    Returns:
        Two uint32 arrays of length ``num_perm``.

    Example:
        >>> a, b = permutations(SignatureScheme(num_perm=4))
        >>> a.dtype.name, bool((a % 2 == 1).all())
        ('uint32', True)
    """
    return _permutations(scheme.num_perm, scheme.seed)


def fmix32(h: U32) -> U32:
    """Return MurmurHash3's 32-bit finaliser of each value (datasketch's affine32 pre-mix).

    Example:
        >>> import numpy as np
        >>> fmix32(np.array([0, 1], np.uint32)).tolist()
        [0, 1364076727]
    """
    h = np.array(h, dtype=np.uint32)  # a copy: mixed in place
    t = h >> np.uint32(16)
    h ^= t
    h *= np.uint32(0x85EBCA6B)
    np.right_shift(h, np.uint32(13), out=t)
    h ^= t
    h *= np.uint32(0xC2B2AE35)
    np.right_shift(h, np.uint32(16), out=t)
    h ^= t
    return h


def minhash_batch(values: U32, offsets: I64, scheme: SignatureScheme | None = None) -> U32:
    """Return the MinHash signature of every row of a CSR pair of 32-bit hashes.

    Args:
        values: uint32 hashes (e.g. shingle hashes from `dedup.shingle.shingle_batch`).
        offsets: int64 row offsets, ``len(n_docs) + 1``, non-decreasing.
        scheme: the signature scheme (only ``num_perm`` and ``seed`` matter here).

    Returns:
        ``(n_docs, num_perm)`` uint32, C-contiguous; an empty row is all ``0xFFFFFFFF``.

    Raises:
        InputError: if the arrays do not form a CSR pair.

    Example:
        >>> import numpy as np
        >>> sig = minhash_batch(np.array([1, 2, 3], np.uint32), np.array([0, 3, 3]))
        >>> sig.shape, bool((sig[1] == 0xFFFFFFFF).all())
        ((2, 128), True)
    """
    scheme = scheme or SignatureScheme()
    values = np.asarray(values)
    offsets = np.asarray(offsets)
    if values.ndim != 1 or offsets.ndim != 1 or len(offsets) == 0:
        msg = "minhash_batch takes 1-d values and 1-d offsets of length n_docs + 1"
        raise InputError(msg)
    if values.dtype != np.uint32:
        if values.dtype.kind not in "iu" or (
            len(values) and (int(values.min()) < 0 or int(values.max()) > 0xFFFFFFFF)
        ):
            msg = f"values must be 32-bit unsigned hashes, got dtype {values.dtype}"
            raise InputError(msg)
        values = values.astype(np.uint32)
    offsets = offsets.astype(np.int64, copy=False)
    lengths = np.diff(offsets)
    if offsets[0] < 0 or offsets[-1] > len(values) or (lengths < 0).any():
        msg = (
            "offsets must be non-decreasing, from 0 to at most len(values): "
            f"got {offsets[0]}..{offsets[-1]} for {len(values)} values"
        )
        raise InputError(msg)
    return _minhash(values, offsets, lengths, scheme)


def _minhash(values: U32, offsets: I64, lengths: I64, scheme: SignatureScheme) -> U32:
    """`minhash_batch` of a CSR pair known to be well formed (``lengths`` its row lengths)."""
    n_docs = len(lengths)
    num_perm = scheme.num_perm
    if _jit.enabled():
        a, b = _permutations(num_perm, scheme.seed)
        sig: U32 = _jit.minhash_rows(values, offsets, a, b, EMPTY, False)[0]
        return sig
    if n_docs == 1 and 0 < lengths[0] * num_perm <= _SMALL_CELLS:
        # one text (a query, one add): `_minhash_small` without cutting rows or transposing
        a, b = _columns(num_perm, scheme.seed)
        m = fmix32(values[offsets[0] : offsets[1]])[None, :] * a
        m += b
        one: U32 = m.min(axis=1)[None, :]
        return one
    out = np.full((num_perm, n_docs), EMPTY, dtype=np.uint32)
    full = np.flatnonzero(lengths)
    if len(full):
        # Only rows with values: reduceat cannot express an empty segment.
        h = fmix32(values[offsets[0] : offsets[-1]])
        starts = offsets[:-1][full] - offsets[0]
        if len(h) * num_perm <= _SMALL_CELLS:
            _minhash_small(h, starts, scheme, out, full)
        else:
            _minhash_rows(h, starts, _scalars(num_perm, scheme.seed), out, full)
    return np.ascontiguousarray(out.T)


@cache
def _scalars(num_perm: int, seed: int) -> list[tuple[np.uint32, np.uint32]]:
    """The permutation parameters as numpy scalars (made once: ~0.1 us each)."""
    a, b = _permutations(num_perm, seed)
    return [(np.uint32(x), np.uint32(y)) for x, y in zip(a.tolist(), b.tolist(), strict=True)]


@cache
def _columns(num_perm: int, seed: int) -> tuple[U32, U32]:
    """The permutation parameters as ``(num_perm, 1)`` columns, to broadcast over shingles."""
    a, b = _permutations(num_perm, seed)
    return a[:, None], b[:, None]


def _minhash_small(h: U32, starts: I64, scheme: SignatureScheme, out: U32, cols: I64) -> None:
    """`_minhash_rows` for few shingles (one or a few documents): one broadcast array.

    ``a * h + b`` for all permutations at once is a ``(num_perm, len(h))`` array, a few numpy
    calls instead of three per permutation: for one 2 KB article (~270 shingles) 25 us
    instead of 280 us, whose cost was the calls, not the arithmetic.
    """
    a, b = _columns(scheme.num_perm, scheme.seed)
    m = h[None, :] * a
    m += b
    out[:, cols] = np.minimum.reduceat(m, starts, axis=1)


def _minhash_rows(
    h: U32, starts: I64, perms: list[tuple[np.uint32, np.uint32]], out: U32, cols: I64
) -> None:
    """Write the minimum of ``a * h + b`` over each row of ``h`` into ``out[:, col]``.

    Row ``i`` is ``h[starts[i]:starts[i + 1]]`` (the last runs to the end); rows are not
    empty. The shingles are cut into pieces of about `_PIECE` values at row starts (a row
    longer than that is cut too, its parts combined with `np.minimum`). Each permutation
    then runs over a piece as three one-dimensional numpy calls with scalar operands
    (multiply, add, minimum per row): numpy's fastest loop, measured 1.5x faster than the
    same work broadcast over a (num_perm, piece) array; a piece stays in the L2 cache.
    """
    n = len(h)
    buf = np.empty(min(n, _PIECE), dtype=np.uint32)
    lo = 0
    while lo < n:
        hi = lo + _PIECE
        if hi >= n:
            hi = n
        else:
            j = int(np.searchsorted(starts, hi, side="right")) - 1
            if starts[j] > lo:
                hi = int(starts[j])  # cut at a row start
        first = int(np.searchsorted(starts, lo, side="right")) - 1
        last = int(np.searchsorted(starts, hi, side="left"))
        seg = starts[first:last] - lo
        seg[0] = 0  # the row running in from the previous piece, if any
        piece = h[lo:hi]
        t = buf[: hi - lo]
        mins = np.empty((len(perms), len(seg)), dtype=np.uint32)
        for k, (ak, bk) in enumerate(perms):
            np.multiply(piece, ak, out=t)
            np.add(t, bk, out=t)
            np.minimum.reduceat(t, seg, out=mins[k])
        where = cols[first:last]
        if starts[first] < lo:  # that row began in the previous piece
            np.minimum(mins[:, 0], out[:, where[0]], out=mins[:, 0])
        out[:, where] = mins
        lo = hi


def signatures(texts: Sequence[str], scheme: SignatureScheme | None = None) -> tuple[U32, I64]:
    """Return the MinHash signatures of texts and their numbers of distinct shingles.

    Args:
        texts: the documents.
        scheme: the signature scheme (shingling, ``num_perm``, ``seed``).

    Returns:
        ``(signatures, counts)``: ``(len(texts), num_perm)`` uint32 and, per text, the
        number of distinct shingles (0: no signature; few: too short to trust one).

    Raises:
        InputError: if a text is not a ``str``.

    Example:
        >>> sig, counts = signatures(["", "one two"])
        >>> counts.tolist(), bool((sig[0] == 0xFFFFFFFF).all())
        ([0, 1], True)
    """
    scheme = scheme or SignatureScheme()
    chunks = shingle_chunks(texts, scheme.shingle)
    sign = _sign_compiled if _jit.enabled() else _sign_numpy
    sigs, counts = sign(chunks, scheme)
    if not sigs:
        return np.zeros((0, scheme.num_perm), dtype=np.uint32), np.zeros(0, dtype=np.int64)
    # One signature piece may span several shingle chunks: join the counts whatever the sigs.
    all_counts = counts[0] if len(counts) == 1 else np.concatenate(counts)
    return (sigs[0] if len(sigs) == 1 else np.concatenate(sigs)), all_counts


def _sign_compiled(
    chunks: Iterable[tuple[U32, I64]], scheme: SignatureScheme
) -> tuple[list[U32], list[I64]]:
    """Signatures and distinct counts of each chunk in one compiled loop (`dedup._jit`)."""
    a, b = _permutations(scheme.num_perm, scheme.seed)
    sigs: list[U32] = []
    counts: list[I64] = []
    for values, offsets in chunks:
        sig, count = _jit.minhash_rows(values, offsets, a, b, EMPTY, True)
        sigs.append(sig)
        counts.append(count)
    return sigs, counts


def _sign_numpy(
    chunks: Iterable[tuple[U32, I64]], scheme: SignatureScheme
) -> tuple[list[U32], list[I64]]:
    """Signatures and distinct counts of the chunks in numpy, a few chunks at a time."""
    sigs: list[U32] = []
    counts: list[I64] = []
    # A few groups of documents at a time: their shingles stay in the CPU cache from
    # hashing to signature, and memory does not grow with the number of texts.
    pending: list[tuple[U32, I64]] = []
    size = 0
    for chunk in chunks:
        values, offsets = unique_rows(*chunk)  # the same signature, with less work
        counts.append(np.diff(offsets))
        pending.append((values, offsets))
        size += len(values)
        if size >= _PIECE:
            sigs.append(_sign(pending, scheme))
            pending, size = [], 0
    if pending:
        sigs.append(_sign(pending, scheme))
    return sigs, counts


def _sign(parts: list[tuple[U32, I64]], scheme: SignatureScheme) -> U32:
    """The signatures of the rows of CSR pairs made by `unique_rows` (valid: not checked)."""
    values, offsets = _concat(parts)
    return _minhash(values, offsets, np.diff(offsets), scheme)


def _concat(parts: list[tuple[U32, I64]]) -> tuple[U32, I64]:
    """Join CSR pairs (each with offsets from 0) into one."""
    if len(parts) == 1:
        return parts[0]
    values = np.concatenate([p[0] for p in parts])
    offsets = np.zeros(sum(len(p[1]) - 1 for p in parts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([np.diff(p[1]) for p in parts]), out=offsets[1:])
    return values, offsets


def save(path: str | os.PathLike[str], sig: U32, counts: I64, scheme: SignatureScheme) -> None:
    """Save signatures, their distinct-shingle counts and their scheme to one ``.npz`` file.

    The scheme is stored beside the arrays, so `load` can refuse to mix the file with
    signatures made under another one.

    Args:
        path: the file to write (numpy adds ``.npz`` if missing).
        sig: ``(n_docs, num_perm)`` uint32 signatures.
        counts: ``n_docs`` distinct-shingle counts.
        scheme: the scheme they were made with.

    Raises:
        InputError: if the shapes do not fit each other or the scheme.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "sigs.npz"
        >>> sig, counts = signatures(["a b c d e f"])
        >>> save(path, sig, counts, SignatureScheme())
        >>> load(path, expect=SignatureScheme())[0].shape
        (1, 128)
    """
    sig = np.asarray(sig)
    counts = np.asarray(counts)
    if sig.ndim != 2 or sig.shape[1] != scheme.num_perm or counts.shape != (sig.shape[0],):
        msg = (
            f"signatures of shape {sig.shape} and counts of shape {counts.shape} do not fit "
            f"num_perm={scheme.num_perm}: pass the two arrays `signatures` returned"
        )
        raise InputError(msg)
    np.savez(
        path,
        signatures=sig.astype(np.uint32, copy=False),
        counts=counts.astype(np.int64, copy=False),
        scheme=np.array(json.dumps(scheme.to_dict())),
    )


def load(
    path: str | os.PathLike[str], *, expect: SignatureScheme | None = None
) -> tuple[U32, I64, SignatureScheme]:
    """Load what `save` wrote; with ``expect``, refuse a file made under another scheme.

    Args:
        path: the ``.npz`` file.
        expect: the scheme the caller's other signatures use, if any.

    Returns:
        ``(signatures, counts, scheme)``.

    Raises:
        InputError: if the file holds no dedup signatures.
        ConfigError: if its scheme differs from ``expect`` (naming every difference).
    """
    with np.load(path, allow_pickle=False) as data:
        if not {"signatures", "counts", "scheme"} <= set(data.files):
            msg = f"{os.fspath(path)} holds no dedup signatures (written by dedup.signatures.save)"
            raise InputError(msg)
        scheme = SignatureScheme.from_dict(json.loads(str(data["scheme"])))
        sig = data["signatures"].astype(np.uint32, copy=False)
        counts = data["counts"].astype(np.int64, copy=False)
    if expect is not None:
        expect.check_compatible(scheme, what=f"these signatures and those in {os.fspath(path)}")
    return sig, counts, scheme


def to_datasketch(row: U32, scheme: SignatureScheme | None = None) -> datasketch.LeanMinHash:
    """Return one signature row as a datasketch ``LeanMinHash`` (for ``MinHashLSH`` & co).

    Args:
        row: one signature, ``num_perm`` uint32 values.
        scheme: the scheme it was made with.

    Returns:
        A ``datasketch.LeanMinHash`` with our seed, scheme ``"affine32"`` and the values.

    Raises:
        InputError: if the row's length is not the scheme's ``num_perm``.

    Example:
        >>> sig, _ = signatures(["a b c d e f"])
        >>> to_datasketch(sig[0]).jaccard(to_datasketch(sig[0]))
        1.0
    """
    scheme = scheme or SignatureScheme()
    row = np.asarray(row)
    if row.shape != (scheme.num_perm,):
        msg = (
            f"a signature row of shape {row.shape} does not fit num_perm={scheme.num_perm}: "
            f"pass one row (sig[i]) and the scheme it was made with"
        )
        raise InputError(msg)
    from datasketch import LeanMinHash  # imported here: it imports scipy (~0.5 s)

    return LeanMinHash(seed=scheme.seed, hashvalues=row.astype(np.uint32), scheme=scheme.scheme)


def from_datasketch(
    m: datasketch.MinHash, shingle: ShingleParams | None = None
) -> tuple[U32, SignatureScheme]:
    """Return a datasketch ``MinHash`` (or ``LeanMinHash``) as a row and its scheme.

    Args:
        m: the datasketch sketch; it must use scheme ``"affine32"``.
        shingle: the shingling its inputs were made with (datasketch does not record it);
            the default parameters if not given.

    Returns:
        ``(row, scheme)``: a copy of its uint32 hash values and the matching scheme.

    Raises:
        ConfigError: if the sketch uses another scheme (``"legacy"``, ``"affine64"``).

    Example:
        >>> sig, _ = signatures(["a b c d e f"])
        >>> row, scheme = from_datasketch(to_datasketch(sig[0]))
        >>> bool((row == sig[0]).all()), scheme.num_perm
        (True, 128)
    """
    scheme_name = getattr(m, "scheme", "legacy")
    if scheme_name != "affine32":
        msg = (
            f"this datasketch MinHash uses scheme {scheme_name!r}; dedup signatures are "
            f"'affine32' only: re-compute it with MinHash(..., scheme='affine32')"
        )
        raise ConfigError(msg)
    row = np.array(m.hashvalues, dtype=np.uint32)
    scheme = SignatureScheme(
        num_perm=len(row), seed=int(m.seed), shingle=shingle or ShingleParams()
    )
    return row, scheme
