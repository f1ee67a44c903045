"""The key filter of the SQLite store's band levels: never a false "no", rarely a false "maybe"."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dedup.store.bloom import BITS_PER_KEY, KeyFilter

int64s = arrays(np.int64, st.integers(0, 300), elements=st.integers(-(2**63), 2**63 - 1))


@settings(max_examples=200, deadline=None)
@given(added=int64s, extra=int64s)
def test_every_added_key_is_let_through(added: np.ndarray, extra: np.ndarray) -> None:
    f = KeyFilter.empty(len(added) // 2)  # undersized too: fuller, never wrong
    f.add(added)
    f.add(added[: len(added) // 3])  # repeats change nothing
    assert f.may_contain(added).all()
    g = KeyFilter.from_bytes(f.to_bytes())
    assert g.may_contain(added).all()
    assert (g.may_contain(extra) == f.may_contain(extra)).all()


def test_false_positives_stay_near_the_design_rate() -> None:
    rng = np.random.default_rng(3)
    added = rng.integers(-(2**63), 2**63 - 1, size=200_000, dtype=np.int64)
    f = KeyFilter.empty(len(added))
    f.add(added)
    assert len(f.to_bytes()) * 8 == pytest.approx(len(added) * BITS_PER_KEY, rel=0.01)
    # keys that differ from added ones in one low bit: band keys of near texts look so
    others = rng.integers(-(2**63), 2**63 - 1, size=200_000, dtype=np.int64)
    for probe in (others, added ^ 1):
        rate = f.may_contain(probe).mean()
        assert 0.005 < rate < 0.04, rate  # a blocked filter: ~2% at 10 bits and 3 probes


def test_an_empty_filter_lets_nothing_through() -> None:
    keys = np.arange(-500, 500, dtype=np.int64)
    assert not KeyFilter.empty(0).may_contain(keys).any()
    f = KeyFilter.empty(10)
    f.add(np.array([], dtype=np.int64))
    assert not f.may_contain(keys).any()


@pytest.mark.parametrize("data", [b"", b"1234567"])
def test_bytes_that_are_not_a_filter_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="8-byte words"):
        KeyFilter.from_bytes(data)
