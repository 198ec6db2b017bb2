"""What a learner sees: lesson 04 in JupyterLab in headless Chromium (issue 4).

Starts JupyterLab on a free loopback port with its JUPYTER_* folders in a temp folder, opens a copy
of lesson 04, runs every cell, waits for the kernel to be idle and every prompt to be numbered,
then checks the GAN playground: a live ipympl canvas with its controls (not "Loading widget…" or
a text repr); Play advances the iteration counter and changes the canvas; Pause stops it; a
dropdown change starts a fresh run. Screenshots go to test-artifacts/ (on failure, and one of
the playground when everything passed, to look at).

Needs Debian's Chromium at /usr/bin/chromium and the playwright package (`python3 course.py test`
installs both); never `playwright install`.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "notebooks" / "04_train_a_gan_step_by_step.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TOKEN = "ganlessons-browser-test"
PLAYGROUND = ".gl-playground"
CANVAS = ".jupyter-matplotlib-canvas-div canvas"
SETTINGS = {  # JupyterLab user settings: no news or update popups; every cell in the DOM
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (python3 course.py test)")
if not Path(CHROMIUM).exists():
    pytest.skip(f"the browser test needs Debian's Chromium at {CHROMIUM} (python3 course.py test installs it)",
                allow_module_level=True)


def free_port():
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_env(home):
    """The environment for an isolated JupyterLab: every JUPYTER_* folder inside `home`."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        env[var] = str(home / sub)
        (home / sub).mkdir(parents=True, exist_ok=True)
    for name, values in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return env


def wait_for_server(url, process, timeout=90):
    """Poll the server's status API until it answers."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server serving a temp folder that holds a copy of lesson 04; yields its base URL."""
    assert LESSON.exists(), f"{LESSON} is missing"
    home = tmp_path_factory.mktemp("lab")
    (home / "notebooks").mkdir()
    shutil.copy(LESSON, home / "notebooks" / LESSON.name)
    port = free_port()
    log = open(home / "lab.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser", "--expose-app-in-browser",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={home / 'notebooks'}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=lab_env(home), stdout=log, stderr=subprocess.STDOUT, cwd=home)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/api/status?token={TOKEN}", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    """Lesson 04 open in headless Chromium, every cell run, the kernel idle."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        with screenshot_on_failure(page, "open-and-run"):
            open_and_run(page, lab)
        yield page
        browser.close()


@contextmanager
def screenshot_on_failure(page, name):
    """Save a full-page screenshot to test-artifacts/ when the body fails, then re-raise."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"browser-{name}-failed.png"), full_page=True)
        raise


KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""
NO_PROMPT_NUMBERED = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
  .every(p => !/\\d/.test(p.textContent))"""
ALL_PROMPTS_NUMBERED = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
}"""


def open_and_run(page, base):
    """Open the lesson, wait for its kernel, run all cells, wait until every cell has run."""
    page.goto(f"{base}/lab/tree/{LESSON.name}?token={TOKEN}")
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(NO_PROMPT_NUMBERED, timeout=30_000)   # the stored numbers are gone
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")   # not awaited
    page.wait_for_function(ALL_PROMPTS_NUMBERED, timeout=180_000, polling=500)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    page.wait_for_selector(f"{PLAYGROUND} {CANVAS}", timeout=60_000)
    app(page).scroll_into_view_if_needed()


def app(page, index=0):
    """The index-th playground in the lesson (0: the 1-D one, 1: the 2-D one)."""
    return page.locator(PLAYGROUND).nth(index)


def part(page, selector, index=0):
    """One element inside a playground."""
    return app(page, index).locator(selector).first


def iteration(page, index=0):
    """A playground's iteration counter as shown in its status line."""
    return int(part(page, ".gl-iteration", index).inner_text())


def canvas_pixels(page, index=0):
    """A playground's live canvas pixels as a data URL."""
    return part(page, CANVAS, index).evaluate("c => c.toDataURL()")


RUN_CODE_WHILE_PLAYING = """async () => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code: 'print(len(pg.history))', silent: false, store_history: false});
  let out = '';
  future.onIOPub = msg => { if (msg.header.msg_type === 'stream') { out += msg.content.text; } };
  const timeout = new Promise(resolve => setTimeout(() => resolve('timed out'), 15000));
  return await Promise.race([future.done.then(() => out), timeout]);
}"""


def wait_until(predicate, timeout=20.0, interval=0.2):
    """Poll a Python predicate; True if it held before the timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def test_playground_renders_as_live_canvas_with_controls(page):
    with screenshot_on_failure(page, "render"):
        assert page.locator(PLAYGROUND).count() == 2, "lesson 04 shows a 1-D and a 2-D playground"
        for index in (0, 1):
            assert app(page, index).is_visible(), f"playground {index} is not visible"
            box = part(page, CANVAS, index).bounding_box()
            assert box and box["width"] > 500 and box["height"] > 250, f"playground {index}: canvas too small: {box}"
            assert "Loading widget" not in app(page, index).inner_text()
            for name in ("play", "step-d", "step-g", "step-both", "reset", "dataset", "prior", "z_dim", "g_loss",
                         "optimizer_g", "optimizer_d", "lr_g", "lr_d", "k", "width", "layers", "batch_size", "seed",
                         "speed"):
                assert app(page, index).locator(f".gl-{name}").count() == 1, f"playground {index}: no gl-{name}"
        text_repr = page.locator(".jp-OutputArea-output", has_text="GAN playground (")
        assert text_repr.count() == 0, "a playground shows as its text repr, not as a widget"
        assert page.locator(".jp-OutputArea-output", has_text="Error displaying widget").count() == 0
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert "Error" not in " ".join(errors.all_inner_texts()), "a cell wrote an error"


def test_play_advances_and_pause_stops(page):
    with screenshot_on_failure(page, "play"):
        start, before = iteration(page), canvas_pixels(page)
        part(page, ".gl-play").click()
        assert wait_until(lambda: iteration(page) >= start + 50), \
            f"Play did not advance the iteration counter (still {iteration(page)}, was {start})"
        assert wait_until(lambda: canvas_pixels(page) != before), "the canvas did not change while playing"
        printed = page.evaluate(RUN_CODE_WHILE_PLAYING)
        assert printed.strip().isdigit() and int(printed) > start, \
            f"the kernel did not run other code while playing: {printed!r}"
        assert wait_until(lambda: iteration(page) > int(printed)), "playing stopped after another cell ran"
        part(page, ".gl-play").click()            # now labelled Pause
        time.sleep(1.0)
        paused_at = iteration(page)
        time.sleep(1.5)
        assert iteration(page) == paused_at, f"Pause did not stop training ({paused_at} → {iteration(page)})"
        assert "Play" in part(page, ".gl-play").inner_text()


def test_dropdown_change_resets(page):
    with screenshot_on_failure(page, "reset"):
        part(page, ".gl-step-both").click()
        assert wait_until(lambda: iteration(page) > 0), "step both did not advance the counter"
        part(page, ".gl-dataset select").select_option(label="ring of 8 (2D)")
        assert wait_until(lambda: iteration(page) == 0), f"changing the dataset did not reset ({iteration(page)})"
        part(page, ".gl-dataset select").select_option(label="bimodal (1D)")
        assert wait_until(lambda: iteration(page) == 0)
        time.sleep(1.0)
        ARTIFACTS.mkdir(exist_ok=True)
        part(page, ".gl-play").click()
        wait_until(lambda: iteration(page) >= 300, timeout=30)
        part(page, ".gl-play").click()
        time.sleep(1.0)
        app(page).screenshot(path=str(ARTIFACTS / "browser-playground.png"))
        page.screenshot(path=str(ARTIFACTS / "browser-lesson.png"))           # with JupyterLab around it
        part(page, ".gl-play", 1).click()                                # the 2-D playground
        wait_until(lambda: iteration(page, 1) >= 600, timeout=40)
        part(page, ".gl-play", 1).click()
        time.sleep(1.0)
        app(page, 1).screenshot(path=str(ARTIFACTS / "browser-playground-2d.png"))
