"""The installed `dedup` command, run as a user would, on tiny fixtures.

Assertions compare with the library (`dedup.clean_and_explain`) rather than with fixed
removals: the detectors change, the contract between the CLI and the API does not.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dedup
from dedup.io import Reader

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted(p for p in (ROOT / "tests/golden/seeds").glob("*.txt") if ".clean." not in p.name)
# The console script of the interpreter running the tests (a venv need not be on PATH).
_BESIDE = Path(sys.executable).with_name("dedup")
DEDUP = str(_BESIDE) if _BESIDE.exists() else shutil.which("dedup")
try:  # the zstd extra: its tests are skipped in a minimal install, the rest still run
    import zstandard
except ImportError:
    zstandard = None
needs_zstd = pytest.mark.skipif(zstandard is None, reason="needs the zstd extra")

# A page with chrome most detectors agree on, plus the real seed pages.
PAGE = (
    "City council approves new budget\n"
    "Share\n"
    "Updated 03 August 2025\n"
    "City council approves new budget\n"
    "The city council approved the budget for next year on Tuesday after a long debate.\n"
    "The mayor said the money would go to schools, roads and the public library.\n"
)


def run(*args, stdin=None, env=None, cwd=None):
    """Run the installed command; return the CompletedProcess (bytes stdout, text stderr)."""
    # Not a skip: a missing console script is a broken install, which these tests exist to catch.
    assert DEDUP is not None, "the dedup command is not installed: pip install -e '.[test]'"
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    proc = subprocess.run(
        [DEDUP, *map(str, args)],
        input=stdin,
        capture_output=True,
        env=full_env,
        cwd=cwd,
        check=False,
        timeout=120,
    )
    proc.stderr = proc.stderr.decode("utf-8")
    return proc


def ok(*args, **kwargs):
    proc = run(*args, **kwargs)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def fail(*args, **kwargs):
    proc = run(*args, **kwargs)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("dedup: error: ")
    return proc


def docs():
    """(id, text) of the fixture documents: the page above and the seeds."""
    return [("page", PAGE)] + [(p.stem, p.read_text(encoding="utf-8")) for p in SEEDS]


def write_jsonl(path, objs):
    data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)


def read_jsonl(path):
    return [r.fields for r in Reader(path)]


def assert_explains(original, obj):
    """The dedup field replays: cutting its removals out of the original gives the text."""
    info = obj["dedup"]
    removals = [
        dedup.Removal(dedup.Span(r["start"], r["end"]), r["label"], r["reason"], r["detector"])
        for r in info["removals"]
    ]
    assert dedup.apply_removals(original, removals) == obj["text"]
    expected = dedup.clean_and_explain(original)
    # Each removal as Removal.to_dict, plus the text it removed (so the record alone shows it).
    assert info["removals"] == [
        {**r.to_dict(), "text": r.span.slice(original)} for r in expected.removals
    ]
    assert info["title"] == expected.title
    assert info["byline"] == expected.byline
    assert info["published"] == list(expected.published)


# --------------------------------------------------------------------------- basics


def test_version():
    proc = ok("--version")
    assert proc.stdout.decode().strip() == f"dedup {dedup.__version__}"


def test_help_lists_the_commands():
    out = ok("--help").stdout.decode()
    assert "clean" in out
    assert "explain" in out
    assert "--explain" in ok("clean", "--help").stdout.decode()


def test_no_command_is_a_usage_error():
    proc = run()
    assert proc.returncode == 2
    assert "COMMAND" in proc.stderr


# --------------------------------------------------------------------------- clean: text


def test_text_file_to_stdout(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text(PAGE, encoding="utf-8")
    proc = ok("clean", p)
    assert proc.stdout.decode("utf-8") == dedup.clean(PAGE)
    assert "dedup clean: 1 document," in proc.stderr


def test_text_file_to_file_with_explain_sidecar(tmp_path):
    src = SEEDS[0]
    out = tmp_path / "out.txt"
    ok("clean", src, "-o", out, "--explain")
    original = src.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == dedup.clean(original)
    side = json.loads((tmp_path / "out.txt.dedup.json").read_text(encoding="utf-8"))
    assert side["id"] == str(src)
    assert_explains(original, {"text": out.read_text(encoding="utf-8"), "dedup": side})


@needs_zstd
def test_compressed_text_in_and_out(tmp_path):
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(PAGE.encode()))
    ok("clean", tmp_path / "page.txt.gz", "-o", tmp_path / "out.txt.zst")
    raw = (tmp_path / "out.txt.zst").read_bytes()
    assert zstandard.ZstdDecompressor().decompressobj().decompress(raw).decode() == dedup.clean(
        PAGE
    )


def test_explain_with_text_on_stdout_is_refused(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text(PAGE)
    proc = fail("clean", p, "--explain")
    assert "-o out.jsonl" in proc.stderr
    assert proc.stdout == b""


def test_stdin_text(tmp_path):
    proc = ok("clean", "-", stdin=PAGE.encode())
    assert proc.stdout.decode() == dedup.clean(PAGE)


def test_crlf_and_unicode_line_breaks_survive(tmp_path):
    text = PAGE.replace("\n", "\r\n")
    p = tmp_path / "page.txt"
    p.write_bytes(text.encode())
    out = ok("clean", p).stdout.decode()
    assert out == dedup.clean(text)
    assert "\r\n" in out


# --------------------------------------------------------------------------- clean: directories


def make_tree(root):
    (root / "sub" / "deeper").mkdir(parents=True)
    files = {
        "a.txt": PAGE,
        "sub/b.txt": SEEDS[1].read_text(encoding="utf-8"),
        "sub/deeper/c.txt": SEEDS[2].read_text(encoding="utf-8"),
        "notes.md": "not read by default",
    }
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    return files


def test_directory_to_mirrored_directory(tmp_path):
    files = make_tree(tmp_path / "in")
    proc = ok("clean", tmp_path / "in", "-o", tmp_path / "out", "--explain")
    written = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")
    )
    assert written == [
        "a.txt",
        "a.txt.dedup.json",
        "sub",
        "sub/b.txt",
        "sub/b.txt.dedup.json",
        "sub/deeper",
        "sub/deeper/c.txt",
        "sub/deeper/c.txt.dedup.json",
    ]
    for rel in ("a.txt", "sub/b.txt", "sub/deeper/c.txt"):
        cleaned = (tmp_path / "out" / rel).read_text(encoding="utf-8")
        assert cleaned == dedup.clean(files[rel])
        side = json.loads((tmp_path / "out" / f"{rel}.dedup.json").read_text(encoding="utf-8"))
        assert side["id"] == rel
        assert_explains(files[rel], {"text": cleaned, "dedup": side})
    assert "dedup clean: 3 documents," in proc.stderr


def test_directory_glob_option(tmp_path):
    make_tree(tmp_path / "in")
    ok("clean", tmp_path / "in", "-o", tmp_path / "out", "--glob", "*.md")
    assert [p.name for p in (tmp_path / "out").rglob("*")] == ["notes.md"]


def test_directory_to_jsonl_uses_relative_paths_as_ids(tmp_path):
    files = make_tree(tmp_path / "in")
    ok("clean", tmp_path / "in", "-o", tmp_path / "out.jsonl")
    got = read_jsonl(tmp_path / "out.jsonl")
    assert [o["id"] for o in got] == ["a.txt", "sub/b.txt", "sub/deeper/c.txt"]
    assert [o["text"] for o in got] == [dedup.clean(files[o["id"]]) for o in got]


def test_directory_to_stdout_is_jsonl(tmp_path):
    files = make_tree(tmp_path / "in")
    proc = ok("clean", tmp_path / "in")
    got = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [(o["id"], o["text"]) for o in got] == [
        (rel, dedup.clean(files[rel])) for rel in ("a.txt", "sub/b.txt", "sub/deeper/c.txt")
    ]


def test_text_file_into_a_new_directory(tmp_path):
    src = tmp_path / "page.txt"
    src.write_text(PAGE)
    ok("clean", src, "-o", f"{tmp_path / 'out'}/")
    assert (tmp_path / "out" / "page.txt").read_text() == dedup.clean(PAGE)


def test_empty_directory_warns_even_when_quiet(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.html").write_text(PAGE)
    proc = ok("clean", tmp_path / "in", "-o", tmp_path / "out.jsonl", "-q")
    assert "no file in" in proc.stderr
    assert "--glob '*.txt'" in proc.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == b""


def test_output_directory_inside_input_is_refused(tmp_path):
    make_tree(tmp_path / "in")
    proc = fail("clean", tmp_path / "in", "-o", tmp_path / "in" / "cleaned")
    assert "inside the input directory" in proc.stderr
    assert not (tmp_path / "in" / "cleaned").exists()


# --------------------------------------------------------------------------- clean: JSONL


@pytest.mark.parametrize(
    ("src_name", "out_name"),
    [
        ("in.jsonl", "out.jsonl"),
        ("in.jsonl.gz", "out.jsonl.gz"),
        pytest.param("in.jsonl.zst", "out.jsonl.zst", marks=needs_zstd),
        ("in.jsonl.gz", "out.jsonl"),
    ],
)
def test_jsonl_passes_fields_through_and_explains(tmp_path, src_name, out_name):
    objs = [
        {"id": doc_id, "url": None, "text": text, "meta": {"n": i, "tags": ["a", "é"]}}
        for i, (doc_id, text) in enumerate(docs())
    ]
    write_jsonl(tmp_path / src_name, objs)
    proc = ok("clean", tmp_path / src_name, "-o", tmp_path / out_name, "--explain")
    got = read_jsonl(tmp_path / out_name)
    assert len(got) == len(objs)
    for src, out in zip(objs, got, strict=True):
        assert list(out) == [*src, "dedup"]  # same fields, same order, plus the explanation
        assert {k: v for k, v in out.items() if k not in ("text", "dedup")} == {
            k: v for k, v in src.items() if k != "text"
        }
        assert out["text"] == dedup.clean(src["text"])
        assert_explains(src["text"], out)
    # The summary counts what was read and written.
    bytes_in = sum(len(o["text"].encode()) for o in objs)
    bytes_out = sum(len(o["text"].encode()) for o in got)
    assert f"{len(objs)} documents, {bytes_in:,} bytes in -> {bytes_out:,} bytes out" in proc.stderr
    removed = sum(len(o["dedup"]["removals"]) for o in got)
    assert f"removed {removed:,} of " in proc.stderr
    assert f"wrote {tmp_path / out_name}" in proc.stderr


def test_jsonl_without_explain_has_no_dedup_field_and_custom_text_field(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"body": PAGE, "text": 7}])
    ok("clean", tmp_path / "in.jsonl", "-o", tmp_path / "out.jsonl", "--text-field", "body")
    got = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert got == [{"body": dedup.clean(PAGE), "text": 7}]


def test_jsonl_to_stdout(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": PAGE}])
    proc = ok("clean", tmp_path / "in.jsonl")
    assert [json.loads(x) for x in proc.stdout.decode().splitlines()] == [
        {"id": 1, "text": dedup.clean(PAGE)}
    ]


@pytest.mark.parametrize("compress", [None, gzip.compress])
def test_stdin_jsonl_is_sniffed(tmp_path, compress):
    data = (json.dumps({"id": "x", "text": PAGE}) + "\n").encode()
    proc = ok("clean", "-", "--explain", stdin=compress(data) if compress else data)
    (obj,) = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert obj["id"] == "x"
    assert_explains(PAGE, obj)


def test_jsonl_input_needs_jsonl_output(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": PAGE}])
    proc = fail("clean", tmp_path / "in.jsonl", "-o", tmp_path / "out.txt")
    assert ".jsonl" in proc.stderr
    assert not (tmp_path / "out.txt").exists()


def test_existing_dedup_field_is_replaced_with_a_note(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": PAGE, "dedup": "old"}])
    proc = ok("clean", tmp_path / "in.jsonl", "-o", tmp_path / "out.jsonl", "--explain")
    assert "already had a 'dedup' field" in proc.stderr
    (obj,) = read_jsonl(tmp_path / "out.jsonl")
    assert_explains(PAGE, obj)


def test_jobs_give_the_same_output_and_summary(tmp_path):
    # Enough records for several batches, so results from different workers are interleaved.
    objs = [{"id": i, "text": text} for i, (_, text) in enumerate(docs() * 40)]
    write_jsonl(tmp_path / "in.jsonl", objs)
    one = ok("clean", tmp_path / "in.jsonl", "-o", tmp_path / "one.jsonl", "--explain")
    two = ok("clean", tmp_path / "in.jsonl", "-o", tmp_path / "two.jsonl", "--explain", "-j", "2")
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert [o["id"] for o in read_jsonl(tmp_path / "two.jsonl")] == list(range(len(objs)))
    assert one.stderr.replace("one.jsonl", "") == two.stderr.replace("two.jsonl", "")


def test_jobs_must_be_a_count(tmp_path):
    proc = run("clean", "x.jsonl", "-j", "-1")
    assert proc.returncode == 2
    assert "whole number >= 0" in proc.stderr


# --------------------------------------------------------------------------- clean: errors


def test_malformed_line_exits_2_naming_file_and_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": PAGE}) + "\n{not json}\n" + json.dumps({"text": "x"}) + "\n")
    proc = fail("clean", src, "-o", tmp_path / "out.jsonl")
    assert f"{src}:2:" in proc.stderr
    assert "invalid JSON" in proc.stderr
    # No half-written output is left to be mistaken for a finished one.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_on_error_skip_reports_the_count(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": 1, "text": PAGE})
        + "\n[1, 2]\n"
        + json.dumps({"id": 3, "body": "no text field"})
        + "\n"
        + json.dumps({"id": 4, "text": "Last."})
        + "\n"
    )
    proc = ok("clean", src, "-o", tmp_path / "out.jsonl", "--on-error", "skip")
    assert [o["id"] for o in read_jsonl(tmp_path / "out.jsonl")] == [1, 4]
    assert "skipped 2 unreadable record(s)" in proc.stderr
    assert f"1 not a JSON object; first: {src}:2:" in proc.stderr
    assert f"1 missing field 'text'; first: {src}:3:" in proc.stderr
    # --quiet silences the summary but never the news that records were skipped.
    quiet = ok("clean", src, "-o", tmp_path / "out2.jsonl", "--on-error", "skip", "--quiet")
    assert "skipped 2 unreadable record(s)" in quiet.stderr
    assert "dedup clean:" not in quiet.stderr


def test_quiet_is_silent_when_all_is_well(tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": PAGE}])
    assert ok("clean", tmp_path / "in.jsonl", "-o", tmp_path / "o.jsonl", "-q").stderr == ""


def test_undecodable_bytes_name_file_and_line_or_are_replaced(tmp_path):
    src = tmp_path / "page.txt"
    src.write_bytes(PAGE.encode() + b"Caf\xe9 society.\n")
    bad_line = PAGE.count("\n") + 1
    proc = fail("clean", src)
    assert f"{src}:{bad_line}:" in proc.stderr
    assert "0xe9" in proc.stderr
    assert "--errors replace" in proc.stderr
    assert proc.stdout == b""
    proc = ok("clean", src, "--errors", "replace")
    assert proc.stdout.decode() == dedup.clean(PAGE + "Caf\ufffd society.\n")
    assert "replaced undecodable bytes with U+FFFD in 1 document(s)" in proc.stderr


def test_undecodable_bytes_in_jsonl(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    assert f"{src}:2:" in fail("clean", src, "-o", tmp_path / "o.jsonl").stderr
    ok("clean", src, "-o", tmp_path / "o.jsonl", "--errors", "replace")
    got = [o["text"] for o in read_jsonl(tmp_path / "o.jsonl")]
    assert got == [dedup.clean("ok"), dedup.clean("caf\ufffd")]
    assert "\ufffd" in got[1]


def test_without_the_extras(tmp_path):
    # Shadow zstandard and tqdm with modules that fail to import, as in a minimal install.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    for name in ("zstandard", "tqdm"):
        (blocked / f"{name}.py").write_text(f"raise ImportError('{name} is not installed')\n")
    env = {"PYTHONPATH": str(blocked)}
    (tmp_path / "in.jsonl.zst").write_bytes(b"\x28\xb5\x2f\xfd")
    proc = fail("clean", tmp_path / "in.jsonl.zst", "-o", tmp_path / "o.jsonl", env=env)
    assert "pip install 'dedup[zstd]'" in proc.stderr
    write_jsonl(tmp_path / "in.jsonl", [{"text": PAGE}])
    proc = fail("clean", tmp_path / "in.jsonl", "-o", tmp_path / "o.jsonl.zst", env=env)
    assert "pip install 'dedup[zstd]'" in proc.stderr
    assert not (tmp_path / "o.jsonl.zst").exists()
    # No tqdm: no progress bar, and nothing else changes.
    ok("clean", tmp_path / "in.jsonl", "-o", tmp_path / "o.jsonl", env=env)
    assert read_jsonl(tmp_path / "o.jsonl") == [{"text": dedup.clean(PAGE)}]


def test_missing_input_is_a_clear_error(tmp_path):
    proc = fail("clean", tmp_path / "missing.jsonl")
    assert str(tmp_path / "missing.jsonl") in proc.stderr
    assert "no such input file or directory" in proc.stderr


def test_bad_choice_is_a_usage_error(tmp_path):
    proc = run("clean", "x", "--on-error", "ignore")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr


def test_output_same_as_input_is_refused(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": PAGE}])
    before = src.read_bytes()
    assert "is the input" in fail("clean", src, "-o", src).stderr
    assert src.read_bytes() == before
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    assert "would overwrite the input" in fail("clean", page, "-o", f"{tmp_path}/").stderr
    assert page.read_text() == PAGE


# --------------------------------------------------------------------------- explain


def test_explain_prints_every_line_with_label_and_reason(tmp_path):
    src = SEEDS[0]
    text = src.read_text(encoding="utf-8")
    out = ok("explain", src).stdout.decode("utf-8")
    assert "\x1b[" not in out  # not a terminal: no colour
    result = dedup.clean_and_explain(text)
    lines = out.splitlines()
    width = len(str(result.line_labels[-1].line_no))
    for ll in result.line_labels:
        mark = "+" if ll.label in ("title", "content") else "-"
        head = f"{ll.line_no:>{width}} {mark} {ll.label}"
        (i,) = [k for k, line in enumerate(lines) if line.startswith(head + " ")]
        assert lines[i].endswith(ll.span.slice(text).rstrip())
        assert lines[i + 1].strip() == ll.reason
    counts = result.counts()
    assert f"removed {sum(counts.values())} of {len(result.line_labels)} non-blank lines" in out


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        ((), {}, False),  # a pipe is not a terminal
        (("--color", "always"), {}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),  # an explicit flag wins
        (("--color", "never"), {}, False),
        (("--color", "auto"), {"NO_COLOR": "1"}, False),
    ],
)
def test_explain_colour(tmp_path, args, env, colored):
    p = tmp_path / "page.txt"
    p.write_text(PAGE)
    out = ok("explain", p, *args, env=env).stdout.decode()
    assert ("\x1b[" in out) is colored
    if colored:  # the words are all there once the escapes are taken out
        plain = ok("explain", p, "--color", "never").stdout.decode()
        assert re.sub(r"\x1b\[[0-9;]*m", "", out) == plain


def test_explain_escapes_control_characters(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text("A title line\nsneaky \x1b[2J line that clears the screen when printed raw.\n")
    out = ok("explain", p, "--color", "never").stdout.decode()
    assert "\x1b" not in out
    assert "sneaky \\x1b[2J line" in out


def test_explain_jsonl_record_and_id(tmp_path):
    src = tmp_path / "in.jsonl"
    objs = [{"id": doc_id, "text": text} for doc_id, text in docs()]
    write_jsonl(src, objs)
    by_number = ok("explain", src, "--record", "2").stdout.decode("utf-8")
    by_id = ok("explain", src, "--id", objs[1]["id"]).stdout.decode("utf-8")
    assert by_number == by_id
    assert by_number.startswith(f"== {src}:2  id: {objs[1]['id']} ==")
    assert by_number.count("== ") == 1
    everything = ok("explain", src).stdout.decode("utf-8")
    assert everything.count(f"== {src}:") == len(objs)
    assert by_number in everything
    proc = fail("explain", src, "--record", "99")
    assert f"no record 99 ({len(objs)} readable record(s))" in proc.stderr
    assert "has no record with id 'nope'" in fail("explain", src, "--id", "nope").stderr


def test_explain_directory_by_relative_path_and_stdin(tmp_path):
    files = make_tree(tmp_path / "in")
    out = ok("explain", tmp_path / "in", "--id", "sub/b.txt").stdout.decode("utf-8")
    assert out.startswith(f"== {tmp_path / 'in' / 'sub' / 'b.txt'}  id: sub/b.txt ==")
    result = dedup.clean_and_explain(files["sub/b.txt"])
    assert f"removed {sum(result.counts().values())} of {len(result.line_labels)}" in out
    from_file = ok("explain", tmp_path / "in" / "a.txt").stdout
    assert ok("explain", "-", stdin=PAGE.encode()).stdout == from_file


def test_the_summary_points_at_the_first_record_with_a_removal(tmp_path):
    src = tmp_path / "in.jsonl"
    article = "It rained all day in the city, and the river rose over its banks by night."
    objs = [{"id": "a", "text": article}, {"id": "b", "text": "Share\n" + article}]
    write_jsonl(src, objs)
    assert not dedup.clean_and_explain(article).removals
    proc = ok("clean", src, "-o", tmp_path / "out.jsonl")
    assert f"see why, line by line: dedup explain {src} --record 2" in proc.stderr
    # Nothing removed anywhere: nothing to see.
    write_jsonl(src, objs[:1])
    assert "see why" not in ok("clean", src, "-o", tmp_path / "out.jsonl").stderr


def test_explain_record_and_id_are_exclusive(tmp_path):
    proc = run("explain", "x.jsonl", "--record", "1", "--id", "a")
    assert proc.returncode == 2
    assert "not allowed with" in proc.stderr


def test_explain_closed_pipe_is_quiet(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": i, "text": PAGE * 20} for i in range(300)])
    assert DEDUP is not None
    proc = subprocess.Popen(
        [DEDUP, "explain", str(src)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert b"Traceback" not in err


# --------------------------------------------------------------------------- the bundled sample


def test_sample_holds_the_seeds_and_two_other_languages():
    recs = read_jsonl(ROOT / "examples" / "articles.jsonl")
    by_id = {r["id"]: r for r in recs}
    assert all(set(r) == {"id", "text"} for r in recs)
    for seed in SEEDS:
        assert by_id[seed.stem]["text"] == seed.read_text(encoding="utf-8")
    assert {"handwritten-fr", "handwritten-de"} <= set(by_id)


def test_readme_first_command_works(tmp_path):
    # The README's first command, run from a copy of the project root layout.
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = next(line for line in readme.splitlines() if line.startswith("pip install '.[cli]'"))
    steps = [shlex.split(step) for step in first.split(" && ")[1:]]
    assert [s[:2] for s in steps] == [["dedup", "clean"], ["dedup", "dups"], ["dedup", "report"]]
    proc = ok(*steps[0][1:], cwd=tmp_path)
    got = read_jsonl(tmp_path / "cleaned.jsonl")
    src = read_jsonl(tmp_path / "examples" / "dump.jsonl")
    assert [o["id"] for o in got] == [o["id"] for o in src]
    for s, o in zip(src, got, strict=True):
        removals = [
            dedup.Removal(dedup.Span(r["start"], r["end"]), r["label"], r["reason"], r["detector"])
            for r in o["dedup"]["removals"]
        ]
        assert dedup.apply_removals(s["text"], removals) == o["text"]
    assert f"dedup clean: {len(src)} documents" in proc.stderr
    assert "wrote cleaned.jsonl" in proc.stderr
    # ... && dedup dups examples/dump.jsonl -o dups.jsonl
    proc = ok(*steps[1][1:], cwd=tmp_path)
    verdicts = {r["id"]: r["dups"] for r in read_jsonl(tmp_path / "dups.jsonl")}
    assert verdicts["dawn-mirror"]["match"] == "exact"
    assert verdicts["newsroom-syndicated"]["of"] == "003_51d4cfd94bd35d6b"
    assert verdicts["dawn-truncated"]["of"] == "004_ed16568699e11153"
    assert verdicts["arab-edited"]["cluster"] == verdicts["000_323881d297d953c7"]["cluster"]
    assert not any(verdicts[k]["duplicate"] for k in ("handwritten-fr", "handwritten-de"))
    assert "4 duplicates (2 exact, 2 near) in 3 clusters" in proc.stderr
    # ... && dedup report cleaned.jsonl dups.jsonl -o report.html
    proc = ok(*steps[2][1:], cwd=tmp_path)
    assert f"dedup report: {len(src)} documents" in proc.stderr
    assert "3 clusters, 4 duplicates" in proc.stderr
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_example_dump_is_what_its_script_builds(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "examples" / "dump.jsonl").unlink()
    subprocess.run([sys.executable, "examples/build_dump.py"], cwd=tmp_path, check=True)
    built = (tmp_path / "examples" / "dump.jsonl").read_bytes()
    assert built == (ROOT / "examples" / "dump.jsonl").read_bytes()


def test_module_entry_point_matches_console_script(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text(PAGE)
    proc = subprocess.run(
        [sys.executable, "-m", "dedup.cli", "clean", str(p)], capture_output=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout == ok("clean", p).stdout


# --------------------------------------------------------------------------- docs and progress


def test_docs_cover_every_command_and_option():
    from dedup.cli import build_parser

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.choices and isinstance(a.choices, dict)]
    assert set(sub.choices) == {"clean", "explain", "dups", "store", "report"}
    for name, p in sub.choices.items():
        assert f"## `dedup {name}`" in doc
        for action in p._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in doc, f"docs/cli.md does not mention {name} {flag}"
            for choice in action.choices or ():
                assert str(choice) in doc, f"docs/cli.md does not mention {choice}"
    assert "--version" in doc


class _Tty:
    """A stderr stand-in that says it is a terminal and records what is written."""

    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_only(tmp_path, monkeypatch):
    pytest.importorskip("tqdm")
    import dedup.cli as cli

    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": f"Line {i}\nMore text here."} for i in range(50)])
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0)  # show it at once, not after half a second

    def run_with(stream, *, quiet=False):
        monkeypatch.setattr(sys, "stderr", stream)
        reader = Reader(src)
        bar = cli._Progress(reader, quiet=quiet, desc="dedup clean")
        for _ in reader:
            bar.update()
        shown = bar.bar is not None and bar.bar.n
        bar.close()
        return shown

    tty = _Tty()
    # Every input byte is accounted for by the end.
    assert run_with(tty) == src.stat().st_size
    assert "dedup clean" in "".join(tty.parts)
    assert run_with(_Tty(), quiet=True) is False
    assert run_with(io.StringIO()) is False  # not a terminal: no bar at all


def _fail_on_bad(text):
    if text == "bad":
        msg = "cannot clean this one"
        raise ValueError(msg)
    return dedup.clean_and_explain(text)


def test_worker_error_reaches_the_caller_without_hanging():
    from dedup.cli import clean_records
    from dedup.io import Record

    records = [Record(PAGE, "x")] * 200 + [Record("bad", "x")] + [Record(PAGE, "x")] * 200
    got = []
    with pytest.raises(ValueError, match="cannot clean this one"):
        got.extend(clean_records(records, clean_fn=_fail_on_bad, jobs=2))
    # Everything before the failing batch was handed on, in order.
    assert 0 < len(got) <= 200
    assert all(c.result.text == dedup.clean(PAGE) for c in got)


def _keep_all(text):
    return dedup.CleanResult(text=text)


@pytest.mark.parametrize("jobs", [1, 2])
def test_clean_pipeline_streams_in_bounded_memory(tmp_path, jobs):
    # The whole read -> clean -> write loop, not just the reader, must not hold the input.
    # A trivial cleaner keeps the test about the pipeline, and fast.
    import tracemalloc

    from dedup.cli import _JsonlSink, run_clean

    src = tmp_path / "in.jsonl"
    body = "A sentence of some article, long enough to weigh something. " * 30
    write_jsonl(src, [{"id": i, "text": f"Title {i}\n{body}"} for i in range(6000)])
    size = src.stat().st_size
    assert size > 10_000_000
    reader = Reader(src)
    sink = _JsonlSink(str(tmp_path / "out.jsonl"), text_field="text", explain=True)
    tracemalloc.start()
    try:
        run_clean(reader, sink, clean_fn=_keep_all, quiet=True, jobs=jobs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reader.stats.documents == 6000
    assert sum(1 for _ in Reader(tmp_path / "out.jsonl")) == 6000
    # In flight at most: 2 batches per worker x 64 records x ~2 kB, plus buffers.
    assert peak < size / 5, f"peak {peak:,} bytes for a {size:,} byte input"
