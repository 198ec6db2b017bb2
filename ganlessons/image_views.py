"""Views of 8×8 digit images (lessons 10–11): grids of real and generated digits, a strip of
snapshots over training, generated digits above their nearest training images, the share of
each digit, and a widget that asks a conditional generator for a digit and walks its noise.

As everywhere in the course (`ganlessons.plot`), real digits are framed in REAL's colour and
generated ones in FAKE's, with a legend; every function returns the Figure (or the widget).
"""
import numpy as np
import torch
from matplotlib.patches import Patch

from . import _validate as validate
from .digits import CLASSES, PIXELS, SIDE, _images, to_unit_range
from .plot import DISC, FAKE, REAL, figure, png_bytes

__all__ = ["mosaic", "digit_grid", "real_and_generated", "snapshot_strip", "nearest_pairs", "share_bars",
           "noise_walk", "digit_explorer"]

FRAME = {"real": REAL, "generated": FAKE}
_LEGEND = {"real": "real digits", "generated": "generated digits"}


def mosaic(images, ncols=10, gap=1):
    """Flattened digits (n, 64·channels) tiled into one picture with `gap` white pixels between them;
    channels side by side (lesson 10)."""
    images = _images("images", images).detach()
    validate.count("ncols", ncols)
    channels, n = images.shape[1] // PIXELS, len(images)
    tiles = to_unit_range(images).reshape(n, channels, SIDE, SIDE).permute(0, 2, 1, 3).reshape(n, SIDE, channels * SIDE)
    nrows, width = -(-n // ncols), channels * SIDE
    canvas = np.full((nrows * (SIDE + gap) - gap, ncols * (width + gap) - gap), 0.25)   # light grey gaps
    for i, tile in enumerate(tiles.numpy()):
        r, c = divmod(i, ncols)
        canvas[r * (SIDE + gap):r * (SIDE + gap) + SIDE, c * (width + gap):c * (width + gap) + width] = tile
    return canvas


def digit_grid(images, kind="generated", ncols=10, ax=None, title=None, legend=True):
    """Digits as a grid, dark ink on white, framed in the colour of `kind`: "real" or "generated" (lesson 10)."""
    validate.choice("kind", kind, tuple(FRAME))
    if ax is None:
        n = len(_images("images", images))
        fig, ax = figure(width=0.42 * min(n, ncols) * images.shape[1] / PIXELS + 0.4,
                         height=0.42 * -(-n // ncols) + 0.6)
    ax.imshow(1 - mosaic(images, ncols), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set(xticks=[], yticks=[])
    for spine in ax.spines.values():
        spine.set(color=FRAME[kind], linewidth=3)
    if title:
        ax.set_title(title, fontsize=9)
    if legend:
        ax.legend(handles=[Patch(facecolor="white", edgecolor=FRAME[kind], linewidth=3, label=_LEGEND[kind])],
                  fontsize=7, loc="upper left", bbox_to_anchor=(0, 0), frameon=False)
    return ax.figure


def real_and_generated(real, generated, ncols=10, titles=("real (training split)", "generated")):
    """Real digits (left) beside generated ones (right), each framed in its colour (lesson 10)."""
    fig, (left, right) = figure(ncols=2, width=4.3, height=2.4)
    digit_grid(real, "real", ncols, ax=left, title=titles[0])
    digit_grid(generated, "generated", ncols, ax=right, title=titles[1])
    return fig


def snapshot_strip(snapshots, n=10):
    """One row of generated digits per training step {step: images}, the same noise in every row (lesson 10)."""
    if not snapshots:
        validate.fail("snapshots", snapshots, "a non-empty dict {step: generated images}")
    steps = sorted(snapshots)
    fig, axes = figure(nrows=len(steps), width=0.42 * n + 1.2, height=0.55)
    axes = np.atleast_1d(axes)
    for ax, step in zip(axes, steps):
        digit_grid(snapshots[step][:n], "generated", ncols=n, ax=ax, legend=step == steps[-1])
        ax.set_ylabel(f"step {step}", rotation=0, ha="right", va="center", fontsize=8)
    return fig


def nearest_pairs(generated, training, index, distance=None):
    """Generated digits (top row) above their nearest training images (bottom row) (lesson 10)."""
    generated, training = _images("generated", generated), _images("training", training)
    n = len(generated)
    fig, (top, bottom) = figure(nrows=2, width=0.42 * n + 0.6, height=0.8)
    digit_grid(generated, "generated", n, ax=top, title="generated", legend=False)
    digit_grid(training[index], "real", n, ax=bottom, title="nearest training image", legend=False)
    if distance is not None:
        bottom.set_xticks([i * (SIDE + 1) + SIDE / 2 for i in range(n)], [f"{d:.1f}" for d in distance], fontsize=6)
        bottom.set_xlabel("pixel distance", fontsize=7)
    fig.legend(handles=[Patch(facecolor="white", edgecolor=FRAME[k], linewidth=3, label=_LEGEND[k]) for k in FRAME],
               fontsize=7, loc="outside right center", frameon=False)
    return fig


def share_bars(shares, ax=None, title=None):
    """The share of each digit 0–9 for several sample sets {name: shares (10,)}: the first in REAL's
    colour if it is named "real", the others in FAKE's, with the uniform 10% line (lesson 10)."""
    fig, ax = (figure(width=5.0, height=2.6) if ax is None else (ax.figure, ax))
    names = list(shares)
    width = 0.8 / len(names)
    hatches = ("", "//", "..", "xx")
    generated = 0
    for j, name in enumerate(names):
        colour = REAL if name.startswith("real") else FAKE
        hatch = "" if colour == REAL else hatches[generated % len(hatches)]
        generated += colour == FAKE
        ax.bar(np.arange(CLASSES) + (j - (len(names) - 1) / 2) * width, np.asarray(shares[name], dtype=float),
               width, color=colour, alpha=0.85, hatch=hatch, edgecolor="white", label=name)
    ax.axhline(1 / CLASSES, color=DISC, ls="--", lw=1, label="uniform (10%)")
    ax.set(xticks=range(CLASSES), xlabel="digit (as the classifier reads it)", ylabel="share of samples")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    return fig


def noise_walk(start, end, steps=8):
    """`steps` noise vectors on the straight line from `start` to `end` (z_dim,), shape (steps, z_dim) (lesson 10)."""
    validate.count("steps", steps, 2)
    t = torch.linspace(0, 1, steps)[:, None]
    return (1 - t) * start[None] + t * end[None]


def digit_explorer(G, clf=None, walks=4, steps=8, rows=3, seed=0):
    """A widget: choose a digit and one of `walks` walks through G's noise; shows G(z, y) for the
    `rows` × `steps` noise vectors of that walk, row after row, and what a classifier reads (lesson 10)."""
    import ipywidgets as widgets

    validate.count("walks", walks)
    validate.count("rows", rows)
    generator = torch.Generator().manual_seed(validate.count("seed", seed, 0))
    anchors = torch.randn(walks * rows + 1, G.z_dim, generator=generator)
    digit = widgets.ToggleButtons(options=[str(d) for d in range(CLASSES)], value="3", description="digit",
                                  style={"button_width": "32px"})
    walk = widgets.IntSlider(value=0, min=0, max=walks - 1, description="noise walk", continuous_update=False)
    picture = widgets.Image(format="png")
    caption = widgets.Label()

    def redraw(_=None):
        first = walk.value * rows
        z = torch.cat([noise_walk(anchors[first + r], anchors[first + r + 1], steps) for r in range(rows)])
        with torch.no_grad():
            images = G(z, torch.full((len(z),), int(digit.value)))
        fig, ax = figure(width=0.75 * steps + 0.4, height=0.75 * rows + 0.5)
        digit_grid(images, "generated", steps, ax=ax, legend=False,
                   title=f"G(z, y={digit.value}) along noise walk {walk.value}, row after row")
        picture.value = png_bytes(fig)
        width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
        picture.layout.width, picture.layout.height = f"{width}px", f"{height}px"   # shown at its own size
        if clf is not None:
            read = (clf(images).argmax(1) == int(digit.value)).float().mean()
            caption.value = f"the classifier reads {read:.0%} of these as a {digit.value}"

    digit.observe(redraw, "value")
    walk.observe(redraw, "value")
    redraw()
    return widgets.VBox([digit, walk, picture, caption])
