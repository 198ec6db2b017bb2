"""The catalogue of every exercise self-check (issue 10): for each check, wrong answers — the classic
mistakes of its exercise plus nan/inf, wrong type or shape, wrong sign, swapped labels, dead or
extra optimizer steps, ignoring the input, right mean with wrong spread — each get ✗ with a hint
that names the mistake; right answers written differently get ✓; and no input of any kind makes a
check raise."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ganlessons as gl
from ganlessons import check

NORMAL = torch.distributions.Normal(0.0, 1.0)


def run(capsys, check_fn, fn):
    """Run one check; return (passed, printed text)."""
    result = check_fn(fn)
    return bool(result), capsys.readouterr().out


def raises(*args):
    raise RuntimeError("boom")


# ---- lesson 00: fraction_right_of_zero ----------------------------------------------------------

FRACTION_RIGHT = [lambda x: float((x > 0).float().mean()),
                  lambda x: (x > 0).sum().item() / len(x),
                  lambda x: torch.mean((x > 0).double()),                     # a 0-d tensor
                  lambda x: np.mean(x.numpy() > 0)]                           # a numpy scalar
FRACTION_WRONG = [(lambda x: float((x >= 0).float().mean()), "counted x = 0"),
                  (lambda x: float((x > 0).sum()), "count of x > 0"),
                  (lambda x: float((x <= 0).float().mean()), "share *left* of zero"),
                  (lambda x: float(x.mean()), "mean of x"),
                  (lambda x: 0.5, "ignores its input"),
                  (lambda x: "0.5", "not one number"),
                  (lambda x: (x > 0).float(), "not one number"),               # not reduced: shape (n, 1)
                  (lambda x: math.nan, "nan"),
                  (lambda x: math.inf, "inf"),
                  (lambda x: None, "not one number"),
                  (raises, "raised RuntimeError")]

# ---- lesson 01: hand_generator ------------------------------------------------------------------


def hand_right(z):
    u = (2 * NORMAL.cdf(z.abs()) - 1).clamp(1e-6, 1 - 1e-6)
    return torch.sign(z) * 2 + 0.5 * NORMAL.icdf(u)


def hand_right_monotone(z):
    """The monotone map: the quantile function of the target composed with Φ (what a trained G approximates)."""
    u = NORMAL.cdf(z).clamp(1e-7, 1 - 1e-7).double()
    left = u < 0.5
    inner = torch.where(left, 2 * u, 2 * u - 1).clamp(1e-12, 1 - 1e-12)
    offset = 0.5 * torch.distributions.Normal(0.0, 1.0).icdf(inner.float()).double()
    return torch.where(left, -2 + offset, 2 + offset).float()


def hand_half_normal_spread(z):
    return torch.sign(z) * 2 + 0.5 * z          # mode centres at ±2.4: the offset |z| is not centred


HAND_RIGHT = [hand_right, hand_right_monotone, lambda z: hand_right(z).double()]
HAND_WRONG = [(lambda z: torch.full_like(z, 2.0), "half the noise"),
              (lambda z: z + 2, "half the noise"),                                        # one mode
              (lambda z: torch.sign(z) * 2, "no spread"),
              (lambda z: torch.sign(z) * 2 + 0.4 * NORMAL.icdf((2 * NORMAL.cdf(z.abs()) - 1).clamp(1e-6, 1 - 1e-6)),
               "wrong spread"),                                                           # right mean, std 0.4
              (lambda z: torch.sign(z) * 1 + 0.5 * NORMAL.icdf((2 * NORMAL.cdf(z.abs()) - 1).clamp(1e-6, 1 - 1e-6)),
               "centres are off"),
              (hand_half_normal_spread, "centres are off"),
              (lambda z: torch.where(z > 0.5, 2.0, -2.0) + 0.5 * torch.randn_like(z), "half the noise"),  # 31% / 69%
              (lambda z: torch.sign(torch.randn_like(z)) * 2 + 0.5 * torch.randn_like(z), "ignores its input z"),
              (lambda z: hand_right(torch.randn(len(z), 1, generator=torch.Generator().manual_seed(0))),
               "ignores its input z"),                                                    # a fixed sample
              (lambda z: torch.sign(z) * 2 + 0.5 * 3 ** 0.5 * (2 * (2 * NORMAL.cdf(z.abs()) - 1) - 1),
               "must be *Gaussian*"),                                                     # uniform modes, std 0.5
              (lambda z: hand_right(z)[:10], "expected a tensor of shape (50000, 1)"),
              (lambda z: hand_right(z)[:, 0], "expected a tensor of shape (50000, 1)"),
              (lambda z: hand_right(z).numpy(), "expected a tensor of shape"),
              (lambda z: torch.log(z), "nan or inf"),
              (lambda z: hand_right(z) / (z * 0), "nan or inf"),
              (raises, "raised RuntimeError")]

# ---- lesson 02: value_on_logits, optimal_d_from_log_densities, c_g_at_collapse ---------------------


def value_right(r, f):
    return F.logsigmoid(r).mean() + F.logsigmoid(-f).mean()


VALUE_RIGHT = [value_right,
               lambda r, f: float(value_right(r, f)),
               lambda r, f: -(F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
                              + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))),
               lambda r, f: -F.softplus(-r).mean() - F.softplus(f).mean()]
VALUE_WRONG = [(lambda r, f: torch.log(torch.sigmoid(r)).mean() + torch.log(1 - torch.sigmoid(f)).mean(), "logsigmoid"),
               (lambda r, f: F.logsigmoid(-r).mean() + F.logsigmoid(f).mean(), "swapped"),
               (lambda r, f: -value_right(r, f), "wrong sign"),
               (lambda r, f: -value_right(r, f) / 2, "D's BCE loss"),
               (lambda r, f: F.logsigmoid(r).sum() + F.logsigmoid(-f).sum(), "summed"),
               (lambda r, f: torch.cat([F.logsigmoid(r), F.logsigmoid(-f)]).mean() * 2, "averaged the two batches"),
               (lambda r, f: F.logsigmoid(r).mean(), "only the first term"),
               (lambda r, f: F.logsigmoid(r).mean() + F.logsigmoid(f).mean(), "logsigmoid(−l)"),
               (lambda r, f: torch.log(torch.sigmoid(r).clamp(1e-7)).mean()
                + torch.log((1 - torch.sigmoid(f)).clamp(1e-7)).mean(), "clamping"),
               (lambda r, f: -math.log(4), "ignores its input"),
               (lambda r, f: F.logsigmoid(r) + F.logsigmoid(-f).mean(), "not one number"),
               (lambda r, f: "-1.386", "not one number"),
               (lambda r, f: math.nan, "logsigmoid"),
               (raises, "raised RuntimeError")]

DSTAR_RIGHT = [lambda a, b: torch.sigmoid(a - b),
               lambda a, b: (a - torch.logaddexp(a, b)).exp(),
               lambda a, b: 1 / (1 + torch.exp(b - a)),
               lambda a, b: torch.softmax(torch.stack([a, b]), dim=0)[0].double()]
DSTAR_WRONG = [(lambda a, b: a.exp() / (a.exp() + b.exp()), "underflows"),
               (lambda a, b: torch.sigmoid(b - a), "1 − D*"),
               (lambda a, b: (a - b).exp(), "density ratio"),
               (lambda a, b: a - b, "D*'s logit"),
               (lambda a, b: a / (a + b), "divided the log-densities"),
               (lambda a, b: a.exp() / (a.exp() + b.exp() + 1e-12), "tails"),
               (lambda a, b: torch.full_like(a, 0.5), "ignores its input"),
               (lambda a, b: torch.sigmoid(a - b).tolist(), "expected a tensor of shape"),
               (lambda a, b: torch.sigmoid(a - b).mean(), "expected a tensor of shape"),
               (lambda a, b: torch.full_like(a, math.inf), "nan or inf"),
               (raises, "raised RuntimeError")]


def c_g_grid(shift, low=-9.0, high=9.0, points=18001):
    target, q = gl.mixture_1d(), gl.mixture_1d(means=(shift, shift))
    x = torch.linspace(low, high, points, dtype=torch.float64)[:, None]
    lp, lq = target.log_prob(x.float()).double(), q.log_prob(x.float()).double()
    integrand = lp.exp() * F.logsigmoid(lp - lq) + lq.exp() * F.logsigmoid(lq - lp)
    return float(integrand.sum() * (high - low) / (points - 1))


def c_g_from_jsd(shift):
    return -math.log(4) + 2 * gl.losses.jsd(gl.mixture_1d(), gl.mixture_1d(means=(shift, shift)), low=-9.0, high=9.0)


C_G_RIGHT = [c_g_grid, c_g_from_jsd, lambda s: torch.tensor(c_g_grid(s, points=6001))]
C_G_WRONG = [(lambda s: (c_g_grid(s) + math.log(4)) / 2, "JSD itself"),
             (lambda s: -c_g_grid(s), "wrong sign"),
             (lambda s: -math.log(4) + (c_g_grid(s) + math.log(4)) / 2, "factor 2"),
             (lambda s: 0.0, "do not overlap"),
             (lambda s: c_g_grid(0.0), "ignores its input"),
             (lambda s: c_g_grid(s) + 0.1, "sum it on a grid"),
             (lambda s: [c_g_grid(s)], "not one number"),
             (lambda s: math.nan, "nan"),
             (raises, "raised RuntimeError")]

# ---- lesson 03: train_step ----------------------------------------------------------------------


def make_step(label=1.0, call_item=True, detach=True, zero_d=True, zero_g=True, swap_d=False, negate_d=False,
              dead_d=False, dead_g=False, extra_d=False, fresh_z=False, log="append", reuse_fake=False):
    """A two-block training step with any one classic mistake switched on."""
    def step(G, D, opt_g, opt_d, real, z, losses_log):
        fake = G(z).detach() if detach else G(z)
        d_loss = gl.d_loss(D(fake), D(real)) if swap_d else gl.d_loss(D(real), D(fake))
        d_loss = -d_loss if negate_d else d_loss
        if zero_d:
            opt_d.zero_grad()
        d_loss.backward()
        if dead_d:
            opt_d.zero_grad()
        opt_d.step()
        noise = torch.randn_like(z) if fresh_z else z
        fake_logits = D(fake.detach()) if reuse_fake else D(G(noise))
        g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.full_like(fake_logits, label))
        if zero_g:
            opt_g.zero_grad()
        g_loss.backward()
        if dead_g:
            opt_g.zero_grad()
        opt_g.step()
        if extra_d:
            opt_d.step()
        d_value, g_value = (d_loss.item(), g_loss.item()) if call_item else (d_loss.item, g_loss.item)
        if log == "append":
            losses_log["d"].append(d_value)
            losses_log["g"].append(g_value)
        elif log == "assign":
            losses_log["d"] = d_value
            losses_log["g"] = g_value
        elif log == "swap":
            losses_log["d"].append(g_value)
            losses_log["g"].append(d_value)
        elif log == "tensor":
            losses_log["d"].append(d_loss.detach())
            losses_log["g"].append(g_loss.detach())
    return step


def step_concatenated(G, D, opt_g, opt_d, real, z, losses_log):
    """One BCE over the concatenated batch, model.zero_grad(), no_grad fakes: right, written differently."""
    with torch.no_grad():
        fake = G(z)
    logits = D(torch.cat([real, fake]))
    labels = torch.cat([torch.ones(len(real)), torch.zeros(len(fake))])
    d_loss = F.binary_cross_entropy_with_logits(logits, labels)
    D.zero_grad()
    d_loss.backward()
    opt_d.step()
    G.zero_grad()
    g_loss = gl.g_loss_non_saturating(D(G(z)))
    g_loss.backward()
    opt_g.step()
    losses_log["d"].append(float(d_loss.detach()))
    losses_log["g"].append(float(g_loss.detach()))


def step_dcgan(G, D, opt_g, opt_d, real, z, losses_log):
    """pytorch/examples dcgan: two BCE halves summed, backward called on each half."""
    bce = F.binary_cross_entropy_with_logits
    opt_d.zero_grad()
    err_real = bce(D(real), torch.ones(len(real)))
    err_real.backward()
    fake = G(z)
    err_fake = bce(D(fake.detach()), torch.zeros(len(z)))
    err_fake.backward()
    opt_d.step()
    opt_g.zero_grad()
    err_g = bce(D(fake), torch.ones(len(z)))
    err_g.backward()
    opt_g.step()
    losses_log["d"].append((err_real + err_fake).item())
    losses_log["g"].append(err_g.item())


def step_zero_first(G, D, opt_g, opt_d, real, z, losses_log):
    """Both optimizers zeroed at the start, fakes made once, detached for D, losses logged at the end."""
    opt_g.zero_grad()
    opt_d.zero_grad()
    fake = G(z)
    d_loss = gl.d_loss(D(real), D(fake.detach()))
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss = gl.g_loss_non_saturating(D(fake))
    g_loss.backward()
    opt_g.step()
    losses_log["d"].append(d_loss.item())
    losses_log["g"].append(g_loss.item())


def step_saturating(G, D, opt_g, opt_d, real, z, losses_log):
    """G on the original minimax loss log(1 − D(G(z))), minimised: also moves G the right way."""
    d_loss = gl.d_step(G, D, opt_d, real, z)[0]
    g_loss = gl.g_loss_saturating(D(G(z)))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    losses_log["d"].append(d_loss.item())
    losses_log["g"].append(g_loss.item())


STEP_RIGHT = [make_step(), step_concatenated, step_dcgan, step_zero_first, step_saturating]
STEP_WRONG = [(make_step(label=0.0), "G trained with label 0"),
              (make_step(call_item=False), "without calling it"),
              (make_step(detach=False), "missing .detach()"),
              (make_step(zero_d=False), "missing opt_d.zero_grad()"),
              (make_step(zero_g=False), "missing opt_g.zero_grad()"),
              (make_step(swap_d=True), "labels are swapped"),
              (make_step(negate_d=True), "wrong sign"),
              (make_step(dead_d=True), "D never learns"),
              (make_step(dead_g=True), "G never learns"),
              (make_step(reuse_fake=True), "G never learns"),
              (make_step(extra_d=True), "extra opt_d.step() in block 2"),
              (make_step(fresh_z=True), "on the z you were given"),
              (make_step(log="assign"), "instead of appending"),
              (make_step(log="swap"), "holds G's loss"),
              (make_step(log="tensor"), "tensors: store loss.item()"),
              (lambda G, D, opt_g, opt_d, real, z, log: None, "opt_d.step() was never called"),
              (raises, "raised RuntimeError")]


def test_train_step_lists_all_four_mistakes_of_the_lesson_stub(capsys):
    stub = make_step(label=0.0, call_item=False, detach=False, zero_d=False)
    ok, out = run(capsys, check.train_step, stub)
    assert not ok and "4 mistakes found" in out, out
    for words in ("label 0", "without calling it", "missing .detach()", "missing opt_d.zero_grad()"):
        assert words in out, words


def test_train_step_names_each_single_mistake_alone(capsys):
    for fn, words in STEP_WRONG[:15]:
        ok, out = run(capsys, check.train_step, fn)
        assert "1 mistake found" in out, out


# ---- lesson 04: linear_uniform_kurtosis, discriminator_step ---------------------------------------

KURT_RIGHT = [lambda w: float(-1.2 * (w ** 4).sum() / (w ** 2).sum() ** 2),
              lambda w: -1.2 * torch.sum(w ** 4) / torch.sum(w * w) ** 2,
              lambda w: -1.2 * np.sum(w.numpy() ** 4) / np.sum(w.numpy() ** 2) ** 2]
KURT_WRONG = [(lambda w: 1.2 * float((w ** 4).sum() / (w ** 2).sum() ** 2), "wrong sign"),
              (lambda w: -1.2 / len(w), "equal weights"),
              (lambda w: float(-1.2 * (w ** 4).sum()), "variance squared"),
              (lambda w: float(-1.2 * (w ** 2).sum() / w.abs().sum() ** 2), "wrong powers"),
              (lambda w: 0.0, "uniform's excess kurtosis is −1.2"),
              (lambda w: -1.2, "ignores its input"),
              (lambda w: "minus one point two", "not a number"),
              (lambda w: math.nan, "expected"),
              (lambda w: -math.inf, "expected"),
              (lambda w: 1 / 0, "raised ZeroDivisionError")]


def d_step_right(G, D, opt_d, real, z):
    loss = gl.d_loss(D(real), D(G(z).detach()))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


def d_step_sum(G, D, opt_d, real, z):
    """Two BCE halves summed (the pytorch dcgan way): the same direction, twice the size."""
    fake = G(z).detach()
    loss = F.binary_cross_entropy_with_logits(D(real), torch.ones(len(real))) + \
        F.binary_cross_entropy_with_logits(D(fake), torch.zeros(len(fake)))
    D.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def d_step_variant(*, detach=True, swap=False, negate=False, zero_first=True, dead=False, steps=1,
                   fresh=False, ret="loss"):
    def step(G, D, opt_d, real, z):
        fake = G(z).detach() if detach else G(z)
        x = torch.randn_like(real) if fresh else real
        loss = gl.d_loss(D(fake), D(x)) if swap else gl.d_loss(D(x), D(fake))
        loss = -loss if negate else loss
        if zero_first:
            opt_d.zero_grad()
        loss.backward()
        if dead:
            opt_d.zero_grad()
        for _ in range(steps):
            opt_d.step()
        return {"loss": loss.detach(), "none": None, "after": gl.d_loss(D(real), D(fake)).detach()}[ret]
    return step


DSTEP_RIGHT = [d_step_right, d_step_sum]
DSTEP_WRONG = [(lambda G, D, opt_d, real, z: gl.d_loss(D(real), D(G(z))), "call opt_d.step() once"),   # the stub
               (d_step_variant(detach=False), "G's parameters received gradients"),
               (d_step_variant(swap=True), "labels are swapped"),
               (d_step_variant(negate=True), "wrong sign"),
               (d_step_variant(dead=True), "all-zero gradients"),
               (d_step_variant(steps=2), "called 2 times"),
               (d_step_variant(fresh=True), "use the `real` and `z` you are given"),
               (d_step_variant(ret="none"), "returned None"),
               (d_step_variant(ret="after"), "its value before the step"),
               (raises, "raised RuntimeError")]

# ---- lesson 05: saturating_slope ----------------------------------------------------------------


def slope_autograd(l):
    l = l.clone().requires_grad_(True)
    grad, = torch.autograd.grad(F.logsigmoid(-l).sum(), l)
    return grad


SLOPE_RIGHT = [lambda l: -torch.sigmoid(l), lambda l: -1 / (1 + torch.exp(-l)), slope_autograd]
SLOPE_WRONG = [(lambda l: torch.sigmoid(l), "wrong sign"),
               (lambda l: -(1 - torch.sigmoid(l)), "non-saturating"),
               (lambda l: torch.sigmoid(l) * (1 - torch.sigmoid(l)), "slope of D itself"),
               (lambda l: -torch.sigmoid(l) * (1 - torch.sigmoid(l)), "forgot to divide"),
               (lambda l: torch.zeros_like(l), "chain rule"),
               (lambda l: torch.full_like(l, -0.5), "ignores its input"),
               (lambda l: -torch.sigmoid(l).sum(), "expected a tensor of shape"),
               (lambda l: (-torch.sigmoid(l)).tolist(), "expected a tensor of shape"),
               (lambda l: torch.full_like(l, math.nan), "nan or inf"),
               (raises, "raised RuntimeError")]

# ---- lesson 06: wilson --------------------------------------------------------------------------


def wilson_right(successes, trials, z=1.96):
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials ** 2))
    return centre - half, centre + half


def wald(successes, trials, z=1.96):
    p = successes / trials
    half = z * math.sqrt(p * (1 - p) / trials)
    return p - half, p + half


WILSON_RIGHT = [wilson_right, lambda s, n: list(gl.metrics.wilson_interval(s, n)),
                lambda s, n: np.array(wilson_right(s, n))]
WILSON_WRONG = [(wald, "Wald interval"),
                (lambda s, n: wilson_right(s, n)[::-1], "(high, low)"),
                (lambda s, n: wilson_right(s, n, z=1.645), "z = 1.645"),
                (lambda s, n: wilson_right(s, n, z=1.0), "z = 1.0"),
                (lambda s, n: (max(0.0, wald(s, n)[0]), min(1.0, wald(s, n)[1])), "Wald interval"),
                (lambda s, n: sum(wilson_right(s, n)) / 2, "pair (low, high)"),
                (lambda s, n: (math.nan, math.nan), "expected"),
                (lambda s, n: (0.0, 0.10718), "ignores its input"),                 # right for 0/32 only
                (lambda s, n: "0.0, 0.1", "pair (low, high)"),
                (raises, "raised RuntimeError")]

# ---- lesson 07: modes_covered -------------------------------------------------------------------


def covered_right(samples, centres, std):
    dist, nearest = torch.cdist(samples, centres).min(dim=1)
    return len(set(nearest[dist < 3 * std].tolist()))


COVERED_RIGHT = [covered_right,
                 lambda s, c, std: torch.unique(torch.cdist(s, c).min(dim=1)[1][torch.cdist(s, c).min(dim=1)[0]
                                                                                 < 3 * std]).numel(),
                 lambda s, c, std: float(covered_right(s, c, std))]
COVERED_WRONG = [(lambda s, c, std: 0, "keep the high-quality"),
                 (lambda s, c, std: len(set(torch.cdist(s, c).min(dim=1)[1].tolist())), "within 3 standard deviations"),
                 (lambda s, c, std: int((torch.cdist(s, c).min(dim=1)[0] < 3 * std).sum()), "distinct centres"),
                 (lambda s, c, std: len(set(torch.cdist(s, c).min(dim=1)[1][torch.cdist(s, c).min(dim=1)[0]
                                                                             < std].tolist())), "not 1"),
                 (lambda s, c, std: len(c), "ignores its input"),
                 (lambda s, c, std: "8", "not a count"),
                 (lambda s, c, std: math.nan, "not a count"),
                 (raises, "raised RuntimeError")]

# ---- lesson 08: pack ----------------------------------------------------------------------------

PACK_RIGHT = [lambda x, pac: x.reshape(len(x) // pac, pac * x.shape[1]),
              lambda x, pac: torch.cat([x[i::pac] for i in range(pac)], dim=1),
              lambda x, pac: torch.stack(x.split(pac)).flatten(1)]
PACK_WRONG = [(lambda x, pac: x, "n/pac rows"),
              (lambda x, pac: x.reshape(pac, -1), "n/pac rows"),
              (lambda x, pac: x.reshape(pac, len(x) // pac, x.shape[1]).permute(1, 0, 2).reshape(len(x) // pac, -1),
               "n/pac apart"),
              (lambda x, pac: x.t().reshape(len(x) // pac, -1), "transposed"),
              (lambda x, pac: torch.zeros(len(x) // pac, pac * x.shape[1]), "ignores its input"),
              (lambda x, pac: x.reshape(len(x) // pac, -1).tolist(), "expected"),
              (raises, "raised RuntimeError")]

# ---- lesson 09: alternating_step, dirac_r1_field --------------------------------------------------


def alternating_right(x, y, lr):
    y = y + lr * x
    return x - lr * y, y


ALT_RIGHT = [alternating_right, lambda x, y, lr: torch.tensor(alternating_right(x, y, lr)),
             lambda x, y, lr: list(alternating_right(x, y, lr))]
ALT_WRONG = [(lambda x, y, lr: (x - lr * y, y + lr * x), "simultaneous"),
             (lambda x, y, lr: (x - lr * y, y + lr * (x - lr * y)), "moved x first"),
             (lambda x, y, lr: (x - lr * (y - lr * x), y - lr * x), "y moved the wrong way"),
             (lambda x, y, lr: (x + lr * (y + lr * x), y + lr * x), "x moved the wrong way"),
             (lambda x, y, lr: (x - (y + x), y + x), "learning rate"),
             (lambda x, y, lr: x - lr * y, "not a pair"),
             (lambda x, y, lr: (math.nan, math.nan), "expected"),
             (lambda x, y, lr: (1.055, -1.85), "ignores its input"),                  # right for the first case
             (raises, "raised RuntimeError")]


def dirac_right(theta, psi, gamma):
    s = torch.sigmoid(psi * theta)
    return psi * s, -theta * s - gamma * psi


DIRAC_RIGHT = [dirac_right, lambda t, p, g: gl.games.dirac_field(t, p, regulariser="r1", gamma=float(g)),
               lambda t, p, g: (float(dirac_right(t, p, g)[0]), float(dirac_right(t, p, g)[1]))]
DIRAC_WRONG = [(lambda t, p, g: gl.games.dirac_field(t, p), "without the penalty"),
               (lambda t, p, g: (dirac_right(t, p, g)[0], dirac_right(t, p, g)[1] - g * p), "not 2γ·ψ"),
               (lambda t, p, g: (dirac_right(t, p, g)[0], dirac_right(t, p, g)[1] + 2 * g * p), "subtract γ·ψ"),
               (lambda t, p, g: dirac_right(t, p, g)[::-1], "swapped the components"),
               (lambda t, p, g: (-dirac_right(t, p, g)[0], dirac_right(t, p, g)[1]), "θ̇ has the wrong sign"),
               (lambda t, p, g: (math.inf, 0.0), "expected"),
               (lambda t, p, g: dirac_right(torch.tensor(1.0), torch.tensor(1.0), torch.tensor(1.0)), "ignores its input"),
               (raises, "raised RuntimeError")]

# ---- lesson 10: frechet_distance -----------------------------------------------------------------


def frechet_right(mu_a, cov_a, mu_b, cov_b):
    root = torch.linalg.eigvals(cov_a @ cov_b).real.clamp(min=0).sqrt().sum()
    return float(((mu_a - mu_b) ** 2).sum() + cov_a.trace() + cov_b.trace() - 2 * root)


def frechet_symmetric(mu_a, cov_a, mu_b, cov_b):
    values, vectors = torch.linalg.eigh(cov_a)
    root = vectors @ torch.diag(values.sqrt()) @ vectors.T
    return torch.linalg.norm(mu_a - mu_b) ** 2 + torch.trace(cov_a + cov_b) \
        - 2 * torch.linalg.eigvalsh(root @ cov_b @ root).clamp(min=0).sqrt().sum()


def _frechet_with(mean_term, root_trace, two=2.0):
    return lambda ma, ca, mb, cb: float(mean_term(ma, mb) + ca.trace() + cb.trace() - two * root_trace(ca, cb))


_SQUARED, _NORM = (lambda a, b: ((a - b) ** 2).sum()), (lambda a, b: torch.linalg.norm(a - b))
_MATRIX_ROOT = lambda ca, cb: torch.linalg.eigvals(ca @ cb).real.clamp(min=0).sqrt().sum()   # noqa: E731
FRECHET_RIGHT = [frechet_right, frechet_symmetric, lambda *a: torch.tensor(frechet_right(*a))]   # a 0-d tensor too
FRECHET_WRONG = [(lambda *a: max(frechet_right(*a), 0.0) ** 0.5, "squared distance"),        # a distance, not FD
                 (_frechet_with(_NORM, _MATRIX_ROOT), "squared distance"),                   # ‖Δμ‖ not squared
                 (_frechet_with(_SQUARED, lambda ca, cb: (ca * cb).sqrt().trace()), "elementwise"),
                 (_frechet_with(_SQUARED, _MATRIX_ROOT, two=1.0), "2·Tr"),                  # the factor 2 dropped
                 (lambda ma, ca, mb, cb: float(((ma - mb) ** 2).sum()), "matrix square root"),   # means only
                 (lambda *a: math.nan, "nan or inf"),
                 (lambda *a: "12", "not a number"),
                 (lambda *a: torch.zeros(3), "not a number"),
                 (raises, "raised RuntimeError")]

# ---- lesson 11: kl_to_uniform --------------------------------------------------------------------


def kl_right(counts):
    p = counts.double() / counts.sum()
    return float(torch.special.xlogy(p, p * len(p)).sum())


def _shares(c):
    return c.double() / c.sum()


KL_RIGHT = [kl_right, lambda c: gl.evaluate.kl_to_uniform(c),
            lambda c: sum(float(p * math.log(p * len(c))) for p in _shares(c) if p > 0)]
KL_WRONG = [(lambda c: float((_shares(c) * (_shares(c) * len(c)).log()).sum()), "0·log 0"),   # nan at empty modes
            (lambda c: float((1 / len(c) * (1 / len(c) / _shares(c)).log()).sum()), "KL(uniform ‖ p)"),
            (lambda c: kl_right(c) / math.log(2), "natural log"),                            # bits, not nats
            (lambda c: float(torch.special.xlogy(c.double(), c * len(c)).sum()), "shares"),   # counts, not shares
            (lambda c: 0.0, "shares"),                                                        # ignores its input
            (lambda c: "0", "not a number"),
            (raises, "raised RuntimeError")]

# ---- the catalogue ------------------------------------------------------------------------------

CATALOGUE = {  # check: (right answers, wrong answers with the words their hint must contain)
    "fraction_right_of_zero": (FRACTION_RIGHT, FRACTION_WRONG),
    "hand_generator": (HAND_RIGHT, HAND_WRONG),
    "value_on_logits": (VALUE_RIGHT, VALUE_WRONG),
    "optimal_d_from_log_densities": (DSTAR_RIGHT, DSTAR_WRONG),
    "c_g_at_collapse": (C_G_RIGHT, C_G_WRONG),
    "train_step": (STEP_RIGHT, STEP_WRONG),
    "linear_uniform_kurtosis": (KURT_RIGHT, KURT_WRONG),
    "discriminator_step": (DSTEP_RIGHT, DSTEP_WRONG),
    "saturating_slope": (SLOPE_RIGHT, SLOPE_WRONG),
    "wilson": (WILSON_RIGHT, WILSON_WRONG),
    "modes_covered": (COVERED_RIGHT, COVERED_WRONG),
    "pack": (PACK_RIGHT, PACK_WRONG),
    "alternating_step": (ALT_RIGHT, ALT_WRONG),
    "dirac_r1_field": (DIRAC_RIGHT, DIRAC_WRONG),
    "frechet_distance": (FRECHET_RIGHT, FRECHET_WRONG),
    "kl_to_uniform": (KL_RIGHT, KL_WRONG),
}
WRONG = [(name, i) for name, (_, wrong) in CATALOGUE.items() for i in range(len(wrong))]
RIGHT = [(name, i) for name, (right, _) in CATALOGUE.items() for i in range(len(right))]


def test_every_exercise_check_is_catalogued():
    exercise_checks = {n for n in check.__all__ if n not in ("Verdict", "verdict")}
    assert exercise_checks == set(CATALOGUE)
    for name, (right, wrong) in CATALOGUE.items():
        assert len(wrong) >= 5 and len(right) >= 2, name


@pytest.mark.parametrize("name,i", WRONG, ids=[f"{n}-wrong{i}" for n, i in WRONG])
def test_wrong_answer_gets_a_cross_naming_the_mistake(capsys, name, i):
    fn, words = CATALOGUE[name][1][i]
    ok, out = run(capsys, getattr(check, name), fn)
    assert not ok and out.startswith(f"✗ {name}"), out
    assert words in out, f"the ✗ should name the mistake ({words!r}):\n{out}"


@pytest.mark.parametrize("name,i", RIGHT, ids=[f"{n}-right{i}" for n, i in RIGHT])
def test_right_answer_gets_a_tick(capsys, name, i):
    ok, out = run(capsys, getattr(check, name), CATALOGUE[name][0][i])
    assert ok and out.startswith(f"✓ {name}"), out


class Weird:
    """An object that breaks every protocol it is asked for."""

    def __getattr__(self, attr):
        raise RuntimeError("weird")

    def __float__(self):
        raise RuntimeError("weird")

    def __iter__(self):
        raise RuntimeError("weird")

    def __repr__(self):
        raise RuntimeError("weird")


def _mutating(*args):
    for a in args:
        if isinstance(a, dict):
            a.clear()
            a["d"] = "oops"
        if isinstance(a, torch.Tensor):
            a.fill_(math.nan)
    return args[0] if args else None


JUNK_FUNCTIONS = [lambda *a: None, lambda *a: "0.5", lambda *a: math.nan, lambda *a: math.inf, lambda *a: -math.inf,
                  lambda *a: torch.tensor(math.nan), lambda *a: torch.tensor([]), lambda *a: torch.zeros(3, 3),
                  lambda *a: [1, 2, 3], lambda *a: (1,), lambda *a: {"a": 1}, lambda *a: Weird(), lambda *a: object(),
                  lambda *a: 1j, lambda *a: True, lambda *a: torch.tensor([1 + 2j]), lambda *a: np.array(["x"]),
                  lambda *a: torch.ones(2, dtype=torch.bool), lambda *a: a, lambda *a: a[0] if a else None,
                  lambda *a: 10 ** 400, lambda *a: float("1e308") * 10, lambda *a: exit(),
                  lambda *a: (_ for _ in ()).throw(ValueError("gen")), _mutating, raises,
                  lambda: 0, lambda x: x, lambda *a, **k: (a, k)]
JUNK_ARGUMENTS = [None, "train_step", 3, [1, 2], Weird(), torch.tensor(1.0)]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_no_input_makes_a_check_raise(capsys, name):
    fn = getattr(check, name)
    for junk in JUNK_FUNCTIONS:
        result = fn(junk)
        out = capsys.readouterr().out
        assert not result and out.startswith(f"✗ {name}"), (junk, out)
    for junk in JUNK_ARGUMENTS:
        result = fn(junk)
        out = capsys.readouterr().out
        assert not result and "not a function" in out, (junk, out)


def test_losses_log_assigned_a_number_does_not_crash_the_check(capsys):
    def assigns(G, D, opt_g, opt_d, real, z, losses_log):
        make_step(log="append")(G, D, opt_g, opt_d, real, z, {"d": [], "g": []})
        losses_log["d"] = 0.69
    ok, out = run(capsys, check.train_step, assigns)
    assert not ok and "instead of appending" in out, out


def test_a_check_prints_nothing_more_when_displayed(capsys):
    result = check.pack(PACK_RIGHT[0])
    assert repr(result) == "✓" and result._ipython_display_() is None
