"""Exceptional targets and certificates of global optimality (chapters *A unique end-to-end minimizer* and *Frobenius-norm invariance*)."""

from __future__ import annotations

__all__: list[str] = []
