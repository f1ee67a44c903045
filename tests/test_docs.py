"""Every example in README.md, examples/README.md and docs/*.md runs: the documentation stays true.

Python: every ```python block runs, in a temporary folder that holds the files they name
(``page.txt``, a small ``dump.jsonl.gz``), with ``raw`` bound to a real scraped page (seed 000)
and ``article`` to a real article's text (the gold text of a page of
tests/data/dev_subset.jsonl), ``docs`` to a list of three texts (the article, the page, a
lightly edited copy of the article).

Shell: in every ```sh, ```bash, ```shell and ```console block, each ``dedup ...`` command
runs, in order, with the installed ``dedup`` command, in a fresh temporary folder per block
holding a copy of ``examples/`` and the inputs the docs name (see `_shell_inputs`); it must
exit 0. The rules, in full:

- a command is a line that starts with ``dedup `` or ``$ dedup `` (a trailing ``# comment`` is
  dropped); ``A && B`` is split and each part that starts with ``dedup `` is a command;
- in a block that has ``$ `` prompts (a console session), only prompted lines are commands,
  and the lines after one, up to the next prompt, are its expected output: it is compared
  with what the command printed, durations (``1.0 s``) masked;
- a command right after a comment line ``# not run in tests: <reason>`` is skipped, and
  counted as skipped (an address of a cluster that does not exist here, a multi-gigabyte
  dump); blocks written as ```text never run;
- other lines (``pip install ...``, ``python benchmarks/...``, ``zcat ... | dedup ...``) are
  not ``dedup`` commands and do not run: benchmarks take minutes and are reproduced by hand,
  as docs/evaluation.md says.

`test_shell_command_count` prints how many commands run and how many are skipped.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "examples" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
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


_SHELL_BLOCK = re.compile(r"^```(?:sh|bash|shell|console)[ \t]*\n(.*?)^```", re.S | re.M)
_SKIP = re.compile(r"^#\s*not run in tests:\s*(\S.*)$")
_SECONDS = re.compile(r"\b\d+(?:\.\d+)? s\b")
EXAMPLES_DIR = ROOT / "examples"


def _commands(block: str) -> list[tuple[str, str | None, list[str] | None]]:
    """Return ``(command, skip reason or None, expected output or None)`` for one block."""
    lines = block.splitlines()
    session = any(line.startswith("$ ") for line in lines)
    out: list[tuple[str, str | None, list[str] | None]] = []
    reason = None
    for k, line in enumerate(lines):
        text = line.strip()
        skip = _SKIP.match(text)
        if skip:
            reason = skip.group(1)
            continue
        if session:
            if not text.startswith("$ "):
                continue
            text = text[2:]
        parts = [p.strip() for p in text.split(" && ")]
        commands = [p for p in parts if p.startswith("dedup ")]
        expected = None
        if session:
            rest = []
            for after in lines[k + 1 :]:
                if after.startswith("$ ") or _SKIP.match(after.strip()):
                    break
                rest.append(after)
            expected = rest
        for command in commands:
            out.append((command, reason, expected))
            reason = None
    return out


def _shell_blocks() -> list[tuple[str, list[tuple[str, str | None, list[str] | None]]]]:
    out = []
    for path in DOCS:
        for k, m in enumerate(_SHELL_BLOCK.finditer(path.read_text(encoding="utf-8"))):
            commands = _commands(m.group(1))
            if commands:
                out.append((f"{path.relative_to(ROOT)}#sh{k + 1}", commands))
    return out


SHELL_BLOCKS = _shell_blocks()


def _dedup_command() -> list[str]:
    """The installed ``dedup`` script beside this interpreter, else ``python -m dedup.cli``."""
    script = Path(sys.executable).parent / "dedup"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dedup.cli"]


def _shell_inputs(folder: Path) -> None:
    """Write the inputs the shell examples name, all made from the bundled examples."""
    shutil.copytree(EXAMPLES_DIR, folder / "examples")
    records = (EXAMPLES_DIR / "dump.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "dump.jsonl").write_text("".join(records), encoding="utf-8")
    with gzip.open(folder / "dump.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("".join(records))
    (folder / "dump").mkdir()
    (folder / "dump" / "part-0.jsonl").write_text("".join(records), encoding="utf-8")
    # "the two halves of examples/dump.jsonl" (docs/cli.md, the store session)
    (folder / "day1.jsonl").write_text("".join(records[:5]), encoding="utf-8")
    (folder / "day2.jsonl").write_text("".join(records[5:]), encoding="utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(r) for r in records]
    pq.write_table(pa.Table.from_pylist(rows), folder / "dump.parquet")
    seed = SEED.read_text(encoding="utf-8")
    (folder / "page.txt").write_text(seed, encoding="utf-8")
    (folder / "pages").mkdir()
    for row in rows[:3]:
        (folder / "pages" / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")


def _masked(text: str) -> list[str]:
    return [_SECONDS.sub("N s", line.rstrip()) for line in text.splitlines() if line.strip()]


def test_there_are_shell_examples() -> None:
    assert sum(len(c) for _, c in SHELL_BLOCKS) >= 10


def test_shell_command_count(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [c for _, block in SHELL_BLOCKS for c in block]
    skipped = [(c, r) for c, r, _ in commands if r is not None]
    run = len(commands) - len(skipped)
    with capsys.disabled():
        print(f"\ndocs shell examples: {run} dedup commands run, {len(skipped)} skipped:")
        for command, reason in skipped:
            print(f"  skipped: {command}  ({reason})")
    assert run >= 15
    assert len(skipped) <= run // 4, "most documented commands must run"


@pytest.mark.parametrize(("where", "commands"), SHELL_BLOCKS, ids=[w for w, _ in SHELL_BLOCKS])
def test_shell_example_runs(
    where: str, commands: list[tuple[str, str | None, list[str] | None]], tmp_path: Path
) -> None:
    _shell_inputs(tmp_path)
    for command, reason, expected in commands:
        if reason is not None:
            continue
        argv = shlex.split(command, comments=True)
        assert not {"|", ">", "<", ">>", "&", ";"} & set(argv), (
            f"{where}: {command!r} needs a shell; write it as a dedup command alone, or mark "
            "it '# not run in tests: <reason>'"
        )
        proc = subprocess.run(
            [*_dedup_command(), *argv[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, (
            f"{where}: {command!r} exited {proc.returncode}:\n{proc.stderr}"
        )
        if expected is not None:
            printed = _masked(proc.stderr + proc.stdout)
            assert printed == _masked("\n".join(expected)), f"{where}: output of {command!r}"
