"""`dedup.clean_many`: many documents cleaned in worker processes, in order, streaming."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

import dedup
from dedup import batch
from dedup.config import CleanConfig
from dedup.errors import ConfigError, InputError

SEEDS = Path(__file__).parent / "golden" / "seeds"
PAGE = "Big news today\nShare\nFollow\nIt rained all day in the city, and the river rose."


def _texts() -> list[str]:
    seeds = [
        p.read_text(encoding="utf-8")
        for p in sorted(SEEDS.glob("*.txt"))
        if not p.name.endswith(".clean.txt")
    ]
    assert len(seeds) >= 3
    # More documents than one batch holds, in an order where neighbours differ.
    return [t for n in range(2 * batch.BATCH_DOCS + 7) for t in (seeds[n % len(seeds)], PAGE)]


@pytest.mark.parametrize("jobs", [1, 2, 0])
def test_the_results_are_clean_of_each_text_in_order(jobs: int) -> None:
    texts = _texts()
    assert list(dedup.clean_many(texts, jobs=jobs)) == [dedup.clean(t) for t in texts]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_config_reaches_the_workers(jobs: int) -> None:
    config = CleanConfig(detectors=("chrome",))
    texts = _texts()[:20]
    got = list(dedup.clean_many(texts, config=config, jobs=jobs))
    assert got == [dedup.clean(t, config=config) for t in texts]
    assert got != [dedup.clean(t) for t in texts]  # the option changed something


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_input_is_read_as_the_workers_need_it(jobs: int) -> None:
    read = 0

    def endless() -> Iterator[str]:
        nonlocal read
        for text in itertools.repeat(PAGE):
            read += 1
            yield text

    first = list(itertools.islice(dedup.clean_many(endless(), jobs=jobs), 10))
    assert first == [dedup.clean(PAGE)] * 10
    # At most the batches in flight were read ahead, however long the input.
    assert read <= 10 + batch.BATCH_DOCS * (batch.BATCHES_PER_JOB * jobs + 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_input_is_named(jobs: int) -> None:
    with pytest.raises(InputError, match=r"iterable of documents.*wrap it in a list"):
        dedup.clean_many(PAGE, jobs=jobs)  # the call fails, not the first result
    with pytest.raises(InputError, match=r"config must be a CleanConfig"):
        dedup.clean_many([PAGE], config={"languages": ["en"]}, jobs=jobs)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"text 2 is bytes: decode them first"):
        list(dedup.clean_many([PAGE, PAGE, PAGE.encode()], jobs=jobs))  # type: ignore[list-item]
    with pytest.raises(InputError, match=r"text 1 is not a str \(got NoneType\)"):
        list(dedup.clean_many([PAGE, None], jobs=jobs))  # type: ignore[list-item]


@pytest.mark.parametrize("jobs", [-1, 1.5, True, "2"])
def test_jobs_must_be_a_count(jobs: object) -> None:
    with pytest.raises(ConfigError, match="jobs must be a whole number >= 0"):
        dedup.clean_many([PAGE], jobs=jobs)  # type: ignore[arg-type]
