"""Corpus-aware cleaning: learn, across a site's pages, the lines it repeats; remove them.

One page alone cannot tell a site's chrome from its content; many pages of the same site can.
`Cleaner` receives documents (``str``, or mappings with a text and optionally a site or URL),
counts per site on how many *different* pages each line template appears, and hands on the
per-document cleaner's result with what it learned removed too: lines on many pages of the
site become ``site_boilerplate`` (``teaser`` when the line is another page's headline,
``timestamp`` when it is a date), with a reason that cites the evidence.

What is counted, and why it generalises:

- A line's *template* is its `dedup.normalize.normalize` form with digit runs, month and
  weekday names (``resources/dates``, every language) masked: "Updated 03 August 2025" and
  "Updated 17 December 2025" are one template. A date alone stays whole: only the same date
  on many pages is learned (a teaser's), not every date line (a letter's, in an article);
  by the page's own headline, a learned date alone is the article's dateline (every
  article of a day's crawl has the same one) and stays.
- Pages are counted by a *page key* (the three smallest hashes of the prose lines of its
  main text, its longest run of prose; on a page with fewer, its headline line and longest
  lines fill in): a copy of an article re-scraped or syndicated on the same site has the
  same key, so the article's paragraphs are never counted twice for it; only lines on pages
  of *different* articles add up. Copies are the job of `dedup.find_duplicates`.
- Per template, the smallest `MAX_COUNT` page keys are kept (a bottom-k set): counts are
  exact up to that cap, the union of two sets is the set of the union, so the result does
  not depend on the order of the documents nor on how they are split across `partial_fit`
  calls, and memory grows with the number of distinct templates, not of documents (up to
  a budget, ``max_pairs``; beyond it, templates seen on one page are forgotten).
- Lines of 60 to 400 characters (banners, teaser snippets) are also counted by MinHash-LSH
  band keys of their character shingles: a banner with one changed word, or a teaser
  snippet cut at another length, shares most of its band keys with the other copies. A
  snippet cut short ("...") matches only other cut copies, never the full paragraph it was
  cut from (the lead of the article's own page).
- A line of headline length that is the title of another page of the site is a teaser. On
  its own page it stays where it heads the page (or comes right under a dateline heading
  it) or stands by the page's own lines; its copies in a list of learned lines (posts that
  share a headline) are teasers there too. A page's title is its first line (the HTML
  <title>); where the first line reads as no headline (a page scraped without it, which
  starts with the site's menu), it is the headline over the page's first paragraph, and
  such lines are counted: one over the text of many pages (a promotion) is no title.
- A page's first paragraphs (and the first of each run of prose) are counted with the
  headline-like lines a few lines above them: an article's lead printed as its card's text
  on the site's other pages travels with its headline. On its own page, under the page's
  own headline with the page's own lines after it, the learned lead stays.
- A line between two prose lines on at least half of the pages that hold it is content
  that recurs (a standard subheading, an article's paragraph on copies the page key did not
  unify): never learned. And on each page, a learned line between two of the page's own
  paragraphs (prose lines kept and not learned) recurs *inside* that article: it stays.
- A line is learned for a site once it is on at least ``max(min_pages, min_share * pages)``
  different pages of it; a site with fewer than ``min_pages`` pages learns nothing and its
  pages get the per-document cleaner alone.

The site of a document: the ``site`` argument, else its ``site_field``, else the host of its
``url_field``, else inferred from its footer: a one-permutation MinHash of the templates
of its last short lines, which pages of one site share and pages of different sites seldom
do. An inferred site is a group key (``"~5f3a..."``), not a name.

Saved models are SQLite files (`Cleaner.save`, `Cleaner.load`): a ``meta`` table with the
format, version and parameters, a ``sites`` table, a ``learned`` table that a person can read
(site, template, pages, an example line) and the counts needed to go on learning.

Learning and cleaning may alternate a page at a time (a crawler's `dedup.Store`): a clean
folds the pages learned since the last one into the counts at their own cost, and merges
(O(model)) only once the pending pairs are a share of the model. `Cleaner.page_state` gives
what one page teaches, as a small `LearnState` that `LearnState.to_bytes` hands to the other
processes sharing the model, which `Cleaner.absorb` it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import sqlite3
import struct
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np

from dedup.cleaner import _result, _run, check_text
from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.bylines import byline_in_row
from dedup.detectors.content import is_date_part, is_dateline, is_recipe_heading
from dedup.detectors.dates import find_dates, line_date_shape
from dedup.detectors.titles import _cores, _not_a_title, is_date, is_headline_like
from dedup.document import Document, Line, count_words, word_count
from dedup.errors import ConfigError, InputError, ModelError, refuse_one
from dedup.lexicon import date_words
from dedup.normalize import match_key, normalize
from dedup.types import KEPT_LABELS, CleanResult

#: Name and version written into every saved model; `Cleaner.load` refuses others.
#: Version 2: sites inferred from the footer alone (`infer_site`), so a model of version 1
#: would file its site-less pages under keys no page gets any more. Version 3: page keys
#: from the page's main run of prose (`_page_key`): a page counted under a version-2 key
#: would count again under its new one.
FORMAT = "dedup.Cleaner"
VERSION = 3

#: Distinct pages counted per template; beyond it a count reads "64+".
MAX_COUNT = 64

#: Pending (template, page) pairs held, at least, before they are merged into the counts...
_BUFFER_PAIRS = 1 << 18

#: ... and at least this share of the merged pairs (1 / _MERGE_SHARE): a merge costs
#: O(model), so merging only once the pending pairs are a share of it keeps learning one page
#: at a time O(1) a pair, amortised (see `Cleaner._live_counts`).
_MERGE_SHARE = 4

#: When cleaning, pending pairs beyond this many (and the share above) are merged rather than
#: folded one by one into the live counts: a merge is vectorised, a fold is not.
_FOLD_PAIRS = 1 << 14

#: Documents learned together (their long lines signed in one batch: see `_page_states`).
_FIT_CHUNK = 256

#: Pending title keys held before they join the sorted array (and that share of it).
_BUFFER_TITLES = 1 << 14

#: Lines of at least this many characters are also counted by band keys (near-identical).
LONG_CHARS = 60

#: ... and at most this many: longer lines are article paragraphs, counted exactly only.
#: Banners and teaser snippets stay under it; band keys are most of what learning holds.
MAX_NEAR_CHARS = 400

#: A learned line longer than this is never labelled a timestamp (see CleanConfig).
_DATE_LINE_CHARS = 80

#: Labels of learned lines remembered across documents (they recur on many pages).
_LABEL_CACHE = 1 << 16

#: Evidence remembered per site, up to this many lines each, for the sites cleaned last, up
#: to this many lines in all and this many sites: a dump interleaves thousands of sites, and
#: a site's chrome is looked up again on its next page only if the site is still remembered
#: then (a site whose pages gave no verdict holds no line, yet takes a place).
_EVIDENCE_LINES = 1 << 12
_EVIDENCE_TOTAL = 1 << 16
_EVIDENCE_SITES = 1 << 10

#: A line with at least this many words that ends like a sentence is prose.
_PROSE_WORDS = 12

#: How many short lines at the end of a document say which site it is from (see
#: `infer_site`).
_EDGE_LINES = 6
_EDGE_MAX_WORDS = 12

_DIGITS = re.compile(r"\d+")
#: A line that is a date alone once month and weekday names are masked (see `template`).
_BARE_DATE = re.compile(r"(?:<d>|[\W\d_])+")
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)。！？」』）؟۔।]\s*$")


def _hash(text: str) -> int:
    """Return a stable signed 64-bit hash of ``text`` (the same in every process)."""
    data = text.encode("utf-8", errors="surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


def template(line: str) -> str:
    """Return the template of a line: normalised, digits, months and weekdays masked.

    A date alone (no word but month and weekday names) is its own template: masked, every
    date of a site would be one line on all its pages, the date of a letter quoted in an
    article as much as a teaser's; whole, only the same date repeated adds up (a teaser list
    on many pages). Dates beside other words are masked (a dateline, "Updated ...").

    Example:
        >>> template("Updated 03 August 2025") == template("updated 17 December 2025")
        True
        >>> template("03 August 2025") == template("17 December 2025")
        False
        >>> template("  Short  URL ")
        'short url'
    """
    norm = normalize(line)
    if not _DIGITS.search(norm):
        return norm
    if len(norm) <= _DATE_LINE_CHARS * 2:  # a date line; in a paragraph, digits are enough
        masked = _mask_date_words(norm)
        if "<d>" in masked and _BARE_DATE.fullmatch(masked):
            return norm
        norm = masked
    return _DIGITS.sub("0", norm)


def _mask_date_words(norm: str) -> str:
    """Return ``norm`` with every month and weekday name (a whole word) replaced by ``<d>``.

    Most lines name none: on ASCII text, a name can match only where a run of word
    characters equals its first run ("sexta" of "sexta-feira"), so a set lookup of the runs
    rules them out; where one may match, the names written in ASCII are the only ones that
    can, and their shorter pattern masks them. Both give what `_date_words_pattern` gives
    (a test compares them).
    """
    if norm.isascii():
        heads, pattern = _ascii_date_words()
        if "" not in heads and heads.isdisjoint(_WORD_RUN.findall(norm)):
            return norm
        return pattern.sub("<d>", norm)
    return _date_words_pattern().sub("<d>", norm)


_WORD_RUN = re.compile(r"\w+")


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b")


@cache
def _date_words_pattern() -> re.Pattern[str]:
    """Return a pattern matching any month or weekday name as a whole word."""
    return _words_pattern(date_words())


@cache
def _ascii_date_words() -> tuple[frozenset[str], re.Pattern[str]]:
    """Return the first word-character runs of the ASCII names, and a pattern of those names."""
    ascii_words = [w for w in date_words() if w.isascii()]
    heads = [_WORD_RUN.match(w) for w in ascii_words]
    if not all(heads):
        # A name that starts with no word character escapes the lookup of runs: then no run
        # rules a line out (the empty run is in every line's runs).
        return frozenset([""]), _words_pattern(ascii_words)
    return frozenset(m.group() for m in heads if m), _words_pattern(ascii_words)


class _Counts:
    """Page counts of keys, looked up one at a time or many at once (12 bytes a key).

    Sorted int64 keys and their int32 counts: a Python dict of millions of keys would take
    ten times the memory in every worker process it is sent to.
    """

    __slots__ = ("keys", "values")

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = np.ascontiguousarray(keys[order], np.int64)
        self.values = np.ascontiguousarray(values[order], np.int32)

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: int, default: int = 0) -> int:
        """Return the count of one key (``default`` when absent)."""
        keys = self.keys
        i = int(np.searchsorted(keys, key))
        return int(self.values[i]) if i < len(keys) and int(keys[i]) == key else default

    def many(self, keys: np.ndarray) -> np.ndarray:
        """Return the counts of many keys at once (0 when absent)."""
        if not len(self.keys):
            return np.zeros(len(keys), np.int32)
        idx = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[idx] == keys, self.values[idx], 0)


class _LiveCounts:
    """The counts of the merged model with the keys changed since then overridden.

    What `Cleaner._fold` computed for the keys of the pages learned since the last merge:
    their counts as a merge would give them, without the O(model) merge.
    """

    __slots__ = ("base", "over")

    def __init__(self, base: _Counts, over: Mapping[int, int]) -> None:
        self.base = base
        self.over = over

    def get(self, key: int, default: int = 0) -> int:
        """Return the count of one key (``default`` when absent)."""
        got = self.over.get(key)
        return self.base.get(key, default) if got is None else got

    def many(self, keys: np.ndarray) -> np.ndarray:
        """Return the counts of many keys at once (0 when absent)."""
        out = np.array(self.base.many(keys), np.int32)
        over = self.over
        for i, key in enumerate(keys.tolist()):
            got = over.get(key)
            if got is not None:
                out[i] = got
        return out


def _find_pairs(
    keys: np.ndarray, pages: np.ndarray, qkeys: np.ndarray, qpages: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return which pairs (qkeys, qpages) the sorted pairs (keys, pages) hold, and where.

    Returns ``(found, lo, hi)``: ``keys[lo:hi]`` is each queried key's run, whose pages are
    sorted; a binary search per run, all runs at once (a run holds at most `MAX_COUNT`).
    """
    lo = np.searchsorted(keys, qkeys, "left")
    hi = np.searchsorted(keys, qkeys, "right")
    if not len(pages):
        return np.zeros(len(qkeys), bool), lo, hi
    last = len(pages) - 1
    a, b = lo.copy(), hi.copy()
    while (active := a < b).any():
        mid = (a + b) >> 1
        right = active & (pages[np.minimum(mid, last)] < qpages)
        a = np.where(right, mid + 1, a)
        b = np.where(active & ~right, mid, b)
    return (a < hi) & (pages[np.minimum(a, last)] == qpages), lo, hi


def _chrome_pages(counts: _Counts, key: int, threshold: int) -> int | None:
    """Return on how many pages a learned template is (0: it is content; None: too few).

    A line between two prose lines on at least half of its pages is content that recurs (a
    standard subheading, the paragraph of an article whose copies got different page keys).
    """
    n = counts.get(key, 0)
    if n < threshold:
        return None
    return n if 2 * counts.get(key | 1, 0) < n else 0


def _page_key(lines: Sequence[str], prose: Sequence[bool], templates: Sequence[str]) -> int:
    """Return the key pages are counted by: the smallest hashes of the page's main text.

    A bottom-`_KEY_LINES` MinHash of the templates of the prose lines of the page's main
    text: its longest run of consecutive prose lines (by characters), an article's body.
    Re-scrapes and copies of one article share their body, so most often their key, whatever
    chrome, date bar or reader comment surrounds them (templates: a re-drawn count in a
    paragraph does not change it). The page's other prose lines are left out: a site's prose
    chrome (an "about" blurb, a newsletter box, a sidebar post), each between short lines, is
    on every page of the site, and were its hashes the smallest, different articles would
    get one key and the chrome would never add up. A page with fewer prose lines in its main
    run (a list post whose one paragraph is the author's blurb) also takes the templates of
    its first line and of its longest other lines, which re-scrapes share and other posts
    do not.

    Example:
        >>> body = ["The council met on Monday night and passed the budget after a long debate.",
        ...         "Officials said the money would first go to repairing the roads in town.",
        ...         "Opposition members said that the plan did little for the eastern districts."]
        >>> side = ["About us", "We have covered the harbour, its people and its trade since 1921."]
        >>> page = ["Budget passes", *body, *side]
        >>> key = _page_key(page, [_is_prose(s) for s in page], [template(s) for s in page])
        >>> [_is_prose(s) for s in page]
        [False, True, True, True, False, True]
        >>> key == _page_key(body, [True] * 3, [template(s) for s in body])
        True
    """
    hashes = {_hash(templates[i]) for i in _main_run(lines, prose)}
    if len(hashes) < _KEY_LINES:
        # Too little prose to tell articles apart (a list, a gallery, a short post beside a
        # site blurb that is the page's only prose): the headline line and the longest other
        # lines, as templates (a re-scrape's re-drawn counts and dates do not change them),
        # fill the key up to _KEY_LINES lines.
        rest = [t for t, p in zip(templates[1:], prose[1:], strict=True) if not p]
        fill = [templates[0], *sorted(rest, key=lambda t: (-len(t), t))]
        for tmpl in fill:
            if len(hashes) >= _KEY_LINES:
                break
            hashes.add(_hash(tmpl))
    return _hash(" ".join(map(str, sorted(hashes)[:_KEY_LINES])))


def _main_run(lines: Sequence[str], prose: Sequence[bool]) -> range:
    """Return the indices of the longest run of consecutive prose lines (the first of ties)."""
    best, best_chars = range(0), 0
    start, chars = 0, 0
    for i, p in enumerate(prose):
        if not p:
            start, chars = i + 1, 0
            continue
        chars += len(lines[i])
        if chars > best_chars:
            best, best_chars = range(start, i + 1), chars
    return best


def _headline_over(lines: Sequence[str], prose: Sequence[bool], config: CleanConfig) -> int | None:
    """Return the line of the headline over the page's first paragraph, if plain to see.

    The page's title is known by its first line, the HTML <title> most scrapers print first;
    a page scraped without it starts with the site's menu or name. Its headline is then the
    nearest headline-like line above its first paragraph (an article's lead; a short
    article's lead is no longer than the teasers' texts after it), within
    ``title_header_lines`` lines, across what stands between them on news pages (a byline, a
    dated line, share buttons: lines the lexical detectors know or that hold a date, and
    lines too short for a headline). Not the first line: that one is known already. (A
    blog's name over a sidebar blurb is taken too; it stands there on every page, and
    `Cleaner._is_title` takes no such line for a title.)

    Example:
        >>> page = ["Skip to content", "News", "Council backs new budget", "By Jane Doe",
        ...         "May 5, 2024",
        ...         "The council passed the budget on Monday after a long debate in the hall.",
        ...         "Officials said the money would go to repairing the roads in town first."]
        >>> _headline_over(page, [_is_prose(s) for s in page], CleanConfig())
        2
    """
    start = next((i for i, p in enumerate(prose) if p), None)
    if start is None:
        return None
    for j in range(start - 1, max(0, start - 1 - config.title_header_lines), -1):
        line = lines[j]
        if prose[j]:
            return None
        if _reads_as_title(line, config) and not _dates_in(line):
            return j  # (not a dated line: "Today's paper: 3 March 2025")
    return None


def _reads_as_title(line: str, config: CleanConfig) -> bool:
    """Return whether a line reads as a headline: its shape, and no date, chrome or byline."""
    if line.isascii() and len(line.split()) < config.min_title_words:
        return False  # (most lines asked: a menu's or a share bar's; words as spaces split)
    probe = Line(0, 0, len(line), len(line), line)
    return is_headline_like(probe, config) and not _not_a_title(line, config)


#: Prose lines whose hashes make a page key (see `_page_key`).
_KEY_LINES = 3


def _is_prose(text: str) -> bool:
    """Return whether ``text`` ends like a sentence and has `_PROSE_WORDS` words or more.

    The words as `word_count` counts them, whose costly count (of text that is not ASCII)
    is needed only when too few space-separated tokens decide it already.
    """
    if not _SENTENCE_END.search(text):
        return False
    return len(text.split()) >= _PROSE_WORDS or (
        not text.isascii() and count_words(text) >= _PROSE_WORDS
    )


#: Bytes a serialised `LearnState` starts with, and the version of its layout. Version 2:
#: page keys from the page's main run of prose (see `VERSION`).
_STATE_MAGIC = b"dedupLS\x00"
STATE_VERSION = 2
#: magic, version, then how many (key, page) pairs, title keys and JSON bytes follow.
_STATE_HEADER = struct.Struct("<8sHQQQ")
#: zlib expands data at most ~1032 times: a header promising more is damaged.
_ZLIB_MAX_RATIO = 1100


def _state_error(what: str) -> ModelError:
    return ModelError(f"{what}; pass `LearnState.from_bytes` the bytes `to_bytes` returned, whole")


class _PageDraft(NamedTuple):
    """One document's `LearnState` but the band keys of its long lines."""

    site: str
    keys: np.ndarray  # int64 line and body keys
    long: list[str]  # templates of the long lines, signed in batches (`_page_states`)
    page: np.int64  # its page key
    titles: np.ndarray  # int64 keys of its title
    examples: dict[int, tuple[str, str]]


@dataclass(frozen=True, slots=True)
class LearnState:
    """What learning some documents adds to a `Cleaner`: `absorb` adds it to another one.

    Made by `Cleaner.page_state` (one page) or `Cleaner.export_pending` (all a worker
    learned); processes sharing one model hand states to each other as `to_bytes`.

    Attributes:
        site_pages: pages seen per site.
        keys: int64 template, body and band keys, one per (key, page) pair.
        pages: int64 page keys of those pairs.
        titles: int64 keys of the pages' titles.
        examples: per template key, (site, line): a line of it as it appeared, which
            `Cleaner.learned` shows once the template is learned.

    Raises:
        InputError: ``keys`` and ``pages`` are not two 1-D arrays of one length.
    """

    site_pages: dict[str, int]
    keys: np.ndarray
    pages: np.ndarray
    titles: np.ndarray
    examples: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if np.ndim(self.keys) != 1 or np.shape(self.keys) != np.shape(self.pages):
            msg = (
                f"LearnState keys and pages must be 1-D arrays of one length (one page per key),"
                f" got shapes {np.shape(self.keys)} and {np.shape(self.pages)}"
            )
            raise InputError(msg)

    def to_bytes(self) -> bytes:
        """Return the state as bytes for `from_bytes` (in this process or another).

        A fixed header (magic, `STATE_VERSION`, sizes), then one zlib stream of the int64
        keys, pages and titles (little-endian) and a JSON of the sites, the examples and the
        counting parameters, which `from_bytes` checks. A page's state repeats one page key,
        which zlib folds to a few bytes: about 8 bytes a key remain.
        """
        arrays = [np.ascontiguousarray(a, "<i8") for a in (self.keys, self.pages, self.titles)]
        meta = {
            "params": _counting_params(),
            "site_pages": self.site_pages,
            "examples": [[k, s, line] for k, (s, line) in sorted(self.examples.items())],
        }
        text = json.dumps(meta, sort_keys=True, separators=(",", ":")).encode("ascii")
        head = _STATE_HEADER.pack(
            _STATE_MAGIC, STATE_VERSION, len(arrays[0]), len(arrays[2]), len(text)
        )
        return head + zlib.compress(b"".join(a.tobytes() for a in arrays) + text)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> LearnState:
        """Read a state written by `to_bytes`.

        Raises:
            InputError: ``data`` is not bytes.
            ModelError: ``data`` is not a learning state, is truncated or damaged, or was
                written by another format version or with other counting parameters.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            msg = f"LearnState.from_bytes takes bytes, got {type(data).__name__}"
            raise InputError(msg)
        data = bytes(data)
        magic = _STATE_MAGIC
        if not data.startswith(magic) and not (len(data) < len(magic) and magic.startswith(data)):
            msg = "not a dedup learning state (it lacks the header to_bytes writes)"
            raise _state_error(msg)
        if len(data) < _STATE_HEADER.size:
            msg = f"truncated learning state ({len(data)} bytes, not even a header)"
            raise _state_error(msg)
        _, version, n_pairs, n_titles, n_json = _STATE_HEADER.unpack_from(data)
        if version != STATE_VERSION:
            msg = (
                f"learning state format version {version}, this dedup reads version "
                f"{STATE_VERSION}; learn those pages again with this version of dedup"
            )
            raise ModelError(msg)
        size = 8 * (2 * n_pairs + n_titles) + n_json
        body = data[_STATE_HEADER.size :]
        if size > _ZLIB_MAX_RATIO * (len(body) + 64):
            msg = f"damaged learning state (its header promises {size} bytes)"
            raise _state_error(msg)
        stream = zlib.decompressobj()
        try:
            raw = stream.decompress(body, size + 1)
        except zlib.error as exc:
            msg = f"damaged learning state (zlib: {exc})"
            raise _state_error(msg) from exc
        if not stream.eof and len(raw) <= size:
            msg = f"truncated learning state ({len(data)} bytes: the data ends early)"
            raise _state_error(msg)
        if len(raw) != size or stream.unused_data:
            msg = f"damaged learning state ({len(raw)} bytes of data, not {size})"
            raise _state_error(msg)
        ints = np.frombuffer(raw, "<i8", count=2 * n_pairs + n_titles).astype(np.int64)
        try:
            meta = json.loads(raw[8 * (2 * n_pairs + n_titles) :].decode("ascii"))
            site_pages, examples = _state_meta(meta)
        except ModelError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            msg = f"damaged learning state (its JSON part: {exc})"
            raise _state_error(msg) from exc
        return cls(
            site_pages,
            ints[:n_pairs],
            ints[n_pairs : 2 * n_pairs],
            ints[2 * n_pairs :],
            examples,
        )


def _state_meta(meta: object) -> tuple[dict[str, int], dict[int, tuple[str, str]]]:
    """Return the sites and examples of a state's JSON part, checked (see `LearnState`).

    Raises:
        ModelError: the state was counted with other parameters than this dedup's.
        ValueError, TypeError, KeyError: the JSON part is damaged.
    """
    if not isinstance(meta, dict):
        msg = "not a JSON object"
        raise TypeError(msg)
    params, mine = meta["params"], _counting_params()
    if params != mine:
        theirs = params if isinstance(params, dict) else {}
        diff = ", ".join(
            f"{k}={theirs.get(k)} (this dedup: {v})" for k, v in mine.items() if theirs.get(k) != v
        )
        msg = f"learning state counted with other parameters: {diff}; learn the pages again"
        raise ModelError(msg)
    sites = meta["site_pages"]
    if not isinstance(sites, dict) or not all(type(n) is int and n > 0 for n in sites.values()):
        msg = "site_pages must map sites to positive page counts"
        raise ValueError(msg)
    examples: dict[int, tuple[str, str]] = {}
    for row in meta["examples"]:
        key, site, line = row
        if type(key) is not int or not -(1 << 63) <= key < 1 << 63:
            msg = f"example key {key!r} is not a 64-bit integer"
            raise ValueError(msg)
        if not isinstance(site, str) or not isinstance(line, str):
            msg = "an example's site and line must be strings"
            raise TypeError(msg)
        examples[key] = (site, line)
    return dict(sites), examples


def _counting_params() -> dict[str, int]:
    """Return the constants what is counted depends on: models and states must agree on them."""
    return {
        "max_count": MAX_COUNT,
        "long_chars": LONG_CHARS,
        "max_near_chars": MAX_NEAR_CHARS,
        "bands": _BANDS,
        "rows": _ROWS,
    }


@dataclass(frozen=True, slots=True)
class LearnedLine:
    """One line template learned as a site's chrome (see `Cleaner.learned`).

    Attributes:
        site: the site key.
        example: one line of the template as it appeared.
        pages: on how many different pages of the site it appeared (capped at `MAX_COUNT`).
        site_pages: how many pages of the site were seen.
        label: ``"site_boilerplate"``, ``"teaser"`` or ``"timestamp"``.
    """

    site: str
    example: str
    pages: int
    site_pages: int
    label: str


_V = TypeVar("_V")


def _recent(caches: dict[str, dict[str, _V]], site: str) -> dict[str, _V]:
    """Return the cache of ``site`` among ``caches`` (per site, least recently used first).

    A site's cache is emptied past `_EVIDENCE_LINES` lines (its own pages' lines pile up);
    the sites used least recently are forgotten while there are more than `_EVIDENCE_SITES`
    or all hold more than `_EVIDENCE_TOTAL` lines.
    """
    got = caches.pop(site, None)
    if got is None or len(got) > _EVIDENCE_LINES:
        got = {}
    caches[site] = got  # most recently used last
    while len(caches) > _EVIDENCE_SITES:
        del caches[next(iter(caches))]
    total = sum(map(len, caches.values()))
    while total > _EVIDENCE_TOTAL:
        total -= len(caches.pop(next(iter(caches))))
    return got


def _add_examples(into: dict[int, tuple[str, str]], more: Mapping[int, tuple[str, str]]) -> None:
    """Add example lines to ``into``, keeping the smallest per key: the same in any order."""
    for key, example in more.items():
        old = into.get(key)
        if old is None or example < old:
            into[key] = example


def _site_of(doc: Mapping[str, object], site_field: str, url_field: str) -> str | None:
    from dedup.dups import site_of

    return site_of(doc, site_field, url_field)


def _nonblank(text: str) -> list[str]:
    return [s for s in (ln.strip() for ln in text.splitlines()) if s]


def infer_site(lines: Sequence[str]) -> str | None:
    """Return a group key for a page without a known site, from its footer.

    The key is the smallest hash among the templates of the last `_EDGE_LINES` short lines
    (at most `_EDGE_MAX_WORDS` words and not prose, which a paragraph of Chinese is though it
    holds no space; not the first line: a page's own title): a one-permutation MinHash of the
    page's footer.
    Two pages of one site share most of their footer, so most often the key; pages of
    different sites seldom share it. The top of a page is a worse witness: after the menu
    come a breadcrumb, the headline, the byline and the date, which change with every page.
    Measured on the dev set (251 sites), the share of same-site page pairs given one key went
    from 0.75 (first and last eight lines) to 0.90, and the cross-site pairs given one key
    from 5,322 to 294 (prose lines left out since: 0.935 and 295).

    Example:
        >>> menu = ["Home", "World", "Business", "Sport", "Contact us"]
        >>> foot = ["About us", "Contact", "Terms of use", "Privacy", "(c) Example Ltd"]
        >>> a = ["Budget passes", *menu, "The budget passed on Monday.", *foot]
        >>> b = ["Storm hits coast", "Weather", "A storm hit the coast.", *foot]
        >>> infer_site(a) == infer_site(b), infer_site(a) == infer_site(["Other", "Text"])
        (True, False)
    """
    short: list[str] = []
    for s in reversed(lines[1:]):
        if len(s.split()) <= _EDGE_MAX_WORDS and not _is_prose(s):
            short.append(s)
            if len(short) == _EDGE_LINES:
                break
    edges = {template(s) for s in short}
    if not edges:
        return None
    return f"~{min(_hash(t) for t in edges) & 0xFFFFFFFFFFFF:012x}"


class Cleaner:
    r"""The cleaner that learns each site's chrome across documents.

    Args:
        min_pages: a line must be on at least this many different pages of a site to be
            learned; sites with fewer pages learn nothing (the per-document cleaner alone).
        min_share: ... and on at least this share of the site's pages (a site of 1,000
            pages needs 20 at the default 0.02), up to `MAX_COUNT` pages.
        max_pairs: the memory budget, in (template, page) pairs of 16 bytes (default 2**22,
            64 MB; a merge briefly needs about four times that). Up to it, counts are exact
            and independent of the order of documents; beyond it, templates seen on one page
            so far are forgotten at each merge (see `pruned`), so memory stays flat however
            many documents come.
        config: options of the per-document cleaner that runs first.
        text_field, site_field, url_field: the fields of mapping documents to read.

    Raises:
        ConfigError: an option is out of range.

    Example:
        >>> pages = [f"Story {n}\nText number {n} of the site, long enough.\nSubscribe to our "
        ...          "weekly letter\nAbout us | Careers" for n in ("one", "two", "three")]
        >>> cleaner = Cleaner().fit({"site": "example.com", "text": p} for p in pages)
        >>> cleaner.clean({"site": "example.com", "text": pages[0]})
        'Story one\nText number one of the site, long enough.\n'
    """

    def __init__(
        self,
        *,
        min_pages: int = 3,
        min_share: float = 0.02,
        max_pairs: int = 1 << 22,
        config: CleanConfig | None = None,
        text_field: str = "text",
        site_field: str = "site",
        url_field: str = "url",
    ) -> None:
        if isinstance(min_pages, bool) or not isinstance(min_pages, int) or min_pages < 2:
            msg = f"min_pages must be a whole number >= 2, got {min_pages!r}"
            raise ConfigError(msg)
        if min_pages > MAX_COUNT:
            msg = f"min_pages must be at most {MAX_COUNT} (pages are counted up to it)"
            raise ConfigError(msg)
        if not isinstance(min_share, (int, float)) or not 0 <= min_share <= 1:
            msg = f"min_share must be a number from 0 to 1, got {min_share!r}"
            raise ConfigError(msg)
        if config is not None and not isinstance(config, CleanConfig):
            msg = f"config must be a CleanConfig, got {type(config).__name__}"
            raise InputError(msg)
        for name, value in (
            ("text_field", text_field),
            ("site_field", site_field),
            ("url_field", url_field),
        ):
            if not isinstance(value, str) or not value:
                msg = f"{name} must be a non-empty field name, got {value!r}"
                raise ConfigError(msg)
        self.min_pages = min_pages
        self.min_share = float(min_share)
        if isinstance(max_pairs, bool) or not isinstance(max_pairs, int) or max_pairs < 1:
            msg = f"max_pairs must be a whole number >= 1, got {max_pairs!r}"
            raise ConfigError(msg)
        self.max_pairs = max_pairs
        self.config = config
        self.text_field = text_field
        self.site_field = site_field
        self.url_field = url_field
        self._reset()

    # -- learning ---------------------------------------------------------------------

    def _reset(self) -> None:
        self._site_pages: Counter[str] = Counter()
        # hash(site, title key) of every page's title: sorted, unique (8 bytes a page), and
        # those of the pages learned since they were last folded into it (see _add)
        self._titles = np.empty(0, np.int64)
        self._pend_titles: set[int] = set()
        self._pend_t = array("q")
        self._pend_p = array("q")
        self._keys = np.empty(0, np.int64)  # (template key, page key), sorted, <= MAX per key
        self._pages = np.empty(0, np.int64)
        self._examples: dict[int, tuple[str, str]] = {}  # key -> (site, smallest line seen)
        self._pend_examples: dict[int, tuple[str, str]] = {}
        self._counts: _Counts | None = None  # of the merged pairs (see _merged_counts)
        # The first _folded pending pairs are folded into the live counts (see _fold):
        # key -> its smallest pending pages that the merged pairs lack (an int: one page);
        # key -> its count.
        self._folded = 0
        self._delta: dict[int, int | list[int]] = {}
        self._live: dict[int, int] = {}
        self.pruned = 0  # templates forgotten to stay within max_pairs (see _merge)
        self._frozen = False
        self._label_cache: dict[tuple[str, str], str] = {}
        self._evidence_by_site: dict[str, dict[str, tuple[str, int] | None]] = {}
        self._verdicts_by_site: dict[str, dict[str, tuple[str, str, str, float | None]]] = {}

    def fit(self, docs: Iterable[object]) -> Cleaner:
        """Forget what was learned, then learn from ``docs``; return the cleaner."""
        refuse_one(docs, "fit")  # before forgetting: a wrong call keeps the model
        self._reset()
        return self.partial_fit(docs)

    def partial_fit(self, docs: Iterable[object]) -> Cleaner:
        """Learn from more documents (``str`` or mappings); return the cleaner.

        Learning in chunks gives the same model as learning from all documents at once, in
        any order. Cleaning between two calls uses all that was learned so far, at a cost
        that grows with the documents learned since the last clean, not with the model.

        Raises:
            InputError: a document is neither a ``str`` nor a mapping with a ``str`` text.
            ConfigError: this Cleaner only cleans (made by `for_cleaning`).
        """
        refuse_one(docs, "partial_fit")
        self._refuse_if_frozen()
        self._observe_many(self._read(doc, n) for n, doc in enumerate(docs))
        return self  # the rest is merged when first needed: many small calls stay cheap

    def _refuse_if_frozen(self) -> None:
        if self._frozen:
            msg = "this Cleaner only cleans (made by for_cleaning); learn with the original"
            raise ConfigError(msg)

    def _read(self, doc: object, position: int, site: str | None = None) -> tuple[str, str | None]:
        """Return the text of a document and its site (None: unknown, no text to infer it)."""
        if isinstance(doc, str):
            return doc, site
        if isinstance(doc, Mapping):
            text = doc.get(self.text_field)
            if not isinstance(text, str):
                msg = (
                    f"document {position}: field {self.text_field!r} must be a str, got "
                    f"{type(text).__name__}; pass text_field= to read another field"
                )
                raise InputError(msg)
            return text, site or _site_of(doc, self.site_field, self.url_field)
        msg = (
            f"document {position} must be a str or a mapping with a {self.text_field!r} field,"
            f" got {type(doc).__name__}"
        )
        raise InputError(msg)

    def _observe_many(self, pages: Iterable[tuple[str, str | None]]) -> None:
        """Learn from (text, site) documents, `_FIT_CHUNK` at a time (see `_page_states`).

        The documents read before one that fails to read (an error raised by ``pages``) are
        learned before the error goes on, as one at a time.
        """
        chunk: list[tuple[str, str | None]] = []
        try:
            for page in pages:
                chunk.append(page)
                if len(chunk) >= _FIT_CHUNK:
                    batch, chunk = chunk, []  # (learned once, even if learning it fails)
                    self._add_states(batch)
        finally:
            self._add_states(chunk)

    def _add_states(self, pages: Sequence[tuple[str, str | None]]) -> None:
        for state in self._page_states(pages):
            if state is not None:
                self._add(state)

    def page_state(self, doc: object, *, site: str | None = None) -> LearnState | None:
        """Return what learning one document would add to the model, without adding it.

        For processes that share one model: each computes the state of the pages it gets,
        adds it (`absorb`) and hands it to the others (`LearnState.to_bytes`), which absorb
        it too. ``absorb(page_state(doc))`` learns what ``partial_fit([doc])`` does.

        Args:
            doc: a ``str``, or a mapping with a text (and a site or URL) field.
            site: the site of the document, overriding its fields.

        Returns:
            The state, or None when the document teaches nothing: it has no non-blank line,
            or no site to count it under.

        Raises:
            InputError: ``doc`` is not a ``str`` or a mapping with a ``str`` text.
        """
        return self._page_states([self._read(doc, 0, site)])[0]

    def _page_states(self, pages: Sequence[tuple[str, str | None]]) -> list[LearnState | None]:
        """Return the states of (text, site) documents (see `_page_draft`), in order.

        The band keys of all their long lines are computed at once: per document, numpy's
        per-call costs were a fifth of learning.
        """
        drafts = [self._page_draft(text, site) for text, site in pages]
        bands = iter(_band_matrices([(d.site, d.long) for d in drafts if d is not None and d.long]))
        out: list[LearnState | None] = []
        for d in drafts:
            if d is None:
                out.append(None)
                continue
            # (a band key twice on one page is one (key, page) pair once merged)
            keys = np.concatenate([d.keys, next(bands).ravel()]) if d.long else d.keys
            out.append(
                LearnState({d.site: 1}, keys, np.full(len(keys), d.page), d.titles, d.examples)
            )
        return out

    def _page_draft(self, text: str, site: str | None) -> _PageDraft | None:
        """Return one document's state without the band keys of its long lines."""
        lines = _nonblank(text)
        if not lines:
            return None
        if site is None:
            site = infer_site(lines)
            if site is None:
                return None
        prose = [_is_prose(s) for s in lines]
        keys = array("q")
        examples: dict[int, tuple[str, str]] = {}  # its keys: the templates seen on the page
        long: list[str] = []
        tmpls = [template(line) for line in lines]
        for i, (line, tmpl) in enumerate(zip(lines, tmpls, strict=True)):
            key = _line_key(site, tmpl)
            if key in examples:
                continue
            examples[key] = (site, line)
            keys.append(key)
            if 0 < i < len(lines) - 1 and prose[i - 1] and prose[i + 1]:
                keys.append(key | 1)  # the line sits in an article's body here
            if LONG_CHARS <= len(tmpl) <= MAX_NEAR_CHARS:
                long.append(tmpl)
        # A paragraph that opens a run of prose (a card's text), or one of the page's first
        # `_LEAD_LINES` paragraphs (the article's lead, under a promotion maybe), is counted
        # with each headline-like line a few lines above it: a lead printed as its article's
        # card on other pages travels with its headline everywhere.
        seen = 0
        for i, tmpl in enumerate(tmpls):
            if prose[i]:
                seen += 1
                if seen <= _LEAD_LINES or not prose[i - 1]:
                    keys.extend(key for _, key in _lead_keys(site, tmpl, lines, tmpls, i))
        titles = [_title_hash(site, k) for k in _title_keys(lines[0])]
        config = self.config or DEFAULT_CONFIG
        head = _headline_over(lines, prose, config)
        if head is not None:
            # The line over the first paragraph is counted: one a site prints over every page's
            # text is no headline. Where the first line reads as no headline (a page scraped
            # without its <title> line, starting with the site's menu), it is the title.
            untitled = not _reads_as_title(lines[0], config)
            for k in _title_keys(lines[head]):
                keys.append(_head_key(site, k))
                if untitled:
                    titles.append(_head_hash(site, k))
        return _PageDraft(
            site,
            np.frombuffer(keys, np.int64),
            long,
            np.int64(_page_key(lines, prose, tmpls)),
            np.array(titles, np.int64),
            examples,
        )

    def _add(self, state: LearnState) -> None:
        """Add a state to the pending pairs: the one path of `partial_fit` and `absorb`.

        The counts are left alone (cleaning folds the new pairs in: see `_live_counts`), and
        only the caches of the state's sites are emptied: the keys, titles and thresholds of
        the other sites did not change. Titles and pairs are merged once they are many.
        """
        self._site_pages.update(state.site_pages)
        self._pend_t.frombytes(np.ascontiguousarray(state.keys, np.int64).tobytes())
        self._pend_p.frombytes(np.ascontiguousarray(state.pages, np.int64).tobytes())
        self._pend_titles.update(np.asarray(state.titles, np.int64).tolist())
        _add_examples(self._pend_examples, state.examples)
        self._label_cache.clear()
        for site in state.site_pages:
            self._evidence_by_site.pop(site, None)
            self._verdicts_by_site.pop(site, None)
        if len(self._pend_titles) >= max(_BUFFER_TITLES, len(self._titles) // _MERGE_SHARE):
            self._merge_titles()
        if len(self._pend_t) >= max(_BUFFER_PAIRS, len(self._keys) // _MERGE_SHARE):
            self._merge()

    # -- learning in parallel ---------------------------------------------------------

    def export_pending(self, *, examples: bool = True) -> LearnState:
        """Hand over what was learned and forget it: for learning in worker processes.

        A worker fits a fresh `Cleaner` (same fields) on its share of the documents and
        returns this; the main process gives each share to `absorb`, in any order. The
        result is the model of fitting on all documents in one process; the example lines
        come along (unless ``examples=False``: a line per template, what a job that never
        calls `learned` need not ship), so `learned` lists the lines of absorbed states too.
        """
        self._merge_titles()
        keys = np.concatenate([self._keys, np.frombuffer(self._pend_t, np.int64)])
        pages = np.concatenate([self._pages, np.frombuffer(self._pend_p, np.int64)])
        lines: dict[int, tuple[str, str]] = {}
        if examples:
            lines.update(self._examples)
            _add_examples(lines, self._pend_examples)
        state = LearnState(dict(self._site_pages), keys, pages, self._titles, lines)
        self._reset()
        return state

    def absorb(self, state: LearnState) -> None:
        """Add what another `Cleaner` learned (see `export_pending` and `page_state`).

        Cleaning right after costs what the state adds, not the whole model (see
        `partial_fit`).

        Raises:
            ConfigError: this Cleaner only cleans (made by `for_cleaning`).
        """
        self._refuse_if_frozen()
        if state.site_pages:
            self._add(state)

    def for_cleaning(self) -> Cleaner:
        """Return a copy that only cleans: what was learned, without the counts behind it.

        Small to send to worker processes (the counts of lines on fewer than ``min_pages``
        pages, most of what learning holds, are left out); it cannot learn more.
        """
        counts = self._learned_counts()
        twin = copy.copy(self)
        twin._keys = twin._pages = np.empty(0, np.int64)
        twin._examples, twin._pend_examples = {}, {}
        twin._pend_t, twin._pend_p, twin._pend_titles = array("q"), array("q"), set()
        twin._counts = counts
        twin._delta, twin._live = {}, {}
        twin._label_cache, twin._evidence_by_site, twin._verdicts_by_site = {}, {}, {}
        twin._frozen = True
        return twin

    def learned_templates(self) -> int:
        """Return how many line templates are on ``min_pages``+ pages of their site."""
        return int(((self._learned_counts().keys & 3) == 0).sum())

    def _is_title(self, site: str, key: str, counts: _Counts | _LiveCounts | None = None) -> bool:
        """Return whether ``key`` (a `_title_keys` key) is the title of a page of ``site``.

        A page's first line (its <title>) is its title; so is the headline over its first
        paragraph (`_headline_over`), unless that line stands over the text of as many pages as
        a learned line is on: then it is a line the site prints over every article (a
        newsletter box, a section's name). ``counts``: the counts to ask (default: live).
        """
        if self._has_title_hash(_title_hash(site, key)):
            return True
        if not self._has_title_hash(_head_hash(site, key)):
            return False
        threshold = self.threshold(site)
        if threshold is None:
            return True
        counts = self._live_counts() if counts is None else counts
        return counts.get(_head_key(site, key)) < threshold

    def _has_title_hash(self, h: int) -> bool:
        if h in self._pend_titles:
            return True
        titles = self._titles
        i = int(np.searchsorted(titles, h))
        return i < len(titles) and int(titles[i]) == h

    def _merge_titles(self) -> None:
        """Fold the pending title keys into the sorted array (when many: see `_add`)."""
        if self._pend_titles:
            pend = np.fromiter(self._pend_titles, np.int64, len(self._pend_titles))
            self._titles = np.union1d(self._titles, pend)
            self._pend_titles = set()

    def _merge(self) -> None:
        """Fold the pending pairs into the counts: unique pairs, at most MAX_COUNT per key."""
        self._merge_titles()
        if not self._pend_t:
            return
        keys = np.concatenate([self._keys, np.frombuffer(self._pend_t, np.int64)])
        pages = np.concatenate([self._pages, np.frombuffer(self._pend_p, np.int64)])
        order = np.lexsort((pages, keys))
        keys, pages = keys[order], pages[order]
        fresh = np.ones(len(keys), bool)
        fresh[1:] = (keys[1:] != keys[:-1]) | (pages[1:] != pages[:-1])
        keys, pages = keys[fresh], pages[fresh]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        rank = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
        sizes = np.diff(np.r_[starts, len(keys)])
        keep = rank < MAX_COUNT
        pruned = 0
        if int(np.minimum(sizes, MAX_COUNT).sum()) > self.max_pairs:
            # Over the memory budget: forget the templates seen on one page so far (lossy
            # counting). Chrome recurs on many pages and is seen again long before the next
            # merge; what is lost is exactness (and order independence) for rare lines.
            keep &= np.repeat(sizes > 1, sizes)
            pruned = int((sizes == 1).sum())
        self._keys, self._pages = keys[keep], pages[keep]
        # Examples: one line per template that may be learned (on min_pages+ pages).
        common = set(keys[starts[sizes >= self.min_pages]].tolist())
        _add_examples(self._examples, {k: v for k, v in self._pend_examples.items() if k in common})
        self._pend_examples = {}
        self._pend_t = array("q")
        self._pend_p = array("q")
        self._counts = None
        self._folded, self._delta, self._live = 0, {}, {}
        if pruned:  # a forgotten body key may change what was found for a line of any site
            self.pruned += pruned
            self._label_cache.clear()
            self._evidence_by_site.clear()
            self._verdicts_by_site.clear()

    def _merged_counts(self) -> _Counts:
        """Return the page count of every merged key on ``min_pages``+ pages (computed once).

        Body keys are all there, with their counts from `_body_counts`.
        """
        if self._counts is None:
            keys = self._keys
            if len(keys):
                starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
                sizes = np.diff(np.r_[starts, len(keys)])
                heads = keys[starts]
                big = (sizes >= self.min_pages) & ((heads & 3) != 1)  # body keys: below
                bkeys, bcounts = self._body_counts()
                self._counts = _Counts(
                    np.concatenate([heads[big], bkeys]),
                    np.concatenate([sizes[big], bcounts]),
                )
            else:
                self._counts = _Counts(np.empty(0, np.int64), np.empty(0, np.int32))
        return self._counts

    def _learned_counts(self) -> _Counts:
        """Return the counts of the whole model, merged (for `learned` and `for_cleaning`)."""
        self._merge()
        return self._merged_counts()

    def _live_counts(self) -> _Counts | _LiveCounts:
        """Return the counts to clean with: those a merge would give, at the cost of new pairs.

        A crawler cleans each page right after learning it: a merge per page would cost
        O(model) a page. The pending pairs are merged only once they are many (`_FOLD_PAIRS`,
        and a 1/`_MERGE_SHARE` share of the merged ones: merges cost O(1) a pair, amortised);
        until then the pairs added since the last clean are folded into the live counts.
        """
        if len(self._pend_t) >= max(_FOLD_PAIRS, len(self._keys) // _MERGE_SHARE):
            self._merge()
        elif self._folded < len(self._pend_t):
            self._fold()
        base = self._merged_counts()
        return _LiveCounts(base, self._live) if self._live else base

    def _fold(self) -> None:
        """Fold the pending pairs added since the last fold into the live counts.

        The live counts are those a merge would give: a key's count is the size of the
        union of its merged and pending page sets, capped at `MAX_COUNT` (bottom-k sets: only
        the smallest pages count), a body key's how many of its pages are among its line's
        counted pages. They are exact, except that a merge over the ``max_pairs`` budget
        would forget templates seen on one page, which are counted until then (a count of 1
        is below any threshold). Per key, the smallest `MAX_COUNT` pending pages that the
        merged pairs lack are kept (``_delta``): a larger one could not be counted.

        Cost: O(new pairs) and O(`MAX_COUNT`) per body key whose line changed, whatever the
        size of the model (searches in the merged pairs are O(log) each, all at once).
        """
        start = self._folded
        new_k = np.frombuffer(self._pend_t[start:], np.int64)
        new_p = np.frombuffer(self._pend_p[start:], np.int64)
        self._folded = len(self._pend_t)
        found, lo, hi = _find_pairs(self._keys, self._pages, new_k, new_p)
        top = self._pages[np.maximum(hi - 1, 0)] if len(self._pages) else new_p
        # Counted already; or beyond the MAX_COUNT smallest pages of a key that holds as many.
        fresh = ~found & ((hi - lo < MAX_COUNT) | (new_p < top))
        delta, changed = self._delta, set()
        same: dict[int, int] = {}  # one int object per page: a page brings many keys
        for key, page in zip(new_k[fresh].tolist(), new_p[fresh].tolist(), strict=True):
            page = same.setdefault(page, page)  # the same value
            got = delta.get(key)
            if got is None:  # most keys are on one page: an int, not a list, holds it
                delta[key] = page
                changed.add(key)
                continue
            if isinstance(got, int):
                if got == page:
                    continue
                got = delta[key] = [got]
            i = bisect_left(got, page)
            if i < MAX_COUNT and (i == len(got) or got[i] != page):
                got.insert(i, page)
                del got[MAX_COUNT:]
                changed.add(key)
        if changed:
            self._recount(changed)

    def _recount(self, changed: set[int]) -> None:
        """Set the live counts of keys whose pending pages changed, and of their body keys.

        A body key is counted again when its line's pages changed too: a smaller new page
        can push one of the line's body pages out of its `MAX_COUNT` counted pages.
        """
        body = {k for k in changed if k & 1} | {k | 1 for k in changed if not k & 3}
        keys = np.fromiter(changed | body | {k & ~1 for k in body}, np.int64)
        lo = np.searchsorted(self._keys, keys, "left").tolist()
        hi = np.searchsorted(self._keys, keys, "right").tolist()
        span = dict(zip(keys.tolist(), zip(lo, hi, strict=True), strict=True))
        live, merged, pending = self._live, self._pages, self._pending_pages
        for key in changed:
            if not key & 1:
                a, b = span[key]
                n = min(MAX_COUNT, b - a + len(pending(key)))
                if n >= self.min_pages:  # fewer: absent, as from _merged_counts
                    live[key] = n
        for key in body:
            a, b = span[key]
            pages = merged[a:b].tolist() + pending(key)
            if not pages:
                continue
            a, b = span[key & ~1]
            counted = sorted(merged[a:b].tolist() + pending(key & ~1))
            if len(counted) < MAX_COUNT:
                live[key] = len(pages)  # a body page is a page of its line: all counted
            else:
                cut = counted[MAX_COUNT - 1]
                live[key] = sum(p <= cut for p in pages)

    def _pending_pages(self, key: int) -> list[int]:
        """Return the pending pages of a key folded so far (see `_fold`), smallest first."""
        got = self._delta.get(key)
        if got is None:
            return []
        return [got] if isinstance(got, int) else got

    def _body_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Return, per body key, on how many of its template's counted pages it is in a body.

        Both page sets are bottom-k sets of the same page keys, so the pages counted for a
        template (its `MAX_COUNT` smallest) that are body pages are exactly those in the body
        key's set: the share is exact whatever the cap.
        """
        body = (self._keys & 1) == 1
        keys, pages = self._keys, self._pages
        with np.errstate(over="ignore"):
            mult = np.int64(-0x61C8864680B583EB)  # odd: (key, page) -> one 64-bit pair hash
            pairs = keys[~body] * mult + pages[~body]
            body_as_plain = (keys[body] & ~1) * mult + pages[body]
        inside = np.isin(body_as_plain, pairs)  # a body pair whose page is counted for its line
        uniq, n = np.unique(keys[body][inside], return_counts=True)
        return uniq, n

    # -- cleaning ---------------------------------------------------------------------

    def threshold(self, site: str) -> int | None:
        """Return how many pages of ``site`` a line must be on to be learned (None: too few)."""
        pages = self._site_pages.get(site, 0)
        if pages < self.min_pages:
            return None
        return min(MAX_COUNT, max(self.min_pages, math.ceil(self.min_share * pages)))

    def site_of(self, doc: object, *, site: str | None = None) -> str | None:
        """Return the site key a document is counted under (None: no text to tell)."""
        text, known = self._read(doc, 0, site)
        return known if known is not None else infer_site(_nonblank(text))

    def clean_and_explain(self, doc: object, *, site: str | None = None) -> CleanResult:
        r"""Clean one document with what was learned; explain every removal.

        Args:
            doc: a ``str``, or a mapping with a text (and a site or URL) field.
            site: the site of the document, overriding its fields.

        Returns:
            The `dedup.CleanResult` of the per-document cleaner, with the lines learned as
            the site's chrome removed too.

        Raises:
            InputError: ``doc`` is not a ``str`` or a mapping with a ``str`` text.
        """
        text, known = self._read(doc, 0, site)
        text = check_text(text)
        detector = self._detector(text, known)
        docu, removed, kept, view = _run(text, self.config, detector)
        return _result(docu, removed, kept, view.text, self.config)

    def clean(self, doc: object, *, site: str | None = None) -> str:
        """Return the cleaned text of one document (see `clean_and_explain`)."""
        text, known = self._read(doc, 0, site)
        text = check_text(text)
        return _run(text, self.config, self._detector(text, known))[3].text

    def clean_many(self, docs: Iterable[object], *, jobs: int = 1) -> Iterator[str]:
        """Return an iterator of `clean` of each document, in order, in ``jobs`` processes.

        As `dedup.clean_many` with what was learned: the model goes once to each worker
        process (0: one per CPU core; 1: this process), the documents are read as the workers
        need more, and the results are those of `clean` whatever ``jobs`` is.

        Raises:
            InputError: ``docs`` is one document (the call fails), or a document is not a
                ``str`` or a mapping with a ``str`` text (named by its position when the
                results reach it).
            ConfigError: ``jobs`` is negative.
        """
        from dedup.batch import in_order, worker_count

        refuse_one(docs, "clean_many")
        workers = worker_count(jobs)
        read = (self._read(doc, n) for n, doc in enumerate(docs))  # (text, site or None)
        fn = partial(_clean_read, self)
        if workers == 1:
            return map(fn, read)
        self._merge()  # the workers get the model whole, not each its pending pages
        return (out for _, out in in_order(read, fn, jobs=workers, size=_text_len))

    def _verdict_cache(self, site: str) -> dict[str, tuple[str, str, str, float | None]]:
        """Return the verdicts given so far on learned lines of ``site`` (line -> verdict)."""
        return _recent(self._verdicts_by_site, site)

    def _evidence_cache(self, site: str) -> dict[str, tuple[str, int] | None]:
        """Return the evidence found so far for lines of ``site`` (line text -> evidence).

        A site's chrome recurs on its pages, so its evidence is looked up once; the cache
        holds the sites cleaned last and is emptied when more is learned.
        """
        return _recent(self._evidence_by_site, site)

    def _detector(self, text: str, site: str | None) -> _SiteDetector | None:
        if site is None:
            site = infer_site(_nonblank(text))
        if site is None:
            return None
        threshold = self.threshold(site)
        if threshold is None:
            return None
        return _SiteDetector(self, site, threshold, self._live_counts())

    # -- inspection -------------------------------------------------------------------

    @property
    def sites(self) -> dict[str, int]:
        """Return how many pages of each site were seen."""
        return dict(self._site_pages)

    def learned(self, site: str | None = None) -> list[LearnedLine]:
        """Return the lines learned as chrome (of one site, or of all), most pages first."""
        counts = self._learned_counts()
        out: list[LearnedLine] = []
        for key, (s, line) in self._examples.items():
            if site is not None and s != site:
                continue
            threshold = self.threshold(s)
            n = _chrome_pages(counts, key, threshold) if threshold is not None else None
            if n:
                out.append(LearnedLine(s, line, n, self._site_pages[s], self._label(s, line)))
        out.sort(key=lambda x: (-x.pages, x.site, x.example))
        return out

    def stats(self) -> dict[str, int]:
        """Return counts: documents, sites, sites with enough pages, templates, learned."""
        learned = self.learned()
        return {
            "documents": sum(self._site_pages.values()),
            "sites": len(self._site_pages),
            "sites_learned": sum(1 for s in self._site_pages if self.threshold(s) is not None),
            "counted_keys": len(np.unique(self._keys)) if len(self._keys) else 0,
            "learned_lines": len(learned),
            "pruned": self.pruned,
        }

    def _label(self, site: str, line: str, keys: Sequence[str] | None = None) -> str:
        """Return the label of a learned line: teaser, timestamp or site_boilerplate."""
        cache = self._label_cache
        got = cache.get((site, line))
        if got is not None:
            return got
        keys = _title_keys(line) if keys is None else keys
        if any(self._is_title(site, k) for k in keys):
            label = "teaser"
        elif len(line) <= _DATE_LINE_CHARS and _DIGITS.search(line) and _dates_in(line):
            label = "timestamp"
        else:
            label = "site_boilerplate"
        if len(cache) >= _LABEL_CACHE:
            cache.clear()
        cache[site, line] = label
        return label

    # -- saving -----------------------------------------------------------------------

    def _params(self) -> dict[str, object]:
        return {
            "min_pages": self.min_pages,
            "min_share": self.min_share,
            "max_pairs": self.max_pairs,
            **_counting_params(),
            "text_field": self.text_field,
            "site_field": self.site_field,
            "url_field": self.url_field,
        }

    def save(self, path: str | Path) -> None:
        """Write what was learned to a SQLite file at ``path`` (replacing it).

        The file holds a ``meta`` table (format, version, parameters), ``sites`` (pages per
        site), ``learned`` (the lines learned as chrome, for people to read) and the counts
        that `load` needs to go on learning.
        """
        path = Path(path)
        if path.is_dir():
            msg = f"{path}: is a directory: name the model's file, e.g. {path / 'model.db'}"
            raise ModelError(msg)
        self._merge()
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.unlink(missing_ok=True)
            self._write(tmp)
            tmp.replace(path)
        except (OSError, sqlite3.Error) as exc:
            if tmp.parent.is_dir():
                tmp.unlink(missing_ok=True)
            msg = f"{path}: cannot write the model ({exc}); is the folder there and writable?"
            raise ModelError(msg) from exc

    def _write(self, tmp: Path) -> None:
        """Write the model's tables into a new SQLite file ``tmp``."""
        con = sqlite3.connect(tmp)
        try:
            with con:
                con.executescript(_SCHEMA)
                meta = {"format": FORMAT, "version": str(VERSION)}
                meta["params"] = json.dumps(self._params(), sort_keys=True)
                con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
                con.executemany("INSERT INTO sites VALUES (?, ?)", sorted(self._site_pages.items()))
                con.executemany(
                    "INSERT INTO learned VALUES (?, ?, ?, ?, ?)",
                    [(x.site, x.label, x.pages, x.site_pages, x.example) for x in self.learned()],
                )
                titles = ((k,) for k in self._titles.tolist())
                con.executemany("INSERT INTO titles VALUES (?)", titles)
                con.executemany(
                    "INSERT INTO counts VALUES (?, ?)",
                    zip(self._keys.tolist(), self._pages.tolist(), strict=True),
                )
                con.executemany(
                    "INSERT INTO examples VALUES (?, ?, ?)",
                    sorted((k, s, line) for k, (s, line) in self._examples.items()),
                )
        finally:
            con.close()

    @classmethod
    def load(cls, path: str | Path, *, config: CleanConfig | None = None) -> Cleaner:
        """Read a model written by `save`.

        Raises:
            ModelError: the file is missing, is not a saved `Cleaner`, or was written by
                another version of the format.
        """
        path = Path(path)
        if not path.is_file():
            msg = f"{path}: no such model file; learn a model first and save it there"
            raise ModelError(msg)
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            msg = f"{path}: cannot open as a model ({exc})"
            raise ModelError(msg) from exc
        try:
            try:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            except sqlite3.DatabaseError as exc:
                msg = f"{path}: not a dedup model file ({exc})"
                raise ModelError(msg) from exc
            if meta.get("format") != FORMAT:
                msg = f"{path}: not a dedup model file (format {meta.get('format')!r})"
                raise ModelError(msg)
            if meta.get("version") != str(VERSION):
                msg = (
                    f"{path}: model format version {meta.get('version')}, this dedup reads "
                    f"version {VERSION}; learn the model again with this version"
                )
                raise ModelError(msg)
            params = json.loads(meta["params"])
            if not isinstance(params, dict):
                msg = f"{path}: damaged model file (parameters are not a JSON object)"
                raise ModelError(msg)
            for name, value in _counting_params().items():
                if params.get(name) != value:
                    msg = f"{path}: learned with {name}={params.get(name)}, this dedup uses {value}"
                    raise ModelError(msg)
            try:
                self = cls(
                    min_pages=params["min_pages"],
                    min_share=params["min_share"],
                    max_pairs=params["max_pairs"],
                    config=config,
                    text_field=params["text_field"],
                    site_field=params["site_field"],
                    url_field=params["url_field"],
                )
            except ConfigError as exc:
                msg = f"{path}: damaged model file (bad parameter: {exc})"
                raise ModelError(msg) from exc
            sites = con.execute("SELECT site, pages FROM sites").fetchall()
            if not all(isinstance(a, str) and type(n) is int and n > 0 for a, n in sites):
                msg = f"{path}: damaged model file (the sites table holds a bad row)"
                raise ModelError(msg)
            self._site_pages = Counter(dict(sites))
            titles = [k for (k,) in con.execute("SELECT key FROM titles ORDER BY key")]
            self._titles = np.array(titles, np.int64)
            rows = con.execute("SELECT key, page FROM counts ORDER BY key, page").fetchall()
            arr = np.array(rows, np.int64).reshape(-1, 2)
            self._keys, self._pages = arr[:, 0].copy(), arr[:, 1].copy()
            self._examples = {
                k: (s, line) for k, s, line in con.execute("SELECT key, site, line FROM examples")
            }
        except (sqlite3.DatabaseError, KeyError, TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, ModelError):
                raise
            msg = f"{path}: damaged model file ({exc!r}); learn the model again"
            raise ModelError(msg) from exc
        finally:
            con.close()
        return self


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sites (site TEXT PRIMARY KEY, pages INTEGER NOT NULL);
CREATE TABLE learned (
    site TEXT NOT NULL, label TEXT NOT NULL, pages INTEGER NOT NULL,
    site_pages INTEGER NOT NULL, example TEXT NOT NULL
);
CREATE TABLE titles (key INTEGER PRIMARY KEY);
CREATE TABLE counts (key INTEGER NOT NULL, page INTEGER NOT NULL, PRIMARY KEY (key, page));
CREATE TABLE examples (key INTEGER PRIMARY KEY, site TEXT NOT NULL, line TEXT NOT NULL);
"""


def _title_hash(site: str, key: str) -> int:
    """Return the hash a page title of a site is remembered by (see `_title_keys`)."""
    return _hash(f"{site}\x01{key}")


#: How many lines above a paragraph its headline may stand (a byline, a date, a promotion
#: or share buttons between): see `_lead_keys`.
_LEAD_REACH = 6
#: A page's first paragraphs counted with the headlines above them, wherever they stand.
_LEAD_LINES = 2


def _lead_keys(
    site: str, tmpl: str, lines: Sequence[str], tmpls: Sequence[str], i: int
) -> list[tuple[int, int]]:
    """Return (position, key) pairing the paragraph at ``i`` with each headline-like line above.

    Within `_LEAD_REACH` lines above: lines of 3 to 30 space-separated words that end like
    no sentence (a date or a byline may pass too; their pairs are counted once, on their
    page). Fixed numbers, not the config's: learning and cleaning must make the same keys.
    Counted like band keys (second bit set): plain counts, never a line's.
    """
    out = []
    for j in range(i - 1, max(-1, i - 1 - _LEAD_REACH), -1):
        line = lines[j]
        if 3 <= len(line.split()) <= 30 and not _SENTENCE_END.search(line):
            out.append((j, (_hash(f"{site}\x05{tmpl}\x00{tmpls[j]}") & ~3) | 2))
    return out


def _head_hash(site: str, key: str) -> int:
    """Return the hash a headline over a page's first paragraph is remembered by, as a title."""
    return _hash(f"{site}\x04{key}")


def _head_key(site: str, key: str) -> int:
    """Return the key counting the pages a headline stands over (see `_headline_over`).

    Counted like a band key (second bit set): a plain count, never a line's.
    """
    return (_hash(f"{site}\x02{key}") & ~3) | 2


def _line_key(site: str, tmpl: str) -> int:
    """Return the key a template of a site is counted under (its two low bits clear).

    ``key | 1`` counts the pages where the line sits between two prose lines; band
    keys have the second bit set (see `_band_matrix`), so they never meet line keys.
    """
    return _hash(f"{site}\x00{tmpl}") & ~3


#: Band keys of long lines: character 5-gram MinHash, _BANDS bands of _ROWS rows.
_BANDS = 8
_ROWS = 3
_SHINGLE = 5


_GRAM_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
    ][:_SHINGLE],
    np.uint64,
)
_BAND_MULT = np.array([0xA24BAED4963EE407, 0x9FB21C651E98DF25, 0xC13FA9A902A6328F], np.uint64)


def _band_matrix(site: str, templates: Sequence[str]) -> np.ndarray:
    """Return the LSH band keys of long line templates: ``(len(templates), _BANDS)`` int64.

    Each template is cut into character 5-grams (hashed by numpy over all templates at
    once), signed with a `_BANDS` x `_ROWS` MinHash (`dedup.signatures`), and each band's
    rows are folded, with the site, into one 64-bit key.
    """
    return _band_matrices([(site, templates)])[0]


def _band_matrices(groups: Sequence[tuple[str, Sequence[str]]]) -> list[np.ndarray]:
    """Return `_band_matrix` of each (site, templates) group, computed all at once."""
    sites = [site for site, group in groups for _ in group]
    templates = [t for _, group in groups for t in group]
    matrix = _bands(sites, templates)
    cuts = np.cumsum([len(group) for _, group in groups])[:-1]
    return np.split(matrix, cuts) if groups else []


def _bands(sites: Sequence[str], templates: Sequence[str]) -> np.ndarray:
    """Return the band keys of ``templates``, each of the site at the same position."""
    from dedup.signatures import SignatureScheme, minhash_batch

    scheme = SignatureScheme(num_perm=_BANDS * _ROWS, seed=1)
    if not templates:
        return np.empty((0, _BANDS), np.int64)
    cps = [np.frombuffer(t.encode("utf-32-le", "surrogatepass"), np.uint32) for t in templates]
    lengths = np.array([len(c) for c in cps], np.int64)
    cp = np.concatenate(cps).astype(np.uint64)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    grams = np.maximum(lengths - _SHINGLE + 1, 1)
    pos = np.repeat(starts - np.r_[0, np.cumsum(grams)[:-1]], grams) + np.arange(grams.sum())
    h = np.zeros(len(pos), np.uint64)
    with np.errstate(over="ignore"):
        for k in range(_SHINGLE):
            h += cp[np.minimum(pos + k, len(cp) - 1)] * _GRAM_MULT[k]
    values = (h >> np.uint64(32)).astype(np.uint32)
    offsets = np.r_[0, np.cumsum(grams)].astype(np.int64)
    sig = minhash_batch(values, offsets, scheme).astype(np.uint64).reshape(-1, _BANDS, _ROWS)
    # A snippet cut short ("...") matches other cut copies only, never the full paragraph it
    # was cut from: on the article's own page that paragraph is its lead, not a teaser.
    salts = {
        site: tuple(np.uint64(_hash(f"{site}\x03{c}") & 0xFFFFFFFFFFFFFFFF) for c in "wc")
        for site in set(sites)
    }
    salt = np.array(
        [salts[s][t.endswith("...")] for s, t in zip(sites, templates, strict=True)], np.uint64
    )
    with np.errstate(over="ignore"):
        keys = (sig * _BAND_MULT).sum(axis=2, dtype=np.uint64)
        keys ^= salt[:, None] + np.arange(_BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    out: np.ndarray = (keys.view(np.int64) & ~3) | 2
    return out


@lru_cache(maxsize=1 << 15)
def _title_keys(line: str) -> tuple[str, ...]:
    """Return the match keys a headline is known by: whole, and without a site affix.

    Cached: learned lines recur on many pages, and so does the work for them.
    """
    key = match_key(line)
    if not key:
        return ()
    probe = Line(0, 0, len(line), len(line), line)
    return (key, *(c for c in _cores(probe) if c != key))


def _clean_read(cleaner: Cleaner, doc: tuple[str, str | None]) -> str:
    """`Cleaner.clean` of a document read by `Cleaner._read` (a worker's function)."""
    return cleaner.clean(doc[0], site=doc[1])


def _text_len(doc: tuple[str, str | None]) -> int:
    return len(doc[0])


def _dates_in(line: str) -> bool:
    return bool(find_dates(line))


_Verdict = tuple[str, str, str, float | None]


class _SiteDetector:
    """The detector of what a `Cleaner` learned about one site (see `dedup.cleaner._run`).

    It runs on every pass of the per-document cleaner; what it finds for a line's text (its
    evidence) is remembered across passes, what depends on the line's place (its neighbours,
    the page's own title) is judged again on each pass, so that the last pass judges the
    cleaned text exactly as cleaning it again would.
    """

    def __init__(
        self, cleaner: Cleaner, site: str, threshold: int, counts: _Counts | _LiveCounts
    ) -> None:
        self.cleaner = cleaner
        self.site = site
        self.threshold = threshold
        self.counts = counts
        self.pages = cleaner._site_pages[site]
        # line text -> (how it is known, pages): "exact", "near" or "headline"; None: unknown
        self._evidence = cleaner._evidence_cache(site)
        self._verdicts = cleaner._verdict_cache(site)

    def _learn_evidence(self, doc: Document, todo: list[int], config: CleanConfig) -> None:
        """Find the evidence for the lines ``todo`` whose text was not looked at yet.

        The page's lines are looked up together: one sorted-array search for all of them.
        """
        evidence = self._evidence
        new: dict[str, int] = {}
        for i in todo:
            text = doc.lines[i].text
            if text not in evidence and text not in new:
                new[text] = i
        if not new:
            return
        tmpls = [template(text) for text in new]
        keys = np.fromiter((_line_key(self.site, t) for t in tmpls), np.int64, len(tmpls))
        pages = self.counts.many(keys)
        body = self.counts.many(keys | 1)
        near: list[tuple[str, str]] = []
        threshold = self.threshold
        for (text, i), tmpl, n, b in zip(
            new.items(), tmpls, pages.tolist(), body.tolist(), strict=True
        ):
            if n >= threshold:
                # Between two prose lines on half its pages: content that recurs.
                evidence[text] = ("exact", n) if 2 * b < n else None
            elif LONG_CHARS <= len(tmpl) <= MAX_NEAR_CHARS:
                evidence[text] = None
                near.append((text, tmpl))
            elif self._is_title(doc.lines[i].stripped, config):
                evidence[text] = ("headline", 1)
            else:
                evidence[text] = None
        if near:
            # Near-identical: several bands of its character shingles are on enough pages.
            bands = _band_matrix(self.site, [t for _, t in near])
            hits = -np.sort(-self.counts.many(bands.ravel()).reshape(bands.shape), axis=1)
            for (text, _), h in zip(near, hits[:, _MIN_BANDS - 1].tolist(), strict=True):
                if h >= threshold:
                    evidence[text] = ("near", h)

    def __call__(self, doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
        lines = doc.lines
        open_ = [i for i in doc.content_lines if i not in marks]  # content runs after us
        unmarked = set(open_)
        heads = self._heads(doc, self._first(doc, marks), config)
        own = frozenset(k for h in heads for k in _title_keys(lines[h].stripped))
        self._learn_evidence(doc, open_, config)
        over = self._own_headline_over(doc, config)
        if over is not None:
            own |= frozenset(_title_keys(lines[over].stripped))
        content = doc.content_lines
        where = {i: k for k, i in enumerate(content)}
        evidence = self._evidence
        # The page's own headline lines: its titles (per-document), its first line, the
        # headline over its text.
        headlines = {i for i, m in marks.items() if m.label == "title"} | set(heads)
        if over is not None:
            headlines.add(over)
        # The page's own paragraphs: prose that per-document detectors keep and that was not
        # learned. A learned line between two of them recurs *inside* an article (a series'
        # background paragraph, a standard subheading): content, not the site's chrome.
        own_prose = {
            i for i in open_ if evidence[lines[i].text] is None and _is_prose(lines[i].stripped)
        }
        unlearned: set[int] | None = None  # built for the first learned copy of the headline
        above = self._headline_above(doc, marks, own, own_prose)
        out = []
        for i in open_:
            ev = evidence[lines[i].text]
            if ev is None or i == above or is_recipe_heading(lines[i], config):
                continue  # (a recipe's headings: the content detector reads them)
            _, n = ev
            k = where[i]
            if 0 < k < len(content) - 1 and {content[k - 1], content[k + 1]} <= own_prose:
                continue
            if (
                k + 1 < len(content)
                and content[k + 1] in unmarked
                and evidence[lines[content[k + 1]].text] is None
                and self._lead(doc, k, headlines)
            ):
                # The article's lead under its headline, its own lines after it; a card's
                # text on the site's other pages.
                continue
            stripped = lines[i].stripped
            if own and any(key in own for key in _title_keys(stripped)):
                # The page's own headline, however often it is a teaser elsewhere: where it
                # heads the page, and where it stands by the page's own lines. Copies among
                # learned lines only are the site's list of posts that share the headline
                # ("Top 5 posts of the week"): teasers there, as on every other page.
                if i in heads or i == over:
                    continue
                if unlearned is None:
                    unlearned = {
                        j
                        for j in open_
                        if evidence[lines[j].text] is None
                        and not any(key in own for key in _title_keys(lines[j].stripped))
                    }
                near = content[max(0, k - _OWN_HEADLINE_REACH) : k + _OWN_HEADLINE_REACH + 1]
                if not unlearned.isdisjoint(near):
                    continue
            verdicts = self._verdicts
            got = verdicts.get(stripped)
            if got is None:
                got = verdicts[stripped] = self._verdict(stripped, n)
            out.append(Mark(i, *got))
        if own and out:
            out = self._keep_datelines(doc, marks, out, where, heads, above, own, own_prose, config)
        return out

    @staticmethod
    def _keep_datelines(
        doc: Document,
        marks: Mapping[int, Mark],
        out: list[Mark],
        where: Mapping[int, int],
        heads: tuple[int, ...],
        above: int | None,
        own: frozenset[str],
        own_prose: set[int],
        config: CleanConfig,
    ) -> list[Mark]:
        """Return ``out`` without the learned date lines of the header of the page's headline.

        A date alone is learned when the same date is on many pages of the site: a teaser
        list's, or the dateline of every article of a day, which a crawl of that day meets on
        every page. A date with a weekday or a time is masked, and its template learned from
        every page ("Thursday, November 10, 2011 10:58 AM": the post's and its comments'), as
        is a row of a date and a byline ("November 12, 2012 by Linda Bustos") on a blog of a
        few authors. By the page's own kept headline such a line is the article's dateline,
        as the per-document cleaner keeps it (and reads ``published`` and ``byline`` from
        it). The headline: a line the ``titles`` detector marks, or one `_heads` or
        `_headline_above` takes for it. The dateline: right above it (a date, a time, a year
        alone, and the parts of a date printed one per line above that: "11", "July",
        "2012"), or under it within ``content_header_lines`` lines before the page's first
        paragraph of its own (an author's name, then "July 21, 2012", "03:06 PM EDT"). A
        teaser's date stands by the teaser, which is learned. ``where``: each non-blank line's
        position among them.
        """
        lines, content = doc.lines, doc.content_lines
        removed = {m.line for m in out}
        reach = config.content_header_lines
        headline: dict[int, bool] = {}  # position among the non-blank lines -> kept headline

        def kept_headline(k: int) -> bool:
            j = content[k]
            if j in removed:
                return False
            got = headline.get(k)
            if got is None:
                m = marks.get(j)
                got = headline[k] = (m is None or m.label in KEPT_LABELS) and (
                    j in heads
                    or j == above
                    or (m is not None and m.label == "title")
                    or not own.isdisjoint(_title_keys(lines[j].stripped))
                )
            return got

        def dated(i: int) -> bool:  # a date or a time alone, or a row of a date and a byline
            return (
                line_date_shape(lines[i], config) is not None
                or byline_in_row(lines[i].stripped, config=config) is not None
            )

        # Only the lines next to a learned line can be the headline of its header: they are
        # asked, not every line of the page (a headline's copies are looked for by its keys).
        keep: set[int] = set()
        texts: list[Line] | None = None  # the non-blank lines, for `is_date_part`
        for i in removed:
            p = where[i]
            if (
                p + 1 < len(content)
                and kept_headline(p + 1)
                and (dated(i) or is_dateline(lines[i].stripped, config))
            ):
                keep.add(i)
                texts = texts or doc.nonblank()
                m = p - 1
                while m >= 0 and content[m] in removed and is_date_part(texts, m):
                    keep.add(content[m])
                    m -= 1
                continue
            # Under a headline: within `reach` lines, before the page's first paragraph of its
            # own; with no such paragraph within reach, the line right under it only.
            for k in range(p - 1, max(-1, p - 2 - reach), -1):
                if (
                    kept_headline(k)
                    and (k + 1 == p or not own_prose.isdisjoint(content[k + 1 : k + 2 + reach]))
                    and dated(i)
                ):
                    keep.add(i)
                    break
                if content[k] in own_prose:
                    break
        return [m for m in out if m.line not in keep]

    def _headline_above(
        self,
        doc: Document,
        marks: Mapping[int, Mark],
        own: frozenset[str],
        prose: set[int],
    ) -> int | None:
        """Return the learned headline that stands right above the page's own prose, if any.

        That is the last line before the page's first paragraph of its own that is known as
        the title of a page of the site, printed bare (not inside a pager link: "« Previous
        title | Main"), with only lines of the page between them that were not learned: the
        page's own headline, under a header of other lines (a tag line, a pager, a <title>
        line whose copy went earlier) that `_first` takes for the headline. Learned lines of
        another kind in between (a list of posts, a menu, share buttons) are crossed only to
        reach a copy of the page's first line. Nothing when the page's headline was found
        already there (a title or its copy, an unlearned copy of the first line).
        """
        if not prose:
            return None
        lines, content = doc.lines, doc.content_lines
        evidence = self._evidence
        crossed = False  # a learned line that is no headline stands between
        for k in range(bisect_left(content, min(prose)) - 1, -1, -1):
            i = content[k]
            mark = marks.get(i)
            if mark is not None:
                if mark.label in ("title", "duplicate_title"):
                    return None
                continue
            keys = _title_keys(lines[i].stripped)
            if evidence[lines[i].text] is None:
                if own.isdisjoint(keys):
                    continue
                return None
            if keys and self.cleaner._is_title(self.site, keys[0], self.counts):
                return i if not crossed or not own.isdisjoint(keys) else None
            crossed = True
        return None

    @staticmethod
    def _first(doc: Document, marks: Mapping[int, Mark]) -> int | None:
        """Return the line of the page's own headline: its first line, unless removed.

        When a per-document detector removes the first line, the headline is the first line
        marked a title, if any. On the last pass the first line is the output's first line,
        which cleaning the output again takes for the headline too.
        """
        content = doc.content_lines
        if not content:
            return None
        m = marks.get(content[0])
        if m is None or m.label in KEPT_LABELS:
            return content[0]
        return next((i for i in content if (t := marks.get(i)) and t.label == "title"), None)

    def _lead(self, doc: Document, k: int, headlines: set[int]) -> bool:
        """Return whether the line at position ``k`` is the lead under the page's headline.

        That is: one of the headline-like lines above it (`_lead_keys`) is one of the page's
        own ``headlines`` (line indices), and the two are counted together on as many pages
        as a learned line is on. An article's lead printed as its card's text on the site's
        other pages travels with its headline; there it stands under another page's
        headline. A promotion printed over every article's text has another headline above
        it on each page; a blurb under the site's name is under no headline of the page.
        """
        if not headlines:
            return False
        content = doc.content_lines
        lo = max(0, k - _LEAD_REACH)
        if headlines.isdisjoint(content[lo:k]):
            return False  # (most learned lines: no headline of the page right above)
        lines = [doc.lines[content[j]].stripped for j in range(lo, k + 1)]
        tmpls = [template(s) for s in lines]
        last = len(lines) - 1
        return any(
            content[lo + j] in headlines and self.counts.get(key) >= self.threshold
            for j, key in _lead_keys(self.site, tmpls[last], lines, tmpls, last)
        )

    def _own_headline_over(self, doc: Document, config: CleanConfig) -> int | None:
        """Return the page's own headline over its first paragraph, when its first line is none.

        A page scraped without its <title> line starts with the site's menu (a first line
        that reads as no headline) or its name (a line learned on many pages). Its headline
        is then the line over its first paragraph (`_headline_over`) that learning took for its
        title, or that stands over the text of fewer pages than a learned line is on (a
        headline stands over one article's text; a promotion over every article's): the
        page's own, not another page's.
        """
        content = doc.content_lines
        if not content:
            return None
        first = doc.lines[content[0]]
        if first.text not in self._evidence:
            self._learn_evidence(doc, [content[0]], config)  # (a title the page pairs)
        named = self._evidence[first.text] is not None
        if not named and _reads_as_title(first.stripped, config):
            return None  # the first line is the page's <title> (most pages: ends here)
        lines = [doc.lines[i].stripped for i in content]
        j = _headline_over(lines, [_is_prose(s) for s in lines], config)
        if j is None:
            return None
        keys = _title_keys(lines[j])
        if any(self.cleaner._is_title(self.site, k, self.counts) for k in keys) or (
            named and all(self.counts.get(_head_key(self.site, k)) < self.threshold for k in keys)
        ):
            return content[j]
        return None

    @staticmethod
    def _heads(doc: Document, first: int | None, config: CleanConfig) -> tuple[int, ...]:
        """Return the lines that may be the page's own headline.

        That is ``first``, and the line under it when ``first`` is a bare date (a blog's
        dateline above the post's title).

        Read from the text alone, like `_first`: the cleaned output, cleaned again, gives the
        same lines (the per-document title detector may have needed the <title> line, gone by
        then, to tell the headline).
        """
        if first is None:
            return ()
        content = doc.content_lines
        k = bisect_left(content, first)
        if k + 1 < len(content) and is_date(doc.lines[first].stripped, config):
            return (first, content[k + 1])
        return (first,)

    def _is_title(self, line: str, config: CleanConfig) -> bool:
        """Return whether a line of headline length is the title of a page of the site."""
        words = word_count(line)
        if not config.min_title_words <= words <= config.max_title_words:
            return False
        return any(self.cleaner._is_title(self.site, k, self.counts) for k in _title_keys(line))

    def _verdict(self, line: str, n: int) -> _Verdict:
        """Return the label, reason, detector and score of a learned line."""
        label = self.cleaner._label(self.site, line, _title_keys(line))
        if n < self.threshold:  # seen as a title only: not on enough pages to be counted
            return label, f"the headline of another page of {self.site}", "site", None
        shown = f"{n}+" if n >= MAX_COUNT else str(n)
        what = {"teaser": "another page's headline, ", "timestamp": "a date line, "}.get(label, "")
        return (
            label,
            f"{what}on {shown} of {self.pages} pages of {self.site}",
            "site",
            n / self.pages,
        )


#: A learned copy of a page's own headline stays when one of the page's own (unlearned) lines
#: is at most this many lines away: the headline of the article, not an entry of a list.
_OWN_HEADLINE_REACH = 2

#: A long line is near-identical to a learned one when this many of its bands are learned.
_MIN_BANDS = 2
