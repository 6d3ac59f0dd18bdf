"""Figures of the chapter on training (see the book)."""

from __future__ import annotations

__all__: list[str] = []
