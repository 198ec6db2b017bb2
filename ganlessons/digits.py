"""Scikit-learn's bundled 8×8 handwritten digits as GAN training data (lessons 10–11).

The 1,797 images ship on disk with scikit-learn (`sklearn.datasets.load_digits`): nothing is
downloaded. Their 17 grey levels 0…16 are scaled to [−1, 1], the range of a generator's tanh
output, and flattened to rows of 64 pixels. A fixed held-out split keeps 297 images away from
every network the lessons train, so the digit classifier can be tested on digits it never saw.
"""
from dataclasses import dataclass

import torch

from . import _validate as validate

__all__ = ["SIDE", "PIXELS", "CLASSES", "HELD_OUT", "Digits", "load_digits", "to_unit_range", "draw",
           "stack_digits", "MODES"]

SIDE, PIXELS, CLASSES = 8, 64, 10      # 8×8 pixels, digits 0–9
HELD_OUT = 297                          # images kept out of training (1,500 remain)
MODES = CLASSES ** 3                    # stacked digits: three digits, 1,000 combinations (lesson 11)
_GREY_LEVELS = 16.0                     # the raw pixels are whole numbers 0…16


@dataclass(frozen=True)
class Digits:
    """The digits split once: train_images (n, 64) in [−1, 1] with train_labels (n,), and the same
    for the held-out test split (lesson 10)."""
    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor

    def __repr__(self):
        return (f"Digits({len(self.train_labels)} training and {len(self.test_labels)} held-out images "
                f"of {SIDE}×{SIDE} pixels in [−1, 1])")


def load_digits(held_out=HELD_OUT, split_seed=0):
    """The 1,797 bundled digits scaled to [−1, 1], split by a fixed permutation into training and
    `held_out` test images (lesson 10). The same arguments always give the same split."""
    from sklearn.datasets import load_digits as sklearn_digits   # imported here: only lessons 10–11 need it

    raw = sklearn_digits()
    n = len(raw.target)
    validate.count("held_out", held_out)
    if held_out >= n:
        validate.fail("held_out", held_out, f"a whole number between 1 and {n - 1}")
    validate.count("split_seed", split_seed, 0)
    images = torch.as_tensor(raw.data, dtype=torch.float32) / _GREY_LEVELS * 2 - 1
    labels = torch.as_tensor(raw.target, dtype=torch.int64)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(split_seed))
    train, test = order[held_out:], order[:held_out]
    return Digits(images[train], labels[train], images[test], labels[test])


def to_unit_range(images):
    """Pixels in [−1, 1] back to [0, 1] for showing them, clipped (lesson 10)."""
    return ((images + 1) / 2).clamp(0, 1)


def draw(images, n, generator, labels=None):
    """n rows drawn uniformly with replacement, from `generator`; with `labels`, also theirs (lesson 10)."""
    images = _images("images", images)
    validate.count("n", n)
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "a torch.Generator, e.g. torch.Generator().manual_seed(0)")
    rows = torch.randint(len(images), (n,), generator=generator)
    return images[rows] if labels is None else (images[rows], labels[rows])


def stack_digits(images, labels, n, generator):
    """n stacked digits: three random digits side by side as three 64-pixel channels, shape (n, 192),
    and their mode 100·a + 10·b + c, one of 1,000 (lesson 11)."""
    images, labels = _images("images", images), _labels("labels", labels, len(images))
    validate.count("n", n)
    if not isinstance(generator, torch.Generator):
        validate.fail("generator", generator, "a torch.Generator, e.g. torch.Generator().manual_seed(0)")
    rows = torch.randint(len(images), (n, 3), generator=generator)
    modes = labels[rows] @ torch.tensor([100, 10, 1])
    return images[rows].reshape(n, 3 * PIXELS), modes


def _images(name, images):
    """A non-empty float tensor of flattened digits, (n, 64·channels)."""
    if not isinstance(images, torch.Tensor) or images.dim() != 2 or len(images) == 0 \
            or images.shape[1] % PIXELS or not images.is_floating_point():
        shown = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        validate.fail(name, shown, f"a float tensor of shape (n, {PIXELS}) or (n, {PIXELS}·channels) with n >= 1")
    return images


def _labels(name, labels, n):
    """An integer tensor of n digit labels 0–9."""
    if not isinstance(labels, torch.Tensor) or labels.shape != (n,) or labels.is_floating_point() \
            or (n and (labels.min() < 0 or labels.max() >= CLASSES)):
        shown = tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__
        validate.fail(name, shown, f"an integer tensor of shape ({n},) with digits 0–9")
    return labels
