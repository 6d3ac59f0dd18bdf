"""Noisy targets and the optimal regularization (chapter *Gradient descent in practice*)."""

from __future__ import annotations

__all__: list[str] = []
