"""Detector `chrome`: whole short lines that are page furniture ("Share", "Follow", "Short Url").

Receives a `Document`; hands on a ``chrome`` mark for every line whose matching key *is* a
chrome phrase of ``dedup/resources/chrome/<lang>.txt``: share/follow/print buttons, "Read
more", "Advertisement", cookie and newsletter prompts, a section label alone on its line
("Opinion"), "<Name> logo", a stray template value ("None", "undefined").

A line matches only as a whole, never through a substring: "Follow" is chrome, "Police
follow the suspect's trail" is not. A count before or after the phrase is allowed
("Comments (12)", "34 Shares"). In the phrase files ``*`` stands for one to three words and
``**`` for the rest of the line ("we use cookies **"); patterns are compiled to anchored,
linear-time regular expressions over the matching key. Two more shapes are chrome: a short
line made only of phrases side by side (a flattened share bar, "Email Print"), and a label
with its colon before a link to another article ("Read more: <headline>", from entries
``read more: **``). The file format is described in ``dedup/resources/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.dates import ConfigHandle, config_handle
from dedup.detectors.prescreen import candidates
from dedup.document import Document
from dedup.lexicon import languages, load_lines
from dedup.normalize import match_key

# Verdicts are pure functions of (line, config): cached, because the cleaner re-runs every
# detector on its own output and one site repeats the same chrome on every page.
_CACHE_LINES = 1 << 14  # short lines only (<= 300 chars): a few MB at most

# A count around a phrase: "12", "1 2k" (1.2k once punctuation is dropped), "34k".
_COUNT = re.compile(r"\d+[km]?")
# One to three words; "\S+" and the space are disjoint, so the pattern cannot backtrack
# more than a bounded number of times.
_SOME_WORDS = r"\S+(?: \S+){0,2}"
_MAX_COUNT_TOKENS = 2
# The longest plain phrase looked for inside a row of phrases ("pin it", "share on facebook").
_ROW_PHRASE_WORDS = 3
# A label before a colon ("Read more:", "اقرأ أيضا:") is looked for this far into a line.
_MAX_PREFIX_CHARS = 40


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """The compiled phrases and patterns of one kind of resource (``chrome``, ``trailers``).

    Attributes:
        exact: matching key -> entry, for entries without a wildcard.
        patterns: (compiled regex over matching keys, entry) for entries with one.
        langs: entry -> language code, for reasons.
        groups: the patterns by the word a key must start with (``"w"``), end with
            (``"$w"``: patterns that start with a wildcard), or ``""`` for patterns with
            wildcards at both ends: [(index in ``patterns``, regex, entry)], a few each. A
            key is tried only against its own groups, so adding languages does not make
            every line's match slower.
        firsts: first words of patterns that start with a word.
        lasts: last words of patterns that start with a wildcard and end with a word.
        anchors: finds a literal of any pattern with wildcards at both ends.
        heads: first words of the plain phrases (the pre-test of `row`).
        prefixes: matching key -> entry, for entries ``<phrase>: **`` (a label and a colon
            before anything: "Read more: <another headline>").
        starts: the first words of every entry that starts with a word (plain phrases,
            patterns, labels before a colon): the pre-test of `separated_row`.
    """

    exact: dict[str, str]
    patterns: list[tuple[re.Pattern[str], str]]
    langs: dict[str, str]
    groups: dict[str, list[tuple[int, re.Pattern[str], str]]]
    firsts: frozenset[str]
    lasts: frozenset[str]
    anchors: re.Pattern[str] | None
    heads: frozenset[str]
    prefixes: dict[str, str]
    starts: frozenset[str]

    def could_match(self, key: str, *, counts: bool = True, row_words: int = 0) -> bool:
        """Return False when neither `match` nor (if ``row_words``) `row` can match ``key``.

        ``counts`` is passed on to `match`, ``row_words`` to `row` as ``max_words``. A
        necessary test made of set lookups (a regex only for patterns open at both ends), so
        that most lines of a page cost only this.
        """
        if not key:
            return False
        if key in self.exact:
            return True
        space = key.find(" ")
        first = key if space < 0 else key[:space]
        if first in self.firsts or key[key.rfind(" ") + 1 :] in self.lasts:
            return True
        if self.anchors is not None and self.anchors.search(key) is not None:
            return True
        if row_words and first in self.heads and 0 < key.count(" ") < row_words:
            return True
        if counts and (key[0].isdigit() or key[-1].isdigit()):
            return any(k in self.exact for k in without_counts(key)[1:])
        return False

    def match_prefix(self, stripped: str) -> str | None:
        """Return the ``<phrase>: **`` entry whose phrase and colon start ``stripped``."""
        if not self.prefixes:
            return None
        colon = stripped.find(":", 0, _MAX_PREFIX_CHARS)
        if colon < 0:
            colon = stripped.find("：", 0, _MAX_PREFIX_CHARS)  # CJK full-width colon
        if colon <= 0:
            return None
        return self.prefixes.get(match_key(stripped[:colon]))

    def match(self, key: str, *, counts: bool = False) -> str | None:
        """Return the entry the whole matching key ``key`` matches, else None.

        Args:
            key: the `match_key` of a line.
            counts: allow a count before or after an exact phrase ("comments 12").
        """
        if not key:
            return None
        hit = self.exact.get(key)
        if hit is not None:
            return hit
        # A count is allowed next to a plain phrase ("Comments (12)"), not next to a
        # pattern, whose wildcard would otherwise swallow a numbered headline ("44. More").
        if counts and (key[0].isdigit() or key[-1].isdigit()):
            for candidate in without_counts(key)[1:]:
                hit = self.exact.get(candidate)
                if hit is not None:
                    return hit
        if not self.groups:
            return None
        space, last_space = key.find(" "), key.rfind(" ")
        groups = self.groups
        found: tuple[int, str] | None = None
        for name in (key if space < 0 else key[:space], "$" + key[last_space + 1 :], ""):
            group = groups.get(name)
            if group is None:
                continue
            if not name and (self.anchors is None or self.anchors.search(key) is None):
                continue  # wildcards at both ends: only a key holding one of their literals
            # the first matching pattern of the group, then the first across groups: the
            # entry that comes first in the files, as one regex of them all would find
            got = next(((k, e) for k, pattern, e in group if pattern.fullmatch(key)), None)
            if got is not None and (found is None or got[0] < found[0]):
                found = got
        return None if found is None else found[1]

    def matches(self, key: str) -> list[str]:
        """Return every entry the whole matching key ``key`` matches: the exact one, then patterns.

        For a caller that checks more than the match (`dedup.detectors.trailers`: the words a
        ``~~`` covers must read as names and dates) and tries the next entry when one fails.
        """
        if not key:
            return []
        hit = self.exact.get(key)
        out = [] if hit is None else [hit]
        return out + [entry for pattern, entry in self.patterns if pattern.fullmatch(key)]

    def row(self, key: str, *, max_words: int) -> list[str] | None:
        """Return the phrases a key is a row of ("email print", "like tweet 12 share"), else None.

        A share bar or a pager flattened into one line is several plain phrases side by side,
        with counts between them; at least two phrases and at most ``max_words`` words.
        """
        words = key.split(" ")
        if not 2 <= len(words) <= max_words or words[0] not in self.heads:
            return None
        found: list[str] = []
        i = 0
        while i < len(words):
            if _COUNT.fullmatch(words[i]):
                i += 1
                continue
            for n in range(min(_ROW_PHRASE_WORDS, len(words) - i), 0, -1):
                entry = self.exact.get(" ".join(words[i : i + n]))
                if entry is not None:
                    found.append(entry)
                    i += n
                    break
            else:
                return None
        return found if len(found) >= 2 else None


#: Wildcards of the phrase files: ``*`` one to three words, ``#`` a number ("2024", "27th"),
#: ``**`` anything (or nothing), ``~~`` the same for the regex (the trailers detector then
#: checks that those words are names and dates).
WILDCARDS = frozenset({"*", "**", "#", "~~"})
_WILDCARD_REGEX = {"*": _SOME_WORDS, "#": r"\d\S*"}
_REST = frozenset({"**", "~~"})


def pattern_regex(entry: str) -> str:
    r"""Return the regular expression (over matching keys) of a phrase-file pattern entry.

    Args:
        entry: a line of a phrase file holding a wildcard (`WILDCARDS`).

    Example:
        >>> pattern_regex("follow us on *")
        'follow us on \\S+(?: \\S+){0,2}'
        >>> import re
        >>> bool(re.fullmatch(pattern_regex("** all rights reserved **"), "all rights reserved"))
        True
    """
    parts: list[str] = []
    glue = ""  # what joins the next piece to the previous one
    tokens = entry.split()
    for n, token in enumerate(tokens):
        if token in _REST:
            if n == 0:
                parts.append("(?:.* )?")
            elif n == len(tokens) - 1:
                parts.append("(?: .*)?")
            else:
                parts.append(" (?:.* )?")
            glue = ""
            continue
        piece = _WILDCARD_REGEX.get(token) or re.escape(match_key(token))
        if piece:
            parts.append(glue + piece)
            glue = " "
    return "".join(parts).replace("\\ ", " ")


@cache
def compile_phrases(kind: str, langs: tuple[str, ...] | None) -> PhraseSet:
    """Return the `PhraseSet` of ``resources/<kind>/<lang>.txt`` for ``langs`` (all if None).

    Example:
        >>> compile_phrases("chrome", ("en",)).match("short url")
        'short url'
    """
    # A pointer ("Related", "Lire aussi") or an inset ("Advertisement") is chrome itself: the
    # chrome phrases include them.
    kinds = (kind, "pointers", "insets") if kind == "chrome" else (kind,)
    sources = [(k, x) for k in kinds for x in languages(k) if langs is None or x in langs]
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    entry_langs: dict[str, str] = {}
    groups: dict[str, list[tuple[int, re.Pattern[str], str]]] = {}
    anchors: list[str] = []
    prefixes: dict[str, str] = {}
    for folder, lang in sources:
        for entry in load_lines(f"{folder}/{lang}.txt"):
            entry_langs.setdefault(entry, lang)
            tokens = entry.split()
            if len(tokens) >= 2 and tokens[-1] == "**" and tokens[-2].endswith(":"):
                prefixes.setdefault(match_key(" ".join(tokens[:-1])), entry)
                continue
            if not WILDCARDS & set(tokens):
                exact.setdefault(match_key(entry), entry)
                continue
            # A pattern is only tried on a line whose first or last word can start or end
            # it (its group, see `PhraseSet.groups`), or that holds the literal of a pattern
            # open at both ends (group "").
            literals = [match_key(t) for t in tokens if t not in WILDCARDS]
            if tokens[0] not in WILDCARDS:
                name = literals[0].split(" ")[0]
            elif tokens[-1] not in WILDCARDS:
                name = "$" + literals[-1].split(" ")[-1]
            else:
                name = ""
                anchors.append(max(literals, key=len))
            regex = re.compile(pattern_regex(entry))
            groups.setdefault(name, []).append((len(patterns), regex, entry))
            patterns.append((regex, entry))
    # (Keys hold no "$": punctuation is dropped from them.)
    firsts = frozenset(name for name in groups if name and name[0] != "$")
    lasts = frozenset(name[1:] for name in groups if name.startswith("$"))
    heads = frozenset(k.split(" ")[0] for k in exact)
    return PhraseSet(
        exact,
        patterns,
        entry_langs,
        groups,
        firsts,
        lasts,
        _anchors(anchors),
        heads,
        prefixes,
        heads | firsts | {k.split(" ")[0] for k in prefixes},
    )


def _anchors(literals: list[str]) -> re.Pattern[str] | None:
    """Return the search for the literals of the patterns open at both ends, else None.

    Such a pattern (``# of #``, ``** all rights reserved **``) matches a key only where its
    literal stands between spaces or the key's ends, so the search asks for that too: a
    literal as short as "of" or "de" is inside most keys' words, not between their spaces.
    """
    if not literals:
        return None
    alternatives = "|".join(re.escape(a) for a in sorted(set(literals)))
    return re.compile(f"(?<![^ ])(?:{alternatives})(?![^ ])")


def without_counts(key: str) -> list[str]:
    """Return ``key`` without its leading count, and without its trailing count.

    "comments 12" -> ["comments 12", "comments"]; a count on both sides is not stripped.
    """
    words = key.split(" ")
    out = [key]
    lo = 0
    while lo < min(_MAX_COUNT_TOKENS, len(words) - 1) and _COUNT.fullmatch(words[lo]):
        lo += 1
    if lo:
        out.append(" ".join(words[lo:]))
    hi = len(words)
    while hi > max(1, len(words) - _MAX_COUNT_TOKENS) and _COUNT.fullmatch(words[hi - 1]):
        hi -= 1
    if hi < len(words):
        out.append(" ".join(words[:hi]))
    return out


def match_chrome(text: str, *, config: CleanConfig | None = None) -> str | None:
    """Return the chrome phrase a whole line matches (as ``"phrase (lang)"``), else None.

    Args:
        text: one line.
        config: its ``languages`` choose the phrase files; ``max_chrome_chars`` caps the
            length of a line that can be chrome.

    Example:
        >>> match_chrome("Comments (12)")
        '"comments" (en)'
        >>> match_chrome("Newsroom logo")
        '"* logo" (en)'
        >>> match_chrome("Police follow the suspect's trail to the border") is None
        True
    """
    cfg = DEFAULT_CONFIG if config is None else config
    if len(text) > 2 * cfg.max_chrome_chars:
        return None
    stripped = text.strip()
    if len(stripped) > cfg.max_chrome_chars:
        return None
    return _match_text(stripped, config_handle(cfg))


@lru_cache(maxsize=_CACHE_LINES)
def _match_text(stripped: str, handle: ConfigHandle) -> str | None:
    return _match_key(match_key(stripped), handle) or _match_prefix(stripped, handle)


def _match_prefix(stripped: str, handle: ConfigHandle) -> str | None:
    phrases = compile_phrases("chrome", handle.config.languages)
    entry = phrases.match_prefix(stripped)
    return None if entry is None else f'"{entry}" ({phrases.langs[entry]})'


@lru_cache(maxsize=_CACHE_LINES)
def _match_key(key: str, handle: ConfigHandle) -> str | None:
    cfg = handle.config
    phrases = compile_phrases("chrome", cfg.languages)
    entry = phrases.match(key, counts=True)
    if entry is not None:
        return f'"{entry}" ({phrases.langs[entry]})'
    row = phrases.row(key, max_words=cfg.chrome_row_max_words)
    if row is not None:
        return "a row of " + ", ".join(f'"{e}"' for e in row)
    return None


# What parts a row of chrome phrases: a bar, a bullet or a middle dot, a sentence's end, a
# dash or a slash between spaces ("Print | Email", "RSS feed for comments. TrackBack URI").
_ROW_SEPARATOR = re.compile(r"[|•·]|[.!?]\s|\s[-–—/]\s")  # the parts are then stripped
# A part of such a row is a phrase of at most this many words (those of the chrome files
# that are longer are sentences of their own: "your email address will not be published").
_ROW_PART_WORDS = 8
# The characters one of those holds; a line without any is no such row.
ROW_SEPARATOR_CHARS = frozenset("|•·.!?-–—/")


def separated_row(stripped: str, key: str, handle: ConfigHandle) -> list[str] | None:
    """Return the chrome entries of a line made of chrome phrases between separators, else None.

    "Printer-friendly version | Send to friend | Login or register to post comments": each
    part is a chrome phrase (or pattern) of its own, at least two parts, and nothing else on
    the line. `PhraseSet.row` finds rows of short phrases side by side without separators.
    ``key`` is the line's `match_key`.

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> line = "RSS feed for comments on this post. TrackBack URI"
        >>> separated_row(line, match_key(line), config_handle(DEFAULT_CONFIG))
        ['"rss feed for comments on this post" (en)', '"trackback uri" (en)']
    """
    # Most lines that get here are sentences: their first word starts no chrome entry, or
    # their first part, up to the first separator, is no chrome entry; the rest of the line
    # is then not split.
    if key.partition(" ")[0] not in compile_phrases("chrome", handle.config.languages).starts:
        return None
    if ROW_SEPARATOR_CHARS.isdisjoint(stripped):
        return None
    cut = _ROW_SEPARATOR.search(stripped)
    if cut is None or stripped.count(" ", 0, cut.start()) >= _ROW_PART_WORDS:
        return None  # no separator, or a sentence's first words before it
    found = []
    for part in (stripped[: cut.start()], *_ROW_SEPARATOR.split(stripped[cut.end() :])):
        part = part.strip()
        if not part:
            continue
        hit = _match_text(part, handle)
        if hit is None:
            return None  # most often the first part: the rest is not matched
        found.append(hit)
    return found if len(found) >= 2 else None


# A social-media handle ("@nytimes"): an "@" that no word character or "@" precedes (not an
# e-mail address), then the name.
_HANDLE = re.compile(r"(?<![\w@])@\w+")


def with_handles(stripped: str, handle: ConfigHandle) -> str | None:
    """Return the chrome entry a line matches once its social handles are left out, else None.

    A handle next to a chrome phrase is what a count is next to one ("Comments (12)"): the
    phrase decides. "Follow @daxe", "Twitter: @evleaks"; "Thanks @daxe for the tip" is no
    phrase without its handle, and a line of handles alone is not chrome here.

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> with_handles("Follow @daxe", config_handle(DEFAULT_CONFIG))
        '"follow" (en)'
    """
    if "@" not in stripped:
        return None
    rest, n = _HANDLE.subn(" ", stripped)
    rest = rest.strip()
    if not n or not rest:
        return None
    return _match_text(rest, handle)


#: How the reason of a link to another post starts (`dedup.detectors.content` reads it).
PAGER_REASON = "a link to the previous or next post"


@cache
def pager_marks() -> tuple[str, ...]:
    """Return the marks of links to the previous or next post (``navigation/common.txt``)."""
    return load_lines("navigation/common.txt")


def pager_link(text: str, n_words: int, config: CleanConfig) -> str | None:
    """Return the mark of a line that links to the previous or next post, else None.

    That is a line of a headline's length with a mark at its start or end ("« Older post
    title", "Newer post title »", "← Back to the list") and no other mark: a French quote
    holds both guillemets. A sentence ending in a full stop before the mark is a paragraph
    of a quote printed over several paragraphs, not a link.

    Example:
        >>> from dedup.config import DEFAULT_CONFIG
        >>> pager_link("« How to Upgrade your Computer", 5, DEFAULT_CONFIG)
        '«'
        >>> pager_link("« Nous allons gagner », a dit le maire.", 8, DEFAULT_CONFIG) is None
        True
    """
    if not 0 < n_words <= config.max_title_words:
        return None
    stripped = text.strip()
    found = [m for m in pager_marks() if m in stripped]
    if len(found) != 1:
        return None  # two kinds of marks: a quote's guillemets ("« ... »")
    mark = found[0]
    if stripped.count(mark) != 1:
        return None  # repeated: a breadcrumb ("Home » News » World")
    if stripped.startswith(mark):
        inner = stripped[len(mark) :]
    elif stripped.endswith(mark):
        inner = stripped[: -len(mark)]
    else:
        return None  # inside the line ("from 2% → 3%")
    inner = inner.strip()
    if not inner or (inner.endswith(".") and not inner.endswith("...")):
        return None
    return mark


#: How the reason of a breadcrumb trail starts.
BREADCRUMB_REASON = "a breadcrumb trail"
# A breadcrumb's parts are a section's name, a year, the page's short title: at most this
# many words (or characters, in a script written without spaces) each.
_CRUMB_WORDS = 5
_CRUMB_CHARS = 40
#: The marks that end a sentence (Latin and CJK).
SENTENCE_ENDS = frozenset(".!?。！？")


@cache
def breadcrumb_marks() -> tuple[str, ...]:
    """Return the marks between a breadcrumb trail's parts (``navigation/breadcrumbs.txt``)."""
    return load_lines("navigation/breadcrumbs.txt")


@cache
def breadcrumb_gap() -> re.Pattern[str]:
    """Return a regex that finds a mark of `breadcrumb_marks` with a space on each side."""
    marks = "|".join(re.escape(m) for m in sorted(breadcrumb_marks(), key=len, reverse=True))
    return re.compile(rf"\s(?:{marks})\s")


@cache
def breadcrumb_pretest() -> tuple[str, str, tuple[str, ...]]:
    """Return what a line must hold for `breadcrumb_gap` to find a mark in it, cheaply.

    The pre-screen (`dedup.detectors.prescreen`) tests every short line with it before the
    regex.

    Two ASCII marks for an ASCII line (`str.isascii` costs nothing; the same mark twice
    when there is one, a NUL when there is none), and every mark for the other lines. Most
    lines are ASCII and hold neither.
    """
    marks = breadcrumb_marks()
    ascii_marks = [m for m in marks if m.isascii()] or ["\x00"]
    if len(ascii_marks) > 2:
        ascii_marks = [" ", " "]  # no cheap test: every line with a space goes to the regex
    return ascii_marks[0], ascii_marks[-1], marks


@cache
def _crumb_splitter(mark: str) -> re.Pattern[str]:
    return re.compile(rf"\s+{re.escape(mark)}\s+")


def breadcrumb(text: str) -> str | None:
    """Return the mark of a line that is a breadcrumb trail ("Home » News » World"), else None.

    That is three or more parts between one mark of ``navigation/breadcrumbs.txt`` with a
    space on each side, each part of one to ``_CRUMB_WORDS`` words and none ending a
    sentence, two of them with a letter (a label may lead the first: "You are here: Home");
    no other mark of a trail or of a link to another post stands on the line (a quote's
    guillemets: « ... »).

    Example:
        >>> breadcrumb("Home » News » World")
        '»'
        >>> breadcrumb("If x > y > z, the order is strict. Then z < x.") is None
        True
    """
    stripped = text.strip()
    # (`detect` asks only about lines the pre-screen found a mark between spaces in, with
    # `breadcrumb_pretest` before this regex: that cheap test is not repeated here.)
    if breadcrumb_gap().search(stripped) is None:
        return None
    found = [m for m in breadcrumb_marks() if stripped.count(m) >= 2]
    if len(found) != 1:
        return None
    mark = found[0]
    if any(m in stripped for m in pager_marks() if m not in mark and mark not in m):
        return None  # another mark: a quote's guillemets, a pager's arrow
    parts = _crumb_splitter(mark).split(stripped)
    if len(parts) < 3:
        return None
    # A label may lead the trail ("You are here: Home", "Full list of categories: Life").
    parts[0] = parts[0].rpartition(":")[2].strip() or parts[0]
    lettered = 0
    for part in parts:
        words = part.split()
        if (
            not 0 < len(words) <= _CRUMB_WORDS
            or len(part) > _CRUMB_CHARS
            or (part[-1] in SENTENCE_ENDS and not part.endswith(("...", "…")))
            or mark in part
        ):
            return None
        lettered += any(c.isalpha() for c in part)
    return mark if lettered >= 2 else None


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Mark every line that is, as a whole, a chrome phrase.

    Args:
        doc: the document.
        marks: earlier detectors' marks; those lines are skipped.
        config: options (``languages``, ``max_chrome_chars``).

    Returns:
        One ``chrome`` mark per matching line; the reason names the phrase and its language.
    """
    out = []
    handle = config_handle(config)
    phrases = compile_phrases("chrome", config.languages)
    could_match, prefixes = phrases.could_match, phrases.prefixes
    row_words = config.chrome_row_max_words
    lines = doc.lines
    # Most lines fail both cheap necessary tests (`PhraseSet.could_match`; a colon near the
    # start for a "<label>: **" entry), or are too long: the pre-screen, one scan shared with
    # the other lexical detectors, leaves them out.
    found = candidates(doc, config)
    crumbs = found.breadcrumbs
    for i in found.chrome:
        if i in marks:
            continue
        line = lines[i]
        stripped = line.stripped
        hit = _match_key(line.key, handle) if could_match(line.key, row_words=row_words) else None
        if hit is None and prefixes and (":" in stripped or "：" in stripped):
            hit = _match_prefix(stripped, handle)
        if hit is not None:
            out.append(Mark(i, "chrome", f"the whole line is the chrome phrase {hit}", "chrome"))
        elif (arrow := pager_link(stripped, line.n_words, config)) is not None:
            reason = f"{PAGER_REASON} (marked {arrow!r})"
            out.append(Mark(i, "chrome", reason, "chrome"))
        elif i in crumbs and (crumb := breadcrumb(stripped)) is not None:
            out.append(
                Mark(i, "chrome", f"{BREADCRUMB_REASON} (parts between {crumb!r})", "chrome")
            )
        elif (entry := with_handles(stripped, handle)) is not None:
            reason = f"the whole line is the chrome phrase {entry} with a social handle"
            out.append(Mark(i, "chrome", reason, "chrome"))
        elif (row := separated_row(stripped, line.key, handle)) is not None:
            reason = "a row of chrome phrases between separators: " + ", ".join(row)
            out.append(Mark(i, "chrome", reason, "chrome"))
    return out
