"""Figures of one GAN's players and samples: lessons 01–04."""
import numpy as np
import torch

from .. import _validate as validate
from ..losses import optimal_discriminator
from ._base import DISC, FAKE, REAL, figure, _numpy, _owner

__all__ = ["density_1d", "generator_curve", "discriminator_curve", "players_1d",
           "optimal_discriminator_1d", "value_against_jsd", "png_bytes", "snapshot_grid_1d",
           "scatter_2d", "scatter_grid_2d"]


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
    """Real and generated 2-D samples as a scatter plot (lesson 07)."""
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
