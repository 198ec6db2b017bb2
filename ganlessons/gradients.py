"""Probes of the generator's gradient as the discriminator grows confident (lesson 05).

Both freeze each seed's G and train its D alone, many seeds at once on the batched engine of
`ensemble`: `gradient_vs_d_steps` measures G's gradient under both generator losses along the
way; `confident_players` hands back the (G, confident D) pairs as a start for train_many.
"""
from dataclasses import dataclass

import torch

from . import _validate as validate
from .data import event_dim, noise as noise_prior
from .ensemble import d_step, draw, g_grads, grad_norms, stack_players, starting_players, valid_seeds
from .train import G_LOSSES, make_optimizer

__all__ = ["GradientSweep", "gradient_vs_d_steps", "confident_players"]


@dataclass
class GradientSweep:
    """What gradient_vs_d_steps measured: (checkpoints, N) tensors, and the last gradients (lesson 05)."""
    d_steps: tuple
    d_fake: torch.Tensor                      # mean D(G(z)) over a fixed noise batch
    norms: dict                               # g_loss name -> ‖∇θ_G‖ of each run
    grads: dict                               # g_loss name -> list of stacked (N, ...) gradients, per layer


def _frozen_g(seeds, target, players, z_dim, hidden, optimizer_d, lr_d, seed_offset=0):
    """Stacked players, D's optimizer, the noise prior and each run's generator for a D-only run."""
    seeds = valid_seeds(seeds)
    pairs = starting_players(players, seeds, event_dim("target", target), z_dim=z_dim, hidden=hidden)
    G, D = stack_players(pairs)
    opt_d = make_optimizer(D.parameters(), optimizer_d, lr_d, name_of="optimizer_d", lr_of="lr_d")
    generators = [torch.Generator().manual_seed(s + seed_offset) for s in seeds]
    return seeds, pairs, G, D, opt_d, noise_prior(pairs[0][0].z_dim), generators


def gradient_vs_d_steps(seeds, target, *, checkpoints=(0, 10, 100, 1000), players=None, z_dim=1,
                        hidden=(32,), batch_size=256, optimizer_d="adam", lr_d=1e-3, probe_size=1000):
    """Freeze each seed's G, train its D alone, and at each checkpoint (D steps taken) measure mean
    D(G(z)) and G's gradient norm under both generator losses on a fixed noise batch (lesson 05).

    Players come from make_players(seed, ...) unless `players` gives each run's (G, D) pair; data
    and noise are drawn from each run's own torch.Generator seeded with its seed.
    """
    checkpoints = sorted(set(checkpoints))
    if not checkpoints or any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in checkpoints):
        validate.fail("checkpoints", checkpoints, "a non-empty list of whole numbers >= 0 (D steps)")
    validate.count("batch_size", batch_size)
    seeds, _, G, D, opt_d, prior, generators = _frozen_g(seeds, target, players, z_dim, hidden, optimizer_d, lr_d)
    dtype = G.weights[0].dtype
    probe = draw(prior, validate.count("probe_size", probe_size), generators, dtype)
    d_fake, norms, grads = [], {name: [] for name in G_LOSSES}, {}
    for step in range(checkpoints[-1] + 1):
        if step in checkpoints:
            with torch.no_grad():
                d_fake.append(torch.sigmoid(D(G(probe))).mean((1, 2)))
            for name in G_LOSSES:
                grads[name] = g_grads(G, D, probe, name)[0]
                norms[name].append(grad_norms(grads[name]))
        if step < checkpoints[-1]:
            d_step(G, D, opt_d, draw(target, batch_size, generators, dtype), draw(prior, batch_size, generators, dtype))
    return GradientSweep(tuple(checkpoints), torch.stack(d_fake),
                         {name: torch.stack(v) for name, v in norms.items()}, grads)


def confident_players(seeds, target, *, d_steps=300, players=None, z_dim=1, hidden=(32,), batch_size=256,
                      optimizer_d="adam", lr_d=5e-3):
    """Each seed's (G, D) pair after training D alone for `d_steps` against its frozen G: a
    confident-D start for train_many(players=...) (lesson 06). Data and noise come from
    torch.Generator().manual_seed(seed + 1_000_003), apart from train_many's own streams."""
    validate.count("d_steps", d_steps, 0)
    validate.count("batch_size", batch_size)
    seeds, _, G, D, opt_d, prior, generators = _frozen_g(seeds, target, players, z_dim, hidden, optimizer_d, lr_d,
                                                         seed_offset=1_000_003)
    dtype = G.weights[0].dtype
    for _ in range(d_steps):
        d_step(G, D, opt_d, draw(target, batch_size, generators, dtype), draw(prior, batch_size, generators, dtype))
    return [(G.unstack(i), D.unstack(i)) for i in range(len(seeds))]
