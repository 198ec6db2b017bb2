"""The one setup call every lesson makes in its first cell, and the environment check of lesson 00."""
import importlib
import json
import platform
import random
from pathlib import Path

import numpy as np
import torch

from . import _validate as validate
from .plot.accessibility import show_alt_text

__all__ = ["setup", "environment_report", "lesson_map"]

REQUIRED = ("torch", "numpy", "matplotlib", "ipywidgets", "ipympl", "tqdm")


def setup(seed=0):
    """Seed python, numpy and torch once, use 1 torch thread and PNG figures; return a Generator (lesson 00)."""
    validate.count("seed", seed, 0)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)     # tiny nets: more threads only add overhead, and hurt on a busy machine
    _inline_png()
    print(f"ganlessons setup: seed {seed}, torch {torch.__version__} on {torch.get_num_threads()} thread")
    return torch.Generator().manual_seed(seed)


def _inline_png():
    """In a notebook, show figures as PNG (images nbval does not compare byte for byte), each with
    its alt text in the output's metadata (gl.plot.show_alt_text)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png")
        show_alt_text()


def environment_report():
    """Each required package's version, or what to do when one is missing (lesson 00)."""
    lines, missing = [f"python {platform.python_version()}"], []
    for name in REQUIRED:
        try:
            lines.append(f"{name} {importlib.import_module(name).__version__}")
        except ImportError:
            missing.append(name)
            lines.append(f"{name} MISSING")
    if missing:
        lines.append("Missing: " + ", ".join(missing) + ". Run the README's first command again "
                     "(python3 course.py lab) or `pip install -e .` in this environment, then restart the kernel.")
    return "\n".join(lines), missing


def lesson_map(folder=None):
    """(number, title) of each lesson notebook, read from the notebooks folder (lesson 00)."""
    folder = Path(folder) if folder is not None else Path(__file__).resolve().parent.parent / "notebooks"
    if not folder.is_dir():
        validate.fail("folder", str(folder), "an existing folder that holds the lesson notebooks")
    lessons = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        first = "".join(json.loads(path.read_text())["cells"][0]["source"]).splitlines()[0]
        lessons.append((path.name[:2], first.lstrip("# ").split("·", 1)[-1].strip()))
    return lessons
