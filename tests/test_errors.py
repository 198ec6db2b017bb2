"""Bad input to a public function raises a ValueError that names the CALLER's parameter, shows the
value and says what is allowed ("name=value is not allowed: name must be …"), never a KeyError,
an AttributeError or an error about some inner function's parameter."""
import pytest
import torch
from torch import distributions as td

import ganlessons as gl
from ganlessons import ensemble, remedies


def players():
    return gl.make_players(0, hidden=(8,))


def optimizers(G, D):
    return gl.make_optimizer(G.parameters()), gl.make_optimizer(D.parameters())


def train_step(**kw):
    G, D = players()
    return gl.train_step(G, D, *optimizers(G, D), gl.mixture_1d(), gl.noise(1), torch.Generator(), **kw)


def d_step(real=torch.zeros(4, 1), z=torch.zeros(4, 1), **kw):
    G, D = players()
    return gl.d_step(G, D, optimizers(G, D)[1], real, z, **kw)


def g_step(z=torch.zeros(4, 1), **kw):
    G, D = players()
    return gl.g_step(G, D, optimizers(G, D)[0], z, **kw)


def train_gan(**kw):
    G, D = players()
    return gl.train_gan(G, D, kw.pop("target", gl.mixture_1d()), steps=2, progress=False, **kw)


CASES = {
    # the cases of issue 14
    "train_gan lr_g": (lambda: train_gan(lr_g=-1), "lr_g", "a finite number > 0"),
    "train_gan optimizer_d": (lambda: train_gan(optimizer_d="rmsprop"), "optimizer_d", "one of 'adam', 'sgd'"),
    "train_gan snapshot_size": (lambda: train_gan(snapshot_size=0, snapshot_at=(0,)), "snapshot_size",
                                "a whole number >= 1"),
    "train_step k": (lambda: train_step(k=0), "k", "a whole number >= 1"),
    "g_step g_loss": (lambda: g_step(g_loss="wgan"), "g_loss", "one of 'non_saturating', 'saturating'"),
    "gradient_vs_d_steps target": (lambda: gl.gradient_vs_d_steps([0], "bimodal"), "target", "a distribution"),
    # more of the same kind
    "train_gan target": (lambda: train_gan(target="bimodal"), "target", "a distribution"),
    "train_gan optimizer_g": (lambda: train_gan(optimizer_g="adamw"), "optimizer_g", "one of 'adam', 'sgd'"),
    "train_gan lr_d": (lambda: train_gan(lr_d=float("inf")), "lr_d", "a finite number > 0"),
    "train_step batch_size": (lambda: train_step(batch_size=0), "batch_size", "a whole number >= 1"),
    "d_step real": (lambda: d_step(real=torch.zeros(4, 2)), "real", r"a tensor of shape \(n, 1\)"),
    "d_step z": (lambda: d_step(z=torch.zeros(4)), "z", r"a tensor of shape \(n, 1\)"),
    "d_step r1_gamma": (lambda: d_step(r1_gamma=-1.0), "r1_gamma", "a finite number >= 0"),
    "g_step z": (lambda: g_step(z=[0.0]), "z", r"a tensor of shape \(n, 1\)"),
    "grad_norm module": (lambda: gl.grad_norm("G"), "module", "a torch.nn.Module"),
    "make_optimizer name": (lambda: gl.make_optimizer(players()[0].parameters(), "rmsprop"), "name", "one of"),
    "make_players seed": (lambda: gl.make_players(-1), "seed", "a whole number >= 0"),
    "train_many lr_g": (lambda: gl.train_many([0], gl.mixture_1d(), lr_g=-1, progress=False), "lr_g", "> 0"),
    "train_many optimizer_d": (lambda: gl.train_many([0], gl.mixture_1d(), optimizer_d="rmsprop", progress=False),
                               "optimizer_d", "one of"),
    "confident_players target": (lambda: gl.confident_players([0], "bimodal"), "target", "a distribution"),
    "confident_players d_steps": (lambda: gl.confident_players([0], gl.mixture_1d(), d_steps=-1), "d_steps", ">= 0"),
    "confident_players lr_d": (lambda: gl.confident_players([0], gl.mixture_1d(), lr_d=0), "lr_d", "> 0"),
    "gradient_vs_d_steps probe_size": (lambda: gl.gradient_vs_d_steps([0], gl.mixture_1d(), probe_size=0),
                                       "probe_size", ">= 1"),
    "gradient_vs_d_steps optimizer_d": (lambda: gl.gradient_vs_d_steps([0], gl.mixture_1d(), optimizer_d="x"),
                                        "optimizer_d", "one of"),
    "ensemble g_grads g_loss": (lambda: ensemble.g_grads(*ensemble.stack_players([players()]), torch.zeros(1, 4, 1),
                                                         "hinge"), "g_loss", "one of"),
    "train_2d lr_g": (lambda: remedies.train_2d(gl.ring(), lr_g=0, steps=1), "lr_g", "> 0"),
    "train_2d target": (lambda: remedies.train_2d("ring", steps=1), "target", "a distribution"),
    "minibatch_std_feature group_size": (lambda: remedies.minibatch_std_feature(torch.zeros(4, 3), 0), "group_size",
                                         ">= 1"),
    "minibatch_std_feature h": (lambda: remedies.minibatch_std_feature([1.0], 2), "h", "a tensor"),
    "pack x": (lambda: remedies.pack([1.0, 2.0], 2), "x", "a tensor"),
    "sample n": (lambda: gl.sample(td.Normal(0.0, 1.0), 0, torch.Generator()), "n", ">= 1"),
    "sample dist": (lambda: gl.sample(td.Exponential(1.0), 3, torch.Generator()), "dist", "a distribution"),
    "jsd q": (lambda: gl.jsd(td.Normal(0.0, 1.0), gl.ring()), "q", "same dimension as p"),
    "optimal_discriminator p_data": (lambda: gl.optimal_discriminator("a", gl.gaussian(), torch.zeros(2, 1)),
                                     "p_data", "a torch.distributions object"),
    "PlaygroundRun k": (lambda: gl.widgets.PlaygroundRun(view_size=20, k=0), "k", "from 1 to 10"),
    "generator_push g_loss": (lambda: gl.widgets.generator_push(*players(), torch.zeros(4, 1), "hinge"), "g_loss",
                              "one of"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_the_callers_parameter(case):
    call, name, allowed = CASES[case]
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed: {name} must be .*{allowed}"):
        call()
