"""Remedies for mode collapse as named, documented training options (lesson 08).

`train_2d(target, remedy=..., seeds=...)` trains one 2-D GAN per seed, all at once, on the
batched engine of `ganlessons.ensemble` (the one `train_many` uses), with one of REMEDIES. Each
remedy changes one thing of the vanilla GAN, and plugs into the engine as its discriminator
(stacked by `StackedDiscriminator`) and its iteration (ITERATIONS[remedy]: its D and G updates):

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
from torch import nn

from . import _validate as validate
from .data import noise as noise_prior
from .ensemble import StackedMLP, d_step, descend, draw, g_step, run, valid_seeds
from .models import ACTIVATIONS, Discriminator, Generator, _hidden, _init, _mlp
from .train import make_optimizer

__all__ = ["REMEDIES", "pack", "Packed", "minibatch_std_feature", "MinibatchStdDiscriminator",
           "make_discriminators", "StackedDiscriminator", "unrolled_g_step", "gradient_penalty",
           "wgan_gp_d_step", "wgan_g_step", "ITERATIONS", "train_2d"]

REMEDIES = ("none", "pac2", "pac4", "minibatch_std", "unrolled", "wgan_gp")


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


def make_discriminators(remedy, seeds, x_dim=2, hidden=(64, 64), generators=None):
    """One discriminator per seed, as the remedy needs it: packed, minibatch-std or plain (lesson 08)."""
    validate.choice("remedy", remedy, REMEDIES)
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


def unrolled_g_step(G, D, opt_g, opt_d, draw_real, draw_z, unroll=5):
    """G steps against D trained `unroll` steps further; then D and its optimizer are restored (lesson 08)."""
    validate.count("unroll", unroll)
    saved = [p.detach().clone() for p in D.parameters()]
    saved_opt = copy.deepcopy(opt_d.state_dict())
    for _ in range(unroll):
        d_step(G, D, opt_d, draw_real(), draw_z(), joint=False)
    loss, _ = g_step(G, D, opt_g, draw_z())
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
    descend(opt_d, loss)
    return loss.detach()


def wgan_g_step(G, D, opt_g, z):
    """One generator update per run of WGAN: minimise −E[D(G(z))] (lesson 08)."""
    return g_step(G, D, opt_g, z, "wgan")[0]


def _vanilla(p):
    """One D update on real and detached fakes, one G update with the non-saturating loss."""
    dl = d_step(p.G, p.D, p.opt_d, p.draw_real(), p.draw_z(), joint=False)[0]
    return dl, g_step(p.G, p.D, p.opt_g, p.draw_z())[0]


def _unrolled(p):
    """The vanilla D update, then G's update against D unrolled `unroll` steps ahead."""
    dl = d_step(p.G, p.D, p.opt_d, p.draw_real(), p.draw_z(), joint=False)[0]
    return dl, unrolled_g_step(p.G, p.D, p.opt_g, p.opt_d, p.draw_real, p.draw_z, p.unroll)


def _wgan_gp(p):
    """`n_critic` critic updates with the gradient penalty, then one WGAN generator update."""
    for _ in range(p.n_critic):
        dl = wgan_gp_d_step(p.G, p.D, p.opt_d, p.draw_real(), p.draw_z(), p.noise_gen, p.gp_weight)
    return dl, wgan_g_step(p.G, p.D, p.opt_g, p.draw_z())


# Each remedy's iteration: its D update(s), then its G update, for all runs; returns per-run
# (d_loss, g_loss). The argument holds the players, optimizers, draws and the remedy's settings.
ITERATIONS = {"none": _vanilla, "pac2": _vanilla, "pac4": _vanilla, "minibatch_std": _vanilla,
              "unrolled": _unrolled, "wgan_gp": _wgan_gp}


def _targets(target, n):
    """One target per run: a distribution for all runs, or a list with one per seed, all of one dimension."""
    targets = list(target) if isinstance(target, (list, tuple)) else [target] * n
    shapes = {tuple(getattr(t, "event_shape", ())) for t in targets}
    if len(targets) != n or len(shapes) != 1 or len(next(iter(shapes))) != 1:
        validate.fail("target", f"{len(targets)} target(s) of event shapes {sorted(shapes)}",
                   f"one distribution, or a list of {n} (one per seed) of one dimension")
    return targets


def train_2d(target, remedy="none", *, seeds=range(5), steps=1500, batch_size=128, z_dim=2,
             hidden=(64, 64), lr=1e-3, betas=(0.5, 0.999), unroll=5, n_critic=5, gp_weight=0.1,
             snapshot_at=None, snapshot_size=2500, progress=True):
    """Train one GAN per seed with `remedy`, all at once; return (G, D, {step: (N, size, dim) samples}) (lesson 08).

    `target` is one distribution for every run, or a list with one per seed (runs on
    different targets can share one batched program). Run i's G and D start from
    torch.Generator().manual_seed(seeds[i]) and its data and noise come from a second generator
    with that seed, as in `train_many` (so remedy="none" is train_many's run to round-off).
    Snapshots (default: only at the end) hold `snapshot_size` samples of each run's fixed noise
    batch. Adam with `lr`, `betas` for both players. `progress` shows a progress bar.
    """
    validate.choice("remedy", remedy, REMEDIES)
    seeds = valid_seeds(seeds)
    for name, value, least in (("steps", steps, 0), ("batch_size", batch_size, 4), ("n_critic", n_critic, 1),
                               ("snapshot_size", snapshot_size, 1), ("unroll", unroll, 1)):
        validate.count(name, value, least)
    validate.non_negative("gp_weight", gp_weight)
    targets = _targets(target, len(seeds))
    x_dim = targets[0].event_shape[0]
    inits = [torch.Generator().manual_seed(s) for s in seeds]
    G = StackedMLP([Generator(z_dim, x_dim, hidden, generator=g) for g in inits])
    D = StackedDiscriminator(make_discriminators(remedy, seeds, x_dim, hidden, inits))
    opt_g = make_optimizer(G.parameters(), lr=lr, betas=betas, lr_of="lr")
    opt_d = make_optimizer(D.parameters(), lr=lr, betas=betas, lr_of="lr")
    prior, data_gens = noise_prior(z_dim), [torch.Generator().manual_seed(s) for s in seeds]
    p = SimpleNamespace(G=G, D=D, opt_g=opt_g, opt_d=opt_d, unroll=unroll, n_critic=n_critic, gp_weight=gp_weight,
                        draw_real=lambda: draw(targets, batch_size, data_gens),
                        draw_z=lambda: draw(prior, batch_size, data_gens),
                        noise_gen=torch.Generator().manual_seed(seeds[0] + 1_000_003))  # the penalty's mixing weights
    snap_z = draw(prior, snapshot_size, [torch.Generator().manual_seed(s) for s in seeds])
    advice = f"Try a smaller learning rate (lr={lr})" + (" or a larger gp_weight." if remedy == "wgan_gp" else ".")
    _, snapshots = run(G, lambda step: ITERATIONS[remedy](p), steps, seeds, ("d_loss", "g_loss"),
                       snapshot_at={steps} if snapshot_at is None else snapshot_at, snap_z=snap_z, advice=advice,
                       progress=progress)
    return G, D, snapshots
