"""Near-duplicate detection on Dask against the single-machine path: wall, docs/s, memory, answers.

Receives a dump size (default 50 MB) and a list of Dask worker counts (default ``1,2``);
builds the dump with ``benchmarks/make_dump.py`` (or reuses ``--dump``) and, on that one
dump, in one run:

1. *single*: ``dedup.find_duplicates(records, jobs=1)`` over the records read from the dump
   (``json.loads`` per line), then every assignment listed;
2. *dask, W workers* for each W: a ``distributed.LocalCluster(n_workers=W,
   threads_per_worker=1, host="127.0.0.1", dashboard_address=None)``, the dump read by Dask
   (``dask.dataframe.read_json(DUMP, lines=True, blocksize=...)``: the data is loaded by the
   workers, not embedded in the graph), ``dedup.adapters.dask.find_duplicates(ddf)`` and
   ``.compute()`` of its result;
3. the answers of every Dask run compared with the single path's, per id: cluster,
   ``duplicate_of`` (NA and None alike), match, too_short, similarity within 1e-6; the count
   that differ (should be 0) and the first few, field by field.

Each path runs in its own child process (this script with ``--child``), one after the other,
so none inherits another's memory. The dump is cut into ``--partitions`` partitions (default
``ceil(size / 8 MB)`` rounded up to a multiple of the most workers: 8 for 50 MB). Figures:

- wall time from reading the dump to having every answer in the process (the single path's
  JSON parsing and the Dask read included; the cluster's start-up is reported apart and not
  counted), documents/s and MB/s of dump;
- peak memory: the largest sum of the resident set sizes of the child process and all its
  descendants, sampled every 0.1 s with psutil. For Dask that is the client process (which
  also runs the scheduler and the nannies of a LocalCluster) plus the worker processes; the
  client's own peak and the largest worker's are given beside it;
- for Dask, the workers' busy seconds per stage (from the task stream: read, learn, prepare
  = clean + sign, shuffle/merge, other) and their utilisation: busy / (wall x W);
- how it would scale, as ``T(W) = F + P / W`` on a dump of the same size, ``P`` the work that
  divides among workers, ``F`` what does not (shuffle and count rounds the client waits for,
  scheduling, the client's own work), estimated two ways: *fit*, least squares on the measured
  Dask wall times; *stages*, from the 1-worker run alone (``P`` = busy seconds of the
  per-document stages read, learn and prepare; ``F`` = the rest of its wall time). On a
  2-core machine the 2-worker run shares the cores with the client and scheduler, so the fit
  overstates ``F``; the stages estimate counts the shuffles' work in ``F``, so it overstates
  ``F`` where the shuffles weigh (``--no-clean``), and it ignores the workers' data transfers.

The machine should be otherwise idle: per run, the CPU seconds the rest of the machine used
meanwhile (all CPU time less this run's process tree) are reported, with a note when above 5%
of the machine (and 2 s), and a note when ``dedup/`` changed during the run. Nothing here
asserts on time.

Modes: cleaning with learned site chrome (``clean=True, learn_chrome=True``, the default);
``--no-clean`` compares the raw texts.

Usage (from the repository root)::

    python benchmarks/speed_dask.py                           # 50 MB; single, Dask 1 and 2 workers
    python benchmarks/speed_dask.py --size 20MB --json
    python benchmarks/speed_dask.py --dump /tmp/dump.jsonl --workers 1,2 --partitions 8
    python benchmarks/speed_dask.py --no-clean
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import math
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from environment import cpu_model, git_state, versions  # noqa: E402 - after the path
from speed_dump import parse_size  # noqa: E402 - the same sizes as the other dump benchmark

PACKAGES = ("dedup", "dask", "distributed", "pandas", "numpy", "pyarrow")
#: Default partition size: the dump is cut in ceil(size / this) partitions (see `partitions`).
PARTITION_BYTES = 8_000_000
SIMILARITY_TOLERANCE = 1e-6
FIELDS = ("cluster", "duplicate_of", "match", "too_short", "similarity")
EXTRAPOLATE_TO = (4, 8, 16, 32)


def log(message: str) -> None:
    print(f"[speed_dask {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_workers(text: str) -> list[int]:
    out = sorted({int(x) for x in text.split(",") if x.strip()})
    if not out or out[0] < 1:
        msg = f"--workers takes whole numbers >= 1 separated by commas, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return out


def partitions(size: int, workers: list[int]) -> int:
    """``ceil(size / PARTITION_BYTES)``, rounded up to a multiple of the most workers."""
    n = max(1, math.ceil(size / PARTITION_BYTES))
    most = max(workers)
    return math.ceil(n / most) * most


# --------------------------------------------------------------------------- memory


class RssSampler:
    """Sample this process and all its descendants every ``every`` seconds (psutil).

    Keeps the peak of the summed resident set sizes and the CPU seconds of the process tree
    (each descendant's as last seen: a worker's last < ``every`` seconds are missed).
    """

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.me = psutil.Process()
        self.peak_total = 0
        self.peak_self = 0
        self.peak_child = 0
        self.child_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> None:
        own = self.me.memory_info().rss
        children = []
        for child in self.me.children(recursive=True):
            with contextlib.suppress(psutil.Error), child.oneshot():  # it may have ended
                children.append(child.memory_info().rss)
                cpu = child.cpu_times()
                self.child_cpu[child.pid] = cpu.user + cpu.system
        self.peak_self = max(self.peak_self, own)
        self.peak_child = max(self.peak_child, max(children, default=0))
        self.peak_total = max(self.peak_total, own + sum(children))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self.sample()
        return {
            "peak_rss_total_bytes": self.peak_total,
            "peak_rss_client_bytes": self.peak_self,
            "peak_rss_largest_child_bytes": self.peak_child,
        }

    def tree_cpu(self) -> float:
        """CPU seconds of this process (since it started) and its descendants seen so far."""
        own = self.me.cpu_times()
        return own.user + own.system + sum(self.child_cpu.values())


# --------------------------------------------------------------------------- the runs (children)


def run_single(dump: Path, clean: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    import dedup

    sampler = RssSampler()
    t0 = time.perf_counter()
    with dump.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    read = time.perf_counter() - t0
    result = dedup.find_duplicates(records, clean=clean, learn_chrome=clean, jobs=1)
    rows = list(result.assignments())
    wall = time.perf_counter() - t0
    memory = sampler.stop()
    memory["ru_maxrss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    s = result.stats
    frame = pd.DataFrame(
        {
            "id": [a.id for a in rows],
            "cluster": [a.cluster for a in rows],
            "duplicate_of": [a.duplicate_of for a in rows],
            "similarity": np.array([a.similarity for a in rows], dtype=np.float64),
            "match": [a.match for a in rows],
            "too_short": np.array([a.too_short for a in rows], dtype=bool),
        }
    )
    report = {
        "wall_seconds": wall,
        "read_seconds": read,
        "cpu_seconds": dict(s.seconds),
        "exact_duplicates": s.exact_duplicates,
        "near_duplicates": s.near_duplicates,
        "clusters": s.clusters,
        "too_short": s.too_short,
        "cpu_seconds_tree": sampler.tree_cpu(),
        **memory,
    }
    return frame, report


#: Kinds of task, by the name of their key (first match); the rest is "other".
STAGES = (
    ("read", ("read_json",)),
    ("learn", ("_learn_part", "_merge_states", "_cleaning_model")),
    ("prepare", ("_prepare_part",)),
    ("shuffle/merge", ("shuffle", "p2p", "hashjoin", "hash-join", "barrier", "merge")),
)


def _task_name(key: object) -> str:
    name = str(key[0] if isinstance(key, tuple) else key)
    return re.sub(r"-[0-9a-f]{8,}(-[0-9a-f]{4,})*$", "", name)


def _task_seconds(tasks: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Busy seconds of the workers per stage and per task name (data transfers apart)."""
    names: dict[str, float] = defaultdict(float)
    stages: dict[str, float] = defaultdict(float)
    for task in tasks:
        name = _task_name(task["key"])
        for ss in task.get("startstops", ()):
            seconds = ss["stop"] - ss["start"]
            if ss["action"] != "compute":
                stages[f"({ss['action']})"] += seconds
                continue
            names[name] += seconds
            stage = next((st for st, marks in STAGES if any(m in name for m in marks)), "other")
            stages[stage] += seconds
    return {
        "stages": dict(sorted(stages.items(), key=lambda kv: -kv[1])),
        "tasks": dict(sorted(names.items(), key=lambda kv: -kv[1])),
    }


def run_dask(
    dump: Path, clean: bool, workers: int, blocksize: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    import dask.dataframe as dd
    import distributed

    from dedup.adapters import dask as ddask

    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
        # without a dashboard the scheduler still serves /health, by default on 8787: any free
        # port on 127.0.0.1 instead
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    client = distributed.Client(cluster)
    try:
        client.wait_for_workers(workers)
        client.run(lambda: __import__("dedup.adapters.dask"))  # imports not timed
        start = time.perf_counter() - t0
        worker_pids = sorted(client.run(os.getpid).values())
        sampler = RssSampler()
        with distributed.get_task_stream(client) as stream:
            t1 = time.perf_counter()
            ddf = dd.read_json(
                str(dump), lines=True, blocksize=blocksize, dtype=False, convert_dates=False
            )
            out = ddask.find_duplicates(ddf, clean=clean, learn_chrome=clean)
            frame = out.compute()
            wall = time.perf_counter() - t1
        memory = sampler.stop()
        busy = _task_seconds(stream.data)
    finally:
        client.close()
        cluster.close()
    index_is_rows = bool((frame.index.to_numpy() == np.arange(len(frame))).all())
    frame = frame.sort_index()
    frame["duplicate_of"] = [None if pd.isna(x) else x for x in frame["duplicate_of"]]
    frame = frame.reset_index(drop=True)
    report = {
        "wall_seconds": wall,
        "cluster_start_seconds": start,
        "partitions": ddf.npartitions,
        "index_is_rows": index_is_rows,
        "blocksize": blocksize,
        "worker_pids": worker_pids,
        "worker_busy_seconds": busy,
        "cpu_seconds_tree": sampler.tree_cpu(),  # the workers' as last sampled
        **memory,
    }
    return frame, report


def child(args: argparse.Namespace) -> int:
    if args.child == "single":
        frame, report = run_single(args.dump, args.clean)
    else:
        frame, report = run_dask(args.dump, args.clean, args.workers[0], args.blocksize)
    with args.answers.open("wb") as f:
        pickle.dump(frame, f)
    args.report.write_text(json.dumps(report), encoding="utf-8")
    return 0


def launch(mode: str, dump: Path, work: Path, clean: bool, **extra: int) -> dict[str, Any]:
    """Run one path in a child process; return its report with the answers' file."""
    tag = mode + "".join(f"-{v}" for v in extra.values())
    answers, report = work / f"{tag}.answers.pkl", work / f"{tag}.report.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--dump", str(dump)]
    cmd += ["--answers", str(answers), "--report", str(report)]
    if not clean:
        cmd.append("--no-clean")
    if "workers" in extra:
        cmd += ["--workers", str(extra["workers"]), "--blocksize", str(extra["blocksize"])]
    t, busy = time.perf_counter(), _machine_busy()
    proc = subprocess.run(cmd, stdout=sys.stderr, check=False)
    if proc.returncode != 0:
        msg = f"{tag}: the child process exited {proc.returncode}"
        raise RuntimeError(msg)
    out: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    out["process_seconds"] = time.perf_counter() - t
    out["cpu_seconds_ours"] = out.pop("cpu_seconds_tree")
    # CPU the rest of the machine used meanwhile: a busy machine makes the figures worthless
    out["cpu_seconds_others"] = max(0.0, _machine_busy() - busy - out["cpu_seconds_ours"])
    out["answers"] = str(answers)
    return out


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent not idle, since boot."""
    c = psutil.cpu_times()
    return float(sum(c) - c.idle - getattr(c, "iowait", 0.0))


# --------------------------------------------------------------------------- comparison


def compare(single: pd.DataFrame, other: pd.DataFrame, show: int = 10) -> dict[str, Any]:
    """Per id: the fields that differ between the single-machine answers and ``other``'s."""
    same_order = len(single) == len(other) and bool(
        (single["id"].to_numpy() == other["id"].to_numpy()).all()
    )
    a = single.set_index("id")
    b = other.set_index("id")
    missing, extra = int((~a.index.isin(b.index)).sum()), int((~b.index.isin(a.index)).sum())
    b = b.reindex(a.index)  # a missing id differs in every field
    diffs: dict[str, np.ndarray] = {}
    for name in FIELDS:
        if name == "similarity":
            x = a[name].to_numpy(dtype=np.float64)
            y = b[name].to_numpy(dtype=np.float64, na_value=np.nan)
            diffs[name] = ~(np.abs(x - y) <= SIMILARITY_TOLERANCE)
        else:
            xs = [None if _na(v) else v for v in a[name].tolist()]
            ys = [None if _na(v) else v for v in b[name].tolist()]
            diffs[name] = np.fromiter((p != q for p, q in zip(xs, ys, strict=True)), bool, len(xs))
    bad = np.logical_or.reduce(list(diffs.values()))
    examples = []
    for i in np.flatnonzero(bad)[:show].tolist():
        doc = a.index[i]
        fields = {
            name: [_plain(a.at[doc, name]), _plain(b.at[doc, name])]
            for name in FIELDS
            if diffs[name][i]
        }
        examples.append({"id": doc, "single_vs_dask": fields})
    per_field = {name: int(d.sum()) for name, d in diffs.items()}
    return {
        "rows": len(a),
        "missing_ids": missing,
        "extra_ids": extra,
        "same_order": same_order,
        "differ": int(bad.sum()),
        "per_field": per_field,
        "examples": examples,
    }


def _na(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _plain(v: object) -> object:
    if _na(v):
        return None
    if isinstance(v, (np.floating, float)):
        return round(float(v), 7)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


# --------------------------------------------------------------------------- scaling


#: The stages whose work is per document (and divides among workers); see `STAGES`.
PER_DOCUMENT = ("read", "learn", "prepare")


def scaling(runs: list[dict[str, Any]], docs: int) -> dict[str, Any] | None:
    """Estimate the wall time at more workers, on a dump of the same size, two ways.

    *fit*: ``T(W) = F + P / W`` fitted to the measured wall times (least squares on 1/W).
    *stages*: from the 1-worker run alone: its per-document stages' busy seconds (`PER_DOCUMENT`)
    divide among workers, the rest of its wall time does not.
    """
    times = {run["workers"]: run["wall_seconds"] for run in runs}
    fit: tuple[float, float] | None = None
    if len(times) >= 2:
        w = np.array(sorted(times), dtype=np.float64)
        t = np.array([times[int(x)] for x in w])
        a = np.stack((np.ones_like(w), 1 / w), 1)
        (fixed, parallel), *_ = np.linalg.lstsq(a, t, rcond=None)
        if fixed < 0:  # better than linear (noise): no fixed part
            fixed, parallel = 0.0, float(np.mean(t * w))
        if parallel < 0:  # slower with more workers: nothing divides
            fixed, parallel = float(np.mean(t)), 0.0
        fit = (float(fixed), float(parallel))
    stages: tuple[float, float] | None = None
    one = next((run for run in runs if run["workers"] == 1), None)
    if one is not None:
        busy = one["worker_busy_seconds"]["stages"]
        per_doc = min(sum(busy.get(k, 0.0) for k in PER_DOCUMENT), one["wall_seconds"])
        stages = (one["wall_seconds"] - per_doc, per_doc)
    if fit is None and stages is None:
        return None
    rows = []
    for n in sorted({*times, *EXTRAPOLATE_TO}):
        row: dict[str, Any] = {
            "workers": n,
            "measured_seconds": round(times[n], 2) if n in times else None,
        }
        for name, model in (("fit", fit), ("stages", stages)):
            if model is None:
                continue
            est = model[0] + model[1] / n
            one_worker = model[0] + model[1]  # the model's own T(1)
            row[name] = {
                "seconds": round(est, 2),
                "docs_per_second": round(docs / est, 1),
                "speedup_vs_1": round(one_worker / est, 2),
                "efficiency": round(one_worker / est / n, 3),
            }
        rows.append(row)
    out: dict[str, Any] = {"rows": rows}
    for name, model in (("fit", fit), ("stages", stages)):
        if model is not None:
            out[name] = {
                "fixed_seconds": round(model[0], 2),
                "parallel_seconds": round(model[1], 2),
                "parallel_share": round(model[1] / sum(model), 3) if sum(model) else None,
            }
    return out


# --------------------------------------------------------------------------- main


def make_dump(path: Path, size: int, seed: int) -> float:
    t = time.perf_counter()
    cmd = [sys.executable, str(HERE / "make_dump.py"), "--size", str(size), "--seed", str(seed)]
    subprocess.run([*cmd, "-o", str(path)], check=True, stdout=sys.stderr)
    return time.perf_counter() - t


def code_hash() -> str:
    """A hash of the library's source files: to tell whether it changed during the run."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted((HERE.parent / "dedup").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def print_report(r: dict[str, Any]) -> None:
    d = r["dump"]
    gen = f", generated in {d['generate_seconds']:.1f} s" if d["generate_seconds"] else ""
    print(
        f"dump: {d['path']} ({d['bytes'] / 1e6:.1f} MB, {d['documents']:,} documents{gen}); "
        f"mode: {r['mode']}; Dask partitions: {r['partitions']} (blocksize "
        f"{r['blocksize'] / 1e6:.2f} MB)"
    )
    print()
    head = f"{'path':8s} {'workers':>7s} {'wall s':>8s} {'docs/s':>8s} {'MB/s':>6s} "
    print(head + f"{'peak RSS MB':>11s} {'client MB':>9s} {'worker MB':>9s} {'vs single':>9s}")
    single_wall = r["runs"][0]["wall_seconds"]
    for run in r["runs"]:
        workers = str(run["workers"]) if run["workers"] else "-"
        worker = f"{run['worker_mb']:.0f}" if run["worker_mb"] is not None else "-"
        print(
            f"{run['path']:8s} {workers:>7s} {run['wall_seconds']:>8.1f} "
            f"{run['docs_per_second']:>8.1f} {run['mb_per_second']:>6.2f} "
            f"{run['peak_rss_mb']:>11.0f} {run['client_mb']:>9.0f} {worker:>9s} "
            f"{single_wall / run['wall_seconds']:>8.2f}x"
        )
    print(
        "(peak RSS: client + workers summed; client: the process that calls find_duplicates "
        "(with Dask also the scheduler and nannies); worker: the largest worker process)"
    )
    print()
    s = r["single"]
    print(
        f"single: read + parse {s['read_seconds']:.1f} s; CPU seconds "
        + ", ".join(f"{k} {v:.1f}" for k, v in s["cpu_seconds"].items())
        + f"; found {s['exact_duplicates']:,} exact + {s['near_duplicates']:,} near duplicates "
        f"in {s['clusters']:,} clusters"
    )
    for run in r["runs"][1:]:
        stages = run["worker_busy_seconds"]["stages"]
        busy = sum(stages.values())
        parts = ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
        print(
            f"dask {run['workers']}: cluster start {run['cluster_start_seconds']:.1f} s (not "
            f"counted); workers busy {busy:.1f} s = {run['utilisation']:.0%} of wall x workers "
            f"({parts})"
        )
    if r["speedup_2_over_1"] is not None:
        print(f"speed-up of 2 Dask workers over 1: {r['speedup_2_over_1']:.2f}x")
    print()
    for run in r["runs"][1:]:
        c = run["answers"]
        state = "OK" if c["differ"] == 0 and c["extra_ids"] == 0 else "DIFFER"
        print(
            f"answers dask {run['workers']} vs single: {c['differ']} of {c['rows']:,} ids "
            f"differ ({state}); per field {c['per_field']}; ids missing {c['missing_ids']}, "
            f"extra {c['extra_ids']}; same row order {c['same_order']}; index = row numbers "
            f"0..n-1 in order {run['index_is_rows']}"
        )
        for ex in c["examples"]:
            print(f"  {ex['id']}: {ex['single_vs_dask']}")
    sc = r["scaling"]
    if sc:
        print()
        print("scaling estimate, same dump size: T(W) = F + P/W (F does not divide among workers)")
        labels = {
            "fit": "fit: F and P fitted to the measured Dask wall times",
            "stages": "stages: P = busy seconds of read + learn + prepare at 1 worker, F the rest",
        }
        for name, label in labels.items():
            if name in sc:
                m = sc[name]
                print(
                    f"  {label}: F {m['fixed_seconds']:.1f} s, P {m['parallel_seconds']:.1f} s "
                    f"({m['parallel_share']:.0%} of the time at 1 worker)"
                )
        names = [n for n in labels if n in sc]
        cols = "".join(f" {n + ' s':>9s} {'docs/s':>7s} {'x 1':>5s} {'eff.':>5s}" for n in names)
        print(f"  {'workers':>7s} {'measured s':>10s}" + cols)
        for row in sc["rows"]:
            m = f"{row['measured_seconds']:.1f}" if row["measured_seconds"] is not None else "-"
            figs = "".join(
                f" {row[n]['seconds']:>9.1f} {row[n]['docs_per_second']:>7.0f} "
                f"{row[n]['speedup_vs_1']:>5.2f} {row[n]['efficiency']:>5.0%}"
                for n in names
            )
            print(f"  {row['workers']:>7d} {m:>10s}" + figs)
        print(
            f"  (a stage is split in at most {r['partitions']} tasks, one per partition: rows "
            f"above {r['partitions']} workers assume the dump cut in more partitions)"
        )
    for note in r["notes"]:
        print(f"note: {note}")
    print()
    e = r["environment"]
    v = e["versions"]
    print(
        f"cpu: {e['cpu']} ({e['cpu_count']} cores); "
        + ", ".join(f"{k} {val}" for k, val in v.items())
        + f"; dedup at {e['commit']}; {e['started']} to {e['finished']}; load average "
        f"{e['load_average_start'][0]} -> {e['load_average_end'][0]}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="50MB", help="dump size to generate (default 50MB)")
    ap.add_argument("--dump", type=Path, help="use this dump instead of generating one")
    ap.add_argument("--seed", type=int, default=7, help="make_dump seed (default 7)")
    ap.add_argument(
        "--workers", type=parse_workers, default=[1, 2], help="Dask worker counts (default 1,2)"
    )
    ap.add_argument(
        "--partitions",
        type=int,
        help=f"Dask partitions (default: ceil(size / {PARTITION_BYTES / 1e6:.0f} MB), rounded up "
        "to a multiple of the most workers)",
    )
    ap.add_argument("--no-clean", dest="clean", action="store_false", help="compare raw texts")
    ap.add_argument("--workdir", type=Path, help="where the dump and answers go (default: tmp)")
    ap.add_argument("--keep-files", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--save", type=Path, help="also write the JSON report to this file")
    ap.add_argument("--child", choices=("single", "dask"), help=argparse.SUPPRESS)
    ap.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--blocksize", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit, code = git_state(), code_hash()
    load_start = [round(x, 2) for x in os.getloadavg()]
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="speed_dask_", dir=args.workdir))
    notes: list[str] = []
    try:
        gen_seconds = None
        if args.dump:
            dump = args.dump
        else:
            dump = work / "dump.jsonl"
            log(f"generating a {args.size} dump")
            gen_seconds = make_dump(dump, parse_size(args.size), args.seed)
        size = dump.stat().st_size
        docs = count_lines(dump)
        n_parts = args.partitions or partitions(size, args.workers)
        blocksize = max(1, size // n_parts)  # Dask cuts size // blocksize parts
        log(f"single: {docs:,} documents, {size / 1e6:.1f} MB")
        single = launch("single", dump, work, args.clean)
        with Path(single["answers"]).open("rb") as f:
            single_frame: pd.DataFrame = pickle.load(f)
        runs: list[dict[str, Any]] = []
        for w in args.workers:
            log(f"dask: {w} worker(s), {n_parts} partitions")
            run = launch("dask", dump, work, args.clean, workers=w, blocksize=blocksize)
            with Path(run["answers"]).open("rb") as f:
                run["answers"] = compare(single_frame, pickle.load(f))
            run["workers"] = w
            run["utilisation"] = sum(run["worker_busy_seconds"]["stages"].values()) / (
                run["wall_seconds"] * w
            )
            runs.append(run)
    finally:
        if not args.keep_files:
            shutil.rmtree(work, ignore_errors=True)

    table = [_row("single", None, single, docs, size)]
    table += [{**run, **_row("dask", run["workers"], run, docs, size)} for run in runs]
    times = {run["workers"]: run["wall_seconds"] for run in runs}
    speedup = times[1] / times[2] if 1 in times and 2 in times else None
    if max(args.workers) >= (os.cpu_count() or 1):
        notes.append(
            f"{max(args.workers)} workers on {os.cpu_count()} cores: the workers share the cores "
            "with the client and scheduler, so the fixed part F is overstated"
        )
    if code_hash() != code:
        notes.append(
            f"dedup/ changed during the run (commit {commit} at the start, {git_state()} at the "
            "end): the runs may not have measured the same code"
        )
    for run in [single, *runs]:
        name = f"dask {run['workers']}" if "workers" in run else "single"
        share = run["cpu_seconds_others"] / (run["process_seconds"] * (os.cpu_count() or 1))
        if share > 0.05 and run["cpu_seconds_others"] > 2:
            notes.append(
                f"{name}: other processes used {run['cpu_seconds_others']:.0f} CPU s during the "
                f"run ({share:.0%} of the machine): its figures are not those of an idle machine"
            )
    if any(run["answers"]["differ"] or run["answers"]["extra_ids"] for run in runs):
        notes.append("Dask answers DIFFER from the single-machine ones (see above)")
    report = {
        "dump": {
            "path": str(dump),
            "bytes": size,
            "documents": docs,
            "generate_seconds": gen_seconds,
            "seed": None if args.dump else args.seed,
        },
        "mode": "clean=True, learn_chrome=True" if args.clean else "clean=False",
        "partitions": runs[0]["partitions"] if runs else n_parts,
        "blocksize": blocksize,
        "single": single,
        "runs": table,
        "speedup_2_over_1": round(speedup, 3) if speedup else None,
        "scaling": scaling(runs, docs),
        "notes": notes,
        "environment": {
            "cpu": cpu_model(),
            "cpu_count": os.cpu_count(),
            "versions": versions(PACKAGES),
            "commit": commit,
            "code_hash": code,
            "started": started,
            "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average_start": load_start,
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
        },
    }
    if args.save is not None:
        args.save.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=1, default=str))
    else:
        print_report(report)
    return 0


def _row(
    path: str, workers: int | None, run: dict[str, Any], docs: int, size: int
) -> dict[str, Any]:
    wall = run["wall_seconds"]
    mb = 2**20
    return {
        "path": path,
        "workers": workers,
        "wall_seconds": round(wall, 2),
        "docs_per_second": round(docs / wall, 1),
        "mb_per_second": round(size / 1e6 / wall, 3),
        "peak_rss_mb": round(run["peak_rss_total_bytes"] / mb, 1),
        "client_mb": round(run["peak_rss_client_bytes"] / mb, 1),
        "worker_mb": round(run["peak_rss_largest_child_bytes"] / mb, 1) if workers else None,
    }


if __name__ == "__main__":
    sys.exit(main())
