"""``dedup dups --engine dask`` and ``dedup clean --learn --engine dask``: the commands on Dask.

Reads JSONL or Parquet (a file, a directory of them, or a glob) as a Dask DataFrame, runs
`dedup.adapters.dask.find_duplicates` or `dedup.adapters.dask.clean` on a cluster, and
writes a directory of Parquet or JSONL part files, one per partition. Without
``--scheduler`` a local cluster is started (``--jobs`` worker processes, one thread each, on
127.0.0.1) and stopped at the end; with ``--scheduler ADDRESS`` the job runs on that
existing cluster (``tcp://host:8786``, as ``dask-scheduler``, dask-jobqueue or
dask-kubernetes print it).
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from dedup.adapters import dask as ddask
from dedup.dups import Assignment
from dedup.errors import ConfigError, InputError
from dedup.shingle import ShingleParams

try:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster
except ImportError as exc:  # pragma: no cover - the message is the point
    msg = "--engine dask needs Dask: pip install 'dedup[dask]'"
    raise ImportError(msg) from exc

#: Bytes of JSONL read per partition.
BLOCKSIZE = 64 * 2**20


def run_dups(args: argparse.Namespace) -> int:
    """``dedup dups INPUT -o DIR --engine dask``: every record with its verdict, in part files."""
    out = _output_dir(args.output, "dedup dups")
    with _client(args):
        frame = read(args.input)
        result = ddask.find_duplicates(
            frame,
            text_column=args.text_field,
            id_column=args.id_field,
            site_column=args.site_field,
            url_column=args.url_field,
            threshold=args.threshold,
            keep=args.keep,
            clean=not args.no_clean,
            learn_chrome=not args.no_learn,
            num_perm=args.num_perm,
            seed=args.seed,
            shingle=ShingleParams(word_n=args.ngram),
            min_shingles=args.min_shingles,
        ).pipe(ddask._persisted)
        numbered = ddask.number_rows(frame)
        records = numbered.join(
            result.map_partitions(_verdicts, args.field, meta=_verdicts(result._meta, args.field)),
            how="left",
        )
        if args.drop_duplicates:
            records = records[~records[args.field].map(_is_duplicate, meta=(args.field, bool))]
        counts = result["match"].value_counts().compute()
        write(records.reset_index(drop=True), out, schema={args.field: _verdict_type()})
    if not args.quiet:
        n = int(counts.sum())
        exact, near = int(counts.get("exact", 0)), int(counts.get("near", 0))
        print(
            f"dedup dups (dask): {n:,} documents: {exact:,} exact and {near:,} near duplicates"
            f"{' (left out)' if args.drop_duplicates else ''}; wrote {out}",
            file=sys.stderr,
        )
    return 0


def run_clean(args: argparse.Namespace) -> int:
    """``dedup clean INPUT -o DIR --engine dask [--learn]``: the cleaned records, in part files."""
    if args.model is not None:
        msg = "--model goes with the local engine; with --engine dask the chrome is learned anew"
        raise ConfigError(msg)
    out = _output_dir(args.output, "dedup clean")
    options: dict[str, Any] = {}
    if args.min_pages is not None:
        options["min_pages"] = args.min_pages
    with _client(args):
        frame = read(args.input)
        cleaned = ddask.clean(
            frame,
            text_column=args.text_field,
            learn=bool(args.learn),
            explain=args.explain,
            **options,
        )
        write(cleaned, out)
    if not args.quiet:
        print(f"dedup clean (dask): wrote {out}", file=sys.stderr)
    return 0


def _verdicts(df: pd.DataFrame, field: str) -> pd.DataFrame:
    """Each row's verdict field: what the local engine writes (`Assignment.to_dict`)."""
    rows = [
        Assignment(
            id=doc_id,
            cluster=cluster,
            duplicate_of=None if ddask._missing(of) else of,
            similarity=float(sim),
            match=match,
            too_short=bool(short),
        ).to_dict()
        for doc_id, cluster, of, sim, match, short in zip(
            df["id"],
            df["cluster"],
            df["duplicate_of"],
            df["similarity"],
            df["match"],
            df["too_short"],
            strict=True,
        )
    ]
    out = np.empty(len(rows), dtype=object)
    out[:] = rows
    return pd.DataFrame({field: out}, index=df.index)


def _is_duplicate(verdict: object) -> bool:
    return isinstance(verdict, dict) and bool(verdict.get("duplicate"))


@contextmanager
def _client(args: argparse.Namespace) -> Iterator[Client]:
    """A client of ``--scheduler``, or of a local cluster of ``--jobs`` workers (stopped after)."""
    if args.scheduler:
        try:
            client = Client(args.scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            msg = (
                f"cannot reach the Dask scheduler at {args.scheduler} ({exc}); check the address "
                "(tcp://host:8786) or leave --scheduler out to start a local cluster"
            )
            raise ConfigError(msg) from exc
        with client:
            yield client
        return
    workers = args.jobs if args.jobs > 0 else os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        yield client


def read(path: str) -> dd.DataFrame:
    """Read JSONL (.jsonl, .json, .gz) or Parquet: a file, a directory of them, or a glob."""
    if path == "-":
        msg = "--engine dask reads files (its workers read them): give a path, not -"
        raise InputError(msg)
    files = _files(path)
    if all(f.endswith(".parquet") for f in files):
        return dd.read_parquet(files)
    if all(f.endswith((".jsonl", ".json", ".jsonl.gz", ".json.gz", ".ndjson")) for f in files):
        gz = files[0].endswith(".gz")
        return dd.read_json(
            files,
            lines=True,
            blocksize=None if gz else BLOCKSIZE,
            compression="gzip" if gz else None,
            dtype=False,
        )
    kinds = sorted({Path(f).suffix or "(none)" for f in files})
    msg = (
        f"{path}: --engine dask reads .jsonl(.gz) or .parquet files, found {', '.join(kinds)}; "
        "convert them, or use the local engine"
    )
    raise InputError(msg)


def _files(path: str) -> list[str]:
    where = Path(path)
    if where.is_dir():
        found = sorted(
            str(p) for p in where.iterdir() if p.is_file() and not p.name.startswith((".", "_"))
        )
    else:
        found = sorted(glob.glob(path))  # noqa: PTH207 - a user's pattern, maybe absolute
    if not found:
        msg = f"{path}: no such file, or no file in it; give a JSONL or Parquet file or directory"
        raise InputError(msg)
    return found


def _output_dir(output: str | None, command: str) -> str:
    if not output or output == "-":
        msg = (
            f"{command} --engine dask writes a directory of part files (one per partition): "
            "give -o DIR (DIR.parquet for Parquet, anything else for JSONL)"
        )
        raise ConfigError(msg)
    where = Path(output)
    if where.exists() and (not where.is_dir() or any(where.iterdir())):
        msg = f"{output}: already exists and is not an empty directory; give a new -o"
        raise ConfigError(msg)
    return output


def _verdict_type() -> Any:  # noqa: ANN401 - a pyarrow type
    """The Parquet type of the verdict field (a struct of what `_verdicts` writes)."""
    import pyarrow as pa

    return pa.struct(
        [
            ("cluster", pa.string()),
            ("duplicate", pa.bool_()),
            ("of", pa.string()),
            ("similarity", pa.float64()),
            ("match", pa.string()),
            ("too_short", pa.bool_()),
        ]
    )


def write(frame: dd.DataFrame, out: str, *, schema: dict[str, Any] | None = None) -> None:
    """Write ``frame`` as part files: Parquet when ``out`` ends with .parquet, else JSONL.

    ``schema``: Parquet types of columns of Python objects (dicts) Arrow cannot infer from
    an empty partition.
    """
    if out.endswith(".parquet"):
        full: Any = "infer"
        if schema:  # Arrow infers the other columns from the (empty) metadata frame
            import pyarrow as pa

            rest = pa.Schema.from_pandas(
                frame._meta.drop(columns=list(schema)), preserve_index=False
            )
            full = rest
            for name, kind in schema.items():
                full = full.append(pa.field(name, kind))
        frame.to_parquet(out, write_index=False, schema=full)
    else:
        Path(out).mkdir(parents=True, exist_ok=True)
        frame.to_json(str(Path(out) / "part-*.jsonl"), orient="records", lines=True)


__all__ = ["read", "run_clean", "run_dups", "write"]
