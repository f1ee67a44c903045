"""The installed ``dedup dups`` command, run as a user would, on small real-text dumps.

Verdicts are compared with the library (`dedup.find_duplicates`): the CLI's contract is to
write what the API decides, for every record, in input order, with every field kept.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from test_cli import run
from test_dups import ARTICLES, edit_words

from dedup.dups import find_duplicates

pa = pytest.importorskip("pyarrow", reason="needs the parquet extra: pip install 'dedup[parquet]'")
import pyarrow.parquet as pq  # noqa: E402 - after the skip check


def make_records():
    """Originals, an exact copy, an edited copy, a truncated copy, and a short record."""
    recs = [
        {"id": f"a{i}", "url": f"https://x.test/{i}", "text": t} for i, t in enumerate(ARTICLES[:8])
    ]
    recs.append({"id": "copy", "url": "u", "text": ARTICLES[0]})
    recs.append({"id": "edit", "url": "u", "text": edit_words(ARTICLES[1], 0.1, seed=3)})
    words = ARTICLES[2].split(" ")
    recs.append(
        {"id": "cut", "url": "u", "text": " ".join(words[: len(words) // 2]) + "\nRead more"}
    )
    recs.append({"id": "short", "url": "u", "text": "Breaking news"})
    return recs


def write_jsonl(path: Path, records, *, extra_lines=()):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
        for line in extra_lines:
            f.write(line + "\n")


def read_jsonl(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(x) for x in f]


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "dump.jsonl.gz"
    write_jsonl(path, make_records())
    return path


def test_every_record_gets_the_api_verdict_and_keeps_its_fields(dump, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run("dups", dump, "-o", out, "--report", tmp_path / "report.json")
    assert proc.returncode == 0, proc.stderr
    rows = read_jsonl(out)
    records = make_records()
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert all(
        r["url"] == s["url"] and r["text"] == s["text"] for r, s in zip(rows, records, strict=True)
    )
    expected = find_duplicates(records)
    for row, verdict in zip(rows, expected.assignments(), strict=True):
        assert row["dups"] == verdict.to_dict()
    by_id = {r["id"]: r["dups"] for r in rows}
    assert (by_id["copy"]["of"], by_id["copy"]["match"]) == ("a0", "exact")
    # the edited copy is longer ("edited123456" for words): with --keep longest it is kept
    assert by_id["edit"]["cluster"] == by_id["a1"]["cluster"]
    assert {by_id["edit"]["match"], by_id["a1"]["match"]} == {"near", "representative"}
    assert by_id["cut"]["of"] == "a2"
    assert (by_id["short"]["too_short"], by_id["short"]["duplicate"]) == (True, False)
    assert "3 duplicates (1 exact, 2 near)" in proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["documents"] == len(records)
    assert report["scheme"]["num_perm"] == 128


def test_drop_duplicates_writes_only_the_keepers(dump, tmp_path):
    out = tmp_path / "unique.jsonl"
    proc = run("dups", dump, "-o", out, "--drop-duplicates")
    assert proc.returncode == 0, proc.stderr
    ids = [r["id"] for r in read_jsonl(out)]
    # a1's edited copy is longer, so it is the one kept (--keep longest)
    assert ids == ["a0", *(f"a{i}" for i in range(2, 8)), "edit", "short"]
    assert "3 duplicates left out" in proc.stderr


def test_jobs_give_the_same_output_as_one_process(dump, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("dups", dump, "-o", one, "-j", "1").returncode == 0
    assert run("dups", dump, "-o", two, "-j", "2").returncode == 0
    assert one.read_bytes() == two.read_bytes()


def test_parquet_in_and_out(tmp_path):
    records = make_records()
    src = tmp_path / "dump.parquet"
    pq.write_table(pa.Table.from_pylist(records), src)
    out = tmp_path / "out.parquet"
    proc = run("dups", src, "-o", out, "--keep", "first")
    assert proc.returncode == 0, proc.stderr
    rows = pq.read_table(out).to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert {r["id"]: r["dups"]["of"] for r in rows}["copy"] == "a0"


def test_no_clean_and_options_reach_the_finder(dump, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run("dups", dump, "-o", out, "--no-clean", "--threshold", "0.95", "--field", "dd")
    assert proc.returncode == 0, proc.stderr
    rows = read_jsonl(out)
    expected = find_duplicates(make_records(), clean=False, threshold=0.95)
    assert [r["dd"] for r in rows] == [a.to_dict() for a in expected.assignments()]


def test_bad_records_stop_with_file_and_line_or_are_skipped_and_counted(tmp_path):
    src = tmp_path / "bad.jsonl"
    write_jsonl(src, make_records()[:3], extra_lines=['{"id": "x", "text": 5}', "{not json"])
    proc = run("dups", src, "-o", tmp_path / "out.jsonl")
    assert proc.returncode == 2
    assert "bad.jsonl:4" in proc.stderr
    assert "expected a string" in proc.stderr
    assert not (tmp_path / "out.jsonl").exists()
    proc = run("dups", src, "-o", tmp_path / "out.jsonl", "--on-error", "skip")
    assert proc.returncode == 0, proc.stderr
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 3
    assert "skipped 2 unreadable record(s)" in proc.stderr
    assert "invalid JSON" in proc.stderr


def test_missing_text_field_names_the_option(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": 1, "body": "x"}])
    proc = run("dups", src, "-o", tmp_path / "o.jsonl")
    assert proc.returncode == 2
    assert "--text-field" in proc.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-", "-o", "x.jsonl"], "needs a file"),
        (["DUMP", "-o", "out.txt"], ".parquet"),
        (["DUMP", "--threshold", "0"], "must be a number in (0, 1]"),
        (["DUMP", "--keep", "last"], "invalid choice"),
    ],
)
def test_usage_errors(dump, tmp_path, args, words):
    args = [
        str(dump) if a == "DUMP" else str(tmp_path / a) if a.startswith(("x.", "out")) else a
        for a in args
    ]
    proc = run("dups", *args, stdin=b"")
    assert proc.returncode == 2
    assert words in proc.stderr


def test_duplicate_ids_are_refused(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": 1, "text": ARTICLES[0]}, {"id": 1, "text": ARTICLES[1]}])
    proc = run("dups", src, "-o", tmp_path / "o.jsonl")
    assert proc.returncode == 2
    assert "ids must be unique" in proc.stderr


def test_site_chrome_is_learned_from_the_url_unless_no_learn(tmp_path):
    from test_corpus import site_pages

    pages, _ = site_pages(5)
    src = tmp_path / "site.jsonl"
    write_jsonl(
        src,
        [
            {"id": p["id"], "url": f"https://example.com/{p['id']}", "text": p["text"]}
            for p in pages
        ],
    )
    learned, plain = tmp_path / "learned.jsonl", tmp_path / "plain.jsonl"
    assert run("dups", src, "-o", learned).returncode == 0
    assert run("dups", src, "-o", plain, "--no-learn").returncode == 0
    assert not any(r["dups"]["duplicate"] for r in read_jsonl(learned))
    assert sum(r["dups"]["duplicate"] for r in read_jsonl(plain)) == 4
