"""ganlessons.data: exact densities, explicit-generator sampling, and clear errors."""
import math

import pytest
import torch
from torch import distributions as td

import ganlessons as gl


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_gaussian_matches_torch_normal():
    d = gl.gaussian(1.0, 0.5)
    x = torch.tensor([[0.0], [1.0], [2.5]])
    assert torch.allclose(d.log_prob(x), td.Normal(1.0, 0.5).log_prob(x[:, 0]))
    assert gl.gaussian([0.0, 1.0], 2.0).event_shape == (2,)


def test_bimodal_default_density_and_centres():
    d = gl.mixture_1d()
    x = torch.tensor([[-2.0], [0.0], [2.0]])
    want = 0.5 * td.Normal(-2, 0.5).log_prob(x).exp() + 0.5 * td.Normal(2, 0.5).log_prob(x).exp()
    assert torch.allclose(d.log_prob(x).exp(), want[:, 0], atol=1e-7)
    assert d.centres[:, 0].tolist() == [-2.0, 2.0] and d.stds.tolist() == [0.5, 0.5]


def test_mixture_weights_are_normalised():
    d = gl.mixture_1d((-1, 1), (1, 1), weights=(3, 1))
    assert torch.allclose(d.weights, torch.tensor([0.75, 0.25]))


def test_ring_has_distinct_evenly_spaced_modes():
    r = gl.ring(modes=8, radius=2.0, std=0.02)
    assert r.centres.shape == (8, 2)
    assert torch.allclose(r.centres.norm(dim=1), torch.full((8,), 2.0))
    gaps = torch.cdist(r.centres, r.centres) + 10 * torch.eye(8)
    assert gaps.min() > 2 * 2.0 * math.sin(math.pi / 8) - 1e-5   # no repeated angle


def test_grid_centres():
    g = gl.grid()
    assert g.centres.shape == (25, 2)
    assert sorted(set(g.centres[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]


def test_sample_is_reproducible_and_follows_the_distribution():
    for dist in (gl.gaussian(1.0, 2.0), gl.mixture_1d(), gl.ring(), gl.grid(), gl.noise(3, "uniform"),
                 gl.random_gaussian(3, gen(1))):
        a, b = gl.sample(dist, 20_000, gen(5)), gl.sample(dist, 20_000, gen(5))
        assert torch.equal(a, b) and a.shape == (20_000, dist.event_shape[0])
        assert torch.allclose(a.mean(0), dist.mean, atol=0.06), type(dist)
        assert torch.isfinite(dist.log_prob(a)).all()


def test_sample_leaves_global_rng_alone():
    with torch.random.fork_rng():                 # the test's own seeding is undone afterwards
        torch.manual_seed(0)
        before = torch.rand(1)
        torch.manual_seed(0)
        gl.sample(gl.mixture_1d(), 10, gen())
        assert torch.equal(torch.rand(1), before)


def test_sample_has_the_covariance_of_the_distribution():
    for dist in (gl.random_gaussian(3, gen(2)), gl.gaussian([1.0, -1.0], 0.5)):
        x = gl.sample(dist, 200_000, gen(3)).double()
        want = dist.covariance_matrix if hasattr(dist, "covariance_matrix") else 0.25 * torch.eye(2)
        assert torch.allclose(torch.cov(x.T), want.double(), atol=0.02), type(dist)


def test_sample_draws_each_mode_with_its_mixture_weight():
    dist = gl.mixture_1d((-4.0, 0.0, 4.0), (0.3, 0.3, 0.3), weights=(1.0, 2.0, 5.0))
    x = gl.sample(dist, 100_000, gen(4))[:, 0]
    shares = torch.stack([(x < -2).float().mean(), ((x > -2) & (x < 2)).float().mean(), (x > 2).float().mean()])
    assert torch.allclose(shares, torch.tensor([1 / 8, 2 / 8, 5 / 8]), atol=0.005)


def test_hand_built_1d_distributions_sample_as_vectors():
    normal = td.Normal(1.0, 2.0)
    x = gl.sample(normal, 50_000, gen(6))
    assert x.shape == (50_000, 1) and abs(float(x.mean()) - 1) < 0.05 and abs(float(x.std()) - 2) < 0.05
    assert torch.equal(x, gl.sample(gl.gaussian(1.0, 2.0), 50_000, gen(6)))        # the same numbers
    u = gl.sample(td.Uniform(-1.0, 3.0), 1000, gen(7))
    assert u.shape == (1000, 1) and u.min() >= -1 and u.max() <= 3
    mix = td.MixtureSameFamily(td.Categorical(torch.tensor([0.5, 0.5])), td.Normal(torch.tensor([-2.0, 2.0]),
                                                                                     torch.tensor([0.5, 0.5])))
    assert torch.equal(gl.sample(mix, 100, gen(8)), gl.sample(gl.mixture_1d(), 100, gen(8)))
    assert gl.event_dim("target", normal) == 1 and gl.event_dim("target", gl.ring()) == 2
    with pytest.raises(ValueError, match=r"^target='str' is not allowed"):
        gl.event_dim("target", "bimodal")


def test_uniform_noise_bounds():
    z = gl.sample(gl.noise(2, "uniform"), 5000, gen())
    assert z.min() >= -1 and z.max() <= 1


def test_random_gaussian_is_a_valid_mvn():
    d = gl.random_gaussian(2, gen(3))
    assert isinstance(d, td.MultivariateNormal)
    assert torch.linalg.eigvalsh(d.covariance_matrix).min() > 0


@pytest.mark.parametrize("call, name", [
    (lambda: gl.gaussian(0.0, -1.0), "std"),
    (lambda: gl.gaussian([], 1.0), "mean"),
    (lambda: gl.mixture_1d((-1, 1), (1,)), "stds"),
    (lambda: gl.mixture_1d((-1, 1), (1, 0)), "stds"),
    (lambda: gl.mixture_1d((-1, 1), (1, 1), (1, -1)), "weights"),
    (lambda: gl.ring(modes=0), "modes"),
    (lambda: gl.ring(radius=0), "radius"),
    (lambda: gl.grid(side=2.5), "side"),
    (lambda: gl.grid(std=float("nan")), "std"),
    (lambda: gl.random_gaussian(0, gen()), "dim"),
    (lambda: gl.random_gaussian(2, 0), "generator"),
    (lambda: gl.noise(1, "cauchy"), "kind"),
    (lambda: gl.sample(gl.noise(1), 0, gen()), "n"),
    (lambda: gl.sample(td.Exponential(1.0), 5, gen()), "dist"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed: {name} must be "):
        call()
