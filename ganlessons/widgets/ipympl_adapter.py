"""The one place that touches ipympl's internals, so a new ipympl breaks one small file.

Tested with ipympl 0.10.0 (ipywidgets 8.1.9, matplotlib 3.11.2, JupyterLab 4): the browser test
(tests/test_browser.py) renders the playground through this canvas. It relies on three things
ipympl does not document: `FigureManager(canvas, num)` wires a bare Canvas to the kernel's comm,
`canvas._size` is the pixel size the front end draws at (ipympl sets it itself only when a
canvas is displayed on its own, not inside a VBox), and the header/footer/toolbar traits.
"""
import warnings

__all__ = ["TESTED_WITH", "attach_canvas"]           # (and pretend_browser_attached, for benchmarks)

TESTED_WITH = {"ipympl": ("0.9.4", "0.10.0")}      # the oldest pyproject.toml allows, and this machine's


def attach_canvas(figure):
    """Give `figure` an ipympl canvas: a live widget in JupyterLab that still renders (Agg) headless (lesson 04).

    Returns the canvas, which is also `figure.canvas` and can be put in an ipywidgets layout."""
    from ipympl.backend_nbagg import Canvas, FigureManager
    canvas = Canvas(figure)
    with warnings.catch_warnings():            # ipympl's toolbar passes traitlets an extra argument
        warnings.simplefilter("ignore", DeprecationWarning)
        FigureManager(canvas, 0)
    canvas.header_visible, canvas.footer_visible, canvas.toolbar_visible = False, False, False
    canvas.resizable = False
    canvas._size = tuple(figure.bbox.size)     # what ipympl sets when a canvas itself is displayed
    return canvas


def pretend_browser_attached(canvas):
    """Tell the canvas a front end is listening (ipympl's "initialized" message), as a browser does:
    then it really renders and sends every frame (benchmarks/playground.py times that)."""
    canvas._handle_message(canvas, {"type": "initialized"}, [])
