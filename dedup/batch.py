"""Clean many documents in worker processes, in input order: `clean_many`, and its engine.

Receives an iterable of documents (any length: it is read as the workers need more) and a
function of one document; hands on each document with the function's result, in input order.
Documents go to the workers in batches (`BATCH_DOCS` documents or `BATCH_CHARS` characters),
with at most `BATCHES_PER_JOB` batches per worker in flight, so memory stays bounded however
long the input is. The function is sent once to each worker (a learned model can be large),
so it must pickle: a module-level function, a `functools.partial` of one, or an object whose
state pickles. `dedup clean -j N` runs on the same engine (`in_order`).
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from dedup.cleaner import clean
from dedup.config import CleanConfig
from dedup.errors import ConfigError, InputError, refuse_one

#: Documents sent to a worker process at a time, and the text size that closes a batch early:
#: big enough that pickling overhead is small, small enough that memory stays bounded.
BATCH_DOCS = 64
BATCH_CHARS = 4_000_000
#: Batches in flight per worker: enough to keep every worker busy while results are handed on.
BATCHES_PER_JOB = 2

_T = TypeVar("_T")
_R = TypeVar("_R")

#: The function of this worker process, set once by `_init_worker`.
_WORKER_FN: Callable[[Any], Any] | None = None


def _init_worker(fn: Callable[[Any], Any]) -> None:
    global _WORKER_FN  # one per worker process, set at its start
    _WORKER_FN = fn


def _apply(docs: list[Any]) -> list[Any]:
    fn = _WORKER_FN
    assert fn is not None  # the pool's initializer sets it
    return [fn(doc) for doc in docs]


def in_order(
    items: Iterable[_T],
    fn: Callable[[Any], _R],
    *,
    jobs: int,
    size: Callable[[_T], int],
    doc: Callable[[_T], Any] | None = None,
) -> Iterator[tuple[_T, _R]]:
    """Yield ``(item, fn(doc(item)))`` for every item, in input order, in ``jobs`` processes.

    ``doc`` picks what the workers receive of an item (default: the item itself);
    ``size(item)`` is the item's text length, which closes a batch at `BATCH_CHARS`. An
    exception raised by ``fn`` in a worker reaches the caller once the items before its batch
    are handed on; the batches still queued are cancelled (also on Ctrl-C).
    """
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(fn,))

    def submit(batch: list[_T]) -> Future[list[_R]]:
        return pool.submit(_apply, batch if doc is None else [doc(x) for x in batch])

    pending: deque[tuple[list[_T], Future[list[_R]]]] = deque()

    def drain_one() -> Iterator[tuple[_T, _R]]:
        done, future = pending.popleft()
        yield from zip(done, future.result(), strict=True)

    batch: list[_T] = []
    chars = 0
    try:
        for item in items:
            batch.append(item)
            chars += size(item)
            if len(batch) >= BATCH_DOCS or chars >= BATCH_CHARS:
                pending.append((batch, submit(batch)))
                batch, chars = [], 0
                while len(pending) >= BATCHES_PER_JOB * jobs:
                    yield from drain_one()
        if batch:
            pending.append((batch, submit(batch)))
        while pending:
            yield from drain_one()
    finally:
        # On an error or Ctrl-C, do not wait for batches nobody will read.
        pool.shutdown(wait=not pending, cancel_futures=True)


def clean_many(
    texts: Iterable[str], *, config: CleanConfig | None = None, jobs: int = 1
) -> Iterator[str]:
    r"""Yield `dedup.clean` of each text, in order, cleaning in ``jobs`` processes.

    The results are those of ``clean(text, config=config)`` whatever ``jobs`` is; ``texts``
    is read as the workers need more, so a generator over a large dump streams in bounded
    memory. With ``jobs=1`` everything runs in this process.

    Args:
        texts: the documents (an iterable of ``str``).
        config: options, as for `dedup.clean`.
        jobs: worker processes; 0 takes one per CPU core.

    Raises:
        InputError: ``texts`` is one ``str`` (wrap it in a list), or an item is not a ``str``
            (its position is named).
        ConfigError: ``jobs`` is negative.

    Errors of the call itself are raised by the call; an item that is not a ``str`` is
    found when the results reach it.

    Example:
        >>> list(clean_many(["Big news\nShare\nIt rained all day.", "Quiet day."]))
        ['Big news\nIt rained all day.', 'Quiet day.']
    """
    # Checked here, not at the first result: a wrong call fails where it is made.
    refuse_one(texts, "clean_many")
    workers = worker_count(jobs)
    if config is not None and not isinstance(config, CleanConfig):
        msg = f"config must be a CleanConfig, got {type(config).__name__}: build one with "
        msg += "dedup.CleanConfig(**options)"
        raise InputError(msg)
    fn = functools.partial(clean, config=config)
    if workers == 1:
        return map(fn, _checked(texts))
    return (cleaned for _, cleaned in in_order(_checked(texts), fn, jobs=workers, size=len))


def worker_count(jobs: object) -> int:
    """Return the processes ``jobs`` asks for (0: one per CPU core); refuse anything else."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        msg = f"jobs must be a whole number >= 0 (0: one per CPU core), got {jobs!r}"
        raise ConfigError(msg)
    return jobs or (os.cpu_count() or 1)


def _checked(texts: Iterable[object]) -> Iterator[str]:
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            what = (
                "bytes: decode them first" if isinstance(text, bytes | bytearray) else "not a str"
            )
            msg = f"clean_many: text {position} is {what} (got {type(text).__name__})"
            raise InputError(msg)
        yield text
