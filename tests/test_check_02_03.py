"""The self-checks of lessons 02 and 03: each gets a correct implementation (✓) and each wrong one
(✗, with a hint naming the mistake). They must never raise."""
import torch
import torch.nn.functional as F

import ganlessons as gl
from ganlessons import check


def verdict_and_output(capsys, check_fn, fn):
    result = check_fn(fn)
    out = capsys.readouterr().out
    return bool(result), out


# ---- lesson 02: V on logits --------------------------------------------------------------------

def value_right(real_logits, fake_logits):
    return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()


def value_naive(real_logits, fake_logits):
    return torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean()


def value_swapped(real_logits, fake_logits):
    return F.logsigmoid(-real_logits).mean() + F.logsigmoid(fake_logits).mean()


def value_pooled_mean(real_logits, fake_logits):
    return torch.cat([F.logsigmoid(real_logits), F.logsigmoid(-fake_logits)]).mean() * 2


def value_per_sample(real_logits, fake_logits):
    return F.logsigmoid(real_logits) + F.logsigmoid(-fake_logits).mean()


def value_raises(real_logits, fake_logits):
    raise RuntimeError("boom")


def test_value_on_logits_accepts_the_right_answer(capsys):
    ok, out = verdict_and_output(capsys, check.value_on_logits, value_right)
    assert ok and out.startswith("✓ value_on_logits")


def test_value_on_logits_accepts_a_float(capsys):
    ok, _ = verdict_and_output(capsys, check.value_on_logits, lambda r, f: float(value_right(r, f)))
    assert ok


def test_value_on_logits_catches_the_naive_log_of_sigmoid(capsys):
    ok, out = verdict_and_output(capsys, check.value_on_logits, value_naive)
    assert not ok and out.startswith("✗") and "logsigmoid" in out


def test_value_on_logits_catches_wrong_formulas(capsys):
    for wrong in (value_swapped, value_pooled_mean):
        ok, out = verdict_and_output(capsys, check.value_on_logits, wrong)
        assert not ok and "expected" in out and "Hint" in out, wrong.__name__


def test_value_on_logits_catches_a_tensor_instead_of_a_number(capsys):
    ok, out = verdict_and_output(capsys, check.value_on_logits, value_per_sample)
    assert not ok and "not one number" in out


def test_value_on_logits_never_raises(capsys):
    ok, out = verdict_and_output(capsys, check.value_on_logits, value_raises)
    assert not ok and "RuntimeError: boom" in out


# ---- lesson 02: D* from log-densities ----------------------------------------------------------

def dstar_right(log_p_data, log_p_g):
    return torch.sigmoid(log_p_data - log_p_g)


def dstar_naive(log_p_data, log_p_g):
    p, q = log_p_data.exp(), log_p_g.exp()
    return p / (p + q)


def dstar_swapped(log_p_data, log_p_g):
    return torch.sigmoid(log_p_g - log_p_data)


def dstar_ratio(log_p_data, log_p_g):
    return (log_p_data - log_p_g).exp()


def dstar_list(log_p_data, log_p_g):
    return dstar_right(log_p_data, log_p_g).tolist()


def test_optimal_d_accepts_the_right_answer(capsys):
    ok, out = verdict_and_output(capsys, check.optimal_d_from_log_densities, dstar_right)
    assert ok and out.startswith("✓")


def test_optimal_d_accepts_a_logaddexp_answer(capsys):
    ok, _ = verdict_and_output(capsys, check.optimal_d_from_log_densities,
                               lambda a, b: (a - torch.logaddexp(a, b)).exp())
    assert ok


def test_optimal_d_catches_the_naive_ratio_in_the_tails(capsys):
    ok, out = verdict_and_output(capsys, check.optimal_d_from_log_densities, dstar_naive)
    assert not ok and "nan" in out and "underflows" in out


def test_optimal_d_catches_one_minus_dstar(capsys):
    ok, out = verdict_and_output(capsys, check.optimal_d_from_log_densities, dstar_swapped)
    assert not ok and "1 − D*" in out


def test_optimal_d_catches_a_wrong_formula_and_a_wrong_type(capsys):
    ok, out = verdict_and_output(capsys, check.optimal_d_from_log_densities, dstar_ratio)
    assert not ok and "expected" in out
    ok, out = verdict_and_output(capsys, check.optimal_d_from_log_densities, dstar_list)
    assert not ok and "list" in out


# ---- lesson 03: spot the bug -------------------------------------------------------------------

def make_step(label=1.0, call_item=True, detach=True, zero_d=True, zero_g=True):
    """A two-block training step with any of the four classic mistakes switched on."""
    def step(G, D, opt_g, opt_d, real, z, losses_log):
        fake = G(z).detach() if detach else G(z)
        d_loss = gl.d_loss(D(real), D(fake))
        if zero_d:
            opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        losses_log["d"].append(d_loss.item() if call_item else d_loss.item)
        fake_logits = D(G(z))
        g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.full_like(fake_logits, label))
        if zero_g:
            opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        losses_log["g"].append(g_loss.item() if call_item else g_loss.item)
    return step


MISTAKES = {  # switch: the words the ✗ line must contain
    "label": ("G trained with label 0", dict(label=0.0)),
    "item": ("without calling it", dict(call_item=False)),
    "detach": ("missing .detach()", dict(detach=False)),
    "zero_d": ("missing opt_d.zero_grad()", dict(zero_d=False)),
    "zero_g": ("missing opt_g.zero_grad()", dict(zero_g=False)),
}


def test_train_step_accepts_the_correct_step(capsys):
    ok, out = verdict_and_output(capsys, check.train_step, make_step())
    assert ok and out.startswith("✓ train_step"), out


def test_train_step_accepts_other_correct_orders(capsys):
    def zero_first(G, D, opt_g, opt_d, real, z, losses_log):
        opt_g.zero_grad()
        opt_d.zero_grad()
        d_loss = gl.d_loss(D(real), D(G(z).detach()))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = gl.g_loss_non_saturating(D(G(z)))
        g_loss.backward()
        opt_g.step()
        losses_log["d"].append(d_loss.item())
        losses_log["g"].append(g_loss.item())
    ok, out = verdict_and_output(capsys, check.train_step, zero_first)
    assert ok, out


def test_train_step_names_each_single_mistake_and_only_it(capsys):
    for key, (words, switches) in MISTAKES.items():
        ok, out = verdict_and_output(capsys, check.train_step, make_step(**switches))
        assert not ok and out.startswith("✗") and words in out, (key, out)
        assert "1 mistake found" in out, (key, out)


def test_train_step_lists_all_four_mistakes_of_the_lesson_stub(capsys):
    stub = make_step(label=0.0, call_item=False, detach=False, zero_d=False)
    ok, out = verdict_and_output(capsys, check.train_step, stub)
    assert not ok and "4 mistakes found" in out
    for key in ("label", "item", "detach", "zero_d"):
        assert MISTAKES[key][0] in out, key


def test_train_step_catches_tensors_in_the_log_and_missing_steps(capsys):
    def tensors(G, D, opt_g, opt_d, real, z, losses_log):
        make_step()(G, D, opt_g, opt_d, real, z, {"d": [], "g": []})
        losses_log["d"].append(torch.tensor(1.0))
        losses_log["g"].append(torch.tensor(1.0))
    ok, out = verdict_and_output(capsys, check.train_step, tensors)
    assert not ok and "holds tensors" in out

    def no_g_step(G, D, opt_g, opt_d, real, z, losses_log):
        opt_d.zero_grad()
        gl.d_loss(D(real), D(G(z).detach())).backward()
        opt_d.step()
    ok, out = verdict_and_output(capsys, check.train_step, no_g_step)
    assert not ok and "opt_g.step() was never called" in out


def test_train_step_never_raises(capsys):
    def crashes(G, D, opt_g, opt_d, real, z, losses_log):
        fake = G(z)
        gl.d_loss(D(real), D(fake)).backward()
        gl.g_loss_non_saturating(D(fake)).backward()   # backward through a freed graph
    ok, out = verdict_and_output(capsys, check.train_step, crashes)
    assert not ok and "raised RuntimeError" in out


# ---- figure helpers of lesson 02 ---------------------------------------------------------------

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


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


def test_train_step_accepts_fakes_made_once_and_detached_for_d(capsys):
    def reuse(G, D, opt_g, opt_d, real, z, losses_log):
        fake = G(z)
        d_loss = gl.d_loss(D(real), D(fake.detach()))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = gl.g_loss_non_saturating(D(fake))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        losses_log["d"].append(d_loss.item())
        losses_log["g"].append(g_loss.item())
    ok, out = verdict_and_output(capsys, check.train_step, reuse)
    assert ok, out


def test_train_step_accepts_fakes_made_under_no_grad(capsys):
    def no_grad(G, D, opt_g, opt_d, real, z, losses_log):
        with torch.no_grad():
            fake = G(z)
        d_loss = gl.d_loss(D(real), D(fake))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = gl.g_loss_non_saturating(D(G(z)))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        losses_log["d"].append(d_loss.item())
        losses_log["g"].append(g_loss.item())
    ok, out = verdict_and_output(capsys, check.train_step, no_grad)
    assert ok, out
