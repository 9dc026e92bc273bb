"""Matching the vocabulary of :class:`~cchc_cli.resources.Resources` in text: unit names (units.yaml), task
areas (task_areas.yaml), indicators (indicators.yaml), task outputs (task_outputs.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ..resources import Resources, Unit
from ..text import clean_space, fold

__all__ = ["UnitMatch", "area_for", "canonical_unit", "find_indicator", "find_units", "output_named"]

OUTPUT_SIMILARITY = 55  # rapidfuzz ratio from which a damaged cell reads as a known task output


@dataclass(frozen=True)
class UnitMatch:
    unit: Unit
    start: int
    end: int
    exact: bool


def find_units(text: str, resources: Resources, *, ocr: bool = True) -> list[UnitMatch]:
    """Every unit named in `text`, left to right, without overlaps; exact (name/variant) matches first,
    OCR patterns only over what is left."""
    folded = fold(text)
    taken: list[tuple[int, int]] = []
    found: list[UnitMatch] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for unit in resources.units:
        for pattern in unit.patterns:
            for m in pattern.finditer(folded):
                if free(m.start(), m.end()):
                    taken.append((m.start(), m.end()))
                    found.append(UnitMatch(unit, m.start(), m.end(), True))
    if ocr:
        for unit in resources.units:
            for pattern in unit.ocr:
                for m in pattern.finditer(folded):
                    if free(m.start(), m.end()):
                        taken.append((m.start(), m.end()))
                        found.append(UnitMatch(unit, m.start(), m.end(), False))
    found.sort(key=lambda m: m.start)
    return found


def canonical_unit(text: str, resources: Resources) -> str | None:
    """The canonical name of the first unit named in `text` (exact forms only), else None."""
    matches = find_units(text, resources, ocr=False)
    return matches[0].unit.name if matches else None


def find_indicator(text: str, resources: Resources) -> str | None:
    folded = fold(text)
    best: tuple[int, str] | None = None
    for indicator in resources.indicators:
        for p in indicator.patterns:
            m = p.search(folded)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), indicator.code)
    return best[1] if best else None


def area_for(heading: str | None, resources: Resources) -> str:
    """The task area code of a group heading ('CẢI CÁCH THỦ TỤC HÀNH CHÍNH' → 'thu_tuc_hanh_chinh')."""
    if not heading:
        return "other"
    folded = fold(clean_space(heading))
    for area in resources.task_areas:
        if any(k in folded for k in area.keywords):
            return area.code
    return "other"


def output_named(candidate: str, resources: Resources) -> str | None:
    """The task output a table cell names, allowing small OCR damage ('Bao cao' → 'Báo cáo')."""
    folded = fold(clean_space(candidate)).strip(" |.,:;-")
    if not folded:
        return None
    outputs = resources.task_outputs
    for name, f in outputs:
        if f in folded:
            return name
    best = max(outputs, key=lambda o: fuzz.ratio(o[1], folded))
    return best[0] if fuzz.ratio(best[1], folded) >= OUTPUT_SIMILARITY else None
