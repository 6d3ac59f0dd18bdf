"""Minimum-norm factorizations by an independent optimizer (chapter *Balanced factors and the Schatten quasi-norm*)."""

from __future__ import annotations

__all__: list[str] = []
