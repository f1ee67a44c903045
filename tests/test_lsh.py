"""Tests of dedup.lsh: banding choice, band keys and candidate pairs against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.cluster import connected_components, min_jaccard
from dedup.errors import ConfigError, InputError
from dedup.lsh import band_keys, banding_recall, candidate_pairs, choose_bands


def s_curve(b: int, r: int, j: float) -> float:
    return 1.0 - (1.0 - j**r) ** b


def brute_force(sigs: np.ndarray, bands: int, rows: int) -> list[tuple[int, int]]:
    out = []
    for i, j in itertools.combinations(range(len(sigs)), 2):
        for b in range(bands):
            sl = slice(b * rows, (b + 1) * rows)
            if np.array_equal(sigs[i, sl], sigs[j, sl]):
                out.append((i, j))
                break
    return out


# --- choose_bands ---------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0.8, 0.85, 0.9, 0.95, 1.0])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_choose_bands_reaches_recall_when_any_banding_can(threshold, num_perm):
    b, r = choose_bands(threshold, num_perm)
    assert b >= 1
    assert r >= 2
    assert b * r <= num_perm
    j_min = min_jaccard(threshold)
    achievable = max(s_curve(num_perm // rr, rr, j_min) for rr in range(2, num_perm + 1))
    got = s_curve(b, r, j_min)
    if achievable >= 0.95:
        assert got >= 0.95
    else:  # best effort: nothing with 2+ rows does better
        assert got == pytest.approx(achievable)
    assert float(banding_recall(b, r, j_min)) == pytest.approx(got)


def test_choose_bands_default_and_wide_signatures():
    # 128 perms at threshold 0.8: J_min = 0.196, no 2-row banding reaches 0.95; 64x2 is best
    assert choose_bands(0.8, 128) == (64, 2)
    assert s_curve(64, 2, min_jaccard(0.8)) > 0.9
    b, r = choose_bands(0.8, 256)
    assert s_curve(b, r, min_jaccard(0.8)) >= 0.95


def test_choose_bands_size_ratio_aims_lower():
    # truncated copies holding a quarter of their original: J_min 0.07
    j_min = min_jaccard(0.8, size_ratio=0.25)
    b, r = choose_bands(0.8, 128, size_ratio=0.25, min_rows=1)
    assert s_curve(b, r, j_min) >= 0.95
    assert s_curve(*choose_bands(0.8, 128), j_min) < 0.95
    with pytest.raises(ConfigError, match="size_ratio"):
        choose_bands(0.8, 128, size_ratio=2)


def test_choose_bands_min_rows_one_insists_on_recall():
    b, r = choose_bands(0.8, 128, min_rows=1, recall=0.99)
    assert s_curve(b, r, min_jaccard(0.8)) >= 0.99


def test_choose_bands_keeps_unrelated_pairs_rare_at_high_threshold():
    b, r = choose_bands(0.95, 128)
    j_min = min_jaccard(0.95)
    assert s_curve(b, r, j_min) >= 0.95
    # pairs far below the verifying range are rarely proposed
    assert s_curve(b, r, j_min / 4) < 0.1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold": 80, "num_perm": 128}, r"did you mean 0\.8\?"),
        ({"threshold": 0.0, "num_perm": 128}, "threshold"),
        ({"threshold": -0.5, "num_perm": 128}, "threshold"),
        ({"threshold": "0.8", "num_perm": 128}, "threshold"),
        ({"threshold": 0.8, "num_perm": 0}, "num_perm"),
        ({"threshold": 0.8, "num_perm": 1.5}, "num_perm"),
        ({"threshold": 0.8, "num_perm": 128, "word_n": 0}, "word_n"),
        ({"threshold": 0.8, "num_perm": 128, "recall": 1.0}, "recall"),
        ({"threshold": 0.8, "num_perm": 4, "min_rows": 5}, "min_rows"),
        ({"threshold": 0.8, "num_perm": 128, "fp_weight": 0, "fn_weight": 0}, "weight"),
    ],
)
def test_choose_bands_rejects_bad_inputs(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        choose_bands(**kwargs)


# --- candidate_pairs ------------------------------------------------------------------------


@st.composite
def planted(draw):
    """A small signature matrix with rows sharing random bands of other rows."""
    rows = draw(st.integers(1, 4))
    bands = draw(st.integers(1, 5))
    extra = draw(st.integers(0, 3))  # slots beyond the bands, ignored
    n = draw(st.integers(0, 24))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # a small alphabet makes chance collisions common too
    alphabet = draw(st.sampled_from([3, 50, 2**32]))
    sigs = rng.integers(0, alphabet, size=(n, bands * rows + extra), dtype=np.uint64)
    sigs = sigs.astype(np.uint32)
    for _ in range(draw(st.integers(0, 2 * n))):
        i, j = rng.integers(0, n, size=2) if n else (0, 0)
        b = int(rng.integers(0, bands))
        sigs[j, b * rows : (b + 1) * rows] = sigs[i, b * rows : (b + 1) * rows]
    return sigs, bands, rows


@given(planted())
def test_candidate_pairs_equal_brute_force(case):
    sigs, bands, rows = case
    got = candidate_pairs(sigs, bands, rows, max_bucket=10**6)
    assert got.dtype == np.int64
    assert got.shape[1] == 2
    assert [tuple(p) for p in got.tolist()] == brute_force(sigs, bands, rows)


@given(planted())
def test_candidate_pairs_sorted_unique_ordered(case):
    sigs, bands, rows = case
    got = candidate_pairs(sigs, bands, rows, max_bucket=3)
    assert (got[:, 0] < got[:, 1]).all()
    as_tuples = [tuple(p) for p in got.tolist()]
    assert as_tuples == sorted(set(as_tuples))
    # capped pairs are a subset of the full set
    assert set(as_tuples) <= set(brute_force(sigs, bands, rows))


def test_band_index_is_part_of_the_key():
    # doc 0's band 0 equals doc 1's band 1: different bands, so not a candidate
    sigs = np.array([[5, 6, 1, 2], [3, 4, 5, 6]], dtype=np.uint32)
    assert candidate_pairs(sigs, 2, 2).shape == (0, 2)
    keys = band_keys(sigs, 2, 2)
    assert keys[0, 0] != keys[1, 1]


def test_band_keys_match_band_equality():
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 4, size=(40, 12), dtype=np.uint32)
    keys = band_keys(sigs, 4, 3)
    assert keys.shape == (40, 4)
    assert keys.dtype == np.uint64
    for b in range(4):
        band = sigs[:, b * 3 : (b + 1) * 3]
        for i, j in itertools.combinations(range(40), 2):
            assert (keys[i, b] == keys[j, b]) == np.array_equal(band[i], band[j])


def test_candidate_pairs_on_memmap(tmp_path):
    rng = np.random.default_rng(7)
    sigs = rng.integers(0, 2**32, size=(300, 16), dtype=np.uint32)
    for k in range(0, 300, 3):  # plant: doc k+1 shares band (k % 8) with doc k
        b = k % 8
        sigs[k + 1, 2 * b : 2 * b + 2] = sigs[k, 2 * b : 2 * b + 2]
    path = tmp_path / "sigs.u32"
    sigs.tofile(path)
    mm = np.memmap(path, dtype=np.uint32, mode="r", shape=(300, 16))
    got = candidate_pairs(mm, 8, 2)
    assert np.array_equal(got, candidate_pairs(sigs, 8, 2))
    assert {(k, k + 1) for k in range(0, 300, 3)} <= {tuple(p) for p in got.tolist()}


def test_candidate_pairs_memmap_in_many_chunks(tmp_path, monkeypatch):
    # several row chunks and band groups: same answer as one pass
    import dedup.lsh as lsh

    rng = np.random.default_rng(11)
    sigs = rng.integers(0, 6, size=(500, 8), dtype=np.uint32)
    want = candidate_pairs(sigs, 4, 2)
    monkeypatch.setattr(lsh, "CHUNK_ROWS", 64)
    monkeypatch.setattr(lsh, "KEY_BUDGET", 500 * 8)  # one band per group
    path = tmp_path / "sigs.u32"
    sigs.tofile(path)
    mm = np.memmap(path, dtype=np.uint32, mode="r", shape=(500, 8))
    assert np.array_equal(candidate_pairs(mm, 4, 2), want)


def test_big_bucket_is_capped_and_connected():
    rng = np.random.default_rng(5)
    n = 400
    sigs = rng.integers(0, 2**32, size=(n, 8), dtype=np.uint32)
    sigs[:, :2] = 7  # every document shares band 0: one bucket of 400
    got = candidate_pairs(sigs, 4, 2, max_bucket=16)
    assert len(got) < 2 * n  # a star plus a chain, not 400*399/2
    labels = connected_components(n, got)
    assert (labels == 0).all()
    # a pair sharing another band is still found
    sigs[10, 4:6] = sigs[300, 4:6]
    assert (10, 300) in {tuple(p) for p in candidate_pairs(sigs, 4, 2, max_bucket=16).tolist()}


def test_big_bucket_links_do_not_depend_on_input_order():
    rng = np.random.default_rng(9)
    n = 120
    sigs = rng.integers(0, 2**32, size=(n, 4), dtype=np.uint32)
    sigs[:, :2] = 1
    perm = rng.permutation(n)
    a = {tuple(p) for p in candidate_pairs(sigs, 2, 2, max_bucket=8).tolist()}
    b = candidate_pairs(sigs[perm], 2, 2, max_bucket=8)
    back = {tuple(sorted((int(perm[i]), int(perm[j])))) for i, j in b.tolist()}
    assert a == back


def test_candidate_pairs_small_inputs():
    assert candidate_pairs(np.empty((0, 4), dtype=np.uint32), 2, 2).shape == (0, 2)
    assert candidate_pairs(np.ones((1, 4), dtype=np.uint32), 2, 2).shape == (0, 2)
    assert candidate_pairs(np.ones((2, 4), dtype=np.uint32), 2, 2).tolist() == [[0, 1]]


@pytest.mark.parametrize(
    ("sigs", "bands", "rows", "kwargs", "error", "match"),
    [
        (np.ones((2, 4), dtype=np.uint32), 3, 2, {}, ConfigError, "at most num_perm"),
        (np.ones((2, 4), dtype=np.uint32), 0, 2, {}, ConfigError, "bands"),
        (np.ones((2, 4), dtype=np.uint32), 2, 2.0, {}, ConfigError, "rows"),
        (np.ones((2, 4), dtype=np.uint32), 2, 2, {"max_bucket": 1}, ConfigError, "max_bucket"),
        (np.ones((2, 4), dtype=np.int64), 2, 2, {}, InputError, "uint32"),
        (np.ones(4, dtype=np.uint32), 2, 2, {}, InputError, "2-D"),
        ([[1, 2], [1, 2]], 1, 2, {}, InputError, "numpy array"),
    ],
)
def test_candidate_pairs_rejects_bad_inputs(sigs, bands, rows, kwargs, error, match):
    with pytest.raises(error, match=match):
        candidate_pairs(sigs, bands, rows, **kwargs)


def test_datasketch_signatures_of_a_copy_become_candidates():
    from datasketch import MinHash

    words = [f"w{i}" for i in range(300)]
    edited = list(words)
    for k in range(0, 300, 20):  # 5% of words changed
        edited[k] = f"x{k}"
    other = [f"o{i}" for i in range(300)]

    def sig(ws):
        m = MinHash(num_perm=128, seed=1, scheme="affine32")
        for i in range(len(ws) - 4):
            m.update(" ".join(ws[i : i + 5]).encode())
        return m.hashvalues.astype(np.uint32)

    sigs = np.vstack([sig(words), sig(other), sig(edited)])
    b, r = choose_bands(0.8, 128)
    assert candidate_pairs(sigs, b, r).tolist() == [[0, 2]]
