"""Interactive ipywidgets apps: the GAN playground (lesson 04) and the Dirac-GAN explorer (lesson 09).

Each app also works headlessly (no display needed), which is how the tests drive it.
"""

__all__ = []
