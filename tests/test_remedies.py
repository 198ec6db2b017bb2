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


@pytest.mark.parametrize("remedy", ["none", "pac2", "pac4", "minibatch_std"])
def test_stacked_discriminator_equals_each_module(remedy):
    ds = R.make_discriminators(remedy, seeds=(0, 1), hidden=(8, 8))
    D = R.StackedDiscriminator(ds)
    x = torch.randn(2, 16, 2, generator=gen(3))
    out = D(x)
    for i, d in enumerate(ds):
        assert torch.allclose(out[i, :, 0], d(x[i]), atol=1e-6)


def test_make_discriminators():
    assert isinstance(R.make_discriminators("none", (0,))[0], gl.Discriminator)
    assert R.make_discriminators("pac4", (0,))[0].pac == 4
    assert isinstance(R.make_discriminators("minibatch_std", (0,))[0], R.MinibatchStdDiscriminator)
    with pytest.raises(ValueError, match="remedy='pac3'"):
        R.make_discriminators("pac3", (0,))


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
    got = R.gradient_penalty(lambda x: D(x[0])[None, :, None], real, fake, gen(3))
    t = torch.rand(1, 5, 1, generator=gen(3))[0]
    want = 0.0
    for i in range(5):
        point = (t[i] * real[0, i] + (1 - t[i]) * fake[0, i]).requires_grad_(True)
        g, = torch.autograd.grad(D(point[None]).sum(), point)
        want += (g.norm() - 1) ** 2 / 5
    assert got.shape == (1,) and torch.allclose(got[0], want, atol=1e-6)


def test_gradient_penalty_of_a_unit_slope_critic_is_zero():
    w = torch.tensor([0.6, 0.8])
    critic = lambda x: (x @ w)[..., None]                 # noqa: E731  |∇| = 1 everywhere
    gp = R.gradient_penalty(critic, torch.randn(3, 4, 2), torch.randn(3, 4, 2), gen())
    assert torch.allclose(gp.detach(), torch.zeros(3), atol=1e-10)


def test_wgan_steps_move_the_scores_the_right_way():
    G = gl.StackedMLP([gl.Generator(2, 2, (8,), generator=gen())])
    D = R.StackedDiscriminator([gl.Discriminator(2, (8,), generator=gen(1))])
    opt_d, opt_g = gl.make_optimizer(D.parameters(), lr=1e-2), gl.make_optimizer(G.parameters(), lr=1e-2)
    real, z = torch.randn(1, 64, 2, generator=gen(2)) + 3, torch.randn(1, 64, 2, generator=gen(3))
    gap = lambda: float((D(real).mean() - D(G(z)).mean()).detach())   # noqa: E731
    before = gap()
    for _ in range(20):
        R.wgan_gp_d_step(G, D, opt_d, real, z, gen(4), gp_weight=0.1)
    assert gap() > before                                # the critic separates real from fake
    fake_score = float(D(G(z)).mean().detach())
    for _ in range(5):
        R.wgan_g_step(G, D, opt_g, z)
    assert float(D(G(z)).mean().detach()) > fake_score            # G raises its critic score


def _stack(seed=0):
    G = gl.StackedMLP([gl.Generator(2, 2, (8,), generator=gen(seed))])
    D = R.StackedDiscriminator([gl.Discriminator(2, (8,), generator=gen(seed + 1))])
    return G, D, gl.make_optimizer(G.parameters()), gl.make_optimizer(D.parameters())


def test_unrolled_step_restores_d_and_moves_g():
    G, D, opt_g, opt_d = _stack()
    g = gen(2)
    draw_real, draw_z = (lambda: torch.randn(1, 16, 2, generator=g) + 2), (lambda: torch.randn(1, 16, 2, generator=g))
    ensemble.d_step(G, D, opt_d, draw_real(), draw_z(), joint=False)   # give opt_d some state
    d_before = [p.detach().clone() for p in D.parameters()]
    steps_before = [int(s["step"]) for s in opt_d.state_dict()["state"].values()]
    g_before = [p.detach().clone() for p in G.parameters()]
    R.unrolled_g_step(G, D, opt_g, opt_d, draw_real, draw_z, unroll=3)
    assert all(torch.equal(a, b) for a, b in zip(D.parameters(), d_before))
    assert [int(s["step"]) for s in opt_d.state_dict()["state"].values()] == steps_before
    assert any(not torch.equal(a, b) for a, b in zip(G.parameters(), g_before))


def test_unrolling_changes_the_generator_update():
    def run(unroll):
        G, D, opt_g, opt_d = _stack()
        g = gen(2)
        R.unrolled_g_step(G, D, opt_g, opt_d, lambda: torch.randn(1, 16, 2, generator=g) + 2,
                          lambda: torch.randn(1, 16, 2, generator=g), unroll)
        return torch.cat([p.detach().reshape(-1) for p in G.parameters()])
    assert not torch.allclose(run(1), run(4))
    with pytest.raises(ValueError, match="unroll=0"):
        run(0)


@pytest.mark.parametrize("remedy", R.REMEDIES)
def test_train_2d_runs_every_remedy_and_is_repeatable(remedy):
    kwargs = dict(seeds=(1, 2), steps=3, batch_size=16, hidden=(8, 8), unroll=2, n_critic=2, snapshot_size=50)
    _, _, snaps = R.train_2d(gl.ring(), remedy, snapshot_at=(0, 3), **kwargs)
    assert set(snaps) == {0, 3} and snaps[3].shape == (2, 50, 2)
    assert not torch.equal(snaps[0], snaps[3])
    _, _, again = R.train_2d(gl.ring(), remedy, **kwargs)
    assert torch.equal(again[3], snaps[3])
    _, _, alone = R.train_2d(gl.ring(), remedy, **{**kwargs, "seeds": (2,)})
    assert torch.allclose(alone[3][0], snaps[3][1], atol=1e-4)   # run i does not depend on the other runs


def test_train_2d_vanilla_equals_train_many():
    kwargs = dict(seeds=(0, 3), steps=5, batch_size=32, hidden=(8, 8), snapshot_size=20)
    _, _, snaps = R.train_2d(gl.grid(), "none", **kwargs)
    h = gl.train_many((0, 3), gl.grid(), z_dim=2, hidden=(8, 8), steps=5, batch_size=32, snapshot_at=(5,),
                      snapshot_size=20, progress=False)
    assert torch.allclose(snaps[5], h.snapshots[5], atol=1e-5)


def test_train_2d_bad_input():
    with pytest.raises(ValueError, match="remedy='minibatch'"):
        R.train_2d(gl.ring(), "minibatch")
    with pytest.raises(ValueError, match="steps=-1"):
        R.train_2d(gl.ring(), steps=-1)
    with pytest.raises(ValueError, match="gp_weight=-1"):
        R.train_2d(gl.ring(), "wgan_gp", gp_weight=-1)
    with pytest.raises(ValueError, match="batch_size=2"):
        R.train_2d(gl.ring(), batch_size=2)
    with pytest.raises(ValueError, match="seeds="):
        R.train_2d(gl.ring(), seeds=(1, 1))


def test_train_2d_runs_on_different_targets_at_once():
    kwargs = dict(steps=4, batch_size=16, hidden=(8, 8), snapshot_size=30)
    _, _, mixed = R.train_2d([gl.ring(), gl.grid()], "pac2", seeds=(3, 4), **kwargs)
    _, _, ring_only = R.train_2d(gl.ring(), "pac2", seeds=(3,), **kwargs)
    _, _, grid_only = R.train_2d(gl.grid(), "pac2", seeds=(4,), **kwargs)
    assert torch.allclose(mixed[4][0], ring_only[4][0], atol=1e-5)
    assert torch.allclose(mixed[4][1], grid_only[4][0], atol=1e-5)
    with pytest.raises(ValueError, match="target=.*one per seed"):
        R.train_2d([gl.ring()], seeds=(0, 1))
    with pytest.raises(ValueError, match="target="):
        R.train_2d([gl.ring(), gl.mixture_1d()], seeds=(0, 1))
