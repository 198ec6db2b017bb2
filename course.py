#!/usr/bin/env python3
"""Set up and run the ganlessons course. Needs only Python >= 3.10.

    python3 course.py lab                 # set up .venv, open the course in JupyterLab
    python3 course.py test                # set up .venv (and Chromium), run every test
    python3 course.py execute NB.ipynb…   # re-run notebooks top to bottom in a fresh kernel, save
    python3 course.py bench               # time each lesson and its peak memory against the budgets

Extra arguments after `test` go to pytest, e.g. `python3 course.py test notebooks/01_meet_the_two_players.ipynb`.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
# The CPU build of torch; an unpinned torch pulls several GB of CUDA wheels on Linux.
TORCH = "torch==2.13.0"
CHROMIUM = "/usr/bin/chromium"


def run(*cmd, **kw):
    """Run a command, echoing it, and stop on failure."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(extras):
    """Create .venv and install the course into it, unless it is already up to date."""
    stamp = VENV / "ganlessons-installed"
    want = hashlib.sha256(((ROOT / "pyproject.toml").read_bytes() + TORCH.encode() + extras.encode())).hexdigest()
    if stamp.exists() and stamp.read_text() == want and PYTHON.exists():
        return
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", TORCH, "-e", f".[{extras}]", cwd=ROOT)
    stamp.write_text(want)


def ensure_chromium():
    """The browser test drives Debian's Chromium; install it with apt-get when we may."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        quiet = dict(os.environ, DEBIAN_FRONTEND="noninteractive")   # CI has no terminal to answer prompts
        run("apt-get", "update", "-q", env=quiet)
        run("apt-get", "install", "-y", "-q", "chromium", env=quiet)
    else:
        sys.exit(f"The browser test needs Chromium at {CHROMIUM}. On Debian/Ubuntu: "
                 "sudo apt-get install chromium; then run this command again.")


def main(argv):
    command = argv[0] if argv else "help"
    if command == "lab":
        ensure_venv("test")
        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []   # Lab refuses root otherwise
        os.execv(PYTHON, [str(PYTHON), "-m", "jupyter", "lab", "--notebook-dir", str(ROOT / "notebooks"), *root, *argv[1:]])
    elif command == "test":
        ensure_venv("test,browser")
        ensure_chromium()
        return subprocess.run([str(PYTHON), "-m", "pytest", *argv[1:]], cwd=ROOT).returncode
    elif command == "execute":
        ensure_venv("test")
        run(PYTHON, ROOT / "benchmarks" / "lessons.py", "--save", *argv[1:], cwd=ROOT)
    elif command == "bench":
        ensure_venv("test")
        run(PYTHON, ROOT / "benchmarks" / "lessons.py", *argv[1:], cwd=ROOT)
    else:
        print(__doc__)
        return 0 if command in ("help", "-h", "--help") else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
