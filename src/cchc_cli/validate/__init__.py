"""``cchc validate``: the checks a reviewer would make on DocumentRecords, as findings.

A record is first validated against the contract (:class:`cchc_cli.records.DocumentRecord`, the model that
``cchc schema`` publishes, in pydantic's strict JSON mode so that what passes here passes the JSON Schema);
a record that does not validate gets ``schema`` findings naming the field and no other checks. A valid
record then goes through the rules of :data:`RULES`, each with a stable kebab-case id and a severity:
errors are facts that cannot be right (31/2, a period ending before it starts, a malformed symbol);
warnings are what a reviewer would look at twice (a gap in the outline, a task without a lead unit).

The rules are in :mod:`.rules`, what they report in :mod:`.findings`; :func:`render` (:mod:`.render`) writes
the findings as a table, JSON, JUnit XML or GitHub Actions workflow commands. Records come from the store or
from record files (:func:`read_record_file`).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from typing import Any

from ..errors import InputError
from ..resources import Resources, load_resources
from .findings import FORMATS, RULES, CheckedDocument, Finding, Rule, exit_code, summary
from .render import escape_data, escape_property, render
from .rules import Checker, parse_iso_date, parse_label

__all__ = [
    "FORMATS",
    "RULES",
    "CheckedDocument",
    "Finding",
    "Rule",
    "check_record",
    "escape_data",
    "escape_property",
    "exit_code",
    "parse_iso_date",
    "parse_label",
    "parse_record_text",
    "read_record_file",
    "render",
    "summary",
    "validate_record",
]

# At most this many schema findings per record: a record of another shape would otherwise flood the report.
MAX_SCHEMA_FINDINGS = 20


# --- reading record files -----------------------------------------------------------------------------------


def parse_record_text(text: str, label: str) -> list[Any]:
    """The records of a file written by ``cchc ingest --json`` / ``cchc export --json`` (a JSON array) or
    ``cchc export --jsonl`` (one record a line); a single JSON object is one record. Raises InputError."""
    try:
        return _parse_records(text, label)
    except RecursionError:
        raise InputError(f"{label}: JSON nested too deeply to be records; give a file written by 'cchc ingest "
                         "--json' or 'cchc export --json/--jsonl'") from None


def _parse_records(text: str, label: str) -> list[Any]:
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


def read_record_file(label: str, data: bytes | None = None) -> list[Any]:
    """The records of the record file `label` (or of `data`, its bytes, e.g. stdin's). Raises InputError
    naming the file: missing, a folder, not UTF-8, not JSON records."""
    if data is None:
        from pathlib import Path

        from ..io import read_error

        if Path(label).is_dir():
            raise InputError(f"{label}: is a folder; give record files (JSON or JSON Lines)")
        try:
            with open(label, "rb") as stream:
                data = stream.read()
        except OSError as exc:
            raise read_error(label, exc) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 text; give a JSON file written by 'cchc ingest --json' "
                         "or 'cchc export --json/--jsonl'") from None
    return parse_record_text(text, label)


# --- the checks ---------------------------------------------------------------------------------------------


def check_record(
    record: dict[str, Any], *, today: _dt.date | None = None, fallback_path: str | None = None, index: int = 0,
    resources: Resources | None = None,
) -> CheckedDocument:
    """A record and its findings. `fallback_path` names where the record came from when it has no
    ``source.path`` (a record file, or the store's path); `index` (1-based, 0: unknown) its place there."""
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    path = source.get("path") if isinstance(source.get("path"), str) else None
    lines = source.get("lines")
    span = (lines[0], lines[1]) if isinstance(lines, list | tuple) and len(lines) == 2 and all(
        isinstance(n, int) for n in lines) else None
    doc_id = record.get("id") if isinstance(record.get("id"), str) else None
    checked = CheckedDocument(doc_id, path or fallback_path, span, _label(record, span, index),
                              name=document_name(record, span, index))
    checked.findings = validate_record(record, today=today, fallback_path=fallback_path, index=index,
                                       resources=resources)
    return checked


def validate_record(
    record: dict[str, Any], *, today: _dt.date | None = None, fallback_path: str | None = None, index: int = 0,
    resources: Resources | None = None,
) -> list[Finding]:
    """The findings of one record (a JSON dict as ``DocumentRecord.to_json_dict()`` gives): schema first;
    the rules only when the record validates. `today` (default: the local date) dates the future."""
    try:
        schema_findings = _schema_findings(record, fallback_path, index)
    except RecursionError:
        schema_findings = [Finding("error", "schema", None, fallback_path, None,
                                   f"record {index}: nested too deeply to be a record")]
    if schema_findings:
        return schema_findings
    checker = Checker(record, today or _dt.date.today(), resources or load_resources())
    checker.run()
    return sorted(checker.findings, key=lambda f: (f.line or 0, f.severity != "error", f.rule))


def _label(record: dict[str, Any], span: tuple[int, int] | None, index: int) -> str:
    parts = [str(record.get(key)) for key in ("doc_type", "number") if isinstance(record.get(key), str)]
    if span:
        parts.append(f"lines {span[0]}-{span[1]}")
    elif index:
        parts.append(f"record {index}")
    return " ".join(parts) or "record"


def document_name(record: dict[str, Any], span: tuple[int, int] | None, index: int = 0) -> str:
    """The document as a reader names it: its type and number ('QĐ 95/QĐ-UBND'); a plan issued with a
    decision by the decision's number ('KH of 95/QĐ-UBND'); else its type and lines ('KH lines 1-40')."""
    doc_type = record.get("doc_type") if isinstance(record.get("doc_type"), str) else None
    number = record.get("number") if isinstance(record.get("number"), str) else None
    attached = record.get("attached_to") if isinstance(record.get("attached_to"), dict) else {}
    if number:
        return f"{doc_type} {number}" if doc_type else number
    if isinstance(attached.get("number"), str):
        return f"{doc_type or 'document'} of {attached['number']}"
    where = f"lines {span[0]}-{span[1]}" if span else (f"record {index}" if index else "")
    return " ".join(part for part in (doc_type, where) if part) or "record"


def _schema_findings(record: dict[str, Any], fallback_path: str | None, index: int) -> list[Finding]:
    from pydantic import ValidationError

    from ..records import SCHEMA_VERSION, DocumentRecord

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


