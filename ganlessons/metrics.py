"""Metrics for generated samples: how they spread over the target's modes and how far they are
from the target (lessons 01 and 06–08)."""
import torch
from torch import distributions as td

from . import _validate as validate
from .data import GaussianMixture

__all__ = ["cdf_1d", "wasserstein_1d", "nearest_mode", "mode_shares", "wilson_interval", "mean_se",
           "covers_modes", "EVAL_SIZE", "high_quality", "mode_counts", "modes_covered", "hq_share", "reverse_kl",
           "mode_balance", "mode_report", "spread_ratio", "local_spread_ratio", "reverse_kl_hq", "paper_report"]


def cdf_1d(dist, x):
    """The exact CDF of a 1-D Gaussian or Gaussian mixture from ganlessons.data at points x (lesson 01)."""
    if isinstance(dist, GaussianMixture):
        comp = td.Normal(dist.centres[:, 0], dist.stds)
        return (dist.weights * comp.cdf(x.reshape(-1, 1))).sum(-1)
    if isinstance(dist, td.Independent) and isinstance(dist.base_dist, td.Normal) and dist.event_shape == (1,):
        return dist.base_dist.cdf(x.reshape(-1, 1))[:, 0]
    validate.fail("dist", type(dist).__name__, "a 1-D gaussian or mixture_1d from ganlessons.data")


def wasserstein_1d(samples, dist, points=4001):
    """W1(samples, target) = ∫ |F_samples(x) − F_target(x)| dx on a fine grid (lesson 01)."""
    x = validate.batch("samples", samples, 1)[:, 0].detach().double()
    if not torch.isfinite(x).all():
        validate.fail("samples", "tensor with nan/inf", "finite numbers")
    centres = dist.centres[:, 0] if isinstance(dist, GaussianMixture) else dist.mean
    spread = 8 * float(dist.stds.max() if isinstance(dist, GaussianMixture) else dist.stddev.max())
    lo = min(float(x.min()), float(centres.min()) - spread)
    hi = max(float(x.max()), float(centres.max()) + spread)
    grid = torch.linspace(lo, hi, points, dtype=torch.float64)
    empirical = torch.searchsorted(x.sort().values, grid, right=True).double() / x.numel()
    exact = cdf_1d(dist, grid.float()).double()
    return float(torch.trapezoid((empirical - exact).abs(), grid))


def _mixture(name, dist):
    """Check that `dist` is a GaussianMixture (it knows its centres and stds)."""
    if not isinstance(dist, GaussianMixture):
        validate.fail(name, type(dist).__name__, "a mixture from ganlessons.data (mixture_1d, ring, grid)")
    return dist


def _finite(name, samples, dist):
    """A non-empty (n, dim) tensor of finite numbers matching the mixture's dimension."""
    validate.batch(name, samples, _mixture("dist", dist).centres.shape[1])
    if not torch.isfinite(samples).all():
        validate.fail(name, "tensor with nan/inf", "finite numbers")
    return samples.detach().float()


def _nearest(x, dist):
    """(distance to, index of) the nearest mode centre for each row of a checked sample tensor."""
    return torch.cdist(x, dist.centres).min(dim=1)


def nearest_mode(samples, dist):
    """Index of the mixture component whose centre is nearest to each sample (lesson 01)."""
    return _nearest(_finite("samples", samples, dist), dist)[1]


def mode_shares(samples, dist):
    """The share of samples nearest to each mode, shape (modes,), summing to 1 (lesson 01)."""
    counts = torch.bincount(nearest_mode(samples, dist), minlength=dist.centres.shape[0])
    return counts.float() / counts.sum()


# --- Statistics over many runs (lesson 06)

def wilson_interval(successes, trials, z=1.96):
    """Wilson score interval (low, high) for a success rate; z = 1.96 gives ~95% (lesson 06)."""
    validate.count("trials", trials)
    if isinstance(successes, bool) or not isinstance(successes, int) or not 0 <= successes <= trials:
        validate.fail("successes", successes, f"a whole number between 0 and trials={trials}")
    z, p = validate.positive("z", z), successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * (p * (1 - p) / trials + z * z / (4 * trials * trials)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_se(values):
    """Mean and standard error (sample std / √n) of the finite values; (nan, nan) if none (lesson 06)."""
    v = torch.as_tensor(values, dtype=torch.float64).reshape(-1)
    v = v[torch.isfinite(v)]
    if v.numel() == 0:
        return float("nan"), float("nan")
    se = float(v.std() / v.numel() ** 0.5) if v.numel() > 1 else float("nan")
    return float(v.mean()), se


def covers_modes(samples, dist, min_share=0.25, max_w1=0.5):
    """True when every mode of a 1-D mixture gets >= min_share of the samples and W1 < max_w1 (lesson 06)."""
    shares = mode_shares(_finite("samples", samples, dist), dist)
    return bool(shares.min() >= min_share) and wasserstein_1d(samples, dist) < validate.positive("max_w1", max_w1)


# --- Mode-collapse metrics (lessons 07–08), following VEEGAN (Srivastava et al. 2017) and
# PacGAN (Lin et al. 2018): HQ = within `k` = 3 standard deviations of the nearest centre;
# a mode is covered when at least `min_count` = 1 HQ sample is nearest to it (VEEGAN's rule);
# the papers evaluate 2,500 samples (EVAL_SIZE).

EVAL_SIZE = 2500


def _hq_and_nearest(samples, dist, k):
    """For each sample: is it high quality, and which mode centre is nearest."""
    distance, nearest = _nearest(_finite("samples", samples, dist), dist)
    return distance <= validate.positive("k", k) * dist.stds[nearest], nearest


def high_quality(samples, dist, k=3.0):
    """True for each sample within k standard deviations of its nearest mode centre (lesson 07)."""
    return _hq_and_nearest(samples, dist, k)[0]


def mode_counts(samples, dist, k=3.0):
    """How many high-quality samples are nearest to each mode, shape (modes,) (lesson 07)."""
    hq, nearest = _hq_and_nearest(samples, dist, k)
    return torch.bincount(nearest[hq], minlength=dist.centres.shape[0])


def modes_covered(samples, dist, k=3.0, min_count=1):
    """Number of modes nearest to at least `min_count` high-quality samples (VEEGAN: 1) (lesson 07)."""
    validate.count("min_count", min_count)
    return int((mode_counts(samples, dist, k) >= min_count).sum())


def hq_share(samples, dist, k=3.0):
    """The share of samples that are high quality, between 0 and 1 (lesson 07)."""
    return float(high_quality(samples, dist, k).float().mean())


def reverse_kl(samples, dist):
    """KL(p_gen ‖ p_true) over modes: p_gen = shares of ALL samples by nearest mode; 0·log 0 = 0 (lesson 07).

    p_true is the mixture's weights (uniform for ring and grid), never 0, so the value is finite:
    0 when the shares match the weights, log(modes) when every sample sits at one mode of a
    uniform mixture.
    """
    shares = mode_shares(_finite("samples", samples, dist), dist).double()
    weights = dist.weights.double()
    terms = torch.where(shares > 0, shares * (shares / weights).log(), torch.zeros_like(shares))
    return float(terms.sum())


def mode_balance(samples, dist):
    """min over modes of (share of samples nearest to it) ÷ (its weight): 1 balanced, 0 a mode empty (lesson 07)."""
    shares = mode_shares(_finite("samples", samples, dist), dist).double()
    return float((shares / dist.weights.double()).min())


def mode_report(samples, dist, k=3.0, min_count=1):
    """Modes covered, % high quality and reverse KL of one sample set, with its size (lesson 07)."""
    x = _finite("samples", samples, dist)
    return {"samples": x.shape[0], "modes": modes_covered(x, dist, k, min_count),
            "of": dist.centres.shape[0], "hq_percent": 100 * hq_share(x, dist, k),
            "reverse_kl": reverse_kl(x, dist)}


def spread_ratio(samples):
    """Smallest ÷ largest eigenvalue of the samples' covariance: ≈ 0 when they lie on a curve (lesson 07)."""
    if not isinstance(samples, torch.Tensor) or samples.dim() != 2 or samples.shape[0] < 3 or samples.shape[1] < 2:
        shown = tuple(samples.shape) if isinstance(samples, torch.Tensor) else type(samples).__name__
        validate.fail("samples", shown, "a tensor of shape (n, dim) with n >= 3 and dim >= 2")
    eig = torch.linalg.eigvalsh(torch.cov(samples.detach().double().T))
    return float(eig[0].clamp(min=0) / eig[-1]) if eig[-1] > 0 else 0.0


def local_spread_ratio(samples, neighbours=10):
    """Median over samples of λ₂/λ₁ of the covariance of its nearest neighbours: ≈ 0 on a curve (lesson 07).

    λ₁ ≥ λ₂ are the two largest eigenvalues. Locally a curve is a line segment, so its
    neighbourhoods are flat however the curve bends; a cloud that fills 2 or more dimensions
    gives neighbourhoods with λ₂/λ₁ well above 0.
    """
    k = validate.count("neighbours", neighbours, 3)
    if not isinstance(samples, torch.Tensor) or samples.dim() != 2 or samples.shape[0] <= k or samples.shape[1] < 2:
        shown = tuple(samples.shape) if isinstance(samples, torch.Tensor) else type(samples).__name__
        validate.fail("samples", shown, f"a tensor of shape (n, dim) with n > neighbours={k} and dim >= 2")
    x = samples.detach().double()
    near = torch.cdist(x, x).topk(k, largest=False).indices             # (n, k), each point included
    local = x[near] - x[near].mean(dim=1, keepdim=True)
    eig = torch.linalg.eigvalsh(local.transpose(1, 2) @ local / k)      # ascending, (n, dim)
    return float((eig[:, -2] / eig[:, -1].clamp(min=1e-300)).median())


# --- The papers' way (lesson 08's results file): PacGAN's code builds the mode histogram from
# high-quality samples only, so its reverse KL ignores samples that are nowhere near a mode.

def reverse_kl_hq(samples, dist, k=3.0):
    """KL(p ‖ w) = Σₖ p(k)·log(p(k)/w(k)), p = histogram of the HQ samples over their nearest modes (lesson 07).

    As PacGAN's code counts them: only samples within k standard deviations of their nearest
    centre enter the histogram; w are the mixture's weights (uniform for ring and grid); empty
    bins add 0 (0·log 0 = 0), so one mode alone gives log(modes). With no HQ sample at all the
    histogram is empty and the value is undefined: nan.
    """
    counts = mode_counts(samples, dist, k).double()
    if counts.sum() == 0:
        return float("nan")
    p, w = counts / counts.sum(), dist.weights.double()
    return float(torch.where(p > 0, p * (p / w).log(), torch.zeros_like(p)).sum())


def paper_report(samples, dist, k=3.0):
    """Modes covered, % HQ and the HQ-only reverse KL, computed as VEEGAN and PacGAN do (lesson 07)."""
    x = _finite("samples", samples, dist)
    return {"modes": modes_covered(x, dist, k), "hq_percent": 100 * hq_share(x, dist, k),
            "reverse_kl": reverse_kl_hq(x, dist, k)}

