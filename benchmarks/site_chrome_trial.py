"""Trial: learn a site's chrome from the dump itself before near-duplicate matching.

Not part of the library: the evidence behind a claim in docs/limitations.md, kept so the
corpus-aware cleaner can start from it. Receives a dump and labels made by make_dump.py; for
each document, cleans the text (`dedup.clean`), then drops from the *compared* text the
cleaned lines that appear on pages of the same site whose page key differs on at least
``--min-keys`` pages (the key: the raw first line, which is the ``<title>`` line of these
pages, or with ``--key cleaned`` the first cleaned line). It then clusters as
`dedup.find_duplicates` does (signatures, LSH, verification at 0.8, members unlike their
representative split off, exact matches) and prints the scores of neardup_quality.py for the
cleaned text and for the stripped text.

Usage (from the repository root)::

    python benchmarks/make_dump.py -o /tmp/g.jsonl --seed 0
    python benchmarks/site_chrome_trial.py /tmp/g.jsonl --min-keys 2
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from neardup_quality import Labelled, load, score

import dedup
from dedup.cluster import cluster_signatures
from dedup.normalize import normalize
from dedup.signatures import signatures

THRESHOLD = 0.8


def strip_site_chrome(
    cleaned: list[str], raw: list[str], sites: list[str], *, min_keys: int, key: str
) -> tuple[list[str], int]:
    """Return the cleaned texts without lines seen on ``min_keys``+ differently keyed pages."""
    keys_of_line: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    lines_of = []
    for text, page, site in zip(cleaned, raw, sites, strict=True):
        lines = [line for line in text.split("\n") if line.strip()]
        lines_of.append(lines)
        if not lines:
            continue
        page_key = normalize(page.split("\n", 1)[0]) if key == "raw" else normalize(lines[0])
        for line in {normalize(x) for x in lines[1:]}:
            keys_of_line[(site, line)].add(page_key)
    chrome = {k for k, v in keys_of_line.items() if len(v) >= min_keys}
    out = []
    for lines, site in zip(lines_of, sites, strict=True):
        kept = [x for i, x in enumerate(lines) if i == 0 or (site, normalize(x)) not in chrome]
        out.append("\n".join(kept))
    return out, len(chrome)


def clusters(texts: list[str]) -> np.ndarray:
    """Cluster as dedup.find_duplicates does; return one label per document."""
    sigs, sizes = signatures(texts)
    n = len(texts)
    labels = np.arange(n)
    todo = np.flatnonzero(sizes >= 8)
    for _ in range(3):
        if len(todo) < 2:
            break
        cl = cluster_signatures(sigs[todo], sizes[todo], threshold=THRESHOLD, priority=-sizes[todo])
        weak = cl.similarity < THRESHOLD
        labels[todo] = np.where(weak, todo, todo[cl.labels])
        todo = todo[weak]
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        k = normalize(text)
        if not k.strip():
            continue
        if k in first:
            labels[labels == labels[i]] = labels[first[k]]
        else:
            first[k] = i
    return labels


def report(name: str, data: Labelled, labels: np.ndarray) -> None:
    r = score(data, labels)
    kinds = {k: round(v, 2) for k, v in r["recall_by_kind"].items()}
    print(
        f"{name:28s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
        f"same-site FPR {r['same_site_fpr'] * 100:.2f}%  {kinds}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump", type=Path)
    ap.add_argument("--min-keys", type=int, default=2)
    ap.add_argument("--key", choices=("raw", "cleaned"), default="raw")
    args = ap.parse_args()
    data = load(args.dump, args.dump.with_name(args.dump.stem + ".labels.jsonl"))
    with args.dump.open(encoding="utf-8") as f:
        sites = [json.loads(line).get("site") or "" for line in f if line.strip()]
    cleaned = [dedup.clean(t) for t in data.texts]
    stripped, n_chrome = strip_site_chrome(
        cleaned, data.texts, sites, min_keys=args.min_keys, key=args.key
    )
    print(f"{len(cleaned):,} documents; {n_chrome:,} (site, line) pairs learned as chrome")
    report("cleaned", data, clusters(cleaned))
    report(f"stripped ({args.key} key, {args.min_keys}+)", data, clusters(stripped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
