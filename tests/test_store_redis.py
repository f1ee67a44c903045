"""dedup.Store on Redis: the in-memory answers, refusals, concurrency, crashes, a server gone.

Every test runs against a real ``redis-server`` (tests/redis_server.py): the session one of
conftest.py (``redis_url``: a key prefix of the test's own) or, where the test kills or
stops the server, one of its own (``own_redis``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from redis_server import RedisServer, start_redis
from test_store import _concurrent

from dedup import ConfigError, MissingExtraError, Store, StoreError
from dedup.store import StoreResult

DATA = Path(__file__).parent / "data"


@pytest.fixture
def own_redis(tmp_path: Path, redis_server: RedisServer) -> Iterator[RedisServer]:
    """A server of this test's own (it kills, stops or restarts it)."""
    server = start_redis(tmp_path)
    yield server
    server.stop()


def _client(url: str) -> redis.Redis:
    parts = urlsplit(url)
    return redis.Redis(host=parts.hostname, port=parts.port, db=0)


def _prefix(url: str) -> str:
    return parse_qs(urlsplit(url).query)["prefix"][0]


# -- the same answers as the in-memory store ------------------------------------------------


def _pages() -> list[dict[str, str]]:
    with (DATA / "dev_subset.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _edit(text: str, every: int = 25, word: str = "edited") -> str:
    words = text.split(" ")
    return " ".join(word if i % every == 7 else w for i, w in enumerate(words))


def _paragraph(rng: random.Random, vocab: list[str], n: int) -> str:
    words = rng.choices(vocab, k=n)
    return " ".join(words[: n // 2]) + ".\n" + " ".join(words[n // 2 :]) + "."


def _stream() -> list[dict[str, Any]]:
    """Real pages, exact copies, near copies, short texts, blanks, known ids, synthetic text."""
    pages = [p for p in _pages() if len(p["text"]) > 800][:25]
    docs: list[dict[str, Any]] = [
        {"id": p["id"], "text": p["text"], "site": p["site"]} for p in pages
    ]
    docs += [{"id": f"{p['id']}#copy", "text": p["text"] + "\n\n"} for p in pages[:4]]
    docs += [{"id": f"{p['id']}#upper", "text": p["text"].upper()} for p in pages[4:6]]
    docs += [{"id": f"{p['id']}#edit", "text": _edit(p["text"])} for p in pages[6:14]]
    docs += [{"id": f"{p['id']}#edit2", "text": _edit(p["text"], 9, "x")} for p in pages[6:10]]
    docs += [
        {"id": "short-1", "text": "Breaking news"},
        {"id": "short-2", "text": "breaking NEWS"},
        {"id": "short-3", "text": "Weather today"},
        {"id": "blank", "text": "  \n "},
        {"id": "blank-2", "text": ""},
        {"id": pages[0]["id"], "text": "the same id again"},
        {"id": "short-1", "text": "known, with another text"},
    ]
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(3000)]
    for g in range(30):
        base = _paragraph(rng, vocab, 90)
        docs.append({"id": f"syn{g}", "text": base, "site": "syn.example"})
        if g % 3 == 0:
            words = base.split(" ")
            words[rng.randrange(len(words))] = "changed"
            docs.append({"id": f"syn{g}-near", "text": " ".join(words)})
        if g % 5 == 0:
            docs.append({"id": f"syn{g}-exact", "text": base.replace(".", " .")})
    rng.shuffle(docs)  # copies before or after their originals; known ids anywhere
    return docs


def _result(r: StoreResult) -> tuple[object, ...]:
    return (
        r.id,
        r.duplicate_of,
        r.similarity,  # bit for bit: Redis keeps the float's repr
        r.match,
        r.stored,
        r.known,
        r.too_short,
        r.site,
        r.text,
    )


def _run(store: Store, docs: list[dict[str, Any]]) -> list[object]:
    """Add ``docs`` one by one and in batches (copies inside a batch too), query, remove."""
    out: list[object] = []
    half = len(docs) // 2
    for d in docs[:half]:
        out.append(_result(store.add(d["id"], d["text"], site=d.get("site"))))
    for start in range(half, len(docs), 16):
        out += [_result(r) for r in store.add_many(docs[start : start + 16])]
    ids = sorted({d["id"] for d in docs})
    out.append([store.get(i) for i in ids])
    out.append({k: v for k, v in store.stats().items() if k != "location"})
    probes = [d for d in docs if d["text"] and len(d["text"]) > 200][:12]
    out += [_result(store.query(_edit(d["text"], 31, "q"))) for d in probes]
    for doc_id in ids[::7]:
        try:
            out.append(sorted(store.remove(doc_id)))
        except KeyError:
            out.append("gone")
    out.append({k: v for k, v in store.stats().items() if k != "location"})
    # what was removed is new again: re-add everything in one batch
    out += [_result(r) for r in store.add_many(docs)]
    out.append([store.get(i) for i in ids])
    out.append({k: v for k, v in store.stats().items() if k != "location"})
    return out


def test_redis_gives_the_in_memory_answers(redis_url: str) -> None:
    docs = _stream()
    with Store(":memory:", learn=False) as ref:
        expected = _run(ref, docs)
    with Store(redis_url, learn=False) as store:
        got = _run(store, docs)
    assert len(got) == len(expected)
    for n, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert g == e, n
    first = [r for r in expected[: len(docs)] if isinstance(r, tuple)]
    matches = {r[3] for r in first}
    assert matches == {None, "exact", "near"}  # the stream has both kinds of copies
    assert any(r[5] for r in first)  # known ids
    assert any(r[6] and r[1] for r in first)  # a too-short text matched exactly


def test_redis_gives_the_in_memory_answers_on_raw_text(redis_url: str) -> None:
    docs = _stream()
    with Store(":memory:", learn=False, clean=False, threshold=0.7) as ref:
        expected = _run(ref, docs)
    with Store(redis_url, learn=False, clean=False, threshold=0.7) as store:
        assert _run(store, docs) == expected


def test_a_batch_sees_its_own_earlier_documents(redis_url: str) -> None:
    a = _pages()[0]["text"]
    batch = [
        {"id": "a", "text": a},
        {"id": "a-exact", "text": a.upper()},
        {"id": "a-near", "text": _edit(a)},
        {"id": "a", "text": "the same id in the same batch"},
        {"id": "b", "text": _pages()[1]["text"]},
    ]
    with Store(":memory:", learn=False) as ref:
        expected = [_result(r) for r in ref.add_many(batch)]
    with Store(redis_url, learn=False) as store:
        got = [_result(r) for r in store.add_many(batch)]
        assert got == expected
        assert [r[1] for r in got] == [None, "a", "a", None, None]
        assert got[3][5] is True  # known
        assert len(store) == 4


def test_a_new_document_is_one_script_call_and_a_query_one(redis_url: str) -> None:
    client = _client(redis_url)
    pages = _pages()
    with Store(redis_url, learn=False) as store:
        store.add("first", pages[0]["text"])
        store.query("load the read-only script too")

        def calls() -> int:
            return int(client.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))

        client.config_resetstat()
        store.add("new", pages[1]["text"])
        assert calls() == 1  # no candidate: checked and inserted in one round trip
        client.config_resetstat()
        assert store.add("near", _edit(pages[1]["text"])).duplicate_of == "new"
        assert calls() == 2  # candidates come back with their signatures: one more
        client.config_resetstat()
        assert store.query(_edit(pages[1]["text"], 19)).duplicate_of == "new"
        assert calls() == 1
    client.close()


def test_the_layout_is_compact_and_under_the_prefix(redis_url: str) -> None:
    client = _client(redis_url)
    prefix = _prefix(redis_url).encode()
    with Store(redis_url, learn=False) as store:
        page = _pages()[0]["text"]
        store.add("a", page)
        store.add("a2", page.upper())
    keys = set(client.scan_iter(match=prefix + b":*"))
    names = (b":meta", b":rec", b":doc", b":keys", b":exact", b":band", b":n", b":d:1")
    assert keys == {prefix + s for s in names}
    bands = client.hgetall(prefix + b":band")
    assert len(bands) == 64  # the band keys of the stored page, each naming its seq
    assert set(bands.values()) == {b"1"}
    doc = client.hget(prefix + b":doc", b"1")
    _, n = struct.unpack_from("<II", doc)
    assert doc[8 : 8 + n] == b"a"
    assert len(doc) == 8 + n + 128 * 4  # the signature as raw bytes
    assert json.loads(client.hget(prefix + b":rec", b"a2")) == ["e", None, "a", "1.0", "1"]
    assert not set(client.scan_iter(match=b"dedup:*"))  # nothing outside the prefix
    client.close()


# -- refusals ---------------------------------------------------------------------------------


def test_other_parameters_are_refused(redis_url: str) -> None:
    with Store(redis_url, threshold=0.9, learn=False) as store:
        store.add("a", _pages()[0]["text"])
    with Store(redis_url) as store:  # its own parameters
        assert (store.threshold, store.learn) == (0.9, False)
        assert store.stats()["stored"] == 1
    with pytest.raises(ConfigError, match=r"prefix=t.*threshold 0\.9 \(asked 0\.8\)"):
        Store(redis_url, threshold=0.8)
    with pytest.raises(ConfigError, match="clean True"):
        Store(redis_url, clean=False, learn=False)
    other = redis_url.rsplit("=", 1)[0] + "=" + _prefix(redis_url) + "b"
    with Store(other, threshold=0.8, learn=False) as store:  # another prefix: another store
        assert len(store) == 0


def test_keys_of_something_else_are_refused_untouched(redis_url: str) -> None:
    client = _client(redis_url)
    p = _prefix(redis_url)
    client.set(f"{p}:meta", "a string")
    with pytest.raises(StoreError, match=rf"prefix={p}.*another type.*prefix=") as err:
        Store(redis_url)
    assert redis_url in str(err.value)
    assert client.get(f"{p}:meta") == b"a string"

    client.delete(f"{p}:meta")
    client.hset(f"{p}:meta", mapping={"format": "something else", "owner": "app"})
    with pytest.raises(StoreError, match="not a dedup store"):
        Store(redis_url)
    assert client.hgetall(f"{p}:meta") == {b"format": b"something else", b"owner": b"app"}

    client.delete(f"{p}:meta")
    client.hset(f"{p}:n", "documents", 3)  # a store whose metadata was deleted
    with pytest.raises(StoreError, match=r"no t\w+:meta.*another prefix="):
        Store(redis_url)
    client.close()


def test_a_wrong_type_key_inside_a_store_is_a_clear_error(redis_url: str) -> None:
    client = _client(redis_url)
    p = _prefix(redis_url)
    with Store(redis_url, learn=False) as store:
        store.add("a", _pages()[0]["text"])
        client.delete(f"{p}:exact")
        client.set(f"{p}:exact", "oops")
        with pytest.raises(StoreError, match="another type") as err:
            store.add("b", _pages()[1]["text"])
        assert redis_url in str(err.value)
        assert store.get("b") is None
    client.close()


def test_a_store_of_another_layout_version_is_refused(redis_url: str) -> None:
    Store(redis_url, learn=False).close()
    client = _client(redis_url)
    client.hset(f"{_prefix(redis_url)}:meta", "redis_layout", "99")
    with pytest.raises(StoreError, match="layout version 99"):
        Store(redis_url)
    client.close()


def test_the_prefix_must_be_a_name(redis_server: RedisServer) -> None:
    with pytest.raises(ConfigError, match="prefix"):
        Store(f"{redis_server.url}?prefix=")


def test_without_the_redis_package_the_error_has_the_pip_line(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup\[redis\]'"):
        Store(redis_url)


def test_a_unix_socket_url_works(redis_server: RedisServer) -> None:
    url = f"{redis_server.unix_url}&prefix=unix{os.getpid()}"
    with Store(url, learn=False) as store:
        assert store.add("a", _pages()[0]["text"]).stored
        assert store.add("b", _pages()[0]["text"]).duplicate_of == "a"
        assert store.location == url


def test_the_password_is_never_shown(own_redis: RedisServer) -> None:
    client = _client(own_redis.url)
    client.config_set("requirepass", "s3cret-pw")
    client.close()
    port = own_redis.port
    good = f"redis://:s3cret-pw@127.0.0.1:{port}/0?prefix=pw"
    with Store(good, learn=False) as store:
        assert store.add("a", _pages()[0]["text"]).stored
        assert "s3cret" not in store.location
        assert store.location == f"redis://127.0.0.1:{port}/0?prefix=pw"
    with pytest.raises(StoreError, match="password") as err:
        Store(f"redis://default:wrong-pw@127.0.0.1:{port}/0?prefix=pw")
    assert "wrong-pw" not in str(err.value)
    assert f"redis://default@127.0.0.1:{port}/0?prefix=pw" in str(err.value)
    with pytest.raises(StoreError) as err:  # no password at all
        Store(f"redis://127.0.0.1:{port}/0?prefix=pw")
    assert "NOAUTH" in str(err.value) or "password" in str(err.value)


# -- a server that is down, goes away, or hangs -----------------------------------------------


def test_a_server_that_is_down_is_a_clear_error(own_redis: RedisServer) -> None:
    url = f"{own_redis.url}?prefix=down"
    own_redis.stop()
    with pytest.raises(StoreError, match=r"is redis-server running at 127\.0\.0\.1") as err:
        Store(url)
    assert url in str(err.value)


def test_a_server_going_away_mid_run_is_a_clear_error_and_writes_nothing(
    own_redis: RedisServer,
) -> None:
    url = f"{own_redis.url}?prefix=away"
    pages = _pages()
    store = Store(url, learn=False)
    assert store.add("a", pages[0]["text"]).stored
    own_redis.kill()
    batch = [{"id": f"b{i}", "text": p["text"]} for i, p in enumerate(pages[1:20])]
    for call in (lambda: store.add_many(batch), lambda: store.query("text"), lambda: len(store)):
        with pytest.raises(StoreError, match="is redis-server running") as err:
            call()
        assert url in str(err.value)
    own_redis.start()  # same port, same files: the client reconnects
    assert store.get("a") is not None
    assert all(store.get(d["id"]) is None for d in batch)  # nothing of the failed batch
    assert store.stats()["documents"] == 1
    assert [r.stored for r in store.add_many(batch)] == [True] * len(batch)
    store.close()


def test_a_server_that_hangs_is_a_timeout_error(own_redis: RedisServer) -> None:
    url = f"{own_redis.url}?prefix=hang&socket_timeout=0.5"
    with Store(url, learn=False) as store:
        store.add("a", _pages()[0]["text"])
        os.kill(own_redis.pid, signal.SIGSTOP)
        try:
            with pytest.raises(StoreError, match=r"did not answer in time.*socket_timeout") as err:
                store.add("b", _pages()[1]["text"])
        finally:
            os.kill(own_redis.pid, signal.SIGCONT)
        assert url in str(err.value)


def test_a_full_or_read_only_server_refuses_clearly_and_writes_nothing(
    own_redis: RedisServer,
) -> None:
    url = f"{own_redis.url}?prefix=full"
    client = _client(url)
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(20000)]
    with Store(url, learn=False, clean=False) as store:
        client.config_set("maxmemory", client.info("memory")["used_memory"] + 2_000_000)
        added = 0
        error = None
        while error is None and added < 100_000:
            batch = [
                {"id": f"d{added + k}", "text": " ".join(rng.choices(vocab, k=80))}
                for k in range(100)
            ]
            try:
                store.add_many(batch)
            except StoreError as exc:
                error = str(exc)
            else:
                added += 100
        assert error is not None
        assert "out of memory: raise its maxmemory" in error
        assert url in error
        assert store.stats()["documents"] == added == client.hlen("full:rec")  # no part batch
        client.config_set("maxmemory", 0)
        client.replicaof("127.0.0.1", own_redis.port + 1)  # now a replica: read-only
        try:
            with pytest.raises(StoreError, match="read-only replica: give the URL of the primary"):
                store.add("x", "A text that would be new to the store, " * 4)
        finally:
            client.replicaof("NO", "ONE")
        assert store.get("x") is None
    client.close()


# -- crashes ----------------------------------------------------------------------------------


def test_acknowledged_adds_survive_a_crash_of_the_server(own_redis: RedisServer) -> None:
    url = f"{own_redis.url}?prefix=crash"
    pages = _pages()
    answers = {}
    with Store(url, learn=False) as store:
        for i, p in enumerate(pages):
            answers[f"p{i}"] = store.add(f"p{i}", p["text"]).duplicate_of
            answers[f"p{i}-copy"] = store.add(f"p{i}-copy", p["text"].upper()).duplicate_of
        before = store.stats()
    own_redis.kill()  # SIGKILL: only the append-only file is left
    own_redis.start()
    with Store(url) as store:
        assert store.stats() == before
        for doc_id, dup in answers.items():
            rec = store.get(doc_id)
            assert rec is not None, doc_id
            assert rec.duplicate_of == dup
        assert store.add("p0-again", pages[0]["text"]).duplicate_of == "p0"
        assert store.add("new", "A page that was never seen before, " * 5).stored


_WRITER = textwrap.dedent(
    """
    import sys
    from dedup import Store, StoreError
    store = Store(sys.argv[1], learn=False, clean=False)
    batch = 0
    try:
        while True:
            store.add_many(
                {"id": f"b{batch}-{i}", "text": f"document {batch} {i} "
                 + " ".join(f"w{batch}x{i}x{k}" for k in range(40))}
                for i in range(100)
            )
            print(batch, flush=True)
            batch += 1
    except StoreError as exc:
        print("error", exc, flush=True)
    """
)


def test_a_server_killed_mid_batch_keeps_every_acknowledged_batch_whole(
    own_redis: RedisServer,
) -> None:
    url = f"{own_redis.url}?prefix=killed"
    Store(url, learn=False, clean=False).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    done = [int(proc.stdout.readline()) for _ in range(5)]
    time.sleep(0.05)  # into the middle of another batch
    own_redis.kill()
    rest = proc.stdout.read().splitlines()
    proc.wait(60)
    assert rest, "the writer printed nothing"
    assert rest[-1].startswith("error"), rest  # the writer was told
    assert url in rest[-1]
    assert "is redis-server running" in rest[-1]
    done += [int(x) for x in rest[:-1]]
    own_redis.start()
    client = _client(url)
    ids = [k.decode() for k in client.hkeys("killed:rec")]
    client.close()
    batches = {i.split("-")[0] for i in ids}
    # every acknowledged batch is there; at most the one in flight (written, not yet
    # acknowledged) too; never a part of one
    assert {f"b{b}" for b in done} <= batches <= {f"b{b}" for b in range(max(done) + 2)}
    assert len(ids) == 100 * len(batches)
    with Store(url) as store:
        assert store.stats()["documents"] == len(ids)


# -- concurrency ------------------------------------------------------------------------------


def test_four_processes_adding_to_one_prefix(redis_url: str) -> None:
    _concurrent(redis_url)  # the test of the SQLite file, on Redis
    _check_index(redis_url)


def _check_index(url: str) -> None:
    """The indexes agree with the records: every band, exact key and copy list."""
    client = _client(url)
    p = _prefix(url).encode()
    recs = {k: json.loads(v) for k, v in client.hgetall(p + b":rec").items()}
    stored = {r[2].encode(): i for i, r in recs.items() if r[0] == "s"}
    assert set(client.hkeys(p + b":doc")) == set(stored)
    for doc_id in client.hvals(p + b":exact"):
        assert recs[doc_id][0] == "s"
    members = [m for v in client.hvals(p + b":band") for m in v.split(b",")]
    assert set(members) == set(stored)
    keys = client.hgetall(p + b":keys")
    assert len(members) == sum(
        (len(v) - 9 if v[:1] == b"x" else len(v) - 1) // 8 for v in keys.values()
    )
    pipe = client.pipeline(transaction=False)
    copies = {k: r for k, r in recs.items() if r[0] != "s"}
    for r in copies.values():
        pipe.lrange(p + b":d:" + r[4].encode(), 0, -1)
    lists = pipe.execute()
    for (doc_id, _), listed in zip(copies.items(), lists, strict=True):
        assert doc_id in listed
    client.close()


# -- learning ---------------------------------------------------------------------------------


def _site_pages() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((DATA / "learn").glob("*.txt"))]


def _has_learning() -> bool:
    from dedup.learn import Cleaner, LearnState

    return hasattr(Cleaner, "page_state") and hasattr(LearnState, "to_bytes")


@pytest.mark.skipif(not _has_learning(), reason="dedup.learn has no Cleaner.page_state yet")
def test_stores_sharing_a_prefix_learn_from_each_other_and_after_a_restart(
    redis_url: str,
) -> None:
    pages = _site_pages()
    reader = Store(redis_url, min_pages=3)  # open before the writer adds anything
    with Store(redis_url) as writer:
        for i, t in enumerate(pages[:-1]):
            writer.add(f"p{i}", t, site="dawn.com")
        own = writer.query(pages[-1], site="dawn.com")
    with Store(":memory:", min_pages=3) as ref:
        for i, t in enumerate(pages[:-1]):
            ref.add(f"p{i}", t, site="dawn.com")
        expected = ref.query(pages[-1], site="dawn.com")
    got = reader.query(pages[-1], site="dawn.com")
    reader.close()
    with Store(redis_url) as restarted:  # reads the whole learning log
        again = restarted.query(pages[-1], site="dawn.com")
    assert own.removals == expected.removals
    assert got.removals == expected.removals
    assert again.removals == expected.removals
    client = _client(redis_url)
    assert client.llen(f"{_prefix(redis_url)}:log") >= len(pages) - 1
    client.close()
