"""``dedup report``: the HTML report of ``dedup clean --explain`` and ``dedup dups`` outputs.

The numbers are checked against the inputs counted independently here, the texts the report
holds against the original dump (the report rebuilds each original from the cleaned text and
the removed pieces that ``--explain`` records), and the text budget against whole clusters.
What a browser does with the page is tests/test_report_browser.py.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli import ok, run

from dedup.errors import ConfigError, RecordError
from dedup.report import _WORD, _changed, build_report

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "examples" / "dump.jsonl"
_DATA = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def payload(page: Path) -> dict:
    """The JSON the page's script reads."""
    m = _DATA.search(page.read_text(encoding="utf-8"))
    assert m, "no report-data element"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean --learn --explain run and a dups run over the bundled sample dump."""
    d = tmp_path_factory.mktemp("report")
    ok("clean", DUMP, "--learn", "--explain", "-o", d / "clean.jsonl", "-q")
    ok("dups", DUMP, "-o", d / "dups.jsonl", "-q")
    return d


def test_explain_records_the_removed_text(run_dir: Path) -> None:
    originals = {r["id"]: r["text"] for r in _lines(DUMP)}
    for rec in _lines(run_dir / "clean.jsonl"):
        removals = rec["dedup"]["removals"]
        assert removals, rec["id"]
        for r in removals:
            assert r["text"] == originals[rec["id"]][r["start"] : r["end"]]


def test_report_rebuilds_every_original_and_its_removals(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    build_report([run_dir / "clean.jsonl", run_dir / "dups.jsonl"], out)
    data = payload(out)
    originals = {r["id"]: r["text"] for r in _lines(DUMP)}
    cleaned = {r["id"]: r for r in _lines(run_dir / "clean.jsonl")}
    assert [d[0] for d in data["docs"]] == list(originals)
    for k, d in enumerate(data["docs"]):
        text, spans, complete = data["texts"][str(k)]
        assert complete == 1
        assert text == originals[d[0]]
        want = [(r["start"], r["end"], r["label"]) for r in cleaned[d[0]]["dedup"]["removals"]]
        assert [(s, e, data["labels"][lab]) for s, e, lab, _ in spans] == want
        assert all(data["reasons"][r] for *_, r in spans)


def test_summary_numbers_match_the_inputs(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    stats = build_report([run_dir / "clean.jsonl", run_dir / "dups.jsonl"], out)
    clean = _lines(run_dir / "clean.jsonl")
    verdicts = [r["dups"] for r in _lines(run_dir / "dups.jsonl")]
    labels = Counter(r["label"] for rec in clean for r in rec["dedup"]["removals"])
    removed = sum(r["end"] - r["start"] for rec in clean for r in rec["dedup"]["removals"])
    sizes = Counter(v["cluster"] for v in verdicts)
    assert stats.documents == len(clean) == 9
    assert stats.removals == labels
    assert stats.removed_chars == removed
    assert stats.chars == sum(len(r["text"]) for r in _lines(DUMP))
    assert stats.duplicates == sum(v["duplicate"] for v in verdicts) == 4
    assert stats.clusters == sum(1 for n in sizes.values() if n > 1) == 3
    assert stats.with_text == 9
    page = out.read_text(encoding="utf-8")
    assert f'data-testid="sum-docs">{len(clean)}<' in page
    assert f'data-testid="sum-dups">{stats.duplicates}<' in page
    for label, n in labels.items():
        assert f'data-testid="label-{label}">{n:,}<' in page
    assert stats.bytes == out.stat().st_size


def test_clusters_and_their_diffs(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    build_report([run_dir / "dups.jsonl", run_dir / "clean.jsonl"], out)  # either order
    data = payload(out)
    verdicts = {r["id"]: r["dups"] for r in _lines(run_dir / "dups.jsonl")}
    for cluster, members, diffs in data["clusters"]:
        ids = [data["docs"][m][0] for m in members]
        assert {verdicts[i]["cluster"] for i in ids} == {cluster}
        assert not verdicts[ids[0]]["duplicate"]  # the representative comes first
        assert all(verdicts[i]["duplicate"] for i in ids[1:])
        assert set(diffs) == {str(m) for m in members[1:]}
    exact = [c for c in data["clusters"] if any(data["docs"][m][8] == "exact" for m in c[1])]
    assert exact
    for _, members, diffs in exact:
        for m in members[1:]:
            if data["docs"][m][8] == "exact":
                assert diffs[str(m)] == [[], []]


def test_a_budget_keeps_whole_clusters_and_the_numbers(run_dir: Path, tmp_path: Path) -> None:
    inputs = [run_dir / "clean.jsonl", run_dir / "dups.jsonl"]
    none = build_report(inputs, tmp_path / "none.html", text_budget=0)
    assert none.with_text == 0
    assert none.documents == 9
    assert payload(tmp_path / "none.html")["texts"] == {}
    assert "The text of 0 of 9 documents" in (tmp_path / "none.html").read_text("utf-8")
    for budget in (6_000, 12_000, 20_000, 30_000):
        stats = build_report(inputs, tmp_path / "some.html", text_budget=budget)
        data = payload(tmp_path / "some.html")
        held = {int(k) for k in data["texts"]}
        # The budget counts the texts as they sit in the page: JSON, escapes included.
        size = sum(len(json.dumps(data["texts"][str(k)][0], ensure_ascii=False)) - 2 for k in held)
        assert size <= budget
        assert stats.with_text == len(held)
        assert stats.documents == 9
        assert stats.removals == none.removals
        for _, members, _ in data["clusters"]:
            assert {m in held for m in members} in ({True}, {False}), "a cluster was split"


def test_the_sample_does_not_depend_on_input_order(run_dir: Path, tmp_path: Path) -> None:
    clean = (run_dir / "clean.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "rev.jsonl").write_text("".join(reversed(clean)), encoding="utf-8")
    held = []
    for name in ("clean.jsonl", "rev.jsonl"):
        src = run_dir / name if name == "clean.jsonl" else tmp_path / name
        build_report([src], tmp_path / "r.html", text_budget=15_000)
        data = payload(tmp_path / "r.html")
        held.append(sorted(data["docs"][int(k)][0] for k in data["texts"]))
    assert held[0] == held[1]
    assert 0 < len(held[0]) < 9


def test_hostile_text_stays_data(tmp_path: Path) -> None:
    text = "A headline\n</script><script>alert(1)</script> {{data}} <!-- x\nShort Url\nBody."
    rec = {
        "id": "x</script>",
        "site": "{{data}}<b>",
        "text": text.replace("Short Url\n", ""),
        "dedup": {
            "removals": [
                {
                    "start": text.index("Short"),
                    "end": text.index("Body"),
                    "label": "chrome",
                    "reason": "<img src=x onerror=alert(1)>",
                    "detector": "chrome",
                    "text": "Short Url\n",
                }
            ]
        },
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    build_report([tmp_path / "in.jsonl"], tmp_path / "r.html", title="<i>t</i>")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<script") == 2  # the data element and the page's script, nothing more
    assert "<i>t</i>" not in page
    assert "&lt;i&gt;t&lt;/i&gt;" in page
    assert "{{data}}&lt;b&gt;" in page  # the site in the chrome table, escaped, not replaced
    data = payload(tmp_path / "r.html")
    assert data["texts"]["0"][0] == text
    assert data["docs"][0][0] == "x</script>"


def test_older_explain_output_without_removed_text(tmp_path: Path) -> None:
    rec = {
        "id": "a",
        "text": "Title\nBody.",
        "dedup": {"removals": [{"start": 6, "end": 16, "label": "chrome"}]},
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    stats = build_report([tmp_path / "in.jsonl"], tmp_path / "r.html")
    assert stats.removed_chars == 10
    assert stats.chars == len("Title\nBody.") + 10
    text, spans, complete = payload(tmp_path / "r.html")["texts"]["0"]
    assert (text, spans, complete) == ("Title\nBody.", [], 0)


def _write(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("record", "error", "words"),
    [
        ({"id": "a", "text": "x"}, ConfigError, "dedup clean --explain"),
        ({"id": "a", "text": "x", "dedup": {"removals": "no"}}, RecordError, "in.jsonl:1"),
        (
            {"id": "a", "text": "x", "dedup": {"removals": [{"start": 2, "end": 1}]}},
            RecordError,
            "start <= end",
        ),
        (
            {"text": "x", "dedup": {"removals": [{"start": 0, "end": 1, "label": "bogus"}]}},
            RecordError,
            "label of",
        ),
        (
            {
                "text": "x",
                "dedup": {"removals": [{"start": 0, "end": 3, "label": "chrome", "text": "ab"}]},
            },
            RecordError,
            "edited",
        ),
        (
            {
                "text": "x",
                "dedup": {"removals": [{"start": 5, "end": 6, "label": "chrome", "text": "a"}]},
            },
            RecordError,
            "past the cleaned text",
        ),
        ({"text": "x", "dups": "yes"}, RecordError, "dedup dups"),
    ],
)
def test_bad_input_says_what_and_how(tmp_path: Path, record: dict, error: type, words: str):
    src = _write(tmp_path / "in.jsonl", record)
    with pytest.raises(error, match=re.escape(words)):
        build_report([src], tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_bad_arguments(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", {"text": "x", "dups": {"cluster": "a"}})
    with pytest.raises(ConfigError, match="at least one input"):
        build_report([], tmp_path / "r.html")
    with pytest.raises(ConfigError, match="text_budget"):
        build_report([src], tmp_path / "r.html", text_budget=-1)
    with pytest.raises(ConfigError, match="threshold"):
        build_report([src], tmp_path / "r.html", threshold=0)
    (tmp_path / "page.txt").write_text("just text", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a text file"):
        build_report([tmp_path / "page.txt"], tmp_path / "r.html")
    with pytest.raises(ConfigError, match="standard input"):
        build_report(["-"], tmp_path / "r.html")


def test_cli(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    proc = ok("report", run_dir / "clean.jsonl", run_dir / "dups.jsonl", "-o", out)
    assert "9 documents" in proc.stderr
    assert "4 duplicates" in proc.stderr
    assert out.stat().st_size > 10_000
    assert html.escape(str(run_dir / "clean.jsonl")) in out.read_text(encoding="utf-8")
    bad = run("report", run_dir / "clean.jsonl", "-o", tmp_path / "r.json")
    assert bad.returncode == 2
    assert "name it e.g. report.html" in bad.stderr
    none = run("report", DUMP, "-o", tmp_path / "x.html")
    assert none.returncode == 2
    assert "has a 'dedup' or 'dups' field" in none.stderr
    assert "Traceback" not in none.stderr + bad.stderr


def test_the_report_is_written_like_every_other_output(run_dir: Path, tmp_path: Path) -> None:
    # Its folder is made, and the file appears whole or not at all (a temporary name, then
    # a rename), as the outputs of clean and dups do.
    out = tmp_path / "new" / "folder" / "r.html"
    stats = build_report([run_dir / "clean.jsonl", run_dir / "dups.jsonl"], out)
    assert out.stat().st_size == stats.bytes > 10_000
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]


_words = st.lists(st.sampled_from(["a", "b", "c", "dd", "é", "😀", "x\u00a0y"]), max_size=30)


@given(_words, _words)
def test_changed_marks_exactly_the_words_not_shared(a_words: list[str], b_words: list[str]):
    a, b = " ".join(a_words), "\n".join(b_words)
    ra, rb = _changed(a, b)

    def outside(text: str, ranges: list[int]) -> list[str]:
        spans = list(zip(ranges[::2], ranges[1::2], strict=True))
        assert all(s < e for s, e in spans)
        assert all(e1 < s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
        return [
            m.group() for m in _WORD.finditer(text) if not any(s <= m.start() < e for s, e in spans)
        ]

    kept_a, kept_b = outside(a, ra), outside(b, rb)
    assert kept_a == kept_b  # what is not marked is the same words in the same order
    if a.split() == b.split():
        assert ra == rb == []


def test_the_budget_is_shared_by_clusters_and_other_documents(run_dir: Path, tmp_path: Path):
    inputs = [run_dir / "clean.jsonl", run_dir / "dups.jsonl"]
    build_report(inputs, tmp_path / "r.html", text_budget=30_000)
    data = payload(tmp_path / "r.html")
    held = {int(k) for k in data["texts"]}
    clustered = {m for _, members, _ in data["clusters"] for m in members}
    assert held & clustered, "no cluster has its texts"
    assert held - clustered, "no document outside a cluster has its text"
    assert held < set(range(len(data["docs"])))


def test_records_left_out_or_merged_are_counted(tmp_path: Path, run_dir: Path) -> None:
    lines = (run_dir / "dups.jsonl").read_text(encoding="utf-8").splitlines()
    plain = json.dumps({"id": "plain", "text": "no field of ours"})
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([*lines, lines[0], plain]) + "\n", encoding="utf-8")
    stats = build_report([src], tmp_path / "r.html")
    assert (stats.documents, stats.without_fields, stats.repeated_ids) == (9, 1, 1)
    assert "Left out: 1 record(s)" in (tmp_path / "r.html").read_text(encoding="utf-8")
    proc = ok("report", src, "-o", tmp_path / "r.html")
    assert "left out 1 record(s)" in proc.stderr
    assert "1 record(s) repeated an id" in proc.stderr
    # The same id in two inputs is one document, not a repeat.
    both = build_report([run_dir / "clean.jsonl", run_dir / "dups.jsonl"], tmp_path / "r.html")
    assert (both.documents, both.repeated_ids, both.without_fields) == (9, 0, 0)


def test_parquet_inputs_give_the_same_report(run_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is in the test extra: pip install -e '.[test]'")
    ok("clean", DUMP, "--learn", "--explain", "-o", tmp_path / "clean.parquet", "-q")
    ok("dups", DUMP, "-o", tmp_path / "dups.parquet", "-q")
    from_parquet = build_report(
        [tmp_path / "clean.parquet", tmp_path / "dups.parquet"], tmp_path / "p.html"
    )
    from_jsonl = build_report(
        [run_dir / "clean.jsonl", run_dir / "dups.jsonl"], tmp_path / "j.html"
    )
    assert from_parquet.removals == from_jsonl.removals
    assert (from_parquet.documents, from_parquet.clusters, from_parquet.duplicates) == (9, 3, 4)
    assert payload(tmp_path / "p.html")["texts"] == payload(tmp_path / "j.html")["texts"]


def test_errors_name_the_field_given(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", {"text": "x", "why": {"removals": "no"}})
    with pytest.raises(RecordError, match="the 'why' field is not what dedup clean --explain"):
        build_report([src], tmp_path / "r.html", explain_field="why")


def test_the_second_pass_parses_only_the_chosen_documents(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dedup.report as report

    # A record with neither field, before the cleaned one of the same id, and an id
    # repeated within one input: what the page shows must not depend on the filtering.
    clean = (run_dir / "clean.jsonl").read_text(encoding="utf-8").splitlines()
    dups = (run_dir / "dups.jsonl").read_text(encoding="utf-8").splitlines()
    raw = json.dumps({"id": json.loads(clean[0])["id"], "text": "a raw copy of the page"})
    (tmp_path / "clean.jsonl").write_text("\n".join([raw, *clean, clean[3]]) + "\n", "utf-8")
    (tmp_path / "dups.jsonl").write_text("\n".join([raw, *dups]) + "\n", "utf-8")
    real = report._records
    read: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        for record in real(*args, **kwargs):  # type: ignore[arg-type]
            read.append(1)
            yield record

    def every_line(paths: object, text_field: str, on_error: str, lines: object = None) -> object:
        return real(paths, text_field, on_error)  # type: ignore[arg-type]

    both = [tmp_path / "clean.jsonl", tmp_path / "dups.jsonl"]
    # (with only dups.jsonl, the raw record's text is the one shown: it comes first)
    for inputs, budget in itertools.product([both, both[1:]], (0, 6_000, 15_000, 10**9)):
        monkeypatch.setattr(report, "_records", every_line)
        build_report(inputs, tmp_path / "all.html", text_budget=budget)
        monkeypatch.setattr(report, "_records", counted)
        read.clear()
        stats = build_report(inputs, tmp_path / "some.html", text_budget=budget)
        assert (tmp_path / "some.html").read_bytes() == (tmp_path / "all.html").read_bytes()
        if budget == 6_000:
            assert 0 < stats.with_text < 9
            passes = sum(len(p.read_text("utf-8").splitlines()) for p in inputs)
            assert len(read) < 2 * passes  # pass 2 parsed only the chosen documents' lines


def test_the_chrome_table_does_not_change_with_the_hash_seed(run_dir: Path, tmp_path: Path):
    # Lines are counted once per document from a set: ties must not follow its order.
    pages = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"r{seed}.html"
        proc = run("report", run_dir / "clean.jsonl", "-o", out, env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        pages.append(out.read_text(encoding="utf-8"))
    assert pages[0] == pages[1] == pages[2]
