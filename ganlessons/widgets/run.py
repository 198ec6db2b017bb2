"""The playground's training run without any display (lesson 04): its settings, players,
optimizers, history and stepping. The view draws it and the app's controls set it; tests and
benchmarks drive it alone.
"""
import math

import torch

from .. import _validate as validate
from ..data import gaussian, grid, mixture_1d, noise, random_gaussian, ring, sample
from ..models import Discriminator, Generator
from ..train import (G_LOSSES, OPTIMIZERS, History, TrainingDiverged, d_step, divergence_message, g_step,
                     make_optimizer, train_step)

__all__ = ["DATASETS", "SETTINGS", "DEFAULTS", "STRUCTURAL", "playground_target", "checked_setting",
           "kde_1d", "d_star_1d", "generator_push", "PlaygroundRun"]

# name: (label in the dropdown, dimension, half-width of the view)
DATASETS = {"gaussian": ("Gaussian (1D)", 1, 4.0), "bimodal": ("bimodal (1D)", 1, 4.0),
            "gaussian2d": ("Gaussian (2D)", 2, 5.0), "ring": ("ring of 8 (2D)", 2, 3.0),
            "grid": ("5×5 grid (2D)", 2, 5.5)}

# Every setting: (kind, allowed). "choice": the allowed values; "int": (min, max); "log": (10^min, 10^max).
SETTINGS = {"dataset": ("choice", tuple(DATASETS)), "prior": ("choice", ("normal", "uniform")),
            "z_dim": ("int", (1, 10)), "g_loss": ("choice", tuple(G_LOSSES)),
            "optimizer_g": ("choice", OPTIMIZERS), "optimizer_d": ("choice", OPTIMIZERS),
            "lr_g": ("log", (-5, -0.5)), "lr_d": ("log", (-5, -0.5)), "k": ("int", (1, 10)),
            "width": ("choice", (4, 8, 16, 32, 64, 128)), "layers": ("int", (1, 3)),
            "batch_size": ("choice", (16, 32, 64, 128, 256, 512, 1024)), "seed": ("int", (0, 10 ** 6)),
            "speed": ("int", (1, 100))}
DEFAULTS = {"dataset": "bimodal", "prior": "normal", "z_dim": 1, "g_loss": "non_saturating",
            "optimizer_g": "adam", "optimizer_d": "adam", "lr_g": 1e-3, "lr_d": 1e-3, "k": 1,
            "width": 32, "layers": 1, "batch_size": 256, "seed": 0, "speed": 10}
STRUCTURAL = ("dataset", "prior", "z_dim", "optimizer_g", "optimizer_d", "width", "layers", "seed")  # restart


def playground_target(name, seed=0):
    """The playground's target distributions: N(1.5, 0.5²), the bimodal mixture, ring, grid (lesson 04)."""
    validate.choice("dataset", name, tuple(DATASETS))
    if name == "gaussian":
        return gaussian(1.5, 0.5)
    if name == "bimodal":
        return mixture_1d()
    if name == "gaussian2d":
        return random_gaussian(2, torch.Generator().manual_seed(validate.count("seed", seed, 0)))
    return ring() if name == "ring" else grid()


def checked_setting(name, value):
    """Validate a value for a setting; a ValueError names the setting, the value, what is allowed (lesson 04)."""
    if name not in SETTINGS:
        validate.fail(name, value, "not a control; controls are " + ", ".join(SETTINGS))
    kind, allowed = SETTINGS[name]
    if kind == "choice":
        ok = any(value == a and type(value) is type(a) for a in allowed)
        return value if ok else validate.fail(name, value, "one of " + ", ".join(repr(a) for a in allowed))
    if kind == "log":
        value, (lo, hi) = validate.positive(name, value), (10.0 ** allowed[0], 10.0 ** allowed[1])
        if not lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9):
            validate.fail(name, value, f"between {lo:.0e} and {hi:.2g}")
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not allowed[0] <= value <= allowed[1]:
        validate.fail(name, value, f"a whole number from {allowed[0]} to {allowed[1]}")
    return value


def kde_1d(samples, x, bandwidth=None, min_bandwidth=0.02):
    """Gaussian kernel density estimate of 1-D samples at points x; Scott's rule bandwidth by default (lesson 04)."""
    s, x = samples.detach().reshape(-1).float(), x.detach().reshape(-1).float()
    h = 1.06 * float(s.std()) * s.numel() ** -0.2 if bandwidth is None else validate.positive("bandwidth", bandwidth)
    h = max(h, min_bandwidth) if math.isfinite(h) else min_bandwidth
    u = (x[:, None] - s[None, :]) / h
    return torch.exp(-0.5 * u * u).mean(1) / (h * math.sqrt(2 * math.pi))


def d_star_1d(real, fake, x, bandwidth=None):
    """An estimate of the best discriminator D*(x) = p_data / (p_data + p_g) from 1-D samples (lesson 04).

    Both densities are kernel estimates with the same bandwidth (Scott's rule on the real samples by
    default), so that smoothing blurs them alike: for fakes drawn from p_data the estimate is ½ up
    to sampling noise. (Dividing the exact p_data by a smoothed p_g would not be: it reads > ½ at the
    modes and ≈ 0 between them even for a perfect generator.)
    """
    real = real.detach().reshape(-1).float()
    h = 1.06 * float(real.std()) * real.numel() ** -0.2 if bandwidth is None else validate.positive("bandwidth", bandwidth)
    h = h if math.isfinite(h) and h > 0.02 else 0.02
    p_data, p_g = kde_1d(real, x, bandwidth=h), kde_1d(fake, x, bandwidth=h)
    return p_data / (p_data + p_g).clamp_min(1e-30)


def generator_push(G, D, z, g_loss="non_saturating"):
    """Fakes x = G(z) and the G loss's push on each one, −∂loss_i/∂x_i: the playground's arrows (lesson 04)."""
    validate.choice("g_loss", g_loss, tuple(G_LOSSES))
    x = G(z).detach().requires_grad_(True)
    loss = G_LOSSES[g_loss](D(x)) * x.shape[0]            # the sum of per-sample losses
    grad, = torch.autograd.grad(loss, x)
    return x.detach(), -grad


class PlaygroundRun:
    """One GAN training run of the playground, stepped by hand (lesson 04).

    `settings` are the playground's (see SETTINGS and DEFAULTS); `view_size` samples of the target
    and of a fixed noise batch are kept for the view, drawn apart from the training randomness.
    Changing a structural setting through `set` restarts the run; a learning rate changes the
    running optimizer's; the others act on the next step.
    """

    def __init__(self, view_size=1000, **settings):
        self.view_size = validate.count("view_size", view_size, 10)
        self.settings = {name: checked_setting(name, value) for name, value in {**DEFAULTS, **settings}.items()}
        self.reset()

    def __getattr__(self, name):
        settings = self.__dict__.get("settings", {})
        if name in settings:
            return settings[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def dim(self):
        """1 or 2: the dimension of the current dataset."""
        return DATASETS[self.dataset][1]

    def set(self, name, value):
        """Change one setting (checked first); True when it restarted the run (lesson 04)."""
        self.settings[name] = checked_setting(name, value)
        if name in STRUCTURAL:
            self.reset()
            return True
        if name in ("lr_g", "lr_d"):
            for group in (self.opt_g if name == "lr_g" else self.opt_d).param_groups:
                group["lr"] = value
        return False

    def reset(self):
        """Start a fresh run from the current settings: new players, optimizers and history (lesson 04)."""
        init = torch.Generator().manual_seed(self.seed)
        hidden = (self.width,) * self.layers
        self.target, self.noise = playground_target(self.dataset, self.seed), noise(self.z_dim, self.prior)
        self.G = Generator(self.z_dim, self.dim, hidden, generator=init)
        self.D = Discriminator(self.dim, hidden, generator=init)
        self.opt_g = make_optimizer(self.G.parameters(), self.optimizer_g, self.lr_g, name_of="optimizer_g",
                                    lr_of="lr_g")
        self.opt_d = make_optimizer(self.D.parameters(), self.optimizer_d, self.lr_d, name_of="optimizer_d",
                                    lr_of="lr_d")
        self.rng, self.history = torch.Generator().manual_seed(self.seed), History()
        self.d_steps = self.g_steps = 0
        view = torch.Generator().manual_seed(self.seed + 1)     # what is drawn never disturbs training
        self.view_real = sample(self.target, self.view_size, view)
        self.view_z = sample(self.noise, self.view_size, view)

    def step(self, n=1):
        """n iterations of Algorithm 1 (train_step: k D steps, one G step); returns the History (lesson 04)."""
        for _ in range(validate.count("n", n)):
            stats = train_step(self.G, self.D, self.opt_g, self.opt_d, self.target, self.noise, self.rng,
                               self.batch_size, self.k, self.g_loss)
            if not all(math.isfinite(v) for v in stats.values()):
                raise TrainingDiverged(divergence_message(len(self.history), stats, self.lr_g, self.lr_d, self.k))
            self.history.record(stats)
            self.d_steps, self.g_steps = self.d_steps + self.k, self.g_steps + 1
        return self.history

    def step_d(self):
        """One discriminator update alone (block 1 of Algorithm 1) (lesson 04)."""
        real, z = sample(self.target, self.batch_size, self.rng), sample(self.noise, self.batch_size, self.rng)
        d_step(self.G, self.D, self.opt_d, real, z)
        self.d_steps += 1

    def step_g(self):
        """One generator update alone (block 2 of Algorithm 1) (lesson 04)."""
        g_step(self.G, self.D, self.opt_g, sample(self.noise, self.batch_size, self.rng), self.g_loss)
        self.g_steps += 1
