"""``dedup report``: one self-contained HTML file that shows what a run removed and why.

The input is what ``dedup clean --explain`` writes (each record's cleaned text and a ``dedup``
field with its removals, each carrying the text it removed) and/or what ``dedup dups`` writes
(each record with a ``dups`` field: cluster, duplicate of what, similarity). Several inputs are
joined by record id, so the report of a clean run and a dups run over the same dump shows both.

The file works offline: CSS, JavaScript and the plots (hand-built SVG) are inline, the data is
one JSON document in a ``<script type="application/json">`` element, and the page renders only
what is on screen (50 documents or clusters a page), so a report of 100k documents opens in
seconds. Numbers in the summary and plots count every document; the text of documents (struck
through where removed) and the side-by-side view of clusters are kept for as many documents as
``text_budget`` allows, whole clusters at a time, chosen by a hash of their id (a sample that
does not depend on input order). The report says how many it holds.

Reading is two passes over the inputs: the first gathers the numbers and decides which texts
fit the budget, the second reads those texts. Memory holds one small record per document and
the chosen texts, never the whole dump.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import json
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Indel

from dedup import __version__, dups
from dedup.cli import DUPS_FIELD, EXPLAIN_FIELD
from dedup.errors import ConfigError, RecordError
from dedup.io import Reader, Record, write_bytes
from dedup.types import REMOVAL_LABELS

__all__ = ["ReportStats", "build_report"]

#: Default budget for the texts kept in the report, in bytes of the page (`_json_size`).
DEFAULT_TEXT_BUDGET = 24_000_000
#: Members of one cluster shown side by side (the list names them all).
MAX_SIDE_BY_SIDE = 12
#: Sites in the "by site" plot and in the chrome-lines table.
TOP_SITES = 20
#: Chrome lines listed for each site.
TOP_LINES = 10
#: Labels whose removed lines count as a site's chrome in the most-frequent-lines table.
CHROME_LABELS = ("chrome", "site_boilerplate")
#: One colour per removal label (plots, badges, struck-through spans).
LABEL_COLORS = {
    "duplicate_title": "#8e44ad",
    "teaser": "#2980b9",
    "trailer": "#16a085",
    "byline": "#d35400",
    "timestamp": "#7f8c8d",
    "chrome": "#c0392b",
    "repeated_line": "#b7950b",
    "site_boilerplate": "#e84393",
}
_WORD = re.compile(r"\S+")
#: Bytes of one removal's ``[start,end,label,reason],`` in the page, beside its text.
SPAN_BYTES = 20
_PLACEHOLDER = re.compile(r"\{\{(title|version|summary|plots|chrome|data)\}\}")


@dataclass
class ReportStats:
    """What a report holds, for the command's summary and for tests.

    Attributes:
        documents: documents read (records joined by id count once).
        with_text: documents whose text is in the report.
        clusters: clusters of two or more documents.
        duplicates: documents marked as duplicates of another.
        chars: characters of the documents before cleaning (where known).
        removed_chars: characters removed by the cleaner.
        removals: removed spans by label.
        bytes: size of the HTML file written.
        without_fields: records with neither a ``dedup`` nor a ``dups`` field (left out).
        repeated_ids: records whose id an earlier record of the same input had (counted as
            that document; give ``id_field`` a field that is unique).
    """

    documents: int = 0
    with_text: int = 0
    clusters: int = 0
    duplicates: int = 0
    chars: int = 0
    removed_chars: int = 0
    removals: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    without_fields: int = 0
    repeated_ids: int = 0


@dataclass
class _Doc:
    """One document's numbers: small, kept for every document."""

    id: str
    site: str | None = None
    chars: int = 0  # characters before cleaning
    removed: int = 0  # characters removed
    labels: list[int] = field(default_factory=lambda: [0] * len(REMOVAL_LABELS))
    cluster: str | None = None
    duplicate: bool = False
    of: str | None = None
    similarity: float | None = None
    match: str | None = None
    too_short: bool = False
    sources: int = 0  # a bit per input the document was read from
    size: int = 0  # bytes the document's text takes in the report (`_json_size`)
    explained: bool = False  # a dedup field was seen
    has_removed_text: bool = True  # every removal carried its text
    number: int = 0  # its place in the order documents were first read


@dataclass
class _Text:
    """One document's text as the report shows it."""

    original: str
    removals: list[tuple[int, int, int, int]]  # start, end, label index, reason index
    complete: bool = True  # False: the removed pieces were not recorded, only the kept text


def _fail(record: Record, what: str) -> RecordError:
    return RecordError(f"{record.where}: {what}")


def _removals_of(record: Record, value: object, field: str) -> list[Mapping[str, Any]]:
    """Return the removals of ``value``, the ``field`` that ``dedup clean --explain`` wrote."""
    if not isinstance(value, Mapping) or not isinstance(value.get("removals"), list):
        msg = (
            f"the {field!r} field is not what dedup clean --explain writes "
            "(an object with a 'removals' list); write it with: dedup clean INPUT --explain "
            "-o OUT.jsonl"
        )
        raise _fail(record, msg)
    out = []
    for r in value["removals"]:
        ok = isinstance(r, Mapping) and r.get("label") in REMOVAL_LABELS
        ok = ok and isinstance(r.get("start"), int) and isinstance(r.get("end"), int)
        if not ok or not 0 <= r["start"] <= r["end"]:
            msg = (
                f"a removal in the {field!r} field needs integer start <= end and a "
                f"label of {', '.join(REMOVAL_LABELS)}; got {json.dumps(r)[:200]}"
            )
            raise _fail(record, msg)
        out.append(r)
    return sorted(out, key=lambda r: (r["start"], r["end"]))


def _original(record: Record, cleaned: str, removals: Sequence[Mapping[str, Any]]) -> str:
    """Rebuild the text that was cleaned from the cleaned text and the removed pieces."""
    parts: list[str] = []
    at = 0  # in the original
    pos = 0  # in the cleaned text
    for r in removals:
        if r["start"] < at:
            raise _fail(record, f"removals overlap at offset {r['start']}")
        kept = r["start"] - at
        parts.append(cleaned[pos : pos + kept])
        pos += kept
        piece = r["text"]
        if len(piece) != r["end"] - r["start"]:
            msg = (
                f"a removal's text has {len(piece)} characters but spans "
                f"{r['start']}..{r['end']}; was the record edited after dedup clean --explain?"
            )
            raise _fail(record, msg)
        parts.append(piece)
        at = r["end"]
    if pos > len(cleaned):
        msg = "the removals reach past the cleaned text; the text field is not the one cleaned"
        raise _fail(record, msg)
    parts.append(cleaned[pos:])
    return "".join(parts)


def _json_size(text: str) -> int:
    r"""Bytes ``text`` takes as a JSON string in the page: UTF-8, plus its escapes.

    Example:
        >>> _json_size('a "b"\nc') == len(json.dumps('a "b"\nc').encode()) - 2
        True
    """
    escaped = text.count("\n") + text.count('"') + text.count("\\") + text.count("<") * 5
    return len(text.encode("utf-8", "surrogatepass")) + escaped


def _priority(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


class _Builder:
    """Gather a report from records, in two passes (numbers, then chosen texts)."""

    def __init__(
        self,
        *,
        id_field: str,
        site_field: str,
        url_field: str,
        explain_field: str,
        dups_field: str,
    ) -> None:
        self.id_field = id_field
        self.site_field = site_field
        self.url_field = url_field
        self.explain_field = explain_field
        self.dups_field = dups_field
        self.docs: dict[str, _Doc] = {}
        self.chrome: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.site_removed: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.texts: dict[str, _Text] = {}
        self.compared: dict[str, str] = {}  # the text dups compared, for the diffs
        self.reasons: dict[str, int] = {}
        self.without_fields = 0
        self.repeated_ids = 0
        self._sources: dict[str, int] = {}
        # Where each record was, so that pass 2 parses only the lines of chosen documents:
        # per input, line numbers and document numbers (`_order`), 16 bytes a record; the
        # records with neither field (left out, but their text may be a document's) by id.
        self._order: list[str] = []
        self._places: dict[str, tuple[array[int], array[int]]] = {}
        self._loose: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)

    def source_bit(self, source: str) -> int:
        """A bit for each input file, to tell an id repeated within one input."""
        return 1 << self._sources.setdefault(source, len(self._sources))

    def _id(self, record: Record) -> str:
        fields = record.fields or {}
        value = fields.get(self.id_field)
        return record.id if value is None else str(value)

    # ------------------------------------------------------------------ pass 1

    def gather(self, record: Record) -> None:
        fields = record.fields or {}
        explain = fields.get(self.explain_field)
        verdict = fields.get(self.dups_field)
        if explain is None and verdict is None:
            self.without_fields += 1
            if record.line_no is not None:
                self._loose[record.source].append((record.line_no, self._id(record)))
            return
        doc_id = self._id(record)
        doc = self.docs.get(doc_id)
        if doc is None:
            doc = self.docs[doc_id] = _Doc(doc_id, number=len(self._order))
            self._order.append(doc_id)
        if record.line_no is not None:
            lines, numbers = self._places.setdefault(record.source, (array("q"), array("q")))
            lines.append(record.line_no)
            numbers.append(doc.number)
        source = self.source_bit(record.source)
        if doc.sources & source:
            self.repeated_ids += 1  # the same id twice in one input: counted once
        doc.sources |= source
        doc.site = doc.site or dups.site_of(fields, self.site_field, self.url_field)
        if explain is not None and not doc.explained:
            self._gather_explain(record, doc, explain)
        if verdict is not None:
            self._gather_verdict(record, doc, verdict)
        if not doc.explained:
            doc.chars = len(record.text)
            doc.size = _json_size(record.text)

    def _gather_explain(self, record: Record, doc: _Doc, explain: object) -> None:
        removals = _removals_of(record, explain, self.explain_field)
        doc.explained = True
        doc.removed = sum(r["end"] - r["start"] for r in removals)
        doc.chars = len(record.text) + doc.removed
        doc.has_removed_text = all(isinstance(r.get("text"), str) for r in removals)
        size = _json_size(record.text)
        site = doc.site or "(no site)"
        chrome: set[str] = set()  # counted once per document: the table says "documents"
        for r in removals:
            doc.labels[REMOVAL_LABELS.index(r["label"])] += 1
            self.site_removed[site][r["label"]] += r["end"] - r["start"]
            text = r.get("text")
            if isinstance(text, str):
                size += _json_size(text) + SPAN_BYTES
                if r["label"] in CHROME_LABELS and text.strip():
                    chrome.add(text.strip()[:200])
        if chrome:
            self.chrome[site].update(chrome)
        doc.size = size

    def _gather_verdict(self, record: Record, doc: _Doc, verdict: object) -> None:
        if not isinstance(verdict, Mapping) or "cluster" not in verdict:
            msg = (
                f"the {self.dups_field!r} field is not what dedup dups writes (an object with "
                "'cluster', 'duplicate', 'of', 'similarity'); write it with: dedup dups INPUT "
                "-o OUT.jsonl"
            )
            raise _fail(record, msg)
        doc.cluster = None if verdict["cluster"] is None else str(verdict["cluster"])
        doc.duplicate = bool(verdict.get("duplicate"))
        of = verdict.get("of")
        doc.of = None if of is None else str(of)
        similarity = verdict.get("similarity")
        doc.similarity = float(similarity) if isinstance(similarity, int | float) else None
        match = verdict.get("match")
        doc.match = match if isinstance(match, str) else None
        doc.too_short = bool(verdict.get("too_short"))

    # ------------------------------------------------------------------ choose

    def clusters(self) -> dict[str, list[str]]:
        """Return the clusters of two or more documents: representative first, then by id."""
        members: defaultdict[str, list[str]] = defaultdict(list)
        for doc in self.docs.values():
            if doc.cluster is not None:
                members[doc.cluster].append(doc.id)
        out = {}
        for cluster, ids in members.items():
            if len(ids) > 1:
                ids.sort(key=lambda i: (self.docs[i].duplicate, i))
                out[cluster] = ids
        return out

    def choose(self, budget: int, clusters: Mapping[str, list[str]]) -> set[str]:
        """Pick the documents whose text fits ``budget``.

        Half the budget goes to whole clusters (their first `MAX_SIDE_BY_SIDE` members), the
        rest to documents outside clusters, then whatever is left to more clusters; within
        each, groups are taken in the order of a hash of their id, so the sample does not
        depend on input order.
        """
        in_cluster = {i for ids in clusters.values() for i in ids}
        by_cluster = sorted(
            (_priority(f"c:{c}"), ids[:MAX_SIDE_BY_SIDE]) for c, ids in clusters.items()
        )
        singles = sorted((_priority(f"d:{i}"), [i]) for i in self.docs if i not in in_cluster)
        chosen: set[str] = set()
        used = 0

        def fill(groups: list[tuple[int, list[str]]], limit: int) -> None:
            nonlocal used
            for _, ids in groups:
                if ids[0] in chosen:
                    continue
                size = sum(self.docs[i].size for i in ids)
                if used + size <= limit:  # else a smaller group further on may still fit
                    chosen.update(ids)
                    used += size

        fill(by_cluster, budget // 2)
        fill(singles, budget)
        fill(by_cluster, budget)
        return chosen

    # ------------------------------------------------------------------ pass 2

    def lines_of(self, chosen: set[str]) -> dict[str, set[int]]:
        """Return, per input, the lines of the records of the ``chosen`` documents."""
        order = self._order
        out: dict[str, set[int]] = {}
        for source, (lines, numbers) in self._places.items():
            out[source] = {ln for ln, k in zip(lines, numbers, strict=True) if order[k] in chosen}
        for source, loose in self._loose.items():
            out.setdefault(source, set()).update(ln for ln, i in loose if i in chosen)
        return out

    def keep_text(self, record: Record, chosen: set[str]) -> None:
        fields = record.fields or {}
        doc_id = self._id(record)
        if doc_id not in chosen:
            return
        explain = fields.get(self.explain_field)
        doc = self.docs[doc_id]
        if explain is not None:  # the cleaned record wins over a raw one of the same id
            removals = _removals_of(record, explain, self.explain_field)
            if doc.has_removed_text:
                original = _original(record, record.text, removals)
                spans = [
                    (r["start"], r["end"], REMOVAL_LABELS.index(r["label"]), self._reason(r))
                    for r in removals
                ]
                self.texts[doc_id] = _Text(original, spans)
            else:  # an older --explain: the removed text was not recorded
                self.texts[doc_id] = _Text(record.text, [], complete=False)
            self.compared[doc_id] = record.text
        elif doc_id not in self.texts:
            self.texts[doc_id] = _Text(record.text, [])
            self.compared[doc_id] = record.text

    def _reason(self, removal: Mapping[str, Any]) -> int:
        reason = str(removal.get("reason") or removal["label"])
        detector = removal.get("detector")
        if detector:
            reason = f"{reason} [{detector}]"
        return self.reasons.setdefault(reason, len(self.reasons))


def _changed(a: str, b: str) -> tuple[list[int], list[int]]:
    """Word-level differences of ``b`` against ``a``: the changed character ranges of each.

    Returns flat ``[start, end, start, end, ...]`` lists of code-point offsets.

    Example:
        >>> _changed("the cat sat", "the dog sat down")
        ([4, 7], [4, 7, 12, 16])
    """
    wa = [(m.start(), m.end()) for m in _WORD.finditer(a)]
    wb = [(m.start(), m.end()) for m in _WORD.finditer(b)]
    ta = [a[s:e] for s, e in wa]
    tb = [b[s:e] for s, e in wb]
    out_a: list[int] = []
    out_b: list[int] = []
    for op in Indel.opcodes(ta, tb):
        if op.tag == "equal":
            continue
        if op.src_end > op.src_start:
            _add_range(out_a, wa[op.src_start][0], wa[op.src_end - 1][1])
        if op.dest_end > op.dest_start:
            _add_range(out_b, wb[op.dest_start][0], wb[op.dest_end - 1][1])
    return out_a, out_b


def _add_range(out: list[int], start: int, end: int) -> None:
    if out and out[-1] >= start - 1:  # touching the previous range (one space apart)
        out[-1] = max(out[-1], end)
    else:
        out.extend((start, end))


# ---------------------------------------------------------------------- SVG plots


def _svg_hbars(
    rows: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    title: str,
    unit: str,
    test_id: str,
) -> str:
    """A horizontal (stacked) bar chart: one row per name, one segment per (label, value)."""
    if not rows:
        return f'<p class="empty" data-testid="{test_id}">{html.escape(title)}: nothing.</p>'
    width, label_w, bar_h, gap = 760, 230, 18, 6
    total_max = max(sum(v for _, v in segs) for _, segs in rows) or 1
    height = len(rows) * (bar_h + gap) + 30
    out = [
        f'<figure data-testid="{test_id}"><figcaption>{html.escape(title)}</figcaption>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
    ]
    scale = (width - label_w - 90) / total_max
    for k, (name, segs) in enumerate(rows):
        y = 10 + k * (bar_h + gap)
        short = name if len(name) <= 34 else name[:33] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end">'
            f"<title>{html.escape(name)}</title>{html.escape(short)}</text>"
        )
        x = float(label_w)
        for label, value in segs:
            w = value * scale
            color = LABEL_COLORS.get(label, "#34495e")
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h}" '
                f'fill="{color}"><title>{html.escape(label)}: {value:,.0f} {unit}</title></rect>'
            )
            x += w
        total = sum(v for _, v in segs)
        out.append(f'<text x="{x + 5:.1f}" y="{y + bar_h - 5}">{total:,.0f}</text>')
    out.append("</svg>")
    labels = list(dict.fromkeys(label for _, segs in rows for label, _ in segs))
    if len(labels) > 1 and any(len(segs) > 1 for _, segs in rows):
        out.append('<p class="legend">')
        out += [
            f'<span class="badge" style="--c:{LABEL_COLORS.get(label, "#34495e")}">'
            f"{html.escape(label)}</span>"
            for label in labels
        ]
        out.append("</p>")
    out.append("</figure>")
    return "".join(out)


def _svg_histogram(
    bins: Sequence[tuple[str, int]],
    *,
    title: str,
    test_id: str,
    marker: tuple[int, str] | None = None,
) -> str:
    """A vertical bar chart of counts per bin; ``marker`` draws a line before bin k."""
    if not bins or not any(n for _, n in bins):
        return f'<p class="empty" data-testid="{test_id}">{html.escape(title)}: nothing.</p>'
    width, height, left, bottom = 760, 220, 50, 40
    top = max(n for _, n in bins)
    bw = (width - left - 10) / len(bins)
    out = [
        f'<figure data-testid="{test_id}"><figcaption>{html.escape(title)}</figcaption>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left - 6}" y="14" text-anchor="end">{top:,}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#999"/>',
    ]
    plot_h = height - bottom - 10
    every = max(1, math.ceil(len(bins) / 12))
    for k, (name, n) in enumerate(bins):
        h = plot_h * n / top
        x = left + k * bw
        out.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(bw - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="#2c7fb8"><title>{html.escape(name)}: {n:,}</title></rect>'
        )
        if k % every == 0:  # a bin's name sits under its left edge
            out.append(
                f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'font-size="11">{html.escape(name)}</text>'
            )
    if marker is not None:
        k, text = marker
        x = left + k * bw
        out.append(
            f'<line x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="{height - bottom}" stroke="#c0392b" '
            f'stroke-dasharray="4 3"/><text x="{x + 4:.1f}" y="{height - bottom + 30}" '
            f'fill="#c0392b" font-size="11">{html.escape(text)}</text>'
        )
    out.append("</svg></figure>")
    return "".join(out)


def _size_bins(sizes: Iterable[int]) -> list[tuple[str, int]]:
    edges = [2, 3, 4, 5, 6, 11, 21, 51, 101, 1001]
    names = ["2", "3", "4", "5", "6-10", "11-20", "21-50", "51-100", "101-1000", ">1000"]
    counts = [0] * len(names)
    for s in sizes:
        k = sum(1 for e in edges[1:] if s >= e)
        counts[k] += 1
    while counts and counts[-1] == 0:
        counts.pop()
    return list(zip(names, counts, strict=False))


def _similarity_bins(
    values: Iterable[float], threshold: float
) -> tuple[list[tuple[str, int]], int]:
    """Counts of similarities in 0.02-wide bins from 0.2 below the threshold to 1.0."""
    lo = max(0.0, math.floor((threshold - 0.2) * 50) / 50)
    n = max(1, round((1.0 - lo) / 0.02))
    counts = [0] * n
    for v in values:
        if v < lo:
            v = lo
        counts[min(n - 1, int((v - lo) / 0.02 + 1e-9))] += 1
    bins = [(f"{lo + 0.02 * k:.2f}", c) for k, c in enumerate(counts)]
    return bins, round((threshold - lo) / 0.02)


# ---------------------------------------------------------------------- the page


def _plots(builder: _Builder, clusters: Mapping[str, list[str]], threshold: float) -> str:
    docs = builder.docs.values()
    by_label = [
        (label, [(label, float(sum(d.labels[k] for d in docs)))])
        for k, label in enumerate(REMOVAL_LABELS)
    ]
    by_label = [row for row in by_label if row[1][0][1] > 0]
    sites = sorted(builder.site_removed.items(), key=lambda kv: -sum(kv[1].values()))
    by_site = [
        (site, [(label, float(c[label])) for label in REMOVAL_LABELS if c[label]])
        for site, c in sites[:TOP_SITES]
    ]
    similarities = [
        d.similarity
        for d in docs
        if d.duplicate and d.similarity is not None and d.match != "exact"
    ]
    sim_bins, marker = _similarity_bins(similarities, threshold)
    parts = [
        _svg_hbars(by_label, title="Removed spans by label", unit="spans", test_id="plot-labels"),
        _svg_hbars(
            by_site,
            title=f"Characters removed by site (the {min(len(sites), TOP_SITES)} sites that "
            "lose most), by label",
            unit="characters",
            test_id="plot-sites",
        ),
        _svg_histogram(
            _size_bins(len(ids) for ids in clusters.values()),
            title="Duplicate clusters by size (documents)",
            test_id="plot-cluster-sizes",
        ),
        _svg_histogram(
            sim_bins,
            title=f"Estimated similarity of near-duplicates ({len(similarities):,}; exact "
            "copies left out)",
            test_id="plot-similarity",
            marker=(marker, f"threshold {threshold:g}"),
        ),
    ]
    return "\n".join(parts)


def _chrome_table(builder: _Builder) -> str:
    # Ties go by name: the lines of a document are counted from a set, whose order changes
    # with Python's string hashing from one run to the next.
    sites = sorted(builder.chrome.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    sites = sites[:TOP_SITES]
    if not sites:
        return '<p class="empty" data-testid="chrome-lines">No chrome lines recorded.</p>'
    rows = [
        '<table class="chrome" data-testid="chrome-lines"><thead><tr><th>site</th>'
        "<th>line</th><th>documents</th></tr></thead><tbody>"
    ]
    for site, counter in sites:
        top = heapq.nsmallest(TOP_LINES, counter.items(), key=lambda kv: (-kv[1], kv[0]))
        peak = top[0][1]
        for k, (line, n) in enumerate(top):
            site_cell = (
                f'<th rowspan="{len(top)}" scope="rowgroup">{html.escape(site)}</th>'
                if k == 0
                else ""
            )
            bar = f'<span class="bar" style="width:{100 * n / peak:.0f}px"></span>'
            rows.append(
                f"<tr>{site_cell}<td>{html.escape(line)}</td><td class=num>{bar}{n:,}</td></tr>"
            )
    rows.append("</tbody></table>")
    return "".join(rows)


def _summary(
    builder: _Builder,
    clusters: Mapping[str, list[str]],
    stats: ReportStats,
    sources: Sequence[str],
) -> str:
    """The numbers up front, as HTML (readable before any script runs)."""
    docs = builder.docs.values()
    explained = [d for d in docs if d.explained]
    verdicts = [d for d in docs if d.cluster is not None]
    kept = stats.chars - stats.removed_chars
    share = stats.removed_chars / stats.chars if stats.chars else 0.0
    label_chars: Counter[str] = Counter()
    for c in builder.site_removed.values():
        label_chars.update(c)
    rows = [
        ("documents", f"{stats.documents:,}", "sum-docs"),
        ("inputs", html.escape(", ".join(sources)), "sum-inputs"),
        ("documents cleaned with --explain", f"{len(explained):,}", "sum-explained"),
        ("characters before cleaning", f"{sum(d.chars for d in explained):,}", "sum-chars"),
        ("characters kept", f"{kept:,}", "sum-kept"),
        ("characters removed", f"{stats.removed_chars:,} ({share:.1%})", "sum-removed"),
        ("documents with a dups verdict", f"{len(verdicts):,}", "sum-verdicts"),
        ("clusters of 2+ documents", f"{stats.clusters:,}", "sum-clusters"),
        (
            "documents in those clusters",
            f"{sum(len(ids) for ids in clusters.values()):,}",
            "sum-clustered",
        ),
        ("duplicates (dropped by --drop-duplicates)", f"{stats.duplicates:,}", "sum-dups"),
        (
            "of them exact / near",
            f"{sum(1 for d in verdicts if d.duplicate and d.match == 'exact'):,} / "
            f"{sum(1 for d in verdicts if d.duplicate and d.match != 'exact'):,}",
            "sum-exact-near",
        ),
        ("too short to compare", f"{sum(1 for d in verdicts if d.too_short):,}", "sum-short"),
        ("documents whose text is in this report", f"{stats.with_text:,}", "sum-with-text"),
    ]
    out = ['<table class="summary" data-testid="summary"><tbody>']
    out += [
        f'<tr><th scope="row">{name}</th><td data-testid="{tid}">{value}</td></tr>'
        for name, value, tid in rows
    ]
    out.append("</tbody></table>")
    if stats.without_fields or stats.repeated_ids:
        out.append(
            f'<p class="note" data-testid="left-out">Left out: {stats.without_fields:,} '
            f"record(s) with neither a {builder.explain_field!r} nor a {builder.dups_field!r} "
            f"field; {stats.repeated_ids:,} record(s) whose id an earlier record of the same "
            "input had, counted as that document.</p>"
        )
    if stats.with_text < stats.documents:
        out.append(
            f'<p class="note" data-testid="text-note">The text of {stats.with_text:,} of '
            f"{stats.documents:,} documents is in this report (half the budget for whole "
            "clusters, half for other documents, each sampled by hashed id); every number "
            "counts all documents. A larger "
            "<code>--text-budget</code> holds more.</p>"
        )
    out.append(
        '<table class="labels" data-testid="removals-by-label"><thead><tr><th>label</th>'
        "<th>spans</th><th>characters</th></tr></thead><tbody>"
    )
    for label in REMOVAL_LABELS:
        out.append(
            f'<tr><td><span class="badge" style="--c:{LABEL_COLORS[label]}">{label}</span></td>'
            f'<td class=num data-testid="label-{label}">{stats.removals[label]:,}</td>'
            f"<td class=num>{label_chars[label]:,}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _payload(
    builder: _Builder,
    clusters: Mapping[str, list[str]],
    sources: Sequence[str],
    threshold: float,
) -> dict[str, Any]:
    ids = list(builder.docs)
    index = {doc_id: k for k, doc_id in enumerate(ids)}
    sites = sorted({d.site for d in builder.docs.values() if d.site})
    site_index = {s: k for k, s in enumerate(sites)}
    docs = []
    for doc_id in ids:
        d = builder.docs[doc_id]
        docs.append(
            [
                d.id,
                site_index.get(d.site, -1) if d.site else -1,
                d.chars,
                d.removed,
                d.labels,
                d.cluster,
                1 if d.duplicate else 0,
                d.similarity,
                d.match,
                index.get(d.of, -1) if d.of is not None else -1,
                1 if doc_id in builder.texts else 0,
            ]
        )
    texts = {
        str(index[doc_id]): [t.original, [list(r) for r in t.removals], int(t.complete)]
        for doc_id, t in builder.texts.items()
    }
    cluster_rows = []
    for cluster, members in sorted(clusters.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        rep = members[0]
        diffs: dict[str, list[list[int]]] = {}
        if rep in builder.compared:
            for other in members[1:MAX_SIDE_BY_SIDE]:
                if other in builder.compared:
                    a, b = _changed(builder.compared[rep], builder.compared[other])
                    diffs[str(index[other])] = [a, b]
        cluster_rows.append([cluster, [index[m] for m in members], diffs])
    return {
        "version": __version__,
        "sources": list(sources),
        "threshold": threshold,
        "labels": list(REMOVAL_LABELS),
        "colors": [LABEL_COLORS[label] for label in REMOVAL_LABELS],
        "sites": sites,
        "reasons": list(builder.reasons),
        "docs": docs,
        "texts": texts,
        "clusters": cluster_rows,
        "explained": sum(1 for d in builder.docs.values() if d.explained),
        "with_verdict": sum(1 for d in builder.docs.values() if d.cluster is not None),
    }


def _script_json(data: object) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _records(
    paths: Sequence[str],
    text_field: str,
    on_error: str,
    lines: Mapping[str, set[int]] | None = None,
) -> Iterator[Record]:
    """Read the inputs; with ``lines``, only those lines of each (the others unparsed)."""
    for path in paths:
        if path == "-":
            msg = "dedup report reads its inputs twice; give files, not standard input (-)"
            raise ConfigError(msg)
        wanted = None if lines is None else lines.get(path, set())
        if wanted is not None and not wanted:
            continue
        reader = Reader(path, format="auto", text_field=text_field, on_error=on_error, lines=wanted)  # type: ignore[arg-type]
        if reader.kind != "records":
            msg = (
                f"{path}: dedup report reads JSONL or Parquet records (what dedup clean "
                "--explain -o OUT.jsonl or dedup dups -o OUT.jsonl write), not a text file or "
                "directory"
            )
            raise ConfigError(msg)
        yield from reader


def build_report(
    paths: Sequence[str | Path],
    output: str | Path,
    *,
    text_field: str = "text",
    id_field: str = "id",
    site_field: str = "site",
    url_field: str = "url",
    explain_field: str = EXPLAIN_FIELD,
    dups_field: str = DUPS_FIELD,
    threshold: float = 0.8,
    text_budget: int = DEFAULT_TEXT_BUDGET,
    title: str | None = None,
    on_error: str = "raise",
) -> ReportStats:
    """Write the HTML report of ``dedup clean --explain`` and/or ``dedup dups`` outputs.

    Args:
        paths: JSONL (.gz/.zst) or Parquet files; records of several files with the same id
            are one document.
        output: the HTML file to write.
        text_field: the field holding each record's text.
        id_field: the field that identifies a record across inputs (else its file:line).
        site_field: the field naming a record's site (else the host of ``url_field``).
        url_field: the field holding a record's URL.
        explain_field: the field ``dedup clean --explain`` wrote.
        dups_field: the field ``dedup dups`` wrote.
        threshold: the similarity threshold of the dups run (marked on the plot).
        text_budget: bytes of document text the page may hold (as JSON, escapes counted);
            documents beyond it keep their numbers but not their text.
        title: the page title (default: the input names).
        on_error: ``raise`` or ``skip`` records that cannot be read.

    Returns:
        What the report holds (`ReportStats`).

    Raises:
        ConfigError: an input is not JSONL/Parquet, or holds no field to report on.
        RecordError: a record's ``dedup`` or ``dups`` field is malformed (file:line given).
    """
    if not paths:
        msg = "give at least one input: the output of dedup clean --explain and/or dedup dups"
        raise ConfigError(msg)
    if text_budget < 0:
        msg = f"text_budget must be >= 0 bytes, got {text_budget}"
        raise ConfigError(msg)
    if not 0.0 < threshold <= 1.0:
        msg = f"threshold must be in (0, 1], got {threshold}"
        raise ConfigError(msg)
    sources = [str(p) for p in paths]
    builder = _Builder(
        id_field=id_field,
        site_field=site_field,
        url_field=url_field,
        explain_field=explain_field,
        dups_field=dups_field,
    )
    seen = 0
    for record in _records(sources, text_field, on_error):
        seen += 1
        builder.gather(record)
    if not builder.docs:
        msg = (
            f"none of the {seen:,} record(s) of {', '.join(sources)} has a {explain_field!r} "
            f"or {dups_field!r} field: report on the output of dedup clean --explain "
            "-o OUT.jsonl and/or dedup dups -o OUT.jsonl"
        )
        raise ConfigError(msg)
    clusters = builder.clusters()
    chosen = builder.choose(text_budget, clusters)
    if chosen:
        for record in _records(sources, text_field, on_error, builder.lines_of(chosen)):
            builder.keep_text(record, chosen)
    payload = _payload(builder, clusters, sources, threshold)
    stats = ReportStats(
        documents=len(builder.docs),
        with_text=len(builder.texts),
        clusters=len(clusters),
        duplicates=sum(1 for d in builder.docs.values() if d.duplicate),
        chars=sum(d.chars for d in builder.docs.values()),
        removed_chars=sum(d.removed for d in builder.docs.values()),
        without_fields=builder.without_fields,
        repeated_ids=builder.repeated_ids,
    )
    for d in builder.docs.values():
        for k, n in enumerate(d.labels):
            if n:
                stats.removals[REMOVAL_LABELS[k]] += n
    values = {
        "title": html.escape(title or "dedup report: " + ", ".join(sources)),
        "version": html.escape(__version__),
        "summary": _summary(builder, clusters, stats, sources),
        "plots": _plots(builder, clusters, threshold),
        "chrome": _chrome_table(builder),
        "data": _script_json(payload),
    }
    template = resources.files("dedup").joinpath("resources/report/page.html").read_text("utf-8")
    # One pass, so nothing inserted (a site name, a chrome line) is read as a placeholder.
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    data = page.encode("utf-8", "surrogatepass")
    write_bytes(output, data)  # whole or not at all, its folder made, as every output
    stats.bytes = len(data)
    return stats
