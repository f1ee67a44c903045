"""Shingles: normalisation, tokens, batches, edge inputs, hash quality."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.errors import ConfigError, InputError
from dedup.normalize import normalize
from dedup.shingle import (
    _NOSPACE_RANGES,
    HASH_VERSION,
    ShingleParams,
    shingle_batch,
    shingle_hashes,
    unique_counts,
    unique_rows,
)

DEV = Path("/work/shared/dev/dragnet-dev.jsonl")

ZH_A = (
    "国家统计局今天发布数据显示，今年前三季度全国居民人均可支配收入实际增长百分之五点二，"
    "城镇居民和农村居民收入差距继续缩小。专家表示，消费市场稳步恢复，服务消费增长较快，"
    "但外部环境依然复杂严峻，需要进一步扩大内需，稳定就业，推动经济持续回升向好。"
)
ZH_B = (
    "中国女子排球队在昨晚举行的世界联赛决赛中以三比一战胜对手，时隔五年再次夺得冠军。"
    "主教练在赛后接受采访时说，队员们顶住了压力，发挥出了平时训练的水平，"
    "球迷们在体育馆外聚集庆祝，直到深夜才散去。"
)
JA_A = (
    "気象庁によりますと、強い台風十号は今夜から明日の朝にかけて九州南部に接近し、"
    "上陸するおそれがあります。各地で猛烈な風が吹き、大雨による土砂災害や河川の氾濫に"
    "厳重な警戒が必要です。交通機関にも大きな影響が出る見込みです。"
)
JA_B = (
    "東京証券取引所では今日、半導体関連の銘柄を中心に買い注文が広がり、日経平均株価は"
    "三日連続で値上がりしました。市場関係者は、海外の投資家の資金が流入していると"
    "分析していますが、円相場の動きには引き続き注意が必要だと話しています。"
)
EN = (
    "The central bank kept its benchmark interest rate unchanged on Thursday, saying inflation "
    "was easing but remained above its target, and signalled that cuts could come next year."
)

# every test here runs on both signing paths: numpy and the compiled kernels
pytestmark = pytest.mark.usefixtures("signing_kernel")


DEFAULT = ShingleParams()


def shingle_set(text: str, params: ShingleParams = DEFAULT) -> set[int]:
    return set(shingle_hashes(text, params).tolist())


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


# --- parameters ---------------------------------------------------------------------------


def test_params_round_trip_and_hash_version():
    p = ShingleParams(word_n=3, char_n=4, normalize=False)
    d = p.to_dict()
    assert d["hash"] == HASH_VERSION
    assert ShingleParams.from_dict(d) == p
    assert ShingleParams.from_dict(json.loads(json.dumps(d))) == p


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"word_n": 0}, "word_n"), ({"char_n": "5"}, "char_n"), ({"normalize": 1}, "normalize")],
)
def test_params_bad_values_name_the_field(kwargs, field):
    with pytest.raises(ConfigError, match=field):
        ShingleParams(**kwargs)


def test_params_from_dict_rejects_unknown_keys_and_other_hashes():
    with pytest.raises(ConfigError, match="'size'"):
        ShingleParams.from_dict({"size": 5})
    with pytest.raises(ConfigError, match="re-compute"):
        ShingleParams.from_dict({"word_n": 5, "hash": "md5"})
    with pytest.raises(ConfigError, match="mapping"):
        ShingleParams.from_dict([("word_n", 5)])  # type: ignore[arg-type]


def test_bad_input_types():
    with pytest.raises(InputError, match="decode"):
        shingle_batch([b"bytes"])  # type: ignore[list-item]
    with pytest.raises(InputError, match=r"\[text\]"):
        shingle_batch("one str")


# --- counts and edge inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("... !!! -- ?", 0),
        ("word", 1),
        ("two words", 1),
        ("one two three four", 1),
        ("one two three four five", 1),
        ("one two three four five six", 2),
        ("東京", 1),
        ("東京大阪名古屋", 3),
    ],
)
def test_number_of_shingles(text, count):
    assert len(shingle_hashes(text)) == count


def test_short_text_is_its_whole_token_sequence():
    # fewer tokens than a shingle: one shingle, depending on every token and their order
    assert shingle_set("one two") != shingle_set("two one")
    assert shingle_set("one two") != shingle_set("one two three")
    assert shingle_set("one, two!") == shingle_set("ONE two")


def test_punctuation_and_spacing_do_not_count():
    a = "Said the minister: “we will act”, today (Monday) – as promised."
    b = "said the minister we will act today monday as promised"
    assert shingle_set(a) == shingle_set(b)


def test_normalisation_variants_give_identical_shingles():
    base = "The committee's “final” report – published on Monday – was co-ordinated by 12 MPs."
    variants = [
        base.upper(),
        base.replace("“", '"').replace("”", '"').replace("'", "’"),
        base.replace(" ", "\u00a0"),
        base.replace("committee", "com\u00admit\u00adtee"),
        base.replace("–", "—").replace("–", "-"),
        base.replace("12 MPs", "１２ ＭＰｓ"),  # full-width forms
        base.replace("report", "re\u200bport"),
        "  " + base.replace(" ", "  \n ") + "\n",
    ]
    want = shingle_hashes(base)
    for v in variants:
        got = shingle_hashes(v)
        assert got.tolist() == want.tolist(), v


def test_emoji_and_variation_selectors_separate_words():
    assert shingle_set("i \u2764\ufe0f new york") == shingle_set("i new york")
    assert shingle_set("i\u2764new york") == shingle_set("i new york")


def test_without_normalisation_case_matters():
    p = ShingleParams(normalize=False)
    assert shingle_set("Big News Today", p) != shingle_set("big news today", p)
    assert shingle_set("big news today", p) == shingle_set("big news today")


def test_lone_surrogates_nul_and_controls_do_not_raise():
    text = "abc \ud800 def\udfff ghi \x00 jkl\x01mno pqr stu"
    h = shingle_hashes(text)
    assert len(h) > 0
    # a lone surrogate and a NUL separate words, like punctuation
    assert shingle_set("abc \ud800def") == shingle_set("abc def")
    assert shingle_set("abc\x00def ghi") == shingle_set("abc def ghi")
    # a NUL inside a text does not split it into two documents of a batch
    _, offsets = shingle_batch(["a b c\x00d e f", "x"])
    assert offsets.tolist() == [0, 2, 3]


def test_one_megabyte_of_one_word():
    assert len(shingle_hashes("a" * 1_000_000)) == 1
    h = shingle_hashes("word " * 200_000)
    assert len(h) == 200_000 - 4
    assert unique_counts(h, np.array([0, len(h)])).tolist() == [1]


def test_unique_counts():
    values, offsets = shingle_batch(["a b c d e a b c d e a b c d e", "", "x y", "p q r s t u"])
    assert unique_counts(values, offsets).tolist() == [5, 0, 1, 2]
    for i, n in enumerate(unique_counts(values, offsets)):
        assert n == len(set(values[offsets[i] : offsets[i + 1]].tolist()))


@given(st.lists(st.lists(st.integers(0, 6), max_size=12), max_size=6), st.integers(0, 3))
def test_unique_rows_are_the_sets_of_the_rows(rows, start):
    values = np.array([9] * start + [v for r in rows for v in r], dtype=np.uint32)
    offsets = np.array([start, *np.cumsum([len(r) for r in rows]) + start], dtype=np.int64)
    uv, uo = unique_rows(values, offsets)
    assert uo[0] == 0
    assert len(uo) == len(rows) + 1
    for i, r in enumerate(rows):
        got = uv[uo[i] : uo[i + 1]].tolist()
        assert len(got) == len(set(got)) == len(set(r))
        assert set(got) == set(r)
    assert unique_counts(values, offsets).tolist() == [len(set(r)) for r in rows]


# --- scripts without spaces and mixed scripts ------------------------------------------


@pytest.mark.parametrize(("text", "other"), [(ZH_A, ZH_B), (JA_A, JA_B)])
def test_cjk_near_copies_share_most_shingles_different_texts_do_not(text, other):
    # a copy with a few characters changed and punctuation dropped
    edited = (
        text.replace("今天", "昨天").replace("今夜", "今晩").replace("，", "").replace("、", "")
    )
    edited = edited[:-5]
    a, b, c = shingle_set(text), shingle_set(edited), shingle_set(other)
    assert len(a) > 50
    assert jaccard(a, b) > 0.8
    assert jaccard(a, c) < 0.02


def test_cjk_full_width_and_half_width_forms_match():
    assert shingle_set("ＡＢＣ株式会社のﾃｽﾄ") == shingle_set("abc株式会社のテスト")


def test_thai_is_shingled_by_characters():
    text = "รัฐบาลประกาศมาตรการกระตุ้นเศรษฐกิจชุดใหม่ในวันนี้"
    assert len(shingle_hashes(text)) == len(text) - 4  # one token per character


def test_mixed_script_document():
    base = "トヨタ自動車のAkio Toyoda会長は記者会見で新しい電気自動車の計画を発表しました。"
    renamed = base.replace("Akio Toyoda", "Koji Sato")
    a, b = shingle_set(base), shingle_set(renamed)
    # the Latin name is one token per word among the characters: changing it changes only
    # the shingles around it
    assert len(a) == len(shingle_hashes(base))
    assert 0.5 < jaccard(a, b) < 1.0
    # an English article quoting a Chinese name keeps word shingles
    en = "Officials met Xi Jinping (习近平) in Beijing on Tuesday to discuss trade and climate."
    assert len(shingle_hashes(en)) == 16 - 4  # 13 words + 3 characters
    assert shingle_set(base.upper()) == a


# --- properties ---------------------------------------------------------------------------

# Letters and the characters normalisation treats specially: expansions (ß, ﬁ, ½),
# composing marks, deleted characters, full-width and half-width forms, scripts without
# spaces, Hangul jamo, a lone surrogate, NUL.
ALPHABET = st.sampled_from(
    [
        *"abcdeABCDE  \n.,;'\"-",
        *["ß", "ﬁ", "½", "™", "…", "é", "e\u0301", "\u0301", "\u0323\u0301", "İ", "Σ", "ς"],
        *["\u00ad", "\u200b", "\u00a0", "“", "”", "—", "–", "ｱ", "Ａ", "１", "ｶﾞ", "ガ"],
        *["東", "京", "の", "ภ", "า", "\u0e34", "한", "\u1100\u1161", "\ud800", "\x00", "´"],
        *["\u1e9e", "\u0149", "\u01c5", "\u0345", "\u338f", "\u1161", "\u11a8", "\ufe0f"],
        *["\u3300", "\ufdfa", "\u2474"],  # long expansions: アパート, an 18-letter ligature
    ]
)
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


RAW = ShingleParams(normalize=False)


@given(TEXTS)
def test_shingles_of_text_equal_shingles_of_its_normalised_form(text):
    # the table-driven normalisation (with its fallbacks) is exactly dedup.normalize
    assert shingle_hashes(text).tolist() == shingle_hashes(normalize(text), RAW).tolist()


@pytest.mark.parametrize(
    "text",
    [
        "stra\u00dfe \u00df\u0301",  # ß expands; then an accent that composes with the new "s"
        "A\u030a \u212b \u2126 \u1100\u1161\u11a8 \u0f73 \u0958",  # compositions, singletons
        "\u01c4 \u01c5 \u0149 \u0390 \u338f \ufb00 \u0345",  # expansions, case folding
    ],
)
def test_rare_normalisations_equal_normalize(text):
    assert shingle_hashes(text).tolist() == shingle_hashes(normalize(text), RAW).tolist()


@given(st.lists(TEXTS, max_size=8), st.sampled_from([(5, 5), (2, 3), (1, 4)]))
def test_batch_rows_equal_one_text_at_a_time(texts, sizes):
    # shingles never cross a document boundary, whatever the neighbours
    params = ShingleParams(word_n=sizes[0], char_n=sizes[1])
    values, offsets = shingle_batch(texts, params)
    assert len(offsets) == len(texts) + 1
    for i, t in enumerate(texts):
        row = values[offsets[i] : offsets[i + 1]]
        assert row.tolist() == shingle_hashes(t, params).tolist()


def test_large_batches_are_cut_without_changing_rows():
    texts = [f"document {i} " + "lorem ipsum dolor sit amet " * (i % 50) for i in range(3000)]
    values, offsets = shingle_batch(texts)
    assert sum(len(t) for t in texts) > 1 << 18  # several internal batches
    for i in (0, 1, 777, 2999):
        assert values[offsets[i] : offsets[i + 1]].tolist() == shingle_hashes(texts[i]).tolist()


# --- hash quality -------------------------------------------------------------------------


def birthday_bound(n: int) -> float:
    """Expected number of colliding pairs among n random 32-bit values."""
    return n * (n - 1) / 2 / 2**32


def test_distinct_synthetic_shingles_rarely_collide():
    words = [f"w{i}" for i in range(60_000)]
    values = shingle_hashes(" ".join(words))
    n = len(values)
    collisions = n - len(np.unique(values))
    expected = birthday_bound(n)
    assert collisions <= expected + 5 * expected**0.5 + 2


def _reference_tokens(text: str) -> list[str]:
    """Tokens as the module documents them, found one character at a time."""
    nospace = [(lo, hi) for lo, hi in _NOSPACE_RANGES]
    tokens: list[str] = []
    cur: list[str] = []
    for ch in normalize(text):
        cat = unicodedata.category(ch)[0]
        if cat in "LNM" and ord(ch) >= 0xE00 and any(lo <= ord(ch) <= hi for lo, hi in nospace):
            if cur:
                tokens.append("".join(cur))
                cur = []
            tokens.append(ch)
        elif cat in "LNM":
            cur.append(ch)
        elif cur:
            tokens.append("".join(cur))
            cur = []
    if cur:
        tokens.append("".join(cur))
    return tokens


@pytest.mark.skipif(not DEV.exists(), reason="dev pages not available")
def test_dev_pages_shingles_match_reference_and_rarely_collide():
    golds = [json.loads(line)["gold"] for line in DEV.open(encoding="utf-8")][:100]
    values, offsets = shingle_batch(golds)
    seen: dict[tuple[str, ...], int] = {}
    for i, g in enumerate(golds):
        tokens = _reference_tokens(g)
        n = 5 if len(tokens) >= 5 else len(tokens)
        shingles = [tuple(tokens[j : j + n]) for j in range(len(tokens) - n + 1)] if n else []
        row = values[offsets[i] : offsets[i + 1]].tolist()
        assert len(row) == len(shingles), i
        for s, h in zip(shingles, row, strict=True):
            assert seen.setdefault(s, h) == h  # one shingle, one hash
    n = len(seen)
    collisions = n - len(set(seen.values()))
    assert n > 30_000
    expected = birthday_bound(n)
    assert collisions <= expected + 5 * expected**0.5 + 2
