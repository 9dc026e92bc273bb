"""Export stage: stored records → JSON, JSON Lines or flattened CSV tables (``cchc export``).

Writers take an iterable of :class:`~cchc_cli.store.StoredRecord` and a binary `out` (anything with
``write(bytes)``) and stream: the store is never held in memory whole.

CSV tables, one row per:

- ``documents``: document (header fields and counts);
- ``tasks``: task of the appendix tables, ``lead_units``/``cooperating_units`` joined with ``"; "``;
- ``targets``: quantified target;
- ``references``: cited document, ``role`` ``legal_basis`` for the preamble's "Căn cứ …" (which are also among
  the references, listed once) and ``reference`` for the others;
- ``responsibilities``: unit named in the organisation part, its duties one a line in the cell.

Each row starts with ``document_id``, ``path`` and ``version`` so the tables join. Values that are absent are
empty cells; lists are joined; numbers are written plainly (95, 12.5).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .io import BinaryOut
from .store import StoredRecord

__all__ = ["TABLES", "TABLE_COLUMNS", "table_rows", "write_csv", "write_json", "write_jsonl"]

LIST_SEPARATOR = "; "


def write_json(records: Iterable[StoredRecord], out: BinaryOut) -> int:
    """A JSON array of the records, laid out as ``json.dumps(records, indent=2)`` would; returns the count."""
    count = 0
    for stored in records:
        body = json.dumps(stored.record, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write((("[\n  " if count == 0 else ",\n  ") + body).encode("utf-8"))
        count += 1
    out.write(b"[]\n" if count == 0 else b"\n]\n")
    return count


def write_jsonl(records: Iterable[StoredRecord], out: BinaryOut) -> int:
    """One record a line (JSON Lines); returns the count."""
    count = 0
    for stored in records:
        out.write((json.dumps(stored.record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
        count += 1
    return count


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    return str(value)


def _get(data: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _base(stored: StoredRecord) -> dict[str, Any]:
    # The path as the user named it at ingest (relative to where ingest ran), not the store's key (the path
    # resolved on the machine that ingested); the key for a record without one (stdin).
    path = _get(stored.record, "source", "path") or stored.path
    return {"document_id": stored.record.get("id"), "path": path, "version": stored.version}


def _document_refs(stored: StoredRecord) -> dict[str, Any]:
    """The columns that say which document a row belongs to: a plan issued with a decision has no number of
    its own, so the decision's number (`attached_to`), its type, title and period are carried too."""
    record = stored.record
    return {**_base(stored), "document_number": record.get("number"),
            "document_issuer": _get(record, "issuer", "name"), "document_type": record.get("doc_type"),
            "attached_to": _get(record, "attached_to", "number"), "document_title": record.get("title"),
            "period_from": _get(record, "period", "from"), "period_to": _get(record, "period", "to")}


def _documents(stored: StoredRecord) -> Iterator[dict[str, Any]]:
    r = stored.record
    lines = _get(r, "source", "lines") or [None, None]
    yield {
        **_base(stored),
        "position": stored.position,
        "ingested_at": stored.ingested_at,
        "source_path": _get(r, "source", "path"),
        "sha256": _get(r, "source", "sha256"),
        "first_line": lines[0],
        "last_line": lines[1],
        "doc_type": r.get("doc_type"),
        "doc_type_name": r.get("doc_type_name"),
        "number": r.get("number"),
        "date": r.get("date"),
        "place": r.get("place"),
        "issuer": _get(r, "issuer", "name"),
        "issuer_level": _get(r, "issuer", "level"),
        "issuer_province": _get(r, "issuer", "province"),
        "signer": _get(r, "signer", "name"),
        "signer_position": _get(r, "signer", "position"),
        "title": r.get("title"),
        "period_from": _get(r, "period", "from"),
        "period_to": _get(r, "period", "to"),
        "attached_to": _get(r, "attached_to", "number"),
        "legal_basis_count": len(r.get("legal_basis") or ()),
        "reference_count": len(r.get("references") or ()),
        "section_count": len(r.get("sections") or ()),
        "target_count": len(r.get("targets") or ()),
        "task_count": len(r.get("tasks") or ()),
        "responsibility_count": len(r.get("responsibilities") or ()),
        "edit_count": _get(r, "repair", "edit_count"),
        "low_confidence_count": _get(r, "repair", "low_confidence_count"),
        "warning_count": len(r.get("warnings") or ()),
        "warnings": "\n".join(r.get("warnings") or ()),
    }


def _tasks(stored: StoredRecord) -> Iterator[dict[str, Any]]:
    refs = _document_refs(stored)
    for t in stored.record.get("tasks") or ():
        yield {
            **refs,
            "stt": t.get("stt"),
            "group": t.get("group"),
            "area": t.get("area"),
            "content": t.get("content"),
            "lead_unit": t.get("lead_unit"),
            "lead_units": t.get("lead_units") or [],
            "cooperating_units": t.get("cooperating_units") or [],
            "output": t.get("output"),
            "deadline_text": _get(t, "deadline", "text"),
            "deadline_from": _get(t, "deadline", "from"),
            "deadline_to": _get(t, "deadline", "to"),
            "deadline_source": t.get("deadline_source"),
            "line": t.get("line"),
        }


def _targets(stored: StoredRecord) -> Iterator[dict[str, Any]]:
    refs = _document_refs(stored)
    for t in stored.record.get("targets") or ():
        yield {
            **refs,
            "label": t.get("label"),
            "text": t.get("text"),
            "indicator": t.get("indicator"),
            "comparator": t.get("comparator"),
            "value": t.get("value"),
            "unit": t.get("unit"),
            "deadline": t.get("deadline"),
            "line": t.get("line"),
        }


def _references(stored: StoredRecord) -> Iterator[dict[str, Any]]:
    refs = _document_refs(stored)
    legal = list(stored.record.get("legal_basis") or ())
    cited = list(stored.record.get("references") or ())
    # The preamble's legal bases are also references: each listed once, with its role.
    rows = [("legal_basis" if ref in legal else "reference", ref) for ref in cited]
    rows += [("legal_basis", ref) for ref in legal if ref not in cited]
    rows.sort(key=lambda row: row[1].get("line") or 0)
    for role, ref in rows:
        yield {
            **refs,
            "role": role,
            "kind": ref.get("kind"),
            "number": ref.get("number"),
            "date": ref.get("date"),
            "issuer": ref.get("issuer"),
            "title": ref.get("title"),
            "line": ref.get("line"),
        }


def _responsibilities(stored: StoredRecord) -> Iterator[dict[str, Any]]:
    refs = _document_refs(stored)
    for item in stored.record.get("responsibilities") or ():
        yield {**refs, "unit": item.get("unit"), "units": item.get("units") or [],
               "duties": "\n".join(item.get("duties") or ()), "line": item.get("line")}


_DOC_REFS = ["document_id", "path", "version", "document_number", "document_issuer", "document_type", "attached_to",
             "document_title", "period_from", "period_to"]
TABLE_COLUMNS: dict[str, list[str]] = {
    "documents": [
        "document_id", "path", "version", "position", "ingested_at", "source_path", "sha256", "first_line",
        "last_line", "doc_type", "doc_type_name", "number", "date", "place", "issuer", "issuer_level",
        "issuer_province", "signer", "signer_position", "title", "period_from", "period_to", "attached_to",
        "legal_basis_count", "reference_count", "section_count", "target_count", "task_count",
        "responsibility_count", "edit_count", "low_confidence_count", "warning_count", "warnings",
    ],
    "tasks": [*_DOC_REFS, "stt", "group", "area", "content", "lead_unit", "lead_units", "cooperating_units",
              "output", "deadline_text", "deadline_from", "deadline_to", "deadline_source", "line"],
    "targets": [*_DOC_REFS, "label", "text", "indicator", "comparator", "value", "unit", "deadline", "line"],
    "references": [*_DOC_REFS, "role", "kind", "number", "date", "issuer", "title", "line"],
    "responsibilities": [*_DOC_REFS, "unit", "units", "duties", "line"],
}
_ROWS: dict[str, Callable[[StoredRecord], Iterator[dict[str, Any]]]] = {
    "documents": _documents,
    "tasks": _tasks,
    "targets": _targets,
    "references": _references,
    "responsibilities": _responsibilities,
}
TABLES = tuple(TABLE_COLUMNS)


def table_rows(table: str, records: Iterable[StoredRecord]) -> Iterator[list[str]]:
    """The rows of `table` (one of :data:`TABLES`) as lists of cell texts in :data:`TABLE_COLUMNS` order."""
    columns = TABLE_COLUMNS[table]
    rows = _ROWS[table]
    for stored in records:
        for row in rows(stored):
            yield [_text(row.get(column)) for column in columns]


class _TextOut:
    """A text sink over `out`, for the csv module."""

    def __init__(self, out: BinaryOut, encoding: str) -> None:
        self.out = out
        self.encoding = encoding

    def write(self, text: str) -> int:
        self.out.write(text.encode(self.encoding))
        return len(text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_OPERATORS = "=+-"


def _defused(cell: str) -> str:
    """A cell that a spreadsheet would run as a formula (=, +, -, @ first), shown as text instead. A cell of
    those signs alone (the comparator '=', a '-' label) has nothing to run and is kept, so that a filter
    groups '=' with '≥' and '≤'."""
    if cell.startswith(_FORMULA_START) and cell.strip(_OPERATORS):
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell


def write_csv(records: Iterable[StoredRecord], out: BinaryOut, table: str = "documents", *,
              excel: bool = False) -> int:
    """`table` as CSV (a header row, then one row per item; rows end with CRLF as RFC 4180 says); returns the
    number of rows. `excel`: a UTF-8 byte-order mark first, so Excel reads the file as UTF-8, and cells that
    Excel would evaluate as formulas (beginning with = + - @) prefixed with an apostrophe."""
    if excel:
        out.write("\ufeff".encode())
    writer = csv.writer(_TextOut(out, "utf-8"))
    writer.writerow(TABLE_COLUMNS[table])
    count = 0
    for row in table_rows(table, records):
        writer.writerow([_defused(cell) for cell in row] if excel else row)
        count += 1
    return count
