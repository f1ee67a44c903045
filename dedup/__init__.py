r"""dedup: clean scraped news text and find near-duplicate documents.

>>> import dedup
>>> dedup.clean("Big news today\nShare\nIt rained all day in the city.")
'Big news today\nIt rained all day in the city.'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dedup.cleaner import apply_removals, clean, clean_and_explain, split_articles
from dedup.config import CleanConfig
from dedup.errors import (
    ConfigError,
    DedupError,
    InputError,
    MissingExtraError,
    ModelError,
    RecordError,
    StoreError,
)
from dedup.types import Article, CleanResult, LineLabel, Removal, Span

if TYPE_CHECKING:
    from dedup.batch import clean_many
    from dedup.dups import (
        Assignment,
        Cluster,
        DuplicateFinder,
        DuplicateResult,
        duplicate_columns,
        find_duplicates,
    )
    from dedup.learn import Cleaner, LearnedLine
    from dedup.store import Store, StoreResult

__version__ = "0.1.0"

# Near-duplicate detection needs numpy; a scraper that only calls clean() should not pay for
# importing it, so these names load on first use.
_LAZY = {
    "Assignment",
    "Cluster",
    "DuplicateFinder",
    "DuplicateResult",
    "duplicate_columns",
    "find_duplicates",
}
_LAZY_LEARN = {"Cleaner", "LearnedLine"}
_LAZY_STORE = {"Store", "StoreResult"}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the named attribute is
    if name in _LAZY:
        from dedup import dups

        return getattr(dups, name)
    if name in _LAZY_LEARN:
        from dedup import learn

        return getattr(learn, name)
    if name in _LAZY_STORE:
        from dedup import store

        return getattr(store, name)
    if name == "clean_many":  # worker processes: imported when first asked for
        from dedup import batch

        return batch.clean_many
    msg = f"module 'dedup' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "Article",
    "Assignment",
    "CleanConfig",
    "CleanResult",
    "Cleaner",
    "Cluster",
    "ConfigError",
    "DedupError",
    "DuplicateFinder",
    "DuplicateResult",
    "InputError",
    "LearnedLine",
    "LineLabel",
    "MissingExtraError",
    "ModelError",
    "RecordError",
    "Removal",
    "Span",
    "Store",
    "StoreError",
    "StoreResult",
    "__version__",
    "apply_removals",
    "clean",
    "clean_and_explain",
    "clean_many",
    "duplicate_columns",
    "find_duplicates",
    "split_articles",
]
