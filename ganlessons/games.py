"""Small games that show (non-)convergence: the bilinear game x·y and the Dirac-GAN (lesson 09).

Every game here is a 2-D system: a point (a, b) moved by a *vector field*, the direction in
which gradient play pushes it. Player one (x in the bilinear game, the generator's θ in the
Dirac-GAN) descends its loss; player two (y, the discriminator's ψ) ascends the value.

Two ways to turn a vector field v into steps of size `lr`:
- "simultaneous": both players move using the field at the current point;
- "alternating": player two (the discriminator) moves first, then player one moves using the
  field at the point *after* that move -- the order of the course's two-block training step.

Trajectories are float64 tensors of shape (steps + 1, 2), starting at `start`.
"""
import math

import torch
import torch.nn.functional as F

from . import _validate as validate

__all__ = ["SCHEMES", "DIRAC_REGULARISERS", "DIRAC_G_LOSSES", "bilinear_field", "bilinear_step",
           "bilinear_trajectory", "bilinear_invariant", "dirac_value", "instance_noise_offsets",
           "dirac_field", "dirac_step", "dirac_trajectory", "distance_to_origin"]

SCHEMES = ("simultaneous", "alternating")
DIRAC_REGULARISERS = ("none", "r1", "instance_noise", "wgan_gp")
DIRAC_G_LOSSES = ("saturating", "non_saturating")


def _point(name, value):
    """A pair of finite numbers as a float64 tensor of shape (2,)."""
    try:
        t = torch.as_tensor(value, dtype=torch.float64).reshape(-1)
    except (TypeError, ValueError, RuntimeError):
        validate.fail(name, value, "a pair of numbers, e.g. (1.0, 0.0)")
    if t.numel() != 2 or not torch.isfinite(t).all():
        validate.fail(name, value, "a pair of finite numbers, e.g. (1.0, 0.0)")
    return t


def _walk(step, start, steps):
    """Apply `step` (a function of a (2,) point) `steps` times; return all points visited."""
    points = [_point("start", start)]
    for _ in range(validate.count("steps", steps, 0)):
        points.append(step(points[-1]))
    return torch.stack(points)


# --- the bilinear game min_x max_y x·y (Goodfellow 2016) -----------------------------------------

def bilinear_field(x, y):
    """Gradient play on f = x·y: x descends (−∂f/∂x = −y), y ascends (∂f/∂y = x) (lesson 09)."""
    return -y, x


def bilinear_step(point, lr, scheme="simultaneous"):
    """One step of size lr on x·y from point (x, y), simultaneous or alternating (y first) (lesson 09)."""
    validate.positive("lr", lr)
    validate.choice("scheme", scheme, SCHEMES)
    x, y = point
    y_new = y + lr * bilinear_field(x, y)[1]
    x_new = x + lr * bilinear_field(x, y if scheme == "simultaneous" else y_new)[0]
    return torch.stack([x_new, y_new])


def bilinear_trajectory(start=(1.0, 0.0), lr=0.1, steps=100, scheme="simultaneous"):
    """The points (x, y) visited by `steps` steps on x·y; shape (steps + 1, 2) (lesson 09)."""
    validate.positive("lr", lr)
    validate.choice("scheme", scheme, SCHEMES)
    return _walk(lambda p: bilinear_step(p, lr, scheme), start, steps)


def bilinear_invariant(point, lr):
    """x² + y² + lr·x·y, which alternating steps (y first) keep exactly constant (lesson 09)."""
    x, y = point[..., 0], point[..., 1]
    return x ** 2 + y ** 2 + validate.positive("lr", lr) * x * y


def distance_to_origin(trajectory):
    """Distance from the last point of a trajectory to the equilibrium (0, 0) (lesson 09)."""
    if not isinstance(trajectory, torch.Tensor) or trajectory.dim() != 2 or trajectory.shape[1] != 2:
        validate.fail("trajectory", getattr(trajectory, "shape", type(trajectory).__name__),
                   "a tensor of shape (steps + 1, 2), as the *_trajectory functions return")
    return float(trajectory[-1].norm())


# --- the Dirac-GAN (Mescheder, Geiger & Nowozin 2018) -------------------------------------------
# Data: a point mass at 0.  Generator: a point mass at θ.  Discriminator: logit ψ·x, D = σ(ψ·x).

def dirac_value(theta, psi):
    """The GAN value V(θ, ψ) = log σ(ψ·0) + log σ(−ψ·θ): real data at 0, the fake at θ (lesson 09)."""
    return F.logsigmoid(psi * 0.0) + F.logsigmoid(-psi * theta)


def instance_noise_offsets(noise_std, points=64):
    """`points` equally likely offsets ε, the quantiles of N(0, noise_std²) at (i + ½)/points (lesson 09)."""
    validate.positive("noise_std", noise_std)
    validate.count("points", points, 2)
    p = (torch.arange(points, dtype=torch.float64) + 0.5) / points
    return noise_std * math.sqrt(2) * torch.erfinv(2 * p - 1)


def _gan_field(theta, psi, g_loss):
    """(θ̇, ψ̇) for the plain Dirac-GAN: G descends its loss, D ascends V (lesson 09)."""
    d_theta = psi * torch.sigmoid(psi * theta if g_loss == "saturating" else -psi * theta)
    return d_theta, -theta * torch.sigmoid(psi * theta)


def _noisy_field(theta, psi, g_loss, noise_std):
    """(θ̇, ψ̇) averaged over instance noise ε added to both the real point 0 and the fake θ."""
    eps = instance_noise_offsets(noise_std)
    d_theta, d_psi_fake = _gan_field(theta[..., None] + eps, psi[..., None], g_loss)
    d_psi_real = eps * torch.sigmoid(-psi[..., None] * eps)       # ∂/∂ψ log σ(ψ·ε)
    return d_theta.mean(-1), (d_psi_fake + d_psi_real).mean(-1)


def _wgan_gp_field(theta, psi, gamma):
    """(θ̇, ψ̇) for WGAN-GP: D ascends ψ·0 − ψ·θ − γ(|ψ| − 1)², G descends −ψ·θ (lesson 09)."""
    return psi, -theta - 2 * gamma * (psi.abs() - 1) * torch.sign(psi)


def dirac_field(theta, psi, regulariser="none", gamma=1.0, noise_std=0.5, g_loss="saturating"):
    """The Dirac-GAN's gradient vector field (θ̇, ψ̇) at (θ, ψ), with an optional regulariser (lesson 09).

    "none": the plain GAN; "r1": D also descends (γ/2)·ψ², the R1 penalty (γ/2)·|∇ₓ logit|² on real
    data; "instance_noise": N(0, noise_std²) noise added to real and fake points, averaged over 64
    quantiles; "wgan_gp": the WGAN critic ψ·x with the gradient penalty γ·(|∇ₓ critic| − 1)².
    """
    validate.choice("regulariser", regulariser, DIRAC_REGULARISERS)
    validate.choice("g_loss", g_loss, DIRAC_G_LOSSES)
    gamma = validate.non_negative("gamma", gamma)
    validate.positive("noise_std", noise_std)
    theta, psi = torch.as_tensor(theta, dtype=torch.float64), torch.as_tensor(psi, dtype=torch.float64)
    if regulariser == "wgan_gp":
        return _wgan_gp_field(theta, psi, gamma)
    if regulariser == "instance_noise":
        return _noisy_field(theta, psi, g_loss, noise_std)
    d_theta, d_psi = _gan_field(theta, psi, g_loss)
    return d_theta, d_psi - (gamma * psi if regulariser == "r1" else 0.0)


def dirac_step(point, lr, scheme="simultaneous", **field):
    """One step of size lr from (θ, ψ); "alternating" moves D (ψ) first, then G (lesson 09)."""
    validate.positive("lr", lr)
    validate.choice("scheme", scheme, SCHEMES)
    theta, psi = point
    psi_new = psi + lr * dirac_field(theta, psi, **field)[1]
    theta_new = theta + lr * dirac_field(theta, psi if scheme == "simultaneous" else psi_new, **field)[0]
    return torch.stack([theta_new, psi_new])


def dirac_trajectory(start=(1.0, 1.0), lr=0.1, steps=300, scheme="simultaneous", **field):
    """The points (θ, ψ) visited by `steps` steps of Dirac-GAN training; shape (steps + 1, 2) (lesson 09).

    `field` goes to dirac_field: regulariser, gamma, noise_std, g_loss.
    """
    validate.positive("lr", lr)
    validate.choice("scheme", scheme, SCHEMES)
    dirac_field(0.0, 0.0, **field)                 # validate the field's options once, up front
    return _walk(lambda p: dirac_step(p, lr, scheme, **field), start, steps)
