"""Extraction: a segmented :class:`~cchc_cli.document.Document` → one DocumentRecord per document in it.

Plain typed functions, each testable alone: header fields (:mod:`.header`), references
(:func:`find_references`), periods and time frames (:func:`find_period`, :func:`parse_deadline`), targets
(:func:`find_targets`), tasks (:func:`tasks_from_rows`, :func:`tasks_from_lists`), responsibilities
(:func:`find_responsibilities`), unit names (:func:`find_units`, :func:`canonical_unit`).
:func:`extract_records` builds the records from them.
"""

from __future__ import annotations

from ..document import Document, DocumentSpan
from ..records import (
    Deadline,
    DocumentRecord,
    LowConfidenceToken,
    Period,
    RepairSummary,
    SignatureStamp,
    Signer,
    Source,
    SourcePage,
    Task,
    document_id,
)
from ..resources import Resources, load_resources
from ..segment.header import left_column
from ..text import count_syllables
from .header import attached_to, doc_type, issuer, section_tree
from .periods import find_period, parse_deadline
from .references import find_references
from .responsibilities import find_responsibilities
from .targets import find_targets
from .tasks import tasks_from_lists, tasks_from_rows
from .vocab import canonical_unit, find_units

__all__ = [
    "canonical_unit",
    "extract_records",
    "find_period",
    "find_references",
    "find_responsibilities",
    "find_targets",
    "find_units",
    "parse_deadline",
    "tasks_from_lists",
    "tasks_from_rows",
]

CONFIDENCE_DIGITS = 3
# Documents whose period is their tasks' time frame: a plan's tasks are due within it. (A report's period is
# the one it looks back on; the tasks it sets are for the next.)
PLAN_TYPES = frozenset({"KH"})
# A place name several provinces have is placed by the province the document's first lines name.
PROVINCE_CONTEXT_LINES = 60


def extract_records(document: Document, resources: Resources | None = None) -> list[DocumentRecord]:
    """The records of a repaired and segmented document, one per span, in order."""
    resources = resources or load_resources()
    return [_record(document, document.first_position + k, span, resources) for k, span in enumerate(document.spans)]


def _record(document: Document, position: int, span: DocumentSpan, resources: Resources) -> DocumentRecord:
    lines = document.lines
    header = span.header
    warnings = list(span.warnings)
    code, name = doc_type(header, resources)
    if code is None:
        warnings.append(
            f"lines {span.first}-{span.last}: not read as an administrative document: no type word "
            "(KẾ HOẠCH, QUYẾT ĐỊNH, …) and no document number (Số: …) in its header"
        )
    skip = [n for n in (header.number_line, header.stamp.line if header.stamp else None) if n]
    references = find_references(lines, span.first, span.last, resources, skip_lines=skip)
    attached = attached_to(header, resources)
    if header.attached_text and attached is None:
        warnings.append(f"line {header.attached_line}: '(Kèm theo …)' names no document number")
    tasks_warnings: list[str] = []
    tasks = tasks_from_rows(span.rows, tasks_warnings, resources)
    if not tasks:
        # No appendix table: the plan lists its tasks in the outline (never both, so none is counted twice).
        tasks = tasks_from_lists(span.headings, lines, resources)
    warnings += tasks_warnings
    if span.appendix_line and not span.rows:
        warnings.append(f"line {span.appendix_line}: an appendix whose task table could not be rebuilt")
    raw_issuer = " ".join(left_column(document.original_lines[n - 1]) for n in header.issuer_lines)
    context = "\n".join(lines[span.first - 1: min(span.last, span.first + PROVINCE_CONTEXT_LINES)])
    issued_by = issuer(header.issuer_text, resources, raw=raw_issuer, context=context, notes=warnings,
                       line=header.issuer_line)
    if header.issuer_text and issued_by.level is None:
        warnings.append(f"line {header.issuer_line}: issuing body '{header.issuer_text}' not found in the 2025 "
                        "gazetteer")
    if code is not None and header.date is None and attached is None:
        warnings.append(f"lines {span.first}-{span.last}: no date found in the header")
    if code is not None and header.number is None and attached is None:
        warnings.append(f"lines {span.first}-{span.last}: no document number (Số: …) found in the header")
    period = find_period(header.title)
    _time_frames(tasks, period if code in PLAN_TYPES else None)
    stamp = header.stamp
    return DocumentRecord(
        id=document_id("\n".join(document.original_lines[span.first - 1: span.last]), position),
        source=_source(document, span.first, span.last),
        doc_type=code,
        doc_type_name=name,
        number=header.number,
        date=header.date,
        place=header.place,
        signature_stamp=SignatureStamp(number=stamp.number, signed_at=stamp.signed_at, line=stamp.line)
        if stamp else None,
        issuer=issued_by,
        signer=Signer(name=span.closing.signer_name, position=span.closing.signer_position),
        recipients=[*header.addressees, *span.closing.recipients],
        title=header.title,
        period=period,
        attached_to=attached,
        legal_basis=[ref for ref in references if any(p.line <= ref.line <= p.last for p in span.preamble)],
        references=references,
        sections=section_tree(span.headings),
        targets=find_targets(span.headings, resources),
        tasks=tasks,
        responsibilities=find_responsibilities(span, lines, resources),
        repair=_repair_summary(document, span),
        warnings=warnings,
    )


def _time_frames(tasks: list[Task], period: Period | None) -> None:
    """Where each task's time frame comes from: its own (``printed``), else the plan's period (``plan
    period``: a task of a plan for the last 6 months of 2025 that prints no time frame is due within them)."""
    for task in tasks:
        if task.deadline is not None:
            task.deadline_source = "printed"
        elif period is not None and (period.from_ or period.to):
            task.deadline = Deadline(text=period.text, from_=period.from_, to=period.to)
            task.deadline_source = "plan period"


def _repair_summary(document: Document, span: DocumentSpan) -> RepairSummary:
    """What the repair did and doubted on the span's lines."""
    repair = document.repair
    edits = [e for e in repair.edits if span.first <= e.line <= span.last] if repair else []
    flags = [f for f in repair.flags if span.first <= f.line <= span.last] if repair else []
    return RepairSummary(
        syllables=sum(count_syllables(line) for line in document.lines[span.first - 1: span.last]),
        edit_count=len(edits),
        low_confidence_count=len(flags),
        low_confidence=[
            LowConfidenceToken(line=f.line, column=f.column, token=f.token, candidates=list(f.candidates),
                               confidence=round(float(f.confidence), CONFIDENCE_DIGITS))
            for f in flags
        ],
    )


def _source(document: Document, first: int, last: int) -> Source:
    """Where the lines first..last were read; for a PDF, image or DOCX, the pages they lie on."""
    origin = document.origin
    if origin is None:
        return Source(path=document.source, sha256=document.sha256, lines=(first, last))
    pages = [SourcePage(number=p.number, method=p.method, lines=p.lines,
                        confidence=None if p.confidence is None else round(p.confidence, 1))
             for p in origin.pages if p.lines[0] <= last and p.lines[1] >= first]
    return Source(path=document.source, sha256=document.sha256, lines=(first, last), format=origin.format,
                  pages=pages)
