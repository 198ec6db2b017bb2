"""Self-checks of lessons 05–09: the saturating slope, the Wilson interval, covered modes, PacGAN
packing, the alternating step on x·y and the Dirac-GAN field with R1."""
import math

import torch
from ._base import (
    verdict, _call, _close, _fail, _first_wrong, _never_raises, _number, _pair, _rounded, _show, _tensor)


# ---- lesson 05 ---------------------------------------------------------------------------------

def _slope_hint(logits, got, want):
    """Name the classic mistake behind a wrong d/dl log(1 − σ(l))."""
    s = torch.sigmoid(logits.double())
    wrongs = [(-want, "right size, wrong sign", "log(1 − σ(l)) falls as l grows: the slope is negative"),
              (-(1 - s), "that is the non-saturating cost's slope, −(1 − σ(l))",
               "differentiate log(1 − σ(l)), not −log σ(l)"),
              (s * (1 - s), "that is σ'(l), the slope of D itself",
               "chain rule: d/dl log(1 − σ(l)) = −σ'(l)/(1 − σ(l)) = −σ(l)"),
              (-s * (1 - s), "that is −σ'(l): you forgot to divide by 1 − σ(l)",
               "chain rule: d/dl log(1 − σ(l)) = −σ'(l)/(1 − σ(l)) = −σ(l)")]
    for wrong, detail, hint in wrongs:
        if _close(got, wrong, 1e-5):
            return detail, hint
    return None


@_never_raises
def saturating_slope(fn):
    """Check an exercise of lesson 05: d/dl log(1 − σ(l)), the minimax generator cost's slope on a logit."""
    name = "saturating_slope"
    cases = [torch.tensor([-7.0, -2.0, 0.0, 1.5, 4.0]), torch.tensor([-60.0, 0.5, 30.0, 100.0])]
    answers = []
    for logits in cases:
        got = _tensor(name, _call(name, fn, logits), logits.shape, "",
                      "compute one slope per logit, elementwise")
        answers.append(got)
    wants = [-torch.sigmoid(logits.double()) for logits in cases]
    for logits, got, want in zip(cases, answers, wants):
        if _close(got, want, 1e-5):
            continue
        named = _slope_hint(logits, got, want)
        if named:
            _fail(name, *named)
        if bool((got == got.reshape(-1)[0]).all()) and float(got.reshape(-1)[0]) != 0.0:
            _fail(name, f"you returned {float(got.reshape(-1)[0]):.4g} for every logit",
                  "the slope depends on l: your function ignores its input")
        bad = int((got - want).abs().argmax())
        _fail(name, f"at l = {logits[bad]:.1f} you returned {float(got[bad]):.4g}, expected {float(want[bad]):.4g}",
              "use σ'(l) = σ(l)(1 − σ(l)) and the chain rule; or check with autograd")
    return verdict(True, name, "−σ(l) on 9 logits: it vanishes as D(G(z)) = σ(l) → 0")


# ---- lesson 06 ---------------------------------------------------------------------------------

def _wilson_hint(case, got, want):
    """Name the classic mistake behind a wrong Wilson interval."""
    from ..metrics import wilson_interval
    successes, trials = case
    p = successes / trials
    wald = 1.96 * math.sqrt(p * (1 - p) / trials)
    if successes in (0, trials) and _close(got, (p - wald, p + wald), 1e-4):
        return ("at 0 or all successes the simple p ± 1.96·√(p(1−p)/n) interval has zero width: that is "
                "the Wald interval, not Wilson's")
    if _close(got, (p - wald, p + wald), 1e-4):
        return "that is the Wald interval p ± 1.96·√(p(1−p)/n): Wilson's is centred at (p + z²/2n)/(1 + z²/n)"
    if _close(got, want[::-1], 1e-4):
        return "you returned (high, low): return the lower bound first"
    for z in (1.0, 1.645, 2.0, 2.576):
        if _close(got, wilson_interval(successes, trials, z), 1e-4):
            return f"that is the interval for z = {z}: a 95% interval uses z = 1.96"
    return "centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²)"


@_never_raises
def wilson(fn):
    """Check an exercise of lesson 06: the Wilson score interval (low, high) of a success rate at z = 1.96."""
    from ..metrics import wilson_interval
    name = "wilson"
    cases = [(0, 32), (32, 32), (7, 20), (50, 100), (3, 11)]
    wants = [wilson_interval(successes, trials) for successes, trials in cases]
    _first_wrong(name, _pairs(name, fn, cases, "return a pair (low, high) of numbers"), wants, cases,
                 lambda g, w: _close(g, w, 1e-4),
                 lambda c, g, w: f"for {c[0]}/{c[1]} you returned ({g[0]:.3f}, {g[1]:.3f}), "
                 f"expected ({w[0]:.3f}, {w[1]:.3f})", _wilson_hint)
    return verdict(True, name, f"matches the Wilson interval on {len(cases)} cases, including 0/32 and 32/32")


# ---- lesson 07 ---------------------------------------------------------------------------------

def _covered_cases():
    """(samples, centres, std, answer) for modes_covered: all modes, one mode, off-manifold, mixed."""
    from ..data import ring
    target = ring(modes=8, radius=2.0, std=0.02)
    c = target.centres
    halfway = 0.5 * (c[:-1] + c[1:])                     # nearest to a mode, but 0.77 away: not HQ
    near = c[[2, 2, 5]] + torch.tensor([[0.05, 0.0], [0.0, -0.03], [0.0, 0.055]])   # within 3σ = 0.06
    loose = c[[0, 1]] + torch.tensor([[0.07, 0.0], [0.0, 0.2]])                    # beyond 3σ
    return [(c.repeat(3, 1), c, 0.02, 8), (c[[4]].repeat(10, 1), c, 0.02, 1), (halfway, c, 0.02, 0),
            (torch.cat([near, loose, halfway]), c, 0.02, 2)]


def _covered_hint(case, got, want):
    """Name the classic mistake behind a wrong count of covered modes."""
    samples, centres, std, _ = case
    dist, nearest = torch.cdist(samples, centres).min(dim=1)
    if got == int((dist < 3 * std).sum()) and got != want:
        return "you counted high-quality *samples*: count the distinct centres they are nearest to"
    if got == len(set(nearest.tolist())):
        return "a sample counts only when it is within 3 standard deviations of its nearest centre"
    if got == len(set(nearest[dist < std].tolist())):
        return "high quality means within 3 standard deviations (3·std), not 1"
    if got > want:
        return "a sample counts only when it is within 3 standard deviations of its nearest centre"
    return ("find each sample's nearest centre (torch.cdist(...).min(dim=1)), keep the high-quality "
            "samples, then count the distinct centres they are nearest to")


@_never_raises
def modes_covered(fn):
    """Check an exercise of lesson 07: the number of modes nearest to at least one high-quality sample."""
    name = "modes_covered"
    cases = _covered_cases()
    answers = []
    for samples, centres, std, want in cases:
        got = _call(name, fn, samples, centres, std)
        number = _number(got)
        if number is None or not math.isfinite(number):
            _fail(name, f"on a set of {len(samples)} samples you returned {_show(got)}, not a count",
                  "return a whole number: len(set(...)) or a 0-d integer tensor with .item()")
        answers.append(number)
    _first_wrong(name, answers, [c[3] for c in cases], cases, lambda g, w: g == w,
                 lambda c, g, w: f"on a set of {len(c[0])} samples you returned {g:g}, expected {w}", _covered_hint)
    return verdict(True, name, "right on all modes, one mode, off-manifold samples and a mixed set")


# ---- lesson 08 ---------------------------------------------------------------------------------

def _pack_hint(x, got, pac):
    """Name the classic mistake behind a wrongly packed batch."""
    n, dim = x.shape
    if not torch.equal(got.reshape(-1).sort().values, x.reshape(-1).sort().values):
        return "your result does not hold the values of x (a new tensor?): it ignores its input. Reshape x itself"
    strided = x.reshape(pac, n // pac, dim).permute(1, 0, 2).reshape(n // pac, pac * dim)
    if torch.allclose(got, strided):
        return "you packed samples n/pac apart: row 0 must hold samples 0 … pac−1, neighbours side by side"
    if torch.allclose(got, x.t().reshape(n // pac, pac * dim)):
        return "you transposed x first, mixing coordinates of different samples: reshape x as it is"
    return "row 0 packs samples 0..pac−1 side by side: a plain x.reshape(n // pac, pac * dim) does it"


@_never_raises
def pack(fn):
    """Check an exercise of lesson 08: PacGAN's packing (n, dim) → (n/pac, pac·dim), neighbours side by side."""
    name = "pack"
    for n, dim, pac in ((6, 2, 2), (8, 2, 4), (9, 1, 3)):
        x = torch.arange(float(n * dim)).reshape(n, dim)
        got = _call(name, fn, x, pac)
        want = x.reshape(n // pac, pac * dim)
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(want.shape):
            shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            _fail(name, f"for x of shape {(n, dim)} and pac={pac} you returned {shape}, expected "
                  f"{tuple(want.shape)}", "each row of the result holds pac samples, so n/pac rows of pac·dim")
        got = got.detach().double()
        if not torch.allclose(got, want.double()):
            _fail(name, f"for x = arange reshaped to {(n, dim)}, pac={pac}, row 0 is {_rounded(got[0])}, expected "
                  f"{want[0].tolist()}", _pack_hint(x.double(), got, pac))
    return verdict(True, name, "packs neighbours side by side for pac = 2, 3 and 4")


# ---- lesson 09 ---------------------------------------------------------------------------------

def _pairs(name, fn, cases, hint="return a tuple (a, b)"):
    """The learner's answer on each case as a pair of floats, or ✗ at the first that is not one."""
    pairs = []
    for case in cases:
        got = _call(name, fn, *case)
        pair = _pair(got)
        if pair is None:
            _fail(name, f"returned {_show(got)}, not a pair of numbers", hint)
        pairs.append(pair)
    return pairs


def _pair_cases(name, fn, cases, want, describe, hint, tol=1e-6, digits=4):
    """Run fn on each case; ✗ at the first that differs from want(*case), naming the mistake."""
    wants = [tuple(float(v) for v in want(*case)) for case in cases]
    _first_wrong(name, _pairs(name, fn, cases), wants, cases, lambda g, w: _close(g, w, tol),
                 lambda c, g, w: f"for {describe(*c)} you returned ({g[0]:.{digits}g}, {g[1]:.{digits}g}), "
                 f"expected ({w[0]:.{digits}g}, {w[1]:.{digits}g})", lambda c, g, w: hint(c, g))


def _alternating_hint(case, pair):
    """Name the classic mistake behind a wrong alternating step on x·y."""
    x, y, lr = case
    named = [((x - lr * y, y + lr * x), "that is the simultaneous step: move y first, then move x using the *new* y"),
             ((x - lr * y, y + lr * (x - lr * y)), "you moved x first; in this course the discriminator's side (y) "
              "moves first, as in the two-block training step"),
             ((x - lr * (y - lr * x), y - lr * x), "y moved the wrong way: y *ascends* x·y, y' = y + lr·x"),
             ((x + lr * (y + lr * x), y + lr * x), "x moved the wrong way: x *descends* x·y, x' = x − lr·y'"),
             ((x - (y + x), y + x), "you left out the learning rate: y' = y + lr·x, x' = x − lr·y'")]
    for wrong, hint in named:
        if _close(pair, wrong, 1e-6):
            return hint
    return "y ascends x·y (y' = y + lr·x), then x descends it using the new y (x' = x − lr·y')"


@_never_raises
def alternating_step(fn):
    """Check an exercise of lesson 09: one alternating step (x, y, lr) ↦ (x', y') on min_x max_y x·y."""
    from ..games import bilinear_step
    name = "alternating_step"
    cases = [(0.5, -2.0, 0.3), (1.0, 0.0, 0.1), (-1.5, 0.7, 1.0)]

    def want(x, y, lr):
        return bilinear_step(torch.tensor([x, y], dtype=torch.float64), lr, "alternating")

    _pair_cases(name, fn, cases, want, lambda x, y, lr: f"x={x}, y={y}, lr={lr}", _alternating_hint)
    return verdict(True, name, f"correct on {len(cases)} cases")


def _dirac_hint(case, pair):
    """Name the classic mistake behind a wrong R1-regularised Dirac-GAN field."""
    from ..games import dirac_field
    theta, psi, gamma = (float(v) for v in case)
    plain = [float(v) for v in dirac_field(theta, psi)]
    named = [((plain[0], plain[1] - 2 * gamma * psi), "the derivative of (γ/2)·ψ² is γ·ψ, not 2γ·ψ"),
             ((plain[0], plain[1] + gamma * psi), "D *maximises* V − (γ/2)·ψ²: the penalty pulls ψ towards 0, "
              "so subtract γ·ψ"),
             (plain, "that is the field without the penalty: D's ψ̇ also gets −γ·ψ"),
             ((plain[1] - gamma * psi, plain[0]), "you swapped the components: return (θ̇, ψ̇)"),
             ((-plain[0], plain[1] - gamma * psi), "θ̇ has the wrong sign: G *descends* V, θ̇ = +ψ·σ(ψθ)")]
    for wrong, hint in named:
        if _close(pair, wrong, 1e-6):
            return hint
    return "θ̇ = ψ·σ(ψθ) (G descends V); ψ̇ = −θ·σ(ψθ) − γ·ψ (D ascends V − (γ/2)·ψ²)"


@_never_raises
def dirac_r1_field(fn):
    """Check an exercise of lesson 09: the Dirac-GAN's vector field (θ̇, ψ̇) with the R1 penalty (γ/2)·ψ²."""
    from ..games import dirac_field
    name = "dirac_r1_field"
    cases = [(1.0, 1.0, 1.0), (-0.5, 2.0, 0.3), (2.0, -1.5, 3.0), (0.0, 1.0, 2.0)]
    cases = [tuple(torch.tensor(v, dtype=torch.float64) for v in case) for case in cases]

    def want(theta, psi, gamma):
        return dirac_field(theta, psi, regulariser="r1", gamma=float(gamma))

    _pair_cases(name, fn, cases, want, lambda t, p, g: f"θ={float(t):g}, ψ={float(p):g}, γ={float(g):g}",
                _dirac_hint)
    return verdict(True, name, f"correct on {len(cases)} cases")
