"""ganlessons.train_many: N GANs trained as one batched program equal N separate train_gan runs
(float64, to round-off), record per-run statistics, and reject bad input clearly. Also the R1
penalty (losses.r1_penalty) and train_gan's r1_gamma option."""
import pytest
import torch

import ganlessons as gl
from ganlessons.ensemble import draw

SEEDS = (3, 5, 11)


@pytest.fixture
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def separate(seed, target, steps, arch, **kw):
    G, D = gl.make_players(seed, x_dim=target.event_shape[0], **arch)
    h = gl.train_gan(G, D, target, steps=steps, seed=seed, progress=False, **kw)
    return G, D, h


def max_difference(many, i, G, D):
    pairs = zip([*many.generator(i).parameters(), *many.discriminator(i).parameters()],
                [*G.parameters(), *D.parameters()])
    return max(float((a - b).abs().max().detach()) for a, b in pairs)


@pytest.mark.parametrize("steps, kw", [
    (200, dict()),
    (60, dict(g_loss="saturating", k=2, lr_g=2e-3)),
    (60, dict(optimizer_g="sgd", optimizer_d="sgd", lr_g=0.02, lr_d=0.05, momentum=0.9)),
    (60, dict(r1_gamma=1.0, batch_size=32)),
], ids=["adam-ns", "adam-sat-k2", "sgd-momentum", "r1"])
def test_matches_separate_train_gan_runs_in_float64(float64, steps, kw):
    target, arch, seeds = gl.mixture_1d(), dict(hidden=(16,)), SEEDS[:2]
    kw = dict(dict(batch_size=64), **kw)
    many = gl.train_many(seeds, target, steps=steps, snapshot_at=(0, steps), progress=False, **arch, **kw)
    for i, seed in enumerate(seeds):
        G, D, h = separate(seed, target, steps, arch, snapshot_at=(0, steps), **kw)
        assert max_difference(many, i, G, D) < 1e-12, f"run {i} (seed {seed}) differs from train_gan"
        assert torch.allclose(many.snapshots[steps][i], h.snapshots[steps], atol=1e-12)
        for name in ("d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm"):
            assert torch.allclose(getattr(many, name)[:, i], torch.tensor(getattr(h, name)), atol=1e-10), name


def test_matches_in_2d_with_two_hidden_layers(float64):
    target, arch = gl.ring(), dict(hidden=(16, 16), z_dim=2)
    many = gl.train_many(SEEDS[:2], target, steps=50, batch_size=32, progress=False, **arch)
    for i, seed in enumerate(SEEDS[:2]):
        G, D, _ = separate(seed, target, 50, arch, batch_size=32)
        assert max_difference(many, i, G, D) < 1e-12


def test_float32_runs_agree_closely_and_history_has_the_right_shapes():
    target = gl.mixture_1d()
    many = gl.train_many([0, 1], target, steps=30, snapshot_at=(0, 30), snapshot_size=100, progress=False)
    assert many.d_loss.shape == (30, 2) and many.g_grad_norm.shape == (30, 2) and len(many) == 30
    assert set(many.snapshots) == {0, 30} and many.snapshots[30].shape == (2, 100, 1)
    G, D, h = separate(1, target, 30, dict(), snapshot_at=(30,), snapshot_size=100)
    assert max_difference(many, 1, G, D) < 1e-4
    h1 = many.history(1)
    assert isinstance(h1, gl.History) and len(h1) == 30 and h1.snapshots[30].shape == (100, 1)
    assert h1.d_loss == pytest.approx(h.d_loss, abs=1e-4)
    assert isinstance(many.generator(0), gl.Generator) and isinstance(many.discriminator(0), gl.Discriminator)


def test_given_players_are_copied_not_changed():
    pairs = [gl.make_players(s) for s in (0, 1)]
    for G, _ in pairs:
        with torch.no_grad():
            G.net[-1].bias += 8.0                          # a generator started far from the data
    before = [p.clone() for p in pairs[0][0].parameters()]
    many = gl.train_many([0, 1], gl.mixture_1d(), players=pairs, steps=5, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(before, pairs[0][0].parameters()))
    assert float(many.generator(0).net[-1].bias.detach()) > 7.0


def test_draw_equals_sample_run_by_run():
    for dist in (gl.mixture_1d(), gl.ring(), gl.noise(2), gl.noise(1, "uniform"), gl.gaussian([1.0, 2.0], 0.5)):
        gens = [torch.Generator().manual_seed(s) for s in SEEDS]
        want = torch.stack([gl.sample(dist, 40, torch.Generator().manual_seed(s)) for s in SEEDS])
        assert torch.equal(draw(dist, 40, gens, torch.float32), want)


def test_make_players_is_what_a_seeded_generator_gives():
    g = torch.Generator().manual_seed(4)
    G, D = gl.Generator(generator=g), gl.Discriminator(generator=g)
    G2, D2 = gl.make_players(4)
    assert all(torch.equal(a, b) for a, b in zip([*G.parameters(), *D.parameters()],
                                                 [*G2.parameters(), *D2.parameters()]))


def test_divergence_names_step_run_and_seed():
    pairs = [gl.make_players(s) for s in (0, 1)]
    with torch.no_grad():
        pairs[1][0].net[0].weight.fill_(float("nan"))
    with pytest.raises(gl.TrainingDiverged, match=r"at step 0 in run 1 \(seed 7\): .*nan.*smaller learning rate"):
        gl.train_many([6, 7], gl.mixture_1d(), players=pairs, steps=5, progress=False)


@pytest.mark.parametrize("kwargs, name", [
    (dict(seeds=[]), "seeds"), (dict(seeds=[1, 1]), "seeds"), (dict(seeds=[-1]), "seeds\\[i\\]"),
    (dict(seeds=5), "seeds"), (dict(steps=-1), "steps"), (dict(batch_size=0), "batch_size"),
    (dict(k=0), "k"), (dict(g_loss="wasserstein"), "g_loss"), (dict(optimizer_g="rmsprop"), "optimizer_g"), (dict(optimizer_d="rmsprop"), "optimizer_d"),
    (dict(lr_d=0.0), "lr_d"), (dict(lr_g=-1), "lr_g"), (dict(r1_gamma=-1.0), "r1_gamma"), (dict(snapshot_size=0), "snapshot_size"),
    (dict(target="bimodal"), "target"), (dict(players=[1, 2]), "players"),
    (dict(players=[(gl.Generator(), gl.Discriminator()), (gl.Generator(hidden=(8,)), gl.Discriminator())]),
     "players"),
])
def test_bad_input(kwargs, name):
    kw = dict(dict(seeds=[0, 1], target=gl.mixture_1d(), steps=2, progress=False), **kwargs)
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed"):
        gl.train_many(kw.pop("seeds"), kw.pop("target"), **kw)


def test_history_index_is_checked():
    many = gl.train_many([0], gl.mixture_1d(), steps=1, progress=False)
    with pytest.raises(ValueError, match=r"^i=3 is not allowed"):
        many.generator(3)


# --- the R1 penalty (lesson 09)

def linear_discriminator(weight, bias=0.3):
    D = gl.Discriminator(x_dim=2, hidden=())
    with torch.no_grad():
        D.net[0].weight.copy_(torch.tensor([weight]))
        D.net[0].bias.fill_(bias)
    return D


def test_r1_penalty_of_a_linear_discriminator_is_half_gamma_w_squared():
    D = linear_discriminator([3.0, -4.0])                 # ∇ₓ l(x) = w everywhere, ‖w‖² = 25
    real = torch.randn(10, 2)
    assert float(gl.r1_penalty(D, real).detach()) == pytest.approx(12.5)
    assert float(gl.r1_penalty(D, real, gamma=10.0).detach()) == pytest.approx(125.0)


def test_r1_penalty_of_a_quadratic_logit_and_its_gradient_reach_d():
    D = gl.Discriminator(x_dim=1, hidden=(3,), activation="tanh", generator=torch.Generator().manual_seed(0))
    real = torch.tensor([[0.5], [-1.0]], requires_grad=True)
    penalty = gl.r1_penalty(D, real, gamma=2.0)
    grads = [torch.autograd.grad(D(real[j:j + 1]).sum(), real, create_graph=True)[0][j] for j in range(2)]
    want = sum(g.pow(2).sum() for g in grads) / 2          # γ/2 · mean over the 2 samples, γ = 2
    assert torch.allclose(penalty, want)
    penalty.backward()
    *shaped, out_bias = D.parameters()                     # the output bias does not move ∇ₓ l
    assert all(p.grad.abs().sum() > 0 for p in shaped) and out_bias.grad is None


def test_r1_penalty_bad_input():
    D = linear_discriminator([1.0, 0.0])
    with pytest.raises(ValueError, match=r"^gamma=-1.0 is not allowed"):
        gl.r1_penalty(D, torch.randn(4, 2), gamma=-1.0)
    with pytest.raises(ValueError, match=r"^real=\(4, 3\) is not allowed"):
        gl.r1_penalty(D, torch.randn(4, 3))


def test_train_gan_with_r1_gamma_zero_is_unchanged_and_positive_changes_d():
    target = gl.mixture_1d()
    runs = [separate(2, target, 20, dict(hidden=(8,)), r1_gamma=g) for g in (0.0, 0.0, 10.0)]
    (_, d0, _), (_, d1, _), (_, d2, _) = runs
    assert all(torch.equal(a, b) for a, b in zip(d0.parameters(), d1.parameters()))
    assert any(not torch.allclose(a, b) for a, b in zip(d0.parameters(), d2.parameters()))
    with pytest.raises(ValueError, match=r"^r1_gamma=-2.0 is not allowed"):
        separate(2, target, 1, dict(), r1_gamma=-2.0)


# --- lesson 05: the generator's gradient as D grows confident; a confident-D start

def test_gradient_vs_d_steps_measures_both_losses_without_moving_g():
    pairs = [gl.make_players(s, hidden=(8,)) for s in (0, 1)]
    g_before = [p.clone() for p in pairs[0][0].parameters()]
    sweep = gl.gradient_vs_d_steps([0, 1], gl.mixture_1d(), players=pairs, checkpoints=(0, 5), probe_size=64)
    assert sweep.d_steps == (0, 5) and sweep.d_fake.shape == (2, 2)
    assert set(sweep.norms) == {"saturating", "non_saturating"} and sweep.norms["saturating"].shape == (2, 2)
    assert all(torch.equal(a, b) for a, b in zip(g_before, pairs[0][0].parameters()))
    G, D = pairs[1]                                    # step 0: D untouched, so compare with a direct computation
    z = gl.sample(gl.noise(1), 64, torch.Generator().manual_seed(1))
    for name, loss in gl.G_LOSSES.items():
        G.zero_grad()
        loss(D(G(z))).backward()
        assert float(sweep.norms[name][0, 1]) == pytest.approx(gl.grad_norm(G), rel=1e-5)
    assert float(sweep.d_fake[0, 1]) == pytest.approx(float(torch.sigmoid(D(G(z))).mean().detach()), rel=1e-5)
    assert [g.shape for g in sweep.grads["saturating"]] == [(2, 8, 1), (2, 8), (2, 1, 8), (2, 1)]


def test_gradient_vs_d_steps_bad_checkpoints():
    with pytest.raises(ValueError, match=r"^checkpoints=.* is not allowed"):
        gl.gradient_vs_d_steps([0], gl.mixture_1d(), checkpoints=(-1, 3))


def test_confident_players_train_d_only_and_leave_inputs_alone():
    pairs = [gl.make_players(s, hidden=(8,)) for s in (0, 1)]
    before = [p.clone() for p in pairs[0][1].parameters()]
    out = gl.confident_players([0, 1], gl.mixture_1d(), players=pairs, d_steps=50)
    assert all(torch.equal(a, b) for a, b in zip(before, pairs[0][1].parameters()))
    assert all(torch.equal(a, b) for a, b in zip(pairs[1][0].parameters(), out[1][0].parameters()))
    z = gl.sample(gl.noise(1), 500, torch.Generator().manual_seed(0))
    fooled = [float(torch.sigmoid(D(G(z))).mean().detach()) for G, D in (pairs[0], out[0])]
    assert fooled[1] < fooled[0] < 0.9, "training D alone should make it reject the fakes"


def test_first_step_finds_the_earliest_passing_snapshot():
    many = gl.train_many([0, 1], gl.mixture_1d(), steps=4, snapshot_at=(0, 2, 4), snapshot_size=10, progress=False)
    many.snapshots = {0: torch.zeros(2, 10, 1), 2: torch.ones(2, 10, 1), 4: torch.ones(2, 10, 1)}
    many.snapshots[2][1] = 0
    first = many.first_step(lambda x: bool(x.mean() > 0.5))
    assert first.tolist() == [2.0, 4.0]
    assert many.first_step(lambda x: False).isnan().all()


# --- lesson 06: statistics over runs

def test_wilson_interval_known_values():
    low, high = gl.metrics.wilson_interval(0, 32)
    assert low == 0.0 and high == pytest.approx(0.1072, abs=1e-4)
    low, high = gl.metrics.wilson_interval(7, 20)                  # a textbook example
    assert (low, high) == pytest.approx((0.1812, 0.5671), abs=1e-4)
    assert gl.metrics.wilson_interval(32, 32)[1] == 1.0
    for kwargs in (dict(successes=5, trials=4), dict(successes=-1, trials=4), dict(successes=1.5, trials=4)):
        with pytest.raises(ValueError, match=r"^successes="):
            gl.metrics.wilson_interval(**kwargs)
    with pytest.raises(ValueError, match=r"^trials="):
        gl.metrics.wilson_interval(0, 0)


def test_mean_se_ignores_nan():
    m, se = gl.metrics.mean_se([1.0, 2.0, 3.0, float("nan")])
    assert m == pytest.approx(2.0) and se == pytest.approx(1 / 3 ** 0.5)
    assert all(math_isnan(v) for v in gl.metrics.mean_se([float("nan")]))


def math_isnan(v):
    return v != v


def test_covers_modes():
    target = gl.mixture_1d()
    real = gl.sample(target, 2000, torch.Generator().manual_seed(0))
    assert gl.metrics.covers_modes(real, target)
    assert not gl.metrics.covers_modes(real.abs(), target)                   # one mode only
    assert not gl.metrics.covers_modes(torch.sign(real) * 4.0, target)      # both modes, far too wide apart
    with pytest.raises(ValueError, match=r"^max_w1="):
        gl.metrics.covers_modes(real, target, max_w1=0.0)


# --- the exercise checks of lessons 05 and 06 (they print ✓/✗ and never raise)

@pytest.mark.parametrize("fn, ok", [
    (lambda l: -torch.sigmoid(l), True),
    (lambda l: torch.sigmoid(l), False),                   # wrong sign
    (lambda l: -(1 - torch.sigmoid(l)), False),             # the non-saturating slope
    (lambda l: -torch.sigmoid(l) * (1 - torch.sigmoid(l)), False),
    (lambda l: torch.zeros_like(l), False),                 # the stub
    (lambda l: 0.0, False),
    (lambda l: 1 / 0, False),
])
def test_saturating_slope_check(fn, ok, capsys):
    assert bool(gl.check.saturating_slope(fn)) is ok
    assert ("✓" if ok else "✗") in capsys.readouterr().out


def _wald(k, n, z=1.96):
    p = k / n
    half = z * (p * (1 - p) / n) ** 0.5
    return p - half, p + half


@pytest.mark.parametrize("fn, ok", [
    (gl.metrics.wilson_interval, True),
    (_wald, False),
    (lambda k, n: (0.0, 1.0), False),
    (lambda k, n: 0.5, False),
    (lambda k, n: k / 0, False),
])
def test_wilson_check(fn, ok, capsys):
    assert bool(gl.check.wilson(fn)) is ok
    assert ("✓" if ok else "✗") in capsys.readouterr().out


# --- the figures of lessons 05 and 06

def test_lesson_05_06_figures():
    d = torch.linspace(0.01, 0.99, 20)
    costs = {"saturating": torch.log(1 - d), "non_saturating": -torch.log(d)}
    fig = gl.plot.generator_costs(d, costs, {"saturating": -d, "non_saturating": -(1 - d)}, marks=(0.1,))
    assert len(fig.axes) == 2
    sweep = gl.gradient_vs_d_steps([0, 1], gl.mixture_1d(), checkpoints=(0, 2), probe_size=16, hidden=(4,))
    assert len(gl.plot.gradient_sweep(sweep).axes) == 2
    assert len(gl.plot.gradient_histograms(sweep.grads, ["a", "b", "c", "d"]).axes) == 4
    fig = gl.plot.rates(["x", "y"], [0.2, 0.5], [0.1, 0.3], [0.4, 0.7])
    assert len(fig.axes[0].patches) == 2
    fig, ax = gl.plot.figure()
    assert gl.plot.runs([0, 1, 2], torch.rand(3, 4), "#000000", "runs", ax) is fig


def test_a_hand_built_1d_target_trains_like_its_ganlessons_twin():
    hand, own = torch.distributions.Normal(1.0, 0.5), gl.gaussian(1.0, 0.5)
    a = gl.train_many([0, 1], hand, steps=5, snapshot_at=(5,), progress=False)
    b = gl.train_many([0, 1], own, steps=5, snapshot_at=(5,), progress=False)
    assert torch.equal(a.stats, b.stats) and torch.equal(a.snapshots[5], b.snapshots[5])
    G, D = gl.make_players(0)
    h = gl.train_gan(G, D, hand, steps=5, progress=False)
    assert torch.allclose(torch.tensor(h.d_loss), a.d_loss[:, 0], atol=1e-5)
    sweep = gl.gradient_vs_d_steps([0], hand, checkpoints=(0, 2), probe_size=16)
    assert sweep.d_fake.shape == (2, 1)
