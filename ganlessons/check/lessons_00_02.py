"""Self-checks of lessons 00–02: a share of samples, a hand-made generator, V on logits, D* from
log-densities and C(G) for a collapsed generator."""
import math

import torch
import torch.nn.functional as F

from ..data import mixture_1d, noise, sample
from ._base import (
    verdict, _as_number, _call, _close, _fail, _first_wrong, _near, _never_raises, _number, _rounded, _show,
    _tensor)


# ---- lesson 00 ---------------------------------------------------------------------------------

def _fraction_hint(x, got):
    """Name the classic mistake behind a wrong share of x > 0."""
    n = len(x)
    for wrong, hint in [(float((x >= 0).float().mean()), "you counted x = 0 as right of zero: use x > 0, not x >= 0"),
                        (float((x > 0).sum()), "that is the count of x > 0: divide it by len(x)"),
                        (float((x <= 0).float().mean()), "that is the share *left* of zero (x <= 0): flip the comparison"),
                        (float(x.mean()), "that is the mean of x, not the share of x > 0: average (x > 0).float()")]:
        if _near(got, wrong, 1e-6):
            return hint
    return f"count x > 0 (strictly: 0 is not right of zero) and divide by len(x) = {n}"


@_never_raises
def fraction_right_of_zero(fn):
    """Check an exercise of lesson 00: the share of samples x > 0 in a batch of shape (n, 1)."""
    name = "fraction_right_of_zero"
    cases = [torch.tensor([[-1.0], [2.0], [3.0], [-3.0]]), torch.tensor([[0.5], [0.1], [-0.2]]),
             torch.tensor([[0.0], [-1.0]]), torch.tensor([[3.0], [0.0], [1.0], [-2.0], [5.0]])]
    wants = [float((x > 0).float().mean()) for x in cases]
    answers = [_as_number(name, _call(name, fn, x), f"for x = {x[:, 0].tolist()} ") for x in cases]
    _first_wrong(name, answers, wants, cases, lambda g, w: _near(g, w, 1e-6),
                 lambda x, g, w: f"for x = {x[:, 0].tolist()} you returned {g:.3g}, expected {w:.3g}",
                 lambda x, g, w: _fraction_hint(x, g))
    return verdict(True, name, f"correct on {len(cases)} cases")


# ---- lesson 01 ---------------------------------------------------------------------------------

def _mode_stats(x):
    """Share, mean and std of the samples left and right of 0 (the two modes of the target)."""
    stats = []
    for side in (x[:, 0] < 0, x[:, 0] >= 0):
        part = x[side, 0]
        share = float(side.double().mean())
        stats.append((share, float(part.mean()) if len(part) else math.nan,
                      float(part.std()) if len(part) > 1 else math.nan))
    return stats


def _hand_output(name, fn, z):
    """G(z) for the check's noise, as a finite float64 tensor of shape (n, 1), or ✗."""
    x = _tensor(name, _call(name, fn, z), z.shape, "", "apply an elementwise function to z and keep its shape (n, 1)")
    return x


def _ignores_z(name, fn, z, x):
    """✗ when G(z) is not a fixed function of z: shuffling z must shuffle G(z) the same way."""
    perm = torch.randperm(len(z), generator=torch.Generator().manual_seed(7))
    shuffled = _hand_output(name, fn, z[perm])
    if not torch.allclose(shuffled, x[perm], atol=1e-5):
        _fail(name, "shuffling z did not shuffle your samples the same way: G(z) is not a function of z",
              "your generator ignores its input z (torch.randn_like(z) or a fixed sample draws fresh numbers). "
              "A generator must turn *this* z into its sample: compute x from z alone")


def _hand_shape(name, x, target):
    """✗ when the samples have the right modes, weights and spreads but not the right bell shape."""
    from ..metrics import wasserstein_1d
    w1 = wasserstein_1d(x.float(), target)
    if not w1 < 0.03:
        _fail(name, f"weights, centres and spreads are right but W1 to the target = {w1:.2f} (a perfect map: < 0.03)",
              "each mode must be *Gaussian*, not just spread 0.5: Φ⁻¹ of a uniform is Gaussian "
              "(torch.distributions.Normal has cdf and icdf)")
    return w1


@_never_raises
def hand_generator(fn, n=50_000):
    """Check an exercise of lesson 01: a hand-written G that maps N(0, 1) noise to the bimodal target."""
    name = "hand_generator"
    target = mixture_1d()
    z = sample(noise(1), n, torch.Generator().manual_seed(1234))
    x = _hand_output(name, fn, z)
    (left, m_left, s_left), (right, m_right, s_right) = _mode_stats(x)
    detail = f"{left:.0%} of samples near −2, {right:.0%} near +2"
    if not (_near(left, 0.5, 0.02) and _near(right, 0.5, 0.02)):
        _fail(name, detail, "half the noise should go to each mode: the sign of z splits N(0, 1) in two halves")
    detail += f", mode centres {m_left:.2f} and {m_right:.2f}"
    if not (_near(m_left, -2.0, 0.03) and _near(m_right, 2.0, 0.03)):
        _fail(name, detail, "the modes sit at −2 and +2: your centres are off (is the offset within a mode "
              "centred on 0? |z| alone has mean 0.8)")
    detail += f", spreads {s_left:.2f} and {s_right:.2f}"
    if not (_near(s_left, 0.5, 0.02) and _near(s_right, 0.5, 0.02)):
        hint = ("the modes have no spread: each is N(±2, 0.5²), so |z| must become a N(0, 0.5²) offset"
                if max(s_left, s_right) < 0.05 else
                "right centres, wrong spread: each mode has std 0.5. Turn |z| into a standard normal "
                "offset (Φ⁻¹(2Φ(|z|) − 1)) and scale it by 0.5")
        _fail(name, detail, hint)
    _ignores_z(name, fn, z, x)
    w1 = _hand_shape(name, x, target)
    return verdict(True, name, detail + f", W1 to the target = {w1:.2f}; and G(z) is a function of z")


# ---- lesson 02 ---------------------------------------------------------------------------------

def _v(real, fake):
    """V from logits, in float64: the reference for value_on_logits."""
    return float(F.logsigmoid(real.double()).mean() + F.logsigmoid(-fake.double()).mean())


def _value_cases():
    """(real_logits, fake_logits) pairs for value_on_logits: zeros first, uneven sizes, huge logits."""
    g = torch.Generator().manual_seed(2)
    return [(torch.tensor([0.0, 0.0, 0.0]), torch.tensor([0.0])),
            (torch.randn(5, generator=g), torch.randn(5, generator=g)),
            (torch.tensor([2.0, -1.0, 0.5]), torch.tensor([-3.0, 1.0, 0.0, 4.0, -0.5])),
            (torch.tensor([-200.0, 50.0]), torch.tensor([300.0, -60.0, 0.0])),
            (torch.tensor([1000.0, -1000.0]), torch.tensor([-1000.0, 1000.0]))]


def _value_hint(case, got, want):
    """Name the classic mistake behind a wrong V."""
    real, fake = (t.double() for t in case)
    ls = F.logsigmoid
    wrongs = [(_v(fake, real), "real and fake are swapped: log D on the *real* batch, log(1 − D) on the fakes"),
              (-want, "wrong sign: V itself is ≤ 0; you returned −V (a loss to minimise)"),
              (-want / 2, "that is D's BCE loss, −V/2 (lesson 03); V is the sum of the two means, with its sign"),
              (float(ls(real).sum() + ls(-fake).sum()), "you summed over each batch: take the mean of each"),
              (float(torch.cat([ls(real), ls(-fake)]).mean() * 2), "you averaged the two batches together: the "
               "batches may differ in size, so take the mean of each batch separately, then add"),
              (float(ls(real).mean()), "only the first term: add the mean of log(1 − D(G(z))) over the fake batch"),
              (float(ls(-fake).mean()), "only the second term: add the mean of log D(x) over the real batch"),
              (float(ls(real).mean() + ls(fake).mean()), "the fake term is log(1 − D) = logsigmoid(−l), not "
               "logsigmoid(l)")]
    for wrong, hint in wrongs:
        if _near(got, wrong, 1e-4 * max(1.0, abs(wrong))):
            return hint
    if (real.abs().max() > 30 or fake.abs().max() > 30):
        return ("right for small logits, wrong for large ones: clamping σ or adding an epsilon inside the log "
                "loses the value there. F.logsigmoid(l) is exact for any l; log(1 − σ(l)) = F.logsigmoid(−l)")
    return ("V = mean over the real batch of log D(x) + mean over the fake batch of log(1 − D(G(z))), "
            "with D = σ(logit); the batches may differ in size")


def _value_answer(name, fn, real, fake):
    """The learner's V on one case; ✗ for a non-number, or for ±inf/nan with the logsigmoid hint."""
    shown = f"for real logits {real.tolist()}, fake logits {fake.tolist()} "
    got = _call(name, fn, real, fake)
    number = _number(got)
    if number is None:
        _fail(name, f"{shown}you returned {_show(got)}, not one number",
              "return a 0-d tensor or a float: the mean over each batch, summed")
    if not math.isfinite(number):
        _fail(name, f"{shown}you returned {number}, expected {_v(real, fake):.4g}",
              "σ(l) rounds to exactly 0 or 1 for large |l|, so log σ(l) becomes −inf: use "
              "F.logsigmoid(l) for log D and F.logsigmoid(−l) for log(1 − D)")
    return number


@_never_raises
def value_on_logits(fn):
    """Check an exercise of lesson 02: V(D, G) from D's logits on a real and a fake batch."""
    name = "value_on_logits"
    cases = _value_cases()
    answers = [_value_answer(name, fn, real, fake) for real, fake in cases]
    wants = [_v(real, fake) for real, fake in cases]
    _first_wrong(name, answers, wants, cases, lambda g, w: _close(g, w, 1e-4),
                 lambda c, g, w: f"for real logits {c[0].tolist()}, fake logits {c[1].tolist()} you returned "
                 f"{g:.4g}, expected {w:.4g}", _value_hint)
    return verdict(True, name, f"right on {len(cases)} cases, including logits of ±1000 and batches of "
                   "different sizes")


def _log_density_cases():
    """(log p_data, log p_g) pairs for optimal_d_from_log_densities, down to log-densities of −2e4."""
    return [(torch.tensor([-1.0, -4.0]), torch.tensor([-1.0, -4.0])),
            (torch.tensor([-1.0, -2.0, -0.5]), torch.tensor([-1.5, -0.5, -0.5])),
            (torch.tensor([-3.0, -30.0]), torch.tensor([-30.0, -3.0])),
            (torch.tensor([-10_000.0, -10_003.0, -20_000.0]), torch.tensor([-10_001.0, -10_000.0, -20_000.0])),
            (torch.tensor([-2.0, -5_000.0]), torch.tensor([-5_000.0, -2.0]))]


def _dstar_hint(case, got, want):
    """Name the classic mistake behind a wrong D*."""
    a, b = (t.double() for t in case)
    if torch.isnan(got).any():
        return ("exp(−10000) underflows to 0, so p/(p + q) becomes 0/0 = nan: divide top and "
                "bottom by p_data, D* = 1/(1 + exp(log p_g − log p_data)) = σ(log p_data − log p_g)")
    if torch.isinf(got).any():
        return "some values are nan or inf, but D* is a probability between 0 and 1: D* = σ(log p_data − log p_g)"
    wrongs = [(1 - want, "you returned 1 − D*, the probability of *fake*: D* = p_data / (p_data + p_g), "
               "p_data on top"),
              ((a - b).exp(), "that is the density ratio p_data/p_g, which can exceed 1: D* = ratio/(1 + ratio)"),
              (a - b, "that is D*'s logit, log p_data − log p_g: apply torch.sigmoid to it"),
              (a / (a + b), "you divided the log-densities, not the densities: D* = σ(log p_data − log p_g)")]
    for wrong, hint in wrongs:
        if _close(got, wrong, 1e-3):
            return hint
    if (a.min() < -1000) or (b.min() < -1000):
        return ("far in the tails exp(log p) is 0 in floating point, so anything built from p_data and p_g "
                "themselves fails there: use only the difference, D* = σ(log p_data − log p_g)")
    return "D*(x) = p_data(x) / (p_data(x) + p_g(x)) = σ(log p_data(x) − log p_g(x)), elementwise"


def _dstar_answer(name, fn, a, b):
    """The learner's D* on one case as a float64 tensor of a's shape (nan and inf allowed), or ✗."""
    got = _call(name, fn, a, b)
    if not isinstance(got, torch.Tensor) or got.is_complex() or tuple(got.shape) != tuple(a.shape):
        kind = f"a tensor of shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else _show(got)
        _fail(name, f"for log p_data = {a.tolist()}, log p_g = {b.tolist()} you returned {kind}, expected a "
              f"tensor of shape {tuple(a.shape)}", "compute D* elementwise, one value per point, as a tensor")
    return got.detach().double()


@_never_raises
def optimal_d_from_log_densities(fn):
    """Check an exercise of lesson 02: D* = p_data/(p_data + p_g) from log-densities, also far in the tails."""
    name = "optimal_d_from_log_densities"
    cases = _log_density_cases()
    answers = [_dstar_answer(name, fn, a, b) for a, b in cases]
    wants = [torch.sigmoid(a.double() - b.double()) for a, b in cases]
    _first_wrong(name, answers, wants, cases, lambda g, w: _close(g, w, 1e-3),
                 lambda c, g, w: f"for log p_data = {c[0].tolist()}, log p_g = {c[1].tolist()} you returned "
                 f"{_rounded(g)}, expected {_rounded(w)}", _dstar_hint)
    return verdict(True, name, f"correct on {len(cases)} cases, including log-densities of −10000 and −20000")


def _c_g_reference(shift):
    """C(G) for p_g = N(shift, 0.5²) against the bimodal target, on a fine float64 grid (lesson 02)."""
    target, q = mixture_1d(), mixture_1d(means=(shift, shift))
    x = torch.linspace(-9.0, 9.0, 18_001, dtype=torch.float64)[:, None]
    lp, lq = target.log_prob(x.float()).double(), q.log_prob(x.float()).double()
    integrand = lp.exp() * F.logsigmoid(lp - lq) + lq.exp() * F.logsigmoid(lq - lp)
    return float(integrand.sum() * 18.0 / 18_000)


def _c_g_hint(shift, got, want):
    """Name the classic mistake behind a wrong C(G) for a collapsed generator."""
    jsd = (want + math.log(4)) / 2
    for wrong, hint in [(jsd, "that is the JSD itself: C(G) = −log 4 + 2·JSD"),
                        (-want, "wrong sign: C(G) = max_D V is at most 0"),
                        (-math.log(4) + jsd, "C(G) = −log 4 + 2·JSD: you forgot the factor 2"),
                        (0.0, "C(G) reaches 0 only when D* can be perfectly sure everywhere, i.e. when p_g and "
                         "p_data do not overlap; here they do")]:
        if _near(got, wrong, 2e-3):
            return hint
    return ("C(G) = ∫ p_data log D* + p_g log(1 − D*) dx with D* = σ(log p_data − log p_g): sum it on a grid "
            "(as max_value does in the lesson) for p_g = N(shift, 0.5²)")


@_never_raises
def c_g_at_collapse(fn):
    """Check an exercise of lesson 02: C(G) = max_D V for a generator collapsed to one mode N(shift, 0.5²)."""
    name = "c_g_at_collapse"
    shifts = [0.0, 2.0, -1.0, 5.0]
    wants = [_c_g_reference(s) for s in shifts]
    answers = [_as_number(name, _call(name, fn, s), f"for shift = {s:g} ") for s in shifts]
    _first_wrong(name, answers, wants, shifts, lambda g, w: _near(g, w, 2e-3),
                 lambda s, g, w: f"for shift = {s:g} you returned {g:.4g}, expected {w:.4g}", _c_g_hint)
    return verdict(True, name, f"right for a collapsed generator at {len(shifts)} places, "
                   f"from C(G) = {max(wants):.3g} (far from the data) to {min(wants):.3g}")
