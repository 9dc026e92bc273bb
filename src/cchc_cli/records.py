"""The records ``cchc ingest`` produces: the public contract other tools consume.

Pydantic v2 models; their JSON field names are fixed by issue 3 and published as a JSON Schema
(:func:`document_record_schema`, ``cchc schema``) with ``$schema`` draft 2020-12 and
``$id`` = ``urn:cchc:document-record:<schema_version>``. Change a field name or meaning → bump
:data:`SCHEMA_VERSION`.

Conventions: every text is NFC; dates are ISO ``YYYY-MM-DD`` strings (kept as text so an impossible printed
date can still be reported by ``cchc validate`` later rather than refused here); every element found in the
text carries ``line``, the 1-based line of the input where it starts (the repaired text keeps the lines of
the input). ``period`` and ``deadline`` use the JSON name ``from`` (a Python keyword): the attribute is
``from_``, and records must be dumped with ``by_alias=True`` (:meth:`DocumentRecord.to_json_dict` does).
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .resources import task_area_codes

__all__ = [
    "SCHEMA_VERSION",
    "AttachedTo",
    "DocumentRecord",
    "Deadline",
    "Issuer",
    "LowConfidenceToken",
    "Period",
    "Reference",
    "RepairSummary",
    "Responsibility",
    "Section",
    "SignatureStamp",
    "Signer",
    "Source",
    "SourcePage",
    "Target",
    "Task",
    "document_id",
    "document_record_schema",
]

SCHEMA_VERSION = "1.3"  # 1.1: repair.syllables; 1.2: source.format, source.pages; 1.3: tasks[].deadline_source,
# responsibilities[].units
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# The task area codes: those of dictionaries/task_areas.yaml, then "other".
TASK_AREAS = task_area_codes()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourcePage(_Model):
    """A page of a PDF, image or DOCX the document's text was read from."""

    number: int = Field(description="1-based page of the file")
    method: Literal["text-layer", "text-layer-repaired", "ocr", "docx"] = Field(
        description="text-layer: the PDF's own text, already Vietnamese; text-layer-repaired: an English-OCR text "
                    "layer repaired as OCR text; ocr: the page image read by Tesseract vie; docx: a Word file")
    confidence: float | None = Field(default=None, description="the OCR's mean word confidence, 0-100")
    lines: tuple[int, int] = Field(description="[first, last] 1-based lines of the page in the extracted text")


class Source(_Model):
    """Where the document was read: the file (``null`` through the API), the bytes' sha256, its line span;
    for a PDF, image or DOCX, the format and the pages (line numbers refer to the text extracted from it)."""

    path: str | None = None
    sha256: str | None = Field(default=None, description="sha256 of the bytes read; null through the API")
    lines: tuple[int, int] = Field(description="[first, last] 1-based lines of this document in the file")
    format: Literal["text", "pdf-text", "pdf-ocr", "image-ocr", "docx"] = Field(
        default="text", description="text: a text file; pdf-text: a PDF's text layers; pdf-ocr: a PDF whose pages "
                                    "(some or all) were OCR'd; image-ocr: page images OCR'd; docx: a Word file")
    pages: list[SourcePage] = Field(default=[], description="the pages this document's lines lie on (not text)")


class SignatureStamp(_Model):
    """A digital-signature stamp line: ``Số: 464/QĐ-UBND; 13/08/2025; 7:54:41 +07:00``."""

    number: str | None = None
    signed_at: str | None = Field(default=None, description="ISO 8601 date-time with offset when printed")
    line: int


class Issuer(_Model):
    name: str | None = None
    level: str | None = Field(default=None, description="xã, phường, đặc khu, tỉnh, thành phố, sở, bộ, …")
    province: str | None = None


class Signer(_Model):
    name: str | None = None
    position: str | None = None


class Period(_Model):
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    text: str


class AttachedTo(_Model):
    doc_type: str | None = None
    number: str | None = None
    date: str | None = None


class Reference(_Model):
    """A document cited: ``Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ …``."""

    kind: str | None = Field(default=None, description="the type as printed: Nghị quyết, Luật, Công văn, …")
    number: str | None = None
    date: str | None = None
    issuer: str | None = None
    title: str | None = None
    line: int


class Section(_Model):
    kind: str = Field(description="phan, roman, number, letter or article")
    label: str = Field(description="as printed, without the final dot or parenthesis: I, 2.1, đ, 1")
    title: str
    level: int = Field(description="depth in the outline, 1 for the top")
    line: int
    children: list[Section] = []


class Target(_Model):
    label: str | None = None
    text: str
    indicator: str | None = Field(default=None, description="PAR INDEX, SIPAS, PAPI, PCI, DTI … when named")
    comparator: str | None = Field(default=None, description="≥, ≤ or =")
    value: float | None = None
    unit: str | None = None
    deadline: str | None = None
    line: int


class Deadline(_Model):
    text: str
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None


class Task(_Model):
    stt: int | None = None
    group: str | None = None
    area: str = Field(default="other", description="one of " + ", ".join(TASK_AREAS))
    content: str
    lead_unit: str | None = Field(default=None, description="as printed (repaired)")
    lead_units: list[str] = Field(default=[], description="canonical names")
    cooperating_units: list[str] = Field(default=[], description="canonical names")
    output: str | None = None
    deadline: Deadline | None = None
    deadline_source: Literal["printed", "plan period"] | None = Field(
        default=None, description="printed: the task's own time frame; plan period: the task prints none and "
                                  "takes the plan's period; null: no deadline (or a record before 1.3)")
    line: int


class Responsibility(_Model):
    unit: str = Field(description="as printed (repaired)")
    units: list[str] = Field(default=[], description="canonical names (dictionaries/units.yaml) of the units "
                                                     "`unit` names; empty when none is known (or before 1.3)")
    duties: list[str] = []
    line: int


class LowConfidenceToken(_Model):
    line: int
    column: int
    token: str
    candidates: list[str] = []
    confidence: float


class RepairSummary(_Model):
    edit_count: int = 0
    low_confidence_count: int = 0
    low_confidence: list[LowConfidenceToken] = []
    syllables: int = Field(
        default=0,
        description="syllables (runs of letters and digits) of the document's text, the denominator of the "
        "low-confidence share; 0 when unknown",
    )


class DocumentRecord(_Model):
    """One administrative document read from a file."""

    id: str = Field(description="sha256 of the NFC text of the document and its position in the file")
    schema_version: str = SCHEMA_VERSION
    source: Source
    doc_type: str | None = Field(default=None, description="abbreviation of Decree 30/2020/NĐ-CP; CV: công văn")
    doc_type_name: str | None = None
    number: str | None = None
    date: str | None = None
    place: str | None = None
    signature_stamp: SignatureStamp | None = None
    issuer: Issuer = Issuer()
    signer: Signer = Signer()
    recipients: list[str] = []
    title: str | None = None
    period: Period | None = None
    attached_to: AttachedTo | None = None
    legal_basis: list[Reference] = []
    references: list[Reference] = []
    sections: list[Section] = []
    targets: list[Target] = []
    tasks: list[Task] = []
    responsibilities: list[Responsibility] = []
    repair: RepairSummary = RepairSummary()
    warnings: list[str] = []

    def to_json_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data with the contract's names (``from``, not ``from_``)."""
        return self.model_dump(mode="json", by_alias=True)


def document_id(document_text: str, position: int) -> str:
    """A stable id: the same document text (after NFC) at the same position in its file → the same id,
    whatever encoding the file was read from."""
    digest = hashlib.sha256()
    digest.update(f"cchc-document:{position}\n".encode())
    digest.update(unicodedata.normalize("NFC", document_text).encode("utf-8"))
    return digest.hexdigest()


def document_record_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one DocumentRecord, as ``cchc schema`` prints it."""
    schema = DocumentRecord.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"urn:cchc:document-record:{SCHEMA_VERSION}",
        **schema,
    }
