"""ganlessons.train: the two-block step holds the other player fixed, training is reproducible,
divergence stops with a clear message, and a short run learns the bimodal target."""
import pytest
import torch

import ganlessons as gl


def players(seed=0, hidden=(16,)):
    g = torch.Generator().manual_seed(seed)
    return gl.Generator(hidden=hidden, generator=g), gl.Discriminator(hidden=hidden, generator=g)


def test_d_step_changes_only_d_and_leaves_g_without_gradient():
    G, D = players()
    before_g = [p.clone() for p in G.parameters()]
    before_d = [p.clone() for p in D.parameters()]
    opt_d = torch.optim.SGD(D.parameters(), lr=0.1)
    gl.d_step(G, D, opt_d, torch.randn(32, 1), torch.randn(32, 1))
    assert all(p.grad is None for p in G.parameters()), "fakes must be detached in the D step"
    assert all(torch.equal(a, b) for a, b in zip(before_g, G.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(before_d, D.parameters()))


def test_g_step_changes_only_g_and_reports_its_gradient_norm():
    G, D = players()
    before_d = [p.clone() for p in D.parameters()]
    opt_g = torch.optim.SGD(G.parameters(), lr=0.1)
    loss, logits, norm = gl.g_step(G, D, opt_g, torch.randn(32, 1), "saturating")
    assert all(torch.equal(a, b) for a, b in zip(before_d, D.parameters()))
    assert norm == pytest.approx(float(torch.cat([p.grad.reshape(-1) for p in G.parameters()]).norm()))
    assert torch.allclose(loss, gl.g_loss_saturating(logits))


def test_d_step_matches_a_hand_written_bce_update():
    G, D = players(1)
    G2, D2 = players(1)
    real, z = torch.randn(16, 1), torch.randn(16, 1)
    gl.d_step(G, D, torch.optim.SGD(D.parameters(), lr=0.5), real, z)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    loss = 0.5 * bce(D2(real), torch.ones(16)) + 0.5 * bce(D2(G2(z).detach()), torch.zeros(16))
    loss.backward()
    with torch.no_grad():
        for p in D2.parameters():
            p -= 0.5 * p.grad
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(D.parameters(), D2.parameters()))


def test_train_gan_is_reproducible_and_records_history():
    runs = []
    for _ in range(2):
        G, D = players(3)
        h = gl.train_gan(G, D, gl.mixture_1d(), steps=50, snapshot_at=(0, 50), progress=False, seed=7)
        runs.append((h, [p.clone() for p in G.parameters()]))
    (h, w), (h2, w2) = runs
    assert len(h) == 50 and set(h.snapshots) == {0, 50} and h.snapshots[0].shape == (1000, 1)
    assert h.d_loss == h2.d_loss and all(torch.equal(a, b) for a, b in zip(w, w2))
    assert all(0 < v < 1 for v in h.d_real + h.d_fake)


def test_short_run_covers_both_modes_on_most_seeds():
    target, covered = gl.mixture_1d(), 0
    for seed in range(4):
        G, D = players(seed, hidden=(32,))
        h = gl.train_gan(G, D, target, steps=800, snapshot_at=(800,), progress=False, seed=seed)
        covered += bool(gl.metrics.mode_shares(h.snapshots[800], target).min() > 0.25)
    assert covered >= 3, f"only {covered}/4 seeds covered both modes after 800 steps"


def test_divergence_stops_with_step_and_advice():
    G, D = players()
    with torch.no_grad():
        G.net[0].weight.fill_(float("nan"))
    with pytest.raises(gl.TrainingDiverged, match=r"diverged at step 0: .*nan.*smaller learning rate"):
        gl.train_gan(G, D, gl.mixture_1d(), steps=5, progress=False)


@pytest.mark.parametrize("kwargs, name", [
    (dict(steps=-1), "steps"), (dict(batch_size=0), "batch_size"), (dict(k=0), "k"),
    (dict(g_loss="wasserstein"), "g_loss"), (dict(optimizer_g="rmsprop"), "optimizer_g"), (dict(optimizer_d="rmsprop"), "optimizer_d"),
    (dict(lr_d=0.0), "lr_d"), (dict(lr_g=-1), "lr_g"), (dict(seed=-3), "seed"), (dict(snapshot_size=0), "snapshot_size"),
    (dict(target="bimodal"), "target"),
])
def test_bad_input(kwargs, name):
    G, D = players()
    kwargs = dict(dict(target=gl.mixture_1d(), snapshot_at=(0,)), **kwargs)
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed"):
        gl.train_gan(G, D, kwargs.pop("target"), progress=False, **kwargs)

