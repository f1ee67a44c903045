"""``dedup clean --learn`` / ``--model``, run as a user would, on small dumps of two sites.

Six differently titled articles of ``example.com`` share a newsletter line and a footer that no
phrase list knows; two articles of ``other.org`` share theirs too, but two pages are too few to
learn from. Assertions compare with the library (`dedup.clean_and_explain`, `dedup.Cleaner`)
where they can: the CLI's contract is to write what the API decides.
"""

from __future__ import annotations

import re

import pytest
from test_cli import fail, ok, read_jsonl, run, write_jsonl

import dedup
from dedup.cli import format_explanation

ARTICLES = [
    (
        "Council approves harbour plan",
        "The council approved the harbour plan on Monday after a long debate about costs.",
        "Fishermen welcomed the decision but asked for a new quay before the winter storms.",
    ),
    (
        "Library reopens after flood",
        "The central library opened its doors again this week, two years after the river "
        "flooded it.",
        "Volunteers dried thousands of books by hand and most of the collection was saved.",
    ),
    (
        "Bridge closed for repairs",
        "Engineers closed the old railway bridge to traffic after finding cracks in two pillars.",
        "Drivers should expect delays of up to forty minutes on the coast road until March.",
    ),
    (
        "School wins robotics prize",
        "Pupils from Hillside school won the national robotics final with a machine that sorts "
        "litter.",
        "Their teacher said the team had spent every lunch break of the year in the workshop.",
    ),
    (
        "Market traders protest rents",
        "Traders at the covered market marched to the town hall to protest against higher rents.",
        "The landlord says the increase pays for a new roof and better lighting in the halls.",
    ),
    (
        "Stadium expansion delayed",
        "Plans to add a second tier to the football stadium have been put on hold by the club.",
        "Supporters groups blamed rising building costs and a dispute over parking spaces.",
    ),
]
# "Subscribe to ..." would be chrome by its phrase alone; this one only recurs.
NEWSLETTER = "Get the Example Weekly in your inbox every Friday"
FOOTER = "Example Media Group, 12 Harbour Street"
OTHER_CHROME = ("Get the Other Daily in your inbox at noon", "Other Media Group, 4 Mill Lane")
LEARNED = re.compile(r"learned \d+ lines? of site chrome on 1 of 2 sites \(3\+ pages each\)")


def page(title, first, second, chrome, footer):
    return "\n".join([title, chrome, first, second, footer])


def records(*, site=True):
    """Six pages of example.com, then two of other.org; ``site=False``: URLs only."""
    out = []
    for n, art in enumerate(ARTICLES):
        rec = {"id": f"ex{n}", "lang": "en", "text": page(*art, NEWSLETTER, FOOTER), "n": n}
        rec["site" if site else "url"] = (
            "example.com" if site else f"https://www.example.com/news/{n}.html"
        )
        out.append(rec)
    for n, art in enumerate(ARTICLES[:2]):
        rec = {"id": f"other{n}", "text": page(*art, *OTHER_CHROME)}
        rec["site" if site else "url"] = "other.org" if site else f"https://other.org/{n}"
        out.append(rec)
    return out


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "dump.jsonl"
    write_jsonl(path, records())
    return path


def by_id(path):
    return {r["id"]: r for r in read_jsonl(path)}


def test_learn_removes_the_shared_lines_and_keeps_the_articles(dump, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = ok("clean", dump, "--learn", "-o", out)
    got = read_jsonl(out)
    originals = records()
    assert [r["id"] for r in got] == [r["id"] for r in originals]
    for rec, orig in zip(got[:6], originals[:6], strict=True):
        title, first, second = ARTICLES[orig["n"]]
        assert NEWSLETTER not in rec["text"]
        assert FOOTER not in rec["text"]
        for line in (title, first, second):
            assert line in rec["text"]
        # Every other field passes through unchanged, in order.
        assert list(rec) == list(orig)
        assert {k: v for k, v in rec.items() if k != "text"} == {
            k: v for k, v in orig.items() if k != "text"
        }
    assert LEARNED.search(proc.stderr), proc.stderr
    assert "site_boilerplate" in proc.stderr


def test_a_site_with_too_few_pages_is_cleaned_as_without_learn(dump, tmp_path):
    learned, plain = tmp_path / "learned.jsonl", tmp_path / "plain.jsonl"
    ok("clean", dump, "--learn", "--explain", "-o", learned)
    ok("clean", dump, "--explain", "-o", plain)
    a, b = by_id(learned), by_id(plain)
    for key in ("other0", "other1"):
        assert a[key] == b[key]
        assert a[key]["text"] == dedup.clean(records()[6 + int(key[-1])]["text"])
        assert OTHER_CHROME[0] in a[key]["text"]


def test_explain_cites_the_pages_of_the_site(dump, tmp_path):
    out = tmp_path / "out.jsonl"
    ok("clean", dump, "--learn", "--explain", "-o", out)
    for rec, orig in zip(read_jsonl(out)[:6], records()[:6], strict=True):
        removals = rec["dedup"]["removals"]
        site = [r for r in removals if r["detector"] == "site"]
        cut = {orig["text"][r["start"] : r["end"]].strip() for r in site}
        assert {NEWSLETTER, FOOTER} <= cut
        assert all(r["label"] == "site_boilerplate" for r in site)
        assert all("of 6 pages of example.com" in r["reason"] for r in site)
        replay = [
            dedup.Removal(dedup.Span(r["start"], r["end"]), r["label"], r["reason"], r["detector"])
            for r in removals
        ]
        assert dedup.apply_removals(orig["text"], replay) == rec["text"]


def test_output_is_what_the_library_cleaner_gives(dump, tmp_path):
    out = tmp_path / "out.jsonl"
    ok("clean", dump, "--learn", "--explain", "-o", out)
    cleaner = dedup.Cleaner().fit(records())
    for rec, orig in zip(read_jsonl(out), records(), strict=True):
        expected = cleaner.clean_and_explain(orig)
        assert rec["text"] == expected.text
        assert rec["dedup"]["removals"] == [
            {**r.to_dict(), "text": r.span.slice(orig["text"])} for r in expected.removals
        ]


def test_saved_model_gives_the_same_output_from_a_file_and_from_stdin(dump, tmp_path):
    model = tmp_path / "chrome.db"
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    proc = ok("clean", dump, "--learn", "--model", model, "--explain", "-o", first)
    assert f"saved the model to {model}" in proc.stderr
    assert dedup.Cleaner.load(model).stats()["learned_lines"] >= 2
    proc = ok("clean", dump, "--model", model, "--explain", "-o", again)
    assert again.read_bytes() == first.read_bytes()
    assert f"used the model {model}" in proc.stderr
    piped = ok("clean", "-", "--model", model, "--explain", stdin=dump.read_bytes())
    assert piped.stdout == first.read_bytes()


def test_explain_with_the_model_shows_what_clean_with_it_removed(dump, tmp_path):
    # `dedup explain` without the model shows the per-document cleaner, which keeps the
    # learned lines: the model is what tells them apart.
    model = tmp_path / "chrome.db"
    ok("clean", dump, "--learn", "--model", model, "-o", tmp_path / "out.jsonl")
    cleaner = dedup.Cleaner.load(model)
    for n, orig in enumerate(records(), 1):
        out = ok("explain", dump, "--model", model, "--record", n).stdout.decode("utf-8")
        result = cleaner.clean_and_explain(orig)
        lines = format_explanation(orig["text"], result, color=False)
        assert out == f"== {dump}:{n}  id: {orig['id']} ==\n" + "\n".join(lines) + "\n"
        plain = ok("explain", dump, "--record", n).stdout.decode("utf-8")
        learned = orig["site"] == "example.com"
        assert ("site_boilerplate" in out) is learned
        assert ("of 6 pages of example.com" in out) is learned
        assert "site_boilerplate" not in plain
        assert (out == plain) is not learned
    # The site comes from the record's fields, under the names --site-field/--url-field give.
    renamed = tmp_path / "renamed.jsonl"
    write_jsonl(renamed, [{**{"where": r.pop("site")}, **r} for r in records()])
    args = ("explain", renamed, "--model", model, "--record", "1")
    assert "site_boilerplate" in ok(*args, "--site-field", "where").stdout.decode("utf-8")


def test_explain_refuses_a_missing_or_wrong_model_naming_it(dump, tmp_path):
    missing = tmp_path / "missing.db"
    proc = fail("explain", dump, "--model", missing)
    assert str(missing) in proc.stderr
    assert "--learn" in proc.stderr
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a model\n")
    proc = fail("explain", dump, "--model", bogus)
    assert str(bogus) in proc.stderr
    assert "not a dedup model" in proc.stderr
    assert proc.stdout == b""


def test_the_summary_says_how_to_see_why_with_the_model(dump, tmp_path):
    # The hint names the model, and the first record anything was removed from.
    model = tmp_path / "chrome.db"
    proc = ok("clean", dump, "--learn", "--model", model, "-o", tmp_path / "out.jsonl")
    hint = f"see why, line by line: dedup explain {dump} --model {model} --record 1"
    assert hint in proc.stderr
    proc = ok("clean", dump, "--model", model, "-o", tmp_path / "again.jsonl")
    assert hint in proc.stderr
    # Learned but not saved: explaining needs the model saved.
    proc = ok("clean", dump, "--learn", "-o", tmp_path / "out2.jsonl")
    assert "dedup explain" in proc.stderr
    assert "--model FILE" in proc.stderr
    # Nothing learned: the per-document cleaner decided everything, no model needed.
    shared = tmp_path / "shared.jsonl"
    write_jsonl(shared, [{**r, "text": r["text"] + "\nShare"} for r in records()])
    proc = ok("clean", shared, "--learn", "--min-pages", "7", "-o", tmp_path / "out3.jsonl")
    assert "learned 0 lines" in proc.stderr
    assert f"see why, line by line: dedup explain {shared} --record 1" in proc.stderr


def test_learn_on_stdin_is_refused_with_the_ways_out(dump):
    proc = fail("clean", "-", "--learn", stdin=dump.read_bytes())
    assert "twice" in proc.stderr
    assert "file" in proc.stderr
    assert "--model" in proc.stderr
    assert proc.stdout == b""


def test_a_file_that_is_not_a_model_is_refused_naming_it(dump, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a model\n")
    proc = fail("clean", dump, "--model", bogus)
    assert str(bogus) in proc.stderr
    assert "not a dedup model" in proc.stderr
    missing = tmp_path / "missing.db"
    proc = fail("clean", dump, "--model", missing)
    assert str(missing) in proc.stderr
    assert "--learn" in proc.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--model", "{dump}"], "is the input"),
        (["--learn", "--model", "{out}"], "is the output"),
        (["--learn", "--model", "{tmp}/no/such/dir/m.db"], "cannot write the model"),
        (["--min-pages", "4"], "--min-pages and --learn-memory go with --learn"),
        (["--model", "{tmp}/m.db", "--min-pages", "4"], "go with --learn"),
    ],
)
def test_usage_errors(dump, tmp_path, args, words):
    out = tmp_path / "out.jsonl"
    args = [a.format(dump=dump, tmp=tmp_path, out=out) for a in args]
    proc = fail("clean", dump, *args, "-o", out)
    assert words in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("n", ["1", "65", "three"])
def test_min_pages_out_of_range_is_a_usage_error(dump, n):
    proc = run("clean", dump, "--learn", "--min-pages", n)
    assert proc.returncode == 2
    assert "--min-pages: must be a whole number from 2 to 64" in proc.stderr


def test_the_site_can_come_from_the_url(tmp_path):
    with_site, with_url = tmp_path / "site.jsonl", tmp_path / "url.jsonl"
    write_jsonl(with_site, records())
    write_jsonl(with_url, records(site=False))
    ok("clean", with_site, "--learn", "-o", tmp_path / "a.jsonl")
    ok("clean", with_url, "--learn", "-o", tmp_path / "b.jsonl")
    a, b = read_jsonl(tmp_path / "a.jsonl"), read_jsonl(tmp_path / "b.jsonl")
    assert [r["text"] for r in a] == [r["text"] for r in b]
    assert [r["url"] for r in b] == [r["url"] for r in records(site=False)]
    # Another field name, given by option.
    renamed = [
        {("link" if k == "url" else k): v for k, v in r.items()} for r in records(site=False)
    ]
    write_jsonl(tmp_path / "link.jsonl", renamed)
    ok(
        "clean",
        tmp_path / "link.jsonl",
        "--learn",
        "--url-field",
        "link",
        "-o",
        tmp_path / "c.jsonl",
    )
    assert [r["text"] for r in read_jsonl(tmp_path / "c.jsonl")] == [r["text"] for r in a]


def test_min_pages_above_the_pages_of_a_site_learns_nothing(dump, tmp_path):
    out, plain = tmp_path / "out.jsonl", tmp_path / "plain.jsonl"
    proc = ok("clean", dump, "--learn", "--min-pages", "7", "-o", out)
    ok("clean", dump, "-o", plain)
    assert out.read_bytes() == plain.read_bytes()
    assert "learned 0 lines of site chrome on 0 of 2 sites (7+ pages each)" in proc.stderr


def test_jobs_give_the_same_output(dump, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    ok("clean", dump, "--learn", "--explain", "-o", one)
    proc = ok("clean", dump, "--learn", "--explain", "-j", "2", "-o", two)
    assert two.read_bytes() == one.read_bytes()
    assert LEARNED.search(proc.stderr)


def test_quiet_prints_nothing(dump, tmp_path):
    proc = ok("clean", dump, "--learn", "-q", "-o", tmp_path / "out.jsonl")
    assert proc.stderr == ""


def test_a_directory_of_text_files_learns_the_inferred_site(tmp_path):
    src = tmp_path / "pages"
    for n, art in enumerate(ARTICLES):
        (src / f"d{n // 3}").mkdir(parents=True, exist_ok=True)
        (src / f"d{n // 3}" / f"page{n}.txt").write_text(page(*art, NEWSLETTER, FOOTER) + "\n")
    out = tmp_path / "out"
    proc = ok("clean", src, "--learn", "-o", out)
    assert "on 1 of 1 site (3+ pages each)" in proc.stderr
    for n, art in enumerate(ARTICLES):
        text = (out / f"d{n // 3}" / f"page{n}.txt").read_text()
        assert NEWSLETTER not in text
        assert FOOTER not in text
        assert all(line in text for line in art)


def test_parquet_in_and_out(dump, tmp_path):
    pa = pytest.importorskip("pyarrow", reason="needs the parquet extra")
    import pyarrow.parquet as pq

    src, out = tmp_path / "dump.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.Table.from_pylist(records()), src)
    ok("clean", src, "--learn", "-o", out)
    ok("clean", dump, "--learn", "-o", tmp_path / "out.jsonl")
    rows = pq.read_table(out).to_pylist()
    # A Parquet table has every column in every row (None where a record had no such field).
    rows = [{k: v for k, v in row.items() if v is not None} for row in rows]
    assert rows == read_jsonl(tmp_path / "out.jsonl")
    assert NEWSLETTER not in rows[0]["text"]


def test_learn_memory_sets_the_budget_and_goes_with_learn(dump, tmp_path):
    # The small dump stays far below 1 MB of counts: the same output as the default budget.
    small, default = tmp_path / "small.jsonl", tmp_path / "default.jsonl"
    ok("clean", dump, "--learn", "--learn-memory", "1", "-o", small)
    ok("clean", dump, "--learn", "-o", default)
    assert small.read_bytes() == default.read_bytes()
    proc = run("clean", dump, "--learn-memory", "8")
    assert proc.returncode == 2
    assert "--learn-memory go with --learn" in proc.stderr
    model = tmp_path / "m.sqlite"
    ok("clean", dump, "--learn", "--learn-memory", "2", "--model", model, "-o", small)
    assert dedup.Cleaner.load(model).max_pairs == 2 << 16
