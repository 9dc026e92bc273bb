"""cchc: repair, segment and extract Vietnamese administrative-reform (CCHC) documents from OCR text.

The public API is imported lazily so that ``cchc --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "repair_text", "repair_lines", "RepairResult", "Edit", "Flag", "ingest_text",
           "DocumentRecord"]

if TYPE_CHECKING:
    from .ingest import ingest_text
    from .records import DocumentRecord
    from .repair import Edit, Flag, RepairResult, repair_lines, repair_text


def __getattr__(name: str) -> Any:
    if name in {"repair_text", "repair_lines", "RepairResult", "Edit", "Flag"}:
        from . import repair

        return getattr(repair, name)
    if name == "ingest_text":
        from .ingest import ingest_text

        return ingest_text
    if name == "DocumentRecord":
        from .records import DocumentRecord

        return DocumentRecord
    raise AttributeError(f"module 'cchc_cli' has no attribute {name!r}")
