"""Per-document detectors, one module per family of boilerplate (see `base.Detector`)."""

from __future__ import annotations

from importlib import import_module

from dedup.config import DETECTOR_NAMES
from dedup.detectors.base import Detector, Mark


def get(name: str) -> Detector:
    """Return the ``detect`` function of the detector module ``name``."""
    detect = _LOADED.get(name)
    if detect is None:
        if name not in DETECTOR_NAMES:
            msg = f"unknown detector {name!r}; choose from {list(DETECTOR_NAMES)}"
            raise KeyError(msg)
        detect = _LOADED[name] = import_module(f"dedup.detectors.{name}").detect
    return detect


# Detectors already imported: the cleaner asks for each one on every pass over every page.
_LOADED: dict[str, Detector] = {}


__all__ = ["Detector", "Mark", "get"]
