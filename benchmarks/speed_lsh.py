"""Speed of batch LSH + clustering (dedup.cluster) against datasketch MinHashLSH, same run.

A synthetic signature matrix stands in for a dump: random uint32 rows (MinHash values of
unrelated documents agree on no slot), of which ``--dup-share`` are copies of an earlier row
(an original or another copy, so clusters chain) keeping a uniform 60-100% of its slots,
with a shingle count within 20% of their source's; plus one "template" group of
``--template`` documents sharing their first 8 slots (boilerplate-only pages), so
oversized buckets are on the path.

Measured, in CPU time of this one process:
- dedup: `cluster_signatures` on all ``--n`` documents (candidate pairs, verification,
  union-find, representatives, similarity to the representative);
- datasketch: `MinHashLSH` with the same banding, insert then query of ``--sample``
  documents (LeanMinHash objects built beforehand, not timed); candidates only, no
  verification or clustering, so the ratio understates dedup's advantage.

Checked on the side (not timed): 20k equal-size pairs agreeing on exactly the fewest slots
that still verify at ``--threshold`` must cluster exactly when they share a full band
(``share_band_above == clustered_above``; the binomial S-curve is printed beside it), and
20k pairs two slots short of it must never cluster (``clustered_below == 0``).

Usage:
    python benchmarks/speed_lsh.py                 # 1M docs, 50k for datasketch
    python benchmarks/speed_lsh.py --check --json  # exit 1 below 300k docs/s
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

from dedup.cluster import cluster_signatures, min_jaccard
from dedup.lsh import banding_recall, candidate_pairs, choose_bands

BAR = 300_000  # documents per second per core, batch LSH + clustering


def make_dump(n, num_perm, dup_share, template, seed):
    """Return (sigs, sizes, source, kept) of a synthetic dump; source -1 for an original."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, size=(n, num_perm), dtype=np.uint32)
    sizes = rng.integers(50, 2000, size=n)
    source = np.full(n, -1, dtype=np.int64)
    kept = np.ones(n)
    copies = np.sort(rng.choice(np.arange(1, n), size=int(dup_share * n), replace=False))
    # each copy's source is an earlier document (chains), drawn before any copying
    src = (rng.random(len(copies)) * copies).astype(np.int64)
    share = rng.uniform(0.6, 1.0, size=len(copies))
    for start in range(0, len(copies), 1 << 16):  # in order, so a copy of a copy is final
        c = copies[start : start + (1 << 16)]
        s = src[start : start + (1 << 16)]
        mask = rng.random((len(c), num_perm)) < share[start : start + (1 << 16), None]
        # sources within this chunk that are themselves copies are handled in order below
        inside = np.isin(s, c)
        block = sigs[c]
        block[mask] = sigs[s][mask]
        sigs[c] = block
        for k in np.flatnonzero(inside):  # rare: copy of a copy made in the same chunk
            row = sigs[c[k]]
            row[mask[k]] = sigs[s[k]][mask[k]]
            sigs[c[k]] = row
    source[copies], kept[copies] = src, share
    sizes[copies] = np.maximum(1, (sizes[src] * rng.uniform(0.8, 1.2, len(copies))).astype(int))
    if template:
        members = rng.choice(n, size=template, replace=False)
        sigs[members, :8] = sigs[members[0], :8]
    return sigs, sizes, source


def near_threshold(num_perm, threshold, kept_slots, pairs, seed):
    """Return (share of pairs sharing a full band, share clustered) for equal-size pairs
    agreeing on exactly ``kept_slots`` random slots: the two must be equal above the
    threshold, and the second 0 below it."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, size=(2 * pairs, num_perm), dtype=np.uint32)
    slots = np.argsort(rng.random((pairs, num_perm)), axis=1)[:, :kept_slots]
    rows = np.arange(pairs)[:, None]
    sigs[pairs + rows, slots] = sigs[rows, slots]
    result = cluster_signatures(sigs, np.full(2 * pairs, 500), threshold=threshold)
    b, r = result.bands, result.rows
    kept = np.zeros((pairs, num_perm), dtype=bool)
    kept[rows, slots] = True
    full_band = kept[:, : b * r].reshape(pairs, b, r).all(axis=2).any(axis=1)
    return float(full_band.mean()), float(np.mean(result.labels[:pairs] == result.labels[pairs:]))


def dev_bandings(path, threshold, bandings):
    """Compare bandings on real pages: all pairs of the dev set's cleaned texts.

    For each banding: candidate pairs (same site / other sites) and how many of the pairs
    that verify at ``threshold`` (found by comparing every pair) it proposes.
    """
    import itertools

    import dedup
    from dedup.cluster import pair_similarity
    from dedup.signatures import signatures

    with Path(path).open(encoding="utf-8") as f:
        recs = [json.loads(line) for line in f]
    sigs, counts = signatures([dedup.clean(r["text"]) for r in recs])
    ok = counts >= 10  # what dedup.find_duplicates compares exactly instead (too short)
    sigs, counts = sigs[ok], counts[ok]
    sites = np.array([r.get("site", "") for r in recs])[ok]
    allp = np.array(list(itertools.combinations(range(len(sigs)), 2)), dtype=np.int64)
    _, _, s = pair_similarity(sigs, counts, allp)
    verifies = s >= threshold
    same = sites[allp[:, 0]] == sites[allp[:, 1]]
    n = len(sigs)
    code = allp[:, 0] * n + allp[:, 1]
    out = {"dev_docs": n, "dev_pairs": len(allp), "dev_verifying_pairs": int(verifies.sum())}
    for b, r in bandings:
        cand = candidate_pairs(sigs, b, r)
        proposed = np.isin(code, cand[:, 0] * n + cand[:, 1])
        out[f"dev_{b}x{r}"] = {
            "candidates_same_site": int((proposed & same).sum()),
            "candidates_other_sites": int((proposed & ~same).sum()),
            "verifying_proposed": int((proposed & verifies).sum()),
        }
    return out


def time_dedup(sigs, sizes, threshold):
    t0 = time.process_time()
    result = cluster_signatures(sigs, sizes, threshold=threshold)
    return time.process_time() - t0, result


def time_datasketch(sigs, bands, rows, threshold, sample):
    from datasketch import LeanMinHash, MinHashLSH

    num_perm = sigs.shape[1]
    mhs = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sigs[:sample]]
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(bands, rows))
    t0 = time.process_time()
    for i, m in enumerate(mhs):
        lsh.insert(i, m)
    pairs = []
    for i, m in enumerate(mhs):
        pairs.extend((i, j) for j in lsh.query(m) if j > i)
    return time.process_time() - t0, pairs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--dup-share", type=float, default=0.2)
    ap.add_argument("--template", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=50_000, help="documents for datasketch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--dev",
        help="also compare bandings on the cleaned texts of this JSONL (all pairs); "
        "e.g. /work/shared/dev/dragnet-dev.jsonl",
    )
    ap.add_argument("--check", action="store_true", help=f"exit 1 below {BAR} docs/s")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    sigs, sizes, source = make_dump(args.n, args.num_perm, args.dup_share, args.template, args.seed)
    bands, rows = choose_bands(args.threshold, args.num_perm)
    secs, result = time_dedup(sigs, sizes, args.threshold)
    copies = np.flatnonzero(source >= 0)
    found = result.labels[copies] == result.labels[source[copies]]
    ds_secs, ds_pairs = time_datasketch(sigs, bands, rows, args.threshold, args.sample)
    # cross-check: the same candidates as MinHashLSH on the sample (no bucket cap)
    ours = candidate_pairs(sigs[: args.sample], bands, rows, max_bucket=args.n)
    same_candidates = sorted(ds_pairs) == [tuple(p) for p in ours.tolist()]

    # the S-curve, measured: equal-size pairs just above and just below the threshold
    j_min = min_jaccard(args.threshold)
    above = int(np.ceil(j_min * args.num_perm))
    below = above - 2
    band_above, clustered_above = near_threshold(args.num_perm, args.threshold, above, 20_000, 1)
    _, clustered_below = near_threshold(args.num_perm, args.threshold, below, 20_000, 2)
    figures_near = {
        "jaccard_above": round(above / args.num_perm, 4),
        "s_curve_above": round(float(banding_recall(bands, rows, above / args.num_perm)), 4),
        "share_band_above": band_above,
        "clustered_above": clustered_above,
        "jaccard_below": round(below / args.num_perm, 4),
        "clustered_below": clustered_below,
    }

    figures = {
        "n_docs": args.n,
        "num_perm": args.num_perm,
        "threshold": args.threshold,
        "bands": bands,
        "rows": rows,
        "min_jaccard": round(j_min, 4),
        "recall_at_min_jaccard": round(float(banding_recall(bands, rows, j_min)), 4),
        **figures_near,
        "dedup_cpu_s": round(secs, 3),
        "dedup_docs_per_s": round(args.n / secs),
        "candidates": result.candidates,
        "verified_pairs": len(result.pairs),
        "clusters_of_2_plus": len(result.clusters()),
        "copies_with_their_source": round(float(found.mean()), 4) if len(copies) else None,
        "datasketch_sample": args.sample,
        "datasketch_cpu_s": round(ds_secs, 3),
        "datasketch_docs_per_s": round(args.sample / ds_secs),
        "datasketch_candidate_pairs": len(ds_pairs),
        "same_candidates_as_datasketch": same_candidates,
        "ratio": round((args.n / secs) / (args.sample / ds_secs), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "bar_docs_per_s": BAR,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.processor() or platform.machine(),
    }
    if args.dev:
        alt = (choose_bands(args.threshold, args.num_perm, min_rows=1), (42, 3))
        figures.update(dev_bandings(args.dev, args.threshold, ((bands, rows), *alt)))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for k, v in figures.items():
            print(f"{k:32} {v}")
    if args.check and figures["dedup_docs_per_s"] < BAR:
        print(f"FAIL: {figures['dedup_docs_per_s']} docs/s is below {BAR}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
