"""dedup.io: readers stream, writers round-trip, every unreadable record is named or counted."""

from __future__ import annotations

import builtins
import gzip
import json
import os
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import ConfigError, MissingExtraError, RecordError
from dedup.io import JsonlWriter, Reader, TreeWriter, parse_jsonl_line, read_records, write_text

try:  # the zstd extra: its tests are skipped in a minimal install, the rest still run
    import zstandard
except ImportError:
    zstandard = None
needs_zstd = pytest.mark.skipif(zstandard is None, reason="needs the zstd extra")
ZST_NAMES = ["p.jsonl.zst"] if zstandard is not None else []


def _write_jsonl(path: Path, objs: list[object]) -> None:
    lines = [json.dumps(o, ensure_ascii=False) for o in objs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- text inputs


def test_text_file_is_one_document_with_line_breaks_and_bom_handled(tmp_path):
    p = tmp_path / "page.txt"
    # CRLF must survive (spans point into the text as read); the BOM is encoding, not text.
    p.write_bytes(b"\xef\xbb\xbfTitle\r\nBody \xc3\xa9.\r\n")
    reader = Reader(p)
    assert reader.kind == "document"
    (rec,) = list(reader)
    assert rec.text == "Title\r\nBody é.\r\n"
    assert rec.line_no is None
    assert rec.fields is None
    assert rec.where == str(p)
    assert reader.stats.documents == 1
    assert reader.stats.bytes_in == len(rec.text.encode())


def test_directory_is_recursive_sorted_and_filtered_by_glob(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("bz")
    (tmp_path / "b" / "a.txt").write_text("ba")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "c.md").write_text("md")
    (tmp_path / "a.txt.d").mkdir()  # a directory whose name matches must not be read as a file
    reader = Reader(tmp_path)
    assert reader.kind == "tree"
    assert [(r.relpath, r.text) for r in reader] == [
        ("a.txt", "a"),
        ("b/a.txt", "ba"),
        ("b/z.txt", "bz"),
    ]
    assert reader.stats.files == 3
    assert [r.relpath for r in Reader(tmp_path, glob="*.md")] == ["c.md"]
    # The id of a file from a directory is its relative path.
    assert [r.id for r in Reader(tmp_path, glob="z.*")] == ["b/z.txt"]


def test_undecodable_text_file_names_file_line_and_byte(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"line one\nline two\nline \xff three\n")
    with pytest.raises(RecordError) as info:
        list(Reader(p))
    msg = str(info.value)
    assert f"{p}:3:" in msg
    assert "0xff" in msg
    assert "--errors replace" in msg


def test_errors_replace_puts_replacement_character_and_counts(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"caf\xe9 au lait")
    reader = Reader(p, errors="replace")
    assert [r.text for r in reader] == ["caf\ufffd au lait"]
    assert reader.stats.replaced == 1


def test_skip_undecodable_file_in_directory_counts_it(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff")
    (tmp_path / "b.txt").write_text("fine")
    reader = Reader(tmp_path, on_error="skip")
    assert [r.text for r in reader] == ["fine"]
    assert reader.stats.skipped == 1
    assert reader.stats.skipped_by_reason == {"undecodable bytes": 1}
    assert "a.txt:1:" in reader.stats.first_skipped["undecodable bytes"]


# --------------------------------------------------------------------------- JSONL inputs


@pytest.mark.parametrize(
    "name", ["in.jsonl", "in.jsonl.gz", pytest.param("in.jsonl.zst", marks=needs_zstd), "in.ndjson"]
)
def test_jsonl_round_trip_through_writer_and_reader(tmp_path, name):
    objs = [
        {"id": 1, "text": "Hello\nworld", "meta": {"lang": "en", "tags": [1, 2.5, None]}},
        {"id": "two", "text": "Ünïcödé ✓ 中文", "flag": True},
        {"text": ""},
    ]
    path = tmp_path / name
    with JsonlWriter(path) as w:
        for o in objs:
            w.write(o)
    assert w.records == 3
    raw = path.read_bytes()
    if name.endswith(".gz"):
        assert raw[:2] == b"\x1f\x8b"
    elif name.endswith(".zst"):
        assert raw[:4] == b"\x28\xb5\x2f\xfd"
    reader = Reader(path)
    assert reader.kind == "records"
    recs = list(reader)
    assert [r.fields for r in recs] == objs
    assert [r.text for r in recs] == [o["text"] for o in objs]
    assert [r.line_no for r in recs] == [1, 2, 3]
    assert recs[1].id == "two"
    assert recs[2].id == f"{path}:3"  # no id field: where it came from


def test_lone_surrogate_round_trips(tmp_path):
    # A JSON \ud800 escape decodes to a lone surrogate, which has no UTF-8 form.
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "a\\ud800b"}\n')
    (rec,) = list(Reader(src))
    out = tmp_path / "out.jsonl"
    with JsonlWriter(out) as w:
        w.write(rec.fields or {})
    assert [r.text for r in Reader(out)] == ["a\ud800b"]


def test_blank_lines_and_bom_in_jsonl_are_not_records(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"text": "a"}\n\n   \n{"text": "b"}\n')
    reader = Reader(p)
    assert [(r.line_no, r.text) for r in reader] == [(1, "a"), (4, "b")]
    assert reader.stats.skipped == 0


@needs_zstd
def test_multi_frame_zstd_is_read_whole(tmp_path):
    # Parallel compressors (pzstd, zstd -T) write several frames; all of them are data.
    p = tmp_path / "in.jsonl.zst"
    c = zstandard.ZstdCompressor()
    p.write_bytes(c.compress(b'{"text": "a"}\n') + c.compress(b'{"text": "b"}\n'))
    assert [r.text for r in Reader(p)] == ["a", "b"]


@needs_zstd
def test_many_zstd_frames_across_read_chunks(tmp_path):
    # Frames larger than one read, and frame boundaries falling inside a read.
    import random

    rng = random.Random(7)
    c = zstandard.ZstdCompressor()
    texts = ["".join(rng.choice("abcdefgh ") for _ in range(60_000)) for _ in range(8)]
    p = tmp_path / "in.jsonl.zst"
    p.write_bytes(b"".join(c.compress(json.dumps({"text": t}).encode() + b"\n") for t in texts))
    assert p.stat().st_size > 2 * 65536
    assert [r.text for r in Reader(p)] == texts


@needs_zstd
@pytest.mark.parametrize("damage", ["truncate", "corrupt", "not zstd"])
def test_damaged_zstd_is_an_error_not_a_short_read(tmp_path, damage):
    data = zstandard.ZstdCompressor().compress(b'{"text": "a record"}\n' * 5000)
    if damage == "truncate":  # zstandard's stream_reader would end silently here
        data = data[:-5]
    elif damage == "corrupt":
        data = data[: len(data) // 2] + b"garbage" * 20
    else:
        data = b"this was never compressed\n"
    p = tmp_path / "in.jsonl.zst"
    p.write_bytes(data)
    with pytest.raises(RecordError) as info:
        list(Reader(p))
    assert str(p) in str(info.value)
    assert "corrupt or truncated" in str(info.value)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"text": "ok"', ["in.jsonl:2:", "invalid JSON"]),
        ('["text"]', ["in.jsonl:2:", "expected a JSON object", "an array"]),
        (
            '{"body": "x", "id": 3}',
            ["in.jsonl:2:", "no field 'text'", "'body', 'id'", "--text-field"],
        ),
        ('{"text": 42}', ["in.jsonl:2:", "field 'text' is a number, expected a string"]),
        ('{"text": null}', ["in.jsonl:2:", "field 'text' is null"]),
    ],
)
def test_malformed_jsonl_line_raises_with_file_line_and_problem(tmp_path, line, expected):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "fine"}\n' + line + '\n{"text": "after"}\n')
    reader = Reader(p)
    got = []
    with pytest.raises(RecordError) as info:
        got.extend(r.text for r in reader)
    assert got == ["fine"]  # records before the bad one were handed on, in order
    for part in expected:
        assert part in str(info.value)


def test_skip_counts_each_kind_of_problem_and_keeps_the_first_message(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(
        b'{"text": "a"}\nnot json\n{"id": 1}\nalso not json\n{"text": "caf\xe9"}\n{"text": "b"}\n'
    )
    reader = Reader(p, on_error="skip")
    assert [r.text for r in reader] == ["a", "b"]
    stats = reader.stats
    assert stats.documents == 2
    assert stats.skipped == 4
    assert stats.skipped_by_reason == {
        "invalid JSON": 2,
        "missing field 'text'": 1,
        "undecodable bytes": 1,
    }
    assert f"{p}:2:" in stats.first_skipped["invalid JSON"]
    assert f"{p}:5:" in stats.first_skipped["undecodable bytes"]


def test_undecodable_jsonl_line_replace(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"text": "caf\xe9"}\n')
    reader = Reader(p, errors="replace")
    assert [r.text for r in reader] == ["caf\ufffd"]
    assert reader.stats.replaced == 1


def test_text_field_option(tmp_path):
    p = tmp_path / "in.jsonl"
    _write_jsonl(p, [{"content": "x", "text": 1}])
    assert [r.text for r in read_records(p, text_field="content")] == ["x"]


def test_truncated_gzip_raises_record_error_naming_the_file(tmp_path):
    p = tmp_path / "in.jsonl.gz"
    data = gzip.compress(b"".join(b'{"text": "record %d"}\n' % i for i in range(2000)))
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordError) as info:
        list(Reader(p))
    assert str(p) in str(info.value)
    assert "corrupt or truncated" in str(info.value)


def test_parse_jsonl_line_public_helper():
    assert parse_jsonl_line(b'{"text": "t"}\n', source="f.jsonl", line_no=7) == (
        {"text": "t"},
        False,
    )
    with pytest.raises(RecordError, match=r"f\.jsonl:7: invalid JSON"):
        parse_jsonl_line(b"{", source="f.jsonl", line_no=7)


# --------------------------------------------------------------------------- bad options


def test_json_file_is_refused_with_a_hint(tmp_path):
    p = tmp_path / "dump.json"
    p.write_text("[]")
    with pytest.raises(RecordError, match=r"rename it to \.jsonl"):
        Reader(p)


def test_missing_input_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        Reader(tmp_path / "nope.jsonl")
    assert info.value.filename == str(tmp_path / "nope.jsonl")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("format", "csv"),
        ("errors", "ignore"),
        ("on_error", "warn"),
        ("text_field", ""),
        ("glob", ""),
    ],
)
def test_bad_options_raise_config_error_naming_the_option(tmp_path, option, value):
    p = tmp_path / "a.txt"
    p.write_text("x")
    with pytest.raises(ConfigError, match=option):
        Reader(p, **{option: value})


def test_missing_zstandard_names_the_extra(tmp_path, monkeypatch):
    p = tmp_path / "in.jsonl.zst"
    p.write_bytes(b"\x28\xb5\x2f\xfd")  # never decompressed: the missing module is found first
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "zstandard":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "zstandard", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup\[zstd\]'"):
        Reader(p)
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup\[zstd\]'"):
        JsonlWriter(tmp_path / "out.jsonl.zst")
    # ImportError too, so `except ImportError` around optional features works.
    with pytest.raises(ImportError):
        JsonlWriter(tmp_path / "out.jsonl.zst")


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize(
    "name", ["big.jsonl", "big.jsonl.gz", pytest.param("big.jsonl.zst", marks=needs_zstd)]
)
def test_reader_streams_in_bounded_memory(tmp_path, name):
    path = tmp_path / name
    body = "Some sentence of an article that goes on for a while. " * 8
    with JsonlWriter(path) as w:
        for i in range(20_000):
            w.write({"id": i, "text": f"Title {i}\n{body}"})
    raw_size = (
        sum(len(json.dumps({"id": i, "text": f"Title {i}\n{body}"})) for i in range(100)) * 200
    )
    assert raw_size > 8_000_000  # ~9 MB of JSON: a leak of even a tenth of it would show
    reader = Reader(path)
    count = 0
    tracemalloc.start()
    try:
        for rec in reader:
            count += len(rec.text) > 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert reader.stats.documents == 20_000
    # One record is ~500 bytes; buffers are tens of kB. Holding the records would need ~9 MB.
    assert peak < raw_size / 20, f"peak {peak:,} bytes while reading {raw_size:,} bytes"


def test_reader_is_lazy(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "a"}\nnot json\n')
    it = iter(Reader(p))
    assert next(it).text == "a"  # the bad second line is not read until asked for
    with pytest.raises(RecordError):
        next(it)


# --------------------------------------------------------------------------- writers


def test_jsonl_writer_removes_partial_file_on_error(tmp_path):
    out = tmp_path / "out.jsonl"

    def write_then_fail():
        with JsonlWriter(out) as w:
            w.write({"text": "a"})
            msg = "boom"
            raise RuntimeError(msg)

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind either


def _write_each_kind(folder):
    """Write one output of each kind the commands write; return their paths."""
    with JsonlWriter(folder / "out.jsonl") as w:
        w.write({"text": "a"})
    with JsonlWriter(folder / "out.jsonl.gz") as w:
        w.write({"text": "a"})
    write_text(folder / "out.txt", "a")
    TreeWriter(folder / "tree").write("sub/a.txt", "a")
    paths = [folder / "out.jsonl", folder / "out.jsonl.gz", folder / "out.txt"]
    return [*paths, folder / "tree" / "sub" / "a.txt"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_get_the_permissions_open_would_give(tmp_path, umask, mode):
    # Written under a temporary name and renamed into place: mkstemp made every output 0600,
    # unreadable by the group and others whatever the umask said.
    old = os.umask(umask)
    try:
        paths = _write_each_kind(tmp_path)
    finally:
        os.umask(old)
    assert {p: oct(p.stat().st_mode & 0o777) for p in paths} == {p: oct(mode) for p in paths}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_replaced_output_keeps_its_permissions(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    out.chmod(0o640)
    with JsonlWriter(out) as w:
        w.write({"text": "a"})
    assert out.read_text() == '{"text":"a"}\n'
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)


def test_jsonl_writer_replaces_existing_file_only_when_complete(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"text": "old"}\n')
    w = JsonlWriter(out)
    w.write({"text": "new"})
    assert out.read_text() == '{"text": "old"}\n'  # still the old file while writing
    w.close()
    assert [r.text for r in Reader(out)] == ["new"]


def test_write_text_keeps_bytes_exactly(tmp_path):
    p = tmp_path / "deep" / "er" / "a.txt"
    write_text(p, "a\r\nb\u2028c\n")
    assert p.read_bytes() == "a\r\nb\u2028c\n".encode()


@pytest.mark.parametrize("name", ["a.txt.gz", pytest.param("a.txt.zst", marks=needs_zstd)])
def test_write_text_compresses_by_name_and_reads_back(tmp_path, name):
    write_text(tmp_path / name, "Title\r\nBody é")
    assert (tmp_path / name).read_bytes()[:2] != b"Ti"
    assert [r.text for r in Reader(tmp_path / name)] == ["Title\r\nBody é"]


def test_tree_writer_mirrors_and_refuses_escaping_paths(tmp_path):
    w = TreeWriter(tmp_path / "out")
    assert w.write("x/y.txt", "body") == tmp_path / "out" / "x" / "y.txt"
    assert (tmp_path / "out" / "x" / "y.txt").read_text() == "body"
    with pytest.raises(RecordError, match="not a relative file path"):
        w.write("../evil.txt", "x")
    assert not (tmp_path / "evil.txt").exists()


# --------------------------------------------------------------------------- properties


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.text(), min_size=1, max_size=5),
    extra=st.dictionaries(
        st.text(max_size=8).filter(lambda k: k != "text"), _json_values, max_size=3
    ),
    name=st.sampled_from(["p.jsonl", "p.jsonl.gz", *ZST_NAMES]),
)
def test_any_records_round_trip(tmp_path, texts, extra, name):
    path = tmp_path / name
    objs = [{**extra, "text": t} for t in texts]
    with JsonlWriter(path) as w:
        for o in objs:
            w.write(o)
    assert [r.fields for r in Reader(path)] == objs


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text().filter(lambda t: not t.startswith("\ufeff")))
def test_any_text_round_trips_through_a_file(tmp_path, text):
    # A leading U+FEFF is read as a byte-order mark and dropped (documented), hence the filter.
    write_text(tmp_path / "t.txt", text)
    assert [r.text for r in Reader(tmp_path / "t.txt")] == [text]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".parquet"])
def test_reading_only_some_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str):
    import dedup.io

    rows = [{"id": f"r{i}", "text": f"text {i}"} for i in range(2500)]
    path = tmp_path / f"in{suffix}"
    if suffix == ".parquet":
        pa = pytest.importorskip("pyarrow")
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
        monkeypatch.setattr(dedup.io, "PARQUET_BATCH", 1000)  # wanted rows in three batches
    else:
        lines = [json.dumps(r) for r in rows]
        lines[1500] = "{not json"  # not wanted: never parsed, so no error
        data = "\n".join(lines) + "\n\n"
        if suffix.endswith(".gz"):
            path.write_bytes(gzip.compress(data.encode()))
        else:
            path.write_text(data, encoding="utf-8")
    wanted = {1, 2, 999, 1000, 1001, 2500, 2502, 9999}
    got = [(r.line_no, r.fields["id"], r.text) for r in Reader(path, lines=wanted)]
    assert got == [(n, f"r{n - 1}", f"text {n - 1}") for n in sorted(wanted) if n <= 2500]
    assert list(Reader(path, lines=set())) == []
