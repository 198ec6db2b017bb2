"""Self-checks of lesson 03: the two-block training step, judged by what it does (which optimizer
steps with which gradients, which way D and G move). Lesson 04's checks reuse its spies."""
import copy

import torch
import torch.nn.functional as F

from ..data import mixture_1d, noise, sample
from ._base import verdict, _call, _near, _never_raises, _number, _show


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
    from ..models import Discriminator, Generator
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
