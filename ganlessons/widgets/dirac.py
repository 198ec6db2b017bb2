"""The Dirac-GAN explorer (lesson 09): sliders for the step size and the R1 weight γ and a scheme
toggle, redrawing the Dirac-GAN's vector field and one trajectory on it."""
import ipywidgets as w

from .. import games, plot

__all__ = ["dirac_figure", "dirac_explorer"]


def dirac_figure(lr=0.1, gamma=0.0, scheme="simultaneous", steps=200, start=(1.0, 1.0), lim=2.5):
    """The Dirac-GAN's vector field with R1 weight γ and one trajectory on it: the explorer's view (lesson 09)."""
    path = games.dirac_trajectory(start, lr=lr, steps=steps, scheme=scheme, regulariser="r1", gamma=gamma)
    fig, ax = plot.figure(width=4.2, height=4.2)
    plot.vector_field(lambda t, p: games.dirac_field(t, p, regulariser="r1", gamma=gamma), lim=lim, ax=ax,
                      labels=("θ (the generator's point)", "ψ (the discriminator's slope)"))
    plot.trajectory(path, ax=ax, label=f"{scheme}, step {lr:.3g}, γ = {gamma:.3g}")
    ax.set_title(f"distance to (0, 0) after {steps} steps: {games.distance_to_origin(path):.3g}", fontsize=9)
    return fig


def dirac_explorer(steps=200, start=(1.0, 1.0), lim=2.5):
    """Sliders for the step size and the R1 weight γ and a scheme toggle, redrawing the Dirac-GAN (lesson 09).

    Returns the app (an ipywidgets VBox); `app.controls` holds the widgets by name ("lr", "gamma",
    "scheme") and `app.figure` the figure drawn last, so it can be driven without a display.
    """
    controls = {"lr": w.FloatLogSlider(value=0.1, base=10, min=-2, max=0, step=0.1, description="step size"),
                "gamma": w.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="R1 γ"),
                "scheme": w.ToggleButtons(options=games.SCHEMES, value="simultaneous")}
    out = w.Output()
    app = w.VBox([w.HBox([controls["lr"], controls["gamma"]]), controls["scheme"], out])
    app.controls = controls

    def redraw(_=None):
        app.figure = dirac_figure(**{k: c.value for k, c in controls.items()}, steps=steps, start=start, lim=lim)
        out.outputs = ()
        out.append_display_data(app.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return app
