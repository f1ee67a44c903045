"""Near-duplicate clustering on Dask: the single-machine kernels, run a partition at a time.

`find_duplicates` takes a Dask DataFrame of documents and returns one row per document
with its cluster, the same answer `dedup.find_duplicates` gives on one machine (tested
equal, column by column). Dask supplies only map-partitions, shuffle-by-key, merges and
persist; every piece of dedup work is the single-machine code:

1. *read*: each document gets its global row number (``row``: the position in the input,
   what `dedup.find_duplicates` calls input order), its id, site and a hash of its raw text;
2. *raw copies*: a document whose raw text is byte for byte an earlier one's joins that
   one's exact group without being cleaned (`dedup.dups.RawCopies`), shuffled on the hash;
3. *learn* (``clean`` and ``learn_chrome``): each partition learns its sites' chrome
   (`dedup.Cleaner`), the partial models are merged in a tree of tasks on the workers (the
   model does not depend on the order of merging) and the cleaning-only model
   (`Cleaner.for_cleaning`) goes to every worker;
4. *prepare*: `dedup.dups.prepare_batch` per partition (clean, exact key, MinHash signature);
5. *exact*: documents with the same key join the group of the first one (a shuffle on the key);
6. *near*, over the groups with a signature, in up to `dedup.dups.SPLIT_ROUNDS` rounds as
   `DuplicateFinder` does: band keys (`dedup.lsh.band_keys`) exploded to one row per
   (document, band), shuffled on the key, each partition's buckets turned into candidate
   pairs by `dedup.lsh.bucket_pairs`; pairs deduplicated, joined with both signatures and
   verified (`dedup.cluster`); connected components of the verified pairs computed on the
   cluster (`_components`, never collected on the client); each component's representative
   is its member of lowest priority; members less similar to it than the threshold are
   taken out and clustered again in the next round;
7. *assemble*: each document's representative document, similarity and match kind.

Every intermediate is a Dask DataFrame split in partitions of bounded size; the client only
ever receives counts (rows, changed labels). Results do not depend on the number of
partitions or of workers.

Needs the ``dask`` extra: ``pip install 'dedup[dask]'``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from dedup.cleaner import clean as clean_text
from dedup.cleaner import clean_and_explain
from dedup.cluster import _pair_scores, check_threshold, connected_components
from dedup.dups import (
    KEEP_CHOICES,
    MATCH_KINDS,
    SPLIT_ROUNDS,
    Keep,
    prepare_batch,
    raw_key,
    site_of,
)
from dedup.errors import ConfigError, InputError
from dedup.learn import Cleaner, LearnState
from dedup.lsh import MAX_BUCKET, _row_order_keys, band_keys, bucket_pairs, choose_bands
from dedup.shingle import ShingleParams
from dedup.signatures import SignatureScheme

try:
    import dask.dataframe as dd
    import pandas as pd
    from dask.delayed import delayed
except ImportError as exc:  # pragma: no cover - the message is the point
    msg = "dedup.adapters.dask needs Dask: pip install 'dedup[dask]'"
    raise ImportError(msg) from exc

#: Partial learning models merged per task when the partitions' models are combined.
MERGE_FANIN = 8
#: Graphs of at most this many verified pairs are labelled in one task on a worker (16 bytes
#: a pair: 64 MB); bigger ones by distributed rounds (`_components`).
LOCAL_EDGES = 1 << 22

_I64 = np.int64


# --------------------------------------------------------------------------- public API


def find_duplicates(
    ddf: dd.DataFrame,
    *,
    text_column: str = "text",
    id_column: str = "id",
    site_column: str = "site",
    url_column: str = "url",
    threshold: float = 0.8,
    keep: Keep = "longest",
    clean: bool = True,
    learn_chrome: bool = True,
    num_perm: int = 128,
    seed: int = 1,
    shingle: ShingleParams | None = None,
    min_shingles: int = 8,
) -> dd.DataFrame:
    """Cluster exact and near-duplicate documents of a Dask DataFrame.

    The same clusters, representatives, similarities and match kinds as
    `dedup.find_duplicates` over the rows in order (see the module docstring for how).

    Args:
        ddf: one row per document, with a str ``text_column``; optional ``id_column`` (ids,
            made str; default: the row number), ``site_column`` and ``url_column`` (the site
            a document's chrome is learned under).
        text_column: the column of texts.
        id_column: the column of ids (made str; default: the row number, as str).
        site_column: the column of sites (the chrome is learned per site).
        url_column: the column of URLs (their host is the site when there is no site).
        threshold: as for `dedup.find_duplicates`.
        keep: as for `dedup.find_duplicates`.
        clean: as for `dedup.find_duplicates`.
        learn_chrome: as for `dedup.find_duplicates`.
        num_perm: as for `dedup.find_duplicates`.
        seed: as for `dedup.find_duplicates`.
        shingle: as for `dedup.find_duplicates`.
        min_shingles: as for `dedup.find_duplicates`.

    Returns:
        a Dask DataFrame indexed by ``row`` (the input row number, 0-based, sorted), one row
        per input row, with columns ``id``, ``cluster`` (the representative's id),
        ``duplicate_of`` (the representative's id; missing, ``pd.NA``, for a kept document),
        ``similarity``, ``match`` (``representative``, ``exact``, ``near``) and
        ``too_short``. It is lazy: ``.compute()``, ``.to_parquet()`` or ``.persist()`` it.
        The near-duplicate stage has already run on the cluster when this returns.

    Raises:
        InputError: ``ddf`` is not a Dask DataFrame, has no ``text_column``, or a text is
            not a str (found when the job runs: the message gives the row).
        ConfigError: an option is out of range, or two rows share an id.

    Example:
        >>> import dask.dataframe as dd, pandas as pd
        >>> text = " ".join(f"word{i}" for i in range(60))
        >>> df = pd.DataFrame({"id": ["a", "b", "c"], "text": [text, "other words " * 9, text]})
        >>> out = find_duplicates(dd.from_pandas(df, npartitions=2), clean=False)
        >>> out.compute()[["id", "cluster", "match"]].values.tolist()
        [['a', 'a', 'representative'], ['b', 'b', 'representative'], ['c', 'a', 'exact']]
    """
    _check_frame(ddf, text_column)
    t = check_threshold(threshold)
    if keep not in KEEP_CHOICES:
        msg = f"keep must be one of {', '.join(KEEP_CHOICES)}, got {keep!r}"
        raise ConfigError(msg)
    if isinstance(min_shingles, bool) or not isinstance(min_shingles, int) or min_shingles < 1:
        msg = f"min_shingles must be a whole number >= 1, got {min_shingles!r}"
        raise ConfigError(msg)
    scheme = SignatureScheme(
        num_perm=num_perm, seed=seed, shingle=shingle if shingle is not None else ShingleParams()
    )
    columns = (text_column, id_column, site_column, url_column)
    docs, offsets = _read(ddf, columns)
    _check_unique_ids(docs)
    docs = _raw_copies(docs)
    primes = docs.map_partitions(_first_copies, meta=docs._meta)
    cleaner = _learn(primes) if clean and learn_chrome else None  # Cleaner's defaults
    prepared = primes.map_partitions(
        _prepare_part, cleaner, clean, scheme, meta=_prepared_meta()
    ).pipe(_persisted)
    groups, doc_group = _exact(docs, prepared, min_shingles)
    rep_doc = _rep_docs(doc_group, keep)
    root = _near(groups, keep, t, scheme)
    return _assemble(doc_group, groups, root, rep_doc, offsets)


def clean(
    ddf: dd.DataFrame,
    *,
    text_column: str = "text",
    site_column: str = "site",
    url_column: str = "url",
    learn: bool = True,
    min_pages: int = 3,
    min_share: float = 0.02,
    explain: bool = False,
    explain_column: str = "dedup",
) -> dd.DataFrame:
    r"""Clean every row of a Dask DataFrame, with the site chrome learned across all of them.

    The same texts as ``dedup.Cleaner(min_pages=..., min_share=...).fit(rows)`` followed by
    ``clean`` of each row on one machine (``learn=False``: `dedup.clean` of each row): each
    partition learns its rows' sites, the partial models are merged in a tree of tasks on
    the workers, and every partition is cleaned with the merged model.

    Args:
        ddf: one row per document, with a str ``text_column``; other columns pass through.
        text_column: the column of texts; it holds the cleaned texts in the result.
        site_column: the column of sites (chrome is learned per site).
        url_column: the column of URLs (their host is the site when there is no site).
        learn: learn each site's chrome across the rows (False: per-document cleaning).
        min_pages: see `dedup.Cleaner`.
        min_share: see `dedup.Cleaner`.
        explain: add ``explain_column``: per row, what ``dedup clean --explain`` writes (the
            removals with their spans, labels and reasons; title, byline, dates), as JSON.
        explain_column: the name of that column.

    Returns:
        ``ddf`` with the texts cleaned (and the explanations), as a lazy Dask DataFrame. The
        learning has not run yet: it runs with the first computation.

    Raises:
        InputError: ``ddf`` is not a Dask DataFrame or has no ``text_column``; a text is
            missing or not a str (when the job runs: the message gives the row's index).
        ConfigError: ``min_pages`` or ``min_share`` is out of range.

    Example:
        >>> import dask.dataframe as dd, pandas as pd
        >>> pages = [f"Story {n}\nText number {n} of the site, long enough.\nSubscribe to "
        ...          "our weekly letter\nAbout us | Careers" for n in ("one", "two", "three")]
        >>> df = pd.DataFrame({"site": "example.com", "text": pages})
        >>> clean(dd.from_pandas(df, npartitions=2)).compute()["text"].tolist()[0]
        'Story one\nText number one of the site, long enough.\n'
    """
    _check_frame(ddf, text_column)
    options: dict[str, Any] = {"min_pages": min_pages, "min_share": min_share}
    Cleaner(**options)  # its checks, before any work
    columns = (text_column, site_column, url_column)
    model = None
    if learn:
        pages = ddf.map_partitions(_text_and_site, columns, meta=_text_and_site(ddf._meta, columns))
        model = _learn(pages, **options)
    meta = ddf._meta.copy()
    if explain:
        meta[explain_column] = pd.Series(dtype=object)
    return ddf.map_partitions(
        _clean_part, model, columns, explain_column if explain else None, meta=meta
    )


def number_rows(ddf: dd.DataFrame) -> dd.DataFrame:
    """Return ``ddf`` indexed by ``row``: each row's position in it (0-based), as in results.

    For joining `find_duplicates`'s result back onto the records: ``number_rows(ddf).join(
    result)``. Costs one pass to count each partition's rows.
    """
    offsets = _row_offsets(ddf)
    meta = _numbered(ddf._meta, offsets, partition_info={"number": 0})
    return ddf.map_partitions(_numbered, offsets, meta=meta)


def _numbered(
    df: pd.DataFrame, offsets: Sequence[int], partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    return df.set_axis(pd.Index(_rows(df, offsets, partition_info), name="row"))


def _row_offsets(ddf: dd.DataFrame) -> list[int]:
    """The row number each partition starts at, and the total (one pass counting rows)."""
    lengths = ddf.map_partitions(len).compute()
    return np.concatenate(([0], np.cumsum(np.asarray(lengths, dtype=_I64)))).tolist()


def _rows(
    df: pd.DataFrame, offsets: Sequence[int], partition_info: dict[str, Any] | None
) -> np.ndarray:
    """The row numbers of a partition (``partition_info``: what Dask passes to map_partitions)."""
    start = offsets[partition_info["number"]] if partition_info else 0
    return np.arange(start, start + len(df), dtype=_I64)


def _check_frame(ddf: object, text_column: str) -> None:
    if not isinstance(ddf, dd.DataFrame):
        msg = f"expected a dask.dataframe.DataFrame, got {type(ddf).__name__}"
        if isinstance(ddf, pd.DataFrame):  # one machine's frame: say both ways on
            msg += (
                ": make one with dask.dataframe.from_pandas(df, npartitions=...), or stay "
                "in pandas: df.assign(**dedup.dups.duplicate_columns(df['text'].tolist())) "
                "and df['text'].map(dedup.clean)"
            )
        raise InputError(msg)
    if text_column not in ddf.columns:
        msg = (
            f"the frame has no {text_column!r} column (it has "
            f"{', '.join(map(str, list(ddf.columns)[:8]))}); pass text_column= to name it"
        )
        raise InputError(msg)


def _checked_texts(df: pd.DataFrame, text_column: str, rows: Sequence[object]) -> list[str]:
    """The texts of a partition; a missing or non-str one is an `InputError` naming its row."""
    texts = df[text_column].tolist()
    for row, text in zip(rows, texts, strict=True):
        if _missing(text):
            msg = (
                f"row {row}: {text_column!r} is missing; fill it (e.g. "
                f"ddf[{text_column!r}].fillna('')) or drop the row"
            )
            raise InputError(msg)
        if not isinstance(text, str):
            hint = ": decode it first" if isinstance(text, (bytes, bytearray)) else ""
            msg = f"row {row}: {text_column!r} must be a str, got {type(text).__name__}{hint}"
            raise InputError(msg)
    return texts


def _sites(df: pd.DataFrame, site_column: str, url_column: str) -> list[str | None]:
    """Each row's site: its site column, else the host of its URL (`dedup.dups.site_of`)."""
    site_col = df[site_column].tolist() if site_column in df.columns else [None] * len(df)
    url_col = df[url_column].tolist() if url_column in df.columns else [None] * len(df)
    return [
        site_of(
            {"site": None if _missing(s) else s, "url": None if _missing(u) else u},
            "site",
            "url",
        )
        for s, u in zip(site_col, url_col, strict=True)
    ]


def _text_and_site(df: pd.DataFrame, columns: tuple[str, str, str]) -> pd.DataFrame:
    text_column, site_column, url_column = columns
    texts = _checked_texts(df, text_column, df.index.tolist())
    return pd.DataFrame(
        {"text": _objects(texts), "site": _objects(_sites(df, site_column, url_column))}
    )


def _clean_part(
    df: pd.DataFrame,
    model: Cleaner | None,
    columns: tuple[str, str, str],
    explain_column: str | None,
) -> pd.DataFrame:
    text_column, site_column, url_column = columns
    texts = _checked_texts(df, text_column, df.index.tolist())
    sites = _sites(df, site_column, url_column)
    if model is not None:
        results = [model.clean_and_explain(t, site=s) for t, s in zip(texts, sites, strict=True)]
    else:
        results = [clean_and_explain(t) for t in texts]
    out = df.copy()
    out[text_column] = _objects([r.text for r in results])
    if explain_column is not None:
        from dedup.cli import explanation

        out[explain_column] = _objects(
            [
                json.dumps(explanation(r, t), ensure_ascii=False)
                for r, t in zip(results, texts, strict=True)
            ]
        )
    return out


def _persisted(frame: dd.DataFrame) -> dd.DataFrame:
    """Persist ``frame`` and, on a distributed cluster, wait until it is computed.

    A LocalCluster's scheduler runs in this process and turns a graph into tasks in a thread
    of its own; on Python 3.10-3.11 ``functools.cached_property`` holds one lock per property
    for every object of a class, so that thread and ours, both reading Dask expressions'
    cached divisions, can each hold a lock the other waits for: a deadlock seen in CI. Not
    building the next graph while one is still being taken apart avoids it (and the next
    step needs this one's results anyway).
    """
    out = frame.persist()
    try:
        from distributed import default_client, futures_of, wait
    except ImportError:  # pragma: no cover - the dask extra brings distributed
        return out
    try:
        default_client()
    except ValueError:  # no cluster: the threaded scheduler computed it in persist
        return out
    wait(futures_of(out))
    return out


# --------------------------------------------------------------------------- read
#
# Every frame carries its keys as columns (``row``, ``group``...), never as the index: merges
# and shuffles then say exactly what they join on.


def _read(ddf: dd.DataFrame, columns: tuple[str, str, str, str]) -> tuple[dd.DataFrame, list[int]]:
    """Number the rows and read each one's id, text, site and raw hash (persisted)."""
    offsets = _row_offsets(ddf)
    meta = _read_part(ddf._meta, offsets, columns, partition_info={"number": 0})
    docs = ddf.map_partitions(_read_part, offsets, columns, meta=meta).pipe(_persisted)
    return docs, offsets


def _read_part(
    df: pd.DataFrame,
    offsets: Sequence[int],
    columns: tuple[str, str, str, str],
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    text_column, id_column, site_column, url_column = columns
    rows = _rows(df, offsets, partition_info)
    texts = _checked_texts(df, text_column, rows.tolist())
    if id_column in df.columns:
        ids = [
            str(r) if _missing(x) else str(x)
            for r, x in zip(rows.tolist(), df[id_column], strict=True)
        ]
    else:
        ids = [str(r) for r in rows.tolist()]
    sites = _sites(df, site_column, url_column)
    raw = np.fromiter((raw_key(x) for x in texts), dtype=np.uint64, count=len(texts))
    blank = np.fromiter((not x.strip() for x in texts), dtype=bool, count=len(texts))
    return pd.DataFrame(
        {
            "row": rows,
            "id": _objects(ids),
            "text": _objects(texts),
            "site": _objects(sites),
            "raw": raw.view(_I64),
            "blank": blank,
        }
    )


def _objects(values: Sequence[object]) -> np.ndarray:
    """A column of Python objects (str, None, bytes) that pandas keeps as they are."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x) or x is pd.NA


def _check_unique_ids(docs: dd.DataFrame) -> None:
    counts = docs["id"].value_counts(split_out=docs.npartitions)
    dup = counts[counts > 1].head(3, npartitions=-1)
    if len(dup):
        listed = ", ".join(f"{i!r} is on {n} rows" for i, n in dup.items())
        msg = (
            f"ids must be unique, but {listed}; give each row its own id, or drop the id "
            "column to have the rows numbered"
        )
        raise ConfigError(msg)


def _raw_copies(docs: dd.DataFrame) -> dd.DataFrame:
    """Add ``raw_of``: the first row with the same raw text (itself for a blank text)."""
    return _first_rows(docs, "raw", "raw_of").pipe(_persisted)  # read by learning, prepare, exact


def _first_rows(frame: dd.DataFrame, key: str, name: str) -> dd.DataFrame:
    """Add ``name``: the first ``row`` with the same ``key``; a blank text's own row."""
    firsts = (
        frame[~frame["blank"]]
        .groupby(key)["row"]
        .min(split_out=frame.npartitions)
        .rename(name)
        .reset_index()
    )
    merged = frame.merge(firsts, on=key, how="left")
    meta = _own_row_when_blank(merged._meta, name)
    return merged.map_partitions(_own_row_when_blank, name, meta=meta)


def _own_row_when_blank(df: pd.DataFrame, name: str) -> pd.DataFrame:
    out = df.copy()
    first = out[name].to_numpy(dtype=float, na_value=np.nan)
    rows = out["row"].to_numpy(dtype=_I64)
    blank = out["blank"].to_numpy(dtype=bool)
    out[name] = np.where(blank | np.isnan(first), rows, first).astype(_I64)
    return out


def _first_copies(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["raw_of"].to_numpy() == df["row"].to_numpy()]


# --------------------------------------------------------------------------- learn


def _learn(pages: dd.DataFrame, **options: Any) -> Any:  # noqa: ANN401 - a dask Delayed
    """Return a Delayed cleaning-only `Cleaner` learned from the ``text``/``site`` rows.

    Each partition learns on its own, the partial models are merged ``MERGE_FANIN`` at a
    time in a tree of tasks (the model does not depend on the order: `Cleaner.absorb`), and
    the last task keeps only what cleaning needs (`Cleaner.for_cleaning`), the one object
    every worker then receives. ``options`` go to `dedup.Cleaner` (min_pages, min_share).
    """
    parts = pages[["text", "site"]].to_delayed()
    states = [delayed(_learn_part)(part, options) for part in parts]
    while len(states) > 1:
        states = [
            delayed(_merge_states)(options, *states[i : i + MERGE_FANIN])
            for i in range(0, len(states), MERGE_FANIN)
        ]
    return delayed(_cleaning_model)(options, states[0])


def _learn_part(df: pd.DataFrame, options: dict[str, Any]) -> LearnState:
    learner = Cleaner(**options)
    sites = (None if _missing(site) else site for site in df["site"].tolist())
    learner._observe_many(zip(df["text"].tolist(), sites, strict=True))
    return learner.export_pending(examples=False)


def _merge_states(options: dict[str, Any], *states: LearnState) -> LearnState:
    learner = Cleaner(**options)
    for state in states:
        learner.absorb(state)
    return learner.export_pending(examples=False)


def _cleaning_model(options: dict[str, Any], state: LearnState) -> Cleaner:
    learner = Cleaner(**options)
    learner.absorb(state)
    return learner.for_cleaning()


# --------------------------------------------------------------------------- prepare


def _prepared_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype=_I64),
            "key": pd.Series(dtype=np.uint64),
            "length": pd.Series(dtype=_I64),
            "size": pd.Series(dtype=_I64),
            "empty": pd.Series(dtype=bool),
            "blank": pd.Series(dtype=bool),
            "sig": pd.Series(dtype=object),
        }
    )


def _prepare_part(
    df: pd.DataFrame, cleaner: Cleaner | None, clean: bool, scheme: SignatureScheme
) -> pd.DataFrame:
    """`prepare_batch` of a partition of first copies, as `dedup.find_duplicates` runs it."""
    texts = df["text"].tolist()
    if cleaner is not None:
        sites = [None if _missing(s) else s for s in df["site"].tolist()]
        compared = [
            cleaner.clean(text, site=site) if text else ""
            for text, site in zip(texts, sites, strict=True)
        ]
    else:
        compared = [clean_text(t) for t in texts] if clean else texts
    batch = prepare_batch(texts, clean=False, scheme=scheme, compared=compared)
    sigs = np.ascontiguousarray(batch.signatures)
    return pd.DataFrame(
        {
            "row": df["row"].to_numpy(dtype=_I64),
            "key": batch.keys,
            "length": batch.lengths,
            "size": batch.sizes,
            "empty": batch.empty,
            "blank": batch.blank,
            "sig": _objects([row.tobytes() for row in sigs]),
        }
    )


def _sig_matrix(col: pd.Series, num_perm: int) -> np.ndarray:
    data = b"".join(col.tolist())
    return np.frombuffer(data, dtype=np.uint32).reshape(-1, num_perm)


# --------------------------------------------------------------------------- exact


def _exact(
    docs: dd.DataFrame, prepared: dd.DataFrame, min_shingles: int
) -> tuple[dd.DataFrame, dd.DataFrame]:
    """Return the exact groups (``group``: the row of their first document) and each row's.

    Groups: ``group, key, length, size, sig, short``; rows: ``row, id, group``.
    """
    with_group = _first_rows(prepared, "key", "group")
    with_group = with_group.map_partitions(
        _with_short, min_shingles, meta=_with_short(with_group._meta, min_shingles)
    ).pipe(_persisted)
    groups = with_group.map_partitions(_group_heads, meta=_group_heads(with_group._meta))
    # every row: the group of its raw copy (a first copy is its own raw copy)
    own = with_group[["row", "group"]].rename(columns={"row": "raw_of"})
    doc_group = docs[["row", "id", "raw_of"]].merge(own, on="raw_of", how="left")
    return groups.pipe(_persisted), doc_group[["row", "id", "group"]].pipe(_persisted)


def _with_short(df: pd.DataFrame, min_shingles: int) -> pd.DataFrame:
    """Add ``short``: too few shingles for a signature, or nothing left after cleaning."""
    out = df.copy()
    size = out["size"].to_numpy(dtype=_I64)
    out["short"] = (size < min_shingles) | out["empty"].to_numpy(dtype=bool)
    return out


def _group_heads(df: pd.DataFrame) -> pd.DataFrame:
    head = df[df["group"].to_numpy() == df["row"].to_numpy()]
    return head[["group", "key", "length", "size", "sig", "short"]]


def _rep_docs(doc_group: dd.DataFrame, keep: Keep) -> dd.DataFrame:
    """Return, per exact group, ``rep_row`` and ``rep_id``: the row that stands for it.

    ``keep="first"``: the group's first row; ``"longest"``: its member with the smallest id
    (members share one normalised text), as `DuplicateFinder` does.
    """
    if keep == "first":
        firsts = doc_group.map_partitions(_own_group_rows, meta=_own_group_rows(doc_group._meta))
        return firsts.pipe(_persisted)
    meta = _smallest_id(doc_group._meta)
    return doc_group.shuffle("group").map_partitions(_smallest_id, meta=meta).pipe(_persisted)


def _own_group_rows(df: pd.DataFrame) -> pd.DataFrame:
    own = df[df["group"].to_numpy() == df["row"].to_numpy()]
    return pd.DataFrame(
        {
            "group": own["group"].to_numpy(dtype=_I64),
            "rep_row": own["row"].to_numpy(dtype=_I64),
            "rep_id": _objects(own["id"].tolist()),
        }
    )


def _smallest_id(df: pd.DataFrame) -> pd.DataFrame:
    """Per group, the member with the smallest id (ids are unique: no ties)."""
    groups = df["group"].to_numpy(dtype=_I64)
    ids = df["id"].tolist()
    best: dict[int, int] = {}
    for i, g in enumerate(groups.tolist()):
        j = best.get(g)
        if j is None or ids[i] < ids[j]:
            best[g] = i
    at = np.fromiter(best.values(), dtype=_I64, count=len(best))
    return pd.DataFrame(
        {
            "group": groups[at],
            "rep_row": df["row"].to_numpy(dtype=_I64)[at],
            "rep_id": _objects([ids[i] for i in at.tolist()]),
        }
    )


# --------------------------------------------------------------------------- near


def _near(
    groups: dd.DataFrame, keep: Keep, threshold: float, scheme: SignatureScheme
) -> dd.DataFrame | None:
    """Return ``group, root, similarity`` for the signed groups that joined another one.

    Groups left out (not signed, or alone) are their own root, with similarity 1.
    """
    todo = groups.map_partitions(_signed, keep, meta=_signed(groups._meta, keep)).pipe(_persisted)
    bands, rows = choose_bands(threshold, scheme.num_perm, word_n=scheme.shingle.word_n)
    num_perm, word_n = scheme.num_perm, scheme.shingle.word_n
    done: list[dd.DataFrame] = []
    for _ in range(SPLIT_ROUNDS):
        if len(todo) < 2:
            break
        edges = _verified_edges(todo, bands, rows, threshold, scheme)
        labels = _components(edges)
        joined = todo.merge(labels.rename(columns={"node": "group"}), on="group")
        reps = joined.shuffle("label").map_partitions(
            _lowest_priority, meta=_lowest_priority(joined._meta)
        )
        members = joined[["group", "size", "sig", "label"]].merge(reps, on="label")
        members = members[members["group"] != members["root"]]
        rep_sig = todo[["group", "size", "sig"]].rename(
            columns={"group": "root", "size": "r_size", "sig": "r_sig"}
        )
        members = members.merge(rep_sig, on="root")
        scored = members.map_partitions(
            _member_similarity,
            threshold,
            num_perm,
            word_n,
            meta=_member_similarity(members._meta, threshold, num_perm, word_n),
        ).pipe(_persisted)
        done.append(scored[~scored["weak"]][["group", "root", "similarity"]])
        weak = scored[scored["weak"]][["group"]]
        todo = todo.merge(weak, on="group").pipe(_persisted)
    if not done:
        return None
    return dd.concat(done).pipe(_persisted)


def _signed(df: pd.DataFrame, keep: Keep) -> pd.DataFrame:
    """The groups with a signature, with ``p1``, ``p2``: lower is kept (see `_priority`)."""
    out = df[~df["short"].to_numpy(dtype=bool)][["group", "key", "length", "size", "sig"]].copy()
    if keep == "longest":  # longest text, then exact key: what DuplicateFinder ranks by
        out["p1"] = -out["length"].to_numpy(dtype=_I64)
        out["p2"] = out["key"].to_numpy(dtype=np.uint64)
    else:  # input order
        out["p1"] = out["group"].to_numpy(dtype=_I64)
        out["p2"] = np.zeros(len(out), dtype=np.uint64)
    return out


def _band_rows(df: pd.DataFrame, bands: int, rows: int, num_perm: int) -> pd.DataFrame:
    """One row per (group, band): the band key and the group's content order in that band."""
    n = len(df)
    sigs = _sig_matrix(df["sig"], num_perm) if n else np.zeros((0, num_perm), np.uint32)
    keys = band_keys(sigs, bands, rows)
    order = np.empty((n, bands), dtype=np.uint64)
    if n:
        members = np.arange(n, dtype=_I64)
        for b in range(bands):
            order[:, b] = _row_order_keys(sigs, members, b)
    return pd.DataFrame(
        {
            "bkey": keys.ravel().view(_I64),
            "group": np.repeat(df["group"].to_numpy(dtype=_I64), bands),
            "order": order.ravel(),
        }
    )


def _bucket_part(df: pd.DataFrame, max_bucket: int) -> pd.DataFrame:
    """Candidate pairs of the buckets in one partition (all rows of a band key are in it)."""
    empty = pd.DataFrame({"a": np.zeros(0, _I64), "b": np.zeros(0, _I64)})
    if len(df) < 2:
        return empty
    df = df.sort_values(["bkey", "group"], kind="stable")
    keys = df["bkey"].to_numpy(dtype=_I64)
    groups = df["group"].to_numpy(dtype=_I64)
    order = df["order"].to_numpy(dtype=np.uint64)
    m = len(df)
    idx_bits = max(1, (m - 1).bit_length())
    bucket = np.concatenate(([0], np.cumsum(keys[1:] != keys[:-1]))).astype(np.uint64)
    packed = (bucket << np.uint64(idx_bits)) | np.arange(m, dtype=np.uint64)
    pos = np.flatnonzero(keys[1:] == keys[:-1])
    lefts, rights = [], []
    for left, right in bucket_pairs(packed, pos, idx_bits, max_bucket, order.__getitem__):
        lefts.append(groups[left])
        rights.append(groups[right])
    if not lefts:
        return empty
    a, b = np.concatenate(lefts), np.concatenate(rights)
    return pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b)})


def _unique_pairs(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop_duplicates(ignore_index=True)


def _verified_edges(
    todo: dd.DataFrame, bands: int, rows: int, threshold: float, scheme: SignatureScheme
) -> dd.DataFrame:
    """Return the verified pairs ``(a, b)`` (group numbers, ``a < b``) of ``todo``."""
    num_perm, word_n = scheme.num_perm, scheme.shingle.word_n
    meta = _band_rows(todo._meta, bands, rows, num_perm)
    records = todo.map_partitions(_band_rows, bands, rows, num_perm, meta=meta)
    pair_meta = _bucket_part(meta, MAX_BUCKET)
    pairs = records.shuffle("bkey").map_partitions(_bucket_part, MAX_BUCKET, meta=pair_meta)
    pairs = pairs.shuffle("a").map_partitions(_unique_pairs, meta=pair_meta)
    sig = todo[["group", "size", "sig"]]
    a_side = sig.rename(columns={"group": "a", "size": "a_size", "sig": "a_sig"})
    b_side = sig.rename(columns={"group": "b", "size": "b_size", "sig": "b_sig"})
    both = pairs.merge(a_side, on="a").merge(b_side, on="b")
    edges = both.map_partitions(_verify_part, threshold, num_perm, word_n, meta=pair_meta)
    return edges.pipe(_persisted)


def _scores(
    a_sig: pd.Series,
    b_sig: pd.Series,
    a_size: np.ndarray,
    b_size: np.ndarray,
    num_perm: int,
    word_n: int,
) -> np.ndarray:
    """``s`` of each (a, b) row pair: `dedup.cluster`'s verification on the stacked rows."""
    m = len(a_sig)
    if not m:
        return np.zeros(0, dtype=np.float64)
    sigs = np.concatenate((_sig_matrix(a_sig, num_perm), _sig_matrix(b_sig, num_perm)))
    sizes = np.concatenate((a_size, b_size)).astype(_I64)
    pairs = np.stack((np.arange(m, dtype=_I64), np.arange(m, 2 * m, dtype=_I64)), axis=1)
    return _pair_scores(sigs, np.maximum(sizes, 1), pairs, word_n)[2]


def _verify_part(df: pd.DataFrame, threshold: float, num_perm: int, word_n: int) -> pd.DataFrame:
    s = _scores(
        df["a_sig"],
        df["b_sig"],
        df["a_size"].to_numpy(),
        df["b_size"].to_numpy(),
        num_perm,
        word_n,
    )
    keep = s >= threshold
    return pd.DataFrame(
        {"a": df["a"].to_numpy(dtype=_I64)[keep], "b": df["b"].to_numpy(dtype=_I64)[keep]}
    )


def _member_similarity(
    df: pd.DataFrame, threshold: float, num_perm: int, word_n: int
) -> pd.DataFrame:
    s = _scores(
        df["sig"], df["r_sig"], df["size"].to_numpy(), df["r_size"].to_numpy(), num_perm, word_n
    ).astype(np.float32)
    return pd.DataFrame(
        {
            "group": df["group"].to_numpy(dtype=_I64),
            "root": df["root"].to_numpy(dtype=_I64),
            "similarity": s,
            "weak": s < np.float32(threshold),
        }
    )


def _lowest_priority(df: pd.DataFrame) -> pd.DataFrame:
    """Per component label, the member with the lowest (p1, p2): its representative."""
    best = df.sort_values(["label", "p1", "p2"], kind="stable").drop_duplicates("label")
    return pd.DataFrame(
        {"label": best["label"].to_numpy(dtype=_I64), "root": best["group"].to_numpy(dtype=_I64)}
    )


def _components(edges: dd.DataFrame, *, local_edges: int = LOCAL_EDGES) -> dd.DataFrame:
    """Return ``node, label``: each node of ``edges`` with the smallest node of its component.

    A graph of at most ``local_edges`` edges (16 bytes each) is labelled in one task on a
    worker by `dedup.cluster.connected_components`, the single-machine kernel. A bigger one
    runs the alternating large-star / small-star rounds of Kiveris et al., "Connected
    Components in MapReduce and Beyond" (SoCC 2014): each round is a grouped minimum and a
    merge over the edges, in bounded partitions; when a round changes no edge (compared by a
    64-bit checksum of the edge set: the one number the client receives per round), every
    edge links a node to the smallest node of its component.
    """
    n_edges = len(edges)
    if n_edges <= local_edges:
        parts = edges.to_delayed()
        labelled = delayed(_local_components)(*parts)
        meta = pd.DataFrame({"node": np.zeros(0, _I64), "label": np.zeros(0, _I64)})
        return dd.from_delayed([labelled], meta=meta, verify_meta=False)
    current = edges.rename(columns={"a": "v", "b": "u"})[["u", "v"]]  # u < v: v points at u
    seen = _checksum(current)
    while True:
        current = _small_star(_large_star(current)).pipe(_persisted)
        now = _checksum(current)
        if now == seen:
            break
        seen = now
    labels = current.rename(columns={"v": "node", "u": "label"})[["node", "label"]]
    roots = current[["u"]].drop_duplicates(split_out=current.npartitions)
    roots = roots.assign(label=roots["u"]).rename(columns={"u": "node"})
    return dd.concat([labels, roots]).pipe(_persisted)


def _local_components(*parts: pd.DataFrame) -> pd.DataFrame:
    edges = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"a": [], "b": []})
    ends = np.concatenate((edges["a"].to_numpy(dtype=_I64), edges["b"].to_numpy(dtype=_I64)))
    nodes, local = np.unique(ends, return_inverse=True)
    pairs = local.reshape(2, -1).T if len(edges) else np.zeros((0, 2), _I64)
    labels = connected_components(len(nodes), pairs)  # the smallest local index: smallest node
    return pd.DataFrame({"node": nodes, "label": nodes[labels]})


def _large_star(edges: dd.DataFrame) -> dd.DataFrame:
    """Link every neighbour ``v > u`` of each node ``u`` to the smallest of u's neighbourhood."""
    both = _both_ways(edges)
    low = both.groupby("x")["y"].min(split_out=edges.npartitions).rename("m").reset_index()
    up = both[both["y"] > both["x"]].merge(low, on="x")
    out = up.map_partitions(_star_edges, "y", meta=_star_edges(up._meta, "y"))
    return _distinct(out, edges.npartitions)


def _small_star(edges: dd.DataFrame) -> dd.DataFrame:
    """Link each node and its smaller neighbours to the smallest of them."""
    down = edges.rename(columns={"v": "x", "u": "y"})  # x > y
    low = down.groupby("x")["y"].min(split_out=edges.npartitions).rename("m").reset_index()
    linked = down.merge(low, on="x")
    out = dd.concat(
        [
            linked.map_partitions(_star_edges, "y", meta=_star_edges(linked._meta, "y")),
            low.map_partitions(_star_edges, "x", meta=_star_edges(low._meta, "x")),
        ]
    )
    return _distinct(out, edges.npartitions)


def _distinct(edges: dd.DataFrame, npartitions: int) -> dd.DataFrame:
    """The distinct edges, in ``npartitions`` partitions (a round must not multiply them)."""
    moved = edges.shuffle("v", npartitions=npartitions)
    return moved.map_partitions(_unique_pairs, meta=edges._meta)


def _both_ways(edges: dd.DataFrame) -> dd.DataFrame:
    return dd.concat(
        [
            edges.rename(columns={"u": "x", "v": "y"}),
            edges.rename(columns={"v": "x", "u": "y"}),
        ]
    )


def _star_edges(df: pd.DataFrame, end: str) -> pd.DataFrame:
    """Edges ``(u, v)`` from ``end`` to ``m`` (the smaller as ``u``), self-loops dropped.

    In large-star the grouped minimum is over the neighbours only, so it is lowered to the
    node ``x`` itself where that is smaller.
    """
    node = df[end].to_numpy(dtype=_I64)
    m = np.minimum(df["m"].to_numpy(dtype=_I64), df["x"].to_numpy(dtype=_I64))
    keep = node != m
    return pd.DataFrame({"u": np.minimum(node, m)[keep], "v": np.maximum(node, m)[keep]})


def _checksum(edges: dd.DataFrame) -> int:
    """A 64-bit sum of a hash of each (deduplicated) edge: equal sets give equal sums."""
    sums = edges.map_partitions(_edge_hash_sum, meta=(None, np.uint64)).compute()
    return int(sums.to_numpy(dtype=np.uint64).sum(dtype=np.uint64))


def _edge_hash_sum(df: pd.DataFrame) -> pd.Series:
    u = df["u"].to_numpy(dtype=_I64).view(np.uint64)
    v = df["v"].to_numpy(dtype=_I64).view(np.uint64)
    h = (u * np.uint64(0x9E3779B97F4A7C15)) ^ (v * np.uint64(0xC2B2AE3D27D4EB4F))
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    return pd.Series([h.sum(dtype=np.uint64)], dtype=np.uint64)


# --------------------------------------------------------------------------- assemble


def _assemble(
    doc_group: dd.DataFrame,
    groups: dd.DataFrame,
    root: dd.DataFrame | None,
    rep_doc: dd.DataFrame,
    offsets: list[int],
) -> dd.DataFrame:
    """Each row's representative row, similarity and match kind, in input order."""
    table = groups[["group", "short"]]
    if root is not None:
        table = table.merge(root, on="group", how="left")
    else:
        table = table.assign(root=np.nan, similarity=np.nan)
    docs = doc_group.merge(table, on="group", how="left")
    docs = docs.map_partitions(_own_root, meta=_own_root(docs._meta))
    docs = docs.merge(rep_doc.rename(columns={"group": "root"}), on="root", how="left")
    out = docs.map_partitions(_decide, meta=_decide(docs._meta))
    if offsets[-1] == 0:
        return out.set_index("row")
    # sorted by row, in partitions that start where the input's do (empty ones dropped)
    divisions = [*sorted(set(offsets[:-1])), offsets[-1] - 1]
    if len(divisions) < 2:
        divisions = [0, 0]
    return out.set_index("row", divisions=divisions)


def _own_root(df: pd.DataFrame) -> pd.DataFrame:
    group = df["group"].to_numpy(dtype=_I64)
    root = df["root"].to_numpy(dtype=float, na_value=np.nan)
    sim = df["similarity"].to_numpy(dtype=float, na_value=np.nan)
    joined = ~np.isnan(root)
    return pd.DataFrame(
        {
            "row": df["row"].to_numpy(dtype=_I64),
            "id": _objects(df["id"].tolist()),
            "group": group,
            "short": df["short"].to_numpy(dtype=bool),
            "root": np.where(joined, root, group).astype(_I64),
            "gsim": np.where(joined, sim, 1.0).astype(np.float32),
        }
    )


def _decide(df: pd.DataFrame) -> pd.DataFrame:
    rows = df["row"].to_numpy(dtype=_I64)
    group = df["group"].to_numpy(dtype=_I64)
    root = df["root"].to_numpy(dtype=_I64)
    rep = df["rep_row"].to_numpy(dtype=_I64)
    rep_id = df["rep_id"].tolist()
    sim = np.where(group == root, np.float32(1.0), df["gsim"].to_numpy(dtype=np.float32))
    kind = np.where(rep == rows, 0, np.where(group == root, 1, 2))
    return pd.DataFrame(
        {
            "row": rows,
            "id": _objects(df["id"].tolist()),
            "cluster": _objects(rep_id),
            "duplicate_of": _objects(
                [
                    None if r == i else c
                    for r, i, c in zip(rep.tolist(), rows.tolist(), rep_id, strict=True)
                ]
            ),
            "similarity": sim.astype(np.float32),
            "match": _objects([MATCH_KINDS[k] for k in kind.tolist()]),
            "too_short": df["short"].to_numpy(dtype=bool),
        }
    )


__all__ = ["clean", "find_duplicates", "number_rows"]
