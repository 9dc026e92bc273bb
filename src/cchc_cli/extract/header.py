"""The header fields of a record: document type, issuing body (checked against the 2025 gazetteer), the
decision a plan is attached to, the outline as a tree."""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Header, Heading
from ..records import AttachedTo, Issuer, Section
from ..resources import Resources
from ..symbols import symbol_type_code
from ..text import clean_space, fold
from .references import find_references

__all__ = ["attached_to", "doc_type", "issuer", "section_tree"]

COMMITTEE = "Ủy ban nhân dân"


def doc_type(header: Header, resources: Resources) -> tuple[str | None, str | None]:
    """(code, name) of the document's type: from its type word, else from its number's type code (a công
    văn prints no type word, and its symbol has no type code: "123/UBND-VP")."""
    named = resources.doc_type(header.type_word)
    if named is not None:
        return named.abbr, named.name
    if header.subject is not None:  # "V/v …" and no type word: a công văn, whatever its symbol's codes
        return "CV", "Công văn"
    if header.number:
        code = symbol_type_code(header.number, resources.type_codes)
        if code is None:
            return "CV", "Công văn"
        with_code = resources.doc_type_with_code(code)
        if with_code is not None:
            return with_code.abbr, with_code.name
    return None, None


def attached_to(header: Header, resources: Resources) -> AttachedTo | None:
    """The document named by "(Kèm theo Quyết định số 95/QĐ-UBND ngày …)", or None."""
    if not header.attached_text:
        return None
    cited = find_references([header.attached_text], 1, 1, resources, laws=False)
    if not cited:
        return None
    kind = resources.doc_type(cited[0].kind)
    code = (kind.abbr if kind else None) or symbol_type_code(cited[0].number, resources.type_codes)
    return AttachedTo(doc_type=code, number=cited[0].number, date=cited[0].date)


def issuer(text: str | None, resources: Resources) -> Issuer:
    """'ỦY BAN NHÂN DÂN ĐẶC KHU BẠCH LONG VĨ' → Ủy ban nhân dân đặc khu Bạch Long Vĩ, level đặc khu, its province
    (checked against the 2025 gazetteer)."""
    if not text:
        return Issuer()
    folded = fold(clean_space(text))
    body = COMMITTEE if fold(COMMITTEE).lower() in folded else None
    prefix = "Chủ tịch " if folded.startswith("chu tich " + fold(COMMITTEE).lower()) else ""
    best = None
    for place in resources.places:
        pf = fold(place.name)
        if folded.endswith(" " + pf) and (best is None or len(place.name) > len(best.name)):
            best = place
    if best is None:
        return Issuer(name=text[:1] + text[1:].lower())
    place_text = f"{best.level} {best.short_name}" if best.name.lower().startswith(best.level) else best.name
    name = f"{prefix}{body} {place_text}" if body else best.name
    return Issuer(name=name, level=best.level, province=best.province)


def section_tree(headings: Sequence[Heading]) -> list[Section]:
    """The headings nested by rank: numbered sections under their roman part, and so on."""
    roots: list[Section] = []
    stack: list[tuple[int, Section]] = []
    for h in headings:
        while stack and stack[-1][0] >= h.rank:
            stack.pop()
        section = Section(kind=h.kind, label=h.label, title=h.title, level=len(stack) + 1, line=h.line, children=[])
        (stack[-1][1].children if stack else roots).append(section)
        stack.append((h.rank, section))
    return roots
