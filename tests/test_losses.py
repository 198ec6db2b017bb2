"""ganlessons.losses against binary_cross_entropy_with_logits and the formulas of Goodfellow et al."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ganlessons as gl

_LOGITS = torch.Generator().manual_seed(0)                      # no global seeding at import
REAL, FAKE = torch.randn(64, generator=_LOGITS) * 3, torch.randn(64, generator=_LOGITS) * 3


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


# --- D* against an independent reference, and hand-built 1-D distributions

def _normal_pdf(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def test_optimal_discriminator_matches_a_numpy_formula():
    """D*(x) = p_data / (p_data + p_g) with the densities written out by hand in float64 numpy."""
    x = np.linspace(-5, 5, 201)
    p_data = 0.5 * _normal_pdf(x, -2.0, 0.5) + 0.5 * _normal_pdf(x, 2.0, 0.5)      # mixture_1d()
    p_g = _normal_pdf(x, 1.0, 1.5)
    want = p_data / (p_data + p_g)
    got = gl.optimal_discriminator(gl.mixture_1d(), gl.gaussian(1.0, 1.5), torch.tensor(x, dtype=torch.float32)[:, None])
    assert np.allclose(got.numpy(), want, atol=1e-5)
    assert abs(float(got[100]) - want[100]) < 1e-6 and want[100] < 0.05      # at x = 0 the data has almost no mass


def test_jsd_matches_numeric_integration_of_its_definition():
    x = np.linspace(-12, 12, 200_001)
    p, q = _normal_pdf(x, 0.0, 1.0), _normal_pdf(x, 1.5, 0.7)
    m = (p + q) / 2
    want = 0.5 * np.trapezoid(p * np.log(p / m), x) + 0.5 * np.trapezoid(q * np.log(q / m), x)
    assert gl.jsd(gl.gaussian(0.0, 1.0), gl.gaussian(1.5, 0.7), low=-12, high=12) == pytest.approx(want, abs=1e-4)


def test_hand_built_1d_distributions_are_accepted():
    normal, wide = torch.distributions.Normal(0.0, 1.0), torch.distributions.Normal(1.5, 0.7)
    assert gl.jsd(normal, wide) == pytest.approx(gl.jsd(gl.gaussian(0.0, 1.0), gl.gaussian(1.5, 0.7)), abs=1e-9)
    assert gl.jsd(normal, gl.gaussian(1.5, 0.7)) == pytest.approx(gl.jsd(gl.gaussian(0.0, 1.0), wide), abs=1e-9)
    x = torch.linspace(-3, 3, 7)[:, None]
    assert torch.allclose(gl.optimal_discriminator(normal, wide, x),
                          gl.optimal_discriminator(gl.gaussian(0.0, 1.0), gl.gaussian(1.5, 0.7), x))
    mix = torch.distributions.MixtureSameFamily(torch.distributions.Categorical(torch.tensor([0.5, 0.5])),
                                                torch.distributions.Normal(torch.tensor([-2.0, 2.0]), torch.tensor([0.5, 0.5])))
    assert gl.jsd(mix, gl.mixture_1d()) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match=r"^q=.*same dimension as p"):
        gl.jsd(normal, gl.ring())
