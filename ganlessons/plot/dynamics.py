"""Figures of training as a dynamical system: two-player games as vector fields and trajectories,
loss curves (lesson 09)."""
import numpy as np
import torch

from .. import _validate as validate
from ._base import DISC, FAKE, figure, _owner

__all__ = ["PATH_COLOURS", "vector_field", "trajectory", "losses"]


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
    """Discriminator and generator losses against iteration (lesson 09)."""
    fig, ax = _owner(ax, figure)
    validate.count("every", every)
    steps = np.arange(len(history.d_loss))[::every]
    ax.plot(steps, history.d_loss[::every], color=DISC, lw=1, label="D loss")
    ax.plot(steps, history.g_loss[::every], color=FAKE, lw=1, label="G loss")
    ax.set(xlabel="iteration", ylabel="loss")
    ax.legend(fontsize=8, loc="upper right")
    return fig
