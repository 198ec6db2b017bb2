"""The canonical two-block training step and a training loop that records what happened.

Block 1 updates D on a real batch and on fakes that are *detached* from G; block 2 updates G
through a D that is held fixed (only G's optimizer steps). Both work on logits.
"""
import copy
import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import distributions as td, nn
from tqdm.auto import tqdm

from . import _validate as check
from .data import noise as noise_prior, sample
from .losses import d_loss, g_loss_non_saturating, g_loss_saturating, r1_penalty
from .models import Discriminator, Generator

__all__ = ["G_LOSSES", "make_optimizer", "d_step", "g_step", "train_step", "grad_norm",
           "History", "TrainingDiverged", "train_gan"]

G_LOSSES = {"non_saturating": g_loss_non_saturating, "saturating": g_loss_saturating}


class TrainingDiverged(FloatingPointError):
    """Raised when a loss becomes NaN or infinite; the message names the step and what to try."""


def make_optimizer(params, name="adam", lr=1e-3, betas=(0.5, 0.999), momentum=0.0):
    """Adam (β1 = 0.5, as in DCGAN) or plain SGD with optional momentum (lesson 04)."""
    check.choice("optimizer", name, ("adam", "sgd"))
    check.positive("lr", lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    return torch.optim.SGD(params, lr=lr, momentum=check.non_negative("momentum", momentum))


def grad_norm(module):
    """The L2 norm of all parameter gradients of a module, 0 if none (lesson 05)."""
    grads = [p.grad.detach().reshape(-1) for p in module.parameters() if p.grad is not None]
    return float(torch.cat(grads).norm()) if grads else 0.0


def d_step(G, D, opt_d, real, z, r1_gamma=0.0):
    """Block 1: one discriminator update on real data and detached fakes (lesson 04).

    With r1_gamma > 0, D minimises its loss plus the R1 penalty r1_penalty(D, real, r1_gamma)
    (lesson 09); the returned loss is the BCE part alone either way.
    """
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
    fake_logits = D(G(z))
    loss = G_LOSSES[g_loss](fake_logits)
    opt_g.zero_grad()
    loss.backward()                           # D's grads are filled too, but only opt_g steps
    norm = grad_norm(G)
    opt_g.step()
    return loss.detach(), fake_logits.detach(), norm


def train_step(G, D, opt_g, opt_d, target, prior, generator, batch_size=256, k=1,
               g_loss="non_saturating", r1_gamma=0.0):
    """Goodfellow et al.'s Algorithm 1 for one iteration: k D updates, then one G update (lesson 04)."""
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


def _diverged(step, stats, lr_g, lr_d, k):
    """The message for a run whose losses stopped being finite."""
    bad = ", ".join(f"{key}={val}" for key, val in stats.items() if not math.isfinite(val))
    return (f"Training diverged at step {step}: {bad}. Try a smaller learning rate "
            f"(lr_g={lr_g}, lr_d={lr_d}), Adam instead of SGD, or fewer D steps per G step (k={k}).")


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
    check.count("steps", steps, 0)
    check.count("batch_size", batch_size)
    check.count("k", k)
    check.choice("g_loss", g_loss, tuple(G_LOSSES))
    check.count("seed", seed, 0)
    prior = noise_prior(G.z_dim) if prior is None else prior
    r1_gamma = check.non_negative("r1_gamma", r1_gamma)
    opt_g = make_optimizer(G.parameters(), optimizer_g, lr_g, momentum=momentum)
    opt_d = make_optimizer(D.parameters(), optimizer_d, lr_d, momentum=momentum)
    generator, history = torch.Generator().manual_seed(seed), History()
    for step in tqdm(range(steps + 1), disable=not progress, desc="training", mininterval=0.5):
        if step in snapshot_at:
            history.snapshots[step] = _snapshot(G, prior, snapshot_size, seed)
        if step == steps:
            break
        stats = train_step(G, D, opt_g, opt_d, target, prior, generator, batch_size, k, g_loss, r1_gamma)
        if not all(math.isfinite(v) for v in stats.values()):
            raise TrainingDiverged(_diverged(step, stats, lr_g, lr_d, k))
        history.record(stats)
    return history


# --- Many runs at once (lesson 05): N independent GANs as one batched tensor program. Each
# player's weights are stacked on a leading model axis and every layer is one torch.baddbmm;
# Adam and SGD are elementwise, so one optimizer over the stacked weights is N independent ones.

def make_players(seed, *, z_dim=1, x_dim=1, hidden=(32,), g_activation="relu", d_activation="leaky_relu"):
    """G then D, both initialised from one torch.Generator seeded `seed` (lesson 05)."""
    check.count("seed", seed, 0)
    generator = torch.Generator().manual_seed(seed)
    G = Generator(z_dim, x_dim, hidden, g_activation, generator=generator)
    return G, Discriminator(x_dim, hidden, d_activation, generator=generator)


class StackedMLP:
    """N copies of one MLP architecture, weights stacked on a leading model axis (lesson 05)."""

    def __init__(self, nets):
        layers = [list(net.net) for net in nets]
        if any(repr(ls) != repr(layers[0]) for ls in layers):
            check.fail("players", [repr(ls) for ls in layers][:2], "(G, D) pairs that all have one architecture")
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
            linears = [m for m in net.net if isinstance(m, nn.Linear)]
            for layer, w, b in zip(linears, self.weights, self.biases):
                layer.weight.copy_(w[i])
                layer.bias.copy_(b[i])
        return net


def _activate(activation, x):
    """Apply a layer's activation, in place for (leaky) ReLU: it saves a large temporary."""
    if isinstance(activation, nn.LeakyReLU) and activation.negative_slope > 0:
        return F.leaky_relu_(x, activation.negative_slope)
    return F.relu_(x) if isinstance(activation, nn.ReLU) else activation(x)


def _bce_many(logits, label):
    """Per-run mean BCE with logits against a constant label, shape (N,)."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label), reduction="none").mean(1)


G_LOSSES_MANY = {"non_saturating": lambda fake: _bce_many(fake, 1.0),
                 "saturating": lambda fake: F.logsigmoid(-fake).mean(1)}


def _draw(dist, n, generators, dtype):
    """n samples per run from each run's own generator, exactly as sample() draws them: (N, n, dim).

    Mixtures and Gaussians (the common case) draw only the random numbers run by run and
    transform them all at once, with sample()'s arithmetic; anything else calls sample() per run.
    """
    if isinstance(dist, td.MixtureSameFamily):
        probs, base = dist.mixture_distribution.probs, dist.component_distribution.base_dist
        which = torch.stack([torch.multinomial(probs, n, replacement=True, generator=g) for g in generators])
        eps = torch.stack([torch.randn(n, base.loc.shape[-1], generator=g) for g in generators])
        return (base.loc[which] + base.scale[which] * eps).to(dtype)   # each run: multinomial, then randn
    if isinstance(dist, td.Independent) and type(dist.base_dist) is td.Normal:
        eps = torch.stack([torch.randn(n, dist.base_dist.loc.shape[-1], generator=g) for g in generators])
        return (dist.base_dist.loc + dist.base_dist.scale * eps).to(dtype)
    return torch.stack([sample(dist, n, g) for g in generators]).to(dtype)


def _r1_many(D, real, gamma):
    """The R1 penalty γ/2·E‖∇ₓ l(x)‖² of each run, shape (N,)."""
    real = real.detach().requires_grad_(True)
    grad, = torch.autograd.grad(D(real).sum(), real, create_graph=True)
    return gamma / 2 * grad.pow(2).sum(-1).mean(1)


def _d_step_many(G, D, opt_d, real, z, r1_gamma):
    """Block 1 for all runs at once; returns per-run D loss and the real and fake logits."""
    with torch.no_grad():
        fake = G(z)
    real_logits, fake_logits = D(torch.cat([real, fake], 1)).squeeze(-1).split(real.shape[1], 1)
    loss = 0.5 * _bce_many(real_logits, 1.0) + 0.5 * _bce_many(fake_logits, 0.0)
    penalty = _r1_many(D, real, r1_gamma) if r1_gamma else 0.0
    opt_d.zero_grad()
    (loss + penalty).sum().backward()         # runs are independent: the sum's gradient is each run's
    opt_d.step()
    return loss.detach(), real_logits.detach(), fake_logits.detach()


def _g_step_many(G, D, opt_g, z, g_loss):
    """Block 2 for all runs at once; returns per-run G loss and G's gradient norm."""
    loss = G_LOSSES_MANY[g_loss](D(G(z)).squeeze(-1))
    grads = torch.autograd.grad(loss.sum(), G.parameters())    # G only: D's gradients are not needed
    for p, grad in zip(G.parameters(), grads):
        p.grad = grad
    norm = torch.stack([grad.pow(2).flatten(1).sum(1) for grad in grads]).sum(0).sqrt()
    opt_g.step()
    return loss.detach(), norm


STATS = ("d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm")


@dataclass
class ManyHistory:
    """What train_many recorded: per-step statistics as (steps, N) tensors, snapshots as
    {step: (N, snapshot_size, x_dim)} tensors; run i is the run of seeds[i] (lesson 05)."""
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
        return self.G.unstack(check.choice("i", i, range(len(self.seeds))))

    def discriminator(self, i):
        """Run i's trained discriminator as a ganlessons Discriminator."""
        return self.D.unstack(check.choice("i", i, range(len(self.seeds))))

    def first_step(self, test):
        """For each run, the first snapshot step whose samples pass test(samples) -> bool, else nan (lesson 06)."""
        first = torch.full((len(self.seeds),), float("nan"))
        for step in sorted(self.snapshots, reverse=True):
            passed = torch.tensor([bool(test(x)) for x in self.snapshots[step]])
            first[passed] = float(step)
        return first

    def history(self, i):
        """Run i's statistics and snapshots as a History, as train_gan would return it."""
        check.choice("i", i, range(len(self.seeds)))
        h = History(*[self.stats[j, :, i].tolist() for j in range(len(STATS))])
        h.snapshots = {step: snap[i] for step, snap in self.snapshots.items()}
        return h


def _seeds(seeds):
    """A non-empty sequence of distinct whole numbers >= 0."""
    seeds = tuple(seeds) if isinstance(seeds, (list, tuple, range)) else seeds
    if not isinstance(seeds, tuple) or not seeds or len(set(seeds)) != len(seeds):
        check.fail("seeds", seeds, "a non-empty list or range of distinct whole numbers >= 0")
    for s in seeds:
        check.count("seeds[i]", s, 0)
    return seeds


def _players(players, seeds, x_dim, **arch):
    """One (G, D) pair per seed: given, or made by make_players(seed, ...)."""
    if players is None:
        return [make_players(s, x_dim=x_dim, **arch) for s in seeds]
    players = list(players)
    if len(players) != len(seeds) or not all(
            isinstance(p, (tuple, list)) and len(p) == 2 and isinstance(p[0], Generator)
            and isinstance(p[1], Discriminator) for p in players):
        check.fail("players", f"{len(players)} items", f"None or {len(seeds)} (Generator, Discriminator) pairs")
    return players


def _diverged_many(step, stats, seeds, lr_g, lr_d, k):
    """The message for the first run whose statistics stopped being finite."""
    i = int((~torch.isfinite(stats)).any(0).nonzero()[0])
    msg = _diverged(step, {name: float(v) for name, v in zip(STATS, stats[:, i])}, lr_g, lr_d, k)
    return msg.replace(f"at step {step}:", f"at step {step} in run {i} (seed {seeds[i]}):", 1)


def train_many(seeds, target, *, z_dim=1, hidden=(32,), g_activation="relu", d_activation="leaky_relu",
               players=None, steps=1000, batch_size=256, k=1, g_loss="non_saturating", optimizer_g="adam",
               optimizer_d="adam", lr_g=1e-3, lr_d=1e-3, momentum=0.0, r1_gamma=0.0, prior=None,
               snapshot_at=(), snapshot_size=1000, progress=True):
    """Train one GAN per seed, all at once as a batched tensor program; return a ManyHistory (lesson 05).

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
    seeds = _seeds(seeds)
    for name, value in (("steps", steps), ("batch_size", batch_size), ("k", k), ("snapshot_size", snapshot_size)):
        check.count(name, value, 0 if name == "steps" else 1)
    check.choice("g_loss", g_loss, tuple(G_LOSSES))
    r1_gamma = check.non_negative("r1_gamma", r1_gamma)
    event = getattr(target, "event_shape", None)
    if event is None or len(event) != 1:
        check.fail("target", type(target).__name__, "a distribution from ganlessons.data with shape (dim,)")
    pairs = _players(players, seeds, event[0], z_dim=z_dim, hidden=hidden,
                     g_activation=g_activation, d_activation=d_activation)
    G, D = StackedMLP([p[0] for p in pairs]), StackedMLP([p[1] for p in pairs])
    prior = noise_prior(pairs[0][0].z_dim) if prior is None else prior
    opt_g = make_optimizer(G.parameters(), optimizer_g, lr_g, momentum=momentum)
    opt_d = make_optimizer(D.parameters(), optimizer_d, lr_d, momentum=momentum)
    dtype, generators = G.weights[0].dtype, [torch.Generator().manual_seed(s) for s in seeds]
    snap_z = _draw(prior, snapshot_size, [torch.Generator().manual_seed(s) for s in seeds], dtype)
    stats, snapshots, snapshot_at = torch.zeros(len(STATS), steps, len(seeds), dtype=dtype), {}, set(snapshot_at)
    for step in tqdm(range(steps + 1), disable=not progress, desc=f"training {len(seeds)} GANs", mininterval=0.5):
        if step in snapshot_at:
            with torch.no_grad():
                snapshots[step] = G(snap_z)
        if step == steps:
            break
        for _ in range(k):
            real, z = _draw(target, batch_size, generators, dtype), _draw(prior, batch_size, generators, dtype)
            dl, real_logits, fake_logits = _d_step_many(G, D, opt_d, real, z, r1_gamma)
        gl, norm = _g_step_many(G, D, opt_g, _draw(prior, batch_size, generators, dtype), g_loss)
        row = torch.stack([dl, gl, torch.sigmoid(real_logits).mean(1), torch.sigmoid(fake_logits).mean(1), norm])
        if not bool(torch.isfinite(row).all()):
            raise TrainingDiverged(_diverged_many(step, row, seeds, lr_g, lr_d, k))
        stats[:, step] = row
    return ManyHistory(seeds, stats, snapshots, G, D)


__all__ += ["make_players", "StackedMLP", "ManyHistory", "train_many"]


# --- The generator's gradient as the discriminator grows confident (lesson 05)

def _stacked_grads(G, D, z, g_loss):
    """Each run's gradient of a generator loss w.r.t. the stacked G parameters; nothing is updated."""
    loss = G_LOSSES_MANY[g_loss](D(G(z)).squeeze(-1))
    return [g.detach() for g in torch.autograd.grad(loss.sum(), G.parameters())]


def _norms(grads):
    """Per-run L2 norm over a list of stacked (N, ...) gradients, shape (N,)."""
    return torch.stack([g.pow(2).flatten(1).sum(1) for g in grads]).sum(0).sqrt()


@dataclass
class GradientSweep:
    """What gradient_vs_d_steps measured: (checkpoints, N) tensors, and the last gradients (lesson 05)."""
    d_steps: tuple
    d_fake: torch.Tensor                      # mean D(G(z)) over a fixed noise batch
    norms: dict                               # g_loss name -> ‖∇θ_G‖ of each run
    grads: dict                               # g_loss name -> list of stacked (N, ...) gradients, per layer


def gradient_vs_d_steps(seeds, target, *, checkpoints=(0, 10, 100, 1000), players=None, z_dim=1,
                        hidden=(32,), batch_size=256, optimizer_d="adam", lr_d=1e-3, probe_size=1000):
    """Freeze each seed's G, train its D alone, and at each checkpoint (D steps taken) measure mean
    D(G(z)) and G's gradient norm under both generator losses on a fixed noise batch (lesson 05).

    Players come from make_players(seed, ...) unless `players` gives each run's (G, D) pair; data
    and noise are drawn from each run's own torch.Generator seeded with its seed.
    """
    seeds = _seeds(seeds)
    checkpoints = sorted(set(checkpoints))
    if not checkpoints or any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in checkpoints):
        check.fail("checkpoints", checkpoints, "a non-empty list of whole numbers >= 0 (D steps)")
    pairs = _players(players, seeds, target.event_shape[0], z_dim=z_dim, hidden=hidden,
                     g_activation="relu", d_activation="leaky_relu")
    G, D = StackedMLP([p[0] for p in pairs]), StackedMLP([p[1] for p in pairs])
    opt_d, prior = make_optimizer(D.parameters(), optimizer_d, lr_d), noise_prior(pairs[0][0].z_dim)
    generators, dtype = [torch.Generator().manual_seed(s) for s in seeds], G.weights[0].dtype
    probe = _draw(prior, check.count("probe_size", probe_size), generators, dtype)
    d_fake, norms, grads = [], {name: [] for name in G_LOSSES}, {}
    for step in range(checkpoints[-1] + 1):
        if step in checkpoints:
            with torch.no_grad():
                d_fake.append(torch.sigmoid(D(G(probe))).mean((1, 2)))
            for name in G_LOSSES:
                grads[name] = _stacked_grads(G, D, probe, name)
                norms[name].append(_norms(grads[name]))
        if step < checkpoints[-1]:
            real, z = _draw(target, batch_size, generators, dtype), _draw(prior, batch_size, generators, dtype)
            _d_step_many(G, D, opt_d, real, z, 0.0)
    return GradientSweep(tuple(checkpoints), torch.stack(d_fake),
                         {name: torch.stack(v) for name, v in norms.items()}, grads)


__all__ += ["GradientSweep", "gradient_vs_d_steps"]


def confident_players(seeds, target, *, d_steps=300, players=None, z_dim=1, hidden=(32,), batch_size=256,
                      optimizer_d="adam", lr_d=5e-3):
    """Each seed's (G, D) pair after training D alone for `d_steps` against its frozen G: a
    confident-D start for train_many(players=...) (lesson 05). Data and noise come from
    torch.Generator().manual_seed(seed + 1_000_003), apart from train_many's own streams."""
    seeds = _seeds(seeds)
    check.count("d_steps", d_steps, 0)
    pairs = _players(players, seeds, target.event_shape[0], z_dim=z_dim, hidden=hidden,
                     g_activation="relu", d_activation="leaky_relu")
    G, D = StackedMLP([p[0] for p in pairs]), StackedMLP([p[1] for p in pairs])
    opt_d, prior = make_optimizer(D.parameters(), optimizer_d, lr_d), noise_prior(pairs[0][0].z_dim)
    generators, dtype = [torch.Generator().manual_seed(s + 1_000_003) for s in seeds], G.weights[0].dtype
    for _ in range(d_steps):
        real, z = _draw(target, batch_size, generators, dtype), _draw(prior, batch_size, generators, dtype)
        _d_step_many(G, D, opt_d, real, z, 0.0)
    return [(G.unstack(i), D.unstack(i)) for i in range(len(seeds))]


__all__ += ["confident_players"]
