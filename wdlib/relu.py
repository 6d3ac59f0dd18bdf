"""A two-layer ReLU network trained with weight decay (chapter *The rescaling puzzle*)."""

from __future__ import annotations

__all__: list[str] = []
