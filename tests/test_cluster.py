"""Tests of dedup.cluster: the similarity scale, union-find and order-independent clustering."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.cluster import (
    Clustering,
    cluster_signatures,
    connected_components,
    containment_from_jaccard,
    min_jaccard,
    pair_similarity,
    similarity_from_containment,
)
from dedup.errors import ConfigError, InputError


def datasketch_sig(shingles):
    from datasketch import MinHash

    m = MinHash(num_perm=128, seed=1, scheme="affine32")
    for s in shingles:
        m.update(s.encode())
    return m.hashvalues.astype(np.uint32)


def word_shingles(words, n=5):
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


# --- the similarity scale -------------------------------------------------------------------


def test_min_jaccard_round_trips_to_threshold():
    for t in (0.6, 0.8, 0.9, 1.0):
        for ratio in (1.0, 0.5, 0.1):
            j = min_jaccard(t, size_ratio=ratio)
            c = containment_from_jaccard(j, 100 * ratio, 100)
            assert float(similarity_from_containment(c)) == pytest.approx(t)
    assert min_jaccard(0.8) == pytest.approx(0.32768 / (2 - 0.32768))


def test_min_jaccard_rejects_bad_inputs():
    with pytest.raises(ConfigError, match="size_ratio"):
        min_jaccard(0.8, size_ratio=0)
    with pytest.raises(ConfigError, match=r"did you mean 0\.85"):
        min_jaccard(85)
    with pytest.raises(ConfigError, match="word_n"):
        min_jaccard(0.8, word_n=0)


def test_pair_similarity_matches_direct_computation():
    rng = np.random.default_rng(1)
    sigs = rng.integers(0, 5, size=(30, 64), dtype=np.uint32)
    sizes = rng.integers(1, 500, size=30)
    pairs = rng.integers(0, 30, size=(200, 2))
    j, c, s = pair_similarity(sigs, sizes, pairs, word_n=3)
    for k, (a, b) in enumerate(pairs.tolist()):
        jj = float(np.mean(sigs[a] == sigs[b]))
        cc = min(1.0, jj * (sizes[a] + sizes[b]) / ((1 + jj) * min(sizes[a], sizes[b])))
        assert j[k] == pytest.approx(jj, rel=1e-6)
        assert c[k] == pytest.approx(cc, rel=1e-6)
        assert s[k] == pytest.approx(cc ** (1 / 3), rel=1e-6)
    assert j.dtype == c.dtype == s.dtype == np.float32


def test_pair_similarity_of_nothing():
    j, c, s = pair_similarity(np.zeros((3, 8), dtype=np.uint32), [1, 2, 3], np.empty((0, 2)))
    assert len(j) == len(c) == len(s) == 0


def test_truncated_copy_has_containment_near_one():
    words = [f"w{i % 997}x{i}" for i in range(1000)]
    full = word_shingles(words)
    head = word_shingles(words[:250])  # a "Read more" copy: the first quarter
    sigs = np.vstack([datasketch_sig(full), datasketch_sig(head)])
    j, c, s = pair_similarity(sigs, [len(full), len(head)], [[0, 1]])
    assert j[0] < 0.45  # true Jaccard 0.246
    assert c[0] > 0.85
    assert s[0] > 0.95


def test_edited_copy_verifies_and_different_article_does_not():
    rng = np.random.default_rng(2)
    vocab = [f"v{k}" for k in range(2000)]
    words = list(rng.choice(vocab, 400))
    edited = [w if rng.random() > 0.1 else "edit" for w in words]  # ~10% of words edited
    other = list(rng.choice(vocab, 400))
    sets = [word_shingles(words), word_shingles(edited), word_shingles(other)]
    sigs = np.vstack([datasketch_sig(x) for x in sets])
    _, _, s = pair_similarity(sigs, [len(x) for x in sets], [[0, 1], [0, 2]])
    assert s[0] >= 0.8
    assert s[1] < 0.6


@pytest.mark.parametrize(
    ("sizes", "pairs", "match"),
    [
        ([1, 2], [[0, 1]], "one shingle count per signature row"),
        ([1, 0, 3], [[0, 1]], "document 1 has 0 shingles"),
        ([1.5, 2, 3], [[0, 1]], "integer"),
        ([1, 2, 3], [[0, 3]], "outside"),
        ([1, 2, 3], [0, 1], "pairs must be"),
    ],
)
def test_pair_similarity_rejects_bad_inputs(sizes, pairs, match):
    with pytest.raises(InputError, match=match):
        pair_similarity(np.zeros((3, 4), dtype=np.uint32), sizes, pairs)


# --- connected components -------------------------------------------------------------------


def reference_components(n, pairs):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(x) for x in range(n)]
    smallest = {}
    for x in range(n):
        smallest.setdefault(roots[x], x)
    return [smallest[r] for r in roots]


@given(
    st.integers(0, 40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))), max_size=60
            )
            if n
            else st.just([]),
        )
    )
)
def test_connected_components_equal_reference(case):
    n, pairs = case
    got = connected_components(n, np.array(pairs, dtype=np.int64).reshape(-1, 2))
    assert got.tolist() == reference_components(n, pairs)


def test_connected_components_edge_cases():
    assert connected_components(0, np.empty((0, 2))).tolist() == []
    assert connected_components(3, []).tolist() == [0, 1, 2]
    # self-pairs are accepted and change nothing
    assert connected_components(3, [[2, 2], [1, 1]]).tolist() == [0, 1, 2]
    # a long chain given in the worst order
    n = 1000
    chain = np.stack((np.arange(n - 1, 0, -1), np.arange(n - 2, -1, -1)), axis=1)
    assert (connected_components(n, chain) == 0).all()
    with pytest.raises(ConfigError, match="non-negative"):
        connected_components(-1, [])
    with pytest.raises(InputError, match="outside"):
        connected_components(2, [[0, 2]])


# --- cluster_signatures ---------------------------------------------------------------------


@st.composite
def corpora(draw):
    """Signatures of originals and of copies keeping a random share of their slots."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_orig = draw(st.integers(1, 12))
    n_copy = draw(st.integers(0, 20))
    width = 32
    sigs = rng.integers(0, 2**32, size=(n_orig + n_copy, width), dtype=np.uint64)
    sigs = sigs.astype(np.uint32)
    sizes = rng.integers(20, 200, size=n_orig + n_copy)
    for k in range(n_orig, n_orig + n_copy):
        src = int(rng.integers(0, k))  # copies of copies too: chains
        keep = rng.random(width) < draw(st.sampled_from([0.3, 0.6, 0.9, 1.0]))
        sigs[k, keep] = sigs[src, keep]
        if draw(st.booleans()):
            sizes[k] = sizes[src]  # equal sizes: ties broken by row content
    if draw(st.booleans()) and n_orig + n_copy > 1:
        sigs[1] = sigs[0]  # identical rows
    priority = rng.integers(0, 3, size=n_orig + n_copy) if draw(st.booleans()) else None
    return sigs, sizes, priority, rng.permutation(n_orig + n_copy)


def partition(result):
    return {frozenset(np.flatnonzero(result.labels == r).tolist()) for r in set(result.labels)}


def check_clustering(result, sigs, sizes, priority, threshold=0.8):
    n = len(sigs)
    labels = result.labels
    assert labels.dtype == np.int64
    assert len(labels) == n
    # every document in exactly one cluster, whose representative represents itself
    assert (labels[labels] == labels).all()
    key = -np.asarray(sizes) if priority is None else np.asarray(priority)
    for rep in set(labels.tolist()):
        members = np.flatnonzero(labels == rep)
        assert key[rep] == key[members].min()
    # similarity to the representative, computed directly
    others = np.flatnonzero(labels != np.arange(n))
    _, _, s = pair_similarity(sigs, sizes, np.stack((others, labels[others]), axis=1))
    assert np.array_equal(result.similarity[others], s)
    assert (result.similarity[labels == np.arange(n)] == 1.0).all()
    # verified pairs all reach the threshold and connect exactly the clusters
    assert (result.pair_similarity >= np.float32(threshold) - 1e-6).all()
    assert (
        connected_components(n, result.pairs)
        == connected_components(n, np.stack((np.arange(n), labels), axis=1))
    ).all()
    assert result.candidates >= len(result.pairs)


@given(corpora())
def test_cluster_signatures_does_not_depend_on_input_order(case):
    sigs, sizes, priority, perm = case
    a = cluster_signatures(sigs, sizes, priority=priority, bands=16, rows=2)
    pp = None if priority is None else priority[perm]
    b = cluster_signatures(sigs[perm], sizes[perm], priority=pp, bands=16, rows=2)
    check_clustering(a, sigs, sizes, priority)
    check_clustering(b, sigs[perm], sizes[perm], pp)
    # the same clusters, as sets of original documents
    mapped = {frozenset(int(perm[i]) for i in c) for c in partition(b)}
    assert mapped == partition(a)
    # the same representatives, up to documents that are indistinguishable (same row, size
    # and priority)
    key = sizes if priority is None else np.stack((priority, sizes), axis=1)
    for i in range(len(sigs)):
        ra, rb = a.labels[perm[i]], perm[b.labels[i]]
        assert np.array_equal(sigs[ra], sigs[rb])
        assert np.array_equal(key[ra], key[rb])
    assert np.allclose(b.similarity, a.similarity[perm])
    assert a.candidates == b.candidates
    assert len(a.pairs) == len(b.pairs)


def test_cluster_signatures_finds_planted_clusters_and_chains():
    rng = np.random.default_rng(4)
    sigs = rng.integers(0, 2**32, size=(6, 128), dtype=np.uint64).astype(np.uint32)
    sigs[1, :90] = sigs[0, :90]  # 1 ~ 0: J 0.70, sizes 100 and 300, s = 1
    sigs[2, 100:] = sigs[1, 100:]  # 2 ~ 1: J 0.22, but 2 is small, s = 0.94; 2 vs 0: J 0
    sizes = np.array([100, 300, 100, 50, 50, 50])
    result = cluster_signatures(sigs, sizes)
    assert isinstance(result, Clustering)
    assert result.labels.tolist() == [1, 1, 1, 3, 4, 5]  # 1 has the most shingles
    assert result.n_clusters == 4
    assert [c.tolist() for c in result.clusters()] == [[1, 0, 2]]
    assert len(result.clusters(min_size=1)) == 4
    assert (result.bands, result.rows) == (64, 2)
    assert result.pairs.tolist() == [[0, 1], [1, 2]]
    # with a priority: 2 represents
    result = cluster_signatures(sigs, sizes, priority=[5, 5, 0, 1, 1, 1])
    assert result.labels.tolist() == [2, 2, 2, 3, 4, 5]
    assert result.similarity[0] < result.similarity[1]  # 0 is chained in via 1


def test_cluster_signatures_threshold_decides():
    rng = np.random.default_rng(8)
    sigs = rng.integers(0, 2**32, size=(2, 128), dtype=np.uint64).astype(np.uint32)
    sigs[1, :40] = sigs[0, :40]  # J = 0.3125: s = 0.88 for equal sizes
    assert cluster_signatures(sigs, [100, 100], threshold=0.85).labels.tolist() == [0, 0]
    assert cluster_signatures(sigs, [100, 100], threshold=0.9).labels.tolist() == [0, 1]


def test_cluster_signatures_empty_and_bad_inputs():
    result = cluster_signatures(np.empty((0, 128), dtype=np.uint32), np.empty(0, dtype=np.int64))
    assert result.labels.tolist() == []
    assert result.candidates == 0
    sigs = np.zeros((2, 8), dtype=np.uint32)
    with pytest.raises(ConfigError, match="both bands and rows"):
        cluster_signatures(sigs, [1, 1], bands=4)
    with pytest.raises(InputError, match="priority"):
        cluster_signatures(sigs, [1, 1], priority=[1])
    with pytest.raises(InputError, match="NaN"):
        cluster_signatures(sigs, [1, 1], priority=[1.0, float("nan")])
    with pytest.raises(ConfigError, match="threshold"):
        cluster_signatures(sigs, [1, 1], threshold=1.5)


def test_representative_ties_go_to_the_lowest_row():
    rng = np.random.default_rng(12)
    base = rng.integers(0, 2**32, size=128, dtype=np.uint64).astype(np.uint32)
    sigs = np.tile(base, (4, 1))
    sigs[0, 120:] = [5, 5, 5, 5, 5, 5, 5, 5]  # differs from the others late in the row
    sigs[1, 120:] = [5, 5, 5, 5, 5, 5, 5, 4]  # the lowest row
    sigs[2, 120:] = [6, 0, 0, 0, 0, 0, 0, 0]
    sigs[3, 120:] = [5, 5, 5, 5, 5, 5, 6, 0]
    for perm in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        result = cluster_signatures(sigs[perm], [100] * 4)
        assert perm[result.labels[0]] == 1
    # more shingles beat a lower row; a lower priority beats both
    assert cluster_signatures(sigs, [100, 100, 120, 100]).labels.tolist() == [2] * 4
    assert cluster_signatures(sigs, [100, 100, 120, 100], priority=[1, 1, 1, 0]).labels[0] == 3


def test_cluster_signatures_on_memmap(tmp_path):
    rng = np.random.default_rng(13)
    sigs = rng.integers(0, 2**32, size=(500, 64), dtype=np.uint64).astype(np.uint32)
    sigs[250:, :50] = sigs[:250, :50]  # 250 pairs
    sizes = rng.integers(100, 120, size=500)
    path = tmp_path / "sigs.u32"
    sigs.tofile(path)
    mm = np.memmap(path, dtype=np.uint32, mode="r", shape=sigs.shape)
    a, b = cluster_signatures(sigs, sizes), cluster_signatures(mm, sizes)
    assert np.array_equal(a.labels, b.labels)
    assert np.array_equal(a.similarity, b.similarity)
    assert np.array_equal(a.pairs, b.pairs)
    assert a.n_clusters == 250
