"""Each public function or class of ganlessons says in its docstring which lesson introduces it,
"(lesson NN)", and that is the first lesson notebook that calls it in a code cell; for one no
lesson calls itself, the first lesson that calls a function of the package that uses it (found
statically, by name, through the package's own source). A function no lesson uses yet must name a lesson that does not exist yet (lessons
are being written), so a tag can never point at a lesson that ignores the function.

`ganlessons.check` is left out: its checks are called from the lessons' exercises, and the
catalogue in tests/test_check_* holds them to account.
"""
import ast
import importlib
import inspect
import json
import pkgutil
import re
import textwrap
from pathlib import Path

import pytest

import ganlessons as gl

NOTEBOOKS = {int(p.name[:2]): p for p in sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
TAG = re.compile(r"\(lessons? (\d\d)\b")
SKIP = {"ganlessons.check", "ganlessons._validate"}
# Where reading the source by name over-counts: the call happens only with an option a later lesson
# introduces. Each entry names that option, and the test checks the lesson really passes it.
CONDITIONAL = {"ganlessons.losses.r1_penalty": (9, "r1_gamma")}      # d_step calls it only if r1_gamma > 0
# Public helpers no lesson uses (the tests use them as references); the test checks that is still so.
NOT_IN_LESSONS = {"ganlessons.games.dirac_value": "the Dirac-GAN value whose gradient field dirac_field is",
                  "ganlessons.metrics.spread_ratio": "the global spread; lesson 07 uses local_spread_ratio",
                  "ganlessons.metrics.reverse_kl": "the all-samples variant; lessons 07-08 use PacGAN's HQ-only reverse_kl_hq",
                  "ganlessons.metrics.mode_report": "the all-samples report; lessons 07-08 use paper_report",
                  "ganlessons.remedies.Method": "the record type of METHODS, which lesson 08 lists"}


def modules():
    names = ["ganlessons"] + [m.name for m in pkgutil.walk_packages(gl.__path__, "ganlessons.")]
    return [importlib.import_module(n) for n in names if n not in SKIP]


def package_objects():
    """{object: "module.name"} for every module-level function and class the package defines,
    and the set of those its modules list in __all__ (the public ones, whose tags are checked)."""
    found, public = {}, set()
    for module in modules():
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                found[obj] = f"{module.__name__}.{name}"
                if name in getattr(module, "__all__", ()):
                    public.add(obj)
    return found, public


def _resolve(path):
    """`gl.x`, `gl.mod.x`, `remedies.x` (as imported in the lessons) to an object, or None."""
    obj = gl
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def notebook_uses():
    """object -> the first lesson whose code cells name it."""
    first = {}
    for number, path in sorted(NOTEBOOKS.items()):
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "code")
        paths = re.findall(r"\bgl((?:\.\w+)+)", code)
        paths += ["." + m for m in re.findall(r"(?<![\w.])((?:remedies|games|digits|evaluate|image_gans|image_views)(?:\.\w+)+)", code)
                  if re.search(r"from ganlessons import .*\b" + m.split(".")[0], code)]
        for p in paths:
            for depth in range(1, p.count(".") + 1):
                obj = _resolve(".".join(p.split(".")[1:depth + 1]))
                if inspect.isfunction(obj) or inspect.isclass(obj):
                    first.setdefault(obj, number)
    return first


def _hashable(value):
    try:
        hash(value)
        return True
    except TypeError:
        return False


def uses_inside_the_package(objects):
    """object -> the set of public objects it uses: names in its source resolved in its module,
    and the functions held by the dicts or tuples it names (e.g. G_LOSSES)."""
    uses = {}
    for obj in objects:
        module = inspect.getmodule(obj)
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
        values = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                values.append(getattr(module, node.id, None))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                owner = getattr(module, node.value.id, None)
                if inspect.ismodule(owner):
                    values.append(getattr(owner, node.attr, None))
        for value in list(values):
            if isinstance(value, dict):
                values += [v for v in value.values() if callable(v)]
            elif isinstance(value, tuple):
                values += [v for v in value if callable(v)]
        uses[obj] = {u for u in values if _hashable(u) and u in objects and u is not obj}
    return uses


def first_lessons():
    """{public object: the first lesson that calls it}, or for one no lesson calls directly, the
    first lesson that calls something in the package that uses it."""
    objects, public = package_objects()
    direct = {obj: n for obj, n in notebook_uses().items() if obj in objects}
    first, uses = dict(direct), uses_inside_the_package(objects)
    changed = True
    while changed:                                    # a callee is used no later than its caller
        changed = False
        for caller, callees in uses.items():
            for callee in callees:
                if caller in first and callee not in direct and first.get(callee, 99) > first[caller]:
                    first[callee], changed = first[caller], True
    return {obj: objects[obj] for obj in public}, first


OBJECTS, FIRST = first_lessons()


@pytest.mark.parametrize("obj", list(OBJECTS), ids=lambda o: OBJECTS[o])
def test_lesson_tag_names_the_first_lesson_that_uses_it(obj):
    tag = TAG.search(inspect.getdoc(obj) or "")
    assert tag, f"{OBJECTS[obj]}: its docstring names no lesson, e.g. '(lesson 04)'"
    tagged, name = int(tag.group(1)), OBJECTS[obj]
    if name in CONDITIONAL:
        lesson, option = CONDITIONAL[name]
        assert tagged == lesson and option in NOTEBOOKS[lesson].read_text(), name
        assert not any(option in p.read_text() for n, p in NOTEBOOKS.items() if n < lesson), name
    elif name in NOT_IN_LESSONS:
        assert obj not in FIRST, f"{name} is used by lesson {FIRST.get(obj)}: take it off NOT_IN_LESSONS"
    elif obj in FIRST:
        assert tagged == FIRST[obj], \
            f"{OBJECTS[obj]} says (lesson {tagged:02d}) but lesson {FIRST[obj]:02d} is the first to use it"
    else:
        assert tagged not in NOTEBOOKS, \
            f"{OBJECTS[obj]} says (lesson {tagged:02d}), which never uses it (no lesson does yet)"


def test_the_search_finds_direct_and_indirect_uses():
    assert FIRST[gl.train_gan] == 1 and FIRST[gl.widgets.Playground] == 4
    assert FIRST[gl.ensemble.g_step] == FIRST[gl.train_many]          # only through train_many
    assert FIRST[gl.remedies.StackedDiscriminator] == 8
