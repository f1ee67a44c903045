"""Build examples/dump.jsonl: the sample pages plus the kinds of copies scrapers collect.

Run from the project root: ``python examples/build_dump.py``. The copies are made from the
pages of articles.jsonl, deterministically, so the file can be rebuilt and checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import dedup

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Write examples/dump.jsonl beside this script."""
    pages = {
        json.loads(line)["id"]: json.loads(line)["text"]
        for line in (HERE / "articles.jsonl").open(encoding="utf-8")
    }
    arab, newsroom, dawn = (pages[k] for k in sorted(pages) if k[0].isdigit())
    records = [{"id": k, "url": f"https://example.test/{k}", "text": t} for k, t in pages.items()]
    # 1. A byte-identical re-scrape of the Dawn page.
    records.append({"id": "dawn-mirror", "url": "https://mirror.test/dawn", "text": dawn})
    # 2. The Newsroom article syndicated under another site's chrome, with a wire credit.
    body = dedup.clean(newsroom)
    chrome_top = "Home\nWorld\nBusiness\nShare\nFollow us"
    chrome_end = "This article first appeared on Newsroom.\nMost read\nSubscribe to our newsletter"
    records.append(
        {
            "id": "newsroom-syndicated",
            "url": "https://aggregator.test/story/123",
            "text": f"{chrome_top}\n{body}\n{chrome_end}",
        }
    )
    # 3. The Arab News page re-scraped after a copy edit: a few words changed.
    edited = arab.replace("Saudi", "Saudi Arabian", 2).replace("said", "told reporters", 3)
    records.append({"id": "arab-edited", "url": "https://example.test/arab-v2", "text": edited})
    # 4. The Dawn article cut short behind "Read more" on an aggregator.
    words = dedup.clean(dawn).split(" ")
    teaser = " ".join(words[: len(words) // 3]) + "…\nRead more"
    records.append({"id": "dawn-truncated", "url": "https://aggregator.test/dawn", "text": teaser})
    with (HERE / "dump.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
