"""The GAN playground of lesson 04, driven headlessly: same training code as ganlessons.train,
controls as attributes (bad values give a clear ValueError), structural changes reset the run,
learning-rate changes do not, Play/Pause run as a task on an event loop that stays free."""
import asyncio
import math

import pytest
import torch

import ganlessons as gl
from ganlessons.widgets import DATASETS, Playground, d_star_1d, kde_1d, playground_target


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def pg():
    return Playground(view_size=200, arrows=16)


def test_step_is_train_gan_on_the_same_code_path(pg):
    pg.step(30)
    G, D = gl.make_players(0, hidden=(32,))
    h = gl.train_gan(G, D, gl.mixture_1d(), steps=30, seed=0, progress=False)
    assert pg.history.d_loss == h.d_loss and pg.history.g_loss == h.g_loss
    assert pg.history.d_fake == h.d_fake
    for p, q in zip(pg.G.parameters(), G.parameters()):
        assert torch.equal(p, q)


def test_history_and_counters(pg):
    pg.k = 3
    pg.step(4)
    assert len(pg.history) == 4 and (pg.d_steps, pg.g_steps) == (12, 4)
    pg.step_d()
    pg.step_g()
    assert (pg.d_steps, pg.g_steps, len(pg.history)) == (13, 5, 4)
    pg.redraw()
    assert "gl-iteration'>4<" in pg.status.value


def test_step_d_changes_only_d_and_step_g_only_g(pg):
    g0 = [p.clone() for p in pg.G.parameters()]
    d0 = [p.clone() for p in pg.D.parameters()]
    pg.step_d()
    assert all(torch.equal(a, b) for a, b in zip(g0, pg.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, pg.D.parameters()))
    d1 = [p.clone() for p in pg.D.parameters()]
    pg.step_g()
    assert all(torch.equal(a, b) for a, b in zip(d1, pg.D.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g0, pg.G.parameters()))


@pytest.mark.parametrize("name, value", [("dataset", "ring"), ("prior", "uniform"), ("z_dim", 3), ("width", 16),
                                         ("layers", 2), ("optimizer_g", "sgd"), ("optimizer_d", "sgd"), ("seed", 5)])
def test_structural_controls_reset(pg, name, value):
    pg.step(3)
    old_g = pg.G
    setattr(pg, name, value)
    assert getattr(pg, name) == value and pg.controls[name].value == value
    assert len(pg.history) == 0 and pg.d_steps == 0 and pg.G is not old_g


def test_structure_follows_the_controls():
    pg = Playground(dataset="ring", z_dim=2, width=8, layers=2, optimizer_g="sgd", view_size=100)
    assert pg.dim == 2 and pg.G.z_dim == 2 and pg.G.x_dim == 2
    assert [m.out_features for m in pg.G.net if isinstance(m, torch.nn.Linear)] == [8, 8, 2]
    assert isinstance(pg.opt_g, torch.optim.SGD) and isinstance(pg.opt_d, torch.optim.Adam)
    pg.step(2)
    pg.redraw()
    assert len(pg.history) == 2


@pytest.mark.parametrize("name, value", [("lr_g", 1e-2), ("lr_d", 3e-4), ("k", 2), ("batch_size", 64),
                                         ("g_loss", "saturating"), ("speed", 5)])
def test_live_controls_keep_the_run(pg, name, value):
    pg.step(3)
    old_g = pg.G
    setattr(pg, name, value)
    assert len(pg.history) == 3 and pg.G is old_g
    if name.startswith("lr"):
        opt = pg.opt_g if name == "lr_g" else pg.opt_d
        assert all(math.isclose(group["lr"], value) for group in opt.param_groups)
    pg.step(1)
    assert len(pg.history) == 4


def test_live_controls_act_on_the_next_step(pg):
    pg.batch_size, pg.k, pg.g_loss = 32, 2, "saturating"
    pg.step(1)
    assert pg.d_steps == 2
    assert pg.history.g_loss[-1] < 0, "the saturating loss log(1 − D(G(z))) is negative"


@pytest.mark.parametrize("name, value, words", [
    ("dataset", "moons", "one of 'gaussian'"), ("prior", "laplace", "'normal', 'uniform'"),
    ("z_dim", 0, "from 1 to 10"), ("z_dim", 2.5, "whole number"), ("z_dim", True, "whole number"),
    ("k", 11, "from 1 to 10"), ("lr_g", -1e-3, "> 0"), ("lr_d", 5.0, "between"), ("lr_g", float("nan"), "> 0"),
    ("width", 33, "one of 4, 8"), ("batch_size", "256", "one of 16"), ("seed", -1, "from 0"),
    ("optimizer_g", "rmsprop", "'adam', 'sgd'"), ("g_loss", "wasserstein", "'non_saturating'"),
    ("speed", 0, "from 1 to 100"), ("layers", 4, "from 1 to 3")])
def test_bad_values_raise_clear_errors_and_change_nothing(pg, name, value, words):
    before = getattr(pg, name)
    with pytest.raises(ValueError, match=name) as err:
        setattr(pg, name, value)
    assert words in str(err.value) and repr(value) in str(err.value)
    assert getattr(pg, name) == before


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="dataset='moons'"):
        Playground(dataset="moons")
    with pytest.raises(ValueError, match="colour"):
        Playground(colour="red")
    with pytest.raises(ValueError, match="n=0"):
        Playground(view_size=50).step(0)


def test_every_dataset_draws(tmp_path):
    for name in DATASETS:
        pg = Playground(dataset=name, view_size=100, arrows=8)
        pg.step(2)
        pg.redraw()
        png = pg.snapshot_png()
        assert png[:4] == b"\x89PNG"
        assert pg.dim == DATASETS[name][1] == playground_target(name).event_shape[0]


def test_figure_shows_the_players(pg):
    pg.step(5)
    pg.redraw()
    z = pg.view.z_line
    with torch.no_grad():
        assert torch.allclose(torch.as_tensor(pg.view.g_line.get_ydata()), pg.G(z)[:, 0])
        assert torch.allclose(torch.as_tensor(pg.view.d_line.get_ydata()), torch.sigmoid(pg.D(pg.view.x_grid)))
    star = torch.as_tensor(pg.view.d_star.get_ydata())
    assert ((star >= 0) & (star <= 1)).all()
    x_loss, y_loss = pg.view.loss_lines[0].get_data()
    assert list(y_loss) == pg.history.d_loss


def test_d_star_is_the_same_kernel_estimate_of_both_densities():
    pg = Playground(dataset="gaussian", view_size=400)
    pg.redraw()
    with torch.no_grad():
        fake = pg.G(pg.view_z)
    expected = d_star_1d(pg.view_real, fake, pg.view.star_grid)
    assert torch.allclose(torch.as_tensor(pg.view.d_star.get_ydata()), expected, atol=1e-6)


def test_d_star_reads_one_half_for_a_perfect_generator_and_sees_a_missing_mode():
    """Lesson 04: the dashed D* must not invent errors (the old one-sided KDE read ≈0.6 at the modes
    and ≈0 between them for a perfect G) and must still see real ones."""
    rng = torch.Generator().manual_seed(0)
    bimodal = gl.mixture_1d()
    x = torch.linspace(-4, 4, 100)[:, None]
    where = bimodal.log_prob(x).exp() > 0.05
    for _ in range(5):
        real, perfect = gl.sample(bimodal, 1000, rng), gl.sample(bimodal, 1000, rng)
        assert float((d_star_1d(real, perfect, x) - 0.5)[where].abs().max()) < 0.1
        p_data = bimodal.log_prob(x).exp()
        one_sided = p_data / (p_data + kde_1d(perfect, x))
        assert float((one_sided - 0.5)[where].abs().max()) > 0.1          # the estimator the lesson replaced
    one_mode = gl.sample(gl.mixture_1d(means=(2.0,), stds=(0.5,)), 1000, rng)
    star = d_star_1d(real, one_mode, x)
    assert float(star[(x[:, 0] + 2).abs() < 0.5].min()) > 0.9                # the missing mode: D* ≈ 1
    assert float(star[(x[:, 0] - 2).abs() < 0.3].max()) < 0.5                # the over-full one: D* < ½
    with pytest.raises(ValueError, match="bandwidth"):
        d_star_1d(real, one_mode, x, bandwidth=-1.0)


def test_controls_as_attributes_like_the_lesson_shows():
    """Moved from lesson 04: a learning rate acts on the running game, a structural change starts
    afresh, and a value the control does not offer is refused with a message saying what is allowed."""
    demo = Playground(dataset="gaussian", seed=0, view_size=100)
    demo.step(5)
    demo.lr_d = 2e-3
    assert len(demo.history) == 5 and demo.opt_d.param_groups[0]["lr"] == 2e-3
    demo.z_dim = 2
    assert len(demo.history) == 0 and demo.G.z_dim == 2
    with pytest.raises(ValueError, match=r"k=0 is not allowed: k must be a whole number from 1 to 10"):
        demo.k = 0


def test_kde_matches_a_gaussian_and_integrates_to_one():
    samples = gl.sample(gl.gaussian(0.0, 1.0), 20_000, torch.Generator().manual_seed(0))
    x = torch.linspace(-6, 6, 1201)[:, None]
    density = kde_1d(samples, x)
    assert abs(float(torch.trapezoid(density, x[:, 0])) - 1) < 1e-3
    assert float((density - gl.gaussian(0.0, 1.0).log_prob(x).exp()).abs().max()) < 0.02
    same = kde_1d(torch.zeros(50, 1), x)                     # all samples equal: the bandwidth floor
    assert torch.isfinite(same).all() and float(same.max()) > 10
    with pytest.raises(ValueError, match="bandwidth"):
        kde_1d(samples, x, bandwidth=0)


def test_2d_arrows_are_minus_the_per_sample_loss_gradient():
    pg = Playground(dataset="gaussian2d", view_size=100, arrows=10, arrow_scale=1.0)
    pg.step(3)
    pg.redraw()
    x = pg.G(pg.view_z[:10]).detach().requires_grad_(True)
    torch.nn.functional.softplus(-pg.D(x)).sum().backward()      # −log D(x) per sample
    assert torch.allclose(torch.as_tensor(pg.view.quiver.U), -x.grad[:, 0], atol=1e-5)
    assert torch.allclose(torch.as_tensor(pg.view.quiver.V), -x.grad[:, 1], atol=1e-5)


def test_divergence_is_reported_with_the_step():
    pg = Playground(view_size=50)
    with torch.no_grad():
        pg.G.net[-1].bias.fill_(float("nan"))
    with pytest.raises(gl.TrainingDiverged, match="diverged at step 0"):
        pg.step(1)
    pg.frame()                                          # a frame pauses with the message instead
    assert not pg.playing and "diverged" in pg.status.value


def test_play_needs_an_event_loop(pg):
    with pytest.raises(RuntimeError, match="pg.step"):
        pg.play()


def test_play_and_pause_leave_the_loop_free(pg):
    async def scenario():
        ticks = 0
        pg.play()
        assert pg.play_button.description == "Pause"
        while len(pg.history) < 30:
            ticks += 1                                      # other work runs between frames
            await asyncio.sleep(0.001)
        pg._toggle()                                        # the Pause button
        await asyncio.sleep(0.05)
        stopped = len(pg.history)
        await asyncio.sleep(0.1)
        return ticks, stopped

    ticks, stopped = asyncio.run(scenario())
    assert ticks >= 2, "the event loop got no time while playing"
    assert len(pg.history) == stopped and not pg.playing
    assert pg.play_button.description == "Play"


def test_app_and_static_fallback(pg):
    bundle = pg._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == pg.app.model_id
    assert bundle["image/png"] and "GAN playground" in bundle["text/plain"]
    assert pg.figure.canvas in pg.app.children


def test_an_error_while_playing_pauses_and_shows_it(pg):
    async def scenario():
        pg.play()
        await asyncio.sleep(0.05)
        pg.run.G = None                                      # break the run under the player's feet
        for _ in range(100):
            if not pg.playing:
                break
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert not pg.playing and "paused" in pg.status.value and "Error" in pg.status.value


def test_snapshot_grid_1d_and_scatter_grid_2d():
    G, D = gl.train.make_players(0)
    z = gl.sample(gl.noise(1), 300, torch.Generator().manual_seed(1))
    fig = gl.plot.snapshot_grid_1d([(0, G, D), (10, G, D)], gl.mixture_1d(), z)
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "iteration 0"
    real = gl.sample(gl.ring(), 100, torch.Generator().manual_seed(2))
    fig = gl.plot.scatter_grid_2d({0: real * 0.5, 100: real}, real, lim=3)
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "iteration 100"
    with pytest.raises(ValueError, match="snapshots"):
        gl.plot.snapshot_grid_1d([], gl.mixture_1d(), z)
    with pytest.raises(ValueError, match="snapshots"):
        gl.plot.scatter_grid_2d({}, real)


def test_generator_push_rejects_unknown_losses():
    G, D = gl.train.make_players(0)
    with pytest.raises(ValueError, match="g_loss='hinge'"):
        gl.widgets.generator_push(G, D, torch.zeros(4, 1), "hinge")


# --- the package's rooms: a headless run, the ipympl adapter, the Dirac explorer

def test_the_run_steps_without_any_display():
    from ganlessons.widgets.run import PlaygroundRun
    run = PlaygroundRun(view_size=50, k=2)
    run.step(3)
    assert (len(run.history), run.d_steps, run.g_steps) == (3, 6, 3)
    assert run.set("lr_d", 1e-2) is False and run.opt_d.param_groups[0]["lr"] == 1e-2 and len(run.history) == 3
    assert run.set("dataset", "ring") is True and run.dim == 2 and len(run.history) == 0
    with pytest.raises(ValueError, match=r"^k=0 is not allowed: k must be a whole number from 1 to 10"):
        run.set("k", 0)
    assert run.k == 2


def test_the_playground_is_its_run():
    pg = Playground(view_size=50)
    pg.lr_g = 2e-3
    assert pg.run.lr_g == 2e-3 and pg.controls["lr_g"].value == 2e-3 and pg.G is pg.run.G
    pg.controls["k"].value = 3                       # as a slider in the browser does
    pg.step(1)
    assert pg.run.d_steps == 3


def test_only_the_adapter_touches_ipympl_internals():
    import pathlib
    from ganlessons.widgets import ipympl_adapter
    package = pathlib.Path(gl.__file__).parent
    private = ("backend_nbagg", "FigureManager", "._size", "_handle_message")
    users = sorted(p.name for p in package.rglob("*.py") if any(word in p.read_text() for word in private))
    assert users == ["ipympl_adapter.py"], users
    import ipympl
    assert ipympl.__version__ in ipympl_adapter.TESTED_WITH["ipympl"] or pytest.skip(
        f"ipympl {ipympl.__version__} is not one the adapter was tested with")


def test_dirac_explorer_redraws_on_its_controls():
    app = gl.widgets.dirac_explorer(steps=50)
    first = app.figure
    app.controls["gamma"].value = 1.0
    labels = [t.get_text() for t in app.figure.axes[0].get_legend().get_texts()]
    assert app.figure is not first and any("γ = 1" in label for label in labels), labels
    assert len(app.children[-1].outputs) == 1
