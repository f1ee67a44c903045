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
  views and the result); on the compiled build (mypyc) the pre-screen counts with the
  detector that asks first;
- references measured in the same run on the same pages, with ratios: "drop repeated lines"
  (keep the first copy of each line: the trivial baseline of STYLE.md) and jusText 3 (a
  real boilerplate remover; it reads HTML, so each line goes in as one ``<p>``: its link and
  heading signals are absent, its parsing and classification costs are all there);
- ``dedup.clean_many`` with ``--jobs`` worker processes (default: one per core; 1 skips it)
  against ``dedup.clean`` in one process, both in *wall* time in the same run, the caches
  emptied before each: what a pipeline cleaning in bulk gains from the machine's cores;
- with ``--json``, the same as one JSON object, with package versions and the CPU model.

With ``--corpus-dump SIZE|PATH`` it measures the corpus-aware `dedup.Cleaner` instead (and
nothing else): on a dump that ``make_dump.py`` generates into a temporary folder (``50MB``,
``200MB``; ``--dump-seed``), or on an existing JSONL dump (records with ``text`` and
``site``/``url``, as ``make_dump.py`` writes them):

- MB/s per core (CPU time, median of ``--corpus-repeats`` passes, line caches emptied before
  each) of ``fit`` on all documents, of ``clean`` of every document with the fitted cleaner,
  and of both together (input bytes over fit + clean seconds: the issue's bar, >= 3 MB/s per
  core);
- memory of ``fit`` on the first N and the first 2N documents (N = half the dump), streamed
  from the file: tracemalloc's peak during the fit and what stays allocated after it (the
  model), with the number of counted keys (distinct line templates and band keys), and the
  ratios 2N / N. Flat in the number of documents would be a ratio near 1. ``--max-pairs``
  sets the cleaner's memory budget (``Cleaner(max_pairs=...)``) to see its effect.

Usage (from the repository root)::

    python benchmarks/speed.py                       # the dev set, 5 passes
    python benchmarks/speed.py PATH --repeats 3 --limit 200
    python benchmarks/speed.py --json > results.local.json
    python benchmarks/speed.py --check               # exit 1 below the bar (5 MB/s per core)
    python benchmarks/speed.py --corpus-dump 50MB    # dedup.Cleaner fit + clean on a dump
    python benchmarks/speed.py --corpus-dump /tmp/dump.jsonl --json
"""

from __future__ import annotations

import argparse
import gc
import gzip
import html
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from environment import cpu_model, git_state, versions

import dedup
import dedup.cleaner
import dedup.detectors
from dedup.config import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parents[1]
DATA_CANDIDATES = (
    ROOT.parent / "shared" / "dev" / "dragnet-dev.jsonl",
    Path("/work/shared/dev/dragnet-dev.jsonl"),
)
BAR_MBPS = 5.0  # the bar for clean(): MB/s per core
CORPUS_BAR_MBPS = 3.0  # the bar for Cleaner fit + clean together: MB/s per core
PACKAGES = ("dedup", "numpy", "rapidfuzz", "datasketch", "justext", "lxml", "lxml_html_clean")


# -- data and environment -------------------------------------------------------------------------


def environment() -> dict[str, object]:
    """Return where the figures were measured: CPU, cores used, platform, versions, commit."""
    return {
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cores_used": 1,
        "platform": platform.platform(),
        "versions": versions(PACKAGES),
        "commit": git_state(),
        # the mypyc build (HATCH_BUILD_HOOKS_ENABLE=1 pip install .) or plain Python
        "build": "compiled (mypyc)" if dedup.cleaner.COMPILED else "interpreted",
    }


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


def parallel(texts: list[str], jobs: int, repeats: int, n_bytes: int) -> dict[str, float]:
    """Return the wall-time throughput of `dedup.clean_many` in ``jobs`` processes beside one.

    Wall time: the work is spread over processes, so this process's CPU time says nothing.
    Each figure is the median of ``repeats`` passes (at least 3), the caches emptied first.
    """

    def wall(func: Callable[[], object]) -> float:
        clear_line_caches()
        gc.collect()
        start = time.perf_counter()
        func()
        return time.perf_counter() - start

    n = max(3, repeats)
    one = statistics.median(wall(lambda: [dedup.clean(t) for t in texts]) for _ in range(n))
    many = statistics.median(
        wall(lambda: list(dedup.clean_many(texts, jobs=jobs))) for _ in range(n)
    )
    return {
        "jobs": jobs,
        "repeats": n,
        "seconds_one_process": one,
        "seconds_median": many,
        "mb_per_s": n_bytes / 1e6 / many,
        "pages_per_s": len(texts) / many,
        "speedup_over_one_process": one / many,
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
        "environment": environment(),
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
    jobs = args.jobs or (os.cpu_count() or 1)
    if jobs > 1:
        results["parallel"] = parallel(texts, jobs, args.repeats, n_bytes)
    results["meets_bar"] = clean["mb_per_s"] >= BAR_MBPS
    return results


def print_report(r: dict[str, object]) -> None:
    env = r["environment"]
    assert isinstance(env, dict)
    print(f"data: {r['data']} ({r['pages']} pages, {r['mb']:.2f} MB)")
    print(
        f"cpu: {env['cpu']} ({env['cpu_count']} cores, 1 used); python {env['versions']['python']}"
    )
    print(f"dedup {env['versions']['dedup']} at {env.get('commit')}, {env['build']}")
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
    par = r.get("parallel")
    if isinstance(par, dict):
        print(
            f"\ndedup.clean_many, {par['jobs']} processes (wall time): {par['mb_per_s']:.2f} MB/s, "
            f"{par['pages_per_s']:.0f} pages/s, {par['speedup_over_one_process']:.2f}x dedup.clean "
            f"in one process ({par['seconds_one_process']:.2f} s -> {par['seconds_median']:.2f} s)"
        )

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
    if env["build"] != "interpreted":
        # A compiled module calls its compiled neighbours directly, past the patched names.
        print("  (compiled build: the pre-screen counts with the detector that asks first;")
        print("   the interpreted build times it apart)")


# -- corpus mode: dedup.Cleaner on a dump ---------------------------------------------------------


def corpus_dump(spec: str, seed: int, folder: Path) -> tuple[Path, float | None]:
    """Return the dump to measure and the seconds spent generating it (None: given).

    ``spec`` is an existing JSONL dump, or a size for ``make_dump.py`` to generate in
    ``folder``.
    """
    path = Path(spec)
    if path.exists():
        return path, None
    from make_dump import parse_size

    try:
        parse_size(spec)
    except argparse.ArgumentTypeError:
        sys.exit(f"--corpus-dump {spec!r}: neither an existing file nor a size such as 50MB")
    out = folder / "dump.jsonl"
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "make_dump.py")]
    cmd += ["-o", str(out), "--size", spec, "--seed", str(seed)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"make_dump.py failed:\n{proc.stderr}")
    return out, time.perf_counter() - start


def dump_records(path: Path, limit: int | None = None) -> Iterator[dict[str, object]]:
    """Yield the records of a ``.jsonl`` or ``.jsonl.gz`` dump, the first ``limit`` only."""
    opener = gzip.open if path.suffix == ".gz" else open
    n = 0
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if limit is not None and n >= limit:
                return
            record: dict[str, object] = json.loads(line)
            yield record
            n += 1


def new_cleaner(options: dict[str, object]) -> dedup.Cleaner:
    """Return a `dedup.Cleaner` with ``options`` (its defaults when empty)."""
    return dedup.Cleaner(**options)  # type: ignore[arg-type]


def fit_memory(path: Path, n_docs: int, options: dict[str, object]) -> dict[str, float]:
    """Return tracemalloc's peak and retained memory of fitting on the first ``n_docs``.

    The documents are streamed from the file, so the figures are the cleaner's own (what a
    pass over a dump of that many documents needs), not the input's.
    """
    clear_line_caches()
    gc.collect()
    tracemalloc.start()
    cleaner = new_cleaner(options).fit(dump_records(path, n_docs))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    stats = cleaner.stats()
    return {
        "documents": stats["documents"],
        "peak_mb": peak / 2**20,
        "retained_mb": current / 2**20,
        "counted_keys": stats["counted_keys"],
        "learned_lines": stats["learned_lines"],
        "sites": stats["sites"],
        # Templates forgotten to stay within the memory budget (max_pairs), where counted.
        "pruned": getattr(cleaner, "pruned", 0),
    }


def cpu_pass(func: Callable[[], object]) -> tuple[float, float, object]:
    """Run ``func`` once with cold line caches; return CPU seconds, wall seconds, its result."""
    clear_line_caches()
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    out = func()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def rate(n_bytes: int, n_docs: int, cpu: list[float], wall: list[float]) -> dict[str, float]:
    median = statistics.median(cpu)
    return {
        "cpu_seconds_median": median,
        "cpu_seconds_min": min(cpu),
        "cpu_seconds_max": max(cpu),
        "wall_seconds_median": statistics.median(wall),
        "mb_per_s": n_bytes / 1e6 / median,
        "docs_per_s": n_docs / median,
    }


def run_corpus(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="dedup-corpus-") as tmp:
        path, gen_seconds = corpus_dump(args.corpus_dump, args.dump_seed, Path(tmp))
        options: dict[str, object] = {}
        if args.max_pairs is not None:
            options["max_pairs"] = args.max_pairs
        return measure_corpus(
            path, gen_seconds, args.corpus_repeats, options, memory=not args.no_memory
        )


def corpus_throughput(
    docs: list[dict[str, object]], repeats: int, options: dict[str, object]
) -> dict[str, object]:
    """Return CPU-time throughput of `dedup.Cleaner` fit, clean and both on ``docs``."""
    n_bytes = sum(len(str(d["text"]).encode("utf-8", "surrogatepass")) for d in docs)
    warm = docs[:50]  # imports, resource files, regex compilation: once per process
    warm_cleaner = new_cleaner(options).fit(warm)
    for doc in warm:
        warm_cleaner.clean(doc)

    fit_cpu, fit_wall, clean_cpu, clean_wall = [], [], [], []
    cleaner = new_cleaner(options)
    for _ in range(repeats):
        cpu, wall, fitted = cpu_pass(lambda: new_cleaner(options).fit(docs))
        fit_cpu.append(cpu)
        fit_wall.append(wall)
        assert isinstance(fitted, dedup.Cleaner)
        cleaner = fitted

    def clean_all() -> None:
        clean = cleaner.clean
        for doc in docs:
            clean(doc)

    for _ in range(repeats):
        cpu, wall, _out = cpu_pass(clean_all)
        clean_cpu.append(cpu)
        clean_wall.append(wall)
    fit = rate(n_bytes, len(docs), fit_cpu, fit_wall)
    cleaned = rate(n_bytes, len(docs), clean_cpu, clean_wall)
    both_cpu = fit["cpu_seconds_median"] + cleaned["cpu_seconds_median"]
    both = {
        "cpu_seconds": both_cpu,
        "wall_seconds": fit["wall_seconds_median"] + cleaned["wall_seconds_median"],
        "mb_per_s": n_bytes / 1e6 / both_cpu,
        "docs_per_s": len(docs) / both_cpu,
    }
    return {
        "documents": len(docs),
        "mb": n_bytes / 1e6,
        "cleaner_stats": cleaner.stats(),
        "fit": fit,
        "clean": cleaned,
        "fit_and_clean": both,
        "bar_mb_per_s": CORPUS_BAR_MBPS,
        "meets_bar": both["mb_per_s"] >= CORPUS_BAR_MBPS,
    }


def measure_corpus(
    path: Path,
    gen_seconds: float | None,
    repeats: int,
    options: dict[str, object],
    *,
    memory: bool = True,
) -> dict[str, object]:
    results: dict[str, object] = {
        "dump": str(path),
        "dump_generated_seconds": gen_seconds,
        "cleaner_options": options,
        "environment": environment(),
    }
    results.update(corpus_throughput(list(dump_records(path)), repeats, options))
    if memory:
        # Memory last, with the input of the throughput runs freed: the fits stream the file.
        gc.collect()
        half = int(results["documents"]) // 2  # type: ignore[call-overload]
        small, large = fit_memory(path, half, options), fit_memory(path, 2 * half, options)
        results["fit_memory"] = {
            "n": small,
            "2n": large,
            "peak_ratio": large["peak_mb"] / small["peak_mb"],
            "retained_ratio": large["retained_mb"] / small["retained_mb"],
            "counted_keys_ratio": large["counted_keys"] / max(1, small["counted_keys"]),
            "ru_maxrss_mb": maxrss_mb(),
        }
    return results


def print_corpus_report(r: dict[str, object]) -> None:
    env = r["environment"]
    assert isinstance(env, dict)
    gen = r["dump_generated_seconds"]
    made = f", generated in {gen:.0f} s" if isinstance(gen, float) else ""
    print(f"dump: {r['dump']} ({r['documents']:,} documents, {r['mb']:.1f} MB of text{made})")
    print(
        f"cpu: {env['cpu']} ({env['cpu_count']} cores, 1 used); python {env['versions']['python']}"
    )
    print(f"dedup {env['versions']['dedup']} at {env.get('commit')}, {env['build']}")
    print(f"learned: {r['cleaner_stats']} with options {r['cleaner_options'] or 'default'}")
    print()
    print(f"{'dedup.Cleaner':22s} {'MB/s':>8s} {'docs/s':>9s} {'CPU s':>9s} {'wall s':>9s}")
    for name, key in (("fit", "fit"), ("clean", "clean")):
        t = r[key]
        assert isinstance(t, dict)
        print(
            f"{name:22s} {t['mb_per_s']:8.2f} {t['docs_per_s']:9.0f} "
            f"{t['cpu_seconds_median']:9.2f} {t['wall_seconds_median']:9.2f}"
        )
    both = r["fit_and_clean"]
    assert isinstance(both, dict)
    print(
        f"{'fit + clean':22s} {both['mb_per_s']:8.2f} {both['docs_per_s']:9.0f} "
        f"{both['cpu_seconds']:9.2f} {both['wall_seconds']:9.2f}"
    )
    verdict = "meets" if r["meets_bar"] else "BELOW"
    print(
        f"\nbar: fit + clean >= {r['bar_mb_per_s']} MB/s per core: "
        f"{both['mb_per_s']:.2f} MB/s {verdict}"
    )
    mem = r.get("fit_memory")
    if isinstance(mem, dict):
        print("\nmemory of fit (tracemalloc, documents streamed from the file):")
        print(
            f"  {'documents':>10s} {'peak MB':>9s} {'after MB':>9s} {'keys':>11s} "
            f"{'learned':>8s} {'pruned':>10s}"
        )
        for key in ("n", "2n"):
            m = mem[key]
            print(
                f"  {m['documents']:10,d} {m['peak_mb']:9.1f} {m['retained_mb']:9.1f} "
                f"{m['counted_keys']:11,d} {m['learned_lines']:8,d} {m['pruned']:10,d}"
            )
        print(
            f"  2N / N: peak {mem['peak_ratio']:.2f}, after fit {mem['retained_ratio']:.2f}, "
            f"counted keys {mem['counted_keys_ratio']:.2f} (flat in documents: ~1.0)"
        )
        print(f"  ru_maxrss of this process (input held in memory): {mem['ru_maxrss_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(default_data()), help="JSONL of pages")
    parser.add_argument("--repeats", type=int, default=5, help="passes per measurement")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pages")
    parser.add_argument("--no-references", action="store_true", help="skip the references")
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="processes of the dedup.clean_many figure (default 0: one per core; 1 skips it)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 if clean() is below {BAR_MBPS} MB/s (with --corpus-dump: if Cleaner "
        f"fit + clean is below {CORPUS_BAR_MBPS} MB/s)",
    )
    parser.add_argument(
        "--corpus-dump",
        metavar="SIZE|PATH",
        help="measure dedup.Cleaner fit + clean instead, on a dump make_dump.py generates "
        "(e.g. 50MB) or on an existing JSONL dump",
    )
    parser.add_argument("--dump-seed", type=int, default=7, help="make_dump.py --seed")
    parser.add_argument(
        "--corpus-repeats", type=int, default=1, help="passes per corpus-mode figure"
    )
    parser.add_argument(
        "--max-pairs",
        type=int,
        default=None,
        help="corpus mode: Cleaner(max_pairs=...), its memory budget (default: its own)",
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="corpus mode: skip the fit memory at N and 2N"
    )
    args = parser.parse_args(argv)
    results, report = (
        (run_corpus(args), print_corpus_report) if args.corpus_dump else (run(args), print_report)
    )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        report(results)
    return 1 if args.check and not results["meets_bar"] else 0


if __name__ == "__main__":
    sys.exit(main())
