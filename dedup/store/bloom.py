"""A Bloom filter over int64 keys, built and checked a numpy array at a time.

The SQLite store keeps one per band level, so a lookup reads from a level only the band
keys that may be in it: a new document's 64 keys find their way to almost no B-tree page,
where without the filter each of them cost a seek in every level (`dedup.store.sqlite`).

It is a *blocked* filter: the `PROBES` bits of a key all sit in one 64-bit word, so a check
is one gather and one compare per key (numpy, no Python loop), at the price of a slightly
higher false-positive rate than a classic filter of the same size: about 2% at
`BITS_PER_KEY` = 10 and 3 probes. A false positive costs one useless seek; there are no
false negatives, which is what the store relies on (`tests/test_store_bloom.py`).

Written here rather than taken from a library: the keys are hashes already, the filter must
be checked a batch at a time without a Python call per key, and it must round-trip through
SQLite as bytes (`to_bytes`/`from_bytes`); the Python Bloom filter packages hash every
object themselves, one call per key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Bits of filter per key added: ~2% false positives with `PROBES` = 3.
BITS_PER_KEY = 10
#: Bits set per key, all in the key's word.
PROBES = 3

_U64 = np.uint64
# splitmix64's finaliser: band keys are products whose low bits are poorly mixed.
_M1, _M2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)


def _mix(keys: NDArray[np.int64]) -> NDArray[np.uint64]:
    h = np.asarray(keys, dtype=np.int64).view(np.uint64).copy()
    h ^= h >> _U64(30)
    h *= _M1
    h ^= h >> _U64(27)
    h *= _M2
    h ^= h >> _U64(31)
    out: NDArray[np.uint64] = h
    return out


@dataclass(frozen=True, slots=True)
class HashedKeys:
    """Keys hashed for the filters: what picks their word, and their bits in it."""

    high: NDArray[np.uint64]
    mask: NDArray[np.uint64]


def hash_keys(keys: NDArray[np.int64]) -> HashedKeys:
    """Hash ``keys`` once for every filter they are checked against (any filter size)."""
    h = _mix(keys)
    one = _U64(1)
    mask = one << (h & _U64(63))
    for p in range(1, PROBES):
        mask |= one << ((h >> _U64(6 * p)) & _U64(63))
    return HashedKeys(h >> _U64(32), mask)


class KeyFilter:
    """A set of int64 keys that answers "maybe in" or "surely not in", a batch at a time.

    Example:
        >>> import numpy as np
        >>> f = KeyFilter.empty(3)
        >>> f.add(np.array([1, 2, 3]))
        >>> f.may_contain(np.array([1, 2, 3])).tolist()
        [True, True, True]
        >>> KeyFilter.from_bytes(f.to_bytes()).may_contain(np.array([2])).tolist()
        [True]
    """

    __slots__ = ("words",)

    def __init__(self, words: NDArray[np.uint64]) -> None:
        self.words = words

    @classmethod
    def empty(cls, keys: int) -> KeyFilter:
        """Return an empty filter sized for ``keys`` keys at `BITS_PER_KEY`."""
        return cls(np.zeros(max(1, -(-keys * BITS_PER_KEY // 64)), dtype=np.uint64))

    def _where(
        self, keys: NDArray[np.int64] | HashedKeys
    ) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
        """Return each key's word index and the mask of its bits in that word."""
        hk = keys if isinstance(keys, HashedKeys) else hash_keys(keys)
        # multiply-shift maps the high 32 bits onto the words: no modulo bias, no division
        return (hk.high * _U64(len(self.words))) >> _U64(32), hk.mask

    def add(self, keys: NDArray[np.int64]) -> None:
        """Add ``keys`` (any int64 array; repeats are fine)."""
        if len(keys):
            idx, mask = self._where(keys)
            np.bitwise_or.at(self.words, idx, mask)

    def may_contain(self, keys: NDArray[np.int64] | HashedKeys) -> NDArray[np.bool_]:
        """Return, per key, False if it was surely never added, True if it may have been.

        ``keys`` may come as `hash_keys` of them, hashed once for several filters.
        """
        idx, mask = self._where(keys)
        out: NDArray[np.bool_] = (self.words[idx] & mask) == mask
        return out

    def to_bytes(self) -> bytes:
        """Return the filter as little-endian bytes (what `from_bytes` reads back)."""
        return self.words.astype("<u8", copy=False).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFilter:
        """Return the filter `to_bytes` wrote (a writable copy).

        Raises:
            ValueError: ``data`` is empty or not a whole number of 64-bit words.
        """
        if not data or len(data) % 8:
            msg = f"a key filter is a non-empty run of 8-byte words, got {len(data)} bytes"
            raise ValueError(msg)
        return cls(np.frombuffer(data, dtype="<u8").astype(np.uint64))
