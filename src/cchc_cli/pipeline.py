"""The pipeline: bytes → decode → repair → segment → extract → validated DocumentRecords, one way, over one
:class:`~cchc_cli.document.Document`.

:func:`ingest_text` is the library entry point (``cchc_cli.ingest_text``); ``cchc ingest`` decodes each
file and runs it (:mod:`cchc_cli.batch`). Repair runs first and segmentation reads the repaired text, which keeps the
input's lines, so every line number in a record is a line of the input.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .document import Document
from .extract import extract_records
from .records import DocumentRecord
from .repair import get_repairer
from .resources import Resources, load_resources
from .segment import segment

__all__ = ["ingest_document", "ingest_text"]


def ingest_document(document: Document, resources: Resources | None = None) -> list[DocumentRecord]:
    """Repair (unless already repaired), segment and extract `document`; its records, in order."""
    resources = resources or load_resources()
    if not document.text.strip():
        return []
    if document.repair is None:
        document.repair = get_repairer(resources).repair_text(document.text)
    segment(document, resources)
    return extract_records(document, resources)


def ingest_text(
    text: str,
    source: str | None = None,
    *,
    dictionaries: list[Path] | None = None,
    resources: Resources | None = None,
    sha256: str | None = None,
) -> list[DocumentRecord]:
    """The documents of `text` (one OCR'd file) as records, in order. An empty or blank text gives none.

    `source` is the path recorded in each record's ``source.path``; `sha256` the digest of the bytes the
    text was decoded from (the CLI passes it; through the API it is usually unknown and stays null).
    `dictionaries`: the user's term files (or `resources` loaded once with :func:`cchc_cli.load_resources`).
    """
    if resources is not None and dictionaries:
        raise ValueError("give dictionaries or resources, not both")
    resources = resources or load_resources(dictionaries)
    return ingest_document(Document(unicodedata.normalize("NFC", text), source, sha256), resources)

