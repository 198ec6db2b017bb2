"""The canonical two-block training step and a training loop that records what happened.

Block 1 updates D on a real batch and on fakes that are *detached* from G; block 2 updates G
through a D that is held fixed (only G's optimizer steps). Both work on logits.
"""
import math
from dataclasses import dataclass, field

import torch

from . import _validate as validate
from .data import event_dim, noise as noise_prior, sample
from .losses import d_loss, g_loss_non_saturating, g_loss_saturating, r1_penalty
from .progress import bar as progress_bar

__all__ = ["G_LOSSES", "OPTIMIZERS", "make_optimizer", "d_step", "g_step", "train_step", "grad_norm",
           "History", "TrainingDiverged", "train_gan"]

G_LOSSES = {"non_saturating": g_loss_non_saturating, "saturating": g_loss_saturating}
OPTIMIZERS = ("adam", "sgd")


class TrainingDiverged(FloatingPointError):
    """Raised when a loss becomes NaN or infinite; the message names the step and what to try (lesson 01)."""


def make_optimizer(params, name="adam", lr=1e-3, betas=(0.5, 0.999), momentum=0.0, *, name_of="name", lr_of="lr"):
    """Adam (β1 = 0.5, as in DCGAN) or plain SGD with optional momentum (lesson 02).

    `name_of` and `lr_of` are the caller's names for `name` and `lr`, used in error messages."""
    validate.choice(name_of, name, OPTIMIZERS)
    validate.positive(lr_of, lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    return torch.optim.SGD(params, lr=lr, momentum=validate.non_negative("momentum", momentum))


def grad_norm(module):
    """The L2 norm of all parameter gradients of a module, 0 if none (lesson 04)."""
    if not isinstance(module, torch.nn.Module):
        validate.fail("module", type(module).__name__, "a torch.nn.Module, e.g. G or D")
    grads = [p.grad.detach().reshape(-1) for p in module.parameters() if p.grad is not None]
    return float(torch.cat(grads).norm()) if grads else 0.0


def _batch(name, x, player, attr):
    """x as a batch for `player`, checked against its z_dim or x_dim when it has one."""
    dim = getattr(player, attr, None)
    return x if dim is None else validate.batch(name, x, dim)


def d_step(G, D, opt_d, real, z, r1_gamma=0.0):
    """Block 1: one discriminator update on real data and detached fakes (lesson 03).

    With r1_gamma > 0, D minimises its loss plus the R1 penalty r1_penalty(D, real, r1_gamma)
    (lesson 09); the returned loss is the BCE part alone either way.
    """
    real, z = _batch("real", real, D, "x_dim"), _batch("z", z, G, "z_dim")
    r1_gamma = validate.non_negative("r1_gamma", r1_gamma)
    fake = G(z).detach()                      # G is held fixed: no gradient flows into it
    real_logits, fake_logits = D(real), D(fake)
    loss = d_loss(real_logits, fake_logits)   # ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0)
    penalty = r1_penalty(D, real, r1_gamma) if r1_gamma else 0.0
    opt_d.zero_grad()
    (loss + penalty).backward()
    opt_d.step()
    return loss.detach(), real_logits.detach(), fake_logits.detach()


def g_step(G, D, opt_g, z, g_loss="non_saturating"):
    """Block 2: one generator update through a fixed D; returns loss, logits, G's grad norm (lesson 04)."""
    validate.choice("g_loss", g_loss, tuple(G_LOSSES))
    fake_logits = D(G(_batch("z", z, G, "z_dim")))
    loss = G_LOSSES[g_loss](fake_logits)
    opt_g.zero_grad()
    loss.backward()                           # D's grads are filled too, but only opt_g steps
    norm = grad_norm(G)
    opt_g.step()
    return loss.detach(), fake_logits.detach(), norm


def train_step(G, D, opt_g, opt_d, target, prior, generator, batch_size=256, k=1,
               g_loss="non_saturating", r1_gamma=0.0):
    """Goodfellow et al.'s Algorithm 1 for one iteration: k D updates, then one G update (lesson 04)."""
    validate.count("batch_size", batch_size)
    validate.count("k", k)
    for _ in range(k):
        real = sample(target, batch_size, generator)
        z = sample(prior, batch_size, generator)
        dl, real_logits, fake_logits = d_step(G, D, opt_d, real, z, r1_gamma)
    gl, _, norm = g_step(G, D, opt_g, sample(prior, batch_size, generator), g_loss)
    return {"d_loss": float(dl), "g_loss": float(gl), "d_real": float(torch.sigmoid(real_logits).mean()),
            "d_fake": float(torch.sigmoid(fake_logits).mean()), "g_grad_norm": norm}


@dataclass
class History:
    """What train_gan recorded: one entry per iteration, plus sample snapshots (lesson 01)."""
    d_loss: list = field(default_factory=list)
    g_loss: list = field(default_factory=list)
    d_real: list = field(default_factory=list)
    d_fake: list = field(default_factory=list)
    g_grad_norm: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)

    def record(self, stats):
        """Append one iteration's statistics (a dict from train_step)."""
        for key, val in stats.items():
            getattr(self, key).append(val)

    def __len__(self):
        return len(self.d_loss)


def divergence_advice(lr_g, lr_d, k):
    """What to try when a run diverges (also used by ensemble.train_many)."""
    return (f"Try a smaller learning rate (lr_g={lr_g}, lr_d={lr_d}), Adam instead of SGD, "
            f"or fewer D steps per G step (k={k}).")


def divergence_message(step, stats, lr_g, lr_d, k):
    """The message for a run whose statistics (a dict) stopped being finite: the step, what, what to try."""
    bad = ", ".join(f"{key}={val}" for key, val in stats.items() if not math.isfinite(val))
    return f"Training diverged at step {step}: {bad}. {divergence_advice(lr_g, lr_d, k)}"


def _snapshot(G, prior, size, seed):
    """Generated samples from a fixed noise batch, drawn apart from the training randomness."""
    z = sample(prior, size, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return G(z)


def train_gan(G, D, target, *, steps=1000, batch_size=256, k=1, g_loss="non_saturating",
              optimizer_g="adam", optimizer_d="adam", lr_g=1e-3, lr_d=1e-3, prior=None, seed=0,
              snapshot_at=(), snapshot_size=1000, progress=True, momentum=0.0, r1_gamma=0.0):
    """Train G and D in place for `steps` iterations; return the History (lesson 01).

    All data and noise come from one torch.Generator seeded with `seed`, in the order
    train_step draws them; `snapshot_at` lists the iterations (0 = before training) at which
    `snapshot_size` generated samples from a fixed noise batch are stored. `momentum` is used
    by SGD; `r1_gamma` > 0 adds the R1 penalty to D's loss (lesson 09).
    """
    validate.count("steps", steps, 0)
    validate.count("batch_size", batch_size)
    validate.count("k", k)
    validate.choice("g_loss", g_loss, tuple(G_LOSSES))
    validate.count("seed", seed, 0)
    validate.count("snapshot_size", snapshot_size)
    event_dim("target", target)
    prior = noise_prior(G.z_dim) if prior is None else prior
    r1_gamma = validate.non_negative("r1_gamma", r1_gamma)
    opt_g = make_optimizer(G.parameters(), optimizer_g, lr_g, momentum=momentum, name_of="optimizer_g", lr_of="lr_g")
    opt_d = make_optimizer(D.parameters(), optimizer_d, lr_d, momentum=momentum, name_of="optimizer_d", lr_of="lr_d")
    generator, history = torch.Generator().manual_seed(seed), History()
    for step in progress_bar(range(steps + 1), total=steps, desc="training", enabled=progress):
        if step in snapshot_at:
            history.snapshots[step] = _snapshot(G, prior, snapshot_size, seed)
        if step == steps:
            break
        stats = train_step(G, D, opt_g, opt_d, target, prior, generator, batch_size, k, g_loss, r1_gamma)
        if not all(math.isfinite(v) for v in stats.values()):
            raise TrainingDiverged(divergence_message(step, stats, lr_g, lr_d, k))
        history.record(stats)
    return history


_MOVED = {"make_players": "models", "StackedMLP": "ensemble", "ManyHistory": "ensemble", "train_many": "ensemble",
          "GradientSweep": "gradients", "gradient_vs_d_steps": "gradients", "confident_players": "gradients"}


def __getattr__(name):
    """Names that lived here before the multi-run engine got its own module still work."""
    if name in _MOVED:
        import importlib
        return getattr(importlib.import_module(f".{_MOVED[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
