"""Every figure of lessons 07–09 draws (the lesson-01–06 ones are drawn in test_plot_session_check,
test_train_many and test_widgets): a Figure comes back, with real and generated data in the course
colours where it shows both."""
import torch
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

import ganlessons as gl


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def scatter_colours(fig):
    return {tuple(c.get_facecolor()[0][:3]) for ax in fig.axes for c in ax.collections if len(c.get_offsets())}


def test_snapshots_2d_and_digit_clouds_show_real_and_generated():
    real, fake = gl.sample(gl.ring(), 50, gen(1)), gl.sample(gl.grid(), 50, gen(2))
    fig = gl.plot.snapshots_2d({0: fake, 100: real}, real=real, lim=3, title="two steps")
    assert isinstance(fig, Figure) and [ax.get_title() for ax in fig.axes] == ["step 0", "step 100"]
    assert scatter_colours(fig) == {to_rgb(gl.plot.REAL), to_rgb(gl.plot.FAKE)}
    clouds = gl.plot.digit_clouds(covered=(1, 7), points=10)
    assert scatter_colours(clouds) == {to_rgb(gl.plot.REAL), to_rgb(gl.plot.FAKE)}


def test_metrics_over_time_has_three_panels():
    reports = [gl.mode_report(gl.sample(gl.ring(), 200, gen(s)), gl.ring()) for s in range(3)]
    fig = gl.plot.metrics_over_time([0, 10, 20], reports)
    assert len(fig.axes) == 3 and fig.axes[0].get_legend() is not None


def test_vector_field_trajectory_and_losses():
    fig, ax = gl.plot.figure()
    gl.plot.vector_field(gl.games.bilinear_field, ax=ax)
    gl.plot.trajectory(gl.games.bilinear_trajectory(steps=20), ax=ax, label="simultaneous")
    assert ax.get_legend() is not None
    G, D = gl.make_players(0, hidden=(8,))
    h = gl.train_gan(G, D, gl.mixture_1d(), steps=5, progress=False)
    fig = gl.plot.losses(h)
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["D loss", "G loss"]


def test_method_curves_tell_methods_apart_without_colour_and_never_use_real_or_fake():
    curves = {name: [float(i + k) for k in range(5)] for i, name in enumerate(("a", "b", "c", "d", "e"))}
    fig = gl.plot.method_curves(range(0, 500, 100), curves, "modes covered", of=8, title="ring")
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in curves]
    assert [line.get_label() for line in lines] == list(curves)
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == len(lines)
    assert not {to_rgb(line.get_color()) for line in lines} & {to_rgb(gl.plot.REAL), to_rgb(gl.plot.FAKE)}
    assert ax.get_ylabel() == "modes covered" and ax.get_title() == "ring"
    assert any(line.get_label() == "all modes" for line in ax.get_lines())
