"""Repair stage: OCR'd Vietnamese text → correct Vietnamese text, with a log of edits and flags.

:func:`repair_text` and :func:`repair_lines` work on text; :func:`repair_file` and :func:`repair_tree` on
files and folders, as ``cchc repair`` does (:mod:`.files`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import REASONS, Edit, Flag, RepairResult, apply_edits
from ..resources import Resources, load_resources

if TYPE_CHECKING:
    from .engine import Repairer

__all__ = ["REASONS", "Edit", "Flag", "RepairResult", "apply_edits", "get_repairer", "repair_file", "repair_lines",
           "repair_text", "repair_tree"]


@lru_cache(maxsize=8)
def _repairer(resources: Resources) -> Repairer:
    from .engine import Repairer

    return Repairer(resources)


def get_repairer(resources: Resources | None = None) -> Repairer:
    """The shared engine for these resources (default: the built-in data; loaded once, then cached)."""
    return _repairer(resources or load_resources())


def _resources(dictionaries: list[Path] | None, resources: Resources | None) -> Resources:
    if resources is not None and dictionaries:
        raise ValueError("give dictionaries or resources, not both")
    return resources or load_resources(dictionaries)


def repair_text(text: str, *, dictionaries: list[Path] | None = None, resources: Resources | None = None
                ) -> RepairResult:
    """Repair a whole document. Lines split on "\\n" only; everything outside repaired tokens is kept.

    `dictionaries`: the user's term files (or pass `resources` loaded once, :func:`cchc_cli.load_resources`)."""
    return get_repairer(_resources(dictionaries, resources)).repair_text(text)


def repair_lines(lines: Iterable[str], *, dictionaries: list[Path] | None = None,
                 resources: Resources | None = None) -> Iterator[str]:
    """Repair a stream of lines (each with or without its "\\n"), in bounded windows, yielding lines."""
    return get_repairer(_resources(dictionaries, resources)).repair_lines(lines)


def __getattr__(name: str) -> Any:
    if name in {"repair_file", "repair_tree"}:
        from . import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
