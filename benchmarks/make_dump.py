"""Build a realistic, labelled dump of near-duplicate news pages, of any size.

Receives the real pages of the Dragnet dev set (``--source``, JSONL with ``id``, ``site``,
``url``, ``text`` and per-line ``labels``: 1 = article line) and hands on two files:

- the dump (``-o``; plain ``.jsonl``, ``.jsonl.gz`` or ``.jsonl.zst`` by suffix): records
  ``{"id", "site", "url", "text"}`` in a seeded shuffled order;
- beside it, ``<stem>.labels.jsonl``: ``{"id", "group", "kind", "site", "chrome",
  "generation"}`` per record,
  where ``group`` is the id of the original the record copies (an original is its own group),
  ``kind`` is one of `KINDS` and ``chrome`` says whose page furniture surrounds the article:
  ``own`` (the original page's, unchanged), ``rescrape`` (the same site's, perturbed) or
  ``other`` (a page of another site).

Every copy keeps the page structure, one block per line: chrome lines (menus, share bars,
teasers, footers) around article lines. The kinds of copy (`make_copy`):

- ``rescrape``: same article lines; chrome perturbed as a second fetch is: counts and dates
  changed, some chrome lines dropped, part of the teaser list replaced by the teasers of
  another page of the same site (or reshuffled when the site has one page);
- ``syndicated``: the article lines in the chrome of a page of another site (its header
  before, its footer after), usually with a wire credit line;
- ``edited``: 5-15% of the article's words replaced in 1-4 places, and one sentence dropped
  or one added (from another article);
- ``truncated``: the first 20-60% of the article's words, then "Read more" (in the page's
  language when it is one of `READ_MORE`); edited and truncated copies are made only of
  articles of at least `MIN_EDIT_WORDS` words;
- ``recased``: the headline (first article line, and the ``<title>`` line when it holds the
  headline) in upper or title case;
- ``unicode``: straight/curly quotes swapped, NBSP, soft hyphens, full-width digits, NFD;
  ``dedup.normalize`` maps every line back to the original's;
- ``exact``: the original's text, byte for byte.

Proportions (`COPIES_WEIGHTS`, `KIND_WEIGHTS`): 60% of originals have no copy, 20% one,
20% two to five, kinds drawn independently (so some originals have several kinds).

Size: 763 pages make ~14 MB of dump per generation. A bigger dump is made of *generations*:
generation ``g >= 1`` rewrites every page with a seeded bijective word substitution (the
vocabulary permuted within classes of same script and same letter/digit shape, case pattern
kept, punctuation and spacing kept), chrome included, and renames sites (``site-g3``): each
generation is a new universe of sites that share chrome within a site and nothing across
generations. The cleaner must read every generation as it reads the real pages, so words of
its resources are treated apart (`Cipher.for_cleaner`): chrome, date, byline and trailer words
that are not stopwords ("share", "comments", month names) are kept, and stopwords (28
languages) are swapped only with stopwords of the same languages, so each line's share of
function words is unchanged while no run of them repeats across generations. Generations
are made and written one at a time (memory is one generation); ``--size`` stops after the
group that crosses the byte budget (uncompressed JSONL bytes), so
no group is split.

Source pages with no article line are left out, and so is a page whose article an earlier
page's reproduces: when the share of the shorter article's words the other reproduces in
place (5-shingle containment ``C``, read as ``C ** (1 / 5)``, the scale of ``dedup``'s
``threshold``) is at least 0.8, the default threshold, the two are one article, not a hard
negative. Dev set: five pages (``T146``/``T77``, the same post; ``R420``, a game story that
the roundup ``R419`` reprints; ``R963``/``R961``, two announcements of one event sharing
their paragraphs; ``R715``/``R714``, two posts of one template; ``R694``/``R693``). Scored as
different articles, they made up 83 of the 200 same-site false pairs of the 16-generation
dump.

Usage (from the repository root)::

    python benchmarks/make_dump.py -o /tmp/dump.jsonl                 # one generation
    python benchmarks/make_dump.py -o /tmp/dump.jsonl.zst --size 1GB --seed 1
    python benchmarks/make_dump.py -o /tmp/small.jsonl --limit 40     # tests
    python benchmarks/make_dump.py --hardness                         # how alike copies are
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, cast

ROOT = Path(__file__).resolve().parents[1]
SOURCE_CANDIDATES = (
    ROOT.parent / "shared" / "dev" / "dragnet-dev.jsonl",
    Path("/work/shared/dev/dragnet-dev.jsonl"),
)
RESOURCES = ROOT / "dedup" / "resources"

KINDS = ("original", "rescrape", "syndicated", "edited", "truncated", "recased", "unicode", "exact")
COPY_KINDS = KINDS[1:]
CHROMES = ("own", "rescrape", "other")
#: How many copies an original gets (most none; a few several).
COPIES_WEIGHTS = {0: 0.60, 1: 0.20, 2: 0.10, 3: 0.05, 4: 0.03, 5: 0.02}
#: Which kind each copy is (drawn independently per copy).
KIND_WEIGHTS = {
    "rescrape": 0.22,
    "syndicated": 0.20,
    "edited": 0.16,
    "truncated": 0.10,
    "recased": 0.07,
    "unicode": 0.10,
    "exact": 0.15,
}
#: Share of copies of a kind whose chrome is another site's (the rest: the same site's).
OTHER_CHROME = {"edited": 0.5, "truncated": 0.7, "recased": 0.5, "unicode": 0.5}
WIRE_CREDITS = (
    "Reuters",
    "(Reuters)",
    "Associated Press",
    "By The Associated Press",
    "AFP",
    "Agence France-Presse",
    "Bloomberg",
    "dpa",
    "PA Media",
    "Copyright Thomson Reuters {year}",
    "© {year} The Associated Press. All rights reserved.",
    "This article originally appeared on {site}.",
    "Source: {site}",
)
READ_MORE = {
    "en": ("Read more", "Continue reading", "Read the full story", "Read more »"),
    "de": ("Weiterlesen", "Mehr lesen"),
    "fr": ("Lire la suite",),
    "es": ("Leer más", "Seguir leyendo"),
    "it": ("Continua a leggere", "Leggi tutto"),
    "pt": ("Leia mais", "Continuar lendo"),
    "nl": ("Lees verder",),
    "ru": ("Читать далее",),
}
EDIT_FRACTION = (0.05, 0.15)
TRUNCATE_FRACTION = (0.20, 0.60)
# the share of the shorter article's words another reproduces, from which two source pages
# are one article (see the module's docstring): dedup's default threshold
SOURCE_DUPLICATE_SIMILARITY = 0.8
SHINGLE_WORDS = 5
SOURCE_DUPLICATE_CONTAINMENT = SOURCE_DUPLICATE_SIMILARITY**SHINGLE_WORDS
#: Articles shorter than this (captions, photo pages) get no edited or truncated copy: a word
#: changed in a 20-word caption, or its first 4 words, is not a copy anyone can find.
MIN_EDIT_WORDS = 50
#: Footer lines longer than this (comments) belong to their page and are not lent to others.
CHROME_MAX_WORDS = 30

_WORD = re.compile(r"(\w+)")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


# -- pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One page of one generation: lines of text, each chrome (0) or article (1)."""

    id: str
    site: str
    url: str
    lines: tuple[str, ...]
    labels: tuple[int, ...]
    lang: str = "en"

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def first(self) -> int:
        return self.labels.index(1)

    @property
    def last(self) -> int:
        return len(self.labels) - 1 - self.labels[::-1].index(1)

    @property
    def header(self) -> list[str]:
        return list(self.lines[: self.first])

    @property
    def footer(self) -> list[str]:
        return list(self.lines[self.last + 1 :])

    @property
    def article(self) -> list[str]:
        return [x for x, lab in zip(self.lines, self.labels, strict=True) if lab]


@dataclass(frozen=True, slots=True)
class Doc:
    """One record of the dump with its label; ``labels`` (per line) are kept for tests."""

    id: str
    site: str
    url: str
    lines: tuple[str, ...]
    labels: tuple[int, ...]
    group: str
    kind: str
    chrome: str
    generation: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def record(self) -> dict[str, str]:
        return {"id": self.id, "site": self.site, "url": self.url, "text": self.text}

    def label(self) -> dict[str, str | int]:
        return {
            "id": self.id,
            "group": self.group,
            "kind": self.kind,
            "site": self.site,
            "chrome": self.chrome,
            "generation": self.generation,
        }


def default_source() -> Path:
    for path in SOURCE_CANDIDATES:
        if path.exists():
            return path
    return SOURCE_CANDIDATES[-1]


def _shingles(text: str) -> set[tuple[str, ...]]:
    w = text.lower().split()
    n = SHINGLE_WORDS
    return {tuple(w[i : i + n]) for i in range(max(1, len(w) - n + 1))}


def _resource_words() -> tuple[dict[str, set[str]], set[str]]:
    """Return (stopwords per language, every word of the cleaner's resources)."""
    stop: dict[str, set[str]] = {}
    words: set[str] = set()

    def add_strings(obj: Any, into: set[str]) -> None:
        if isinstance(obj, str):
            into.update(w.lower() for w in _WORD.findall(obj))
        elif isinstance(obj, dict):
            for v in obj.values():
                add_strings(v, into)
        elif isinstance(obj, list):
            for v in obj:
                add_strings(v, into)

    for path in sorted(RESOURCES.glob("*/*")):
        if path.suffix == ".txt":
            entries = [
                x.strip()
                for x in path.read_text(encoding="utf-8").splitlines()
                if x.strip() and not x.startswith("#")
            ]
            found: set[str] = set()
            add_strings(entries, found)
            words |= found
            if path.parent.name == "stopwords":
                stop[path.stem] = found
        elif path.suffix == ".json":
            add_strings(json.loads(path.read_text(encoding="utf-8")), words)
    return stop, words


def _language(words: list[str], langs_of: dict[str, list[str]]) -> str:
    hits: Counter[str] = Counter()
    for w in words:
        hits.update(langs_of.get(w, ()))
    return hits.most_common(1)[0][0] if hits else "en"


def load_source(path: Path, limit: int | None = None) -> tuple[list[Page], dict[str, int]]:
    """Read the source pages; return them and counts of pages left out, by reason."""
    if not path.exists():
        msg = (
            f"source file {path} not found: pass --source PATH to the Dragnet dev set "
            "(dragnet-dev.jsonl: JSON lines with id, site, url, text and labels)"
        )
        raise SystemExit(msg)
    stop, _ = _resource_words()
    langs_of: dict[str, list[str]] = defaultdict(list)  # stopword -> languages it belongs to
    for lang, sw in sorted(stop.items()):
        for w in sw:
            langs_of[w].append(lang)
    pages: list[Page] = []
    seen: dict[tuple[str, ...], list[int]] = defaultdict(list)  # shingle -> pages holding it
    sizes: list[int] = []
    left_out: Counter[str] = Counter()
    with path.open(encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                lines = tuple(obj["text"].split("\n"))
                labels = tuple(int(x) for x in obj["labels"])
            except (ValueError, KeyError, TypeError) as e:
                msg = f"{path}:{n}: not a source page ({e}); each line needs text and labels"
                raise SystemExit(msg) from e
            if len(lines) != len(labels):
                msg = f"{path}:{n}: {len(labels)} labels for {len(lines)} lines of text"
                raise SystemExit(msg)
            if 1 not in labels:
                left_out["no article line"] += 1
                continue
            article = "\n".join(x for x, lab in zip(lines, labels, strict=True) if lab)
            sh = _shingles(article)
            shared = Counter(k for s in sh for k in seen.get(s, ()))
            if any(
                n >= SOURCE_DUPLICATE_CONTAINMENT * min(len(sh), sizes[k])
                for k, n in shared.items()
            ):
                left_out["article duplicates an earlier page"] += 1
                continue
            for s in sh:
                seen[s].append(len(sizes))
            sizes.append(len(sh))
            words = [w.lower() for w in _WORD.findall(article)]
            page = Page(
                id=str(obj["id"]),
                site=str(obj.get("site") or "unknown"),
                url=str(obj.get("url") or ""),
                lines=lines,
                labels=labels,
                lang=_language(words, langs_of),
            )
            pages.append(page)
            if limit is not None and len(pages) >= limit:
                break
    return pages, dict(left_out)


# -- the cipher: generation g >= 1 ---------------------------------------------------------------


def _shape(lower: str) -> tuple[str, str] | None:
    """Return the class a lower-case word is permuted within, or None to keep it as it is."""
    shape = []
    script = ""
    for c in lower:
        if c.isdigit():
            shape.append("0")
        elif c.isalpha():
            shape.append("a")
            if not script:
                try:
                    script = unicodedata.name(c).split()[0]
                except ValueError:
                    return None
        else:
            shape.append(c)
    return script or "DIGIT", "".join(shape)


def _apply_case(target: str, pattern: str) -> str:
    if pattern.islower() or not any(c.isupper() for c in pattern):
        return target
    if pattern.isupper() and len(pattern) > 1:
        up = target.upper()
        return up if len(up) == len(target) else target
    if pattern[0].isupper() and (len(pattern) == 1 or not any(c.isupper() for c in pattern[1:])):
        head = target[0].upper()
        return head + target[1:] if len(head) == 1 else target
    out = []
    for c, p in zip(target, pattern, strict=False):
        u = c.upper()
        out.append(u if p.isupper() and len(u) == 1 else c)
    return "".join(out)


class Cipher:
    """Seeded bijective word substitutions over a corpus' vocabulary, one per generation.

    Args:
        pages: the pages whose vocabulary is enciphered.
        keep: lower-case words left as they are.
        stop_classes: lower-case stopwords and the languages whose lists hold them: a
            stopword is swapped only with a stopword of the same languages (and shape), so
            every language's stopword count on every line stays what it was.
    """

    def __init__(
        self,
        pages: Sequence[Page],
        keep: set[str],
        stop_classes: dict[str, str] | None = None,
    ) -> None:
        self.tokens = [_WORD.split(p.text) for p in pages]
        stop_classes = stop_classes or {}
        forms: set[str] = set()
        for toks in self.tokens:
            forms.update(toks[1::2])
        self.forms = sorted(forms)
        # surface form -> its lower-case form, when that form is enciphered
        self.lower: dict[str, str] = {}
        classes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for form in self.forms:
            low = form.lower()
            if low in keep or len(low) != len(form) or low.upper().lower() != low:
                continue
            shape = _shape(low)
            if shape is None:
                continue
            self.lower[form] = low
            classes[stop_classes.get(low, ""), shape[0], shape[1]].add(low)
        self.classes = [sorted(v) for _, v in sorted(classes.items())]

    @classmethod
    def for_cleaner(cls, pages: Sequence[Page]) -> Cipher:
        """Return the cipher the dump uses: stopwords among stopwords, chrome words kept.

        Words of the cleaner's chrome, date, byline and trailer resources that are not
        stopwords ("share", "comments", "rss", month names) are kept, so chrome reads as
        chrome; stopwords are swapped among themselves, so a line's share of function words
        is unchanged while no run of them repeats across generations.
        """
        stop, words = _resource_words()
        langs: dict[str, list[str]] = defaultdict(list)
        for lang, sw in sorted(stop.items()):
            for w in sw:
                langs[w].append(lang)
        classes = {w: ",".join(v) for w, v in langs.items()}
        return cls(pages, words - set(classes), classes)

    def mapping(self, seed: int, generation: int) -> dict[str, str]:
        """Return the surface-form substitution of one generation (identity for kept words)."""
        rng = random.Random(f"cipher:{seed}:{generation}")
        low_map: dict[str, str] = {}
        for members in self.classes:
            shuffled = members[:]
            rng.shuffle(shuffled)
            low_map.update(zip(members, shuffled, strict=True))
        out = {}
        for form in self.forms:
            low = self.lower.get(form)
            out[form] = form if low is None else _apply_case(low_map[low], form)
        return out

    @staticmethod
    def _url(page: Page, m: dict[str, str], suffix: str) -> str:
        """Rename the host (``www.bbc.co.uk`` -> ``www.bbc.co.uk-g3``), encipher the path."""
        got = re.match(r"([a-z]+://)([^/]*)(.*)", page.url, re.DOTALL)
        if got is None:
            return page.url
        scheme, host, path = got.groups()
        path_tokens = _WORD.split(path)
        path_tokens[1::2] = (m.get(t, t) for t in path_tokens[1::2])
        return scheme + host + suffix + "".join(path_tokens)

    def pages(self, pages: Sequence[Page], seed: int, generation: int) -> list[Page]:
        """Return ``pages`` as generation ``generation`` (0: unchanged)."""
        if generation == 0:
            return list(pages)
        m = self.mapping(seed, generation)
        suffix = f"-g{generation}"
        out = []
        for page, toks in zip(pages, self.tokens, strict=True):
            new = list(toks)
            new[1::2] = map(m.__getitem__, toks[1::2])
            lines = tuple("".join(new).split("\n"))
            url_s = self._url(page, m, suffix)
            site = page.site + suffix
            out.append(replace(page, id=page.id + suffix, site=site, url=url_s, lines=lines))
        return out


# -- making copies -------------------------------------------------------------------------------


def _slug(line: str) -> str:
    return "-".join(w.lower() for w in _WORD.findall(line)[:8]) or "story"


def _host(page: Page) -> str:
    m = re.match(r"[a-z]+://([^/]+)", page.url)
    return m.group(1) if m else page.site


def _new_digits(line: str, rng: random.Random) -> str:
    """Re-draw the counts and times of a chrome line; years stay (a copyright is not a count)."""

    def sub(m: re.Match[str]) -> str:
        digits = m.group()
        n = len(digits)
        if n == 4 and digits[:2] in ("19", "20"):
            return digits
        if n <= 2:  # days, hours, minutes, small counts
            return str(rng.randint(1, 59)).zfill(n)
        return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))

    return _DIGITS.sub(sub, line)


def _rescrape_chrome(
    lines: list[str],
    rng: random.Random,
    donor: list[str] | None,
    *,
    teasers: bool,
    title: bool = False,
) -> list[str]:
    """Perturb a run of chrome lines as a second fetch would (the ``<title>`` line stays)."""
    out = []
    for k, line in enumerate(lines):
        if rng.random() < 0.08 and len(lines) > 1 and not (title and k == 0):
            continue  # a widget that did not render this time
        if _DIGITS.search(line) and rng.random() < 0.5 and not (title and k == 0):
            line = _new_digits(line, rng)  # counts, dates, "5 hours ago"
        out.append(line)
    if teasers and len(out) >= 2:
        # the teaser list of another page: a block of the footer is swapped
        start = rng.randrange(len(out))
        end = min(len(out), start + rng.randint(2, 12))
        if donor:
            d0 = rng.randrange(len(donor))
            out[start:end] = donor[d0 : d0 + (end - start)]
        else:
            block = out[start:end]
            rng.shuffle(block)
            out[start:end] = block
    return out


def _same_site_other(
    page: Page, site_pages: dict[str, list[Page]], rng: random.Random
) -> Page | None:
    others = [p for p in site_pages.get(page.site, ()) if p.id != page.id]
    return rng.choice(others) if others else None


def _other_site(page: Page, pages: Sequence[Page], rng: random.Random) -> Page:
    for _ in range(100):
        other = rng.choice(pages)
        if other.site != page.site:
            return other
    msg = "syndicated copies need pages of at least two sites; raise --limit"
    raise SystemExit(msg)


def _wrap_own(
    page: Page,
    article: list[tuple[str, int]],
    rng: random.Random,
    site_pages: dict[str, list[Page]],
) -> tuple[list[str], list[int]]:
    """Put article lines back in the page's own chrome, re-scraped."""
    donor_page = _same_site_other(page, site_pages, rng)
    donor = _shared_chrome(donor_page.footer) if donor_page is not None else None
    head = _rescrape_chrome(page.header, rng, None, teasers=False, title=True)
    foot = _rescrape_chrome(page.footer, rng, donor, teasers=True)
    if head == page.header and foot == page.footer:
        foot = [*foot, f"{rng.randint(2, 400)} comments"]  # something must differ
    lines = head + [x for x, _ in article] + foot
    labels = [0] * len(head) + [lab for _, lab in article] + [0] * len(foot)
    return lines, labels


def _shared_chrome(lines: list[str]) -> list[str]:
    """Return the lines of a footer that could stand around any article of its site.

    Long lines there are the page's own comments (and long snippets): they belong to that
    page's article, so another article's page would not show them.
    """
    return [x for x in lines if len(x.split()) <= CHROME_MAX_WORDS]


def _chrome_for(other: Page, headline: str) -> tuple[list[str], list[str]]:
    """Return another page's header and footer, made to frame an article with ``headline``.

    The ``<title>`` line gets the new headline in place of the other page's, the other
    headline's repeats leave the header, and the footer loses the other page's comments.
    """
    own = other.article[0].strip()
    head = other.header
    if head:
        title = head[0]
        if own and own in title:
            title = title.replace(own, headline.strip(), 1)
        else:
            title = f"{headline.strip()} | {title}"
        head = [title] + [x for x in head[1:] if not own or own not in x]
    return head, _shared_chrome(other.footer)


def _wrap_other(
    page: Page,
    article: list[str],
    rng: random.Random,
    other: Page,
    *,
    credit: float,
    article_labels: list[int] | None = None,
) -> tuple[list[str], list[int]]:
    """Put article lines in another site's chrome, maybe with a wire credit line."""
    body = list(article)
    labels = list(article_labels) if article_labels is not None else [1] * len(body)
    if rng.random() < credit:
        year = rng.randint(2009, 2025)
        line = rng.choice(WIRE_CREDITS).format(year=year, site=page.site)
        if rng.random() < 0.5:
            body.insert(1 if len(body) > 1 else 0, line)
            labels.insert(1 if len(labels) > 1 else 0, 0)
        else:
            body.append(line)
            labels.append(0)
    head, foot = _chrome_for(other, page.article[0])
    return head + body + foot, [0] * len(head) + labels + [0] * len(foot)


def _edit(article: list[str], rng: random.Random, donor: Page) -> list[str]:
    """Replace 5-15% of the words in a few places; drop or add one sentence."""
    lines = [_WORD.split(x) for x in article]
    slots = [(i, j) for i, toks in enumerate(lines) for j in range(1, len(toks), 2)]
    vocab = sorted({toks[j] for i, toks in enumerate(lines) for j in range(1, len(toks), 2)})
    if len(vocab) < 20:  # a short article: borrow words from another one
        vocab += sorted(set(_WORD.findall(" ".join(donor.article))))[:20]
    n = max(1, round(rng.uniform(*EDIT_FRACTION) * len(slots)))
    places = max(1, min(n, rng.randint(1, 4)))
    per = [n // places + (k < n % places) for k in range(places)]
    for size in per:
        start = rng.randrange(len(slots))
        for i, j in slots[start : start + size]:
            old = lines[i][j]
            for _ in range(5):
                new = rng.choice(vocab)
                if new != old:
                    break
            else:
                new = old + "s"
            lines[i][j] = new
    out = ["".join(toks) for toks in lines]
    splittable = [i for i, x in enumerate(out) if len(_SENTENCE_END.split(x)) >= 2]
    if splittable and rng.random() < 0.5:
        i = rng.choice(splittable)
        sents = _SENTENCE_END.split(out[i])
        del sents[rng.randrange(len(sents))]
        out[i] = " ".join(sents)
    else:
        long_lines = [x for x in donor.article if len(x.split()) >= 8] or donor.article
        sentence = _SENTENCE_END.split(rng.choice(long_lines))[0]
        long_here = [i for i, x in enumerate(out) if len(x.split()) >= 8] or [len(out) - 1]
        i = rng.choice(long_here)
        out[i] = f"{out[i]} {sentence}"
    return out


def _truncate(page: Page, rng: random.Random) -> list[str]:
    """Return the first 20-60% of the article's words, then a "Read more" line."""
    article = page.article
    total = sum(len(x.split()) for x in article)
    keep = max(1, round(rng.uniform(*TRUNCATE_FRACTION) * total))
    out: list[str] = []
    for line in article:
        words = line.split()
        if keep <= 0:
            break
        if len(words) <= keep:
            out.append(line)
        else:
            cut = " ".join(words[:keep])
            out.append(cut + rng.choice((" …", "...", "")))
        keep -= len(words)
    out.append(rng.choice(READ_MORE.get(page.lang, READ_MORE["en"])))
    return out


def _title_case(line: str) -> str:
    return _WORD.sub(lambda m: m.group()[0].upper() + m.group()[1:], line)


def _recase(page: Page, rng: random.Random) -> tuple[list[str], str] | None:
    """Return the page's lines with the headline re-cased and the casing used, or None."""
    first = page.first
    head = page.lines[first]
    styles = ["upper", "title"] if rng.random() < 0.5 else ["title", "upper"]
    for style in styles:
        new = head.upper() if style == "upper" else _title_case(head)
        if new != head and len(new) == len(head):
            break
    else:
        return None
    lines = list(page.lines)
    lines[first] = new
    if first > 0 and head.strip() and head.strip().lower() in lines[0].lower():
        i = lines[0].lower().index(head.strip().lower())
        n = len(head.strip())
        seg = lines[0][i : i + n]
        recased = seg.upper() if style == "upper" else _title_case(seg)
        if len(recased) == n:
            lines[0] = lines[0][:i] + recased + lines[0][i + n :]
    return lines, style


_QUOTES_TO_CURLY = str.maketrans({"'": "\u2019", '"': "\u201d"})
_QUOTES_TO_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_FULLWIDTH = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})


def unicode_variant(lines: list[str], rng: random.Random) -> list[str]:
    """Return ``lines`` with Unicode variants that ``dedup.normalize`` undoes."""
    ops = [op for op in ("quotes", "nbsp", "shy", "digits", "nfd") if rng.random() < 0.5]
    if "nbsp" not in ops:
        ops.append("nbsp")
    if len(ops) < 2:
        ops.append(rng.choice(("quotes", "shy", "digits", "nfd")))
    out = []
    for line in lines:
        if "quotes" in ops:
            if any(c in line for c in "\u2018\u2019\u201c\u201d"):
                line = line.translate(_QUOTES_TO_STRAIGHT)
            else:
                line = re.sub(r'(^|[\s(\[])"', "\\1\u201c", line).translate(_QUOTES_TO_CURLY)
        if "shy" in ops:
            line = re.sub(
                r"\b(\w{4})(\w{4,})",
                lambda m: m.group(1) + "\u00ad" + m.group(2) if rng.random() < 0.3 else m.group(),
                line,
            )
        if "digits" in ops:
            line = line.translate(_FULLWIDTH)
        if "nbsp" in ops:
            line = re.sub(
                r"(?<=\S) (?=\S)", lambda m: "\u00a0" if rng.random() < 0.2 else " ", line
            )
        if "nfd" in ops:
            line = unicodedata.normalize("NFD", line)
        out.append(line)
    return out


def make_copy(
    page: Page,
    kind: str,
    rng: random.Random,
    pages: Sequence[Page],
    site_pages: dict[str, list[Page]],
) -> tuple[list[str], list[int], str, str, str] | None:
    """Return ``(lines, labels, site, url, chrome)`` of one copy of ``page``, or None.

    None when the page cannot carry that kind: a headline without cased letters to re-case,
    an article of fewer than `MIN_EDIT_WORDS` words to edit or truncate.
    """
    article_with_inner = list(zip(page.lines, page.labels, strict=True))[page.first : page.last + 1]
    other = _other_site(page, pages, rng)
    other_url = f"http://{_host(other)}/{_slug(page.article[0])}"
    if kind == "exact":
        return list(page.lines), list(page.labels), page.site, page.url, "own"
    if kind == "rescrape":
        lines, labels = _wrap_own(page, article_with_inner, rng, site_pages)
        url = page.url + ("?utm_source=feed" if page.url and rng.random() < 0.3 else "")
        return lines, labels, page.site, url, "rescrape"
    if kind == "syndicated":
        lines, labels = _wrap_other(page, page.article, rng, other, credit=0.7)
        return lines, labels, other.site, other_url, "other"
    if kind == "recased":
        got = _recase(page, rng)
        if got is None:
            return None
        recased = Page(page.id, page.site, page.url, tuple(got[0]), page.labels, page.lang)
        if rng.random() < OTHER_CHROME["recased"]:
            lines, labels = _wrap_other(recased, recased.article, rng, other, credit=0.3)
            return lines, labels, other.site, other_url, "other"
        inner = list(zip(recased.lines, recased.labels, strict=True))[page.first : page.last + 1]
        lines, labels = _wrap_own(recased, inner, rng, site_pages)
        return lines, labels, page.site, page.url, "rescrape"
    if kind == "unicode":
        if rng.random() < OTHER_CHROME["unicode"]:
            body = unicode_variant(page.article, rng)
            lines, labels = _wrap_other(page, body, rng, other, credit=0.3)
            return lines, labels, other.site, other_url, "other"
        return unicode_variant(list(page.lines), rng), list(page.labels), page.site, page.url, "own"
    if kind in ("edited", "truncated"):
        if sum(len(x.split()) for x in page.article) < MIN_EDIT_WORDS:
            return None
        if kind == "edited":
            body = _edit(page.article, rng, other)
            body_labels = [1] * len(body)
        else:
            body = _truncate(page, rng)
            body_labels = [1] * (len(body) - 1) + [0]  # "Read more" is chrome
        if rng.random() < OTHER_CHROME[kind]:
            lines, labels = _wrap_other(
                page, body, rng, other, credit=0.3, article_labels=body_labels
            )
            return lines, labels, other.site, other_url, "other"
        lines, labels = _wrap_own(page, list(zip(body, body_labels, strict=True)), rng, site_pages)
        return lines, labels, page.site, page.url, "rescrape"
    msg = f"unknown kind {kind!r}; kinds of copy are {', '.join(COPY_KINDS)}"
    raise ValueError(msg)


# -- generations and the dump --------------------------------------------------------------------


def _doc_id(seed: int, page_id: str, k: int) -> str:
    return hashlib.sha1(f"{seed}/{page_id}/{k}".encode()).hexdigest()[:16]


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def generation_groups(pages: Sequence[Page], seed: int, generation: int) -> list[list[Doc]]:
    """Return the groups (original first, then its copies) of one generation's pages."""
    site_pages: dict[str, list[Page]] = defaultdict(list)
    for p in pages:
        site_pages[p.site].append(p)
    groups = []
    for page in pages:
        rng = random.Random(f"copies:{seed}:{generation}:{page.id}")
        gid = _doc_id(seed, page.id, 0)
        docs = [
            Doc(
                gid,
                page.site,
                page.url,
                page.lines,
                page.labels,
                gid,
                "original",
                "own",
                generation,
            )
        ]
        n = _weighted(rng, COPIES_WEIGHTS)
        k = 0
        while len(docs) <= n and k < 4 * n + 4:
            k += 1
            kind = _weighted(rng, KIND_WEIGHTS)
            got = make_copy(page, kind, rng, pages, site_pages)
            if got is None:
                continue
            lines, labels, site, url, chrome = got
            doc_id = _doc_id(seed, page.id, k)
            docs.append(
                Doc(doc_id, site, url, tuple(lines), tuple(labels), gid, kind, chrome, generation)
            )
        groups.append(docs)
    return groups


def parse_size(text: str) -> int:
    """Parse ``"5MB"``, ``"1GB"``, ``"300kB"``, ``"2GiB"`` or a number of bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS:
        msg = f"size must be a number with an optional unit (kB, MB, GB, MiB, GiB), got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(float(m.group(1)) * _UNITS[unit])


def labels_path(dump: Path) -> Path:
    """Return ``<stem>.labels.jsonl`` beside ``dump`` (``d.jsonl.zst`` -> ``d.labels.jsonl``)."""
    name = dump.name
    for suffix in (".gz", ".zst", ".zstd"):
        name = name.removesuffix(suffix)
    for suffix in (".jsonl", ".ndjson", ".json"):
        name = name.removesuffix(suffix)
    return dump.with_name(name + ".labels.jsonl")


@contextlib.contextmanager
def _open_out(path: Path) -> Iterator[IO[bytes]]:
    """Open ``path`` for writing bytes, compressed by suffix; rename into place on success."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    Path(tmp).chmod(0o666 & ~umask)  # mkstemp's 0600 is for secrets; a dump is not one
    raw = os.fdopen(fd, "wb")
    try:
        out: IO[bytes]
        if path.suffix == ".gz":
            # level 1: a dump is written once and read often; 6 would triple the write time
            gz = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=1)
            out = cast("IO[bytes]", gz)
        elif path.suffix in (".zst", ".zstd"):
            import zstandard

            out = zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False)
        else:
            out = raw
        yield out
        if out is not raw:
            out.close()
        raw.close()
        Path(tmp).replace(path)
    except BaseException:
        raw.close()
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(slots=True)
class Summary:
    """What `write_dump` wrote."""

    docs: int = 0
    bytes: int = 0
    groups: int = 0
    generations: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    chromes: Counter[str] = field(default_factory=Counter)
    copies_per_original: Counter[int] = field(default_factory=Counter)
    same_site_pairs: int = 0
    same_site_other_group_pairs: int = 0
    same_group_pairs: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    left_out: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "docs": self.docs,
            "bytes": self.bytes,
            "groups": self.groups,
            "generations": self.generations,
            "kinds": dict(sorted(self.kinds.items())),
            "chromes": dict(sorted(self.chromes.items())),
            "copies_per_original": dict(sorted(self.copies_per_original.items())),
            "same_group_pairs": self.same_group_pairs,
            "same_site_pairs": self.same_site_pairs,
            "same_site_other_group_pairs": self.same_site_other_group_pairs,
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "mb_per_s": round(self.bytes / 1e6 / max(self.seconds, 1e-9), 1),
            "mb_per_cpu_s": round(self.bytes / 1e6 / max(self.cpu_seconds, 1e-9), 1),
            "source_pages_left_out": self.left_out,
        }


def iter_generations(
    pages: Sequence[Page], seed: int, generations: Iterable[int]
) -> Iterator[list[list[Doc]]]:
    """Yield the groups of each generation in turn, enciphering the pages as needed."""
    cipher: Cipher | None = None
    for g in generations:
        if g > 0 and cipher is None:
            cipher = Cipher.for_cleaner(pages)
        gen_pages = cipher.pages(pages, seed, g) if cipher is not None else list(pages)
        yield generation_groups(gen_pages, seed, g)


def write_dump(
    out: Path,
    *,
    size: int | None = None,
    seed: int = 0,
    limit: int | None = None,
    source: Path | None = None,
) -> Summary:
    """Write a dump and its labels; return what was written.

    Args:
        out: the dump path (``.jsonl``, ``.jsonl.gz`` or ``.jsonl.zst``).
        size: stop after the group that brings the uncompressed dump to this many bytes;
            None: one whole generation.
        seed: all randomness derives from it (same seed, same files).
        limit: use only the first ``limit`` usable source pages.
        source: the source pages (default: the Dragnet dev set).
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    pages, left_out = load_source(source or default_source(), limit)
    summary = Summary(left_out=left_out)
    budget = size
    with _open_out(out) as dump_f, _open_out(labels_path(out)) as labels_f:
        g = 0
        gen_rng = random.Random(f"order:{seed}")
        for groups in iter_generations(pages, seed, range(10**9)):
            gen_rng.shuffle(groups)
            chosen: list[tuple[bytes, Doc]] = []
            done = False
            for docs in groups:
                for d in docs:
                    line = json.dumps(d.record(), ensure_ascii=False) + "\n"
                    data = line.encode("utf-8", "surrogatepass")
                    chosen.append((data, d))
                    summary.bytes += len(data)
                summary.groups += 1
                summary.copies_per_original[len(docs) - 1] += 1
                if budget is not None and summary.bytes >= budget:
                    done = True
                    break
            gen_rng.shuffle(chosen)
            site_n: Counter[str] = Counter()
            site_group_n: Counter[tuple[str, str]] = Counter()
            group_n: Counter[str] = Counter()
            for data, d in chosen:
                dump_f.write(data)
                labels_f.write((json.dumps(d.label(), ensure_ascii=False) + "\n").encode())
                summary.kinds[d.kind] += 1
                summary.chromes[d.chrome] += 1
                site_n[d.site] += 1
                site_group_n[d.site, d.group] += 1
                group_n[d.group] += 1
            summary.docs += len(chosen)
            pairs = sum(n * (n - 1) // 2 for n in site_n.values())
            summary.same_site_pairs += pairs
            summary.same_site_other_group_pairs += pairs - sum(
                n * (n - 1) // 2 for n in site_group_n.values()
            )
            summary.same_group_pairs += sum(n * (n - 1) // 2 for n in group_n.values())
            g += 1
            if done or budget is None:
                break
        summary.generations = g
    summary.seconds = time.perf_counter() - start
    summary.cpu_seconds = time.process_time() - cpu_start
    return summary


def copy_hardness(
    seed: int = 0, limit: int | None = None, source: Path | None = None
) -> dict[str, dict[str, float]]:
    """Return, per kind, how alike copies of generation 0 are to their originals.

    Word 5-shingles (lower-cased, whitespace-split) of the whole text and of the article
    lines: Jaccard of the texts, Jaccard and containment (shared / smaller) of the articles;
    the median and 10th percentile of each over the copies of that kind.
    """
    pages, _ = load_source(source or default_source(), limit)
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for docs in generation_groups(pages, seed, 0):
        orig = docs[0]
        o_all, o_art = _shingles(orig.text), _shingles("\n".join(_article_of(orig)))
        for d in docs[1:]:
            d_all, d_art = _shingles(d.text), _shingles("\n".join(_article_of(d)))
            row = found[d.kind]
            row["raw_jaccard"].append(len(o_all & d_all) / len(o_all | d_all))
            row["article_jaccard"].append(len(o_art & d_art) / len(o_art | d_art))
            row["article_containment"].append(len(o_art & d_art) / min(len(o_art), len(d_art)))
    out: dict[str, dict[str, float]] = {}
    for kind in COPY_KINDS:
        if kind not in found:
            continue
        out[kind] = {"copies": len(found[kind]["raw_jaccard"])}
        for name, values in found[kind].items():
            v = sorted(values)
            out[kind][f"{name}_median"] = round(v[len(v) // 2], 3)
            out[kind][f"{name}_p10"] = round(v[len(v) // 10], 3)
    return out


def _article_of(doc: Doc) -> list[str]:
    return [x for x, lab in zip(doc.lines, doc.labels, strict=True) if lab]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, help="dump path (required)")
    parser.add_argument("--size", type=parse_size, help="e.g. 5MB, 1GB (default: 1 generation)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="source pages per generation (for tests)")
    parser.add_argument("--source", type=Path, default=None, help="Dragnet dev JSONL")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--hardness",
        action="store_true",
        help="print how alike each kind of copy is to its original (generation 0) and exit",
    )
    args = parser.parse_args(argv)
    if args.hardness:
        table = copy_hardness(args.seed, args.limit, args.source)
        print(json.dumps(table, indent=2))
        return 0
    if args.output is None:
        parser.error("-o/--output is required: the dump's path (.jsonl, .jsonl.gz, .jsonl.zst)")
    if args.limit is not None and args.limit < 2:
        parser.error("--limit must be at least 2 (copies need pages of two sites)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    summary = write_dump(
        args.output, size=args.size, seed=args.seed, limit=args.limit, source=args.source
    )
    info = summary.as_dict()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"wrote {args.output} and {labels_path(args.output)}", file=sys.stderr)
        for key, value in info.items():
            print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
