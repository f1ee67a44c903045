"""Quality benchmark: score `dedup.clean()` on labelled real pages (the Dragnet dev set).

Receives a JSONL file of pages (``text``: one block per line, ``gold``: the human main text,
``labels``: 0/1 per line of ``text``; see /work/shared/dev/README.md) and hands on:

- bag-of-words token precision / recall / F1 of the cleaned text against ``gold``
  (lower-cased ``\\w+`` tokens with multiplicity, Counter intersection), macro-averaged over
  pages;
- the share of gold lines kept (non-blank lines with label 1 that survive) and of other lines
  removed (non-blank lines with label 0 that are removed), micro over all lines;
- the same figures for the corpus-aware cleaner (row "dedup.Cleaner (corpus)", on by default,
  ``--no-corpus`` skips it): one `dedup.Cleaner` fitted on *all* pages of the file (sites
  mixed, as in a dump; a site of "unknown" or empty goes in as None, so the cleaner infers
  it), then ``clean_and_explain`` per page, scored as above; fit and clean timed apart;
- two trivial baselines beside it: keep everything, and drop every line seen on 2+ other pages
  of the same site (within the file being scored);
- per label: how many lines were removed, and how many of those were gold lines (the damage
  each detector owner should look at); with ``--examples N``, N such lost lines per label
  (for both cleaners).

Usage (from the repository root)::

    python benchmarks/quality.py                      # the whole dev set
    python benchmarks/quality.py --subset tests/data/dev_subset.jsonl
    python benchmarks/quality.py --json               # machine-readable ("corpus" key)
    python benchmarks/quality.py --no-corpus          # the single-document rows only
    python benchmarks/quality.py --check benchmarks/quality_floors.json
    python benchmarks/quality.py --update-floors benchmarks/quality_floors.json [--allow-lower]

Floors are pinned per data file (by file name), so the CI subset and the full dev set each
have their own; the corpus row's figures are pinned as ``corpus.f1``, ``corpus.precision``...
``--check`` exits 1 when a figure is below its floor (or a pinned corpus figure was not
measured); ``--update-floors`` refuses to lower a floor unless ``--allow-lower`` is given.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "dev" / "dragnet-dev.jsonl"
KEPT = frozenset({"title", "content"})
_TOKEN = re.compile(r"\w+")

#: Figures that floors are pinned for (all "higher is better").
FLOORED = (
    "f1",
    "precision",
    "recall",
    "gold_lines_kept",
    "other_lines_removed",
    "gold_lines_kept_per_page",
)
#: Floors of the corpus row are pinned under these keys: ``corpus.f1``...
CORPUS_PREFIX = "corpus."
CORPUS_ROW = "dedup.Cleaner (corpus)"


def tokens(text: str) -> Counter[str]:
    """Return the bag of lower-cased ``\\w+`` tokens of ``text``."""
    return Counter(_TOKEN.findall(text.lower()))


def prf(out: Counter[str], gold: Counter[str]) -> tuple[float, float, float]:
    """Return token precision, recall and F1 of ``out`` against ``gold``.

    Conventions: an empty output has precision 1 (it claims nothing wrong) and an empty gold
    recall 1; F1 is 0 when both precision and recall are 0.
    """
    inter = sum((out & gold).values())
    n_out, n_gold = sum(out.values()), sum(gold.values())
    p = inter / n_out if n_out else 1.0
    r = inter / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Page:
    """One labelled page."""

    id: str
    site: str
    text: str
    gold: str
    labels: list[int]

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def load(path: Path) -> list[Page]:
    """Read a JSONL file of pages."""
    pages = []
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            d = json.loads(raw)
            page = Page(d["id"], d.get("site") or "", d["text"], d["gold"], list(d["labels"]))
            if len(page.lines) != len(page.labels):
                msg = f"{path}:{n}: {len(page.lines)} lines but {len(page.labels)} labels"
                raise ValueError(msg)
            pages.append(page)
    return pages


@dataclass
class Tally:
    """Scores of one method over many pages."""

    p: list[float] = field(default_factory=list)
    r: list[float] = field(default_factory=list)
    f: list[float] = field(default_factory=list)
    gold_lines: int = 0
    gold_kept: int = 0
    page_gold_kept: list[float] = field(default_factory=list)
    other_lines: int = 0
    other_removed: int = 0

    def add_page(self, page: Page, kept: Sequence[bool]) -> None:
        """Score one page given which of its ``\\n``-separated lines were kept."""
        lines = page.lines
        out = "\n".join(ln for ln, k in zip(lines, kept, strict=True) if k)
        p, r, f = prf(tokens(out), tokens(page.gold))
        self.p.append(p)
        self.r.append(r)
        self.f.append(f)
        gold_lines = gold_kept = 0
        for ln, k, lab in zip(lines, kept, page.labels, strict=True):
            if not ln.strip():
                continue
            if lab:
                gold_lines += 1
                gold_kept += k
            else:
                self.other_lines += 1
                self.other_removed += not k
        self.gold_lines += gold_lines
        self.gold_kept += gold_kept
        if gold_lines:
            self.page_gold_kept.append(gold_kept / gold_lines)

    def figures(self) -> dict[str, float]:
        """Return the macro token figures and the micro line shares."""
        n = max(1, len(self.f))
        return {
            "f1": sum(self.f) / n,
            "precision": sum(self.p) / n,
            "recall": sum(self.r) / n,
            "gold_lines_kept": self.gold_kept / max(1, self.gold_lines),
            "other_lines_removed": self.other_removed / max(1, self.other_lines),
            # Per page, then averaged: three pages hold a quarter of all gold lines (long
            # comment threads that their gold includes), so the micro share above is
            # dominated by them; this one weighs every page alike, as F1 does.
            "gold_lines_kept_per_page": sum(self.page_gold_kept) / max(1, len(self.page_gold_kept)),
        }


def line_labels(page: Page, result: Any) -> list[str | None]:
    """Map the cleaner's per-line labels onto the page's ``\\n``-separated lines.

    The cleaner also splits on other line breaks (``\\r``, U+2028...); a data line then holds
    several cleaner lines, and it counts as kept only if all of them are kept.
    """
    starts = [0]
    for m in re.finditer("\n", page.text):
        starts.append(m.end())
    labels: list[str | None] = [None] * len(starts)  # None: blank, no verdict
    for ll in result.line_labels:
        i = bisect_right(starts, ll.span.start) - 1
        if labels[i] is None or labels[i] in KEPT:
            labels[i] = ll.label
    return labels


def site_baseline_kept(pages: Sequence[Page]) -> list[list[bool]]:
    """Keep a line unless the same (stripped) line appears on 2+ *other* pages of its site."""
    per_site: dict[str, Counter[str]] = defaultdict(Counter)
    for page in pages:
        per_site[page.site].update({ln.strip() for ln in page.lines if ln.strip()})
    out = []
    for page in pages:
        counts = per_site[page.site]
        # A line on this page counts once for this page; "2+ other pages" means count >= 3.
        out.append([not ln.strip() or counts[ln.strip()] < 3 for ln in page.lines])
    return out


def cpu_name() -> str:
    """Return the CPU model as the OS reports it."""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@dataclass
class Account:
    """One cleaner's figures over many pages: the scores and what each label/detector removed."""

    tally: Tally = field(default_factory=Tally)
    removed_by: Counter[str] = field(default_factory=Counter)
    gold_lost_by: Counter[str] = field(default_factory=Counter)
    removed_by_detector: Counter[str] = field(default_factory=Counter)
    gold_lost_by_detector: Counter[str] = field(default_factory=Counter)
    lost_examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    worst: list[tuple[float, str]] = field(default_factory=list)

    def add(self, page: Page, result: Any, examples: int = 0) -> list[bool]:
        """Score one page from a `dedup.CleanResult` of its text; return which lines were kept."""
        labels = line_labels(page, result)
        for r in result.removals:
            line = page.text.count("\n", 0, r.span.start)
            self.removed_by_detector[r.detector] += 1
            self.gold_lost_by_detector[r.detector] += page.labels[line]
        kept = [lab is None or lab in KEPT for lab in labels]
        self.tally.add_page(page, kept)
        self.worst.append((self.tally.f[-1], page.id))
        for ln, lab, gold in zip(page.lines, labels, page.labels, strict=True):
            if lab is None or lab in KEPT:
                continue
            self.removed_by[lab] += 1
            if gold:
                self.gold_lost_by[lab] += 1
                if examples and len(self.lost_examples[lab]) < examples:
                    reason = next(
                        (
                            ll.reason
                            for ll in result.line_labels
                            if ll.span.slice(page.text).strip() == ln.strip()
                        ),
                        "",
                    )
                    self.lost_examples[lab].append(f"{page.id}: {ln.strip()[:100]!r} <- {reason}")
        return kept

    def tables(self) -> dict[str, Any]:
        """Return the per-label and per-detector tables, lost examples and worst pages."""
        return {
            "removed_by_label": dict(self.removed_by.most_common()),
            "gold_lines_removed_by_label": dict(self.gold_lost_by.most_common()),
            "removed_by_detector": dict(self.removed_by_detector.most_common()),
            "gold_lines_removed_by_detector": dict(self.gold_lost_by_detector.most_common()),
            "lost_examples": dict(self.lost_examples),
            "worst_pages": [{"id": i, "f1": round(f, 3)} for f, i in sorted(self.worst)[:10]],
        }


def corpus_site(page: Page) -> str | None:
    """The site a page is handed to `dedup.Cleaner` under: None (infer it) when unknown."""
    return None if page.site in ("", "unknown") else page.site


def evaluate_corpus(
    pages: Sequence[Page], *, examples: int = 0, config: Any = None
) -> dict[str, Any]:
    """Fit one `dedup.Cleaner` on all pages (sites mixed, as in a dump), clean and score each.

    Pages go in as ``{"text", "site"}`` with an unknown site as None, so the cleaner infers
    it from the page's edge lines. Fit and clean are timed apart (wall time).
    """
    import dedup

    docs = [{"text": page.text, "site": corpus_site(page)} for page in pages]
    t0 = time.perf_counter()
    cleaner = dedup.Cleaner(config=config).fit(docs)
    fit_seconds = time.perf_counter() - t0
    account = Account()
    clean_seconds = 0.0
    for page, doc in zip(pages, docs, strict=True):
        t0 = time.perf_counter()
        result = cleaner.clean_and_explain(doc)
        clean_seconds += time.perf_counter() - t0
        account.add(page, result, examples)
    n_bytes = sum(len(page.text.encode("utf-8")) for page in pages)
    return {
        "figures": account.tally.figures(),
        **account.tables(),
        "cleaner_stats": cleaner.stats(),
        "fit_seconds": fit_seconds,
        "clean_seconds": clean_seconds,
        "fit_mb_per_s": n_bytes / 1e6 / fit_seconds if fit_seconds else math.inf,
        "clean_mb_per_s": n_bytes / 1e6 / clean_seconds if clean_seconds else math.inf,
    }


def evaluate(
    pages: Sequence[Page], *, examples: int = 0, config: Any = None, corpus: bool = True
) -> dict[str, Any]:
    """Clean every page (with ``config``, a `dedup.CleanConfig`) and return all figures.

    With ``corpus``, also the figures of one `dedup.Cleaner` fitted on all the pages (under
    the ``"corpus"`` key, see `evaluate_corpus`).
    """
    import dedup

    ours, identity, site = Account(), Tally(), Tally()
    seconds = 0.0
    n_bytes = 0
    for page, site_kept in zip(pages, site_baseline_kept(pages), strict=True):
        t0 = time.perf_counter()
        result = dedup.clean_and_explain(page.text, config=config)
        seconds += time.perf_counter() - t0
        n_bytes += len(page.text.encode("utf-8"))
        kept = ours.add(page, result, examples)
        identity.add_page(page, [True] * len(kept))
        site.add_page(page, site_kept)
    res: dict[str, Any] = {
        "data_pages": len(pages),
        "sites": len({p.site for p in pages}),
        "dedup": ours.tally.figures(),
        "baselines": {
            "identity": identity.figures(),
            "site_2plus_other_pages": site.figures(),
        },
        **ours.tables(),
        "clean_seconds": seconds,
        "clean_mb_per_s": n_bytes / 1e6 / seconds if seconds else math.inf,
        "environment": {
            "dedup_version": dedup.__version__,
            "python": platform.python_version(),
            "cpu": cpu_name(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    }
    if corpus:
        res["corpus"] = evaluate_corpus(pages, examples=examples, config=config)
    return res


def _fmt_row(name: str, fig: dict[str, float]) -> str:
    return (
        f"{name:<28} {fig['f1']:6.3f} {fig['precision']:6.3f} {fig['recall']:6.3f} "
        f"{fig['gold_lines_kept']:9.3f} {fig['gold_lines_kept_per_page']:9.3f} "
        f"{fig['other_lines_removed']:10.3f}"
    )


def _tables(res: dict[str, Any]) -> list[str]:
    """Return the per-label and per-detector loss tables, lost examples and worst pages."""
    out = [f"{'label':<18} {'removed':>8} {'gold lost':>9}"]
    lost = res["gold_lines_removed_by_label"]
    for lab, n in res["removed_by_label"].items():
        out.append(f"{lab:<18} {n:8d} {lost.get(lab, 0):9d}")
    out.append(f"\n{'detector':<18} {'removed':>8} {'gold lost':>9}")
    lost_d = res["gold_lines_removed_by_detector"]
    for det, n in res["removed_by_detector"].items():
        out.append(f"{det:<18} {n:8d} {lost_d.get(det, 0):9d}")
    for lab, items in res["lost_examples"].items():
        out.append(f"\ngold lines removed as {lab}:")
        out.extend(f"  {s}" for s in items)
    out.append("\nworst pages: " + ", ".join(f"{w['id']} {w['f1']}" for w in res["worst_pages"]))
    return out


def report(res: dict[str, Any], data_name: str) -> str:
    """Return the human-readable report."""
    env = res["environment"]
    corpus = res.get("corpus")
    out = [
        f"data: {data_name} ({res['data_pages']} pages, {res['sites']} sites)",
        f"dedup {env['dedup_version']}, Python {env['python']}, {env['cpu']} x{env['cpus']}",
        "",
        f"{'method':<28} {'F1':>6} {'P':>6} {'R':>6} {'gold kept':>9} {'per page':>9} "
        f"{'other rem.':>10}",
        _fmt_row("dedup.clean", res["dedup"]),
    ]
    if corpus is not None:
        out.append(_fmt_row(CORPUS_ROW, corpus["figures"]))
    out += [
        _fmt_row("keep everything", res["baselines"]["identity"]),
        _fmt_row("site: drop lines on 2+ pages", res["baselines"]["site_2plus_other_pages"]),
        "",
        "dedup.clean:",
        *_tables(res),
        f"clean time {res['clean_seconds']:.2f} s ({res['clean_mb_per_s']:.1f} MB/s)",
    ]
    if corpus is not None:
        st = corpus["cleaner_stats"]
        out += [
            "",
            f"{CORPUS_ROW}: one Cleaner fitted on all {res['data_pages']} pages "
            f"({st['sites']} sites, {st['sites_learned']} with enough pages to learn, "
            f"{st['learned_lines']} line templates learned):",
            *_tables(corpus),
            f"fit time {corpus['fit_seconds']:.2f} s ({corpus['fit_mb_per_s']:.1f} MB/s), "
            f"clean time {corpus['clean_seconds']:.2f} s ({corpus['clean_mb_per_s']:.1f} MB/s)",
        ]
    return "\n".join(out)


def _figure(res: dict[str, Any], key: str) -> float | None:
    """Return the figure a floor key names (``f1``, ``corpus.f1``...); None if not measured."""
    if key.startswith(CORPUS_PREFIX):
        corpus = res.get("corpus")
        return None if corpus is None else corpus["figures"][key.removeprefix(CORPUS_PREFIX)]
    return res["dedup"][key]


def check(res: dict[str, Any], floors: dict[str, Any], data_name: str) -> list[str]:
    """Return the figures below their pinned floors (empty when all pass).

    Keys ``corpus.<figure>`` pin the corpus row; they fail when it was not measured.
    """
    pinned = floors.get(data_name)
    if pinned is None:
        return [f"no floors pinned for {data_name!r}: run --update-floors first"]
    failures = []
    for k, v in pinned.items():
        got = _figure(res, k)
        if got is None:
            failures.append(
                f"{k} has a floor {v:.4f} but was not measured (run without --no-corpus)"
            )
        elif got < v:
            failures.append(f"{k} = {got:.4f} is below its floor {v:.4f}")
    return failures


def update_floors(
    res: dict[str, Any], path: Path, data_name: str, *, allow_lower: bool, margin: float = 0.0
) -> list[str]:
    """Pin the current figures minus ``margin`` (rounded down to 3 decimals) as floors.

    The corpus figures are pinned too (as ``corpus.<figure>``) when ``res`` holds them;
    otherwise their old floors are kept. Returns the floors it refused to lower (nothing is
    written then).
    """
    floors: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    old = floors.get(data_name, {})
    keys = [*FLOORED]
    if "corpus" in res:
        keys += [CORPUS_PREFIX + k for k in FLOORED]
    new = dict(old)
    for k in keys:
        got = _figure(res, k)
        assert got is not None
        new[k] = max(0.0, math.floor((got - margin) * 1000) / 1000)
    lowered = [f"{k}: {old[k]} -> {v}" for k, v in new.items() if k in old and v < old[k]]
    if lowered and not allow_lower:
        return lowered
    floors[data_name] = new
    path.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n")
    return []


def make_config(settings: Sequence[str]) -> Any:
    """Return a `dedup.CleanConfig` with ``NAME=VALUE`` overrides (``None`` if there are none)."""
    import ast

    import dedup

    if not settings:
        return None
    values: dict[str, Any] = {}
    for item in settings:
        name, _, raw = item.partition("=")
        try:
            values[name.strip()] = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            values[name.strip()] = raw.strip()
    return dedup.CleanConfig(**values)


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="JSONL of pages")
    ap.add_argument("--subset", type=Path, help="score this JSONL file instead of the dev set")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--examples", type=int, default=0, help="print N lost gold lines per label")
    ap.add_argument("--check", type=Path, metavar="FLOORS", help="exit 1 below pinned floors")
    ap.add_argument("--update-floors", type=Path, metavar="FLOORS", help="pin current figures")
    ap.add_argument(
        "--corpus",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also fit one dedup.Cleaner on all pages and score it (default: on)",
    )
    ap.add_argument("--allow-lower", action="store_true", help="let --update-floors lower one")
    ap.add_argument(
        "--margin",
        type=float,
        default=0.0,
        help="pin floors this far below the current figures (room for harmless changes)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="try a CleanConfig field value, e.g. --set content_gap=12 (repeatable)",
    )
    args = ap.parse_args(list(argv) if argv is not None else None)

    data: Path = args.subset or args.data
    pages = load(data)
    res = evaluate(pages, examples=args.examples, config=make_config(args.set), corpus=args.corpus)
    print(json.dumps(res, indent=2) if args.json else report(res, data.name))
    status = 0
    if args.update_floors:
        refused = update_floors(
            res, args.update_floors, data.name, allow_lower=args.allow_lower, margin=args.margin
        )
        if refused:
            print("refusing to lower floors (pass --allow-lower):", *refused, sep="\n  ")
            status = 2
        else:
            print(f"floors for {data.name} written to {args.update_floors}", file=sys.stderr)
    if args.check:
        failures = check(res, json.loads(args.check.read_text()), data.name)
        if failures:
            print("quality gate FAILED:", *failures, sep="\n  ", file=sys.stderr)
            status = 1
        else:
            print(f"quality gate passed ({data.name})", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
