"""Claims the solutions of lessons 00–03 make that no lesson cell runs: the two hand-made
generators of lesson 01's exercise 1, and which assert lesson 01's exercise 2 trips first."""
import torch

import ganlessons as gl

NORMAL = torch.distributions.Normal(0.0, 1.0)


def sign_map(z):
    """Lesson 01, exercise 1, first solution: the sign of z picks the mode, |z| the offset."""
    u = (2 * NORMAL.cdf(z.abs()) - 1).clamp(1e-6, 1 - 1e-6)
    return torch.sign(z) * 2 + 0.5 * NORMAL.icdf(u)


def monotone_map(z, target=gl.mixture_1d()):
    """Lesson 01, exercise 1, second solution: x = F⁻¹(Φ(z)) by bisection."""
    u = NORMAL.cdf(z)
    lo, hi = torch.full_like(z, -10.0), torch.full_like(z, 10.0)
    for _ in range(60):
        mid = (lo + hi) / 2
        below = gl.metrics.cdf_1d(target, mid).reshape(z.shape) < u
        lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
    return (lo + hi) / 2


def test_both_solutions_pass_the_check_but_only_one_is_monotone(capsys):
    assert gl.check.hand_generator(sign_map) and gl.check.hand_generator(monotone_map)
    z = torch.linspace(-3.0, 3.0, 601)[:, None]
    assert (sign_map(z).diff(dim=0) < 0).any(), "the sign map runs downhill for z < 0"
    assert (monotone_map(z).diff(dim=0) >= 0).all(), "F⁻¹(Φ(z)) never decreases"


def test_the_monotone_map_is_smooth_but_steep_at_zero():
    h = 1e-4
    z = torch.tensor([[-h], [h]], dtype=torch.float64)
    slope = float((monotone_map(z.float()).double().diff(dim=0) / (2 * h)).squeeze())
    assert 1000 < slope < 2000, slope          # the lesson: about 1,500


def test_changing_the_weights_trips_the_mean_assert_first():
    target = gl.mixture_1d(weights=(3, 1))
    real = gl.sample(target, 2000, torch.Generator().manual_seed(0))
    assert abs(float(target.mean) + 1.0) < 1e-6 and abs(float(target.stddev) - 1.80) < 0.005
    assert not (abs(real.mean()) < 0.15), "lesson 01's first assert on the target ('mean ≈ 0') fails"
