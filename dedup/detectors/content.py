"""Detector `content`: the content-likeness model; what lies outside the article is "chrome".

Receives a `Document` and the earlier detectors' marks; hands on a "chrome" mark for every
still unmarked line that the model places outside the article. It runs last.

The model, after jusText and the measurements in DESIGN.md (chrome comes in runs; the article
is a run of long lines interrupted by short headings, captions and datelines):

1. Every line gets a class from cheap features (`classify`): its length in words, whether it
   ends like a sentence, and its share of function words of the page's language
   (``resources/stopwords/<lang>.txt``; a page in no listed language falls back to length and
   punctuation, so CJK, Arabic or Cyrillic prose is judged, never dropped for want of a list):
   ``good`` (a paragraph), ``near`` (a short paragraph, a caption), ``short``, ``link``
   (1-3 words and no sentence end: what menus are made of) and ``list`` (a short list item).
   A line an earlier detector removed counts as a link-like line that also ends the article
   when it follows it; lines removed as the site's learned chrome (``site_boilerplate``) do
   not when more of the article's prose follows them (a media box inside every article of
   the site); a removed inset, the line an embedded ad or picture leaves in the text
   ("Advertisement", "SKIP ADVERTISEMENT", "Image source, Getty Images":
   ``resources/insets/``), costs nothing, so an ad slot between two paragraphs does not end
   the article (invented pages laid out as the NYT and the BBC print theirs lost everything
   after the first ad or picture; dev set: 4 lines better, none worse); a separator without
   a word ("-", "* * *") counts as a short line, removed or not: it splits no article.
   A run of link-like lines with number cells among word cells
   ("Phoenix", "$83", "28.7%") is a ``table`` (`table_span`): it costs nothing between
   paragraphs and is kept right after the text.
2. Paragraphs form blocks while the lines between them cost less than
   ``CleanConfig.content_gap`` (`blocks`): a subheading or a caption costs little, a menu or
   a related list costs more than any gap allows. A block weighs its paragraphs' words. A
   near line that ends neither like a sentence nor with a colon (a teaser's headline, a list
   item: `_headline_like`) is no paragraph unless a paragraph follows it (a subheading): it
   costs what a list item costs and starts no block, so a sidebar of headlines among link
   lines after the article no longer joins it. Dev set: `clean()` F1 0.886 -> 0.892,
   corpus 0.918 -> 0.919, gold lines kept 0.697 -> 0.686 (201 gold lines lost, 79 of them
   on one page whose article, split at its contributors' headings, now weighs less than the
   photo gallery before it; others are related headlines the gold keeps on a few sites).
3. The article is the first block that weighs at least ``content_main_share`` of the heaviest
   one (comments and teaser snippets come after it and often weigh more). Kept: that block,
   up to ``content_head_lines`` short lines right before it (headline, byline, dateline),
   with a standfirst among them (`_standfirst`: one paragraph under a headline-like line,
   only removed or link-like lines below it, as a removed byline and a date are; dev set:
   one Guardian headline and standfirst back, nothing else changed) or, over share buttons,
   a standfirst and a caption (`_headline_above`: up to two paragraphs under a headline
   that no other paragraph precedes; invented pages: English article words lost 168 ->
   79, dev set unchanged), and
   any heavy block before it (an article split by an inset) but one paragraph alone between
   link-like lines (`_island`: a menu's blurb, "Reviews", a teaser, "All reviews"); the
   blocks that an inset of short lines separates from it, after it (up to
   ``content_inset_prose_links`` subheadings when long paragraphs follow) and, under a
   title, before it (a lead, then a list of places, then the longer text; no island); a
   table with its heading, and a few closing lines (a sign-off, a source). A date printed
   one part per line above the title is kept; text above the first title only as a block
   that weighs at least ``content_main_share`` of the heaviest block after it and is no
   island between menu or removed lines (a sidebar's "about me" between widgets). Dev
   set: `clean()` F1 0.901 -> 0.903 (10 pages better, 1 worse by 0.009), corpus 0.922 ->
   0.923.
   A recipe (`recipe_cards`: a heading of ingredients, a heading of steps and the prose
   under it, or the list of ingredients alone; headings from ``resources/recipes/``) that
   the article runs into is kept with it, the lines between them too: a food page's
   "Print" button and the list of ingredients no longer cut the recipe off (dev set: seven
   pages, 132 gold lines back and no other line; `clean()` F1 0.906 -> 0.907).
4. Everything else still unmarked is chrome: menus, related lists, footers, sidebars, and
   blocks after the article.

Comment threads are cut (`thread_start`): a run of comment headers ends the article; a header
is a short line with a date or a time whose ending repeats ("... at 10:42 pm. Reply", or a
date and a time: "Joan 07.22.12 at 21:25"; never a score and a clock, "1-0 at 23:15"), or
that starts with a date and a time of the same shape ("on 2012-10-09 at 9:00 am Olaf"), or
that ends with a verb and a colon ("by jdoe (2189826) writes:", ``resources/comment_verbs/``;
five of those, since an article may lead a few quotes in so); the headers of a thread are
different lines (one teaser printed in three lists is none). It takes
``content_thread_min`` headers, or ``content_thread_headed_min`` right under a heading that
opens comments ("2 Comments", "3 Kommentare": ``resources/threads/``), since most posts draw
only a comment or two. The gold
of the dev set keeps comments on 6 of the 133 pages where a thread was found before headers
ending in a date and a time were read; measured then, keeping threads would have raised the
gold lines kept from 0.697 to 0.734 micro (three pages hold most of those lines) and from
0.881 to 0.889 per page, but cost 0.017 of F1 (0.880 -> 0.863) and kept about 2,600 non-gold
lines on the other pages. Comments are not the article on most pages, so the cut stays; see
benchmarks/README.md.

A text with fewer than ``content_min_lines`` lines, or made of one block only, is left alone.
The verdict is stable on its own output: removing lines outside the kept blocks never changes
which block is first and heavy enough, so the cleaner's re-runs do not nibble at the article.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from dedup import lexicon
from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.detectors.chrome import PAGER_REASON, SENTENCE_ENDS, compile_phrases
from dedup.detectors.dates import find_dates, is_date_line, line_date_shape
from dedup.detectors.teasers import POINTED_REASON
from dedup.document import Document, Line
from dedup.normalize import match_key, normalize
from dedup.types import KEPT_LABELS

NAME = "content"

GOOD = "good"
NEAR = "near"
SHORT = "short"
LINK = "link"
LIST = "list"
BAD = "bad"  # removed by an earlier detector
# Removed as the site's learned chrome (`site_boilerplate`): `BAD`, except that an inset of
# such lines before more of the article's prose does not end the article (a media box that
# stands inside every article of the site).
LEARNED = "learned"
# Removed as a link under a pointer line ("Related", "Lire aussi": `teasers.pointed_links`):
# `BAD`, except that the first link costs nothing between paragraphs: the pointer line
# before it carries the cost, so a box of one link inside the article weighs what the
# one-line form "Read more: <headline>" does and does not split the article. Further links
# cost as removed lines: a list of related posts after the article still ends it.
POINTED = "pointed"
# Removed as the line an embedded ad, image or video leaves between two paragraphs
# ("Advertisement", "Image caption": ``resources/insets/``): `BAD`, except that it costs
# nothing between paragraphs, so an ad slot inside the article does not end it.
INSET = "inset"
_REMOVED = frozenset({BAD, LEARNED, POINTED, INSET})
TABLE = "table"  # a line of a table: short cells, numbers among words (see `table_runs`)
# Lines that may head a table (a caption, column heads; removed ones, such as repeated column
# heads, stay removed).
_HEADING = frozenset({NEAR, SHORT, LINK, LIST, BAD, LEARNED, POINTED, INSET})
KEPT = "kept"  # kept by an earlier detector (a title)
_TABLE_RUN = frozenset({BAD, LEARNED, POINTED, INSET, LINK})  # lines a table run is made of
_DECIDED = _REMOVED | {KEPT}  # lines an earlier detector has judged
_LINKS = frozenset({LINK})
# lines around a menu's blurb (`_island`)
_MENU_SIDES = frozenset({LINK, BAD, LEARNED, POINTED, INSET})
# classes that show a page has chrome to remove
_MENU_LIKE = frozenset({LINK, BAD, LEARNED, POINTED, INSET, TABLE})

# A list item starts with a bullet, a dash or a number/letter and a dot or parenthesis.
# One optional character class and a bounded repeat: linear on any input.
_LIST_MARKER = re.compile(r"\s*(?:[•·▪◦●■□►▸‣*+\-–—]|\d{1,3}[.)]|\(\d{1,3}\)|[a-zA-Z][.)])\s")
# How many words of a long page are read to guess its language (enough to be sure, bounded).
_LANGUAGE_SAMPLE_WORDS = 3000
# A real language shows at least this share of its running words in its stopword list (about
# 40% in English prose); a few hits from names or loanwords do not make a language.
_LANGUAGE_MIN_SHARE = 0.15
# A link-like line is also short in characters (menu items are labels, not sentences).
_LINK_MAX_CHARS = 40
# A line ending with a semicolon is a clause of a sentence run over several lines (a list of
# survivors, of conditions: "five grandchildren;"), never a link's label (Latin, Arabic, CJK).
CLAUSE_ENDS = (";", "؛", "；")
# Comment headers: a name, a date and a "reply" link fit in this many characters; a photo
# caption with a date ("The mayor at the opening on May 5, 2012. (Photo: City Hall)") is longer.
_SIGNATURE_MAX_CHARS = 80
# A figure: a number with a sign, a percent or currency sign, or a decimal or group separator.
_FIGURE = re.compile(r"[-+−±$€£¥]\s?\d|\d\s?%|\d[.,]\d")
# A part of a date printed one per line ("09", "July", "2012", "8:06am, EDT") is this short.
_DATE_PART_CHARS = 12
_DIGIT = re.compile(r"\d")
# A label with a count ("Ad Watch (7)", "Comments [12]") is a menu item, not a table cell.
_COUNT = re.compile(r"\w\W*[(\[]\d+[)\]]$")
# A comment header's date or time has two numbers at least ("May 5, 2012", "10:42 pm"):
# two runs of digits, a non-digit between them.
_TWO_NUMBERS = re.compile(r"\d\D++\d")
# Words and single symbols: the last two make a comment header's signature.
_SIGNATURE_TOKEN = re.compile(r"\w+|[^\w\s]")
# A header that ends with numbers is a comment's when they are a date and a time: this many
# with a year among them, or more.
_HEADER_NUMBERS = 4
# A list of topics (`_tag_list`): at least this many items of at most this many words each,
# between commas (Latin, Arabic and ideographic).
_TAG_ITEMS = 4
_TAG_WORDS = 4
_LIST_COMMA = re.compile(r"[,،、]")
# A comment's header without a date: a name and a verb before a colon ("Courtney says:", "by
# jdoe (2189826) writes:", `resources/comment_verbs/`), of at most this many words; so many
# such headers make a thread (an article may quote a few people that way: "The mayor said:").
_VERB_HEADER_WORDS = 6
_VERB_THREAD_MIN = 5
_VERB_SIGNATURE = "^ <name> "  # how the signature of such a header starts
_COLONS = (":", "：")
_YEAR = re.compile(r"(?:19|20)\d\d")  # a year of these two centuries, alone
# A heading that opens a comment thread ("2 Comments") stands at most this many lines above
# the first header (a comment's number may stand between them: "1").
_THREAD_HEADING_LINES = 3
# A live blog's entry: its stamp lies at most this many lines above its text (the stamp, a
# heading; see `_entry_stamp`).
_ENTRY_STAMP_LINES = 3
# A recipe's heading with more than this many words is a sentence ("Ingredients for a
# better city: ..."), not "Zutaten für 4 Personen:".
_RECIPE_HEADING_WORDS = 6
# An ingredient is a short line ("2 cans (15oz) white beans"); after the last one with a
# quantity, at most this many without ("salt and pepper to taste") end the list.
_ITEM_WORDS = 15
_ITEM_TAIL = 2
# What may follow the time of a date-first comment header ("on 2012-10-09 at 9:00 am Olaf").
_AM_PM = frozenset({"am", "pm"})


@cache
def _stopword_table(langs: tuple[str, ...]) -> dict[str, int]:
    """Return word -> bit mask of the languages (positions in ``langs``) that list it."""
    table: dict[str, int] = {}
    for bit, lang in enumerate(langs):
        for w in lexicon.load_lines(f"stopwords/{lang}.txt"):
            table[w] = table.get(w, 0) | (1 << bit)
    return table


@cache
def _stopwords(lang: str) -> frozenset[str]:
    return frozenset(lexicon.load_lines(f"stopwords/{lang}.txt"))


def _languages(config: CleanConfig) -> tuple[str, ...]:
    return lexicon.chosen_languages("stopwords", config.languages)


def document_language(doc: Document, config: CleanConfig) -> str | None:
    """Guess the page's language from stopword hits in its longer lines.

    Menus are often in English on pages in other languages, so only lines of at least
    ``content_near_words`` words are read, and at most a few thousand words, so a 1 MB page
    costs no more than a long article.

    Returns:
        A language code of ``resources/stopwords``, or ``None`` when no list fits.

    Example:
        >>> document_language(Document("the cat sat on the mat and it was happy"), CleanConfig())
        'en'
    """
    langs = _languages(config)
    if not langs:
        return None
    total = 0  # stopword hits per language, packed (see `_stopword_hits`)
    seen = 0
    lines, near = doc.lines, config.content_near_words
    for i in doc.content_lines:
        ln = lines[i]
        n = ln.n_words
        if n < near:
            continue
        total += _stopword_hits(ln, langs)
        seen += n
        if seen > _LANGUAGE_SAMPLE_WORDS:
            break
    if not seen:
        return None
    field = (1 << _FIELD_BITS) - 1
    counts = [(total >> (_FIELD_BITS * bit)) & field for bit in range(len(langs))]
    best = max(range(len(langs)), key=counts.__getitem__)
    return langs[best] if counts[best] >= _LANGUAGE_MIN_SHARE * seen else None


# Stopword hits of a line, one count per language of ``langs`` packed in one integer, each in
# a field of this many bits (no line holds 2**64 words): the hits of many lines add up with
# one integer addition per line, and a line's hits are counted once per page, not per pass.
_FIELD_BITS = 64
# The name under which a line keeps its packed hits (with the languages they are for) among
# its features: `Document.from_lines` carries features over, so the cleaner's re-runs reuse it.
_HITS_FEATURE = "_content_stopword_hits"


@cache
def _stopword_units(langs: tuple[str, ...]) -> dict[str, int]:
    """Return word -> a packed count with 1 in the field of each language that lists it."""
    units: dict[str, int] = {}
    for word, mask in _stopword_table(langs).items():
        unit, bit = 0, 0
        while mask:
            if mask & 1:
                unit |= 1 << (_FIELD_BITS * bit)
            mask >>= 1
            bit += 1
        units[word] = unit
    return units


def _stopword_hits(ln: Line, langs: tuple[str, ...]) -> int:
    """Return how many words of ``ln`` each language of ``langs`` lists, packed in one int.

    The count of the language at position ``b`` is ``(hits >> (64 * b)) & (2**64 - 1)``.
    """
    features = ln.__dict__  # a pure function of the text, kept like `Line`'s own features
    got = features.get(_HITS_FEATURE)
    if got is not None and (got[0] is langs or got[0] == langs):
        hits: int = got[1]
        return hits
    units = _stopword_units(langs)
    # Only stopwords add to the count (most words are none: no big-integer addition for them).
    hits = sum(filter(None, map(units.get, map(str.casefold, ln.words))))
    features[_HITS_FEATURE] = (langs, hits)
    return hits


def is_link_like(ln: Line, config: CleanConfig) -> bool:
    """Return whether a line reads like a menu item: 1-3 words, short, no sentence end.

    Nor a clause's end: a line ending with a semicolon is part of a sentence.

    Example:
        >>> cfg = CleanConfig()
        >>> is_link_like(Line(0, 0, 11, 11, "Real Estate"), cfg)
        True
        >>> is_link_like(Line(0, 0, 9, 9, "It rains."), cfg)
        False
    """
    n = ln.n_words
    # A single word ending in a dot is an abbreviation ("U.S."), not a sentence.
    return (
        0 < n <= config.menu_max_words
        and len(ln.stripped) <= _LINK_MAX_CHARS
        and (n == 1 or not ln.ends_sentence)
        and not ln.stripped.endswith(CLAUSE_ENDS)
    )


def is_date_part(lines: Sequence[Line], k: int) -> bool:
    """Return whether line ``k`` may be part of a date printed one part per line.

    Blog templates print "09", "July", "2012" on lines of their own: each part is short, and
    a number, or a word between two numbers (a month's name in any language).

    Example:
        >>> parts = [Line(0, 0, len(t), len(t), t) for t in ("Contact", "09", "July", "2012")]
        >>> [is_date_part(parts, k) for k in range(4)]
        [False, True, True, True]
    """

    def number(m: int) -> bool:
        text = lines[m].stripped if 0 <= m < len(lines) else ""
        return len(text) <= _DATE_PART_CHARS and _DIGIT.search(text) is not None

    if len(lines[k].stripped) > _DATE_PART_CHARS:
        return False
    return number(k) or (number(k - 1) and number(k + 1))


def is_list_item(ln: Line) -> bool:
    """Return whether a line starts with a list marker (a bullet, a dash, ``1.``, ``a)``)."""
    return _LIST_MARKER.match(ln.text) is not None


def is_number_cell(ln: Line, config: CleanConfig) -> bool:
    """Return whether a line reads like a table's number cell: 1-3 words with a digit.

    Example:
        >>> cfg = CleanConfig()
        >>> cells = ("$83", "-2.1%", "Phoenix")
        >>> [is_number_cell(Line(0, 0, len(t), len(t), t), cfg) for t in cells]
        [True, True, False]
    """
    text = ln.stripped
    return (
        0 < ln.n_words <= config.menu_max_words
        and _DIGIT.search(text) is not None
        and _COUNT.search(text) is None
    )


def table_span(lines: Sequence[Line], config: CleanConfig) -> tuple[int, int] | None:
    """Return the part ``lo, hi`` of a run of short lines that is a table, or ``None``.

    A table interleaves number cells with word cells ("Phoenix", "$83", "28.7%", "Denver",
    ...): at least ``content_table_cells`` groups of number cells, and number cells make at
    least ``content_table_share`` of the lines; or half its lines are figures ("15,516",
    "-20.7%": a table whose row labels went as repeats), twice ``content_table_cells`` at
    least. A menu is made of word labels; a pager
    ("1", "2", "3") or an archive list ("July 2012", "June 2012") is a single group. The
    table reaches as far around its number cells as its rows are long (the widest stretch
    of word cells between two groups, less one after the last group, which ends a row;
    twice a row before the first, for column heads), so a menu glued to it is not part of it.

    Example:
        >>> cfg = CleanConfig()
        >>> rows = ["City", "Price", "Phoenix", "$83", "Denver", "$147", "Boston", "$216"]
        >>> table_span([Line(0, 0, len(t), len(t), t) for t in rows + ["Home", "News"]], cfg)
        (0, 8)
        >>> menu = ["Home", "World", "Top 10", "Sports", "Video", "Page 2"]
        >>> table_span([Line(0, 0, len(t), len(t), t) for t in menu], cfg) is None
        True
    """
    cells = [k for k, ln in enumerate(lines) if is_number_cell(ln, config)]
    if not cells:
        return None
    groups = sum(1 for a, b in pairwise([-2, *cells]) if b > a + 1)
    # Figures ("15,516", "-20.7%", "$83") make a table on their own, when the row labels
    # went as repeats of an earlier table's; a pager's or an archive's numbers are plain.
    figures = sum(_FIGURE.search(ln.stripped) is not None for ln in lines)
    by_figures = figures >= 2 * config.content_table_cells and 2 * figures >= len(lines)
    by_groups = (
        groups >= config.content_table_cells
        and len(cells) < len(lines)
        and len(cells) >= config.content_table_share * len(lines)
    )
    if not (by_figures or by_groups):
        return None
    row = max((b - a - 1 for a, b in pairwise(cells)), default=0)
    return max(0, cells[0] - 2 * (row + 1)), min(len(lines), cells[-1] + row)


def is_table(lines: Sequence[Line], config: CleanConfig) -> bool:
    """Return whether a run of short lines holds a table (see `table_span`)."""
    return table_span(lines, config) is not None


def table_runs(classes: list[str], lines: Sequence[Line], config: CleanConfig) -> None:
    """Reclassify as `TABLE` the lines of every run of short lines that holds a table.

    A run is made of link-like lines (cells and column heads: a teaser list's titles are
    longer) and of lines earlier detectors removed (a repeated cell): those are `TABLE` too,
    so they do not split the article, but stay removed.
    """
    k, n = 0, len(classes)
    while k < n:
        if classes[k] not in _TABLE_RUN:
            k += 1
            continue
        start = k
        while k < n and classes[k] in _TABLE_RUN:
            k += 1
        at = [m for m in range(start, k) if classes[m] == LINK]
        span = table_span([lines[m] for m in at], config) if at else None
        if span is not None:
            lo, hi = span
            for m in range(at[lo], at[hi - 1] + 1):
                classes[m] = TABLE


def classify(ln: Line, stop: frozenset[str] | None, config: CleanConfig) -> str:
    """Return the class of one line: `GOOD`, `NEAR`, `SHORT`, `LINK` or `LIST`.

    Args:
        ln: the line.
        stop: the stopwords of the page's language, or ``None`` when it is unknown.
        config: thresholds.

    Example:
        >>> cfg = CleanConfig()
        >>> stop = frozenset({"the", "of", "a", "in", "was", "and", "to", "on"})
        >>> classify(Line(0, 0, 4, 4, "Home"), stop, cfg)
        'link'
        >>> text = "The mayor of the town said on Monday that a new bridge was to be built in May."
        >>> classify(Line(0, 0, len(text), len(text), text), stop, cfg)
        'near'
        >>> text += " It will link the old port to the station."
        >>> classify(Line(0, 0, len(text), len(text), text), stop, cfg)
        'good'
    """
    n = ln.n_words
    if n <= config.menu_max_words or n < config.content_near_words:
        if is_list_item(ln):
            return LIST
        return LINK if is_link_like(ln, config) else SHORT
    if stop is not None:
        return _by_stopwords(n, sum(map(stop.__contains__, map(str.casefold, ln.words))), config)
    chars = ln.width  # a CJK character counts two: it says about what two Latin letters do
    if chars >= config.content_long_chars and (ln.ends_sentence or n >= config.content_long_words):
        return GOOD
    if chars >= config.content_near_chars:
        return NEAR
    return LIST if is_list_item(ln) else SHORT


def _by_stopwords(n: int, hits: int, config: CleanConfig) -> str:
    """Return the class of a long line of ``n`` words, ``hits`` of them stopwords."""
    if hits < config.content_stopword_density * n:
        return SHORT
    return GOOD if n >= config.content_long_words else NEAR


@cache
def _recipe_headings(langs: tuple[str, ...] | None) -> tuple[frozenset[str], frozenset[str]]:
    """Return the matching keys of the headings of ingredients and of steps (``recipes/``)."""
    ingredients: set[str] = set()
    steps: set[str] = set()
    for lang in lexicon.chosen_languages("recipes", langs, ".json"):
        data = lexicon.load_json(f"recipes/{lang}.json")
        ingredients.update(match_key(x) for x in data.get("ingredients", ()))
        steps.update(match_key(x) for x in data.get("steps", ()))
    return frozenset(ingredients), frozenset(steps)


@cache
def _first_words(headings: frozenset[str]) -> frozenset[str]:
    return frozenset(h.partition(" ")[0] for h in headings)


def _is_heading(line: Line, headings: frozenset[str]) -> bool:
    """Return whether ``line`` is one of ``headings``, maybe with a few more words.

    "Ingredients", "Ingredients:"; also "Zutaten für 4 Personen:", "Ingredients (serves 4)":
    a heading and at most ``_RECIPE_HEADING_WORDS`` words in all, ending with a colon or
    holding a number. (Most lines fail on their first word, which no heading starts with.)
    """
    key = line.key
    if key.partition(" ")[0] not in _first_words(headings):
        return False
    if key in headings:
        return True
    if line.n_words > _RECIPE_HEADING_WORDS or not (_leads_in(line) or _DIGIT.search(key)):
        return False
    words = key.split()
    return any(" ".join(words[:n]) in headings for n in range(1, len(words)))


def is_recipe_heading(line: Line, config: CleanConfig) -> bool:
    """Return whether ``line`` heads a recipe's ingredients or its steps (`recipe_cards`).

    Such headings recur on every recipe of a food blog; `dedup.Cleaner` leaves them to this
    detector rather than learn them as the site's chrome, which would cut the recipe off.
    """
    ingredients, steps = _recipe_headings(config.languages)
    return _is_heading(line, ingredients) or _is_heading(line, steps)


def recipe_cards(
    classes: Sequence[str], lines: Sequence[Line], config: CleanConfig
) -> list[tuple[int, int]]:
    """Return the (start, stop) positions of the recipes: ingredients, then maybe steps.

    A recipe starts at a heading of ingredients ("Ingredients", "Zutaten für 4 Personen:",
    "材料", from ``resources/recipes/<lang>.json``). When a heading of steps ("Directions",
    "Zubereitung", "作り方") follows at most ``content_recipe_lines`` lines later, the recipe
    ends with the last paragraph of the run of prose right under it (without that run it is
    no recipe). Otherwise the recipe is its list of ingredients alone (`_ingredients_end`).
    """
    ingredients, steps = _recipe_headings(config.languages)
    firsts = _first_words(ingredients)
    # Most lines fail on their first word, before any other test.
    heads = [k for k, ln in enumerate(lines) if ln.key.partition(" ")[0] in firsts]
    out: list[tuple[int, int]] = []
    n = len(classes)
    for head in heads:
        if (out and head < out[-1][1]) or classes[head] in _DECIDED:
            continue
        if not _is_heading(lines[head], ingredients):
            continue
        m = head + 1
        while m < n and m - head <= config.content_recipe_lines:
            if classes[m] not in _DECIDED and _is_heading(lines[m], steps):
                break
            m += 1
        else:
            stop = _ingredients_end(classes, lines, head, config)
            if stop is not None:
                out.append((head, stop))
            continue
        # Ingredients: at least two lines that are no bare link, or that hold a quantity (a
        # menu with "Ingredients" and "Directions" among its links is no recipe).
        items = sum(
            classes[i] != LINK or bool(_DIGIT.search(lines[i].text)) for i in range(head + 1, m)
        )
        stop = m + 1
        j = m + 1
        while j < n and classes[j] in (GOOD, NEAR, SHORT, LIST):
            if classes[j] in (GOOD, NEAR):
                stop = j + 1
            j += 1
        if stop > m + 1 and items >= 2:
            out.append((head, stop))
    return out


def _ingredients_end(
    classes: Sequence[str], lines: Sequence[Line], head: int, config: CleanConfig
) -> int | None:
    """Return where the list of ingredients under the heading at ``head`` stops, or None.

    The items are the lines under the heading up to the first removed line, paragraph or
    heading of a kept title, at most ``content_recipe_lines`` of them and none longer than
    ``_ITEM_WORDS`` words; at least two, and at least half of them, hold a quantity (a
    digit: "2 tsp vegetable oil", "1/2 cup"). The list ends at its last item with a quantity
    and up to ``_ITEM_TAIL`` more items that are not link-like ("salt to taste").
    """
    n = len(classes)
    j = head + 1
    quantities = 0
    last = head
    while (
        j < n
        and j - head <= config.content_recipe_lines
        and classes[j] not in _DECIDED
        and classes[j] != GOOD
        and lines[j].n_words <= _ITEM_WORDS
    ):
        if _DIGIT.search(lines[j].text):
            quantities += 1
            last = j
        elif j - last > _ITEM_TAIL:
            break
        j += 1
    if quantities < 2 or 2 * quantities < j - head - 1:
        return None
    stop = last + 1
    while stop < j and stop - last <= _ITEM_TAIL and classes[stop] != LINK:
        stop += 1
    return stop


def line_classes(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[str]:
    """Return the class of every non-blank line, in the order of `Document.content_lines`."""
    lang = document_language(doc, config)
    stop = _stopwords(lang) if lang is not None else None
    # A long line's stopword hits are its field of `_stopword_hits` (the same lists), which
    # `document_language` already counted for most long lines: `classify` without the count.
    langs = _languages(config)
    shift = _FIELD_BITS * langs.index(lang) if lang is not None else 0
    field = (1 << _FIELD_BITS) - 1
    shortest = max(config.menu_max_words + 1, config.content_near_words)
    density, long_words = config.content_stopword_density, config.content_long_words
    menu_words, near_words = config.menu_max_words, config.content_near_words
    pointed = config.content_pointer_links
    lines = doc.lines
    out: list[str] = []
    append = out.append
    # `classify` and `_by_stopwords`, inlined for the two common cases: they run on every line.
    for i in doc.content_lines:
        mark = marks.get(i)
        ln = lines[i]
        n = ln.n_words
        if mark is not None:
            # A removed separator ("-", "* * *": no word) weighs as a short line, as it does
            # kept: removed, it would split the article it separates.
            if mark.label in KEPT_LABELS:
                append(KEPT)
            elif not n:
                append(SHORT)
            elif mark.label == "site_boilerplate":
                append(LEARNED)
            elif (
                mark.detector == "teasers"
                and mark.reason.startswith(POINTED_REASON)
                and pointed > 0
                and out[-pointed:].count(POINTED) < pointed
            ):
                append(POINTED)  # the first links under a pointer; the next ones cost
            elif mark.detector == "chrome" and mark.reason.startswith(PAGER_REASON):
                append(LINK)  # a link to another post weighs as the link it is
            elif mark.detector == "chrome" and _is_inset(ln, config):
                append(INSET)
            else:
                append(BAD)
            continue
        if stop is not None and n >= shortest:
            hits = (_stopword_hits(ln, langs) >> shift) & field
            append(SHORT if hits < density * n else GOOD if n >= long_words else NEAR)
        elif n <= menu_words or n < near_words:
            if _LIST_MARKER.match(ln.text) is not None:
                append(LIST)
            elif (  # `is_link_like`
                0 < n <= menu_words
                and len(ln.stripped) <= _LINK_MAX_CHARS
                and (n == 1 or not ln.ends_sentence)
                and not ln.stripped.endswith(CLAUSE_ENDS)
            ):
                append(LINK)
            else:
                append(SHORT)
        else:
            append(classify(ln, stop, config))
    table_runs(out, [lines[i] for i in doc.content_lines], config)
    return out


@dataclass
class Block:
    """A run of paragraphs and the short lines between them (positions in content_lines)."""

    start: int
    stop: int
    weight: float


def blocks(classes: Sequence[str], lines: Sequence[Line], config: CleanConfig) -> list[Block]:
    """Group paragraphs into blocks: two stay together while the lines between cost < gap."""
    cost = {
        SHORT: config.content_short_penalty,
        LINK: config.content_link_penalty,
        BAD: config.content_link_penalty,
        LEARNED: config.content_link_penalty,
        POINTED: 0.0,
        INSET: 0.0,
        LIST: config.content_list_penalty,
        KEPT: 0.0,
        TABLE: 0.0,  # a table inside the article does not split it
    }
    out: list[Block] = []
    gap = 0.0
    n = len(classes)
    sentence = config.content_sentence_weight
    for k, c in enumerate(classes):
        if c == NEAR and _headline_like(lines[k]) and (k + 1 == n or classes[k + 1] != GOOD):
            gap += config.content_list_penalty  # an item of a list, not a paragraph
            continue
        if c in (GOOD, NEAR):
            if c == GOOD:
                w = float(min(lines[k].n_words, config.content_line_cap))
            elif sentence and lines[k].ends_sentence:
                w = max(1.0, sentence * lines[k].n_words)
            else:
                w = 1.0
            if out and gap < config.content_gap:
                out[-1].stop = k + 1
                out[-1].weight += w
            else:
                out.append(Block(k, k + 1, w))
            gap = 0.0
        else:
            gap += cost[c]
    return out


def _is_inset(ln: Line, config: CleanConfig) -> bool:
    """Return whether ``ln`` is an inset phrase: the trace of an ad or a picture in the text."""
    return _inset_text(ln.key, ln.stripped, config.languages)


@lru_cache(maxsize=1 << 12)  # chrome lines only, re-asked on every pass of the cleaner
def _inset_text(key: str, stripped: str, langs: tuple[str, ...] | None) -> bool:
    phrases = compile_phrases("insets", langs)
    return phrases.match(key) is not None or phrases.match_prefix(stripped) is not None


def _headline_like(ln: Line) -> bool:
    """Return whether a line reads as a headline or a list item: no full stop, no colon.

    A paragraph, however short, ends like a sentence ("... said on Monday.") or leads into
    what follows ("The areas are:"); a teaser's headline ("Why millennials think your
    security policy is stupid") or an item of a list does neither. Such lines make no block
    of text unless a paragraph follows (a subheading; see `blocks`).

    Example:
        >>> [_headline_like(Line(0, 0, len(t), len(t), t)) for t in ("Five reasons to go", "Go.")]
        [True, False]
    """
    return not ln.ends_sentence and not _leads_in(ln)


def _leads_in(ln: Line) -> bool:
    """Return whether a line ends with a colon: it leads into what follows ("The areas are:")."""
    return ln.stripped.endswith((":", "："))


def _signature(ln: Line) -> str | None:
    """Return the ending of a short line with a digit, digits folded ("0 pm", "reply #").

    Comment threads repeat one header per comment ("Jane on May 5, 2012 at 10:42 pm. Reply
    #", "Kieren H — June 24th, 2012, 11:48 pm", "09. Jul, 2012 / Courtney says:"): the names
    differ, the ending does not. A line without a digit has no signature, so repeated photo
    credits ("Photo: Getty Images") never look like a thread.
    """
    features = ln.__dict__  # a pure function of the text: computed once per line and page
    sig: str | None = features.get(_SIGNATURE_FEATURE, _NO_FEATURE)
    if sig is _NO_FEATURE:
        sig = features[_SIGNATURE_FEATURE] = _text_signature(ln)
    return sig


# The name under which a line keeps its `_signature` among its features (carried over by
# `Document.from_lines` to the cleaner's re-runs); `_NO_FEATURE`: not computed yet.
_SIGNATURE_FEATURE = "_content_signature"
_NO_FEATURE: str = "\0not computed"


def _verb_signature(ln: Line) -> str | None:
    """Return the signature of a comment's header without a date ("Courtney says:"), or None.

    That is a line of at most `_VERB_HEADER_WORDS` words that ends with a verb of
    ``resources/comment_verbs/`` (every language's) and a colon: "^ <name> says :".

    Example:
        >>> _verb_signature(Line(0, 0, 33, 33, "by slashmydots (2189826) writes:"))
        '^ <name> writes :'
        >>> _verb_signature(Line(0, 0, 27, 27, "What the minister says is:")) is None
        True
    """
    text = ln.stripped
    if not text.endswith(_COLONS) or not 0 < ln.n_words <= _VERB_HEADER_WORDS:
        return None
    verb = ln.key.rpartition(" ")[2]
    if verb not in _comment_verbs():
        return None
    return f"{_VERB_SIGNATURE}{verb} :"


@cache
def _comment_verbs() -> frozenset[str]:
    """Return the verbs that end comments' headers, in every language (matching keys)."""
    return frozenset(match_key(w) for w in lexicon.load_kind("comment_verbs"))


def _text_signature(ln: Line) -> str | None:
    text = ln.stripped
    # A header carries a date or a time: two numbers at least ("May 5, 2012", "10:42"); one
    # number is an id or a count ("Img ID#159372 Title:", "12 comments"). Or it ends with a
    # verb and a colon ("Courtney says:").
    if len(text) > _SIGNATURE_MAX_CHARS:
        return None
    if _TWO_NUMBERS.search(text) is None:
        return _verb_signature(ln)
    if is_list_item(ln):
        return None  # numbered items and footnotes ("2. Who's next? (June 2002)")
    tokens: list[str] = _SIGNATURE_TOKEN.findall(text.casefold())
    if _counter(tokens):
        return None  # a gallery's "1 of 6", "2 of 6" above each photo's caption
    head = _date_time_head(tokens)
    if head is not None:
        return head
    tail = tokens[-2:]
    if not any(t.isalpha() for t in tail):
        # A number ends it, as in lists and live blogs ("(2002)", "40km", "Posted 12:35"),
        # unless a date and a time do ("Joan 07.22.12 at 21:25"): then their shape is it.
        dated = _date_time_tail(tokens)
        if dated is None:
            return None
        tail = dated
    return " ".join("0" if t[0].isdigit() else t for t in tail)


def _counter(tokens: Sequence[str]) -> bool:
    """Return whether a line's tokens are a counter: two numbers and a word that is no month.

    Example:
        >>> _counter(["3", "of", "6"]), _counter(["3", "/", "6"]), _counter(["3", "may", "2012"])
        (True, True, False)
    """
    return (
        len(tokens) == 3
        and tokens[0][0].isdigit()
        and tokens[2][0].isdigit()
        and not tokens[1][0].isdigit()
        and normalize(tokens[1]) not in lexicon.date_words()
    )


def _date_time_head(tokens: Sequence[str]) -> str | None:
    """Return the shape of a date and a time that start a line a name follows, or None.

    Headers that print the date first ("on 2012-10-09 at 9:00 am Olaf van der Spek",
    "October 26, 2012 at 2:38 am Jane said:") end with the commenter's name, which differs
    from one comment to the next; their beginning is the same shape (digits folded, month and
    weekday names masked). One short word may lead ("on", "le") or stand between the date and
    the time ("at", "um"); the numbers must read as a date and a time (`_date_and_time`).

    Example:
        >>> _date_time_head(_SIGNATURE_TOKEN.findall("on 2012-10-09 at 9:00 am olaf van der spek"))
        '^ on 0 - 0 - 0 at 0 : 0 am'
        >>> _date_time_head(_SIGNATURE_TOKEN.findall("1-0 at 23:15 goal by smith")) is None
        True
    """
    names = lexicon.date_words()
    lead = tokens[0] if tokens else ""
    k = 1 if lead.isalpha() and len(lead) <= 3 and normalize(lead) not in names else 0
    start = k
    shape = [tokens[0]] if k else []
    while k < len(tokens):
        t = tokens[k]
        if t[0].isdigit():
            shape.append("0")
        elif not t[0].isalnum() and t != "_":
            shape.append(t)
        elif normalize(t) in names:
            shape.append("<d>")
        elif len(t) <= 3 and (t in _AM_PM or (k + 1 < len(tokens) and tokens[k + 1][0].isdigit())):
            shape.append(t)  # "at" between the date and the time, "pm" after it
        else:
            break
        k += 1
    if not _date_and_time(tokens[start:k]):
        return None
    if not any(t.isalpha() for t in tokens[k:]):
        return None  # a date and a time alone: its tail is its signature
    return " ".join(["^", *shape])


def _date_time_tail(tokens: Sequence[str]) -> list[str] | None:
    """Return the trailing numbers and punctuation of a line's tokens, or None.

    One short word may stand between them ("at", "um"); they must read as a date and a time
    (`_date_and_time`).

    Example:
        >>> _date_time_tail(["joan", "07", ".", "22", ".", "12", "at", "21", ":", "25"])
        ['07', '.', '22', '.', '12', 'at', '21', ':', '25']
        >>> _date_time_tail(["goal", "1", "-", "0", "at", "23", ":", "15"]) is None
        True
    """
    k = len(tokens)
    while k and not tokens[k - 1].isalpha():
        k -= 1
    if k and len(tokens[k - 1]) <= 3:  # "at", "um", "à" between the date and the time
        j = k - 1
        while j and not tokens[j - 1].isalpha():
            j -= 1
        if j < k - 1:
            k = j
    tail = list(tokens[k:])
    return tail if _date_and_time(tail) else None


def _date_and_time(tokens: Sequence[str]) -> bool:
    """Return whether the numbers among ``tokens`` read as a date and a time.

    "Jul 22, 2012 at 9:25" (a year among four numbers), "07.22.12 at 21:25" (five); not a
    score and a match clock ("1-0 at 23:15"), which live commentary repeats.
    """
    numbers = sum(t[0].isdigit() for t in tokens)
    if numbers != _HEADER_NUMBERS:
        return numbers > _HEADER_NUMBERS
    return any(_YEAR.fullmatch(t) is not None for t in tokens)


def thread_start(
    classes: Sequence[str], lines: Sequence[Line], lo: int, hi: int, config: CleanConfig
) -> int:
    """Return where a comment thread starts in positions ``lo..hi``, or ``hi`` if none does.

    A thread is at least ``content_thread_min`` different short lines with the same
    `_signature`, each followed by text before the next one; ``content_thread_headed_min``
    of them when a heading that opens comments (`_thread_heading`) stands right above the
    first.
    """
    min_n = config.content_thread_min
    least = min(min_n, config.content_thread_headed_min)
    seen: dict[str, list[int]] = {}
    for k in range(lo, hi):
        # An inset ("list 1 of 3", "Photo 2 of 12") is the trace of a box inside the
        # article, never a comment's header, however many of them share an ending.
        if classes[k] in (GOOD, KEPT, INSET):
            continue
        # `_signature`, inlined with the first test of `_text_signature`, which most lines
        # fail: it runs on most lines of a page.
        features = lines[k].__dict__
        sig: str | None = features.get(_SIGNATURE_FEATURE, _NO_FEATURE)
        if sig is _NO_FEATURE:
            text = features["stripped"]
            if len(text) > _SIGNATURE_MAX_CHARS or (
                _TWO_NUMBERS.search(text) is None and not text.endswith(_COLONS)
            ):
                sig = None
            else:
                sig = _text_signature(lines[k])
            features[_SIGNATURE_FEATURE] = sig
        if sig is not None:
            seen.setdefault(sig, []).append(k)
    best = hi
    for sig, ks in seen.items():
        if len(ks) < least:
            continue
        spaced = [
            a
            for a, b in pairwise([*ks, hi])
            if any(classes[m] in (GOOD, NEAR) for m in range(a + 1, b))
        ]
        # Headers differ (names, times); one line printed again and again is a teaser.
        n = len({lines[a].key for a in spaced})
        if n < least:
            continue
        first = spaced[0]
        heading = next(
            (
                m
                for m in range(max(lo, first - _THREAD_HEADING_LINES), first)
                if _thread_heading(lines[m].key, config.languages)
            ),
            None,
        )
        if heading is not None:
            best = min(best, heading)  # the thread starts with its heading
        elif n >= (_VERB_THREAD_MIN if sig.startswith(_VERB_SIGNATURE) else min_n):
            best = min(best, first)
    return best


@lru_cache(maxsize=1 << 12)
def _thread_heading(key: str, langs: tuple[str, ...] | None) -> bool:
    """Return whether a line's matching key opens a comment thread ("2 Comments").

    Example:
        >>> _thread_heading("2 thoughts on council backs budget", None)
        True
        >>> _thread_heading("the comments were rude", None)
        False
    """
    return compile_phrases("threads", langs).match(key, counts=True) is not None


def article_blocks(
    classes: Sequence[str], lines: Sequence[Line], config: CleanConfig
) -> tuple[list[Block], int]:
    """Return the blocks the article may be among, and where a comment thread starts.

    Comments follow the article, often with only a header line between them (which costs
    too little to split a block), and often outweigh it: a thread of such headers ends the
    article, and only the text before it may be the article (the blocks are then clipped
    there). The position is ``len(classes)`` when no thread ends the article.
    """
    found = blocks(classes, lines, config)
    if not found:
        return found, len(classes)
    cut = thread_start(classes, lines, found[0].start + 1, len(classes), config)
    before = [_clip(b, cut, lines, classes, config) for b in found if b.start < cut]
    if cut < len(classes) and sum(b.weight for b in before) >= config.content_before_weight:
        return before, cut
    return found, len(classes)


def kept_positions(
    classes: Sequence[str],
    lines: Sequence[Line],
    config: CleanConfig,
    *,
    titled: bool,
    drop: dict[int, str] | None = None,
    article: tuple[list[Block], int] | None = None,
) -> dict[int, str]:
    """Return the kept positions of one article's lines, each with why it is kept.

    Args:
        classes: the classes of the section's lines (see `line_classes`).
        lines: the section's lines.
        config: thresholds.
        titled: the section starts with a kept title line: everything between it and the
            first paragraph block is the article's header (byline, dateline, caption) when
            it is no longer than ``content_header_lines``.

        drop: filled with position -> reason for lines removed for a specific reason (a
            comment thread); the others get the generic "outside the main text" reason.
        article: `article_blocks` of these classes and lines, when the caller has it.

    Returns:
        position -> reason; empty when the section holds no paragraph.
    """
    if drop is None:
        drop = {}
    found, cut = article if article is not None else article_blocks(classes, lines, config)
    if not found:
        return {}
    threaded = cut < len(classes)
    heaviest = max(b.weight for b in found)
    main = next(b for b in found if b.weight >= config.content_main_share * heaviest)
    keep: dict[int, str] = {}
    if threaded:
        # The thread may start with its heading ("2 Comments"): its headers come after it.
        sig = next(
            (s for k in range(cut, len(classes)) if (s := _signature(lines[k])) is not None), None
        )
        for k in range(cut, len(classes)):
            drop[k] = f"outside the main text: in a comment thread (headers ending {sig!r})"
    for b in found:
        if (
            b.start < main.start
            and b.weight >= config.content_before_weight
            and not _island(b, classes, _LINKS)
        ):
            for k in range(b.start, b.stop):
                keep[k] = f"kept: in a block of text before the article ({b.weight:.0f} words)"
    # Under a title, the article may start before its main block: a lead and a first
    # paragraph, then an inset (a list of places, a photo's caption) that splits the text,
    # as the blocks after the main one continue it (the same test, read backwards).
    start = main.start
    if titled:
        later = main
        for b in reversed([b for b in found if b.stop <= main.start]):
            gap = classes[b.stop : later.start]
            if not _inset(gap, _prose(later, classes, lines, config), config) or _island(
                b, classes, _LINKS
            ):
                break
            for k in range(b.start, later.start):
                keep.setdefault(k, f"kept: the article's text before an inset of {len(gap)} lines")
            start, later = b.start, b
    header = [k for k in range(start) if classes[k] not in _DECIDED]
    if titled and len(header) <= config.content_header_lines:
        listed = _link_runs(header, classes, config.content_head_links)
        for k in header:
            if k not in listed:
                keep[k] = "kept: between the title and the article's first paragraphs"
    else:
        # Headline, byline, dateline: a few short lines right before the article. Lines
        # earlier detectors removed are stepped over, so a removed timestamp does not hide
        # the headline.
        k, taken, links = start - 1, 0, 0
        while k >= 0 and taken < config.content_head_lines:
            if classes[k] == GOOD:
                if _standfirst(classes, lines, k, start):
                    keep[k] = "kept: a standfirst between the headline and the article's byline"
                    keep[k - 1] = "kept: a short line heading the article (headline, byline, date)"
                    break
                head = _headline_above(classes, lines, k, config)
                if head is not None:
                    for m in range(head, k + 1):
                        if classes[m] not in _DECIDED:
                            keep[m] = "kept: the article's header (headline, standfirst, caption)"
                break
            links += classes[k] == LINK
            if links > config.content_head_links:
                break  # the end of a menu too short for the menus detector
            if classes[k] not in _DECIDED:
                keep[k] = "kept: a short line heading the article (headline, byline, date)"
                taken += 1
            k -= 1
    reason = f"kept: in the article's main block of text ({main.weight:.0f} words)"
    for k in range(main.start, main.stop):
        keep[k] = reason
    # The article goes on after an inset that is no chrome (a table, a list of names: short
    # lines, none link-like and none removed): the blocks after it are the article's too.
    # A table right after the text (numbers among words, see `table_runs`), with up to
    # ``content_header_lines`` lines heading it (a caption, column heads), is the article's
    # too, however long, and the article may go on after it (notes under a table). A comment
    # thread ends it (the blocks are clipped there), not the text between an inset and it.
    stop = main.stop
    n, nxt = cut, 0  # nxt: the first block that may continue the article
    # A live blog's entries each start with a time of one shape ("16.20 BST", "10:42 ET"),
    # then a heading, the text and its own buttons ("Share"): when a stamp heads the main
    # block, a block headed by a stamp of its shape is the next entry, whatever lies between.
    entry = _entry_stamp(classes, lines, main.start, config)
    while True:
        k = stop
        while k < n and k - stop <= config.content_header_lines and classes[k] in _HEADING:
            k += 1
        if k < n and classes[k] == TABLE and k - stop <= config.content_header_lines:
            for m in range(stop, k):
                keep[m] = "kept: a line heading a table right after the article's text"
            while k < n and classes[k] == TABLE:
                keep[k] = "kept: a table in or right after the article (numbers among words)"
                k += 1
            stop = k
            continue
        while nxt < len(found) and found[nxt].start < stop:
            nxt += 1
        if nxt == len(found):
            break
        b = found[nxt]
        gap = classes[stop : b.start]
        # Subheadings are link-like too ("Women's race", "Time Markup"): more of them may
        # stand between the text and a block of prose (long paragraphs, not teaser lines).
        # A block without one long paragraph is a list of headlines after tags and arrows
        # ("You may like to read:"), not the article going on.
        if GOOD in classes[b.start : b.stop] and _inset(
            gap, _prose(b, classes, lines, config), config
        ):
            reason = f"kept: the article's text after an inset of {len(gap)} lines"
        elif (
            entry is not None
            and len(gap) <= config.content_inset_lines
            and _entry_stamp(classes, lines, b.start, config, lo=stop) == entry
            and any(lines[k].ends_sentence for k in range(b.start, b.stop))
        ):
            reason = "kept: a live blog's entry, headed by a time as the first entry is"
        else:
            break
        for k in range(stop, b.stop):
            keep[k] = reason
        stop = b.stop
    # A sign-off, a source or a credit line closes many articles: a few short lines right
    # after the text, up to the first removed line, with at most ``content_inset_links``
    # link-like ones among them, none followed by another (a signature "diane", "Further
    # reading:"): a menu is a run of them. A list of topics (the post's tags without their
    # label) ends them.
    k, links = stop, 0
    while not threaded and k < n and k - stop < config.content_tail_lines:
        link = classes[k] == LINK
        links += link
        if (
            classes[k] not in (SHORT, NEAR, LIST, LINK)
            or links > config.content_inset_links
            or (link and k + 1 < n and classes[k + 1] == LINK)  # a menu's first item
            or _tag_list(lines[k].stripped)
        ):
            break
        keep[k] = "kept: a short line closing the article (a sign-off, a source, a credit)"
        k += 1
    return keep


def _entry_stamp(
    classes: Sequence[str], lines: Sequence[Line], start: int, config: CleanConfig, lo: int = 0
) -> tuple[str, str | None] | None:
    """Return the shape of the time stamp heading position ``start``, else None.

    The stamp is a line that is only a time of day ("16.20 BST", "10:42 a.m. ET"), one of the
    `_ENTRY_STAMP_LINES` lines above ``start`` (not before ``lo``), with no paragraph between
    and none of them removed; its shape is its `DateShape` kind and its `_signature` ("time",
    "0 bst"), so "16.20 BST" and "15.02 BST" head entries of one blog, "16.20 BST" and
    "10:42 a.m. ET" do not.
    """
    for k in range(start - 1, max(lo, start - _ENTRY_STAMP_LINES) - 1, -1):
        if classes[k] == GOOD or classes[k] in _REMOVED:
            return None
        shape = line_date_shape(lines[k], config)
        if shape is not None:
            # A time of day only: a day's date heads comments as often ("Jane" / "November
            # 6, 2012" / her comment), and those are not the article's; a relative stamp
            # ("2h ago") is removed (`dates`), so it heads nothing here.
            if shape.kind != "time":
                return None
            return shape.kind, _signature(lines[k])
    return None


def _tag_list(text: str) -> bool:
    """Return whether a line is a list of topics: `_TAG_ITEMS` or more short items, commas between.

    A post's tags printed without their label ("Daily Economist, Discrimination, earnings,
    Income Inequality"): each item of one to `_TAG_WORDS` words, and no sentence end. A
    credit line names people between commas too, but ends in a full stop or holds longer
    parts ("Reporting by Ann Lee, Bob Stone and Cy Ray.").

    Example:
        >>> _tag_list("2012 election, home prices, housing, presidential election")
        True
        >>> _tag_list("Reporting by Ann Lee, Bob Stone, Cy Ray, Dee Fox.")
        False
    """
    if not text or text[-1] in SENTENCE_ENDS:
        return False
    items = _LIST_COMMA.split(text)
    return len(items) >= _TAG_ITEMS and all(0 < len(x.split()) <= _TAG_WORDS for x in items)


def _keep_recipes(
    classes: Sequence[str],
    lines: Sequence[Line],
    config: CleanConfig,
    keep: dict[int, str],
    drop: Mapping[int, str],
) -> None:
    """Add to ``keep`` the recipes (`recipe_cards`) that the article runs into.

    Food pages print the story, a "Print" button, then the recipe: its name, a line or two
    about it, the ingredients (a list) and the steps. The list cuts the steps off from the
    story, and the removed button ends it, so the recipe would be lost. A recipe is the
    article's when a kept line lies inside it, or when at most ``content_head_lines`` lines,
    with at most ``content_head_links`` link-like ones, lie between the article's last kept
    line and its heading (its name, a blurb, "Prep time: 10 min", the removed buttons).
    Dev set: seven food blogs' pages.
    """
    for start, stop in recipe_cards(classes, lines, config):
        if any(k in drop for k in range(start, stop)):
            continue  # inside a comment thread
        before = max((k for k in keep if k < start), default=None)
        if (
            before is not None
            and start - before - 1 <= config.content_head_lines
            and classes[before + 1 : start].count(LINK) <= config.content_head_links
        ):
            start = before + 1  # the lines between the article and the recipe join it
        elif not any(k in keep for k in range(start, stop)):
            continue
        for k in range(start, stop):
            if classes[k] not in _DECIDED:
                keep.setdefault(k, "kept: a recipe of the article (ingredients, then steps)")


def _standfirst(classes: Sequence[str], lines: Sequence[Line], k: int, start: int) -> bool:
    """Return whether the paragraph at ``k`` is a standfirst: headline above, byline below.

    News pages print the headline, a one-paragraph summary, the byline and the date, then
    the text; removed, the byline and the date split the summary from the text. It is a
    standfirst when it stands alone under a headline-like line (a few words, no sentence
    end) and only removed lines and link-like ones (a date, a name) lie between it and the
    text at ``start``: a teaser's snippet would have the article's own headline there.
    """
    if k < 1 or (k + 1 < len(classes) and classes[k + 1] in (GOOD, NEAR)):
        return False
    above = classes[k - 1]
    if above not in (SHORT, NEAR) or not _headline_like(lines[k - 1]):
        return False
    return all(c in _DECIDED or c == LINK for c in classes[k + 1 : start])


def _headline_above(
    classes: Sequence[str], lines: Sequence[Line], k: int, config: CleanConfig
) -> int | None:
    """Return the headline above the paragraph at ``k``, when both head the article.

    Today's news pages print the headline, a standfirst, share buttons, the lead picture's
    caption, the byline and the date, then the text: removed, the buttons and the byline
    leave two paragraphs (the standfirst, the caption) that `_standfirst` does not take.
    Above ``k`` (the first paragraph the walk up from the text meets), within
    ``content_head_lines`` lines, with at most one more paragraph and only removed lines
    between, a headline-like short line right above a paragraph heads the article, unless
    a paragraph comes first above it, removed lines aside (then it is one of a list of
    teasers: a title and its snippet after another's).
    """
    goods, j = 0, k
    while j >= 0 and k - j < config.content_head_lines:
        c = classes[j]
        if c == GOOD:
            goods += 1
            if goods > 2:
                return None
        elif c in (SHORT, NEAR):
            if not _headline_like(lines[j]) or classes[j + 1] != GOOD:
                return None
            m = j - 1
            while m >= 0 and classes[m] in _DECIDED:
                m -= 1
            return j if m < 0 or classes[m] not in (GOOD, NEAR) else None
        elif c not in _DECIDED:
            return None
        j -= 1
    return None


def _inset(gap: Sequence[str], prose: bool, config: CleanConfig) -> bool:
    """Return whether lines of classes ``gap`` are an inset of the article, not chrome.

    Short lines, none removed and at most ``content_inset_links`` link-like ones; when the
    text on the far side is ``prose``, up to ``content_inset_prose_lines`` lines with
    ``content_inset_prose_links`` link-like or learned ones (subheadings, a media box).
    """
    links, most = config.content_inset_links, config.content_inset_lines
    if prose:
        links, most = config.content_inset_prose_links, config.content_inset_prose_lines
    learned = gap.count(LEARNED)
    bad = gap.count(BAD)
    return not (
        len(gap) > most
        # Removed lines end the article, unless, before prose, they are no more than the
        # insets among them: a video player's buttons between its own lines.
        or (bad and not (prose and bad <= gap.count(INSET)))
        or (learned and not prose)
        or gap.count(LINK) + learned > links
    )


def _island(
    b: Block, classes: Sequence[str], sides: frozenset[str], *, fields: bool = False
) -> bool:
    """Return whether block ``b`` is one paragraph with lines of classes ``sides`` both sides.

    A menu may print a blurb under each heading ("Reviews", a teaser's first lines, "All
    reviews"); a sidebar an "about me" between widgets. An article's text that comes before
    its main block is seldom one paragraph set between menu lines, so such a block is kept
    there only as part of the text around it. Before the main block the sides are link-like
    lines (a lead between a removed byline and a removed ad stays); above the first title,
    removed lines too, and with ``fields`` one short line may stand between the paragraph
    and each side: a profile box's field ("About Me", "Name: copyranter", "Location: New
    York, New York", the blurb, "View my complete profile").
    """
    if sum(classes[k] in (GOOD, NEAR) for k in range(b.start, b.stop)) != 1:
        return False
    above, below = b.start - 1, b.stop
    if fields and above > 0 and classes[above] == SHORT:
        above -= 1
    if fields and below < len(classes) - 1 and classes[below] == SHORT:
        below += 1
    return above >= 0 and below < len(classes) and {classes[above], classes[below]} <= sides


def _prose(b: Block, classes: Sequence[str], lines: Sequence[Line], config: CleanConfig) -> bool:
    """Return whether block ``b`` is prose: heavy, and more long paragraphs than short ones.

    A short line ending with a colon and the points of the list it introduces
    ("organisations can:" and six points, between paragraphs of a press release) count
    half: they are the text's own, where short lines without such a lead are as often a
    footer's list of headlines. Dev set: one page's second half back (13 lines, `clean()`
    and corpus), nothing else; counting every short line half instead gave 39 lines better
    and 19 worse, and on the 16-generation near-duplicate dump joined one site's footer to
    its articles (same-site false pairs without site learning 1,878 -> 2,601).
    """
    if b.weight < config.content_before_weight:
        return False
    good = near = points = 0
    listed = False  # inside a list that a line ending with a colon introduced
    for k in range(b.start, b.stop):
        c = classes[k]
        lead = _leads_in(lines[k])
        if c == GOOD:
            good += 1
        elif c == NEAR and (listed or lead):
            points += 1
        elif c == NEAR:
            near += 1
        listed = (listed and c in (NEAR, SHORT, LIST)) or (lead and c in (GOOD, NEAR, SHORT))
    return 2 * good > 2 * near + points


def _clip(
    b: Block, stop: int, lines: Sequence[Line], classes: Sequence[str], config: CleanConfig
) -> Block:
    """Return block ``b`` cut off at position ``stop``, re-weighed.

    Like every block, it ends with a line of text: the short lines between its last one
    and ``stop`` (a comment thread's heading, "2 Comments", and a comment's number) are not
    the article's.
    """
    if b.stop <= stop:
        return b
    text = [k for k in range(b.start, stop) if classes[k] in (GOOD, NEAR)]
    weight = sum(
        float(min(lines[k].n_words, config.content_line_cap)) if classes[k] == GOOD else 1.0
        for k in text
    )
    return Block(b.start, text[-1] + 1 if text else stop, weight)


def _sections(marks: Mapping[int, Mark], idx: Sequence[int]) -> list[tuple[int, int]]:
    """Split positions at kept title lines: a file may hold several articles, one per title."""
    cuts = [k for k, i in enumerate(idx) if k and (m := marks.get(i)) and m.label == "title"]
    bounds = [0, *cuts, len(idx)]
    return list(pairwise(bounds))


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    r"""Mark as chrome the unmarked lines that lie outside the article's blocks.

    Args:
        doc: the document.
        marks: marks of the earlier detectors (read-only).
        config: thresholds (``content_*``).

    Returns:
        One mark per unmarked line: "chrome" for the removed ones, its reason naming the
        line's class, and "content" for the kept ones, saying which block keeps them.

    Example:
        >>> menu = "\n".join(["Home", "World", "Sports", "Opinion", "Video", "Travel"])
        >>> body = "The council met on Monday and agreed that the new bridge will be built."
        >>> doc = Document(menu + "\n" + body + "\n" + body)
        >>> [doc.lines[m.line].text for m in detect(doc, {}, CleanConfig()) if m.label == "chrome"]
        ['Home', 'World']
    """
    idx = doc.content_lines
    if len(idx) < config.content_min_lines:
        return []
    classes = line_classes(doc, marks, config)
    lines = [doc.lines[i] for i in idx]
    menu_like = not _MENU_LIKE.isdisjoint(classes)
    if not menu_like and len(blocks(classes, lines, config)) < 2:
        return []  # one block of text and no menu-like line: no evident boilerplate
    keep: dict[int, str] = {}
    drop: dict[int, str] = {}
    sections = _sections(marks, idx)
    # `article_blocks` of the text from the first title to the end: weighed against what
    # precedes the title, then the last section's own when that title is the only one.
    after: tuple[list[Block], int] | None = None
    for a, b in sections:
        titled = classes[a] == KEPT
        if not titled and len(sections) > 1:
            # What precedes the first title is not an article of its own: only a block of
            # text there that could be the article (an intro, a body printed above a late
            # headline) is kept: one that weighs at least ``content_main_share`` of the
            # heaviest block after the title (before a comment thread), as the article's
            # main block must. A blog's "about" blurb in a sidebar above the headline does
            # not (dev set: `clean()` F1 0.895 -> 0.898, 47 pages better, 2 worse by < 0.01).
            after = article_blocks(classes[b:], lines[b:], config)
            floor = max(
                config.content_before_weight,
                config.content_main_share * max((x.weight for x in after[0]), default=0),
            )
            for blk in blocks(classes[a:b], lines[a:b], config):
                if blk.weight >= floor and not _island(blk, classes[a:b], _MENU_SIDES, fields=True):
                    why = f"kept: in a block of text before the title ({blk.weight:.0f} words)"
                    keep.update((a + k, why) for k in range(blk.start, blk.stop))
            # Blogs print the post's date right above its title ("November 06, 2012"), or
            # its parts one per line ("09", "July", "2012").
            k = b - 1
            while k > a and classes[k] in _REMOVED:
                k -= 1
            if classes[k] in (LINK, SHORT, NEAR) and is_dateline(lines[k].stripped, config):
                keep[k] = "kept: a dateline right above the title"
                k -= 1
                for _ in range(config.content_head_lines):
                    if k <= a or classes[k] not in (LINK, SHORT) or not is_date_part(lines, k):
                        break
                    keep[k] = "kept: a part of a date printed right above the title"
                    k -= 1
            continue
        notes: dict[int, str] = {}
        whole = after if len(sections) == 2 and a == sections[0][1] else None
        part = kept_positions(
            classes[a:b], lines[a:b], config, titled=titled, drop=notes, article=whole
        )
        keep.update((a + k, why) for k, why in part.items())
        drop.update((a + k, why) for k, why in notes.items())
    if not keep:
        return []  # no paragraph anywhere: nothing to tell the article from the chrome
    _keep_recipes(classes, lines, config, keep, drop)
    first, last = min(keep), max(keep)
    out = []
    for k, c in enumerate(classes):
        if c in _DECIDED or idx[k] in marks:
            continue  # an earlier verdict stands (a removed table cell is `TABLE` here)
        if k in keep:
            out.append(Mark(idx[k], "content", keep[k], NAME))
            continue
        where = "before" if k < first else ("after" if k > last else "between blocks of")
        reason = drop.get(k) or f"outside the main text: {c} line {where} the article's paragraphs"
        out.append(Mark(idx[k], "chrome", reason, NAME))
    return out


def is_dateline(text: str, config: CleanConfig) -> bool:
    """Return whether a line holds a date or a time, or is a year alone: a post's dateline.

    Example:
        >>> [is_dateline(t, CleanConfig()) for t in ("9:12am, EDT", "2012", "35595727 story")]
        [True, True, False]
    """
    return (
        _YEAR.fullmatch(text) is not None
        or is_date_line(text, config=config)
        or bool(find_dates(text, config=config))
    )


def _link_runs(header: Sequence[int], classes: Sequence[str], most: int) -> set[int]:
    """Return the header lines in runs of more than ``most`` link-like lines in a row.

    A title's header holds a byline, a date, a share bar; a row of topic links ("Bond",
    "Central Banks", "China", "CPI", ...) under it is a tag list, not the article's.
    """
    out: set[int] = set()
    run: list[int] = []
    for k in [*header, -1]:
        if k >= 0 and classes[k] == LINK and (not run or k == run[-1] + 1):
            run.append(k)
            continue
        if len(run) > most:
            out.update(run)
        run = [k] if k >= 0 and classes[k] == LINK else []
    return out
