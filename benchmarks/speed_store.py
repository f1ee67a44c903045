"""Throughput of `dedup.Store` (SQLite, Redis) against datasketch `MinHashLSH` on Redis.

What is timed is the store's own work on each document: signing, banding, the exact and
band lookups, verification and the durable insert. The stores are opened with
``clean=False, learn=False`` (cleaning is measured by ``speed.py``), so the texts are
compared as they are.

Documents are synthetic and made by the script (nothing to download): texts of 150-400
words drawn from a 16,000-word made-up vocabulary with Zipf-Mandelbrot frequencies (short
words frequent), cut into sentences (capitalised, full stop) and paragraphs (newlines).
Of the documents added, 10% are near copies of an earlier one (1-4 words replaced, so their
5-word shingle Jaccard is ~0.86-0.96) and 5% exact copies; the query documents are 40% near
and 10% exact copies of added documents and 50% new texts. Texts are generated outside the
timed calls (their time is reported apart).

For each backend, at store size N (``--size``):

1. fill: N documents through ``add_many`` in batches of 256 (the fast path); the time spent in
   the store's calls is reported (text generation excluded), and the wall time of the fill;
2. ``--window`` documents added one at a time with ``add`` (the crawler case: one durable
   transaction each): add/s;
3. ``--window`` more documents with ``add_many`` in batches of 256: add/s;
4. ``--window`` queries (``query``, nothing written): query/s;
5. the same queries through ``query_many`` in batches of 256 (when the Store has it).

All in wall time (``time.perf_counter``): durable writes wait for the disk or the server,
which CPU time of this process does not see. Client CPU seconds are reported beside them.

Backends:

- ``sqlite``: ``Store(PATH)`` with the store's own durable settings (WAL journal,
  ``synchronous=FULL``: every commit is fsynced before ``add`` returns), file in ``--workdir``;
- ``redis``: ``Store(redis://...)`` against a redis-server started by
  ``tests/redis_server.py`` (``appendonly yes``, ``appendfsync always``: every write is
  fsynced to the append-only file before the server answers);
- ``datasketch``: ``MinHashLSH(threshold, num_perm=128, storage_config={"type": "redis",
  ...})`` against its own redis-server from the same launcher, same settings. Its MinHash is
  datasketch's own (5-word shingles of the lower-cased text, ``MinHash.update_batch`` for
  one document with the permutations made once, ``MinHash.bulk`` for a batch; its hashing is
  inside the timed part, as signing is for the Store). Its "add" is what a crawler does with
  it: ``query``, then ``insert`` when no candidate came back; a batch is ``bulk`` + one
  ``query`` per document + one ``insertion_session`` for the new ones (copies inside one batch
  are not checked against each other). Its "query" is ``lsh.query`` (a batch: ``bulk``, then
  one ``query`` each). It returns unverified candidates, so it does less than the Store per
  document. Its fill inserts the generated
  originals only (what a crawler would have kept) through ``insertion_session``. Banding:
  datasketch's own choice for the threshold (9 bands x 13 rows at 0.8: 9 round trips per
  query) or, with ``--datasketch-bands store``, the Store's (64 x 2).

Ratios are the Store's figure over datasketch's (same run; > 1: the Store is faster). The
issue's bars: SQLite >= 1,000 durable add/s and >= 5,000 query/s at 1M documents; Redis >= 5x
datasketch's Redis storage on add and on query. Nothing here asserts on time.

Usage::

    python benchmarks/speed_store.py --size 100000
    python benchmarks/speed_store.py --size 1000000 --backends sqlite --json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from environment import cpu_model, git_state, tests_helper, versions

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dedup", "numpy", "datasketch", "redis")
BACKENDS = ("sqlite", "redis", "datasketch")
PARTS = ("add_single", "add_batch", "query", "query_batch")
BATCH = 256
NUM_PERM = 128
SEED = 1  # datasketch's MinHash seed, as the Store's scheme
BARS = {"sqlite_add_per_s": 1000.0, "sqlite_query_per_s": 5000.0, "redis_x_datasketch": 5.0}
BAR_SIZE = 1_000_000  # the SQLite bars are for a store of this many documents

# -- synthetic documents -----------------------------------------------------------------------

VOCAB = 16_000  # 4 variants per word (plain, "word.", "Word", "word.\n") fit in uint16
CHUNK = 4096


def _vocabulary(rng: np.random.Generator) -> np.ndarray:
    """Return 4 * VOCAB strings: words, each with a full stop, capitalised, paragraph end."""
    onsets = [*"bcdfghjklmnprstvwz", "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st"]
    onsets += ["th", "tr"]
    vowels = [*"aeiou", "ai", "ea", "ie", "ou"]
    codas = ["", "", "", "n", "r", "s", "t", "l", "nd", "st"]
    words: set[str] = set()
    while len(words) < VOCAB:
        syllables = int(rng.choice([1, 1, 2, 2, 2, 3, 3, 4]))
        word = "".join(
            onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))]
            for _ in range(syllables)
        )
        words.add(word + codas[rng.integers(len(codas))])
    plain = sorted(words, key=lambda w: (len(w), w))  # short words are the frequent ones
    rest = plain[50:]
    rng.shuffle(rest)  # ... loosely: only the 50 most frequent are strictly the shortest
    plain = plain[:50] + rest
    out = plain + [w + "." for w in plain] + [w.capitalize() for w in plain]
    out += [w + ".\n" for w in plain]
    return np.array(out, dtype=object)


class Corpus:
    """Documents 0, 1, 2, ... generated in order; copies point back at earlier documents.

    Deterministic for a seed. Keeps every document's token array (uint16; ~0.55 GB at 1M
    documents) so that a copy of any earlier document can be made.
    """

    def __init__(self, seed: int, near_share: float = 0.10, exact_share: float = 0.05) -> None:
        self.seed = seed
        self.near_share, self.exact_share = near_share, exact_share
        self.vocab = _vocabulary(np.random.default_rng([seed, 0]))
        p = 1.0 / (np.arange(1, VOCAB + 1, dtype=np.float64) + 2.7)  # Zipf-Mandelbrot
        self.cdf = np.cumsum(p / p.sum())
        self.tokens: list[np.ndarray] = []
        self.kinds: list[str] = []  # "original", "near" or "exact"
        self.gen_seconds = 0.0

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, rng.random(n)), VOCAB - 1).astype(np.uint16)

    @staticmethod
    def _decorate(rng: np.random.Generator, tokens: np.ndarray) -> None:
        """Sentences of 8-25 words (capitalised, full stop); a paragraph ends at ~1 in 4."""
        ends = np.cumsum(rng.integers(8, 26, size=len(tokens) // 8 + 2)) - 1
        ends = ends[ends < len(tokens)]
        tokens[ends[:-1] + 1] += 2 * VOCAB
        para = rng.random(len(ends)) < 0.25
        tokens[ends[~para]] += VOCAB
        tokens[ends[para]] += 3 * VOCAB

    def _make(
        self, rng: np.random.Generator, kinds: np.ndarray, source_limit: int | None
    ) -> list[np.ndarray]:
        """Return the token arrays of new documents numbered from ``len(self.tokens)``.

        A copy's source is any earlier document, or one below ``source_limit`` when given.
        """
        first = len(self.tokens)
        lengths = rng.integers(150, 401, size=len(kinds))
        orig = kinds == "original"
        flat = self._draw(rng, int(lengths[orig].sum()))
        self._decorate(rng, flat)
        parts = iter(np.split(flat, np.cumsum(lengths[orig])[:-1]))
        out: list[np.ndarray] = []
        for k, kind in enumerate(kinds):
            if kind == "original":
                out.append(next(parts))
                continue
            src = int(rng.integers(first + k if source_limit is None else source_limit))
            toks = self.tokens[src] if src < first else out[src - first]
            if kind == "near":
                toks = toks.copy()
                edits = int(rng.integers(1, 5))
                toks[rng.integers(len(toks), size=edits)] = self._draw(rng, edits)
            out.append(toks)
        return out

    def _extend(self, stop: int) -> None:
        t0 = time.perf_counter()
        while len(self.tokens) < stop:
            rng = np.random.default_rng([self.seed, 1, len(self.tokens) // CHUNK])
            u = rng.random(CHUNK)
            kinds = np.where(
                u < self.exact_share,
                "exact",
                np.where(u < self.exact_share + self.near_share, "near", "original"),
            )
            if not self.tokens:
                kinds[0] = "original"
            self.tokens.extend(self._make(rng, kinds, None))
            self.kinds.extend(kinds.tolist())
        self.gen_seconds += time.perf_counter() - t0

    def text(self, tokens: np.ndarray) -> str:
        return " ".join(self.vocab[tokens].tolist()).replace("\n ", "\n")

    def texts(self, start: int, stop: int) -> list[str]:
        """Return the texts of documents ``start`` to ``stop`` (generated as needed)."""
        self._extend(stop)
        t0 = time.perf_counter()
        out = [self.text(t) for t in self.tokens[start:stop]]
        self.gen_seconds += time.perf_counter() - t0
        return out

    def queries(self, n: int, added: int) -> tuple[list[str], list[str]]:
        """Return ``n`` query texts and their kinds: 40% near and 10% exact copies of documents
        below ``added``, 50% new texts (not documents of the corpus)."""
        self._extend(added)
        t0 = time.perf_counter()
        rng = np.random.default_rng([self.seed, 2])
        u = rng.random(n)
        kinds = np.where(u < 0.1, "exact", np.where(u < 0.5, "near", "original"))
        out = [self.text(t) for t in self._make(rng, kinds, added)]
        self.gen_seconds += time.perf_counter() - t0
        return out, kinds.tolist()


# -- helpers ---------------------------------------------------------------------------------------


class Clock:
    """Accumulates wall and CPU seconds of the timed parts only."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._w = self._c = 0.0

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _timing(
    clock: Clock, kinds: list[str], found: list[bool], *, batch: int | None = None
) -> dict[str, object]:
    """Return one timed window's record: size, wall and CPU seconds, rate, copies found."""
    window = len(found)
    out: dict[str, object] = {"docs": window}
    if batch is not None:
        out["batch"] = batch
    out.update(
        wall_s=round(clock.wall, 3),
        cpu_s=round(clock.cpu, 3),
        per_s=round(window / clock.wall),
        **_tally(kinds, found),
    )
    return out


def _tally(kinds: list[str], found: list[bool]) -> dict[str, Any]:
    """Share of copies reported as duplicates, and of new texts reported as duplicates."""
    c = Counter(zip(kinds, found, strict=True))
    copies = c["near", True] + c["near", False] + c["exact", True] + c["exact", False]
    new = c["original", True] + c["original", False]
    return {
        "near_copies": c["near", True] + c["near", False],
        "near_found": c["near", True],
        "exact_copies": c["exact", True] + c["exact", False],
        "exact_found": c["exact", True],
        "copies_found_share": round((c["near", True] + c["exact", True]) / copies, 4)
        if copies
        else None,
        "new": new,
        "new_reported_duplicate": c["original", True],
    }


def load_launcher() -> Callable[[Path], Any] | None:
    """Return ``tests/redis_server.py``'s ``start_redis`` (None when the file is absent)."""
    module = tests_helper("redis_server")
    return None if module is None else module.start_redis  # type: ignore[no-any-return]


def redis_info(url: str) -> dict[str, Any]:
    """Return the server's durability settings, memory used and append-only file size."""
    import redis

    r = redis.Redis.from_url(url)
    try:
        cfg = {k: r.config_get(k).get(k) for k in ("appendonly", "appendfsync")}
        mem = r.info("memory")["used_memory"]
        persist = r.info("persistence")
        server = r.info("server")
    finally:
        r.close()
    return {
        **cfg,
        "redis_version": server.get("redis_version"),
        "used_memory_mb": round(mem / 2**20, 1),
        "aof_size_mb": round(persist.get("aof_current_size", 0) / 2**20, 1),
    }


def redis_params(url: str) -> dict[str, Any]:
    """Return ``redis.Redis`` keyword arguments for a redis:// or unix:// URL (datasketch's
    storage config takes them, not a URL)."""
    from urllib.parse import urlparse

    u = urlparse(url)
    if u.scheme == "unix":
        return {"unix_socket_path": u.path}
    out: dict[str, Any] = {"host": u.hostname or "127.0.0.1", "port": u.port or 6379}
    db = u.path.strip("/")
    if db:
        out["db"] = int(db)
    if u.password:
        out["password"] = u.password
    return out


# -- dedup.Store -----------------------------------------------------------------------------------


def run_store(
    name: str, location: str, corpus: Corpus, size: int, window: int, threshold: float
) -> dict[str, Any]:
    from dedup import Store

    store = Store(location, clean=False, learn=False, threshold=threshold)
    try:
        if len(store):
            msg = f"{location}: not empty ({len(store)} documents); give a fresh --workdir"
            raise SystemExit(msg)
        out: dict[str, Any] = {"n": size, "bands": store.bands, "rows": store.rows}
        if name == "sqlite":
            con = store.backend.con  # type: ignore[attr-defined]
            out["journal_mode"] = con.execute("PRAGMA journal_mode").fetchone()[0]
            sync = con.execute("PRAGMA synchronous").fetchone()[0]
            out["synchronous"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, sync)

        # 1. fill to N through add_many
        fill, wall0, kept, report = Clock(), time.perf_counter(), Counter(), max(1, size // 10)
        for start in range(0, size, BATCH):
            stop = min(size, start + BATCH)
            docs = [
                {"id": f"d{i}", "text": t}
                for i, t in zip(range(start, stop), corpus.texts(start, stop), strict=True)
            ]
            with fill:
                results = store.add_many(docs)
            kept.update(r.match or "stored" for r in results)
            if stop // report != start // report or stop == size:
                log(
                    f"{name}: filled {stop:,}/{size:,} in {time.perf_counter() - wall0:.0f} s "
                    f"(store {fill.wall:.0f} s, {stop / fill.wall:,.0f} docs/s)"
                )
        out.update(
            fill_store_s=round(fill.wall, 2),
            fill_cpu_s=round(fill.cpu, 2),
            fill_wall_s=round(time.perf_counter() - wall0, 2),
            fill_docs_per_s=round(size / fill.wall),
            fill_outcomes=dict(kept),
        )

        # 2. one add at a time
        ids = range(size, size + window)
        texts = corpus.texts(size, size + window)
        found: list[bool] = []
        clock = Clock()
        with clock:
            for i, text in zip(ids, texts, strict=True):
                found.append(store.add(f"d{i}", text).duplicate_of is not None)
        out["add_single"] = _timing(clock, corpus.kinds[size : size + window], found)

        # 3. add_many, batches of 256
        first = size + window
        texts = corpus.texts(first, first + window)
        found = []
        clock = Clock()
        with clock:
            for b in range(0, window, BATCH):
                docs = [
                    {"id": f"d{first + b + k}", "text": t}
                    for k, t in enumerate(texts[b : b + BATCH])
                ]
                found.extend(r.duplicate_of is not None for r in store.add_many(docs))
        out["add_batch"] = _timing(clock, corpus.kinds[first : first + window], found, batch=BATCH)

        # 4. queries
        added = size + 2 * window
        queries, kinds = corpus.queries(window, added)
        found = []
        clock = Clock()
        with clock:
            for text in queries:
                found.append(store.query(text).duplicate_of is not None)
        out["query"] = _timing(clock, kinds, found)

        # 5. the same queries through query_many, batches of 256 (when the Store has it)
        if hasattr(store, "query_many"):
            found = []
            clock = Clock()
            with clock:
                for b in range(0, window, BATCH):
                    found.extend(
                        r.duplicate_of is not None for r in store.query_many(queries[b : b + BATCH])
                    )
            out["query_batch"] = _timing(clock, kinds, found, batch=BATCH)
        stats = store.stats()
        out["stats"] = {k: stats[k] for k in ("documents", "stored", "exact", "near")}
    finally:
        store.close()
    if name == "sqlite":
        path = Path(location)
        sizes = [p.stat().st_size for p in path.parent.glob(path.name + "*")]
        out["disk_mb"] = round(sum(sizes) / 2**20, 1)
    return out


# -- datasketch MinHashLSH on Redis --------------------------------------------------------------


def _shingles(text: str) -> list[bytes]:
    words = text.lower().split()
    return [" ".join(words[i : i + 5]).encode("utf-8") for i in range(max(1, len(words) - 4))]


def run_datasketch(
    url: str, corpus: Corpus, size: int, window: int, threshold: float, bands: str
) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    config = {"type": "redis", "redis": redis_params(url), "basename": b"speedstore"}
    extra: dict[str, Any] = {}
    if bands == "store":
        from dedup.lsh import choose_bands

        extra["params"] = choose_bands(threshold, NUM_PERM)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, storage_config=config, **extra)
    perms = MinHash(num_perm=NUM_PERM, seed=SEED).permutations  # made once, reused below

    def minhash(text: str) -> MinHash:
        m = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=perms, scheme="affine32")
        m.update_batch(_shingles(text))
        return m

    out: dict[str, Any] = {"n": size, "bands": lsh.b, "rows": lsh.r}

    # 1. fill: the originals, MinHash.bulk + one insertion_session
    fill, wall0, report, inserted = Clock(), time.perf_counter(), max(1, size // 10), 0
    session = lsh.insertion_session(buffer_size=50_000)
    for start in range(0, size, BATCH):
        stop = min(size, start + BATCH)
        texts = corpus.texts(start, stop)
        keep = [k for k in range(stop - start) if corpus.kinds[start + k] == "original"]
        with fill:
            mhs = MinHash.bulk([_shingles(texts[k]) for k in keep], num_perm=NUM_PERM, seed=SEED)
            for k, m in zip(keep, mhs, strict=True):
                session.insert(f"d{start + k}", m, check_duplication=False)
        inserted += len(keep)
        if stop // report != start // report or stop == size:
            log(
                f"datasketch: filled {stop:,}/{size:,} in {time.perf_counter() - wall0:.0f} s "
                f"(store {fill.wall:.0f} s, {stop / fill.wall:,.0f} docs/s)"
            )
    with fill:
        session.close()
    out.update(
        fill_store_s=round(fill.wall, 2),
        fill_cpu_s=round(fill.cpu, 2),
        fill_wall_s=round(time.perf_counter() - wall0, 2),
        fill_docs_per_s=round(size / fill.wall),
        fill_inserted=inserted,
    )

    # 2. one at a time: query, insert when nothing came back
    texts = corpus.texts(size, size + window)
    found: list[bool] = []
    clock = Clock()
    with clock:
        for k, text in enumerate(texts):
            m = minhash(text)
            hit = bool(lsh.query(m))
            if not hit:
                lsh.insert(f"d{size + k}", m)
            found.append(hit)
    out["add_single"] = _timing(clock, corpus.kinds[size : size + window], found)

    # 3. batches of 256: bulk, query each, one insertion_session for the new ones
    first = size + window
    texts = corpus.texts(first, first + window)
    found = []
    clock = Clock()
    with clock:
        for b in range(0, window, BATCH):
            part = texts[b : b + BATCH]
            mhs = MinHash.bulk([_shingles(t) for t in part], num_perm=NUM_PERM, seed=SEED)
            hits = [bool(lsh.query(m)) for m in mhs]
            with lsh.insertion_session(buffer_size=50_000) as s:
                for k, (m, hit) in enumerate(zip(mhs, hits, strict=True)):
                    if not hit:
                        s.insert(f"d{first + b + k}", m)
            found.extend(hits)
    out["add_batch"] = _timing(clock, corpus.kinds[first : first + window], found, batch=BATCH)

    # 4. queries
    queries, kinds = corpus.queries(window, size + 2 * window)
    found = []
    clock = Clock()
    with clock:
        for text in queries:
            found.append(bool(lsh.query(minhash(text))))
    out["query"] = _timing(clock, kinds, found)

    # 5. the same queries in batches of 256: MinHash.bulk, then one query each
    found = []
    clock = Clock()
    with clock:
        for b in range(0, window, BATCH):
            shingles = [_shingles(t) for t in queries[b : b + BATCH]]
            mhs = MinHash.bulk(shingles, num_perm=NUM_PERM, seed=SEED)
            found.extend(bool(lsh.query(m)) for m in mhs)
    out["query_batch"] = _timing(clock, kinds, found, batch=BATCH)
    return out


# -- main --------------------------------------------------------------------------------------


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    ds = results.get("datasketch")
    if ds is None:
        return {}
    return {
        name: {
            part: round(r[part]["per_s"] / ds[part]["per_s"], 1)
            for part in PARTS
            if part in r and part in ds
        }
        for name, r in results.items()
        if name != "datasketch"
    }


def bars(results: dict[str, dict[str, Any]], rx: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Return each bar of the issue per part measured: the figure and whether it is met."""
    out: dict[str, Any] = {}
    sq = results.get("sqlite")
    if sq is not None:
        at = sq["n"] >= BAR_SIZE
        out["sqlite"] = {"measured_at_n": sq["n"], "bar_n": BAR_SIZE}
        for part in PARTS:
            if part in sq:
                bar = BARS["sqlite_add_per_s" if part.startswith("add") else "sqlite_query_per_s"]
                per_s = sq[part]["per_s"]
                out["sqlite"][part] = {"per_s": per_s, "bar": bar, "met": at and per_s >= bar}
    if "redis" in rx:
        bar = BARS["redis_x_datasketch"]
        out["redis"] = {
            part: {"x": x, "bar": bar, "met": x >= bar} for part, x in rx["redis"].items()
        }
    return out


LABELS = {
    "add_single": "add",
    "add_batch": "add 256",
    "query": "query",
    "query_batch": "query 256",
}


def print_report(report: dict[str, Any]) -> None:
    env = report["environment"]
    v = env["versions"]
    print(
        f"cpu: {env['cpu']} ({env['cpu_count']} cores); python {v['python']}, numpy "
        f"{v['numpy']}, datasketch {v['datasketch']}, redis-py {v['redis']}; dedup "
        f"{v['dedup']} at {env['commit']}; {env['started']} to {env['finished']}, load average "
        f"{env['load_average_start'][0]} -> {env['load_average_end'][0]}"
    )
    c = report["corpus"]
    print(
        f"documents: synthetic, {c['mean_words']:.0f} words / {c['mean_bytes']:.0f} bytes on "
        f"average; generated in {c['gen_seconds']:.0f} s (not timed); window "
        f"{report['settings']['window']:,}, batch {BATCH}, threshold "
        f"{report['settings']['threshold']}"
    )
    for name, info in report.get("servers", {}).items():
        print(f"{name} server: {info}")
    print()
    cols = "".join(f" {LABELS[p] + '/s':>12s}" for p in PARTS)
    print(f"{'backend':11s} {'bands':>6s} {'N':>10s} {'fill s':>8s} {'fill/s':>7s}{cols}")
    rx = report["ratios"]
    for name, r in report["results"].items():
        figs = "".join(f" {r[p]['per_s']:>12,}" if p in r else f" {'-':>12s}" for p in PARTS)
        print(
            f"{name:11s} {r['bands']:>3d}x{r['rows']:<2d} {r['n']:>10,} "
            f"{r['fill_store_s']:>8.0f} {r['fill_docs_per_s']:>7,}{figs}"
        )
        if name in rx:
            xs = "".join(
                f" {str(rx[name][p]) + 'x':>12s}" if p in rx[name] else f" {'':>12s}" for p in PARTS
            )
            print(f"{'':11s} {'':>6s} {'x datasketch':>27s}{xs}")
    print()
    for name, r in report["results"].items():
        for part in PARTS:
            if part not in r:
                continue
            p = r[part]
            print(
                f"{name:11s} {LABELS[part]:10s} {p['wall_s']:7.2f} s wall, {p['cpu_s']:6.2f} s "
                f"client CPU; copies found {p['near_found']}/{p['near_copies']} near, "
                f"{p['exact_found']}/{p['exact_copies']} exact; new reported duplicate "
                f"{p['new_reported_duplicate']}/{p['new']}"
            )
        extra = {k: r[k] for k in ("journal_mode", "synchronous", "disk_mb", "stats") if k in r}
        print(
            f"{name:11s} fill wall {r['fill_wall_s']:.0f} s (store {r['fill_store_s']:.0f} s, "
            f"client CPU {r['fill_cpu_s']:.0f} s) {extra}"
        )
    b = report["bars"]
    if "sqlite" in b:
        s = b["sqlite"]
        where = "" if s["measured_at_n"] >= BAR_SIZE else f" (measured at {s['measured_at_n']:,})"
        parts = ", ".join(
            f"{LABELS[p]} {s[p]['per_s']:,}/s (>= {s[p]['bar']:,.0f}: "
            f"{'met' if s[p]['met'] else 'NOT met'})"
            for p in PARTS
            if p in s
        )
        print(f"bars SQLite at 1M documents{where}: {parts}")
    if "redis" in b:
        parts = ", ".join(
            f"{LABELS[p]} {v['x']}x ({'met' if v['met'] else 'NOT met'})"
            for p, v in b["redis"].items()
        )
        print(f"bars Redis >= 5x datasketch: {parts}")
    for note in report["notes"]:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000, help="documents in the store (N)")
    ap.add_argument("--window", type=int, default=2000, help="timed adds / queries (2000)")
    ap.add_argument(
        "--backends",
        default="sqlite,redis,datasketch",
        help="comma-separated: " + ",".join(BACKENDS),
    )
    ap.add_argument(
        "--datasketch-size", type=int, help="fill datasketch to this N instead (default --size)"
    )
    ap.add_argument(
        "--datasketch-bands",
        choices=("default", "store"),
        default="default",
        help="datasketch's own banding for the threshold, or the Store's (64x2 at 0.8)",
    )
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, help="where the stores go (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--save", type=Path, help="also write the JSON report to this file")
    args = ap.parse_args(argv)

    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(wanted) - set(BACKENDS))
    if unknown:
        ap.error(f"unknown backends {unknown}; choose from {','.join(BACKENDS)}")
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="speed_store_", dir=args.workdir))
    notes: list[str] = []
    report: dict[str, Any] = {
        "environment": {
            "cpu": cpu_model(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "versions": versions(PACKAGES),
            "commit": git_state(),
            "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average_start": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "size": args.size,
            "window": args.window,
            "batch": BATCH,
            "threshold": args.threshold,
            "seed": args.seed,
            "datasketch_bands": args.datasketch_bands,
            "workdir": str(work),
        },
    }
    corpus = Corpus(args.seed)
    start_redis = None
    if {"redis", "datasketch"} & set(wanted):
        start_redis = load_launcher()
        missing = None
        if start_redis is None:
            missing = "tests/redis_server.py (the Redis test-server launcher) is not there"
        elif importlib.util.find_spec("redis") is None:
            missing = "the redis package is not installed (pip install redis)"
        if missing:
            for b in ("redis", "datasketch"):
                if b in wanted:
                    wanted.remove(b)
                    notes.append(f"{b}: skipped: {missing}")
    results: dict[str, dict[str, Any]] = {}
    servers: dict[str, Any] = {}
    try:
        for name in wanted:
            log(f"{name}: start")
            if name == "sqlite":
                path = work / "store.db"
                results[name] = run_store(
                    name, str(path), corpus, args.size, args.window, args.threshold
                )
                continue
            assert start_redis is not None
            (work / name).mkdir()
            server = start_redis(work / name)
            try:
                if name == "redis":
                    results[name] = run_store(
                        name, server.url, corpus, args.size, args.window, args.threshold
                    )
                else:
                    n = args.datasketch_size or args.size
                    results[name] = run_datasketch(
                        server.url, corpus, n, args.window, args.threshold, args.datasketch_bands
                    )
                servers[name] = redis_info(server.url)
            finally:
                server.stop()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    texts = corpus.texts(0, min(2000, len(corpus.tokens))) if corpus.tokens else []
    report["corpus"] = {
        "documents_generated": len(corpus.tokens),
        "gen_seconds": round(corpus.gen_seconds, 1),
        "mean_words": float(np.mean([len(t) for t in corpus.tokens])) if corpus.tokens else 0,
        "mean_bytes": float(np.mean([len(t.encode("utf-8")) for t in texts])) if texts else 0,
        "shares": {"near": corpus.near_share, "exact": corpus.exact_share},
    }
    report["results"] = results
    report["servers"] = servers
    report["ratios"] = ratios(results)
    report["bars"] = bars(results, report["ratios"])
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if "datasketch" in results and results["datasketch"]["n"] != args.size:
        notes.append(
            f"datasketch measured at N = {results['datasketch']['n']:,}, the stores at "
            f"{args.size:,}"
        )
    report["notes"] = notes
    report["environment"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["environment"]["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if args.save is not None:
        args.save.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
