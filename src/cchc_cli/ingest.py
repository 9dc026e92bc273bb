"""The ingest pipeline: text → repair → segment → extract → validated DocumentRecords.

:func:`ingest_text` is the library entry point (``cchc_cli.ingest_text``); ``cchc ingest`` is a thin shell
around it. Repair runs first and segmentation reads the repaired text, which keeps the input's lines, so
every line number in a record is a line of the input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .extract.items import find_responsibilities, find_targets, tasks_from_lists, tasks_from_rows
from .extract.periods import find_period
from .extract.references import SYMBOL_RE, find_references
from .extract.text import clean_space, fold
from .extract.vocab import doc_types
from .metrics import TOKEN as SYLLABLE_RE
from .records import (
    AttachedTo,
    DocumentRecord,
    Issuer,
    LowConfidenceToken,
    RepairSummary,
    Section,
    SignatureStamp,
    Signer,
    Source,
    document_id,
)
from .segment import DocumentSpan, Heading, segment_lines

__all__ = ["ingest_text", "records_from_repaired"]


def ingest_text(
    text: str,
    source: str | None = None,
    *,
    dictionaries: list[Path] | None = None,
    sha256: str | None = None,
) -> list[DocumentRecord]:
    """The documents of `text` (one OCR'd file) as records, in order. An empty or blank text gives none.

    `source` is the path recorded in each record's ``source.path``; `sha256` the digest of the bytes the
    text was decoded from (the CLI passes it; through the API it is usually unknown and stays null).
    """
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        return []
    from .repair import repair_text

    repaired = repair_text(text, dictionaries=dictionaries)
    return records_from_repaired(
        text, repaired.text, edits=repaired.edits, flags=repaired.flags, source=source, sha256=sha256,
        dictionaries=dictionaries or [],
    )


def records_from_repaired(
    original: str,
    repaired: str,
    *,
    edits: Sequence = (),
    flags: Sequence = (),
    source: str | None = None,
    sha256: str | None = None,
    dictionaries: Sequence[Path] = (),
) -> list[DocumentRecord]:
    """Segment and extract an already repaired text (`original` gives the ids: the NFC input)."""
    original_lines = original.split("\n")
    lines = repaired.split("\n")
    # Trailing blank lines belong to no document.
    while lines and not lines[-1].strip():
        lines.pop()
    records = []
    for position, span in enumerate(segment_lines(lines, dictionaries=dictionaries)):
        doc_text = "\n".join(original_lines[span.first - 1: span.last])
        record = _record(lines, span, dictionaries)
        record.id = document_id(doc_text, position)
        record.source = Source(path=source, sha256=sha256, lines=(span.first, span.last))
        doc_edits = [e for e in edits if span.first <= e.line <= span.last]
        doc_flags = [f for f in flags if span.first <= f.line <= span.last]
        record.repair = RepairSummary(
            syllables=sum(len(SYLLABLE_RE.findall(line)) for line in lines[span.first - 1: span.last]),
            edit_count=len(doc_edits),
            low_confidence_count=len(doc_flags),
            low_confidence=[
                LowConfidenceToken(line=f.line, column=f.column, token=f.token, candidates=list(f.candidates),
                                   confidence=round(float(f.confidence), 3))
                for f in doc_flags
            ],
        )
        records.append(DocumentRecord.model_validate(record.model_dump(by_alias=True)))
    return records


def _record(lines: list[str], span: DocumentSpan, dictionaries: Sequence[Path]) -> DocumentRecord:
    header = span.header
    warnings = list(span.warnings)
    doc_type, doc_type_name = _doc_type(header.type_word, header.number, header.title, dictionaries)
    if doc_type is None:
        warnings.append(
            f"lines {span.first}-{span.last}: not read as an administrative document: no type word "
            "(KẾ HOẠCH, QUYẾT ĐỊNH, …) and no document number (Số: …) in its header"
        )
    skip = [n for n in (header.number_line, header.stamp.line if header.stamp else None) if n]
    references = find_references(lines, span.first, span.last, skip_lines=skip)
    legal_basis = [
        ref for ref in references
        if any(p.line <= ref.line <= p.last for p in span.preamble)
    ]
    attached = None
    if header.attached_text:
        cited = find_references([header.attached_text], 1, 1, laws=False)
        if cited:
            attached = AttachedTo(doc_type=_abbr(cited[0].kind, dictionaries) or _abbr_of_symbol(cited[0].number),
                                  number=cited[0].number, date=cited[0].date)
        else:
            warnings.append(f"line {header.attached_line}: '(Kèm theo …)' names no document number")
    sections = _tree(span.headings)
    period = find_period(header.title)
    tasks_warnings: list[str] = []
    tasks = tasks_from_rows(span.rows, tasks_warnings)
    if not tasks:
        # No appendix table: the plan lists its tasks in the outline (never both, so none is counted twice).
        tasks = tasks_from_lists(lines, span.headings)
    warnings += tasks_warnings
    if span.appendix_line and not span.rows:
        warnings.append(f"line {span.appendix_line}: an appendix whose task table could not be rebuilt")
    issuer = _issuer(header.issuer_text)
    if header.issuer_text and issuer.level is None:
        warnings.append(f"line {header.issuer_line}: issuing body '{header.issuer_text}' not found in the 2025 "
                        "gazetteer")
    if doc_type is not None and header.date is None and attached is None:
        warnings.append(f"lines {span.first}-{span.last}: no date found in the header")
    stamp = None
    if header.stamp:
        stamp = SignatureStamp(number=header.stamp.number, signed_at=header.stamp.signed_at, line=header.stamp.line)
    return DocumentRecord(
        id="",
        source=Source(lines=(span.first, span.last)),
        doc_type=doc_type,
        doc_type_name=doc_type_name,
        number=header.number,
        date=header.date,
        place=header.place,
        signature_stamp=stamp,
        issuer=issuer,
        signer=Signer(name=span.closing.signer_name, position=span.closing.signer_position),
        recipients=[*header.addressees, *span.closing.recipients],
        title=header.title,
        period=period,
        attached_to=attached,
        legal_basis=legal_basis,
        references=references,
        sections=sections,
        targets=find_targets(lines, span.headings),
        tasks=tasks,
        responsibilities=find_responsibilities(lines, span.headings),
        warnings=warnings,
    )


def _doc_type(type_word: str | None, number: str | None, title: str | None,
              dictionaries: Sequence[Path]) -> tuple[str | None, str | None]:
    if type_word:
        folded = fold(clean_space(type_word))
        for dt in doc_types(dictionaries):
            if dt.folded == folded:
                return dt.abbr, dt.name
    if number:
        # A công văn prints no type word; its symbol has no type code ("123/UBND-VP").
        abbr = _abbr_of_symbol(number)
        if abbr is None:
            return "CV", "Công văn"
        for dt in doc_types(dictionaries):
            if dt.abbr == abbr:
                return dt.abbr, dt.name
    return None, None


def _abbr(kind: str | None, dictionaries: Sequence[Path]) -> str | None:
    if not kind:
        return None
    folded = fold(kind)
    for dt in doc_types(dictionaries):
        if dt.folded == folded:
            return dt.abbr
    return None


def _abbr_of_symbol(number: str | None) -> str | None:
    """The type code of a symbol: '95/QĐ-UBND' → 'QĐ', '118/2025/NĐ-CP' → 'NĐ', '57-NQ/TW' → 'NQ'."""
    if not number or not SYMBOL_RE.fullmatch(number):
        return None
    from .extract.vocab import doc_types as _types

    codes = {dt.abbr for dt in _types() if dt.abbr}
    for part in re.split(r"[/-]", number):
        if part in codes:
            return part
    return None


def _issuer(text: str | None) -> Issuer:
    """'ỦY BAN NHÂN DÂN ĐẶC KHU BẠCH LONG VĨ' → Ủy ban nhân dân đặc khu Bạch Long Vĩ, level đặc khu, its province
    (checked against the 2025 gazetteer)."""
    if not text:
        return Issuer()
    from .dictionary import places

    folded = fold(clean_space(text))
    body = "Ủy ban nhân dân" if "uy ban nhan dan" in folded else None
    prefix = ""
    if folded.startswith("chu tich uy ban nhan dan"):
        prefix = "Chủ tịch "
    best = None
    for place in places():
        pf = fold(place.name)
        if folded.endswith(" " + pf) and (best is None or len(place.name) > len(best.name)):
            best = place
    if best is None:
        name = text[:1] + text[1:].lower()
        return Issuer(name=name)
    place_text = f"{best.level} {best.short_name}" if best.name.lower().startswith(best.level) else best.name
    name = f"{prefix}{body} {place_text}" if body else best.name
    return Issuer(name=name, level=best.level, province=best.province)


def _tree(headings: Sequence[Heading]) -> list[Section]:
    roots: list[Section] = []
    stack: list[tuple[int, Section]] = []
    for h in headings:
        while stack and stack[-1][0] >= h.rank:
            stack.pop()
        section = Section(kind=h.kind, label=h.label, title=h.title, level=len(stack) + 1, line=h.line, children=[])
        (stack[-1][1].children if stack else roots).append(section)
        stack.append((h.rank, section))
    return roots
