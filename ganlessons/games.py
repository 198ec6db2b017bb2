"""Small games that show (non-)convergence: the bilinear game x·y and the Dirac-GAN (lesson 09)."""

__all__ = []
