"""The compiled build of the detectors (mypyc) cleans exactly as the Python one.

``HATCH_BUILD_HOOKS_ENABLE=1 pip install .`` compiles the modules the ``mypyc`` build hook of
pyproject.toml lists to C extensions (docs/dependencies.md). Compiled code checks the
annotated types at run time and may not be patched, so the two builds are run side by side
here, each in a process of its own: the wheel is built from this checkout once, and every
text (real pages and what the hypothesis strategies below make of their lines) goes to both
processes, whose results (text, every removal with its reason and score, title, byline,
dates) must be equal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_learn import synthetic_corpus

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
pytest.importorskip(
    "hatch_mypyc", reason="the build hook is not installed (pip install -e '.[test]')"
)

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"

# One process per build: reads a JSON request per line, answers with a JSON line. ``-P``
# keeps the working directory off sys.path, so ``dedup`` is the one PYTHONPATH names.
WORKER = """
import json, sys
from importlib.machinery import EXTENSION_SUFFIXES
import dedup

def summary(r):
    removals = [x.to_dict() for x in r.removals]  # span, label, reason, detector, score
    return [r.text, removals, r.title, r.byline, list(r.published)]

for request in sys.stdin:
    req = json.loads(request)
    if req["op"] == "modules":
        out = [dedup.cleaner.COMPILED,
               sorted(name for name, module in sys.modules.items()
                      if name.startswith("dedup") and getattr(module, "__file__", None)
                      and module.__file__.endswith(tuple(EXTENSION_SUFFIXES)))]
    elif req["op"] == "errors":  # bad input to each public function: the error it raises
        out = []
        for func in (dedup.clean, dedup.clean_and_explain, dedup.split_articles,
                     lambda t: dedup.apply_removals(t, [])):
            for bad in (b"Share", None, 3, ["Share"]):
                try:
                    func(bad)
                    out.append(None)
                except Exception as e:
                    out.append([type(e).__name__, str(e)])
    elif req["op"] == "clean":
        out = [summary(dedup.clean_and_explain(t)) for t in req["texts"]]
    else:  # "corpus": fit one Cleaner on the documents, then clean each of them
        cleaner = dedup.Cleaner().fit(req["docs"])
        out = [summary(cleaner.clean_and_explain(d)) for d in req["docs"]]
    print(json.dumps(out), flush=True)
"""


class Worker:
    """A Python process that cleans with the ``dedup`` found on ``path``."""

    def __init__(self, path: Path, cwd: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(path), "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-c", textwrap.dedent(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )

    def ask(self, **request: Any) -> Any:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, f"the worker died (exit code {self.proc.wait()}): see its stderr above"
        return json.loads(answer)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def hook_config() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as f:
        config: dict[str, Any] = tomllib.load(f)
    return config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]


def expected_modules() -> set[str]:
    """Return the modules the hook compiles: its ``include`` paths, less its ``exclude``."""
    config = hook_config()
    excluded = {REPO / p.lstrip("/") for p in config.get("exclude", [])}
    names = set()
    for entry in config["include"]:
        path = REPO / entry.lstrip("/")
        for file in [path] if path.suffix == ".py" else sorted(path.rglob("*.py")):
            if file not in excluded:
                names.add(".".join(file.relative_to(REPO).with_suffix("").parts))
    return names


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Worker, Worker]]:
    """Build the compiled wheel from a copy of this checkout; yield (interpreted, compiled)."""
    root = tmp_path_factory.mktemp("compiled")
    # Copies: the hook renames pyproject.toml while it compiles and leaves the extensions
    # beside the sources, neither of which may happen in the checkout; the interpreted
    # worker imports a copy of its own.
    src, plain = root / "src", root / "plain"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", ".mypy_cache")
    shutil.copytree(REPO / "dedup", src / "dedup", ignore=ignore)
    shutil.copytree(REPO / "dedup", plain / "dedup", ignore=ignore)
    wheel_dir = root / "wheel"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    build = subprocess.run(
        [*command, "--wheel-dir", str(wheel_dir), str(src)],
        capture_output=True,
        text=True,
        env={**os.environ, "HATCH_BUILD_HOOKS_ENABLE": "1"},
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = wheel_dir.glob("dedup-*.whl")
    assert "-none-any" not in wheel.name, f"{wheel.name}: the hook compiled nothing"
    site = root / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    interpreted, compiled = Worker(plain, root), Worker(site, root)
    yield interpreted, compiled
    interpreted.close()
    compiled.close()


def test_the_hook_compiles_exactly_the_listed_modules(builds):
    interpreted, compiled = builds
    interpreted.ask(op="clean", texts=["Title\nFollow\nThe article, with a sentence."])
    compiled.ask(op="clean", texts=["Title\nFollow\nThe article, with a sentence."])
    assert interpreted.ask(op="modules") == [False, []]
    expected = expected_modules()
    assert {"dedup.detectors.content", "dedup.detectors.titles"} <= expected
    flag, modules = compiled.ask(op="modules")
    assert flag is True  # dedup.cleaner.COMPILED, which `dedup --version` shows
    assert set(modules) == expected


def test_bad_input_gets_the_same_clear_errors(builds):
    interpreted, compiled = builds
    expected = interpreted.ask(op="errors")
    assert all(e is not None and e[0] in ("InputError", "TypeError") for e in expected)
    assert any("decode" in e[1] for e in expected)
    assert compiled.ask(op="errors") == expected


def pages() -> list[dict[str, str]]:
    with (DATA / "dev_subset.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def golden_texts() -> list[str]:
    texts = [
        p.read_text(encoding="utf-8") for p in sorted((GOLDEN / "seeds").glob("*[0-9a-f].txt"))
    ]
    for folder in ("cases", "negative", "known_failures"):
        for p in sorted((GOLDEN / folder).glob("*.json")):
            texts.append(json.loads(p.read_text(encoding="utf-8"))["input"])
    return texts


def variants(text: str) -> list[str]:
    """Return ``text`` and what reordering and dropping its lines make of it."""
    lines = text.splitlines()
    return [text, "\n".join(reversed(lines)), "\n".join(lines[::2]), "\n".join(lines[1::2])]


def test_real_pages_and_golden_cases_clean_the_same(builds):
    interpreted, compiled = builds
    texts = [v for t in [p["text"] for p in pages()] + golden_texts() for v in variants(t)]
    assert len(texts) > 300
    expected = interpreted.ask(op="clean", texts=texts)
    got = compiled.ask(op="clean", texts=texts)
    assert sum(len(r[1]) for r in expected) > 1000  # the texts exercise the detectors
    for text, want, have in zip(texts, expected, got, strict=True):
        assert have == want, text[:300]


def test_the_corpus_cleaner_learns_and_cleans_the_same(builds):
    interpreted, compiled = builds
    docs = synthetic_corpus() + [{"text": p["text"], "site": p["site"]} for p in pages()]
    expected = interpreted.ask(op="corpus", docs=docs)
    learned = sum(r["detector"] == "site" for result in expected for r in result[1])
    assert learned > 50  # lines removed as learned site chrome
    assert compiled.ask(op="corpus", docs=docs) == expected


def _pool() -> list[str]:
    lines = {ln for t in golden_texts() for ln in t.splitlines()}
    return sorted(lines)


LINES = st.one_of(
    st.sampled_from(_pool()),
    st.text(
        alphabet=st.sampled_from([*"ab Zé1.:|-—»\t", "\u00a0", "\u200f", "市", "ก"]), max_size=40
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=40))
def test_any_text_cleans_the_same(builds, lines):
    interpreted, compiled = builds
    text = "\n".join(lines)
    assert compiled.ask(op="clean", texts=[text]) == interpreted.ask(op="clean", texts=[text])
