"""Figures of many runs: the two generator losses and their statistics (lessons 05–06), mode
collapse (lessons 07–08)."""
import numpy as np
import torch

from .. import _validate as validate
from ._base import DISC, FAKE, REAL, figure, _numpy, _owner
from .players import scatter_2d

__all__ = ["LOSS_COLOURS", "LOSS_LABELS", "generator_costs", "runs", "gradient_sweep",
           "gradient_histograms", "rates", "snapshots_2d", "metrics_over_time", "method_curves", "digit_clouds"]


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


METHOD_STYLES = ("-", "--", ":", "-.")     # with a marker each, so the lines differ in greyscale too
METHOD_MARKERS = ("o", "s", "^", "v", "D", "x", "+", "*")
# near-black, blue, red, purple, brown, teal, pink, grey: none of them REAL's green or FAKE's orange
METHOD_COLOURS = ("#222222", "#4e79a7", "#e15759", "#b07aa1", "#9c755f", "#76b7b2", "#ff9da7", "#bab0ac")


def method_curves(steps, curves, ylabel, of=None, ax=None, title=None):
    """One line per method {name: values at steps}, each its own line style and marker; `of` draws
    the number of modes as a dashed line (lesson 08)."""
    fig, ax = figure() if ax is None else (ax.figure, ax)
    for i, (name, values) in enumerate(curves.items()):
        ax.plot(list(steps), _numpy(values), color=METHOD_COLOURS[i % len(METHOD_COLOURS)],
                ls=METHOD_STYLES[i % len(METHOD_STYLES)], marker=METHOD_MARKERS[i % len(METHOD_MARKERS)],
                ms=3, lw=1.1, markevery=4, label=name)
    if of is not None:
        ax.axhline(of, color=REAL, ls="--", lw=1, label="all modes")
    ax.set(xlabel="training step", ylabel=ylabel)
    if title:
        ax.set_title(title, fontsize=9)
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
