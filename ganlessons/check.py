"""Self-checks for the exercises, in lesson order. Each takes the learner's function, runs it on
known cases and prints ✓ or ✗ with what differed and a hint that names the mistake. They never
raise: whatever the learner's code returns or raises is reported as ✗ (lesson 00).

Checks are called as gl.check.<name>(your_fn); the module is not star-imported."""
import copy
import functools
import math
import numbers

import torch
import torch.nn.functional as F

from .data import mixture_1d, noise, sample

__all__ = ["Verdict", "verdict",
           "fraction_right_of_zero",                                   # lesson 00
           "hand_generator",                                           # lesson 01
           "value_on_logits", "optimal_d_from_log_densities", "c_g_at_collapse",   # lesson 02
           "train_step",                                               # lesson 03
           "linear_uniform_kurtosis", "discriminator_step",            # lesson 04
           "saturating_slope",                                         # lesson 05
           "wilson",                                                   # lesson 06
           "modes_covered",                                            # lesson 07
           "pack",                                                     # lesson 08
           "alternating_step", "dirac_r1_field"]                       # lesson 09


# ---- the machinery every check shares (lesson 00) ----------------------------------------------

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


class _Failed(Exception):
    """Raised inside a check to stop at the first ✗; carries the printed Verdict."""

    def __init__(self, result):
        super().__init__("check failed")
        self.result = result


def _fail(name, detail, hint=""):
    """Print ✗ and stop the check."""
    raise _Failed(verdict(False, name, detail, hint))


def _never_raises(check):
    """Wrap a check so that nothing the learner hands it can make it raise (lesson 00)."""
    @functools.wraps(check)
    def guarded(fn, *args, **kwargs):
        name = check.__name__
        try:
            if not callable(fn):
                _fail(name, f"you passed {_show(fn)}, not a function",
                      f"pass the function itself, without calling it: gl.check.{name}(your_function)")
            return check(fn, *args, **kwargs)
        except _Failed as failed:
            return failed.result
        except Exception as exc:  # the learner's answer broke the check itself: still a ✗, never a crash
            return verdict(False, name, f"your answer could not be checked ({type(exc).__name__}: {exc})",
                           "return the kind of value the exercise asks for, and run it on a small input first")
    return guarded


def _show(value, width=60):
    """A short printable description of any value, even one whose repr fails."""
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return text if len(text) <= width else text[:width - 1] + "…"


def _call(name, fn, *args):
    """Run the learner's function on copies of the inputs; on an exception report ✗ and stop."""
    try:
        return fn(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
    except (Exception, SystemExit) as exc:  # the learner's code may fail in any way: report, never raise
        _fail(name, f"your function raised {type(exc).__name__}: {exc}",
              "run it on a small input in a cell of its own and read the traceback")


def _number(got):
    """The learner's answer as a finite or non-finite float, or None when it is not one number."""
    if isinstance(got, (bool, str)) or got is None:
        return None
    if isinstance(got, numbers.Real):
        return float(got)
    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_complex() and got.dtype != torch.bool:
        return float(got.detach().reshape(()))
    if type(got).__module__ == "numpy" and getattr(got, "size", 0) == 1 and getattr(got, "dtype", None) is not None \
            and got.dtype.kind in "fiu":
        return float(got.reshape(()))
    return None


def _as_number(name, got, shown, hint="return one number: a Python float or a 0-d tensor"):
    """The answer as a float; ✗ when it is not a number, or is nan or inf."""
    number = _number(got)
    if number is None:
        _fail(name, f"{shown}you returned {_show(got)} ({type(got).__name__}), not one number", hint)
    if not math.isfinite(number):
        _fail(name, f"{shown}you returned {number}", "your answer is nan or inf: look for log(0), 0/0 or exp overflow")
    return number


def _near(got, want, tol):
    """True when got is within tol of want; never true for nan (`not <=` is how nan fails)."""
    return bool(abs(got - want) <= tol)


def _tensor(name, got, shape, shown, hint):
    """The answer as a float64 tensor of the given shape; ✗ for another type or shape, or nan/inf."""
    if not isinstance(got, torch.Tensor) or got.is_complex() or tuple(got.shape) != tuple(shape):
        kind = f"a tensor of shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else _show(got)
        _fail(name, f"{shown}you returned {kind}, expected a tensor of shape {tuple(shape)}", hint)
    got = got.detach().double()
    if not torch.isfinite(got).all():
        _fail(name, f"{shown}you returned {_rounded(got)}", "some values are nan or inf: look for log(0), 0/0 or "
              "exp overflow")
    return got


def _rounded(t, digits=4):
    """A tensor's values as a short list of rounded numbers, for messages."""
    values = t.reshape(-1).tolist()
    return [round(v, digits) if math.isfinite(v) else v for v in values[:6]] + (["…"] if len(values) > 6 else [])


def _close(got, want, tol):
    """True when tensors (or numbers) agree to tol·max(1, |want|) elementwise and got is finite."""
    got, want = torch.as_tensor(got, dtype=torch.float64), torch.as_tensor(want, dtype=torch.float64)
    if got.shape != want.shape or not torch.isfinite(got).all():
        return False
    return bool(((got - want).abs() <= tol * want.abs().clamp(min=1.0)).all())


def _ignores_input(answers, wants):
    """True when the learner gave the same answer on every case although the right answers differ."""
    flat = [torch.as_tensor(a, dtype=torch.float64).reshape(-1) for a in answers]
    values = torch.cat(flat) if flat else torch.zeros(0)
    distinct = {tuple(torch.as_tensor(w, dtype=torch.float64).reshape(-1).tolist()) for w in wants}
    return len(values) > 1 and bool((values == values[0]).all()) and len(distinct) > 1


def _first_wrong(name, answers, wants, cases, close, describe, diagnose):
    """✗ at the first case whose answer is not close to the right one, naming the mistake; else None."""
    for i, (got, want, case) in enumerate(zip(answers, wants, cases)):
        if close(got, want):
            continue
        if i > 0 and _ignores_input(answers, wants):
            _fail(name, f"{describe(case, got, want)}", f"your function gives {_show(answers[0])} whatever its "
                  "input: it ignores its input (a hard-coded answer is right only by luck)")
        _fail(name, describe(case, got, want), diagnose(case, got, want))


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
    from .metrics import wasserstein_1d
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


# ---- lesson 03 ---------------------------------------------------------------------------------

class _SpyOptimizer(torch.optim.SGD):
    """SGD that records, at each step, every gradient it is about to use (lesson 03)."""

    def __init__(self, params, lr, on_step):
        super().__init__(params, lr=lr)
        self._on_step = on_step

    def step(self, closure=None):
        self._on_step()
        return super().step(closure)


def _grads(module):
    """A copy of each parameter's gradient (zeros where there is none), as one flat vector."""
    return torch.cat([(torch.zeros_like(p) if p.grad is None else p.grad.detach()).reshape(-1).double()
                      for p in module.parameters()])


def _tiny_players(seed=3, n=64):
    """Small fixed G and D, a real batch and a noise batch, for checking training steps (lesson 03)."""
    from .models import Discriminator, Generator
    g = torch.Generator().manual_seed(seed)
    G, D = Generator(hidden=(8,), generator=g), Discriminator(hidden=(8,), generator=g)
    return G, D, sample(mixture_1d(), n, g), sample(noise(1), n, g)


def _reference_grads(G, D, real, z):
    """The gradients a correct step uses: D's of ½BCE(real,1)+½BCE(fake,0) and the wrong variants; G's."""
    G, D = copy.deepcopy(G), copy.deepcopy(D)

    def grad_of(module, loss):
        module.zero_grad()
        loss.backward()
        return _grads(module), float(loss.detach())

    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(len(real)), torch.zeros(len(z))
    fake = G(z).detach()
    ref = {"d": grad_of(D, 0.5 * bce(D(real), ones) + 0.5 * bce(D(fake), zeros)),
           "d_swapped": grad_of(D, 0.5 * bce(D(real), zeros) + 0.5 * bce(D(fake), ones)),
           "g": grad_of(G, bce(D(G(z)), ones)),
           "g_saturating": grad_of(G, F.logsigmoid(-D(G(z))).mean()),
           "g_label_0": grad_of(G, bce(D(G(z)), zeros))}
    return ref


def _cos(a, b):
    """Cosine of the angle between two flat gradients (0 when either is zero)."""
    na, nb = float(a.norm()), float(b.norm())
    return float(a @ b) / (na * nb) if na > 0 and nb > 0 else 0.0


def _spy_run(fn, name, calls=2):
    """Run the learner's step `calls` times at learning rate 0; record who stepped with which gradients."""
    G, D, real, z = _tiny_players()
    ref = _reference_grads(G, D, real, z)
    log = {"d": [], "g": []}
    lists = dict(log)
    runs = []
    for _ in range(calls):
        records = []
        opt_d = _SpyOptimizer(D.parameters(), 0.0, lambda: records.append(("d", _grads(D), _grads(G))))
        opt_g = _SpyOptimizer(G.parameters(), 0.0, lambda: records.append(("g", _grads(G), None)))
        g_before = _grads(G)
        _call(name, fn, G, D, opt_g, opt_d, real, z, log)
        runs.append((g_before, records))
    return runs, log, lists, ref


def _count_mistakes(runs):
    """Each optimizer must step exactly once per call (lesson 03)."""
    for which in ("d", "g"):
        counts = [sum(r[0] == which for r in records) for _, records in runs]
        if min(counts) == 0:
            return [f"opt_{which}.step() was never called: each block ends with loss.backward() then "
                    f"opt_{which}.step(), on the optimizer you were given"]
        if max(counts) > 1:
            extra = "an extra opt_d.step() in block 2 moves D with G's loss" if which == "d" else \
                "an extra opt_g.step() moves G a second time"
            return [f"opt_{which}.step() was called {max(counts)} times in one training step: {extra}. "
                    f"Step each optimizer once, at the end of its own block"]
    return []


def _d_direction_mistakes(d_grad, ref):
    """Read D's gradient at its step: dead, swapped labels, negated, or not the loss on this batch."""
    want = ref["d"][0]
    if float(d_grad.abs().max()) == 0.0:
        return ["opt_d.step() ran with all-zero gradients, so D never learns: zero_grad() between "
                "backward() and step() wipes them. Order: opt_d.zero_grad(), d_loss.backward(), opt_d.step()"]
    if _cos(d_grad, want) > 0.999:
        return []
    if _cos(d_grad, ref["d_swapped"][0]) > 0.999:
        return ["D's labels are swapped: it learns to call real samples fake. Real samples get label 1 "
                "(torch.ones_like), fakes label 0 — gl.d_loss(D(real), D(fake)) takes real first"]
    if _cos(d_grad, -want) > 0.999:
        return ["D's loss has the wrong sign: descending −loss makes D *worse* at telling real from fake. "
                "Minimise the BCE itself (it is −V/2), do not negate it"]
    return ["D's gradient is not that of its BCE loss on the batch you were given: use `real` and G(z) from "
            "the `z` passed in (no fresh torch.randn_like noise), with labels 1 for real and 0 for fake"]


def _g_direction_mistakes(g_grad, ref):
    """Read G's gradient at its step: dead, label 0, or not the loss through D on this z."""
    if float(g_grad.abs().max()) == 0.0:
        return ["opt_g.step() ran with all-zero gradients, so G never learns: compute D(G(z)) afresh in "
                "block 2 (not from the detached fakes), and call zero_grad() before backward(), not after"]
    if _cos(g_grad, ref["g"][0]) > 0.999 or _cos(g_grad, ref["g_saturating"][0]) > 0.999:
        return []
    if _cos(g_grad, ref["g_label_0"][0]) > 0.999 or _cos(g_grad, -ref["g"][0]) > 0.99:
        return ["G trained with label 0: its step pushes the fakes the way that makes them look *less* "
                "real to D, so G helps D. Train G with label 1: BCE(D(G(z)), 1)"]
    return ["G's gradient is not that of BCE(D(G(z)), 1) on the z you were given: feed D the fakes G(z) "
            "of the `z` passed in, with label 1"]


def _gradient_mistakes(runs, ref):
    """Missing detach, missing zero_grad and wrong directions, read from the gradients each step saw."""
    d_first = [next(r for r in records if r[0] == "d") for _, records in runs]
    g_first = [next(r for r in records if r[0] == "g") for _, records in runs]
    d_wrong, g_wrong = _d_direction_mistakes(d_first[0][1], ref), _g_direction_mistakes(g_first[0][1], ref)
    mistakes = g_wrong + d_wrong
    if any(float(d[2].abs().max()) > 0 and not torch.allclose(d[2], before, atol=1e-7)
           for (before, _), d in zip(runs, d_first)):
        mistakes.append("missing .detach(): the D step sent gradients into G. Feed D the fakes as "
                        "G(z).detach() in block 1, so G is held fixed while D learns")
    if not d_wrong and not torch.allclose(d_first[0][1], d_first[1][1], atol=1e-6, rtol=1e-5):
        mistakes.append("missing opt_d.zero_grad(): D's gradients pile up from call to call (the same "
                        "batch gave D a different gradient the second time). Call opt_d.zero_grad() "
                        "before d_loss.backward()")
    if not g_wrong and not torch.allclose(g_first[0][1], g_first[1][1], atol=1e-6, rtol=1e-5):
        mistakes.append("missing opt_g.zero_grad(): G's gradients pile up from call to call. Call "
                        "opt_g.zero_grad() before g_loss.backward()")
    return mistakes


def _log_entries(log, lists, key):
    """What the step left in losses_log[key], and a problem if the list itself was replaced."""
    entries = log.get(key) if isinstance(log, dict) else None
    if entries is lists[key]:
        return list(entries), None
    return [], ("replaced", f"is replaced by a {type(entries).__name__}: you "
                "assigned (losses_log[key] = …) instead of appending. Use losses_log[key].append(loss.item())")


def _log_problem(entries, key, wanted, calls, values=True):
    """What is wrong with one list of logged losses, as (kind, message), or None."""
    if any(callable(e) for e in entries):
        return "method", (f"holds methods like {_show(entries[0], 32)}: you stored loss.item without "
                          "calling it. Store loss.item(), a number")
    if any(isinstance(e, torch.Tensor) for e in entries):
        return "tensor", "holds tensors: store loss.item(), a plain number (a tensor keeps its whole graph alive)"
    if len(entries) != calls or any(_number(e) is None for e in entries):
        return "count", (f"holds {len(entries)} entries after {calls} calls: append one number per call, "
                         f"losses_log[{key!r}].append(loss.item())")
    if values and not any(_near(_number(entries[0]), w, 1e-4 * max(1, abs(w))) for w in wanted):
        other = "g" if key == "d" else "d"
        return "value", (f"holds {_number(entries[0]):.4g}, not the {key.upper()} loss ({wanted[0]:.4g}): append "
                         f"{key}_loss.item() here (and {other}_loss.item() to losses_log[{other!r}])")
    return None


def _logs_swapped(log, lists, wanted):
    """True when losses_log['d'] starts with G's loss and losses_log['g'] with D's."""
    try:
        first = {key: _number(lists[key][0]) for key in ("d", "g")}
    except (IndexError, KeyError, TypeError):
        return False
    if not isinstance(log, dict) or any(log.get(k) is not lists[k] or first[k] is None for k in ("d", "g")):
        return False
    return any(_near(first["d"], w, 1e-4) for w in wanted["g"]) and any(_near(first["g"], w, 1e-4) for w in wanted["d"])


def _log_mistakes(log, lists, ref, values=True, calls=2):
    """`loss.item` stored uncalled, tensors stored, the list replaced, or wrong or missing numbers.

    The numbers are compared with the right losses only when `values` (the step itself was right)."""
    wanted = {"d": (ref["d"][1], 2 * ref["d"][1]), "g": (ref["g"][1], ref["g_saturating"][1])}
    mistakes, kinds = [], {}
    if values and _logs_swapped(log, lists, wanted):
        return ["losses_log['d'] holds G's loss and losses_log['g'] D's: append d_loss.item() to "
                "losses_log['d'] and g_loss.item() to losses_log['g']"]
    for key in ("d", "g"):
        entries, replaced = _log_entries(log, lists, key)
        problem = replaced or _log_problem(entries, key, wanted[key], calls, values)
        if problem:
            kinds.setdefault(problem, []).append(key)
    for (kind, message), keys in kinds.items():
        verb = message if len(keys) == 1 else message.replace("holds ", "hold ", 1).replace("is replaced", "are replaced")
        mistakes.append(" and ".join(f"losses_log[{k!r}]" for k in keys) + " " + verb)
    return mistakes


def _movement(fn, name, lr=0.05):
    """One real call with SGD: how D's loss and G's −log D(G(z)) change (each should fall)."""
    G, D, real, z = _tiny_players()
    G0 = copy.deepcopy(G)
    opt_g, opt_d = torch.optim.SGD(G.parameters(), lr=lr), torch.optim.SGD(D.parameters(), lr=lr)
    with torch.no_grad():
        d_before = float(0.5 * F.softplus(-D(real)).mean() + 0.5 * F.softplus(D(G0(z))).mean())
    _call(name, fn, G, D, opt_g, opt_d, real, z, {"d": [], "g": []})
    with torch.no_grad():
        d_after = float(0.5 * F.softplus(-D(real)).mean() + 0.5 * F.softplus(D(G0(z))).mean())
        g_before, g_after = float(F.softplus(-D(G0(z))).mean()), float(F.softplus(-D(G(z))).mean())
    return d_after - d_before, g_after - g_before


@_never_raises
def train_step(fn):
    """Check the "spot the bug" exercise of lesson 03: a two-block step fn(G, D, opt_g, opt_d, real, z, losses_log).

    Judged by behaviour only: how often each optimizer steps and with which gradients (D's loss on
    real and fake with the right labels and sign, no gradient into G during D's step, none left
    over from the call before, G's label-1 loss), what is stored in losses_log, and which way one
    real SGD step moves D and G.
    """
    name = "train_step"
    runs, log, lists, ref = _spy_run(fn, name)
    mistakes = _count_mistakes(runs) or _gradient_mistakes(runs, ref)
    mistakes += _log_mistakes(log, lists, ref, values=not mistakes)
    if not mistakes:
        d_change, g_change = _movement(fn, name)
        if not (d_change < 0 and g_change < 0):
            mistakes.append(f"with a real SGD step D's loss changed by {d_change:+.2g} and G's −log D(G(z)) by "
                            f"{g_change:+.2g}: both should fall. Step each player on its own loss, once")
    if mistakes:
        lines = "".join(f"\n  ✗ {m}" for m in mistakes)
        return verdict(False, name, f"{len(mistakes)} mistake{'s' if len(mistakes) > 1 else ''} found:{lines}",
                       "fix one at a time and run this cell again")
    return verdict(True, name, "D steps once on its BCE loss (labels 1 real, 0 fake) and leaves G alone, no "
                   "gradient is left over between calls, the losses are stored as numbers, and one real step "
                   "makes D better and G's fakes look more real")


# ---- lesson 04 ---------------------------------------------------------------------------------

def _kurtosis_hint(w, got, want):
    """Name the classic mistake behind a wrong kurtosis of Σ w_i·U_i."""
    wrongs = [(-want, "wrong sign: a uniform is flatter than a Gaussian (excess kurtosis −1.2 < 0), and so are sums of them"),
              (-1.2 / len(w), "−1.2/n is right only for equal weights: weight each term, Σw⁴/(Σw²)²"),
              (float(-1.2 * (w ** 4).sum()), "normalise by the variance squared: divide by (Σw²)²"),
              (float(-1.2 * (w ** 2).sum() / w.abs().sum() ** 2), "wrong powers: κ4 scales as w⁴ and the variance as w²")]
    for wrong, hint in wrongs:
        if _near(got, wrong, 1e-4) and not _near(want, wrong, 1e-4):
            return hint
    return ("cumulants add over independent terms: κ4 = Σ w⁴·κ4(U), variance = Σ w²·var(U), "
            "and a uniform's excess kurtosis is −1.2")


@_never_raises
def linear_uniform_kurtosis(fn):
    """Check an exercise of lesson 04: the excess kurtosis of Σ w_i·U_i, U_i uniform, from the weights w."""
    name = "linear_uniform_kurtosis"
    cases = [torch.ones(1), torch.ones(10), torch.tensor([1.0, 0.01, 0.01]), torch.tensor([3.0, -1.0, 2.0, 0.5])]
    wants = [float(-1.2 * (w.double() ** 4).sum() / (w.double() ** 2).sum() ** 2) for w in cases]
    answers = []
    for w in cases:
        got = _call(name, fn, w)
        number = _number(got)
        if number is None:
            _fail(name, f"returned {_show(got)}, not a number", "return a Python float or a 0-d tensor")
        answers.append(number)
    _first_wrong(name, answers, wants, cases, lambda g, w: _near(g, w, 1e-4),
                 lambda w, g, want: f"for w = {[round(v, 2) for v in w.tolist()]} you returned {g:.4g}, "
                 f"expected {want:.4g}", _kurtosis_hint)
    return verdict(True, name, f"correct on {len(cases)} weight vectors (one weight: −1.2, ten equal: −0.12)")


def _d_step_setup(seed=4):
    """G, D, a spy SGD optimizer on D that records its steps, a real and a noise batch (lesson 04)."""
    from .models import Discriminator, Generator
    g = torch.Generator().manual_seed(seed)
    G, D = Generator(1, 1, (8,), generator=g), Discriminator(1, (8,), generator=g)
    steps = []
    opt = _SpyOptimizer(D.parameters(), 0.1, lambda: steps.append(_grads(D)))
    real = sample(mixture_1d(), 64, torch.Generator().manual_seed(5))
    z = sample(noise(1), 64, torch.Generator().manual_seed(6))
    return G, D, opt, real, z, steps


def _d_step_mistake(steps, ref):
    """Name what went wrong in D's one step, from the gradients it stepped with; None when right."""
    if not steps:
        return ("D's weights differ from one optimizer step on ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0)",
                "zero D's gradients, backpropagate gl.d_loss(D(real), D(fake)) and call opt_d.step() once")
    if len(steps) > 1:
        return (f"opt_d.step() was called {len(steps)} times", "block 1 is one step: call opt_d.step() once")
    grad = steps[0]
    if float(grad.abs().max()) == 0.0:
        return ("opt_d.step() ran with all-zero gradients: D did not learn",
                "zero_grad() between backward() and step() wipes the gradients: zero_grad, backward, step")
    if _cos(grad, ref["d"][0]) > 0.999:
        return None
    if _cos(grad, ref["d_swapped"][0]) > 0.999:
        return ("D's labels are swapped: it learns to call real samples fake",
                "real samples get label 1, fakes label 0: gl.d_loss(D(real), D(fake)), real first")
    if _cos(grad, -ref["d"][0]) > 0.999:
        return ("D's loss has the wrong sign: the step made D worse", "minimise the BCE loss itself, do not negate it")
    return ("D's weights differ from one optimizer step on ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0)",
            "use the `real` and `z` you are given (no fresh noise), zero D's gradients, backpropagate "
            "gl.d_loss(D(real), D(fake)) and call opt_d.step() once")


@_never_raises
def discriminator_step(fn):
    """Check an exercise of lesson 04: block 1 of Algorithm 1, fn(G, D, opt_d, real, z) -> D's loss."""
    name = "discriminator_step"
    G, D, opt, real, z, steps = _d_step_setup()
    ref = _reference_grads(G, D, real, z)
    g_before = [p.detach().clone() for p in G.parameters()]
    got = _call(name, fn, G, D, opt, real, z)
    if any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in G.parameters()):
        _fail(name, "G's parameters received gradients from D's loss",
              "feed D the detached fakes: G(z).detach(), so no gradient flows into G")
    if any(not torch.equal(a, b) for a, b in zip(g_before, G.parameters())):
        _fail(name, "G's weights changed", "block 1 steps only D's optimizer")
    mistake = _d_step_mistake(steps, ref)
    if mistake:
        _fail(name, *mistake)
    scale = float(steps[0].norm() / ref["d"][0].norm())
    number = _number(got)
    if number is None or not any(_near(number, c * ref["d"][1], 1e-5) for c in (1.0, scale)):
        _fail(name, f"returned {_show(got)}, expected D's loss {ref['d'][1]:.4f}",
              "return the loss you backpropagated (its value before the step)")
    return verdict(True, name, "D took one step on its BCE loss, as gl.d_step does, and G received no gradient")


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
    from .metrics import wilson_interval
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
    from .metrics import wilson_interval
    name = "wilson"
    cases = [(0, 32), (32, 32), (7, 20), (50, 100), (3, 11)]
    for successes, trials in cases:
        got = _call(name, fn, successes, trials)
        pair = _pair(got)
        if pair is None:
            _fail(name, f"returned {_show(got)}", "return a pair (low, high) of numbers")
        want = wilson_interval(successes, trials)
        if not _close(pair, want, 1e-4):
            _fail(name, f"for {successes}/{trials} you returned ({pair[0]:.3f}, {pair[1]:.3f}), "
                  f"expected ({want[0]:.3f}, {want[1]:.3f})", _wilson_hint((successes, trials), pair, want))
    return verdict(True, name, f"matches the Wilson interval on {len(cases)} cases, including 0/32 and 32/32")


# ---- lesson 07 ---------------------------------------------------------------------------------

def _covered_cases():
    """(samples, centres, std, answer) for modes_covered: all modes, one mode, off-manifold, mixed."""
    from .data import ring
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

def _pair(got):
    """The learner's answer as two floats (a, b), or None when it is not a pair of numbers."""
    if isinstance(got, (str, bytes, dict)) or isinstance(got, torch.Tensor) and got.numel() != 2:
        return None
    try:
        a, b = got
    except Exception:
        return None
    a, b = _number(a), _number(b)
    return None if a is None or b is None else (a, b)


def _pair_cases(name, fn, cases, want, describe, hint):
    """Run fn on each case; ✗ at the first that differs from want(*case) (rel. tol. 1e-6)."""
    for case in cases:
        got = _call(name, fn, *case)
        pair = _pair(got)
        if pair is None:
            _fail(name, f"returned {_show(got)}, not a pair of numbers", "return a tuple (a, b)")
        expected = tuple(float(v) for v in want(*case))
        if not _close(pair, expected, 1e-6):
            _fail(name, f"for {describe(*case)} you returned ({pair[0]:.4g}, {pair[1]:.4g}), "
                  f"expected ({expected[0]:.4g}, {expected[1]:.4g})", hint(case, pair))


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
    from .games import bilinear_step
    name = "alternating_step"
    cases = [(0.5, -2.0, 0.3), (1.0, 0.0, 0.1), (-1.5, 0.7, 1.0)]

    def want(x, y, lr):
        return bilinear_step(torch.tensor([x, y], dtype=torch.float64), lr, "alternating")

    _pair_cases(name, fn, cases, want, lambda x, y, lr: f"x={x}, y={y}, lr={lr}", _alternating_hint)
    return verdict(True, name, f"correct on {len(cases)} cases")


def _dirac_hint(case, pair):
    """Name the classic mistake behind a wrong R1-regularised Dirac-GAN field."""
    from .games import dirac_field
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
    from .games import dirac_field
    name = "dirac_r1_field"
    cases = [(1.0, 1.0, 1.0), (-0.5, 2.0, 0.3), (2.0, -1.5, 3.0), (0.0, 1.0, 2.0)]
    cases = [tuple(torch.tensor(v, dtype=torch.float64) for v in case) for case in cases]

    def want(theta, psi, gamma):
        return dirac_field(theta, psi, regulariser="r1", gamma=float(gamma))

    _pair_cases(name, fn, cases, want, lambda t, p, g: f"θ={float(t):g}, ψ={float(p):g}, γ={float(g):g}",
                _dirac_hint)
    return verdict(True, name, f"correct on {len(cases)} cases")
