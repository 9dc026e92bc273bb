"""cchc: repair, segment and extract Vietnamese administrative-reform (CCHC) documents from OCR text.

The public API is imported lazily so that ``cchc --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

__all__ = ["Document", "DocumentRecord", "Edit", "Flag", "RepairResult", "Resources", "__version__", "apply_edits",
           "ingest_text", "load_resources", "repair_file", "repair_lines", "repair_text", "repair_tree"]

if TYPE_CHECKING:
    from .document import Document, Edit, Flag, RepairResult, apply_edits
    from .pipeline import ingest_text
    from .records import DocumentRecord
    from .repair import repair_lines, repair_text
    from .repair.files import repair_file, repair_tree
    from .resources import Resources, load_resources

# name → the module that defines it
_HOMES = {
    "Document": "document", "Edit": "document", "Flag": "document", "RepairResult": "document",
    "apply_edits": "document", "ingest_text": "pipeline", "DocumentRecord": "records", "repair_lines": "repair",
    "repair_text": "repair", "repair_file": "repair.files", "repair_tree": "repair.files",
    "Resources": "resources", "load_resources": "resources",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cchc_cli' has no attribute {name!r}")
    return getattr(import_module(f".{home}", __name__), name)
