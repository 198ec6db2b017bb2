"""Figures come back as Figures with a legend and the course colours; setup seeds once and uses
one thread; the exercise checks print ✓/✗ and never raise."""
import random

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import ganlessons as gl


def test_plots_return_figures_with_legends_and_course_colours():
    g = torch.Generator().manual_seed(0)
    G, D, target = gl.Generator(generator=g), gl.Discriminator(generator=g), gl.mixture_1d()
    real, fake = gl.sample(target, 500, g), G(gl.sample(gl.noise(), 500, g)).detach()
    h = gl.train_gan(G, D, target, steps=3, progress=False)
    figs = [gl.plot.density_1d(target, real, fake), gl.plot.generator_curve(G),
            gl.plot.discriminator_curve(D, p_data=target, p_g=gl.gaussian()), gl.plot.losses(h),
            gl.plot.scatter_2d(torch.randn(50, 2), torch.randn(50, 2)), gl.plot.players_1d(G, D, target, fake)]
    for fig in figs:
        assert isinstance(fig, Figure) and fig.dpi == 80
        assert all(ax.get_legend() is not None for ax in fig.axes)
    hist = gl.plot.density_1d(real=real, fake=fake)
    colours = {tuple(p.get_facecolor()[:3]) for p in hist.axes[0].patches}
    assert len(colours) == 2, "real and generated histograms use the two course colours"


def test_figure_grid_shape():
    fig, axes = gl.plot.figure(ncols=3, nrows=2)
    assert len(axes) == 6 and fig.get_size_inches().tolist() == [12.0, 6.0]


@pytest.fixture
def global_state_restored():
    """setup() seeds python, numpy and torch and sets torch's thread count: put them all back."""
    threads, py_state, np_state = torch.get_num_threads(), random.getstate(), np.random.get_state()
    with torch.random.fork_rng():
        yield
    torch.set_num_threads(threads)
    random.setstate(py_state)
    np.random.set_state(np_state)


def test_setup_seeds_everything_once_and_uses_one_thread(capsys, global_state_restored):
    gen = gl.setup(5)
    assert "seed 5" in capsys.readouterr().out and torch.get_num_threads() == 1
    a = (random.random(), np.random.rand(), torch.rand(1).item(), torch.rand(1, generator=gen).item())
    gl.setup(5)
    b = (random.random(), np.random.rand(), torch.rand(1).item(), torch.rand(1, generator=torch.Generator().manual_seed(5)).item())
    assert a == b
    with pytest.raises(ValueError, match="^seed="):
        gl.setup(-1)


def test_importing_changes_nothing_global():
    import subprocess
    import sys
    code = ("import torch, matplotlib; n = torch.get_num_threads(); rc = dict(matplotlib.rcParams); "
            "s = torch.initial_seed(); import ganlessons; "
            "assert torch.get_num_threads() == n and dict(matplotlib.rcParams) == rc and torch.initial_seed() == s")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "", out.stderr


def test_environment_report_lists_versions():
    report, missing = gl.environment_report()
    assert missing == [] and "torch" in report


def test_lesson_map_reads_titles():
    lessons = gl.session.lesson_map()
    assert lessons[0] == ("00", "Start here")


def test_fraction_check(capsys):
    assert gl.check.fraction_right_of_zero(lambda x: float((x > 0).float().mean()))
    assert not gl.check.fraction_right_of_zero(lambda x: float((x >= 0).float().mean()))
    assert "✗" in capsys.readouterr().out
    assert not gl.check.fraction_right_of_zero(lambda x: "half")
    assert not gl.check.fraction_right_of_zero(lambda x: x.missing)
    assert "raised AttributeError" in capsys.readouterr().out


def test_hand_generator_check(capsys):
    normal = torch.distributions.Normal(0.0, 1.0)

    def exact(z):   # the quantile map: the sign picks the mode, |z| the place within it
        u = (2 * normal.cdf(z.abs()) - 1).clamp(1e-6, 1 - 1e-6)
        return torch.sign(z) * 2 + 0.5 * normal.icdf(u)

    assert gl.check.hand_generator(exact)
    assert not gl.check.hand_generator(lambda z: torch.sign(z) * 2)             # no spread
    assert not gl.check.hand_generator(lambda z: z + 2)                          # one mode
    assert not gl.check.hand_generator(lambda z: z[:10])                         # wrong shape
    assert not gl.check.hand_generator(lambda z: torch.log(z))                   # nan
    out = capsys.readouterr().out
    assert out.count("✓") == 1 and out.count("✗") == 4 and "Hint" in out
