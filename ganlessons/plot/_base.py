"""What every figure of the course shares: the colours of real and generated data and of D, and
`figure`, a matplotlib Figure (not pyplot) at the course's size (lesson 02)."""
import numpy as np
import torch
from matplotlib.figure import Figure

from .. import _validate as validate

__all__ = ["REAL", "FAKE", "DISC", "DPI", "figure"]

# Real data dark green, generated data light orange: apart in hue and in lightness (CIELAB L* 40
# against 68), so they stay distinguishable in greyscale and to colour-blind readers (issue 13).
REAL, FAKE, DISC = "#006d2c", "#f28e2b", "#555555"   # real data, generated data, discriminator
DPI = 80


def figure(ncols=1, nrows=1, width=4.0, height=3.0):
    """A Figure with a grid of axes, each panel `width` × `height` inches, at 80 dpi (lesson 02)."""
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
