"""The two players: small MLPs. The discriminator returns logits, one per sample."""
import math

import torch
from torch import nn

from . import _validate as validate

__all__ = ["ACTIVATIONS", "Generator", "Discriminator", "make_players"]

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "tanh": nn.Tanh, "elu": nn.ELU}


def _mlp(sizes, activation):
    """Linear layers of the given sizes with `activation` between them (lesson 01)."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def _hidden(hidden):
    """Check a tuple of hidden-layer widths; () means a single linear layer."""
    if isinstance(hidden, int):
        hidden = (hidden,)
    if not isinstance(hidden, (tuple, list)) or any(
            isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        validate.fail("hidden", hidden, "a tuple of whole numbers >= 1, e.g. (32,) or (128, 128), or ()")
    return tuple(hidden)


def _init(module, generator):
    """PyTorch's default Linear init, U(±1/√fan_in), drawn from an explicit generator (lesson 01)."""
    if generator is None:
        return
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "None or a torch.Generator")
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Linear):
                bound = 1 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)


class Generator(nn.Module):
    """G: noise z of shape (n, z_dim) ↦ samples of shape (n, x_dim) (lesson 01)."""

    def __init__(self, z_dim=1, x_dim=1, hidden=(32,), activation="relu", generator=None):
        super().__init__()
        self.z_dim, self.x_dim = validate.count("z_dim", z_dim), validate.count("x_dim", x_dim)
        validate.choice("activation", activation, tuple(ACTIVATIONS))
        self.net = _mlp((z_dim, *_hidden(hidden), x_dim), activation)
        _init(self, generator)

    def forward(self, z):
        return self.net(validate.batch("z", z, self.z_dim))


class Discriminator(nn.Module):
    """D: samples of shape (n, x_dim) ↦ logits of shape (n,); D(x) = sigmoid(logit) (lesson 01)."""

    def __init__(self, x_dim=1, hidden=(32,), activation="leaky_relu", generator=None):
        super().__init__()
        self.x_dim = validate.count("x_dim", x_dim)
        validate.choice("activation", activation, tuple(ACTIVATIONS))
        self.net = _mlp((x_dim, *_hidden(hidden), 1), activation)
        _init(self, generator)

    def forward(self, x):
        return self.net(validate.batch("x", x, self.x_dim)).squeeze(-1)


def make_players(seed, *, z_dim=1, x_dim=1, hidden=(32,), g_activation="relu", d_activation="leaky_relu"):
    """G then D, both initialised from one torch.Generator seeded `seed` (lesson 04)."""
    validate.count("seed", seed, 0)
    generator = torch.Generator().manual_seed(seed)
    G = Generator(z_dim, x_dim, hidden, g_activation, generator=generator)
    return G, Discriminator(x_dim, hidden, d_activation, generator=generator)
