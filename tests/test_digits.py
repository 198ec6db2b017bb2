"""Lessons 10–11: the digits data, the classifier and the Fréchet distance against references,
the image GANs' players and training step, the mode counts, the views and the self-checks."""
import math

import pytest
import torch

import ganlessons as gl
from ganlessons import digits, evaluate, image_gans, image_views


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch thread, as the lessons use (tiny nets: more threads only add overhead); restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data():
    return digits.load_digits()


@pytest.fixture(scope="module")
def clf(data):
    return evaluate.train_classifier(data.train_images, data.train_labels, seed=0)


# --- data ---

def test_split_is_fixed_disjoint_and_scaled(data):
    again = digits.load_digits()
    assert torch.equal(again.test_images, data.test_images) and torch.equal(again.train_labels, data.train_labels)
    assert data.train_images.shape == (1500, 64) and data.test_images.shape == (297, 64)
    assert data.train_images.min() == -1 and data.train_images.max() == 1
    pooled = torch.cat([data.train_images, data.test_images])
    from sklearn.datasets import load_digits
    raw = torch.as_tensor(load_digits().data, dtype=torch.float32) / 8 - 1
    assert sorted(map(tuple, pooled.tolist())) == sorted(map(tuple, raw.tolist())), "every digit exactly once"
    other = digits.load_digits(split_seed=1)
    assert not torch.equal(other.test_images, data.test_images)


def test_stack_digits_modes_and_channels(data):
    g = torch.Generator().manual_seed(0)
    x, modes = digits.stack_digits(data.train_images, data.train_labels, 5000, g)
    assert x.shape == (5000, 192) and modes.min() >= 0 and modes.max() < 1000
    assert len(torch.unique(modes)) > 990                               # ~5 per mode: nearly all appear
    i = 7                                                               # channel c is one training digit
    for c, digit in enumerate((int(modes[i]) // 100, int(modes[i]) // 10 % 10, int(modes[i]) % 10)):
        rows = (data.train_images == x[i, 64 * c:64 * (c + 1)]).all(1)
        assert rows.any() and (data.train_labels[rows] == digit).all()


def test_draw_uses_its_generator(data):
    a = digits.draw(data.train_images, 10, torch.Generator().manual_seed(3), data.train_labels)
    b = digits.draw(data.train_images, 10, torch.Generator().manual_seed(3), data.train_labels)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


# --- classifier, shares, nearest neighbours ---

def test_classifier_reads_held_out_digits(data, clf):
    assert evaluate.accuracy(clf, data.test_images, data.test_labels) >= 0.95
    untrained = evaluate.DigitClassifier(generator=torch.Generator().manual_seed(0))
    assert evaluate.accuracy(untrained, data.test_images, data.test_labels) < 0.3
    again = evaluate.train_classifier(data.train_images, data.train_labels, seed=0)
    assert torch.equal(evaluate.predict(again, data.test_images), evaluate.predict(clf, data.test_images))


def test_digit_shares(data, clf):
    shares = evaluate.digit_shares(clf, data.test_images)
    assert shares.shape == (10,) and shares.sum() == pytest.approx(1.0) and shares.min() > 0.05
    ones = data.test_images[data.test_labels == 1]
    assert evaluate.digit_shares(clf, ones)[1] > 0.9


def test_nearest_training_finds_copies(data):
    index, distance = evaluate.nearest_training(data.train_images[[5, 9]], data.train_images)
    assert index.tolist() == [5, 9] and distance.abs().max() < 1e-3
    _, far = evaluate.nearest_training(data.test_images[:20], data.train_images)
    assert (far > 0).all()


# --- Fréchet distance against references ---

def _gaussian(mean, cov, n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.as_tensor(mean, dtype=torch.float64) + \
        torch.randn(n, len(mean), generator=g, dtype=torch.float64) @ torch.linalg.cholesky(cov).T


def test_frechet_distance_diagonal_known_answer():
    # N(0, diag(4, 1)) vs N((3, 4), diag(1, 9)): 25 + (2 − 1)² + (1 − 3)² = 30
    a = _gaussian([0.0, 0.0], torch.diag(torch.tensor([4.0, 1.0], dtype=torch.float64)), 400_000, 0)
    b = _gaussian([3.0, 4.0], torch.diag(torch.tensor([1.0, 9.0], dtype=torch.float64)), 400_000, 1)
    assert evaluate.frechet_distance(a, b) == pytest.approx(30.0, abs=0.15)


def test_frechet_distance_matches_scipy_sqrtm_formula():
    # the reference: the formula as pytorch-fid writes it, with scipy's general matrix square root
    linalg = pytest.importorskip("scipy.linalg")
    import numpy as np
    g = torch.Generator().manual_seed(4)
    a, b = torch.randn(300, 5, generator=g, dtype=torch.float64), torch.randn(200, 5, generator=g, dtype=torch.float64)
    a, b = a @ torch.randn(5, 5, generator=g, dtype=torch.float64), b @ torch.randn(5, 5, generator=g, dtype=torch.float64) + 1
    mu_a, mu_b = a.mean(0).numpy(), b.mean(0).numpy()
    s_a, s_b = np.cov(a.numpy(), rowvar=False), np.cov(b.numpy(), rowvar=False)
    want = float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a + s_b - 2 * linalg.sqrtm(s_a @ s_b).real))
    assert evaluate.frechet_distance(a, b) == pytest.approx(want, rel=1e-8)
    assert evaluate.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    assert evaluate.frechet_distance(a, b) == pytest.approx(evaluate.frechet_distance(b, a), rel=1e-8)


def test_frechet_distance_is_rotation_invariant():
    g = torch.Generator().manual_seed(5)
    a, b = torch.randn(500, 4, generator=g, dtype=torch.float64), 2 * torch.randn(500, 4, generator=g, dtype=torch.float64)
    q, _ = torch.linalg.qr(torch.randn(4, 4, generator=g, dtype=torch.float64))
    assert evaluate.frechet_distance(a @ q, b @ q) == pytest.approx(evaluate.frechet_distance(a, b), rel=1e-8)


def test_feature_distance_real_vs_real_is_small(data, clf):
    real = evaluate.feature_distance(clf, data.train_images[:750], data.train_images[750:])
    noise = evaluate.feature_distance(clf, 2 * torch.rand(750, 64, generator=torch.Generator().manual_seed(0)) - 1,
                                      data.train_images[750:])
    assert real < 5 and noise > 20 * real


# --- stacked modes and KL ---

def test_kl_to_uniform_known_values():
    assert evaluate.kl_to_uniform(torch.full((1000,), 26)) == pytest.approx(0.0, abs=1e-12)
    one = torch.zeros(1000, dtype=torch.long)
    one[3] = 26_000
    assert evaluate.kl_to_uniform(one) == pytest.approx(math.log(1000))
    half = torch.tensor([1, 1, 0, 0])
    assert evaluate.kl_to_uniform(half) == pytest.approx(math.log(2))


def test_mode_report_on_real_and_collapsed_stacks(data, clf):
    x, modes = digits.stack_digits(data.train_images, data.train_labels, 26_000, torch.Generator().manual_seed(1))
    real = evaluate.mode_report(clf, x)
    assert real["modes"] == 1000 and real["kl"] < 0.05
    assert (evaluate.stacked_modes(clf, x) == modes).float().mean() > 0.9      # ≈ accuracy³
    collapsed = evaluate.mode_report(clf, x[:1].repeat(500, 1))
    assert collapsed["modes"] == 1 and collapsed["kl"] == pytest.approx(math.log(1000))


# --- players and training ---

@pytest.mark.parametrize("kind", image_gans.KINDS)
def test_players_shapes_range_and_seeded_init(kind):
    G, D = image_gans.image_players(kind, 3)
    G2, _ = image_gans.image_players(kind, 3)
    z, y = torch.randn(6, G.z_dim), torch.arange(6)
    args = (z, y) if kind == "conditional" else (z,)
    x = G(*args)
    assert x.shape == (6, 64) and x.abs().max() < 1
    assert (D(x, y) if kind == "conditional" else D(x)).shape == (6,)
    assert all(torch.equal(p, q) for p, q in zip(G.parameters(), G2.parameters()))


def test_dcgan_uses_transposed_convolutions_up_to_8x8():
    G, _ = image_gans.image_players("dcgan", 0)
    ups = [m for m in G.up if isinstance(m, torch.nn.ConvTranspose2d)]
    h = G.project(torch.randn(2, G.z_dim)).reshape(2, -1, 2, 2)
    sizes = []
    for m in G.up:
        h = m(h)
        if isinstance(m, torch.nn.ConvTranspose2d):
            sizes.append(tuple(h.shape[-2:]))
    assert len(ups) == 2 and sizes == [(4, 4), (8, 8)]


def test_conditional_generator_uses_its_label():
    G, _ = image_gans.image_players("conditional", 0)
    z = torch.randn(4, G.z_dim)
    assert not torch.allclose(G(z, torch.zeros(4, dtype=torch.long)), G(z, torch.ones(4, dtype=torch.long)))


@pytest.mark.parametrize("remedy", image_gans.STACKED_REMEDIES)
def test_stacked_players(remedy):
    G, D = image_gans.stacked_players(remedy, 0)
    x = G(torch.randn(8, 32))
    assert x.shape == (8, 192) and D(x).dim() == 1


def test_train_images_is_reproducible_and_learns(data, clf):
    def run():
        G, D = image_gans.image_players("mlp", 1)
        z = torch.randn(300, 16, generator=torch.Generator().manual_seed(9))
        h = image_gans.train_images(G, D, data.train_images, steps=300, lr=1e-3, seed=1, snapshot_at=(0, 300),
                                    snapshot_z=z)
        return h
    a, b = run(), run()
    assert len(a) == 300 and torch.equal(a.snapshots[300], b.snapshots[300])
    before = evaluate.feature_distance(clf, a.snapshots[0], data.train_images)
    after = evaluate.feature_distance(clf, a.snapshots[300], data.train_images)
    assert after < before / 2


def test_conditioned_wrapper_feeds_the_labels_to_d_step(data):
    G, D = image_gans.image_players("conditional", 0)
    y = data.train_labels[:16]
    opt = gl.make_optimizer(D.parameters(), lr=1e-3)
    before = [p.detach().clone() for p in G.parameters()]
    gl.d_step(image_gans.Conditioned(G, y), image_gans.Conditioned(D, y), opt, data.train_images[:16],
              torch.randn(16, 16))
    assert all(torch.equal(p, q) for p, q in zip(before, G.parameters())), "block 1 leaves G alone"


# --- views ---

def test_mosaic_and_figures(data):
    canvas = image_views.mosaic(data.train_images[:12], ncols=5)
    assert canvas.shape == (3 * 9 - 1, 5 * 9 - 1) and canvas.max() <= 1
    stacked = image_views.mosaic(torch.zeros(2, 192), ncols=2)
    assert stacked.shape == (8, 2 * 25 - 1)
    fig = image_views.real_and_generated(data.train_images[:10], data.test_images[:10])
    assert [ax.get_legend() is not None for ax in fig.axes] == [True, True]
    assert fig.axes[0].spines["top"].get_edgecolor()[:3] == pytest.approx(
        tuple(int(gl.plot.REAL[i:i + 2], 16) / 255 for i in (1, 3, 5)))


def test_digit_explorer_redraws_for_another_digit():
    G, _ = image_gans.image_players("conditional", 0)
    box = image_views.digit_explorer(G, walks=2, steps=4)
    digit, walk, picture, _ = box.children
    first = picture.value
    digit.value = "7"
    assert picture.value != first
    second = picture.value
    walk.value = 1
    assert picture.value != second


# --- bad input ---

@pytest.mark.parametrize("call, name", [
    (lambda: digits.load_digits(held_out=0), "held_out"),
    (lambda: digits.load_digits(held_out=5000), "held_out"),
    (lambda: digits.draw(torch.zeros(3, 10), 2, torch.Generator()), "images"),
    (lambda: digits.draw(torch.zeros(3, 64), 2, 7), "generator"),
    (lambda: digits.stack_digits(torch.zeros(3, 64), torch.tensor([1, 2, 10]), 4, torch.Generator()), "labels"),
    (lambda: evaluate.frechet_distance(torch.zeros(1, 3), torch.zeros(5, 3)), "a"),
    (lambda: evaluate.frechet_distance(torch.zeros(4, 3), torch.zeros(5, 2)), "b"),
    (lambda: evaluate.frechet_distance(torch.full((4, 2), float("nan")), torch.zeros(5, 2)), "a"),
    (lambda: evaluate.kl_to_uniform(torch.zeros(4)), "histogram"),
    (lambda: evaluate.mode_histogram(torch.tensor([1000])), "modes"),
    (lambda: evaluate.train_classifier(torch.zeros(4, 64), torch.zeros(4, dtype=torch.long), steps=0), "steps"),
    (lambda: image_gans.image_players("vae", 0), "kind"),
    (lambda: image_gans.stacked_players("pac3", 0), "remedy"),
    (lambda: image_gans.train_images(*image_gans.image_players("mlp", 0), torch.zeros(4, 64), steps=2,
                                     snapshot_at=(1,)), "snapshot_z"),
    (lambda: image_views.digit_grid(torch.zeros(4, 64), "fake"), "kind"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed"):
        call()
