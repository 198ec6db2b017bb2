"""The structure every lesson shares (DEVELOPERS.md): opening and closing sections, one setup
cell, stored outputs from one top-to-bottom run, no errors, small files, exercises with
self-checks, and at least one asserted claim."""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
OPENING = ["What you'll learn", "What you'll need", "Run time"]
CLOSING = ["Key points", "Exercises", "References"]


def cells(path, kind):
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def text(cell):
    return "".join(cell["source"])


def test_there_are_lessons():
    assert len(NOTEBOOKS) >= 2, "notebooks/ should hold the lessons"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_name_is_number_verb_phrase(path):
    assert re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)+\.ipynb", path.name), \
        f"{path.name}: lessons are named NN_verb_phrase.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opening_and_closing_sections(path):
    markdown = cells(path, "markdown")
    assert text(markdown[0]).startswith("# "), f"{path.name}: the first cell is the lesson's title"
    prose = "\n".join(text(c) for c in markdown)
    for heading in OPENING + CLOSING:
        assert heading.lower() in prose.lower(), f"{path.name}: missing the '{heading}' section"
    last = max(prose.lower().rfind(h.lower()) for h in CLOSING)
    assert prose.lower().find("key points") > prose.lower().find("what you'll need"), \
        f"{path.name}: Key points close the lesson, after the opening sections"
    assert last > 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_setup_cell_first(path):
    code = [text(c) for c in cells(path, "code")]
    assert "setup(" in code[0] and "import" in code[0], \
        f"{path.name}: the first code cell is the one setup cell (imports, ganlessons.setup(seed))"
    for i, src in enumerate(code[1:], start=2):
        for forbidden in ("setup(", "manual_seed(", "set_num_threads(", "np.random.seed("):
            pattern = re.escape(forbidden)
            hits = [line for line in src.splitlines() if re.search(r"(^|[^.\w])" + pattern, line.strip())
                    or re.search(r"(torch|gl|ganlessons|np\.random|random)\." + pattern, line)]
            assert not hits, f"{path.name}, code cell {i}: seeding/setup happens once, in the first cell: {hits}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom_without_errors(path):
    code = [c for c in cells(path, "code") if text(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, …: re-run it with "
        f"`python3 course.py execute notebooks/{path.name}`")
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{path.name}: stored error output {errors[0].get('ename')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_small_file(path):
    assert path.stat().st_size < 1_000_000, f"{path.name}: {path.stat().st_size} bytes; keep lessons under 1 MB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_claims_asserted_and_exercises_self_checked(path):
    code = "\n".join(text(c) for c in cells(path, "code"))
    markdown = "\n".join(text(c) for c in cells(path, "markdown"))
    assert re.search(r"^\s*assert ", code, re.M), f"{path.name}: no cell asserts a claim"
    assert re.search(r"\bcheck\.\w+\(", code), f"{path.name}: exercises need a ganlessons.check self-check"
    assert "<details>" in markdown, f"{path.name}: each exercise's solution sits in a collapsed <details> cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_output_is_rare(path):
    code = [c for c in cells(path, "code")]
    ignored = [c for c in code if {"nbval-ignore-output", "nbval-skip"} & set(c["metadata"].get("tags", []))
               or "NBVAL_IGNORE_OUTPUT" in text(c) or "NBVAL_SKIP" in text(c)]
    assert len(ignored) <= len(code) // 3, f"{path.name}: {len(ignored)} of {len(code)} code cells escape nbval"
