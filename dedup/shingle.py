"""Shingles: text in, arrays of 32-bit shingle hashes out, vectorised over batches.

Receives documents as ``str`` and hands on, per document, the uint32 hashes of its shingles
(`shingle_hashes` for one text, `shingle_batch` for many, as one CSR pair of arrays), which
`dedup.signatures` turns into MinHash signatures.

How a document becomes shingles:

1. **Matching normalisation**, the same as `dedup.normalize.normalize` (NFKC, case folding,
   quotes, dashes and spaces unified, soft hyphens and zero-width characters dropped): a
   text and its re-cased, curly-quoted, NBSP-spaced or full-width copy give the same
   shingles. It runs in numpy: one table lookup per character, and the few characters
   that normalise to several (``ß`` to ``ss``) or to none (soft hyphen) are spliced in; a
   document holding a character whose normalisation depends on its neighbours (a
   combining accent composing with its letter) is normalised by `normalize` itself.
2. **Tokens**: a word is a maximal run of letters, digits and combining marks (Unicode
   categories L, N, M); punctuation, symbols, spaces and control characters separate words
   and are not part of any shingle, so ``"said,"`` and ``"said"`` are the same word
   (variation selectors, which only pick a glyph, separate words too). In
   scripts written without spaces between words (Chinese, Japanese kana and kanji, Thai,
   Lao, Khmer, Myanmar) each character is a token of its own.
3. **Shingles** are runs of consecutive tokens: `ShingleParams.word_n` tokens in a document
   whose tokens are mostly words, `ShingleParams.char_n` tokens in a document whose tokens
   are mostly characters of a no-space script. The choice is made once per document, and
   a Japanese article quoting a Latin name simply has that name as one token among its
   characters (and an English article quoting a Chinese name has one token per character),
   so text mixing scripts needs no special case and shingles run across script changes.
4. A document with fewer tokens than its shingle size has **one** shingle (all its tokens);
   a document without any token (empty, only punctuation) has **none**. Callers treat
   documents with too few shingles as too short for a reliable signature.

The first call in a process builds the per-character tables (about half a second).

Shingle hashes are not deduplicated: a document repeating a 5-word phrase holds its hash
twice, which MinHash ignores; `unique_counts` gives the number of distinct hashes.

Input that is not well-formed: NUL characters are read as spaces (NUL separates documents
in a batch); lone surrogates (from ``errors="surrogateescape"`` decoding) separate words like
punctuation. Neither raises.

Hashes: a token's normalised code points are hashed by a polynomial modulo 2**32 (computed
for a whole batch with one prefix sum), joined with the token's length and mixed to 64 bits
with the SplitMix64 finaliser; a shingle's token hashes are multiplied by distinct odd
64-bit constants and summed with its number of tokens, and the high 32 bits of the sum are
the shingle hash (a multilinear hash: distinct shingles collide at the 32-bit birthday
rate, which the tests check on real pages). The hashes do not depend on the batch a
document is in nor on the machine. `HASH_VERSION` names this function; it is saved with the
parameters, so that signatures made by a different hashing are refused, not compared.

Example:
    >>> a = shingle_hashes("The quick brown fox jumps over the lazy dog")
    >>> b = shingle_hashes("THE “quick” brown fox — jumps over the lazy dog!")
    >>> len(a), bool((a == b).all())
    (5, True)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dedup import _jit
from dedup.errors import ConfigError, InputError
from dedup.normalize import _TRANSLATE, normalize

#: Name of the shingle hash function; part of every saved `ShingleParams`.
HASH_VERSION = "poly32-splitmix64-multilinear-v1"

U32 = NDArray[np.uint32]
U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]

# Bits of a character's key (`_tables`): the normalised code point takes bits 0-20; a
# character with neither class bit (space, punctuation, symbol, control) separates tokens.
_B_WORD = np.uint32(1 << 21)  # part of a word: letters, digits, marks
_B_NOSPACE = np.uint32(1 << 22)  # a token by itself: scripts written without spaces
_KEY_MASK = np.uint32((1 << 23) - 1)
# Flags of an input character, above the key.
_F_DELETE = np.uint32(1 << 24)  # removed by normalisation (soft hyphen, zero-width characters)
_F_COMPLEX = np.uint32(1 << 25)  # may compose with its neighbour: the text uses `normalize`
_F_MARK = np.uint32(1 << 26)  # non-zero canonical combining class: marks may be reordered
_F_EXPAND = np.uint32(1 << 27)  # normalised to several characters, one a letter ("ß" -> "ss")

# Scripts written without spaces between words: each character is a token.
_NOSPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x303B, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31FF),  # Bopomofo extended, CJK strokes, Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x1B000, 0x1B16F),  # Kana supplement / extended
    (0x20000, 0x323AF),  # CJK extensions B-H
)
# Marks that only select a glyph (variation selectors: the emoji form of "❤"): separators,
# so that an emoji's selector does not become a one-character word.
_IGNORED_MARKS: tuple[tuple[int, int], ...] = (
    (0x180B, 0x180F),
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
)
# Code points below this are classified one by one; the rest (planes 4-16: unassigned,
# tags, variation selectors, private use) are separators left unchanged, except plane 14.
_TABLE_DETAIL = 0x40000
_PLANE14 = (0xE0000, 0xE1000)
_MAX_CP = 0x110000

# Polynomial token hash: h = sum key[j] * R**j (mod 2**32), j from the token's start.
_R = 0x9E3779B1
_R_INV = pow(_R, -1, 1 << 32)
# Times a shingle's number of tokens, mixed into its hash (its tokens' multipliers come from
# `_shingle_multipliers`), so shingles of different lengths differ.
_K_LEN = np.uint64(0xD6E8FEB86659FD93)
_MASK64 = (1 << 64) - 1
#: Documents are shingled in groups of about this many characters: a group's arrays (about
#: 30 bytes a character) then stay in the CPU's L2 cache; measured 1.6x faster than 2M.
BATCH_CHARS = 1 << 17


@dataclass(frozen=True, kw_only=True)
class ShingleParams:
    """How documents are cut into shingles.

    Attributes:
        word_n: words per shingle. Five-word shingles survive small edits to wire copy (one
            changed word breaks at most 5 shingles) and are specific enough that unrelated
            articles rarely share many.
        char_n: characters per shingle in text written without spaces (Chinese, Japanese,
            Thai, ...). 5, like ``word_n``: one changed character breaks at most 5 shingles,
            as one changed word does in spaced text, while a 5-character string of CJK text
            (two or three words) is specific enough that unrelated articles on one topic
            share few; 2- and 3-grams are shared by most texts of a language ("的中国").
        normalize: apply the matching normalisation (`dedup.normalize.normalize`) first;
            without it, case, quotes and full-width forms make shingles differ.

    Example:
        >>> ShingleParams(word_n=3).to_dict()["word_n"]
        3
    """

    word_n: int = 5
    char_n: int = 5
    normalize: bool = True

    def __post_init__(self) -> None:
        """Validate the values (a `ConfigError` says what is allowed)."""
        for name in ("word_n", "char_n"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
                msg = (
                    f"ShingleParams.{name} must be an integer from 1 to 64, got {value!r} "
                    f"(5 is the usual choice for near-duplicate news articles)"
                )
                raise ConfigError(msg)
        if not isinstance(self.normalize, bool):
            msg = f"ShingleParams.normalize must be True or False, got {self.normalize!r}"
            raise ConfigError(msg)

    def to_dict(self) -> dict[str, object]:
        """Return the parameters as JSON-ready values, with the shingle hash's version.

        Example:
            >>> d = ShingleParams().to_dict()
            >>> d["word_n"], d["char_n"], d["normalize"], d["hash"] == HASH_VERSION
            (5, 5, True, True)
        """
        d: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        d["hash"] = HASH_VERSION
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> ShingleParams:
        """Rebuild parameters saved by `to_dict`, validating them.

        Args:
            d: a mapping as `to_dict` returns it; a missing ``hash`` is read as the current
                `HASH_VERSION`, missing fields take their defaults.

        Returns:
            The parameters.

        Raises:
            ConfigError: on an unknown key, a bad value, or a different hash version.

        Example:
            >>> ShingleParams.from_dict({"word_n": 4}).word_n
            4
        """
        if not isinstance(d, Mapping):
            msg = f"shingle parameters must be a mapping (a dict), got {type(d).__name__}"
            raise ConfigError(msg)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known - {"hash"})
        if unknown:
            msg = (
                f"unknown shingle parameter(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(sorted(known | {'hash'}))}"
            )
            raise ConfigError(msg)
        version = d.get("hash", HASH_VERSION)
        if version != HASH_VERSION:
            msg = (
                f"these shingles were hashed with {version!r}, this version of dedup hashes "
                f"with {HASH_VERSION!r}: the hashes cannot be compared; re-compute the "
                f"signatures of the saved documents with this version"
            )
            raise ConfigError(msg)
        kwargs: dict[str, Any] = {k: v for k, v in d.items() if k in known}
        return cls(**kwargs)


_DEFAULT = ShingleParams()


def shingle_hashes(text: str, params: ShingleParams = _DEFAULT) -> U32:
    """Return the uint32 shingle hashes of one document, in text order.

    Args:
        text: the document.
        params: how to shingle.

    Returns:
        One hash per shingle, repeats kept (see `unique_counts`); empty when the text has
        no word.

    Raises:
        InputError: if ``text`` is not a ``str``.

    Example:
        >>> shingle_hashes("one two three").shape, shingle_hashes("... !").shape
        ((1,), (0,))
    """
    values, _ = shingle_batch([text], params)
    return values


def shingle_batch(texts: Sequence[str], params: ShingleParams = _DEFAULT) -> tuple[U32, I64]:
    """Return the shingle hashes of many documents as one CSR pair.

    Documents are processed together (concatenated, tokenised and hashed by numpy), which is
    much faster than one at a time; a document's row does not depend on its neighbours.

    Args:
        texts: the documents.
        params: how to shingle.

    Returns:
        ``(values, offsets)``: uint32 hashes and int64 offsets of length ``len(texts) + 1``;
        the hashes of document ``i`` are ``values[offsets[i]:offsets[i + 1]]``.

    Raises:
        InputError: if a text is not a ``str``.

    Example:
        >>> values, offsets = shingle_batch(["a b c d e f", "", "x"])
        >>> offsets.tolist()
        [0, 2, 2, 3]
    """
    parts = list(shingle_chunks(texts, params))
    if not parts:
        return np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64)
    values = parts[0][0] if len(parts) == 1 else np.concatenate([p[0] for p in parts])
    offsets = np.zeros(sum(len(p[1]) - 1 for p in parts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([np.diff(p[1]) for p in parts]), out=offsets[1:])
    return values, offsets


def shingle_chunks(
    texts: Iterable[str], params: ShingleParams = _DEFAULT
) -> Iterator[tuple[U32, I64]]:
    """Yield the shingle hashes of consecutive groups of documents, as CSR pairs.

    The streaming form of `shingle_batch`: the texts are read one group (about
    `BATCH_CHARS` characters) at a time, so memory stays bounded on a dump of any size and
    the arrays of a group stay in the CPU cache.

    Args:
        texts: the documents, any iterable.
        params: how to shingle.

    Yields:
        ``(values, offsets)`` for each group, in order; offsets start at 0.

    Raises:
        InputError: if a text is not a ``str``.

    Example:
        >>> [offsets.tolist() for _, offsets in shingle_chunks(["a b", "c"])]
        [[0, 1, 2]]
    """
    if isinstance(texts, str):
        msg = "shingle_batch takes a sequence of texts, got one str: pass [text]"
        raise InputError(msg)
    batch: list[str] = []
    size = 0
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            msg = f"text {i} is {type(text).__name__}, not str" + (
                ": decode bytes first (text.decode('utf-8'))" if isinstance(text, bytes) else ""
            )
            raise InputError(msg)
        batch.append(text)
        size += len(text)
        if size >= BATCH_CHARS:
            yield _shingle_chunk(batch, params)
            batch, size = [], 0
    if batch:
        yield _shingle_chunk(batch, params)


def unique_counts(values: U32, offsets: I64) -> I64:
    """Return the number of distinct shingle hashes of each document of a CSR pair.

    With it, a Jaccard estimate ``j`` of documents ``a`` and ``b`` gives their containment:
    ``|a & b| / |a| = j * (|a| + |b|) / ((1 + j) * |a|)``.

    Args:
        values: uint32 hashes, as `shingle_batch` returns them.
        offsets: int64 row offsets, as `shingle_batch` returns them.

    Returns:
        int64 array with one count per document.

    Example:
        >>> import numpy as np
        >>> unique_counts(np.array([7, 7, 3, 5], np.uint32), np.array([0, 3, 3, 4])).tolist()
        [2, 0, 1]
    """
    return np.diff(unique_rows(values, offsets)[1])


def unique_rows(values: U32, offsets: I64) -> tuple[U32, I64]:
    """Return each document's distinct shingle hashes, as a CSR pair.

    MinHash ignores repeats, so signing the distinct hashes gives the same signature with
    less work (repeated lines make about 8% of the shingles of the dev pages).

    Args:
        values: uint32 hashes, as `shingle_batch` returns them.
        offsets: int64 row offsets, as `shingle_batch` returns them.

    Returns:
        ``(values, offsets)`` with offsets from 0; the order inside a row is unspecified.

    Example:
        >>> import numpy as np
        >>> v, o = unique_rows(np.array([7, 7, 3, 5], np.uint32), np.array([0, 3, 3, 4]))
        >>> v.tolist(), o.tolist()
        ([3, 7, 5], [0, 2, 2, 3])
    """
    values = np.asarray(values, dtype=np.uint32)
    offsets = np.asarray(offsets, dtype=np.int64)
    n_docs = len(offsets) - 1
    lengths = np.diff(offsets)
    keys = np.repeat(np.arange(n_docs, dtype=np.uint64), lengths)
    keys <<= np.uint64(32)
    keys |= values[offsets[0] : offsets[-1]]
    keys.sort()
    # Sorted by document first, each document keeps its range; equal neighbours are repeats.
    repeat = np.zeros(len(keys), dtype=bool)
    np.equal(keys[1:], keys[:-1], out=repeat[1:])
    at = np.flatnonzero(repeat)
    if len(at) == 0:
        return values[offsets[0] : offsets[-1]], offsets - offsets[0]
    in_doc = np.searchsorted(offsets, at + offsets[0], side="right") - 1
    out = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lengths - np.bincount(in_doc, minlength=n_docs), out=out[1:])
    return np.delete(keys, at).astype(np.uint32), out


# --- the tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    """Per-code-point lookup tables; `packed` holds what the tokeniser needs in one gather."""

    packed: U32  # input code point -> normalised code point | class bits | flag bits
    raw: U32  # code point -> itself | class bits (no normalisation)
    ccc: NDArray[np.uint8]  # canonical combining class after NFKC
    exp_chars: U32  # the _F_EXPAND characters, sorted
    exp_len: I64  # the length of each one's normalised form
    exp_rows: U32  # its keys, one row each, padded with zeros


@cache
def _tables() -> _Tables:
    """Build the per-code-point tables (once per process, about half a second)."""
    cls = np.zeros(_MAX_CP, dtype=np.uint32)
    flags = np.zeros(_MAX_CP, dtype=np.uint32)
    fold = np.arange(_MAX_CP, dtype=np.uint32)
    ccc = np.zeros(_MAX_CP, dtype=np.uint8)
    expand: dict[int, U32] = {}
    # Characters a canonical composition may join to the character before them: a text
    # holding one is normalised by `normalize` (NFKC composes "e" + U+0301 into "é").
    second: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    detail = [*range(_TABLE_DETAIL), *range(*_PLANE14)]
    cats = [unicodedata.category(chr(c)) for c in detail]
    assigned = [c for c, cat in zip(detail, cats, strict=True) if cat != "Cn"]
    for c in assigned:
        dec = unicodedata.decomposition(chr(c))
        if dec and not dec.startswith("<"):
            second.update(int(x, 16) for x in dec.split()[1:])
    word_cats = {"L", "N", "M"}
    for c, cat in zip(detail, cats, strict=True):
        if cat[0] in word_cats:
            cls[c] = _B_WORD
    for lo, hi in _NOSPACE_RANGES:
        block = cls[lo : hi + 1]
        block[block == _B_WORD] = _B_NOSPACE
    for lo, hi in _IGNORED_MARKS:
        cls[lo : hi + 1] = 0
    for c in assigned:
        ch = chr(c)
        if c < 0x80 and not (ch.isupper() or ch == "`"):
            continue
        out = normalize(ch) if not ch.isspace() else " "
        nf = unicodedata.normalize("NFKC", ch.translate(_TRANSLATE))
        if c in second or any(ord(x) in second for x in nf):
            flags[c] |= _F_COMPLEX
        elif len(out) > 1:
            # An expansion made only of separators ("…" -> "...") separates words as one
            # space does; one holding a letter ("ß" -> "ss") needs `normalize`.
            if any(cls[ord(x)] for x in out):
                flags[c] |= _F_EXPAND
                expand[c] = np.array([ord(x) for x in out], dtype=np.uint32)
            else:
                fold[c] = 0x20
        elif not out:
            flags[c] |= _F_DELETE
        else:
            fold[c] = ord(out)
        if len(nf) == 1 and unicodedata.combining(nf):
            flags[c] |= _F_MARK
            ccc[c] = unicodedata.combining(nf)
    fold[0] = 0  # NUL separates the documents of a batch (NULs in a text became spaces)
    packed = fold | cls[fold] | flags
    raw = np.arange(_MAX_CP, dtype=np.uint32) | cls
    expand = {c: raw[v] for c, v in expand.items()}
    exp_chars = np.array(sorted(expand), dtype=np.uint32)
    exp_len = np.array([len(expand[c]) for c in exp_chars.tolist()], dtype=np.int64)
    exp_rows = np.zeros((len(exp_chars), int(exp_len.max())), dtype=np.uint32)
    for i, c in enumerate(exp_chars.tolist()):
        exp_rows[i, : exp_len[i]] = expand[c]
    return _Tables(
        packed=packed,
        raw=raw,
        ccc=ccc,
        exp_chars=exp_chars,
        exp_len=exp_len,
        exp_rows=exp_rows,
    )


# --- hashing helpers ----------------------------------------------------------------------


def _splitmix(x: U64) -> U64:
    """SplitMix64 finaliser, in place on ``x`` (returned)."""
    t = x >> np.uint64(30)
    x ^= t
    x *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(x, np.uint64(27), out=t)
    x ^= t
    x *= np.uint64(0x94D049BB133111EB)
    np.right_shift(x, np.uint64(31), out=t)
    x ^= t
    return x


@cache
def _shingle_multipliers(n: int) -> U64:
    """Distinct odd 64-bit multipliers for the tokens of an n-token shingle."""
    out = []
    x = 0x2545F4914F6CDD1D
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) & _MASK64
        out.append(x | 1)
    return np.array(out, dtype=np.uint64)


class _Powers:
    """R**i and R**-i mod 2**32 for i < size, kept for sizes up to `_POWERS_KEPT`.

    The pair is replaced as one tuple, so threads sharing it never see arrays of two sizes;
    a longer document (one text larger than a group) gets arrays made for it alone, so one
    huge text does not leave hundreds of megabytes behind.
    """

    def __init__(self) -> None:
        self.pair: tuple[U32, U32] = (np.ones(1, dtype=np.uint32), np.ones(1, dtype=np.uint32))

    def get(self, size: int) -> tuple[U32, U32]:
        pair = self.pair
        if len(pair[0]) >= size:
            return pair
        n = max(size, 2 * len(pair[0]))
        pair = (_power_table(_R, n), _power_table(_R_INV, n))
        if n <= _POWERS_KEPT:
            self.pair = pair
        return pair


def _power_table(base: int, n: int) -> U32:
    """Return ``base**i mod 2**32`` for ``i < n`` (doubling, vectorised)."""
    out = np.ones(n, dtype=np.uint32)
    filled = 1
    step = base
    while filled < n:
        m = min(filled, n - filled)
        np.multiply(out[:m], np.uint32(step), out=out[filled : filled + m])
        filled += m
        step = pow(base, filled, 1 << 32)
    return out


_POWERS_KEPT = 1 << 22
_POWERS = _Powers()


# --- the pipeline -----------------------------------------------------------------------


def _join(texts: Sequence[str]) -> U32:
    """Return the code points of the texts joined by NUL (a NUL inside a text is a space)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") >= len(texts):  # one search of the batch, not one per text
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _keys(texts: list[str], params: ShingleParams) -> tuple[U32, I64]:
    """Return one key per character of the texts joined by NUL, normalised.

    A key is the normalised code point with its class bits (`_B_WORD`, `_B_NOSPACE`).

    Returns:
        The keys, and the position of each document's first key.
    """
    tables = _tables()
    cp = _join(texts)
    doc_starts = _doc_starts(texts)
    if not params.normalize:
        return np.take(tables.raw, cp, mode="clip"), doc_starts
    info = np.take(tables.packed, cp, mode="clip")
    if all(t.isascii() for t in texts):
        return info, doc_starts  # no flags below 128
    bad = np.flatnonzero(info >= _F_DELETE)  # any flag set
    if len(bad) == 0:
        return info, doc_starts
    flags = info[bad]
    complex_docs = _complex_docs(cp, bad, flags, doc_starts, tables)
    edited = bad[(flags & (_F_DELETE | _F_EXPAND)) != 0]
    if complex_docs:  # their characters' own edits are left to `normalize`
        in_doc = np.searchsorted(doc_starts, edited, side="right") - 1
        edited = edited[~np.isin(in_doc, list(complex_docs))]
    if len(edited):
        info = _edit(info, cp, edited, doc_starts, tables)
    info &= _KEY_MASK
    if complex_docs:
        info = _splice(info, texts, sorted(complex_docs), doc_starts, tables)
    return info, doc_starts


def _edit(info: U32, cp: U32, edited: I64, doc_starts: I64, tables: _Tables) -> U32:
    """Delete or expand the characters at ``edited`` (sorted); shift ``doc_starts`` in place.

    Vectorised (`np.insert`, `np.delete`): a German text holds an "ß" every few lines.
    """
    chars = cp[edited]
    row = np.searchsorted(tables.exp_chars, chars)
    row[row == len(tables.exp_chars)] = 0
    lengths = np.where(tables.exp_chars[row] == chars, tables.exp_len[row], 0)
    deleted = edited[lengths == 0]
    grow = lengths > 0
    if grow.any():
        at = edited[grow]
        rows = tables.exp_rows[row[grow]]
        info[at] = rows[:, 0]
        more = lengths[grow] - 1
        extra = np.repeat(at + 1, more)
        if len(extra):
            # row-major: each character's extra keys in order, characters in text order
            info = np.insert(info, extra, rows[:, 1:][np.arange(rows.shape[1] - 1) < more[:, None]])
            # positions after the insertions (each extra character goes before index `q`)
            deleted = deleted + np.searchsorted(extra, deleted, side="right")
            doc_starts += np.searchsorted(extra, doc_starts, side="right")
    if len(deleted):
        doc_starts -= np.searchsorted(deleted, doc_starts)
        info = np.delete(info, deleted)
    return info


def _splice(info: U32, texts: list[str], docs: list[int], doc_starts: I64, tables: _Tables) -> U32:
    """Replace the keys of ``docs`` by those of their text normalised by `normalize`.

    For documents holding a character whose normalisation depends on its neighbours (a
    combining accent composing with its letter); ``doc_starts`` is shifted in place.
    """
    pieces = []
    prev = 0
    shift = np.zeros(len(doc_starts), dtype=np.int64)
    for i in docs:
        start = int(doc_starts[i])
        norm = np.take(tables.raw, _join([normalize(texts[i].replace("\x00", " "))]), mode="clip")
        pieces.append(info[prev:start])
        pieces.append(norm)
        prev = start + len(texts[i])
        shift[i + 1 :] += len(norm) - len(texts[i])
    pieces.append(info[prev:])
    doc_starts += shift
    return np.concatenate(pieces)


def _complex_docs(cp: U32, bad: I64, flags: U32, starts: I64, tables: _Tables) -> set[int]:
    """Return the documents whose normalisation needs `normalize` itself."""
    out: set[int] = set()
    cx = bad[(flags & _F_COMPLEX) != 0]
    out.update(np.searchsorted(starts, cx, side="right").tolist())
    mk = bad[((flags & _F_MARK) != 0) & (bad > 0)]
    if len(mk):
        # NFKC puts runs of combining marks in canonical order; a run out of order (or one
        # split by a deleted character) is left to `normalize`.
        prev = cp[mk - 1]
        unordered = (tables.packed[prev] & _F_DELETE) != 0
        unordered |= tables.ccc[prev] > tables.ccc[cp[mk]]
        out.update(np.searchsorted(starts, mk[unordered], side="right").tolist())
    return {d - 1 for d in out}


def _doc_starts(texts: list[str]) -> I64:
    """Return where each text starts in the texts joined by one separator (`_join`)."""
    doc_starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts[:-1]], out=doc_starts[1:])
    return doc_starts


def _shingle_chunk(texts: list[str], params: ShingleParams) -> tuple[U32, I64]:
    """Shingle hashes of one batch of texts, as a CSR pair."""
    if _jit.enabled():
        return _compiled_chunk(texts, params)
    return _numpy_chunk(texts, params)


@cache
def _jit_constants(word_n: int, char_n: int) -> tuple[U64, U64, U64]:
    """The arguments of the `dedup._jit` kernels that depend only on the parameters."""
    flags = [_F_DELETE, _F_COMPLEX, _F_MARK, _F_EXPAND, _KEY_MASK]
    consts = np.array([_B_WORD, _B_NOSPACE, _F_DELETE, _R, _K_LEN, *flags], dtype=np.uint64)
    return _shingle_multipliers(word_n), _shingle_multipliers(char_n), consts


def _compiled_chunk(texts: list[str], params: ShingleParams) -> tuple[U32, I64]:
    """`_numpy_chunk` in two compiled passes (`dedup._jit.keys`, `dedup._jit.shingle_rows`).

    A batch holding a character whose normalisation depends on its neighbours (a combining
    accent that composes with its letter) gets its keys from `_keys`, as in numpy.
    """
    tables = _tables()
    word_mult, char_mult, consts = _jit_constants(params.word_n, params.char_n)
    table = tables.packed if params.normalize else tables.raw
    found = _jit.keys(
        _join(texts),
        _doc_starts(texts),
        table,
        tables.ccc,
        tables.exp_chars,
        tables.exp_len,
        tables.exp_rows,
        consts,
    )
    keys, doc_starts = found if found is not None else _keys(texts, params)
    return _jit.shingle_rows(keys, doc_starts, word_mult, char_mult, consts)


def _numpy_chunk(texts: list[str], params: ShingleParams) -> tuple[U32, I64]:
    """`_shingle_chunk` in numpy: one array operation per step over the whole batch."""
    n_docs = len(texts)
    keys, doc_starts = _keys(texts, params)
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(n_docs + 1, dtype=np.int64)
    # Token starts and ends (exclusive): a word is a run of word characters, a character
    # of a script without spaces is a token by itself. word[i + 1] is whether character i
    # is a word character (or, below, of either class).
    word = np.zeros(n + 2, dtype=bool)
    np.greater_equal(keys, _B_WORD, out=word[1:-1])
    if int(keys.max()) < _B_NOSPACE:
        # no character of a script without spaces: word edges alternate start, end
        edges = np.flatnonzero(word[1:] != word[:-1])
        starts = edges[0::2]
        ends = edges[1::2]
    else:
        nospace = np.zeros(n + 1, dtype=bool)
        np.greater_equal(keys, _B_NOSPACE, out=nospace[:n])
        word[1:-1] &= ~nospace[:n]
        prev_word = word[:-1]
        this_word = word[1:]
        start = this_word & ~prev_word
        start |= nospace
        end = prev_word & ~this_word
        end[1:] |= nospace[:n]
        starts = np.flatnonzero(start)
        ends = np.flatnonzero(end)
    n_tok = len(starts)
    # Token hashes: a 32-bit polynomial over the keys, via prefix sums (uint32 prefix sums
    # cost half of uint64 ones), widened with the token's length and mixed to 64 bits.
    fwd, inv = _POWERS.get(n + 1)
    acc = np.empty(n + 1, dtype=np.uint32)
    acc[0] = 0
    np.multiply(keys, fwd[:n], out=acc[1:])
    np.cumsum(acc, out=acc)
    poly = acc[ends]
    poly -= acc[starts]
    poly *= inv[starts]
    tok = (ends - starts).astype(np.uint64)
    tok <<= np.uint64(32)
    tok |= poly
    _splitmix(tok)
    if n_docs == 1:
        return _one_doc(keys, starts, tok, params)
    # Tokens per document (a NUL separates documents: no token spans two).
    tok_off = np.empty(n_docs + 1, dtype=np.int64)
    tok_off[:-1] = np.searchsorted(starts, doc_starts)
    tok_off[-1] = n_tok
    t_doc = np.diff(tok_off)
    if params.word_n == params.char_n:
        doc_n = np.full(n_docs, params.word_n, dtype=np.int64)
    else:
        ns_tok = np.zeros(n_tok + 1, dtype=np.int64)
        np.cumsum(keys[starts] >= _B_NOSPACE, out=ns_tok[1:])
        ns_doc = ns_tok[tok_off[1:]] - ns_tok[tok_off[:-1]]
        doc_n = np.where(2 * ns_doc > t_doc, params.char_n, params.word_n)
    counts = np.where(t_doc >= doc_n, t_doc - doc_n + 1, (t_doc > 0).astype(np.int64))
    if params.word_n == params.char_n:
        win = _windows(tok, params.word_n)
    else:
        tok_n = np.repeat(doc_n, t_doc)
        win = np.where(
            tok_n == params.word_n, _windows(tok, params.word_n), _windows(tok, params.char_n)
        )
    # A document's windows start at its first `counts` tokens: drop the others (a few per
    # document: those too near its end for a whole window).
    win = np.delete(win, _ranges(tok_off[:-1] + counts, t_doc - counts))
    short = np.flatnonzero((t_doc > 0) & (t_doc < doc_n))
    if len(short):
        out_off = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(counts, out=out_off[1:])
        win[out_off[short]] = _short(tok, tok_off[short], t_doc[short])
    values = (win >> np.uint64(32)).astype(np.uint32)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return values, offsets


def _one_doc(keys: U32, starts: I64, tok: U64, params: ShingleParams) -> tuple[U32, I64]:
    """The end of `_numpy_chunk` for a batch of one document (a query, one `add`).

    The same values as the general path, without its per-document bookkeeping (offsets,
    window sizes and cut-offs per document: about 20 numpy calls, a quarter of the time of
    shingling one 2 KB article).
    """
    n_tok = len(tok)
    size = params.word_n
    if params.char_n != size and 2 * int(np.count_nonzero(keys[starts] >= _B_NOSPACE)) > n_tok:
        size = params.char_n
    if n_tok >= size:
        win = _windows(tok, size)[: n_tok - size + 1]
    elif n_tok:
        win = _short(tok, np.zeros(1, dtype=np.int64), np.array([n_tok], dtype=np.int64))
    else:
        return np.zeros(0, dtype=np.uint32), np.zeros(2, dtype=np.int64)
    values = (win >> np.uint64(32)).astype(np.uint32)
    return values, np.array([0, len(values)], dtype=np.int64)


def _windows(tok: U64, size: int) -> U64:
    """Return the hash of the ``size``-token window starting at each token.

    Windows near the end of the array are cut off; the caller keeps only whole windows
    inside one document.
    """
    n_tok = len(tok)
    mult = _shingle_multipliers(size)
    win: U64 = tok * mult[0]
    tmp = np.empty(n_tok, dtype=np.uint64)
    for k in range(1, min(size, n_tok)):
        m = n_tok - k
        np.multiply(tok[k:], mult[k], out=tmp[:m])
        win[:m] += tmp[:m]
    win ^= np.uint64((size * int(_K_LEN)) & _MASK64)
    return win


def _short(tok: U64, first: I64, length: I64) -> U64:
    """Return the one shingle of each document with fewer tokens than its shingle size.

    It is the window of all its tokens: the multipliers of a window's first tokens are the
    same for every size.
    """
    longest = int(length.max())
    mult = _shingle_multipliers(longest)
    acc = np.zeros(len(first), dtype=np.uint64)
    for k in range(longest):
        live = length > k
        acc[live] += tok[first[live] + k] * mult[k]
    acc ^= length.astype(np.uint64) * _K_LEN
    return acc


def _ranges(starts: I64, lengths: I64) -> I64:
    """Concatenate ``arange(s, s + n)`` for every ``(s, n)``."""
    total = int(lengths.sum())
    out = np.ones(total, dtype=np.int64)
    if total == 0:
        return out
    keep = lengths > 0
    starts = starts[keep]
    lengths = lengths[keep]
    pos = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=pos[1:])
    out[pos[0]] = starts[0]
    out[pos[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(out)
