"""Figures of the chapter on rescaling (see the book)."""

from __future__ import annotations

__all__: list[str] = []
