"""Speed benchmark: throughput and memory of `dedup.clean()` on real pages, beside references.

Receives a JSONL file of pages (``text`` per line; by default the Dragnet dev set, see
README.md) and hands on, for one process on one core:

- MB/s (UTF-8 bytes of input) and pages/s of ``dedup.clean()``: the median of ``--repeats``
  passes over all pages, in CPU time of this process (what one core delivers, whatever else
  runs on the machine). Before each pass the per-line caches (bounded ``lru_cache``\\ s of
  the detectors) are emptied, so every pass sees the pages as new, as a crawler does; the
  figure with caches kept warm across passes is printed beside it;
- peak memory: tracemalloc's peak over one pass and the largest rise for a single page, and
  the process's ru_maxrss (which includes the loaded corpus, also shown);
- time per detector: each detector's ``detect()`` (looked up by ``dedup.detectors.get``) timed
  inside the real pipeline over one pass, all fixpoint passes included; apart from them the
  line split with the features computed there (``Line.key``, ``Line.words``), the shared
  features computed later (``Line.norm``, the key of a line built elsewhere: paid by whichever
  detector asks first), the lexical pre-screen (one scan per page shared by trailers,
  bylines, dates and chrome) and what the cleaner itself spends (re-running, building the
  views and the result);
- references measured in the same run on the same pages, with ratios: "drop repeated lines"
  (keep the first copy of each line: the trivial baseline of STYLE.md) and jusText 3 (a
  real boilerplate remover; it reads HTML, so each line goes in as one ``<p>``: its link and
  heading signals are absent, its parsing and classification costs are all there);
- with ``--json``, the same as one JSON object, with package versions and the CPU model.

Usage (from the repository root)::

    python benchmarks/speed.py                       # the dev set, 5 passes
    python benchmarks/speed.py PATH --repeats 3 --limit 200
    python benchmarks/speed.py --json > results.local.json
    python benchmarks/speed.py --check               # exit 1 below the bar (5 MB/s per core)
"""

from __future__ import annotations

import argparse
import gc
import html
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from environment import cpu_model, git_state, versions

import dedup
import dedup.detectors
from dedup.config import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parents[1]
DATA_CANDIDATES = (
    ROOT.parent / "shared" / "dev" / "dragnet-dev.jsonl",
    Path("/work/shared/dev/dragnet-dev.jsonl"),
)
BAR_MBPS = 5.0  # the bar for clean(): MB/s per core
PACKAGES = ("dedup", "numpy", "rapidfuzz", "datasketch", "justext", "lxml", "lxml_html_clean")


# -- data and environment -------------------------------------------------------------------------


def default_data() -> Path:
    for path in DATA_CANDIDATES:
        if path.exists():
            return path
    return DATA_CANDIDATES[0]


def load_pages(path: Path, limit: int | None) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
                if limit is not None and len(texts) >= limit:
                    break
    return texts


def rss_now_mb() -> float | None:
    try:
        for row in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return None


def maxrss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


# -- caches ---------------------------------------------------------------------------------------


def line_caches() -> list[Callable[[], None]]:
    """Return the ``cache_clear`` of every bounded lru_cache in dedup's modules.

    Bounded caches hold per-line verdicts (they grow with the input); unbounded ones
    (``functools.cache``) hold loaded resources, which a long-running process loads once.
    """
    clears = []
    for name, module in list(sys.modules.items()):
        if name != "dedup" and not name.startswith("dedup."):
            continue
        for obj in vars(module).values():
            params = getattr(obj, "cache_parameters", None)
            if callable(params) and params().get("maxsize") is not None:
                clears.append(obj.cache_clear)
    return clears


def clear_line_caches() -> None:
    for clear in line_caches():
        clear()


# -- the measured functions -----------------------------------------------------------------------


def drop_repeated_lines(text: str) -> str:
    """Reference: keep the first copy of every line (compared stripped), drop later copies."""
    seen: set[str] = set()
    out = []
    for line in text.splitlines(keepends=True):
        key = line.strip()
        if key and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return "".join(out)


def make_justext() -> Callable[[str], str] | None:
    """Return a jusText cleaner for plain text (one ``<p>`` per line), or None if not installed."""
    try:
        import justext  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    stoplist = justext.get_stoplist("English")

    def run(text: str) -> str:
        body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
        page = f"<html><body>{body}</body></html>".encode()
        paragraphs = justext.justext(page, stoplist, encoding="utf-8")
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


def timed_pass(func: Callable[[str], object], texts: list[str]) -> float:
    """Return the CPU seconds of one pass (CPU time: other processes on the machine do not
    inflate it, as they do wall time; the pass is single-threaded)."""
    gc.collect()
    start = time.process_time()
    for text in texts:
        func(text)
    return time.process_time() - start


def throughput(
    func: Callable[[str], object],
    texts: list[str],
    repeats: int,
    n_bytes: int,
    *,
    cold: bool = False,
) -> dict[str, float]:
    seconds = []
    for _ in range(repeats):
        if cold:
            clear_line_caches()
        seconds.append(timed_pass(func, texts))
    median = statistics.median(seconds)
    return {
        "seconds_median": median,
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "repeats": repeats,
        "mb_per_s": n_bytes / 1e6 / median,
        "pages_per_s": len(texts) / median,
    }


def memory(texts: list[str]) -> dict[str, float]:
    clear_line_caches()
    gc.collect()
    tracemalloc.start()
    page_peak = 0
    for text in texts:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        dedup.clean(text)
        _, peak = tracemalloc.get_traced_memory()
        page_peak = max(page_peak, peak - before)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The pass's peak: caches filled during the pass stay in `current`; the largest page's
    # transient allocations come on top of them.
    return {
        "tracemalloc_retained_after_pass_mb": current / 2**20,
        "tracemalloc_largest_page_rise_mb": page_peak / 2**20,
    }


@contextmanager
def timed_detectors(times: dict[str, int], calls: dict[str, int]) -> Iterator[None]:
    """Time every detector the cleaner looks up through `dedup.detectors.get`.

    The line split (`dedup.document.split_lines`, which computes every non-blank line's key
    and words) is counted under ``SPLIT``. Line features that `dedup.document.Line` computes
    lazily and caches (``norm``; ``key`` of a line not made by the split) are paid by whichever
    detector touches them first, and the lexical pre-screen (`dedup.detectors.prescreen`) by
    the first of the four detectors that share it: their time is counted apart, under
    ``FEATURES`` and ``PRESCREEN``, and taken out of that detector's time.
    """
    import dedup.detectors.prescreen as prescreen
    import dedup.document as document

    original = dedup.detectors.get
    originals = {"normalize": document.normalize, "match_key": document.match_key}
    original_split, original_scan = document.split_lines, prescreen._scan
    inside = {"split": False}

    def feature(func: Callable[[str], str]) -> Callable[[str], str]:
        def timed(text: str) -> str:
            if inside["split"]:
                return func(text)  # counted with the split
            start = time.process_time_ns()
            out = func(text)
            times[FEATURES] += time.process_time_ns() - start
            return out

        return timed

    def split(text: str) -> list[document.Line]:
        inside["split"] = True
        start = time.process_time_ns()
        try:
            return original_split(text)
        finally:
            times[SPLIT] += time.process_time_ns() - start
            inside["split"] = False

    def scan(doc: document.Document, config: object) -> prescreen.Candidates:
        start = time.process_time_ns()
        out = original_scan(doc, config)  # type: ignore[arg-type]
        times[PRESCREEN] += time.process_time_ns() - start
        return out

    def get(name: str) -> dedup.detectors.Detector:
        detect = original(name)

        def timed(*args: object) -> list[dedup.detectors.Mark]:
            shared_before = times[FEATURES] + times[PRESCREEN]
            start = time.process_time_ns()
            out = detect(*args)  # type: ignore[arg-type]
            elapsed = time.process_time_ns() - start
            times[name] += elapsed - (times[FEATURES] + times[PRESCREEN] - shared_before)
            calls[name] += 1
            return out

        return timed  # type: ignore[return-value]

    dedup.detectors.get = get  # type: ignore[assignment]
    document.split_lines = split
    prescreen._scan = scan
    for attr, func in originals.items():
        setattr(document, attr, feature(func))
    try:
        yield
    finally:
        dedup.detectors.get = original  # type: ignore[assignment]
        document.split_lines = original_split
        prescreen._scan = original_scan
        for attr, func in originals.items():
            setattr(document, attr, func)


SPLIT = "(line split, with key and words)"
FEATURES = "(later line features: Line.norm...)"
PRESCREEN = "(lexical pre-screen)"
OVERHEAD = "(cleaner: passes, views, result)"


def detector_breakdown(texts: list[str]) -> dict[str, object]:
    times: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)
    clear_line_caches()
    with timed_detectors(times, calls):
        total = timed_pass(dedup.clean, texts)
    accounted = sum(times.values()) / 1e9
    rows = {
        name: {"seconds": times[name] / 1e9, "share": times[name] / 1e9 / total}
        for name in (*DEFAULT_CONFIG.detectors, SPLIT, FEATURES, PRESCREEN)
    }
    rows[OVERHEAD] = {"seconds": total - accounted, "share": (total - accounted) / total}
    # The last detector runs once per full pipeline pass (the cleaner may call the first,
    # titles, alone to decide whether another pass is needed).
    last = DEFAULT_CONFIG.detectors[-1]
    return {
        "total_seconds": total,
        "detectors": rows,
        "passes_per_page": calls[last] / len(texts) if texts else 0.0,
    }


# -- report ---------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, object]:
    path = Path(args.data)
    if not path.exists():
        sys.exit(f"no data at {path}: pass the JSONL file of pages as the first argument")
    texts = load_pages(path, args.limit)
    n_bytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    rss_loaded = rss_now_mb()
    for text in texts[:20]:  # imports, resource files, regex compilation: once per process
        dedup.clean(text)

    results: dict[str, object] = {
        "data": str(path),
        "pages": len(texts),
        "mb": n_bytes / 1e6,
        "environment": {
            "cpu": cpu_model(),
            "cpu_count": os.cpu_count(),
            "cores_used": 1,
            "platform": platform.platform(),
            "versions": versions(PACKAGES),
            "commit": git_state(),
        },
        "bar_mb_per_s": BAR_MBPS,
    }
    clean = throughput(dedup.clean, texts, args.repeats, n_bytes, cold=True)
    warm = throughput(dedup.clean, texts, args.repeats, n_bytes)
    results["clean"] = clean
    results["clean_warm_caches"] = warm
    results["memory"] = {
        **memory(texts),
        "rss_after_loading_mb": rss_loaded,
        "ru_maxrss_mb": maxrss_mb(),
    }
    results["detectors"] = detector_breakdown(texts)
    refs: dict[str, object] = {}
    if not args.no_references:
        refs["drop repeated lines"] = throughput(drop_repeated_lines, texts, args.repeats, n_bytes)
        jt = make_justext()
        if jt is None:
            refs["jusText"] = "skipped: pip install justext lxml_html_clean"
        else:
            refs["jusText"] = throughput(jt, texts, max(1, args.repeats // 2), n_bytes)
        for ref in refs.values():
            if isinstance(ref, dict):
                ref["dedup_speed_ratio"] = clean["mb_per_s"] / ref["mb_per_s"]
    results["references"] = refs
    results["meets_bar"] = clean["mb_per_s"] >= BAR_MBPS
    return results


def print_report(r: dict[str, object]) -> None:
    env = r["environment"]
    assert isinstance(env, dict)
    print(f"data: {r['data']} ({r['pages']} pages, {r['mb']:.2f} MB)")
    print(
        f"cpu: {env['cpu']} ({env['cpu_count']} cores, 1 used); python {env['versions']['python']}"
    )
    print(f"dedup {env['versions']['dedup']} at {env.get('commit')}")
    print()
    head = f"{'method':34s} {'MB/s':>8s} {'pages/s':>9s} {'median s':>9s} {'min-max s':>13s}"
    print(f"{head} {'dedup x':>8s}")

    def row(name: str, t: dict[str, float]) -> None:
        ratio = f"{t['dedup_speed_ratio']:.2f}" if "dedup_speed_ratio" in t else ""
        span = f"{t['seconds_min']:.2f}-{t['seconds_max']:.2f}"
        print(
            f"{name:34s} {t['mb_per_s']:8.2f} {t['pages_per_s']:9.0f} "
            f"{t['seconds_median']:9.2f} {span:>13s} {ratio:>8s}"
        )

    row("dedup.clean (cold line caches)", r["clean"])  # type: ignore[arg-type]
    row("dedup.clean (warm line caches)", r["clean_warm_caches"])  # type: ignore[arg-type]
    refs = r["references"]
    assert isinstance(refs, dict)
    for name, t in refs.items():
        if isinstance(t, dict):
            row(name, t)
        else:
            print(f"{name:34s} {t}")
    clean = r["clean"]
    assert isinstance(clean, dict)
    verdict = "meets" if r["meets_bar"] else "BELOW"
    print(f"\nbar: >= {r['bar_mb_per_s']} MB/s per core: {clean['mb_per_s']:.2f} MB/s {verdict}")
    print("(dedup x: how many times faster dedup.clean is than the reference; < 1 is slower)")

    mem = r["memory"]
    assert isinstance(mem, dict)
    print("\nmemory:")
    for key, value in mem.items():
        print(f"  {key:40s} {value:8.1f}" if value is not None else f"  {key:40s} n/a")

    det = r["detectors"]
    assert isinstance(det, dict)
    print(
        f"\ntime per detector (one cold pass, {det['total_seconds']:.2f} s, "
        f"{det['passes_per_page']:.2f} pipeline passes per page):"
    )
    rows = sorted(det["detectors"].items(), key=lambda kv: -kv[1]["seconds"])
    for name, t in rows:
        print(f"  {name:34s} {t['seconds']:7.3f} s {100 * t['share']:5.1f} %")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(default_data()), help="JSONL of pages")
    parser.add_argument("--repeats", type=int, default=5, help="passes per measurement")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pages")
    parser.add_argument("--no-references", action="store_true", help="skip the references")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 if clean() is below {BAR_MBPS} MB/s"
    )
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_report(results)
    return 1 if args.check and not results["meets_bar"] else 0


if __name__ == "__main__":
    sys.exit(main())
