"""The GAN playground app (lesson 04): a PlaygroundRun, its PlaygroundView and the controls.

Controls are ipywidgets built from run.SETTINGS and are the app's attributes (pg.lr_d = 1e-2
checks the value, then sets the widget, which sets the run). Play runs frames as a task on the
kernel's event loop, so the kernel stays free to answer clicks and cells.
"""
import asyncio
import base64
import io
import time
from collections import deque

import ipywidgets as W

from .. import _validate as validate
from ..train import TrainingDiverged
from .run import DATASETS, SETTINGS, PlaygroundRun, checked_setting
from .view import PlaygroundView

__all__ = ["LABELS", "make_controls", "Playground"]

LABELS = {"dataset": "dataset", "prior": "noise", "z_dim": "noise dim", "g_loss": "G loss",
          "optimizer_g": "G optimizer", "optimizer_d": "D optimizer", "lr_g": "G lr", "lr_d": "D lr",
          "k": "D steps (k)", "width": "hidden width", "layers": "hidden layers", "batch_size": "batch size",
          "seed": "seed", "speed": "steps/frame"}
OPTION_LABELS = {"dataset": {name: label for name, (label, _, _) in DATASETS.items()},
                 "g_loss": {"non_saturating": "non-saturating", "saturating": "saturating"}}
STYLE = {"description_width": "90px"}


def _control(name, value):
    """One setting's widget, built from its entry in SETTINGS."""
    kind, allowed = SETTINGS[name]
    label = LABELS[name]
    if kind == "choice":
        names = OPTION_LABELS.get(name, {})
        widget = W.Dropdown(options=[(names.get(a, str(a)), a) for a in allowed], description=label,
                            layout=W.Layout(width="235px"), style=STYLE)
    elif kind == "log":
        widget = W.FloatLogSlider(base=10, min=allowed[0], max=allowed[1], step=0.25, description=label,
                                  continuous_update=False, readout_format=".1e", layout=W.Layout(width="250px"),
                                  style=STYLE)
    elif name == "seed":
        widget = W.BoundedIntText(min=allowed[0], max=allowed[1], description=label,
                                  layout=W.Layout(width="210px"), style=STYLE)
    else:
        widget = W.IntSlider(min=allowed[0], max=allowed[1], description=label, continuous_update=False,
                             layout=W.Layout(width="250px"), style=STYLE)
    widget.value = value
    widget.add_class(f"gl-{name}")            # stable names for the browser test
    return widget


def make_controls(settings):
    """Every setting's widget, by name, set to `settings` (lesson 04)."""
    return {name: _control(name, settings[name]) for name in SETTINGS}


class _Control:
    """A control as an attribute: reading gives the run's value, setting checks it first (lesson 04)."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, pg, owner=None):
        return self if pg is None else pg.run.settings[self.name]

    def __set__(self, pg, value):
        pg.controls[self.name].value = checked_setting(self.name, value)


class Playground:
    """Train a 1-D or 2-D GAN live in JupyterLab, or headlessly with pg.step(n) (lesson 04).

    It uses ganlessons.train's train_step, d_step and g_step, ganlessons.data's targets and
    ganlessons.models' MLPs (`layers` hidden layers of `width` units in both players). Controls
    are attributes (pg.lr_d = 1e-2); changing dataset, prior, z_dim, optimizers, width, layers or
    seed starts a fresh run, other controls act on the running one. In 1-D, D*(x) is estimated
    by d_star_1d: kernel estimates of p_data and p_g, one bandwidth, from the samples on view.

    Settings are the controls' values (see run.DEFAULTS); besides them: `view_size` samples are
    drawn (from a fixed noise batch), `arrows` of them get a push arrow drawn `arrow_scale` times
    its length, and Play pauses `frame_pause` seconds between frames so the kernel can answer clicks.
    The run is `pg.run` (a PlaygroundRun: players, optimizers, history), the figure `pg.view`;
    the run's attributes can be read on the playground too (pg.G, pg.history, …).
    """
    dataset, prior, z_dim, g_loss = _Control(), _Control(), _Control(), _Control()
    optimizer_g, optimizer_d, lr_g, lr_d, k = _Control(), _Control(), _Control(), _Control(), _Control()
    width, layers, batch_size, seed, speed = _Control(), _Control(), _Control(), _Control(), _Control()

    def __init__(self, view_size=1000, arrows=64, arrow_scale=0.6, frame_pause=0.01, **settings):
        self.frame_pause = validate.non_negative("frame_pause", frame_pause)
        self.run = PlaygroundRun(view_size, **settings)
        self.view = PlaygroundView(self.run, arrows, arrow_scale)
        self.figure = self.view.figure
        self.playing, self._task, self.frame_times = False, None, deque(maxlen=20)
        self.controls = make_controls(self.run.settings)
        self._build_app()
        for name, widget in self.controls.items():
            widget.observe(lambda change, name=name: self._changed(name, change["new"]), names="value")
        self.redraw()

    def __getattr__(self, name):
        if name != "run" and "run" in self.__dict__:
            return getattr(self.run, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _changed(self, name, value):
        """A control changed: pass it to the run; a restarted run gets a fresh figure."""
        if self.run.set(name, value):
            self.view.layout()
            self.redraw()

    # --- the run, by hand ---------------------------------------------------------------

    def reset(self):
        """Start a fresh run from the current controls (lesson 04)."""
        self.run.reset()
        self.view.layout()
        self.redraw()

    def step(self, n=1):
        """n iterations of Algorithm 1 (k D steps, one G step); returns the History (lesson 04)."""
        return self.run.step(n)

    def step_d(self):
        """One discriminator update alone (block 1 of Algorithm 1) (lesson 04)."""
        self.run.step_d()

    def step_g(self):
        """One generator update alone (block 2 of Algorithm 1) (lesson 04)."""
        self.run.step_g()

    def redraw(self):
        """Redraw the figure from the current players and update the status line (lesson 04)."""
        self.view.redraw()
        self._update_status()

    # --- playing -------------------------------------------------------------------------

    def frame(self):
        """One animation frame: `speed` iterations, then redraw; pauses with a message if training diverges."""
        start = time.perf_counter()
        try:
            self.step(self.speed)
        except TrainingDiverged as err:
            self.pause()
            self.status.value = f"<b>paused:</b> {err}"
            return
        self.redraw()
        self.frame_times.append(time.perf_counter() - start)

    async def _play_loop(self):
        """Frames until paused, yielding to the kernel between frames so clicks and cells get handled."""
        while self.playing:
            try:
                self.frame()
            except Exception as err:           # a task's error would vanish silently: show it, stop
                self.pause()
                self.status.value = f"<b>paused:</b> {type(err).__name__}: {err}"
                return
            await asyncio.sleep(self.frame_pause)

    def play(self):
        """Start playing as a task on the running event loop (the kernel's), so the kernel stays free (lesson 04)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("play() needs a running event loop, as in a Jupyter kernel; "
                               "headless, call pg.step(n) and pg.redraw() instead") from None
        self.playing = True
        self.play_button.description, self.play_button.icon = "Pause", "pause"
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._play_loop())

    def pause(self):
        """Stop playing after the current frame (lesson 04)."""
        self.playing = False
        self.play_button.description, self.play_button.icon = "Play", "play"

    def _toggle(self, _=None):
        """The Play/Pause button."""
        self.pause() if self.playing else self.play()

    # --- the widget app ------------------------------------------------------------------

    def _button(self, label, icon, action, name):
        """A button that calls `action`; tagged with a CSS class for tests."""
        button = W.Button(description=label, icon=icon, layout=W.Layout(width="auto"))
        button.add_class(f"gl-{name}")
        button.on_click(action)
        return button

    def _build_app(self):
        """The layout: buttons and status on top, the figure, the controls below."""
        self.play_button = self._button("Play", "play", self._toggle, "play")
        buttons = [self.play_button,
                   self._button("step D", "step-forward", lambda _: self._click(self.step_d), "step-d"),
                   self._button("step G", "step-forward", lambda _: self._click(self.step_g), "step-g"),
                   self._button("step both", "forward", lambda _: self._click(self.step), "step-both"),
                   self._button("Reset", "undo", lambda _: self.reset(), "reset")]
        self.status = W.HTML()
        self.status.add_class("gl-status")
        c = self.controls
        columns = [W.VBox([c[n] for n in names]) for names in (
            ("dataset", "prior", "z_dim", "seed", "speed"), ("g_loss", "optimizer_g", "lr_g", "width", "layers"),
            ("k", "optimizer_d", "lr_d", "batch_size"))]
        self.app = W.VBox([W.HBox(buttons), self.status, self.view.canvas, W.HBox(columns)])
        self.app.add_class("gl-playground")

    def _click(self, action):
        """Run a single-step button's action, then redraw."""
        action()
        self.redraw()

    def snapshot_png(self):
        """The figure as PNG bytes: the static view where widgets cannot render (lesson 04)."""
        with io.BytesIO() as buffer:
            self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
            return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        """Show the app; viewers without widgets show a PNG of the figure instead."""
        self.redraw()                                        # show the current state, not the last frame
        return {"application/vnd.jupyter.widget-view+json":
                {"version_major": 2, "version_minor": 0, "model_id": self.app.model_id},
                "image/png": base64.b64encode(self.snapshot_png()).decode("ascii"),
                "text/plain": f"GAN playground ({self.dataset}, iteration {len(self.history)}): "
                              "open in JupyterLab and run the notebook to play"}

    def _update_status(self):
        """The status line: iteration, D and G steps, last losses, frames/s while playing."""
        h, run = self.run.history, self.run
        parts = [f"iteration <b class='gl-iteration'>{len(h)}</b>", f"D steps {run.d_steps}", f"G steps {run.g_steps}"]
        if len(h):
            parts += [f"D loss {h.d_loss[-1]:.3f}", f"G loss {h.g_loss[-1]:.3f}",
                      f"mean D(x) {h.d_real[-1]:.2f}", f"mean D(G(z)) {h.d_fake[-1]:.2f}"]
        if self.playing and self.frame_times:
            parts.append(f"{len(self.frame_times) / sum(self.frame_times):.0f} frames/s")
        self.status.value = " · ".join(parts)
