"""End-to-end speed of ``dedup dups`` on a generated dump: wall time, docs/s, peak memory.

Receives a dump size (default 1 GB) and a number of worker processes (default 2); builds the
dump with ``benchmarks/make_dump.py`` (or reuses ``--dump``), runs the installed command

    dedup dups DUMP -o OUT --jobs N --report REPORT -q

as a user would, and hands on:

- wall time, documents/s and MB/s of the whole run (reading, cleaning, signing, LSH,
  clustering, and the second pass that writes every record with its verdict);
- peak memory: the largest sum of the resident set sizes of the command and its worker
  processes, sampled every 0.1 s from /proc (what the machine must have free), and the
  largest single process (``ru_maxrss`` of the children);
- CPU seconds per stage from the command's ``--report`` (clean, sign, cluster; summed over
  workers) and an extrapolation to a larger dump (``--extrapolate``, default 10 GB): the
  per-document stages scale linearly; clustering is measured here and scaled as n log n; the
  signature file on disk is num_perm * 4 bytes per distinct document.

Bars (issue 3): a 1 GB dump on 2 cores in under 3 minutes end to end including cleaning, peak
RSS under 2 GB. ``--check`` exits 1 if either is missed.

Usage (from the repository root)::

    python benchmarks/speed_dump.py                         # 1 GB, 2 jobs
    python benchmarks/speed_dump.py --size 200MB --jobs 2   # a quicker look
    python benchmarks/speed_dump.py --dump /data/dump.jsonl --json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BAR_SECONDS = 180.0
BAR_RSS = 2 * 1024**3


def parse_size(text: str) -> int:
    units = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "k": 1e3, "m": 1e6, "g": 1e9, "b": 1}
    t = text.strip().lower()
    for unit in sorted(units, key=len, reverse=True):
        if t.endswith(unit):
            return int(float(t[: -len(unit)]) * units[unit])
    return int(float(t))


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(x) for x in (task / "children").read_text().split()]
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeRss:
    """Sample the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid = pid
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            todo, total, seen = [self.pid], 0, set()
            while todo:
                p = todo.pop()
                if p in seen:
                    continue
                seen.add(p)
                total += _rss(p)
                todo += _children(p)
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def make_dump(path: Path, size: int, seed: int) -> float:
    t = time.perf_counter()
    cmd = [sys.executable, str(HERE / "make_dump.py"), "--size", str(size), "--seed", str(seed)]
    subprocess.run([*cmd, "-o", str(path)], check=True)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="1GB", help="dump size to generate (default 1GB)")
    ap.add_argument("--dump", type=Path, help="use this dump instead of generating one")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, help="where the dump and outputs go (default: tmp)")
    ap.add_argument("--extrapolate", default="10GB", help="size to extrapolate to")
    ap.add_argument("--keep-files", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", action="store_true", help="exit 1 if a bar is missed")
    args = ap.parse_args()

    dedup_cmd = shutil.which("dedup") or str(Path(sys.executable).with_name("dedup"))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="dedup-speed-dump-"))
    work.mkdir(parents=True, exist_ok=True)
    gen_seconds = None
    if args.dump:
        dump = args.dump
    else:
        dump = work / "dump.jsonl"
        gen_seconds = make_dump(dump, parse_size(args.size), args.seed)
    size = dump.stat().st_size
    out, report = work / "out.jsonl", work / "report.json"
    cmd = [dedup_cmd, "dups", str(dump), "-o", str(out), "--jobs", str(args.jobs)]
    cmd += ["--report", str(report), "--workdir", str(work), "-q"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd)
    sampler = TreeRss(proc.pid)
    code = proc.wait()
    wall = time.perf_counter() - t
    peak_tree = sampler.stop()
    if code != 0:
        print(f"dedup dups exited {code}", file=sys.stderr)
        return 2
    peak_single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    rep = json.loads(report.read_text())
    docs = rep["documents"]
    cpu = rep["cpu_seconds"]
    target = parse_size(args.extrapolate)
    scale = target / size
    n_big = docs * scale
    per_doc = (cpu["clean"] + cpu["sign"]) / max(docs, 1)
    cluster_big = cpu["cluster"] * scale * (math.log(max(n_big, 2)) / math.log(max(docs, 2)))
    other = max(wall * args.jobs - sum(cpu.values()), 0.0)  # reading, JSON, writing, waiting
    est_wall = (per_doc * n_big + other * scale) / args.jobs + cluster_big
    result = {
        "dump": str(dump),
        "dump_bytes": size,
        "documents": docs,
        "jobs": args.jobs,
        "generate_seconds": gen_seconds,
        "wall_seconds": round(wall, 2),
        "docs_per_second": round(docs / wall, 1),
        "mb_per_second": round(size / 1e6 / wall, 2),
        "peak_rss_tree_bytes": peak_tree,
        "peak_rss_single_bytes": peak_single,
        "cpu_seconds": cpu,
        "exact_duplicates": rep["exact_duplicates"],
        "near_duplicates": rep["near_duplicates"],
        "clusters": rep["clusters"],
        "extrapolated": {
            "bytes": target,
            "documents": round(n_big),
            "wall_seconds": round(est_wall, 1),
            "signature_file_bytes": round(rep["signed"] * scale * rep["scheme"]["num_perm"] * 4),
        },
        "bars": {
            "wall_under_180s": wall < BAR_SECONDS,
            "peak_rss_under_2GB": peak_tree < BAR_RSS,
        },
    }
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        gb = 1024**3
        print(f"dump: {dump} ({size / 1e9:.2f} GB, {docs:,} documents)")
        if gen_seconds is not None:
            print(f"generated in {gen_seconds:.1f} s")
        print(
            f"dedup dups --jobs {args.jobs}: {wall:.1f} s wall, {docs / wall:,.0f} docs/s, "
            f"{size / 1e6 / wall:.1f} MB/s"
        )
        print(
            f"peak RSS: {peak_tree / gb:.2f} GB (command + workers), "
            f"{peak_single / gb:.2f} GB largest process"
        )
        print("CPU seconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        print(
            f"found: {rep['exact_duplicates']:,} exact + {rep['near_duplicates']:,} near "
            f"duplicates in {rep['clusters']:,} clusters"
        )
        ex = result["extrapolated"]
        print(
            f"extrapolated to {target / 1e9:.0f} GB ({ex['documents']:,} documents): "
            f"~{ex['wall_seconds'] / 60:.1f} min on {args.jobs} cores, signature file "
            f"{ex['signature_file_bytes'] / gb:.2f} GB on disk"
        )
        for bar, ok in result["bars"].items():
            print(f"bar {bar}: {'met' if ok else 'MISSED'}")
    if not args.keep_files and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    if args.check and not all(result["bars"].values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
