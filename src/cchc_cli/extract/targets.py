"""Targets: the items of a plan's "chỉ tiêu" sections, and the measurable items of its "mục tiêu" sections,
with the indicator, comparator, value and deadline they state."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document import Heading
from ..records import Target
from ..resources import Cues, Resources
from ..text import clean_space, fold, iso_date
from .vocab import find_indicator

__all__ = ["find_targets", "measurable"]

PERCENT_RE = re.compile(r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*%")
SENTENCE_END_RE = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")
COMPARATOR_BEFORE = 25  # characters before a percentage where "tối thiểu" / "tối đa" make it a bound ...
COMPARATOR_AFTER = 15  # ... and after it ("90% trở lên")
MEASURABLE_WORDS = 4  # "toàn bộ" among an item's first words makes it measurable


def measurable(text: str, cues: Cues) -> bool:
    """A percentage, or "toàn bộ" (all of) among the first words."""
    return bool(PERCENT_RE.search(text)) or bool(
        cues.measurable.search(" ".join(text.lower().split()[:MEASURABLE_WORDS])))


def find_targets(headings: Sequence[Heading], resources: Resources) -> list[Target]:
    """Every item under a "chỉ tiêu" heading; the measurable items (a percentage, "toàn bộ") under a
    "Mục tiêu" heading."""
    cues = resources.cues
    targets: list[Target] = []
    seen: set[int] = set()
    for heading in headings:
        title = fold(heading.title)
        if cues.indicator_section.search(title):
            keep_all = True
        elif cues.objective_section.search(title) and not cues.objective_not_target.search(title):
            keep_all = False
        else:
            continue
        for item in heading.items:
            no = item.line
            text = clean_space(" ".join(t for _, t in item.parts))
            if no in seen or (not keep_all and not measurable(text, cues)):
                continue
            seen.add(no)
            if not keep_all:
                later_sentence = _measurable_sentence(item.parts, cues)
                if later_sentence is not None:
                    no, text = later_sentence
            label = "-" if item.kind in ("-", "+") else item.label
            targets.append(_target(label, no, text, resources))
    targets.sort(key=lambda t: t.line)
    return targets


def _measurable_sentence(parts: list[tuple[int, str]], cues: Cues) -> tuple[int, str] | None:
    """In an item whose first sentence names no figure, the first sentence that does, with its line."""
    text = ""
    starts: list[tuple[int, int]] = []
    for no, t in parts:
        starts.append((len(text), no))
        text += t + " "
    pieces = SENTENCE_END_RE.split(text)
    pos = 0
    for k, piece in enumerate(pieces):
        pos = text.find(piece, pos)
        if measurable(piece, cues):
            if k == 0:
                return None
            line = max(no for off, no in starts if off <= pos)
            return line, clean_space(piece)
        pos += len(piece)
    return None


def _target(label: str, no: int, text: str, resources: Resources) -> Target:
    cues = resources.cues
    comparator = value = unit = None
    pm = PERCENT_RE.search(text)
    if pm:
        value = float(pm["value"].replace(",", "."))
        unit = "%"
        window = text[max(0, pm.start() - COMPARATOR_BEFORE): pm.end() + COMPARATOR_AFTER]
        if cues.at_least.search(window):
            comparator = "≥"
        elif cues.at_most.search(window):
            comparator = "≤"
        else:
            comparator = "="
    deadline = None
    dm = cues.target_deadline.search(text)
    if dm:
        deadline = iso_date(dm["d"], dm["m"], dm["y"]) if dm["d"] else f"{dm['year'] or dm['year2']}-12-31"
    return Target(label=label, text=text, indicator=find_indicator(text, resources), comparator=comparator,
                  value=value, unit=unit, deadline=deadline, line=no)
