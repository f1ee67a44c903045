r"""Streaming readers and writers: documents in, records out, one at a time.

Receives a path: a text file (one document), a directory of text files (each a document,
found recursively, in sorted order), a JSONL file (one JSON object per line, optionally
``.gz`` or ``.zst`` compressed), or ``"-"`` for standard input. Hands on `Record`\ s one at a
time from a generator, so memory does not grow with the size of the input; the `Reader` keeps
`ReadStats` (documents read, bytes, records skipped and why) for the summary at the end.

Writers go the other way: `JsonlWriter` (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst`` or stdout)
and `TreeWriter` (text files in an output directory that mirrors the input tree). File outputs
are written to a temporary name and renamed when complete, so an interrupted run never leaves
a truncated file that looks finished.

Nothing is dropped silently: a record that cannot be read raises `dedup.RecordError` naming
the file and line, or, with ``on_error="skip"``, is counted in `ReadStats` by reason.

Example:
    >>> import json, tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "in.jsonl").write_text('{"id": 1, "text": "Hello"}\n{"id": 2}\n')
    >>> reader = Reader(tmp / "in.jsonl", on_error="skip")
    >>> [(r.where, r.text) for r in reader]  # doctest: +ELLIPSIS
    [('...in.jsonl:1', 'Hello')]
    >>> reader.stats.skipped, list(reader.stats.skipped_by_reason)
    (1, ["missing field 'text'"])
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import importlib
import io
import json
import os
import secrets
import stat
import sys
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Literal, TypeVar, cast

from dedup.errors import ConfigError, MissingExtraError, RecordError

Format = Literal["auto", "text", "jsonl", "parquet"]
TextErrors = Literal["strict", "replace"]
OnError = Literal["raise", "skip"]
#: What an input holds: one text document, JSONL records, or a directory of files.
InputKind = Literal["document", "records", "tree"]

FORMATS: tuple[str, ...] = ("auto", "text", "jsonl", "parquet")
TEXT_ERRORS: tuple[str, ...] = ("strict", "replace")
ON_ERROR: tuple[str, ...] = ("raise", "skip")
#: Suffixes read as JSONL (before any compression suffix).
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson")
#: Compression suffixes and their codec.
COMPRESSION_SUFFIXES: dict[str, str] = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
#: Name of the standard streams in messages and records.
STDIN_NAME = "<stdin>"

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_BOM = b"\xef\xbb\xbf"
_ZSTD_PIP = "pip install 'dedup[zstd]'"
_PARQUET_PIP = "pip install 'dedup[parquet]'"
#: Rows a Parquet reader decodes, and a Parquet writer buffers, at a time.
PARQUET_BATCH = 2048
# Bytes read from a file per call; big enough that the Python overhead per read is negligible.
_CHUNK = 1 << 16
# Compressed bytes given to the zstd decompressor per call (see `_ZstdFrames`).
_ZSTD_FEED = 256


@dataclass(frozen=True, slots=True)
class Record:
    """One document read from an input.

    Attributes:
        text: the document's text.
        source: the file it came from, as given on the command line, or ``"<stdin>"``.
        line_no: 1-based line of the record in a JSONL file (row, in a Parquet file); ``None``
            for a text file.
        fields: the whole JSON object of a JSONL record (text field included); ``None`` for a
            text file.
        relpath: for a file found in an input directory, its path relative to that directory
            (``/``-separated); ``None`` otherwise.
    """

    text: str
    source: str
    line_no: int | None = None
    fields: dict[str, Any] | None = None
    relpath: str | None = None

    @property
    def where(self) -> str:
        """Return ``"file:line"`` (JSONL) or ``"file"`` (text), for messages."""
        return self.source if self.line_no is None else f"{self.source}:{self.line_no}"

    @property
    def id(self) -> str:
        """Return the record's ``id`` field if it has one, else its relative path or `where`."""
        if self.fields is not None and self.fields.get("id") is not None:
            return str(self.fields["id"])
        if self.relpath is not None:
            return self.relpath
        return self.where


@dataclass(slots=True)
class ReadStats:
    """What a `Reader` has read so far.

    Attributes:
        documents: records handed on.
        bytes_in: UTF-8 bytes of the text of those records.
        files: input files opened.
        replaced: records in which undecodable bytes were replaced by U+FFFD
            (``errors="replace"``).
        skipped: records skipped (``on_error="skip"``).
        skipped_by_reason: how many records were skipped for each kind of problem.
        first_skipped: for each kind of problem, the full message of its first occurrence.
    """

    documents: int = 0
    bytes_in: int = 0
    files: int = 0
    replaced: int = 0
    skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    first_skipped: dict[str, str] = field(default_factory=dict)

    def skip(self, reason: str, message: str) -> None:
        """Count one skipped record under ``reason``; keep the first message of each reason."""
        self.skipped += 1
        self.skipped_by_reason[reason] = self.skipped_by_reason.get(reason, 0) + 1
        self.first_skipped.setdefault(reason, message)


class _BadRecord(Exception):
    """Internal: one record cannot be read; ``reason`` is its kind, ``message`` the details."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        msg = f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
        raise ConfigError(msg)


def split_suffixes(path: str | os.PathLike[str]) -> tuple[str, str | None]:
    """Return ``(format, compression)`` that a file name implies.

    Args:
        path: a file name such as ``dump.jsonl.zst``.

    Returns:
        ``("jsonl", "parquet" or "text", "gzip" / "zstd" / None)``.

    Raises:
        RecordError: the name ends in ``.json``: a single JSON document, not one per line.

    Example:
        >>> split_suffixes("dump.jsonl.zst"), split_suffixes("page.txt")
        (('jsonl', 'zstd'), ('text', None))
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    compression = COMPRESSION_SUFFIXES.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in JSONL_SUFFIXES:
        return "jsonl", compression
    if last == ".parquet" and compression is None:
        return "parquet", None  # compressed inside, by column
    if last == ".json":
        msg = (
            f"{os.fspath(path)}: .json files are not read (a single JSON document); if the file "
            "holds one JSON object per line, rename it to .jsonl or pass format='jsonl' "
            "(--format jsonl)"
        )
        raise RecordError(msg)
    return "text", compression


def _pyarrow_parquet() -> ModuleType:
    """Import pyarrow.parquet, or say which extra installs it."""
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError as exc:  # the extra is optional
        msg = f"reading or writing .parquet files needs the pyarrow package: {_PARQUET_PIP}"
        raise MissingExtraError(msg) from exc


def _zstandard() -> ModuleType:
    """Import zstandard, or say which extra installs it."""
    try:
        import zstandard
    except ImportError as exc:  # the extra is optional
        msg = f"reading or writing .zst files needs the zstandard package: {_ZSTD_PIP}"
        raise MissingExtraError(msg) from exc
    return zstandard


class _ZstdFrames(io.RawIOBase):
    """Decompress every zstd frame of a stream; a stream that ends inside a frame raises.

    zstandard's own ``stream_reader`` returns a silent end of file on a truncated frame (the
    records in it would be lost without a word), so frames are followed here with
    ``decompressobj``, whose ``eof`` says whether the current frame is complete. Files from
    parallel compressors (``pzstd``, ``zstd -T``) hold several frames: all are read.
    """

    def __init__(self, raw: IO[bytes], zstd: ModuleType) -> None:
        super().__init__()
        self._raw = raw
        self._new = zstd.ZstdDecompressor().decompressobj
        self._dobj = self._new()
        self._in_frame = False
        self._in = b""  # compressed bytes read and not yet fed
        self._in_pos = 0
        self._buf = b""  # decompressed bytes not yet handed on
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:  # noqa: ANN401 - a writable buffer (bytearray, memoryview)
        while self._pos >= len(self._buf):
            if self._in_pos >= len(self._in):
                self._in, self._in_pos = self._raw.read(_CHUNK), 0
                if not self._in:
                    if self._in_frame:
                        msg = "the compressed file ends inside a zstd frame"
                        raise EOFError(msg)
                    return 0
            # decompressobj has no output limit: feeding small slices bounds what one call
            # can produce (text compresses ~5-20x: a few kB per slice; a highly repetitive
            # dump a few 100x; a run-length block of 4 bytes at most 128 kB). Slicing costs
            # little: 250 MB/s of output, far above the cleaner's speed.
            piece = self._in[self._in_pos : self._in_pos + _ZSTD_FEED]
            self._in_pos += len(piece)
            self._buf, self._pos = self._feed(piece), 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos : self._pos + n]
        self._pos += n
        return n

    def _feed(self, data: bytes) -> bytes:
        out = []
        while data:
            self._in_frame = True
            out.append(self._dobj.decompress(data))
            data = b""
            if self._dobj.eof:  # the frame is complete; what follows starts the next one
                data = self._dobj.unused_data
                self._dobj = self._new()
                self._in_frame = False
        return b"".join(out)


def _decompress(raw: IO[bytes], compression: str | None) -> IO[bytes]:
    """Wrap a binary stream so that reading it yields decompressed bytes."""
    if compression == "gzip":
        return cast("IO[bytes]", gzip.GzipFile(fileobj=raw, mode="rb"))
    if compression == "zstd":
        return cast("IO[bytes]", io.BufferedReader(_ZstdFrames(raw, _zstandard()), _CHUNK))
    return raw


def _decompress_errors() -> tuple[type[BaseException], ...]:
    """Return the exceptions a corrupt or truncated compressed stream raises."""
    errors: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
    zstd = sys.modules.get("zstandard")  # only ever raised once zstandard has been imported
    if zstd is not None:
        errors = (*errors, zstd.ZstdError)
    return errors


def _line_of(data: bytes, pos: int) -> tuple[int, int]:
    """Return the 1-based line and column of byte offset ``pos`` in ``data``."""
    line_start = data.rfind(b"\n", 0, pos) + 1
    return data.count(b"\n", 0, pos) + 1, pos - line_start + 1


def _decode(data: bytes, errors: str, where: str, *, line_no: int | None) -> tuple[str, bool]:
    """Decode UTF-8; return the text and whether bytes were replaced.

    Raises `_BadRecord` naming the file, line and byte when ``errors`` is strict.
    """
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if errors == "replace":
            return data.decode("utf-8", errors="replace"), True
        bad = data[exc.start : exc.start + 1].hex()
        line, col = _line_of(data, exc.start)
        if line_no is not None:  # a JSONL record: the line is the record's, the column is ours
            line = line_no
        msg = (
            f"{where}:{line}: byte 0x{bad} at column {col} is not valid UTF-8; re-encode the "
            "file as UTF-8, or replace undecodable bytes with U+FFFD using --errors replace "
            "(errors='replace')"
        )
        kind = "undecodable bytes"
        raise _BadRecord(kind, msg) from None


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def parse_jsonl_line(
    line: bytes,
    *,
    source: str,
    line_no: int,
    text_field: str = "text",
    errors: TextErrors = "strict",
) -> tuple[dict[str, Any], bool]:
    """Parse one JSONL line into its object; return it and whether bytes were replaced.

    Args:
        line: the raw bytes of the line (line break included or not).
        source: the file name, for messages.
        line_no: the 1-based line number, for messages.
        text_field: the field that must hold the document text as a string.
        errors: ``"strict"`` or ``"replace"`` (undecodable bytes become U+FFFD).

    Raises:
        RecordError: invalid UTF-8, invalid JSON, not an object, or the text field is missing
            or not a string; the message says which and how to fix it.

    Example:
        >>> parse_jsonl_line(b'{"text": "hi", "n": 1}', source="x.jsonl", line_no=1)
        ({'text': 'hi', 'n': 1}, False)
    """
    try:
        return _parse_jsonl_line(line, source, line_no, text_field, errors)
    except _BadRecord as bad:
        raise RecordError(bad.message) from None


def _parse_jsonl_line(
    line: bytes, source: str, line_no: int, text_field: str, errors: str
) -> tuple[dict[str, Any], bool]:
    where = f"{source}:{line_no}"
    text, replaced = _decode(line, errors, source, line_no=line_no)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{where}: invalid JSON ({exc.msg} at column {exc.colno}): {text.strip()[:80]!r}"
        kind = "invalid JSON"
        raise _BadRecord(kind, msg) from None
    if not isinstance(obj, dict):
        msg = f"{where}: expected a JSON object ({{...}}) per line, got {_type_name(obj)}"
        kind = "not a JSON object"
        raise _BadRecord(kind, msg)
    if text_field not in obj:
        have = ", ".join(map(repr, list(obj)[:10])) or "none"
        msg = (
            f"{where}: no field {text_field!r} (fields: {have}); name the field that holds "
            "the text with --text-field (text_field=...)"
        )
        kind = f"missing field {text_field!r}"
        raise _BadRecord(kind, msg)
    if not isinstance(obj[text_field], str):
        msg = f"{where}: field {text_field!r} is {_type_name(obj[text_field])}, expected a string"
        kind = f"field {text_field!r} not a string"
        raise _BadRecord(kind, msg)
    return obj, replaced


def _utf8_len(text: str) -> int:
    # surrogatepass: JSON escapes can carry lone surrogates; they still have a size.
    return len(text.encode("utf-8", errors="surrogatepass"))


class Reader:
    r"""Stream the documents of an input, one `Record` at a time.

    Args:
        path: a text file, a directory, a ``.jsonl`` / ``.ndjson`` file (optionally ``.gz`` or
            ``.zst``), or ``"-"`` for standard input.
        format: ``"auto"`` (by file name; standard input is sniffed: a first line that is a
            JSON object means JSONL), ``"text"`` or ``"jsonl"``. In a directory it applies to
            every file found.
        text_field: the JSONL field holding the document text.
        glob: which files of a directory to read, matched recursively (``Path.rglob``).
        errors: ``"strict"`` (undecodable bytes raise) or ``"replace"`` (they become U+FFFD).
        on_error: ``"raise"`` (the first unreadable record raises `RecordError`) or ``"skip"``
            (it is counted in `stats`, by reason, and reading goes on).
        lines: read only these 1-based lines of a JSONL file (rows of a Parquet file); the
            others are not parsed, nor checked. ``None`` (the default): every line.

    Attributes:
        kind: ``"document"`` (one text), ``"records"`` (JSONL) or ``"tree"`` (a directory).
        stats: the `ReadStats` so far.
        total_bytes: the size of the input files, when known (for progress bars).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ConfigError: an option has a value it does not allow.
        MissingExtraError: a ``.zst`` input and zstandard is not installed.

    Example:
        >>> import pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "b.txt").write_text("B"); _ = (d / "sub").mkdir()
        >>> _ = (d / "sub" / "a.txt").write_text("A"); _ = (d / "skip.md").write_text("?")
        >>> [(r.relpath, r.text) for r in Reader(d)]
        [('b.txt', 'B'), ('sub/a.txt', 'A')]
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        format: Format = "auto",
        text_field: str = "text",
        glob: str = "*.txt",
        errors: TextErrors = "strict",
        on_error: OnError = "raise",
        lines: Collection[int] | None = None,
    ) -> None:
        _check_choice("format", format, FORMATS)
        _check_choice("errors", errors, TEXT_ERRORS)
        _check_choice("on_error", on_error, ON_ERROR)
        if not text_field:
            msg = "text_field must name a field, got ''"
            raise ConfigError(msg)
        if not glob:
            msg = "glob must be a pattern such as '*.txt', got ''"
            raise ConfigError(msg)
        self.path = os.fspath(path)
        self.format = format
        self.text_field = text_field
        self.glob = glob
        self.errors = errors
        self.on_error = on_error
        self.lines = lines
        self.stats = ReadStats()
        self.total_bytes: int | None = None
        self._done_bytes = 0  # bytes of input files finished
        self._raw: IO[bytes] | None = None  # the file being read, for its position
        self._stdin: tuple[IO[bytes], bytes, str] | None = None
        self._files: list[Path] = []
        self.kind: InputKind
        if self.path == "-":
            self._stdin = self._sniff_stdin()
            self.kind = "records" if self._stdin[2] == "jsonl" else "document"
        elif Path(self.path).is_dir():
            self.kind = "tree"
            root = Path(self.path)
            found = (p for p in root.rglob(self.glob) if p.is_file())
            self._files = sorted(found, key=lambda p: p.relative_to(root).parts)
            self.total_bytes = sum(p.stat().st_size for p in self._files)
        elif Path(self.path).exists():  # a file, or a pipe such as <(zcat dump.jsonl.gz)
            fmt = self.format if self.format != "auto" else split_suffixes(self.path)[0]
            self.kind = "records" if fmt == "jsonl" else "document"
            if split_suffixes(self.path)[1] == "zstd":
                _zstandard()  # fail now, before any output is opened
            if fmt == "parquet":
                self.kind = "records"
                _pyarrow_parquet()
            size = Path(self.path).stat().st_size
            self.total_bytes = size if Path(self.path).is_file() else None
        else:
            raise FileNotFoundError(errno.ENOENT, "no such input file or directory", self.path)

    @property
    def files(self) -> list[Path]:
        """Return the files a directory input will read, in reading order (empty otherwise)."""
        return list(self._files)

    @property
    def bytes_read(self) -> int:
        """Return how many bytes of the input files have been read (compressed, if they are)."""
        pos = 0
        if self._raw is not None:
            with contextlib.suppress(OSError, ValueError):
                pos = self._raw.tell()
        return self._done_bytes + pos

    def __iter__(self) -> Iterator[Record]:
        if self._stdin is not None:
            stream, first, fmt = self._stdin
            self._stdin = None  # standard input can be read only once
            self.stats.files += 1
            if fmt == "jsonl":
                yield from self._jsonl_lines(_chain_first(first, stream), STDIN_NAME)
            else:
                data = first + _read_all(stream, STDIN_NAME)
                yield from self._text_record(data, STDIN_NAME, None)
        elif self.kind == "tree":
            root = Path(self.path)
            for p in self._files:
                rel = p.relative_to(root).as_posix()
                yield from self._read_file(p, str(p), rel)
        else:
            yield from self._read_file(Path(self.path), self.path, None)

    def _read_file(self, path: Path, name: str, relpath: str | None) -> Iterator[Record]:
        fmt, compression = split_suffixes(path)
        if self.format != "auto":
            fmt = self.format
        self.stats.files += 1
        if fmt == "parquet":
            yield from self._parquet_rows(path, name, relpath)
            return
        with path.open("rb") as raw:
            size = os.fstat(raw.fileno()).st_size
            self._raw = raw
            try:
                stream = _decompress(raw, compression)
                if fmt == "jsonl":
                    yield from self._jsonl_lines(stream, name, relpath)
                else:
                    yield from self._text_record(_read_all(stream, name), name, relpath)
            finally:
                self._raw = None
                self._done_bytes += size

    def _parquet_rows(self, path: Path, name: str, relpath: str | None) -> Iterator[Record]:
        """Yield each row of a Parquet file as a record; ``line_no`` is the 1-based row."""
        pq = _pyarrow_parquet()
        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... on a bad file
            msg = f"{name}: not a readable Parquet file ({type(exc).__name__}: {exc})"
            raise RecordError(msg) from None
        columns = pf.schema_arrow.names
        if self.text_field not in columns:
            have = ", ".join(map(repr, columns[:10])) or "none"
            msg = (
                f"{name}: no column {self.text_field!r} (columns: {have}); name the column "
                "that holds the text with --text-field (text_field=...)"
            )
            raise RecordError(msg)
        wanted = self.lines
        done = 0  # rows of the batches before this one
        try:
            for batch in pf.iter_batches(batch_size=PARQUET_BATCH):
                start, done = done, done + batch.num_rows
                if wanted is None:
                    rows: Iterable[tuple[int, dict[str, Any]]] = enumerate(batch.to_pylist())
                else:  # only the wanted rows are turned into Python objects
                    keep = [k for k in range(batch.num_rows) if start + k + 1 in wanted]
                    rows = zip(keep, batch.take(keep).to_pylist() if keep else [], strict=True)
                for k, row in rows:
                    row_no = start + k + 1
                    text = row[self.text_field]
                    if not isinstance(text, str):
                        where = f"{name}:{row_no}"
                        field_name = self.text_field
                        got = _type_name(text)
                        msg = f"{where}: column {field_name!r} is {got}, expected a string"
                        self._bad(_BadRecord(f"field {field_name!r} not a string", msg))
                        continue
                    self.stats.documents += 1
                    self.stats.bytes_in += _utf8_len(text)
                    yield Record(text, name, line_no=row_no, fields=row, relpath=relpath)
        finally:
            self._done_bytes += path.stat().st_size

    def _text_record(self, data: bytes, name: str, relpath: str | None) -> Iterator[Record]:
        data = data.removeprefix(_BOM)
        try:
            text, replaced = _decode(data, self.errors, name, line_no=None)
        except _BadRecord as bad:
            self._bad(bad)
            return
        self.stats.replaced += replaced
        self.stats.documents += 1
        self.stats.bytes_in += _utf8_len(text)
        yield Record(text, name, relpath=relpath)

    def _jsonl_lines(
        self, stream: Iterable[bytes] | IO[bytes], name: str, relpath: str | None = None
    ) -> Iterator[Record]:
        lines = iter(stream)
        line_no = 0
        while True:
            try:
                line = next(lines, None)
            except _decompress_errors() as exc:
                # gzip raises BadGzipFile (OSError) or EOFError, zstandard ZstdError or EOFError
                msg = (
                    f"{name}:{line_no + 1}: cannot read the file after line {line_no} "
                    f"({type(exc).__name__}: {exc}); the file is corrupt or truncated"
                )
                raise RecordError(msg) from None
            if line is None:
                return
            line_no += 1
            if self.lines is not None and line_no not in self.lines:
                continue
            if line_no == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():  # blank lines hold no record (e.g. a trailing newline)
                continue
            try:
                obj, replaced = _parse_jsonl_line(line, name, line_no, self.text_field, self.errors)
            except _BadRecord as bad:
                self._bad(bad)
                continue
            text = obj[self.text_field]
            self.stats.replaced += replaced
            self.stats.documents += 1
            self.stats.bytes_in += _utf8_len(text)
            yield Record(text, name, line_no=line_no, fields=obj, relpath=relpath)

    def _bad(self, bad: _BadRecord) -> None:
        if self.on_error == "raise":
            raise RecordError(bad.message)
        self.stats.skip(bad.reason, bad.message)

    def _sniff_stdin(self) -> tuple[IO[bytes], bytes, str]:
        """Open standard input, undo compression, and decide text or JSONL on its first line."""
        stream: IO[bytes] = sys.stdin.buffer
        head = stream.peek(4)[:4] if isinstance(stream, io.BufferedReader) else b""
        if head.startswith(_GZIP_MAGIC):
            stream = _decompress(stream, "gzip")
        elif head.startswith(_ZSTD_MAGIC):
            stream = _decompress(stream, "zstd")
        first = stream.readline()
        fmt = self.format
        if fmt == "auto":
            fmt = "jsonl" if _looks_like_json_object(first) else "text"
        return stream, first, fmt


def _looks_like_json_object(line: bytes) -> bool:
    line = line.removeprefix(_BOM).strip()
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:  # JSONDecodeError, or UnicodeDecodeError on bytes that are not UTF-8
        return False


def _chain_first(first: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from stream


def _read_all(stream: IO[bytes], name: str) -> bytes:
    try:
        return stream.read()
    except _decompress_errors() as exc:
        msg = (
            f"{name}: cannot read the file ({type(exc).__name__}: {exc}); the file is "
            "corrupt or truncated"
        )
        raise RecordError(msg) from None


def read_records(
    path: str | os.PathLike[str],
    *,
    format: Format = "auto",
    text_field: str = "text",
    glob: str = "*.txt",
    errors: TextErrors = "strict",
    on_error: OnError = "raise",
) -> Iterator[Record]:
    r"""Yield the `Record`\ s of an input; the options are those of `Reader`.

    Use `Reader` directly to see the `ReadStats` (skipped records) afterwards.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "page.txt"
        >>> _ = p.write_text("Title\nBody.")
        >>> [r.text for r in read_records(p)]
        ['Title\nBody.']
    """
    yield from Reader(
        path, format=format, text_field=text_field, glob=glob, errors=errors, on_error=on_error
    )


# --------------------------------------------------------------------------- writers


def is_jsonl_path(path: str | os.PathLike[str]) -> bool:
    """Return whether an output path names a JSONL file (``.jsonl``, ``.ndjson``, + gz/zst)."""
    try:
        return split_suffixes(path)[0] == "jsonl"
    except RecordError:
        return False


class _AtomicFile:
    """A binary file written under a temporary name and renamed into place on `commit`.

    The file gets the permissions ``open`` would give it: those of the file it replaces, or
    for a new one 0666 less the umask (`tempfile.mkstemp` makes every file 0600, which left
    each output unreadable by the group and others).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            keep: int | None = stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            keep = None  # a new file: os.open's mode, less the umask
        # A new name of 64 random bits, created only if it does not exist (O_EXCL).
        self.tmp = self.path.parent / f".{self.path.name}.{secrets.token_hex(8)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(self.tmp, flags, 0o666)
        if keep is not None:
            self.tmp.chmod(keep)
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.file.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


class _Writer:
    """A writer used as a context manager: `close` on success, `abort` on an exception."""

    def close(self) -> None:
        """Finish the output."""
        raise NotImplementedError

    def abort(self) -> None:
        """Undo the partial output."""
        raise NotImplementedError

    def __enter__(self: _W) -> _W:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


_W = TypeVar("_W", bound=_Writer)


class JsonlWriter(_Writer):
    r"""Write JSON objects one per line to a file (``.gz`` / ``.zst`` by name) or stdout.

    Use it as a context manager: on success the file is renamed into place; on an exception
    the partial file is removed.

    Args:
        path: the output file, or ``"-"`` for standard output.

    Attributes:
        records: objects written so far.

    Raises:
        MissingExtraError: a ``.zst`` output and zstandard is not installed.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl.gz"
        >>> with JsonlWriter(p) as w:
        ...     w.write({"id": 1, "text": "é"})
        >>> [r.fields for r in Reader(p)]
        [{'id': 1, 'text': 'é'}]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.records = 0
        self._atomic: _AtomicFile | None = None
        self._compressor: IO[bytes] | None = None
        if self.path == "-":
            self._out: IO[bytes] = sys.stdout.buffer
            return
        compression = split_suffixes(self.path)[1]
        zstd = _zstandard() if compression == "zstd" else None
        self._atomic = _AtomicFile(self.path)
        self._out = self._atomic.file
        if compression == "gzip":
            gz = gzip.GzipFile(filename="", fileobj=self._atomic.file, mode="wb", mtime=0)
            self._compressor = self._out = cast("IO[bytes]", gz)
        elif zstd is not None:
            writer = zstd.ZstdCompressor().stream_writer(self._atomic.file, closefd=False)
            self._compressor = self._out = cast("IO[bytes]", writer)

    def write(self, obj: Mapping[str, Any]) -> None:
        """Write one object as a line of JSON (UTF-8, non-ASCII characters kept as they are)."""
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        try:
            data = line.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (from a \\udXXX escape in the input) has no UTF-8 form; the
            # ASCII form escapes it again, so the value round-trips exactly.
            data = json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        self._out.write(data + b"\n")
        self.records += 1

    def close(self) -> None:
        """Finish the file and move it into place (flush, for standard output)."""
        if self._compressor is not None:
            self._compressor.close()
            self._compressor = None
        if self._atomic is not None:
            self._atomic.commit()
            self._atomic = None
        else:
            self._out.flush()

    def abort(self) -> None:
        """Remove the partial file (after an error); standard output is only flushed."""
        if self._compressor is not None:
            with contextlib.suppress(Exception):  # the partial file is removed anyway
                self._compressor.close()
            self._compressor = None
        if self._atomic is not None:
            self._atomic.abort()
            self._atomic = None
        else:
            with contextlib.suppress(OSError):
                self._out.flush()


class ParquetWriter(_Writer):
    """Write records (mappings) to a Parquet file, a batch of rows at a time.

    The column types are those pyarrow infers from the first batch; a later row that does not
    fit them raises `RecordError`. Like `JsonlWriter`, the file is written under a temporary
    name and renamed into place on `close`; `abort` removes it.

    Args:
        path: the output ``.parquet`` file.

    Attributes:
        records: rows written so far.

    Raises:
        MissingExtraError: pyarrow is not installed.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.parquet"
        >>> with ParquetWriter(p) as w:
        ...     w.write({"id": 1, "text": "é"})
        >>> [(r.where.rsplit("/", 1)[-1], r.fields) for r in Reader(p)]
        [('out.parquet:1', {'id': 1, 'text': 'é'})]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._pq = _pyarrow_parquet()
        self.path = os.fspath(path)
        self.records = 0
        self._rows: list[Mapping[str, Any]] = []
        self._writer: Any = None
        self._atomic: _AtomicFile | None = _AtomicFile(self.path)
        self._atomic.file.close()  # pyarrow writes the temporary file by name

    def write(self, obj: Mapping[str, Any]) -> None:
        """Buffer one row; a full batch is written out."""
        self._rows.append(obj)
        self.records += 1
        if len(self._rows) >= PARQUET_BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._rows or self._atomic is None:
            return
        import pyarrow as pa

        schema = self._writer.schema if self._writer is not None else None
        try:
            table = pa.Table.from_pylist(self._rows, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            msg = (
                f"{self.path}: rows {self.records - len(self._rows) + 1}-{self.records} do not "
                f"fit the column types of the first rows ({exc}); write JSONL instead "
                "(-o out.jsonl), which has no fixed types"
            )
            raise RecordError(msg) from None
        if self._writer is None:
            self._writer = self._pq.ParquetWriter(str(self._atomic.tmp), table.schema)
        self._writer.write_table(table)
        self._rows = []

    def close(self) -> None:
        """Write the last rows, finish the file and move it into place."""
        if self._atomic is None:
            return
        if self._writer is None and not self._rows:
            import pyarrow as pa

            self._writer = self._pq.ParquetWriter(str(self._atomic.tmp), pa.schema([]))
        self._flush()
        self._writer.close()
        self._atomic.tmp.replace(self._atomic.path)
        self._atomic = None

    def abort(self) -> None:
        """Remove the partial file (after an error)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):  # the partial file is removed anyway
                self._writer.close()
        if self._atomic is not None:
            self._atomic.abort()
            self._atomic = None


def is_records_path(path: str | os.PathLike[str]) -> bool:
    """Return whether an output path names a file of records: JSONL (+ gz/zst) or Parquet."""
    try:
        return split_suffixes(path)[0] in ("jsonl", "parquet")
    except RecordError:
        return False


def open_records_writer(path: str | os.PathLike[str]) -> JsonlWriter | ParquetWriter:
    """Return the writer a records output's name asks for: `ParquetWriter` or `JsonlWriter`."""
    if os.fspath(path) != "-" and split_suffixes(path)[0] == "parquet":
        return ParquetWriter(path)
    return JsonlWriter(path)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    r"""Write ``text`` as UTF-8 to ``path`` (``"-"``: standard output), line breaks unchanged.

    A file is written under a temporary name and renamed, so it is either complete or absent.
    A name ending in ``.gz`` or ``.zst`` is compressed, as the readers expect.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "a" / "out.txt"
        >>> write_text(p, "one\r\ntwo")
        >>> p.read_bytes()
        b'one\r\ntwo'
    """
    write_bytes(path, text.encode("utf-8", errors="surrogatepass"))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` (``"-"``: standard output) as `write_text` writes text."""
    if os.fspath(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    compression = COMPRESSION_SUFFIXES.get(Path(path).suffix.lower())
    if compression == "gzip":
        data = gzip.compress(data, mtime=0)
    elif compression == "zstd":
        data = _zstandard().ZstdCompressor().compress(data)
    out = _AtomicFile(path)
    try:
        out.file.write(data)
    except BaseException:
        out.abort()
        raise
    out.commit()


class TreeWriter:
    """Write documents as text files under ``root``, mirroring their relative paths.

    Args:
        root: the output directory (created if missing).

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> TreeWriter(root).write("sub/page.txt", "Body.").relative_to(root).as_posix()
        'sub/page.txt'
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.files = 0
        if self.root.exists() and not self.root.is_dir():
            msg = f"{self.root}: the output exists and is not a directory"
            raise RecordError(msg)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, relpath: str) -> Path:
        """Return where ``relpath`` goes; refuse paths that would leave the output directory."""
        parts = [p for p in relpath.split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            msg = f"cannot write {relpath!r} under {self.root}: not a relative file path"
            raise RecordError(msg)
        return self.root.joinpath(*parts)

    def write(self, relpath: str, text: str) -> Path:
        """Write one document to ``root/relpath``; return the path written."""
        path = self.path_for(relpath)
        write_text(path, text)
        self.files += 1
        return path
