"""ganlessons.models: shapes, logits, reproducible initialisation, clear errors."""
import pytest
import torch

import ganlessons as gl


def test_shapes_and_logits():
    G, D = gl.Generator(z_dim=3, x_dim=2, hidden=(8, 8)), gl.Discriminator(x_dim=2, hidden=(8,))
    x = G(torch.randn(5, 3))
    assert x.shape == (5, 2) and D(x).shape == (5,)
    D.net[-1].bias.data.fill_(50.0)          # logits are not squashed: no sigmoid inside D
    assert D(x).min() > 1.0


def test_linear_generator_with_no_hidden_layer():
    G = gl.Generator(z_dim=10, x_dim=1, hidden=())
    assert len(G.net) == 1 and isinstance(G.net[0], torch.nn.Linear)


def test_explicit_generator_gives_identical_weights_and_default_init_range():
    a = gl.Generator(hidden=(16,), generator=torch.Generator().manual_seed(4))
    b = gl.Generator(hidden=(16,), generator=torch.Generator().manual_seed(4))
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert a.net[2].weight.abs().max() <= 1 / 16 ** 0.5


@pytest.mark.parametrize("call, name", [
    (lambda: gl.Generator(z_dim=0), "z_dim"),
    (lambda: gl.Generator(hidden=(0,)), "hidden"),
    (lambda: gl.Generator(hidden="32"), "hidden"),
    (lambda: gl.Discriminator(activation="softplus"), "activation"),
    (lambda: gl.Discriminator(generator=3), "generator"),
    (lambda: gl.Generator(z_dim=2)(torch.randn(4, 3)), "z"),
    (lambda: gl.Discriminator(x_dim=2)(torch.randn(4)), "x"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* is not allowed"):
        call()
