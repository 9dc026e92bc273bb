"""Extraction: segmented documents → the fields of a DocumentRecord. Plain typed functions, each testable
alone: references (:func:`find_references`), periods and time frames (:func:`find_period`,
:func:`parse_deadline`), targets (:func:`find_targets`), appendix tasks (:func:`tasks_from_rows`),
responsibilities (:func:`find_responsibilities`), unit names (:func:`canonical_unit`)."""

from __future__ import annotations

from .items import find_responsibilities, find_targets, tasks_from_rows
from .periods import find_period, parse_deadline
from .references import find_references
from .vocab import canonical_unit, find_units

__all__ = [
    "canonical_unit",
    "find_period",
    "find_references",
    "find_responsibilities",
    "find_targets",
    "find_units",
    "parse_deadline",
    "tasks_from_rows",
]
