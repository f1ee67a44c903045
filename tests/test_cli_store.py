"""The installed ``dedup store add|query|stats`` commands, run as a user would, on small dumps.

Verdicts are compared with the library (`dedup.Store` in memory, fed the same documents): the
CLI's contract is to write what the API decides, for every record, in input order, with every
field kept and the cleaned text in the text field. Stores are SQLite files in ``tmp_path``.
"""

from __future__ import annotations

import json

import pytest
from test_cli import PAGE, fail, ok, read_jsonl, run, write_jsonl
from test_cli_learn import ARTICLES as SITE_ARTICLES
from test_cli_learn import FOOTER, NEWSLETTER, page
from test_dups import ARTICLES, edit_words

import dedup
from dedup.cli import explanation, store_field
from dedup.learn import Cleaner

VERDICT_KEYS = {"duplicate_of", "similarity", "match", "stored", "known", "too_short", "site"}


def make_records():
    """Originals of two sites, an exact copy, an edited copy, a truncated copy, a short one."""
    recs = [
        {"id": f"a{i}", "url": f"https://x.test/{i}", "text": t} for i, t in enumerate(ARTICLES[:6])
    ]
    recs.append({"id": "copy", "url": "https://y.test/c", "lang": "en", "text": ARTICLES[0]})
    recs.append({"id": "edit", "site": "y.test", "text": edit_words(ARTICLES[1], 0.1, seed=3)})
    words = ARTICLES[2].split(" ")
    recs.append(
        {"id": "cut", "url": "https://y.test/cut", "text": " ".join(words[: len(words) // 2])}
    )
    recs.append({"id": "short", "text": "Breaking news from the harbour"})
    return recs


def api_results(records, **params):
    """What `dedup.Store` answers when the records are added one by one, in order."""
    with dedup.Store(":memory:", **params) as store:
        return [
            store.add(r["id"], r["text"], site=r.get("site"), url=r.get("url")) for r in records
        ]


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "dump.jsonl"
    write_jsonl(path, make_records())
    return path


def add(store, dump, out, *extra):
    return ok("store", "add", store, dump, "-o", out, "--no-learn", *extra)


# --------------------------------------------------------------------------- add and query


def test_add_writes_the_api_verdicts_and_keeps_every_field(dump, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = add(tmp_path / "seen.db", dump, out)
    rows = read_jsonl(out)
    records = make_records()
    expected = api_results(records, learn=False)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, rec, res in zip(rows, records, expected, strict=True):
        assert list(row) == [*rec, "dedup"]  # fields in order, the verdict last
        assert {k: v for k, v in row.items() if k not in ("text", "dedup")} == {
            k: v for k, v in rec.items() if k != "text"
        }
        assert row["text"] == res.text  # the cleaned text, as dedup clean writes it
        assert row["dedup"] == store_field(res)
        assert set(row["dedup"]) == VERDICT_KEYS
    by_id = {r["id"]: r["dedup"] for r in rows}
    assert (by_id["copy"]["duplicate_of"], by_id["copy"]["match"]) == ("a0", "exact")
    assert by_id["copy"]["similarity"] == 1.0
    assert (by_id["edit"]["duplicate_of"], by_id["edit"]["match"]) == ("a1", "near")
    assert 0.8 <= by_id["edit"]["similarity"] < 1.0
    assert (by_id["cut"]["duplicate_of"], by_id["cut"]["match"]) == ("a2", "near")
    assert by_id["short"]["too_short"] is True
    assert [r["dedup"]["stored"] for r in rows].count(True) == 7
    assert not any(r["dedup"]["known"] for r in rows)
    assert (by_id["a0"]["site"], by_id["copy"]["site"], by_id["edit"]["site"]) == (
        "x.test",
        "y.test",
        "y.test",
    )
    assert "10 documents in" in proc.stderr
    assert "10 added to" in proc.stderr
    assert "7 stored, 3 duplicates (1 exact, 2 near)" in proc.stderr
    assert "1 document(s) too short" in proc.stderr
    assert f"wrote {out}" in proc.stderr


def test_batches_give_the_same_answers(dump, tmp_path):
    # Copies in the same batch as their original are found too (add_many sees earlier docs).
    add(tmp_path / "one.db", dump, tmp_path / "one.jsonl", "--batch", "1")
    add(tmp_path / "all.db", dump, tmp_path / "all.jsonl")
    add(tmp_path / "three.db", dump, tmp_path / "three.jsonl", "--batch", "3")
    one = read_jsonl(tmp_path / "one.jsonl")
    assert one == read_jsonl(tmp_path / "all.jsonl") == read_jsonl(tmp_path / "three.jsonl")


def test_adding_again_reports_known_ids_and_writes_nothing(dump, tmp_path):
    store = tmp_path / "seen.db"
    first = add(store, dump, tmp_path / "first.jsonl")
    again = add(store, dump, tmp_path / "again.jsonl")
    rows, before = read_jsonl(tmp_path / "again.jsonl"), read_jsonl(tmp_path / "first.jsonl")
    assert all(r["dedup"]["known"] for r in rows)
    assert not any(r["dedup"]["stored"] for r in rows)
    for row, old in zip(rows, before, strict=True):  # the first verdicts come back
        for key in ("duplicate_of", "similarity", "match", "site"):
            assert row["dedup"][key] == old["dedup"][key]
    assert "0 added to" in again.stderr
    assert "10 known ids" in again.stderr
    assert "the store holds 10 ids: 7 stored, 3 duplicates" in first.stderr
    assert "the store holds 10 ids: 7 stored, 3 duplicates" in again.stderr


def test_query_finds_the_copies_without_adding(dump, tmp_path):
    store = tmp_path / "seen.db"
    add(store, dump, tmp_path / "added.jsonl")
    queries = tmp_path / "queries.jsonl"
    write_jsonl(
        queries,
        [
            {"url": "https://z.test/1", "text": ARTICLES[3]},  # no id needed to query
            {"id": "q2", "text": edit_words(ARTICLES[4], 0.1, seed=5)},
            {"id": "q3", "text": ARTICLES[9]},
        ],
    )
    out = tmp_path / "answers.jsonl"
    proc = ok("store", "query", store, queries, "-o", out)
    rows = read_jsonl(out)
    assert [r["dedup"]["duplicate_of"] for r in rows] == ["a3", "a4", None]
    assert [r["dedup"]["match"] for r in rows] == ["exact", "near", None]
    assert rows[0]["dedup"]["site"] == "z.test"
    assert not any(r["dedup"]["stored"] or r["dedup"]["known"] for r in rows)
    assert rows[0]["url"] == "https://z.test/1"
    assert "3 documents in" in proc.stderr
    assert "2 duplicates (1 exact, 1 near); 1 new (nothing added)" in proc.stderr
    # nothing was added: the unseen article is still new, and stats did not move
    again = ok("store", "query", store, queries, "-q").stdout.decode()
    assert json.loads(again.splitlines()[2])["dedup"]["duplicate_of"] is None
    stats = json.loads(ok("store", "stats", store, "--json").stdout)
    assert stats["documents"] == 10


def test_query_answers_what_add_would(dump, tmp_path):
    store = tmp_path / "seen.db"
    records = make_records()
    write_jsonl(tmp_path / "first.jsonl", records[:6])
    write_jsonl(tmp_path / "rest.jsonl", records[6:])
    add(store, tmp_path / "first.jsonl", tmp_path / "o1.jsonl")
    ok("store", "query", store, tmp_path / "rest.jsonl", "-o", tmp_path / "q.jsonl")
    add(store, tmp_path / "rest.jsonl", tmp_path / "o2.jsonl")
    queried, added = read_jsonl(tmp_path / "q.jsonl"), read_jsonl(tmp_path / "o2.jsonl")
    for q, a in zip(queried[:3], added[:3], strict=True):  # copies of the first six
        assert q["dedup"]["duplicate_of"] == a["dedup"]["duplicate_of"]
        assert q["dedup"]["match"] == a["dedup"]["match"]


def test_standard_input_and_standard_output(dump, tmp_path):
    store = tmp_path / "seen.db"
    proc = ok("store", "add", store, "-", "--no-learn", stdin=dump.read_bytes())
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 10
    assert json.loads(lines[6])["dedup"]["duplicate_of"] == "a0"
    assert "wrote standard output" in proc.stderr


def test_text_files_and_directories_are_added_under_their_paths(tmp_path):
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "a.txt").write_text(PAGE, encoding="utf-8")
    (pages / "sub" / "b.txt").write_text(PAGE, encoding="utf-8")
    (pages / "c.txt").write_text(ARTICLES[5], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    ok("store", "add", tmp_path / "seen.db", pages, "-o", out, "--no-learn")
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["a.txt", "c.txt", "sub/b.txt"]
    assert rows[2]["dedup"]["duplicate_of"] == "a.txt"
    assert rows[0]["text"] == dedup.clean(PAGE)


def test_explain_adds_the_removals(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "p", "text": PAGE}])
    out = tmp_path / "out.jsonl"
    ok("store", "add", tmp_path / "seen.db", src, "-o", out, "--no-learn", "--explain")
    (row,) = read_jsonl(out)
    info = row["dedup"]
    assert set(info) == VERDICT_KEYS | {"removals"}
    expected = dedup.clean_and_explain(PAGE)
    # as dedup clean --explain writes them: each removal with the text it removed
    assert info["removals"] == explanation(expected, PAGE)["removals"]
    assert info["removals"]  # the page has chrome
    assert [r["text"] for r in info["removals"]] == [
        PAGE[r.span.start : r.span.end] for r in expected.removals
    ]
    removals = [
        dedup.Removal(dedup.Span(r["start"], r["end"]), r["label"], r["reason"], r["detector"])
        for r in info["removals"]
    ]
    assert dedup.apply_removals(PAGE, removals) == row["text"]
    # query --explain too
    ok("store", "query", tmp_path / "seen.db", src, "-o", out, "--explain")
    (row,) = read_jsonl(out)
    assert row["dedup"]["removals"] == info["removals"]
    assert row["dedup"]["duplicate_of"] == "p"


def test_no_clean_compares_and_writes_the_raw_text(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "p", "text": PAGE}])
    out = tmp_path / "out.jsonl"
    ok("store", "add", tmp_path / "raw.db", src, "-o", out, "--no-clean")
    assert read_jsonl(out)[0]["text"] == PAGE
    stats = json.loads(ok("store", "stats", tmp_path / "raw.db", "--json").stdout)
    assert (stats["clean"], stats["learn"]) == (False, False)


def test_a_store_keeps_its_own_parameters(dump, tmp_path):
    store = tmp_path / "seen.db"
    add(store, dump, tmp_path / "o.jsonl", "--threshold", "0.9")
    # without --threshold, the store's own is used
    ok("store", "add", store, dump, "-o", tmp_path / "o2.jsonl")
    stats = json.loads(ok("store", "stats", store, "--json").stdout)
    assert stats["threshold"] == 0.9
    assert stats["learn"] is False


# --------------------------------------------------------------------------- stats


def test_stats(dump, tmp_path):
    store = tmp_path / "seen.db"
    add(store, dump, tmp_path / "o.jsonl")
    stats = json.loads(ok("store", "stats", store, "--json").stdout)
    with dedup.Store(store) as s:
        assert stats == s.stats()
    assert {k: stats[k] for k in ("documents", "stored", "duplicates", "exact", "near")} == {
        "documents": 10,
        "stored": 7,
        "duplicates": 3,
        "exact": 1,
        "near": 2,
    }
    text = ok("store", "stats", store).stdout.decode()
    table = dict(line.split(None, 1) for line in text.splitlines())
    assert table["location"] == str(store)
    assert (table["documents"], table["near"], table["threshold"]) == ("10", "2", "0.8")
    assert table["learn"] == "false"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("action", ["query", "stats"])
def test_query_and_stats_do_not_create_a_store(action, dump, tmp_path):
    store = tmp_path / "missing.db"
    args = ("store", action, store) + ((dump,) if action == "query" else ())
    proc = fail(*args)
    assert f"no store at {store}; create one with dedup store add" in proc.stderr
    assert not store.exists()
    store.touch()  # an empty file is no store either, and stays empty
    assert "no store at" in fail(*args).stderr
    assert store.stat().st_size == 0


@pytest.mark.parametrize("action", ["add", "query", "stats"])
def test_a_file_that_is_not_a_store_is_refused_untouched(action, dump, tmp_path):
    other = tmp_path / "notes.db"
    other.write_text("not a database\n", encoding="utf-8")
    args = ("store", action, other) + (() if action == "stats" else (dump,))
    proc = fail(*args)
    assert f"{other}: not a dedup store" in proc.stderr
    assert other.read_text(encoding="utf-8") == "not a database\n"


def test_an_sqlite_file_of_another_program_is_refused(dump, tmp_path):
    import sqlite3

    other = tmp_path / "app.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE users (name TEXT)")
    con.commit()
    con.close()
    proc = fail("store", "add", other, dump, "--no-learn", "-o", tmp_path / "o.jsonl")
    assert "not a dedup store" in proc.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_a_damaged_store_is_an_error(dump, tmp_path):
    store = tmp_path / "seen.db"
    add(store, dump, tmp_path / "o.jsonl")
    data = store.read_bytes()
    store.write_bytes(data[:100] + b"\x00" * 4096 + data[4196:])  # the schema page zeroed
    proc = run("store", "stats", store)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"dedup: error: {store}")


def test_an_unreachable_redis_is_an_error(dump, tmp_path):
    pytest.importorskip("redis", reason="needs the redis extra")
    url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    out = tmp_path / "o.jsonl"
    proc = fail("store", "add", url, dump, "-o", out, "--no-learn")
    assert proc.stderr.startswith(f"dedup: error: {url}")
    assert not out.exists()
    assert fail("store", "stats", url).stderr.startswith(f"dedup: error: {url}")


def test_another_threshold_is_refused(dump, tmp_path):
    store = tmp_path / "seen.db"
    add(store, dump, tmp_path / "o.jsonl")
    proc = fail("store", "add", store, dump, "--no-learn", "--threshold", "0.9")
    assert "threshold 0.8 (asked 0.9)" in proc.stderr
    assert "store add" not in proc.stdout.decode()


def test_a_record_without_an_id_is_an_error_naming_it(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src,
        [
            {"id": "a", "url": "https://x.test/a", "text": ARTICLES[0]},
            {"url": "https://x.test/b", "text": "b"},
        ],
    )
    out = tmp_path / "o.jsonl"
    proc = fail("store", "add", tmp_path / "seen.db", src, "-o", out, "--no-learn")
    assert f"{src}:2: no field 'id' (fields: 'url', 'text')" in proc.stderr
    assert "--id-field" in proc.stderr
    assert not out.exists()  # no half-written output
    proc = ok(
        "store", "add", tmp_path / "seen.db", src, "-o", out, "--no-learn", "--on-error", "skip"
    )
    assert [r["id"] for r in read_jsonl(out)] == ["a"]
    assert "skipped 1 unreadable record(s)" in proc.stderr
    # or name the field that holds the id
    out2 = tmp_path / "o2.jsonl"
    ok("store", "add", tmp_path / "by_url.db", src, "-o", out2, "--no-learn", "--id-field", "url")
    assert [r["dedup"]["stored"] for r in read_jsonl(out2)] == [True, True]


def test_outputs_that_are_not_records_or_are_the_store_are_refused(dump, tmp_path):
    store = tmp_path / "seen.db"
    proc = fail("store", "add", store, dump, "-o", tmp_path / "out.txt", "--no-learn")
    assert "the output of dedup store add is records" in proc.stderr
    add(store, dump, tmp_path / "o.jsonl")
    proc = fail("store", "query", store, store)
    assert "is the store" in proc.stderr
    proc = fail("store", "query", store, dump, "-o", dump)
    assert "is the input" in proc.stderr


def test_options_are_checked(dump, tmp_path):
    for bad in (("--threshold", "1.5"), ("--batch", "0")):
        proc = run("store", "add", tmp_path / "s.db", dump, *bad)
        assert proc.returncode == 2
        assert "must be" in proc.stderr
    proc = run("store")
    assert proc.returncode == 2
    assert "ACTION" in proc.stderr


# --------------------------------------------------------------------------- learning


@pytest.mark.skipif(
    not hasattr(Cleaner, "page_state"), reason="needs dedup.Cleaner.page_state (store learning)"
)
def test_the_store_learns_each_sites_chrome_as_documents_are_added(tmp_path):
    records = [
        {"id": f"p{i}", "site": "example.com", "text": page(*a, NEWSLETTER, FOOTER)}
        for i, a in enumerate(SITE_ARTICLES)
    ]
    src = tmp_path / "site.jsonl"
    write_jsonl(src, records)
    store, out = tmp_path / "seen.db", tmp_path / "out.jsonl"
    proc = ok("store", "add", store, src, "-o", out, "--batch", "2")
    rows = read_jsonl(out)
    expected = api_results(records)
    assert [r["text"] for r in rows] == [res.text for res in expected]
    assert [r["dedup"] for r in rows] == [store_field(res) for res in expected]
    assert FOOTER in rows[0]["text"]  # the first page teaches; it cannot know yet
    assert FOOTER not in rows[-1]["text"]  # the last is cleaned with what the others taught
    assert "site chrome learned on 1 of 1 site" in proc.stderr
    stats = json.loads(ok("store", "stats", store, "--json").stdout)
    assert (stats["learn"], stats["sites_learned"]) == (True, 1)
    # a later process (query) reads what was learned from the store
    more = tmp_path / "more.jsonl"
    write_jsonl(
        more, [{"site": "example.com", "text": page("New", "One.", "Two.", NEWSLETTER, FOOTER)}]
    )
    (answer,) = json.loads("[" + ok("store", "query", store, more).stdout.decode().strip() + "]")
    assert FOOTER not in answer["text"]
    # --no-learn on a store made with learning is refused
    assert "learn True (asked False)" in fail("store", "add", store, src, "--no-learn").stderr


def test_docs_cover_every_store_action_and_option():
    from test_cli import ROOT

    from dedup.cli import build_parser

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "## `dedup store`" in doc
    (commands,) = [a for a in build_parser()._actions if isinstance(a.choices, dict)]
    (actions,) = [a for a in commands.choices["store"]._actions if isinstance(a.choices, dict)]
    assert set(actions.choices) == {"add", "query", "stats"}
    for name, p in actions.choices.items():
        assert f"dedup store {name} LOCATION" in doc
        for action in p._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in doc, f"docs/cli.md does not mention store {name} {flag}"
    for key in VERDICT_KEYS | {"removals"}:
        assert f"| `{key}` |" in doc
