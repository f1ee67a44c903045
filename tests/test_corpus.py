"""`dedup.corpus.SiteChrome`: site chrome learned across documents, and its use by dups."""

from __future__ import annotations

import random

import pytest

import dedup
from dedup.corpus import SiteChrome
from dedup.errors import ConfigError


def site_pages(n: int, *, seed: int = 1, sidebar_lines: int = 6):
    """``n`` different articles of one site, each followed by the same long sidebar."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(5000)]

    def para(lo: int, hi: int, words: int) -> str:
        return " ".join(rng.choice(vocab[lo:hi]) for _ in range(words)) + "."

    sidebar = "\n".join(para(0, 300, 40) for _ in range(sidebar_lines))
    pages = []
    for k in range(n):
        body = "\n".join(para(300 + k * 900, 300 + (k + 1) * 900, 35) for _ in range(2))
        title = f"Headline number {k} about topic {k * 7}"
        pages.append({"id": f"p{k}", "site": "example.com", "text": f"{title}\n{body}\n{sidebar}"})
    return pages, sidebar


def test_a_shared_sidebar_is_learned_and_stripped_but_the_headline_stays():
    pages, sidebar = site_pages(4)
    chrome = SiteChrome()
    for p in pages:
        chrome.observe(p["site"], p["text"], p["text"])
    chrome.finish()
    assert chrome.learned == len(sidebar.split("\n"))
    stripped = chrome.strip("example.com", pages[0]["text"])
    assert stripped == "\n".join(pages[0]["text"].split("\n")[:3])
    assert chrome.strip("other.org", pages[0]["text"]) == pages[0]["text"]
    assert chrome.strip(None, pages[0]["text"]) == pages[0]["text"]


def test_lines_under_one_title_are_not_chrome():
    # Copies of one article (same first line) repeat its lines: that teaches nothing.
    pages, _ = site_pages(1)
    chrome = SiteChrome(min_pages=2)
    for _ in range(5):
        chrome.observe("example.com", pages[0]["text"], pages[0]["text"])
    chrome.finish()
    assert chrome.learned == 0


def test_min_pages_is_respected():
    pages, _ = site_pages(2)
    chrome = SiteChrome(min_pages=3)
    for p in pages:
        chrome.observe(p["site"], p["text"], p["text"])
    chrome.finish()
    assert chrome.learned == 0


def test_misuse_is_refused():
    with pytest.raises(ConfigError, match="min_pages"):
        SiteChrome(min_pages=1)
    with pytest.raises(ConfigError, match="finish"):
        SiteChrome().strip("a", "b")


def test_find_duplicates_does_not_merge_pages_that_share_only_site_chrome():
    pages, _ = site_pages(5)
    without = dedup.find_duplicates(pages, learn_chrome=False)
    assert len(without.clusters) == 1  # the sidebar outweighs each article
    learned = dedup.find_duplicates(pages)
    assert len(learned.clusters) == 5
    assert learned.stats.chrome_lines == 6
    # ... while a real copy of one of them is still found
    copy = {"id": "copy", "site": "example.com", "text": pages[2]["text"] + "\nRead more"}
    again = dedup.find_duplicates([*pages, copy])
    assert again.cluster_of("copy").ids == ("p2", "copy")


def test_sites_come_from_the_site_field_or_the_url_host():
    pages, _ = site_pages(5)
    by_url = [
        {"id": p["id"], "url": f"https://www.example.com/{p['id']}", "text": p["text"]}
        for p in pages
    ]
    assert len(dedup.find_duplicates(by_url).clusters) == 5
    plain = [p["text"] for p in pages]  # no site: nothing can be learned
    assert len(dedup.find_duplicates(plain).clusters) == 1
