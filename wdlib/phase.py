"""The collapse threshold, rank staircases and hysteresis (chapter *The critical threshold*)."""

from __future__ import annotations

__all__: list[str] = []
