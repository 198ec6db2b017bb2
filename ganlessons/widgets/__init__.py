"""Interactive ipywidgets apps: the GAN playground (lesson 04) and the Dirac-GAN explorer (lesson 09).

- `run` — the playground's training run, headless: settings, players, stepping (`PlaygroundRun`);
- `view` — its figure: the panels, updated by blitting (`PlaygroundView`);
- `playground` — the app: controls, buttons, Play/Pause on the kernel's event loop (`Playground`);
- `ipympl_adapter` — the only code that touches ipympl's internals;
- `dirac` — the Dirac-GAN explorer.
Each app also works without a display, which is how the tests drive it.
"""
from .dirac import dirac_explorer, dirac_figure
from .playground import Playground
from .run import DATASETS, DEFAULTS, SETTINGS, PlaygroundRun, d_star_1d, generator_push, kde_1d, playground_target
from .view import PlaygroundView

__all__ = ["DATASETS", "DEFAULTS", "SETTINGS", "playground_target", "kde_1d", "d_star_1d", "generator_push",
           "PlaygroundRun",
           "PlaygroundView", "Playground", "dirac_figure", "dirac_explorer"]
