#!/usr/bin/env python3
"""Set up and run the ganlessons course. Needs only Python >= 3.10 (Linux, macOS, Windows; no root).

    python3 course.py lab                 # set up .venv, open the course in JupyterLab
    python3 course.py test                # set up .venv (and Chromium if we may), run every test (strict nbval)
    python3 course.py check               # run every lesson top to bottom with its asserts, outputs not compared
    python3 course.py site                # render the stored notebooks as a static website in site/
    python3 course.py execute NB.ipynb…   # re-run notebooks top to bottom in a fresh kernel, save
    python3 course.py bench               # time each lesson and its peak memory against the budgets
    python3 course.py reproduce 08        # re-create a lesson's paper-scale results file (notebooks/results/)

Extra arguments after `test` or `check` go to pytest, e.g.
`python3 course.py test notebooks/01_meet_the_two_players.ipynb`.

Environment variables (all optional):
    GANLESSONS_TORCH_INDEX   where torch comes from: a pip index URL, or `default` for pip's own index
                             (default: PyTorch's CPU index on Linux and Windows, PyPI on macOS)
    GANLESSONS_TORCH         the torch requirement (default torch==2.13.0, the release the outputs come from)
    GANLESSONS_CHROMIUM      the Chromium the browser tests drive (default /usr/bin/chromium)
    GANLESSONS_REQUIRE_BROWSER=1   a missing browser fails the browser tests instead of skipping them
                             (.ci/run sets it; so does CI=true)
"""
# This file must parse on old Pythons (3.6+) so that the version check below can speak.
import sys

MIN_PYTHON = (3, 10)
if sys.version_info < MIN_PYTHON:
    sys.exit("ganlessons needs Python {}.{} or newer; this is Python {}.{} ({}).\n"
             "Install a newer Python from https://www.python.org/downloads/ (or your package manager, or conda), "
             "then run this command with it, e.g. `python3.11 course.py lab`."
             .format(*MIN_PYTHON, *sys.version_info[:2], sys.executable))

import hashlib  # noqa: E402  (after the version check on purpose)
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
WINDOWS = os.name == "nt"
PYTHON = VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")
# The release every stored output comes from. An unpinned torch from PyPI on Linux is the CUDA build
# (several GB); course.py takes the CPU build from PyTorch's CPU wheel index instead.
TORCH = os.environ.get("GANLESSONS_TORCH", "torch==2.13.0")
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CHROMIUM = os.environ.get("GANLESSONS_CHROMIUM", "/usr/bin/chromium")
CONDA_ROUTE = ("Use the conda route instead (README, 'Without pip'): conda env create -f environment.yml; "
               "conda activate ganlessons; pip install --no-deps -e .; jupyter lab notebooks/")


def run(*cmd, **kw):
    """Run a command, echoing it, and stop on failure."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def reachable(url, timeout=5.0):
    """Whether the host of `url` accepts a TCP connection within `timeout` seconds (no waiting on a closed network)."""
    address = urlparse(url)
    if address.scheme == "file":
        return True
    try:
        with socket.create_connection((address.hostname, address.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def torch_index():
    """The pip index for torch on this platform, or None for pip's own index (PyPI and pip's configuration)."""
    system, machine = platform.system(), platform.machine().lower()
    chosen = os.environ.get("GANLESSONS_TORCH_INDEX")
    if chosen:
        return None if chosen == "default" else chosen
    if system == "Darwin":
        if machine not in ("arm64", "aarch64"):
            sys.exit("PyTorch publishes no pip wheels for Intel Macs after torch 2.2, so course.py cannot install "
                     f"{TORCH} here.\n{CONDA_ROUTE}\nWith another torch the stored outputs may differ: re-check the "
                     "lessons with `pytest --nbval-lax notebooks/` (README, 'Which check to run').")
        return None                  # Apple silicon: PyPI's wheel is the CPU (and MPS) build
    if reachable(TORCH_CPU_INDEX):
        return TORCH_CPU_INDEX       # Linux and Windows: the CPU build, without the CUDA libraries
    print(f"note: PyTorch's CPU wheel index ({TORCH_CPU_INDEX}) is not reachable from here; taking {TORCH} from "
          "pip's own index and configuration instead (set GANLESSONS_TORCH_INDEX to choose).", flush=True)
    return None


def make_venv():
    """Create .venv with pip in it, or say what to install when this Python cannot."""
    hint = ("On Debian/Ubuntu: sudo apt install python3-venv (or python3.X-venv for your Python 3.X); "
            "on Fedora: sudo dnf install python3-pip; or install Python from https://www.python.org/downloads/")
    try:
        import ensurepip  # noqa: F401
        import venv
    except ImportError as error:
        sys.exit(f"This Python ({sys.executable}) has no `venv`/`ensurepip` module ({error}), which course.py "
                 f"needs to make .venv.\n{hint}")
    try:
        venv.create(VENV, with_pip=True)
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(VENV, ignore_errors=True)
        sys.exit(f"Could not create .venv with pip in it ({error}).\n{hint}")


def ensure_venv(extras):
    """Create .venv and install the course into it with `extras`, unless they are installed and up to date."""
    stamp = VENV / "ganlessons-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + TORCH.encode()).hexdigest()
    done = stamp.read_text().split() if stamp.exists() and PYTHON.exists() else []
    if done[:1] == [digest] and set(extras.split(",")) <= set(done[1:]):
        return
    if done[:1] == [digest]:
        extras = ",".join(sorted(set(extras.split(",")) | set(done[1:])))   # keep what is there
    if not PYTHON.exists():
        make_venv()
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    index = torch_index()
    # torch first and alone, from its index; then the course, whose `torch>=…` the installed torch satisfies.
    run(*pip, TORCH, *(["--index-url", index] if index else []), cwd=ROOT)
    run(*pip, "-e", f".[{extras}]", cwd=ROOT)
    stamp.write_text(" ".join([digest, *extras.split(",")]))


def browser_required():
    """CI insists on the browser test; a learner's machine may skip it."""
    return os.environ.get("GANLESSONS_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() in ("1", "true")


def ensure_chromium():
    """The browser tests drive Debian's Chromium: install it with apt-get when we may, else say they will skip."""
    if Path(CHROMIUM).exists():
        return
    may_install = ("GANLESSONS_CHROMIUM" not in os.environ and shutil.which("apt-get")
                   and hasattr(os, "geteuid") and os.geteuid() == 0)
    if may_install:
        quiet = dict(os.environ, DEBIAN_FRONTEND="noninteractive")   # CI has no terminal to answer prompts
        try:
            run("apt-get", "update", "-q", env=quiet)
            run("apt-get", "install", "-y", "-q", "chromium", env=quiet)
            return
        except subprocess.CalledProcessError as error:
            print(f"note: apt-get could not install chromium ({error}).", flush=True)
    print(f"note: no Chromium at {CHROMIUM}: the browser tests will be SKIPPED"
          f"{' and, as CI requires them, FAIL' if browser_required() else ''}. To run them: sudo apt-get install "
          "chromium (Debian/Ubuntu), or point GANLESSONS_CHROMIUM at a Chromium.", flush=True)


def wait(cmd, **kw):
    """Run a command in the foreground until it ends (no os.execv: on Windows it would return to the prompt
    while the program runs detached); Ctrl-C goes to the child, which decides when to stop."""
    process = subprocess.Popen([str(c) for c in cmd], **kw)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def pytest(*args):
    return wait([PYTHON, "-m", "pytest", *args], cwd=ROOT)


def reproduce(args):
    """Run benchmarks/reproduce_NN.py, which rewrites notebooks/results/ for lesson NN (minutes to an hour)."""
    scripts = sorted(p.stem.split("_")[1] for p in (ROOT / "benchmarks").glob("reproduce_*.py"))
    if len(args) != 1 or args[0] not in scripts:
        print(f"usage: python3 course.py reproduce NN, with NN one of {', '.join(scripts)}")
        return 2
    ensure_venv("test")
    run(PYTHON, ROOT / "benchmarks" / f"reproduce_{args[0]}.py", cwd=ROOT)
    return 0


def main(argv):
    command = argv[0] if argv else "help"
    if command == "lab":
        ensure_venv("test")
        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []   # Lab refuses root otherwise
        return wait([PYTHON, "-m", "jupyter", "lab", "--notebook-dir", ROOT / "notebooks", *root, *argv[1:]], cwd=ROOT)
    elif command == "test":
        ensure_venv("test,browser")
        ensure_chromium()
        return pytest(*argv[1:])
    elif command == "check":
        # Every lesson top to bottom, every assert, no stored output compared (nbval's lax mode): for another
        # platform or torch release, where numbers may legitimately differ in the last printed digit.
        ensure_venv("test")
        return pytest("-o", "addopts=", "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=600",
                      "-p", "no:cacheprovider", "-rfE", *(argv[1:] or ["notebooks"]))
    elif command == "site":
        ensure_venv("test")
        run(PYTHON, ROOT / "docs" / "build_site.py", *argv[1:], cwd=ROOT)
    elif command == "execute":
        ensure_venv("test")
        run(PYTHON, ROOT / "benchmarks" / "lessons.py", "--save", *argv[1:], cwd=ROOT)
    elif command == "bench":
        ensure_venv("test")
        run(PYTHON, ROOT / "benchmarks" / "lessons.py", *argv[1:], cwd=ROOT)
    elif command == "reproduce":
        return reproduce(argv[1:])
    else:
        print(__doc__)
        return 0 if command in ("help", "-h", "--help") else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
