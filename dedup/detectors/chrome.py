"""Detector `chrome`: not written yet (see issue 2)."""

from __future__ import annotations

from collections.abc import Mapping

from dedup.config import CleanConfig
from dedup.detectors.base import Mark
from dedup.document import Document


def detect(doc: Document, marks: Mapping[int, Mark], config: CleanConfig) -> list[Mark]:
    """Return no marks yet."""
    return []
