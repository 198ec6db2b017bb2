"""Self-checks of lessons 10–11: the Fréchet distance between two Gaussians, and the KL of a mode
histogram to uniform."""
import math

import torch
from ._base import verdict, _call, _close, _fail, _never_raises, _number, _show


# ---- lesson 10 ---------------------------------------------------------------------------------

def _frechet_cases():
    """(mu_a, cov_a, mu_b, cov_b, want, description): identical, means only, diagonal, non-commuting."""
    f64 = dict(dtype=torch.float64)
    g = torch.Generator().manual_seed(10)
    a, b = torch.randn(3, 3, generator=g, **f64), torch.randn(3, 3, generator=g, **f64)
    cov_a, cov_b = a @ a.T + 0.1 * torch.eye(3, **f64), b @ b.T + 0.1 * torch.eye(3, **f64)
    mu_a, mu_b = torch.tensor([1.0, 0.0, -1.0], **f64), torch.tensor([0.0, 2.0, 0.5], **f64)
    values, vectors = torch.linalg.eigh(cov_a)                      # the reference: Σa^½ Σb Σa^½ is symmetric
    root = vectors @ torch.diag(values.sqrt()) @ vectors.T
    cross = torch.linalg.eigvalsh(root @ cov_b @ root).clamp(min=0).sqrt().sum()
    general = float((mu_a - mu_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross)
    eye, zero = torch.eye(2, **f64), torch.zeros(2, **f64)
    return [(mu_a, cov_a, mu_a.clone(), cov_a.clone(), 0.0, "identical statistics"),
            (zero, eye, torch.tensor([3.0, 4.0], **f64), eye.clone(), 25.0, "equal covariances, means 5 apart"),
            (zero, torch.diag(torch.tensor([4.0, 1.0], **f64)), zero.clone(), torch.diag(torch.tensor([1.0, 9.0], **f64)),
             5.0, "diagonal covariances diag(4, 1) and diag(1, 9)"),
            (mu_a, cov_a, mu_b, cov_b, general, "two random 3×3 covariances that do not commute")]


def _frechet_hint(index, number):
    """Name the classic mistake behind a wrong Fréchet distance on case `index`."""
    if not math.isfinite(number):
        return "your answer is nan or inf: a square root of a negative eigenvalue? clamp them at 0 first"
    if index == 0:
        return "identical Gaussians are at distance 0: check the sign of the 2·Tr((Σa Σb)^½) term"
    if index == 1:
        return ("the mean term is the squared distance ‖μa − μb‖², not the distance itself" if abs(number - 5) < 1e-3
                else "FD = ‖μa − μb‖² + Tr(Σa) + Tr(Σb) − 2·Tr((Σa Σb)^½): here only the mean term is not 0")
    if index == 2:
        return "the trace term is Tr(Σa) + Tr(Σb) − 2·Tr((Σa Σb)^½); (Σa Σb)^½ is a matrix square root"
    return ("(Σa Σb)^½ is not the elementwise square root: Tr((Σa Σb)^½) is the sum of the square roots of the "
            "eigenvalues of Σa Σb (torch.linalg.eigvals(...).real.clamp(min=0).sqrt())")


@_never_raises
def frechet_distance(fn):
    """Check an exercise of lesson 10: the Fréchet distance between N(mu_a, cov_a) and N(mu_b, cov_b)."""
    name = "frechet_distance"
    for index, (mu_a, cov_a, mu_b, cov_b, want, case) in enumerate(_frechet_cases()):
        got = _call(name, fn, mu_a, cov_a, mu_b, cov_b)
        number = _number(got)
        if number is None:
            _fail(name, f"for {case} you returned {_show(got)}, not a number", "return a Python float or a 0-d tensor")
        if not _close(number, want, 1e-4):
            _fail(name, f"for {case} you returned {number:.4g}, expected {want:.4g}", _frechet_hint(index, number))
    return verdict(True, name, "right for identical, shifted, diagonal and non-commuting Gaussians")


# ---- lesson 11 ---------------------------------------------------------------------------------

def _histogram_cases():
    """(counts, want, description): uniform, one mode, two modes of four, an uneven histogram."""
    uneven = torch.tensor([5, 1, 0, 2, 2])
    p = uneven.double() / uneven.sum()
    want = float((p[p > 0] * (p[p > 0] * 5).log()).sum())
    return [(torch.tensor([3, 3, 3, 3]), 0.0, "a uniform histogram"),
            (torch.tensor([0, 7, 0, 0, 0, 0, 0, 0, 0, 0]), math.log(10), "one full mode of 10"),
            (torch.tensor([2, 0, 2, 0]), math.log(2), "two of four modes, equal counts"),
            (uneven, want, "the uneven histogram [5, 1, 0, 2, 2]")]


def _kl_hint(number, want):
    """Name the classic mistake behind a wrong KL to uniform."""
    if math.isnan(number):
        return "empty modes give 0·log 0, which is 0 by convention: sum only over modes with p > 0"
    if number == math.inf:
        return "that is KL(uniform ‖ p), infinite when a mode is empty; the papers use KL(p ‖ uniform)"
    if want > 0 and abs(number / want - 1 / math.log(2)) < 1e-3:
        return "use the natural log (nats), not log2"
    return "turn counts into shares p = counts / counts.sum(), then sum p·log(p·K) over modes with p > 0"


@_never_raises
def kl_to_uniform(fn):
    """Check an exercise of lesson 11: KL(p ‖ uniform) in nats of a histogram of counts over modes."""
    name = "kl_to_uniform"
    for counts, want, case in _histogram_cases():
        got = _call(name, fn, counts)
        number = _number(got)
        if number is None:
            _fail(name, f"for {case} you returned {_show(got)}, not a number", "return a Python float or a 0-d tensor")
        if not _close(number, want, 1e-4):
            _fail(name, f"for {case} you returned {number:.4g}, expected {want:.4g}", _kl_hint(number, want))
    return verdict(True, name, "right for uniform, one-mode, two-mode and uneven histograms with empty modes")
