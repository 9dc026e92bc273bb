"""The header fields of a record: document type, issuing body (checked against the 2025 gazetteer), the
decision a plan is attached to, the outline as a tree."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.fuzz import ratio

from ..dictionary import Place
from ..document import Header, Heading
from ..records import AttachedTo, Issuer, Section
from ..resources import Resources
from ..symbols import doc_type_close, symbol_type_code
from ..text import fold
from .references import find_references

__all__ = ["attached_to", "doc_type", "issuer", "section_tree"]

COMMITTEE = "Ủy ban nhân dân"
COUNCIL = "Hội đồng nhân dân"
DEBRIS = "|’'`‘~_.,;:=—–-*•»«()[]{}!\"/\\"


def doc_type(header: Header, resources: Resources) -> tuple[str | None, str | None]:
    """(code, name) of the document's type: from its type word, else from its number's type code (a công
    văn prints no type word, and its symbol has no type code: "123/UBND-VP")."""
    named = resources.doc_type(header.type_word) or doc_type_close(header.type_word, resources.doc_types)
    if named is not None:
        return named.abbr, named.name
    if header.subject is not None or header.addressees:
        # "V/v …" or "Kính gửi: …" and no type word: a công văn, whatever its symbol's codes ("5332/CT-CS")
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


def issuer(text: str | None, resources: Resources, *, raw: str | None = None, context: str = "",
           notes: list[str] | None = None, line: int | None = None) -> Issuer:
    """'ỦY BAN NHÂN DÂN ĐẶC KHU BẠCH LONG VĨ' → Ủy ban nhân dân đặc khu Bạch Long Vĩ, level đặc khu, its province
    (checked against the 2025 gazetteer). `raw`: the same lines as the OCR read them, before repair: a place
    name the repair changed ("HA NOI" → "HUẾ NỘI") is found there after its level word.

    A name several provinces have ('Xã Tân Phú': five) takes the province the document names (`context`: its
    header and first lines, where the body above the issuer, "tỉnh …" or the place line stand); with none or
    several named, `province` stays null and a note listing the candidates goes to `notes` (at `line`)."""
    text = clean_issuer_text(text) if text else None
    if not text:
        return Issuer()
    folded = fold(text)
    body = next((b for b in (COMMITTEE, COUNCIL) if fold(b).lower() in folded), None)
    prefix = "Chủ tịch " if folded.startswith("chu tich ") and body else ""
    best = _place_at_end(folded, resources)
    if best is None and body:
        best = _place_in_raw(raw, resources) if raw else None
        best = best or _province_like(folded, raw, fold(body).lower(), resources)
    if best is None:
        return Issuer(name=text[:1] + text[1:].lower())
    place_text = f"{best.level} {best.short_name}" if best.name.lower().startswith(best.level) else best.name
    name = f"{prefix}{body} {place_text}" if body else best.name
    return Issuer(name=name, level=best.level, province=_province_of(best, resources, context, notes, line))


def _province_of(place: Place, resources: Resources, context: str, notes: list[str] | None,
                 line: int | None) -> str | None:
    """The province of `place`, or of the place of that name in the province `context` names."""
    provinces = sorted({p.province for p in resources.places if p.name == place.name and p.level == place.level})
    if len(provinces) <= 1:
        return place.province
    folded = f" {_words(context)} "
    named = [p for p in provinces if f" {_words(p)} " in folded]  # "tỉnh Đồng Nai", "UBND TỈNH ĐỒNG NAI"
    if len(named) == 1:
        return named[0]
    if notes is not None:
        where = f"line {line}: " if line else ""
        notes.append(f"{where}'{place.name}' is in {len(provinces)} provinces ({', '.join(provinces)}) and the "
                     "document names " + ("none of them" if not named else "several") + ": province left empty")
    return None


def _place_at_end(folded: str, resources: Resources) -> Place | None:
    best = None
    for place in resources.places:
        pf = fold(place.name)
        if folded.endswith(" " + pf) and (best is None or len(place.name) > len(best.name)):
            best = place
    return best


def _place_in_raw(raw: str, resources: Resources) -> Place | None:
    """The longest gazetteer name that follows its level word in the raw OCR text, marks ignored."""
    words = f" {_words(raw)} "
    best = None
    for place in resources.places:
        if " " + fold(place.name).lower() + " " in words and (best is None or len(place.name) > len(best.name)):
            best = place
    return best


PROVINCE_SIMILARITY = 85.0  # a damaged province name is taken for the one it resembles this much ...
PROVINCE_MARGIN = 8.0  # ... and this much more than any other


def _province_like(folded: str, raw: str | None, body: str, resources: Resources) -> Place | None:
    """The province (or centrally-run city) a committee's damaged name most resembles ('thành phố huế chí
    minh', as repaired, or 'THANH PHI HI CHI MINH', as read): among 34 names, one far closer than the rest."""
    tails = [folded.lower().split(body, 1)[1].strip()] if body in folded.lower() else []
    if raw and body in fold(raw).lower():
        tails.append(_words(fold(raw).lower().split(body, 1)[1]))
    tails = [t for t in tails if t.startswith(("tinh ", "thanh pho "))]
    if not tails:
        return None
    scored = sorted(((max(ratio(t, fold(p.name).lower()) for t in tails), p) for p in resources.places
                     if p.name == p.province), key=lambda sp: -sp[0])
    if not scored or scored[0][0] < PROVINCE_SIMILARITY:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < PROVINCE_MARGIN:
        return None
    return scored[0][1]


def _words(text: str) -> str:
    """`text` folded to its runs of letters and digits, one space between them."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text).lower()))


def clean_issuer_text(text: str) -> str:
    """The left column's text without OCR debris ('|', '’', '~', '_—__', a rule of dashes) and without the
    gazette's repetition of it ('BỘ X BỘ X')."""
    words: list[str] = []
    for token in text.split():
        word = token.strip(DEBRIS)
        if any(ch.isalpha() for ch in word):
            words.append(word)
        elif token in ("-", "–") and words and words[-1] != "-":
            words.append("-")  # "LAO ĐỘNG - THƯƠNG BINH"
    while words and words[-1] == "-":
        words.pop()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and fold(" ".join(words[:half])) == fold(" ".join(words[half:])):
        words = words[:half]
    return " ".join(words)


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
