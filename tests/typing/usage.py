"""The public API called as a user would; type-checked by mypy --strict in the test suite."""

from __future__ import annotations

import dedup

raw: str = "Title\nShare\nThe body of the article, long enough to keep."
text: str = dedup.clean(raw)
result: dedup.CleanResult = dedup.clean_and_explain(raw, config=dedup.CleanConfig())
removals: tuple[dedup.Removal, ...] = result.removals
replayed: str = dedup.apply_removals(raw, removals)
title: str | None = result.title
published: tuple[str, ...] = result.published
articles: list[dedup.Article] = dedup.split_articles(raw)
for r in removals:
    label: str = r.label
    span: dedup.Span = r.span
