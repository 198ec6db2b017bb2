"""What the playground shows (lesson 04): its figure's panels, updated from a PlaygroundRun.

1-D: G as a curve z ↦ G(z); in data space the real and generated histograms, p_data, D(x) and
D*(x) estimated by d_star_1d from the real and generated samples on view. 2-D: D(x) as a heat
map, real and generated samples, G's manifold and the push of G's loss on some fakes. Both: the
losses and the mean D outputs against iteration. Only the moving artists are redrawn each frame
(blitting), on a background kept after every full draw.
"""
import math

import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from .. import _validate as validate
from ..plot import DISC, FAKE, REAL
from .ipympl_adapter import attach_canvas
from .run import DATASETS, d_star_1d, generator_push

__all__ = ["D_CMAP", "PlaygroundView"]

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


def _thin(values, most=400):
    """At most `most` evenly spaced points of a curve, as (index, value) arrays."""
    values = np.asarray(values, dtype=float)
    every = max(1, len(values) // most)
    return np.arange(len(values))[::every], values[::every]


class PlaygroundView:
    """The playground's figure on an ipympl canvas, drawing `run` (a PlaygroundRun) (lesson 04).

    `arrows` of the fakes get a push arrow drawn `arrow_scale` times its length (2-D only).
    Call `layout()` after the run restarts and `redraw()` after it steps."""

    def __init__(self, run, arrows=64, arrow_scale=0.6):
        self.run, self.arrows = run, validate.count("arrows", arrows, 0)
        self.arrow_scale = validate.positive("arrow_scale", arrow_scale)
        self.figure = Figure(figsize=(10, 5), dpi=80)
        self.canvas = attach_canvas(self.figure)
        self.canvas.mpl_connect("draw_event", self._on_full_draw)
        self.layout()

    def layout(self):
        """Clear the figure and build the panels for the run's current dimension (lesson 04)."""
        fig = self.figure
        fig.clear()
        self.animated, self.background, self.limits = [], None, {}
        gs = fig.add_gridspec(2, 2, width_ratios=(1, 1.7) if self.run.dim == 1 else (1.15, 1),
                              left=0.06, right=0.95, bottom=0.09, top=0.94, wspace=0.22, hspace=0.45)
        if self.run.dim == 1:
            self._layout_1d(fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[0, 1]))
            self._layout_curves(fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[1, 1]))
        else:
            self._layout_2d(fig.add_subplot(gs[:, 0]))
            self._layout_curves(fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1]))

    def _layout_1d(self, ax_g, ax_x):
        """G as a curve; histograms, p_data, D(x) and D*(x) in data space."""
        half = DATASETS[self.run.dataset][2]
        self.x_grid = torch.linspace(-half, half, 300)[:, None]
        self.star_grid = torch.linspace(-half, half, 100)[:, None]          # D* needs a KDE: fewer points
        self.edges = np.linspace(-half, half, 61)
        self.z_line = _z_line(self.run.prior, self.run.z_dim, 200)
        self.g_line, = ax_g.plot(self.z_line[:, 0], np.zeros(200), color=FAKE, lw=2, animated=True)
        ax_g.set(xlabel="noise z₁" + (" (others 0)" if self.run.z_dim > 1 else ""), ylabel="G(z)",
                 ylim=(-half, half), title="generator z ↦ G(z)")
        real_hist = np.histogram(self.run.view_real[:, 0].numpy(), self.edges, density=True)[0]
        ax_x.stairs(real_hist, self.edges, fill=True, color=REAL, alpha=0.35, label="real samples")
        self.fake_hist = ax_x.stairs(real_hist * 0, self.edges, fill=True, color=FAKE, alpha=0.45,
                                     label="generated", animated=True)
        density = self.run.target.log_prob(self.x_grid).exp()
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
        half = DATASETS[self.run.dataset][2]
        axis = torch.linspace(-half, half, 60)
        self.xy_grid = torch.cartesian_prod(axis, axis)[:, [1, 0]]          # row-major for imshow
        self.heat = ax.imshow(np.zeros((60, 60)), extent=(-half, half, -half, half), origin="lower",
                              cmap=D_CMAP, vmin=0, vmax=1, alpha=0.55, interpolation="bilinear", animated=True)
        real = self.run.view_real[:500].numpy()
        real_dots = ax.scatter(real[:, 0], real[:, 1], s=9, color=REAL, lw=0, alpha=0.8, label="real",
                               animated=True)
        self.fake_dots = ax.scatter(real[:, 0], real[:, 1], s=5, color=FAKE, lw=0, alpha=0.8, label="generated",
                                    animated=True)
        self.manifold = LineCollection([], colors=FAKE, linewidths=0.6, alpha=0.5, animated=True)
        ax.add_collection(self.manifold)
        self.z_grid = _z_grid(self.run.prior, self.run.z_dim) if self.run.z_dim > 1 else _z_line(self.run.prior, 1, 200)[None]
        n = min(self.arrows, self.run.view_size)
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
        """Update every panel's artists from the run's current players, and draw the canvas (lesson 04)."""
        if self.run.dim == 1:
            self._update_1d()
        else:
            self._update_2d()
        limits_changed = self._update_curves()
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
        self.g_line.set_ydata(self.run.G(self.z_line)[:, 0].numpy())
        fake = self.run.G(self.run.view_z)
        self.fake_hist.set_data(np.histogram(fake[:, 0].numpy(), self.edges, density=True)[0])
        self.d_line.set_ydata(torch.sigmoid(self.run.D(self.x_grid)).numpy())
        self.d_star.set_ydata(d_star_1d(self.run.view_real, fake, self.star_grid).numpy())

    def _update_2d(self):
        """New heat map, fake samples, manifold lines and gradient arrows."""
        with torch.no_grad():
            self.heat.set_data(torch.sigmoid(self.run.D(self.xy_grid)).reshape(60, 60).numpy())
            self.fake_dots.set_offsets(self.run.G(self.run.view_z[:500]).numpy())
            lines = self.run.G(self.z_grid.reshape(-1, self.run.z_dim)).reshape(*self.z_grid.shape[:2], 2)
            self.manifold.set_segments(list(lines.numpy()))
        if self.arrows:
            x, push = generator_push(self.run.G, self.run.D, self.run.view_z[:self.arrows], self.run.g_loss)
            self.quiver.set_offsets(x.numpy())
            push = self.arrow_scale * push
            self.quiver.set_UVC(push[:, 0].numpy(), push[:, 1].numpy())

    def _update_curves(self):
        """Losses and mean D outputs so far; True when an axis had to grow (then everything is redrawn)."""
        h = self.run.history
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
