"""environment.yml (conda route, Binder) must not drift from pyproject.toml (pip route)."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
CONDA_NAMES = {"pytorch-cpu": "torch"}          # conda-forge name -> PyPI name


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


def test_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = {re.match(r"[A-Za-z0-9_.-]+", d).group(0) for d in project["dependencies"]}
    pip |= {re.match(r"[A-Za-z0-9_.-]+", d).group(0) for d in project["optional-dependencies"]["test"]}
    conda, _ = conda_packages(ROOT / "environment.yml")
    conda -= {"python", "pip"}
    assert conda == pip, f"only in environment.yml: {conda - pip}; only in pyproject.toml: {pip - conda}"


def test_conda_forge_only_and_cpu_torch():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"channels:.*\n\s+- conda-forge\s+#", text) and "- defaults" not in text
    assert re.search(r"- python=3\.11\s", text) and "- pytorch-cpu" in text


def test_binder_post_build_installs_the_package():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in post and "pip install --no-deps -e ." in post
