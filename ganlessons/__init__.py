"""ganlessons: the helpers of a Jupyter-first GAN course. Importing it changes nothing global:
lessons call `ganlessons.setup(seed)` once in their first cell.

Modules, in the order the lessons need them: data (targets and noise), models (the players),
losses, train (the two-block step and loop), ensemble (many runs at once), gradients (lesson 05's
probes), metrics, remedies (lesson 08), games (lesson 09), plot, widgets, session, check; for the
digits of lessons 10–11: digits (the data), image_gans (their players and loop), evaluate (the
classifier, Fréchet distance and mode counts), image_views (image grids and the explorer).
"""
from . import check, data, ensemble, games, gradients, losses, metrics, models, plot, remedies, session, train, widgets
from . import digits, evaluate, image_gans, image_views
from .data import *        # noqa: F401,F403  (each module lists its public names in __all__)
from .losses import *      # noqa: F401,F403
from .metrics import *     # noqa: F401,F403
from .models import *      # noqa: F401,F403
from .session import *     # noqa: F401,F403
from .train import *       # noqa: F401,F403
from .gradients import *   # noqa: F401,F403
from .ensemble import ManyHistory, StackedMLP, train_many   # the rest of ensemble is its own: ensemble.d_step …

__version__ = "0.1.0"
__all__ = ["check", "data", "ensemble", "games", "gradients", "losses", "metrics", "models", "plot", "remedies",
           "session", "train", "widgets", "digits", "evaluate", "image_gans", "image_views",
           *data.__all__, *losses.__all__, *metrics.__all__, *models.__all__, *session.__all__,
           *train.__all__, *gradients.__all__, "StackedMLP", "ManyHistory", "train_many"]
