"""ganlessons: the helpers of a Jupyter-first GAN course. Importing it changes nothing global:
lessons call `ganlessons.setup(seed)` once in their first cell."""
from . import check, data, games, losses, metrics, models, plot, remedies, session, train, widgets
from . import digits, evaluate, image_gans, image_views   # lessons 10-11: handwritten digits
from .data import *        # noqa: F401,F403  (each module lists its public names in __all__)
from .losses import *      # noqa: F401,F403
from .metrics import *     # noqa: F401,F403
from .models import *      # noqa: F401,F403
from .session import *     # noqa: F401,F403
from .train import *       # noqa: F401,F403

__version__ = "0.1.0"
__all__ = ["check", "data", "games", "losses", "metrics", "models", "plot", "remedies", "session", "train",
           "widgets", "digits", "evaluate", "image_gans", "image_views",
           *data.__all__, *losses.__all__, *metrics.__all__, *models.__all__, *session.__all__,
           *train.__all__]
