"""ganlessons.ensemble, the one batched engine: its loop stops a diverging run (for train_many and
the remedies alike), its draws are sample()'s run by run, and its two blocks are the single-run
blocks of ganlessons.train, run by run."""
import pytest
import torch

import ganlessons as gl
from ganlessons import ensemble as E, remedies as R


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_run_snapshots_records_and_stops_at_the_first_non_finite_run():
    G = lambda z: z + 1.0                                          # noqa: E731  a stand-in stacked G
    calls = []

    def iteration(step):
        calls.append(step)
        bad = float("nan") if step == 3 else 0.0
        return torch.tensor([step, step]), torch.tensor([0.0, bad])
    with pytest.raises(gl.TrainingDiverged, match=r"^Training diverged at step 3 in run 1 \(seed 9\): g=nan\. try"):
        E.run(G, iteration, 5, (4, 9), ("d", "g"), advice="try this")
    assert calls == [0, 1, 2, 3]
    ok = lambda step: (torch.tensor([float(step), 2.0 * step]),)  # noqa: E731
    stats, snaps = E.run(G, ok, 3, (4, 9), ("d",), snapshot_at=(0, 3), snap_z=torch.zeros(2, 5, 1))
    assert stats.shape == (1, 3, 2) and stats[0, :, 1].tolist() == [0.0, 2.0, 4.0]
    assert set(snaps) == {0, 3} and torch.equal(snaps[3], torch.ones(2, 5, 1))
    empty, _ = E.run(G, ok, 0, (4, 9), ("d",))
    assert empty.shape == (1, 0, 2)


def test_train_2d_stops_a_diverging_run_and_says_what_to_try():
    with pytest.raises(gl.TrainingDiverged, match=r"at step \d+ in run \d \(seed [01]\): .*nan.*smaller learning rate"):
        R.train_2d(gl.ring(), "vanilla", seeds=(0, 1), steps=30, batch_size=16, hidden=(8, 8), lr_g=1e12, lr_d=1e12,
                   g_activation="relu", d_activation="leaky_relu")


@pytest.mark.parametrize("repeat", [True, False])
def test_draw_per_run_targets_equals_sample_run_by_run(repeat):
    targets = [gl.ring()] * 3 if repeat else [gl.ring(), gl.grid(), gl.ring()]
    want = torch.stack([gl.sample(t, 20, gen(s)) for t, s in zip(targets, (1, 2, 3))])
    assert torch.equal(E.draw(targets, 20, [gen(1), gen(2), gen(3)]), want)


def test_blocks_equal_the_single_run_blocks_run_by_run():
    """d_step (judging real and fake in one call or two) and g_step on two stacked runs are
    train.d_step and train.g_step applied to each run on its own."""
    pairs = [gl.make_players(s, z_dim=2, x_dim=2, hidden=(8,)) for s in (0, 1)]
    real, z = torch.randn(2, 16, 2, generator=gen(5)), torch.randn(2, 16, 2, generator=gen(6))
    for joint in (True, False):
        G, D = E.stack_players(pairs)
        opt_d, opt_g = gl.make_optimizer(D.parameters()), gl.make_optimizer(G.parameters())
        dl, real_logits, _ = E.d_step(G, D, opt_d, real, z, joint=joint)
        gloss, norm = E.g_step(G, D, opt_g, z, "saturating")
        for i, (G1, D1) in enumerate(pairs):
            G1, D1 = E.StackedMLP([G1]).unstack(0), E.StackedMLP([D1]).unstack(0)   # fresh copies
            dl1, real_logits1, _ = gl.d_step(G1, D1, gl.make_optimizer(D1.parameters()), real[i], z[i])
            gl1, _, norm1 = gl.g_step(G1, D1, gl.make_optimizer(G1.parameters()), z[i], "saturating")
            assert torch.allclose(dl[i], dl1, atol=1e-6) and torch.allclose(real_logits[i, :, 0], real_logits1, atol=1e-6)
            assert torch.allclose(gloss[i], gl1, atol=1e-6) and float(norm[i]) == pytest.approx(norm1, rel=1e-5)
            assert torch.allclose(G.unstack(i)(z[i]), G1(z[i]), atol=1e-6)
            assert torch.allclose(D.unstack(i)(real[i]), D1(real[i]), atol=1e-6)


def test_wgan_generator_loss_is_minus_the_mean_score():
    scores = torch.tensor([[[1.0], [3.0]], [[-2.0], [0.0]]])
    assert E.G_LOSSES_MANY["wgan"](scores).tolist() == [-2.0, 1.0]


def test_g_grads_leave_d_without_gradient():
    G, D = E.stack_players([gl.make_players(0)])
    grads, loss = E.g_grads(G, D, torch.randn(1, 8, 1, generator=gen()))
    assert len(grads) == len(G.parameters()) and loss.shape == (1,)
    assert all(p.grad is None for p in D.parameters()) and all(p.grad is None for p in G.parameters())


def test_old_homes_still_reach_the_moved_names():
    assert gl.train.train_many is E.train_many and gl.train.make_players is gl.models.make_players
    assert gl.train.gradient_vs_d_steps is gl.gradients.gradient_vs_d_steps
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        gl.train.nothing
