"""Detector `bylines`: the author line of an article ("By Orkhan Jalilov September 5, 2018").

Receives a `Document`; hands on a ``byline`` mark for every short line that is a lead word
("By", "Written by", "Par", "Von", "Por", "بقلم") followed by a few name-like words, maybe an
agency or role and a date ("By John Smith, Staff Writer | May 5, 2024"), or a line that is only
a credit such as "Staff Reporter" or "Reuters", or a name followed by its role, as Korean and
Japanese sites print it ("김민수 기자", "워싱턴=김민수 특파원", "山田太郎記者"). Leads,
credits, roles written after the name, name particles ("de", "van", "al") and the small words
allowed around names live in ``dedup/resources/bylines/<lang>.json``.

Names are recognised by case: every word after the lead must be capitalised, a particle, a
joiner ("and", "for"), a number, date vocabulary or a role of the lexicon ("envoyée
spéciale", "staff writer", "inviato"); one ordinary lower-case word makes the line a sentence
("By 2030, the city will..." is content). A date word ending the line after a name is a
surname ("Por Ana Dias", "By Mark May"); a credit alone may stand in brackets ("(AFP)").
In scripts without case (Arabic, Chinese, Urdu) a name is at most
`CleanConfig.byline_max_caseless_words` words.

Name first, role after (``trailing_roles``): the line is a name of words without case, maybe a
place and "=" before it (the Korean dateline "워싱턴=김민수 특파원"), then the role, then maybe
an e-mail address; nothing else. A role of ``glued_roles`` may be written without a space
after a name of kanji ("山田太郎記者"): that name is 2 to ``byline_max_caseless_words``
kanji and none of ``not_names`` ("新聞記者", "政治部記者" are words, not names).

`extract_name` returns the name part for `CleanResult.byline`.

Author's notes: once a page's bylines are found, a line that starts with the name of a person
they name, then a verb of ``bio_verbs`` ("is", "est", "ist") and more words, says who the
author is ("Cyrus Farivar is the senior business editor at Example News", "Cyrus Farivar /
Cyrus is..."): a ``trailer`` mark. Dev set: `clean()` F1 0.905 -> 0.906 (13 pages better,
among them an Atlantic post whose author's bio outweighed the article, and 4 worse: op-ed
contributors' bios that the gold keeps, and a list of deals that the bio after it used to
hold in the article), corpus F1 0.924 -> 0.923 (there the learned chrome already took most
bios).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from dedup._marks import LETTERS, MARKS
from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.chrome import compile_phrases, match_chrome, without_counts
from dedup.detectors.dates import ConfigHandle, config_handle, is_date_line, is_date_word
from dedup.detectors.prescreen import candidates
from dedup.document import Document
from dedup.lexicon import chosen_languages, load_json
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
# Between the parts of a byline row ("By Jane Smith | Leave a comment").
_ROW_SEPARATORS = frozenset("|•·")
# Between two names before a role written after them: "김민수·이영희 기자".
_NAME_SEPARATORS = frozenset(",、·・")
# After a place and before the name: "워싱턴=김민수 특파원" (matched in `normalize` form).
_PLACE_MARK = "="
# Around an e-mail address after the role: "김민수 기자 (minsu@example.co.kr)".
_EMAIL_BRACKETS = "()<>[]"
# A name glued to a role ("山田太郎記者") is kanji only: kana would let a sentence in
# ("そう語った記者"). One kanji is too short for a name there: "元記者", "女記者", "同記者".
_DIGIT = re.compile(r"\d")
_KANJI = re.compile("[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MIN_GLUED_NAME = 2


@dataclass(frozen=True, slots=True)
class _Lexicon:
    leads: dict[tuple[str, ...], str]  # lead words -> language
    colon_leads: frozenset[tuple[str, ...]]  # leads that need a ":" after them ("Author:")
    not_names: frozenset[str]  # capitalised words that are not a name: "By Category"
    roles: dict[tuple[str, ...], str]  # credit words -> language
    # what may follow a name (after a comma, or in lower case) and is no more names: the
    # roles and the job titles ("Executive Editor", which alone is no byline) -> language
    after_name: dict[tuple[str, ...], str]
    title_words: frozenset[str]  # a word that makes a part after a comma a job title
    particles: frozenset[str]
    conjunctions: frozenset[str]  # between two names: "and", "&", "et", "und"
    joiners: frozenset[str]  # before a role, agency or place: "for", "in", "of"
    longest: int
    firsts: frozenset[str]  # first words of leads and credits: the cheap pre-test
    trailing: dict[tuple[str, ...], str]  # roles written after the name -> language
    trailing_longest: int
    glued: tuple[tuple[str, str], ...]  # (role, language) glued to a name, longest role first
    ends: RoleEnds
    bio_verbs: dict[tuple[str, ...], str]  # "is", "est", "ist": an author's note after the name
    bio_longest: int


class RoleEnds(NamedTuple):
    """What ends a line that may be a byline written name first: the cheap pre-test.

    Such a line is a candidate when the last word of its matching key is one of ``lasts`` or
    ends with one of ``glued``, or, if the lexicon has roles written after a name at all, when
    it holds an "@" (an e-mail address may follow the role), or when its last word holds a
    digit and an earlier word is such a last word or ends with a glued role (a date may follow
    the role: "김민수 기자 2025.08.03 14:30", "山田太郎記者 2025年8月3日").
    """

    lasts: frozenset[str]  # last words of the roles written after a name
    glued: tuple[str, ...]  # roles that may be glued to the name ("山田太郎記者")

    def could_end(self, stripped: str, key: str) -> bool:
        """Return whether the line (stripped, and its matching key) passes the pre-test."""
        last = key[key.rfind(" ") + 1 :]
        if last in self.lasts:
            return True
        if not (self.lasts or self.glued):
            return False
        if last.endswith(self.glued) or "@" in stripped:
            return True
        return self.role_before_date(key, last)

    def role_before_date(self, key: str, last: str) -> bool:
        """Return whether ``last`` (the key's last word) holds a digit and a role precedes it.

        The test of `could_end` for a date written after the role; the pre-screen asks it
        alone, once the other tests failed.
        """
        return _DIGIT.search(last) is not None and any(
            w in self.lasts or w.endswith(self.glued) for w in key.split(" ")
        )


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
        language: the language of the lead, credit or role that matched.
        role: the role written after the name ("기자" in "김민수 기자"), or empty.
    """

    name: str
    lead: str
    language: str
    role: str = ""


class _Role(NamedTuple):
    """A role written after a name, found at the end of some words (`_role_at_end`)."""

    first: int  # index of the role's first word, or of the word the role is glued to
    name_end: int  # offset in the line just past the name
    text: str  # the role as written
    language: str
    glued: bool


def _key_words(text: str) -> tuple[str, ...]:
    return tuple(match_key(text).split())


@cache
def _lexicon(langs: tuple[str, ...] | None) -> _Lexicon:
    chosen = chosen_languages("bylines", langs, ".json")
    leads: dict[tuple[str, ...], str] = {}
    colon_leads: set[tuple[str, ...]] = set()
    not_names: set[str] = set()
    roles: dict[tuple[str, ...], str] = {}
    titles: dict[tuple[str, ...], str] = {}
    title_words: set[str] = set()
    particles: set[str] = set()
    joiners: set[str] = set()
    conjunctions: set[str] = set()
    trailing: dict[tuple[str, ...], str] = {}
    glued: dict[str, str] = {}
    bio_verbs: dict[tuple[str, ...], str] = {}
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
        for table, name in ((roles, "roles"), (titles, "job_titles")):
            for entry in data.get(name, ()):
                table.setdefault(_key_words(entry), lang)
                # and written as one hyphenated word, one token: "Editor-in-Chief"
                table.setdefault((match_key(entry),), lang)
        title_words.update(match_key(x) for x in data.get("title_words", ()))
        joiners.update(normalize(x) for x in data.get("joiners", ()))
        conjunctions.update(normalize(x) for x in data.get("conjunctions", ()))
        for entry in data.get("trailing_roles", ()):
            trailing.setdefault(_key_words(entry), lang)
        for entry in data.get("glued_roles", ()):
            glued.setdefault(match_key(entry), lang)
        for entry in data.get("bio_verbs", ()):
            bio_verbs.setdefault(_key_words(entry), lang)
    after_name = {**titles, **roles}
    longest = max((len(k) for k in (*leads, *after_name)), default=1)
    firsts = frozenset(k[0] for k in (*leads, *roles) if k)
    glued_roles = tuple(sorted(glued.items(), key=lambda item: -len(item[0])))
    ends = RoleEnds(frozenset(k[-1] for k in trailing if k), tuple(r for r, _ in glued_roles))
    return _Lexicon(
        leads,
        frozenset(colon_leads),
        frozenset(not_names),
        roles,
        after_name,
        frozenset(title_words),
        frozenset(particles),
        frozenset(conjunctions),
        frozenset(joiners),
        longest,
        firsts,
        trailing,
        max((len(k) for k in trailing), default=1),
        glued_roles,
        ends,
        bio_verbs,
        max((len(k) for k in bio_verbs), default=1),
    )


def lexicon_firsts(langs: tuple[str, ...] | None) -> frozenset[str]:
    """Return the first words (matching keys) of the leads and credits of ``langs``.

    A line whose matching key starts with none of them is no byline.
    """
    return _lexicon(langs).firsts


def lexicon_ends(langs: tuple[str, ...] | None) -> RoleEnds:
    """Return the pre-test of the lines written name first ("김민수 기자") for ``langs``.

    A line whose matching key starts with no lead or credit and that fails
    `RoleEnds.could_end` is no byline.
    """
    return _lexicon(langs).ends


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


def _spaced_kanji(stripped: str, lead: _Word, after: _Word) -> bool:
    """Return whether a lead in Chinese characters stands apart from what follows it.

    Chinese puts no space between words: "记者 张三" is the lead and a name, as "记者：张三"
    is, where "记者会上" or "记者手记" are words.
    """
    return _KANJI.fullmatch(lead.text) is not None and stripped[lead.end : after.start].isspace()


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
    """Return whether a capitalised date word is part of a name.

    A first name ("Jan van der Berg", "May Li"), or a surname that ends the line after a
    name word ("Por Ana Dias", "By Mark May"): a date would hold a number.
    """
    w = words[j]
    if not w.text[0].isupper():
        return False
    if j + 1 >= len(words):
        return j > 0 and _is_name_word(words[j - 1], lex, config)
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
            # "," or "&" between two names: "By A. Smith, B. Jones" / "By A & B"; not a
            # job title after a comma: "By Dan Friedman, AdWords Product Manager", nor an
            # outlet: "By Wayne Drash, CNN".
            more = j + 1 < len(words) and _starts_name(words, j + 1, lex, config)
            if (
                more
                and w.text == ","
                and (_title_end(words, j + 1, lex) or _outlet_at(words, i, j + 1))
            ):
                break
            if w.text in ",&" and j > i and more:
                j += 1
                continue
            break
        if j > i and _outlet_at(words, i, j):
            break  # "By Mike Whalley BBC Sport"
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


def _outlet_at(words: list[_Word], i: int, j: int) -> bool:
    """Return whether ``words[j]`` is an outlet's initials after the name ``words[i:j]``.

    Capitals of 2-5 letters ("CNN", "BBC", "NBC") after a name of two words or more not
    written in capitals: "By Mike Whalley BBC Sport", "By Wayne Drash, CNN". A name in
    capitals ("By DAVID BAUDER"), an initial ("D.") and a roman numeral ("III") are no outlet,
    nor capitals after one word ("Posted by Houston DWI Lawyer": a commenter's handle).
    """
    text = words[j].text
    if not (2 <= len(text) <= 5 and text.isalpha() and text.isupper()) or not text.strip("IVX"):
        return False
    name = [w.text for w in words[i:j] if not w.punct]
    return len(name) >= 2 and any(not t.isupper() for t in name)


def _before_chrome(
    stripped: str, words: list[_Word], i: int, end: int, config: CleanConfig
) -> tuple[int, int | None]:
    """Return where the name ``words[i:end]`` ends once a chrome phrase that ends the line is cut.

    Capitalised button labels read like more names: in "By George Ambler Leave a Comment" the
    name is "George Ambler", "Leave a Comment" (`dedup.detectors.chrome`) is what follows it;
    so do the labels of a "<label>: **" entry: "Written by Tim Ferriss Topics: Lifestyle".
    A label may be glued to the name, a link printed without a space before it: "By Spencer
    AckermanEmail Author". Returns the end of the name's words and, when a label is glued to
    one of them, the offset in ``stripped`` where the name stops inside it (else None).
    """
    if end >= len(words) and not any(_GLUE.search(w.text) for w in words[i:end]):
        return end, None  # a name's last word may be a button's on its own: "By Thomas More"
    phrases = compile_phrases("chrome", config.languages)
    exact = phrases.exact  # plain phrases, no wildcards

    def chrome(rest: str) -> bool:
        # "Leave a Comment", "Comments (3)"; "Topics: Lifestyle", "Tags: ..."
        return (
            any(k in exact for k in without_counts(match_key(rest)))
            or phrases.match_prefix(rest) is not None
        )

    for j in range(i, end):
        word = words[j]
        # A capital after a small letter inside a word ("AckermanEmail", not "McDonald":
        # "Donald" is no button) may start a glued label.
        for glue in _GLUE.finditer(word.text):
            if chrome(stripped[word.start + glue.end() - 1 :]):
                return j + 1, word.start + glue.end() - 1
        if j > i and end < len(words) and chrome(stripped[word.start :]):
            return j, None
    return end, None


#: A small letter and then a capital inside a word: where a glued link's label may start.
_GLUE = re.compile(r"[a-z][A-Z]")


def _title_end(words: list[_Word], j: int, lex: _Lexicon) -> int:
    """Return the end of the job title at ``j``, or 0 if the words there name no job.

    "AdWords Product Manager", "CNN Political Reporter", "directeur de la rédaction": the
    words from ``j`` to the next mark or conjunction, one of them a `title_words` word.
    """
    end = j
    while end < len(words) and not words[end].punct and words[end].key not in lex.conjunctions:
        end += 1
    return end if any(w.key in lex.title_words for w in words[j:end]) else 0


def _starts_name(words: list[_Word], j: int, lex: _Lexicon, config: CleanConfig) -> bool:
    return (
        _is_name_word(words[j], lex, config)
        and _phrase_at(words, j, lex.after_name, lex.longest) == 0
    )


def _tail_ok(
    words: list[_Word], j: int, lex: _Lexicon, config: CleanConfig, text: str = ""
) -> bool:
    """Return whether the words after the name are only a role, an agency, a place or a date.

    Every word must be capitalised, hold a digit, be a joiner or date vocabulary: a lower-case
    word means the line goes on as a sentence. A chrome phrase between separators of a row
    is no word of it, whatever its case: "By Jane Smith | Leave a comment", "Posted by Jane
    Smith on November 06, 2012 at 02:33 PM in Lobbying | Permalink" (``text``: the line the
    words are of). It is read only where the tail fails without it.
    """
    n_words = 0
    part, in_part = -1, 0  # the first word after the last row separator, words counted since
    limit = config.byline_max_tail_words
    while j < len(words):
        w = words[j]
        # A role or job title of the lexicon, in lower case as most languages write it:
        # "(Auch, envoyée spéciale)", "Jane Smith, staff writer", "Marco Rossi, inviato a
        # Kiev", "Jean Dupont, rédacteur en chef".
        n_role = 0 if w.punct else _phrase_at(words, j, lex.after_name, lex.longest)
        # A part after a mark that names a job counts as one word, whatever its case:
        # "Niti Mangtani, Group Product Manager, Google Offers and ...".
        end = (
            0 if w.punct or n_role or not j or not words[j - 1].punct else _title_end(words, j, lex)
        )
        if n_role:
            j += n_role
            n_words += n_role
            in_part += n_role
            ok = n_words <= limit
        elif end:
            j = end
            n_words += 1
            in_part += 1
            ok = True
        elif w.punct:
            j += 1
            if normalize(w.text) in _ROW_SEPARATORS:
                part, in_part = j, 0
            ok = normalize(w.text) in _SEPARATORS or w.text in ".&'’"
        else:
            j += 1
            n_words += 1
            in_part += 1
            ok = n_words <= limit and _tail_word(w.text, lex, config)
        if not ok:
            # The row's part is chrome, no word of the tail: "By Jane Smith | Leave a comment".
            j = _chrome_part(words, part, text, config)
            if not j:
                return False
            n_words, in_part = n_words - in_part, 0
    return True


def _tail_word(text: str, lex: _Lexicon, config: CleanConfig) -> bool:
    """Return whether a word may follow a name in a byline's tail (see `_tail_ok`)."""
    if text[0].isupper() or any(c.isdigit() for c in text):
        return True  # a name, a place, a number or a code ("g1", "n-tv24")
    if is_date_word(text, config=config):
        return True
    return normalize(text) in lex.joiners or normalize(text) in lex.conjunctions


def _chrome_part(words: list[_Word], part: int, text: str, config: CleanConfig) -> int:
    """Return the end of the part of a row from word ``part`` on if it is chrome, else 0.

    The part runs to the next separator of a row ("|", "•", "·") or the end of the line;
    ``part`` is -1 where no such separator came before (then it is no part of a row).
    """
    if part < 1 or not text:
        return 0
    k = part
    while k < len(words) and normalize(words[k].text) not in _ROW_SEPARATORS:
        k += 1
    if k > part and match_chrome(text[words[part].start : words[k - 1].end], config=config):
        return k
    return 0


def _glued_name(word: _Word, lex: _Lexicon, config: CleanConfig) -> tuple[str, str, str] | None:
    """Return (name, role, language) if ``word`` is a kanji name glued to a role: "山田太郎記者"."""
    text = word.text
    if len(word.key) != len(text):
        return None  # the key does not line up with the text character for character
    for role, language in lex.glued:
        if not word.key.endswith(role):
            continue
        name = text[: len(text) - len(role)]
        if (
            _MIN_GLUED_NAME <= len(name) <= config.byline_max_caseless_words
            and _KANJI.fullmatch(name)
            and match_key(name) not in lex.not_names
            and match_key(name) not in lex.firsts  # "共同記者": a credit, not a name
        ):
            return name, text[len(name) :], language
        return None
    return None


def _role_at_end(
    words: list[_Word], start: int, stop: int, lex: _Lexicon, config: CleanConfig
) -> _Role | None:
    """Return the role written after a name that ends ``words[start:stop]``, if one does.

    Either the last words are a role of ``trailing_roles`` with a word before them ("김민수
    기자"), or the last word is a kanji name glued to a role of ``glued_roles`` ("山田太郎記者").
    """
    for n in range(min(lex.trailing_longest, stop - start - 1), 0, -1):
        group = words[stop - n : stop]
        if words[stop - n - 1].punct or any(w.punct for w in group):
            continue
        language = lex.trailing.get(tuple(w.key for w in group))
        if language is not None:
            text = " ".join(w.text for w in group)
            return _Role(stop - n, words[stop - n - 1].end, text, language, glued=False)
    if stop > start and not words[stop - 1].punct:
        found = _glued_name(words[stop - 1], lex, config)
        if found is not None:
            name, role, language = found
            w = words[stop - 1]
            return _Role(stop - 1, w.start + len(name), role, language, glued=True)
    return None


def _date_tail(text: str, words: list[_Word], config: CleanConfig) -> int:
    """Return where the date that ends ``text`` starts (an index into ``words``).

    The longest tail of whole words that is a date line ("2025.08.03 14:30", "입력
    2025.08.03"), after at least one word (a name and its role, maybe glued); ``len(words)``
    if none.
    """
    for k in range(1, len(words)):
        if not words[k].punct and is_date_line(text[words[k].start :], config=config):
            return k
    return len(words)


def _without_email(stripped: str) -> str | None:
    """Return the line without the e-mail address that ends it ("김민수 기자 minsu@x.co.kr").

    None if an "@" is anywhere else, or what ends the line is no address ("@minsu").
    """
    if "@" not in stripped:
        return stripped
    parts = stripped.rsplit(None, 1)
    if len(parts) < 2 or "@" in parts[0]:
        return None
    address = parts[1]
    if address[:1] in _EMAIL_BRACKETS and address[-1:] in _EMAIL_BRACKETS:
        address = address[1:-1]
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    if not (local and len(labels) > 1 and all(labels) and address.isascii()):
        return None
    if not all(c.isalnum() or c in "._+-" for c in local + "".join(labels)):
        return None
    return parts[0]


def _is_caseless_name(words: list[_Word], j: int, lex: _Lexicon, config: CleanConfig) -> bool:
    """Return whether ``words[j]`` may be a word of a name written before its role."""
    w = words[j]
    return (
        not w.punct
        and w.text.isalpha()
        and _caseless(w.text)
        and w.key not in lex.not_names
        and w.key not in lex.firsts  # "글", "연합뉴스": a lead or a credit, not a name
        and _phrase_at(words, j, lex.trailing, lex.trailing_longest) == 0
        and not is_date_word(w.text, config=config)
    )


def _name_words_ok(
    words: list[_Word], start: int, stop: int, lex: _Lexicon, config: CleanConfig
) -> bool:
    """Return whether ``words[start:stop]`` are names without case, "·" or "," between them."""
    n_words = 0
    for j in range(start, stop):
        w = words[j]
        if w.punct:
            # a separator between two names, never first or last, never two in a row
            if normalize(w.text) not in _NAME_SEPARATORS or j in (start, stop - 1):
                return False
            if words[j - 1].punct:
                return False
            continue
        if not _is_caseless_name(words, j, lex, config):
            return False
        n_words += 1
    return 0 < n_words <= config.byline_max_caseless_words


def _parse_name_first(stripped: str, lex: _Lexicon, config: CleanConfig) -> Byline | None:
    """Parse a byline written name first: "김민수 기자", "워싱턴=김민수 특파원", "山田太郎記者".

    A date may follow the role: "김민수 기자 2025.08.03 14:30", "山田太郎記者 2025年8月3日".
    """
    text = _without_email(stripped)
    if not text:
        return None
    words = _words(text)
    if words and _DIGIT.search(words[-1].text):
        words = words[: _date_tail(text, words, config)]
    if not words or words[-1].text.endswith("."):
        return None  # a full stop ends a sentence ("그는 기자."), not a byline
    role = _role_at_end(words, 0, len(words), lex, config)
    if role is None:
        return None
    # A place and "=" before the name: the dateline of a correspondent.
    marks = [j for j, w in enumerate(words[: role.first]) if normalize(w.text) == _PLACE_MARK]
    start = 0
    if marks:
        start = marks[0] + 1
        if len(marks) > 1 or not _name_words_ok(words, 0, marks[0], lex, config):
            return None
    if role.glued:
        if start != role.first:
            return None  # words between the place and a glued name: not a name
    elif not _name_words_ok(words, start, role.first, lex, config):
        return None
    name = text[words[start].start : role.name_end]
    return Byline(name, "", role.language, role.text)


def parse_byline(text: str, *, config: CleanConfig | None = None) -> Byline | None:
    """Return the `Byline` a whole line is, or None if the line is not a byline.

    Args:
        text: one line.
        config: options (``languages``, ``byline_max_chars``, ``byline_max_name_words``...).

    Example:
        >>> parse_byline("By Orkhan Jalilov September 5, 2018")
        Byline(name='Orkhan Jalilov', lead='By', language='en', role='')
        >>> parse_byline("워싱턴=김민수 특파원")
        Byline(name='김민수', lead='', language='ko', role='특파원')
        >>> parse_byline("By 2030, the city will have doubled its bus fleet.") is None
        True
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.byline_max_chars:
        return None
    stripped = text.strip()
    return _parse_text(stripped, config_handle(cfg))


#: Where a row of a page's header splits into parts: "August 3, 2025 | By Jane Smith".
#: `chrome._ROW_SEPARATOR` without its sentence ends: "Nov. 9, 2012 by Heidi Volpe" is one part.
_ROW_PARTS = re.compile(r"[|•·]|\s[-–—/]\s")  # no \s* around: linear on runs of spaces


def byline_in_row(text: str, *, config: CleanConfig | None = None) -> Byline | None:
    """Return the byline of a row that prints it beside a date, or None.

    A part of the row between separators (``|``, ``•``, ``·``, a spaced dash or slash) that
    is a byline with its lead, or a lead and what follows it after a date alone ("Posted on
    November 9, 2012 at 6:41 AM by Heidi Volpe"). The cleaner keeps such rows (a date part
    keeps the line) and reads the author from them for `CleanResult.byline`.

    Example:
        >>> byline_in_row("August 3, 2025 | By Jane Smith").name
        'Jane Smith'
        >>> byline_in_row("Posted on November 9, 2012 at 6:41 AM by Heidi Volpe").name
        'Heidi Volpe'
        >>> byline_in_row("Photos by John Smith") is None
        True
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.byline_max_chars:
        return None
    lex = _lexicon(cfg.languages)
    for piece in _ROW_PARTS.split(text):
        part = piece.strip()
        found = parse_byline(part, config=cfg)
        if found is not None and found.lead:
            return found
        words = _words(part)
        for k in range(1, len(words)):
            if words[k].key not in lex.firsts:
                continue
            head = part[: words[k].start].strip(" ,;:")
            if head and is_date_line(head, config=cfg):
                found = parse_byline(part[words[k].start :], config=cfg)
                if found is not None and found.lead:
                    return found
    return None


@lru_cache(maxsize=_CACHE_LINES)
def _parse_text(stripped: str, handle: ConfigHandle) -> Byline | None:
    if len(stripped) > handle.config.byline_max_chars:
        return None
    return _parse(stripped, match_key(stripped), handle)


#: Brackets around a credit alone on its line: "(AFP)", "[Reuters]", "（新华社）".
_CREDIT_BRACKETS = {"(": ")", "[": "]", "（": "）"}


@lru_cache(maxsize=_CACHE_LINES)
def _parse(stripped: str, key: str, handle: ConfigHandle) -> Byline | None:
    """Parse a stripped line whose matching key is ``key``."""
    cfg = handle.config
    if not stripped or len(stripped) > cfg.byline_max_chars:
        return None
    lex = _lexicon(cfg.languages)
    if _CREDIT_BRACKETS.get(stripped[0]) == stripped[-1]:
        # A credit in brackets: "(AFP)", "(dpa)". Only a credit: a name in brackets is a
        # caption's or a quote's.
        inner = stripped[1:-1].strip()
        credit = _parse(inner, match_key(inner), handle) if inner else None
        return credit if credit is not None and not credit.lead else None
    space = key.find(" ")
    if (key if space < 0 else key[:space]) in lex.firsts:
        parsed = _parse_lead(stripped, lex, cfg)
        if parsed is not None:
            return parsed
    if lex.ends.could_end(stripped, key):
        return _parse_name_first(stripped, lex, cfg)
    return None  # neither a lead nor a credit starts the line, nor a role ends it: most lines


def _parse_lead(stripped: str, lex: _Lexicon, cfg: CleanConfig) -> Byline | None:
    """Parse a byline that starts with a lead ("By John Smith") or is a credit ("Reuters")."""
    words = _words(stripped)
    n_lead = _phrase_at(words, 0, lex.leads, lex.longest)
    i = n_lead
    while i < len(words) and words[i].punct and normalize(words[i].text) in ":-/|":
        i += 1  # "By: John Smith", "Text — Anna", "文/张三"
    if i >= len(words):
        return None
    if (
        n_lead
        and i == n_lead
        and tuple(w.key for w in words[:n_lead]) in lex.colon_leads
        and not _spaced_kanji(stripped, words[n_lead - 1], words[i])
    ):
        return None  # "Author" or "Text" without a colon is a word, not a lead ("Text Size")
    cut: int | None = None  # where a glued button's label cuts the name's last word
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
        end, cut = _before_chrome(stripped, words, i, end, cfg)
        language = lex.leads[tuple(w.key for w in words[:n_lead])]
    else:
        return None
    if not _tail_ok(words, end, lex, cfg, stripped):
        return None
    tail = stripped[words[end].start :] if end < len(words) else ""
    # Without case, or after a bare credit, only a date may follow: "بقلم محمد علي، 3 مايو",
    # "Staff Reporter | May 5, 2024" (but not "Staff Directory").
    strict = not n_lead or _caseless(words[end - 1].text)
    if tail and strict and not is_date_line(tail.strip(":-|,،()[] "), config=cfg):
        return None
    lead = stripped[: words[n_lead - 1].end] if n_lead else ""
    name_end = words[end - 1].end if cut is None else cut
    role = ""
    if n_lead and strict:
        # A role written after the name: "기자명 김민수 기자" names "김민수".
        found = _role_at_end(words, i, end, lex, cfg)
        if found is not None:
            name_end, role = found.name_end, found.text
    name = stripped[words[i].start : name_end]
    if name.endswith(".") and len(words[end - 1].text) > 3:
        name = name[:-1]  # "by Sky Friedlander. Posted on ...": a full stop, not an initial
    return Byline(name, lead, language, role)


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
        >>> extract_name("김민수 기자 minsu@example.co.kr"), extract_name("山田太郎記者")
        ('김민수', '山田太郎')
    """
    parsed = parse_byline(line)
    return parsed.name if parsed is not None else line.strip()


def author_keys(name: str, *, config: CleanConfig | None = None) -> list[tuple[str, ...]]:
    """Return the matching-key words of each person a byline's name part names.

    The name is split at commas and conjunctions ("Jane Doe and John Roe"); a part of one
    word, or a credit ("Staff Reporter", "Reuters"), names no person and is left out.

    Example:
        >>> author_keys("Jane Doe, John Roe & Ann Poe"), author_keys("Staff Reporter")
        ([('jane', 'doe'), ('john', 'roe'), ('ann', 'poe')], [])
    """
    lex = _lexicon((DEFAULT_CONFIG if config is None else config).languages)
    out: list[tuple[str, ...]] = []
    for part in re.split(r"[,،、;&]", name):  # match_key drops "&" and commas
        words: list[str] = []
        for word in (*_key_words(part), ""):
            if word and word not in lex.conjunctions:
                words.append(word)
                continue
            person = tuple(words)
            if len(person) >= 2 and person not in lex.after_name and person not in out:
                out.append(person)
            words = []
    return out


def match_author_note(
    text: str, authors: Sequence[tuple[str, ...]], *, config: CleanConfig | None = None
) -> tuple[tuple[str, ...], str] | None:
    """Return (author, verb) when ``text`` is a note on one of ``authors``, else None.

    A note starts with the author's name, maybe that name or its first word again ("Cyrus
    Farivar / Cyrus is..."), then a verb of ``bio_verbs`` ("is", "covers", "est", "ist") and
    at least two more words: "Cyrus Farivar is the senior business editor at Example News."
    A note may call the author by the first name alone when it names a job (a word of
    ``title_words``): "Cyrus is a staff writer covering energy."; the author returned is then
    the first name alone, as the note writes it.

    Example:
        >>> match_author_note("Jane Doe is a reporter at the Herald.", [("jane", "doe")])
        (('jane', 'doe'), 'is')
        >>> match_author_note("Jane is a reporter at the Herald.", [("jane", "doe")])
        (('jane',), 'is')
        >>> match_author_note("Jane is a nurse at the clinic.", [("jane", "doe")]) is None
        True
        >>> match_author_note("Jane Doesn't is a reporter.", [("jane", "doe")]) is None
        True
    """
    lex = _lexicon((DEFAULT_CONFIG if config is None else config).languages)
    if not lex.bio_verbs:
        return None
    words = _key_words(text)
    for author in authors:
        n = len(author)
        if words[:n] == author:
            i = n
            if words[i : i + n] == author:
                i += n
            elif words[i : i + 1] == author[:1]:
                i += 1
            verb = _bio_verb(words, i, lex)
            if verb is not None:
                return author, verb
        elif words[:1] == author[:1]:
            verb = _bio_verb(words, 1, lex)  # the words after it must name a job
            if verb is not None and not lex.title_words.isdisjoint(words[2 + verb.count(" ") :]):
                return author[:1], verb
    return None


def _bio_verb(words: tuple[str, ...], i: int, lex: _Lexicon) -> str | None:
    """Return the verb of ``bio_verbs`` at ``words[i]`` with two more words after it, or None."""
    for k in range(min(lex.bio_longest, len(words) - i), 0, -1):
        verb = words[i : i + k]
        if verb in lex.bio_verbs and len(words) - i - k >= 2:
            return " ".join(verb)
    return None


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark every line that is a byline, a bare author credit or a name and its role as ``byline``.

    Args:
        doc: the document.
        marks: earlier detectors' marks; those lines are skipped.
        config: options (``languages``, ``byline_*``).

    Returns:
        One ``byline`` mark per byline line; the reason names the author found.
    """
    out = []
    names: list[str] = []
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
        elif parsed.role:
            reason = f"a byline: the name {parsed.name!r} followed by the role {parsed.role!r}"
        else:
            reason = f"an author credit alone on its line ({parsed.name!r})"
        out.append(Mark(i, "byline", reason, "bylines"))
        names.append(parsed.name)
    if names:
        out.extend(_author_notes(doc, marks, config, names, {m.line for m in out}))
    return out


def _author_notes(
    doc: Document, marks: Mapping[int, Mark], config: CleanConfig, names: list[str], taken: set[int]
) -> list[Mark]:
    """Mark as ``trailer`` the lines that are notes on the page's bylined authors.

    "Cyrus Farivar is the senior business editor at Example News", under or after an article
    bylined "By Cyrus Farivar": who the author is, not what the article says.
    """
    # A note starts with its author's first word: each line is matched against the authors
    # of its own first word only, each author once (a file of many articles may byline
    # hundreds of times, and lines by the thousand start with a common first word).
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for name in names:
        for author in author_keys(name, config=config):
            same = by_first.setdefault(author[0], [])
            if author not in same:
                same.append(author)
    if not by_first:
        return []
    lines = doc.lines
    out = []
    for i in doc.content_lines:
        line = lines[i]
        authors = by_first.get(line.key.partition(" ")[0])
        if authors is None:  # most lines fail on their first word
            continue
        if i in marks or i in taken or line.n_words > config.byline_note_max_words:
            continue
        hit = match_author_note(line.text, authors, config=config)
        if hit is not None:
            author, verb = hit
            shown = " ".join([w.text for w in _words(line.stripped) if not w.punct][: len(author)])
            reason = f"an author's note: the byline's name {shown!r} followed by {verb!r}"
            out.append(Mark(i, "trailer", reason, "bylines"))
    return out
