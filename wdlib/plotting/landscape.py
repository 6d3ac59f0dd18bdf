"""Figures of the chapter on landscape (see the book)."""

from __future__ import annotations

__all__: list[str] = []
