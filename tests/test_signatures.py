"""MinHash signatures: bit-identity with datasketch affine32, estimates, schemes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

import dedup.signatures as sigmod
from dedup.errors import ConfigError, InputError
from dedup.shingle import ShingleParams, shingle_batch, shingle_hashes
from dedup.signatures import (
    SignatureScheme,
    fmix32,
    from_datasketch,
    minhash_batch,
    permutations,
    signatures,
    to_datasketch,
)

TEXTS = [
    "",
    "one",
    "one two three four five",
    "The central bank kept its benchmark interest rate unchanged on Thursday, saying "
    "inflation was easing but remained above its target.",
    "国家统计局今天发布数据显示，今年前三季度全国居民人均可支配收入实际增长。",
    "... ?",
    "The central bank kept its benchmark rate unchanged on Thursday, saying inflation was "
    "easing but remained above target.",
]

# every test here runs on both signing paths: numpy and the compiled kernels
pytestmark = pytest.mark.usefixtures("signing_kernel")


def datasketch_row(hashes, num_perm, seed, *, one_by_one=False):
    m = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=lambda x: x)
    if one_by_one:
        for h in hashes:
            m.update(h)
    else:
        m.update_batch(hashes)
    return m.hashvalues


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (1, 0), (64, 7), (256, 42), (33, 2**31)])
def test_permutations_equal_datasketch(num_perm, seed):
    a, b = permutations(SignatureScheme(num_perm=num_perm, seed=seed))
    ma, mb = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert a.tolist() == ma.tolist()
    assert b.tolist() == mb.tolist()


def test_fmix32_equals_datasketch():
    from datasketch.minhash import _fmix

    x = np.random.default_rng(0).integers(0, 2**32, 1000, dtype=np.uint32)
    assert fmix32(x).tolist() == _fmix(x.copy(), 32).tolist()


@pytest.mark.parametrize("path", ["broadcast", "loop"])
@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 42), (1, 0)])
def test_signatures_bit_identical_to_datasketch(monkeypatch, num_perm, seed, path):
    if path == "loop":  # the per-permutation loop that large batches take
        monkeypatch.setattr(sigmod, "_SMALL_CELLS", 0)
    scheme = SignatureScheme(num_perm=num_perm, seed=seed)
    sig, counts = signatures(TEXTS, scheme)
    assert sig.shape == (len(TEXTS), num_perm)
    assert sig.dtype == np.uint32
    assert sig.flags.c_contiguous
    for i, text in enumerate(TEXTS):
        hashes = shingle_hashes(text).tolist()
        assert counts[i] == len(set(hashes))
        want = datasketch_row(hashes, num_perm, seed)
        assert sig[i].tolist() == want.tolist(), (i, text)
        # one text alone takes the one-document paths of shingling and signing
        alone, count = signatures([text], scheme)
        assert alone.shape == (1, num_perm)
        assert alone.flags.c_contiguous
        assert alone[0].tolist() == want.tolist(), (i, text)
        assert count.tolist() == [counts[i]]
    # empty documents (no shingle) keep datasketch's empty value in every slot
    assert (sig[0] == 0xFFFFFFFF).all()
    assert (sig[5] == 0xFFFFFFFF).all()
    # one-shingle document, fed value by value
    one = shingle_hashes("one").tolist()
    assert sig[1].tolist() == datasketch_row(one, num_perm, seed, one_by_one=True).tolist()


def _reference(values, offsets, scheme):
    a, b = permutations(scheme)
    out = np.full((len(offsets) - 1, scheme.num_perm), 0xFFFFFFFF, dtype=np.uint32)
    h = fmix32(values)
    for i in range(len(offsets) - 1):
        row = h[offsets[i] : offsets[i + 1]]
        if len(row):
            out[i] = (a[None, :] * row[:, None] + b[None, :]).min(axis=0)
    return out


@pytest.mark.parametrize("block", [5, 256, 1 << 17, "broadcast"])
def test_rows_cut_by_blocks_and_empty_rows(monkeypatch, block):
    # rows longer than a block, rows across block boundaries, runs of empty rows; the
    # per-permutation loop with pieces of `block` shingles, or all in one broadcast array
    if block == "broadcast":
        monkeypatch.setattr(sigmod, "_SMALL_CELLS", 1 << 30)
    else:
        monkeypatch.setattr(sigmod, "_SMALL_CELLS", 0)
        monkeypatch.setattr(sigmod, "_PIECE", block)
    rng = np.random.default_rng(5)
    lengths = rng.integers(0, 400, 60)
    lengths[[0, 1, 2, 30, 59]] = 0
    lengths[10] = 3000
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    values = rng.integers(0, 2**32, offsets[-1], dtype=np.uint32)
    scheme = SignatureScheme(num_perm=16, seed=3)
    got = minhash_batch(values, offsets, scheme)
    assert got.tolist() == _reference(values, offsets, scheme).tolist()
    assert (
        got[10].tolist()
        == datasketch_row(values[offsets[10] : offsets[11]].tolist(), 16, 3).tolist()
    )


def test_offsets_not_starting_at_zero():
    values = np.arange(100, dtype=np.uint32)
    offsets = np.array([10, 20, 20, 35])
    scheme = SignatureScheme(num_perm=8)
    got = minhash_batch(values, offsets, scheme)
    assert got.tolist() == _reference(values, offsets, scheme).tolist()
    for i in range(3):
        row = values[offsets[i] : offsets[i + 1]].tolist()
        want = datasketch_row(row, 8, 1) if row else np.full(8, 0xFFFFFFFF)
        assert got[i].tolist() == list(want)
        # the same row as a batch of one
        one = minhash_batch(values, offsets[i : i + 2], scheme)
        assert one.shape == (1, 8)
        assert one[0].tolist() == list(want)


def test_minhash_batch_input_errors():
    with pytest.raises(InputError, match="non-decreasing"):
        minhash_batch(np.arange(5, dtype=np.uint32), np.array([0, 3, 2]))
    with pytest.raises(InputError, match="32-bit"):
        minhash_batch(np.array([-1, 2]), np.array([0, 2]))
    with pytest.raises(InputError, match="1-d"):
        minhash_batch(np.zeros((2, 2), np.uint32), np.array([0, 2]))
    # Python ints and int64 arrays in range are accepted
    ints = minhash_batch(np.array([1, 2, 3]), np.array([0, 3]))
    assert ints.tolist() == minhash_batch(np.array([1, 2, 3], np.uint32), np.array([0, 3])).tolist()


# --- datasketch interoperation ------------------------------------------------------------


def test_to_and_from_datasketch_round_trip():
    scheme = SignatureScheme(num_perm=64, seed=9)
    sig, _ = signatures(TEXTS, scheme)
    lean = to_datasketch(sig[3], scheme)
    assert isinstance(lean, LeanMinHash)
    assert lean.seed == 9
    assert lean.scheme == "affine32"
    row, back = from_datasketch(lean)
    assert row.tolist() == sig[3].tolist()
    assert back == scheme
    # a datasketch MinHash of the same inputs is equal to ours
    m = MinHash(num_perm=64, seed=9, scheme="affine32", hashfunc=lambda x: x)
    m.update_batch(shingle_hashes(TEXTS[3]).tolist())
    assert lean == LeanMinHash(m)
    assert lean.jaccard(m) == 1.0
    with pytest.raises(InputError, match="num_perm=64"):
        to_datasketch(sig, scheme)


def test_from_datasketch_refuses_other_schemes():
    for name in ("legacy", "affine64"):
        m = MinHash(num_perm=16, scheme=name)
        with pytest.raises(ConfigError, match=name):
            from_datasketch(m)


def test_our_signatures_work_in_datasketch_lsh():
    docs = [
        "Stocks rose sharply on Monday as investors cheered strong earnings from technology "
        "companies and signs that inflation is cooling faster than expected in Europe.",
        "The city council voted to expand the bike lane network across downtown after a "
        "two year study found that cycling injuries had fallen on streets with protection.",
    ]
    copy = docs[0].replace("Monday", "Tuesday")
    scheme = SignatureScheme(num_perm=128, seed=1)
    sig, _ = signatures(docs, scheme)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for i in range(len(docs)):
        lsh.insert(f"ours-{i}", to_datasketch(sig[i], scheme))
    m = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=lambda x: x)
    m.update_batch(shingle_hashes(copy).tolist())
    assert lsh.query(m) == ["ours-0"]
    # and the other way round: a datasketch sketch in the index, our row as the query
    lsh2 = MinHashLSH(threshold=0.5, num_perm=128)
    lsh2.insert("theirs", m)
    assert lsh2.query(to_datasketch(sig[0], scheme)) == ["theirs"]
    assert lsh2.query(to_datasketch(sig[1], scheme)) == []


# --- estimates ----------------------------------------------------------------------------

WORDS = st.lists(st.sampled_from([f"w{i}" for i in range(40)]), min_size=0, max_size=80)


@given(WORDS, WORDS, st.integers(0, 2**32 - 1))
def test_estimated_jaccard_is_near_exact_jaccard(a_words, b_words, seed):
    # Each slot is equal with probability J (MinHash), independently across slots to a good
    # approximation: the share of equal slots has standard deviation sqrt(J(1-J)/256). Five
    # of them: a false alarm about once in 1.7 million examples; a broken signature fails.
    params = ShingleParams(word_n=2)
    scheme = SignatureScheme(num_perm=256, seed=seed, shingle=params)
    texts = [" ".join(a_words), " ".join(b_words)]
    sig, _ = signatures(texts, scheme)
    sa = set(shingle_hashes(texts[0], params).tolist())
    sb = set(shingle_hashes(texts[1], params).tolist())
    if not sa or not sb:
        return  # too short for a signature: callers compare those exactly
    exact = len(sa & sb) / len(sa | sb)
    estimate = float((sig[0] == sig[1]).mean())
    sd = math.sqrt(exact * (1 - exact) / 256)
    assert abs(estimate - exact) <= 5 * sd + 1e-12


def test_estimates_are_unbiased():
    # many independent pairs at a known Jaccard: the mean estimate is within 4 standard errors
    rng = np.random.default_rng(1)
    values, offsets, exact = [], [0], []
    for _ in range(200):
        base = rng.choice(2**32, 400, replace=False).astype(np.uint32)
        other = base.copy()
        other[rng.choice(400, 100, replace=False)] = rng.integers(0, 2**32, 100, dtype=np.uint32)
        values += [base, other]
        offsets += [offsets[-1] + 400, offsets[-1] + 800]
        exact.append(300 / 500)
    sig = minhash_batch(np.concatenate(values), np.array(offsets), SignatureScheme(num_perm=128))
    est = (sig[0::2] == sig[1::2]).mean(axis=1)
    se = math.sqrt(0.6 * 0.4 / 128 / 200)
    assert abs(est.mean() - 0.6) < 4 * se


# --- schemes ------------------------------------------------------------------------------


def test_scheme_round_trip():
    s = SignatureScheme(num_perm=64, seed=3, shingle=ShingleParams(word_n=4))
    d = json.loads(json.dumps(s.to_dict()))
    assert SignatureScheme.from_dict(d) == s
    assert d["scheme"] == "affine32"
    assert d["shingle"]["word_n"] == 4


@pytest.mark.parametrize(
    ("other", "fields"),
    [
        (SignatureScheme(num_perm=64), ["num_perm 128 != 64"]),
        (SignatureScheme(seed=2), ["seed 1 != 2"]),
        (SignatureScheme(shingle=ShingleParams(word_n=3)), ["shingle.word_n 5 != 3"]),
        (
            SignatureScheme(num_perm=256, shingle=ShingleParams(normalize=False)),
            ["num_perm 128 != 256", "shingle.normalize True != False"],
        ),
    ],
)
def test_check_compatible_names_every_differing_field(other, fields):
    with pytest.raises(ConfigError) as err:
        SignatureScheme().check_compatible(other, what="the index at seen.db")
    msg = str(err.value)
    assert "the index at seen.db" in msg
    assert "re-sign" in msg
    for f in fields:
        assert f in msg
    SignatureScheme().check_compatible(SignatureScheme())  # equal schemes pass


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_perm": 0}, "num_perm"),
        ({"num_perm": 12.0}, "num_perm"),
        ({"seed": -1}, "seed"),
        ({"scheme": "legacy"}, "only 'affine32'"),
        ({"shingle": {"word_n": 5}}, "ShingleParams"),
    ],
)
def test_scheme_bad_values(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SignatureScheme(**kwargs)


def test_scheme_from_dict_errors():
    with pytest.raises(ConfigError, match="'perms'"):
        SignatureScheme.from_dict({"perms": 128})
    with pytest.raises(ConfigError, match="word_n"):
        SignatureScheme.from_dict({"shingle": {"word_n": -1}})
    assert SignatureScheme.from_dict({"shingle": {"word_n": 3}}).shingle.word_n == 3


def test_shingle_batch_and_minhash_batch_compose():
    values, offsets = shingle_batch(TEXTS)
    sig, _ = signatures(TEXTS)
    assert minhash_batch(values, offsets).tolist() == sig.tolist()


def test_save_and_load_keep_the_scheme(tmp_path):
    scheme = SignatureScheme(num_perm=32, seed=4, shingle=ShingleParams(word_n=3))
    sig, counts = signatures(TEXTS, scheme)
    path = tmp_path / "sigs.npz"
    sigmod.save(path, sig, counts, scheme)
    got, got_counts, got_scheme = sigmod.load(path, expect=scheme)
    assert got.tolist() == sig.tolist()
    assert got_counts.tolist() == counts.tolist()
    assert got_scheme == scheme
    with pytest.raises(ConfigError, match=r"shingle\.word_n 5 != 3"):
        sigmod.load(path, expect=SignatureScheme(num_perm=32, seed=4))
    with pytest.raises(InputError, match="num_perm=64"):
        sigmod.save(path, sig, counts, SignatureScheme(num_perm=64))
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(InputError, match="no dedup signatures"):
        sigmod.load(tmp_path / "other.npz")


def test_counts_cover_every_text_when_one_signature_piece_spans_several_chunks():
    # Regression: shingle_chunks cuts a batch every BATCH_CHARS characters, and several such
    # chunks can go into one MinHash piece; every text must still get its count.
    from dedup.shingle import BATCH_CHARS
    from dedup.signatures import signatures

    text = " ".join(f"w{i}" for i in range(BATCH_CHARS // 20))
    texts = [text + f" doc{k}" for k in range(12)]
    sigs, counts = signatures(texts)
    assert sigs.shape[0] == counts.shape[0] == len(texts)


def test_no_texts():
    sig, counts = signatures([], SignatureScheme(num_perm=16))
    assert sig.shape == (0, 16)
    assert counts.shape == (0,)
