"""Self-checks of lesson 04: the excess kurtosis of a linear G on uniform noise, and block 1 of
Algorithm 1 (one discriminator step), judged with lesson 03's optimizer spies."""
import torch

from ..data import mixture_1d, noise, sample
from ._base import verdict, _call, _fail, _first_wrong, _near, _never_raises, _number, _show
from .lessons_03 import _SpyOptimizer, _cos, _grads, _reference_grads


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
    from ..models import Discriminator, Generator
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
