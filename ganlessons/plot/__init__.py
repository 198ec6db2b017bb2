"""Figures for the lessons. Every function returns a matplotlib Figure (or draws on `ax`);
real data is always REAL-coloured and generated data FAKE-coloured, with a legend.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so a cell shows each one exactly
once: when it is the cell's value or passed to `display`. In a notebook each one carries alt text
saying what it shows (`alt_text`).
"""
from . import accessibility, dynamics, over_runs, players
from ._base import DISC, FAKE, REAL, figure
from .accessibility import alt_text, describe, show_alt_text
from .dynamics import *      # noqa: F401,F403  (each module lists its public names in __all__)
from .over_runs import *     # noqa: F401,F403
from .players import *       # noqa: F401,F403

__all__ = ["REAL", "FAKE", "DISC", "figure", *players.__all__, *over_runs.__all__, *dynamics.__all__,
           *accessibility.__all__]
