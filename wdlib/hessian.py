"""Second-order information of F (filled in by the curvature chapters)."""

from __future__ import annotations

__all__: list[str] = []
