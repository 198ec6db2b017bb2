"""The GAN objective and its losses, all computed on logits l with D = sigmoid(l)."""
import math

import torch
import torch.nn.functional as F
from torch import distributions as td

from . import _validate as validate
from .data import as_vector

__all__ = ["value", "d_loss", "g_loss_saturating", "g_loss_non_saturating", "optimal_discriminator",
           "jsd", "LOG4", "r1_penalty"]

LOG4 = math.log(4.0)


def value(real_logits, fake_logits):
    """The minimax value V = E log D(x) + E log(1 − D(G(z))); −log 4 when D ≡ ½ (lesson 02)."""
    validate.logits("real_logits", real_logits)
    validate.logits("fake_logits", fake_logits)
    return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()


def d_loss(real_logits, fake_logits):
    """The discriminator's loss ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0), which equals −V/2 (lesson 02)."""
    validate.logits("real_logits", real_logits)
    validate.logits("fake_logits", fake_logits)
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return 0.5 * real + 0.5 * fake


def g_loss_saturating(fake_logits):
    """The original minimax generator loss E log(1 − D(G(z))), to be minimised (lesson 03)."""
    validate.logits("fake_logits", fake_logits)
    return F.logsigmoid(-fake_logits).mean()


def g_loss_non_saturating(fake_logits):
    """The non-saturating generator loss BCE(D(G(z)), 1) = −E log D(G(z)) (lesson 03)."""
    validate.logits("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def _log_prob(name, dist, x):
    """log-density of a distribution at x, with a clear error for anything else; a hand-built 1-D
    distribution (scalar samples) at points of shape (n, 1) gives shape (n,), as ganlessons' own do."""
    if not isinstance(dist, td.Distribution):
        validate.fail(name, type(dist).__name__, "a torch.distributions object, e.g. from ganlessons.data")
    return dist.log_prob(x[..., 0] if dist.event_shape == () and x.dim() > 1 and x.shape[-1] == 1 else x)


def optimal_discriminator(p_data, p_g, x):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) = sigmoid(log p_data − log p_g), no overflow (lesson 02)."""
    return torch.sigmoid(_log_prob("p_data", p_data, x) - _log_prob("p_g", p_g, x))


def _grid(low, high, points, dim):
    """An evenly spaced grid over [low, high]^dim and the volume of one cell."""
    lo, hi = torch.broadcast_to(torch.as_tensor(low, dtype=torch.float64), (dim,)), \
        torch.broadcast_to(torch.as_tensor(high, dtype=torch.float64), (dim,))
    if not (hi > lo).all():
        validate.fail("high", high, f"greater than low={low!r} in every coordinate")
    axes = [torch.linspace(float(a), float(b), points, dtype=torch.float64) for a, b in zip(lo, hi)]
    cell = torch.prod((hi - lo) / (points - 1))
    return torch.cartesian_prod(*axes).reshape(-1, dim), cell


def jsd(p, q, low=-6.0, high=6.0, points=None):
    """Jensen–Shannon divergence in nats (0 … log 2) by summing on a grid, 1-D or 2-D (lesson 02)."""
    dims = [tuple(getattr(as_vector(d), "event_shape", (None,))) for d in (p, q)]
    if len(dims[0]) != 1 or dims[0][0] not in (1, 2):
        validate.fail("p", type(p).__name__, "a 1-D or 2-D distribution, e.g. from ganlessons.data")
    if dims[0] != dims[1]:
        validate.fail("q", type(q).__name__, f"a distribution of the same dimension as p ({dims[0][0]})")
    dim = dims[0][0]
    points = validate.count("points", points if points is not None else (4001 if dim == 1 else 401), 2)
    x, cell = _grid(low, high, points, dim)
    lp = _log_prob("p", p, x.float()).double()
    lq = _log_prob("q", q, x.float()).double()
    lm = torch.logaddexp(lp, lq) - math.log(2)
    kl_pm = torch.where(lp > -math.inf, lp.exp() * (lp - lm), torch.zeros_like(lp)).sum() * cell
    kl_qm = torch.where(lq > -math.inf, lq.exp() * (lq - lm), torch.zeros_like(lq)).sum() * cell
    return float(0.5 * kl_pm + 0.5 * kl_qm)


def r1_penalty(D, real, gamma=1.0):
    """R1 penalty γ/2 · E‖∇ₓ l(x)‖² on real data, l = D's logit (Mescheder et al. 2018) (lesson 09).

    With the default γ = 1 this is ½·E‖∇ₓ l(x)‖²; train_gan(..., r1_gamma=γ) adds it to D's loss.
    The gradient keeps its graph, so the penalty can be back-propagated into D's parameters.
    """
    gamma = validate.non_negative("gamma", gamma)
    real = validate.batch("real", real, D.x_dim).detach().requires_grad_(True)
    grad, = torch.autograd.grad(D(real).sum(), real, create_graph=True)
    return gamma / 2 * grad.pow(2).sum(dim=1).mean()
