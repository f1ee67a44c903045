"""`dedup.find_duplicates`: exact and near-duplicate clusters on real article text.

The articles are the gold texts of the 60 real pages in tests/data/dev_subset.jsonl; copies
are made from them the way scrapers and syndication make them (edits, truncation, re-casing,
other chrome around the same text).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dedup
from dedup.dups import DuplicateFinder, duplicate_columns, find_duplicates
from dedup.errors import ConfigError, InputError

ROOT = Path(__file__).resolve().parents[1]
PAGES = [json.loads(x) for x in (ROOT / "tests/data/dev_subset.jsonl").open(encoding="utf-8")]
# Articles long enough for a signature (short ones are tested on their own below).
ARTICLES = [p["gold"] for p in PAGES if len(p["gold"].split()) >= 150][:30]


def edit_words(text: str, share: float, seed: int, *, longest_run: int = 4) -> str:
    """Replace ``share`` of the words, in runs of 1 to ``longest_run`` (how editors edit)."""
    rng = random.Random(seed)
    words = text.split(" ")
    todo = int(len(words) * share)
    while todo > 0:
        start = rng.randrange(len(words))
        run = min(todo, rng.randint(1, longest_run))
        for i in range(start, min(start + run, len(words))):
            words[i] = f"edited{rng.randrange(10**6)}"
        todo -= run
    return " ".join(words)


def clusters_as_sets(result: dedup.dups.DuplicateResult) -> set[frozenset[str]]:
    return {frozenset(c.ids) for c in result.clusters}


def test_articles_are_distinct_to_begin_with():
    result = find_duplicates(ARTICLES, clean=False)
    assert len(result.clusters) == len(ARTICLES)
    assert result.stats.duplicates == 0


def test_exact_copies_and_normalisation_variants_are_exact_duplicates():
    a = ARTICLES[0]
    variant = a.upper().replace("'", "\u2019").replace(" ", "\u00a0", 3)
    result = find_duplicates([a, ARTICLES[1], a, variant], clean=False)
    (c,) = [c for c in result.clusters if len(c) > 1]
    assert c.ids == ("0", "2", "3")
    assert c.match.count("exact") == 2
    assert result.stats.exact_duplicates == 2


@pytest.mark.parametrize("share", [0.05, 0.10, 0.15])
def test_lightly_edited_copies_are_near_duplicates(share):
    docs = ARTICLES[:10] + [edit_words(a, share, seed=i) for i, a in enumerate(ARTICLES[:10])]
    result = find_duplicates(docs, clean=False)
    for i in range(10):
        c = result.cluster_of(str(i))
        assert str(i + 10) in c.ids, (share, i, c)
    assert result.stats.near_duplicates == 10
    assert len(result.clusters) == 10


def test_truncated_copy_matches_its_original_by_containment():
    a = ARTICLES[2]
    words = a.split(" ")
    truncated = " ".join(words[: len(words) // 3]) + "\nRead more"
    result = find_duplicates([a, truncated, ARTICLES[3]], clean=False)
    c = result.cluster_of("1")
    assert c.ids == ("0", "1")
    assert c.representative == "0"  # keep="longest"


def test_rewritten_text_and_a_shared_paragraph_are_not_duplicates():
    a, b = ARTICLES[4], ARTICLES[5]
    rewritten = edit_words(a, 0.5, seed=1, longest_run=1)  # every other word, scattered
    paragraph = " ".join(a.split(" ")[:40])  # another article quoting one paragraph of a
    result = find_duplicates([a, rewritten, b + "\n" + paragraph], clean=False)
    assert len(result.clusters) == 3, result.clusters


def test_other_chrome_around_the_same_article_is_a_duplicate_after_cleaning():
    # Syndication: the same article inside two sites' page chrome.
    body = ARTICLES[5]
    site_a = "Home\nNews\nSport\nWeather\nShare\nTweet\n" + body + "\nRelated stories\nContact us"
    site_b = "Menu\nSubscribe\nLog in\nPolitics\nBusiness\n" + body + "\n© 2025 The Paper"
    result = find_duplicates([site_a, site_b, ARTICLES[6]])
    assert result.cluster_of("0").ids == ("0", "1")


def test_same_site_pages_with_shared_chrome_are_not_merged_when_cleaned():
    by_site: dict[str, list[str]] = {}
    for p in PAGES:
        by_site.setdefault(p["site"], []).append(p["text"])
    pages = [t for texts in by_site.values() if len(texts) > 1 for t in texts]
    assert len(pages) >= 8
    result = find_duplicates(pages)
    assert result.stats.near_duplicates == 0, [c for c in result.clusters if len(c) > 1]


def test_clusters_do_not_depend_on_input_order_or_jobs():
    base = ARTICLES[:12]
    docs = {str(i): t for i, t in enumerate(base)}
    for i, a in enumerate(base[:6]):
        docs[f"e{i}"] = edit_words(a, 0.1, seed=i)
        docs[f"t{i}"] = " ".join(a.split(" ")[: len(a.split(" ")) // 2])
    docs["x0"] = base[0]
    items = [{"id": k, "text": v} for k, v in docs.items()]
    first = find_duplicates(items, clean=False)
    reps = {c.representative for c in first.clusters}
    for seed in range(3):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        again = find_duplicates(shuffled, clean=False)
        assert clusters_as_sets(again) == clusters_as_sets(first)
        assert {c.representative for c in again.clusters} == reps
    parallel = find_duplicates(items, clean=False, jobs=2)
    assert [c.ids for c in parallel.clusters] == [c.ids for c in first.clusters]
    assert [c.similarity for c in parallel.clusters] == [c.similarity for c in first.clusters]


@given(
    picks=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(["same", "edit", "cut", "new"])),
        max_size=25,
    )
)
def test_every_document_is_in_exactly_one_cluster(picks):
    docs = [ARTICLES[i] if kind != "new" else ARTICLES[20 + i] for i, kind in picks]
    docs = [
        edit_words(d, 0.1, seed=j) if kind == "edit" else d[: len(d) // 2] if kind == "cut" else d
        for j, (d, (_, kind)) in enumerate(zip(docs, picks, strict=True))
    ]
    result = find_duplicates(docs, clean=False)
    seen = [i for c in result.clusters for i in c.ids]
    assert sorted(seen, key=int) == [str(i) for i in range(len(docs))]
    for c in result.clusters:
        assert min(c.similarity) >= 0.8  # every member is like its representative
        assert c.representative in c.ids
        assert len(c.similarity) == len(c.match) == len(c.ids)
        assert c.match[c.ids.index(c.representative)] == "representative"
    multi = sorted((c for c in result.clusters if len(c) > 1), key=lambda c: -len(c))
    assert [len(c) for c in result.largest(len(docs))] == [len(c) for c in multi]
    assert {c.ids for c in result.largest(len(docs))} == {c.ids for c in multi}
    flags = result.is_duplicate
    assert int(flags.sum()) == result.stats.duplicates == len(docs) - len(result.clusters)


def test_short_texts_are_never_merged_through_tiny_signatures():
    headlines = [
        "Breaking news",
        "Breaking news today",
        "Share",
        "",
        "   ",
        "Rain expected in the north on Friday",
        "Rain expected in the south on Friday",
    ]
    result = find_duplicates([*headlines, "Breaking news"], clean=False)
    assert result.cluster_of("0").ids == ("0", "7")  # an exact copy still matches
    assert [len(result.cluster_of(str(i))) for i in range(1, 7)] == [1] * 6  # "" and "   " too
    assert result.assignment(5).too_short
    assert result.stats.too_short == len(headlines) + 1


def test_pages_that_clean_to_nothing_are_not_merged_with_each_other():
    chrome_a = "Share\nTweet\nFollow us\nSubscribe\nAdvertisement"
    chrome_b = "Short Url\nFollow\nNewsroom logo\nPrivacy policy\nTerms of use"
    assert dedup.clean(chrome_a) == dedup.clean(chrome_b) == ""
    result = find_duplicates([chrome_a, chrome_b, chrome_a])
    assert result.stats.empty == 3
    assert clusters_as_sets(result) == {frozenset({"0", "2"}), frozenset({"1"})}


def test_cjk_near_duplicates_are_found():
    zh = (
        "北京时间周二晚间，国家统计局发布了最新的经济数据。数据显示，今年第三季度国内生产总值"
        "同比增长百分之四点八，略高于市场预期。分析人士认为，消费和出口的回升是主要原因，"
        "但房地产市场仍然疲软，地方政府债务问题也值得关注。专家建议继续实施积极的财政政策，"
        "扩大有效投资，稳定就业，促进居民收入增长。"
    )
    edited = zh.replace("略高于市场预期", "高于市场普遍预期").replace("值得关注", "需要关注")
    other = (
        "上海市今天举行新闻发布会，介绍城市交通建设的最新进展。今年以来，全市新开通地铁线路"
        "三条，总里程超过八百公里。市交通委负责人表示，明年将继续推进轨道交通网络建设，"
        "同时优化公交线路，方便市民出行。"
    )
    result = find_duplicates([zh, edited, other], clean=False)
    assert result.cluster_of("0").ids == ("0", "1")
    assert len(result.cluster_of("2")) == 1


def test_keep_first_and_keep_longest():
    a = ARTICLES[7]
    cut = " ".join(a.split(" ")[: len(a.split(" ")) // 2])
    assert find_duplicates([cut, a], clean=False).cluster_of("0").representative == "1"
    assert (
        find_duplicates([cut, a], clean=False, keep="first").cluster_of("0").representative == "0"
    )


def test_mappings_with_ids_and_assignments():
    docs = [{"id": "a", "text": ARTICLES[8]}, {"id": "b", "text": ARTICLES[8]}, {"text": "x y"}]
    result = find_duplicates(docs, clean=False)
    got = [(a.id, a.cluster, a.duplicate_of, a.match) for a in result.assignments()]
    assert got == [
        ("a", "a", None, "representative"),
        ("b", "a", "a", "exact"),
        ("2", "2", None, "representative"),
    ]
    assert result.assignment(1).to_dict()["duplicate"] is True


@pytest.mark.parametrize(
    ("docs", "error", "words"),
    [
        ([b"bytes"], InputError, "decode it first"),
        ([None], InputError, "must be a str"),
        ([{"body": "x"}], InputError, "text_field="),
        ([{"text": 3}], InputError, "got int"),
        ([{"id": 1, "text": "a"}, {"id": 1, "text": "b"}], ConfigError, "ids must be unique"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(docs, error, words):
    with pytest.raises(error, match=words):
        find_duplicates(docs)


@pytest.mark.parametrize("one", ["one article as a str", b"bytes", {"id": "a", "text": "x"}])
def test_one_document_where_many_are_expected_is_refused(one):
    # A str is an iterable of characters: each would be a document of its own.
    with pytest.raises(InputError, match=r"iterable of documents.*wrap it in a list"):
        find_duplicates(one)
    with pytest.raises(InputError, match=r"iterable of documents.*wrap it in a list"):
        duplicate_columns(one if not isinstance(one, dict) else "x")


def test_duplicate_columns_of_one_row_says_to_batch():
    # datasets' map without batched=True hands one row: {"text": "a str"}.
    with pytest.raises(InputError, match="batched=True"):
        duplicate_columns({"text": "one row's text", "id": "r1"})


@pytest.mark.parametrize(
    ("option", "words"),
    [({"threshold": 0}, "threshold"), ({"threshold": 1.5}, "threshold"), ({"keep": "x"}, "keep")],
)
def test_bad_options_are_refused(option, words):
    with pytest.raises(ConfigError, match=words):
        find_duplicates(["a"], **option)


def test_empty_input():
    result = find_duplicates([])
    assert result.clusters == ()
    assert len(result) == 0


def test_duplicate_columns_for_tables():
    cols = dedup.dups.duplicate_columns(
        {"text": [ARTICLES[9], ARTICLES[10], ARTICLES[9]], "url": ["u1", "u2", "u3"]},
        id_field="url",
        clean=False,
    )
    assert cols["is_duplicate"] == [False, False, True]
    assert cols["duplicate_of"] == [None, None, "u1"]
    assert cols["cluster"] == ["u1", "u2", "u1"]


def test_finder_signature_file_is_removed(tmp_path):
    finder = DuplicateFinder(workdir=tmp_path, clean=False)
    finder.add(["0", "1"], [ARTICLES[0], ARTICLES[0]])
    assert list(tmp_path.iterdir())
    finder.finish()
    assert not list(tmp_path.iterdir())


def test_byte_identical_copies_are_recognised_before_cleaning():
    page = PAGES[0]["text"]
    docs = [page, ARTICLES[-1], page, page.upper(), page]  # ARTICLES[0] is page 0's gold
    result = find_duplicates(docs)
    assert result.stats.raw_copies == 2  # docs 2 and 4: not cleaned or signed again
    assert result.cluster_of("0").ids == ("0", "2", "3", "4")
    assert result.stats.exact_duplicates == 3
    alone = [find_duplicates([d]).stats.raw_copies for d in docs]
    assert alone == [0] * 5


def test_chaining_does_not_join_unlike_documents():
    # a ~ b (b holds a quarter of a) and b ~ c (b holds half of c), but a and c share nothing:
    # union-find alone would put all three together.
    x = [f"alpha{i}" for i in range(400)]
    z = [f"omega{i}" for i in range(200)]
    a, b, c = " ".join(x), " ".join(x[300:] + z[:100]), " ".join(z)
    result = find_duplicates([a, b, c], clean=False)
    assert result.cluster_of("0").ids == ("0", "1")
    assert result.cluster_of("2").ids == ("2",)
    assert result.stats.split == 1
