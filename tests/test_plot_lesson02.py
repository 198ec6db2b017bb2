"""The figure helpers lesson 02 introduces: D* over the densities, and C(G) against the JSD."""
import pytest
import torch
from matplotlib.figure import Figure

import ganlessons as gl


def test_optimal_discriminator_figure_draws_densities_and_dstar():
    fig = gl.plot.optimal_discriminator_1d(gl.mixture_1d(), gl.gaussian(0.0, 1.0), D=gl.Discriminator())
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    twin = fig.axes[1]
    labels = [line.get_label() for line in twin.get_lines()]
    assert labels == ["D*(x)", "trained D(x)"]
    x, y = twin.get_lines()[0].get_data()
    want = gl.optimal_discriminator(gl.mixture_1d(), gl.gaussian(0.0, 1.0), torch.as_tensor(x)[:, None])
    assert torch.allclose(torch.as_tensor(y), want)


def test_optimal_discriminator_figure_rejects_a_non_distribution():
    with pytest.raises(ValueError, match="p_g"):
        gl.plot.optimal_discriminator_1d(gl.mixture_1d(), "a gaussian")


def test_value_against_jsd_plots_the_identity_and_checks_lengths():
    fig = gl.plot.value_against_jsd([0.0, 1.0], [-1.0, -1.3], [0.19, 0.04])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    _, y = fig.axes[0].get_lines()[1].get_data()
    assert abs(y[0] - (-torch.log(torch.tensor(4.0)) + 0.38)) < 1e-6
    with pytest.raises(ValueError, match="c_g"):
        gl.plot.value_against_jsd([0.0, 1.0], [-1.0], [0.1, 0.2])


def test_png_bytes_is_a_png():
    fig, _ = gl.plot.figure()
    assert gl.plot.png_bytes(fig)[:8] == b"\x89PNG\r\n\x1a\n"
