"""Interactive ipywidgets apps: the GAN playground (lesson 04) and the Dirac-GAN explorer (lesson 09).

Each app also works headlessly (no display needed), which is how the tests drive it.
"""
import asyncio
import io
import math
import time
import warnings
from collections import deque

import ipywidgets as W
import numpy as np
import torch
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from . import _validate as validate
from .data import gaussian, grid, mixture_1d, noise, random_gaussian, ring, sample
from .models import Discriminator, Generator
from .plot import DISC, FAKE, REAL
from .train import G_LOSSES, History, TrainingDiverged, _diverged, d_step, g_step, make_optimizer, train_step

__all__ = ["DATASETS", "playground_target", "kde_1d", "d_star_1d", "generator_push", "Playground"]

# name: (label in the dropdown, dimension, half-width of the view)
DATASETS = {"gaussian": ("Gaussian (1D)", 1, 4.0), "bimodal": ("bimodal (1D)", 1, 4.0),
            "gaussian2d": ("Gaussian (2D)", 2, 5.0), "ring": ("ring of 8 (2D)", 2, 3.0),
            "grid": ("5×5 grid (2D)", 2, 5.5)}


def playground_target(name, seed=0):
    """The playground's target distributions: N(1.5, 0.5²), the bimodal mixture, ring, grid (lesson 04)."""
    validate.choice("dataset", name, tuple(DATASETS))
    if name == "gaussian":
        return gaussian(1.5, 0.5)
    if name == "bimodal":
        return mixture_1d()
    if name == "gaussian2d":
        return random_gaussian(2, torch.Generator().manual_seed(validate.count("seed", seed, 0)))
    return ring() if name == "ring" else grid()


def kde_1d(samples, x, bandwidth=None, min_bandwidth=0.02):
    """Gaussian kernel density estimate of 1-D samples at points x; Scott's rule bandwidth by default (lesson 04)."""
    s, x = samples.detach().reshape(-1).float(), x.detach().reshape(-1).float()
    h = 1.06 * float(s.std()) * s.numel() ** -0.2 if bandwidth is None else validate.positive("bandwidth", bandwidth)
    h = max(h, min_bandwidth) if math.isfinite(h) else min_bandwidth
    u = (x[:, None] - s[None, :]) / h
    return torch.exp(-0.5 * u * u).mean(1) / (h * math.sqrt(2 * math.pi))


def d_star_1d(real, fake, x, bandwidth=None):
    """An estimate of the best discriminator D*(x) = p_data / (p_data + p_g) from 1-D samples (lesson 04).

    Both densities are kernel estimates with the same bandwidth (Scott's rule on the real samples by
    default), so that smoothing blurs them alike: for fakes drawn from p_data the estimate is ½ up
    to sampling noise. (Dividing the exact p_data by a smoothed p_g would not be: it reads > ½ at the
    modes and ≈ 0 between them even for a perfect generator.)
    """
    real = real.detach().reshape(-1).float()
    h = 1.06 * float(real.std()) * real.numel() ** -0.2 if bandwidth is None else validate.positive("bandwidth", bandwidth)
    h = h if math.isfinite(h) and h > 0.02 else 0.02
    p_data, p_g = kde_1d(real, x, bandwidth=h), kde_1d(fake, x, bandwidth=h)
    return p_data / (p_data + p_g).clamp_min(1e-30)


# --- The controls: widget, allowed values and whether a change restarts the run ---------------

def _dropdown(label, options):
    """A dropdown; options are values or (label, value) pairs."""
    return W.Dropdown(options=options, description=label, layout=W.Layout(width="235px"),
                      style={"description_width": "90px"})


def _slider(label, lo, hi):
    """An integer slider."""
    return W.IntSlider(min=lo, max=hi, description=label, continuous_update=False,
                       layout=W.Layout(width="250px"), style={"description_width": "90px"})


def _log_slider(label, lo_exp, hi_exp):
    """A learning-rate slider on a log scale, 10^lo_exp … 10^hi_exp."""
    return W.FloatLogSlider(base=10, min=lo_exp, max=hi_exp, step=0.25, description=label,
                            continuous_update=False, readout_format=".1e",
                            layout=W.Layout(width="250px"), style={"description_width": "90px"})


def _make_controls():
    """Every control of the playground, by attribute name, with the structural ones listed apart."""
    controls = {
        "dataset": _dropdown("dataset", [(label, name) for name, (label, _, _) in DATASETS.items()]),
        "prior": _dropdown("noise", ["normal", "uniform"]),
        "z_dim": _slider("noise dim", 1, 10),
        "g_loss": _dropdown("G loss", [("non-saturating", "non_saturating"), ("saturating", "saturating")]),
        "optimizer_g": _dropdown("G optimizer", ["adam", "sgd"]),
        "optimizer_d": _dropdown("D optimizer", ["adam", "sgd"]),
        "lr_g": _log_slider("G lr", -5, -0.5),
        "lr_d": _log_slider("D lr", -5, -0.5),
        "k": _slider("D steps (k)", 1, 10),
        "width": _dropdown("hidden width", [4, 8, 16, 32, 64, 128]),
        "layers": _slider("hidden layers", 1, 3),
        "batch_size": _dropdown("batch size", [16, 32, 64, 128, 256, 512, 1024]),
        "seed": W.BoundedIntText(min=0, max=10 ** 6, description="seed", layout=W.Layout(width="210px"),
                                 style={"description_width": "90px"}),
        "speed": _slider("steps/frame", 1, 100),
    }
    for name, widget in controls.items():
        widget.add_class(f"gl-{name}")            # stable names for the browser test
    structural = ("dataset", "prior", "z_dim", "optimizer_g", "optimizer_d", "width", "layers", "seed")
    return controls, structural


DEFAULTS = {"dataset": "bimodal", "prior": "normal", "z_dim": 1, "g_loss": "non_saturating",
            "optimizer_g": "adam", "optimizer_d": "adam", "lr_g": 1e-3, "lr_d": 1e-3, "k": 1,
            "width": 32, "layers": 1, "batch_size": 256, "seed": 0, "speed": 10}


def _allowed(widget):
    """What a control accepts, as (kind, allowed values or (min, max))."""
    if isinstance(widget, W.Dropdown):
        return "choice", [o[1] if isinstance(o, tuple) else o for o in widget.options]
    if isinstance(widget, W.FloatLogSlider):
        return "float", (widget.base ** widget.min, widget.base ** widget.max)
    return "int", (widget.min, widget.max)


def checked_value(name, widget, value):
    """Validate a value for a control; a ValueError names the control, the value, what is allowed (lesson 04)."""
    kind, allowed = _allowed(widget)
    if kind == "choice":
        ok = any(value == a and type(value) is type(a) or (isinstance(a, int) and value is a) for a in allowed)
        return value if ok else validate.fail(name, value, "one of " + ", ".join(repr(a) for a in allowed))
    if kind == "float":
        value = validate.positive(name, value)
        if not allowed[0] * (1 - 1e-9) <= value <= allowed[1] * (1 + 1e-9):
            validate.fail(name, value, f"between {allowed[0]:.0e} and {allowed[1]:.2g}")
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not allowed[0] <= value <= allowed[1]:
        validate.fail(name, value, f"a whole number from {allowed[0]} to {allowed[1]}")
    return value


class _Control:
    """A control as an attribute: reading gives the widget's value, setting checks it first (lesson 04)."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, pg, owner=None):
        return self if pg is None else pg.controls[self.name].value

    def __set__(self, pg, value):
        widget = pg.controls[self.name]
        widget.value = checked_value(self.name, widget, value)


# --- Drawing helpers -------------------------------------------------------------------------

D_CMAP = LinearSegmentedColormap.from_list("d_of_x", [FAKE, "#f7f7f7", REAL])   # D = 0 … ½ … 1


def _z_line(prior, z_dim, points):
    """Noise points along the first coordinate (others 0) over the prior's typical range."""
    reach = 1.0 if prior == "uniform" else 2.5
    z = torch.zeros(points, z_dim)
    z[:, 0] = torch.linspace(-reach, reach, points)
    return z


def _z_grid(prior, z_dim, lines=9, points=40):
    """A grid of noise lines in the first two coordinates (others 0): (2·lines, points, z_dim)."""
    reach = 1.0 if prior == "uniform" else 2.0
    a, t = torch.linspace(-reach, reach, lines), torch.linspace(-reach, reach, points)
    z = torch.zeros(2, lines, points, z_dim)
    z[0, :, :, 0], z[0, :, :, 1] = a[:, None], t[None, :]
    z[1, :, :, 0], z[1, :, :, 1] = t[None, :], a[:, None]
    return z.reshape(2 * lines, points, z_dim)


def generator_push(G, D, z, g_loss="non_saturating"):
    """Fakes x = G(z) and the G loss's push on each one, −∂loss_i/∂x_i: the playground's arrows (lesson 04)."""
    validate.choice("g_loss", g_loss, tuple(G_LOSSES))
    x = G(z).detach().requires_grad_(True)
    loss = G_LOSSES[g_loss](D(x)) * x.shape[0]            # the sum of per-sample losses
    grad, = torch.autograd.grad(loss, x)
    return x.detach(), -grad


def _thin(values, most=400):
    """At most `most` evenly spaced points of a curve, as (index, value) arrays."""
    values = np.asarray(values, dtype=float)
    every = max(1, len(values) // most)
    return np.arange(len(values))[::every], values[::every]


class Playground:
    """Train a 1-D or 2-D GAN live in JupyterLab, or headlessly with pg.step(n) (lesson 04).

    It uses ganlessons.train's train_step, d_step and g_step, ganlessons.data's targets and
    ganlessons.models' MLPs (`layers` hidden layers of `width` units in both players). Controls
    are attributes (pg.lr_d = 1e-2); changing dataset, prior, z_dim, optimizers, width, layers or
    seed starts a fresh run, other controls act on the running one. In 1-D, D*(x) is computed
    with p_g estimated by a Gaussian KDE (Scott's rule) of the generated samples on view.

    Settings are the controls' values (see DEFAULTS); besides them: `view_size` samples are drawn
    (from a fixed noise batch), `arrows` of them get a push arrow drawn `arrow_scale` times its
    length, and Play pauses `frame_pause` seconds between frames so the kernel can answer clicks.
    """
    dataset, prior, z_dim, g_loss = _Control(), _Control(), _Control(), _Control()
    optimizer_g, optimizer_d, lr_g, lr_d, k = _Control(), _Control(), _Control(), _Control(), _Control()
    width, layers, batch_size, seed, speed = _Control(), _Control(), _Control(), _Control(), _Control()

    def __init__(self, view_size=1000, arrows=64, arrow_scale=0.6, frame_pause=0.01, **settings):
        self.view_size, self.arrows = validate.count("view_size", view_size, 10), validate.count("arrows", arrows, 0)
        self.frame_pause = validate.non_negative("frame_pause", frame_pause)
        self.arrow_scale = validate.positive("arrow_scale", arrow_scale)
        self.controls, self.structural = _make_controls()
        for name, value in {**DEFAULTS, **settings}.items():
            if name not in self.controls:
                validate.fail(name, value, "not a control; controls are " + ", ".join(self.controls))
            self.controls[name].value = checked_value(name, self.controls[name], value)
        self.playing, self._task, self.frame_times = False, None, deque(maxlen=20)
        self.figure = Figure(figsize=(10, 5), dpi=80)
        self._canvas()
        self.figure.canvas.mpl_connect("draw_event", self._on_full_draw)
        self._build_app()
        for name, widget in self.controls.items():
            widget.observe(lambda change, name=name: self._changed(name), names="value")
        self.reset()

    # --- the run -------------------------------------------------------------------------

    @property
    def dim(self):
        """1 or 2: the dimension of the current dataset."""
        return DATASETS[self.dataset][1]

    def reset(self):
        """Start a fresh run from the current controls: new players, optimizers and history (lesson 04)."""
        init = torch.Generator().manual_seed(self.seed)
        hidden = (self.width,) * self.layers
        self.target, self.noise = playground_target(self.dataset, self.seed), noise(self.z_dim, self.prior)
        self.G = Generator(self.z_dim, self.dim, hidden, generator=init)
        self.D = Discriminator(self.dim, hidden, generator=init)
        self.opt_g = make_optimizer(self.G.parameters(), self.optimizer_g, self.lr_g)
        self.opt_d = make_optimizer(self.D.parameters(), self.optimizer_d, self.lr_d)
        self.rng, self.history = torch.Generator().manual_seed(self.seed), History()
        self.d_steps = self.g_steps = 0
        view = torch.Generator().manual_seed(self.seed + 1)     # what is drawn never disturbs training
        self.view_real = sample(self.target, self.view_size, view)
        self.view_z = sample(self.noise, self.view_size, view)
        self._draw_layout()
        self.redraw()

    def step(self, n=1):
        """n iterations of Algorithm 1 (train_step: k D steps, one G step); returns the History (lesson 04)."""
        for _ in range(validate.count("n", n)):
            stats = train_step(self.G, self.D, self.opt_g, self.opt_d, self.target, self.noise, self.rng,
                               self.batch_size, self.k, self.g_loss)
            if not all(math.isfinite(v) for v in stats.values()):
                raise TrainingDiverged(_diverged(len(self.history), stats, self.lr_g, self.lr_d, self.k))
            self.history.record(stats)
            self.d_steps, self.g_steps = self.d_steps + self.k, self.g_steps + 1
        return self.history

    def step_d(self):
        """One discriminator update alone (block 1 of Algorithm 1) (lesson 04)."""
        real, z = sample(self.target, self.batch_size, self.rng), sample(self.noise, self.batch_size, self.rng)
        d_step(self.G, self.D, self.opt_d, real, z)
        self.d_steps += 1

    def step_g(self):
        """One generator update alone (block 2 of Algorithm 1) (lesson 04)."""
        g_step(self.G, self.D, self.opt_g, sample(self.noise, self.batch_size, self.rng), self.g_loss)
        self.g_steps += 1

    def _changed(self, name):
        """React to a control: restart on structural ones, update the optimizers' learning rates."""
        if name in self.structural:
            self.reset()
        elif name in ("lr_g", "lr_d"):
            opt = self.opt_g if name == "lr_g" else self.opt_d
            for group in opt.param_groups:
                group["lr"] = getattr(self, name)

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

    def _canvas(self):
        """Attach an ipympl canvas: a live widget in JupyterLab; without a browser it still renders (Agg)."""
        from ipympl.backend_nbagg import Canvas, FigureManager
        canvas = Canvas(self.figure)
        with warnings.catch_warnings():            # ipympl's toolbar passes traitlets an extra argument
            warnings.simplefilter("ignore", DeprecationWarning)
            FigureManager(canvas, 0)
        canvas.header_visible, canvas.footer_visible, canvas.toolbar_visible = False, False, False
        canvas.resizable = False
        canvas._size = tuple(self.figure.bbox.size)   # what ipympl sets when a canvas itself is displayed

    def _button(self, label, icon, action, name):
        """A button that calls `action` and redraws; tagged with a CSS class for tests."""
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
        self.app = W.VBox([W.HBox(buttons), self.status, self.figure.canvas, W.HBox(columns)])
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
        import base64
        self.redraw()                                        # show the current state, not the last frame
        return {"application/vnd.jupyter.widget-view+json":
                {"version_major": 2, "version_minor": 0, "model_id": self.app.model_id},
                "image/png": base64.b64encode(self.snapshot_png()).decode("ascii"),
                "text/plain": f"GAN playground ({self.dataset}, iteration {len(self.history)}): "
                              "open in JupyterLab and run the notebook to play"}

    # --- drawing -------------------------------------------------------------------------

    def _draw_layout(self):
        """Clear the figure and build the panels for the current dimension."""
        fig = self.figure
        fig.clear()
        self.animated, self.background, self.limits = [], None, {}
        gs = fig.add_gridspec(2, 2, width_ratios=(1, 1.7) if self.dim == 1 else (1.15, 1),
                              left=0.06, right=0.95, bottom=0.09, top=0.94, wspace=0.22, hspace=0.45)
        if self.dim == 1:
            self._layout_1d(fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[0, 1]))
            self._layout_curves(fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[1, 1]))
        else:
            self._layout_2d(fig.add_subplot(gs[:, 0]))
            self._layout_curves(fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1]))

    def _layout_1d(self, ax_g, ax_x):
        """G as a curve; histograms, p_data, D(x) and D*(x) in data space."""
        half = DATASETS[self.dataset][2]
        self.x_grid = torch.linspace(-half, half, 300)[:, None]
        self.star_grid = torch.linspace(-half, half, 100)[:, None]          # D* needs a KDE: fewer points
        self.edges = np.linspace(-half, half, 61)
        self.z_line = _z_line(self.prior, self.z_dim, 200)
        self.g_line, = ax_g.plot(self.z_line[:, 0], np.zeros(200), color=FAKE, lw=2, animated=True)
        ax_g.set(xlabel="noise z₁" + (" (others 0)" if self.z_dim > 1 else ""), ylabel="G(z)",
                 ylim=(-half, half), title="generator z ↦ G(z)")
        real_hist = np.histogram(self.view_real[:, 0].numpy(), self.edges, density=True)[0]
        ax_x.stairs(real_hist, self.edges, fill=True, color=REAL, alpha=0.35, label="real samples")
        self.fake_hist = ax_x.stairs(real_hist * 0, self.edges, fill=True, color=FAKE, alpha=0.45,
                                     label="generated", animated=True)
        density = self.target.log_prob(self.x_grid).exp()
        ax_x.plot(self.x_grid[:, 0], density, color=REAL, lw=1.5, label="p_data")
        ax_x.set(xlim=(-half, half), ylim=(0, 1.6 * float(density.max())), xlabel="x", ylabel="density",
                 title="data space")
        ax_x.legend(fontsize=8, loc="upper left")
        twin = ax_x.twinx()
        self.d_line, = twin.plot(self.x_grid[:, 0], self.x_grid[:, 0] * 0, color=DISC, lw=2, label="D(x)",
                                 animated=True)
        self.d_star, = twin.plot(self.star_grid[:, 0], self.star_grid[:, 0] * 0, color=DISC, lw=1, ls="--",
                                 label="D*(x), p_g by KDE", animated=True)
        self.animated += [self.g_line, self.fake_hist, self.d_line, self.d_star]
        twin.axhline(0.5, color="0.8", lw=1, zorder=0)
        twin.set(ylim=(-0.02, 1.02), ylabel="D(x)")
        twin.legend(fontsize=8, loc="upper right")

    def _layout_2d(self, ax):
        """Data space: D as a heat map, real and fake samples, G's manifold and its gradient arrows."""
        half = DATASETS[self.dataset][2]
        axis = torch.linspace(-half, half, 60)
        self.xy_grid = torch.cartesian_prod(axis, axis)[:, [1, 0]]          # row-major for imshow
        self.heat = ax.imshow(np.zeros((60, 60)), extent=(-half, half, -half, half), origin="lower",
                              cmap=D_CMAP, vmin=0, vmax=1, alpha=0.55, interpolation="bilinear", animated=True)
        real = self.view_real[:500].numpy()
        real_dots = ax.scatter(real[:, 0], real[:, 1], s=9, color=REAL, lw=0, alpha=0.8, label="real",
                               animated=True)
        self.fake_dots = ax.scatter(real[:, 0], real[:, 1], s=5, color=FAKE, lw=0, alpha=0.8, label="generated",
                                    animated=True)
        self.manifold = LineCollection([], colors=FAKE, linewidths=0.6, alpha=0.5, animated=True)
        ax.add_collection(self.manifold)
        self.z_grid = _z_grid(self.prior, self.z_dim) if self.z_dim > 1 else _z_line(self.prior, 1, 200)[None]
        n = min(self.arrows, self.view_size)
        self.quiver = ax.quiver(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), color="#7b3294",
                                angles="xy", scale_units="xy", scale=1, width=0.004, label="G's push",
                                animated=True)
        self.animated += [self.heat, self.manifold, self.fake_dots, real_dots, self.quiver]   # real on top
        ax.set(xlim=(-half, half), ylim=(-half, half), aspect="equal",
               title="data space: D(x) (green = real), G's manifold and push")
        legend = ax.legend(fontsize=8, loc="upper left", markerscale=2)
        legend.set_animated(True)                    # drawn after the heat map, so it stays readable
        self.animated.append(legend)

    def _layout_curves(self, ax_loss, ax_d):
        """Losses and mean D outputs against iteration, with their equilibrium values."""
        self.loss_lines = [ax_loss.plot([], [], color=c, lw=1, label=l, animated=True)[0]
                           for c, l in ((DISC, "D loss"), (FAKE, "G loss"))]
        ax_loss.axhline(math.log(2), color="0.6", lw=1, ls=":", label="log 2")
        ax_loss.set(xlabel="iteration", title="losses")
        ax_loss.legend(fontsize=8, loc="upper right")
        self.d_lines = [ax_d.plot([], [], color=c, lw=1, label=l, animated=True)[0]
                        for c, l in ((REAL, "mean D(x)"), (FAKE, "mean D(G(z))"))]
        ax_d.axhline(0.5, color="0.6", lw=1, ls=":")
        ax_d.set(xlabel="iteration", ylim=(-0.02, 1.02), title="discriminator outputs")
        ax_d.legend(fontsize=8, loc="upper right")
        self.ax_loss, self.ax_d = ax_loss, ax_d
        self.animated += self.loss_lines + self.d_lines

    def redraw(self):
        """Update every panel's artists from the current players, and draw the canvas (lesson 04)."""
        if self.dim == 1:
            self._update_1d()
        else:
            self._update_2d()
        limits_changed = self._update_curves()
        self._update_status()
        if limits_changed or self.background is None:
            self.figure.canvas.draw()          # axes and ticks change: draw everything
        else:
            self._blit()

    def _on_full_draw(self, event):
        """After any full draw (ours or the browser's), keep the static background and add the moving parts."""
        self.background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_moving()

    def _draw_moving(self):
        """Draw the animated artists (the ones that change every frame) in order."""
        for artist in self.animated:
            self.figure.draw_artist(artist)

    def _blit(self):
        """Restore the static background, draw the moving artists on it, send the changed pixels."""
        canvas = self.figure.canvas
        canvas.restore_region(self.background)
        self._draw_moving()
        canvas.blit(self.figure.bbox)

    @torch.no_grad()
    def _update_1d(self):
        """New G curve, fake histogram, D(x) and D*(x)."""
        self.g_line.set_ydata(self.G(self.z_line)[:, 0].numpy())
        fake = self.G(self.view_z)
        self.fake_hist.set_data(np.histogram(fake[:, 0].numpy(), self.edges, density=True)[0])
        self.d_line.set_ydata(torch.sigmoid(self.D(self.x_grid)).numpy())
        self.d_star.set_ydata(d_star_1d(self.view_real, fake, self.star_grid).numpy())

    def _update_2d(self):
        """New heat map, fake samples, manifold lines and gradient arrows."""
        with torch.no_grad():
            self.heat.set_data(torch.sigmoid(self.D(self.xy_grid)).reshape(60, 60).numpy())
            self.fake_dots.set_offsets(self.G(self.view_z[:500]).numpy())
            lines = self.G(self.z_grid.reshape(-1, self.z_dim)).reshape(*self.z_grid.shape[:2], 2)
            self.manifold.set_segments(list(lines.numpy()))
        if self.arrows:
            x, push = generator_push(self.G, self.D, self.view_z[:self.arrows], self.g_loss)
            self.quiver.set_offsets(x.numpy())
            push = self.arrow_scale * push
            self.quiver.set_UVC(push[:, 0].numpy(), push[:, 1].numpy())

    def _update_curves(self):
        """Losses and mean D outputs so far; True when an axis had to grow (then everything is redrawn)."""
        h = self.history
        for line, values in zip(self.loss_lines + self.d_lines, (h.d_loss, h.g_loss, h.d_real, h.d_fake)):
            line.set_data(*_thin(values))
        right = self.limits.get("x", 100)
        while right < len(h):
            right *= 2                                   # grow by doubling: few full redraws
        lo, hi = self.limits.get("y", (0.0, 1.5))
        if len(h):
            both = np.concatenate([_thin(h.d_loss)[1], _thin(h.g_loss)[1]])
            lo, hi = min(lo, 1.25 * float(both.min())), max(hi, 1.25 * float(both.max()))
        changed = (right, (lo, hi)) != (self.limits.get("x"), self.limits.get("y"))
        if changed:
            self.limits.update(x=right, y=(lo, hi))
            self.ax_loss.set_xlim(0, right)
            self.ax_d.set_xlim(0, right)
            self.ax_loss.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        return changed

    def _update_status(self):
        """The status line: iteration, D and G steps, last losses, frames/s while playing."""
        h, parts = self.history, [f"iteration <b class='gl-iteration'>{len(self.history)}</b>",
                                  f"D steps {self.d_steps}", f"G steps {self.g_steps}"]
        if len(h):
            parts += [f"D loss {h.d_loss[-1]:.3f}", f"G loss {h.g_loss[-1]:.3f}",
                      f"mean D(x) {h.d_real[-1]:.2f}", f"mean D(G(z)) {h.d_fake[-1]:.2f}"]
        if self.playing and self.frame_times:
            parts.append(f"{len(self.frame_times) / sum(self.frame_times):.0f} frames/s")
        self.status.value = " · ".join(parts)


# --- lesson 09: the Dirac-GAN explorer ------------------------------------------------------------

def dirac_figure(lr=0.1, gamma=0.0, scheme="simultaneous", steps=200, start=(1.0, 1.0), lim=2.5):
    """The Dirac-GAN's vector field with R1 weight γ and one trajectory on it: the explorer's view (lesson 09)."""
    from . import games, plot
    path = games.dirac_trajectory(start, lr=lr, steps=steps, scheme=scheme, regulariser="r1", gamma=gamma)
    fig, ax = plot.figure(width=4.2, height=4.2)
    plot.vector_field(lambda t, p: games.dirac_field(t, p, regulariser="r1", gamma=gamma), lim=lim, ax=ax,
                      labels=("θ (the generator's point)", "ψ (the discriminator's slope)"))
    plot.trajectory(path, ax=ax, label=f"{scheme}, step {lr:.3g}, γ = {gamma:.3g}")
    ax.set_title(f"distance to (0, 0) after {steps} steps: {games.distance_to_origin(path):.3g}", fontsize=9)
    return fig


def dirac_explorer(steps=200, start=(1.0, 1.0), lim=2.5):
    """Sliders for the step size and the R1 weight γ and a scheme toggle, redrawing the Dirac-GAN (lesson 09).

    Returns the app (an ipywidgets VBox); `app.controls` holds the widgets by name ("lr", "gamma",
    "scheme") and `app.figure` the figure drawn last, so it can be driven without a display.
    """
    import ipywidgets as w
    from . import games
    controls = {"lr": w.FloatLogSlider(value=0.1, base=10, min=-2, max=0, step=0.1, description="step size"),
                "gamma": w.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="R1 γ"),
                "scheme": w.ToggleButtons(options=games.SCHEMES, value="simultaneous")}
    out = w.Output()
    app = w.VBox([w.HBox([controls["lr"], controls["gamma"]]), controls["scheme"], out])
    app.controls = controls

    def redraw(_=None):
        app.figure = dirac_figure(**{k: c.value for k, c in controls.items()}, steps=steps, start=start, lim=lim)
        out.outputs = ()
        out.append_display_data(app.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return app


__all__ += ["dirac_figure", "dirac_explorer"]
