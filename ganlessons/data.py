"""Target distributions and noise priors, as `torch.distributions` objects with exact densities.

Every distribution here has an event shape of (dim,), so `dist.log_prob(x)` takes a batch of
shape (n, dim) and `sample(dist, n, generator)` returns one. Use `sample` rather than
`dist.sample` when you want the numbers to come from an explicit `torch.Generator`.
"""
import math

import torch
from torch import distributions as td

from . import _validate as validate

__all__ = ["GaussianMixture", "gaussian", "mixture_1d", "ring", "grid", "random_gaussian",
           "noise", "sample", "as_vector", "event_dim"]


class GaussianMixture(td.MixtureSameFamily):
    """A mixture of isotropic Gaussians that knows its mode centres (lesson 00)."""

    @property
    def centres(self):
        """The component means, shape (modes, dim)."""
        return self.component_distribution.base_dist.loc

    @property
    def stds(self):
        """The component standard deviations, shape (modes,)."""
        return self.component_distribution.base_dist.scale[:, 0]

    @property
    def weights(self):
        """The mixing weights, shape (modes,), summing to 1."""
        return self.mixture_distribution.probs


def _mixture(centres, stds, weights):
    """Build a GaussianMixture from (K, d) centres, (K,) stds and (K,) weights (lesson 01)."""
    scale = stds[:, None].expand_as(centres)
    components = td.Independent(td.Normal(centres, scale), 1)
    return GaussianMixture(td.Categorical(probs=weights / weights.sum()), components)


def _vector(name, value):
    """A number or a sequence of numbers as a 1-D float tensor."""
    try:
        t = torch.as_tensor(value, dtype=torch.float32).reshape(-1)
    except (TypeError, ValueError, RuntimeError):
        validate.fail(name, value, "a number or a sequence of numbers")
    if t.numel() == 0 or not torch.isfinite(t).all():
        validate.fail(name, value, "a non-empty sequence of finite numbers")
    return t


def gaussian(mean=0.0, std=1.0):
    """An isotropic Gaussian N(mean, std²·I); 1-D when mean is a number (lesson 03)."""
    loc = _vector("mean", mean)
    scale = torch.full_like(loc, validate.positive("std", std))
    return td.Independent(td.Normal(loc, scale), 1)


def mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5), weights=None):
    """A 1-D Gaussian mixture; the default is the course's bimodal target (lesson 00)."""
    mu, sigma = _vector("means", means), _vector("stds", stds)
    if sigma.numel() != mu.numel():
        validate.fail("stds", stds, f"a sequence of {mu.numel()} numbers, one per mean")
    if (sigma <= 0).any():
        validate.fail("stds", stds, "all > 0")
    w = torch.ones_like(mu) if weights is None else _vector("weights", weights)
    if w.numel() != mu.numel() or (w < 0).any() or w.sum() <= 0:
        validate.fail("weights", weights, f"{mu.numel()} numbers >= 0 with a positive sum")
    return _mixture(mu[:, None], sigma, w)


def ring(modes=8, radius=2.0, std=0.02):
    """`modes` Gaussians evenly spaced on a circle, angles 2πi/modes, none repeated (lesson 07)."""
    validate.count("modes", modes)
    r, s = validate.positive("radius", radius), validate.positive("std", std)
    angle = 2 * math.pi * torch.arange(modes, dtype=torch.float32) / modes
    centres = r * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return _mixture(centres, torch.full((modes,), s), torch.ones(modes))


def grid(side=5, spacing=2.0, std=0.05):
    """side × side Gaussians on a square grid centred at 0, e.g. {−4, −2, 0, 2, 4}² (lesson 07)."""
    validate.count("side", side)
    step, s = validate.positive("spacing", spacing), validate.positive("std", std)
    axis = step * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    centres = torch.cartesian_prod(axis, axis).reshape(-1, 2)
    return _mixture(centres, torch.full((side * side,), s), torch.ones(side * side))


def random_gaussian(dim, generator):
    """A multivariate Gaussian with a random mean in [−2, 2]^dim and a random covariance (lesson 04)."""
    validate.count("dim", dim)
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "a torch.Generator, e.g. torch.Generator().manual_seed(0)")
    mean = 4 * torch.rand(dim, generator=generator) - 2
    a = torch.randn(dim, dim, generator=generator) / math.sqrt(dim)
    return td.MultivariateNormal(mean, covariance_matrix=a @ a.T + 0.1 * torch.eye(dim))


def noise(dim=1, kind="normal"):
    """The generator's noise prior p_z: standard normal, or uniform on [−1, 1]^dim (lesson 01)."""
    validate.count("dim", dim)
    validate.choice("kind", kind, ("normal", "uniform"))
    if kind == "normal":
        return td.Independent(td.Normal(torch.zeros(dim), torch.ones(dim)), 1)
    return td.Independent(td.Uniform(-torch.ones(dim), torch.ones(dim)), 1)


def sample(dist, n, generator):
    """Draw n samples of shape (n, dim) from a distribution using `generator` (lesson 00).

    `dist` is one of ganlessons.data's, a multivariate normal, or a hand-built 1-D one such as
    torch.distributions.Normal(0.0, 1.0) (then the samples have shape (n, 1))."""
    validate.count("n", n)
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "a torch.Generator, e.g. torch.Generator().manual_seed(0)")
    dist = as_vector(dist)
    if isinstance(dist, td.MixtureSameFamily):
        which = torch.multinomial(dist.mixture_distribution.probs, n, replacement=True, generator=generator)
        base = dist.component_distribution.base_dist
        eps = torch.randn(n, base.loc.shape[-1], generator=generator)
        return base.loc[which] + base.scale[which] * eps
    if isinstance(dist, td.MultivariateNormal):
        eps = torch.randn(n, dist.loc.shape[-1], generator=generator)
        return dist.loc + eps @ dist.scale_tril.T
    if isinstance(dist, td.Independent) and isinstance(dist.base_dist, td.Normal):
        base = dist.base_dist
        return base.loc + base.scale * torch.randn(n, base.loc.shape[-1], generator=generator)
    if isinstance(dist, td.Independent) and isinstance(dist.base_dist, td.Uniform):
        base = dist.base_dist
        u = torch.rand(n, base.low.shape[-1], generator=generator)
        return base.low + (base.high - base.low) * u
    validate.fail("dist", type(dist).__name__, "a distribution made by ganlessons.data, a MultivariateNormal, "
                  "or a 1-D Normal, Uniform or mixture of Normals")


def as_vector(dist):
    """`dist` with samples of shape (dim,): a hand-built 1-D distribution with scalar samples (e.g.
    Normal(0.0, 1.0), or a mixture of Normals) becomes the same distribution on vectors of one
    coordinate; anything else is returned as it is (lesson 00)."""
    if not isinstance(dist, td.Distribution) or dist.event_shape != () or dist.batch_shape != ():
        return dist
    if isinstance(dist, td.MixtureSameFamily) and type(dist.component_distribution) is td.Normal:
        parts = dist.component_distribution
        return td.MixtureSameFamily(dist.mixture_distribution, td.Independent(td.Normal(
            parts.loc[..., None], parts.scale[..., None]), 1))
    if type(dist) in (td.Normal, td.Uniform):
        return td.Independent(dist.expand(torch.Size([1])), 1)
    return dist


def event_dim(name, dist):
    """The dimension of one sample of `dist` (1 for a hand-built 1-D one); `name` is the caller's parameter (lesson 01)."""
    event = getattr(as_vector(dist), "event_shape", None)
    if event is None or len(event) != 1:
        validate.fail(name, type(dist).__name__, "a distribution from ganlessons.data (samples of shape (dim,)) "
                      "or a 1-D Normal, Uniform or mixture of Normals")
    return event[0]
