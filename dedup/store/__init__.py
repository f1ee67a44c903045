"""A persistent "seen before?" store for crawlers: `Store` (SQLite file, Redis, or memory).

For each new page, in one call: the cleaned article (with the site chrome learned so far),
and whether it is a near-duplicate of a page already kept. Built on the same signatures,
banding and verification as `dedup.find_duplicates`; the storage is a `backend.Backend`:
`memory`, `sqlite` (default, no server) or `redis` (many crawler machines).
"""

from dedup.store.backend import Record
from dedup.store.core import Store, StoreResult, open_backend

__all__ = ["Record", "Store", "StoreResult", "open_backend"]
