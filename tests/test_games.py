"""ganlessons.games: the vector fields against autograd on the actual losses, and the known
behaviours of the bilinear game and the Dirac-GAN (Mescheder, Geiger & Nowozin 2018)."""
import math

import pytest
import torch

import ganlessons as gl
from ganlessons import games

POINTS = [(0.7, -1.3), (-2.0, 0.4), (1.5, 2.5), (0.0, 1.0), (-0.3, -0.8)]


def grad(f, *args):
    """Autograd gradient of a scalar function with respect to each argument (float64 leaves)."""
    leaves = [torch.tensor(float(a), dtype=torch.float64, requires_grad=True) for a in args]
    return [float(g) for g in torch.autograd.grad(f(*leaves), leaves)]


# --- bilinear game ------------------------------------------------------------------------------

@pytest.mark.parametrize("x, y", POINTS)
def test_bilinear_field_is_gradient_play_on_xy(x, y):
    dfdx, dfdy = grad(lambda a, b: a * b, x, y)
    u, v = games.bilinear_field(torch.tensor(x), torch.tensor(y))
    assert math.isclose(float(u), -dfdx, abs_tol=1e-7) and math.isclose(float(v), dfdy, abs_tol=1e-7)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("start", [(1.0, 0.0), (0.3, -2.0)])
def test_simultaneous_steps_grow_the_radius_by_exactly_sqrt_one_plus_lr_squared(lr, start):
    path = games.bilinear_trajectory(start, lr=lr, steps=50, scheme="simultaneous")
    ratios = path[1:].norm(dim=1) / path[:-1].norm(dim=1)
    assert torch.allclose(ratios, torch.full_like(ratios, math.sqrt(1 + lr ** 2)), rtol=1e-12)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 1.5])
def test_alternating_steps_keep_the_invariant_and_stay_bounded(lr):
    path = games.bilinear_trajectory((1.0, 0.5), lr=lr, steps=500, scheme="alternating")
    q = games.bilinear_invariant(path, lr)
    assert torch.allclose(q, q[0].expand_as(q), rtol=1e-9)
    bound = math.sqrt(float(q[0]) / (1 - lr / 2))          # x² + y² <= Q / (1 − lr/2)
    assert float(path.norm(dim=1).max()) <= bound + 1e-9


def test_alternating_moves_y_first_then_x_with_the_new_y():
    step = games.bilinear_step(torch.tensor([1.0, 2.0], dtype=torch.float64), 0.5, "alternating")
    y_new = 2.0 + 0.5 * 1.0
    assert torch.allclose(step, torch.tensor([1.0 - 0.5 * y_new, y_new], dtype=torch.float64))


def test_smaller_steps_only_slow_the_spiral():
    lrs = [0.3, 0.1, 0.03, 0.01]
    dist = [games.distance_to_origin(games.bilinear_trajectory(lr=lr, steps=200)) for lr in lrs]
    assert all(d > 1.0 for d in dist)
    assert dist == sorted(dist, reverse=True)


def test_trajectory_shape_and_start():
    path = games.bilinear_trajectory((2.0, -1.0), lr=0.1, steps=7)
    assert path.shape == (8, 2) and path.dtype == torch.float64
    assert path[0].tolist() == [2.0, -1.0]
    assert games.bilinear_trajectory(steps=0).shape == (1, 2)


# --- Dirac-GAN: the fields against autograd on the course's losses ------------------------------

def _value(theta, psi):
    """The course's V on the Dirac-GAN: real data 0, one fake at θ, logits ψ·x."""
    return gl.value((psi * 0.0).reshape(1), (psi * theta).reshape(1))


@pytest.mark.parametrize("theta, psi", POINTS)
def test_dirac_value_is_the_course_value(theta, psi):
    t, p = torch.tensor(theta, dtype=torch.float64), torch.tensor(psi, dtype=torch.float64)
    assert math.isclose(float(games.dirac_value(t, p)), float(_value(t, p)), rel_tol=1e-12)


@pytest.mark.parametrize("theta, psi", POINTS)
def test_plain_field_saturating(theta, psi):
    dv_dtheta, dv_dpsi = grad(_value, theta, psi)
    g_sat = grad(lambda t, p: gl.g_loss_saturating((p * t).reshape(1)), theta, psi)[0]
    d_theta, d_psi = games.dirac_field(theta, psi)
    assert math.isclose(float(d_psi), dv_dpsi, abs_tol=1e-10)        # D ascends V
    assert math.isclose(float(d_theta), -dv_dtheta, abs_tol=1e-10)   # G descends V ...
    assert math.isclose(float(d_theta), -g_sat, abs_tol=1e-10)       # ... which is the saturating loss


@pytest.mark.parametrize("theta, psi", POINTS)
def test_plain_field_non_saturating_and_d_loss(theta, psi):
    g_ns = grad(lambda t, p: gl.g_loss_non_saturating((p * t).reshape(1)), theta, psi)[0]
    d_l = grad(lambda t, p: gl.d_loss((p * 0.0).reshape(1), (p * t).reshape(1)), theta, psi)[1]
    d_theta, d_psi = games.dirac_field(theta, psi, g_loss="non_saturating")
    assert math.isclose(float(d_theta), -g_ns, abs_tol=1e-10)
    assert math.isclose(float(d_psi), -2 * d_l, abs_tol=1e-10)       # d_loss = −V/2


@pytest.mark.parametrize("theta, psi", POINTS)
def test_plain_field_is_a_rotation(theta, psi):
    d_theta, d_psi = games.dirac_field(theta, psi)
    assert abs(theta * float(d_theta) + psi * float(d_psi)) < 1e-12


class Linear(torch.nn.Module):
    """The Dirac-GAN's discriminator ψ·x as a ganlessons-style module (logits of shape (n,))."""
    x_dim = 1

    def __init__(self, psi):
        super().__init__()
        self.psi = torch.nn.Parameter(torch.tensor(float(psi), dtype=torch.float64))

    def forward(self, x):
        return self.psi * x[:, 0]


@pytest.mark.parametrize("theta, psi", POINTS)
@pytest.mark.parametrize("gamma", [0.3, 2.0])
def test_r1_field_is_value_minus_gl_r1_penalty(theta, psi, gamma):
    D = Linear(psi)
    objective = _value(torch.tensor(theta, dtype=torch.float64), D.psi) - \
        gl.r1_penalty(D, torch.zeros(1, 1, dtype=torch.float64), gamma)
    want, = torch.autograd.grad(objective, D.psi)
    d_theta, d_psi = games.dirac_field(theta, psi, regulariser="r1", gamma=gamma)
    assert math.isclose(float(d_psi), float(want), abs_tol=1e-10)
    assert math.isclose(float(d_theta), float(games.dirac_field(theta, psi)[0]), abs_tol=1e-12)


@pytest.mark.parametrize("theta, psi", POINTS)
@pytest.mark.parametrize("g_loss", games.DIRAC_G_LOSSES)
def test_instance_noise_field_is_gradient_of_value_on_noisy_points(theta, psi, g_loss):
    eps = games.instance_noise_offsets(0.7)
    v = lambda t, p: gl.value(p * eps, p * (t + eps))
    g = lambda t, p: gl.G_LOSSES[g_loss](p * (t + eps))
    d_theta, d_psi = games.dirac_field(theta, psi, regulariser="instance_noise", noise_std=0.7, g_loss=g_loss)
    assert math.isclose(float(d_psi), grad(v, theta, psi)[1], abs_tol=1e-10)
    assert math.isclose(float(d_theta), -grad(g, theta, psi)[0], abs_tol=1e-10)


def test_instance_noise_offsets_are_gaussian_quantiles():
    eps = games.instance_noise_offsets(2.0, points=400)
    assert abs(float(eps.mean())) < 1e-12 and torch.allclose(eps, -eps.flip(0))
    assert math.isclose(float(eps.std()), 2.0, rel_tol=0.02)


@pytest.mark.parametrize("theta, psi", POINTS)
def test_wgan_gp_field_against_autograd(theta, psi):
    def critic_objective(t, p):
        x_hat = torch.tensor([0.37 * float(t.detach())], dtype=torch.float64, requires_grad=True)   # any interpolate
        slope, = torch.autograd.grad(p * x_hat.sum(), x_hat, create_graph=True)
        return p * 0.0 - p * t - 1.5 * (slope.norm() - 1) ** 2
    d_theta, d_psi = games.dirac_field(theta, psi, regulariser="wgan_gp", gamma=1.5)
    assert math.isclose(float(d_psi), grad(critic_objective, theta, psi)[1], abs_tol=1e-10)
    assert math.isclose(float(d_theta), -grad(lambda t, p: -p * t, theta, psi)[0], abs_tol=1e-10)


def test_fields_work_on_grids():
    theta, psi = torch.meshgrid(torch.linspace(-2, 2, 5), torch.linspace(-2, 2, 4), indexing="ij")
    for reg in games.DIRAC_REGULARISERS:
        u, v = games.dirac_field(theta, psi, regulariser=reg)
        assert u.shape == v.shape == (5, 4)


# --- Dirac-GAN: known behaviours --------------------------------------------------------------

def _dist(**kw):
    return games.distance_to_origin(games.dirac_trajectory((1.0, 1.0), **kw))


def test_plain_dirac_gan_spirals_out_with_simultaneous_steps_and_circles_with_alternating():
    path = games.dirac_trajectory((1.0, 1.0), lr=0.1, steps=300)
    radius = path.norm(dim=1)
    assert bool((radius[1:] > radius[:-1]).all())
    alternating = games.dirac_trajectory((1.0, 1.0), lr=0.1, steps=1000, scheme="alternating").norm(dim=1)
    assert 1.2 < float(alternating.min()) and float(alternating.max()) < 1.6


def test_r1_and_instance_noise_converge():
    assert _dist(lr=0.1, steps=300, regulariser="r1", gamma=1.0) < 1e-3
    assert _dist(lr=0.1, steps=500, regulariser="instance_noise", noise_std=1.0, scheme="alternating") < 0.05


def test_r1_linearisation_has_eigenvalues_with_negative_real_part():
    gamma, h = 0.5, 1e-6
    cols = [(torch.stack(games.dirac_field(*(torch.tensor(e, dtype=torch.float64) * h), regulariser="r1",
                                         gamma=gamma)) / h) for e in ([1.0, 0.0], [0.0, 1.0])]
    eig = torch.linalg.eigvals(torch.stack(cols, dim=1))
    assert torch.allclose(eig.real, torch.full((2,), -gamma / 2, dtype=torch.float64), atol=1e-5)


def test_wgan_gp_does_not_reach_the_equilibrium():
    assert _dist(lr=0.1, steps=500, regulariser="wgan_gp", gamma=1.0) > 1.0


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: games.bilinear_trajectory(lr=0.0), "lr"),
    (lambda: games.bilinear_trajectory(scheme="both"), "scheme"),
    (lambda: games.bilinear_trajectory(steps=-1), "steps"),
    (lambda: games.bilinear_trajectory(start=(1.0, 2.0, 3.0)), "start"),
    (lambda: games.bilinear_trajectory(start=(1.0, math.nan)), "start"),
    (lambda: games.bilinear_trajectory(start="ab"), "start"),
    (lambda: games.bilinear_invariant(torch.zeros(2), -1.0), "lr"),
    (lambda: games.distance_to_origin(torch.zeros(3)), "trajectory"),
    (lambda: games.dirac_trajectory(regulariser="dropout"), "regulariser"),
    (lambda: games.dirac_trajectory(gamma=-1.0), "gamma"),
    (lambda: games.dirac_trajectory(noise_std=0.0), "noise_std"),
    (lambda: games.dirac_trajectory(g_loss="wasserstein"), "g_loss"),
    (lambda: games.dirac_trajectory(lr=math.inf), "lr"),
    (lambda: games.dirac_step(torch.zeros(2), 0.1, "together"), "scheme"),
    (lambda: games.instance_noise_offsets(1.0, points=1), "points"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}="):
        call()


# --- the figures and the explorer widget of lesson 09 -------------------------------------------

def test_vector_field_draws_unit_arrows_of_the_field():
    fig = gl.plot.vector_field(games.bilinear_field, lim=1.0, points=5)
    quiver = fig.axes[0].collections[0]
    assert quiver.U.shape == (25,)
    length = torch.tensor(quiver.U ** 2 + quiver.V ** 2)
    away = torch.tensor(abs(quiver.XY).sum(1) > 0)           # the field is 0 at the equilibrium only
    assert torch.allclose(length[away], torch.ones(24, dtype=torch.float64)) and float(length[~away]) == 0
    # at (1, 0) the bilinear field points along +y
    i = [k for k, (a, b) in enumerate(quiver.XY) if a == 1.0 and b == 0.0][0]
    assert abs(quiver.U[i]) < 1e-12 and quiver.V[i] > 0


def test_trajectory_draws_the_path():
    path = games.bilinear_trajectory(lr=0.2, steps=10)
    fig = gl.plot.trajectory(path, label="simultaneous")
    line = fig.axes[0].lines[0]
    assert torch.allclose(torch.tensor(line.get_xydata()), path)
    with pytest.raises(ValueError, match="^path="):
        gl.plot.trajectory(torch.zeros(4, 3))


def test_dirac_figure_shows_the_trajectory_it_names():
    fig = gl.widgets.dirac_figure(lr=0.2, gamma=0.5, scheme="alternating", steps=30)
    want = games.dirac_trajectory((1.0, 1.0), lr=0.2, steps=30, scheme="alternating", regulariser="r1", gamma=0.5)
    lines = [ln for ln in fig.axes[0].lines if len(ln.get_xdata()) == 31]
    assert len(lines) == 1 and torch.allclose(torch.tensor(lines[0].get_xydata()), want)
    assert f"{games.distance_to_origin(want):.3g}" in fig.axes[0].get_title()


def test_dirac_explorer_redraws_when_a_control_changes():
    app = gl.widgets.dirac_explorer(steps=50)
    first = app.figure
    assert set(app.controls) == {"lr", "gamma", "scheme"} and len(app.children[-1].outputs) == 1
    app.controls["gamma"].value = 1.0
    assert app.figure is not first and "γ = 1" in app.figure.axes[0].get_legend().get_texts()[-1].get_text()
    app.controls["scheme"].value = "alternating"
    assert "alternating" in app.figure.axes[0].get_legend().get_texts()[-1].get_text()
    assert len(app.children[-1].outputs) == 1


# --- the exercise checks of lesson 09 -----------------------------------------------------------

def _alternating(x, y, lr):
    y = y + lr * x
    return x - lr * y, y


@pytest.mark.parametrize("fn, ok, hint", [
    (_alternating, True, ""),
    (lambda x, y, lr: (x - lr * y, y + lr * x), False, "simultaneous step"),
    (lambda x, y, lr: (x - lr * y, y + lr * (x - lr * y)), False, "moved x first"),
    (lambda x, y, lr: (x + lr * y, y + lr * x), False, "y ascends"),
    (lambda x, y, lr: x, False, "not a pair"),
    (lambda x, y, lr: 1 / 0, False, "ZeroDivisionError"),
])
def test_check_alternating_step(fn, ok, hint, capsys):
    assert bool(gl.check.alternating_step(fn)) is ok
    out = capsys.readouterr().out
    assert out.startswith("✓" if ok else "✗") and hint in out


def _r1_field(theta, psi, gamma):
    s = torch.sigmoid(psi * theta)
    return psi * s, -theta * s - gamma * psi


@pytest.mark.parametrize("fn, ok, hint", [
    (_r1_field, True, ""),
    (lambda t, p, g: (p * torch.sigmoid(p * t), -t * torch.sigmoid(p * t) - 2 * g * p), False, "not 2γ·ψ"),
    (lambda t, p, g: (p * torch.sigmoid(p * t), -t * torch.sigmoid(p * t) + g * p), False, "subtract γ·ψ"),
    (lambda t, p, g: (p * torch.sigmoid(p * t), -t * torch.sigmoid(p * t)), False, "without the penalty"),
    (lambda t, p, g: (p, -t - g * p), False, "σ(ψθ)"),
    (lambda t, p, g: None, False, "not a pair"),
])
def test_check_dirac_r1_field(fn, ok, hint, capsys):
    assert bool(gl.check.dirac_r1_field(fn)) is ok
    out = capsys.readouterr().out
    assert out.startswith("✓" if ok else "✗") and hint in out
