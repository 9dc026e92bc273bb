"""``cchc validate``: the checks a reviewer would make on DocumentRecords, as findings.

A record is first validated against the contract (:class:`cchc_cli.records.DocumentRecord`, the model that
``cchc schema`` publishes, in pydantic's strict JSON mode so that what passes here passes the JSON Schema);
a record that does not validate gets ``schema`` findings naming the field and no other checks. A valid
record then goes through the rules of :data:`RULES`, each with a stable kebab-case id and a severity:
errors are facts that cannot be right (31/2, a period ending before it starts, a malformed symbol);
warnings are what a reviewer would look at twice (a gap in the outline, a task without a lead unit).

Document symbols are read with the grammar the extraction uses (:data:`cchc_cli.extract.references.SYMBOL_RE`)
and the code book of ``dictionaries/document_codes.yaml`` (:mod:`cchc_cli.repair.codes`); type codes map to
document types through the ``document_type`` terms of ``dictionaries/terms.yaml``.

Findings are rendered by :func:`render` as a table, JSON, JUnit XML or GitHub Actions workflow commands.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, Literal

from .errors import InputError

__all__ = [
    "FORMATS",
    "RULES",
    "CheckedDocument",
    "Finding",
    "Rule",
    "check_record",
    "exit_code",
    "parse_record_text",
    "render",
    "validate_record",
]

Severity = Literal["error", "warning"]
FORMATS = ("table", "json", "junit", "github")

# Share of a document's syllables flagged as doubtful by the repair above which a reviewer should reread it.
LOW_CONFIDENCE_SHARE = 0.02
# At most this many schema findings per record: a record of another shape would otherwise flood the report.
MAX_SCHEMA_FINDINGS = 20


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("schema", "error", "the record does not validate against the DocumentRecord schema ('cchc schema')"),
        Rule("date-impossible", "error",
             "a date that does not exist (31/2, month 13) or is not written YYYY-MM-DD, wherever a date is held"),
        Rule("period-reversed", "error", "a period (or a task's time frame) that ends before it starts"),
        Rule("number-malformed", "error",
             "a document number that is not a well-formed symbol (123/QĐ-UBND, 118/2025/NĐ-CP, 57-NQ/TW)"),
        Rule("date-future", "warning",
             "the document's date, its signing, the decision it is attached to or a cited document's date is "
             "after today"),
        Rule("date-missing", "warning",
             "the document has no date (and is not attached to a dated decision)"),
        Rule("number-type-mismatch", "warning",
             "the type code of a symbol does not match the document type (KH ↔ Kế hoạch, QĐ ↔ Quyết định)"),
        Rule("section-order", "warning",
             "a gap or disorder among sibling headings (I, II, IV; 1, 2, 4; letters in Vietnamese or Latin "
             "order: a, b, c, d, đ, e, g …)"),
        Rule("task-stt-gap", "warning", "task numbers (STT) that are not contiguous (a new group may restart at 1)"),
        Rule("task-no-lead", "warning", "a task of a task table (tasks with an output) without a lead unit"),
        Rule("task-no-deadline", "warning", "a task of a task table (tasks with an output) without a deadline"),
        Rule("percent-range", "warning", "a target in % outside 0–100"),
        Rule("low-confidence", "warning",
             f"more than {LOW_CONFIDENCE_SHARE:.0%} of the document's syllables were left doubtful by the repair"),
    )
}


@dataclass(frozen=True)
class Finding:
    """One finding: what is wrong (rule, message), how bad (severity) and where (document, path, line)."""

    severity: Severity
    rule: str
    document_id: str | None
    path: str | None
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckedDocument:
    """One record with its findings: a JUnit test case, a group in the table."""

    document_id: str | None
    path: str | None
    lines: tuple[int, int] | None
    label: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


# --- reading record files -----------------------------------------------------------------------------------


def parse_record_text(text: str, label: str) -> list[Any]:
    """The records of a file written by ``cchc ingest --json`` / ``cchc export --json`` (a JSON array) or
    ``cchc export --jsonl`` (one record a line); a single JSON object is one record. Raises InputError."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        return []
    if body[0] == "[":
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise InputError(f"{label}: not valid JSON (line {exc.lineno}: {exc.msg}); give a file written by "
                             "'cchc ingest --json' or 'cchc export --json/--jsonl'") from None
        if not isinstance(data, list):  # pragma: no cover - a '[' that parses is a list
            data = [data]
    else:
        try:
            data = [json.loads(body)]
        except json.JSONDecodeError:
            data = []
            for number, line in enumerate(text.split("\n"), start=1):
                if not line.strip():
                    continue
                try:
                    data.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{label}: line {number}: not valid JSON ({exc.msg}); JSON Lines need one "
                                     "record a line, as 'cchc export --jsonl' writes") from None
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{label}: record {index} is {type(item).__name__}, not a JSON object; give a file "
                             "written by 'cchc ingest --json' or 'cchc export --json/--jsonl'")
    return data


# --- the checks ---------------------------------------------------------------------------------------------


def check_record(
    record: dict[str, Any], *, today: _dt.date | None = None, fallback_path: str | None = None, index: int = 0
) -> CheckedDocument:
    """A record and its findings. `fallback_path` names where the record came from when it has no
    ``source.path`` (a record file, or the store's path); `index` (1-based, 0: unknown) its place there."""
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    path = source.get("path") if isinstance(source.get("path"), str) else None
    lines = source.get("lines")
    span = (lines[0], lines[1]) if isinstance(lines, list | tuple) and len(lines) == 2 and all(
        isinstance(n, int) for n in lines) else None
    doc_id = record.get("id") if isinstance(record.get("id"), str) else None
    checked = CheckedDocument(doc_id, path or fallback_path, span, _label(record, span, index))
    checked.findings = validate_record(record, today=today, fallback_path=fallback_path, index=index)
    return checked


def validate_record(
    record: dict[str, Any], *, today: _dt.date | None = None, fallback_path: str | None = None, index: int = 0
) -> list[Finding]:
    """The findings of one record (a JSON dict as ``DocumentRecord.to_json_dict()`` gives): schema first;
    the rules only when the record validates. `today` (default: the local date) dates the future."""
    schema_findings = _schema_findings(record, fallback_path, index)
    if schema_findings:
        return schema_findings
    checker = _Checker(record, today or _dt.date.today())
    checker.run()
    return sorted(checker.findings, key=lambda f: (f.line or 0, f.severity != "error", f.rule))


def _label(record: dict[str, Any], span: tuple[int, int] | None, index: int) -> str:
    parts = [str(record.get(key)) for key in ("doc_type", "number") if isinstance(record.get(key), str)]
    if span:
        parts.append(f"lines {span[0]}-{span[1]}")
    elif index:
        parts.append(f"record {index}")
    return " ".join(parts) or "record"


def _schema_findings(record: dict[str, Any], fallback_path: str | None, index: int) -> list[Finding]:
    from pydantic import ValidationError

    from .records import SCHEMA_VERSION, DocumentRecord

    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    path = source.get("path") if isinstance(source.get("path"), str) else fallback_path
    doc_id = record.get("id") if isinstance(record.get("id"), str) else None
    where = f"record {index}: " if index and doc_id is None else ""
    findings: list[Finding] = []
    try:
        # Strict JSON mode: "12" is not a line number, 1.5 not a count; arrays are read as tuples.
        DocumentRecord.model_validate_json(json.dumps(record, ensure_ascii=False), strict=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        for error in errors[:MAX_SCHEMA_FINDINGS]:
            loc = _loc_text(error["loc"])
            findings.append(Finding("error", "schema", doc_id, path, _line_at(record, error["loc"]),
                                    f"{where}{loc}: {error['msg']}"))
        if len(errors) > MAX_SCHEMA_FINDINGS:
            findings.append(Finding("error", "schema", doc_id, path, None,
                                    f"{where}… and {len(errors) - MAX_SCHEMA_FINDINGS} more schema errors"))
        return findings
    version = record.get("schema_version", SCHEMA_VERSION)
    if str(version).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        findings.append(Finding("error", "schema", doc_id, path, None,
                                f"{where}schema_version: {version} is not a version this cchc reads "
                                f"({SCHEMA_VERSION.split('.')[0]}.x)"))
    return findings


def _loc_text(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(record)"


def _line_at(record: Any, loc: Sequence[int | str]) -> int | None:
    """The ``line`` of the innermost element on the error's path that has one."""
    line = None
    node = record
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("line"), int):
            line = node["line"]
    return line


ISO_DATE_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
# The two alphabets outline letters follow: the Vietnamese one (no f, j, w, z; đ after d) and the Latin one
# (documents that leave đ out, or use f). A step to the next letter in either is no gap.
VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
ROMAN_RE = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
DOTTED_RE = re.compile(r"\d+(?:\.\d+)*")


class _Checker:
    def __init__(self, record: dict[str, Any], today: _dt.date) -> None:
        self.record = record
        self.today = today
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
            symbols.append((f"{where}.number", ref.get("number"), ref["line"], _type_code(ref.get("kind")),
                            "it is cited as"))
        for where, number, line, expected, carrier in symbols:
            if number is None:
                continue
            problem = symbol_problem(number)
            if problem:
                self.add("number-malformed", line, f"{where} '{number}' is not a well-formed document symbol: "
                                                   f"{problem}")
                continue
            code = symbol_type_code(number)
            if expected and code and code != expected:
                self.add("number-type-mismatch", line,
                         f"{where} '{number}' has the type code {code} ({_type_name(code)}) but {carrier} "
                         f"a {_type_name(expected)} ({expected})")

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
            if from_table and not (deadline.get("text") or "").strip() and not deadline.get("from") \
                    and not deadline.get("to"):
                self.add("task-no-deadline", line, f"task {_task_name(task, i)} has no deadline")
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
            if target.get("unit") == "%" and value is not None and not 0 <= value <= 100:
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


def symbol_problem(number: str) -> str | None:
    """Why `number` is not a well-formed document symbol, or None. The grammar is the extraction's
    (SYMBOL_RE); a code segment the repair's code book would still correct (QD → QĐ) is damaged."""
    from .extract.references import SYMBOL_RE
    from .repair.codes import fix_segment

    if not isinstance(number, str) or not SYMBOL_RE.fullmatch(number):
        return "expected number/[year/]codes such as 123/QĐ-UBND, 118/2025/NĐ-CP or 57-NQ/TW"
    for segment in re.split(r"[/-]", number)[1:]:
        fixed, _ = fix_segment(segment)
        if fixed != segment:
            return f"the code {segment} reads as a damaged {fixed}"
    return None


def symbol_type_code(number: str) -> str | None:
    """The document-type code a symbol carries: '95/QĐ-UBND' → 'QĐ', '57-NQ/TW' → 'NQ', '123/UBND-VP' → None."""
    codes = _codes_to_names()
    for part in re.split(r"[/-]", number)[1:]:
        if part in codes:
            return part
    return None


@cache
def _codes_to_names() -> dict[str, str]:
    from .extract.vocab import doc_types

    names: dict[str, str] = {}
    for dt in doc_types():
        if dt.abbr:
            names.setdefault(dt.abbr, dt.name)
    return names


@cache
def _type_code(kind: str | None) -> str | None:
    """The code of a type word as printed ('Kế hoạch' → 'KH'); None for words without one (Luật, Văn bản)."""
    if not kind:
        return None
    from .extract.text import clean_space, fold
    from .extract.vocab import doc_types

    folded = fold(clean_space(kind))
    for dt in doc_types():
        if dt.folded == folded:
            return dt.abbr
    return None


def _type_name(code: str) -> str:
    return _codes_to_names().get(code, code)


def parse_label(label: str, kind: str | None = None) -> tuple[str, tuple[int, ...], int] | None:
    """(form, prefix, value) of an outline label: 'IV' → ('roman', (), 4), '2.3' → ('number', (2,), 3),
    'đ' → ('letter', (), rank of đ). The section's `kind` settles 'C' or 'I' (a letter or a numeral).
    None for a label of no known form."""
    if DOTTED_RE.fullmatch(label):
        parts = tuple(int(p) for p in label.split("."))
        return "number", parts[:-1], parts[-1]
    is_letter = len(label) == 1 and label.lower() in LATIN_LETTERS + "đ"
    if is_letter and kind == "letter":
        return "letter", (), _letter_rank(label.lower())
    if label and ROMAN_RE.fullmatch(label):
        return "roman", (), _roman_value(label)
    if is_letter:
        return "letter", (), _letter_rank(label.lower())
    return None


def _roman_value(label: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for ch, nxt in zip(label, label[1:] + " ", strict=True):
        v = values[ch]
        total += -v if nxt != " " and values[nxt] > v else v
    return total


def _letter_rank(letter: str) -> int:
    # Ranks in steps of 2 so that đ (between d and e) has one of its own: a=1, b=3, … d=7, đ=8, e=9.
    if letter == "đ":
        return 2 * LATIN_LETTERS.index("d") + 2
    return 2 * LATIN_LETTERS.index(letter) + 1


def _letter_of(rank: int) -> str:
    return "đ" if rank == _letter_rank("đ") else LATIN_LETTERS[(rank - 1) // 2]


def _follows(form: str, prev: int, cur: int) -> bool:
    if form != "letter":
        return cur == prev + 1
    a, b = _letter_of(prev), _letter_of(cur)
    nexts = set()
    for alphabet in (VIETNAMESE_LETTERS, LATIN_LETTERS):
        i = alphabet.find(a)
        if 0 <= i < len(alphabet) - 1:
            nexts.add(alphabet[i + 1])
    return b in nexts


def _between(form: str, prev: int, cur: int) -> list[int]:
    if form != "letter":
        return list(range(prev + 1, cur))
    a, b = _letter_of(prev), _letter_of(cur)
    alphabet = VIETNAMESE_LETTERS if a in VIETNAMESE_LETTERS and b in VIETNAMESE_LETTERS else LATIN_LETTERS
    i, j = alphabet.find(a), alphabet.find(b)
    return [_letter_rank(ch) for ch in alphabet[i + 1: j]] if 0 <= i < j else []


def _label_of(form: str, prefix: tuple[int, ...], value: int) -> str:
    if form == "letter":
        return _letter_of(value)
    if form == "roman":
        numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                    (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        out = ""
        for n, s in numerals:
            while value >= n:
                out += s
                value -= n
        return out
    return ".".join(str(p) for p in (*prefix, value))


# --- outcome ------------------------------------------------------------------------------------------------


def exit_code(documents: Iterable[CheckedDocument], *, strict: bool = False) -> int:
    """0 when nothing fails, 1 for errors (and, with `strict`, warnings)."""
    from .errors import ExitCode

    for doc in documents:
        if doc.errors or (strict and doc.warnings):
            return ExitCode.FINDINGS
    return ExitCode.OK


def _failing(doc: CheckedDocument, strict: bool) -> list[Finding]:
    return doc.findings if strict else doc.errors


def summary(documents: Sequence[CheckedDocument]) -> str:
    errors = sum(len(d.errors) for d in documents)
    warnings = sum(len(d.warnings) for d in documents)
    return f"{errors} error(s), {warnings} warning(s) in {len(documents)} document(s)"


# --- rendering ----------------------------------------------------------------------------------------------


def render(documents: Sequence[CheckedDocument], fmt: str, *, strict: bool = False, rich: bool = False,
           cwd: str | None = None) -> str:
    """The report in `fmt` (table, json, junit, github) as text. `rich` draws the table for a terminal."""
    if fmt == "json":
        return render_json(documents)
    if fmt == "junit":
        return render_junit(documents, strict=strict, cwd=cwd)
    if fmt == "github":
        return render_github(documents, cwd=cwd)
    if fmt == "table":
        return render_rich_table(documents, cwd=cwd) if rich else render_table(documents, cwd=cwd)
    raise ValueError(f"unknown format {fmt!r}")


def _all(documents: Sequence[CheckedDocument]) -> list[Finding]:
    return [f for doc in documents for f in doc.findings]


def render_json(documents: Sequence[CheckedDocument]) -> str:
    return json.dumps([f.to_dict() for f in _all(documents)], ensure_ascii=False, indent=2) + "\n"


def _where(finding: Finding, cwd: str | None = None) -> str:
    path = _relative(finding.path, cwd) if finding.path else "-"
    return f"{path}:{finding.line}" if finding.line is not None else path


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_table(documents: Sequence[CheckedDocument], *, cwd: str | None = None) -> str:
    """Plain aligned columns (not a terminal): severity, rule, path:line, document, message."""
    findings = _all(documents)
    if not findings:
        return f"no findings: {summary(documents)}\n"
    rows = [(f.severity, f.rule, _where(f, cwd), (f.document_id or "-")[:12], _one_line(f.message)) for f in findings]
    header = ("severity", "rule", "location", "document", "message")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines) + f"\n{summary(documents)}\n"


def render_rich_table(documents: Sequence[CheckedDocument], *, cwd: str | None = None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(record=True, highlight=False, soft_wrap=False)
    findings = _all(documents)
    with console.capture() as capture:
        if findings:
            table = Table(title=summary(documents), title_justify="left")
            for name in ("severity", "rule", "location", "document"):
                table.add_column(name, no_wrap=True)
            table.add_column("message", overflow="fold", min_width=30)
            for f in findings:
                style = "red" if f.severity == "error" else "yellow"
                table.add_row(Text(f.severity, style=style), Text(f.rule), Text(_where(f, cwd)),
                              Text((f.document_id or "-")[:12]), Text(_one_line(f.message)))
            console.print(table)
        else:
            console.print(Text(f"no findings: {summary(documents)}", style="green"))
    return capture.get()


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def render_junit(documents: Sequence[CheckedDocument], *, strict: bool = False, cwd: str | None = None) -> str:
    """JUnit XML: one testsuite, one testcase per document. Errors (and with `strict` warnings) make the
    testcase fail (one <failure> listing them all, as the JUnit schema allows one); warnings otherwise go to
    the testcase's <system-out>, so the test passes and the CI report still shows them."""
    failures = sum(1 for d in documents if _failing(d, strict))
    counts = {"tests": str(len(documents)), "failures": str(failures), "errors": "0", "skipped": "0",
              "time": "0"}
    root = ET.Element("testsuites", {"name": "cchc validate", **counts})
    suite = ET.SubElement(root, "testsuite", {
        "name": "cchc validate", **counts,
        "timestamp": _dt.datetime.now().replace(microsecond=0).isoformat(),
    })
    for doc in documents:
        path = _relative(doc.path, cwd) if doc.path else None
        attrs = {"classname": _xml_text(path or "records"), "name": _xml_text(doc.label), "time": "0"}
        if path:
            attrs["file"] = _xml_text(path)
        if doc.lines:
            attrs["line"] = str(doc.lines[0])
        case = ET.SubElement(suite, "testcase", attrs)
        failing = _failing(doc, strict)
        if failing:
            first = failing[0]
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            failure = ET.SubElement(case, "failure", {
                "type": first.rule, "message": _xml_text(_one_line(first.message) + more)})
            failure.text = _xml_text("\n".join(_finding_line(f, cwd) for f in failing))
        rest = [f for f in doc.findings if f not in failing]
        if rest:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join(_finding_line(f, cwd) for f in rest))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _finding_line(f: Finding, cwd: str | None = None) -> str:
    return f"{f.severity} [{f.rule}] {_where(f, cwd)}: {_one_line(f.message)}"


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as the message, plus ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(documents: Sequence[CheckedDocument], *, cwd: str | None = None) -> str:
    """GitHub Actions workflow commands, one a finding: ``::error file=F,line=N,title=RULE::message``.
    Paths under `cwd` (the workspace) are made relative to it, as annotations expect."""
    lines = []
    for f in _all(documents):
        props = []
        if f.path:
            props.append(f"file={escape_property(_relative(f.path, cwd))}")
            if f.line is not None:
                props.append(f"line={f.line}")
        props.append(f"title={escape_property(f.rule)}")
        doc = f" (document {f.document_id[:12]})" if f.document_id else ""
        lines.append(f"::{f.severity} {','.join(props)}::{escape_data(f.message + doc)}")
    lines.append(f"cchc validate: {summary(documents)}")
    return "\n".join(lines) + "\n"


def _relative(path: str, cwd: str | None) -> str:
    import os

    if cwd and os.path.isabs(path):
        try:
            rel = os.path.relpath(path, cwd)
        except ValueError:
            return path
        if not rel.startswith(".."):
            return rel
    return path
