"""Many GANs at once (lesson 01): N independent runs as one batched tensor program. Weights are
stacked on a leading run axis, every linear layer is one torch.baddbmm, and Adam and SGD are
elementwise, so one optimizer over the stacked weights is N independent ones. The pieces:

- `StackedMLP` stacks N networks of one architecture; any stacked player mapping (N, n, in) to
  (N, m, out) with `parameters()` works with the rest (remedies stack their own Ds);
- `draw`: each run's samples from its own torch.Generator, exactly as `sample()` draws them;
- `d_step`, `g_step`: train.d_step and train.g_step for all runs at once;
- `run`: the loop: snapshots, one `iteration(step)` per step (a method's D and G updates, the plug-in
  point of every remedy), and a stop naming the step, run and seed once a run is not finite.
`train_many` is `run` with train.train_step's iteration.
"""
import copy
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import distributions as td, nn

from . import _validate as validate
from .data import event_dim, noise as noise_prior, sample
from .models import Discriminator, Generator, make_players
from .progress import bar as progress_bar
from .train import G_LOSSES, History, TrainingDiverged, divergence_advice, make_optimizer

__all__ = ["StackedMLP", "valid_seeds", "starting_players", "stack_players", "draw", "bce",
           "G_LOSSES_MANY", "descend", "d_step", "g_grads", "grad_norms", "g_step", "run",
           "STATS", "ManyHistory", "train_many"]


class StackedMLP:
    """N copies of one MLP architecture, weights stacked on a leading run axis (lesson 01).

    `nets` are modules whose layers are an nn.Sequential, given as such or as their `.net`."""

    def __init__(self, nets):
        layers = [list(getattr(net, "net", net)) for net in nets]
        if any(repr(ls) != repr(layers[0]) for ls in layers):
            validate.fail("players", [repr(ls) for ls in layers][:2], "(G, D) pairs that all have one architecture")
        linears = [[m for m in ls if isinstance(m, nn.Linear)] for ls in layers]
        self.weights = [torch.stack([ls[j].weight.detach() for ls in linears]).requires_grad_()
                        for j in range(len(linears[0]))]
        self.biases = [torch.stack([ls[j].bias.detach() for ls in linears]).requires_grad_()
                       for j in range(len(linears[0]))]
        self.activation = next((m for m in layers[0] if not isinstance(m, nn.Linear)), None)
        self.template = nets[0]

    def parameters(self):
        """The stacked weights and biases, layer by layer."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def __call__(self, x):
        """x of shape (N, n, in) ↦ (N, n, out): one batched matmul per layer."""
        last = len(self.weights) - 1
        for j, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b.unsqueeze(1), x, w.transpose(1, 2))
            x = _activate(self.activation, x) if j < last else x
        return x

    def unstack(self, i):
        """Run i's network as an ordinary module (a copy of the template with run i's weights)."""
        net = copy.deepcopy(self.template)
        with torch.no_grad():
            linears = [m for m in getattr(net, "net", net) if isinstance(m, nn.Linear)]
            for layer, w, b in zip(linears, self.weights, self.biases):
                layer.weight.copy_(w[i])
                layer.bias.copy_(b[i])
        return net


def _activate(activation, x):
    """Apply a layer's activation, in place for (leaky) ReLU: it saves a large temporary."""
    if isinstance(activation, nn.LeakyReLU) and activation.negative_slope > 0:
        return F.leaky_relu_(x, activation.negative_slope)
    return F.relu_(x) if isinstance(activation, nn.ReLU) else activation(x)


def valid_seeds(seeds):
    """The seeds as a tuple: a non-empty sequence of distinct whole numbers >= 0 (lesson 01)."""
    seeds = tuple(seeds) if isinstance(seeds, (list, tuple, range)) else seeds
    if not isinstance(seeds, tuple) or not seeds or len(set(seeds)) != len(seeds):
        validate.fail("seeds", seeds, "a non-empty list or range of distinct whole numbers >= 0")
    for s in seeds:
        validate.count("seeds[i]", s, 0)
    return seeds


def starting_players(players, seeds, x_dim, **arch):
    """One (G, D) pair per seed: the given ones, or make_players(seed, x_dim=x_dim, **arch) (lesson 01)."""
    if players is None:
        return [make_players(s, x_dim=x_dim, **arch) for s in seeds]
    players = list(players)
    if len(players) != len(seeds) or not all(
            isinstance(p, (tuple, list)) and len(p) == 2 and isinstance(p[0], Generator)
            and isinstance(p[1], Discriminator) for p in players):
        validate.fail("players", f"{len(players)} items", f"None or {len(seeds)} (Generator, Discriminator) pairs")
    return players


def stack_players(pairs):
    """(G, D) pairs as one stacked G and one stacked D; the pairs themselves are not changed (lesson 01)."""
    return StackedMLP([p[0] for p in pairs]), StackedMLP([p[1] for p in pairs])


def draw(dist, n, generators, dtype=torch.float32):
    """n samples per run, run i drawn with generators[i] exactly as sample() draws them: (N, n, dim) (lesson 01).

    `dist` is one distribution or a list of one per run. For one mixture or Gaussian only the random
    numbers are drawn run by run, transformed all at once with sample()'s arithmetic."""
    if isinstance(dist, (list, tuple)):
        if any(d is not dist[0] for d in dist):
            return torch.stack([sample(d, n, g) for d, g in zip(dist, generators)]).to(dtype)
        dist = dist[0]
    if isinstance(dist, td.MixtureSameFamily):
        probs, base = dist.mixture_distribution.probs, dist.component_distribution.base_dist
        which = torch.stack([torch.multinomial(probs, n, replacement=True, generator=g) for g in generators])
        eps = torch.stack([torch.randn(n, base.loc.shape[-1], generator=g) for g in generators])
        return (base.loc[which] + base.scale[which] * eps).to(dtype)   # each run: multinomial, then randn
    if isinstance(dist, td.Independent) and type(dist.base_dist) is td.Normal:
        eps = torch.stack([torch.randn(n, dist.base_dist.loc.shape[-1], generator=g) for g in generators])
        return (dist.base_dist.loc + dist.base_dist.scale * eps).to(dtype)
    return torch.stack([sample(dist, n, g) for g in generators]).to(dtype)


def bce(logits, label):
    """Per-run mean BCE with logits of shape (N, m, 1) against a constant label: shape (N,) (lesson 08)."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label),
                                              reduction="none").flatten(1).mean(1)


G_LOSSES_MANY = {"non_saturating": lambda fake: bce(fake, 1.0),            # −log D(G(z))
                 "saturating": lambda fake: F.logsigmoid(-fake).flatten(1).mean(1),   # log(1 − D(G(z)))
                 "wgan": lambda score: -score.flatten(1).mean(1)}            # −E[critic(G(z))]


def descend(opt, loss):
    """One optimizer step on per-run losses (N,): runs are independent, so the sum's gradient is each run's (lesson 08)."""
    opt.zero_grad()
    loss.sum().backward()
    opt.step()


def _r1(D, real, gamma):
    """The R1 penalty γ/2·E‖∇ₓ l(x)‖² of each run, shape (N,)."""
    real = real.detach().requires_grad_(True)
    grad, = torch.autograd.grad(D(real).sum(), real, create_graph=True)
    return gamma / 2 * grad.pow(2).sum(-1).mean(1)


def d_step(G, D, opt_d, real, z, *, r1_gamma=0.0, joint=True):
    """Block 1 for all runs: ½·BCE(D(x), 1) + ½·BCE(D(G(z).detach()), 0) per run (lesson 08).

    Returns per-run loss and the real and fake logits (N, m, 1). joint=True judges real and
    fake in one call of D (faster); a D that looks at its batch as a whole (minibatch std)
    needs joint=False. r1_gamma > 0 adds the R1 penalty, as train.d_step does.
    """
    with torch.no_grad():
        fake = G(z)                           # G is held fixed: no gradient flows into it
    if joint:
        real_logits, fake_logits = D(torch.cat([real, fake], 1)).chunk(2, 1)
    else:
        real_logits, fake_logits = D(real), D(fake)
    loss = 0.5 * bce(real_logits, 1.0) + 0.5 * bce(fake_logits, 0.0)
    descend(opt_d, loss + _r1(D, real, r1_gamma) if r1_gamma else loss)
    return loss.detach(), real_logits.detach(), fake_logits.detach()


def g_grads(G, D, z, g_loss="non_saturating"):
    """Each run's gradient of a generator loss w.r.t. the stacked G weights, and the losses (lesson 01).

    D is held fixed and nothing is updated: D's weights get no gradient."""
    loss = G_LOSSES_MANY[validate.choice("g_loss", g_loss, tuple(G_LOSSES_MANY))](D(G(z)))
    return list(torch.autograd.grad(loss.sum(), G.parameters())), loss.detach()


def grad_norms(grads):
    """Per-run L2 norm over a list of stacked (N, ...) gradients, shape (N,) (lesson 01)."""
    return torch.stack([g.pow(2).flatten(1).sum(1) for g in grads]).sum(0).sqrt()


def g_step(G, D, opt_g, z, g_loss="non_saturating"):
    """Block 2 for all runs: one G update through a fixed D; returns per-run loss and G's grad norm (lesson 01)."""
    grads, loss = g_grads(G, D, z, g_loss)
    for p, grad in zip(G.parameters(), grads):
        p.grad = grad
    opt_g.step()
    return loss, grad_norms(grads)


def _diverged(step, names, row, seeds, advice):
    """The message for the first run whose statistics stopped being finite."""
    i = int((~torch.isfinite(row)).any(0).nonzero()[0])
    bad = ", ".join(f"{name}={float(v)}" for name, v in zip(names, row[:, i]) if not math.isfinite(v))
    return f"Training diverged at step {step} in run {i} (seed {seeds[i]}): {bad}. {advice}"


def run(G, iteration, steps, seeds, names, *, snapshot_at=(), snap_z=None, progress=False, advice=""):
    """The training loop of every multi-seed trainer; returns (stats (len(names), steps, N), snapshots) (lesson 01).

    At each step in `snapshot_at` (0 = before training) G's output on the fixed noise `snap_z` is
    stored; then `iteration(step)` performs one step of all runs and returns one (N,) tensor per
    name. A non-finite value raises TrainingDiverged naming the step, the run, its seed and `advice`.
    """
    stats, snapshots, snapshot_at = None, {}, set(snapshot_at)
    desc = f"training {len(seeds)} GANs"
    for step in progress_bar(range(steps + 1), total=steps, desc=desc, enabled=progress):
        if step in snapshot_at:
            with torch.no_grad():
                snapshots[step] = G(snap_z)
        if step == steps:
            break
        row = torch.stack(list(iteration(step)))
        if not bool(torch.isfinite(row).all()):
            raise TrainingDiverged(_diverged(step, names, row, seeds, advice))
        if stats is None:
            stats = torch.zeros(len(names), steps, len(seeds), dtype=row.dtype)
        stats[:, step] = row
    return (torch.zeros(len(names), 0, len(seeds)) if stats is None else stats), snapshots


STATS = ("d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm")


@dataclass
class ManyHistory:
    """What train_many recorded: per-step statistics as (steps, N) tensors, snapshots as
    {step: (N, snapshot_size, x_dim)} tensors; run i is the run of seeds[i] (lesson 01)."""
    seeds: tuple
    stats: torch.Tensor                       # (5, steps, N) in the order of STATS
    snapshots: dict
    G: StackedMLP
    D: StackedMLP

    def __getattr__(self, name):
        if name in STATS:
            return self.stats[STATS.index(name)]
        raise AttributeError(name)

    def __len__(self):
        return self.stats.shape[1]

    def generator(self, i):
        """Run i's trained generator as a ganlessons Generator (e.g. to plot it)."""
        return self.G.unstack(validate.choice("i", i, range(len(self.seeds))))

    def discriminator(self, i):
        """Run i's trained discriminator as a ganlessons Discriminator."""
        return self.D.unstack(validate.choice("i", i, range(len(self.seeds))))

    def first_step(self, test):
        """For each run, the first snapshot step whose samples pass test(samples) -> bool, else nan (lesson 06)."""
        first = torch.full((len(self.seeds),), float("nan"))
        for step in sorted(self.snapshots, reverse=True):
            passed = torch.tensor([bool(test(x)) for x in self.snapshots[step]])
            first[passed] = float(step)
        return first

    def history(self, i):
        """Run i's statistics and snapshots as a History, as train_gan would return it."""
        validate.choice("i", i, range(len(self.seeds)))
        h = History(*[self.stats[j, :, i].tolist() for j in range(len(STATS))])
        h.snapshots = {step: snap[i] for step, snap in self.snapshots.items()}
        return h


def train_many(seeds, target, *, z_dim=1, hidden=(32,), g_activation="relu", d_activation="leaky_relu",
               players=None, steps=1000, batch_size=256, k=1, g_loss="non_saturating", optimizer_g="adam",
               optimizer_d="adam", lr_g=1e-3, lr_d=1e-3, momentum=0.0, r1_gamma=0.0, prior=None,
               snapshot_at=(), snapshot_size=1000, progress=True):
    """Train one GAN per seed, all at once as a batched tensor program; return a ManyHistory (lesson 01).

    Run i equals, to round-off, `G, D = make_players(seeds[i], ...)` followed by
    `train_gan(G, D, target, seed=seeds[i], ...)` with the same settings: same initial weights,
    and data and noise drawn from torch.Generator().manual_seed(seeds[i]) in train_step's order.
    x_dim is the target's dimension. `players` (optional) gives each run's own starting
    (Generator, Discriminator) pair instead, all of one architecture (the trainer copies them;
    they are not changed). Other arguments are those of train_gan. A run whose losses stop being
    finite stops all of them with TrainingDiverged naming the step, the run and its seed.

    Result: h.d_loss, h.g_loss, h.d_real, h.d_fake, h.g_grad_norm are (steps, N) tensors;
    h.snapshots[step] is (N, snapshot_size, x_dim); h.generator(i), h.discriminator(i) and
    h.history(i) give run i's trained players and its History; h.first_step(test) the first
    snapshot step at which each run's samples pass a test.
    """
    seeds = valid_seeds(seeds)
    for name, value in (("steps", steps), ("batch_size", batch_size), ("k", k), ("snapshot_size", snapshot_size)):
        validate.count(name, value, 0 if name == "steps" else 1)
    validate.choice("g_loss", g_loss, tuple(G_LOSSES))
    r1_gamma = validate.non_negative("r1_gamma", r1_gamma)
    pairs = starting_players(players, seeds, event_dim("target", target), z_dim=z_dim, hidden=hidden,
                             g_activation=g_activation, d_activation=d_activation)
    G, D = stack_players(pairs)
    prior = noise_prior(pairs[0][0].z_dim) if prior is None else prior
    opt_g = make_optimizer(G.parameters(), optimizer_g, lr_g, momentum=momentum, name_of="optimizer_g", lr_of="lr_g")
    opt_d = make_optimizer(D.parameters(), optimizer_d, lr_d, momentum=momentum, name_of="optimizer_d", lr_of="lr_d")
    dtype, generators = G.weights[0].dtype, [torch.Generator().manual_seed(s) for s in seeds]
    snap_z = draw(prior, snapshot_size, [torch.Generator().manual_seed(s) for s in seeds], dtype)

    def iteration(step):
        for _ in range(k):
            real, z = draw(target, batch_size, generators, dtype), draw(prior, batch_size, generators, dtype)
            dl, real_logits, fake_logits = d_step(G, D, opt_d, real, z, r1_gamma=r1_gamma)
        gl, norm = g_step(G, D, opt_g, draw(prior, batch_size, generators, dtype), g_loss)
        return dl, gl, torch.sigmoid(real_logits).flatten(1).mean(1), torch.sigmoid(fake_logits).flatten(1).mean(1), norm

    stats, snapshots = run(G, iteration, steps, seeds, STATS, snapshot_at=snapshot_at, snap_z=snap_z,
                           progress=progress, advice=divergence_advice(lr_g, lr_d, k))
    return ManyHistory(seeds, stats, snapshots, G, D)
