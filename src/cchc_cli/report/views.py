"""The tables of the report, ready for the template: each document's tasks (with the keys the page sorts and
filters them by), targets, references, responsibilities and outline; the coverage matrix (document × task
area) and the target values of each document by indicator.

Text columns sort in Vietnamese alphabetical order: each cell carries its rank among all the column's values
in the report (``data-k``), computed here with :func:`cchc_cli.vietnamese.sort_key`, so the browser's own
collation plays no part.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..vietnamese import sort_key
from .gather import (
    ReportDocument,
    deadline_date,
    get,
    indicator_of,
    items,
    lead_names,
    parse_date,
    quarter_key,
    quarter_label,
    text,
    vn_date,
)

__all__ = ["DocumentView", "Ranks", "TaskRow", "coverage_rows", "document_view", "format_number", "indicator_rows",
           "target_value"]

MAX_OUTLINE_DEPTH = 6  # deeper headings are shown at this depth


def format_number(value: float, lang: str) -> str:
    """``1.234``, ``90,5`` in Vietnamese; ``1,234``, ``90.5`` in English."""
    whole = float(value).is_integer()
    shown = f"{value:,.0f}" if whole else f"{value:,.2f}".rstrip("0")
    if lang == "en":
        return shown
    return shown.replace(",", "\0").replace(".", ",").replace("\0", ".")


def target_value(target: dict[str, Any], lang: str) -> str:
    """``≥ 90%``, ``100%``, ``5 ngày``: the comparator (none for =), the value and its unit; '' when none."""
    value = target.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    comparator = target.get("comparator") if text(target.get("comparator")) not in (None, "=") else None
    unit = text(target.get("unit")) or ""
    shown = format_number(value, lang) + (unit if unit == "%" else f" {unit}" if unit else "")
    return f"{comparator} {shown}" if comparator else shown


class Ranks:
    """The rank of each value of a text column in Vietnamese alphabetical order."""

    def __init__(self, values: Iterable[str]) -> None:
        self._rank = {v: i for i, v in enumerate(sorted(set(values), key=sort_key))}

    def __getitem__(self, value: str) -> int:
        return self._rank.get(value, -1)

    def __len__(self) -> int:
        return len(self._rank)


@dataclass
class TaskRow:
    stt: str
    stt_key: float
    group: str
    area: str  # the code ('' when none): the filter's value
    area_name: str
    area_key: int
    content: str
    content_key: int
    lead: list[str]
    lead_key: int
    cooperating: list[str]
    output: str
    deadline: str
    deadline_key: int  # yyyymmdd of when it is due, 99999999 when not given
    quarter: str  # ``2025-Q3`` ('' when no date): the filter's value
    units: str  # the ids of its lead and cooperating units, for the unit filter
    line: int | None


@dataclass
class DocumentView:
    doc: ReportDocument
    tasks: list[TaskRow]
    area_options: list[tuple[str, str, int]]  # (code, name, tasks)
    unit_options: list[tuple[int, str]]  # (id, name)
    quarter_options: list[tuple[str, str]]  # (key, label)
    targets: list[dict[str, Any]] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)
    responsibilities: list[dict[str, Any]] = field(default_factory=list)
    outline: list[dict[str, Any]] = field(default_factory=list)
    header: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # the few scalars the page shows, checked for type


def unit_list(task: dict[str, Any], key: str) -> list[str]:
    value = task.get(key)
    return [u for u in value if text(u)] if isinstance(value, list) else []


class AreaOrder(Ranks):
    """The areas in the order of ``dictionaries/task_areas.yaml``; no area last."""

    def __init__(self, areas: dict[str, str]) -> None:
        self._rank = {code: i for i, code in enumerate(areas)}

    def __getitem__(self, value: str) -> int:
        return self._rank.get(value, len(self._rank))


def all_ranks(documents: Sequence[ReportDocument], areas: dict[str, str]) -> dict[str, Ranks]:
    """The ranks of the text columns of every tasks table, and the ids of the units (their ranks)."""
    tasks = [task for doc in documents for task in doc.tasks]
    return {
        "area": AreaOrder(areas),
        "content": Ranks(text(t.get("content")) or "" for t in tasks),
        "lead": Ranks("; ".join(lead_names(t)) for t in tasks),
        "unit": Ranks(u for t in tasks for u in (*lead_names(t), *unit_list(t, "cooperating_units"))),
    }


def task_row(task: dict[str, Any], ranks: dict[str, Ranks], areas: dict[str, str], lang: str) -> TaskRow:
    stt = task.get("stt")
    area = task.get("area") if task.get("area") in areas else ""
    content = text(task.get("content")) or ""
    lead = lead_names(task)
    cooperating = unit_list(task, "cooperating_units")
    due = deadline_date(task)
    deadline = text(get(task, "deadline", "text")) or ""
    if not deadline and due is not None:
        deadline = vn_date(due.isoformat()) or ""
    line = task.get("line") if isinstance(task.get("line"), int) else None
    return TaskRow(
        stt="" if stt is None else str(stt),
        stt_key=float(stt) if isinstance(stt, int | float) and not isinstance(stt, bool) else 1e9,
        group=text(task.get("group")) or "", area=area, area_name=areas.get(area, ""),
        area_key=ranks["area"][area],
        content=content, content_key=ranks["content"][content],
        lead=lead, lead_key=ranks["lead"]["; ".join(lead)], cooperating=cooperating,
        output=text(task.get("output")) or "", deadline=deadline,
        deadline_key=int(due.strftime("%Y%m%d")) if due else 99999999,
        quarter=quarter_key(due) if due else "",
        units=" ".join(str(ranks["unit"][u]) for u in dict.fromkeys((*lead, *cooperating))),
        line=line,
    )


def flat_outline(sections: list[dict[str, Any]], depth: int = 1) -> list[dict[str, Any]]:
    """The outline's headings in order, each with its depth (at most MAX_OUTLINE_DEPTH), without recursion
    limits on how deeply a record nests them."""
    out: list[dict[str, Any]] = []
    todo = [(depth, s) for s in reversed(sections)]
    while todo:
        level, section = todo.pop()
        out.append({"level": min(level, MAX_OUTLINE_DEPTH), "label": text(section.get("label")) or "",
                    "title": text(section.get("title")) or "", "line": section.get("line")})
        todo += [(level + 1, s) for s in reversed(items(section, "children"))]
    return out


def header_fields(record: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) of the header fields that are known."""
    attached = " ".join(p for p in (text(get(record, "attached_to", "doc_type")),
                                    text(get(record, "attached_to", "number")),
                                    vn_date(get(record, "attached_to", "date"))) if p)
    period = text(get(record, "period", "text"))
    span = " – ".join(d for d in (vn_date(get(record, "period", "from")), vn_date(get(record, "period", "to"))) if d)
    signer = ", ".join(p for p in (text(get(record, "signer", "position")), text(get(record, "signer", "name"))) if p)
    fields = [
        (labels["doc_type"], text(record.get("doc_type_name")) or text(record.get("doc_type"))),
        (labels["number"], text(record.get("number"))),
        (labels["date"], vn_date(record.get("date"))),
        (labels["place"], text(record.get("place"))),
        (labels["issuer"], text(get(record, "issuer", "name"))),
        (labels["level"], text(get(record, "issuer", "level"))),
        (labels["province"], text(get(record, "issuer", "province"))),
        (labels["title"], text(record.get("title"))),
        (labels["period"], f"{period} ({span})" if period and span else period or span),
        (labels["attached_to"], attached),
        (labels["signer"], signer),
    ]
    return [(name, value) for name, value in fields if value]


def document_view(doc: ReportDocument, ranks: dict[str, Ranks], areas: dict[str, str],
                  labels: dict[str, str]) -> DocumentView:
    lang = labels["html_lang"]
    rows = [task_row(task, ranks, areas, lang) for task in doc.tasks]
    area_counts = Counter(row.area for row in rows if row.area)
    units = {int(i) for row in rows for i in row.units.split()}
    unit_names = {ranks["unit"][u]: u for row in rows for u in (*row.lead, *row.cooperating)}
    quarters = sorted({row.quarter for row in rows if row.quarter})
    legal = {(text(r.get("number")), r.get("line")) for r in items(doc.record, "legal_basis")}
    references = [dict(r, legal=(text(r.get("number")), r.get("line")) in legal,
                       date_shown=vn_date(r.get("date")) or "")
                  for r in items(doc.record, "references") or items(doc.record, "legal_basis")]
    targets = [dict(t, shown=target_value(t, lang), deadline_shown=vn_date(t.get("deadline")) or
                    (text(t.get("deadline")) or "")) for t in doc.targets]
    responsibilities = [dict(r, duty_list=[d for d in r.get("duties") or [] if text(d)]
                             if isinstance(r.get("duties"), list) else [])
                        for r in items(doc.record, "responsibilities")]
    return DocumentView(
        doc, rows,
        area_options=[(code, name, area_counts[code]) for code, name in areas.items() if area_counts[code]],
        unit_options=[(i, unit_names[i]) for i in sorted(units)],
        quarter_options=[(q, quarter_label(q, labels)) for q in quarters],
        targets=targets, references=references, responsibilities=responsibilities,
        outline=flat_outline(items(doc.record, "sections")), header=header_fields(doc.record, labels),
        facts=document_facts(doc.record),
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def document_facts(record: dict[str, Any]) -> dict[str, Any]:
    """The scalars of the documents list and a document's heading, each of the type the page expects."""
    lines = get(record, "source", "lines")
    span = "–".join(str(n) for n in lines) if isinstance(lines, list) and all(
        isinstance(n, int) for n in lines) and lines else ""
    date = parse_date(record.get("date"))
    warnings = record.get("warnings")
    return {
        "doc_type": text(record.get("doc_type")) or "", "number": text(record.get("number")) or "",
        "date": vn_date(record.get("date")) or "", "date_key": int(date.strftime("%Y%m%d")) if date else 0,
        "issuer": text(get(record, "issuer", "name")) or "", "period": text(get(record, "period", "text")) or "",
        "lines": span, "edits": _count(get(record, "repair", "edit_count")),
        "doubtful": _count(get(record, "repair", "low_confidence_count")),
        "warnings": [w for w in warnings if text(w)] if isinstance(warnings, list) else [],
    }


def coverage_rows(documents: Sequence[ReportDocument], areas: dict[str, str]) -> list[tuple[ReportDocument, list[int]]]:
    """(document, tasks in each area) for every document that has tasks or is a plan (a plan without tasks
    leaves every area out)."""
    out = []
    for doc in documents:
        if not doc.tasks and doc.record.get("doc_type") != "KH":
            continue
        counts = Counter(task.get("area") for task in doc.tasks)
        out.append((doc, [counts[code] for code in areas]))
    return out


def indicator_rows(documents: Sequence[ReportDocument], indicators: Sequence[str],
                   labels: dict[str, str]) -> tuple[list[str], list[tuple[ReportDocument, list[list[str]]]]]:
    """The indicators found (in the order of ``dictionaries/indicators.yaml``, percentages last) and, for each
    document with targets, its values under each (a target without a value shows as '✓')."""
    lang = labels["html_lang"]
    percent = labels["percentages"]
    values: dict[str, dict[str, list[str]]] = {}  # document anchor → indicator → its values
    for doc in documents:
        for target in doc.targets:
            indicator = indicator_of(target, percent)
            if indicator is not None:
                values.setdefault(doc.anchor, {}).setdefault(indicator, []).append(target_value(target, lang) or "✓")
    present = {code for found in values.values() for code in found}
    columns = [code for code in (*indicators, percent) if code in present]
    rows = [(doc, [values[doc.anchor].get(code, []) for code in columns]) for doc in documents if doc.anchor in values]
    return columns, rows
