"""Remedies for mode collapse as named, documented training options (lesson 08).

`train_2d(target, remedy=..., seeds=...)` trains one 2-D GAN per seed, all at once (weights
stacked on a leading run axis, as `train_many` does), with one of REMEDIES. Each remedy changes
one thing of the vanilla GAN. The players are the package's Generator / Discriminator, stacked
with train.StackedMLP; stacked_d_step and stacked_g_step are train.d_step and train.g_step, per run:

- "none": the vanilla GAN (non-saturating loss): the baseline, equal to `train_many`.
- "pac2", "pac4": packing (PacGAN, Lin et al. 2018). D judges `pac` samples at once, all real or
  all fake, concatenated into one input. A generator that repeats itself makes packs that look
  unlike real packs, so D can punish missing variety.
- "minibatch_std": minibatch standard deviation (Karras et al. 2018, ProGAN). Before its last
  layer D gets one extra feature: the spread of its features across a group of `group_size`
  samples. Fakes that are too alike have a spread real data never has.
- "unrolled": unrolled D (Metz et al. 2017). G's update looks `unroll` D-steps ahead: D is
  trained `unroll` more steps, G steps against that future D, then D (and its optimizer) is put
  back. This is the first-order variant of common re-implementations: no gradient flows back
  through the unrolled steps (Metz et al. backpropagate through them).
- "wgan_gp": WGAN with gradient penalty (Gulrajani et al. 2017). D becomes a critic that scores
  realness with an unbounded number, trained `n_critic` times per G step on
  E[D(fake)] − E[D(real)] + gp_weight·E[(‖∇D(x̂)‖ − 1)²] at points x̂ between real and fake;
  G maximises E[D(fake)].
"""
import copy
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn

from . import _validate as check
from .data import noise as noise_prior, sample
from .models import ACTIVATIONS, Discriminator, Generator, _hidden, _init, _mlp
from .train import StackedMLP, _seeds, make_optimizer

__all__ = ["REMEDIES", "pack", "Packed", "MinibatchStdDiscriminator", "minibatch_std_feature",
           "make_discriminators", "StackedDiscriminator", "stacked_d_step", "stacked_g_step",
           "unrolled_g_step", "gradient_penalty", "wgan_gp_d_step", "wgan_g_step", "train_2d"]

REMEDIES = ("none", "pac2", "pac4", "minibatch_std", "unrolled", "wgan_gp")


def pack(x, pac):
    """PacGAN's packing: (…, n, dim) → (…, n/pac, pac·dim), samples 0..pac−1 side by side (lesson 08)."""
    check.count("pac", pac)
    if x.dim() < 2 or x.shape[-2] % pac:
        check.fail("x", tuple(x.shape), f"a tensor (…, n, dim) whose n is a multiple of pac={pac}")
    return x.reshape(*x.shape[:-2], x.shape[-2] // pac, pac * x.shape[-1])


class Packed(nn.Module):
    """A discriminator of pac·dim inputs that judges packs of `pac` samples of `dim` (lesson 08)."""

    def __init__(self, discriminator, pac):
        super().__init__()
        self.pac = check.count("pac", pac)
        if discriminator.x_dim % self.pac:
            check.fail("pac", pac, f"a divisor of the discriminator's x_dim={discriminator.x_dim}")
        self.inner, self.x_dim = discriminator, discriminator.x_dim // self.pac

    def forward(self, x):
        return self.inner(pack(check.batch("x", x, self.x_dim), self.pac))


def minibatch_std_feature(h, group_size=4, eps=1e-8):
    """Karras et al.'s feature: mean over features of the std across each group, (…, n, H) → (…, n, 1) (lesson 08).

    Groups are consecutive samples (one group of all n when n is not a multiple of group_size);
    eps keeps the square root's gradient finite when a group's samples are identical.
    """
    g = group_size if h.shape[-2] % group_size == 0 else h.shape[-2]
    groups = h.reshape(*h.shape[:-2], h.shape[-2] // g, g, h.shape[-1])
    var = (groups - groups.mean(dim=-2, keepdim=True)).pow(2).mean(dim=-2)   # (torch's .std is slow here)
    spread = (var + eps).sqrt().mean(dim=-1)                                  # one number per group
    return spread.repeat_interleave(g, dim=-1).unsqueeze(-1)


class MinibatchStdDiscriminator(nn.Module):
    """D with the minibatch-std feature appended before its last layer (lesson 08)."""

    def __init__(self, x_dim=2, hidden=(64, 64), activation="leaky_relu", group_size=4, generator=None):
        super().__init__()
        self.x_dim, self.group_size = check.count("x_dim", x_dim), check.count("group_size", group_size, 2)
        check.choice("activation", activation, tuple(ACTIVATIONS))
        hidden = _hidden(hidden)
        if not hidden:
            check.fail("hidden", hidden, "at least one hidden layer, e.g. (64, 64)")
        self.body, self.act = _mlp((x_dim, *hidden), activation), ACTIVATIONS[activation]()
        self.head = nn.Linear(hidden[-1] + 1, 1)
        _init(self, generator)

    def forward(self, x):
        h = self.act(self.body(check.batch("x", x, self.x_dim)))
        return self.head(torch.cat([h, minibatch_std_feature(h, self.group_size)], dim=-1)).squeeze(-1)


def make_discriminators(remedy, seeds, x_dim=2, hidden=(64, 64), generators=None):
    """One discriminator per seed, as the remedy needs it: packed, minibatch-std or plain (lesson 08)."""
    check.choice("remedy", remedy, REMEDIES)
    make = {"pac2": lambda g: Packed(Discriminator(2 * x_dim, hidden, generator=g), 2),
            "pac4": lambda g: Packed(Discriminator(4 * x_dim, hidden, generator=g), 4),
            "minibatch_std": lambda g: MinibatchStdDiscriminator(x_dim, hidden, generator=g)}
    generators = generators or [torch.Generator().manual_seed(s) for s in seeds]
    return [make.get(remedy, lambda g: Discriminator(x_dim, hidden, generator=g))(g) for g in generators]


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
            self.body = StackedMLP([SimpleNamespace(net=d.body) for d in discriminators])
            self.head = StackedMLP([SimpleNamespace(net=nn.Sequential(d.head)) for d in discriminators])

    def parameters(self):
        """All stacked weights and biases."""
        return self.body.parameters() + (self.head.parameters() if self.head else [])

    def __call__(self, x):
        if self.head is None:
            return self.body(pack(x, self.pac) if self.pac > 1 else x)
        h = self.act(self.body(x))
        return self.head(torch.cat([h, minibatch_std_feature(h, self.group_size)], dim=-1))


def _bce(logits, label):
    """Per-run mean BCE with logits (N, m, 1) against a constant label, shape (N,)."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label), reduction="none").mean(dim=(-2, -1))


def stacked_d_step(G, D, opt_d, real, z):
    """Block 1 for all runs: ½·BCE(D(x), 1) + ½·BCE(D(G(z).detach()), 0), per run (lesson 08)."""
    with torch.no_grad():
        fake = G(z)                           # G is held fixed: no gradient flows into it
    loss = 0.5 * _bce(D(real), 1.0) + 0.5 * _bce(D(fake), 0.0)
    opt_d.zero_grad()
    loss.sum().backward()                     # runs are independent: the sum's gradient is each run's
    opt_d.step()
    return loss.detach()


def stacked_g_step(G, D, opt_g, z):
    """Block 2 for all runs: the non-saturating loss BCE(D(G(z)), 1) through a fixed D (lesson 08)."""
    loss = _bce(D(G(z)), 1.0)
    opt_g.zero_grad()
    loss.sum().backward()                     # D's grads are filled too, but only opt_g steps
    opt_g.step()
    return loss.detach()


def unrolled_g_step(G, D, opt_g, opt_d, draw_real, draw_z, unroll=5):
    """G steps against D trained `unroll` steps further; then D and its optimizer are restored (lesson 08)."""
    check.count("unroll", unroll)
    saved = [p.detach().clone() for p in D.parameters()]
    saved_opt = copy.deepcopy(opt_d.state_dict())
    for _ in range(unroll):
        stacked_d_step(G, D, opt_d, draw_real(), draw_z())
    loss = stacked_g_step(G, D, opt_g, draw_z())
    with torch.no_grad():
        for p, old in zip(D.parameters(), saved):
            p.copy_(old)
    opt_d.load_state_dict(saved_opt)
    return loss


def gradient_penalty(D, real, fake, generator):
    """Per run E[(‖∇ₓD(x̂)‖ − 1)²] at random points x̂ between real and fake, (N, n, d) → (N,) (lesson 08)."""
    t = torch.rand(*real.shape[:-1], 1, generator=generator, dtype=real.dtype)
    between = (t * real + (1 - t) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(between).sum(), between, create_graph=True)
    return ((grad.norm(dim=-1) - 1) ** 2).mean(dim=-1)


def wgan_gp_d_step(G, D, opt_d, real, z, generator, gp_weight=0.1):
    """One critic update per run: E[D(fake)] − E[D(real)] + gp_weight · gradient penalty (lesson 08)."""
    with torch.no_grad():
        fake = G(z)
    loss = D(fake).mean(dim=(-2, -1)) - D(real).mean(dim=(-2, -1)) \
        + gp_weight * gradient_penalty(D, real, fake, generator)
    opt_d.zero_grad()
    loss.sum().backward()                      # runs are independent: the sum's gradient is each run's
    opt_d.step()
    return loss.detach()


def wgan_g_step(G, D, opt_g, z):
    """One generator update per run of WGAN: minimise −E[D(G(z))] (lesson 08)."""
    loss = -D(G(z)).mean(dim=(-2, -1))
    opt_g.zero_grad()
    loss.sum().backward()
    opt_g.step()
    return loss.detach()


def _iteration(remedy, G, D, opt_g, opt_d, draw_real, draw_z, noise_gen, unroll, n_critic, gp_weight):
    """One training iteration of `remedy` for all runs: its D update(s), then its G update (lesson 08)."""
    if remedy == "wgan_gp":
        for _ in range(n_critic):
            wgan_gp_d_step(G, D, opt_d, draw_real(), draw_z(), noise_gen, gp_weight)
        return wgan_g_step(G, D, opt_g, draw_z())
    stacked_d_step(G, D, opt_d, draw_real(), draw_z())
    if remedy == "unrolled":
        return unrolled_g_step(G, D, opt_g, opt_d, draw_real, draw_z, unroll)
    return stacked_g_step(G, D, opt_g, draw_z())


def _targets(target, n):
    """One target per run: a distribution for all runs, or a list with one per seed, all of one dimension."""
    targets = list(target) if isinstance(target, (list, tuple)) else [target] * n
    shapes = {tuple(getattr(t, "event_shape", ())) for t in targets}
    if len(targets) != n or len(shapes) != 1 or len(next(iter(shapes))) != 1:
        check.fail("target", f"{len(targets)} target(s) of event shapes {sorted(shapes)}",
                   f"one distribution, or a list of {n} (one per seed) of one dimension")
    return targets


def _draw_each(targets, n, generators):
    """n samples per run, run i from targets[i] with generators[i]: shape (N, n, dim)."""
    return torch.stack([sample(t, n, g) for t, g in zip(targets, generators)])


def train_2d(target, remedy="none", *, seeds=range(5), steps=1500, batch_size=128, z_dim=2,
             hidden=(64, 64), lr=1e-3, betas=(0.5, 0.999), unroll=5, n_critic=5, gp_weight=0.1,
             snapshot_at=None, snapshot_size=2500):
    """Train one GAN per seed with `remedy`, all at once; return (G, D, {step: (N, size, dim) samples}) (lesson 08).

    `target` is one distribution for every run, or a list with one per seed (runs on
    different targets can share one batched program). Run i's G and D start from
    torch.Generator().manual_seed(seeds[i]) and its data and noise come from a second generator
    with that seed, as in `train_many` (so remedy="none" is train_many's run to round-off).
    Snapshots (default: only at the end) hold `snapshot_size` samples of each run's fixed noise
    batch. Adam with `lr`, `betas` for both players.
    """
    check.choice("remedy", remedy, REMEDIES)
    seeds = _seeds(seeds)
    for name, value, least in (("steps", steps, 0), ("batch_size", batch_size, 4), ("n_critic", n_critic, 1),
                               ("snapshot_size", snapshot_size, 1), ("unroll", unroll, 1)):
        check.count(name, value, least)
    check.non_negative("gp_weight", gp_weight)
    targets = _targets(target, len(seeds))
    x_dim = targets[0].event_shape[0]
    inits = [torch.Generator().manual_seed(s) for s in seeds]
    G = StackedMLP([Generator(z_dim, x_dim, hidden, generator=g) for g in inits])
    D = StackedDiscriminator(make_discriminators(remedy, seeds, x_dim, hidden, inits))
    opt_g = make_optimizer(G.parameters(), lr=lr, betas=betas)
    opt_d = make_optimizer(D.parameters(), lr=lr, betas=betas)
    priors, data_gens = [noise_prior(z_dim)] * len(seeds), [torch.Generator().manual_seed(s) for s in seeds]
    draw_real = lambda: _draw_each(targets, batch_size, data_gens)      # noqa: E731
    draw_z = lambda: _draw_each(priors, batch_size, data_gens)          # noqa: E731
    snap_z = _draw_each(priors, snapshot_size, [torch.Generator().manual_seed(s) for s in seeds])
    noise_gen = torch.Generator().manual_seed(seeds[0] + 1_000_003)      # the penalty's random mixing weights
    snapshots, snapshot_at = {}, {steps} if snapshot_at is None else set(snapshot_at)
    for step in range(steps + 1):
        if step in snapshot_at:
            with torch.no_grad():
                snapshots[step] = G(snap_z)
        if step < steps:
            _iteration(remedy, G, D, opt_g, opt_d, draw_real, draw_z, noise_gen, unroll, n_critic, gp_weight)
    return G, D, snapshots
