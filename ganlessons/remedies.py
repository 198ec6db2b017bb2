"""Remedies for mode collapse as named, documented training options (lesson 08).

`train_2d(target, remedy=...)` trains one 2-D GAN with one of REMEDIES; every remedy reuses the
two-block step of ganlessons.train (d_step / g_step) where it can and changes one thing:

- "none": the vanilla GAN (non-saturating loss), the baseline.
- "pac2", "pac4": packing (PacGAN, Lin et al. 2018). D judges `pac` samples at once, all real or
  all fake, concatenated into one input; a generator that repeats itself makes packs that look
  unlike real packs, so D can punish the missing variety.
- "minibatch_std": minibatch standard deviation (Karras et al. 2018, ProGAN). Before its last
  layer D sees one extra feature: the spread of its features across a group of samples. Fakes
  that are too alike have a spread real data never has.
- "unrolled": unrolled D (Metz et al. 2017). G's update looks `unroll` D-steps ahead: D is
  trained `unroll` more steps on a copy, G steps against that future D, then D is put back.
  This is the first-order variant of common re-implementations: no gradient flows back through
  the unrolled steps (Metz et al. backpropagate through them).
- "wgan_gp": WGAN with gradient penalty (Gulrajani et al. 2017). D becomes a critic scoring
  realness with an unbounded number, trained `n_critic` times per G step on E[D(fake)] − E[D(real)]
  plus `gp_weight`·E[(‖∇D(x̂)‖ − 1)²] at points x̂ between real and fake; G maximises E[D(fake)].
"""
import copy

import torch
from torch import nn

from . import _validate as check
from .data import noise as noise_prior, sample
from .models import ACTIVATIONS, Discriminator, Generator, _hidden, _init, _mlp
from .train import d_step, g_step, make_optimizer

__all__ = ["REMEDIES", "Packed", "MinibatchStdDiscriminator", "make_discriminator",
           "unrolled_g_step", "gradient_penalty", "wgan_gp_d_step", "wgan_g_step", "train_2d"]

REMEDIES = ("none", "pac2", "pac4", "minibatch_std", "unrolled", "wgan_gp")


class Packed(nn.Module):
    """PacGAN's packing: D sees `pac` samples side by side, input (n, dim) → (n/pac, pac·dim) (lesson 08)."""

    def __init__(self, discriminator, pac):
        super().__init__()
        self.pac = check.count("pac", pac)
        if discriminator.x_dim % self.pac:
            check.fail("pac", pac, f"a divisor of the discriminator's x_dim={discriminator.x_dim}")
        self.inner, self.x_dim = discriminator, discriminator.x_dim // self.pac

    def forward(self, x):
        check.batch("x", x, self.x_dim)
        if x.shape[0] % self.pac:
            check.fail("batch size", x.shape[0], f"a multiple of pac={self.pac}")
        return self.inner(x.reshape(-1, self.pac * self.x_dim))


class MinibatchStdDiscriminator(nn.Module):
    """D with Karras et al.'s minibatch-std feature appended before its last layer (lesson 08)."""

    def __init__(self, x_dim=2, hidden=(128,), activation="leaky_relu", group_size=4, generator=None):
        super().__init__()
        self.x_dim, self.group_size = check.count("x_dim", x_dim), check.count("group_size", group_size, 2)
        check.choice("activation", activation, tuple(ACTIVATIONS))
        hidden = _hidden(hidden) or (x_dim,)
        self.body = nn.Sequential(_mlp((x_dim, *hidden), activation), ACTIVATIONS[activation]())
        self.head = nn.Linear(hidden[-1] + 1, 1)
        _init(self, generator)

    def forward(self, x):
        h = self.body(check.batch("x", x, self.x_dim))
        g = self.group_size if h.shape[0] % self.group_size == 0 else h.shape[0]
        spread = h.reshape(-1, g, h.shape[1]).std(dim=1, unbiased=False).mean(dim=1)   # one per group
        feature = spread.repeat_interleave(g)[:, None]
        return self.head(torch.cat([h, feature], dim=1)).squeeze(-1)


def make_discriminator(remedy, x_dim=2, hidden=(128,), generator=None):
    """The discriminator a remedy needs: packed, with the minibatch-std feature, or plain (lesson 08)."""
    check.choice("remedy", remedy, REMEDIES)
    if remedy in ("pac2", "pac4"):
        pac = int(remedy[3:])
        return Packed(Discriminator(pac * x_dim, hidden, generator=generator), pac)
    if remedy == "minibatch_std":
        return MinibatchStdDiscriminator(x_dim, hidden, generator=generator)
    return Discriminator(x_dim, hidden, generator=generator)


def unrolled_g_step(G, D, opt_g, opt_d, target, prior, generator, batch_size, unroll=5):
    """G steps against D trained `unroll` steps further on a copy; D is then restored (lesson 08)."""
    check.count("unroll", unroll)
    saved_d, saved_opt = copy.deepcopy(D.state_dict()), copy.deepcopy(opt_d.state_dict())
    for _ in range(unroll):
        d_step(G, D, opt_d, sample(target, batch_size, generator), sample(prior, batch_size, generator))
    loss, _, _ = g_step(G, D, opt_g, sample(prior, batch_size, generator))
    D.load_state_dict(saved_d)
    opt_d.load_state_dict(saved_opt)
    return loss


def gradient_penalty(D, real, fake, generator):
    """E[(‖∇ₓD(x̂)‖ − 1)²] at random points x̂ on lines between real and fake samples (lesson 08)."""
    t = torch.rand(real.shape[0], 1, generator=generator)
    between = (t * real + (1 - t) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(between).sum(), between, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def wgan_gp_d_step(G, D, opt_d, real, z, generator, gp_weight=0.1):
    """One critic update: E[D(fake)] − E[D(real)] + gp_weight · gradient penalty (lesson 08)."""
    fake = G(z).detach()
    loss = D(fake).mean() - D(real).mean() + gp_weight * gradient_penalty(D, real, fake, generator)
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


def wgan_g_step(G, D, opt_g, z):
    """One generator update of WGAN: minimise −E[D(G(z))] (lesson 08)."""
    loss = -D(G(z)).mean()
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    return loss.detach()


def _iteration(remedy, G, D, opt_g, opt_d, target, prior, generator, batch_size, unroll, n_critic, gp_weight):
    """One training iteration of `remedy`: its D update(s), then its G update (lesson 08)."""
    draw = lambda dist: sample(dist, batch_size, generator)          # noqa: E731
    if remedy == "wgan_gp":
        for _ in range(n_critic):
            wgan_gp_d_step(G, D, opt_d, draw(target), draw(prior), generator, gp_weight)
        return wgan_g_step(G, D, opt_g, draw(prior))
    d_step(G, D, opt_d, draw(target), draw(prior))
    if remedy == "unrolled":
        return unrolled_g_step(G, D, opt_g, opt_d, target, prior, generator, batch_size, unroll)
    return g_step(G, D, opt_g, draw(prior))[0]


def _snapshot(G, prior, size, seed):
    """`size` generated samples from a fixed noise batch drawn apart from training (lesson 08)."""
    with torch.no_grad():
        return G(sample(prior, size, torch.Generator().manual_seed(seed)))


def train_2d(target, remedy="none", *, steps=2000, batch_size=256, z_dim=2, hidden=(128, 128),
             lr=1e-3, betas=(0.5, 0.999), seed=0, unroll=5, n_critic=5, gp_weight=0.1,
             snapshot_at=None, snapshot_size=2500):
    """Train a 2-D GAN with one remedy; return (G, D, {step: samples}) (lesson 08).

    G and D are initialised from torch.Generator seed `seed`, data and noise drawn from seed
    `seed` + 1; snapshots (default: only at the end) use `snapshot_size` samples of a fixed noise
    batch. `unroll` is used by "unrolled", `n_critic` and `gp_weight` by "wgan_gp".
    """
    check.choice("remedy", remedy, REMEDIES)
    for name, value, least in (("steps", steps, 0), ("batch_size", batch_size, 4), ("seed", seed, 0),
                               ("n_critic", n_critic, 1), ("snapshot_size", snapshot_size, 1)):
        check.count(name, value, least)
    check.non_negative("gp_weight", gp_weight)
    init = torch.Generator().manual_seed(seed)
    G = Generator(z_dim, target.event_shape[0], hidden, generator=init)
    D = make_discriminator(remedy, target.event_shape[0], hidden, generator=init)
    opt_g, opt_d = make_optimizer(G.parameters(), lr=lr, betas=betas), make_optimizer(D.parameters(), lr=lr, betas=betas)
    prior, generator, snaps = noise_prior(z_dim), torch.Generator().manual_seed(seed + 1), {}
    snapshot_at = (steps,) if snapshot_at is None else tuple(snapshot_at)
    for step in range(steps + 1):
        if step in snapshot_at:
            snaps[step] = _snapshot(G, prior, snapshot_size, seed)
        if step < steps:
            _iteration(remedy, G, D, opt_g, opt_d, target, prior, generator, batch_size, unroll, n_critic, gp_weight)
    return G, D, snaps
