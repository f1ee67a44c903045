"""Speed of text -> MinHash signature: dedup against datasketch and rensa, in one run.

Documents: ~5 KB articles made from the human-cleaned article text (field ``gold``) of the
dev pages, /work/shared/dev/dragnet-dev.jsonl (not committed): all gold texts joined by
newlines, cut into consecutive pieces of at most 5000 UTF-8 bytes at a space (about 600).

Contenders, each from text to a 128-permutation signature, one core, CPU time
(``time.process_time``), interleaved A B C D A B C D ... so machine noise hits all alike:

- ``datasketch.update``: ``MinHash()`` with its default SHA-1 hash, one ``update`` per
  shingle (5 words joined by a space, utf-8 bytes), the way most users write it;
- ``datasketch.bulk``: ``MinHash.bulk`` of the same shingles (one list per document);
- ``rensa``: ``RMinHash(128, seed).update(shingles)``, the same shingles as ``str``
  (skipped with a note if rensa is not installed: ``pip install rensa``);
- ``dedup``: ``dedup.signatures.signatures(texts)``, including the matching normalisation
  (NFKC, case folding, ...) and tokenisation the others do not do; on numba's compiled
  kernels when the ``fast`` extra is installed, and then also ``dedup (numpy path)``, the
  same call without them (the ratios and bars are those of ``dedup``).

The contenders' shingles are built in Python (``text.split()``, ``" ".join``) inside their
timed part: that is part of going from text to signature.

Usage::

    python benchmarks/speed_signatures.py [--rounds 3] [--docs 1000] [--json] [--check]

``--check`` exits 1 when a bar of issue 3 is missed: >= 50 MB/s, >= 80x
``datasketch.update``, >= 4x ``rensa``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dedup import _jit
from dedup.signatures import SignatureScheme, signatures

DEV = Path("/work/shared/dev/dragnet-dev.jsonl")
DOC_BYTES = 5000
NUM_PERM = 128
SEED = 1
BARS = {"mb_per_s": 50.0, "datasketch.update": 80.0, "rensa": 4.0}


def articles(path: Path, n_docs: int) -> list[str]:
    """Return ~5 KB articles: the gold texts of the dev pages joined, cut at spaces."""
    golds = [json.loads(line)["gold"].strip() for line in path.open(encoding="utf-8")]
    text = "\n".join(g for g in golds if g)
    out: list[str] = []
    pos = 0
    while pos < len(text) and len(out) < n_docs:
        piece = text[pos : pos + DOC_BYTES]
        while len(piece.encode("utf-8")) > DOC_BYTES:  # ~5 KB of UTF-8, not 5000 characters
            piece = piece[: len(piece) - (len(piece.encode("utf-8")) - DOC_BYTES)]
        cut = piece.rfind(" ")
        if cut > DOC_BYTES // 2 and pos + len(piece) < len(text):
            piece = piece[:cut]
        out.append(piece.strip())
        pos += len(piece)
    return [d for d in out if d]


def word_shingles(text: str, n: int = 5) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))]


def run_datasketch_update(docs: list[str]) -> object:
    from datasketch import MinHash

    out = []
    for d in docs:
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        for s in word_shingles(d):
            m.update(s.encode("utf-8"))
        out.append(m)
    return out


def run_datasketch_bulk(docs: list[str]) -> object:
    from datasketch import MinHash

    data = [[s.encode("utf-8") for s in word_shingles(d)] for d in docs]
    return MinHash.bulk(data, num_perm=NUM_PERM, seed=SEED)


def run_rensa(docs: list[str]) -> object:
    from rensa import RMinHash

    out = []
    for d in docs:
        m = RMinHash(num_perm=NUM_PERM, seed=SEED)
        m.update(word_shingles(d))
        out.append(m.digest())
    return out


def run_dedup(docs: list[str]) -> object:
    return signatures(docs, SignatureScheme(num_perm=NUM_PERM, seed=SEED))


def run_dedup_numpy(docs: list[str]) -> object:
    """`run_dedup` on the numpy path, as without the ``fast`` extra (numba)."""
    with _jit.forced(False):
        return run_dedup(docs)


def kernels() -> str:
    """Which path ``dedup`` takes: numba's compiled kernels or numpy."""
    if not _jit.enabled():
        return "numpy (numba not installed, or DEDUP_JIT=0)"
    import numba

    return f"numba {numba.__version__} kernels"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--docs", type=int, default=1000, help="most ~5 KB documents (1000)")
    ap.add_argument("--data", type=Path, default=DEV, help="dev pages JSONL (field gold)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--check", action="store_true", help="exit 1 if a bar is missed")
    args = ap.parse_args(argv)

    docs = articles(args.data, args.docs)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    contenders: dict[str, Callable[[list[str]], object]] = {
        "datasketch.update": run_datasketch_update,
        "datasketch.bulk": run_datasketch_bulk,
    }
    notes = []
    try:
        import rensa  # noqa: F401

        contenders["rensa"] = run_rensa
    except ImportError:
        notes.append("rensa not installed (pip install rensa): skipped")
    if _jit.enabled():
        contenders["dedup (numpy path)"] = run_dedup_numpy
    contenders["dedup"] = run_dedup
    # Warm-up, outside the timings: imports, dedup's lookup tables, datasketch's scipy.
    for f in contenders.values():
        f(docs[:2])
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.rounds):
        for name, f in contenders.items():
            t0 = time.process_time()
            f(docs)
            times[name].append(time.process_time() - t0)
    speed = {k: mb / statistics.median(v) for k, v in times.items()}
    ours = speed["dedup"]
    ratios = {k: ours / v for k, v in speed.items() if not k.startswith("dedup")}
    missed = []
    if ours < BARS["mb_per_s"]:
        missed.append(f"dedup {ours:.1f} MB/s < {BARS['mb_per_s']}")
    for k in ("datasketch.update", "rensa"):
        if k in ratios and ratios[k] < BARS[k]:
            missed.append(f"dedup/{k} {ratios[k]:.1f}x < {BARS[k]}x")
    result = {
        "documents": len(docs),
        "megabytes": round(mb, 3),
        "num_perm": NUM_PERM,
        "rounds": args.rounds,
        "mb_per_s": {k: round(v, 3) for k, v in speed.items()},
        "ratio_dedup_over": {k: round(v, 2) for k, v in ratios.items()},
        "bars": BARS,
        "missed": missed,
        "notes": notes,
        "dedup_path": kernels(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.processor() or platform.machine(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{len(docs)} documents, {mb:.2f} MB, {NUM_PERM} permutations, "
            f"{args.rounds} interleaved rounds, median CPU time; dedup on {kernels()}"
        )
        for k, v in speed.items():
            ratio = f"  dedup is {ratios[k]:.1f}x" if k in ratios else ""
            print(f"  {k:18s} {v:9.2f} MB/s{ratio}")
        for n in notes:
            print(f"note: {n}")
        for m in missed:
            print(f"MISSED: {m}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
