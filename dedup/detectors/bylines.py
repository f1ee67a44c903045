"""Detector `bylines`: the author line of an article ("By Orkhan Jalilov September 5, 2018").

Receives a `Document`; hands on a ``byline`` mark for every short line that is a lead word
("By", "Written by", "Par", "Von", "Por", "بقلم") followed by a few name-like words, maybe an
agency or role and a date ("By John Smith, Staff Writer | May 5, 2024"), or a line that is only
a credit such as "Staff Reporter" or "Reuters". Leads, credits, name particles ("de", "van",
"al") and the small words allowed around names live in ``dedup/resources/bylines/<lang>.json``.

Names are recognised by case: every word after the lead must be capitalised, a particle, a
joiner ("and", "for"), a number or date vocabulary; one ordinary lower-case word makes the
line a sentence ("By 2030, the city will..." is content). In scripts without case (Arabic,
Chinese, Urdu) a name is at most `CleanConfig.byline_max_caseless_words` words.

`extract_name` returns the name part for `CleanResult.byline`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from dedup._marks import LETTERS, MARKS
from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.dates import ConfigHandle, config_handle, is_date_line, is_date_word
from dedup.detectors.prescreen import candidates
from dedup.document import Document
from dedup.lexicon import languages, load_json
from dedup.normalize import match_key, normalize

# Verdicts are pure functions of (line, config): cached, because the cleaner re-runs every
# detector on its own output and one site repeats the same chrome on every page.
_CACHE_LINES = 1 << 14  # short lines only (<= 300 chars): a few MB at most

# A word (letters/digits, inner apostrophes or hyphens: "O'Neil", "al-Amin", an initial "J.")
# or one punctuation character. The inner group needs a separator first, so it cannot
# backtrack: matching is linear in the line length.
_TOKEN = re.compile(rf"{LETTERS}(?:['’\-]{LETTERS})*+\.?|[^\w\s{MARKS}]")
# Punctuation that may separate the name from a role or a date: "By X, Reuters", "By X | May 5".
_SEPARATORS = frozenset(",،|-/:;•·()[]@")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    leads: dict[tuple[str, ...], str]  # lead words -> language
    colon_leads: frozenset[tuple[str, ...]]  # leads that need a ":" after them ("Author:")
    not_names: frozenset[str]  # capitalised words that are not a name: "By Category"
    roles: dict[tuple[str, ...], str]  # credit words -> language
    particles: frozenset[str]
    conjunctions: frozenset[str]  # between two names: "and", "&", "et", "und"
    joiners: frozenset[str]  # before a role, agency or place: "for", "in", "of"
    longest: int
    firsts: frozenset[str]  # first words of leads and credits: the cheap pre-test


class _Word(NamedTuple):  # a named tuple: built several times faster than a frozen dataclass
    text: str
    key: str  # match_key form
    start: int
    end: int

    @property
    def punct(self) -> bool:
        return not self.key


@dataclass(frozen=True, slots=True)
class Byline:
    """A parsed byline.

    Attributes:
        name: the author part as written ("Orkhan Jalilov", "Staff Reporter").
        lead: the lead as written ("By"), empty for a bare credit line.
        language: the language of the lead or credit that matched.
    """

    name: str
    lead: str
    language: str


def _key_words(text: str) -> tuple[str, ...]:
    return tuple(match_key(text).split())


@cache
def _lexicon(langs: tuple[str, ...] | None) -> _Lexicon:
    have = languages("bylines", ".json")
    chosen = have if langs is None else tuple(x for x in langs if x in have)
    leads: dict[tuple[str, ...], str] = {}
    colon_leads: set[tuple[str, ...]] = set()
    not_names: set[str] = set()
    roles: dict[tuple[str, ...], str] = {}
    particles: set[str] = set()
    joiners: set[str] = set()
    conjunctions: set[str] = set()
    common = load_json("bylines/common.json")
    for entry in common.get("roles", ()):
        roles.setdefault(_key_words(entry), "common")
    particles.update(match_key(x) for x in common.get("particles", ()))
    for lang in chosen:
        data = load_json(f"bylines/{lang}.json")
        for entry in data.get("leads", ()):
            leads.setdefault(_key_words(entry), lang)
            if entry.endswith(":"):
                colon_leads.add(_key_words(entry))
        not_names.update(match_key(x) for x in data.get("not_names", ()))
        for entry in data.get("roles", ()):
            roles.setdefault(_key_words(entry), lang)
        joiners.update(normalize(x) for x in data.get("joiners", ()))
        conjunctions.update(normalize(x) for x in data.get("conjunctions", ()))
    longest = max((len(k) for k in (*leads, *roles)), default=1)
    firsts = frozenset(k[0] for k in (*leads, *roles) if k)
    return _Lexicon(
        leads,
        frozenset(colon_leads),
        frozenset(not_names),
        roles,
        frozenset(particles),
        frozenset(conjunctions),
        frozenset(joiners),
        longest,
        firsts,
    )


def lexicon_firsts(langs: tuple[str, ...] | None) -> frozenset[str]:
    """Return the first words (matching keys) of the leads and credits of ``langs``.

    A line whose matching key starts with none of them is no byline.
    """
    return _lexicon(langs).firsts


def _token_key(token: str) -> str:
    # Most tokens are plain ASCII words, whose matching key is their case-folded form.
    return token.casefold() if token.isascii() and token.isalnum() else match_key(token)


def _words(text: str) -> list[_Word]:
    found = _TOKEN.finditer(text)
    return [_Word(m.group(), _token_key(m.group()), m.start(), m.end()) for m in found]


def _phrase_at(words: list[_Word], i: int, table: dict[tuple[str, ...], str], longest: int) -> int:
    """Return how many words from ``i`` form the longest phrase of ``table`` (0 if none)."""
    for n in range(min(longest, len(words) - i), 0, -1):
        group = words[i : i + n]
        if any(w.punct for w in group):
            continue
        if tuple(w.key for w in group) in table:
            return n
    return 0


def _caseless(word: str) -> bool:
    """Return whether ``word`` is written in a script without case (Arabic, CJK...)."""
    return word.lower() == word.upper() and any(ch.isalpha() for ch in word)


def _is_name_word(word: _Word, lex: _Lexicon, config: CleanConfig) -> bool:
    """Return whether ``word`` can be part of a name: capitalised, caseless, or "al-Amin".

    Month and weekday names are not ("By Tuesday, ..."), see `_names_end` for "Jan", "May".
    """
    text = word.text
    if not (text[0].isupper() or _caseless(text)):
        # "al-Amin", "d'Estaing": a particle glued to a capitalised name.
        head, sep, rest = text.replace("’", "'").partition("-" if "-" in text else "'")
        if not (sep and rest[:1].isupper() and match_key(head) in lex.particles):
            return False
    return not is_date_word(text, config=config)


def _is_first_name(words: list[_Word], j: int, lex: _Lexicon, config: CleanConfig) -> bool:
    """Return whether a capitalised date word is a first name: "Jan van der Berg", "May Li"."""
    w = words[j]
    if not w.text[0].isupper() or j + 1 >= len(words):
        return False
    nxt = words[j + 1]
    return _is_name_word(nxt, lex, config) or (not nxt.punct and nxt.key in lex.particles)


def _names_end(words: list[_Word], i: int, lex: _Lexicon, config: CleanConfig) -> int:
    """Return the index just past the name(s) starting at ``i`` (``i`` if there is no name).

    Names are capitalised words with particles inside ("Ahmed al Amin", "Jan van der Berg"),
    several of them joined by "," / "and" / "&" when another name follows.
    """
    j = i
    n_words = 0
    caseless = 0
    while j < len(words) and n_words < config.byline_max_name_words:
        w = words[j]
        if w.punct:
            # "," or "&" between two names: "By A. Smith, B. Jones" / "By A & B".
            more = j + 1 < len(words) and _starts_name(words, j + 1, lex, config)
            if w.text in ",&" and j > i and more:
                j += 1
                continue
            break
        if _is_name_word(w, lex, config) or _is_first_name(words, j, lex, config):
            caseless += _caseless(w.text)
            n_words += 1
            j += 1
            continue
        # Particles and joiners inside a name: "Ahmed al Amin", "Jan van der Berg",
        # "John Smith and Jane Doe"; only when a name word follows them.
        k = j
        while (
            k < len(words)
            and not words[k].punct
            and (words[k].key in lex.particles or normalize(words[k].text) in lex.conjunctions)
        ):
            k += 1
        if j > i and k > j and k < len(words) and _is_name_word(words[k], lex, config):
            j = k
            continue
        break
    if caseless > config.byline_max_caseless_words:
        return i  # a sentence in a script without case, not a name
    return j


def _starts_name(words: list[_Word], j: int, lex: _Lexicon, config: CleanConfig) -> bool:
    return (
        _is_name_word(words[j], lex, config) and _phrase_at(words, j, lex.roles, lex.longest) == 0
    )


def _tail_ok(words: list[_Word], j: int, lex: _Lexicon, config: CleanConfig) -> bool:
    """Return whether the words after the name are only a role, an agency, a place or a date.

    Every word must be capitalised, a joiner, a number or date vocabulary: a lower-case word
    means the line goes on as a sentence.
    """
    n_words = 0
    while j < len(words):
        w = words[j]
        j += 1
        if w.punct:
            if normalize(w.text) not in _SEPARATORS and w.text not in ".&'’":
                return False
            continue
        n_words += 1
        if n_words > config.byline_max_tail_words:
            return False
        if w.text[0].isdigit() or w.text[0].isupper() or is_date_word(w.text, config=config):
            continue
        if normalize(w.text) in lex.joiners or normalize(w.text) in lex.conjunctions:
            continue
        if _caseless(w.text) and is_date_word(w.text, config=config):
            continue
        return False
    return True


def parse_byline(text: str, *, config: CleanConfig | None = None) -> Byline | None:
    """Return the `Byline` a whole line is, or None if the line is not a byline.

    Args:
        text: one line.
        config: options (``languages``, ``byline_max_chars``, ``byline_max_name_words``...).

    Example:
        >>> parse_byline("By Orkhan Jalilov September 5, 2018")
        Byline(name='Orkhan Jalilov', lead='By', language='en')
        >>> parse_byline("By 2030, the city will have doubled its bus fleet.") is None
        True
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.byline_max_chars:
        return None
    stripped = text.strip()
    return _parse_text(stripped, config_handle(cfg))


@lru_cache(maxsize=_CACHE_LINES)
def _parse_text(stripped: str, handle: ConfigHandle) -> Byline | None:
    return _parse(stripped, match_key(stripped[:60]), handle)


@lru_cache(maxsize=_CACHE_LINES)
def _parse(stripped: str, key: str, handle: ConfigHandle) -> Byline | None:
    """Parse a stripped line whose matching key (or the key of its start) is ``key``."""
    cfg = handle.config
    if not stripped or len(stripped) > cfg.byline_max_chars:
        return None
    lex = _lexicon(cfg.languages)
    space = key.find(" ")
    if (key if space < 0 else key[:space]) not in lex.firsts:
        return None  # neither a lead nor a credit starts the line: most lines stop here
    words = _words(stripped)
    n_lead = _phrase_at(words, 0, lex.leads, lex.longest)
    i = n_lead
    while i < len(words) and words[i].punct and normalize(words[i].text) in ":-/|":
        i += 1  # "By: John Smith", "Text — Anna", "文/张三"
    if i >= len(words):
        return None
    if n_lead and i == n_lead and tuple(w.key for w in words[:n_lead]) in lex.colon_leads:
        return None  # "Author" or "Text" without a colon is a word, not a lead ("Text Size")
    n_role = _phrase_at(words, i, lex.roles, lex.longest)
    if n_role:
        end = i + n_role  # "By Staff Reporter", "Reuters", "Staff Reporter | May 5"
        language = lex.roles[tuple(w.key for w in words[i:end])]
    elif n_lead:
        if words[i].key in lex.not_names:
            return None  # "By Category", "By The Numbers": a menu item or a heading
        end = _names_end(words, i, lex, cfg)
        if end == i or words[end - 1].punct:
            return None
        language = lex.leads[tuple(w.key for w in words[:n_lead])]
    else:
        return None
    if not _tail_ok(words, end, lex, cfg):
        return None
    tail = stripped[words[end].start :] if end < len(words) else ""
    # Without case, or after a bare credit, only a date may follow: "بقلم محمد علي، 3 مايو",
    # "Staff Reporter | May 5, 2024" (but not "Staff Directory").
    strict = not n_lead or _caseless(words[end - 1].text)
    if tail and strict and not is_date_line(tail.strip(":-|,،()[] "), config=cfg):
        return None
    lead = stripped[: words[n_lead - 1].end] if n_lead else ""
    name = stripped[words[i].start : words[end - 1].end]
    if name.endswith(".") and len(words[end - 1].text) > 3:
        name = name[:-1]  # "by Sky Friedlander. Posted on ...": a full stop, not an initial
    return Byline(name, lead, language)


def is_credit(text: str, *, config: CleanConfig | None = None) -> bool:
    """Return whether ``text`` is a credit of the byline lexicons ("Reuters", "dpa").

    Example:
        >>> is_credit("dpa"), is_credit("Staff Reporter"), is_credit("novel")
        (True, True, False)
    """
    cfg = DEFAULT_CONFIG if config is None else config
    return _key_words(text) in _lexicon(cfg.languages).roles


def extract_name(line: str) -> str:
    """Return the name part of a byline line, for `CleanResult.byline`.

    Args:
        line: a line the ``bylines`` detector marked.

    Returns:
        The author as written, without the lead and the date; the stripped line when it
        cannot be parsed.

    Example:
        >>> extract_name("By Orkhan Jalilov September 5, 2018")
        'Orkhan Jalilov'
        >>> extract_name("Par Jean Dupont et Marie Curie, 3 août 2025")
        'Jean Dupont et Marie Curie'
    """
    parsed = parse_byline(line)
    return parsed.name if parsed is not None else line.strip()


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark every line that is a byline or a bare author credit as ``byline``.

    Args:
        doc: the document.
        marks: earlier detectors' marks; those lines are skipped.
        config: options (``languages``, ``byline_*``).

    Returns:
        One ``byline`` mark per byline line; the reason names the author found.
    """
    out = []
    handle = config_handle(config)
    lines = doc.lines
    # The pre-screen (one scan shared with the other lexical detectors) leaves out the lines
    # too long for a byline and those no lead or credit starts (`_parse`'s first test).
    for i in candidates(doc, config).bylines:
        if i in marks:
            continue
        line = lines[i]
        parsed = _parse(line.stripped, line.key, handle)
        if parsed is None:
            continue
        if parsed.lead:
            reason = f"a byline: {parsed.lead!r} followed by the name {parsed.name!r}"
        else:
            reason = f"an author credit alone on its line ({parsed.name!r})"
        out.append(Mark(i, "byline", reason, "bylines"))
    return out
