"""Remedies for mode collapse as named, documented training options (lesson 08)."""

__all__ = []
