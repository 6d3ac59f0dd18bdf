"""Figures of the chapter on schatten (see the book)."""

from __future__ import annotations

__all__: list[str] = []
