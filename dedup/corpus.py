"""Site chrome learned across documents: lines that recur on differently titled pages of a site.

Receives, document by document, a site key (a ``site`` field or the host of a URL), the raw
text and the cleaned text; hands on, once `SiteChrome.finish` has run, `SiteChrome.strip`:
the cleaned text without the lines learned as the site's chrome. Used by
`dedup.find_duplicates` on the text it *compares*, never on what it writes.

What is learned, and why it generalises: a line (after `dedup.clean`, normalised) is site
chrome when it appears on pages of one site whose first raw lines differ on at least
``min_pages`` pages. The first raw line of a scraped page is its title (the ``<title>`` line,
or the headline), which copies of one article share and different articles do not: a sidebar
of testimonials or the site's list of other posts appears under many titles, an article's
paragraph under its own title only. A site whose pages all start with the same line (the
site's name) gives one key, and nothing is learned there: the failure is to learn nothing,
never to drop an article. The first kept line of a page (its headline) is never dropped.

Memory: two 64-bit integers per distinct line of each page while learning, then one per line
learned.
"""

from __future__ import annotations

from array import array

import numpy as np

from dedup.errors import ConfigError
from dedup.normalize import normalize

#: Default number of differently titled pages of one site a line must appear on.
MIN_PAGES = 3


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _first_line(text: str) -> str:
    for line in text.split("\n", 32):
        if line.strip():
            return line
    return ""


class SiteChrome:
    r"""Learn, across documents, the cleaned lines that are a site's chrome; strip them.

    Args:
        min_pages: how many differently titled pages of one site a line must appear on.

    Raises:
        ConfigError: ``min_pages`` is below 2.

    Example:
        >>> chrome = SiteChrome(min_pages=2)
        >>> for title in ("Budget passes", "Storm hits coast"):
        ...     text = f"{title}\nStory about {title.lower()}.\nOur testimonials: great!"
        ...     chrome.observe("example.com", text, text)
        >>> chrome.finish()
        >>> chrome.strip("example.com", "Budget passes\nStory.\nOur testimonials: great!")
        'Budget passes\nStory.'
        >>> chrome.strip("other.org", "Title\nOur testimonials: great!")
        'Title\nOur testimonials: great!'
    """

    def __init__(self, *, min_pages: int = MIN_PAGES) -> None:
        if not isinstance(min_pages, int) or min_pages < 2:
            msg = f"min_pages must be a whole number >= 2, got {min_pages!r}"
            raise ConfigError(msg)
        self.min_pages = min_pages
        self._sites: dict[str, int] = {}
        self._line_keys = array("q")
        self._page_keys = array("q")
        self._chrome: frozenset[int] | None = None
        self.pages = 0

    def _site_id(self, site: str) -> int:
        return self._sites.setdefault(site, len(self._sites))

    def observe(self, site: str | None, raw: str, cleaned: str) -> None:
        """Count the lines of one page; ``site`` None (unknown) teaches nothing."""
        if site is None or self._chrome is not None:
            return
        lines = _lines(cleaned)
        if len(lines) < 2:
            return
        sid = self._site_id(site)
        page = hash(normalize(_first_line(raw)))
        keys = {hash((sid, normalize(line))) for line in lines[1:]}
        self._line_keys.extend(keys)
        self._page_keys.extend([page] * len(keys))
        self.pages += 1

    def finish(self) -> None:
        """Decide which lines are chrome; `observe` is then closed and `strip` open."""
        if self._chrome is not None:
            return
        if not self._line_keys:
            self._chrome = frozenset()
            return
        pairs = np.stack(
            [np.frombuffer(self._line_keys, np.int64), np.frombuffer(self._page_keys, np.int64)],
            axis=1,
        )
        distinct = np.unique(pairs, axis=0)  # each (line, page title) once
        lines, pages = np.unique(distinct[:, 0], return_counts=True)
        self._chrome = frozenset(lines[pages >= self.min_pages].tolist())
        self._line_keys = array("q")
        self._page_keys = array("q")

    @property
    def learned(self) -> int:
        """Return how many (site, line) pairs were learned as chrome (0 before `finish`)."""
        return len(self._chrome) if self._chrome is not None else 0

    def strip(self, site: str | None, cleaned: str) -> str:
        """Return ``cleaned`` without the site's chrome lines (its first line always stays).

        Raises:
            ConfigError: `finish` has not run.
        """
        if self._chrome is None:
            msg = "SiteChrome.strip before finish(): observe every page, then call finish()"
            raise ConfigError(msg)
        if site is None or not self._chrome or site not in self._sites:
            return cleaned
        sid = self._sites[site]
        lines = _lines(cleaned)
        chrome = self._chrome
        kept = lines[:1] + [x for x in lines[1:] if hash((sid, normalize(x))) not in chrome]
        return "\n".join(kept) if len(kept) < len(lines) else cleaned
