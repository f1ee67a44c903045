"""`dedup.adapters.dask`: the same clusters as `dedup.find_duplicates`, on a real Dask cluster.

One `distributed.LocalCluster` (2 worker processes, 127.0.0.1) serves the whole module.
Answers are compared with the single-machine path field by field: on a realistic dump (real
pages with their chrome, rescraped, syndicated, edited, truncated copies; cleaning with
learned chrome) and on 20,000 generated documents; with different partition counts; after a
worker is killed in the middle of a job.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import dedup
from dedup.cluster import connected_components
from dedup.errors import ConfigError, InputError

dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
pd = pytest.importorskip("pandas", reason="the dask extra is not installed")

from dedup.adapters import dask as ddask  # noqa: E402 - after the skips

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / "tests" / "data" / "dev_subset.jsonl"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    try:
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    except Exception as exc:  # the reason goes in the skip message
        pytest.skip(f"a local Dask cluster could not start on 127.0.0.1: {exc!r}")
    with cluster, distributed.Client(cluster) as c:
        yield c


def _make_dump() -> ModuleType:
    path = ROOT / "benchmarks" / "make_dump.py"
    spec = importlib.util.spec_from_file_location("make_dump", path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_dump"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """About 1,000 real pages and copies of them (make_dump on the CI subset)."""
    out = tmp_path_factory.mktemp("dump") / "dump.jsonl"
    md = _make_dump()
    md.main(["-o", str(out), "--source", str(SUBSET), "--size", "10MB", "--seed", "5"])
    with out.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _generated(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` pages of 13 sites: each site's header and footer around 40-120 made-up words in
    lines of 8-20; 10% near copies (1-3 words replaced), 5% exact copies, a few short."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    made_up = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(20_000)]
    vocab = made_up + ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it"] * 2_000
    docs: list[dict[str, Any]] = []
    bodies: list[list[str]] = []  # what a near copy can be made of
    for i in range(n):
        site = f"s{i % 13}.example"
        roll = rng.random()
        if bodies and roll < 0.10:
            lines = list(rng.choice(bodies))
            for _ in range(rng.randint(1, 3)):
                k = rng.randrange(len(lines))
                words = lines[k].split()
                words[rng.randrange(len(words))] = rng.choice(vocab)
                lines[k] = " ".join(words)
        elif docs and roll < 0.15:
            docs.append({"id": f"g{i}", "text": rng.choice(docs)["text"], "site": site})
            continue
        elif roll < 0.17:
            lines = [" ".join(rng.choices(vocab, k=rng.randint(0, 4)))]  # too short, or blank
        else:
            words = rng.choices(vocab, k=rng.randint(40, 120))
            lines = []
            while words:
                cut = rng.randint(8, 20)
                lines.append(" ".join(words[:cut]).capitalize() + ".")
                words = words[cut:]
            bodies.append(lines)
        chrome = [f"{site} | Home | World | Sport", "Subscribe to our newsletter"]
        footer = [f"© 2026 {site}. All rights reserved."]
        docs.append({"id": f"g{i}", "text": "\n".join(chrome + lines + footer), "site": site})
    return docs


def _single(docs: list[dict[str, Any]], **kw: Any) -> list[tuple[Any, ...]]:
    result = dedup.find_duplicates(docs, **kw)
    return [
        (a.id, a.cluster, a.duplicate_of, a.match, a.too_short, round(a.similarity, 5))
        for a in result.assignments()
    ]


def _on_dask(docs: list[dict[str, Any]], npartitions: int, **kw: Any) -> list[tuple[Any, ...]]:
    frame = dd.from_pandas(pd.DataFrame(docs), npartitions=npartitions)
    out = ddask.find_duplicates(frame, **kw).compute()
    assert out.index.tolist() == list(range(len(docs)))  # one row per input row, in order
    return [
        (
            r.id,
            r.cluster,
            None if pd.isna(r.duplicate_of) else r.duplicate_of,
            r.match,
            bool(r.too_short),
            round(float(r.similarity), 5),
        )
        for r in out.itertuples()
    ]


def _kinds(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[3]] = counts.get(row[3], 0) + 1
    return counts


def test_the_dump_clusters_as_on_one_machine_with_learned_chrome(client: Any, dump: list) -> None:
    expected = _single(dump)
    assert _kinds(expected)["near"] > 50  # the comparison is worth something
    assert _kinds(expected)["exact"] > 20
    assert _on_dask(dump, 5) == expected


@pytest.mark.parametrize(("keep", "clean"), [("first", False), ("longest", True)])
def test_twenty_thousand_documents_cluster_as_on_one_machine(
    client: Any, keep: str, clean: bool
) -> None:
    docs = _generated(20_000)
    expected = _single(docs, clean=clean, keep=keep)
    kinds = _kinds(expected)
    assert kinds["near"] > 1000
    assert kinds["exact"] > 500
    assert _on_dask(docs, 6, clean=clean, keep=keep) == expected


def test_twenty_thousand_documents_clean_as_on_one_machine(client: Any) -> None:
    docs = _generated(20_000, seed=1)
    cleaner = dedup.Cleaner().fit(docs)
    expected = [cleaner.clean(d) for d in docs]
    assert sum("Subscribe to our newsletter" not in t for t in expected) > 19_000  # learned
    frame = dd.from_pandas(pd.DataFrame(docs), npartitions=5)
    assert ddask.clean(frame).compute()["text"].tolist() == expected


def test_the_answer_does_not_depend_on_the_partitions(client: Any, dump: list) -> None:
    docs = dump[:600]
    first = _on_dask(docs, 1, learn_chrome=False)
    assert _on_dask(docs, 7, learn_chrome=False) == first
    assert first == _single(docs, learn_chrome=False)


def test_a_worker_killed_mid_job_does_not_change_the_answer(client: Any) -> None:
    docs = _generated(6_000, seed=3)
    expected = _single(docs, clean=False)
    pids = list(client.run(os.getpid).values())
    finished = threading.Event()
    killed_while_running: list[bool] = []

    def kill_one() -> None:
        time.sleep(1.5)
        killed_while_running.append(not finished.is_set())
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    try:
        got = _on_dask(docs, 4, clean=False)
    except Exception:  # a job may fail when its worker dies: retry it
        got = None
    finished.set()
    killer.join()
    assert killed_while_running == [True]  # else the job is too short for this test
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it
    if got is None:
        got = _on_dask(docs, 4, clean=False)
    assert got == expected


def test_clean_gives_the_texts_of_a_cleaner_fitted_on_all_rows(client: Any, dump: list) -> None:
    docs = dump[:500]
    cleaner = dedup.Cleaner().fit(docs)
    expected = [cleaner.clean_and_explain(d) for d in docs]
    assert sum(r.text != d["text"] for r, d in zip(expected, docs, strict=True)) > 400
    frame = dd.from_pandas(pd.DataFrame(docs), npartitions=4)
    out = ddask.clean(frame, explain=True).compute()
    assert out["text"].tolist() == [r.text for r in expected]
    assert out["id"].tolist() == [d["id"] for d in docs]  # the other columns pass through
    first = json.loads(out["dedup"].iloc[0])
    assert [(r["start"], r["end"], r["label"]) for r in first["removals"]] == [
        (r.span.start, r.span.end, r.label) for r in expected[0].removals
    ]
    alone = ddask.clean(frame, learn=False).compute()["text"].tolist()
    assert alone == [dedup.clean(d["text"]) for d in docs]
    assert alone != out["text"].tolist()  # what was learned removed more


def test_distributed_components_match_the_single_machine_kernel(client: Any) -> None:
    rng = np.random.default_rng(7)
    perm = rng.permutation(60)  # a path whose ids are in no order: many hops per component
    graphs = [np.stack((perm[:-1], perm[1:]), axis=1)]
    for _ in range(3):
        n, m = int(rng.integers(5, 200)), int(rng.integers(1, 300))
        graphs.append(rng.integers(0, n, size=(m, 2)))
    for pairs in graphs:
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        size = int(pairs.max()) + 1
        ids = rng.permutation(np.unique(rng.integers(0, 10**12, 4 * size))[:size])  # sparse
        a, b = ids[pairs[:, 0]], ids[pairs[:, 1]]
        edges = pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b)})
        nodes, local = np.unique(np.concatenate((edges["a"], edges["b"])), return_inverse=True)
        labels = connected_components(len(nodes), local.reshape(2, -1).T)
        expected = dict(zip(nodes.tolist(), nodes[labels].tolist(), strict=True))
        frame = dd.from_pandas(edges, npartitions=3)
        for local_edges in (0, 1 << 20):  # the distributed rounds, and one task on a worker
            got = ddask._components(frame, local_edges=local_edges).compute()
            assert dict(zip(got["node"].tolist(), got["label"].tolist(), strict=True)) == expected


def test_bad_input_is_a_clear_error(client: Any) -> None:
    frame = dd.from_pandas(pd.DataFrame({"id": ["a", "b"], "body": ["x", "y"]}), npartitions=1)
    with pytest.raises(InputError, match=r"no 'text' column.*text_column="):
        ddask.find_duplicates(frame)
    with pytest.raises(InputError, match=r"dask\.dataframe\.DataFrame.*from_pandas.*pandas"):
        ddask.find_duplicates(pd.DataFrame({"text": ["x"]}))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"dask\.dataframe\.DataFrame, got list$"):
        ddask.clean(["x"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="threshold"):
        ddask.find_duplicates(frame, text_column="body", threshold=1.5)
    with pytest.raises(ConfigError, match="keep must be one of"):
        ddask.find_duplicates(frame, text_column="body", keep="best")  # type: ignore[arg-type]
    shared = dd.from_pandas(
        pd.DataFrame({"id": ["a", "b", "a"], "text": ["x", "y", "z"]}), npartitions=2
    )
    with pytest.raises(ConfigError, match="unique, but 'a' is on 2 rows; give each row its own id"):
        ddask.find_duplicates(shared)
    missing = dd.from_pandas(pd.DataFrame({"id": ["a", "b"], "text": ["x", None]}), npartitions=1)
    with pytest.raises(InputError, match="row 1: 'text' is missing; fill it"):
        ddask.find_duplicates(missing)
    with pytest.raises(InputError, match="row 1: 'text' is missing; fill it"):
        ddask.clean(missing).compute()
    with pytest.raises(InputError, match="no 'text' column"):
        ddask.clean(frame)
    with pytest.raises(ConfigError, match="min_pages"):
        ddask.clean(frame, text_column="body", min_pages=1)


def test_without_ids_rows_are_numbered_like_the_single_machine_path(client: Any) -> None:
    texts = ["alpha beta gamma delta epsilon zeta eta theta iota kappa"] * 2 + ["other"]
    frame = dd.from_pandas(pd.DataFrame({"text": texts}), npartitions=2)
    out = ddask.find_duplicates(frame, clean=False).compute()
    assert out["id"].tolist() == ["0", "1", "2"]
    assert out["cluster"].tolist() == ["0", "0", "2"]
    assert out["match"].tolist() == ["representative", "exact", "representative"]


# --------------------------------------------------------------------------- the commands


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _parts(out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for part in sorted(out.glob("part-*.jsonl"), key=lambda p: int(p.stem.split("-")[1])):
        rows.extend(json.loads(line) for line in part.read_text(encoding="utf-8").splitlines())
    return rows


def test_dups_on_dask_writes_what_the_local_engine_writes(
    client: Any, dump: list, tmp_path: Path
) -> None:
    from test_cli import ok

    data = _write_jsonl(tmp_path / "in.jsonl", dump[:400])
    ok("dups", data, "-o", tmp_path / "local.jsonl", "-q")
    local = [json.loads(x) for x in (tmp_path / "local.jsonl").read_text().splitlines()]
    address = client.scheduler.address
    proc = ok("dups", data, "--engine", "dask", "--scheduler", address, "-o", tmp_path / "out")
    assert "near duplicates" in proc.stderr
    on_dask = _parts(tmp_path / "out")
    assert [r["id"] for r in on_dask] == [r["id"] for r in local]
    assert [r["dups"] for r in on_dask] == [r["dups"] for r in local]
    assert sum(r["dups"]["duplicate"] for r in local) > 50
    ok("dups", data, "--engine", "dask", "--scheduler", address, "-o", tmp_path / "o.parquet")
    table = pd.read_parquet(tmp_path / "o.parquet")
    assert table["id"].tolist() == [r["id"] for r in local]
    kept = ok(
        "dups", data, "--engine", "dask", "--scheduler", address, "--drop-duplicates",
        "-o", tmp_path / "kept",
    )  # fmt: skip
    assert "(left out)" in kept.stderr
    assert [r["id"] for r in _parts(tmp_path / "kept")] == [
        r["id"] for r in local if not r["dups"]["duplicate"]
    ]


def test_clean_learn_on_dask_writes_what_the_local_engine_writes(
    client: Any, dump: list, tmp_path: Path
) -> None:
    from test_cli import ok

    data = _write_jsonl(tmp_path / "in.jsonl", dump[:300])
    ok("clean", data, "--learn", "-o", tmp_path / "local.jsonl", "-q")
    local = [json.loads(x) for x in (tmp_path / "local.jsonl").read_text().splitlines()]
    ok("clean", data, "--learn", "--engine", "dask", "-j", "2", "-o", tmp_path / "out", "-q")
    on_dask = _parts(tmp_path / "out")
    assert [(r["id"], r["text"]) for r in on_dask] == [(r["id"], r["text"]) for r in local]


def test_the_commands_on_dask_refuse_what_they_cannot_do(tmp_path: Path) -> None:
    from test_cli import run

    data = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "x"}])
    proc = run("dups", data, "--engine", "dask")
    assert proc.returncode != 0
    assert "writes a directory of part files" in proc.stderr
    proc = run("dups", data, "--scheduler", "tcp://127.0.0.1:1", "-o", tmp_path / "o.jsonl")
    assert "--scheduler goes with --engine dask" in proc.stderr
    proc = run(
        "clean", data, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "-o", tmp_path / "o"
    )
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
    (tmp_path / "notes.txt").write_text("x")
    proc = run("clean", tmp_path / "notes.txt", "--engine", "dask", "-o", tmp_path / "o2")
    assert "reads .jsonl(.gz) or .parquet files, found .txt" in proc.stderr
