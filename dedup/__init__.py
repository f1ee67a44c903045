r"""dedup: clean scraped news text and find near-duplicate documents.

>>> import dedup
>>> dedup.clean("Big news today\nShare\nIt rained all day in the city.")
'Big news today\nIt rained all day in the city.'
"""

from __future__ import annotations

from dedup.cleaner import apply_removals, clean, clean_and_explain, split_articles
from dedup.config import CleanConfig
from dedup.errors import ConfigError, DedupError, InputError, MissingExtraError, RecordError
from dedup.types import Article, CleanResult, LineLabel, Removal, Span

__version__ = "0.1.0"

__all__ = [
    "Article",
    "CleanConfig",
    "CleanResult",
    "ConfigError",
    "DedupError",
    "InputError",
    "LineLabel",
    "MissingExtraError",
    "RecordError",
    "Removal",
    "Span",
    "__version__",
    "apply_removals",
    "clean",
    "clean_and_explain",
    "split_articles",
]
