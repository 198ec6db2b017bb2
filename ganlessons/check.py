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
        mistakes.insert(0, f"G trained with label 0: G's step made its fakes look *less* real to a fixed D "
                        f"(−log D(G(z)) rose by {change:.2g}), so G helps D. Train G with label 1: "
                        "BCE(D(G(z)), 1)")
    elif change == 0:
        mistakes.insert(0, "G's parameters did not move: call opt_g.step() after g_loss.backward()")
    if mistakes:
        lines = "".join(f"\n  ✗ {m}" for m in mistakes)
        return verdict(False, name, f"{len(mistakes)} mistake{'s' if len(mistakes) > 1 else ''} found:{lines}",
                       "fix one at a time and run this cell again")
    return verdict(True, name, "D's step leaves G alone, no gradient is left over between calls, the losses "
                   "are stored as numbers, and G's step makes its fakes look more real")
