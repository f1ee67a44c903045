"""The compiled kernels (`dedup._jit`, ``dedup[fast]``) give the numpy path's values exactly.

test_shingle.py and test_signatures.py run every test on both paths against their own
references; here the two paths are compared with each other on batches that mix what the
kernels treat apart (characters normalisation deletes, expands or composes, scripts
written without spaces, empty and one-token documents), and the switch itself is tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup import _jit
from dedup.shingle import ShingleParams, shingle_batch
from dedup.signatures import SignatureScheme, minhash_batch, signatures

pytest.importorskip("numba", reason="numba is not installed (pip install -e '.[fast]')")

DEV = Path("/work/shared/dev/dragnet-dev.jsonl")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REPO = Path(__file__).resolve().parents[1]

# Letters, separators, and one of each kind of character the kernels handle apart: a soft
# hyphen and a zero-width space (deleted), "ß", "ﬁ" and "½" (expanded), a combining acute
# and a Devanagari virama (marks: in order, or out of order after another mark), Hangul
# jamo (composes with its neighbour), CJK and Thai (a token per character), NUL.
ALPHABET = st.sampled_from(
    [
        *"abc Zé  .,-\n",
        *["\u00ad", "\u200b", "\u00df", "\ufb01", "\u00bd", "\u0301", "\u0323", "\u094d"],
        *["\u0915", "\u1100", "\u1161", "\u5e02", "\u653f", "\u0e01", "\u0e32", "\x00", "\ufeff"],
    ]
)
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


def both(fn, *args):
    """Return ``fn(*args)`` on the compiled kernels and on numpy."""
    with _jit.forced(True):
        compiled = fn(*args)
    with _jit.forced(False):
        plain = fn(*args)
    return compiled, plain


def assert_same(compiled, plain):
    for c, p in zip(compiled, plain, strict=True):
        assert c.dtype == p.dtype
        assert c.shape == p.shape
        assert np.array_equal(c, p)


@given(
    st.lists(TEXTS, max_size=8),
    st.sampled_from([(5, 5), (2, 3), (1, 4)]),
    st.booleans(),
)
def test_shingles_equal_numpy(texts, sizes, normalize):
    params = ShingleParams(word_n=sizes[0], char_n=sizes[1], normalize=normalize)
    assert_same(*both(shingle_batch, texts, params))


@given(st.lists(TEXTS, max_size=8), st.sampled_from([(128, 1), (7, 3), (1, 0)]))
def test_signatures_and_counts_equal_numpy(texts, perm):
    scheme = SignatureScheme(num_perm=perm[0], seed=perm[1])
    compiled, plain = both(signatures, texts, scheme)
    assert_same(compiled, plain)
    assert compiled[0].flags.c_contiguous


@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=30), max_size=6), st.integers(0, 4))
def test_minhash_batch_equals_numpy_on_any_rows(rows, start):
    # repeats, empty rows, offsets not starting at 0 (minhash_batch signs every value)
    values = np.array([0] * start + [v for r in rows for v in r], dtype=np.uint32)
    offsets = np.cumsum([start] + [len(r) for r in rows])
    scheme = SignatureScheme(num_perm=16, seed=5)
    compiled, plain = both(minhash_batch, values, offsets, scheme)
    assert np.array_equal(compiled, plain)


def real_texts() -> list[str]:
    """The dev pages when present (both fields), else the bundled examples."""
    if DEV.exists():
        rows = [json.loads(line) for line in DEV.open(encoding="utf-8")]
        return [r["text"] for r in rows] + [r["gold"] for r in rows]
    return [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.txt"))]


def test_real_pages_equal_numpy():
    texts = real_texts()
    assert len(texts) > 2
    assert_same(*both(signatures, texts, SignatureScheme()))
    # one page at a time: the path of a store query
    for text in texts[:50]:
        assert_same(*both(signatures, [text], SignatureScheme()))


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
        check=False,
    )


def test_import_dedup_does_not_import_numba_and_dedup_jit_0_turns_the_kernels_off():
    code = """
        import sys
        import dedup
        from dedup import _jit
        from dedup.signatures import signatures
        assert "numba" not in sys.modules
        signatures(["one two three four five six"])
        print(_jit.enabled(), "numba" in sys.modules)
    """
    on = run(code, DEDUP_JIT="1")
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", "True"]
    off = run(code, DEDUP_JIT="0")
    assert off.returncode == 0, off.stderr
    assert off.stdout.split() == ["False", "False"]


def test_a_numba_that_cannot_be_imported_warns_and_numpy_signs(tmp_path):
    # a broken installation (e.g. numba built for another numpy) raises ImportError
    fake = tmp_path / "numba"
    fake.mkdir()
    (fake / "__init__.py").write_text('raise ImportError("Numba needs NumPy 1.0 or less")\n')
    code = """
        import warnings
        from dedup import _jit
        from dedup.signatures import signatures
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sig, counts = signatures(["one two three four five six"])
        print(_jit.enabled(), counts.tolist())
        print(caught[0].message)
    """
    out = run(code, PYTHONPATH=str(tmp_path), DEDUP_JIT="1")
    assert out.returncode == 0, out.stderr
    first, message = out.stdout.splitlines()
    assert first == "False [2]"
    assert "numba is installed but cannot be imported" in message
    assert "Numba needs NumPy 1.0 or less" in message
    assert "DEDUP_JIT=0" in message


def test_without_a_cache_directory_the_kernels_compile_in_memory_and_say_so():
    # numba's answer on a read-only installation with no writable user cache: no locator
    # (only the zip-archive locator allowed, which does not apply to a source file)
    code = """
        import warnings
        from dedup import _jit
        from dedup.signatures import signatures
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sig, counts = signatures(["one two three four five six seven"] * 3)
            signatures(["eight nine ten eleven twelve thirteen"])
        print(_jit.enabled(), counts.tolist(), sig[0][:3].tolist())
        print(len(caught))
        print(caught[0].message)
    """
    out = run(code, NUMBA_CACHE_LOCATOR_CLASSES="ZipCacheLocator", DEDUP_JIT="1")
    assert out.returncode == 0, out.stderr
    first, count, message = out.stdout.splitlines()
    plain = run(
        """
        from dedup.signatures import signatures
        sig, counts = signatures(["one two three four five six seven"] * 3)
        print(counts.tolist(), sig[0][:3].tolist())
        """,
        DEDUP_JIT="0",
    )
    assert plain.returncode == 0, plain.stderr
    assert first == "True " + plain.stdout.strip()  # the same values, compiled in memory
    assert count == "1"  # one warning per process, not one per kernel
    assert "numba cannot cache dedup's compiled kernels" in message
    assert "no locator available" in message
    assert "NUMBA_CACHE_DIR" in message
