"""Self-checks for the exercises. Each takes the learner's function, runs it on known cases and
prints ✓ or ✗ with what differed and a hint. They never raise: a crash in the learner's code is
reported as ✗ with the exception."""
import torch

from .data import mixture_1d, noise, sample
from .metrics import mode_shares, wasserstein_1d

# Checks are called as gl.check.<name>(your_fn); the module is not star-imported.


class Verdict:
    """A check's outcome: true when it passed. Shows nothing in a notebook (the check printed it)."""

    def __init__(self, ok):
        self.ok = bool(ok)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return "✓" if self.ok else "✗"

    def _ipython_display_(self):
        pass


def verdict(ok, name, detail, hint=""):
    """Print ✓/✗ for one exercise with what differed and a hint; return a Verdict (lesson 00)."""
    if ok:
        print(f"✓ {name}: {detail}")
    else:
        print(f"✗ {name}: {detail}" + (f"\n  Hint: {hint}" if hint else ""))
    return Verdict(ok)


def _call(name, fn, *args):
    """Run the learner's function; on an exception report ✗ and return None."""
    try:
        return fn(*args), None
    except Exception as exc:  # the learner's code may fail in any way: report, never raise
        return None, verdict(False, name, f"your function raised {type(exc).__name__}: {exc}",
                             "run it on a small input in a cell of its own and read the traceback")


def fraction_right_of_zero(fn):
    """Check an exercise of lesson 00: the share of samples x > 0 in a batch of shape (n, 1)."""
    name = "fraction_right_of_zero"
    cases = [(torch.tensor([[-1.0], [2.0], [3.0], [-4.0]]), 0.5),
             (torch.tensor([[0.5], [0.1], [-0.2]]), 2 / 3),
             (torch.tensor([[0.0], [-1.0]]), 0.0)]
    for x, want in cases:
        got, failed = _call(name, fn, x)
        if failed is not None:
            return failed
        try:
            got = float(got)
        except (TypeError, ValueError):
            return verdict(False, name, f"returned {got!r}, not a number", "return a Python float or a 0-d tensor")
        if abs(got - want) > 1e-6:
            return verdict(False, name, f"for x = {x[:, 0].tolist()} you returned {got:.3g}, expected {want:.3g}",
                           "count x > 0 (strictly: 0 is not right of zero) and divide by len(x)")
    return verdict(True, name, f"correct on {len(cases)} cases")


def hand_generator(fn, n=20_000):
    """Check an exercise of lesson 01: a hand-written G that maps N(0, 1) noise to the bimodal target."""
    name = "hand_generator"
    target = mixture_1d()
    z = sample(noise(1), n, torch.Generator().manual_seed(1234))
    x, failed = _call(name, fn, z)
    if failed is not None:
        return failed
    if not isinstance(x, torch.Tensor) or x.shape != (n, 1):
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        return verdict(False, name, f"returned {shape}, expected a tensor of shape ({n}, 1)",
                       "apply an elementwise function to z and keep its shape")
    if not torch.isfinite(x).all():
        return verdict(False, name, "some outputs are nan or inf", "avoid dividing by z or taking log of z <= 0")
    shares, w1 = mode_shares(x, target), wasserstein_1d(x, target)
    detail = f"{shares[0]:.0%} of samples near −2, {shares[1]:.0%} near +2, W1 to the target = {w1:.2f}"
    if (shares - 0.5).abs().max() > 0.05:
        return verdict(False, name, detail, "half the noise should go to each mode: use the sign of z")
    if w1 > 0.1:
        return verdict(False, name, detail, "each mode is N(±2, 0.5²): its spread must come from |z| too "
                       "(hint: Φ⁻¹ of a uniform is Gaussian; torch.distributions.Normal has cdf and icdf)")
    return verdict(True, name, detail)
