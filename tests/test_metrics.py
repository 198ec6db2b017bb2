"""Metrics against hand-built sample sets whose answers are known, and against formulas."""
import math

import pytest
import torch

import ganlessons as gl
from ganlessons import metrics


@pytest.fixture
def ring():
    return gl.ring(modes=8, radius=2.0, std=0.02)


@pytest.fixture
def grid():
    return gl.grid(side=5, spacing=2.0, std=0.05)


def at_centres(dist, per_mode, which=None):
    """per_mode copies of each chosen centre (all modes by default)."""
    centres = dist.centres if which is None else dist.centres[list(which)]
    return centres.repeat_interleave(per_mode, dim=0)


# --- the existing functions keep their behaviour ---

def test_cdf_1d_matches_normal_cdf():
    x = torch.linspace(-3, 3, 7)
    want = 0.5 * torch.distributions.Normal(-2.0, 0.5).cdf(x) + 0.5 * torch.distributions.Normal(2.0, 0.5).cdf(x)
    assert torch.allclose(gl.cdf_1d(gl.mixture_1d(), x), want, atol=1e-6)


def test_wasserstein_1d_of_a_shift_is_the_shift():
    target = gl.gaussian(0.0, 1.0)
    x = gl.sample(target, 200_000, torch.Generator().manual_seed(0)) + 0.5
    assert gl.wasserstein_1d(x, target) == pytest.approx(0.5, abs=0.02)


def test_nearest_mode_and_shares(ring):
    x = at_centres(ring, 3, which=[0, 0, 5])
    assert gl.nearest_mode(x, ring).tolist() == [0] * 6 + [5] * 3
    shares = gl.mode_shares(x, ring)
    assert shares.sum() == pytest.approx(1.0) and shares[0] == pytest.approx(2 / 3)


# --- high quality, modes covered, reverse KL: known answers ---

def test_all_modes_exactly(ring, grid):
    for dist, modes in ((ring, 8), (grid, 25)):
        x = at_centres(dist, 10)
        assert gl.high_quality(x, dist).all()
        assert gl.modes_covered(x, dist) == modes
        assert gl.hq_share(x, dist) == 1.0
        assert gl.reverse_kl(x, dist) == pytest.approx(0.0, abs=1e-12)
        assert gl.mode_balance(x, dist) == pytest.approx(1.0)


def test_one_mode_only(ring, grid):
    for dist, modes in ((ring, 8), (grid, 25)):
        x = at_centres(dist, 50, which=[3])
        assert gl.modes_covered(x, dist) == 1
        assert gl.reverse_kl(x, dist) == pytest.approx(math.log(modes))   # KL(δ ‖ uniform) = log K
        assert gl.mode_balance(x, dist) == 0.0
        assert gl.mode_counts(x, dist).tolist() == [50 if i == 3 else 0 for i in range(modes)]


def test_reverse_kl_matches_the_formula(ring):
    x = torch.cat([at_centres(ring, 30, which=[0]), at_centres(ring, 10, which=[1])])
    p = torch.tensor([0.75, 0.25], dtype=torch.float64)
    want = float((p * (p / (1 / 8)).log()).sum())
    assert gl.reverse_kl(x, ring) == pytest.approx(want, rel=1e-6)


def test_reverse_kl_uses_the_mixture_weights():
    dist = gl.mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5), weights=(3.0, 1.0))
    x = torch.tensor([[-2.0]] * 3 + [[2.0]])
    assert gl.reverse_kl(x, dist) == pytest.approx(0.0, abs=1e-12)


def test_off_manifold_samples_are_not_high_quality(ring):
    # halfway between two neighbouring ring modes: nearest to one of them but ~0.77 away (≫ 3σ = 0.06)
    halfway = 0.5 * (ring.centres[:-1] + ring.centres[1:])
    assert not gl.high_quality(halfway, ring).any()
    assert gl.modes_covered(halfway, ring) == 0
    assert gl.hq_share(halfway, ring) == 0.0
    # the origin is equally far (2.0) from all ring modes: never high quality
    assert not gl.high_quality(torch.zeros(5, 2), ring).any()


def test_three_sigma_boundary(grid):
    c = grid.centres[12]                                   # the centre (0, 0), σ = 0.05
    inside = c + torch.tensor([[0.149, 0.0]])
    outside = c + torch.tensor([[0.151, 0.0]])
    assert gl.high_quality(inside, grid).all() and not gl.high_quality(outside, grid).any()
    assert gl.high_quality(outside, grid, k=4.0).all()


def test_min_count_threshold(ring):
    x = torch.cat([at_centres(ring, 5, which=[0]), at_centres(ring, 1, which=[1])])
    assert gl.modes_covered(x, ring) == 2
    assert gl.modes_covered(x, ring, min_count=2) == 1


def test_mixed_set_report(grid):
    good = at_centres(grid, 4, which=range(10))             # 40 samples on 10 modes
    bad = torch.full((10, 2), 1.0)                         # 10 samples at (1, 1), between four modes
    report = gl.mode_report(torch.cat([good, bad]), grid)
    assert report["samples"] == 50 and report["of"] == 25 and report["modes"] == 10
    assert report["hq_percent"] == pytest.approx(80.0)
    assert set(report) == {"samples", "modes", "of", "hq_percent", "reverse_kl"}


def test_true_samples_score_well(ring, grid):
    for dist in (ring, grid):
        x = gl.sample(dist, gl.EVAL_SIZE, torch.Generator().manual_seed(0))
        report = gl.mode_report(x, dist)
        assert report["modes"] == report["of"]
        assert report["hq_percent"] > 98                   # 3σ in 2-D holds 98.9 %
        assert report["reverse_kl"] < 0.02


def test_one_dimensional_mixture():
    target = gl.mixture_1d()
    collapsed = torch.full((100, 1), 2.0) + 0.1 * torch.randn(100, 1, generator=torch.Generator().manual_seed(0))
    assert gl.modes_covered(collapsed, target) == 1
    assert gl.mode_balance(collapsed, target) == 0.0
    assert gl.reverse_kl(collapsed, target) == pytest.approx(math.log(2))


def test_spread_ratio():
    t = torch.linspace(-1, 1, 100)
    assert gl.spread_ratio(torch.stack([t, 2 * t], dim=1)) == pytest.approx(0.0, abs=1e-9)   # a line
    x = torch.randn(20_000, 3, generator=torch.Generator().manual_seed(0))
    assert gl.spread_ratio(x) == pytest.approx(1.0, abs=0.1)
    assert gl.spread_ratio(x * torch.tensor([1.0, 1.0, 0.1])) == pytest.approx(0.01, rel=0.1)


# --- bad input: a clear ValueError naming the parameter ---

@pytest.mark.parametrize("fn", [gl.high_quality, gl.mode_counts, gl.modes_covered, gl.hq_share,
                                gl.reverse_kl, gl.mode_balance, gl.mode_report])
def test_empty_input_is_a_clear_error(fn, ring):
    with pytest.raises(ValueError, match=r"samples=\(0, 2\).*n >= 1"):
        fn(torch.zeros(0, 2), ring)


@pytest.mark.parametrize("fn", [gl.high_quality, gl.modes_covered, gl.reverse_kl, gl.mode_report])
def test_bad_inputs(fn, ring):
    with pytest.raises(ValueError, match=r"samples=\(4, 3\)"):
        fn(torch.zeros(4, 3), ring)
    with pytest.raises(ValueError, match="samples=.*finite"):
        fn(torch.tensor([[float("nan"), 0.0]]), ring)
    with pytest.raises(ValueError, match="dist=.*mixture"):
        fn(torch.zeros(4, 2), gl.gaussian([0.0, 0.0]))


def test_bad_thresholds(ring):
    x = at_centres(ring, 1)
    with pytest.raises(ValueError, match="k=0"):
        gl.high_quality(x, ring, k=0)
    with pytest.raises(ValueError, match="min_count=0"):
        gl.modes_covered(x, ring, min_count=0)


def test_spread_ratio_bad_input():
    with pytest.raises(ValueError, match="samples="):
        gl.spread_ratio(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="samples="):
        gl.spread_ratio(torch.zeros(10, 1))
    assert metrics.spread_ratio(torch.zeros(10, 2)) == 0.0


def test_local_spread_ratio_sees_a_bent_curve():
    t = torch.linspace(0, 3 * math.pi, 2000)
    spiral = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1)      # bends, but is 1-D
    assert gl.local_spread_ratio(spiral) < 0.01
    assert gl.spread_ratio(spiral) > 0.5                                    # the global ratio is fooled
    cloud = torch.randn(2000, 3, generator=torch.Generator().manual_seed(0))
    assert gl.local_spread_ratio(cloud) > 0.3
    helix = torch.stack([torch.cos(t), torch.sin(t), 0.3 * t], dim=1)
    assert gl.local_spread_ratio(helix) < 0.01


def test_local_spread_ratio_bad_input():
    with pytest.raises(ValueError, match="neighbours=2"):
        gl.local_spread_ratio(torch.zeros(20, 2), neighbours=2)
    with pytest.raises(ValueError, match=r"samples=\(5, 2\)"):
        gl.local_spread_ratio(torch.zeros(5, 2))


# --- the exercise checks of lessons 07 and 08 ---

def _right_modes_covered(samples, centres, std):
    d, nearest = torch.cdist(samples, centres).min(dim=1)
    return len(set(nearest[d <= 3 * std].tolist()))


@pytest.mark.parametrize("wrong, message", [
    (lambda s, c, std: len(set(torch.cdist(s, c).argmin(1).tolist())), "Hint: a sample counts only"),
    (lambda s, c, std: _right_modes_covered(s, c, std / 3), "expected"),
    (lambda s, c, std: int((torch.cdist(s, c).min(1).values <= 3 * std).sum()), "expected"),
    (lambda s, c, std: 1 / 0, "ZeroDivisionError"),
])
def test_check_modes_covered(capsys, wrong, message):
    assert gl.check.modes_covered(_right_modes_covered)
    assert "✓" in capsys.readouterr().out
    assert not gl.check.modes_covered(wrong)
    assert message in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [
    lambda x, pac: x.T.reshape(-1, pac * x.shape[1]),            # interleaves coordinates
    lambda x, pac: x.reshape(pac * x.shape[1], -1),                # wrong shape
    lambda x, pac: torch.cat(x.chunk(pac), 1),                     # packs samples n/pac apart
    lambda x, pac: None,
])
def test_check_pack(capsys, wrong):
    assert gl.check.pack(lambda x, pac: x.reshape(x.shape[0] // pac, pac * x.shape[1]))
    assert gl.check.pack(gl.remedies.pack)
    capsys.readouterr()
    assert not gl.check.pack(wrong)
    assert "✗" in capsys.readouterr().out


# --- the figures of lessons 07 and 08 (ganlessons.plot) ---

def test_mode_collapse_figures():
    ring = gl.ring()
    x = gl.sample(ring, 200, torch.Generator().manual_seed(0))
    fig = gl.plot.snapshots_2d({0: x, 100: x, 200: x}, real=x, lim=2.5, title="t")
    assert len(fig.axes) == 3 and fig.axes[1].get_title() == "step 100"
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None
    reports = [gl.mode_report(x, ring), gl.mode_report(x[:50], ring)]
    fig = gl.plot.metrics_over_time([0, 100], reports)
    assert len(fig.axes) == 3 and [ax.get_ylabel() for ax in fig.axes][0] == "modes covered"
    assert list(fig.axes[1].lines[0].get_ydata()) == [r["hq_percent"] for r in reports]
    fig = gl.plot.digit_clouds(covered=(3,), points=10)
    assert len(fig.axes[0].texts) == 10
    with pytest.raises(ValueError, match="points=0"):
        gl.plot.digit_clouds(points=0)
