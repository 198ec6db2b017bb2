"""GANs that draw 8×8 digits (lessons 10–11): an MLP generator with a tanh output, a small DCGAN
(Radford et al. 2016: transposed convolutions 2×2 → 4×4 → 8×8), a class-conditional G and D
(Mirza & Osindero 2014: the label enters both as a one-hot vector), and a training loop that is
lesson 04's two-block step (`train.d_step`, `train.g_step`) with lesson 06's non-saturating loss.

Every network maps to and from flattened images of shape (n, 64·channels), so the evaluation
tools of `ganlessons.evaluate` read all of them alike; D returns logits of shape (n,).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from . import _validate as validate
from .digits import CLASSES, PIXELS, SIDE, _images, _labels, draw
from .models import Discriminator, Generator
from .remedies import MinibatchStdDiscriminator, Packed
from .train import History, TrainingDiverged, d_step, g_step, make_optimizer

__all__ = ["TanhGenerator", "DCGenerator", "DCDiscriminator", "ConditionalGenerator",
           "ConditionalDiscriminator", "Conditioned", "image_players", "KINDS", "STACKED_REMEDIES", "stacked_players",
           "train_images", "generate"]

KINDS = ("mlp", "dcgan", "conditional")
STACKED_REMEDIES = ("none", "pac2", "minibatch_std")


class TanhGenerator(Generator):
    """Lesson 01's MLP generator with a tanh at the end, so every pixel lies in (−1, 1) (lesson 10)."""

    def forward(self, z):
        return torch.tanh(super().forward(z))


class DCGenerator(nn.Module):
    """z ↦ a 2×2 map of `width` channels ↦ transposed convolutions to 4×4 and 8×8 ↦ tanh; (n, 64) (lesson 10)."""

    def __init__(self, z_dim=16, width=64, generator=None):
        super().__init__()
        self.z_dim, width = validate.count("z_dim", z_dim), validate.count("width", width)
        self.project = nn.Linear(z_dim, 2 * width * 2 * 2)
        self.up = nn.Sequential(
            nn.BatchNorm2d(2 * width), nn.ReLU(), nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1),  # 2→4
            nn.BatchNorm2d(width), nn.ReLU(), nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1))          # 4→8
        self.width = width
        _dcgan_init(self, generator)

    def forward(self, z):
        h = self.project(validate.batch("z", z, self.z_dim)).reshape(len(z), 2 * self.width, 2, 2)
        return torch.tanh(self.up(h)).reshape(len(z), PIXELS)


class DCDiscriminator(nn.Module):
    """(n, 64) ↦ an 8×8 image ↦ strided convolutions to 4×4 and 2×2 ↦ one logit per image (lesson 10)."""

    def __init__(self, width=64, generator=None):
        super().__init__()
        width = validate.count("width", width)
        self.x_dim = PIXELS
        self.down = nn.Sequential(nn.Conv2d(1, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),          # 8→4
                                  nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2))  # 4→2
        self.head = nn.Linear(2 * width * 2 * 2, 1)
        _dcgan_init(self, generator)

    def forward(self, x):
        h = self.down(validate.batch("x", x, PIXELS).reshape(len(x), 1, SIDE, SIDE))
        return self.head(h.flatten(1)).squeeze(-1)


def _dcgan_init(module, generator):
    """Radford et al.'s initialisation, weights N(0, 0.02²) and zero biases, from an explicit generator."""
    if generator is None:
        return
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "None or a torch.Generator")
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                layer.weight.normal_(0.0, 0.02, generator=generator)
                layer.bias.zero_()


def _one_hot(labels, n):
    """Digit labels as one-hot rows (n, 10), after checking them."""
    return F.one_hot(_labels("labels", labels, n), CLASSES).float()


class ConditionalGenerator(nn.Module):
    """G(z, y): noise and the one-hot digit y side by side into an MLP with a tanh output; (n, 64) (lesson 10)."""

    def __init__(self, z_dim=16, hidden=(256, 256), generator=None):
        super().__init__()
        self.z_dim = validate.count("z_dim", z_dim)
        self.net = TanhGenerator(z_dim + CLASSES, PIXELS, hidden, "leaky_relu", generator=generator)

    def forward(self, z, labels):
        z = validate.batch("z", z, self.z_dim)
        return self.net(torch.cat([z, _one_hot(labels, len(z))], dim=1))


class ConditionalDiscriminator(nn.Module):
    """D(x, y): the image and the one-hot digit y side by side into an MLP; logits (n,) (lesson 10)."""

    def __init__(self, hidden=(256, 256), generator=None):
        super().__init__()
        self.x_dim = PIXELS
        self.net = Discriminator(PIXELS + CLASSES, hidden, "leaky_relu", generator=generator)

    def forward(self, x, labels):
        x = validate.batch("x", x, PIXELS)
        return self.net(torch.cat([x, _one_hot(labels, len(x))], dim=1))


class Conditioned(nn.Module):
    """A conditional G or D with its labels fixed, so it is called like an unconditional one:
    Conditioned(G, y)(z) = G(z, y). This lets lesson 04's d_step and g_step train a conditional
    GAN unchanged (lesson 10)."""

    def __init__(self, net, labels):
        super().__init__()
        self.net, self.labels = net, labels

    def forward(self, x):
        return self.net(x, self.labels)


def image_players(kind, seed, *, z_dim=16, hidden=(128, 128), width=16):
    """(G, D) of one kind — "mlp", "dcgan" or "conditional" — initialised from a torch.Generator
    seeded `seed` (lesson 10). `hidden` sizes the MLPs, `width` the DCGAN's feature maps."""
    validate.choice("kind", kind, KINDS)
    generator = torch.Generator().manual_seed(validate.count("seed", seed, 0))
    if kind == "dcgan":
        return DCGenerator(z_dim, width, generator), DCDiscriminator(width, generator)
    if kind == "conditional":
        return ConditionalGenerator(z_dim, hidden, generator), ConditionalDiscriminator(hidden, generator)
    return (TanhGenerator(z_dim, PIXELS, hidden, "leaky_relu", generator=generator),
            Discriminator(PIXELS, hidden, "leaky_relu", generator=generator))


def stacked_players(remedy, seed, *, z_dim=32, g_hidden=(128, 128), d_hidden=(32, 32)):
    """(G, D) for stacked digits (n, 192), D with one of lesson 08's remedies: "none", "pac2"
    (PacGAN: D judges pairs) or "minibatch_std" (D sees its features' spread over groups of 4),
    both players initialised from a torch.Generator seeded `seed` (lesson 11)."""
    validate.choice("remedy", remedy, STACKED_REMEDIES)
    generator = torch.Generator().manual_seed(validate.count("seed", seed, 0))
    x_dim = 3 * PIXELS
    G = TanhGenerator(z_dim, x_dim, g_hidden, "leaky_relu", generator=generator)
    if remedy == "pac2":
        return G, Packed(Discriminator(2 * x_dim, d_hidden, "leaky_relu", generator=generator), 2)
    if remedy == "minibatch_std":
        return G, MinibatchStdDiscriminator(x_dim, d_hidden, "leaky_relu", group_size=4, generator=generator)
    return G, Discriminator(x_dim, d_hidden, "leaky_relu", generator=generator)


def train_images(G, D, images, *, labels=None, steps=3000, batch_size=128, lr=2e-4, betas=(0.5, 0.999),
                 seed=0, snapshot_at=(), snapshot_z=None, snapshot_labels=None):
    """Train G and D in place on digit images with the two-block step and the non-saturating loss;
    return the History (lesson 10).

    Each iteration draws a real batch (with replacement), updates D once on it and on detached
    fakes (`train.d_step`), then G once (`train.g_step`). With `labels`, G and D are conditional:
    the fakes are asked for the real batch's digits. All data and noise come from one
    torch.Generator seeded `seed`. At each step in `snapshot_at` (0 = before training) G's images
    for the fixed noise `snapshot_z` (and `snapshot_labels`) are stored in history.snapshots.
    `images` may also be a function (n, generator) ↦ a real batch, e.g. of stacked digits (lesson 11).
    """
    for name, value, least in (("steps", steps, 0), ("batch_size", batch_size, 1), ("seed", seed, 0)):
        validate.count(name, value, least)
    if not callable(images):
        images = _images("images", images)
    if labels is not None:
        _labels("labels", labels, len(images))
    opt_g, opt_d = make_optimizer(G.parameters(), lr=lr, betas=betas), make_optimizer(D.parameters(), lr=lr, betas=betas)
    generator, history = torch.Generator().manual_seed(seed), History()
    snapshot_at = set(snapshot_at)
    if snapshot_at and snapshot_z is None:
        validate.fail("snapshot_z", None, "a fixed noise batch (n, z_dim) when snapshot_at is given")
    for step in range(steps + 1):
        if step in snapshot_at:
            history.snapshots[step] = _sample(G, snapshot_z, snapshot_labels)
        if step == steps:
            break
        if callable(images):
            real, y = images(batch_size, generator), None
        elif labels is not None:
            real, y = draw(images, batch_size, generator, labels)
        else:
            real, y = draw(images, batch_size, generator), None
        g, d = (G, D) if y is None else (Conditioned(G, y), Conditioned(D, y))
        dl, real_logits, fake_logits = d_step(g, d, opt_d, real, torch.randn(batch_size, G.z_dim, generator=generator))
        gl, _, norm = g_step(g, d, opt_g, torch.randn(batch_size, G.z_dim, generator=generator))
        stats = {"d_loss": float(dl), "g_loss": float(gl), "d_real": float(torch.sigmoid(real_logits).mean()),
                 "d_fake": float(torch.sigmoid(fake_logits).mean()), "g_grad_norm": norm}
        if not all(math.isfinite(v) for v in stats.values()):
            raise TrainingDiverged(f"Training diverged at step {step}: {stats}. Try a smaller learning rate "
                                   f"(lr={lr}) or a smaller batch.")
        history.record(stats)
    return history


def _sample(G, z, labels=None):
    """G's images for a fixed noise batch (and labels), without tracking gradients."""
    with torch.no_grad():
        return G(z) if labels is None else G(z, labels)


def generate(G, n, generator, labels=None):
    """n images from G for fresh noise drawn from `generator` (and the asked digits `labels`) (lesson 10)."""
    validate.count("n", n)
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "a torch.Generator, e.g. torch.Generator().manual_seed(0)")
    return _sample(G, torch.randn(n, G.z_dim, generator=generator), labels)

