"""Responsibilities: the units a plan's "Tổ chức thực hiện" / "Trách nhiệm cụ thể" / "Phân công nhiệm vụ"
section names, each with the duties listed under it: as numbered or lettered sub-headings or paragraphs
("2.1. Sở Nội vụ", "1. Phòng Văn hóa - Xã hội: Chủ trì, …"), as bullets ("- Công an xã: …") and in
sentences ("Giao Phòng Kinh tế chủ trì …")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document import DocumentSpan, Heading, NumberedLine, items_between
from ..records import Responsibility
from ..resources import Resources
from ..text import clean_space, fold
from .vocab import find_units

__all__ = ["find_responsibilities"]

UNIT_WORDS = 25  # a unit's name is at most this many words
WRAPPED_NAME_WORDS = 5  # a name wrapped onto the next line adds at most this many words before a comma
DUTY_WORDS = 3  # "Phòng X: Chủ trì …": more words after the colon are the first duty
BULLET_UNIT_WORDS = 16  # "- Ủy ban Mặt trận Tổ quốc Việt Nam xã và các đoàn thể chính trị - xã hội:" at most
# "Giao <unit> chủ trì …" (folded): the unit ends where the verb of its duty begins
ASSIGNED_RE = re.compile(r"\bgiao\s+(?:cho\s+)?(?P<unit>[^,;.:]{3,120}?)\s+(?=chu tri|phoi hop|thuc hien|huong dan|"
                         r"theo doi|to chuc|co trach nhiem|trien khai|xay dung|tham muu)")


def _section(headings: Sequence[Heading], resources: Resources) -> Heading | None:
    cues = resources.cues
    section = next((h for h in headings if cues.responsibility_section.search(fold(h.title))), None)
    if section is None:
        section = next((h for h in headings if cues.organisation_section.search(fold(h.title))), None)
    if section is None:
        section = next((h for h in headings if cues.responsibility_fallback.search(fold(h.title).lower())), None)
    return section


def _entries(span: DocumentSpan, section: Heading) -> list[NumberedLine]:
    """The first level of the section's numbered or lettered lines: "2.1. Phòng …", not the "a) …" duties
    listed under it."""
    entries = [e for e in span.numbered if section.last < e.line <= section.end]
    if not entries:
        return []

    def level(entry: NumberedLine) -> str:
        return entry.form if entry.form == "letter" else "number" + "." * entry.label.count(".")

    return [e for e in entries if level(e) == level(entries[0])]


def find_responsibilities(span: DocumentSpan, lines: Sequence[str], resources: Resources) -> list[Responsibility]:
    """Each unit the organisation section names, with its duties."""
    section = _section(span.headings, resources)
    if section is None:
        return []
    entries = _entries(span, section)
    item_lines = {item.line for item in span.items}
    out: list[Responsibility] = []
    for k, entry in enumerate(entries):
        no, first = entry.line, entry.text
        if not first[:1].isupper():
            continue  # ") năng lực …": a line the OCR began with a stray parenthesis
        nxt = entries[k + 1].line - 1 if k + 1 < len(entries) else section.end
        following = lines[no].strip() if no + 1 <= nxt else ""
        text = first
        if ":" not in text and following and no + 1 not in item_lines and ":" in following:
            text = text + " " + following
        unit = _unit_named(text, following, resources)
        if len(unit.split()) > UNIT_WORDS or not unit or not resources.cues.unit_head.match(fold(unit).lower()):
            continue  # "1. Tiếp tục rà soát …": a paragraph of duties, no unit
        duties = [clean_space(" ".join(t for _, t in item.parts)) for item in items_between(span.items, no + 1, nxt)]
        if ":" in text and len(text.split(":", 1)[1].split()) > DUTY_WORDS:
            duties.insert(0, clean_space(text.split(":", 1)[1]))
        out.append(Responsibility(unit=unit, duties=duties, line=no))
    out += _bullets(span, section, {r.line for r in out}, resources)
    out += _assigned(lines, section, {fold(r.unit).lower() for r in out}, resources)
    for item in out:  # the canonical names, as tasks carry them, whatever the OCR left of the printed ones
        item.units = list(dict.fromkeys(m.unit.name for m in find_units(item.unit, resources)))
    return sorted(out, key=lambda r: r.line)


def _bullets(span: DocumentSpan, section: Heading, taken: set[int], resources: Resources) -> list[Responsibility]:
    """Units named by the bullets of the section ("- Công an xã: bảo đảm an ninh …")."""
    out = []
    for item in items_between(span.items, section.last + 1, section.end):
        if item.kind not in ("-", "+") or item.line in taken:
            continue
        text = clean_space(item.parts[0][1]) if item.parts else ""
        head, colon, rest = text.partition(":")
        unit = _name_only(resources.cues.responsibility_prefix.sub("", head), resources)
        if not colon or not unit or len(unit.split()) > BULLET_UNIT_WORDS:
            continue
        if not resources.cues.unit_head.match(fold(unit).lower()):
            continue
        duties = [clean_space(rest)] if len(rest.split()) > DUTY_WORDS else []
        out.append(Responsibility(unit=unit, duties=duties, line=item.line))
    return out


def _assigned(lines: Sequence[str], section: Heading, named: set[str], resources: Resources) -> list[Responsibility]:
    """Units a sentence of the section assigns work to: "Giao Phòng Kinh tế chủ trì, phối hợp …"."""
    out = []
    for no in range(section.last + 1, section.end + 1):
        line = lines[no - 1]
        folded = fold(line).lower()
        for m in ASSIGNED_RE.finditer(folded):
            unit = clean_space(line[m.start("unit"):m.end("unit")]).strip(" .;,")
            key = fold(unit).lower()
            if key in named or not resources.cues.unit_head.match(key) or len(unit.split()) > BULLET_UNIT_WORDS:
                continue
            named.add(key)
            duty = clean_space(line[m.end("unit"):]).strip(" .;,")
            out.append(Responsibility(unit=unit, duties=[duty] if duty else [], line=no))
    return out


def _unit_named(text: str, following: str, resources: Resources) -> str:
    """The unit an entry names: before its colon, or its text with a name wrapped onto the next line."""
    if ":" in text:
        unit = text.split(":", 1)[0]
    else:
        unit = text
        head = following.split(",", 1)[0]
        if following and following[:1].islower() and len(head.split()) <= WRAPPED_NAME_WORDS:
            unit = unit + " " + head
    return _name_only(resources.cues.responsibility_prefix.sub("", clean_space(unit)), resources)


def _name_only(unit: str, resources: Resources) -> str:
    """The unit's name without the duty a sentence goes on with ("Bộ Tài chính có trách nhiệm")."""
    tail = resources.cues.unit_tail.search(fold(unit).lower())
    return (unit[: tail.start()] if tail else unit).strip(" .;,]")
