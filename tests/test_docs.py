"""Every Python example in README.md and docs/ runs, so the documentation stays true.

Examples run in a temporary folder that holds the files they name (``page.txt``, a small
``dump.jsonl.gz``), with ``raw`` bound to a real scraped page (seed 000) and ``article`` to a
real article's text (the gold text of a page of tests/data/dev_subset.jsonl), ``docs`` to a
list of three texts (the article, the page, a lightly edited copy of the article).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
SEED = ROOT / "tests" / "golden" / "seeds" / "000_323881d297d953c7.txt"
SUBSET = ROOT / "tests" / "data" / "dev_subset.jsonl"


def _article() -> str:
    with SUBSET.open(encoding="utf-8") as f:
        golds = (json.loads(line)["gold"] for line in f)
        return next(g for g in golds if len(g.split()) >= 300 and "Tuesday" in g)


def _examples() -> list[tuple[str, str]]:
    out = []
    for path in DOCS:
        for k, m in enumerate(_BLOCK.finditer(path.read_text(encoding="utf-8"))):
            out.append((f"{path.relative_to(ROOT)}#{k + 1}", m.group(1)))
    return out


EXAMPLES = _examples()


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_runs(where: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    raw = SEED.read_text(encoding="utf-8")
    (tmp_path / "page.txt").write_text(raw, encoding="utf-8")
    with gzip.open(tmp_path / "dump.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "1", "text": raw}) + "\n")
    monkeypatch.chdir(tmp_path)
    article = _article()
    docs = [article, raw, article.replace("Tuesday", "Wednesday")]
    names = {"raw": raw, "article": article, "docs": docs, "__name__": "__doc_example__"}
    exec(compile(code, where, "exec"), names)
