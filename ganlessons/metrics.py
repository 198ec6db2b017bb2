"""Metrics for generated samples: how they spread over the target's modes and how far they are
from the target (lessons 01 and 06–08)."""
import torch
from torch import distributions as td

from . import _validate as check
from .data import GaussianMixture

__all__ = ["cdf_1d", "wasserstein_1d", "nearest_mode", "mode_shares"]


def cdf_1d(dist, x):
    """The exact CDF of a 1-D Gaussian or Gaussian mixture from ganlessons.data at points x (lesson 01)."""
    if isinstance(dist, GaussianMixture):
        comp = td.Normal(dist.centres[:, 0], dist.stds)
        return (dist.weights * comp.cdf(x.reshape(-1, 1))).sum(-1)
    if isinstance(dist, td.Independent) and isinstance(dist.base_dist, td.Normal) and dist.event_shape == (1,):
        return dist.base_dist.cdf(x.reshape(-1, 1))[:, 0]
    check.fail("dist", type(dist).__name__, "a 1-D gaussian or mixture_1d from ganlessons.data")


def wasserstein_1d(samples, dist, points=4001):
    """W1(samples, target) = ∫ |F_samples(x) − F_target(x)| dx on a fine grid (lesson 01)."""
    x = check.batch("samples", samples, 1)[:, 0].detach().double()
    if not torch.isfinite(x).all():
        check.fail("samples", "tensor with nan/inf", "finite numbers")
    centres = dist.centres[:, 0] if isinstance(dist, GaussianMixture) else dist.mean
    spread = 8 * float(dist.stds.max() if isinstance(dist, GaussianMixture) else dist.stddev.max())
    lo = min(float(x.min()), float(centres.min()) - spread)
    hi = max(float(x.max()), float(centres.max()) + spread)
    grid = torch.linspace(lo, hi, points, dtype=torch.float64)
    empirical = torch.searchsorted(x.sort().values, grid, right=True).double() / x.numel()
    exact = cdf_1d(dist, grid.float()).double()
    return float(torch.trapezoid((empirical - exact).abs(), grid))


def nearest_mode(samples, dist):
    """Index of the mixture component whose centre is nearest to each sample (lesson 01)."""
    if not isinstance(dist, GaussianMixture):
        check.fail("dist", type(dist).__name__, "a mixture from ganlessons.data (mixture_1d, ring, grid)")
    check.batch("samples", samples, dist.centres.shape[1])
    return torch.cdist(samples.detach().float(), dist.centres).argmin(dim=1)


def mode_shares(samples, dist):
    """The share of samples nearest to each mode, shape (modes,), summing to 1 (lesson 01)."""
    counts = torch.bincount(nearest_mode(samples, dist), minlength=dist.centres.shape[0])
    return counts.float() / counts.sum()
