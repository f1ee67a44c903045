"""ruff (check and format) and mypy --strict run as part of the test suite, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> None:
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.mark.parametrize(
    "args",
    [
        # through this interpreter, as mypy: the ruff of the environment under test, found
        # whether or not its bin/ is on PATH
        pytest.param((sys.executable, "-m", "ruff", "check", "."), id="ruff-check"),
        pytest.param((sys.executable, "-m", "ruff", "format", "--check", "."), id="ruff-format"),
        pytest.param(
            (sys.executable, "-m", "mypy", "dedup", "tests/typing/usage.py"), id="mypy-strict"
        ),
    ],
)
def test_tool(args: tuple[str, ...]) -> None:
    _run(*args)
