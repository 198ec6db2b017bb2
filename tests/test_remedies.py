"""Remedies for mode collapse: each piece against a formula or plain PyTorch, and each bad input."""
import pytest
import torch

import ganlessons as gl
from ganlessons import ensemble, remedies as R


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_pack_puts_pac_samples_side_by_side():
    x = torch.arange(12.0).reshape(6, 2)
    assert R.pack(x, 2).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert R.pack(x[None].repeat(3, 1, 1), 3).shape == (3, 2, 6)     # a leading run axis is kept
    with pytest.raises(ValueError, match=r"x=\(5, 2\).*multiple of pac=2"):
        R.pack(torch.zeros(5, 2), 2)
    with pytest.raises(ValueError, match="pac=0"):
        R.pack(x, 0)


def test_packed_discriminator():
    inner = gl.Discriminator(x_dim=4, hidden=(8,), generator=gen())
    D = R.Packed(inner, pac=2)
    x = torch.randn(6, 2, generator=gen(1))
    assert D.x_dim == 2 and D(x).shape == (3,)
    assert torch.allclose(D(x), inner(torch.cat([x[0::2], x[1::2]], dim=1)))
    with pytest.raises(ValueError, match="pac=3"):
        R.Packed(gl.Discriminator(x_dim=4), pac=3)
    with pytest.raises(ValueError, match=r"x=\(4, 3\)"):
        D(torch.zeros(4, 3))


def test_minibatch_std_feature_is_the_group_spread():
    h = torch.randn(8, 5, generator=gen(1))
    want = torch.stack([h[:4].std(0, unbiased=False).mean(), h[4:].std(0, unbiased=False).mean()])
    assert torch.allclose(R.minibatch_std_feature(h, 4)[:, 0], want.repeat_interleave(4))
    assert torch.allclose(R.minibatch_std_feature(h, 3)[:, 0], h.std(0, unbiased=False).mean().expand(8))  # 8 % 3: one group
    same = torch.ones(4, 3, requires_grad=True)                                                      # identical samples
    feature = R.minibatch_std_feature(same, 4)
    assert torch.allclose(feature, torch.zeros(4, 1), atol=1e-3)
    feature.sum().backward()
    assert torch.isfinite(same.grad).all()


def test_minibatch_std_discriminator():
    D = R.MinibatchStdDiscriminator(x_dim=2, hidden=(8, 8), group_size=4, generator=gen())
    x = torch.randn(8, 2, generator=gen(1))
    h = D.act(D.body(x))
    assert torch.allclose(D(x), D.head(torch.cat([h, R.minibatch_std_feature(h, 4)], 1)).squeeze(-1))
    with pytest.raises(ValueError, match="group_size=1"):
        R.MinibatchStdDiscriminator(group_size=1)
    with pytest.raises(ValueError, match=r"hidden=\(\)"):
        R.MinibatchStdDiscriminator(hidden=())
    with pytest.raises(ValueError, match=r"x=\(4, 3\)"):
        D(torch.zeros(4, 3))


@pytest.mark.parametrize("method", ["vanilla", "pac2", "pac4", "minibatch_std"])
def test_stacked_discriminator_equals_each_module(method):
    ds = R.make_discriminators(method, [gen(0), gen(1)], hidden=(8, 8))
    D = R.StackedDiscriminator(ds)
    x = torch.randn(2, 16, 2, generator=gen(3))
    out = D(x)
    for i, d in enumerate(ds):
        assert torch.allclose(out[i, :, 0], d(x[i]), atol=1e-6)


def test_make_discriminators():
    assert isinstance(R.make_discriminators("vanilla", [gen()])[0], gl.Discriminator)
    assert R.make_discriminators("pac4", [gen()])[0].pac == 4
    assert isinstance(R.make_discriminators("minibatch_std", [gen()])[0], R.MinibatchStdDiscriminator)
    with pytest.raises(ValueError, match="method='pac3'"):
        R.make_discriminators("pac3", [gen()])


def test_steps_are_the_two_blocks_per_run():
    """d_step / g_step on a stack of one run equal the package's single-run d_step / g_step."""
    G1 = gl.Generator(2, 2, (8,), generator=gen(0))
    D1 = gl.Discriminator(2, (8,), generator=gen(1))
    G, D = gl.StackedMLP([G1]), R.StackedDiscriminator([D1])
    real, z = torch.randn(16, 2, generator=gen(2)), torch.randn(16, 2, generator=gen(3))
    opt_d, opt_g = gl.make_optimizer(D.parameters()), gl.make_optimizer(G.parameters())
    opt_d1, opt_g1 = gl.make_optimizer(D1.parameters()), gl.make_optimizer(G1.parameters())
    dl = ensemble.d_step(G, D, opt_d, real[None], z[None], joint=False)[0]
    dl1 = gl.d_step(G1, D1, opt_d1, real, z)[0]
    gloss = ensemble.g_step(G, D, opt_g, z[None])[0]
    gloss1 = gl.g_step(G1, D1, opt_g1, z)[0]
    assert torch.allclose(dl[0], dl1) and torch.allclose(gloss[0], gloss1, atol=1e-6)
    assert torch.allclose(G.unstack(0)(z), G1(z), atol=1e-6)


def test_gradient_penalty_matches_autograd_by_hand():
    D = gl.Discriminator(x_dim=2, hidden=(8,), generator=gen())
    real, fake = torch.randn(1, 5, 2, generator=gen(1)), torch.randn(1, 5, 2, generator=gen(2))
    got = R.gradient_penalty(lambda x: D(x[0])[None, :, None], real, fake, [gen(3)])
    t = torch.rand(5, 1, generator=gen(3))
    want = 0.0
    for i in range(5):
        point = (t[i] * real[0, i] + (1 - t[i]) * fake[0, i]).requires_grad_(True)
        g, = torch.autograd.grad(D(point[None]).sum(), point)
        want += (g.norm() - 1) ** 2 / 5
    assert got.shape == (1,) and torch.allclose(got[0], want, atol=1e-6)


def test_gradient_penalty_of_a_unit_slope_critic_is_zero():
    w = torch.tensor([0.6, 0.8])
    critic = lambda x: (x @ w)[..., None]                 # noqa: E731  |∇| = 1 everywhere
    gp = R.gradient_penalty(critic, torch.randn(3, 4, 2), torch.randn(3, 4, 2), [gen(i) for i in range(3)])
    assert torch.allclose(gp.detach(), torch.zeros(3), atol=1e-10)


def test_gradient_penalty_draws_each_run_from_its_own_stream():
    critic = lambda x: (x ** 2).sum(-1, keepdim=True)     # noqa: E731
    real, fake = torch.randn(2, 6, 2, generator=gen(1)), torch.randn(2, 6, 2, generator=gen(2))
    both = R.gradient_penalty(critic, real, fake, [gen(7), gen(8)])
    alone = R.gradient_penalty(critic, real[1:], fake[1:], [gen(8)])
    assert torch.equal(both[1:], alone)


def test_wgan_steps_move_the_scores_the_right_way():
    G = gl.StackedMLP([gl.Generator(2, 2, (8,), generator=gen())])
    D = R.StackedDiscriminator([gl.Discriminator(2, (8,), generator=gen(1))])
    opt_d, opt_g = gl.make_optimizer(D.parameters(), lr=1e-2), gl.make_optimizer(G.parameters(), lr=1e-2)
    real, z = torch.randn(1, 64, 2, generator=gen(2)) + 3, torch.randn(1, 64, 2, generator=gen(3))
    gap = lambda: float((D(real).mean() - D(G(z)).mean()).detach())   # noqa: E731
    before = gap()
    for _ in range(20):
        R.wgan_gp_d_step(G, D, opt_d, real, z, [gen(4)], gp_weight=10.0)
    assert gap() > before                                # the critic separates real from fake
    fake_score = float(D(G(z)).mean().detach())
    for _ in range(5):
        ensemble.g_step(G, D, opt_g, z, "wgan")
    assert float(D(G(z)).mean().detach()) > fake_score   # G raises its critic score


def test_adam_update_is_torch_adam():
    w = torch.randn(3, 4, generator=gen(1), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=1e-2, betas=(0.5, 0.999))
    grads = [torch.randn(3, 4, generator=gen(i), dtype=torch.float64) for i in range(3)]
    params, m, v, t, lr, betas, eps = R.adam_state(opt)
    mine = [w.detach().clone()]
    for g in grads:
        mine, m, v = R.adam_update(mine, [g], m, v, t, lr, betas, eps)
        t += 1
        w.grad = g
        opt.step()
    assert torch.allclose(mine[0], w.detach(), atol=1e-12, rtol=0)


def _tiny_unrolled(dtype=torch.float64):
    """A tiny trained unrolled GAN (one run, hidden 4) and fixed batches for its look-ahead."""
    trained = R.train_2d(gl.ring(), "unrolled5", seeds=(3,), steps=4, batch_size=8, hidden=(4,), dtype=dtype)
    opt_d = torch.optim.Adam(trained.D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    real = lambda s: gl.sample(gl.ring(), 8, gen(s)).to(dtype)[None]              # noqa: E731
    z = lambda s: torch.randn(1, 8, 2, generator=gen(s), dtype=dtype)             # noqa: E731
    for s in range(3):                                   # give D's optimizer some moments
        ensemble.d_step(trained.G, trained.D, opt_d, real(s), z(s + 10))
    batches = [(real(20 + u), z(30 + u)) for u in range(5)]
    return trained.G, trained.D, opt_d, batches, z(99)


def test_unrolled_generator_gradient_matches_finite_differences():
    """The G gradient of the unrolled loss includes the path through the 5 look-ahead D steps."""
    G, D, opt_d, batches, z = _tiny_unrolled()
    loss = lambda: float(R.unrolled_g_loss(G, D, opt_d, batches, z).sum().detach())   # noqa: E731
    grads = torch.autograd.grad(R.unrolled_g_loss(G, D, opt_d, batches, z).sum(), G.parameters())
    Dk = R.unrolled_discriminator(G, D, opt_d, batches)
    frozen = R.with_params(D, [p.detach() for p in Dk.parameters()])
    first_order = torch.autograd.grad(ensemble.G_LOSSES_MANY["non_saturating"](frozen(G(z))).sum(), G.parameters())
    h, worst, gap = 1e-6, 0.0, 0.0
    for p, g, g1 in zip(G.parameters(), grads, first_order):
        for index in [(0, 0, 0), (0, p.shape[1] - 1, p.shape[2] - 1)] if p.dim() == 3 else [(0, 0), (0, p.shape[1] - 1)]:
            with torch.no_grad():
                p[index] += h
            up = loss()
            with torch.no_grad():
                p[index] -= 2 * h
            down = loss()
            with torch.no_grad():
                p[index] += h
            numeric = (up - down) / (2 * h)
            worst = max(worst, abs(numeric - float(g[index])) / max(1e-3, abs(numeric)))
            gap = max(gap, abs(numeric - float(g1[index])) / max(1e-3, abs(numeric)))
    assert worst < 1e-5, f"autograd and finite differences differ by {worst:.1e} (relative)"
    assert gap > 1e-3, "the first-order gradient (D's look-ahead frozen) must differ: otherwise the test proves nothing"


def test_unrolled_look_ahead_leaves_d_and_its_optimizer_alone():
    G, D, opt_d, batches, z = _tiny_unrolled()
    before = [p.detach().clone() for p in D.parameters()]
    state = {k: {n: v.clone() for n, v in s.items()} for k, s in opt_d.state_dict()["state"].items()}
    R.unrolled_g_loss(G, D, opt_d, batches, z).sum().backward()
    assert all(torch.equal(a, b) for a, b in zip(D.parameters(), before))
    after = opt_d.state_dict()["state"]
    assert all(torch.equal(after[k][n], v) for k, s in state.items() for n, v in s.items())


@pytest.mark.parametrize("method", list(R.METHODS))
def test_a_run_is_the_same_alone_or_batched_with_others(method):
    """60 steps: run of seed 5 inside a batch of three equals seed 5 alone (float64, so round-off is ~1e-15)."""
    kwargs = dict(steps=60, batch_size=16, hidden=(16, 16), snapshot_at=(0, 60), snapshot_size=64, dtype=torch.float64)
    batched = R.train_2d(gl.grid(), method, seeds=(3, 5, 7), **kwargs)
    alone = R.train_2d(gl.grid(), method, seeds=(5,), **kwargs)
    moved = float((batched.snapshots[60][1] - batched.snapshots[0][1]).abs().max())
    diff = float((batched.snapshots[60][1] - alone.snapshots[60][0]).abs().max())
    assert moved > 1e-2 and diff < 1e-9, f"{method}: batched and alone differ by {diff:.1e} after 60 steps"
    weights = max(float((b[1] - a[0]).detach().abs().max()) for b, a in zip(batched.G.parameters(), alone.G.parameters()))
    assert weights < 1e-9


@pytest.mark.parametrize("method", list(R.METHODS))
def test_train_2d_runs_every_method_and_is_repeatable(method):
    kwargs = dict(seeds=(1, 2), steps=3, batch_size=16, hidden=(8, 8), snapshot_size=50)
    trained = R.train_2d(gl.ring(), method, snapshot_at=(0, 3), **kwargs)
    assert set(trained.snapshots) == {0, 3} and trained.snapshots[3].shape == (2, 50, 2)
    assert trained.losses.shape == (2, 3, 2) and torch.isfinite(trained.losses).all()
    assert not torch.equal(trained.snapshots[0], trained.snapshots[3])
    again = R.train_2d(gl.ring(), method, **kwargs)
    assert torch.equal(again.snapshots[3], trained.snapshots[3])


def test_methods_name_their_papers_and_match_d_work():
    assert all(m.paper for m in R.METHODS.values())
    assert R.METHODS["vanilla_d5"].d_steps == R.METHODS["wgan_gp"].d_steps == R.METHODS["unrolled5"].unroll == 5
    assert R.METHODS["pac2"].pac == 2 and R.METHODS["pac4"].pac == 4 and R.METHODS["unrolled10"].unroll == 10


def test_pacgan_keeps_the_number_of_packs_per_step():
    """As in PacGAN, a step has batch_size packs: G and the data each give pac · batch_size samples."""
    trained = R.train_2d(gl.ring(), "pac4", seeds=(0,), steps=0, batch_size=10)
    assert trained.D(torch.zeros(1, 40, 2)).shape == (1, 10, 1)
    calls = []
    original = R.draw
    R.draw = lambda dist, n, *a: calls.append(n) or original(dist, n, *a)     # noqa: E731
    try:
        R.train_2d(gl.ring(), "pac4", seeds=(0,), steps=1, batch_size=10, snapshot_size=7)
    finally:
        R.draw = original
    assert calls == [7, 40, 40, 40]                      # snapshot noise, then real, z for D, z for G


def test_train_2d_vanilla_equals_train_many():
    kwargs = dict(seeds=(0, 3), steps=5, batch_size=32, hidden=(8, 8), snapshot_size=20)
    trained = R.train_2d(gl.grid(), "vanilla", g_activation="relu", d_activation="leaky_relu", **kwargs)
    h = gl.train_many((0, 3), gl.grid(), z_dim=2, hidden=(8, 8), steps=5, batch_size=32, snapshot_at=(5,),
                      snapshot_size=20, progress=False)
    assert torch.allclose(trained.snapshots[5], h.snapshots[5], atol=1e-5)


def test_train_2d_bad_input():
    with pytest.raises(ValueError, match="method='minibatch'"):
        R.train_2d(gl.ring(), "minibatch")
    with pytest.raises(ValueError, match="steps=-1"):
        R.train_2d(gl.ring(), steps=-1)
    with pytest.raises(ValueError, match="batch_size=2"):
        R.train_2d(gl.ring(), batch_size=2)
    with pytest.raises(ValueError, match="seeds="):
        R.train_2d(gl.ring(), seeds=(1, 1))
    with pytest.raises(ValueError, match="g_loss='wgan'"):
        R.train_2d(gl.ring(), g_loss="wgan")
