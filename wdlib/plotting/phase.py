"""Figures of the chapter on phase (see the book)."""

from __future__ import annotations

__all__: list[str] = []
