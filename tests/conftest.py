"""Shared test set-up: hypothesis profiles and the invariants every cleaning result must keep.

Hypothesis profiles (pick one with ``HYPOTHESIS_PROFILE=<name>``):

- ``ci`` (the default): deterministic (``derandomize=True``: the same examples on every run and
  machine, so a red CI is reproducible and a green one is not luck), few enough examples that the
  whole suite stays fast, and ``print_blob`` so a failure prints the line that replays it.
- ``dev``: random, more examples; run it before committing a detector.
- ``thorough``: random, many examples; for a nightly run or a hunt for a reported bug.

No profile has a deadline: speed is measured in ``benchmarks/``, never asserted in tests.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import dedup
import dedup.cleaner
from dedup.types import KEPT_LABELS, REMOVAL_LABELS, CleanResult

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=400,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=5000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

if dedup.cleaner.COMPILED:
    # The suite patches and inspects the Python sources of the detectors (call counts, the
    # patterns of each module), which the compiled build has not: it would fail for that.
    pytest.exit(
        f"the dedup imported here ({dedup.__file__}) runs the compiled build of its detectors "
        "(mypyc: HATCH_BUILD_HOOKS_ENABLE=1 pip install .). The tests run on the Python "
        "sources, and tests/test_compiled.py compares the compiled build with them: remove "
        "the compiled modules that build leaves beside the sources (git clean -fX -- '*.so') and "
        "install the checkout as the tests expect (pip install -e '.[test]').",
        returncode=4,
    )


def _line_chunks(text: str) -> list[tuple[int, int, int, str]]:
    """Return ``(start, end, stop, line)`` for every line, split as ``str.splitlines`` does."""
    out = []
    pos = 0
    for chunk in text.splitlines(keepends=True):
        line = chunk.splitlines()[0] if chunk.splitlines() else ""
        out.append((pos, pos + len(line), pos + len(chunk), line))
        pos += len(chunk)
    return out


def check_result(text: str, result: CleanResult) -> None:
    """Assert every promise a `CleanResult` makes about ``text`` (see DESIGN.md, STYLE.md 3).

    The oracle is independent of ``dedup.document``: lines are split with ``str.splitlines``.
    """
    n = len(text)
    chunks = _line_chunks(text)
    line_starts = {c[0] for c in chunks}
    boundaries = line_starts | {n}
    nonblank = [c for c in chunks if c[3].strip()]

    # Removals: sorted, in bounds, non-overlapping, whole lines, labelled, and they replay.
    prev_end = 0
    for r in result.removals:
        assert prev_end <= r.span.start < r.span.end <= n, (r, prev_end, n)
        assert r.span.start in line_starts, f"removal does not start at a line start: {r}"
        assert r.span.end in boundaries, f"removal does not end at a line boundary: {r}"
        assert r.label in REMOVAL_LABELS, r
        assert r.reason.strip(), f"removal without a reason: {r}"
        assert r.detector.strip(), r
        # one removed line, with its break and the blank lines after it (DESIGN: whole lines)
        removed = r.span.slice(text).splitlines()
        assert removed[0].strip(), f"removal starts on a blank line: {r}"
        assert not any(x.strip() for x in removed[1:]), f"removal spans 2+ lines: {r}"
        prev_end = r.span.end
    assert dedup.apply_removals(text, result.removals) == result.text

    # The output is made of input lines, unchanged and in order: a subsequence of the lines.
    it = iter(c[3] for c in chunks)
    for out_line in result.text.splitlines():
        if out_line.strip():
            assert any(out_line == line for line in it), (
                f"output line {out_line!r} is not an input line (in order)"
            )

    # line_labels: exactly the non-blank lines, in order, with their spans and known labels.
    got = [(ll.line_no, ll.span.start, ll.span.end) for ll in result.line_labels]
    want = [(k + 1, c[0], c[1]) for k, c in enumerate(chunks) if c[3].strip()]
    assert got == want, "line_labels do not cover exactly the non-blank lines"
    removal_starts = {r.span.start: r.label for r in result.removals}
    for ll in result.line_labels:
        assert ll.label in REMOVAL_LABELS or ll.label in KEPT_LABELS, ll
        if ll.label in REMOVAL_LABELS:
            assert removal_starts.get(ll.span.start) == ll.label, (
                f"line {ll.line_no} labelled {ll.label!r} but no such removal starts there"
            )
        else:
            assert ll.span.start not in removal_starts, (
                f"line {ll.line_no} labelled kept ({ll.label!r}) but a removal starts there"
            )
    n_removed_lines = sum(ll.label in REMOVAL_LABELS for ll in result.line_labels)
    assert n_removed_lines == len(result.removals)
    assert len(nonblank) == len(result.line_labels)

    # Metadata: the title is an input line; spans of titles are kept lines.
    for span in result.titles:
        assert span.start in line_starts
        assert span.start not in removal_starts
    if result.title is not None:
        assert result.title.strip()
        assert any(result.title == c[3].strip() for c in chunks)


@pytest.fixture(scope="session")
def invariants() -> object:
    """Return `check_result` (a session fixture, so hypothesis tests may use it)."""
    return check_result


# -- Redis (dedup.Store's Redis backend; tests/redis_server.py starts real servers) ----------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Return a running ``redis-server`` (`redis_server.RedisServer`) shared by the session.

    Skips only when ``redis-server`` is not installed or cannot start (.ci/run installs it).
    """
    import shutil

    from redis_server import start_redis

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server (.ci/run does)")
    try:
        server = start_redis(tmp_path_factory.mktemp("redis"))
    except (OSError, RuntimeError) as exc:
        pytest.skip(f"redis-server cannot start: {exc}")
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: object) -> str:
    """Return the session server's URL with a key prefix of this test's own."""
    import uuid

    return f"{redis_server.url}?prefix=t{uuid.uuid4().hex[:16]}"  # type: ignore[attr-defined]


@pytest.fixture(scope="module", params=["numpy", "numba"])
def signing_kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests once on numpy's signing path and once on numba's kernels.

    ``dedup._jit.forced`` decides which path shingling and MinHash take; the module's
    references (datasketch, `dedup.normalize`, hand-made tokens) then check each path.
    """
    from dedup import _jit

    if request.param == "numba" and importlib.util.find_spec("numba") is None:
        pytest.skip("numba is not installed (pip install -e '.[fast]'): kernels not tested")
    with _jit.forced(request.param == "numba"):
        yield request.param
