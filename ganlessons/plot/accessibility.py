"""Alt text for every figure of the course: what it shows, in words, for screen readers and the
rendered course (issue 13).

`describe(fig)` builds it from what the figure's panels hold (titles, axes and their ranges,
legend entries, pictures, and which colour is real and which generated); `alt_text(fig, text)`
sets a figure's own. In a notebook, `show_alt_text()` (called by `gl.setup`) makes every figure's
PNG output carry it in its metadata (`image/png` → `alt`, the field IPython's `Image(alt=…)` and
nbconvert use); nbval does not compare metadata, so stored outputs stay stable."""
from matplotlib.figure import Figure

from .. import _validate as validate
from ._base import FAKE, REAL

__all__ = ["alt_text", "describe", "show_alt_text"]

COLOUR_NAMES = {REAL: "dark green", FAKE: "light orange"}
REAL_WORDS, FAKE_WORDS = ("real", "p_data", "target", "data"), ("generated", "fake", "g(z)", "p_g")


def _number(value):
    """A number as a reader would say it: at most 2 significant digits, a real minus sign."""
    return f"{value:.2g}".replace("-", "−")


def _axis(name, label, limits, scale):
    """'horizontal axis x from −4 to 4' (None when the axis has no label)."""
    if not label:
        return None
    lo, hi = limits
    return f"{name} axis {label} from {_number(lo)} to {_number(hi)}" + ("" if scale == "linear" else f", {scale} scale")


def _panel(ax):
    """What one panel shows: its title, its axes, its legend, its pictures."""
    parts = [f"“{ax.get_title()}”"] if ax.get_title() else []
    parts += [part for part in (_axis("horizontal", ax.get_xlabel(), ax.get_xlim(), ax.get_xscale()),
                                _axis("vertical", ax.get_ylabel(), ax.get_ylim(), ax.get_yscale())) if part]
    legend = ax.get_legend()
    if legend is not None and legend.get_texts():
        parts.append("showing " + ", ".join(text.get_text() for text in legend.get_texts()))
    if ax.images:
        parts.append("a picture" if len(ax.images) == 1 else f"{len(ax.images)} pictures")
    return "; ".join(parts)


def _legend_words(fig):
    """Every legend entry of the figure, in lower case."""
    return " ".join(text.get_text().lower() for ax in fig.axes if ax.get_legend() is not None
                    for text in ax.get_legend().get_texts())


def describe(fig):
    """Alt text for a figure, built from what its panels hold (lesson 00)."""
    axes = [ax for ax in fig.axes if ax.get_visible() and (ax.has_data() or ax.images or ax.get_title())]
    panels = [_panel(ax) or "a panel without labels" for ax in axes]
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    if not panels:
        text = "An empty figure."
    elif len(panels) == 1:
        text = f"A figure: {panels[0]}."
    else:
        text = f"A figure of {len(panels)} panels. " + " ".join(f"Panel {i}: {p}." for i, p in enumerate(panels, 1))
    words = _legend_words(fig)
    colours = [f"{kind} in {COLOUR_NAMES[colour]}" for kind, colour, keys in
               (("real data", REAL, REAL_WORDS), ("generated data", FAKE, FAKE_WORDS)) if any(k in words for k in keys)]
    return (f"{title}. " if title else "") + text + (f" Colours: {' and '.join(colours)}." if colours else "")


def alt_text(fig, text=None):
    """The figure's alt text: set it to `text` when given; else the figure's own, or `describe(fig)` (lesson 00)."""
    if not isinstance(fig, Figure):
        validate.fail("fig", repr(fig)[:60], "a matplotlib Figure")
    if text is not None:
        if not isinstance(text, str) or not text.strip():
            validate.fail("text", repr(text)[:60], "a sentence saying what the figure shows")
        fig._ganlessons_alt = text.strip()
    return getattr(fig, "_ganlessons_alt", None) or describe(fig)


def _png_with_alt(png):
    """The PNG printer `png`, returning (data, {"alt": …}) so the output's metadata carries the alt text."""
    def printer(fig):
        data = png(fig)
        return None if data is None else (data, {"alt": alt_text(fig)})
    printer.adds_alt_text = True
    return printer


def show_alt_text():
    """In a notebook, give every figure's PNG output its alt text (in the output's metadata) (lesson 00)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        png = formatter.lookup_by_type(Figure)
    except KeyError:
        return False                          # figures are not shown as PNG here (e.g. %matplotlib widget)
    if not getattr(png, "adds_alt_text", False):
        formatter.for_type(Figure, _png_with_alt(png))
    return True
