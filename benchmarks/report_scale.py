"""``dedup report`` at 100k documents: build time, HTML size, and time to open in Chromium.

Steps, in one run:

1. a base dump of real pages with ``benchmarks/make_dump.py`` (``--base-size``, default
   20 MB: originals, re-scrapes, syndicated and edited copies of the Dragnet dev pages);
2. the real outputs over it: ``dedup clean --learn --explain`` and ``dedup dups``;
3. those outputs repeated to ``--docs`` records (default 100,000): copy *k* gets ``#k`` on
   every id, cluster and ``of``, so the clusters stay clusters and nothing collides; texts,
   removals, sites and similarities are the real ones. (Running clean and dups on a real
   100k-document dump takes ~20 minutes on two cores; the report sees the same shape of
   input either way.)
4. ``dedup.report.build_report`` on the two files (wall time, peak RSS of this process);
5. the HTML opened in headless Chromium (Debian's, through Playwright): time from navigation
   to the first page of the document table drawn (``#doc-count`` filled by the page's
   script), the JS heap then, and the time of three interactions: filter by a label, search
   an id, open a cluster side by side. Each browser figure is the median of ``--repeat``
   fresh pages.

Nothing here asserts; the issue's bar (opens "in under a few seconds", under ~50 MB) is read off
the output.

Usage (from the repository root)::

    python benchmarks/report_scale.py                  # 100k documents
    python benchmarks/report_scale.py --docs 20000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from environment import tests_helper  # noqa: E402 - after the path set-up

from dedup.report import build_report  # noqa: E402


def _chromium() -> tuple[str, list[str]]:
    """Return the Chromium binary and flags ``tests/chromium.py`` gives the browser test."""
    module = tests_helper("chromium")
    if module is None:
        msg = "tests/chromium.py is missing: run this from a full checkout of the repository"
        raise SystemExit(msg)
    return module.CHROMIUM, module.FLAGS


def _dedup(*args: object) -> None:
    exe = Path(sys.executable).with_name("dedup")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dedup.cli"]
    subprocess.run([*cmd, *map(str, args)], check=True)


def _suffix(value: object, k: int) -> object:
    return value if value is None else f"{value}#{k}"


def repeat(src: Path, dst: Path, docs: int) -> int:
    """Write ``src``'s records again and again, renamed, until ``docs`` records."""
    records = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()]
    n = 0
    with dst.open("w", encoding="utf-8") as out:
        for k in range(docs // len(records) + 1):
            for rec in records:
                if n == docs:
                    return n
                rec = dict(rec)
                rec["id"] = _suffix(rec["id"], k)
                if "dups" in rec:
                    verdict = dict(rec["dups"])
                    verdict["cluster"] = _suffix(verdict["cluster"], k)
                    verdict["of"] = _suffix(verdict["of"], k)
                    rec["dups"] = verdict
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
    return n


def browser_times(page_path: Path, repeat_n: int) -> dict[str, float]:
    """Median seconds to open the report and to use it, over ``repeat_n`` fresh pages."""
    from playwright.sync_api import sync_playwright

    chromium, flags = _chromium()
    runs: dict[str, list[float]] = {"open": [], "filter": [], "search": [], "cluster": []}
    heap: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=flags)
        for _ in range(repeat_n):
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            t = time.perf_counter()
            page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
            page.wait_for_function(
                "document.getElementById('doc-count').textContent !== ''", timeout=120_000
            )
            runs["open"].append(time.perf_counter() - t)
            heap.append(page.evaluate("performance.memory.usedJSHeapSize") / 1e6)
            page.click("#tab-docs")
            changed = "t => document.getElementById('doc-count').textContent !== t"
            before = page.get_by_test_id("doc-count").inner_text()
            t = time.perf_counter()
            page.select_option("#doc-label", label="teaser")
            page.wait_for_function(changed, arg=before)
            runs["filter"].append(time.perf_counter() - t)
            before = page.get_by_test_id("doc-count").inner_text()
            t = time.perf_counter()
            page.fill("#doc-q", "#7")
            page.wait_for_function(changed, arg=before)
            runs["search"].append(time.perf_counter() - t)
            page.click("#tab-clusters")
            t = time.perf_counter()
            page.click("#cl-table tbody tr:first-child")
            page.get_by_test_id("cluster-view").wait_for()
            runs["cluster"].append(time.perf_counter() - t)
            if errors:
                msg = f"errors in the page: {errors}"
                raise RuntimeError(msg)
            page.close()
        browser.close()
    out = {f"{k}_s": round(statistics.median(v), 3) for k, v in runs.items()}
    out["js_heap_mb"] = round(statistics.median(heap), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--base-size", default="20MB")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--text-budget", type=float, default=24, help="MB, as dedup report's")
    ap.add_argument("--workdir", help="keep the files here (default: a temporary folder)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="report-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base.jsonl"
    if not base.exists():
        subprocess.run(
            [
                sys.executable,
                ROOT / "benchmarks" / "make_dump.py",
                "-o",
                base,
                "--size",
                args.base_size,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    t = time.perf_counter()
    _dedup("clean", base, "--learn", "--explain", "-o", work / "clean-base.jsonl", "-q")
    _dedup("dups", base, "-o", work / "dups-base.jsonl", "-q")
    base_s = time.perf_counter() - t
    base_docs = sum(1 for _ in base.open(encoding="utf-8"))
    repeat(work / "clean-base.jsonl", work / "clean.jsonl", args.docs)
    repeat(work / "dups-base.jsonl", work / "dups.jsonl", args.docs)
    inputs = [work / "clean.jsonl", work / "dups.jsonl"]
    t = time.perf_counter()
    stats = build_report(inputs, work / "report.html", text_budget=int(args.text_budget * 1e6))
    build_s = time.perf_counter() - t
    result = {
        "documents": stats.documents,
        "base_documents": base_docs,
        "base_clean_and_dups_s": round(base_s, 1),
        "input_mb": round(sum(p.stat().st_size for p in inputs) / 1e6, 1),
        "build_s": round(build_s, 1),
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
        "html_mb": round(stats.bytes / 1e6, 1),
        "documents_with_text": stats.with_text,
        "clusters": stats.clusters,
        "cpus": os.cpu_count(),
    }
    result.update(browser_times(work / "report.html", args.repeat))
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:24} {v}")
    if not args.workdir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
