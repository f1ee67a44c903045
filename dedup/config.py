"""Configuration of the cleaner: frozen, keyword-only, validated once on construction.

Every threshold the detectors use lives here with a docstring saying why it has its value,
so no detector holds a bare number that a user might want to change.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

from dedup.errors import ConfigError

#: Names of the per-document detectors, in the order they run. A detector that runs earlier
#: wins a line over one that runs later ("title" protects the title from "repeats").
DETECTOR_NAMES: tuple[str, ...] = (
    "titles",
    "teasers",
    "trailers",
    "bylines",
    "dates",
    "chrome",
    "repeats",
    "menus",
    "content",
)


@dataclass(frozen=True, kw_only=True)
class CleanConfig:
    """Options of the per-document cleaner.

    Attributes:
        detectors: the detectors to run, a subset of `DETECTOR_NAMES` (order is fixed).
        title_similarity: how alike (0-1, rapidfuzz ratio of the matching keys) a later line
            must be to the title to count as the title printed again. 0.9 tolerates a changed
            quote or a dropped word in a 10-word headline, not a different headline.
        max_title_words: a line longer than this is never taken for a title.
        max_passes: the cleaner re-runs on its own output until nothing more is removed, at
            most this many times, so that ``clean(clean(t)) == clean(t)``.
        languages: language codes whose phrase lists (``dedup/resources``) are used;
            ``None`` means all shipped languages.
        max_date_line_chars: a line longer than this is never a bare timestamp. The longest
            stamps seen on news pages ("Last Updated: Wednesday, 01 May 2024 10:00 AM GMT")
            stay under 80 characters; the cap also keeps the date test cheap on long lines.
        date_list_min: a bare date without a lead word ("July 20, 2012") is removed only when
            the page holds at least this many date lines (archive links, comment and teaser
            stamps) and no prose line is near it: on the dev set an article's own date line
            is kept by the human gold 9 times in 10, while pages with 4+ date lines are lists.
        date_context_lines: how many non-blank lines on each side of such a date are
            looked at for prose (the article or a comment it belongs to).
        date_prose_words: a line with at least this many words counts as prose there.
        max_chrome_chars: a line longer than this is never matched against the chrome
            phrases; the longest prompts ("We use cookies to ... By continuing ...") stay
            under 300 characters, and the cap keeps the check cheap on article paragraphs.
        chrome_row_max_words: a line of at most this many words that is only chrome phrases
            side by side ("Email Print", "Like Tweet 12 Share Pin it") is chrome: a share
            bar or pager flattened into one line.
        chrome_pointer_links: after a line that points to other articles ("Related", "Read
            more:", "Lire aussi", from ``resources/pointers/``), up to this many headline-like
            lines that follow it are teasers: the links it announces.
        byline_max_chars: a line longer than this is never a byline ("By John Smith and Jane
            Doe, Staff Writers | Updated May 5, 2024 10:00 GMT" is about 70 characters).
        byline_max_name_words: the most words the author part of a byline may have (two or
            three co-authors of two or three words each).
        byline_max_caseless_words: in scripts without case (Arabic, Chinese, Urdu) nothing
            tells a name from a sentence but its length: at most this many words follow the
            lead ("بقلم محمد بن علي"), or come before a role written after the name ("김민수
            기자"); a name glued to such a role has at most this many kanji ("山田太郎記者").
        byline_max_tail_words: the most words after the name (a role, an agency, a place and
            a date: "Staff Writer, The Washington Post, May 5, 2024").
        byline_note_max_words: a line longer than this is never an author's note ("Jane Doe
            is a reporter at the Herald...", after a byline naming her): a note is a few
            sentences.
        trailer_max_chars: a line longer than this is never a trailer ("Copyright 2024 The
            Associated Press. All rights reserved. This material may not be published,
            broadcast, rewritten or redistributed." is about 160 characters).
        min_title_words: a line with fewer words is never taken for a title ("Newsroom
            logo", "Follow"); 3 keeps short headlines such as "Colours of Basant".
        title_window: how many non-blank lines after a headline its second copy may come
            (the title printed again under the chrome: a caption, a timestamp, "Follow").
            The page's first line (an HTML <title>) is matched against the whole page.
        title_search_lines: a title with no second copy is looked for only among this many
            first non-blank lines.
        title_body_lines: a title must head a body: one of the next this-many non-blank
            lines holds a paragraph (see ``title_body_words``). This tells the headline
            above an article from the same headline in a menu, breadcrumb or "previous
            post" link.
        title_header_lines: the in-body copy of the <title>'s headline, printed exactly as
            the <title> has it, may head a longer header (dek, byline, "Follow", reading
            time, date, share buttons): a paragraph within this many lines, all of them of
            a headline's length before it. Past prose near the top, a headline over its
            byline and date is looked for among this many lines too.
        title_body_words: the words a line needs to count as such a paragraph.
        teaser_min_items: a teaser list needs at least this many items (a headline with
            its date and/or truncated snippet) in a row; two could be a dated subheading.
        teaser_context_lines: a list of bare headline/date items (no snippet, no headline
            printed twice) with a paragraph within this many lines on both sides is a dated
            timeline inside the article, not a teaser list. On the dev set 59 of 60 such
            lists (550 lines, none gold) have no paragraph on one side or both.
        repeat_context_words: a repeated line is removed only when neither copy has a line
            of at least this many words within ``repeat_context_lines`` lines: a line
            repeated inside running text (a table cell, a refrain, a greeting in comments,
            a photo caption stub) is left to the content model.
        repeat_context_lines: see ``repeat_context_words``. On the dev set, 3 lines instead
            of 1 cut the gold lines lost to repeats (directly or through the content model's
            changed view) from 177 to 10, and the extra other lines removed from 210 to 75.
        menu_max_words: a menu item has at most this many words and no sentence end
            ("Home", "Real Estate", "N.Y. / Region"); a 4-word line is already a headline.
        menu_min_run: the menus detector removes a run of at least this many such lines in a
            row with no list marker: menus on real pages run to dozens of items, while a short
            run can be a list inside the article. 8 measured a little better than 6 on the dev
            set (F1 and gold lines kept +0.001): the content model judges shorter runs.
        menu_spare_lines: when a text line follows a menu run, this many of the run's last
            lines are left to the content model (they may be the headline and byline).
        content_long_words: a line with at least this many words, prose-like (see
            ``content_stopword_density``), is a paragraph ("good"), after jusText's 70-200
            characters: 20 words (about 120 characters) measured better on the dev set than
            15 (F1 +0.004) and keeps a one-line teaser from weighing as a paragraph.
        content_near_words: a prose-like line with at least this many words is "near-good"
            (a short paragraph, a caption, a pull quote); shorter lines are judged by context.
        content_stopword_density: a line counts as prose when at least this share of its words
            are function words of the page's language (jusText uses 0.30-0.32 with its full
            lists; ours hold each language's 400 most frequent entries, and Russian or Arabic
            prose lines measure 0.15-0.30 with them, so 0.25).
        content_long_chars: in a page in no listed language (CJK, an unlisted script), a line
            at least this wide that ends like a sentence is a paragraph (width in columns:
            a Chinese, Japanese or Korean character counts two, `Line.width`).
        content_near_chars: there, a line at least this wide is near-good.
        content_gap: paragraphs belong to one block of text while the lines between them cost
            less than this (a short line costs ``content_short_penalty``, a link-like one
            ``content_link_penalty``, a list item ``content_list_penalty``): a subheading or a
            caption between paragraphs does not split the article; a menu or a related list
            does.
        content_short_penalty: the cost of a short line between paragraphs. Short lines
            (4-6 words, or prose-poor) are an article's subheadings, list items and short
            quotes more often than chrome: 1.5 instead of 3 kept gold lines on 44 dev pages
            and lost some on 1 (gold lines kept 0.667 -> 0.694 micro, F1 -0.001).
        content_link_penalty: the cost of a menu-like line or one an earlier detector removed.
        content_list_penalty: the cost of a short line starting with a list marker (• - 1.)
            that lists inside articles are made of.
        content_line_cap: a paragraph weighs its words up to this many, so a single long
            comment or legal notice does not outweigh an article.
        content_sentence_weight: a line of prose too short to be a paragraph weighs 1, or,
            when it ends like a sentence, this share of its words if that is more: an
            article of one-sentence lines ("We released version 2 of the SDK.") is not
            outweighed by a sidebar's one paragraph. 0 weighs every such line 1.
        content_main_share: the article is the first block that weighs at least this share
            of the heaviest block: comments and teaser lists come after the article, and
            often weigh more. A block above the first title is kept only if it weighs this
            share of the heaviest block after the title (a sidebar's blurb does not).
        content_head_lines: up to this many short lines right before the article (headline,
            byline, dateline, standfirst) are kept with it (8 measured better than 4: the
            lines between a share bar and the text are headers more often than chrome).
        content_head_links: of which at most this many link-like lines: a menu shorter than
            ``menu_min_run`` right above the text is not kept whole as its header. Under a
            kept title, a row of more link-like lines than this (the post's topics) is not
            kept as its header either.
        content_header_lines: between a kept title and the article's first paragraphs, up to
            this many lines are the article's header (byline, dateline, caption, share bar)
            and are kept; a longer stretch is a menu, and only ``content_head_lines`` stay.
        content_inset_lines: the article goes on after an inset of at most this many lines
            that holds no removed line (a table, a list of names, a sidebar box).
        content_inset_links: such an inset may hold this many link-like lines (a table's
            one-word cells, a caption's credit); a menu has more.
        content_inset_prose_links: when the block after the inset is prose (it weighs
            ``content_before_weight`` and most of its paragraphs are long), the inset may hold
            this many link-like lines: subheadings ("Women's race", "Time Markup") split an
            article, while a teaser list after it is made of short one-line paragraphs.
        content_inset_prose_lines: and the inset may then be this long (a recipe's list of
            ingredients before its directions; on the dev set 24 and 12 differ by 0.001 of
            gold lines kept per page and nothing in F1).
        content_tail_lines: up to this many short lines right after the article (a sign-off,
            a source, a photo credit), up to the first removed line and with at most
            ``content_inset_links`` link-like lines among them (a signature), are kept.
        content_recipe_lines: a recipe's heading of steps ("Directions", "Zubereitung") comes
            at most this many lines after its heading of ingredients; the recipe is kept with
            the article it follows (``resources/recipes/``).
        content_pointer_links: the first this many links under a pointer line ("Related",
            "Lire aussi") cost nothing between two paragraphs, so a box of related links
            inside the article does not split it; further links cost as removed lines, so a
            longer list of related posts after the article still ends it.
        content_thread_min: the article ends where a comment thread starts: at least this
            many short lines with a digit and the same ending ("... 10:42 pm. Reply #",
            "... 11:48 pm"), each followed by text. Three tells a thread from a dateline.
        content_thread_headed_min: fewer headers are a thread, down to this many, when a
            heading that opens comments stands right above the first ("2 Comments", "3
            Kommentare": ``resources/threads/``): most posts draw only a comment or two.
        content_before_weight: a block of text before the article that weighs at least this
            many words is kept too (an article split by an inset, an intro above the headline;
            above the first title, see ``content_main_share``).
        content_table_cells: a run of short lines is a table, not a menu, when it holds at
            least this many groups of number cells (a short line with a digit: "$83",
            "28.7%", "Obama +3") between word cells ("Phoenix"), and number cells make at
            least ``content_table_share`` of its lines. Menus are word labels; a pager
            ("1 2 3 4") or an archive list ("July 2012", "June 2012") is one group only.
            The menus detector leaves tables alone, and the content model keeps them inside
            the article or right after it.
        content_table_share: see ``content_table_cells``.
        content_min_lines: a text with fewer non-blank lines is left alone by the content
            model: one or two paragraphs have no boilerplate structure to learn from.
    """

    detectors: tuple[str, ...] = DETECTOR_NAMES
    title_similarity: float = 0.9
    max_title_words: int = 30
    max_passes: int = 8
    languages: tuple[str, ...] | None = None
    max_date_line_chars: int = 100
    date_list_min: int = 4
    date_context_lines: int = 3
    date_prose_words: int = 12
    max_chrome_chars: int = 300
    chrome_row_max_words: int = 10
    chrome_pointer_links: int = 5
    byline_max_chars: int = 120
    byline_max_name_words: int = 8
    byline_max_caseless_words: int = 4
    byline_max_tail_words: int = 10
    byline_note_max_words: int = 120
    trailer_max_chars: int = 300
    min_title_words: int = 3
    title_window: int = 8
    title_search_lines: int = 8
    title_body_lines: int = 6
    title_header_lines: int = 16
    title_body_words: int = 15
    teaser_min_items: int = 3
    teaser_context_lines: int = 2
    repeat_context_words: int = 12
    repeat_context_lines: int = 3
    menu_max_words: int = 3
    menu_min_run: int = 8
    menu_spare_lines: int = 1
    content_long_words: int = 20
    content_near_words: int = 7
    content_stopword_density: float = 0.25
    content_long_chars: int = 80
    content_near_chars: int = 40
    content_gap: float = 10.0
    content_short_penalty: float = 1.5
    content_link_penalty: float = 6.0
    content_list_penalty: float = 1.0
    content_line_cap: int = 40
    content_sentence_weight: float = 0.25
    content_main_share: float = 0.5
    content_head_lines: int = 8
    content_head_links: int = 4
    content_before_weight: int = 30
    content_header_lines: int = 12
    content_inset_lines: int = 12
    content_inset_links: int = 1
    content_pointer_links: int = 3
    content_inset_prose_links: int = 6
    content_inset_prose_lines: int = 24
    content_tail_lines: int = 4
    content_recipe_lines: int = 60
    content_thread_min: int = 3
    content_thread_headed_min: int = 2
    content_table_cells: int = 3
    content_table_share: float = 0.3
    content_min_lines: int = 4

    def __post_init__(self) -> None:
        for name in ("detectors", "languages"):
            value = getattr(self, name)
            if isinstance(value, str):
                msg = f"{name} must be a tuple of names, got the string {value!r}"
                msg += f" (did you mean ({value!r},)?)"
                raise ConfigError(msg)
        unknown = [d for d in self.detectors if d not in DETECTOR_NAMES]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), DETECTOR_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            msg = (
                f"unknown detector(s) {unknown}{hint}; choose from {list(DETECTOR_NAMES)} "
                "(names are lower-case module names)"
            )
            raise ConfigError(msg)
        if self.languages is not None:
            missing = [code for code in self.languages if code not in shipped_languages()]
            if missing:
                msg = (
                    f"no resources for language(s) {missing}; shipped: {list(shipped_languages())}"
                )
                raise ConfigError(msg)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                msg = f"{f.name} must be a positive integer, got {value!r}"
                raise ConfigError(msg)
            if f.type == "float":
                _check_number(f.name, value)


#: Fields that are fractions, and whether 0 is allowed. A value in (1, 100] was most likely
#: meant as a percentage, and the error says so.
_FRACTIONS: dict[str, bool] = {
    "title_similarity": False,
    "content_stopword_density": True,
    "content_main_share": False,
    "content_sentence_weight": True,
    "content_table_share": False,
}


def _check_number(name: str, value: object) -> None:
    """Raise `ConfigError` unless ``value`` is a finite number, >= 0 (a fraction if listed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        msg = f"{name} must be a finite number, got {value!r}"
        raise ConfigError(msg)
    if name in _FRACTIONS:
        zero_ok = _FRACTIONS[name]
        if value > 1 or value < 0 or (value == 0 and not zero_ok):
            hint = f" (did you mean {value / 100:g}?)" if 1 < value <= 100 else ""
            bounds = "[0, 1]" if zero_ok else "(0, 1]"
            msg = f"{name} must be a fraction in {bounds}, got {value!r}{hint}"
            raise ConfigError(msg)
    elif value < 0:
        msg = f"{name} must be 0 or more, got {value!r}"
        raise ConfigError(msg)


@cache
def shipped_languages() -> tuple[str, ...]:
    """Return the language codes some resource file exists for (``resources/<kind>/<code>.*``)."""
    root = resources.files("dedup").joinpath("resources")
    codes = {
        entry.name.rsplit(".", 1)[0]
        for kind in root.iterdir()
        if kind.is_dir()
        for entry in kind.iterdir()
        if entry.name.endswith((".txt", ".json"))
    }
    codes.discard("common")
    return tuple(sorted(codes))


DEFAULT_CONFIG = CleanConfig()
