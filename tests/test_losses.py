"""ganlessons.losses against binary_cross_entropy_with_logits and the formulas of Goodfellow et al."""
import math

import pytest
import torch
import torch.nn.functional as F

import ganlessons as gl

torch.manual_seed(0)
REAL, FAKE = torch.randn(64) * 3, torch.randn(64) * 3


def test_value_is_the_minimax_formula():
    d_real, d_fake = torch.sigmoid(REAL), torch.sigmoid(FAKE)
    want = torch.log(d_real).mean() + torch.log(1 - d_fake).mean()
    assert torch.allclose(gl.value(REAL, FAKE), want, atol=1e-5)


def test_value_is_minus_log4_when_d_is_one_half():
    assert math.isclose(float(gl.value(torch.zeros(7), torch.zeros(3))), -math.log(4), rel_tol=1e-6)


def test_d_loss_is_half_bce_each_side_and_minus_half_value():
    want = 0.5 * F.binary_cross_entropy_with_logits(REAL, torch.ones(64)) + \
        0.5 * F.binary_cross_entropy_with_logits(FAKE, torch.zeros(64))
    assert torch.allclose(gl.d_loss(REAL, FAKE), want)
    assert torch.allclose(gl.d_loss(REAL, FAKE), -gl.value(REAL, FAKE) / 2, atol=1e-6)


def test_generator_losses():
    assert torch.allclose(gl.g_loss_non_saturating(FAKE), F.binary_cross_entropy_with_logits(FAKE, torch.ones(64)))
    assert torch.allclose(gl.g_loss_saturating(FAKE), torch.log(1 - torch.sigmoid(FAKE)).mean(), atol=1e-5)


def test_losses_stay_finite_for_huge_logits():
    big = torch.tensor([200.0, -200.0])
    for loss in (gl.g_loss_saturating(big), gl.g_loss_non_saturating(big), gl.d_loss(big, big)):
        assert torch.isfinite(loss)


def test_gradients_on_the_logit():
    # d/dl log(1 - σ(l)) = -σ(l);  d/dl -log σ(l) = -(1 - σ(l))
    for d in (0.1, 0.01, 0.001):
        l = torch.tensor([math.log(d / (1 - d))], requires_grad=True)
        (g_sat,) = torch.autograd.grad(gl.g_loss_saturating(l), l)
        (g_ns,) = torch.autograd.grad(gl.g_loss_non_saturating(l), l)
        assert math.isclose(float(g_sat), -d, rel_tol=1e-4)
        assert math.isclose(float(g_ns / g_sat), (1 - d) / d, rel_tol=1e-3)


def test_optimal_discriminator():
    p, q = gl.gaussian(0.0, 1.0), gl.gaussian(1.0, 1.0)
    x = torch.tensor([[-1.0], [0.5], [3.0]])
    want = p.log_prob(x).exp() / (p.log_prob(x).exp() + q.log_prob(x).exp())
    assert torch.allclose(gl.optimal_discriminator(p, q, x), want, atol=1e-6)
    far = gl.optimal_discriminator(gl.gaussian(-50.0, 0.5), gl.gaussian(50.0, 0.5), torch.tensor([[0.0], [60.0]]))
    assert torch.isfinite(far).all() and far[0] == 0.5 and far[1] == 0.0   # no 0/0 in the tails


def test_optimal_discriminator_is_one_half_at_equilibrium():
    x = torch.linspace(-5, 5, 11)[:, None]
    assert torch.allclose(gl.optimal_discriminator(gl.mixture_1d(), gl.mixture_1d(), x), torch.full((11,), 0.5))


def test_jsd_known_values():
    assert gl.jsd(gl.mixture_1d(), gl.mixture_1d()) == pytest.approx(0.0, abs=1e-9)
    assert gl.jsd(gl.gaussian(-10.0, 0.5), gl.gaussian(10.0, 0.5), -20, 20) == pytest.approx(math.log(2), abs=1e-4)
    # two equal-variance Gaussians: compare with a Monte-Carlo estimate of the definition
    p, q = gl.gaussian(0.0, 1.0), gl.gaussian(1.0, 1.0)
    x = gl.sample(p, 400_000, torch.Generator().manual_seed(0))
    y = gl.sample(q, 400_000, torch.Generator().manual_seed(1))
    m = lambda t: torch.logaddexp(p.log_prob(t), q.log_prob(t)) - math.log(2)
    mc = 0.5 * (p.log_prob(x) - m(x)).mean() + 0.5 * (q.log_prob(y) - m(y)).mean()
    assert gl.jsd(p, q, -8, 9) == pytest.approx(float(mc), abs=3e-3)


def test_jsd_in_2d_is_symmetric_and_bounded():
    a, b = gl.gaussian([0.0, 0.0], 1.0), gl.gaussian([1.0, 0.0], 1.0)
    ab, ba = gl.jsd(a, b, -6, 7, 301), gl.jsd(b, a, -6, 7, 301)
    assert ab == pytest.approx(ba, abs=1e-9) and 0 < ab < math.log(2)
    assert ab == pytest.approx(gl.jsd(gl.gaussian(0.0, 1.0), gl.gaussian(1.0, 1.0), -8, 9), abs=2e-3)


@pytest.mark.parametrize("call, name", [
    (lambda: gl.value(torch.zeros(3, 1), torch.zeros(3)), "real_logits"),
    (lambda: gl.d_loss(torch.zeros(3), torch.zeros(0)), "fake_logits"),
    (lambda: gl.g_loss_saturating([0.0]), "fake_logits"),
    (lambda: gl.optimal_discriminator("gauss", gl.gaussian(), torch.zeros(2, 1)), "p_data"),
    (lambda: gl.jsd(gl.gaussian(), gl.ring()), "q"),
    (lambda: gl.jsd(gl.gaussian(), gl.gaussian(), 1, -1), "high"),
    (lambda: gl.jsd(gl.gaussian(), gl.gaussian(), points=1), "points"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed"):
        call()
