"""The reviewer rules of ``cchc validate`` over a record that passed the schema: dates, periods, document
numbers, the outline, tasks, targets and the repair's doubt.

Document symbols are read with the grammar of :mod:`cchc_cli.symbols` and mended with its code book; type
codes map to document types through the ``document_type`` terms of ``dictionaries/terms.yaml``
(:class:`cchc_cli.resources.Resources`); outline labels are read by :mod:`cchc_cli.labels`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from typing import Any

from ..labels import LATIN_LETTERS, letter_of_rank, letter_rank, letters_between, letters_follow, roman_value, to_roman
from ..resources import Resources
from ..symbols import symbol_problem, symbol_type_code
from .findings import LOW_CONFIDENCE_SHARE, RULES, Finding

__all__ = ["Checker", "parse_iso_date", "parse_label"]

ISO_DATE_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
DOTTED_RE = re.compile(r"\d+(?:\.\d+)*")
PERCENT_RANGE = (0, 100)


class Checker:
    """The rules over one record (already valid against the schema): :meth:`run` fills `findings`."""

    def __init__(self, record: dict[str, Any], today: _dt.date, resources: Resources) -> None:
        self.record = record
        self.today = today
        self.resources = resources
        self.doc_id: str = record["id"]
        self.path: str | None = record["source"].get("path")
        self.first_line: int = record["source"]["lines"][0]
        self.findings: list[Finding] = []

    def add(self, rule: str, line: int | None, message: str) -> None:
        self.findings.append(Finding(RULES[rule].severity, rule, self.doc_id, self.path, line, message))

    def run(self) -> None:
        self.dates()
        self.periods()
        self.numbers()
        self.sections()
        self.tasks()
        self.targets()
        self.low_confidence()
        self.extraction_notes()

    # -- dates -------------------------------------------------------------------------------------------

    def held_dates(self) -> Iterator[tuple[str, str, int, bool]]:
        """(where, value, line, may_be_future) for every date the record holds."""
        r = self.record
        top = self.first_line
        if r.get("date") is not None:
            yield "date", r["date"], top, False
        period = r.get("period") or {}
        for key in ("from", "to"):
            if period.get(key) is not None:
                yield f"period.{key}", period[key], top, True
        attached = r.get("attached_to") or {}
        if attached.get("date") is not None:
            yield "attached_to.date", attached["date"], top, False
        stamp = r.get("signature_stamp") or {}
        if stamp.get("signed_at") is not None:
            yield "signature_stamp.signed_at", stamp["signed_at"], stamp["line"], False
        for where, ref in self.references():
            if ref.get("date") is not None:
                yield f"{where}.date", ref["date"], ref["line"], False
        for i, target in enumerate(r.get("targets") or []):
            if target.get("deadline") is not None:
                yield f"targets[{i}].deadline", target["deadline"], target["line"], True
        for i, task in enumerate(r.get("tasks") or []):
            deadline = task.get("deadline") or {}
            for key in ("from", "to"):
                if deadline.get(key) is not None:
                    yield f"tasks[{i}].deadline.{key}", deadline[key], task["line"], True

    def references(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """References and legal basis, each citation once (the legal basis repeats references)."""
        seen: set[tuple[Any, Any]] = set()
        for key in ("references", "legal_basis"):
            for i, ref in enumerate(self.record.get(key) or []):
                identity = (ref.get("number") or ref.get("title"), ref.get("line"))
                if identity in seen:
                    continue
                seen.add(identity)
                yield f"{key}[{i}]", ref

    def dates(self) -> None:
        r = self.record
        for where, value, line, may_be_future in self.held_dates():
            parsed, problem = parse_iso_date(value)
            if parsed is None:
                self.add("date-impossible", line, f"{where} '{value}' {problem}")
            elif not may_be_future and parsed > self.today:
                self.add("date-future", line, f"{where} {parsed.isoformat()} is after today ({self.today.isoformat()})")
        attached = r.get("attached_to") or {}
        if r.get("doc_type") is None:
            return  # not a document (not-a-document says so): its missing date is no news
        if r.get("date") is None and attached.get("date") is None:
            self.add("date-missing", self.first_line,
                     "the document has no date" + (" (nor has the document it is attached to)" if attached else ""))

    def periods(self) -> None:
        period = self.record.get("period")
        if period:
            self._order("period", period, self.first_line, period.get("text"))
        for i, task in enumerate(self.record.get("tasks") or []):
            if task.get("deadline"):
                self._order(f"tasks[{i}].deadline", task["deadline"], task["line"], task["deadline"].get("text"))

    def _order(self, where: str, span: dict[str, Any], line: int, text: str | None) -> None:
        start, _ = parse_iso_date(span.get("from"))
        end, _ = parse_iso_date(span.get("to"))
        if start and end and end < start:
            printed = f" ('{text}')" if text else ""
            self.add("period-reversed", line, f"{where}{printed} ends {end.isoformat()} before it starts "
                                              f"{start.isoformat()}")

    # -- numbers -----------------------------------------------------------------------------------------

    def numbers(self) -> None:
        r = self.record
        top = self.first_line
        stamp = r.get("signature_stamp") or {}
        attached = r.get("attached_to") or {}
        # (where, symbol, line, the type code the symbol should carry, what carries that type)
        symbols: list[tuple[str, str | None, int, str | None, str]] = [
            ("number", r.get("number"), top, r.get("doc_type"), "the document is"),
            ("attached_to.number", attached.get("number"), top, attached.get("doc_type"),
             "the document it is attached to is"),
            ("signature_stamp.number", stamp.get("number"), stamp.get("line", top), None, ""),
        ]
        for where, ref in self.references():
            symbols.append((f"{where}.number", ref.get("number"), ref["line"], self._type_code(ref.get("kind")),
                            "it is cited as"))
        for where, number, line, expected, carrier in symbols:
            if number is None:
                continue
            problem = symbol_problem(number, self.resources.codebook)
            if problem:
                self.add("number-malformed", line, f"{where} '{number}' is not a well-formed document symbol: "
                                                   f"{problem}")
                continue
            code = symbol_type_code(number, self.resources.type_codes)
            if expected and code and code != expected:
                self.add("number-type-mismatch", line,
                         f"{where} '{number}' has the type code {code} ({self._type_name(code)}) but {carrier} "
                         f"a {self._type_name(expected)} ({expected})")

    def _type_code(self, kind: str | None) -> str | None:
        """The code of a type word as printed ('Kế hoạch' → 'KH'); None for words without one (Luật)."""
        doc_type = self.resources.doc_type(kind)
        return doc_type.abbr if doc_type else None

    def _type_name(self, code: str) -> str:
        doc_type = self.resources.doc_type_with_code(code)
        return doc_type.name if doc_type else code

    # -- outline -----------------------------------------------------------------------------------------

    def sections(self) -> None:
        self._siblings(self.record.get("sections") or [], None)

    def _siblings(self, sections: list[dict[str, Any]], parent: dict[str, Any] | None) -> None:
        groups: dict[tuple[str, str, int], list[tuple[dict[str, Any], tuple[int, ...], int]]] = {}
        for section in sections:
            parsed = parse_label(section["label"], section["kind"])
            if parsed is not None:
                form, prefix, value = parsed
                groups.setdefault((section["kind"], form, len(prefix)), []).append((section, prefix, value))
            self._siblings(section.get("children") or [], section)
        for (_kind, form, _depth), items in groups.items():
            self._sequence(form, items, parent)

    def _sequence(self, form: str, items: list[tuple[dict[str, Any], tuple[int, ...], int]],
                  parent: dict[str, Any] | None) -> None:
        under = f" under {parent['label']}" if parent else ""
        first, prefix, value = items[0]
        if prefix and parent is not None and DOTTED_RE.fullmatch(parent["label"]) and \
                prefix != tuple(int(p) for p in parent["label"].split(".")):
            self.add("section-order", first["line"], f"heading {first['label']} stands{under}")
        if value != 1:
            self.add("section-order", first["line"],
                     f"headings{under} start at {first['label']} (expected {_label_of(form, prefix, 1)})")
        for (prev, prev_prefix, prev_value), (cur, cur_prefix, cur_value) in zip(items, items[1:], strict=False):
            if cur_prefix != prev_prefix:
                self.add("section-order", cur["line"], f"heading {cur['label']} after {prev['label']}{under}")
            elif not _follows(form, prev_value, cur_value):
                if cur_value <= prev_value:
                    what = "out of order"
                else:
                    missing = ", ".join(_label_of(form, cur_prefix, v) for v in _between(form, prev_value, cur_value))
                    what = f"a gap (missing {missing})" if missing else "a gap"
                self.add("section-order", cur["line"], f"heading {cur['label']} after {prev['label']}{under}: {what}")

    # -- tasks -------------------------------------------------------------------------------------------

    def tasks(self) -> None:
        tasks = self.record.get("tasks") or []
        numbered = [t for t in tasks if t.get("stt") is not None]
        previous: dict[str, Any] | None = None
        # A task table has a lead-unit and a time-frame column, so an empty one is worth a look. Tasks read
        # from a plan's bullet list (no table: none of them has an output) name a unit or a time frame only
        # now and then; warning on each would bury the findings that matter.
        from_table = any(t.get("output") for t in tasks)
        for i, task in enumerate(tasks):
            line = task["line"]
            if from_table and not task.get("lead_unit") and not task.get("lead_units"):
                self.add("task-no-lead", line, f"task {_task_name(task, i)} has no lead unit")
            deadline = task.get("deadline") or {}
            inherited = task.get("deadline_source") == "plan period"
            if from_table and (inherited or (not (deadline.get("text") or "").strip() and not deadline.get("from")
                                             and not deadline.get("to"))):
                because = " of its own (the plan's period stands in)" if inherited else ""
                self.add("task-no-deadline", line, f"task {_task_name(task, i)} has no deadline{because}")
            if not numbered:
                continue  # a task table without an STT column
            stt = task.get("stt")
            if stt is None:
                self.add("task-stt-gap", line, f"task {_task_name(task, i)} has no STT among numbered tasks")
                continue
            if previous is None:
                if stt != 1:
                    self.add("task-stt-gap", line, f"the task list starts at STT {stt}")
            elif stt != previous["stt"] + 1 and not (stt == 1 and task.get("group") != previous.get("group")):
                what = "out of order" if stt <= previous["stt"] else "a gap"
                self.add("task-stt-gap", line, f"task STT {stt} follows {previous['stt']}: {what}")
            previous = task

    # -- targets, repair ---------------------------------------------------------------------------------

    def targets(self) -> None:
        for target in self.record.get("targets") or []:
            value = target.get("value")
            if target.get("unit") == "%" and value is not None and not PERCENT_RANGE[0] <= value <= PERCENT_RANGE[1]:
                label = f"target {target['label']} " if target.get("label") else "target "
                self.add("percent-range", target["line"], f"{label}{value:g}% is outside 0–100%")

    def low_confidence(self) -> None:
        repair = self.record.get("repair") or {}
        syllables = repair.get("syllables") or 0
        flagged = max(repair.get("low_confidence_count") or 0, len(repair.get("low_confidence") or []))
        if syllables > 0 and flagged / syllables > LOW_CONFIDENCE_SHARE:
            self.add("low-confidence", self.first_line,
                     f"{flagged} of {syllables} syllables ({flagged / syllables:.1%}) were left doubtful by the "
                     f"repair (more than {LOW_CONFIDENCE_SHARE:.0%}): reread it against the original")


    # -- what the extraction noted -------------------------------------------------------------------------

    def extraction_notes(self) -> None:
        """The record's own ``warnings`` (the extraction's notes) as findings at their line; a record that is
        no administrative document (``doc_type`` null) is the error ``not-a-document``."""
        not_a_document = self.record.get("doc_type") is None
        said = False
        for note in self.record.get("warnings") or []:
            line, text = note_line(note)
            if not_a_document and NOT_A_DOCUMENT in text:
                self.add("not-a-document", line or self.first_line, text)
                said = True
            else:
                self.add("extraction-note", line or self.first_line, text)
        if not_a_document and not said:
            self.add("not-a-document", self.first_line, f"{NOT_A_DOCUMENT}: no type word and no document number")


NOTE_LINE_RE = re.compile(r"lines? (\d+)(?:-\d+)?: ")
NOT_A_DOCUMENT = "not read as an administrative document"


def note_line(note: str) -> tuple[int | None, str]:
    """(line, text) of an extraction note: 'line 673: row number …' → (673, 'row number …')."""
    m = NOTE_LINE_RE.match(note)
    return (int(m.group(1)), note[m.end():]) if m else (None, note)


def _task_name(task: dict[str, Any], index: int) -> str:
    return f"STT {task['stt']}" if task.get("stt") is not None else f"#{index + 1}"


def parse_iso_date(value: Any) -> tuple[_dt.date | None, str]:
    """(the date, '') or (None, why not) for a record's date text ``YYYY-MM-DD`` (a date-time's date part)."""
    if not isinstance(value, str):
        return None, "is not a date"
    m = ISO_DATE_RE.match(value)
    if not m or (len(value) > 10 and value[10] not in "T "):
        return None, "is not a date written YYYY-MM-DD"
    try:
        return _dt.date(int(m["y"]), int(m["m"]), int(m["d"])), ""
    except ValueError as exc:
        return None, f"does not exist ({exc})"


def parse_label(label: str, kind: str | None = None) -> tuple[str, tuple[int, ...], int] | None:
    """(form, prefix, value) of an outline label: 'IV' → ('roman', (), 4), '2.3' → ('number', (2,), 3),
    'đ' → ('letter', (), rank of đ). The section's `kind` settles 'C' or 'I' (a letter or a numeral).
    None for a label of no known form."""
    if DOTTED_RE.fullmatch(label):
        parts = tuple(int(p) for p in label.split("."))
        return "number", parts[:-1], parts[-1]
    is_letter = len(label) == 1 and label.lower() in LATIN_LETTERS + "đ"
    if is_letter and kind == "letter":
        return "letter", (), letter_rank(label.lower())
    value = roman_value(label)
    if value is not None:
        return "roman", (), value
    if is_letter:
        return "letter", (), letter_rank(label.lower())
    return None


def _follows(form: str, prev: int, cur: int) -> bool:
    if form != "letter":
        return cur == prev + 1
    return letters_follow(letter_of_rank(prev), letter_of_rank(cur))


def _between(form: str, prev: int, cur: int) -> list[int]:
    if form != "letter":
        return list(range(prev + 1, cur))
    return [letter_rank(ch) for ch in letters_between(letter_of_rank(prev), letter_of_rank(cur))]


def _label_of(form: str, prefix: tuple[int, ...], value: int) -> str:
    if form == "letter":
        return letter_of_rank(value)
    if form == "roman":
        return to_roman(value)
    return ".".join(str(p) for p in (*prefix, value))
