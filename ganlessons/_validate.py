"""Argument checks shared by every public function: each raises a ValueError that names the
parameter, the value it got and what is allowed."""
import math

import torch


def fail(name, value, allowed):
    """Raise the package's one error shape: parameter, value, what is allowed."""
    raise ValueError(f"{name}={value!r} is not allowed: {name} must be {allowed}.")


def positive(name, value):
    """A finite number > 0 (a std, a radius, a learning rate)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        fail(name, value, "a finite number > 0")
    return float(value)


def non_negative(name, value):
    """A finite number >= 0 (a penalty weight, a smoothing amount)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        fail(name, value, "a finite number >= 0")
    return float(value)


def count(name, value, minimum=1):
    """A whole number >= minimum (a number of modes, steps, samples)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        fail(name, value, f"a whole number >= {minimum}")
    return value


def choice(name, value, allowed):
    """One of a few named options."""
    if value not in allowed:
        fail(name, value, "one of " + ", ".join(repr(a) for a in allowed))
    return value


def batch(name, x, dim):
    """A float tensor of shape (n, dim) with n >= 1."""
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != dim or x.shape[0] == 0:
        shown = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        fail(name, shown, f"a tensor of shape (n, {dim}) with n >= 1")
    return x


def logits(name, x):
    """A non-empty 1-D tensor of logits, one per sample."""
    if not isinstance(x, torch.Tensor) or x.dim() != 1 or x.numel() == 0:
        shown = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        fail(name, shown, "a non-empty 1-D tensor of logits (one per sample), as Discriminator returns")
    return x
