"""Detector `dates`: lines that are only a date or time stamp, plus date extraction.

Receives a `Document`; hands on a ``timestamp`` mark for every line that holds nothing but a
date and/or time, maybe with a short lead ("Updated 03 August 2025", "Last update: April 26,
2024 20:38", "5 hours ago", "Mis à jour le 3 août 2025", "2024-05-01 10:00 GMT").

The test is strict on purpose: every word of the line must be date vocabulary (a month or
weekday name, a lead such as "updated", a connector such as "on"/"am"/"de", a unit of a
relative date, a time zone) read from ``dedup/resources/dates/<lang>.json``, and the line must
hold a real date core (a month name with a number, a numeric date, a relative date, or a time
with a lead). A line with any other word ("ISLAMABAD, May 5: The minister said...", a date
plus a headline) is not a bare timestamp and is left alone.

`find_dates` turns the dates of a line into ISO 8601 strings for `CleanResult.published`;
`is_date_line` is the public test, used by other detectors too (teaser lists).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from dedup._marks import MARKS
from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.prescreen import candidates
from dedup.document import Document, Line
from dedup.lexicon import chosen_languages, load_json
from dedup.normalize import match_key, normalize

# Verdicts are pure functions of (line, config): cached, because the cleaner re-runs every
# detector on its own output and one site repeats the same chrome on every page.
_CACHE_LINES = 1 << 14  # short lines only (<= 300 chars): a few MB at most

# Tokens of a date line. Every quantifier is bounded or runs over one character class that
# the next alternative cannot start with, so matching is linear in the line length.
_TOKEN = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2}(?:[tT ]\d{1,2}:\d{2}(?::\d{2})?)?)(?!\d)"
    r"|(?P<cjk>\d{4}\s?[年년]\s?\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일]?)"
    r"|(?P<cjkmd>\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일])"  # month and day, no year: "8月3日"
    # "2025. 8. 3." and "2025.08.03." (Korean): a year first, each part closed by a dot.
    r"|(?P<numdate>\d{4}\.\s\d{1,2}\.\s\d{1,2}\.|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\.(?=\s|$))?)"
    r"(?![\d./]|-(?!\d{1,2}[:hH]\d{2}))"  # "03.08.2025-14:30" (F.A.Z.): a time joined by a dash
    r"|(?P<time>\d{1,2}[:hH]\d{2}(?::\d{2})?|\d{1,2}\s?[時시]\s?\d{1,2}\s?[分분])(?!\d)"
    rf"|(?P<int>\d+)(?P<suffix>[^\W\d_]*+(?:[{MARKS}]++[^\W\d_]*+)*+)"
    rf"|(?P<word>[^\W\d_]++(?:[{MARKS}]++[^\W\d_]*+)*+)"  # letters with their marks
)
_ISO_PARTS = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[tT ](\d{1,2}):(\d{2}))?")
_CJK_PARTS = re.compile(r"(\d{4})\s?[年년]\s?(\d{1,2})\s?[月월]\s?(\d{1,2})")
_CJK_MONTH_DAY = re.compile(r"(\d{1,2})\s?[月월]\s?(\d{1,2})")
_NUM_PARTS = re.compile(r"(\d{1,4})[./-]\s?(\d{1,2})[./-]\s?(\d{1,4})\.?")
_TIME_PARTS = re.compile(r"(\d{1,2})(?:[:hH]|\s?[時시]\s?)(\d{1,2})")

# Roles a word (or phrase) of the date vocabulary can play; a word may have several.
MONTH, WEEKDAY, LEAD, CONNECTOR, ORDINAL, AMPM, ZONE = 1, 2, 4, 8, 16, 32, 64
UNIT, MARKER, NUMWORD, DAYWORD, RELATIVE = 128, 256, 512, 1024, 2048
JALALI = 4096  # a month of the Solar Hijri calendar (Iran, Afghanistan): "آبان", "حمل"
HIJRI = 8192  # a month of the (lunar) Hijri calendar: "رمضان", "Rabiul Awal"
PM = 16384  # a 12-hour clock marker of the afternoon ("pm", "오후", "午後", "下午"); AMPM too
# A month of a language that counts years in the Buddhist Era (Thai: 2568 BE = 2025 CE)
# as well as in the common era: "3 ส.ค. 2568" and "3 ส.ค. 2025" are one date.
BUDDHIST = 32768
_CALENDARS = JALALI | HIJRI  # a month with neither bit is Gregorian
_KEYS = {
    "weekday_words": WEEKDAY,  # words of a weekday that name no day ("feira", "祝")
    "leads": LEAD,
    "connectors": CONNECTOR,
    "qualifiers": CONNECTOR,  # "about 5 hours ago": a hedge read as a connector
    "ordinals": ORDINAL,
    "ampm": AMPM,
    "pm": PM,
    "timezones": ZONE,
    "units": UNIT,
    "markers": MARKER,
    "numwords": NUMWORD,
    "daywords": DAYWORD,
    "relatives": RELATIVE,
}
_MAX_YEAR, _MIN_YEAR = 2100, 1900
_MIN_JALALI, _MAX_JALALI = 1278, 1479  # the Solar Hijri years of 1900-2100
_MIN_HIJRI, _MAX_HIJRI = 1317, 1530  # the Hijri years of 1900-2100
_BUDDHIST_ERA = 543  # years from the Buddhist Era to the common era: 2568 BE = 2025 CE
_MIN_SHORT_BE = 43  # a Buddhist year of two digits: 43-99 are 2443-2599 BE (1900-2056)
_MAX_MINUTE = 59
_DIGIT = re.compile(r"\d")


class ConfigHandle:
    """A `CleanConfig` behind an identity hash, for the lexical detectors' verdict caches.

    Hashing a frozen dataclass of ~40 fields costs more than a cached verdict; a handle
    hashes by identity, and `config_handle` returns the same handle for the same config.
    """

    __slots__ = ("config",)

    def __init__(self, config: CleanConfig) -> None:
        self.config = config


_HANDLES: dict[int, ConfigHandle] = {}
_MAX_HANDLES = 64


def config_handle(config: CleanConfig) -> ConfigHandle:
    """Return the `ConfigHandle` of ``config`` (the same object for the same config)."""
    handle = _HANDLES.get(id(config))
    if handle is None or handle.config is not config:
        if len(_HANDLES) >= _MAX_HANDLES:
            _HANDLES.clear()  # a handle keeps its config alive, so no id is ever reused
        handle = _HANDLES[id(config)] = ConfigHandle(config)
    return handle


@dataclass(frozen=True, slots=True)
class _Vocab:
    roles: dict[tuple[str, ...], int]  # phrase (tuple of normalised words) -> role bits
    months: dict[tuple[str, ...], int]  # phrase -> month number 1-12
    words: frozenset[str]  # every word of every phrase, as `match_key` splits it too
    jalali: bool  # Solar Hijri months are known: "1403/08/15" is a date
    weekdays: dict[str, int]  # a weekday's token text -> its day, 0 (Monday) to 6
    # a phrase's first word -> the lengths of the phrases it starts, longest first: most
    # words of a line start none, and `_tokens` then tries no phrase at all
    lengths: dict[str, tuple[int, ...]]


class _Tok(NamedTuple):  # a named tuple: built several times faster than a frozen dataclass
    kind: str  # iso, cjk, numdate, time, int, word
    text: str  # normalised token (for ints: the digits)
    start: int
    end: int
    roles: int = 0  # vocabulary roles (words, int suffixes)
    month: int = 0
    value: int = -1  # for ints


def _words(text: str) -> tuple[str, ...]:
    return tuple(normalize(m.group()) for m in _TOKEN.finditer(text))


@cache
def _vocab(langs: tuple[str, ...] | None) -> _Vocab:
    roles: dict[tuple[str, ...], int] = {}
    months: dict[tuple[str, ...], int] = {}
    days: dict[str, int] = {}
    chosen = chosen_languages("dates", langs, ".json")
    datas = [load_json("dates/common.json"), *(load_json(f"dates/{x}.json") for x in chosen)]
    for data in datas:
        for key, role in _KEYS.items():
            for phrase in data.get(key, ()):
                words = _words(phrase)
                if words:
                    roles[words] = roles.get(words, 0) | role
        for day, names in enumerate(data.get("weekdays", ())):
            for name in names:
                words = _words(name)
                roles[words] = roles.get(words, 0) | WEEKDAY
                text = " ".join(words)  # a token's text
                # A name two languages give different days is none of them.
                days[text] = day if days.get(text, day) == day else -1
        era = BUDDHIST if data.get("buddhist_era") else 0
        for number, names in enumerate(data.get("months", ()), start=1):
            for name in names:
                words = _words(name)
                roles[words] = roles.get(words, 0) | MONTH | era
                months.setdefault(words, number)
        for key, calendar in (("jalali_months", JALALI), ("hijri_months", HIJRI)):
            for number, names in enumerate(data.get(key, ()), start=1):
                for name in names:
                    words = _words(name)
                    roles[words] = roles.get(words, 0) | MONTH | calendar
                    months.setdefault(words, number)
    vocab_words = {w for k in roles for w in k}
    for k in roles:
        vocab_words.update(match_key(" ".join(k)).split())
    jalali = any(role & JALALI for role in roles.values())
    weekdays = {name: day for name, day in days.items() if day >= 0}
    starts: dict[str, set[int]] = {}
    for k in roles:
        starts.setdefault(k[0], set()).add(len(k))
    lengths = {w: tuple(sorted(ns, reverse=True)) for w, ns in starts.items()}
    return _Vocab(roles, months, frozenset(vocab_words), jalali, weekdays, lengths)


def vocabulary_words(langs: tuple[str, ...] | None) -> frozenset[str]:
    """Return every word of the date vocabulary of ``langs`` (as `match_key` splits it).

    A line whose first word is neither one of them nor holds a digit is no date line.
    """
    return _vocab(langs).words


def _maybe_date(key: str, vocab: _Vocab) -> bool:
    """Return False if a word of the matching key is neither date vocabulary nor a number.

    A cheap necessary test (set lookups, no regex per token) that rejects almost every
    line of a page before the full tokenisation runs.
    """
    if not key:
        return False
    return all(word in vocab.words or _DIGIT.search(word) for word in key.split(" "))


def is_date_word(word: str, *, config: CleanConfig | None = None) -> bool:
    """Return whether ``word`` is date vocabulary: a month or weekday name, a date lead...

    Other detectors use it to tell a name from a date ("By Tuesday, ..." is not a byline).

    Example:
        >>> is_date_word("September"), is_date_word("Jalilov")
        (True, False)
    """
    cfg = DEFAULT_CONFIG if config is None else config
    return (normalize(word).rstrip("."),) in _vocab(cfg.languages).roles  # "Nov." too


def _raw_tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "word"
        if kind == "suffix":  # the int group always precedes its (possibly empty) suffix
            kind = "int"
        if kind == "int":
            digits = m.group("int")
            out.append(_Tok("int", digits, m.start(), m.end(), value=int(digits)))
        else:
            out.append(_Tok(kind, normalize(m.group()), m.start(), m.end()))
    return out


def _tokens(text: str, vocab: _Vocab) -> list[_Tok]:
    """Tokenise ``text`` and merge vocabulary phrases (longest first) into single tokens."""
    raw = _raw_tokens(text)
    out: list[_Tok] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        if tok.kind == "int" and _dot_time(text, raw, i, out, vocab):
            nxt = raw[i + 1]  # "14.30 WIB", "om 14.32 uur", "3 August 2025 14.30"
            out.append(_Tok("time", f"{tok.text}:{nxt.text}", tok.start, nxt.end))
            i += 2
            continue
        if tok.kind == "int":
            # "27th", "1er", "5h", "5小时前": a number glued to an ordinal or a unit.
            suffix = normalize(text[tok.start : tok.end][len(tok.text) :])
            roles = vocab.roles.get((suffix,), 0) if suffix else 0
            if suffix and not roles:
                roles = -1  # an unknown suffix ("5G", "3D"): not date vocabulary
            out.append(_Tok("int", tok.text, tok.start, tok.end, roles, 0, tok.value))
            i += 1
            continue
        if tok.kind != "word":
            out.append(tok)
            i += 1
            continue
        left = len(raw) - i
        for n in vocab.lengths.get(tok.text, ()):
            if n > left:
                continue
            group = raw[i : i + n]
            # A number may end a phrase of the vocabulary: the Vietnamese month "tháng 8",
            # the weekday "thứ 2". (A number glued to letters, "8h", is no such word.)
            if any(
                t.kind != "word" and (t.kind != "int" or t.end - t.start != len(t.text))
                for t in group
            ):
                continue
            key = tuple(t.text for t in group)
            roles = vocab.roles.get(key, 0)
            if roles:
                month = vocab.months.get(key, 0)
                end = group[-1].end
                out.append(_Tok("word", " ".join(key), tok.start, end, roles, month))
                i += n
                break
        else:
            out.append(tok)  # an unknown word: roles 0
            i += 1
    return out


def _calendar_year(year: int, calendars: int) -> bool:
    """Return whether ``year`` is a year of 1900-2100 in a calendar of a line's months.

    ``calendars``: `MONTH` for a Gregorian month on the line, `JALALI`, `HIJRI` for months
    of those calendars; 0 (no month name) counts as Gregorian. "Ramadan 2025" holds no year
    of the Hijri calendar, "۱۵ آبان ۲۰۲۴" none of the Solar Hijri one. With `BUDDHIST` (a
    Thai month) a year of the Buddhist Era counts too: "3 ส.ค. 2568".
    """
    if (not calendars or calendars & MONTH) and _MIN_YEAR <= year <= _MAX_YEAR:
        return True
    if calendars & BUDDHIST and (
        _MIN_YEAR <= year - _BUDDHIST_ERA <= _MAX_YEAR or _MIN_SHORT_BE <= year <= 99
    ):
        return True  # "2568", or "68" as Thai short dates write it
    if calendars & JALALI and _MIN_JALALI <= year <= _MAX_JALALI:
        return True
    return bool(calendars & HIJRI) and _MIN_HIJRI <= year <= _MAX_HIJRI


def _calendars(toks: list[_Tok]) -> int:
    """Return the calendars of the month names among ``toks`` (see `_calendar_year`)."""
    out = 0
    for t in toks:
        if t.roles > 0 and t.roles & MONTH:
            out |= (t.roles & _CALENDARS or MONTH) | (t.roles & BUDDHIST)
    return out


def _month_day_ok(text: str) -> bool:
    """Return whether a month-day token ("8月3日", "8월 3일") names a month and a day."""
    m = _CJK_MONTH_DAY.match(text)
    return m is not None and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31


def _dot_time(text: str, raw: list[_Tok], i: int, out: list[_Tok], vocab: _Vocab) -> bool:
    """Return whether the ints ``raw[i]`` and ``raw[i + 1]`` are a time written with a dot.

    "14.30" is a time where a time is expected: after a connector ("pukul", "om") or a full
    date (a year, a numeric date), or before a time zone, "am"/"pm" or a connector ("Uhr",
    "uur"). Elsewhere it stays two numbers ("8.30" in a row of figures).
    """
    if i + 1 >= len(raw):
        return False
    hour, minute = raw[i], raw[i + 1]
    if (
        minute.kind != "int"
        or minute.start != hour.end + 1
        or text[hour.end] != "."
        or len(hour.text) > 2
        or hour.end - hour.start != len(hour.text)  # a suffix glued to it: "5h.30"
        or minute.end - minute.start != 2  # "8.3", "8.125", "14.30h"
        or hour.value > 23
        or minute.value > _MAX_MINUTE
        or (
            text[minute.end : minute.end + 1] in ".,"
            and text[minute.end + 1 : minute.end + 2].isdigit()
        )
    ):
        return False
    if out:
        prev = out[-1]
        if prev.kind in ("iso", "cjk", "cjkmd", "numdate") or (
            prev.kind == "int" and _MIN_YEAR <= prev.value <= _MAX_YEAR
        ):
            return True
        if prev.kind == "word" and prev.roles & CONNECTOR:
            return True
    if i + 2 < len(raw) and raw[i + 2].kind == "word":
        return bool(vocab.roles.get((raw[i + 2].text,), 0) & (ZONE | AMPM | CONNECTOR))
    return False


def _numdate_ok(text: str, jalali: bool) -> bool:
    """Return whether a d/m/y-like token reads as a date (one part a year, the rest in range).

    With ``jalali``, a year first may be a Solar Hijri year ("1403/08/15").
    """
    m = _NUM_PARTS.fullmatch(text)
    if not m:
        return False
    a, b, c = (int(x) for x in m.groups())
    if len(m.group(1)) == 4:  # 2024/05/01
        calendars = MONTH | JALALI if jalali else MONTH
        return _calendar_year(a, calendars) and 1 <= b <= 12 and 1 <= c <= 31
    if len(m.group(3)) not in (2, 4):
        return False
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


@dataclass(frozen=True, slots=True)
class DateShape:
    """What a bare date line holds.

    Attributes:
        kind: ``"day"`` (a calendar day: "3 August 2025", "2024-05-01", "Thursday, Nov 1"),
            ``"month"`` (a month without a day: "May 2024", an archive link "October (15)"),
            ``"relative"`` ("5 hours ago", "today 10:15") or ``"time"`` ("10:48 AM EDT").
        lead: whether a lead word introduces it ("Updated", "Published", "Mis à jour le").
    """

    kind: str
    lead: bool


def _in_parens(text: str, tok: _Tok) -> bool:
    """Return whether ``tok`` is wrapped in brackets: an archive count such as "(15)"."""
    return text[tok.start - 1 : tok.start] in "([" and text[tok.end : tok.end + 1] in ")]"


def _decimal(text: str, tok: _Tok) -> bool:
    """Return whether an int is the whole part of a decimal ("8.3", "1,5"), not a date part."""
    rest = text[tok.end : tok.end + 4]
    if len(rest) < 2 or rest[0] not in ".," or not rest[1].isdigit():
        return False
    digits = len(rest[1:]) - len(rest[1:].lstrip("0123456789"))
    return digits != 2  # "10.00" is a time, "8.3" and "8.125" are numbers


def _shape(text: str, toks: list[_Tok], jalali: bool) -> DateShape | None:
    """Return the shape of a line whose tokens are all date vocabulary, else None.

    Numbers must read as date parts: a day, a year, a time, a count in brackets. A value
    such as "120,000" or "8.3" makes the line a row of figures ("March 2012 8.3"), not a date.
    A year is one of the calendar of the line's month names (`_calendar_year`); a Solar
    Hijri year is also one in a numeric date when ``jalali`` (the vocabulary has its months).
    """
    calendars = _calendars(toks)
    month = day = year = count = numeric = time = lead = False
    unit = marker = relative = dayword = stamp = zone = False
    odd = plain = 0  # ints that are no day/year/minute; ints outside brackets
    for t in toks:
        if t.kind in ("iso", "cjk"):
            if _numeric_date(t, jalali) is None:
                return None  # "2024-13-45" is no date
            numeric = True
        elif t.kind == "cjkmd":
            if not _month_day_ok(t.text):
                return None  # "13月3日"
            month = day = True
        elif t.kind == "numdate":
            if not _numdate_ok(t.text, jalali):
                return None
            numeric = True
        elif t.kind == "time":
            time = True
        elif t.kind == "int":
            if t.roles < 0 or _decimal(text, t):
                return None  # "5G", "3D", "8.3": a number that is no date part
            relative = relative or bool(t.roles & RELATIVE)
            unit = unit or bool(t.roles & UNIT)
            if t.start > 0 and _in_parens(text, t):
                count = True
                continue
            plain += 1
            if 1 <= t.value <= 31 and not t.roles & (UNIT | RELATIVE):
                day = True
            elif _calendar_year(t.value, calendars):
                year = True
            elif t.value > _MAX_MINUTE and not t.roles & (UNIT | RELATIVE):
                odd += 1  # "120,000"; or a military time "0927 GMT" (checked below)
        elif not t.roles:
            return None  # any word outside the date vocabulary: not a bare date
        else:
            month = month or bool(t.roles & MONTH)
            lead = lead or bool(t.roles & LEAD)
            stamp = stamp or bool(t.roles & (WEEKDAY | AMPM | ZONE))
            zone = zone or bool(t.roles & ZONE)
            unit = unit or bool(t.roles & UNIT)
            marker = marker or bool(t.roles & MARKER)
            relative = relative or bool(t.roles & RELATIVE)
            dayword = dayword or bool(t.roles & DAYWORD)
    if odd and not zone:
        return None
    if numeric:
        return DateShape("day", lead)
    # Before month names: "ago" is also Spanish for August ("5 hours ago").
    if relative or (unit and marker):
        return DateShape("relative", lead)
    if month and day:
        return DateShape("day", lead)
    if month and (year or count) and plain <= 1:
        return DateShape("month", lead)  # "May 2012", "October (15)": nothing more
    if dayword and (lead or time):
        return DateShape("relative", lead)
    if time and (lead or stamp):
        return DateShape("time", lead)
    return None


def date_shape(text: str, *, config: CleanConfig | None = None) -> DateShape | None:
    """Return the `DateShape` of a line that is only a date/time, or None for any other line.

    Args:
        text: one line.
        config: its ``languages`` choose the vocabularies; ``max_date_line_chars`` caps the
            length of a line that can be a bare date.

    Example:
        >>> date_shape("Updated 03 August 2025")
        DateShape(kind='day', lead=True)
        >>> date_shape("October (15)")
        DateShape(kind='month', lead=False)
        >>> date_shape("The council met on 3 August 2025") is None
        True
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.max_date_line_chars:
        return None  # cheap exit before stripping a long paragraph
    return _shape_of(text.strip(), None, config_handle(cfg))


@lru_cache(maxsize=_CACHE_LINES)
def _shape_of(stripped: str, key: str | None, handle: ConfigHandle) -> DateShape | None:
    cfg = handle.config
    if not stripped or len(stripped) > cfg.max_date_line_chars:
        return None
    vocab = _vocab(cfg.languages)
    if not _maybe_date(match_key(stripped) if key is None else key, vocab):
        return None
    toks = _tokens(stripped, vocab)
    return _shape(stripped, toks, vocab.jalali) if toks else None


# The name under which a line keeps its `line_date_shape` (with the config it is for) among its
# features: teasers, titles and this detector ask about the same lines, and
# `Document.from_lines` carries features over to the cleaner's re-runs.
_SHAPE_FEATURE = "_dates_shape"


def line_date_shape(line: Line, config: CleanConfig) -> DateShape | None:
    """Return ``date_shape(line.text, config=config)``, computed once per line and config.

    Example:
        >>> line_date_shape(Document("Updated 03 August 2025").lines[0], DEFAULT_CONFIG)
        DateShape(kind='day', lead=True)
    """
    features = line.__dict__  # a pure function of the text, kept like `Line`'s own features
    got = features.get(_SHAPE_FEATURE)
    if got is not None and got[0] is config:
        shape: DateShape | None = got[1]
        return shape
    stripped = line.stripped
    # The line's key is the key of its stripped text (`match_key` drops outer whitespace).
    shape = (
        _shape_of(stripped, line.key, config_handle(config))
        if len(stripped) <= config.max_date_line_chars
        else None
    )
    features[_SHAPE_FEATURE] = (config, shape)
    return shape


def is_date_line(text: str, *, config: CleanConfig | None = None) -> bool:
    """Return whether ``text`` is only a date and/or time, maybe with a short lead.

    Args:
        text: one line.
        config: its ``languages`` choose the vocabularies; ``max_date_line_chars`` caps the
            length of a line that can be a bare date.

    Returns:
        True for "Updated 03 August 2025", "5 hours ago", "12 Mar 2019 | 10:15"; False for a
        sentence or a date followed by a headline.

    Example:
        >>> is_date_line("Last update: April 26, 2024 20:38")
        True
        >>> is_date_line("Aktualisiert am 3. August 2025")
        True
        >>> is_date_line("ISLAMABAD: The defense ministers met on May 5, 2024.")
        False
    """
    return date_shape(text, config=config) is not None


def _iso(
    year: int, month: int, day: int | None = None, hm: tuple[int, int] | None = None
) -> str | None:
    """Return the ISO 8601 form of a date, or None if no calendar has it ("Feb 30")."""
    try:
        datetime.date(year, month, day or 1)
    except ValueError:
        return None
    out = f"{year:04d}-{month:02d}" + ("" if day is None else f"-{day:02d}")
    if hm is not None and day is not None and hm[0] < 24 and hm[1] < 60:
        out += f"T{hm[0]:02d}:{hm[1]:02d}"
    return out


# Days before each month of a Solar Hijri year: six months of 31 days, five of 30, then
# Esfand of 29 (30 in a leap year).
_JALALI_BEFORE = (0, 31, 62, 93, 124, 155, 186, 216, 246, 276, 306, 336)
_ORDINAL_1600 = datetime.date(1600, 1, 1).toordinal()


def _jalali_ordinal(year: int, month: int, day: int) -> int:
    """Return the proleptic Gregorian ordinal of a Solar Hijri date.

    The 33-year arithmetic rule of FarsiWeb's jalali.c (which jdatetime uses too): eight
    leap years in every 33, counted from 979 AP; the tests compare every day of 1278-1479
    with jdatetime. Iran's official calendar is astronomical and may differ from the rule by
    a day in a few years.
    """
    y = year - 979
    days = 365 * y + (y // 33) * 8 + (y % 33 + 3) // 4 + 79
    return _ORDINAL_1600 + days + _JALALI_BEFORE[month - 1] + day - 1


def _from_jalali(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    """Return the Gregorian (year, month, day) of a Solar Hijri date, None if it has none."""
    if not 1 <= month <= 12 or not 1 <= day <= (31 if month <= 6 else 30):
        return None
    leap = _jalali_ordinal(year + 1, 1, 1) - _jalali_ordinal(year, 1, 1) == 366
    if (month, day) == (12, 30) and not leap:
        return None  # 30 Esfand of a common year
    date = datetime.date.fromordinal(_jalali_ordinal(year, month, day))
    return date.year, date.month, date.day


def _iso_jalali(year: int, month: int, day: int, hm: tuple[int, int] | None = None) -> str | None:
    """Return the ISO 8601 (Gregorian) form of a Solar Hijri date (and time), or None."""
    got = _from_jalali(year, month, day)
    return None if got is None else _iso(*got, hm)


def _is_ampm(toks: list[_Tok], k: int) -> bool:
    return 0 <= k < len(toks) and toks[k].kind == "word" and bool(toks[k].roles & AMPM)


def _clock(hour: int, marker: _Tok | None) -> int:
    """Return ``hour`` on the 24-hour clock, given its 12-hour ``marker`` (if any)."""
    if marker is None:
        return hour
    if marker.roles & PM:
        return hour + 12 if hour < 12 else hour
    return 0 if hour == 12 else hour


def _time_after(toks: list[_Tok], j: int) -> tuple[tuple[int, int] | None, int]:
    """Return the time (hour, minute) starting at or after token ``j`` and the next index.

    A 12-hour marker may follow the time ("3:30 pm") or precede it ("오후 3:30", "下午3:30").
    """
    k = j
    while k < len(toks) and toks[k].kind == "word" and toks[k].roles & CONNECTOR:
        k += 1  # "at", "um", "à", "a las"
    marker = None
    if _is_ampm(toks, k) and k + 1 < len(toks) and toks[k + 1].kind == "time":
        marker, k = toks[k], k + 1
    if k >= len(toks) or toks[k].kind != "time":
        return None, j
    m = _TIME_PARTS.match(toks[k].text)
    if not m:
        return None, j
    hour, minute = int(m.group(1)), int(m.group(2))
    k += 1
    if marker is None and _is_ampm(toks, k):
        marker, k = toks[k], k + 1
    hour = _clock(hour, marker)
    if hour > 23 or minute > 59:
        return None, j
    return (hour, minute), k


def _time_before(toks: list[_Tok], first: int, floor: int) -> tuple[int, int] | None:
    """Return the time just before a date ("10:00 BST, 5 May 2024"), from ``floor`` on."""
    k = first - 1
    while k >= floor and toks[k].kind == "word" and toks[k].roles & (CONNECTOR | ZONE | WEEKDAY):
        if toks[k].roles & AMPM:
            break
        k -= 1
    marker = None
    if k >= floor and _is_ampm(toks, k):
        marker, k = toks[k], k - 1
    if k < floor or toks[k].kind != "time":
        return None
    m = _TIME_PARTS.match(toks[k].text)
    if not m:
        return None
    if marker is None and k - 1 >= floor and _is_ampm(toks, k - 1):
        marker = toks[k - 1]  # "오후 3:30 2025.08.03"
    hour, minute = _clock(int(m.group(1)), marker), int(m.group(2))
    return (hour, minute) if hour < 24 and minute < 60 else None


def _with_time(iso: str, toks: list[_Tok], first: int, nxt: int, floor: int) -> tuple[str, int]:
    """Add the time written after (or else just before) a full date: (ISO, next index)."""
    if len(iso) != len("2024-01-01"):
        return iso, nxt
    hm, after = _time_after(toks, _skip(toks, nxt))
    if hm is None:
        hm, after = _time_before(toks, first, floor), nxt
    y, mo, d = (int(x) for x in iso.split("-"))
    with_time = None if hm is None else _iso(y, mo, d, hm)
    return (iso, nxt) if with_time is None else (with_time, after)


def _skip(toks: list[_Tok], j: int) -> int:
    """Return the index of the next token that is not a connector or weekday."""
    while j < len(toks) and toks[j].kind == "word" and toks[j].roles & (CONNECTOR | WEEKDAY):
        if toks[j].roles & MONTH:
            break
        j += 1
    return j


def _int_at(toks: list[_Tok], j: int) -> int | None:
    if j < len(toks) and toks[j].kind == "int" and toks[j].roles >= 0:
        if toks[j].roles and not toks[j].roles & ORDINAL:
            return None  # "5h" is a duration, not a day
        return toks[j].value
    return None


def _month_date(toks: list[_Tok], i: int) -> tuple[str | None, int, int]:
    """Read a date around the month token ``i``: (ISO or None, first index, next index)."""
    month = toks[i].month
    first, nxt = i, i + 1
    day = year = None
    # Day before the month: "3 August 2025", "3. August", "3 de agosto de 2025".
    back = i - 1
    while back >= 0 and toks[back].kind == "word" and toks[back].roles & CONNECTOR:
        back -= 1
    before = _int_at(toks, back) if back >= 0 else None
    if before is not None and 1 <= before <= 31:
        day, first = before, back
    j = _skip(toks, i + 1)
    after = _int_at(toks, j)
    if after is not None and day is None and 1 <= after <= 31:
        day, nxt = after, j + 1  # "April 26, 2024"
        j = _skip(toks, nxt)
        after = _int_at(toks, j)
    calendar = toks[i].roles & _CALENDARS
    if after is not None and _calendar_year(after, (calendar or MONTH) | toks[i].roles & BUDDHIST):
        year, nxt = after, j + 1
    if year is None:
        return None, first, nxt
    if calendar & HIJRI:
        # as written: the civil Hijri calendars (Umm al-Qura, sighting) differ by a day or two
        return None, first, nxt
    if calendar:  # "۱۵ آبان ۱۴۰۳"; a month and year alone ("آبان ۱۴۰۳") is no Gregorian month
        return (None if day is None else _iso_jalali(year, month, day)), first, nxt
    if year < _MIN_YEAR:  # a short Buddhist year ("68"; `_calendar_year` let only those in)
        year += 2500
    if year > _MAX_YEAR:  # a year of the Buddhist Era
        year -= _BUDDHIST_ERA
    return _iso(year, month, day), first, nxt


def _numeric_date(tok: _Tok, jalali: bool, weekday: int | None = None) -> str | None:
    """Return the ISO form of an iso/cjk/numeric token, or None where it is ambiguous.

    With ``jalali``, a year first of 1278-1479 is a Solar Hijri year ("1403/08/15").
    ``weekday`` (0, Monday, to 6), printed beside the token, picks between a day-first and a
    month-first reading when only one of them falls on it ("Wednesday, 03/04/2024").
    """
    if tok.kind == "iso":
        m = _ISO_PARTS.match(tok.text)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            hm = (int(m.group(4)), int(m.group(5))) if m.group(4) else None
            if jalali and _MIN_JALALI <= y <= _MAX_JALALI:
                return _iso_jalali(y, mo, d, hm)
            return _iso(y, mo, d, hm)
        return None
    if tok.kind == "cjkmd":
        return None  # no year: as written
    if tok.kind == "cjk":
        m = _CJK_PARTS.match(tok.text)
        if m:
            return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return None
    m = _NUM_PARTS.fullmatch(tok.text)
    if not m or not _numdate_ok(tok.text, jalali):
        return None
    a, b, c = (int(x) for x in m.groups())
    if len(m.group(1)) == 4:
        return _iso_jalali(a, b, c) if a < _MIN_YEAR else _iso(a, b, c)
    if len(m.group(3)) != 4:
        return None  # a two-digit year: the century is a guess
    if _MIN_YEAR <= c - _BUDDHIST_ERA <= _MAX_YEAR:
        c -= _BUDDHIST_ERA  # 03/08/2568: a year of the Buddhist Era (Thailand)
    if a > 12 >= b:
        return _iso(c, b, a)  # 26/04/2024: day first
    if b > 12 >= a:
        return _iso(c, a, b)  # 04/26/2024: month first
    if a == b:
        return _iso(c, a, b)
    if weekday is not None and _MIN_YEAR <= c <= _MAX_YEAR:
        on_day_first = datetime.date(c, b, a).weekday() == weekday
        if on_day_first != (datetime.date(c, a, b).weekday() == weekday):
            return _iso(c, b, a) if on_day_first else _iso(c, a, b)
    if "/" not in tok.text and "-" not in tok.text:
        return _iso(c, b, a)  # 03.08.2025: dots are day first (de, ru, pl, tr...), never US
    return None  # 03/04/2024: day-first or month-first, the page does not say


def _weekday_beside(toks: list[_Tok], i: int, floor: int, vocab: _Vocab) -> int | None:
    """Return the day (0, Monday, to 6) of a weekday right before token ``i``, or right after.

    ``floor``: the first token no earlier date has used ("Wed 1 May, 03/04" has none).
    """
    for j in (i - 1, i + 1):
        if floor <= j < len(toks) and toks[j].kind == "word" and toks[j].roles & WEEKDAY:
            day = vocab.weekdays.get(toks[j].text)
            if day is not None:
                return day
    return None


def _iter_dates(text: str, vocab: _Vocab) -> Iterator[str]:
    toks = _tokens(text, vocab)
    i = floor = 0  # floor: the first token no earlier date has used
    while i < len(toks):
        tok = toks[i]
        if (tok.kind == "numdate" and not _numdate_ok(tok.text, vocab.jalali)) or (
            tok.kind == "cjkmd" and not _month_day_ok(tok.text)
        ):
            i += 1  # "0/0/0000", a version number, "13月3日": no date at all
        elif tok.kind in ("iso", "cjk", "cjkmd", "numdate"):
            iso = _numeric_date(tok, vocab.jalali, _weekday_beside(toks, i, floor, vocab))
            if iso is not None:
                iso, nxt = _with_time(iso, toks, i, i + 1, floor)
            else:
                hm, after = _time_after(toks, _skip(toks, i + 1))  # "8月3日(日) 14:30"
                nxt = i + 1 if hm is None else after
            yield iso if iso is not None else text[tok.start : toks[nxt - 1].end]
            i = floor = nxt
        elif tok.kind == "word" and tok.roles & MONTH:
            iso, first, nxt = _month_date(toks, i)
            if iso is not None:
                iso, nxt = _with_time(iso, toks, first, nxt, floor)
                yield iso
                i = floor = nxt
                continue
            written = text[toks[first].start : toks[nxt - 1].end]
            if (nxt > i + 1 or first < i) and "(" not in written:  # "October (15)": a count
                yield written  # "3 August": no year
                i = floor = nxt
                continue
            i += 1
        elif tok.roles > 0 and tok.roles & (UNIT | RELATIVE):
            found, nxt = _relative(text, toks, i)
            if found is not None:
                yield found
            i = nxt
        else:
            i += 1


def _relative(text: str, toks: list[_Tok], i: int) -> tuple[str | None, int]:
    """Read a relative date ("5 hours ago") around the unit token ``i``, as written.

    Returns:
        The date text (or None if the unit has no "ago" marker) and the next token index.
    """
    first, last = i, i
    if first > 0 and toks[first - 1].kind == "int" and toks[first - 1].roles == 0:
        first -= 1  # "5 hours"
    elif first > 0 and toks[first - 1].kind == "word" and toks[first - 1].roles & NUMWORD:
        first -= 1  # "an hour"
    found = bool(toks[i].roles & RELATIVE)
    # "vor 5 Stunden", "hace 5 horas", "il y a 3 heures"; a hedge may stand between the
    # marker and the number: "vor etwa 2 Stunden", "há cerca de 2 horas".
    before = first
    while before > 0 and toks[before - 1].kind == "word":
        if toks[before - 1].roles & MARKER:
            first, found = before - 1, True
            break
        if not toks[before - 1].roles & CONNECTOR:
            break
        before -= 1
    if last + 1 < len(toks) and toks[last + 1].kind == "word" and toks[last + 1].roles & MARKER:
        last, found = last + 1, True  # "5 hours ago", "5 گھنٹے پہلے"
    if not found:
        return None, i + 1
    return text[toks[first].start : toks[last].end], last + 1


def find_dates(text: str, *, config: CleanConfig | None = None) -> list[str]:
    """Return the dates written in ``text``: ISO 8601 where the date is complete.

    A full date becomes ``YYYY-MM-DD`` (``YYYY-MM-DDTHH:MM`` with a time after it), a month
    and year ``YYYY-MM``; an incomplete or ambiguous date ("3 August", "03/04/2024", "5 hours
    ago") comes back as written.

    Args:
        text: a line, typically a timestamp or a byline.
        config: its ``languages`` choose the month names that are recognised.

    Returns:
        The dates in order of appearance (empty if none).

    Example:
        >>> find_dates("Last update: April 26, 2024 20:38")
        ['2024-04-26T20:38']
        >>> find_dates("By Orkhan Jalilov September 5, 2018")
        ['2018-09-05']
        >>> find_dates("5 hours ago")
        ['5 hours ago']
    """
    cfg = DEFAULT_CONFIG if config is None else config
    return list(_iter_dates(text, _vocab(cfg.languages)))


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark the lines that are only a date/time stamp as ``timestamp``.

    Removed: a stamp with a lead ("Updated 03 August 2025", "Posted on: 11-7-2008"), a month
    without a day ("May 2012", archive links "October (15)"), a relative date ("5 hours ago"),
    and a bare date or time that sits in a list of dates with no prose near it (comment and
    archive stamps). Kept: a bare date beside prose on a page with few dates, which is most
    often the article's own date line (the human gold of the dev set keeps it).

    Args:
        doc: the document.
        marks: earlier detectors' marks; those lines are skipped.
        config: options (``max_date_line_chars``, ``date_list_min``, ``date_context_lines``,
            ``date_prose_words``, ``languages``).

    Returns:
        One ``timestamp`` mark per removed date line.
    """
    shapes: dict[int, DateShape] = {}
    lines = doc.lines
    # The pre-screen (one scan shared with the other lexical detectors) leaves out the lines
    # too long for a date and those whose first word already fails `_maybe_date`: most lines.
    for i in candidates(doc, config).dates:
        shape = line_date_shape(lines[i], config)
        if shape is not None:
            shapes[i] = shape
    is_list = len(shapes) >= config.date_list_min
    out = []
    for i, shape in shapes.items():
        if i in marks:
            continue
        if shape.lead:
            reason = "the line is only a date/time stamp with its lead word"
        elif shape.kind == "month":
            reason = "the line is only a month (an archive link or a list heading)"
        elif shape.kind == "relative":
            reason = "the line is only a relative date/time stamp"
        elif is_list and not _near_prose(doc, i, config):
            reason = f"a bare date among {len(shapes)} date lines, with no prose near it"
        else:
            continue  # most likely the article's own date: when unsure, keep
        out.append(Mark(i, "timestamp", reason, "dates"))
    return out


def _near_prose(doc: Document, i: int, config: CleanConfig) -> bool:
    before, after = doc.neighbours(i, config.date_context_lines)
    return any(ln.n_words >= config.date_prose_words for ln in (*before, *after))
