"""Figures for the lessons. Every function returns a matplotlib Figure (or draws on `ax`);
real data is always REAL-coloured and generated data FAKE-coloured, with a legend.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so a cell shows each one exactly
once: when it is the cell's value or passed to `display`.
"""

import numpy as np
import torch
from matplotlib.figure import Figure

from . import _validate as validate
from .losses import optimal_discriminator

__all__ = ["REAL", "FAKE", "DISC", "figure", "density_1d", "generator_curve", "discriminator_curve",
           "players_1d", "optimal_discriminator_1d", "value_against_jsd", "png_bytes",
           "snapshot_grid_1d", "scatter_2d", "scatter_grid_2d", "LOSS_COLOURS", "LOSS_LABELS",
           "generator_costs", "runs", "gradient_sweep", "gradient_histograms", "rates", "snapshots_2d",
           "metrics_over_time", "digit_clouds", "PATH_COLOURS", "vector_field", "trajectory", "losses"]

REAL, FAKE, DISC = "#1b9e77", "#d95f02", "#555555"   # real data, generated data, discriminator
DPI = 80


def figure(ncols=1, nrows=1, width=4.0, height=3.0):
    """A Figure with a grid of axes, each panel `width` × `height` inches, at 80 dpi (lesson 01)."""
    validate.count("ncols", ncols)
    validate.count("nrows", nrows)
    fig = Figure(figsize=(width * ncols, height * nrows), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, (axes[0, 0] if axes.size == 1 else axes.ravel())


def _numpy(x):
    """A (n,) or (n, 1) tensor or array as a flat numpy array."""
    return (x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)).reshape(-1)


def _owner(ax, make):
    """Use `ax` if given, else a new one-panel figure; return (figure, axes)."""
    if ax is not None:
        return ax.figure, ax
    return make()


# --- Lesson 01: the two players ---------------------------------------------------------------

def density_1d(target=None, real=None, fake=None, lo=-4.0, hi=4.0, bins=60, ax=None):
    """Histograms of real and generated 1-D samples over the exact target density (lesson 01)."""
    fig, ax = _owner(ax, figure)
    edges = np.linspace(lo, hi, bins + 1)
    if real is not None:
        ax.hist(_numpy(real), bins=edges, density=True, color=REAL, alpha=0.45, label="real samples")
    if fake is not None:
        ax.hist(_numpy(fake), bins=edges, density=True, color=FAKE, alpha=0.45, label="generated")
    if target is not None:
        x = torch.linspace(lo, hi, 400)[:, None]
        ax.plot(x[:, 0], target.log_prob(x).exp(), color=REAL, lw=2, label="p_data (exact)")
    ax.set(xlabel="x", ylabel="density", xlim=(lo, hi))
    ax.legend(fontsize=8, loc="upper right")
    return fig


def generator_curve(G, lo=-3.0, hi=3.0, ax=None, label="G(z)"):
    """The 1-D generator as a function z ↦ G(z) on [lo, hi] (lesson 01)."""
    fig, ax = _owner(ax, figure)
    z = torch.linspace(lo, hi, 300)[:, None]
    with torch.no_grad():
        ax.plot(z[:, 0], G(z)[:, 0], color=FAKE, lw=2, label=label)
    ax.set(xlabel="noise z", ylabel="G(z)")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def discriminator_curve(D, lo=-4.0, hi=4.0, p_data=None, p_g=None, ax=None):
    """D(x) = sigmoid(logit) on [lo, hi]; with both densities, D* = p_data/(p_data + p_g) dashed (lesson 01)."""
    fig, ax = _owner(ax, figure)
    x = torch.linspace(lo, hi, 400)[:, None]
    with torch.no_grad():
        ax.plot(x[:, 0], torch.sigmoid(D(x)), color=DISC, lw=2, label="D(x)")
    if p_data is not None and p_g is not None:
        ax.plot(x[:, 0], optimal_discriminator(p_data, p_g, x), color=DISC, ls="--", label="D*(x)")
    ax.axhline(0.5, color="0.8", lw=1, zorder=0)
    ax.set(xlabel="x", ylabel="D(x) = P(real)", ylim=(-0.02, 1.02), xlim=(lo, hi))
    ax.legend(fontsize=8, loc="upper right")
    return fig


def players_1d(G, D, target, fake, lo=-4.0, hi=4.0, z_range=3.0, title=None):
    """Two panels side by side: G as a curve, and the histograms with D(x) (lesson 01)."""
    fig, (ax_g, ax_x) = figure(ncols=2)
    generator_curve(G, -z_range, z_range, ax=ax_g)
    density_1d(target, fake=fake, lo=lo, hi=hi, ax=ax_x)
    twin = ax_x.twinx()
    discriminator_curve(D, lo, hi, ax=twin)
    twin.legend(fontsize=8, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


# --- Lesson 02: the minimax objective and the optimal discriminator ---------------------------

def optimal_discriminator_1d(p_data, p_g, lo=-5.0, hi=5.0, D=None, ax=None, title=None):
    """The densities p_data and p_g, and D* = p_data/(p_data + p_g) on a second axis; D too if given (lesson 02)."""
    fig, ax = _owner(ax, figure)
    x = torch.linspace(lo, hi, 500)[:, None]
    with torch.no_grad():
        d_star = optimal_discriminator(p_data, p_g, x)      # checks that both are distributions
        ax.fill_between(x[:, 0], p_data.log_prob(x).exp(), color=REAL, alpha=0.35, label="p_data")
        ax.fill_between(x[:, 0], p_g.log_prob(x).exp(), color=FAKE, alpha=0.35, label="p_g")
        twin = ax.twinx()
        twin.plot(x[:, 0], d_star, color=DISC, ls="--", lw=2, label="D*(x)")
        if D is not None:
            twin.plot(x[:, 0], torch.sigmoid(D(x)), color=DISC, lw=1.2, label="trained D(x)")
    ax.set(xlabel="x", ylabel="density", xlim=(lo, hi))
    twin.set(ylabel="D(x) = P(real)", ylim=(-0.02, 1.02))
    ax.legend(fontsize=8, loc="upper left")
    twin.legend(fontsize=8, loc="upper right")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def value_against_jsd(slide, c_g, jsd_values, xlabel="slide", axes=None):
    """Two panels: C(G) = max_D V beside −log 4 + 2·JSD, and JSD itself, against a slide (lesson 02)."""
    fig, (ax_c, ax_j) = figure(ncols=2) if axes is None else (axes[0].figure, axes)
    s, c, j = _numpy(slide), _numpy(c_g), _numpy(jsd_values)
    if not len(s) == len(c) == len(j):
        validate.fail("c_g", f"{len(c)} values", f"one value per slide position ({len(s)}), as many as jsd_values")
    ax_c.plot(s, c, "o", color=DISC, label="C(G) = V(D*, G)")
    ax_c.plot(s, -np.log(4) + 2 * j, color="k", lw=1, label="−log 4 + 2·JSD")
    ax_c.axhline(-np.log(4), color="0.6", ls=":", label="−log 4")
    ax_c.set(xlabel=xlabel, ylabel="value")
    ax_c.legend(fontsize=8, loc="upper right")
    ax_j.plot(s, j, "o-", color=DISC, label="JSD(p_data ‖ p_g)")
    ax_j.axhline(np.log(2), color="0.6", ls=":", label="log 2 (largest possible)")
    ax_j.set(xlabel=xlabel, ylabel="nats")
    ax_j.legend(fontsize=8, loc="upper right")
    return fig


def png_bytes(fig):
    """A Figure rendered as PNG bytes, e.g. for an ipywidgets.Image that a slider redraws (lesson 02)."""
    import io
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return buffer.getvalue()


# --- Lesson 04: training, step by step --------------------------------------------------------

def snapshot_grid_1d(snapshots, target, z, lo=-4.0, hi=4.0, z_range=3.0):
    """Small panels over training, one column per (iteration, G, D): G curve, histograms, D(x) (lesson 04)."""
    if not snapshots:
        validate.fail("snapshots", snapshots, "a non-empty list of (iteration, Generator, Discriminator)")
    fig, axes = figure(ncols=len(snapshots), nrows=3, width=2.4, height=1.9)
    axes = axes.reshape(3, len(snapshots))
    for col, (iteration, G, D) in enumerate(snapshots):
        with torch.no_grad():
            fake = G(z)
        generator_curve(G, -z_range, z_range, ax=axes[0, col])
        density_1d(target, fake=fake, lo=lo, hi=hi, bins=40, ax=axes[1, col])
        discriminator_curve(D, lo, hi, ax=axes[2, col])
        axes[0, col].set(title=f"iteration {iteration}", ylim=(lo, hi))
        for ax in axes[:, col]:
            if col > 0:
                ax.get_legend().remove()
                ax.set_ylabel("")
    return fig


def scatter_2d(real=None, fake=None, ax=None, size=4, lim=None):
    """Real and generated 2-D samples as a scatter plot (lesson 04)."""
    fig, ax = _owner(ax, figure)
    for pts, colour, label in ((real, REAL, "real"), (fake, FAKE, "generated")):
        if pts is not None:
            pts = pts.detach().cpu().numpy() if isinstance(pts, torch.Tensor) else np.asarray(pts)
            ax.scatter(pts[:, 0], pts[:, 1], s=size, color=colour, alpha=0.5, lw=0, label=label)
    if lim is not None:
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim))
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper right", markerscale=3)
    return fig


def scatter_grid_2d(snapshots, real, lim=None):
    """Real and generated 2-D samples side by side, one panel per {iteration: samples} (lesson 04)."""
    if not snapshots:
        validate.fail("snapshots", snapshots, "a non-empty dict {iteration: generated samples}")
    fig, axes = figure(ncols=len(snapshots), width=2.6, height=2.6)
    axes = np.atleast_1d(axes)
    for col, (ax, (iteration, fake)) in enumerate(zip(axes, snapshots.items())):
        scatter_2d(real, fake, ax=ax, lim=lim)
        ax.set_title(f"iteration {iteration}", fontsize=10)
        if col > 0:
            ax.get_legend().remove()
    return fig


# --- Lessons 05–06: the two generator losses, and statistics over many runs -------------------

LOSS_COLOURS = {"saturating": "#7570b3", "non_saturating": "#e7298a"}   # never REAL/FAKE green/orange
LOSS_LABELS = {"saturating": "minimax (saturating) log(1 − D)", "non_saturating": "non-saturating −log D"}


def generator_costs(d_fake, costs, slopes, marks=(), axes=None):
    """Left: generator cost against D(G(z)) for each loss (Goodfellow 2016, fig. 16); right: the size
    of its slope with respect to D's logit, log-log, with the marked D(G(z)) values (lesson 05)."""
    fig, (ax_c, ax_s) = (axes[0].figure, axes) if axes is not None else figure(ncols=2)
    d = _numpy(d_fake)
    for name in costs:
        kw = dict(color=LOSS_COLOURS[name], lw=2, label=LOSS_LABELS[name])
        ax_c.plot(d, _numpy(costs[name]), **kw)
        ax_s.loglog(d, np.abs(_numpy(slopes[name])), **kw)
    if set(slopes) == {"saturating", "non_saturating"}:
        for m in marks:                       # an arrow from one slope to the other, labelled with their ratio
            lo, hi = (float(np.interp(m, d, np.abs(_numpy(slopes[k])))) for k in ("saturating", "non_saturating"))
            ax_s.annotate("", xy=(m, hi), xytext=(m, lo), arrowprops=dict(arrowstyle="<->", color="0.4"))
            ax_s.text(m * 1.15, (lo * hi) ** 0.5, f"{hi / lo:.0f}×", fontsize=8, color="0.3")
    ax_c.set(xlabel="D(G(z))", ylabel="generator cost (minimised)", title="cost")
    ax_s.set(xlabel="D(G(z))", ylabel="|∂ cost / ∂ logit|", title="slope w.r.t. D's logit")
    ax_c.legend(fontsize=8, loc="upper right")
    return fig


def runs(x, y, color, label, ax, spread=True):
    """Each run's curve (thin, columns of y) and their median (thick) against x (lesson 05)."""
    x, y = _numpy(x), (y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y))
    if spread:
        ax.plot(x, y, color=color, lw=0.6, alpha=0.35)
    ax.plot(x, np.median(y, axis=1), color=color, lw=2.2, label=label)
    return ax.figure


def gradient_sweep(sweep, axes=None):
    """‖∇θ_G‖ under each loss against D's training steps and against mean D(G(z)), log scales (lesson 05)."""
    fig, (ax_s, ax_d) = (axes[0].figure, axes) if axes is not None else figure(ncols=2)
    steps = np.maximum(np.asarray(sweep.d_steps, dtype=float), 0.5)     # step 0 drawn at 0.5 on a log axis
    for name, norms in sweep.norms.items():
        runs(steps, norms, LOSS_COLOURS[name], LOSS_LABELS[name], ax_s)
        ax_d.loglog(_numpy(sweep.d_fake), _numpy(norms), "o", ms=3, alpha=0.6, color=LOSS_COLOURS[name],
                    label=LOSS_LABELS[name])
    ax_s.set(xscale="log", yscale="log", xlabel="D training steps (G frozen; 0 drawn at ½)", ylabel="‖∇θ_G‖")
    ax_d.set(xlabel="mean D(G(z))", ylabel="‖∇θ_G‖")
    ax_d.invert_xaxis()
    ax_s.legend(fontsize=8, loc="upper left")
    return fig


def gradient_histograms(grads, names, bins=40):
    """Per-layer histograms of log10 |∂ loss / ∂ parameter| for each loss, one panel per layer (lesson 05)."""
    fig, axes = figure(ncols=len(names), width=3.0)
    axes = np.atleast_1d(axes)
    for j, (ax, title) in enumerate(zip(axes, names)):
        for name, layers in grads.items():
            v = np.log10(np.abs(_numpy(layers[j])) + 1e-30)
            ax.hist(v[v > -29], bins=bins, color=LOSS_COLOURS[name], alpha=0.5, label=name.replace("_", "-"))
        ax.set(title=title, xlabel="log10 |gradient entry|", ylabel="count" if j == 0 else None)
    axes[0].legend(fontsize=8, loc="upper left")
    return fig


def rates(labels, rates_, lows, highs, ax=None, ylabel="success rate", colors=None):
    """Bars of rates with their interval [low, high] as error bars (lesson 06)."""
    fig, ax = _owner(ax, figure)
    r, lo, hi = (np.asarray(v, dtype=float) for v in (rates_, lows, highs))
    ax.bar(range(len(r)), r, yerr=[r - lo, hi - r], capsize=4, color=colors or DISC, alpha=0.8)
    ax.set_xticks(range(len(r)), labels, fontsize=8)
    ax.set(ylabel=ylabel, ylim=(0, 1.05))
    return fig


# --- Lessons 07–08: mode collapse -------------------------------------------------------------

def snapshots_2d(snapshots, real=None, lim=None, size=3, title=None):
    """One scatter panel per training step {step: samples (n, 2)}, real data behind each (lesson 07)."""
    steps = sorted(snapshots)
    fig, axes = figure(ncols=len(steps), width=2.6, height=2.6)
    axes = np.atleast_1d(axes)
    for ax, step in zip(axes, steps):
        scatter_2d(real, snapshots[step], ax=ax, size=size, lim=lim)
        ax.set_title(f"step {step}", fontsize=9)
        ax.tick_params(labelsize=7)
        if ax is not axes[0]:
            ax.get_legend().remove()
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def metrics_over_time(steps, reports, label=None, axes=None, color=FAKE):
    """Modes covered, % high quality and reverse KL against training step, three panels (lesson 07)."""
    fig, axes = figure(ncols=3, width=3.0, height=2.4) if axes is None else (axes[0].figure, axes)
    keys = (("modes", "modes covered"), ("hq_percent", "% high quality"), ("reverse_kl", "reverse KL (nats)"))
    for ax, (key, name) in zip(axes, keys):
        ax.plot(list(steps), [r[key] for r in reports], "o-", color=color, ms=3, lw=1.2, label=label or "generated")
        ax.set(xlabel="training step", ylabel=name)
    axes[0].axhline(reports[0]["of"], color=REAL, ls="--", lw=1, label="all modes")
    axes[0].legend(fontsize=7, loc="lower right")
    return fig


def digit_clouds(covered=(1, 7), points=60, seed=0):
    """A schematic: ten clouds of 'digit images' seen from afar, the generator on only a few (lesson 07)."""
    validate.count("points", points)
    g = torch.Generator().manual_seed(seed)
    angle = 2 * np.pi * np.arange(10) / 10
    centres = torch.tensor(np.stack([np.cos(angle), np.sin(angle)], 1) * 3, dtype=torch.float32)
    real = (centres[:, None] + 0.45 * torch.randn(10, points, 2, generator=g)).reshape(-1, 2)
    fake = torch.cat([centres[d] + 0.3 * torch.randn(points, 2, generator=g) for d in covered])
    fig, ax = figure(width=4.2, height=4.0)
    scatter_2d(real, fake, ax=ax, size=6, lim=4.6)
    for digit, (x, y) in enumerate(centres.tolist()):
        ax.text(1.33 * x, 1.33 * y, str(digit), ha="center", va="center", fontsize=13, weight="bold")
    ax.set(xticks=[], yticks=[], title="digits as ten clouds (a sketch, not data)")
    return fig


# --- Lesson 09: two-player games as vector fields and trajectories; loss curves ---------------

PATH_COLOURS = ("#1f4e9c", "#7b3294", "#000000", "#b2182b")   # trajectories (never REAL/FAKE green/orange)


def vector_field(field, lim=2.0, points=15, ax=None, labels=("x", "y")):
    """Arrows of a 2-D vector field (u, v) = field(a, b) on [−lim, lim]², unit length, grey (lesson 09)."""
    fig, ax = _owner(ax, figure)
    lim = validate.positive("lim", lim)
    grid = torch.linspace(-lim, lim, validate.count("points", points, 2), dtype=torch.float64)
    a, b = torch.meshgrid(grid, grid, indexing="xy")
    u, v = (torch.as_tensor(c, dtype=torch.float64) for c in field(a, b))
    speed = torch.sqrt(u ** 2 + v ** 2).clamp_min(1e-12)
    ax.quiver(a.numpy(), b.numpy(), (u / speed).numpy(), (v / speed).numpy(), color="0.7",
              angles="xy", pivot="mid", width=0.004)
    ax.plot([0], [0], marker="*", ms=12, color="k", ls="none", label="equilibrium (0, 0)")
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel=labels[0], ylabel=labels[1])
    ax.set_aspect("equal")
    return fig


def trajectory(path, ax=None, label=None, color=PATH_COLOURS[0]):
    """A path of points (steps + 1, 2) as a line, a dot at its start and a cross at its end (lesson 09)."""
    fig, ax = _owner(ax, figure)
    p = path.detach().cpu().numpy() if isinstance(path, torch.Tensor) else np.asarray(path)
    if p.ndim != 2 or p.shape[1] != 2:
        validate.fail("path", p.shape, "an array of shape (steps + 1, 2)")
    ax.plot(p[:, 0], p[:, 1], color=color, lw=1.2, label=label)
    ax.plot(p[0, 0], p[0, 1], "o", color=color, ms=5)
    ax.plot(p[-1, 0], p[-1, 1], "x", color=color, ms=8, mew=2)
    if label:
        ax.legend(fontsize=8, loc="upper right")
    return fig


def losses(history, ax=None, every=1):
    """Discriminator and generator losses against iteration (lesson 01)."""
    fig, ax = _owner(ax, figure)
    validate.count("every", every)
    steps = np.arange(len(history.d_loss))[::every]
    ax.plot(steps, history.d_loss[::every], color=DISC, lw=1, label="D loss")
    ax.plot(steps, history.g_loss[::every], color=FAKE, lw=1, label="G loss")
    ax.set(xlabel="iteration", ylabel="loss")
    ax.legend(fontsize=8, loc="upper right")
    return fig
