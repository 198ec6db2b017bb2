"""The self-checks of lesson 04's exercises: ✓ for a correct answer, ✗ (never an exception) for each
wrong one."""
import torch
import torch.nn.functional as F

import ganlessons as gl


def kurtosis_right(w):
    return float(-1.2 * (w ** 4).sum() / (w ** 2).sum() ** 2)


def test_linear_uniform_kurtosis_right_and_wrong(capsys):
    assert gl.check.linear_uniform_kurtosis(kurtosis_right)
    assert "✓" in capsys.readouterr().out
    wrong = [lambda w: 0.0,                                                    # "it is Gaussian"
             lambda w: -1.2 / len(w),                                          # equal weights only
             lambda w: float(-1.2 * (w ** 2).sum() / w.abs().sum() ** 2),      # wrong powers
             lambda w: "minus one point two",                                  # not a number
             lambda w: 1 / 0]                                                  # crashes
    for fn in wrong:
        assert not gl.check.linear_uniform_kurtosis(fn)
        assert "✗" in capsys.readouterr().out


def d_step_right(G, D, opt_d, real, z):
    fake = G(z).detach()
    loss = gl.d_loss(D(real), D(fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


def no_detach(G, D, opt_d, real, z):
    loss = gl.d_loss(D(real), D(G(z)))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


def swapped_labels(G, D, opt_d, real, z):
    loss = gl.d_loss(D(G(z).detach()), D(real))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


def no_step(G, D, opt_d, real, z):
    return gl.d_loss(D(real), D(G(z).detach())).detach()


def wrong_return(G, D, opt_d, real, z):
    d_step_right(G, D, opt_d, real, z)
    return None


def plain_bce_sum(G, D, opt_d, real, z):
    fake = G(z).detach()
    loss = F.binary_cross_entropy_with_logits(D(real), torch.ones(len(real))) + \
        F.binary_cross_entropy_with_logits(D(fake), torch.zeros(len(fake)))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


def test_discriminator_step_right_and_wrong(capsys):
    assert gl.check.discriminator_step(d_step_right)
    assert "✓" in capsys.readouterr().out
    for fn, words in ((no_detach, "G's parameters received gradients"), (swapped_labels, "D's weights differ"),
                      (no_step, "D's weights differ"), (wrong_return, "returned None"),
                      (plain_bce_sum, "D's weights differ"), (lambda *a: 1 / 0, "raised ZeroDivisionError")):
        assert not gl.check.discriminator_step(fn)
        out = capsys.readouterr().out
        assert "✗" in out and words in out, out
