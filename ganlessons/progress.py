"""Progress bars for training runs (lesson 01), so a cell that trains for more than a few seconds
shows that it is working.

In a notebook the bar is tqdm's widget, displayed as a widget view only: its output carries no
text/plain, so nbval (which does not compare widget views) compares the cell's other output as if
the bar were not there, and stored outputs stay the same whether or not a bar was shown. Elsewhere
(a script, a test) it is tqdm's text bar on stderr.
"""
import sys

from tqdm import tqdm as text_bar

__all__ = ["bar"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _in_kernel():
    """Whether this runs in a Jupyter kernel (where a widget can be shown)."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def _widget_bar(iterable, total, desc):
    """tqdm's notebook bar, shown as a widget view without a text repr; None without ipywidgets."""
    try:
        from IPython.display import display
        from tqdm.notebook import tqdm as notebook_bar
        shown = notebook_bar(iterable, total=total, desc=desc, display=False, mininterval=0.5)
    except Exception:                       # no ipywidgets (tqdm raises ImportError or its own error)
        return None
    display({WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": shown.container.model_id}}, raw=True)
    return shown


def bar(iterable, *, desc, total=None, enabled=True):
    """`iterable` with a progress bar labelled `desc` over `total` items (default: its length) (lesson 01)."""
    if not enabled:
        return iterable
    shown = _widget_bar(iterable, total, desc) if _in_kernel() else None
    return shown if shown is not None else text_bar(iterable, total=total, desc=desc, mininterval=0.5, file=sys.stderr)
