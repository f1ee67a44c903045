"""Adapters that run dedup's own kernels on other engines (``dedup.adapters.dask``)."""
