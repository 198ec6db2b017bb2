"""Comfort and accessibility (issue 13): real and generated stay apart in greyscale; every figure
carries alt text that says what it shows, in the notebook's output metadata; long training shows
a progress bar."""
import matplotlib.colors
import nbformat
import pytest
import torch
from nbclient import NotebookClient

import ganlessons as gl
from ganlessons import plot


def lightness(colour):
    """CIELAB L* (0 black … 100 white) of a matplotlib colour."""
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in matplotlib.colors.to_rgb(colour))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_real_and_generated_differ_in_greyscale():
    assert abs(lightness(plot.REAL) - lightness(plot.FAKE)) >= 20, \
        f"REAL and FAKE lightness {lightness(plot.REAL):.0f} and {lightness(plot.FAKE):.0f}: alike in greyscale"


def test_lesson_00s_colour_promise_still_holds():
    hue = lambda colour: matplotlib.colors.rgb_to_hsv(matplotlib.colors.to_rgb(colour))[0]
    assert 0.25 < hue(plot.REAL) < 0.5 and 0.04 < hue(plot.FAKE) < 0.12, "real is green, generated orange"


def test_alt_text_says_what_a_figure_shows():
    gen = torch.Generator().manual_seed(0)
    target = gl.mixture_1d()
    fig = plot.density_1d(target, real=gl.sample(target, 200, gen), fake=torch.randn(200, 1, generator=gen))
    text = plot.alt_text(fig)
    for words in ("horizontal axis x from −4 to 4", "vertical axis density", "real samples", "generated",
                  "real data in dark green", "generated data in light orange"):
        assert words in text, f"{words!r} missing from {text!r}"


def test_alt_text_of_a_figure_of_panels_names_each_panel():
    fig, axes = plot.figure(ncols=2)
    axes[0].plot([0, 1], [0, 1], label="D loss")
    axes[0].set(title="losses", xlabel="step")
    axes[0].legend()
    axes[1].imshow([[0, 1], [1, 0]])
    text = plot.alt_text(fig)
    assert text.startswith("A figure of 2 panels.") and "Panel 1: “losses”; horizontal axis step" in text
    assert "showing D loss" in text and "Panel 2: a picture." in text
    assert plot.alt_text(plot.figure()[0]) == "An empty figure."


def test_a_figure_keeps_its_own_alt_text_and_bad_input_is_named():
    fig, _ = plot.figure()
    assert plot.alt_text(fig, "  Two bumps, one covered. ") == "Two bumps, one covered."
    assert plot.alt_text(fig) == "Two bumps, one covered."
    with pytest.raises(ValueError, match="text"):
        plot.alt_text(fig, "   ")
    with pytest.raises(ValueError, match="fig"):
        plot.alt_text("not a figure")


KERNEL_CELLS = ['''import ganlessons as gl, torch
gen = gl.setup(0)''',
                '''target = gl.mixture_1d()
fig = gl.plot.density_1d(target, real=gl.sample(target, 200, gen))
expected_alt = gl.plot.alt_text(fig)
fig''',
                '''G, D = gl.make_players(0)
history = gl.train_gan(G, D, target, steps=30, seed=0)
print(len(history.d_loss))''',
                '''history = gl.train_gan(G, D, target, steps=30, seed=0, progress=False)
print("quiet")''']


@pytest.fixture(scope="module")
def kernel_outputs():
    """KERNEL_CELLS run top to bottom in a real Jupyter kernel, plus a cell printing the figure's alt text."""
    cells = KERNEL_CELLS + ["print(expected_alt)"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def test_in_a_notebook_every_figure_output_carries_its_alt_text(kernel_outputs):
    nb = kernel_outputs
    figure_output = nb.cells[1].outputs[-1]
    assert "image/png" in figure_output.data and figure_output.data["text/plain"].startswith("<Figure size")
    alt = figure_output.metadata["image/png"]["alt"]
    shown = nb.cells[-1].outputs[0].text.strip()
    assert alt == shown and "real samples" in alt, f"output alt {alt!r}, figure's alt text {shown!r}"


def test_training_shows_a_progress_bar_that_nbval_does_not_compare(kernel_outputs):
    nb = kernel_outputs
    bars = [out for out in nb.cells[2].outputs if out.output_type == "display_data"]
    assert len(bars) == 1, f"train_gan showed {len(bars)} progress bars: {nb.cells[2].outputs}"
    assert set(bars[0].data) == {"application/vnd.jupyter.widget-view+json"}, \
        f"the bar's output has {set(bars[0].data)}: anything but the widget view would be compared by nbval"
    assert bars[0].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert [out.text for out in nb.cells[2].outputs if out.output_type == "stream"] == ["30\n"]
    assert [out.output_type for out in nb.cells[3].outputs] == ["stream"], "progress=False still showed a bar"


def test_outside_a_notebook_the_bar_is_text_on_stderr(capsys):
    from ganlessons.progress import bar
    assert list(bar(range(3), desc="training")) == [0, 1, 2]
    captured = capsys.readouterr()
    assert "training" in captured.err and "3/3" in captured.err and captured.out == ""
    assert list(bar(range(3), desc="quiet", enabled=False)) == [0, 1, 2]
    assert capsys.readouterr().err == ""
