"""Near-duplicate quality: clusters of ``dedup.find_duplicates`` against labelled groups.

Receives a dump and its labels as `make_dump.py` writes them (``--dump PATH``; labels read
from ``<stem>.labels.jsonl`` beside it, or ``--labels``); by default it generates one
generation of the Dragnet dev pages with a fixed seed into a temporary directory. Every
contender clusters the same documents, and this hands on, per contender, one table row:

- pairwise precision / recall / F1: pairs of documents in one predicted cluster against
  pairs in one label group, computed from the contingency counts (never by listing pairs);
- adjusted Rand index, from the same contingency table;
- recall per kind of copy: the share of the copies of that kind that land in the cluster of
  their original; the same by the chrome around the copy (its own page's, its site's
  re-scraped, another site's);
- same-site false-positive rate: the share of pairs of one site from different groups (pages
  that share the site's chrome, not their article) that are put in one cluster;
- documents per second (wall time of the clustering call, documents already in memory).

Contenders, in the same run on the same documents:

- ``dedup`` (``clean=True``, the default) and ``dedup clean=False``, at ``--threshold``;
- ``datasketch raw``: datasketch ``MinHashLSH`` on the raw text, written as its users do:
  word 5-shingles (lower-cased, whitespace-split), ``MinHash(num_perm=128)`` fed each
  shingle's UTF-8 bytes (``update_batch``: the same signature as ``update`` one at a time),
  ``MinHashLSH(threshold, num_perm=128)``, insert all, query each, union the results; at 0.8
  and at 0.5;
- ``exact text``: documents with byte-identical text (a floor: it finds only exact copies).

Bars (the issue's): F1 >= 0.95 and same-site false-positive rate <= 0.1% for ``dedup`` at
``--threshold``; ``--check`` exits 1 when one is missed (or ``dedup.find_duplicates`` is
missing).

Usage (from the repository root)::

    python benchmarks/neardup_quality.py                     # one generation, seed 0
    python benchmarks/neardup_quality.py --dump /tmp/dump.jsonl.zst --json
    python benchmarks/neardup_quality.py --size 50MB --check
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_dump
from environment import cpu_model, git_state, versions

from dedup.io import Reader

BAR_F1 = 0.95
BAR_SAME_SITE_FPR = 0.001
NUM_PERM = 128
SHINGLE = 5
PACKAGES = ("dedup", "numpy", "datasketch", "zstandard")


# -- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Labelled:
    """The documents of a dump, in dump order, with their labels."""

    ids: list[str]
    texts: list[str]
    urls: list[str | None]  # the records' own url field (what a scraper dump carries)
    group: NDArray[np.int64]  # label group per document (dense ints)
    site: NDArray[np.int64]  # site per document (dense ints)
    kind: list[str]
    chrome: list[str]
    generation: NDArray[np.int64]  # make_dump's generation (0 when the labels have none)
    original: NDArray[np.int64]  # index of the group's original, -1 when not in the dump
    site_names: list[str]  # site name of each dense site number


def _dense(values: Sequence[str]) -> NDArray[np.int64]:
    return _dense_names(values)[0]


def _dense_names(values: Sequence[str]) -> tuple[NDArray[np.int64], list[str]]:
    names, inverse = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return inverse.astype(np.int64).reshape(-1), [str(x) for x in names]


def load(dump: Path, labels: Path) -> Labelled:
    """Read a dump and its labels; every document must have exactly one label."""
    if not labels.exists():
        msg = f"labels file {labels} not found: make_dump.py writes it beside the dump"
        raise SystemExit(msg)
    by_id: dict[str, dict[str, str]] = {}
    with labels.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                row = json.loads(line)
                if row["id"] in by_id:
                    msg = f"{labels}:{n}: id {row['id']!r} labelled twice"
                    raise SystemExit(msg)
                by_id[row["id"]] = row
    ids: list[str] = []
    texts: list[str] = []
    urls: list[str | None] = []
    for rec in Reader(dump):
        ids.append(rec.id)
        texts.append(rec.text)
        urls.append((rec.fields or {}).get("url"))
    missing = [i for i in ids if i not in by_id]
    if missing or len(ids) != len(by_id) or len(set(ids)) != len(ids):
        msg = (
            f"{dump} and {labels} do not match: {len(ids)} documents "
            f"({len(ids) - len(set(ids))} repeated ids), {len(by_id)} labels, "
            f"{len(missing)} documents without a label (first: {missing[:3]})"
        )
        raise SystemExit(msg)
    rows = [by_id[i] for i in ids]
    index = {i: k for k, i in enumerate(ids)}
    site, site_names = _dense_names([r["site"] for r in rows])
    return Labelled(
        ids=ids,
        texts=texts,
        urls=urls,
        group=_dense([r["group"] for r in rows]),
        site=site,
        kind=[r["kind"] for r in rows],
        chrome=[r.get("chrome", "") for r in rows],
        generation=np.array([int(r.get("generation", 0)) for r in rows], dtype=np.int64),
        original=np.array([index.get(r["group"], -1) for r in rows], dtype=np.int64),
        site_names=site_names,
    )


# -- scores ---------------------------------------------------------------------------------------


def _pairs(*keys: NDArray[np.int64]) -> int:
    """Return the number of pairs of documents that agree on every key: sum of C(n, 2)."""
    stacked = np.stack(keys, axis=1)
    _, counts = np.unique(stacked, axis=0, return_counts=True)
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def _pairs_per(first: NDArray[np.int64], *keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return, for each value of ``first``, the pairs that agree on ``first`` and every key."""
    stacked = np.stack((first, *keys), axis=1)
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    c = counts.astype(np.int64)
    out = np.zeros(int(first.max()) + 1 if len(first) else 0, dtype=np.int64)
    np.add.at(out, uniq[:, 0], c * (c - 1) // 2)
    return out


def pair_counts(pred: NDArray[np.int64], truth: NDArray[np.int64]) -> tuple[int, int, int, int]:
    """Return (pairs together in both, predicted pairs, true pairs, all pairs)."""
    n = len(pred)
    return _pairs(pred, truth), _pairs(pred), _pairs(truth), n * (n - 1) // 2


def adjusted_rand_index(pred: NDArray[np.int64], truth: NDArray[np.int64]) -> float:
    """Return the adjusted Rand index of two labelings, from their contingency table."""
    both, a, b, total = pair_counts(pred, truth)
    if total == 0:
        return 1.0
    expected = a * b / total
    maximum = (a + b) / 2
    if maximum == expected:  # both all singletons or both one cluster: identical partitions
        return 1.0
    return (both - expected) / (maximum - expected)


def score(data: Labelled, pred: NDArray[np.int64]) -> dict[str, Any]:
    """Return every figure of one contender's clusters ``pred`` (one int per document)."""
    both, n_pred, n_true, _ = pair_counts(pred, data.group)
    precision = both / n_pred if n_pred else 1.0
    recall = both / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    same_site = _pairs(data.site) - _pairs(data.site, data.group)
    same_site_merged = _pairs(data.site, pred) - _pairs(data.site, pred, data.group)
    by_site = _pairs_per(data.site, pred) - _pairs_per(data.site, pred, data.group)
    worst = [(data.site_names[k], int(by_site[k])) for k in np.argsort(-by_site)[:10]]
    per_kind: dict[str, list[int]] = {}
    per_chrome: dict[str, list[int]] = {}
    by_chrome: dict[str, list[int]] = {}
    for k, kind in enumerate(data.kind):
        o = data.original[k]
        if kind == "original" or o < 0:
            continue
        hit = int(pred[k] == pred[o])
        for table, key in (
            (per_kind, kind),
            (per_chrome, f"{kind}/{data.chrome[k]}"),
            (by_chrome, data.chrome[k]),
        ):
            table.setdefault(key, [0, 0])
            table[key][0] += hit
            table[key][1] += 1
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "ari": adjusted_rand_index(pred, data.group),
        "same_site_fpr": same_site_merged / same_site if same_site else 0.0,
        "same_site_pairs_merged": same_site_merged,
        "same_site_pairs": same_site,
        # generations share nothing by construction: any such pair is a false positive
        "cross_generation_pairs_merged": _pairs(pred) - _pairs(pred, data.generation),
        "same_site_pairs_merged_by_site": {k: n for k, n in worst if n},
        "predicted_pairs": n_pred,
        "true_pairs": n_true,
        "clusters": len(np.unique(pred)),
        "recall_by_kind": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
        "copies_by_kind": {k: v[1] for k, v in sorted(per_kind.items())},
        "recall_by_kind_chrome": {k: v[0] / v[1] for k, v in sorted(per_chrome.items())},
        "recall_by_chrome": {k: v[0] / v[1] for k, v in sorted(by_chrome.items())},
        "copies_by_chrome": {k: v[1] for k, v in sorted(by_chrome.items())},
    }


# -- contenders -----------------------------------------------------------------------------------


class UnionFind:
    """Union-find over ``n`` items, with path halving."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def labels(self) -> NDArray[np.int64]:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)


def exact_text(texts: Sequence[str]) -> NDArray[np.int64]:
    """Cluster documents with byte-identical text."""
    first: dict[bytes, int] = {}
    return np.array(
        [first.setdefault(hashlib.sha1(t.encode()).digest(), k) for k, t in enumerate(texts)],
        dtype=np.int64,
    )


def datasketch_minhashes(texts: Sequence[str]) -> list[Any]:
    """Return one datasketch MinHash per text: word 5-shingles, lower-cased, UTF-8 bytes."""
    from datasketch import MinHash

    out = []
    for text in texts:
        words = text.lower().split()
        shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in shingles])
        out.append(m)
    return out


def datasketch_lsh(minhashes: Sequence[Any], threshold: float) -> NDArray[np.int64]:
    """Insert every MinHash in a ``MinHashLSH``, query each, union what comes back."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for k, m in enumerate(minhashes):
        lsh.insert(k, m)
    uf = UnionFind(len(minhashes))
    for k, m in enumerate(minhashes):
        for j in lsh.query(m):
            uf.union(k, j)
    return uf.labels()


def dedup_clusters(
    data: Labelled, threshold: float, *, clean: bool, learn: bool = True
) -> tuple[NDArray[np.int64], dict[str, int]]:
    """Run ``dedup.find_duplicates``; return cluster per document and problems seen.

    Documents go in as the dump holds them: id, text and the record's url (from which dedup
    takes the site, to learn its chrome; never the labels).
    """
    import dedup

    docs = [
        {"id": i, "text": t, "url": u}
        for i, t, u in zip(data.ids, data.texts, data.urls, strict=True)
    ]
    result = dedup.find_duplicates(docs, threshold=threshold, clean=clean, learn_chrome=learn)
    index = {i: k for k, i in enumerate(data.ids)}
    pred = np.full(len(data.ids), -1, dtype=np.int64)
    problems: Counter[str] = Counter()
    for c, cluster in enumerate(result.clusters):
        for doc_id in cluster.ids:
            k = index.get(doc_id)
            if k is None:
                problems["unknown id in a cluster"] += 1
            elif pred[k] >= 0:
                problems["document in two clusters"] += 1
            else:
                pred[k] = c
    lost = np.flatnonzero(pred < 0)
    if len(lost):
        problems["document in no cluster (scored as a singleton)"] += len(lost)
        pred[lost] = np.arange(len(lost)) + len(pred) + 1
    return pred, dict(problems)


@dataclass(slots=True)
class Row:
    """One contender's result."""

    name: str
    seconds: float
    scores: dict[str, Any]
    problems: dict[str, int]


def run_all(
    data: Labelled, threshold: float, *, with_dedup: bool = True
) -> tuple[list[Row], dict[str, str]]:
    """Run every contender on ``data``.

    Returns their rows (dedup rows first when available) and, by name, the contenders that
    raised, with the error: a crash of work in progress is reported, not fatal to the run.
    """
    rows: list[Row] = []
    failed: dict[str, str] = {}

    def timed(name: str, fn: Callable[[], NDArray[np.int64]], extra: float = 0.0) -> None:
        t0 = time.perf_counter()
        pred = fn()
        rows.append(Row(name, time.perf_counter() - t0 + extra, score(data, pred), {}))

    if with_dedup and dedup_available():
        for clean, learn in ((True, True), (True, False), (False, False)):
            name = f"dedup t={threshold}" + (
                "" if learn else " no site learning" if clean else " clean=False"
            )
            t0 = time.perf_counter()
            try:
                pred, problems = dedup_clusters(data, threshold, clean=clean, learn=learn)
            except Exception as e:  # reported, with the frame that raised
                tb = traceback.extract_tb(e.__traceback__)[-1]
                where = f"{Path(tb.filename).name}:{tb.lineno}"
                failed[name] = f"{type(e).__name__}: {e} (at {where})"
                continue
            rows.append(Row(name, time.perf_counter() - t0, score(data, pred), problems))
    t0 = time.perf_counter()
    minhashes = datasketch_minhashes(data.texts)
    signing = time.perf_counter() - t0
    for t in (0.8, 0.5):
        timed(f"datasketch raw t={t}", functools.partial(datasketch_lsh, minhashes, t), signing)
    timed("exact text", lambda: exact_text(data.texts))
    return rows, failed


def dedup_available() -> bool:
    import dedup

    return callable(getattr(dedup, "find_duplicates", None))


# -- report ---------------------------------------------------------------------------------------


def render(rows: list[Row], n_docs: int, kinds: Sequence[str]) -> str:
    head = f"{'method':<28} {'P':>6} {'R':>6} {'F1':>6} {'ARI':>6} {'site FPR':>9} {'docs/s':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        s = r.scores
        lines.append(
            f"{r.name:<28} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
            f"{s['ari']:6.3f} {100 * s['same_site_fpr']:8.3f}% {n_docs / r.seconds:8.0f}"
        )
    lines.append("")
    lines.append("recall per kind of copy (copies in their original's cluster)")
    counts = rows[0].scores["copies_by_kind"] if rows else {}
    kh = f"{'method':<28} " + " ".join(f"{k[:10]:>10}" for k in kinds)
    lines += [kh, f"{'(copies)':<28} " + " ".join(f"{counts.get(k, 0):>10}" for k in kinds)]
    for r in rows:
        rk = r.scores["recall_by_kind"]
        cells = " ".join(f"{rk[k]:10.3f}" if k in rk else f"{'-':>10}" for k in kinds)
        lines.append(f"{r.name:<28} {cells}")
    lines.append("")
    lines.append("recall by chrome around the copy (own page, same site re-scraped, another site)")
    chromes = [
        c for c in ("own", "rescrape", "other") if rows and c in rows[0].scores["copies_by_chrome"]
    ]
    by = rows[0].scores["copies_by_chrome"] if rows else {}
    lines.append(f"{'method':<28} " + " ".join(f"{c:>10}" for c in chromes))
    lines.append(f"{'(copies)':<28} " + " ".join(f"{by[c]:>10}" for c in chromes))
    for r in rows:
        rc = r.scores["recall_by_chrome"]
        lines.append(f"{r.name:<28} " + " ".join(f"{rc[c]:10.3f}" for c in chromes))
    lines.append("")
    across = {r.name: r.scores["cross_generation_pairs_merged"] for r in rows}
    if any(across.values()):
        lines.append(f"pairs put together across generations: {across}")
    for r in rows[:1]:
        worst = ", ".join(f"{k} {n}" for k, n in r.scores["same_site_pairs_merged_by_site"].items())
        if worst:
            lines.append(f"{r.name}: same-site pairs merged, most by site: {worst}")
    for r in rows:
        for problem, n in r.problems.items():
            lines.append(f"! {r.name}: {problem}: {n}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, help="a dump from make_dump.py (default: generate)")
    parser.add_argument("--labels", type=Path, help="default: <stem>.labels.jsonl beside it")
    parser.add_argument("--threshold", type=float, default=0.8, help="dedup's threshold")
    parser.add_argument("--seed", type=int, default=0, help="seed of a generated dump")
    parser.add_argument("--size", type=make_dump.parse_size, help="size of a generated dump")
    parser.add_argument("--limit", type=int, help="source pages of a generated dump")
    parser.add_argument("--source", type=Path, help="Dragnet dev JSONL for a generated dump")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="exit 1 when a bar is missed")
    args = parser.parse_args(argv)
    if not 0 < args.threshold <= 1:
        parser.error(f"--threshold must be in (0, 1], got {args.threshold}")

    with tempfile.TemporaryDirectory() as tmp:
        dump_info: dict[str, Any] = {}
        if args.dump is None:
            dump = Path(tmp) / "dump.jsonl"
            summary = make_dump.write_dump(
                dump, size=args.size, seed=args.seed, limit=args.limit, source=args.source
            )
            dump_info = {"generated": True, "seed": args.seed, **summary.as_dict()}
        else:
            dump = args.dump
            dump_info = {"generated": False, "path": str(dump)}
        labels = args.labels or make_dump.labels_path(dump)
        data = load(dump, labels)

    has_dedup = dedup_available()
    rows, crashed = run_all(data, args.threshold)
    kinds = [k for k in make_dump.COPY_KINDS if k in set(data.kind)]
    report = {
        "dump": dump_info,
        "docs": len(data.ids),
        "threshold": args.threshold,
        "bars": {"f1": BAR_F1, "same_site_fpr": BAR_SAME_SITE_FPR},
        "dedup_available": has_dedup,
        "results": {
            r.name: {**r.scores, "seconds": r.seconds, "docs_per_s": len(data.ids) / r.seconds}
            | ({"problems": r.problems} if r.problems else {})
            for r in rows
        },
        "commit": git_state(),
        "crashed": crashed,
        "versions": versions(PACKAGES),
        "cpu": cpu_model(),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{len(data.ids)} documents, {data.group.max() + 1} groups; "
            f"dedup at {git_state()}; {cpu_model()}"
        )
        print(render(rows, len(data.ids), kinds))
        if not has_dedup:
            print("dedup.find_duplicates is not available: only the baselines ran")
        for name, error in crashed.items():
            print(f"! {name} raised {error}")

    failed = []
    if args.check:
        main_row = next((r for r in rows if r.name == f"dedup t={args.threshold}"), None)
        if main_row is None:
            why = crashed.get(f"dedup t={args.threshold}", "dedup.find_duplicates is not available")
            failed.append(why)
        else:
            if main_row.scores["f1"] < BAR_F1:
                failed.append(f"F1 {main_row.scores['f1']:.4f} < {BAR_F1}")
            if main_row.scores["same_site_fpr"] > BAR_SAME_SITE_FPR:
                fpr = main_row.scores["same_site_fpr"]
                failed.append(f"same-site FPR {fpr:.5f} > {BAR_SAME_SITE_FPR}")
            if main_row.problems:
                failed.append(f"problems: {main_row.problems}")
        for f in failed:
            print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
