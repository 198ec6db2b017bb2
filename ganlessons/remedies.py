"""Remedies for mode collapse as published, each a named method with its paper (lesson 08).

`train_2d(target, method, seeds=...)` trains one 2-D GAN per seed, all at once, on the package's
one batched engine (`ganlessons.ensemble`: stacked players, `draw`, `d_step`, `g_step`, `run`).
A method is a discriminator (stacked by `StackedDiscriminator`) and an iteration (its D and G
updates). METHODS lists them:

- "vanilla": the GAN of Goodfellow et al. (2014): one D step, one G step.
- "vanilla_d5": the same with 5 D steps per G step: the control with the D work of "unrolled5"
  (5 look-ahead steps) and of "wgan_gp" (5 critic steps), so that a remedy's gain is not just
  "more D training".
- "unrolled5", "unrolled10": unrolled GAN (Metz et al. 2017). G's loss is computed against D
  after `unroll` further Adam steps (each on a fresh batch) that are kept in the autograd graph,
  so G's gradient flows back through them (second order): G sees how D would react to its move.
  The look-ahead steps are thrown away; D itself takes one ordinary step per iteration.
- "pac2", "pac4": PacGAN (Lin et al. 2018). D judges packs of `pac` samples, all real or all
  fake, concatenated into one input. As in the paper, a step uses `batch_size` packs, so G and the
  data each supply pac · batch_size samples.
- "minibatch_std": minibatch standard deviation (Karras et al. 2018, ProGAN). Before its last
  layer D gets one extra feature: the spread of its features across groups of 4 samples.
- "wgan_gp": WGAN with gradient penalty (Gulrajani et al. 2017): a critic trained 5 times per G
  step on E[D(fake)] − E[D(real)] + 10·E[(‖∇D(x̂)‖ − 1)²] at random points x̂ between real and
  fake; G maximises E[D(fake)]. Each run draws its x̂ from a random stream of its own.
"""
import copy
import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import torch
from torch import nn

from . import _validate as validate
from .data import event_dim, noise as noise_prior
from .ensemble import G_LOSSES_MANY, StackedMLP, bce, d_step, descend, draw, g_step, run, valid_seeds
from .models import ACTIVATIONS, Discriminator, Generator, _hidden, _init, _mlp
from .train import make_optimizer

__all__ = ["Method", "METHODS", "pack", "Packed", "minibatch_std_feature", "MinibatchStdDiscriminator",
           "make_discriminators", "StackedDiscriminator", "with_params", "adam_state", "adam_update",
           "unrolled_discriminator", "unrolled_g_loss", "gradient_penalty", "wgan_gp_d_step", "Trained", "train_2d"]


@dataclass(frozen=True)
class Method:
    """A training method: its paper, D steps per G step, packing, look-ahead and loss (lesson 08)."""
    paper: str
    d_steps: int = 1          # real D (or critic) updates per G update
    pac: int = 1              # samples per D input (PacGAN)
    unroll: int = 0           # differentiable look-ahead D steps (unrolled GAN)
    minibatch_std: bool = False
    wgan_gp: bool = False
    gp_weight: float = 10.0   # WGAN-GP's λ


METHODS = {
    "vanilla": Method("Goodfellow et al. 2014"),
    "vanilla_d5": Method("Goodfellow et al. 2014, k = 5 D steps per G step", d_steps=5),
    "unrolled5": Method("Metz et al. 2017, 5 unrolled steps", unroll=5),
    "unrolled10": Method("Metz et al. 2017, 10 unrolled steps", unroll=10),
    "pac2": Method("Lin et al. 2018 (PacGAN2)", pac=2),
    "pac4": Method("Lin et al. 2018 (PacGAN4)", pac=4),
    "minibatch_std": Method("Karras et al. 2018 (ProGAN)", minibatch_std=True),
    "wgan_gp": Method("Gulrajani et al. 2017", d_steps=5, wgan_gp=True),
}


def pack(x, pac):
    """PacGAN's packing: (…, n, dim) → (…, n/pac, pac·dim), samples 0..pac−1 side by side (lesson 08)."""
    validate.count("pac", pac)
    if not isinstance(x, torch.Tensor) or x.dim() < 2 or x.shape[-2] % pac:
        validate.fail("x", tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__,
                      f"a tensor (…, n, dim) whose n is a multiple of pac={pac}")
    return x.reshape(*x.shape[:-2], x.shape[-2] // pac, pac * x.shape[-1])


class Packed(nn.Module):
    """A discriminator of pac·dim inputs that judges packs of `pac` samples of `dim` (lesson 08)."""

    def __init__(self, discriminator, pac):
        super().__init__()
        self.pac = validate.count("pac", pac)
        if discriminator.x_dim % self.pac:
            validate.fail("pac", pac, f"a divisor of the discriminator's x_dim={discriminator.x_dim}")
        self.inner, self.x_dim = discriminator, discriminator.x_dim // self.pac

    def forward(self, x):
        return self.inner(pack(validate.batch("x", x, self.x_dim), self.pac))


def minibatch_std_feature(h, group_size=4, eps=1e-8):
    """Karras et al.'s feature: mean over features of the std across each group, (…, n, H) → (…, n, 1) (lesson 08).

    Groups are consecutive samples (one group of all n when n is not a multiple of group_size);
    eps keeps the square root's gradient finite when a group's samples are identical.
    """
    validate.count("group_size", group_size)
    if not isinstance(h, torch.Tensor) or h.dim() < 2 or h.shape[-2] == 0:
        validate.fail("h", tuple(h.shape) if isinstance(h, torch.Tensor) else type(h).__name__,
                      "a tensor of features (…, n, H) with n >= 1")
    g = group_size if h.shape[-2] % group_size == 0 else h.shape[-2]
    groups = h.reshape(*h.shape[:-2], h.shape[-2] // g, g, h.shape[-1])
    var = (groups - groups.mean(dim=-2, keepdim=True)).pow(2).mean(dim=-2)   # (torch's .std is slow here)
    spread = (var + eps).sqrt().mean(dim=-1)                                  # one number per group
    return spread.repeat_interleave(g, dim=-1).unsqueeze(-1)


class MinibatchStdDiscriminator(nn.Module):
    """D with the minibatch-std feature appended before its last layer (lesson 08)."""

    def __init__(self, x_dim=2, hidden=(64, 64), activation="leaky_relu", group_size=4, generator=None):
        super().__init__()
        self.x_dim, self.group_size = validate.count("x_dim", x_dim), validate.count("group_size", group_size, 2)
        validate.choice("activation", activation, tuple(ACTIVATIONS))
        hidden = _hidden(hidden)
        if not hidden:
            validate.fail("hidden", hidden, "at least one hidden layer, e.g. (64, 64)")
        self.body, self.act = _mlp((x_dim, *hidden), activation), ACTIVATIONS[activation]()
        self.head = nn.Linear(hidden[-1] + 1, 1)
        _init(self, generator)

    def forward(self, x):
        h = self.act(self.body(validate.batch("x", x, self.x_dim)))
        return self.head(torch.cat([h, minibatch_std_feature(h, self.group_size)], dim=-1)).squeeze(-1)


def make_discriminators(method, generators, x_dim=2, hidden=(64, 64), activation="leaky_relu"):
    """One discriminator per run generator, as `method` needs it: packed, minibatch-std or plain (lesson 08)."""
    m = METHODS[validate.choice("method", method, tuple(METHODS))]
    if m.minibatch_std:
        return [MinibatchStdDiscriminator(x_dim, hidden, activation, generator=g) for g in generators]
    if m.pac > 1:
        return [Packed(Discriminator(m.pac * x_dim, hidden, activation, generator=g), m.pac) for g in generators]
    return [Discriminator(x_dim, hidden, activation, generator=g) for g in generators]


class StackedDiscriminator:
    """N discriminators of one kind run as one batched program: (N, n, dim) ↦ logits (N, m, 1) (lesson 08)."""

    def __init__(self, discriminators):
        first = discriminators[0]
        self.pac = getattr(first, "pac", 1)
        self.group_size = getattr(first, "group_size", None)
        if self.group_size is None:
            self.body = StackedMLP([getattr(d, "inner", d) for d in discriminators])
            self.head = None
        else:
            self.act = first.act
            self.body = StackedMLP([d.body for d in discriminators])
            self.head = StackedMLP([nn.Sequential(d.head) for d in discriminators])

    def parameters(self):
        """All stacked weights and biases."""
        return self.body.parameters() + (self.head.parameters() if self.head else [])

    def __call__(self, x):
        if self.head is None:
            return self.body(pack(x, self.pac) if self.pac > 1 else x)
        h = self.act(self.body(x))
        return self.head(torch.cat([h, minibatch_std_feature(h, self.group_size)], dim=-1))


# --- Unrolled GAN (Metz et al. 2017), second order

def with_params(D, params):
    """A stacked plain D that computes with `params` (tensors in D.parameters()' order) instead of its own (lesson 08)."""
    twin = copy.copy(D.body)
    twin.weights, twin.biases = list(params[0::2]), list(params[1::2])
    return twin


def adam_state(opt):
    """(params, first moments, second moments, steps taken, lr, betas, eps) of a one-group torch Adam (lesson 08)."""
    group = opt.param_groups[0]
    params = group["params"]
    states = [opt.state.get(p, {}) for p in params]
    m = [s["exp_avg"] if "exp_avg" in s else torch.zeros_like(p) for s, p in zip(states, params)]
    v = [s["exp_avg_sq"] if "exp_avg_sq" in s else torch.zeros_like(p) for s, p in zip(states, params)]
    t = int(states[0]["step"]) if "step" in states[0] else 0
    return params, m, v, t, group["lr"], group["betas"], group["eps"]


def adam_update(params, grads, m, v, t, lr, betas, eps):
    """torch.optim.Adam's step t+1 as a differentiable function: (new params, m, v) (lesson 08)."""
    b1, b2 = betas
    t += 1
    m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
    v = [b2 * vi + (1 - b2) * g * g for vi, g in zip(v, grads)]
    step, root = lr / (1 - b1 ** t), math.sqrt(1 - b2 ** t)
    return [p - step * mi / (vi.sqrt() / root + eps) for p, mi, vi in zip(params, m, v)], m, v


def unrolled_discriminator(G, D, opt_d, batches):
    """D after len(batches) further Adam steps on (real, z) batches, kept in the autograd graph (lesson 08).

    Each look-ahead step is D's own Adam step (its moments and step count included) on
    ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0), with the fakes NOT detached and the step differentiable
    (create_graph=True): the returned D's weights are functions of G's weights (Metz et al.'s
    second-order term). D itself and its optimizer are not changed.
    """
    params, m, v, t, lr, betas, eps = adam_state(opt_d)
    current = [p.detach().requires_grad_() for p in params]
    for real, z in batches:
        Dk = with_params(D, current)
        loss = 0.5 * bce(Dk(real), 1.0) + 0.5 * bce(Dk(G(z)), 0.0)
        grads = torch.autograd.grad(loss.sum(), current, create_graph=True)
        current, m, v = adam_update(current, grads, m, v, t, lr, betas, eps)
        t += 1
    return with_params(D, current)


def unrolled_g_loss(G, D, opt_d, batches, z, g_loss="non_saturating"):
    """G's per-run loss against D unrolled len(batches) steps ahead; its gradient is second order (lesson 08)."""
    return G_LOSSES_MANY[g_loss](unrolled_discriminator(G, D, opt_d, batches)(G(z)))


# --- WGAN-GP (Gulrajani et al. 2017)

def gradient_penalty(D, real, fake, generators):
    """Per run E[(‖∇ₓD(x̂)‖ − 1)²] at x̂ = t·real + (1 − t)·fake, t ~ U(0, 1) from each run's generator: (N,) (lesson 08)."""
    t = torch.stack([torch.rand(real.shape[-2], 1, generator=g, dtype=real.dtype) for g in generators])
    between = (t * real + (1 - t) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(between).sum(), between, create_graph=True)
    return ((grad.norm(dim=-1) - 1) ** 2).mean(dim=-1)


def wgan_gp_d_step(G, D, opt_d, real, z, generators, gp_weight=10.0):
    """One critic update per run: E[D(fake)] − E[D(real)] + gp_weight · gradient penalty (lesson 08)."""
    with torch.no_grad():
        fake = G(z)
    loss = D(fake).flatten(1).mean(1) - D(real).flatten(1).mean(1) \
        + gp_weight * gradient_penalty(D, real, fake, generators)
    descend(opt_d, loss)
    return loss.detach()


def _iteration(method, p):
    """One training iteration of all runs with `method`: its D update(s), then its G update; (d_loss, g_loss)."""
    for _ in range(method.d_steps):
        real, z = p.draw_real(), p.draw_z()
        if method.wgan_gp:
            dl = wgan_gp_d_step(p.G, p.D, p.opt_d, real, z, p.gp_gens, method.gp_weight)
        else:
            dl = d_step(p.G, p.D, p.opt_d, real, z, joint=not method.minibatch_std)[0]
    if method.wgan_gp:
        return dl, g_step(p.G, p.D, p.opt_g, p.draw_z(), "wgan")[0]
    if method.unroll:
        batches = [(p.draw_real(), p.draw_z()) for _ in range(method.unroll)]
        loss = unrolled_g_loss(p.G, p.D, p.opt_d, batches, p.draw_z(), p.g_loss)
        p.opt_g.zero_grad()
        grads = torch.autograd.grad(loss.sum(), p.G.parameters())
        for param, grad in zip(p.G.parameters(), grads):
            param.grad = grad
        p.opt_g.step()
        return dl, loss.detach()
    return dl, g_step(p.G, p.D, p.opt_g, p.draw_z(), p.g_loss)[0]


@dataclass
class Trained:
    """What train_2d returns: stacked players, per-step losses (2, steps, N) and {step: (N, n, 2)} snapshots (lesson 08)."""
    method: str
    seeds: tuple
    G: StackedMLP
    D: StackedDiscriminator
    losses: torch.Tensor
    snapshots: dict = field(default_factory=dict)


def train_2d(target, method="vanilla", *, seeds=range(8), steps=2000, batch_size=256, z_dim=2, hidden=(128, 128),
             g_activation="tanh", d_activation="tanh", lr_g=1e-3, lr_d=1e-3, betas=(0.5, 0.999),
             g_loss="non_saturating", snapshot_at=None, snapshot_size=2500, dtype=torch.float32, progress=False):
    """Train one GAN per seed with `method` (a key of METHODS), all at once; return a Trained (lesson 08).

    Run i's G and D start from torch.Generator().manual_seed(seeds[i]); its data and noise come
    from a second generator with that seed, and (WGAN-GP) its interpolation points from a third,
    seeded seeds[i] + 1_000_003, so a run is the same alone or batched with others. Each D step
    sees `batch_size` real and `batch_size` fake D inputs (packs, for PacGAN). Snapshots (default:
    only at the end) hold `snapshot_size` samples of each run's fixed noise batch.
    """
    m = METHODS[validate.choice("method", method, tuple(METHODS))]
    seeds = valid_seeds(seeds)
    for name, value, least in (("steps", steps, 0), ("batch_size", batch_size, 4), ("snapshot_size", snapshot_size, 1)):
        validate.count(name, value, least)
    validate.choice("g_loss", g_loss, ("non_saturating", "saturating"))
    x_dim = event_dim("target", target)
    inits = [torch.Generator().manual_seed(s) for s in seeds]
    G = StackedMLP([Generator(z_dim, x_dim, hidden, g_activation, generator=g).to(dtype) for g in inits])
    D = StackedDiscriminator([d.to(dtype) for d in make_discriminators(method, inits, x_dim, hidden, d_activation)])
    opt_g = make_optimizer(G.parameters(), lr=lr_g, betas=betas, lr_of="lr_g")
    opt_d = make_optimizer(D.parameters(), lr=lr_d, betas=betas, lr_of="lr_d")
    prior, data_gens = noise_prior(z_dim), [torch.Generator().manual_seed(s) for s in seeds]
    n = batch_size * m.pac
    p = SimpleNamespace(G=G, D=D, opt_g=opt_g, opt_d=opt_d, g_loss=g_loss,
                        draw_real=lambda: draw(target, n, data_gens, dtype),
                        draw_z=lambda: draw(prior, n, data_gens, dtype),
                        gp_gens=[torch.Generator().manual_seed(s + 1_000_003) for s in seeds])
    snap_z = draw(prior, snapshot_size, [torch.Generator().manual_seed(s) for s in seeds], dtype)
    advice = f"Try smaller learning rates (lr_g={lr_g}, lr_d={lr_d})."
    losses, snapshots = run(G, lambda step: _iteration(m, p), steps, seeds, ("d_loss", "g_loss"),
                            snapshot_at={steps} if snapshot_at is None else snapshot_at, snap_z=snap_z,
                            progress=progress, advice=advice)
    return Trained(method, seeds, G, D, losses, snapshots)
