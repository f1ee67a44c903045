"""Robustness: monstrous inputs, and no catastrophic backtracking anywhere.

1. Monsters (a 1 MB line, 100k empty or short lines, NUL, lone surrogates, RTL marks, only
   whitespace, every kind of line break): ``clean`` returns, and every invariant of
   ``conftest.check_result`` holds, idempotence included.
2. Work grows linearly: adversarial inputs (runs of spaces, digits, punctuation, "12 12 12",
   "Updated Updated", "By By By", URL-like tokens, "a-a-a-a") are cleaned at size n and 2n, and
   every compiled regular expression of the package (found by walking the modules, so a
   pattern added later is covered without touching this file) is run on them the same way,
   as are the lexical detectors' public functions on one long line.
   Work is *counted*, not timed: instructions executed, as counted by valgrind's callgrind
   (deterministic, unaffected by machine load). Doubling the input may at most multiply the
   counted work (minus the count on empty input) by ``MAX_RATIO``; a quadratic path gives 4.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import dedup
from dedup.lexicon import load_lines

Check = Callable[[str, dedup.CleanResult], None]

# -- 1. monsters ----------------------------------------------------------------------------------

BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
SENTENCE = "The minister said on Tuesday that talks with the union would resume next week."


def _mixed_breaks() -> str:
    lines = ["Big news today", "Share", SENTENCE, "Updated 3 May 2024", "", "By Jane Doe"] * 400
    return "".join(ln + BREAKS[k % len(BREAKS)] for k, ln in enumerate(lines))


MONSTERS: dict[str, Callable[[], str]] = {
    "1MB-line-of-words": lambda: ("word " * 200_000)[:1_000_000],
    "1MB-line-of-prose": lambda: (SENTENCE + " ") * (1_000_000 // (len(SENTENCE) + 1)),
    "1MB-line-no-space": lambda: "x" * 1_000_000,
    "1MB-line-amid-page": lambda: f"Title Of The Page\nShare\n{'word ' * 200_000}\n{SENTENCE}\n",
    "100k-empty-lines": lambda: "\n" * 100_000,
    "100k-crlf-blank-lines": lambda: " \r\n\t\r\n" * 50_000,
    "100k-short-lines": lambda: "".join(f"Item {i}\n" for i in range(100_000)),
    "100k-same-short-line": lambda: "Share\n" * 100_000,
    "lone-surrogates": lambda: "\ud800\n\udfff text \udbff\n" * 2_000 + SENTENCE,
    "surrogates-amid-page": lambda: f"Title \ud800 Here\nShare\udc00\n{SENTENCE}\ud83d\n" * 300,
    "nul": lambda: "\x00" * 10_000 + "\n\x00Share\x00\n" * 1_000 + SENTENCE + "\x00",
    "rtl-marks": lambda: (
        (
            "\u200f\u202bمتابعة\u202c\u200f\n\u200e\n"
            "قال الوزير يوم الثلاثاء إن المحادثات ستستأنف الأسبوع المقبل.\u200f\n"
        )
        * 2_000
    ),
    "only-whitespace": lambda: " \t\u00a0\u3000\u2009\u200b" * 50_000,
    "only-whitespace-lines": lambda: " \n\t\r\n\u00a0\u2028\u3000\r" * 20_000,
    "only-breaks": lambda: "".join(BREAKS) * 5_000,
    "mixed-breaks": _mixed_breaks,
    "bom-and-zero-width": lambda: "\ufeffTitle\u200b Of Page\n\u200bShare\n" + SENTENCE * 3,
    "all-boilerplate": lambda: "Share\nFollow\nTweet\nEmail\nPrint\n" * 2_000,
    "same-page-1000-times": lambda: (
        (
            "Big News Today In The City\nShare\nUpdated 3 May 2024\nBy Jane Doe\n"
            f"Big News Today In The City\n{SENTENCE}\n{SENTENCE} Again.\nRead more\n"
        )
        * 1_000
    ),
}


@pytest.mark.parametrize("name", list(MONSTERS))
def test_monster(name: str, invariants: Check) -> None:
    text = MONSTERS[name]()
    result = dedup.clean_and_explain(text)
    assert isinstance(result.text, str)
    invariants(text, result)
    assert dedup.clean(result.text) == result.text  # idempotent on monsters too


def test_all_boilerplate_gives_empty_text_with_reasons() -> None:
    text = MONSTERS["all-boilerplate"]()
    result = dedup.clean_and_explain(text)
    assert result.text.strip() == "" or len(result.text) < len(text)
    assert result.removals
    assert all(r.reason for r in result.removals)


# -- 2. counted work: no catastrophic backtracking ------------------------------------------------

#: Doubling the input may multiply the counted work by at most this (linear: 2, quadratic: 4).
MAX_RATIO = 2.5
#: Below this many instructions at size 2n, a ratio is noise (a quadratic path at our sizes
#: costs far more: n^2 steps of the regex engine or of the Python interpreter).
CLEAN_FLOOR = 2_000_000
PATTERN_FLOOR = 100_000
#: A hang (exponential backtracking) is reported by this timeout on the valgrind run.
TIMEOUT = 600

VALGRIND = shutil.which("valgrind")
needs_valgrind = pytest.mark.skipif(
    VALGRIND is None, reason="valgrind not installed (apt-get install valgrind)"
)

# An adversarial "unit" repeated to size; the same unit at n and 2n. Units end with a character
# that makes a pattern that almost matched fail, which is where backtracking explodes.
LINE_UNITS: dict[str, str] = {
    "spaces": " ",
    "spaces-nbsp-tabs": " \t\u00a0",
    "digits": "1",
    "date-fragments": "12 ",
    "date-words": "12 May 2024 ",
    "times": "12:30 ",
    "updated": "Updated ",
    "by": "By ",
    "name-words": "Jane Doe ",
    "capital-words": "Aa",
    "dots": ".",
    "dot-space": ". ",
    "ellipsis-space": "… ",
    "punctuation": "!?,;:()[]{}\"'|/",
    "dashes": "-",
    "a-dash": "a-",
    "a-dot": "a.",
    "a-apostrophe": "a'",
    "url-path": "a/b-c_d.e?",
    "share-row": "Share ",
    "pipes": "| ",
    "guillemets": "»",
    "cjk": "中文",
    "arabic": "قال ",
    "rtl-marks": "\u200f",
    "word": "a",
    "commas": "1,",
    "parens": "(",
    "comment-count": "Comments (12) ",
}
# Units for inputs of many lines (each unit is one or a few lines).
MULTILINE_UNITS: dict[str, str] = {
    "updated-lines": "Updated\n",
    "by-lines": "By By By\n",
    "date-lines": "12 May 2024\n",
    "share-lines": "Share\n",
    "blank-lines": "\n \n",
    "dot-lines": "....\n",
    "teaser-like": "Big News Headline Here\nMay 3, 2024\nThe minister said that the…\n",
    "headline-lines": "Big News Headline Here\n",
    "url-lines": "http://www.example.com/a/b-c\n",
    "mixed-breaks": "a\rb\r\nc\u2028",
}
CLEAN_N = 8_000  # characters of a one-line input at size n
LINES_N = 300  # lines of a many-line input at size n
PATTERN_N = 1_000  # characters of a pattern's subject at size n


def _repeat(unit: str, size: int, tail: str) -> str:
    return (unit * (size // len(unit) + 1))[:size] + tail


def _clean_cases() -> dict[str, tuple[str, str]]:
    cases: dict[str, tuple[str, str]] = {}
    for name, unit in LINE_UNITS.items():
        prefix = "http://www.example.com/" if name == "url-path" else ""
        cases[name] = tuple(  # type: ignore[assignment]
            prefix + _repeat(unit, k * CLEAN_N, "!") for k in (1, 2)
        )
    for name, unit in MULTILINE_UNITS.items():
        lines = unit.count("\n") or 1
        cases[name] = tuple(  # type: ignore[assignment]
            unit * (k * LINES_N // lines) + "x" for k in (1, 2)
        )
    # distinct lines, numbered apart so size 2n does not reuse size n's lines from any cache
    cases["numbered-lines"] = tuple(  # type: ignore[assignment]
        "".join(f"Item {i}\n" for i in range(k * 100_000, k * 100_000 + k * LINES_N))
        for k in (1, 2)
    )
    # a long line printed twice between short ones (the repeats, titles and teasers
    # detectors compare lines), and a page of menu items and prose lines (menus, content)
    cases["long-line-twice"] = tuple(  # type: ignore[assignment]
        "Bridge news\n{0}\nPrint\n{0}".format(_repeat("word ", k * CLEAN_N, "x")) for k in (1, 2)
    )
    cases["menu-and-prose-lines"] = tuple(  # type: ignore[assignment]
        "\n".join(["Home", "News", "A short line here.", SENTENCE] * (k * LINES_N // 4))
        for k in (1, 2)
    )
    cases["numbered-prose"] = tuple(  # type: ignore[assignment]
        "".join(f"{SENTENCE[:-1]} on day {i}.\n" for i in range(k * 10_000, k * 10_000 + k * 200))
        for k in (1, 2)
    )
    return cases


def _pattern_subjects() -> dict[str, tuple[str, str]]:
    subjects = {
        name: (_repeat(unit, PATTERN_N, "!\x00"), _repeat(unit, 2 * PATTERN_N, "!\x00"))
        for name, unit in LINE_UNITS.items()
    }
    subjects.update(
        {
            name: (_repeat(unit, PATTERN_N, "!"), _repeat(unit, 2 * PATTERN_N, "!"))
            for name, unit in MULTILINE_UNITS.items()
        }
    )
    return subjects


# Finds the package's compiled patterns and how dedup uses each one (search, fullmatch...):
# every module's globals (containers and classes too), plus every pattern a dedup function
# calls a method of while cleaning sample texts (sys.setprofile sees each C call; patterns
# compiled inside functions, e.g. from phrase files, are found that way). Runs natively.
DISCOVER = r"""
import importlib, json, pkgutil, re, sys

texts = json.load(open(sys.argv[1], encoding="utf-8"))
found, uses = {}, {}


def attribute(frame):
    # the module of the first frame outside re (re.fullmatch(string, ...) -> its caller)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "re":
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame is not None else ""


real_compile = re._compile


def compile_hook(pattern, flags):  # every pattern dedup code compiles, used or not
    p = real_compile(pattern, flags)
    caller = attribute(sys._getframe(1))
    if caller.split(".")[0] == "dedup" and isinstance(p, re.Pattern):
        found.setdefault((p.pattern, p.flags), caller + " (compiled at run time)")
    return p


def profile(frame, event, arg):  # every method dedup code calls on a pattern
    if event != "c_call" or not isinstance(getattr(arg, "__self__", None), re.Pattern):
        return
    caller = attribute(frame)
    if caller.split(".")[0] == "dedup":
        p = arg.__self__
        found.setdefault((p.pattern, p.flags), caller + " (compiled at run time)")
        uses.setdefault((p.pattern, p.flags), set()).add(arg.__name__)


def visit(obj, where, depth):
    if isinstance(obj, re.Pattern):
        found[(obj.pattern, obj.flags)] = where  # a global's name says more
    elif depth < 3 and isinstance(obj, (list, tuple, set, frozenset)):
        for x in obj:
            visit(x, where, depth + 1)
    elif depth < 3 and isinstance(obj, dict):
        for x in obj.values():
            visit(x, where, depth + 1)
    elif depth < 2 and isinstance(obj, type) and obj.__module__.startswith("dedup"):
        for name, x in vars(obj).items():
            visit(x, where + "." + name, depth + 1)


re._compile = compile_hook
import dedup

modules = []
for info in pkgutil.walk_packages(dedup.__path__, "dedup."):
    try:
        modules.append(importlib.import_module(info.name))
    except ImportError:  # an optional extra that is not installed
        pass
for mod in modules:
    for name, obj in vars(mod).items():
        visit(obj, mod.__name__ + "." + name, 0)
sys.setprofile(profile)
for text in texts:
    dedup.clean_and_explain(text)
    dedup.split_articles(text)
sys.setprofile(None)
re._compile = real_compile
out = []
for (pattern, flags), where in sorted(found.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
    is_bytes = isinstance(pattern, bytes)
    out.append({
        "pattern": pattern.decode("latin-1") if is_bytes else pattern,
        "bytes": is_bytes,
        "flags": flags,
        "where": where,
        "uses": sorted(uses.get((pattern, flags), [])),
    })
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"))
"""

# The measuring program, run under callgrind. It calls os.getppid() (libc getppid, which nothing
# else calls) around each measurement; callgrind dumps its counters before each call
# (--dump-before=getppid), so every other dump holds exactly the work of one measurement.
MEASURE = r"""
import gc, json, os, re, sys

spec = json.load(open(sys.argv[1], encoding="utf-8"))
out_path, progress_path = sys.argv[2], sys.argv[3]
mark = os.getppid
labels = []


def progress(msg):
    with open(progress_path, "a", encoding="utf-8") as f:
        f.write(msg + "\n")


def measure(label, work, arg):
    mark()  # dump: everything before (discarded)
    work(arg)
    mark()  # dump: the work
    labels.append(label)


def use(p, method, s):
    if method in ("search", "match", "fullmatch"):
        getattr(p, method)(s)
    elif method in ("findall", "finditer"):
        for _ in p.finditer(s):
            pass
    elif method in ("sub", "subn"):
        p.sub(s[:0], s)
    elif method == "split":
        p.split(s)


if spec["mode"] == "calls":
    import importlib

    for name, (module, function, small, big) in spec["calls"].items():
        progress("call " + name)
        f = getattr(importlib.import_module(module), function)
        f(small[: len(small) // 8])  # warm this function's lazy paths
        measure([name, 0], f, "")
        measure([name, 1], f, small)
        measure([name, 2], f, big)
elif spec["mode"] == "clean":
    import dedup

    for text in spec["warmup"]:  # import lazily loaded resources, compile, fill caches
        dedup.clean_and_explain(text)
    gc.collect()
    gc.disable()  # collections would land in some measurements and not others
    for name, (small, big) in spec["cases"].items():
        progress("clean " + name)
        dedup.clean(small[: len(small) // 8])  # warm this case's lazy paths
        measure([name, 0], dedup.clean, "")
        measure([name, 1], dedup.clean, small)
        measure([name, 2], dedup.clean, big)
else:
    # One measurement per pattern, method and size over all subjects (a dump costs ~7 ms);
    # with "split", one per subject too (to name the subject that blows up).
    gc.disable()
    subjects = spec["subjects"]
    for k, info in enumerate(spec["patterns"]):
        source = info["pattern"].encode("latin-1") if info["bytes"] else info["pattern"]
        p = re.compile(source, info["flags"])
        for method in info["uses"] or ["search", "fullmatch"]:
            progress("%s %r .%s" % (info["where"], info["pattern"][:80], method))
            sizes = [[], [], []]
            for sname, (small, big) in subjects.items():
                if info["bytes"]:
                    small, big = (x.encode("utf-8", "surrogatepass") for x in (small, big))
                sizes[0].append(small[:0])
                sizes[1].append(small)
                sizes[2].append(big)
                use(p, method, small[:64])
            groups = [(None, range(len(subjects)))]
            if spec["split"]:
                groups = [(name, [j]) for j, name in enumerate(subjects)]
            for name, idx in groups:
                for size in (0, 1, 2):
                    batch = [sizes[size][j] for j in idx]
                    work = lambda b: [use(p, method, s) for s in b]
                    measure([k, method, name, size], work, batch)
# A control that must read as quadratic: search for a pattern with a leading ".* " on a line
# of words without a match tries every start and scans to the end from each.
control = re.compile(r"(?:.* )?x")
sizes = ("", "a " * 500, "a " * 1000)
for size, subject in enumerate(sizes):
    measure([*spec["control_key"], size], control.search, subject)
json.dump({"labels": labels}, open(out_path, "w"))
"""


def _phrase_lines() -> list[str]:
    """Return every entry of the phrase files as a page line (wildcards filled in)."""
    fill = {"*": "Foo Bar", "**": "a b", "~~": "Jane Doe", "#": "12"}
    root = Path(dedup.__file__).parent / "resources"
    out = []
    for path in sorted(root.glob("*/*.txt")):
        for entry in load_lines(f"{path.parent.name}/{path.name}"):
            out.append(" ".join(fill.get(tok, tok) for tok in entry.split()))
    return out


def _warmup_texts() -> list[str]:
    seeds = sorted((Path(__file__).parent / "golden" / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds if not p.name.endswith(".clean.txt")]
    phrases = _phrase_lines()
    texts += ["\n".join(phrases[k : k + 50]) for k in range(0, len(phrases), 50)]
    return [
        *texts,
        "Big news today\nShare\nUpdated 3 May 2024\nBy Jane Doe\n" + SENTENCE,
        MONSTERS["mixed-breaks"](),
        MONSTERS["same-page-1000-times"]()[:5_000],
        MONSTERS["rtl-marks"]()[:2_000],
        *(unit * 8 for unit in (*LINE_UNITS.values(), *MULTILINE_UNITS.values())),
    ]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }


def _discover(tmp: Path) -> list[dict[str, object]]:
    """Return the package's patterns: source, flags, where found, methods dedup calls."""
    (tmp / "discover.py").write_text(DISCOVER, encoding="utf-8")
    (tmp / "texts.json").write_text(json.dumps(_warmup_texts()), encoding="utf-8")
    args = [sys.executable, str(tmp / "discover.py"), str(tmp / "texts.json")]
    proc = subprocess.run(
        [*args, str(tmp / "patterns.json")], capture_output=True, text=True, env=_env(), check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found: list[dict[str, object]] = json.loads((tmp / "patterns.json").read_text("utf-8"))
    return found


def _count(tmp: Path, spec: dict[str, object]) -> dict[tuple[object, ...], int]:
    """Run MEASURE under callgrind; return the instructions each measurement executed."""
    assert VALGRIND is not None
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "measure.py").write_text(MEASURE, encoding="utf-8")
    (tmp / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    progress = tmp / "progress.txt"
    cmd = [
        VALGRIND,
        "--tool=callgrind",
        "--dump-before=getppid",
        f"--callgrind-out-file={tmp / 'cg.out'}",
        sys.executable,
        str(tmp / "measure.py"),
        str(tmp / "spec.json"),
        str(tmp / "out.json"),
        str(progress),
    ]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=TIMEOUT, env=_env(), check=False
        )
    except subprocess.TimeoutExpired:
        last = progress.read_text(encoding="utf-8").splitlines()[-1:] if progress.exists() else []
        pytest.fail(f"no result after {TIMEOUT} s (catastrophic backtracking?) in: {last}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    labels = json.loads((tmp / "out.json").read_text(encoding="utf-8"))["labels"]
    counts = []
    for path in sorted(tmp.glob("cg.out.*"), key=lambda p: int(p.suffix[1:])):
        with path.open(encoding="utf-8", errors="replace") as f:
            counts.extend(int(row.split()[1]) for row in f if row.startswith("totals:"))
    # dumps alternate: [before the measurement], [the measurement], ...
    assert len(counts) == 2 * len(labels), (len(counts), len(labels))
    return {tuple(label): counts[2 * k + 1] for k, label in enumerate(labels)}


def _without_control(
    work: dict[tuple[object, ...], int], key: list[object]
) -> dict[tuple[object, ...], int]:
    """Check that the known-quadratic control reads as such; return the other measurements.

    This proves the counting works here (valgrind, dumps, the subtraction of empty runs): a
    broken measurement would otherwise pass every case.
    """
    control = {k: v for k, v in work.items() if list(k[:-1]) == key}
    assert len(control) == 3, "the control was not measured"
    found = _superlinear(control, 0)
    assert found, f"a quadratic control did not read as superlinear: {control}"
    assert found[0][3] > 3.2
    return {k: v for k, v in work.items() if list(k[:-1]) != key}


def _superlinear(
    work: dict[tuple[object, ...], int], floor: int
) -> list[tuple[tuple[object, ...], int, int, float]]:
    """Return (case, work at n, at 2n, ratio) for each case whose work more than doubles."""
    bad = []
    for key, w0 in work.items():
        if key[-1] != 0:
            continue
        w1 = max(work[(*key[:-1], 1)] - w0, 1)
        w2 = work[(*key[:-1], 2)] - w0
        if w2 > MAX_RATIO * w1 and w2 > floor:
            bad.append((key[:-1], w1, w2, w2 / w1))
    return bad


@needs_valgrind
def test_clean_work_is_linear(tmp_path: Path) -> None:
    cases = _clean_cases()
    key = ["__control__"]
    spec = {"mode": "clean", "cases": cases, "warmup": _warmup_texts(), "control_key": key}
    work = _without_control(_count(tmp_path, spec), key)
    assert len(work) == 3 * len(cases)
    assert max(work.values()) > 10 * CLEAN_FLOOR  # the measurement measures something
    bad = _superlinear(work, CLEAN_FLOOR)
    assert not bad, "clean() work more than doubles when the input doubles:\n" + "\n".join(
        f"  {case[0]}: {w1:,} -> {w2:,} instructions (x{r:.2f})" for case, w1, w2, r in bad
    )


# Public functions of the lexical detectors, on one long line each: they refuse a line longer
# than any byline, trailer or chrome phrase at once, and `find_dates` reads every date of it.
CALLS: dict[str, tuple[str, str, str]] = {
    "match_chrome": ("dedup.detectors.chrome", "match_chrome", "By John Smith "),
    "match_trailer": ("dedup.detectors.trailers", "match_trailer", "By John Smith "),
    "parse_byline": ("dedup.detectors.bylines", "parse_byline", "By John Smith "),
    "is_date_line": ("dedup.detectors.dates", "is_date_line", "By John Smith "),
    "find_dates": ("dedup.detectors.dates", "find_dates", "May 5, 2024 "),
}


@needs_valgrind
def test_lexical_functions_work_is_linear(tmp_path: Path) -> None:
    calls = {
        name: [module, function, *(_repeat(unit, k * CLEAN_N, "x") for k in (1, 2))]
        for name, (module, function, unit) in CALLS.items()
    }
    key: list[object] = ["__control__"]
    spec: dict[str, object] = {"mode": "calls", "calls": calls, "control_key": key}
    work = _without_control(_count(tmp_path, spec), key)
    assert len(work) == 3 * len(calls)
    bad = _superlinear(work, PATTERN_FLOOR)
    assert not bad, "work more than doubles when the input doubles:\n" + "\n".join(
        f"  {case[0]}: {w1:,} -> {w2:,} instructions (x{r:.2f})" for case, w1, w2, r in bad
    )


def test_pattern_discovery_finds_patterns_and_their_uses(tmp_path: Path) -> None:
    found = _discover(tmp_path)
    run_time = [p for p in found if "(compiled at run time)" in str(p["where"])]
    globals_ = [p for p in found if p not in run_time]
    assert any(str(p["where"]).startswith("dedup.document.") for p in globals_)  # a global
    assert run_time  # built while cleaning (phrase files)
    assert sum(bool(p["uses"]) for p in found) >= 5  # calls traced
    known = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}
    assert all(set(p["uses"]) <= known for p in found)  # type: ignore[arg-type]


@needs_valgrind
def test_every_pattern_is_linear(tmp_path: Path) -> None:
    patterns = _discover(tmp_path)
    subjects = _pattern_subjects()
    key = [-1, "search", "__control__"]
    spec = {
        "mode": "patterns",
        "patterns": patterns,
        "subjects": subjects,
        "split": False,
        "control_key": key,
    }
    bad = _superlinear(_without_control(_count(tmp_path / "all", spec), key), PATTERN_FLOOR)
    if bad:  # measure the culprits again, one subject at a time, to name the subjects
        culprits = sorted({case[0] for case, *_ in bad})
        spec["patterns"] = [patterns[k] for k in culprits]
        spec["split"] = True
        split = _superlinear(_without_control(_count(tmp_path / "split", spec), key), PATTERN_FLOOR)
        bad = [((culprits[case[0]], *case[1:]), *rest) for case, *rest in split] or bad
    assert not bad, "a pattern's work more than doubles when its subject doubles:\n" + "\n".join(
        f"  {patterns[k]['where']} {patterns[k]['pattern']!r}.{method}(<{subject or 'all'}>): "  # type: ignore[index]
        f"{w1:,} -> {w2:,} instructions (x{r:.2f})"
        for (k, method, subject), w1, w2, r in bad
    )
