"""The ``dedup`` command: a thin layer over the public API and `dedup.io`.

Receives command-line arguments; reads documents with `dedup.io.Reader`, cleans each with
`dedup.clean_and_explain`, hands the results to a writer (text, a directory of text files, or
JSONL) and prints a summary on stderr. Subcommands register themselves in `COMMANDS`, so a new
one (``dedup dups``, a corpus-level ``--learn``) is one function that adds its parser.

Exit codes: 0 success; 2 a user error (bad option, unreadable input, malformed record: the
message on stderr says what and how to fix it, no traceback); 1 output closed early (a broken
pipe); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol

from dedup import __version__, batch, dups
from dedup.cleaner import COMPILED, clean_and_explain
from dedup.errors import ConfigError, DedupError, RecordError
from dedup.io import (
    FORMATS,
    ON_ERROR,
    STDIN_NAME,
    TEXT_ERRORS,
    Reader,
    ReadStats,
    Record,
    TreeWriter,
    is_jsonl_path,
    is_records_path,
    open_records_writer,
    split_suffixes,
    write_text,
)
from dedup.shingle import ShingleParams
from dedup.signatures import SignatureScheme
from dedup.types import KEPT_LABELS, REMOVAL_LABELS, CleanResult, Removal, Span

#: Suffix of the explanation written beside a text output with ``--explain``.
SIDECAR_SUFFIX = ".dedup.json"
#: Field added to JSONL records by ``--explain``.
EXPLAIN_FIELD = "dedup"
#: Seconds a run must last before the progress bar appears: short runs stay quiet.
PROGRESS_DELAY = 0.5

if TYPE_CHECKING:
    from dedup.learn import Cleaner
    from dedup.store import Store, StoreResult

    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

# --------------------------------------------------------------------------- shared pieces


def _add_input_options(p: argparse.ArgumentParser) -> None:
    """Options every command that reads documents shares."""
    p.add_argument(
        "input",
        metavar="INPUT",
        help="a text file, a directory of text files, a .jsonl/.jsonl.gz/.jsonl.zst file, "
        "or - for standard input",
    )
    p.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="JSONL field that holds the document text (default: text)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="input format; auto decides by file name (.jsonl, .ndjson, else text) and "
        "sniffs standard input (default: auto)",
    )
    p.add_argument(
        "--glob",
        default="*.txt",
        metavar="PATTERN",
        help="files to read from a directory, matched recursively (default: *.txt)",
    )
    p.add_argument(
        "--errors",
        choices=TEXT_ERRORS,
        default="strict",
        help="undecodable bytes: strict stops with the file and line; replace puts U+FFFD "
        "in their place and counts the documents (default: strict)",
    )
    p.add_argument(
        "--on-error",
        choices=ON_ERROR,
        default="raise",
        help="a record that cannot be read (bad JSON, missing text field, undecodable "
        "bytes): raise stops with file:line; skip counts it by reason in the summary "
        "(default: raise)",
    )


def _reader(args: argparse.Namespace) -> Reader:
    return Reader(
        args.input,
        format=args.format,
        text_field=args.text_field,
        glob=args.glob,
        errors=args.errors,
        on_error=args.on_error,
    )


def explanation(result: CleanResult, original: str | None = None) -> dict[str, Any]:
    r"""Return the ``dedup`` field ``--explain`` adds: removals and the metadata found.

    Args:
        result: what `dedup.clean_and_explain` returned for one document.
        original: the text that was cleaned; when given, each removal also carries the
            ``text`` it removed, so the record alone shows what went (``dedup report``
            rebuilds the original from the cleaned text and these).

    Returns:
        ``{"removals": [...], "title": ..., "byline": ..., "published": [...]}``; each removal
        is `dedup.Removal.to_dict` (``start``/``end`` are offsets into the original text),
        plus ``text`` when ``original`` is given.

    Example:
        >>> explanation(CleanResult(text=""))
        {'removals': [], 'title': None, 'byline': None, 'published': []}
        >>> page = "A headline\nShort Url\nThe body of the article, a sentence or two long."
        >>> field = explanation(clean_and_explain(page), page)
        >>> [(d["label"], d["text"]) for d in field["removals"]]
        [('chrome', 'Short Url\n')]
    """
    return {
        "removals": removal_dicts(result.removals, original),
        "title": result.title,
        "byline": result.byline,
        "published": list(result.published),
    }


def removal_dicts(removals: Sequence[Removal], original: str | None) -> list[dict[str, Any]]:
    """Return each removal as `dedup.Removal.to_dict` gives it (what ``--explain`` writes).

    With the ``original`` text, each also carries the ``text`` it removed.
    """
    out = [r.to_dict() for r in removals]
    if original is not None:
        for d, r in zip(out, removals, strict=True):
            d["text"] = r.span.slice(original)
    return out


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", errors="surrogatepass"))


def _read_problems(stats: ReadStats) -> Iterator[str]:
    """Yield the summary lines about records skipped or repaired while reading."""
    if stats.skipped:
        yield f"  skipped {stats.skipped:,} unreadable record(s) (--on-error skip):"
        for reason, n in stats.skipped_by_reason.items():
            yield f"    {n:,} {reason}; first: {stats.first_skipped[reason]}"
    if stats.replaced:
        yield (
            f"  replaced undecodable bytes with U+FFFD in {stats.replaced:,} document(s) "
            "(--errors replace)"
        )


def _input_warnings(reader: Reader) -> Iterator[str]:
    """Yield the summary lines about input left unread: no file matched, records skipped."""
    if reader.kind == "tree" and not reader.files:
        yield (
            f"  warning: no file in {reader.path} matched --glob {reader.glob!r}; "
            "choose the files with --glob, e.g. --glob '*.html.txt'"
        )
    yield from _read_problems(reader.stats)


def _print_err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- progress


class _Progress:
    """A tqdm bar over input bytes, shown only on a terminal and only on long runs."""

    def __init__(self, reader: Reader, *, quiet: bool, desc: str) -> None:
        self.reader = reader
        self.bar: Any = None
        self.last = 0
        self.docs = 0
        if quiet or not sys.stderr.isatty():
            return
        try:
            from tqdm import tqdm
        except ImportError:  # the progress extra is optional; the summary still comes
            return
        self.bar = tqdm(
            total=reader.total_bytes,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=desc,
            delay=PROGRESS_DELAY,
            leave=False,
            dynamic_ncols=True,
            file=sys.stderr,
        )

    def update(self) -> None:
        self.docs += 1
        if self.bar is None:
            return
        # Files report their read position; standard input only what was decoded.
        pos = self.reader.bytes_read if self.reader.path != "-" else self.reader.stats.bytes_in
        if pos > self.last:
            self.bar.update(pos - self.last)
            self.last = pos
        if self.docs % 256 == 0:
            self.bar.set_postfix_str(f"{self.docs:,} docs", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- clean: sinks


class _Sink(Protocol):
    """Where ``dedup clean`` puts each cleaned document."""

    description: str

    def write(self, record: Record, result: CleanResult) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class _TextSink:
    """One document to a text file or standard output; ``--explain`` beside it as JSON."""

    def __init__(self, path: str, *, explain: bool) -> None:
        self.path = path
        self.explain = explain
        self.description = "standard output" if path == "-" else path
        if explain and path != "-":
            self.description += f" (+ {path}{SIDECAR_SUFFIX})"

    def write(self, record: Record, result: CleanResult) -> None:
        text = result.text
        if self.path == "-" and sys.stdout.isatty() and text and not text.endswith("\n"):
            text += "\n"  # on a terminal only, so the shell prompt or summary starts a new line
        write_text(self.path, text)
        if self.explain:
            _write_sidecar(Path(self.path), record, result)

    def close(self) -> None:
        """Nothing to do: every document is written whole."""

    def abort(self) -> None:
        """Nothing to undo: a file is written whole or not at all."""


class _TreeSink:
    """Each document to ``root/<its path relative to the input directory>``."""

    def __init__(self, root: str, *, explain: bool) -> None:
        self.writer = TreeWriter(root)
        self.explain = explain
        self.description = f"{root}{os.sep}" if not root.endswith(("/", os.sep)) else root
        if explain:
            self.description += f" (explanations in *{SIDECAR_SUFFIX})"

    def write(self, record: Record, result: CleanResult) -> None:
        if record.fields is not None:
            msg = (
                f"{record.where}: a JSONL record cannot be written into a directory of text "
                "files; write JSONL instead, e.g. -o cleaned.jsonl"
            )
            raise ConfigError(msg)
        relpath = record.relpath
        if relpath is None:  # a single document: keep its file name
            relpath = "stdin.txt" if record.source == STDIN_NAME else Path(record.source).name
            target = self.writer.path_for(relpath)
            if record.source != STDIN_NAME and _same_file(str(target), record.source):
                msg = (
                    f"writing into {self.writer.root} would overwrite the input {record.source}; "
                    "choose another output directory"
                )
                raise ConfigError(msg)
        path = self.writer.write(relpath, result.text)
        if self.explain:
            _write_sidecar(path, record, result)

    def close(self) -> None:
        """Nothing to do: every file is written whole."""

    def abort(self) -> None:
        """Nothing to undo: files already written are complete."""


def _write_sidecar(path: Path, record: Record, result: CleanResult) -> None:
    data = {"id": record.id, **explanation(result, record.text)}
    write_text(f"{path}{SIDECAR_SUFFIX}", json.dumps(data, ensure_ascii=False, indent=1) + "\n")


class _JsonlSink:
    """Records out (JSONL or Parquet): every field passed through, the text cleaned."""

    def __init__(
        self,
        path: str,
        *,
        text_field: str,
        explain: bool,
        earlier: str = "an earlier --explain run",
    ) -> None:
        self.writer = open_records_writer(path)
        self.text_field = text_field
        self.explain = explain
        self.description = "standard output" if path == "-" else path
        self.replaced_explain_fields = 0
        self.earlier = earlier

    def write(self, record: Record, result: CleanResult) -> None:
        field = explanation(result, record.text) if self.explain else None
        self.put(record, result.text, field)

    def put(self, record: Record, text: str, field: dict[str, Any] | None) -> None:
        """Write ``record`` with ``text`` in its text field and ``field`` (if any) as ``dedup``."""
        if record.fields is not None:
            obj = dict(record.fields)
            obj[self.text_field] = text
        else:  # a text file: its path is its id
            obj = {"id": record.id, self.text_field: text}
        if field is not None:
            if EXPLAIN_FIELD in obj:
                self.replaced_explain_fields += 1
            obj[EXPLAIN_FIELD] = field
        self.writer.write(obj)

    def close(self) -> None:
        self.writer.close()
        if self.replaced_explain_fields:
            _print_err(
                f"dedup: note: {self.replaced_explain_fields:,} record(s) already had a "
                f"{EXPLAIN_FIELD!r} field ({self.earlier}?); it was replaced"
            )

    def abort(self) -> None:
        self.writer.abort()


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _open_sink(args: argparse.Namespace, reader: Reader) -> _Sink:
    """Choose the writer from the output name and what the input holds (docs/cli.md)."""
    out: str | None = args.output
    kind = reader.kind
    if out is None or out == "-":
        if kind == "document":
            if args.explain:
                msg = (
                    "--explain with cleaned text on standard output would mix the two; write "
                    "a file (-o out.txt also writes out.txt.dedup.json), JSONL "
                    "(-o out.jsonl), or see each line's label with: dedup explain INPUT"
                )
                raise ConfigError(msg)
            return _TextSink("-", explain=False)
        return _JsonlSink("-", text_field=args.text_field, explain=args.explain)
    if reader.path != "-" and _same_file(out, reader.path):
        msg = f"the output {out} is the input; choose another output path"
        raise ConfigError(msg)
    if is_records_path(out):
        return _JsonlSink(out, text_field=args.text_field, explain=args.explain)
    if kind == "records":
        msg = (
            f"the output of JSONL or Parquet input must be records: name it .jsonl, "
            f".jsonl.gz, .jsonl.zst or .parquet (or - for standard output), got {out!r}"
        )
        raise ConfigError(msg)
    to_dir = kind == "tree" or Path(out).is_dir() or out.endswith(("/", os.sep))
    if not to_dir:
        split_suffixes(out)  # refuses .json
        return _TextSink(out, explain=args.explain)
    if kind == "tree":
        src, dst = Path(reader.path).resolve(), Path(out).resolve()
        if dst == src or src in dst.parents:
            msg = (
                f"the output directory {out} is inside the input directory {reader.path}; "
                "a later run would read the cleaned files as input: choose a directory "
                "outside it"
            )
            raise ConfigError(msg)
        jsonl = [p for p in reader.files if args.format == "jsonl" or is_jsonl_path(p)]
        if jsonl:
            msg = (
                f"{jsonl[0]} is JSONL: a directory of JSONL files can be written only as "
                "JSONL, e.g. -o cleaned.jsonl"
            )
            raise ConfigError(msg)
    return _TreeSink(out, explain=args.explain)


# --------------------------------------------------------------------------- clean


class _Summary:
    """Totals for the summary ``dedup clean`` prints on stderr."""

    def __init__(self) -> None:
        self.documents = 0
        self.bytes_out = 0
        self.lines = 0
        self.removed: dict[str, int] = {}
        self.emptied = 0
        self.first_removed = 0  # the number of the first document with a removal (from 1)

    def add(self, text: str, result: CleanResult, lines: int) -> None:
        self.documents += 1
        self.bytes_out += _utf8_len(result.text)
        self.lines += lines
        for label, n in result.counts().items():
            self.removed[label] = self.removed.get(label, 0) + n
        if result.removals and not self.first_removed:
            self.first_removed = self.documents
        if text.strip() and not result.text.strip():
            self.emptied += 1

    def lines_of_report(
        self,
        reader: Reader,
        sink: _Sink,
        *,
        quiet: bool,
        notes: Sequence[str] = (),
        model: str | None = None,
    ) -> Iterator[str]:
        """Yield the summary's lines; ``model``: the learned model's file, `UNSAVED` if none."""
        stats = reader.stats
        if not quiet:
            share = f" ({self.bytes_out / stats.bytes_in:.0%} kept)" if stats.bytes_in else ""
            noun = "document" if self.documents == 1 else "documents"
            yield (
                f"dedup clean: {self.documents:,} {noun}, {stats.bytes_in:,} bytes in -> "
                f"{self.bytes_out:,} bytes out{share}"
            )
            yield from notes
            total = sum(self.removed.values())
            order = {label: i for i, label in enumerate(REMOVAL_LABELS)}
            by_label = sorted(self.removed.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99)))
            detail = ", ".join(f"{label} {n:,}" for label, n in by_label)
            yield f"  removed {total:,} of {self.lines:,} non-blank lines" + (
                f": {detail}" if detail else ""
            )
            if self.emptied:
                yield (
                    f"  {self.emptied:,} document(s) were all boilerplate: their cleaned text "
                    "is empty (the records are kept)"
                )
        # Warnings are printed even with --quiet: nothing is dropped without a word.
        yield from _input_warnings(reader)
        if not quiet:
            yield f"  wrote {sink.description}"
            if self.first_removed and reader.kind != "document":
                # The first document anything was removed from, explained as it was cleaned:
                # with the learned model when there is one (without, the learned lines stay).
                glob = f" --glob {shlex.quote(reader.glob)}" if reader.glob != "*.txt" else ""
                command = f"dedup explain {shlex.quote(reader.path)}{glob}"
                record = f"--record {self.first_removed}"
                if model == UNSAVED:
                    yield (
                        "  see why, line by line: learn with --model FILE to save the model, "
                        f"then: {command} --model FILE {record}"
                    )
                else:
                    with_model = f" --model {shlex.quote(model)}" if model is not None else ""
                    yield f"  see why, line by line: {command}{with_model} {record}"


#: ``model`` of `_Summary.lines_of_report` when the model was learned but not saved.
UNSAVED = "\0unsaved"


def _cmd_clean(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        from dedup.adapters.dask_cli import run_clean as run_on_dask

        return run_on_dask(args)
    _refuse_scheduler(args)
    if args.learn or args.model is not None:
        return _cmd_clean_learned(args)
    if args.min_pages is not None or args.learn_memory is not None:
        msg = "--min-pages and --learn-memory go with --learn"
        raise ConfigError(msg)
    reader = _reader(args)
    sink = _open_sink(args, reader)
    run_clean(reader, sink, clean_fn=clean_and_explain, quiet=args.quiet, jobs=args.jobs)
    return 0


#: Pages of a site a line must be on, by default, for ``--learn`` to learn it.
MIN_PAGES = 3


def _cmd_clean_learned(args: argparse.Namespace) -> int:
    """``dedup clean --learn`` / ``--model``: clean with the chrome learned per site."""
    from dedup.learn import Cleaner

    model: str | None = args.model
    if args.learn and args.input == "-":
        msg = (
            "--learn reads its input twice (once to learn each site's chrome, once to clean), "
            "so it needs a file: save standard input to a file first, or clean standard input "
            "with a model learned before: dedup clean - --model FILE"
        )
        raise ConfigError(msg)
    if not args.learn and (args.min_pages is not None or args.learn_memory is not None):
        msg = (
            "--min-pages and --learn-memory go with --learn; a model loaded with --model keeps "
            "the values it was learned with"
        )
        raise ConfigError(msg)
    reader = _reader(args)
    if model is not None and reader.path != "-" and _same_file(model, reader.path):
        msg = f"the model file {model} is the input; choose another --model path"
        raise ConfigError(msg)
    if model is not None and args.output not in (None, "-") and _same_file(model, args.output):
        msg = f"the model file {model} is the output; choose another --model path"
        raise ConfigError(msg)
    if args.learn:
        min_pages = MIN_PAGES if args.min_pages is None else args.min_pages
        budget = {} if args.learn_memory is None else {"max_pairs": args.learn_memory << 16}
        cleaner = Cleaner(
            min_pages=min_pages,
            **budget,
            text_field=args.text_field,
            site_field=args.site_field,
            url_field=args.url_field,
        )
    else:
        assert model is not None  # _cmd_clean sends only --learn or --model here
        cleaner = _load_model(model)
    sink = _open_sink(args, reader)  # refuses a wrong output before the long learning pass
    try:
        if args.learn:
            learner = _reader(args)
            progress = _Progress(learner, quiet=args.quiet, desc="dedup clean: learning")
            try:
                cleaner.partial_fit(_learning_docs(learner, progress))
            finally:
                progress.close()
            if model is not None:
                _save_model(cleaner, model)
        stats = cleaner.stats()  # also computes the learned counts once, before any fork
    except BaseException:
        sink.abort()
        raise
    notes = [_learned_note(stats, cleaner.min_pages, model=model, learned=args.learn)]
    site_fn = _SiteOf(args.site_field, args.url_field)
    run_clean(
        reader,
        sink,
        clean_fn=_LearnedClean(cleaner),
        quiet=args.quiet,
        jobs=args.jobs,
        doc_fn=site_fn,
        notes=notes,
        # With nothing learned the per-document cleaner decided everything: no model needed.
        model=None if not stats["learned_lines"] else UNSAVED if model is None else model,
    )
    return 0


def _load_model(path: str) -> Cleaner:
    """Return the `dedup.Cleaner` saved in ``path``; a missing file says how to make one."""
    from dedup.learn import Cleaner

    if not Path(path).is_file():
        msg = (
            f"{path}: no such model file; learn one first: dedup clean INPUT --learn "
            f"--model {shlex.quote(path)}"
        )
        raise ConfigError(msg)
    return Cleaner.load(path)


def _learning_docs(reader: Reader, progress: _Progress) -> Iterator[object]:
    """Yield what `Cleaner.partial_fit` reads of each record: its fields, or its text."""
    for record in reader:
        progress.update()
        yield record.fields if record.fields is not None else record.text


def _save_model(cleaner: Cleaner, path: str) -> None:
    try:
        cleaner.save(path)
    except sqlite3.Error as exc:  # e.g. its directory does not exist
        msg = f"{path}: cannot write the model ({exc}); check that its directory exists"
        raise ConfigError(msg) from exc


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _learned_note(
    stats: Mapping[str, int], min_pages: int, *, model: str | None, learned: bool
) -> str:
    """Return the summary line about the site chrome learned (or loaded from ``--model``)."""
    what = (
        f"{_plural(stats['learned_lines'], 'line', 'lines')} of site chrome on "
        f"{stats['sites_learned']:,} of {_plural(stats['sites'], 'site', 'sites')} "
        f"({min_pages}+ pages each)"
    )
    if not learned:
        return f"  used the model {model}: {what}, from {stats['documents']:,} documents"
    return f"  learned {what}" + (f"; saved the model to {model}" if model else "")


class _SiteOf:
    """The document `_LearnedClean` receives for a record: its text and its site (or None)."""

    def __init__(self, site_field: str, url_field: str) -> None:
        self.site_field = site_field
        self.url_field = url_field

    def __call__(self, record: Record) -> tuple[str, str | None]:
        return record.text, dups.site_of(record.fields, self.site_field, self.url_field)


class _LearnedClean:
    """``clean_fn`` of a learned `dedup.Cleaner`: cleans a (text, site) pair; pickles."""

    def __init__(self, cleaner: Cleaner) -> None:
        self.cleaner = cleaner

    def __call__(self, doc: tuple[str, str | None]) -> CleanResult:
        text, site = doc
        return self.cleaner.clean_and_explain(text, site=site)


def run_clean(
    reader: Reader,
    sink: _Sink,
    *,
    clean_fn: Callable[[Any], CleanResult],
    quiet: bool = False,
    jobs: int = 1,
    doc_fn: Callable[[Record], object] | None = None,
    notes: Sequence[str] = (),
    model: str | None = None,
) -> None:
    """Clean every record of ``reader`` into ``sink`` and print the summary on stderr.

    ``clean_fn`` is the per-document cleaner; it receives ``doc_fn(record)`` (default: the
    record's text), so a corpus-aware cleaner (``--learn``) plugs in without another loop.
    With ``jobs > 1`` it must be picklable (a module-level function, or an object whose state
    pickles); it is sent once to each worker. ``notes`` are summary lines printed after the
    first; ``model`` is the learned model's file the summary's hint names (`UNSAVED`: learned,
    not saved).
    """
    summary = _Summary()
    progress = _Progress(reader, quiet=quiet, desc="dedup clean")
    try:
        cleaned = clean_records(reader, clean_fn=clean_fn, jobs=jobs, doc_fn=doc_fn)
        for record, result, lines in cleaned:
            sink.write(record, result)
            summary.add(record.text, result, lines)
            progress.update()
    except BaseException:
        progress.close()
        sink.abort()
        raise
    progress.close()
    sink.close()
    for line in summary.lines_of_report(reader, sink, quiet=quiet, notes=notes, model=model):
        _print_err(line)


class Cleaned(NamedTuple):
    """One cleaned record: the record, its result, and its count of non-blank lines."""

    record: Record
    result: CleanResult
    lines: int


# What a worker process sends back for one document. Plain tuples pickle ~10x faster than the
# result dataclasses, and the per-line labels (the bulk of a result) stay behind: the writers
# need only the removals and metadata, the summary only the count of lines.
_Packed = tuple[
    str,
    list[tuple[int, int, str, str, str, "float | None"]],
    "str | None",
    "str | None",
    tuple[str, ...],
    list[tuple[int, int]],
    int,
]


class _Packer:
    """Runs ``clean_fn`` in a worker and packs its result (`_Packed`); pickles with it."""

    def __init__(self, clean_fn: Callable[[Any], CleanResult]) -> None:
        self.clean_fn = clean_fn

    def __call__(self, doc: object) -> _Packed:
        r = self.clean_fn(doc)
        removals = [
            (x.span.start, x.span.end, x.label, x.reason, x.detector, x.score) for x in r.removals
        ]
        titles = [(t.start, t.end) for t in r.titles]
        return (r.text, removals, r.title, r.byline, r.published, titles, len(r.line_labels))


def _unpack(packed: _Packed) -> tuple[CleanResult, int]:
    text, removals, title, byline, published, titles, lines = packed
    result = CleanResult(
        text=text,
        removals=tuple(
            Removal(Span(a, b), lab, why, det, sc) for a, b, lab, why, det, sc in removals
        ),
        title=title,
        byline=byline,
        published=published,
        titles=tuple(Span(a, b) for a, b in titles),
    )
    return result, lines


def _text_of(record: Record) -> str:
    return record.text


def _text_len(record: Record) -> int:
    return len(record.text)


def clean_records(
    records: Iterable[Record],
    *,
    clean_fn: Callable[[Any], CleanResult],
    jobs: int = 1,
    doc_fn: Callable[[Record], object] | None = None,
) -> Iterator[Cleaned]:
    """Yield each record with its result, in input order, cleaning in ``jobs`` processes.

    ``clean_fn`` receives ``doc_fn(record)``, by default the record's text; with ``jobs > 1``
    it runs in worker processes (`dedup.batch.in_order`: batches, bounded memory) and the
    results carry no ``line_labels`` (``Cleaned.lines`` has their count).
    """
    doc_of = _text_of if doc_fn is None else doc_fn
    if jobs <= 1:
        for record in records:
            result = clean_fn(doc_of(record))
            yield Cleaned(record, result, len(result.line_labels))
        return
    packer = _Packer(clean_fn)
    for record, packed in batch.in_order(records, packer, jobs=jobs, doc=doc_of, size=_text_len):
        yield Cleaned(record, *_unpack(packed))


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        msg = f"must be a whole number >= 0 (0: one per CPU core), got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return n if n > 0 else (os.cpu_count() or 1)


def _add_run_options(p: argparse.ArgumentParser, *, work: str) -> None:
    """Add ``--jobs`` and ``--quiet``, shared by the commands that process a whole input."""
    p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help=f"{work} in N processes (0: one per CPU core); the output is the same as with 1 "
        "(default: 1)",
    )
    _add_quiet(p)


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    """Add ``--engine`` and ``--scheduler`` (dedup dups, dedup clean)."""
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: this machine (default); dask: a Dask cluster (pip install 'dedup[dask]'): "
        "reads JSONL/Parquet files, writes a directory of part files (-o DIR; DIR.parquet for "
        "Parquet); the same answers",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the scheduler of an existing cluster (tcp://host:8786); "
        "default: a local cluster of --jobs worker processes",
    )


def _refuse_scheduler(args: argparse.Namespace) -> None:
    if args.scheduler:
        msg = "--scheduler goes with --engine dask"
        raise ConfigError(msg)


def _add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar and no summary (warnings stay)"
    )


def _min_pages(value: str) -> int:
    from dedup.learn import MAX_COUNT

    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 2 <= n <= MAX_COUNT:
        msg = f"must be a whole number from 2 to {MAX_COUNT}, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return n


def _add_clean(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser(
        "clean",
        help="remove boilerplate from documents",
        description="Remove boilerplate from each document of INPUT. Text in -> cleaned "
        "text out; JSONL in -> JSONL out with every other field passed through. A summary "
        "goes to stderr.",
    )
    _add_input_options(p)
    p.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="where to write: - (standard output, the default), a .jsonl/.jsonl.gz/.jsonl.zst "
        "file, a directory (mirrors an input directory) or a text file",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help=f"add the removals, title, byline and dates: a {EXPLAIN_FIELD!r} field in JSONL, "
        f"a FILE{SIDECAR_SUFFIX} beside each text output",
    )
    learn = p.add_argument_group(
        "site chrome learned across the input",
        "lines on many pages of one site (menus, footers, newsletter boxes, other pages' "
        "headlines) are removed as site_boilerplate, teaser or timestamp",
    )
    learn.add_argument(
        "--learn",
        action="store_true",
        help="read INPUT twice: learn each site's chrome, then clean with it (INPUT must be a "
        "file or directory)",
    )
    learn.add_argument(
        "--model",
        metavar="FILE",
        help="with --learn: save what was learned to FILE; without: clean with the model in "
        "FILE, learned before (one pass, so standard input works)",
    )
    learn.add_argument(
        "--min-pages",
        type=_min_pages,
        metavar="N",
        help=f"with --learn: a line is learned once it is on N different pages of a site "
        f"(and 2%% of its pages); sites with fewer pages learn nothing (default: {MIN_PAGES})",
    )
    learn.add_argument(
        "--learn-memory",
        type=_positive,
        metavar="MB",
        help="with --learn: memory for the counts (a merge briefly needs about 4x); beyond it, "
        "lines seen on one page so far are forgotten, so memory stays flat on any dump, at "
        "the cost of exact counts for rare lines (default: 64)",
    )
    _add_site_options(learn)
    _add_run_options(p, work="clean")
    _add_engine_options(p)
    p.set_defaults(func=_cmd_clean)


def _add_site_options(
    parser: argparse._ActionsContainer, *, infer: bool = True, lead: str = ""
) -> None:
    """Add ``--site-field`` and ``--url-field``: where a record names its site (`site_of`)."""
    inferred = ", else the site is inferred from the page's edge lines" if infer else ""
    parser.add_argument(
        "--site-field",
        default="site",
        metavar="NAME",
        help=f"{lead}the field naming a record's site; without it, the host of --url-field"
        f"{inferred} (default: site)",
    )
    parser.add_argument(
        "--url-field",
        default="url",
        metavar="NAME",
        help="the field of a record's URL (default: url)",
    )


# --------------------------------------------------------------------------- explain

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_LABEL_COLORS: dict[str, str] = {
    "title": "\x1b[1;32m",
    "content": "\x1b[32m",
    "duplicate_title": "\x1b[35m",
    "teaser": "\x1b[35m",
    "trailer": "\x1b[34m",
    "byline": "\x1b[36m",
    "timestamp": "\x1b[36m",
    "chrome": "\x1b[33m",
    "repeated_line": "\x1b[33m",
    "site_boilerplate": "\x1b[33m",
}
_REMOVED_COLOR = "\x1b[31m"  # labels no table above knows (added by a later detector)
# Control characters in scraped text would drive the terminal (colours, cursor moves):
# show them escaped instead. Tabs stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def use_color(choice: str, stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """Decide whether to colour output: ``always``, ``never``, or ``auto``.

    ``auto`` colours only a terminal, and not when ``NO_COLOR`` is set (https://no-color.org)
    or ``TERM`` is ``dumb``. ``always`` overrides ``NO_COLOR``, as command-line flags should.

    Example:
        >>> import io
        >>> use_color("auto", io.StringIO(), {}), use_color("always", io.StringIO(), {})
        (False, True)
    """
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return stream.isatty()


def format_explanation(text: str, result: CleanResult, *, color: bool) -> Iterator[str]:
    r"""Yield the lines ``dedup explain`` prints for one document.

    Each non-blank input line: its number, ``-`` (removed) or ``+`` (kept), its label and its
    text, then its reason on the next line. A header gives the metadata found; a footer counts
    the removals.

    Example:
        >>> from dedup.types import LineLabel, Span
        >>> ll = LineLabel(1, Span(0, 5), "content", "kept")
        >>> list(format_explanation("Hello", CleanResult("Hello", line_labels=(ll,)), color=False))
        ['title: -  byline: -  published: -', '1 + content          Hello', '                     kept', 'removed 0 of 1 non-blank lines']
    """  # noqa: E501 - a doctest's expected output is one line

    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if color and s else s

    published = _visible(", ".join(result.published)) or "-"
    title, byline = _visible(result.title or "-"), _visible(result.byline or "-")
    yield (
        f"{paint(_BOLD, 'title:')} {title}  {paint(_BOLD, 'byline:')} {byline}  "
        f"{paint(_BOLD, 'published:')} {published}"
    )
    width = len(str(result.line_labels[-1].line_no)) if result.line_labels else 1
    label_width = (
        max(15, *(len(ll.label) for ll in result.line_labels)) if result.line_labels else 15
    )
    indent = " " * (width + 3 + label_width + 2)
    for ll in result.line_labels:
        kept = ll.label in KEPT_LABELS
        mark = "+" if kept else "-"
        code = _LABEL_COLORS.get(ll.label, _REMOVED_COLOR)
        line = _visible(ll.span.slice(text))
        label = paint(code, ll.label.ljust(label_width))
        shown = line if kept else paint(_DIM, line)
        yield f"{ll.line_no:>{width}} {mark} {label}  {shown}".rstrip()
        yield f"{indent}{paint(_DIM, _visible(ll.reason))}"
    counts = result.counts()
    detail = ", ".join(f"{label} {n}" for label, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    yield f"removed {sum(counts.values())} of {len(result.line_labels)} non-blank lines" + (
        f": {detail}" if detail else ""
    )


def _select(reader: Reader, args: argparse.Namespace) -> Iterator[Record]:
    """Yield the records ``--record`` / ``--id`` pick (all of them if neither is given)."""
    if args.record is None and args.id is None:
        yield from reader
        return
    if args.record is not None and args.record < 1:
        msg = f"--record counts from 1, got {args.record}"
        raise ConfigError(msg)
    seen = 0
    for record in reader:
        seen += 1
        if seen == args.record or (args.id is not None and record.id == args.id):
            yield record
            return
    wanted = f"record {args.record}" if args.record is not None else f"record with id {args.id!r}"
    msg = f"{reader.path} has no {wanted} ({seen:,} readable record(s))"
    raise ConfigError(msg)


def _cmd_explain(args: argparse.Namespace) -> int:
    reader = _reader(args)
    color = use_color(args.color, sys.stdout)
    out = sys.stdout.buffer
    many = reader.kind != "document" and args.record is None and args.id is None
    # With a model, each document is explained as `dedup clean --model` cleans it: the same
    # cleaning function, given the same (text, site) of each record.
    clean_fn: Callable[[Any], CleanResult] = clean_and_explain
    doc_of: Callable[[Record], object] = _text_of
    if args.model is not None:
        clean_fn = _LearnedClean(_load_model(args.model))
        doc_of = _SiteOf(args.site_field, args.url_field)
    for record in _select(reader, args):
        result = clean_fn(doc_of(record))
        lines = list(format_explanation(record.text, result, color=color))
        if many or reader.kind != "document":
            head = _visible(f"== {record.where}  id: {record.id} ==")
            lines.insert(0, f"{_BOLD}{head}{_RESET}" if color else head)
        out.write(("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass"))
        if many:
            out.write(b"\n")
    out.flush()
    for reason, n in reader.stats.skipped_by_reason.items():
        first = reader.stats.first_skipped[reason]
        _print_err(f"dedup explain: skipped {n:,} record(s): {reason}; first: {first}")
    return 0


def _add_explain(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser(
        "explain",
        help="show each line with its label and the reason",
        description="Print every non-blank line of a document with its label (kept: title, "
        "content; removed: chrome, teaser, ...) and the reason. For JSONL or a directory, "
        "every document unless --record or --id picks one.",
    )
    _add_input_options(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--record", type=int, metavar="N", help="only the N-th document (counting from 1)"
    )
    which.add_argument(
        "--id", metavar="ID", help="only the document whose id field (or relative path) is ID"
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour labels: auto colours a terminal unless NO_COLOR is set (default: auto)",
    )
    p.add_argument(
        "--model",
        metavar="FILE",
        help="explain with the site chrome learned in FILE (dedup clean --learn --model FILE), "
        "as dedup clean --model FILE cleans; without it, the per-document cleaner's verdicts",
    )
    _add_site_options(p, lead="with --model: ")
    p.set_defaults(func=_cmd_explain)


# --------------------------------------------------------------------------- dups

#: Field ``dedup dups`` adds to each record (``--field`` renames it).
DUPS_FIELD = "dups"


def _dups_batches(
    reader: Reader,
    ids: list[str],
    sites: list[str | None],
    args: argparse.Namespace,
    progress: _Progress,
) -> Iterator[list[str]]:
    """Yield the texts of ``reader`` in batches; append each record's id and site."""
    batch: list[str] = []
    for record in reader:
        fields = record.fields or {}
        value = fields.get(args.id_field)
        ids.append(record.id if value is None else str(value))
        sites.append(dups.site_of(fields, args.site_field, args.url_field))
        batch.append(record.text)
        progress.update()
        if len(batch) >= dups.BATCH_DOCS:
            yield batch
            batch = []
    if batch:
        yield batch


def _cmd_dups(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        from dedup.adapters.dask_cli import run_dups

        return run_dups(args)
    _refuse_scheduler(args)
    if args.input == "-":
        msg = (
            "dedup dups reads its input twice (once to find the duplicates, once to write the "
            "records with their verdicts), so it needs a file: save standard input to a file "
            "first"
        )
        raise ConfigError(msg)
    reader = _reader(args)
    out = _records_output(args.output, reader, "dedup dups")
    scheme = SignatureScheme(
        num_perm=args.num_perm,
        seed=args.seed,
        shingle=ShingleParams(word_n=args.ngram),
    )
    finder = dups.DuplicateFinder(
        threshold=args.threshold,
        keep=args.keep,
        clean=not args.no_clean,
        scheme=scheme,
        min_shingles=args.min_shingles,
        workdir=args.workdir,
    )
    wall = time.perf_counter()
    ids: list[str] = []
    progress = _Progress(reader, quiet=args.quiet, desc="dedup dups: signing")
    try:
        sites: list[str | None] = []
        batches = _dups_batches(reader, ids, sites, args, progress)
        from dedup.learn import Cleaner

        learner = None if args.no_learn else Cleaner()
        dups.prepare_stream(batches, finder, ids, jobs=args.jobs, sites=sites, learner=learner)
    except BaseException:
        progress.close()
        finder.close()
        raise
    progress.close()
    result = finder.finish()
    # Second pass: the same records, in the same order, with their verdicts.
    writer = open_records_writer(out)
    again = _reader(args)
    progress = _Progress(again, quiet=args.quiet, desc="dedup dups: writing")
    dropped = seen = 0
    try:
        for i, record in enumerate(again):
            if i >= len(result):
                break
            seen += 1
            verdict = result.assignment(i)
            progress.update()
            if args.drop_duplicates and verdict.is_duplicate:
                dropped += 1
                continue
            obj: dict[str, Any] = (
                dict(record.fields)
                if record.fields is not None
                else {"id": record.id, args.text_field: record.text}
            )
            obj[args.field] = verdict.to_dict()
            writer.write(obj)
        if seen != len(result):
            msg = f"{reader.path} changed while it was read: run again on a file nobody writes"
            raise ConfigError(msg)
    except BaseException:
        progress.close()
        writer.abort()
        raise
    progress.close()
    writer.close()
    seconds = time.perf_counter() - wall
    if args.report:
        _write_dups_report(args.report, result, reader, seconds)
    for line in _dups_summary(result, reader, out, dropped, seconds, quiet=args.quiet):
        _print_err(line)
    return 0


def _records_output(output: str | None, reader: Reader, command: str) -> str:
    """Return where ``command`` writes its records (``-``: standard output); refuse the rest."""
    out = "-" if output is None else output
    if out != "-" and not is_records_path(out):
        msg = (
            f"the output of {command} is records: name it .jsonl(.gz/.zst) or .parquet, got {out!r}"
        )
        raise ConfigError(msg)
    if out != "-" and reader.path != "-" and _same_file(out, reader.path):
        msg = f"the output {out} is the input; choose another output path"
        raise ConfigError(msg)
    return out


def _dups_summary(
    result: dups.DuplicateResult,
    reader: Reader,
    out: str,
    dropped: int,
    seconds: float,
    *,
    quiet: bool,
) -> Iterator[str]:
    s = result.stats
    if not quiet:
        yield (
            f"dedup dups: {s.documents:,} documents in {seconds:.1f} s: {s.duplicates:,} "
            f"duplicates ({s.exact_duplicates:,} exact, {s.near_duplicates:,} near) in "
            f"{s.clusters:,} clusters; {s.documents - s.duplicates:,} unique"
        )
        if s.chrome_lines:
            yield (
                f"  learned {s.chrome_lines:,} line(s) of site chrome across the input, left out "
                "of the comparison (--no-learn turns it off)"
            )
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in s.seconds.items())
        yield (
            f"  threshold {result.threshold}, {result.scheme.num_perm} permutations, "
            f"{s.bands} bands x {s.rows} rows: {s.candidates:,} candidate pairs, "
            f"{s.verified:,} verified; CPU seconds: {cpu}"
        )
    if s.too_short:
        yield (
            f"  {s.too_short:,} document(s) too short for a signature were matched exactly "
            "only (see --min-shingles)"
        )
    if s.empty:
        yield (
            f"  {s.empty:,} document(s) were empty after cleaning: only byte-identical copies "
            "of them are merged"
        )
    yield from _read_problems(reader.stats)
    if not quiet:
        where = "standard output" if out == "-" else out
        kept = f" ({dropped:,} duplicates left out)" if dropped else ""
        yield f"  wrote {where}{kept}"


def _write_dups_report(
    path: str, result: dups.DuplicateResult, reader: Reader, seconds: float
) -> None:
    s = result.stats
    biggest = result.largest(20)
    report: dict[str, Any] = {
        "input": reader.path,
        "seconds": round(seconds, 3),
        "threshold": result.threshold,
        "scheme": result.scheme.to_dict(),
        "documents": s.documents,
        "exact_duplicates": s.exact_duplicates,
        "near_duplicates": s.near_duplicates,
        "clusters": s.clusters,
        "too_short": s.too_short,
        "empty": s.empty,
        "signed": s.signed,
        "chrome_lines": s.chrome_lines,
        "candidates": s.candidates,
        "verified": s.verified,
        "bands": s.bands,
        "rows": s.rows,
        "cpu_seconds": {k: round(v, 3) for k, v in s.seconds.items()},
        "skipped": dict(reader.stats.skipped_by_reason),
        "largest_clusters": [
            {"representative": c.representative, "size": len(c), "ids": list(c.ids[:50])}
            for c in biggest
        ],
    }
    write_text(path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")


def _fraction(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        x = -1.0
    if not 0.0 < x <= 1.0:
        msg = f"must be a number in (0, 1], got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return x


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        msg = f"must be a whole number >= 1, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return n


def _add_dups(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser(
        "dups",
        help="find exact and near-duplicate documents",
        description="Cluster the exact and near-duplicate documents of INPUT (JSONL, Parquet, "
        "a directory of text files) with MinHash-LSH on their cleaned text, and write every "
        f"record with a {DUPS_FIELD!r} field: its cluster, whether it is a duplicate and of "
        "which document, the estimated similarity. A summary goes to stderr.",
    )
    _add_input_options(p)
    p.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="a .jsonl/.jsonl.gz/.jsonl.zst or .parquet file, or - for standard output "
        "(JSONL, the default)",
    )
    p.add_argument(
        "--threshold",
        type=_fraction,
        default=0.8,
        help="minimum estimated similarity: the share of the shorter text's words the other "
        "reproduces in place; 0.8 catches copies with up to ~15%% of words edited (default: "
        "0.8)",
    )
    p.add_argument(
        "--keep",
        choices=dups.KEEP_CHOICES,
        default="longest",
        help="the member that represents a cluster: longest (independent of input order) or "
        "first (default: longest)",
    )
    p.add_argument(
        "--drop-duplicates",
        action="store_true",
        help="write only the records that are not duplicates (the summary counts the others)",
    )
    p.add_argument(
        "--no-clean",
        action="store_true",
        help="compare the raw texts instead of the texts dedup clean returns",
    )
    p.add_argument(
        "--no-learn",
        action="store_true",
        help="do not learn each site's chrome across the input (lines of the cleaned text seen "
        "on 3+ differently titled pages of a site are left out of the comparison)",
    )
    _add_site_options(p, infer=False)
    p.add_argument(
        "--field",
        default=DUPS_FIELD,
        metavar="NAME",
        help=f"the field written into each record (default: {DUPS_FIELD})",
    )
    p.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="the field holding a record's id; records without it are named file:line "
        "(default: id)",
    )
    p.add_argument("--num-perm", type=_positive, default=128, help="MinHash permutations")
    p.add_argument("--seed", type=int, default=1, help="MinHash seed (datasketch-compatible)")
    p.add_argument("--ngram", type=_positive, default=5, help="words per shingle (default: 5)")
    p.add_argument(
        "--min-shingles",
        type=_positive,
        default=8,
        help="texts with fewer distinct shingles are matched exactly only (default: 8)",
    )
    p.add_argument(
        "--report", metavar="FILE", help="also write the counts and largest clusters as JSON"
    )
    p.add_argument(
        "--workdir",
        metavar="DIR",
        help="directory for the temporary signature file (default: the system's temp dir)",
    )
    _add_run_options(p, work="clean and sign")
    _add_engine_options(p)
    p.set_defaults(func=_cmd_dups)


# --------------------------------------------------------------------------- store

#: Documents ``dedup store add`` hands to `dedup.Store.add_many` at a time (one transaction).
STORE_BATCH = 256
#: Locations that are not files: `dedup.Store` opens a server or memory for them.
_NOT_FILES = ("redis://", "rediss://", "unix://")


def _store_file(location: str) -> Path | None:
    """Return the file a store location names, or None for ``:memory:`` and servers."""
    if location == ":memory:" or location.startswith(_NOT_FILES):
        return None
    return Path(location)


def _open_store(args: argparse.Namespace, *, create: bool) -> Store:
    """Open the store at ``args.location``; only ``create`` makes a new one (a file, there)."""
    from dedup.store import Store

    location: str = args.location
    path = _store_file(location)
    if not create and path is not None and (not path.exists() or _empty_file(path)):
        msg = (
            f"no store at {location}; create one with dedup store add {shlex.quote(location)} INPUT"
        )
        raise ConfigError(msg)
    if not create:
        return Store(location)  # the store's own parameters
    no_learn = args.no_learn or args.no_clean  # learned chrome is removed by cleaning
    return Store(
        location,
        threshold=args.threshold,
        clean=False if args.no_clean else None,
        learn=False if no_learn else None,
    )


def _empty_file(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == 0


def _check_store_paths(location: str, reader: Reader, out: str) -> None:
    """Refuse an input or output that is the store file itself."""
    if _store_file(location) is None:
        return
    if reader.path != "-" and _same_file(reader.path, location):
        msg = f"the input {reader.path} is the store; give the documents to add or query"
        raise ConfigError(msg)
    if out != "-" and _same_file(out, location):
        msg = f"the output {out} is the store; choose another output path"
        raise ConfigError(msg)


def store_field(
    result: StoreResult, *, explain: bool = False, original: str | None = None
) -> dict[str, Any]:
    """Return the ``dedup`` field ``dedup store add`` and ``query`` write into each record.

    Args:
        result: what `dedup.Store.add` or `dedup.Store.query` returned for the record.
        explain: also give the removals (``--explain``), as `explanation` does.
        original: the record's raw text; with ``explain``, each removal then carries the
            ``text`` it removed.

    Returns:
        ``{"duplicate_of", "similarity", "match", "stored", "known", "too_short", "site"}``,
        plus ``"removals"`` with ``explain`` (``start``/``end``: offsets into the raw text).

    Example:
        >>> import dedup
        >>> with dedup.Store(":memory:", learn=False) as store:
        ...     text = "A storm hit the coast on Monday, closing roads and schools in the area."
        ...     _ = store.add("a", text)
        ...     store_field(store.add("b", text))
        {'duplicate_of': 'a', 'similarity': 1.0, 'match': 'exact', 'stored': False, 'known': False, 'too_short': False, 'site': None}
    """  # noqa: E501 - a doctest's expected output is one line
    similarity = None if result.similarity is None else round(result.similarity, 4)
    out: dict[str, Any] = {
        "duplicate_of": result.duplicate_of,
        "similarity": similarity,
        "match": result.match,
        "stored": result.stored,
        "known": result.known,
        "too_short": result.too_short,
        "site": result.site,
    }
    if explain:
        out["removals"] = removal_dicts(result.removals, original)
    return out


class _StoreCounts:
    """Totals for the summary of ``dedup store add`` and ``query``."""

    def __init__(self) -> None:
        self.documents = 0
        self.known = 0
        self.stored = 0
        self.exact = 0
        self.near = 0
        self.too_short = 0

    def add(self, result: StoreResult) -> None:
        self.documents += 1
        if result.known:  # its verdict was given when it was first added
            self.known += 1
            return
        self.stored += result.stored
        self.exact += result.match == "exact"
        self.near += result.match == "near"
        self.too_short += result.too_short

    def duplicates(self) -> str:
        """Return ``N duplicates (E exact, M near)``."""
        total = _plural(self.exact + self.near, "duplicate", "duplicates")
        return f"{total} ({self.exact:,} exact, {self.near:,} near)"


def _store_id(record: Record, id_field: str, reader: Reader) -> str | None:
    """Return the id a record is added under; None when it has none and is skipped."""
    if record.fields is None:  # a text file: its path (relative, in a directory)
        return record.id
    value = record.fields.get(id_field)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None:
        names = ", ".join(repr(k) for k in list(record.fields)[:8])
        what = f"no field {id_field!r} (fields: {names})"
    else:
        what = f"its {id_field!r} is {value!r}, not a non-empty string or a whole number"
    message = (
        f"{record.where}: {what}; every record added to a store needs an id: name the field "
        "that holds it with --id-field (e.g. --id-field url)"
    )
    if reader.on_error == "skip":
        reader.stats.skip(f"no id ({id_field!r})", message)
        return None
    msg = f"{message}, or skip such records with --on-error skip"
    raise RecordError(msg)


def _store_batches(
    reader: Reader, args: argparse.Namespace, progress: _Progress
) -> Iterator[list[tuple[Record, dict[str, object]]]]:
    """Yield the records of ``reader`` with their `dedup.Store.add_many` documents, in batches."""
    batch: list[tuple[Record, dict[str, object]]] = []
    for record in reader:
        progress.update()
        doc_id = _store_id(record, args.id_field, reader)
        if doc_id is None:
            continue
        site = dups.site_of(record.fields, args.site_field, args.url_field)
        batch.append((record, {"id": doc_id, "text": record.text, "site": site}))
        if len(batch) >= args.batch:
            yield batch
            batch = []
    if batch:
        yield batch


def _cmd_store_add(args: argparse.Namespace) -> int:
    reader = _reader(args)
    out = _records_output(args.output, reader, "dedup store add")
    _check_store_paths(args.location, reader, out)
    wall = time.perf_counter()
    sink = _JsonlSink(
        out, text_field=args.text_field, explain=False, earlier="an earlier dedup store run"
    )
    try:
        store = _open_store(args, create=True)
    except BaseException:
        sink.abort()
        raise
    counts = _StoreCounts()
    try:
        progress = _Progress(reader, quiet=args.quiet, desc="dedup store add")
        try:
            for batch in _store_batches(reader, args, progress):
                results = store.add_many([doc for _, doc in batch])
                for (record, _), result in zip(batch, results, strict=True):
                    sink.put(
                        record,
                        result.text,
                        store_field(result, explain=args.explain, original=record.text),
                    )
                    counts.add(result)
        except BaseException:
            progress.close()
            sink.abort()
            raise
        progress.close()
        sink.close()
        totals = store.stats() if not args.quiet else {}
    finally:
        store.close()
    seconds = time.perf_counter() - wall
    for line in _store_add_summary(counts, totals, reader, store.location, sink, seconds, args):
        _print_err(line)
    return 0


def _store_add_summary(
    counts: _StoreCounts,
    totals: Mapping[str, object],
    reader: Reader,
    location: str,
    sink: _JsonlSink,
    seconds: float,
    args: argparse.Namespace,
) -> Iterator[str]:
    if not args.quiet:
        added = counts.documents - counts.known
        known = (
            f"; {_plural(counts.known, 'known id', 'known ids')} (already in the store: "
            "nothing written, their first verdict repeated)"
            if counts.known
            else ""
        )
        verdicts = f": {counts.stored:,} stored, {counts.duplicates()}" if added else ""
        yield (
            f"dedup store add: {_plural(counts.documents, 'document', 'documents')} in "
            f"{seconds:.1f} s: {added:,} added to {location}{verdicts}{known}"
        )
    yield from _too_short(counts)
    if not args.quiet:
        ids = _plural(int(totals["documents"]), "id", "ids")  # type: ignore[call-overload]
        dup = _plural(int(totals["duplicates"]), "duplicate", "duplicates")  # type: ignore[call-overload]
        line = f"  the store holds {ids}: {totals['stored']:,} stored, {dup}"
        if "sites" in totals:
            line += (
                f"; site chrome learned on {totals['sites_learned']:,} of "
                f"{_plural(int(totals['sites']), 'site', 'sites')}"  # type: ignore[call-overload]
            )
        yield line
    yield from _input_warnings(reader)
    if not args.quiet:
        yield f"  wrote {sink.description}"


def _cmd_store_query(args: argparse.Namespace) -> int:
    reader = _reader(args)
    out = _records_output(args.output, reader, "dedup store query")
    _check_store_paths(args.location, reader, out)
    wall = time.perf_counter()
    store = _open_store(args, create=False)
    counts = _StoreCounts()
    try:
        sink = _JsonlSink(
            out, text_field=args.text_field, explain=False, earlier="an earlier dedup store run"
        )
        progress = _Progress(reader, quiet=args.quiet, desc="dedup store query")
        try:
            for record in reader:
                site = dups.site_of(record.fields, args.site_field, args.url_field)
                result = store.query(record.text, site=site)
                sink.put(
                    record,
                    result.text,
                    store_field(result, explain=args.explain, original=record.text),
                )
                counts.add(result)
                progress.update()
        except BaseException:
            progress.close()
            sink.abort()
            raise
        progress.close()
        sink.close()
    finally:
        store.close()
    seconds = time.perf_counter() - wall
    for line in _store_query_summary(counts, reader, store.location, sink, seconds, args):
        _print_err(line)
    return 0


def _store_query_summary(
    counts: _StoreCounts,
    reader: Reader,
    location: str,
    sink: _JsonlSink,
    seconds: float,
    args: argparse.Namespace,
) -> Iterator[str]:
    if not args.quiet:
        new = counts.documents - counts.exact - counts.near
        yield (
            f"dedup store query: {_plural(counts.documents, 'document', 'documents')} in "
            f"{seconds:.1f} s against {location}: {counts.duplicates()}; {new:,} new "
            "(nothing added)"
        )
    yield from _too_short(counts)
    yield from _input_warnings(reader)
    if not args.quiet:
        yield f"  wrote {sink.description}"


def _too_short(counts: _StoreCounts) -> Iterator[str]:
    if counts.too_short:
        yield (
            f"  {counts.too_short:,} document(s) too short for a signature were matched exactly "
            "only"
        )


def _cmd_store_stats(args: argparse.Namespace) -> int:
    store = _open_store(args, create=False)
    try:
        stats = store.stats()
    finally:
        store.close()
    if args.json:
        text = json.dumps(stats, ensure_ascii=False, indent=1)
    else:
        width = max(len(k) for k in stats)
        text = "\n".join(
            f"{k.ljust(width)}  {v if isinstance(v, str) else json.dumps(v)}"
            for k, v in stats.items()
        )
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return 0


def _add_location(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "location",
        metavar="LOCATION",
        help="the store: a file (SQLite, e.g. seen.db), a redis://host:port/db URL, or :memory:",
    )


def _add_store_io(p: argparse.ArgumentParser) -> None:
    """Options ``dedup store add`` and ``query`` share, after LOCATION and INPUT."""
    p.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="a .jsonl/.jsonl.gz/.jsonl.zst or .parquet file, or - for standard output "
        "(JSONL, the default)",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help=f"also write what cleaning removed and why (removals in the {EXPLAIN_FIELD!r} field)",
    )
    _add_site_options(p)
    _add_quiet(p)


def _add_store(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser(
        "store",
        help="a persistent seen-before store: add documents, query it, count it",
        description="Keep the documents seen so far in a store (dedup.Store: an SQLite file, "
        "Redis or memory) and tell, for each new one, whether it is an exact or near copy of "
        "one already kept. Run 'dedup store ACTION --help' for an action's options.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="add documents; write each with its verdict",
        description="Clean each document of INPUT with the site chrome the store learned so "
        "far, add it to the store at LOCATION (created when missing) unless it duplicates a "
        f"document kept there, and write every record with its cleaned text and a "
        f"{EXPLAIN_FIELD!r} field: the verdict. A summary goes to stderr.",
    )
    _add_location(add)
    _add_input_options(add)
    _add_store_io(add)
    add.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="the field holding a JSONL record's id, which every record needs (text files: "
        "their path) (default: id)",
    )
    add.add_argument(
        "--batch",
        type=_positive,
        default=STORE_BATCH,
        metavar="N",
        help=f"documents added per transaction (default: {STORE_BATCH})",
    )
    add.add_argument(
        "--threshold",
        type=_fraction,
        metavar="X",
        help="for a new store: the similarity from which a document is a near-duplicate "
        "(default: 0.8); a store keeps the value it was made with, and another is an error",
    )
    add.add_argument(
        "--no-learn",
        action="store_true",
        help="for a new store: do not learn each site's chrome from the documents added; a "
        "store keeps the choice it was made with",
    )
    add.add_argument(
        "--no-clean",
        action="store_true",
        help="for a new store: compare the raw texts, not the cleaned ones (implies "
        "--no-learn); a store keeps the choice it was made with",
    )
    add.set_defaults(func=_cmd_store_add)

    query = actions.add_parser(
        "query",
        help="tell which documents duplicate stored ones, without adding them",
        description="Write every record of INPUT with its cleaned text and the verdict "
        f"({EXPLAIN_FIELD!r} field) the store at LOCATION gives, without adding or learning "
        "anything. The store must exist.",
    )
    _add_location(query)
    _add_input_options(query)
    _add_store_io(query)
    query.set_defaults(func=_cmd_store_query)

    stats = actions.add_parser(
        "stats",
        help="print a store's counts and parameters",
        description="Print the counts (ids, stored, exact and near duplicates, sites) and the "
        "parameters of the store at LOCATION, one 'name  value' per line. The store must exist.",
    )
    _add_location(stats)
    stats.add_argument("--json", action="store_true", help="print them as one JSON object")
    stats.set_defaults(func=_cmd_store_stats)


# --------------------------------------------------------------------------- report


def _cmd_report(args: argparse.Namespace) -> int:
    from dedup.report import build_report

    if not args.output.endswith((".html", ".htm")):
        msg = f"-o {args.output}: the report is one HTML file; name it e.g. report.html"
        raise ConfigError(msg)
    if args.text_budget < 0:
        msg = f"--text-budget must be >= 0 (megabytes), got {args.text_budget}"
        raise ConfigError(msg)
    start = time.perf_counter()
    stats = build_report(
        args.inputs,
        args.output,
        text_field=args.text_field,
        id_field=args.id_field,
        site_field=args.site_field,
        url_field=args.url_field,
        explain_field=args.explain_field,
        dups_field=args.dups_field,
        threshold=args.threshold,
        text_budget=int(args.text_budget * 1_000_000),
        title=args.title,
        on_error=args.on_error,
    )
    if not args.quiet:
        share = stats.removed_chars / stats.chars if stats.chars else 0.0
        _print_err(
            f"dedup report: {stats.documents:,} documents in {time.perf_counter() - start:.1f} s: "
            f"{stats.removed_chars:,} characters removed ({share:.1%}), {stats.clusters:,} "
            f"clusters, {stats.duplicates:,} duplicates; text of {stats.with_text:,} documents "
            f"included"
        )
        if stats.without_fields:
            _print_err(
                f"  note: left out {stats.without_fields:,} record(s) with neither a "
                f"{args.explain_field!r} nor a {args.dups_field!r} field"
            )
        if stats.repeated_ids:
            _print_err(
                f"  note: {stats.repeated_ids:,} record(s) repeated an id of an earlier record "
                f"of the same input and were counted as that document; --id-field names a "
                "field that is unique"
            )
        _print_err(f"  wrote {args.output} ({stats.bytes / 1e6:.1f} MB); open it in a browser")
    return 0


def _add_report(subparsers: _Subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write an HTML report of what clean --explain and dups found",
        description="Write one self-contained HTML file (works offline) from the output of "
        "'dedup clean --explain' and/or 'dedup dups': the numbers, plots by label and site, "
        "each site's most frequent chrome lines, every document with its removed spans struck "
        "through and labelled (searchable by id, site, label), and each duplicate cluster side "
        "by side with its differences highlighted. Records of several inputs with the same id "
        "are one document.",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="JSONL (.gz/.zst) or Parquet written by dedup clean --explain or dedup dups",
    )
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    p.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="field holding the text (default: text)",
    )
    p.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="field joining the records of several inputs (default: id; else file:line)",
    )
    _add_site_options(p, infer=False)
    p.add_argument(
        "--explain-field",
        default=EXPLAIN_FIELD,
        metavar="NAME",
        help=f"field dedup clean --explain wrote (default: {EXPLAIN_FIELD})",
    )
    p.add_argument(
        "--dups-field",
        default=DUPS_FIELD,
        metavar="NAME",
        help="field dedup dups wrote (its --field; default: dups)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.8,
        help="the --threshold of the dups run, marked on the similarity plot (default: 0.8)",
    )
    p.add_argument(
        "--text-budget",
        type=float,
        default=24,
        metavar="MB",
        help="megabytes of document text the report may hold: half for whole clusters, half "
        "for other documents, each a sample by hashed id; all numbers count every document "
        "(default: 24)",
    )
    p.add_argument("--title", help="the page title (default: the input names)")
    p.add_argument(
        "--on-error",
        choices=ON_ERROR,
        default="raise",
        help="a record that cannot be read: raise stops with file:line; skip leaves it out",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    p.set_defaults(func=_cmd_report)


# --------------------------------------------------------------------------- main

#: Functions that add one subcommand each; a new command appends its own.
COMMANDS: list[Callable[[_Subparsers], None]] = [
    _add_clean,
    _add_explain,
    _add_dups,
    _add_store,
    _add_report,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the ``dedup`` argument parser with every subcommand of `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="dedup",
        description="Clean text scraped from news sites; every removal labelled and explained.",
        epilog="Run 'dedup COMMAND --help' for a command's options. Docs: docs/cli.md",
    )
    build = " (compiled with mypyc)" if COMPILED else ""
    parser.add_argument("--version", action="version", version=f"dedup {__version__}{build}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(subparsers)
    return parser


def _os_message(exc: OSError) -> str:
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dedup`` command; return its exit code.

    Args:
        argv: the arguments (without the program name); ``None`` reads ``sys.argv``.

    Returns:
        0 on success, 2 on a user error (message on stderr), 1 when the output was closed
        early, 130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): stop quietly. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        _print_err("dedup: interrupted")
        return 130
    except DedupError as exc:
        _print_err(f"dedup: error: {exc}")
        return 2
    except OSError as exc:
        _print_err(f"dedup: error: {_os_message(exc)}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
