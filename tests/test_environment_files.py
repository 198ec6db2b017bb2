"""environment.yml (conda route, Binder) must not drift from pyproject.toml (pip route); course.py,
pyproject.toml and the README promise the same Python; course.py picks the CPU torch per platform."""
import ast
import importlib.util
import re
import sys
import time
from pathlib import Path

import pytest

try:
    import tomllib                    # Python >= 3.11
except ImportError:                   # Python 3.10, which the course supports: no tomllib in the standard library
    tomllib = None

ROOT = Path(__file__).parent.parent
CONDA_NAMES = {"pytorch-cpu": "torch", "matplotlib-base": "matplotlib"}   # conda-forge name -> PyPI name


def conda_packages(path):
    names, uncommented = set(), []
    in_deps = False
    for line in path.read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        item = re.match(r"\s+-\s+([A-Za-z0-9_.-]+)", line)
        if in_deps and item:
            if "#" not in line:
                uncommented.append(line)
            names.add(CONDA_NAMES.get(item.group(1), item.group(1)))
    return names, uncommented


def test_binder_environment_is_the_same_file():
    assert (ROOT / "binder" / "environment.yml").read_text() == (ROOT / "environment.yml").read_text(), \
        "binder/environment.yml drifted from environment.yml: copy it over"


def test_every_environment_line_says_why():
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip():
            assert "#" in line, f"environment.yml: every line has a comment saying why: {line!r}"


def pyproject():
    """pyproject.toml's [project] table (with tomllib), or the parts these tests read (without it, on 3.10)."""
    text = (ROOT / "pyproject.toml").read_text()
    if tomllib:
        return tomllib.loads(text)["project"]
    def array(name):
        body = re.search(rf"^{name} = \[(.*?)\]", text, re.M | re.S).group(1)
        return re.findall(r'"([^"]+)"', re.sub(r"#.*", "", body))
    return {"requires-python": re.search(r'^requires-python = "([^"]+)"', text, re.M).group(1),
            "dependencies": array("dependencies"), "optional-dependencies": {"test": array("test")}}


def test_same_packages_as_pyproject():
    project = pyproject()
    pip = {re.match(r"[A-Za-z0-9_.-]+", d).group(0) for d in project["dependencies"]}
    pip |= {re.match(r"[A-Za-z0-9_.-]+", d).group(0) for d in project["optional-dependencies"]["test"]}
    conda, _ = conda_packages(ROOT / "environment.yml")
    conda -= {"python", "pip"}
    assert conda == pip, f"only in environment.yml: {conda - pip}; only in pyproject.toml: {pip - conda}"


def test_conda_forge_only_and_cpu_torch():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"channels:.*\n\s+- conda-forge\s+#", text) and "- defaults" not in text
    assert re.search(r"- python=3\.11\s", text) and "- pytorch-cpu" in text


def conda_pins():
    """{conda name: pinned version} for environment.yml's dependencies."""
    return dict(re.findall(r"^\s+- ([A-Za-z0-9_.-]+)=([0-9][^\s#]*)", (ROOT / "environment.yml").read_text(), re.M))


def test_binder_pins_the_releases_the_outputs_come_from():
    pins = conda_pins()
    conda, _ = conda_packages(ROOT / "environment.yml")
    unpinned = {name for name in conda - {"pip"}} - {CONDA_NAMES.get(name, name) for name in pins}
    assert not unpinned, f"environment.yml: pin {unpinned} (Binder would take whatever conda-forge serves that day)"
    assert "torch==" + pins["pytorch-cpu"] == load_course().TORCH, "environment.yml's pytorch-cpu differs from course.py"


def test_binder_shuts_a_lessons_kernel_down_when_its_tab_closes():
    import json
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "cp binder/overrides.json" in post and "/settings" in post
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    if not schemas.exists():
        pytest.skip(f"no JupyterLab schemas at {schemas} to check the setting names against")
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        assert set(values) <= set(schema["properties"]), f"{plugin}: no such setting {set(values) - set(schema['properties'])}"


def test_binder_post_build_installs_the_package():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in post and "pip install --no-deps -e ." in post


def load_course():
    """course.py as a module (importing it runs nothing but its Python check)."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    return course


def test_python_version_promised_everywhere_alike():
    course = load_course()
    minimum = ".".join(map(str, course.MIN_PYTHON))
    assert pyproject()["requires-python"] == f">={minimum}", "pyproject's requires-python differs from course.py"
    assert f"Python ≥ {minimum}" in (ROOT / "README.md").read_text(), "the README promises another Python"
    assert sys.version_info >= course.MIN_PYTHON


def test_course_py_parses_on_old_pythons_so_its_version_check_can_speak():
    ast.parse((ROOT / "course.py").read_text(), feature_version=(3, 6))


def test_fallback_parser_reads_pyproject_like_tomllib(monkeypatch):
    if tomllib is None:
        pytest.skip("no tomllib to compare with on this Python")
    full = pyproject()
    monkeypatch.setattr(sys.modules[__name__], "tomllib", None)
    fallback = pyproject()
    assert fallback["requires-python"] == full["requires-python"]
    assert fallback["dependencies"] == full["dependencies"]
    assert fallback["optional-dependencies"]["test"] == full["optional-dependencies"]["test"]


@pytest.mark.parametrize("system, machine, reachable, env, expected", [
    ("Linux", "x86_64", True, None, "cpu-index"),          # the CPU build, not PyPI's CUDA one
    ("Linux", "aarch64", True, None, "cpu-index"),
    ("Windows", "AMD64", True, None, "cpu-index"),
    ("Linux", "x86_64", False, None, None),                # closed network (this machine): pip's own index
    ("Darwin", "arm64", True, None, None),                 # Apple silicon: PyPI's wheel is the CPU build
    ("Linux", "x86_64", True, "default", None),            # the variable chooses pip's own index
    ("Windows", "AMD64", True, "https://mirror.example/simple", "https://mirror.example/simple"),
])
def test_torch_index_per_platform(monkeypatch, system, machine, reachable, env, expected):
    course = load_course()
    monkeypatch.setattr(course.platform, "system", lambda: system)
    monkeypatch.setattr(course.platform, "machine", lambda: machine)
    monkeypatch.setattr(course, "reachable", lambda url, timeout=5.0: reachable)
    if env:
        monkeypatch.setenv("GANLESSONS_TORCH_INDEX", env)
    else:
        monkeypatch.delenv("GANLESSONS_TORCH_INDEX", raising=False)
    assert course.torch_index() == (course.TORCH_CPU_INDEX if expected == "cpu-index" else expected)


def test_intel_mac_is_pointed_to_conda(monkeypatch):
    course = load_course()
    monkeypatch.setattr(course.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(course.platform, "machine", lambda: "x86_64")
    monkeypatch.delenv("GANLESSONS_TORCH_INDEX", raising=False)
    with pytest.raises(SystemExit) as stop:
        course.torch_index()
    assert "Intel Mac" in str(stop.value) and "conda env create -f environment.yml" in str(stop.value)


def test_unreachable_index_is_given_up_at_once():
    course = load_course()
    start = time.perf_counter()
    assert not course.reachable("https://unreachable.invalid/whl/cpu", timeout=3.0)
    assert time.perf_counter() - start < 4.0


def test_no_execv_the_lab_waits_for_jupyter():
    assert "os.execv(" not in (ROOT / "course.py").read_text(), "os.execv returns to the prompt on Windows"


def test_every_lesson_has_its_own_binder_link():
    readme = (ROOT / "README.md").read_text()
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        link = f"https://mybinder.org/v2/gh/ganlessons/ganlessons/main?urlpath=lab/tree/notebooks/{notebook.name})"
        assert link in readme, f"README: no Binder launch link for {notebook.name}"
