"""Site chrome learned across documents (`dedup.Cleaner`) as `dedup.find_duplicates` uses it.

The Cleaner itself is tested in test_learn.py; here, what learning changes for near-duplicates:
pages of one site that share only a long sidebar are not merged, real copies still are.
"""

from __future__ import annotations

import random

import dedup


def site_pages(n: int, *, seed: int = 1, sidebar_lines: int = 6):
    """``n`` different articles of one site, each followed by the same long sidebar.

    The sidebar lists other posts as a teaser list does: a short headline, then its snippet.
    """
    rng = random.Random(seed)
    letters = "etaoinshrdlucmfwypvbgk"
    # Word-like strings of 3-9 letters: character shingles of real text differ as these do.
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(5000)]

    def para(lo: int, hi: int, words: int) -> str:
        return " ".join(rng.choice(vocab[lo:hi]) for _ in range(words)) + "."

    teasers = [
        (f"More on {rng.choice(vocab)} {rng.choice(vocab)}", para(0, 300, 40)) for _ in range(3)
    ]
    sidebar = "\n".join(line for teaser in teasers for line in teaser)
    assert len(sidebar.split("\n")) == sidebar_lines
    pages = []
    for k in range(n):
        body = "\n".join(para(300 + k * 900, 300 + (k + 1) * 900, 35) for _ in range(2))
        title = f"Headline about {rng.choice(vocab)} and {rng.choice(vocab)}"
        pages.append({"id": f"p{k}", "site": "example.com", "text": f"{title}\n{body}\n{sidebar}"})
    return pages, sidebar


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
    # No site nor URL: the pages are grouped by their shared edge lines (the sidebar's
    # headlines), and the chrome is learned all the same.
    plain = [p["text"] for p in pages]
    assert len(dedup.find_duplicates(plain).clusters) == 5
    assert len(dedup.find_duplicates(plain, learn_chrome=False).clusters) == 1
