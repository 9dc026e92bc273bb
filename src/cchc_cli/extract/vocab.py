"""The data ingest reads from dictionaries/: unit names (units.yaml), task areas (task_areas.yaml),
indicators (indicators.yaml) and document types (the `document_type` terms of terms.yaml and of the user's
--dictionary files). Read with YAML's safe loader, cached."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from .text import clean_space, fold

__all__ = ["DocType", "Indicator", "Unit", "area_for", "doc_types", "indicators", "units", "canonical_unit"]

DATA_PACKAGE = "cchc_cli.dictionaries"


@cache
def _load(name: str) -> dict:
    data = yaml.safe_load(files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{DATA_PACKAGE}/{name}: expected a mapping with version: 1")
    return data


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A folded phrase as a regex: words in order, any spacing, hyphen/comma spacing free."""
    words = re.findall(r"\w+|[-&,]", fold(phrase))
    parts = [re.escape(w) for w in words]
    body = r"\s*".join(p if p in {r"\-", "&", ","} else p for p in parts)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    ocr: tuple[re.Pattern[str], ...]


@cache
def units() -> tuple[Unit, ...]:
    out: list[Unit] = []
    for entry in _load("units.yaml")["units"]:
        forms = [entry["name"], *(entry.get("variants") or [])]
        forms.sort(key=len, reverse=True)
        out.append(
            Unit(
                name=entry["name"],
                kind=entry.get("kind", "unit"),
                patterns=tuple(_phrase_pattern(f) for f in forms),
                ocr=tuple(re.compile(p) for p in entry.get("ocr") or []),
            )
        )
    # Longer names first: "Phòng Kinh tế, Hạ tầng và Đô thị" before "Phòng Kinh tế".
    out.sort(key=lambda u: -max(len(p.pattern) for p in u.patterns))
    return tuple(out)


@dataclass(frozen=True)
class UnitMatch:
    unit: Unit
    start: int
    end: int
    exact: bool


def find_units(text: str, *, ocr: bool = True) -> list[UnitMatch]:
    """Every unit named in `text`, left to right, without overlaps; exact (name/variant) matches first,
    OCR patterns only over what is left."""
    folded = fold(text)
    taken: list[tuple[int, int]] = []
    found: list[UnitMatch] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for unit in units():
        for pattern in unit.patterns:
            for m in pattern.finditer(folded):
                if free(m.start(), m.end()):
                    taken.append((m.start(), m.end()))
                    found.append(UnitMatch(unit, m.start(), m.end(), True))
    if ocr:
        for unit in units():
            for pattern in unit.ocr:
                for m in pattern.finditer(folded):
                    if free(m.start(), m.end()):
                        taken.append((m.start(), m.end()))
                        found.append(UnitMatch(unit, m.start(), m.end(), False))
    found.sort(key=lambda m: m.start)
    return found


def canonical_unit(text: str) -> str | None:
    """The canonical name of the first unit named in `text` (exact forms only), else None."""
    matches = find_units(text, ocr=False)
    return matches[0].unit.name if matches else None


@dataclass(frozen=True)
class Indicator:
    code: str
    patterns: tuple[re.Pattern[str], ...]


@cache
def indicators() -> tuple[Indicator, ...]:
    out = []
    for entry in _load("indicators.yaml")["indicators"]:
        pats = [_phrase_pattern(f) for f in entry.get("forms") or []]
        pats += [re.compile(p) for p in entry.get("ocr") or []]
        out.append(Indicator(entry["code"], tuple(pats)))
    return tuple(out)


def find_indicator(text: str) -> str | None:
    folded = fold(text)
    best: tuple[int, str] | None = None
    for ind in indicators():
        for p in ind.patterns:
            m = p.search(folded)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), ind.code)
    return best[1] if best else None


@cache
def _areas() -> tuple[tuple[str, tuple[str, ...]], ...]:
    areas = _load("task_areas.yaml")["areas"]
    return tuple((entry["code"], tuple(fold(k) for k in entry.get("keywords") or [])) for entry in areas)


def area_for(heading: str | None) -> str:
    """The task area code of a group heading ('CẢI CÁCH THỦ TỤC HÀNH CHÍNH' → 'thu_tuc_hanh_chinh')."""
    if not heading:
        return "other"
    folded = fold(clean_space(heading))
    for code, keywords in _areas():
        if any(k in folded for k in keywords):
            return code
    return "other"


@dataclass(frozen=True)
class DocType:
    name: str  # "Kế hoạch"
    abbr: str | None  # "KH"
    folded: str


@cache
def _doc_types(user_files: tuple[Path, ...]) -> tuple[DocType, ...]:
    from ..dictionary import merged_terms

    out = []
    for term, _ in merged_terms(list(user_files)):
        if term.kind == "document_type":
            out.append(DocType(term.text, term.abbr, fold(term.text)))
    out.sort(key=lambda d: -len(d.folded))
    return tuple(out)


def doc_types(user_files: Sequence[Path] = ()) -> tuple[DocType, ...]:
    """Document types, longest name first (built-in terms.yaml plus the user's dictionaries)."""
    return _doc_types(tuple(user_files))
