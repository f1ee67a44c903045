"""dedup.Store: the same answers in memory, in SQLite and in Redis; faults and concurrency.

The backend-parametrised tests run against a real ``redis-server`` (the ``redis_url``
fixture of conftest.py starts one on 127.0.0.1) as well as SQLite files and memory.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dedup
from dedup import ConfigError, InputError, Store, StoreError
from dedup.signatures import SignatureScheme
from dedup.store.bloom import KeyFilter
from dedup.store.sqlite import LEVELS

DATA = Path(__file__).parent / "data"


def _pages() -> list[dict[str, str]]:
    with (DATA / "dev_subset.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _long_pages(n: int) -> list[dict[str, str]]:
    """The first ``n`` pages of more than 1,500 characters: each has its own signature."""
    return [p for p in _pages() if len(p["text"]) > 1500][:n]


def _edit(text: str, every: int = 25) -> str:
    """Change every ``every``-th word: a light edit (4% of words) of the page."""
    words = text.split(" ")
    return " ".join("edited" if i % every == 7 else w for i, w in enumerate(words))


def _stream() -> list[dict[str, str]]:
    """Pages, then exact copies (re-cased), near copies (edited) and a re-added id."""
    pages = _long_pages(30)
    docs = [{"id": p["id"], "text": p["text"], "site": p["site"]} for p in pages]
    docs += [{"id": f"{p['id']}#copy", "text": p["text"] + "\n\n"} for p in pages[:3]]
    docs += [{"id": f"{p['id']}#upper", "text": p["text"].upper()} for p in pages[3:5]]
    docs += [{"id": f"{p['id']}#edit", "text": _edit(p["text"])} for p in pages[5:12]]
    docs += [{"id": "short-1", "text": "Breaking news"}, {"id": "short-2", "text": "breaking NEWS"}]
    docs += [{"id": "blank", "text": "  \n "}, {"id": "blank-2", "text": ""}]
    docs.append({"id": pages[0]["id"], "text": "the same id again"})
    return docs


def _small_levels(monkeypatch: pytest.MonkeyPatch, pending: int = 2, fanout: int = 2) -> None:
    """Make the SQLite backend move pending keys into its levels and merge them constantly."""
    from dedup.store.sqlite import SQLiteBackend

    monkeypatch.setattr(SQLiteBackend, "PENDING", pending)
    monkeypatch.setattr(SQLiteBackend, "FANOUT", fanout)


@pytest.fixture(params=["memory", "sqlite", "sqlite-small-levels", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return ":memory:"
    if request.param.startswith("sqlite"):
        if request.param == "sqlite-small-levels":
            _small_levels(request.getfixturevalue("monkeypatch"))
        return str(tmp_path / "seen.db")
    return str(request.getfixturevalue("redis_url"))


def _answers(store: Store, docs: list[dict[str, str]]) -> list[tuple[object, ...]]:
    out = []
    for d in docs:
        r = store.add(d["id"], d["text"], site=d.get("site"))
        sim = None if r.similarity is None else round(r.similarity, 5)
        out.append((r.id, r.duplicate_of, sim, r.match, r.stored, r.known, r.too_short, r.text))
    return out


def test_every_backend_gives_the_in_memory_answers(location: str) -> None:
    docs = _stream()
    with Store(":memory:", learn=False) as ref:
        expected = _answers(ref, docs)
    with Store(location, learn=False) as store:
        assert _answers(store, docs) == expected
        assert store.stats()["documents"] == len(docs) - 1  # the re-added id is not counted twice


def test_a_closed_store_says_so_on_every_use(location: str) -> None:
    # SQLite failed with "Cannot operate on a closed database" under another operation's
    # words; memory went on working, and Redis's client reconnected by itself.
    store = Store(location, learn=False)
    store.add("a", "It rained all day in the city, and the river rose over its banks.")
    with store:
        pass  # leaving the block closes it
    store.close()  # closing twice is harmless
    uses = [
        lambda: store.add("b", "text"),
        lambda: store.add_many([{"id": "b", "text": "text"}]),
        lambda: store.query("text"),
        lambda: store.query_many(["text"]),
        lambda: store.remove("a"),
        lambda: store.get("a"),
        lambda: "a" in store,
        lambda: len(store),
        store.stats,
    ]
    for use in uses:
        with pytest.raises(StoreError, match=r"the store is closed; open it again"):
            use()
    if location != ":memory:":
        with Store(location, learn=False) as again:  # nothing was lost
            assert "a" in again


def test_answers_say_what_is_a_copy_of_what() -> None:
    docs = _stream()
    with Store(learn=False) as store:
        got = {d["id"]: store.add(d["id"], d["text"]) for d in docs}
    pages = docs[:30]
    assert all(got[p["id"]].stored for p in pages[1:])
    for p in pages[:3]:
        r = got[f"{p['id']}#copy"]
        assert (r.duplicate_of, r.match, r.similarity) == (p["id"], "exact", 1.0)
    for p in pages[3:5]:
        r = got[f"{p['id']}#upper"]  # re-cased: cleaned alike up to a line or two
        assert r.duplicate_of == p["id"]
        assert r.similarity >= 0.9
    for p in pages[5:12]:
        r = got[f"{p['id']}#edit"]
        assert (r.duplicate_of, r.match) == (p["id"], "near")
        assert 0.8 <= r.similarity < 1.0
    assert got["short-1"].too_short
    assert got["short-1"].stored
    assert got["short-2"].duplicate_of == "short-1"  # too short: compared exactly (normalised)
    assert got["blank"].stored  # blank pages match nothing
    assert got["blank-2"].stored
    assert got[pages[0]["id"]].known
    assert got[pages[0]["id"]].stored is False


def test_the_store_agrees_with_find_duplicates_on_clear_cut_copies() -> None:
    docs = [d for d in _stream() if len(d["text"]) > 100 and "again" not in d["text"]]
    with Store(learn=False) as store:
        online = {d["id"]: store.add(d["id"], d["text"]).duplicate_of for d in docs}
    batch = dedup.find_duplicates(docs, keep="first")
    for a in batch.assignments():
        assert online[a.id] == a.duplicate_of, a


def test_query_answers_without_adding_or_learning(location: str) -> None:
    page = _pages()[0]
    with Store(location, learn=False) as store:
        assert store.query(page["text"]).duplicate_of is None
        store.add("p", page["text"])
        q = store.query(_edit(page["text"]))
        assert (q.id, q.duplicate_of, q.match, q.stored) == (None, "p", "near", False)
        assert len(store) == 1
        assert "p" in store
        assert "q" not in store


def test_remove_forgets_a_page_and_the_copies_recorded_of_it(location: str) -> None:
    a, b = _pages()[:2]
    with Store(location, learn=False) as store:
        store.add("a", a["text"])
        store.add("a2", a["text"].upper())
        store.add("b", b["text"])
        assert sorted(store.remove("a")) == ["a", "a2"]
        assert "a" not in store
        assert "a2" not in store
        assert len(store) == 1
        assert store.add("a3", a["text"]).stored  # no longer seen: stored anew
        with pytest.raises(KeyError):
            store.remove("nope")


def test_a_store_keeps_its_parameters_and_refuses_others(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    with Store(path, threshold=0.9, learn=False) as store:
        store.add("a", _pages()[0]["text"])
    with Store(path) as store:  # its own parameters
        assert (store.threshold, store.learn) == (0.9, False)
        assert store.stats()["stored"] == 1
    with pytest.raises(ConfigError, match=r"seen\.db.*threshold 0\.9 \(asked 0\.8\)"):
        Store(path, threshold=0.8)
    with pytest.raises(ConfigError, match="num_perm"):
        Store(path, scheme=SignatureScheme(num_perm=64))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,text\n1,hello\n", "not an SQLite file"),
        (b"SQLite format 3\x00" + b"\x00" * 84, "damaged|cannot open"),
    ],
)
def test_a_file_that_is_not_a_store_is_refused_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "seen.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message) as err:
        Store(path)
    assert str(path) in str(err.value)
    assert path.read_bytes() == content


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (name TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a dedup store"):
        Store(path)
    assert path.read_bytes() == before


def test_a_truncated_store_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    with Store(path, learn=False) as store:
        store.add_many({"id": p["id"], "text": p["text"]} for p in _pages())
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreError, match=r"seen\.db.*(damaged|malformed)"):
        _read_everything(path)


def _read_everything(path: Path) -> None:
    with Store(path) as store:
        for p in _pages():
            store.query(p["text"])
        store.stats()


def test_a_store_of_another_format_or_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    Store(path, learn=False).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="version 99"):
        Store(path)


def test_a_store_of_an_older_sqlite_layout_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    Store(path, learn=False).close()
    con = sqlite3.connect(path)
    con.executescript(  # layout 2: no filters, three columns in levels
        "DROP TABLE filters; DROP TABLE levels;"
        "CREATE TABLE levels (level INTEGER PRIMARY KEY, docs INTEGER, upto INTEGER);"
        "UPDATE meta SET value = '2' WHERE key = 'version';"
    )
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"layout version 2, this dedup reads version \d"):
        Store(path)
    assert path.read_bytes() == before


def test_every_lookup_the_sqlite_backend_runs_uses_an_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seen.db"
    pages = _pages()
    statements: list[str] = []
    _small_levels(monkeypatch)  # merges and lookups in several levels happen too
    with Store(path) as store:
        store.backend.con.set_trace_callback(statements.append)  # type: ignore[attr-defined]
        store.add_many({"id": p["id"], "text": p["text"]} for p in pages[:10])
        store.add("copy", pages[0]["text"] + "\n")
        store.query_many([p["text"] for p in pages[5:15]])
        store.query(_edit(pages[2]["text"]))  # one page: its candidates in one statement
        store.get(pages[3]["id"])
        store.remove(pages[0]["id"])
    reads = {
        sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "DELETE", "UPDATE"))
    }
    assert len(reads) >= 5
    con = sqlite3.connect(path)
    try:
        for sql in reads:
            plan = " ".join(str(row[-1]) for row in con.execute(f"EXPLAIN QUERY PLAN {sql}"))
            if any(f"FROM {t}" in sql for t in ("meta", "learning", "levels")) or (
                "count(*)" in sql
            ):
                continue  # a few rows, or a cursor range on the primary key, or stats
            if sql.startswith("DELETE FROM bands_") and "WHERE" not in sql:
                continue  # a level emptied after its merge
            assert "SCAN" not in plan.replace("SCAN CONSTANT", ""), (sql[:120], plan)
    finally:
        con.close()


def test_sqlite_levels_keep_every_document_findable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pending keys moved into levels, levels merged, a restart, removals from every level.
    _small_levels(monkeypatch, pending=3, fanout=2)
    path = tmp_path / "seen.db"
    pages = _long_pages(20)
    with Store(path, learn=False) as store:
        store.add_many({"id": p["id"], "text": p["text"]} for p in pages[:9])
        for p in pages[9:]:
            store.add(p["id"], p["text"])
    levels = _levels(path)
    assert sum(levels.values()) == 20
    assert 0 in levels, levels  # some pending
    assert len(levels) >= 3, levels  # and at least two levels
    with Store(path) as store:  # a new process: the pending ones are read back from docs
        for p in pages:
            assert store.query(_edit(p["text"])).duplicate_of == p["id"]
        gone = [p["id"] for p in pages[::4]]  # from the pending ones and from each level
        for doc_id in gone:
            store.remove(doc_id)
        for p in pages:
            want = None if p["id"] in gone else p["id"]
            assert store.query(_edit(p["text"])).duplicate_of == want
    assert sum(_levels(path).values()) == 20 - len(gone)


def test_a_reader_sees_every_add_of_another_connection_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader's lookups read nothing while no other connection commits (`PRAGMA
    # data_version`): after each add of the writer, pending or moved into merged levels, the
    # reader's next query must see it, and its own earlier answers must not stick.
    _small_levels(monkeypatch, pending=2, fanout=2)
    path, pages = tmp_path / "seen.db", _long_pages(12)
    with Store(path, learn=False) as writer, Store(path, learn=False) as reader:
        for k, p in enumerate(pages):
            assert reader.query(_edit(p["text"])).duplicate_of is None
            if k % 3 == 2:
                writer.add_many([{"id": p["id"], "text": p["text"]}])
            else:
                writer.add(p["id"], p["text"])
            for q in pages[: k + 1]:
                assert reader.query(_edit(q["text"])).duplicate_of == q["id"], (k, q["id"])
                assert reader.query(q["text"]).match == "exact"
            assert [r.duplicate_of for r in reader.query_many([_edit(pages[0]["text"])])] == [
                pages[0]["id"]
            ]
        writer.remove(pages[0]["id"])
        assert reader.query(_edit(pages[0]["text"])).duplicate_of is None
    assert len(_levels(path)) >= 2  # pages moved into levels, merged


def _levels(path: Path) -> dict[int, int]:
    """Documents per level of an SQLite store (0: pending), checked against each level's rows."""
    con = sqlite3.connect(path)
    try:
        levels = dict(con.execute("SELECT level, docs FROM levels WHERE docs > 0").fetchall())
        (pending,) = con.execute(
            "SELECT count(*) FROM docs WHERE sig IS NOT NULL AND seq > "
            "(SELECT upto FROM levels WHERE level = 0)"
        ).fetchone()
        if pending:
            levels[0] = pending
        for i in range(1, LEVELS + 1):
            rows = con.execute(f"SELECT count(DISTINCT seq) FROM bands_{i}").fetchone()[0]
            assert rows == levels.get(i, 0), (i, rows, levels)
            if rows:  # the level's filter lets every one of its keys through
                keys = np.array([k for (k,) in con.execute(f"SELECT key FROM bands_{i}")])
                (bits,) = con.execute("SELECT bits FROM filters WHERE level = ?", (i,)).fetchone()
                assert KeyFilter.from_bytes(bits).may_contain(keys).all(), i
    finally:
        con.close()
    return levels


def test_bad_input_is_refused_with_what_to_do() -> None:
    with Store(learn=False) as store:
        with pytest.raises(InputError, match="'text' must be a str"):
            store.add("a", b"bytes")  # type: ignore[arg-type]
        with pytest.raises(InputError, match="'id' must be a non-empty str"):
            store.add("", "text")
        with pytest.raises(InputError, match="mapping"):
            store.add_many(["just text"])  # type: ignore[list-item]
        for one in ("just text", {"id": "a", "text": "x"}):
            with pytest.raises(InputError, match="iterable of documents"):
                store.add_many(one)  # type: ignore[arg-type]
            with pytest.raises(InputError, match="iterable of documents"):
                store.query_many(one)  # type: ignore[arg-type]
        assert len(store) == 0
    with pytest.raises(ConfigError, match="threshold"):
        Store(threshold=1.5)
    with pytest.raises(ConfigError, match="learn=True needs clean=True"):
        Store(clean=False, learn=True)
    with pytest.raises(StoreError, match="does not exist"):
        Store("/no/such/folder/seen.db")


# -- learning -----------------------------------------------------------------------------


def _site_pages(n: int = 6) -> list[str]:
    """``n`` different articles of one site, each between the same menu and sidebar lines."""
    rng = random.Random(3)
    letters = "etaoinshrdlucmfwypvbgk"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(4000)]

    def words(k: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(k))

    menu = [f"{words(2).title()} | {words(1).title()} | {words(2).title()}" for _ in range(2)]
    sidebar = [f"{words(6).capitalize()}: {words(12)}" for _ in range(3)]
    pages = []
    for _ in range(n):
        body = [f"{words(30).capitalize()}." for _ in range(3)]
        pages.append("\n".join([*menu, words(7).title(), *body, *sidebar]))
    return pages


def _learned(result: dedup.StoreResult) -> int:
    return sum(r.detector == "site" for r in result.removals)


def test_later_pages_are_cleaned_with_what_earlier_pages_taught(location: str) -> None:
    pages = _site_pages()
    with Store(location, min_pages=3) as store:
        results = [store.add(f"p{i}", t, site="example.com") for i, t in enumerate(pages)]
    learned = [_learned(r) for r in results]
    assert learned[:2] == [0, 0]  # fewer than min_pages pages: nothing learned yet
    assert all(n >= 3 for n in learned[2:]), learned  # the sidebar, from the third page on


def test_what_was_learned_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    pages = _site_pages()
    with Store(path, min_pages=3) as store:
        for i, t in enumerate(pages[:-1]):
            store.add(f"p{i}", t, site="example.com")
        before = store.query(pages[-1], site="example.com")
    with Store(path) as store:
        after = store.query(pages[-1], site="example.com")
    assert after.removals == before.removals
    assert _learned(after) >= 3


def test_processes_sharing_a_store_learn_from_each_other(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    pages = _site_pages()
    reader = Store(path, min_pages=3)  # open before the others write
    with Store(path) as writer:
        for i, t in enumerate(pages[:-1]):
            writer.add(f"p{i}", t, site="example.com")
    with Store(":memory:", min_pages=3) as ref:
        for i, t in enumerate(pages[:-1]):
            ref.add(f"p{i}", t, site="example.com")
        expected = ref.query(pages[-1], site="example.com")
    got = reader.query(pages[-1], site="example.com")
    reader.close()
    assert got.removals == expected.removals


# -- concurrency and crashes ---------------------------------------------------------------


def _group_docs(n_groups: int = 500, copies: int = 4) -> list[tuple[str, str, int]]:
    """(id, text, group): ``copies`` exact or near copies of ``n_groups`` distinct articles."""
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(5000)]
    docs = []
    for g in range(n_groups):
        words = rng.choices(vocab, k=120)
        for c in range(copies):
            w = list(words)
            if c % 2:
                w[rng.randrange(len(w))] = "changed"
            docs.append((f"g{g}-c{c}", " ".join(w) + ".", g))
    return docs


def _add_worker(
    location: str, docs: list[tuple[str, str, int]], seed: int, levels: tuple[int, int] | None
) -> None:
    if levels is not None:
        from dedup.store.sqlite import SQLiteBackend

        SQLiteBackend.PENDING, SQLiteBackend.FANOUT = levels
    rng = random.Random(seed)
    rng.shuffle(docs)
    with Store(location, learn=False, clean=False) as store:
        k = 0
        while k < len(docs):
            if rng.random() < 0.5:  # one at a time, as a crawler does
                doc_id, text, _ = docs[k]
                store.add(doc_id, text)
                k += 1
            else:
                n = rng.randrange(2, 40)
                store.add_many({"id": i, "text": t} for i, t, _ in docs[k : k + n])
                k += n


def _check_groups(store: Store, docs: list[tuple[str, str, int]]) -> None:
    stored_of_group: dict[int, list[str]] = {}
    for doc_id, _, group in docs:
        rec = store.get(doc_id)
        assert rec is not None, f"{doc_id} was lost"
        if rec.duplicate_of is None:
            stored_of_group.setdefault(group, []).append(doc_id)
        else:
            dup = store.get(rec.duplicate_of)
            assert dup is not None, (doc_id, rec)
            assert dup.duplicate_of is None, (doc_id, rec)
            assert rec.duplicate_of.split("-")[0] == doc_id.split("-")[0]
    assert all(len(v) == 1 for v in stored_of_group.values()), stored_of_group
    assert len(stored_of_group) == len({g for _, _, g in docs})


def _concurrent(location: str, levels: tuple[int, int] | None = None) -> None:
    """Four processes add overlapping streams; one document of each group is stored.

    ``levels``: (pending, fanout) for the SQLite backend in the workers.
    """
    docs = _group_docs()  # 2,000 documents
    ctx = multiprocessing.get_context("spawn")
    # Four overlapping shares: every document is added by two of the processes.
    shares = [[d for k, d in enumerate(docs) if k % 4 in (w, (w + 1) % 4)] for w in range(4)]
    procs = [
        ctx.Process(target=_add_worker, args=(location, s, w, levels)) for w, s in enumerate(shares)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    with Store(location) as store:
        assert len(store) == len(docs)
        _check_groups(store, docs)


@pytest.mark.parametrize("levels", [None, (8, 2)], ids=["default-levels", "small-levels"])
def test_four_processes_adding_to_one_sqlite_file(
    tmp_path: Path, levels: tuple[int, int] | None
) -> None:
    # small levels: the processes move each other's pending keys and merge levels all along
    _concurrent(str(tmp_path / "seen.db"), levels)
    _levels(tmp_path / "seen.db")  # each level's count and filter agree with its rows


_KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from dedup import Store
    store = Store(sys.argv[1], learn=False, clean=False)
    batch = 0
    while True:
        ids = [f"b{batch}-{i}" for i in range(100)]
        store.add_many(
            {"id": i, "text": f"document {i} " + " ".join(f"w{batch}x{k}" for k in range(60))}
            for i in ids
        )
        print(batch, flush=True)
        batch += 1
    """
)


def test_a_writer_killed_mid_batch_leaves_exactly_the_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    done = [int(proc.stdout.readline()) for _ in range(5)]
    time.sleep(0.05)  # let it get into the middle of another batch
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done += [int(x) for x in proc.stdout.read().split()]
    with Store(path) as store:
        counts = store.stats()
        batches = {doc_id.split("-")[0] for doc_id in _ids(path)}
    # Every reported batch is there, whole; at most the one being written when killed is
    # there too (committed before it could be reported), and never a part of a batch.
    assert {f"b{b}" for b in done} <= batches <= {f"b{b}" for b in range(max(done) + 2)}
    assert counts["documents"] == 100 * len(batches)


def _ids(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [i for (i,) in con.execute("SELECT id FROM docs")]
    finally:
        con.close()


def test_query_many_answers_as_query_one_at_a_time(location: str) -> None:
    docs = _stream()
    with Store(location, learn=False) as store:
        store.add_many(docs[:20])
        texts = [d["text"] for d in docs]
        one = [store.query(t) for t in texts]
        assert store.query_many(texts) == one
        assert store.query_many({"text": t} for t in texts[:3]) == one[:3]
        assert len(store) == 20
        with pytest.raises(InputError, match="query 1"):
            store.query_many(["ok", 3])  # type: ignore[list-item]


def test_a_query_with_more_band_keys_than_sqlite_binds_takes_the_batch_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One page's candidates come from one statement binding its band keys once per level;
    # where that would pass SQLite's limit of bound values, the batch path answers instead.
    import dedup.store.sqlite as backend

    docs = _stream()
    with Store(tmp_path / "seen.db", learn=False) as store:
        store.add_many(docs[:20])
        texts = [d["text"] for d in docs]
        one = [store.query(t) for t in texts]
        monkeypatch.setattr(backend, "_MAX_VARS", store.bands)  # < bands x levels
        one_statement = backend.SQLiteBackend._lookup_one
        seen: list[int] = []

        def checked(*args: Any) -> Any:
            seen.append(len(args[2].bands))  # (self, con, entry, levels)
            return one_statement(*args)

        monkeypatch.setattr(backend.SQLiteBackend, "_lookup_one", checked)
        assert [store.query(t) for t in texts] == one
        assert seen == [0] * len(seen)  # only the pages too short to have band keys


def test_a_batch_of_verdicts_equals_each_one_judged_alone() -> None:
    # `_decide_many` judges all pairs of a batch in one call: each entry must still get the
    # most similar of its own candidates (the oldest among equals), or None under the
    # threshold; compared with a plain loop over pair_similarity.
    from dedup.cluster import pair_similarity
    from dedup.store.backend import Candidate, Entry

    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, (6, 128), dtype=np.uint32)

    def near(row: np.ndarray, changed: int) -> bytes:
        out = row.copy()
        out[rng.choice(128, changed, replace=False)] = rng.integers(0, 2**32, changed)
        return out.tobytes()

    cands = [
        [Candidate(f"c{k}-{i}", 10 * k + i, 300, near(base[k], ch)) for i, ch in enumerate(chs)]
        for k, chs in enumerate([(40, 5, 20), (0, 0), (128,), (), (3, 3, 60), (10,)])
    ]
    entries = [Entry(f"e{k}", None, 300, base[k].tobytes(), (), None, None) for k in range(6)]
    entries[5] = Entry("e5", None, 0, None, (), None, None)  # too short: no signature
    with Store(learn=False) as store:
        got = store._decide_many(entries, cands)
        for k, (entry, found) in enumerate(zip(entries, cands, strict=True)):
            want = None
            if entry.sig is not None and found:
                sigs = np.stack([base[k]] + [np.frombuffer(c.sig, np.uint32) for c in found])
                pairs = [(0, i) for i in range(1, len(found) + 1)]
                _, _, sim = pair_similarity(sigs, [300] * len(sigs), pairs)
                scored = zip(sim.tolist(), found, strict=True)
                neg, _, doc_id = min((-s, c.seq, c.id) for s, c in scored)
                want = (doc_id, -neg) if -neg >= store.threshold else None
            assert got[k] == want, k
            assert store._decide(entry, found) == want
    assert got[0] is not None
    assert got[0][0] == "c0-1"  # the most similar, not the first
    assert got[1] == ("c1-0", 1.0)  # equals: the oldest
    assert got[2] is None  # under the threshold
    assert got[3] is None
    assert got[5] is None
