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


# ---- lessons 02 and 03 -------------------------------------------------------------------------

def _close(got, want, tol):
    """True when a number or tensor `got` is finite and within tol·max(1, |want|) of `want` elementwise."""
    got = torch.as_tensor(got, dtype=torch.float64)
    want = torch.as_tensor(want, dtype=torch.float64)
    if got.shape != want.shape or not torch.isfinite(got).all():
        return False
    return bool(((got - want).abs() <= tol * want.abs().clamp(min=1.0)).all())


def _number(got):
    """The learner's answer as a float, or None when it is not a single number."""
    try:
        return float(got)
    except (TypeError, ValueError, RuntimeError):
        return None


def _value_cases():
    """(real_logits, fake_logits) pairs for value_on_logits: small, uneven sizes, and huge logits."""
    g = torch.Generator().manual_seed(2)
    return [(torch.randn(5, generator=g), torch.randn(5, generator=g)),
            (torch.tensor([0.0, 0.0, 0.0]), torch.tensor([0.0])),
            (torch.tensor([2.0, -1.0, 0.5]), torch.tensor([-3.0, 1.0, 0.0, 4.0, -0.5])),
            (torch.tensor([-200.0, 50.0]), torch.tensor([300.0, -60.0, 0.0])),
            (torch.tensor([1000.0, -1000.0]), torch.tensor([-1000.0, 1000.0]))]


def value_on_logits(fn):
    """Check an exercise of lesson 02: V(D, G) from D's logits on a real and a fake batch."""
    from .losses import value
    name = "value_on_logits"
    cases = _value_cases()
    for real, fake in cases:
        got, failed = _call(name, fn, real.clone(), fake.clone())
        if failed is not None:
            return failed
        want, number = float(value(real, fake)), _number(got)
        shown = f"real logits {real.tolist()}, fake logits {fake.tolist()}"
        if number is None:
            return verdict(False, name, f"for {shown} you returned {type(got).__name__}, not one number",
                           "return a 0-d tensor or a float: the mean over each batch, summed")
        if number != number or abs(number) == float("inf"):
            return verdict(False, name, f"for {shown} you returned {number}, expected {want:.4g}",
                           "σ(l) rounds to exactly 0 or 1 for large |l|, so log σ(l) becomes −inf: use "
                           "F.logsigmoid(l) for log D and F.logsigmoid(−l) for log(1 − D)")
        if not _close(number, want, 1e-4):
            return verdict(False, name, f"for {shown} you returned {number:.4g}, expected {want:.4g}",
                           "V = mean over the real batch of log D(x) + mean over the fake batch of "
                           "log(1 − D(G(z))), with D = σ(logit); the batches may differ in size")
    return verdict(True, name, f"matches gl.losses.value on {len(cases)} cases, including logits of ±1000")


def _log_density_cases():
    """(log p_data, log p_g) pairs for optimal_d_from_log_densities, down to log-densities of −1e4."""
    return [(torch.tensor([-1.0, -2.0, -0.5]), torch.tensor([-1.5, -0.5, -0.5])),
            (torch.tensor([-3.0, -30.0]), torch.tensor([-30.0, -3.0])),
            (torch.tensor([-10_000.0, -10_003.0, -20_000.0]), torch.tensor([-10_001.0, -10_000.0, -20_000.0])),
            (torch.tensor([-2.0, -5_000.0]), torch.tensor([-5_000.0, -2.0]))]


def optimal_d_from_log_densities(fn):
    """Check an exercise of lesson 02: D* = p_data/(p_data + p_g) from log-densities, also far in the tails."""
    name = "optimal_d_from_log_densities"
    cases = _log_density_cases()
    for log_p_data, log_p_g in cases:
        got, failed = _call(name, fn, log_p_data.clone(), log_p_g.clone())
        if failed is not None:
            return failed
        want = torch.sigmoid(log_p_data.double() - log_p_g.double())
        shown = f"log p_data = {log_p_data.tolist()}, log p_g = {log_p_g.tolist()}"
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            kind = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            return verdict(False, name, f"for {shown} you returned {kind}, expected a tensor of shape {tuple(want.shape)}",
                           "compute D* elementwise, one value per point")
        if not torch.isfinite(got).all():
            return verdict(False, name, f"for {shown} you returned {[round(v, 4) for v in got.tolist()]}",
                           "exp(−10000) underflows to 0, so p/(p + q) becomes 0/0 = nan: divide top and "
                           "bottom by p_data, D* = 1/(1 + exp(log p_g − log p_data)) = σ(log p_data − log p_g)")
        if _close(got, 1 - want, 1e-3) and not _close(got, want, 1e-3):
            return verdict(False, name, f"for {shown} you returned 1 − D*",
                           "D* is the probability that x is real: p_data on top, p_data + p_g below")
        if not _close(got, want, 1e-3):
            return verdict(False, name, f"for {shown} you returned {[round(v, 4) for v in got.tolist()]}, "
                           f"expected {[round(v, 4) for v in want.tolist()]}",
                           "D*(x) = p_data(x) / (p_data(x) + p_g(x)) = σ(log p_data(x) − log p_g(x))")
    return verdict(True, name, f"correct on {len(cases)} cases, including log-densities of −10000 and −20000")


class _SpyOptimizer(torch.optim.SGD):
    """Plain SGD that calls `on_step()` just before each step, to see the gradients it is about to use."""

    def __init__(self, params, lr, on_step):
        super().__init__(params, lr=lr)
        self._on_step = on_step

    def step(self, closure=None):
        self._on_step()
        return super().step(closure)


def _grads(module):
    """A copy of each parameter's gradient (zeros where there is none)."""
    return [torch.zeros_like(p) if p.grad is None else p.grad.detach().clone() for p in module.parameters()]


def _same(a, b, tol=1e-6):
    """True when two lists of gradients agree to tol."""
    return all(torch.allclose(x, y, atol=tol, rtol=1e-5) for x, y in zip(a, b))


def _is_zero(grads):
    """True when every gradient in the list is exactly zero."""
    return all(bool((g == 0).all()) for g in grads)


def _tiny_players(seed=3, n=64):
    """Small fixed G and D, a real batch and a noise batch, for checking training steps (lesson 03)."""
    from .models import Discriminator, Generator
    g = torch.Generator().manual_seed(seed)
    G, D = Generator(hidden=(8,), generator=g), Discriminator(hidden=(8,), generator=g)
    return G, D, sample(mixture_1d(), n, g), sample(noise(1), n, g)


def _spy_run(fn, name, calls=2):
    """Run the learner's step `calls` times with learning rate 0 and record the gradients at each step."""
    G, D, real, z = _tiny_players()
    log, records = {"d": [], "g": []}, []
    opt_d = _SpyOptimizer(D.parameters(), 0.0, lambda: records.append(("d", _grads(D), _grads(G))))
    opt_g = _SpyOptimizer(G.parameters(), 0.0, lambda: records.append(("g", _grads(G), None)))
    runs = []
    for _ in range(calls):
        before, start = _grads(G), len(records)
        _, failed = _call(name, fn, G, D, opt_g, opt_d, real, z, log)
        if failed is not None:
            return None, failed
        runs.append((before, records[start:]))
    return (runs, log), None


def _gradient_mistakes(runs):
    """Missing detach and missing zero_grad, read from the gradients each optimizer saw (lesson 03)."""
    d_steps = [[r for r in recs if r[0] == "d"] for _, recs in runs]
    g_steps = [[r for r in recs if r[0] == "g"] for _, recs in runs]
    if not all(d_steps) or not all(g_steps):
        which = "opt_d" if not all(d_steps) else "opt_g"
        return [f"{which}.step() was never called: each block ends with loss.backward() then {which}.step()"]
    mistakes = []
    if any(not _is_zero(d[0][2]) and not _same(d[0][2], before) for (before, _), d in zip(runs, d_steps)):
        mistakes.append("missing .detach(): the D step sent gradients into G. Feed D the fakes as "
                        "G(z).detach() in block 1, so G is held fixed while D learns")
    if not _same(d_steps[0][0][1], d_steps[1][0][1]):
        mistakes.append("missing opt_d.zero_grad(): D's gradients pile up from call to call (the same "
                        "batch gave D a different gradient the second time). Call opt_d.zero_grad() "
                        "before d_loss.backward()")
    if not _same(g_steps[0][0][1], g_steps[1][0][1]):
        mistakes.append("missing opt_g.zero_grad(): G's gradients pile up from call to call. Call "
                        "opt_g.zero_grad() before g_loss.backward()")
    return mistakes


def _log_mistakes(log, calls=2):
    """`loss.item` stored uncalled, tensors stored, or losses not stored at all (lesson 03)."""
    lists = {key: (log.get(key, []) if isinstance(log, dict) else []) for key in ("d", "g")}
    methods = [key for key, entries in lists.items() if any(callable(e) for e in entries)]
    tensors = [key for key, entries in lists.items() if any(isinstance(e, torch.Tensor) for e in entries)]
    mistakes = []
    if methods:
        mistakes.append(f"losses_log[{methods[0]!r}] holds methods like {lists[methods[0]][0]!r:.32}…: you "
                        "stored loss.item without calling it. Store loss.item(), a number")
    elif tensors:
        mistakes.append(f"losses_log[{tensors[0]!r}] holds tensors: store loss.item(), a plain number "
                        "(a tensor keeps its whole graph alive)")
    for key, entries in lists.items():
        if key not in methods + tensors and (len(entries) != calls or any(_number(e) is None for e in entries)):
            mistakes.append(f"after {calls} calls losses_log[{key!r}] holds {len(entries)} entries: append "
                            f"one number per call, losses_log[{key!r}].append(loss.item())")
    return mistakes


def _generator_direction(fn, name, lr=0.5):
    """How one call moves G with D held fixed: the change of −log D(G(z)) (negative = towards real)."""
    import torch.nn.functional as F
    G, D, real, z = _tiny_players()
    opt_g, opt_d = torch.optim.SGD(G.parameters(), lr=lr), torch.optim.SGD(D.parameters(), lr=0.0)
    with torch.no_grad():
        before = float(-F.logsigmoid(D(G(z))).mean())
    _, failed = _call(name, fn, G, D, opt_g, opt_d, real, z, {"d": [], "g": []})
    if failed is not None:
        return None, failed
    with torch.no_grad():
        return float(-F.logsigmoid(D(G(z))).mean()) - before, None


def train_step(fn):
    """Check the "spot the bug" exercise of lesson 03: a two-block step fn(G, D, opt_g, opt_d, real, z, losses_log).

    Judged by behaviour only: the gradients each optimizer sees (no gradient into G during D's
    step, no gradient left over from the call before), what is stored in losses_log, and which
    way G's update moves D(G(z)).
    """
    name = "train_step"
    recorded, failed = _spy_run(fn, name)
    if failed is not None:
        return failed
    runs, log = recorded
    mistakes = _gradient_mistakes(runs) + _log_mistakes(log)
    change, failed = _generator_direction(fn, name)
    if failed is not None:
        return failed
    if change > 0:
        mistakes.insert(0, "G trained with label 0: G's step made its fakes look *less* real to a fixed D "
                        "(−log D(G(z)) rose), so G helps D. Train G with label 1: BCE(D(G(z)), 1)")
    elif change == 0:
        mistakes.insert(0, "G's parameters did not move: call opt_g.step() after g_loss.backward()")
    if mistakes:
        lines = "".join(f"\n  ✗ {m}" for m in mistakes)
        return verdict(False, name, f"{len(mistakes)} mistake{'s' if len(mistakes) > 1 else ''} found:{lines}",
                       "fix one at a time and run this cell again")
    return verdict(True, name, "D's step leaves G alone, no gradient is left over between calls, the losses "
                   "are stored as numbers, and G's step makes its fakes look more real")


# ---- lesson 09 ---------------------------------------------------------------------------------

def _pair(got):
    """The learner's answer as two floats (a, b), or None when it is not a pair of numbers."""
    try:
        a, b = got
        return float(a), float(b)
    except (TypeError, ValueError, RuntimeError):
        return None


def _pair_cases(name, fn, cases, want, describe, hint):
    """Run fn on each case; ✗ at the first that differs from want(*case) (rel. tol. 1e-6), else None."""
    for case in cases:
        got, failed = _call(name, fn, *case)
        if failed is not None:
            return failed
        pair = _pair(got)
        if pair is None:
            return verdict(False, name, f"returned {got!r}, not a pair of numbers", "return a tuple (a, b)")
        expected = tuple(float(v) for v in want(*case))
        if not _close(pair, expected, 1e-6):
            return verdict(False, name, f"for {describe(*case)} you returned ({pair[0]:.4g}, {pair[1]:.4g}), "
                           f"expected ({expected[0]:.4g}, {expected[1]:.4g})", hint(case, pair))
    return None


def alternating_step(fn):
    """Check an exercise of lesson 09: one alternating step (x, y, lr) ↦ (x', y') on min_x max_y x·y."""
    from .games import bilinear_step
    name = "alternating_step"
    cases = [(0.5, -2.0, 0.3), (1.0, 0.0, 0.1), (-1.5, 0.7, 1.0)]

    def want(x, y, lr):
        return bilinear_step(torch.tensor([x, y], dtype=torch.float64), lr, "alternating")

    def hint(case, pair):
        x, y, lr = case
        if _close(pair, (x - lr * y, y + lr * x), 1e-6):
            return "that is the simultaneous step: move y first, then move x using the *new* y"
        if _close(pair, (x - lr * y, y + lr * (x - lr * y)), 1e-6):
            return "you moved x first; in this course the discriminator's side (y) moves first, as in the " \
                   "two-block training step"
        return "y ascends x·y (y' = y + lr·x), then x descends it using the new y (x' = x − lr·y')"

    failed = _pair_cases(name, fn, cases, want, lambda x, y, lr: f"x={x}, y={y}, lr={lr}", hint)
    return failed if failed is not None else verdict(True, name, f"correct on {len(cases)} cases")


def dirac_r1_field(fn):
    """Check an exercise of lesson 09: the Dirac-GAN's vector field (θ̇, ψ̇) with the R1 penalty (γ/2)·ψ²."""
    from .games import dirac_field
    name = "dirac_r1_field"
    cases = [(1.0, 1.0, 1.0), (-0.5, 2.0, 0.3), (2.0, -1.5, 3.0), (0.0, 1.0, 2.0)]
    cases = [tuple(torch.tensor(v, dtype=torch.float64) for v in case) for case in cases]

    def want(theta, psi, gamma):
        return dirac_field(theta, psi, regulariser="r1", gamma=float(gamma))

    def hint(case, pair):
        theta, psi, gamma = (float(v) for v in case)
        plain = [float(v) for v in dirac_field(theta, psi)]
        if _close(pair, (plain[0], plain[1] - 2 * gamma * psi), 1e-6):
            return "the derivative of (γ/2)·ψ² is γ·ψ, not 2γ·ψ"
        if _close(pair, (plain[0], plain[1] + gamma * psi), 1e-6):
            return "D *maximises* V − (γ/2)·ψ²: the penalty pulls ψ towards 0, so subtract γ·ψ"
        if _close(pair, plain, 1e-6):
            return "that is the field without the penalty: D's ψ̇ also gets −γ·ψ"
        return "θ̇ = ψ·σ(ψθ) (G descends V); ψ̇ = −θ·σ(ψθ) − γ·ψ (D ascends V − (γ/2)·ψ²)"

    failed = _pair_cases(name, fn, cases, want,
                         lambda t, p, g: f"θ={float(t):g}, ψ={float(p):g}, γ={float(g):g}", hint)
    return failed if failed is not None else verdict(True, name, f"correct on {len(cases)} cases")


def linear_uniform_kurtosis(fn):
    """Check an exercise of lesson 04: the excess kurtosis of Σ w_i·U_i, U_i uniform, from the weights w."""
    name = "linear_uniform_kurtosis"
    cases = [torch.ones(1), torch.ones(10), torch.tensor([1.0, 0.01, 0.01]), torch.tensor([3.0, -1.0, 2.0, 0.5])]
    for w in cases:
        want = float(-1.2 * (w ** 4).sum() / (w ** 2).sum() ** 2)
        got, failed = _call(name, fn, w.clone())
        if failed is not None:
            return failed
        try:
            got = float(got)
        except (TypeError, ValueError):
            return verdict(False, name, f"returned {got!r}, not a number", "return a Python float or a 0-d tensor")
        if abs(got - want) > 1e-4:
            return verdict(False, name, f"for w = {[round(v, 2) for v in w.tolist()]} you returned {got:.4g}, "
                           f"expected {want:.4g}",
                           "cumulants add over independent terms: κ4 = Σ w⁴·κ4(U), variance = Σ w²·var(U), "
                           "and a uniform's excess kurtosis is −1.2")
    return verdict(True, name, f"correct on {len(cases)} weight vectors (one weight: −1.2, ten equal: −0.12)")


def discriminator_step(fn):
    """Check an exercise of lesson 04: block 1 of Algorithm 1, fn(G, D, opt_d, real, z) -> D's loss."""
    from .models import Discriminator, Generator
    from .train import d_step
    name = "discriminator_step"
    players = []
    for _ in range(2):
        g = torch.Generator().manual_seed(4)
        G, D = Generator(1, 1, (8,), generator=g), Discriminator(1, (8,), generator=g)
        players.append((G, D, torch.optim.SGD(D.parameters(), lr=0.1)))
    real = sample(mixture_1d(), 64, torch.Generator().manual_seed(5))
    z = sample(noise(1), 64, torch.Generator().manual_seed(6))
    (G, D, opt), (G_ref, D_ref, opt_ref) = players
    g_before = [p.detach().clone() for p in G.parameters()]
    got, failed = _call(name, fn, G, D, opt, real, z)
    if failed is not None:
        return failed
    want = d_step(G_ref, D_ref, opt_ref, real, z)[0]
    if any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in G.parameters()):
        return verdict(False, name, "G's parameters received gradients from D's loss",
                       "feed D the detached fakes: G(z).detach(), so no gradient flows into G")
    if any(not torch.equal(a, b) for a, b in zip(g_before, G.parameters())):
        return verdict(False, name, "G's weights changed", "block 1 steps only D's optimizer")
    if not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(D.parameters(), D_ref.parameters())):
        return verdict(False, name, "D's weights differ from one optimizer step on ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0)",
                       "zero D's gradients, backpropagate gl.d_loss(D(real), D(fake)) and call opt_d.step() once")
    try:
        ok = abs(float(got) - float(want)) < 1e-6
    except (TypeError, ValueError):
        ok = False
    if not ok:
        return verdict(False, name, f"returned {got!r}, expected D's loss {float(want):.4f}",
                       "return the loss you backpropagated (its value before the step)")
    return verdict(True, name, "D took the same step as gl.d_step, and G received no gradient")


def saturating_slope(fn):
    """Check an exercise of lesson 05: d/dl log(1 − σ(l)), the minimax generator cost's slope on a logit."""
    name = "saturating_slope"
    logits = torch.tensor([-7.0, -2.0, 0.0, 1.5, 4.0])
    got, failed = _call(name, fn, logits.clone())
    if failed is not None:
        return failed
    want = -torch.sigmoid(logits)
    if not isinstance(got, torch.Tensor) or got.shape != logits.shape:
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        return verdict(False, name, f"returned {shape}, expected a tensor of shape {tuple(logits.shape)}",
                       "compute one slope per logit, elementwise")
    if torch.allclose(got.float(), -want, atol=1e-5):
        return verdict(False, name, "right size, wrong sign", "log(1 − σ(l)) falls as l grows: the slope is negative")
    if torch.allclose(got.float(), -(1 - torch.sigmoid(logits)), atol=1e-5):
        return verdict(False, name, "that is the non-saturating cost's slope, −(1 − σ(l))",
                       "differentiate log(1 − σ(l)), not −log σ(l)")
    if not torch.allclose(got.float(), want, atol=1e-5):
        bad = int((got.float() - want).abs().argmax())
        return verdict(False, name, f"at l = {logits[bad]:.1f} you returned {float(got[bad]):.4g}, expected "
                       f"{float(want[bad]):.4g}", "use σ'(l) = σ(l)(1 − σ(l)) and the chain rule; or check with autograd")
    return verdict(True, name, "−σ(l) on 5 logits: it vanishes as D(G(z)) = σ(l) → 0")


def wilson(fn):
    """Check an exercise of lesson 06: the Wilson score interval (low, high) of a success rate at z = 1.96."""
    from .metrics import wilson_interval
    name = "wilson"
    for successes, trials in ((0, 32), (32, 32), (7, 20), (50, 100)):
        got, failed = _call(name, fn, successes, trials)
        if failed is not None:
            return failed
        want = wilson_interval(successes, trials)
        try:
            low, high = (float(v) for v in got)
        except (TypeError, ValueError):
            return verdict(False, name, f"returned {got!r}", "return a pair (low, high) of numbers")
        if abs(low - want[0]) > 1e-4 or abs(high - want[1]) > 1e-4:
            hint = ("at 0 or all successes the simple p ± 1.96·√(p(1−p)/n) interval has zero width: that is "
                    "the Wald interval, not Wilson's" if successes in (0, trials) else
                    "centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²)")
            return verdict(False, name, f"for {successes}/{trials} you returned ({low:.3f}, {high:.3f}), "
                           f"expected ({want[0]:.3f}, {want[1]:.3f})", hint)
    return verdict(True, name, "matches the Wilson interval on 4 cases, including 0/32 and 32/32")


# ---- lessons 07 and 08 -------------------------------------------------------------------------

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


def modes_covered(fn):
    """Check an exercise of lesson 07: the number of modes nearest to at least one high-quality sample."""
    name = "modes_covered"
    for samples, centres, std, want in _covered_cases():
        got, failed = _call(name, fn, samples, centres, std)
        if failed is not None:
            return failed
        number = _number(got)
        if number != want:
            hint = ("a sample counts only when it is within 3 standard deviations of its nearest centre"
                    if number is not None and number > want else
                    "find each sample's nearest centre (torch.cdist(...).min(dim=1)), keep the high-quality "
                    "samples, then count the distinct centres they are nearest to")
            return verdict(False, name, f"on a set of {len(samples)} samples you returned {got!r}, expected {want}", hint)
    return verdict(True, name, "right on all modes, one mode, off-manifold samples and a mixed set")


def pack(fn):
    """Check an exercise of lesson 08: PacGAN's packing (n, dim) → (n/pac, pac·dim), neighbours side by side."""
    name = "pack"
    for n, dim, pac in ((6, 2, 2), (8, 2, 4), (9, 1, 3)):
        x = torch.arange(float(n * dim)).reshape(n, dim)
        got, failed = _call(name, fn, x, pac)
        if failed is not None:
            return failed
        want = x.reshape(n // pac, pac * dim)
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            return verdict(False, name, f"for x of shape {(n, dim)} and pac={pac} you returned {shape}, expected "
                           f"{tuple(want.shape)}", "each row of the result holds pac samples, so n/pac rows of pac·dim")
        if not torch.equal(got, want):
            return verdict(False, name, f"for x = arange reshaped to {(n, dim)}, pac={pac}, row 0 is "
                           f"{got[0].tolist()}, expected {want[0].tolist()}",
                           "row 0 packs samples 0..pac−1 side by side: a plain x.reshape(n // pac, pac * dim) does it")
    return verdict(True, name, "packs neighbours side by side for pac = 2, 3 and 4")


# ---- lessons 10 and 11 (handwritten digits) ----------------------------------------------------

def _frechet_cases():
    """(mu_a, cov_a, mu_b, cov_b, want): identical, means only, diagonal, and non-commuting covariances."""
    from .evaluate import _psd_sqrt
    g = torch.Generator().manual_seed(10)
    a, b = torch.randn(3, 3, generator=g, dtype=torch.float64), torch.randn(3, 3, generator=g, dtype=torch.float64)
    cov_a, cov_b = a @ a.T + 0.1 * torch.eye(3, dtype=torch.float64), b @ b.T + 0.1 * torch.eye(3, dtype=torch.float64)
    mu_a, mu_b = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64), torch.tensor([0.0, 2.0, 0.5], dtype=torch.float64)
    root = _psd_sqrt(cov_a)
    cross = torch.linalg.eigvalsh(root @ cov_b @ root).clamp(min=0).sqrt().sum()
    general = float((mu_a - mu_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross)
    eye = torch.eye(2, dtype=torch.float64)
    return [(mu_a, cov_a, mu_a.clone(), cov_a.clone(), 0.0, "identical statistics"),
            (torch.zeros(2, dtype=torch.float64), eye, torch.tensor([3.0, 4.0], dtype=torch.float64), eye.clone(),
             25.0, "equal covariances, means 5 apart"),
            (torch.zeros(2, dtype=torch.float64), torch.diag(torch.tensor([4.0, 1.0], dtype=torch.float64)),
             torch.zeros(2, dtype=torch.float64), torch.diag(torch.tensor([1.0, 9.0], dtype=torch.float64)),
             5.0, "diagonal covariances diag(4, 1) and diag(1, 9)"),
            (mu_a, cov_a, mu_b, cov_b, general, "two random 3×3 covariances that do not commute")]


def frechet_distance(fn):
    """Check an exercise of lesson 10: the Fréchet distance between N(mu_a, cov_a) and N(mu_b, cov_b)."""
    name = "frechet_distance"
    for mu_a, cov_a, mu_b, cov_b, want, case in _frechet_cases():
        got, failed = _call(name, fn, mu_a, cov_a, mu_b, cov_b)
        if failed is not None:
            return failed
        number = _number(got)
        if number is None:
            return verdict(False, name, f"for {case} you returned {got!r}, not a number",
                           "return a Python float or a 0-d tensor")
        if not _close(number, want, 1e-4):
            hints = {0: "identical Gaussians are at distance 0: check the sign of the 2·Tr((Σa Σb)^½) term",
                     1: ("the mean term is the squared distance ‖μa − μb‖², not the distance itself"
                         if abs(number - 5.0) < 1e-3 else
                         "FD = ‖μa − μb‖² + Tr(Σa) + Tr(Σb) − 2·Tr((Σa Σb)^½): here only the mean term is not 0"),
                     2: "the trace term is Tr(Σa) + Tr(Σb) − 2·Tr((Σa Σb)^½); (Σa Σb)^½ is a matrix square root",
                     3: "(Σa Σb)^½ is not the elementwise square root: Tr((Σa Σb)^½) is the sum of the square "
                        "roots of the eigenvalues of Σa Σb (torch.linalg.eigvals(...).real.clamp(min=0).sqrt())"}
            index = [c[-1] for c in _frechet_cases()].index(case)
            return verdict(False, name, f"for {case} you returned {number:.4g}, expected {want:.4g}", hints[index])
    return verdict(True, name, "right for identical, shifted, diagonal and non-commuting Gaussians")


def _histogram_cases():
    """(counts, want): uniform, one mode, two modes of four with empty bins, an uneven histogram."""
    uneven = torch.tensor([5, 1, 0, 2, 2])
    p = uneven.double() / uneven.sum()
    want = float((p[p > 0] * (p[p > 0] * 5).log()).sum())
    return [(torch.tensor([3, 3, 3, 3]), 0.0, "a uniform histogram"),
            (torch.tensor([0, 7, 0, 0, 0, 0, 0, 0, 0, 0]), float(torch.log(torch.tensor(10.0))), "one full mode of 10"),
            (torch.tensor([2, 0, 2, 0]), float(torch.log(torch.tensor(2.0))), "two of four modes, equal counts"),
            (uneven, want, "the uneven histogram [5, 1, 0, 2, 2]")]


def kl_to_uniform(fn):
    """Check an exercise of lesson 11: KL(p ‖ uniform) in nats of a histogram of counts over modes."""
    name = "kl_to_uniform"
    for counts, want, case in _histogram_cases():
        got, failed = _call(name, fn, counts.clone())
        if failed is not None:
            return failed
        number = _number(got)
        if number is None:
            return verdict(False, name, f"for {case} you returned {got!r}, not a number",
                           "return a Python float or a 0-d tensor")
        if not _close(number, want, 1e-4):
            if number != number:
                hint = "empty modes give 0·log 0, which is 0 by convention: sum only over modes with p > 0"
            elif number == float("inf"):
                hint = "that is KL(uniform ‖ p), infinite when a mode is empty; the papers use KL(p ‖ uniform)"
            elif want > 0 and abs(number / want - 1 / 0.6931471805599453) < 1e-3:
                hint = "use the natural log (nats), not log2"
            else:
                hint = "turn counts into shares p = counts / counts.sum(), then sum p·log(p·K) over modes with p > 0"
            return verdict(False, name, f"for {case} you returned {number:.4g}, expected {want:.4g}", hint)
    return verdict(True, name, "right for uniform, one-mode, two-mode and uneven histograms with empty modes")
