"""Repair stage: OCR'd Vietnamese text → correct Vietnamese text, with a log of edits and flags."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .types import REASONS, Edit, Flag, RepairResult

__all__ = ["REASONS", "Edit", "Flag", "RepairResult", "repair_text", "repair_lines", "get_repairer"]


def get_repairer(dictionaries: list[Path] | None = None):
    """The shared engine for these user dictionaries (loaded once, then cached)."""
    from .engine import get_repairer as _get

    return _get(tuple(dictionaries or ()))


def repair_text(text: str, *, dictionaries: list[Path] | None = None) -> RepairResult:
    """Repair a whole document. Lines split on "\\n" only; everything outside repaired tokens is kept."""
    return get_repairer(dictionaries).repair_text(text)


def repair_lines(lines: Iterable[str], *, dictionaries: list[Path] | None = None) -> Iterator[str]:
    """Repair a stream of lines (each with or without its "\\n"), in bounded windows, yielding lines."""
    return get_repairer(dictionaries).repair_lines(lines)
