"""What a learner sees: the lessons' widgets in JupyterLab in headless Chromium (issue 4).

Starts JupyterLab on a free loopback port with its JUPYTER_* folders in a temp folder, serving
copies of lessons 00, 02, 04, 09, 10 and 11. Each lesson opens in its own tab (and JupyterLab workspace),
runs every cell, and waits for the kernel to be idle and every prompt to be numbered (no cell
may raise). Lesson 04: the GAN playground is a live ipympl canvas with its controls (not "Loading
widget…" or a text repr); Play advances the iteration counter and changes the canvas; Pause stops
it; a dropdown change starts a fresh run. Lessons 00, 02 and 09: the ipywidgets render as sliders,
toggle buttons and pictures (not a text repr, "Loading widget…" or "Error displaying widget"), and
moving a slider with the keyboard or clicking a toggle changes its readout and redraws the picture.
Lesson 10: the conditional GAN's explorer renders as digit toggle buttons, a noise-walk slider and a
picture; choosing another digit or walk redraws the picture. Lesson 11 (no widget) runs and shows its figures.
Screenshots go to test-artifacts/ (on failure, and one per lesson when everything passed, to look at).

Needs Debian's Chromium at /usr/bin/chromium (or GANLESSONS_CHROMIUM) and the playwright package
(`python3 course.py test` installs both when it may); never `playwright install`. Without them the
tests are skipped with the reason, and fail in CI (tests/conftest.py).
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
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSON = NOTEBOOKS / "04_train_a_gan_step_by_step.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "ganlessons-browser-test"
PLAYGROUND = ".gl-playground"
CANVAS = ".jupyter-matplotlib-canvas-div canvas"
SETTINGS = {  # JupyterLab user settings: no news or update popups; every cell in the DOM
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# Lessons whose widgets are plain ipywidgets: the notebook; a selector for the output that holds the
# widget; the start of its text repr (what shows instead when it does not render); its sliders'
# labels; its toggle buttons; the picture it redraws (if any); the controls to move in turn, each of
# which must change what the learner sees; code whose output shows the kernel got the last value (if any).
OUTPUT_WITH = ".jp-OutputArea-output:has(> {})"
WIDGET_LESSONS = {
    "00": dict(notebook="00_start_here.ipynb", selector=OUTPUT_WITH.format(".widget-slider"),
               text_repr="IntSlider(", sliders=["try me"], toggles=[], picture=None,
               moves=[("slider", "try me")],
               kernel=("import ipywidgets\n"
                       "print([w.value for w in Out.values() if isinstance(w, ipywidgets.IntSlider)])", "[4]")),
    "02": dict(notebook="02_derive_the_minimax_objective.ipynb", selector=OUTPUT_WITH.format(".widget-vbox > img"),
               text_repr="VBox(", sliders=["shift", "spread"], toggles=[], picture="img.widget-image",
               moves=[("slider", "shift"), ("slider", "spread")], kernel=None),
    "09": dict(notebook="09_watch_the_game_go_round_in_circles.ipynb",
               selector=OUTPUT_WITH.format(".widget-vbox > .widget-toggle-buttons"),
               text_repr="VBox(", sliders=["step size", "R1 γ"], toggles=["simultaneous", "alternating"],
               picture=".widget-output img",
               moves=[("toggle", "alternating"), ("slider", "R1 γ"), ("slider", "step size")], kernel=None),
    "10": dict(notebook="10_generate_handwritten_digits.ipynb",
               selector=OUTPUT_WITH.format(".widget-vbox > .widget-toggle-buttons"),
               text_repr="VBox(", sliders=["noise walk"], toggles=[str(d) for d in range(10)],
               picture="img.widget-image", moves=[("toggle", "7"), ("slider", "noise walk"), ("toggle", "0")],
               kernel=None),
}
# Lessons without widgets that still must run in JupyterLab and show their figures: notebook, figures at least.
FIGURE_LESSONS = {"11": dict(notebook="11_count_a_thousand_modes.ipynb", figures=2)}

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
    """A JupyterLab server serving a temp folder that holds copies of the lessons tested here; yields its base URL."""
    home = tmp_path_factory.mktemp("lab")
    (home / "notebooks").mkdir()
    for notebook in [LESSON] + [NOTEBOOKS / spec["notebook"] for spec in (*WIDGET_LESSONS.values(), *FIGURE_LESSONS.values())]:
        assert notebook.exists(), f"{notebook} is missing"
        shutil.copy(notebook, home / "notebooks" / notebook.name)
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
def page(browser, lab):
    """Lesson 04 open in headless Chromium, every cell run, the kernel idle."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    with screenshot_on_failure(page, "open-and-run"):
        open_and_run(page, lab, LESSON.name, ready=f"{PLAYGROUND} {CANVAS}")
        app(page).scroll_into_view_if_needed()
    yield page
    page.close()


@pytest.fixture(scope="module", params=sorted(WIDGET_LESSONS))
def lesson(request, browser, lab):
    """Lesson 00, 02 or 09 open in a tab of its own, every cell run; its settings from WIDGET_LESSONS,
    plus `name`, `page` and `widget` (a locator of the widget)."""
    spec = WIDGET_LESSONS[request.param]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    with screenshot_on_failure(page, f"{request.param}-open-and-run"):
        open_and_run(page, lab, spec["notebook"], ready=spec["selector"])
    widget = page.locator(spec["selector"])
    widget.first.evaluate("e => e.scrollIntoView({block: 'center'})")
    yield SimpleNamespace(name=request.param, page=page, widget=widget, **spec)
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")   # free its memory
    page.close()


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
CELL_ERRORS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells, errors = [];
  for (let i = 0; i < cells.length; i++) {
    const outputs = cells.get(i).type === 'code' ? cells.get(i).outputs : {length: 0};
    for (let j = 0; j < outputs.length; j++) {
      const out = outputs.get(j).toJSON();
      if (out.output_type === 'error') { errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`); }
    }
  }
  return errors;
}"""
RAN_ALL_OR_FAILED = f"() => ({ALL_PROMPTS_NUMBERED})() || ({CELL_ERRORS})().length > 0"   # run-all stops at an error


def open_and_run(page, base, notebook, ready):
    """Open a lesson in a workspace of its own, wait for its kernel, run all cells, wait until every
    cell has run without error and the `ready` selector shows."""
    page.goto(f"{base}/lab/workspaces/lesson-{notebook[:2]}/tree/{notebook}?token={TOKEN}")
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(NO_PROMPT_NUMBERED, timeout=30_000)   # the stored numbers are gone
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")   # not awaited
    page.wait_for_function(RAN_ALL_OR_FAILED, timeout=480_000, polling=500)   # lessons 10-11 train for minutes
    errors = page.evaluate(CELL_ERRORS)
    assert not errors, f"{notebook}: a cell raised in JupyterLab: {errors}"
    page.wait_for_function(ALL_PROMPTS_NUMBERED, timeout=10_000)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    page.wait_for_selector(ready, timeout=60_000)


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


RUN_CODE = """async code => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code: code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = msg => { if (msg.header.msg_type === 'stream') { out += msg.content.text; } };
  const timeout = new Promise(resolve => setTimeout(() => resolve('timed out'), 15000));
  return await Promise.race([future.done.then(() => out), timeout]);
}"""


def run_in_kernel(page, code):
    """Run code in the open lesson's kernel (outside any cell); what it printed, or 'timed out' after 15 s."""
    return page.evaluate(RUN_CODE, code)


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
        printed = run_in_kernel(page, "print(len(pg.history))")
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


# --- lessons 00, 02, 09: ipywidgets sliders, toggle buttons and pictures --------------------------

def quoted(text):
    """`text` as a quoted string for a CSS selector."""
    return json.dumps(text, ensure_ascii=False)


def slider(lesson, label):
    """The slider labelled `label` in the lesson's widget."""
    label = lesson.page.locator(f".widget-label:text-is({quoted(label)})")
    return lesson.widget.locator(".widget-slider").filter(has=label)


def readout(lesson, label):
    """A slider's readout, as the learner sees it."""
    return slider(lesson, label).locator(".widget-readout").inner_text().strip()


PICTURE_DIGEST = """async img => {
  try {
    if (!img.complete || img.naturalWidth === 0) { return null; }
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return [...digest].map(b => b.toString(16).padStart(2, '0')).join('');
  } catch (e) { return null; }   // the widget replaced (and revoked) the picture meanwhile
}"""


def picture_digest(lesson):
    """A SHA-256 of the picture's bytes as loaded in the page; None while it is loading or being replaced."""
    pictures = lesson.widget.locator(lesson.picture)
    return pictures.first.evaluate(PICTURE_DIGEST) if pictures.count() == 1 else None


def settled_picture(lesson):
    """The picture's digest once one has loaded."""
    assert wait_until(lambda: picture_digest(lesson) is not None), f"lesson {lesson.name}: no picture loaded"
    return picture_digest(lesson)


def test_widget_renders_with_its_controls(lesson):
    page, widget = lesson.page, lesson.widget
    with screenshot_on_failure(page, f"{lesson.name}-render"):
        assert widget.count() == 1, f"lesson {lesson.name}: {widget.count()} outputs match {lesson.selector}, not 1"
        assert widget.is_visible(), f"lesson {lesson.name}: the widget is not visible"
        labels = widget.locator(".widget-slider .widget-label").all_inner_texts()
        assert [text.strip() for text in labels] == lesson.sliders, f"lesson {lesson.name}: sliders {labels}"
        for label in lesson.sliders:
            box = slider(lesson, label).locator(".noUi-base").bounding_box()
            assert box and box["width"] > 100, f"lesson {lesson.name}: slider {label!r} is not drawn: {box}"
            assert slider(lesson, label).locator(".noUi-handle").is_visible(), f"slider {label!r} has no handle"
            assert readout(lesson, label), f"lesson {lesson.name}: slider {label!r} has an empty readout"
        buttons = widget.locator(".widget-toggle-button").all_inner_texts()
        assert [text.strip() for text in buttons] == lesson.toggles, f"lesson {lesson.name}: toggle buttons {buttons}"
        if lesson.picture:
            settled_picture(lesson)
            box = widget.locator(lesson.picture).bounding_box()
            natural = widget.locator(lesson.picture).evaluate("img => [img.naturalWidth, img.naturalHeight]")
            assert natural[0] > 250 and natural[1] > 200, f"lesson {lesson.name}: picture too small: {natural}"
            assert box and abs(box["width"] / natural[0] - 1) < 0.1 and abs(box["height"] / natural[1] - 1) < 0.1, \
                f"lesson {lesson.name}: picture of {natural} px shown at {box}: stretched or squeezed"
        outputs = page.locator(".jp-OutputArea-output")
        for broken in ("Loading widget", "Error displaying widget", "model not found", lesson.text_repr):
            assert outputs.filter(has_text=broken).count() == 0, f"lesson {lesson.name}: an output shows {broken!r}"
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert "Error" not in " ".join(errors.all_inner_texts()), f"lesson {lesson.name}: a cell wrote an error"


def test_moving_a_control_changes_the_view(lesson):
    page = lesson.page
    with screenshot_on_failure(page, f"{lesson.name}-move"):
        for kind, label in lesson.moves:
            picture = lesson.picture and settled_picture(lesson)
            if kind == "slider":
                before = readout(lesson, label)
                slider(lesson, label).locator(".noUi-handle").focus()
                page.keyboard.press("ArrowRight")
                assert wait_until(lambda: readout(lesson, label) != before), \
                    f"lesson {lesson.name}: ArrowRight on slider {label!r} left its readout at {before}"
            else:
                button = lesson.widget.locator(f".widget-toggle-button[data-value={quoted(label)}]")
                button.click()
                assert wait_until(lambda: "mod-active" in button.get_attribute("class")), \
                    f"lesson {lesson.name}: clicking {label!r} did not select it"
            if lesson.picture:
                assert wait_until(lambda: picture_digest(lesson) not in (None, picture)), \
                    f"lesson {lesson.name}: the picture did not change after moving {label!r}"
        if lesson.kernel:
            code, expected = lesson.kernel
            printed = run_in_kernel(page, code).strip()
            assert printed == expected, f"lesson {lesson.name}: the kernel sees {printed}, not {expected}"
        ARTIFACTS.mkdir(exist_ok=True)
        lesson.widget.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(ARTIFACTS / f"browser-lesson-{lesson.name}.png"))     # with JupyterLab around it


# --- lesson 11: no widget, but it must run in JupyterLab and show its figures ----------------------

@pytest.mark.parametrize("name", sorted(FIGURE_LESSONS))
def test_lesson_runs_and_shows_its_figures(browser, lab, name):
    spec = FIGURE_LESSONS[name]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        with screenshot_on_failure(page, f"{name}-open-and-run"):
            open_and_run(page, lab, spec["notebook"], ready=".jp-OutputArea-output img")
            figures = page.locator(".jp-OutputArea-output img")
            assert figures.count() >= spec["figures"], f"lesson {name}: {figures.count()} figures shown"
            sizes = figures.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
            assert all(w > 100 and h > 50 for w, h in sizes), f"lesson {name}: a figure did not load: {sizes}"
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert "Error" not in " ".join(errors.all_inner_texts()), f"lesson {name}: a cell wrote an error"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"browser-lesson-{name}.png"))
    finally:
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        page.close()
