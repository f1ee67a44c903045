"""Errors: the right class (catchable as dedup's own or as the builtin) and a message that helps.

STYLE.md section 4: say what was given, what is allowed and a likely fix.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import dedup
from dedup import CleanConfig, ConfigError, DedupError, InputError, Removal, Span
from dedup.config import DETECTOR_NAMES

TEXT_FUNCS: list[Callable[[object], object]] = [
    dedup.clean,
    dedup.clean_and_explain,
    dedup.split_articles,
    lambda t: dedup.apply_removals(t, []),  # type: ignore[arg-type]
]
FUNC_IDS = ["clean", "clean_and_explain", "split_articles", "apply_removals"]


def test_hierarchy() -> None:
    assert issubclass(InputError, DedupError)
    assert issubclass(InputError, TypeError)
    assert issubclass(ConfigError, DedupError)
    assert issubclass(ConfigError, ValueError)
    assert issubclass(dedup.MissingExtraError, ImportError)
    assert issubclass(dedup.RecordError, ValueError)


# -- input type -----------------------------------------------------------------------------------


@pytest.mark.parametrize("func", TEXT_FUNCS, ids=FUNC_IDS)
@pytest.mark.parametrize(
    "raw", [b"Share\nBody", bytearray(b"Share"), memoryview(b"Share")], ids=type
)
def test_bytes_says_decode(func: Callable[[object], object], raw: object) -> None:
    with pytest.raises(InputError, match=r"decode") as info:
        func(raw)
    assert isinstance(info.value, TypeError)  # catchable as the builtin too
    assert type(raw).__name__ in str(info.value)


@pytest.mark.parametrize("func", TEXT_FUNCS, ids=FUNC_IDS)
@pytest.mark.parametrize(
    ("value", "type_name"),
    [(None, "NoneType"), (3, "int"), (["a", "b"], "list"), (1.5, "float"), ({"text": "a"}, "dict")],
    ids=lambda v: type(v).__name__,
)
def test_non_str_names_the_type(
    func: Callable[[object], object], value: object, type_name: str
) -> None:
    with pytest.raises(TypeError, match=rf"\b{type_name}\b") as info:
        func(value)
    assert isinstance(info.value, InputError)
    assert "str" in str(info.value)  # says what is allowed


def test_config_of_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"CleanConfig.*dict") as info:
        dedup.clean("Share\nBody", config={"max_passes": 2})  # type: ignore[arg-type]
    assert isinstance(info.value, DedupError)


# -- configuration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "given", "hint"),
    [
        ("title_similarity", 90, "did you mean 0.9?"),
        ("title_similarity", 85, "did you mean 0.85?"),
        ("content_stopword_density", 25, "did you mean 0.25?"),
        ("content_main_share", 50, "did you mean 0.5?"),
    ],
)
def test_percent_for_fraction_suggests_the_fraction(field: str, given: float, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        CleanConfig(**{field: given})  # type: ignore[arg-type]
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert field in msg
    assert str(given) in msg  # what was given
    assert hint in msg


@pytest.mark.parametrize(
    ("field", "given"),
    [
        ("title_similarity", 0),
        ("title_similarity", -0.5),
        ("title_similarity", float("nan")),
        ("title_similarity", "0.9"),
        ("title_similarity", None),
        ("content_stopword_density", -0.1),
        ("content_stopword_density", float("inf")),
        ("content_main_share", 1.5),
        ("content_gap", -1.0),
        ("content_gap", float("nan")),
        ("content_short_penalty", "3"),
        ("max_passes", 0),
        ("max_passes", -1),
        ("max_passes", 2.5),
        ("max_passes", True),
        ("max_title_words", "30"),
        ("menu_min_run", None),
    ],
)
def test_bad_values_raise_config_error_naming_field_and_value(field: str, given: object) -> None:
    with pytest.raises(ConfigError) as info:
        CleanConfig(**{field: given})  # type: ignore[arg-type]
    msg = str(info.value)
    assert field in msg
    assert repr(given) in msg or str(given) in msg


def test_unknown_detector_suggests_the_right_name() -> None:
    with pytest.raises(ConfigError) as info:
        CleanConfig(detectors=("titels", "chrome"))
    msg = str(info.value)
    assert "titels" in msg
    assert "did you mean 'titles'?" in msg
    assert all(name in msg for name in DETECTOR_NAMES)  # and lists what is allowed


@pytest.mark.parametrize("field", ["detectors", "languages"])
def test_a_bare_string_for_a_tuple_field(field: str) -> None:
    value = "titles" if field == "detectors" else "en"
    with pytest.raises(ConfigError) as info:
        CleanConfig(**{field: value})  # type: ignore[arg-type]
    assert f"('{value}',)" in str(info.value)  # the likely fix, spelled out


def test_unknown_language_lists_the_shipped_ones() -> None:
    with pytest.raises(ConfigError) as info:
        CleanConfig(languages=("xx",))
    msg = str(info.value)
    assert "'xx'" in msg
    assert "en" in msg


def test_good_configs_are_accepted() -> None:
    CleanConfig()
    CleanConfig(title_similarity=1.0, max_passes=1, detectors=(), languages=("en", "fr"))
    CleanConfig(detectors=("titles", "content"), content_stopword_density=0.0)
    assert dedup.clean("Share", config=CleanConfig(detectors=())) == "Share"


def test_config_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        CleanConfig(DETECTOR_NAMES)  # type: ignore[misc]


# -- replaying removals ---------------------------------------------------------------------------


def _r(start: int, end: int) -> Removal:
    return Removal(Span(start, end), "chrome", "test", "test")


@pytest.mark.parametrize(
    "spans",
    [
        [(0, 4), (2, 6)],  # overlapping
        [(4, 6), (0, 2)],  # unsorted
        [(0, 20)],  # past the end
        [(9, 11)],  # straddles the end
        [(0, 2), (0, 2)],  # the same span twice
    ],
    ids=["overlap", "unsorted", "past-end", "straddles-end", "twice"],
)
def test_apply_removals_rejects_bad_spans(spans: list[tuple[int, int]]) -> None:
    text = "ab\ncd\nefgh"
    with pytest.raises(ValueError, match=r"span") as info:
        dedup.apply_removals(text, [_r(s, e) for s, e in spans])
    assert str(len(text)) in str(info.value)


def test_apply_removals_accepts_adjacent_and_empty_spans() -> None:
    text = "ab\ncd\nefgh"
    assert dedup.apply_removals(text, [_r(0, 3), _r(3, 6)]) == "efgh"
    assert dedup.apply_removals(text, [_r(3, 3)]) == text
    assert dedup.apply_removals(text, [_r(6, 10)]) == "ab\ncd\n"


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (5, 2)])
def test_invalid_span(start: int, end: int) -> None:
    with pytest.raises(ValueError, match=r"invalid span"):
        Span(start, end)


def test_all_boilerplate_is_not_an_error() -> None:
    result = dedup.clean_and_explain("Share\nFollow\nTweet\n")
    assert isinstance(result.text, str)
    assert all(r.reason for r in result.removals)


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        dedup.clean("Share\nBody", CleanConfig())  # type: ignore[misc]


def test_str_subclass_is_accepted() -> None:
    class Page(str):
        pass

    raw = "Big news today\nShare\nIt rained all day in the city."
    out = dedup.clean(Page(raw))
    assert isinstance(out, str)
    assert out == dedup.clean(raw)
