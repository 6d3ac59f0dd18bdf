"""Figures of the chapter on scalar (see the book)."""

from __future__ import annotations

__all__: list[str] = []
