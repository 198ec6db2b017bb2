"""Judging a generator of digits as the field judges image GANs (lessons 10–11): a small digit
classifier, the share of each digit among the samples, the Fréchet distance between real and
generated samples in the classifier's feature space (the formula of FID, Heusel et al. 2017),
nearest training images, and the 1,000 modes of stacked digits (Stacked MNIST, VEEGAN/PacGAN).
"""
import torch
import torch.nn.functional as F
from torch import nn

from . import _validate as validate
from .digits import CLASSES, MODES, PIXELS, _images, _labels, draw
from .models import _init

__all__ = ["DigitClassifier", "train_classifier", "predict", "accuracy", "digit_shares", "frechet_distance",
           "feature_distance", "nearest_training", "stacked_modes", "mode_histogram", "kl_to_uniform",
           "mode_report", "EVAL_SAMPLES"]

EVAL_SAMPLES = 26_000      # stacked digits are counted on 26,000 samples, as the papers do (lesson 11)


class DigitClassifier(nn.Module):
    """An MLP 64 → 128 → 64 → 10: logits over the ten digits; `features` is its 64-unit layer (lesson 10)."""

    def __init__(self, hidden=(128, 64), generator=None):
        super().__init__()
        if not (isinstance(hidden, tuple) and len(hidden) == 2 and all(isinstance(h, int) and h > 0 for h in hidden)):
            validate.fail("hidden", hidden, "a pair of whole numbers >= 1, e.g. (128, 64)")
        self.body = nn.Sequential(nn.Linear(PIXELS, hidden[0]), nn.ReLU(), nn.Linear(*hidden), nn.ReLU())
        self.head = nn.Linear(hidden[1], CLASSES)
        _init(self, generator)        # PyTorch's default U(±1/√fan_in), from an explicit generator

    def features(self, x):
        """The 64 numbers the classifier's last layer reads: the space the Fréchet distance measures in."""
        return self.body(_images("x", x))

    def forward(self, x):
        return self.head(self.features(x))


def train_classifier(images, labels, *, steps=300, batch_size=128, lr=1e-3, noise=0.1, seed=0):
    """A DigitClassifier trained with Adam on batches drawn from the training images, each pixel
    jittered by N(0, noise²) so it also reads imperfect digits; all randomness from `seed` (lesson 10)."""
    images, labels = _images("images", images), _labels("labels", labels, len(images))
    if images.shape[1] != PIXELS:
        validate.fail("images", tuple(images.shape), f"single digits of shape (n, {PIXELS})")
    validate.count("steps", steps)
    validate.count("batch_size", batch_size)
    noise = validate.non_negative("noise", noise)
    generator = torch.Generator().manual_seed(validate.count("seed", seed, 0))
    clf = DigitClassifier(generator=generator)
    opt = torch.optim.Adam(clf.parameters(), lr=validate.positive("lr", lr))
    for _ in range(steps):
        x, y = draw(images, batch_size, generator, labels)
        x = x + noise * torch.randn(x.shape, generator=generator)
        loss = F.cross_entropy(clf(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return clf.eval()


def _digits_of(clf, images, chunk=8192):
    """Each 64-pixel digit of (n, 64·channels) images classified: (n, channels) labels. In chunks of
    `chunk` digits, so 26,000 stacked samples need little memory."""
    digits = _images("images", images).detach().reshape(-1, PIXELS)
    with torch.no_grad():
        labels = torch.cat([clf(part).argmax(1) for part in digits.split(chunk)])
    return labels.reshape(len(images), -1)


def predict(clf, images):
    """The classifier's digit for each image, shape (n,) (lesson 10)."""
    if _images("images", images).shape[1] != PIXELS:
        validate.fail("images", tuple(images.shape), f"single digits of shape (n, {PIXELS})")
    return _digits_of(clf, images)[:, 0]


def accuracy(clf, images, labels):
    """The share of images the classifier labels correctly, 0…1 (lesson 10)."""
    labels = _labels("labels", labels, len(_images("images", images)))
    return float((predict(clf, images) == labels).float().mean())


def digit_shares(clf, images):
    """The share of each digit 0–9 among the images, as the classifier reads them; sums to 1 (lesson 10)."""
    counts = torch.bincount(predict(clf, images), minlength=CLASSES)
    return counts.double() / counts.sum()


def frechet_distance(a, b):
    """‖μ_a − μ_b‖² + Tr(Σ_a + Σ_b − 2(Σ_a Σ_b)^½) between Gaussians fitted to two sets of feature
    vectors (n, d): the formula of FID, 0 for identical statistics (lesson 10).

    Tr((Σ_a Σ_b)^½) is computed as Σ √λ over the eigenvalues λ of Σ_a^½ Σ_b Σ_a^½ (symmetric and
    positive semi-definite, so no complex round-off), in float64.
    """
    a, b = _features("a", a), _features("b", b)
    if a.shape[1] != b.shape[1]:
        validate.fail("b", tuple(b.shape), f"feature vectors of the same size as a's ({a.shape[1]})")
    mu_a, mu_b, cov_a, cov_b = a.mean(0), b.mean(0), torch.cov(a.T).reshape(a.shape[1], -1), \
        torch.cov(b.T).reshape(b.shape[1], -1)
    root_a = _psd_sqrt(cov_a)
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    return float((mu_a - mu_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross)


def _psd_sqrt(m):
    """The symmetric square root of a positive semi-definite matrix."""
    values, vectors = torch.linalg.eigh(m)
    return vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T


def _features(name, x):
    """At least two finite feature vectors (n, d), in float64."""
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or len(x) < 2:
        shown = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        validate.fail(name, shown, "a tensor of shape (n, d) with n >= 2 feature vectors")
    if not torch.isfinite(x).all():
        validate.fail(name, "tensor with nan/inf", "finite numbers")
    return x.detach().double()


def feature_distance(clf, a, b):
    """The Fréchet distance between two sets of digit images, in the classifier's features (lesson 10)."""
    with torch.no_grad():
        return frechet_distance(clf.features(_images("a", a)), clf.features(_images("b", b)))


def nearest_training(images, training):
    """For each image, the index of the nearest training image (Euclidean, over pixels) and its
    distance: (indices (n,), distances (n,)) (lesson 10)."""
    images, training = _images("images", images), _images("training", training)
    if images.shape[1] != training.shape[1]:
        validate.fail("training", tuple(training.shape), f"images of the same size as images' ({images.shape[1]})")
    distance, index = torch.cdist(images.detach(), training.detach()).min(dim=1)
    return index, distance


def stacked_modes(clf, images):
    """The mode 100·a + 10·b + c of each stacked digit (n, 192), its three channels classified (lesson 11)."""
    digits = _digits_of(clf, images)
    if digits.shape[1] != 3:
        validate.fail("images", tuple(images.shape), f"stacked digits of shape (n, {3 * PIXELS})")
    return digits @ torch.tensor([100, 10, 1])


def mode_histogram(modes):
    """How many samples fall in each of the 1,000 modes, shape (1000,) (lesson 11)."""
    if not isinstance(modes, torch.Tensor) or modes.dim() != 1 or modes.is_floating_point() or len(modes) == 0 \
            or modes.min() < 0 or modes.max() >= MODES:
        shown = tuple(modes.shape) if isinstance(modes, torch.Tensor) else type(modes).__name__
        validate.fail("modes", shown, f"a non-empty integer tensor of modes 0…{MODES - 1}")
    return torch.bincount(modes, minlength=MODES)


def kl_to_uniform(histogram):
    """KL(p ‖ uniform) in nats of a histogram over modes, with 0·log 0 = 0: 0 when every mode holds
    the same share, log(modes) when one mode holds everything (lesson 11)."""
    if not isinstance(histogram, torch.Tensor) or histogram.dim() != 1 or (histogram < 0).any() or histogram.sum() <= 0:
        validate.fail("histogram", histogram if not isinstance(histogram, torch.Tensor) else tuple(histogram.shape),
                   "a 1-D tensor of counts >= 0 with a positive sum")
    p = histogram.double() / histogram.sum()
    terms = torch.where(p > 0, p * (p * len(p)).log(), torch.zeros_like(p))
    return float(terms.sum())


def mode_report(clf, images):
    """Modes covered (at least one sample) out of 1,000 and the KL of the mode histogram to uniform (lesson 11)."""
    histogram = mode_histogram(stacked_modes(clf, images))
    return {"samples": len(images), "modes": int((histogram > 0).sum()), "of": MODES,
            "kl": kl_to_uniform(histogram)}
