"""What the report shows, gathered from stored records: the documents with their findings, and the figures
across them (documents by type, issuer level, province and period; tasks by area, lead unit and quarter of
their deadline; targets by indicator; the coverage of task areas; findings by rule).

Records are read as the store gives them (JSON dicts) and never trusted to have their fields: a record of an
older schema, or one whose fields are all null, gives a document with empty sections, not an error.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import data
from ..store import StoredRecord
from ..validate import RULES, Finding, check_record
from ..vietnamese import sort_key

__all__ = ["Bar", "Chart", "ReportDocument", "area_names", "gather_documents", "get", "items", "overview"]

TOP_UNITS = 15  # the lead units shown by name; the others are summed in one row
MAX_QUARTERS = 40  # a timeline longer than this (ten years) is drawn by year
OTHER_AREA = "other"


def get(value: Any, *keys: str) -> Any:
    """``value[k1][k2]…``, or None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def items(value: Any, key: str) -> list[dict[str, Any]]:
    """The mappings of the list ``value[key]`` (anything else in it, or no list, is left out)."""
    found = get(value, key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def text(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value.strip() else None


@dataclass
class ReportDocument:
    """One stored document as the report shows it; `anchor` is its id in the page (``d1``, ``d2`` …)."""

    anchor: str
    record: dict[str, Any]
    path: str
    version: int
    label: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return items(self.record, "tasks")

    @property
    def targets(self) -> list[dict[str, Any]]:
        return items(self.record, "targets")


def document_label(record: dict[str, Any], path: str, position: int) -> str:
    """``Kế hoạch 14/KH-UBND — Ủy ban nhân dân phường Trần Liễu``, or what of it is known, else the file."""
    kind = text(record.get("doc_type_name")) or text(record.get("doc_type"))
    number = text(record.get("number"))
    attached = text(get(record, "attached_to", "number")) if number is None else None
    head = " ".join(p for p in (kind, number, f"({attached})" if attached else None) if p)
    issuer = text(get(record, "issuer", "name"))
    if head and issuer:
        return f"{head} — {issuer}"
    if head or issuer:
        return head or issuer or ""
    name = path.rsplit("/", 1)[-1]
    return f"{name} #{position + 1}"


def gather_documents(stored: Iterable[StoredRecord], today: _dt.date | None = None) -> list[ReportDocument]:
    """The stored records as report documents, in the store's order, each with its validation findings."""
    out = []
    for number, item in enumerate(stored, start=1):
        record = item.record if isinstance(item.record, dict) else {}
        checked = check_record(record, today=today, fallback_path=item.path)
        out.append(ReportDocument(f"d{number}", record, item.path, item.version,
                                  document_label(record, item.path, item.position), checked.findings))
    return out


# --- charts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    title: str | None = None  # a longer name for the tooltip and the table (the label may be short)
    group: str | None = None  # a timeline's year, written under its first bar


@dataclass
class Chart:
    """One chart and the table of its numbers: `kind` ``bars`` (horizontal) or ``columns`` (a timeline)."""

    key: str
    title: str
    bars: list[Bar]
    kind: str = "bars"
    note: str | None = None

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def area_names(lang: str) -> dict[str, str]:
    """The eight task area codes (in the order of ``dictionaries/task_areas.yaml``, ``other`` last) and
    their names in `lang` (``vi`` or ``en``)."""
    content = data.read_yaml("task_areas.yaml")
    name = "name_en" if lang == "en" else "name"
    names = {entry["code"]: entry.get(name) or entry["code"] for entry in content["areas"]}
    names[OTHER_AREA] = get(content, "other", name) or OTHER_AREA
    return names


def counted(values: Iterable[str | None], unknown: str) -> list[Bar]:
    """Bars of how often each value occurs (None counted as `unknown`), most frequent first, then in
    Vietnamese alphabetical order."""
    counts = Counter(value if value is not None else unknown for value in values)
    return [Bar(label, n) for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], sort_key(kv[0])))]


def period_bars(documents: Sequence[ReportDocument], unknown: str) -> list[Bar]:
    """Documents by period, in the order of the periods' start (the first text seen names a period)."""
    found: dict[tuple[str, str], tuple[str, int]] = {}
    missing = 0
    for doc in documents:
        start, end = text(get(doc.record, "period", "from")), text(get(doc.record, "period", "to"))
        if start is None and end is None:
            missing += 1
            continue
        key = (start or "", end or "")
        label = text(get(doc.record, "period", "text")) or " – ".join(vn_date(d) or "…" for d in key)
        name, n = found.get(key, (label, 0))
        found[key] = (name, n + 1)
    bars = [Bar(name, n) for _, (name, n) in sorted(found.items())]
    return bars + ([Bar(unknown, missing)] if missing else [])


def lead_names(task: dict[str, Any]) -> list[str]:
    """A task's lead units: the canonical names, else the unit as printed."""
    units = [u for u in task.get("lead_units") or [] if text(u)] if isinstance(task.get("lead_units"), list) else []
    if not units and text(task.get("lead_unit")):
        units = [task["lead_unit"]]
    return units


def lead_bars(documents: Sequence[ReportDocument], labels: dict[str, str]) -> list[Bar]:
    counts: Counter[str] = Counter()
    for doc in documents:
        for task in doc.tasks:
            counts.update(lead_names(task) or [labels["no_lead"]])
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], sort_key(kv[0])))
    bars = [Bar(name, n) for name, n in ranked[:TOP_UNITS]]
    rest = sum(n for _, n in ranked[TOP_UNITS:])
    return bars + ([Bar(f"{labels['other_units']} ({len(ranked) - TOP_UNITS})", rest)] if rest else [])


def parse_date(value: Any) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def vn_date(value: Any) -> str | None:
    """An ISO date as Vietnamese documents write it: ``19/11/2025`` (None when it is no date)."""
    day = parse_date(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else None


def deadline_date(task: dict[str, Any]) -> _dt.date | None:
    """When a task is due: the end of its time frame, else its start."""
    return parse_date(get(task, "deadline", "to")) or parse_date(get(task, "deadline", "from"))


ROMAN = ("I", "II", "III", "IV")


def quarter_key(day: _dt.date) -> str:
    """``2025-Q3``: the value the deadline filter uses."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_label(key: str, labels: dict[str, str]) -> str:
    """``Quý III/2025`` (``Q3 2025`` in English) for ``2025-Q3``."""
    year, q = key.split("-Q")
    if labels["html_lang"] == "en":
        return f"Q{q} {year}"
    return f"{labels['quarter']} {ROMAN[int(q) - 1]}/{year}"


def deadline_bars(documents: Sequence[ReportDocument], labels: dict[str, str]) -> tuple[list[Bar], int]:
    """Tasks by the quarter they are due, every quarter from the first to the last (by year over
    MAX_QUARTERS), and the count of tasks without a deadline."""
    days = [deadline_date(task) for doc in documents for task in doc.tasks]
    dated = [d for d in days if d is not None]
    if not dated:
        return [], len(days)
    first, last = min(dated), max(dated)
    span = (last.year - first.year) * 4 + (last.month - 1) // 3 - (first.month - 1) // 3 + 1
    if span > MAX_QUARTERS:
        years = Counter(d.year for d in dated)
        return [Bar(str(y), years[y]) for y in range(first.year, last.year + 1)], len(days) - len(dated)
    counts = Counter(quarter_key(d) for d in dated)
    bars = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    for _ in range(span):
        key = f"{year}-Q{quarter}"
        bars.append(Bar(ROMAN[quarter - 1], counts[key], quarter_label(key, labels), str(year)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return bars, len(days) - len(dated)


def indicator_of(target: dict[str, Any], percent: str) -> str | None:
    """The indicator a target is counted under: its named index, else `percent` for a target in %."""
    if text(target.get("indicator")):
        return target["indicator"]
    return percent if target.get("unit") == "%" else None


def finding_bars(documents: Sequence[ReportDocument], labels: dict[str, str]) -> list[Bar]:
    counts = Counter(f.rule for doc in documents for f in doc.findings)
    order = list(RULES)
    return [Bar(rule, counts[rule], f"{rule} ({labels[RULES[rule].severity]})" if rule in RULES else rule)
            for rule in sorted(counts, key=lambda r: (order.index(r) if r in order else len(order), r))]


def overview(documents: Sequence[ReportDocument], labels: dict[str, str], areas: dict[str, str],
             indicators: Sequence[str]) -> dict[str, Chart]:
    """The charts across the documents, by key."""
    unknown = labels["unknown"]
    records = [doc.record for doc in documents]
    area_counts = Counter(task.get("area") if task.get("area") in areas else None
                          for doc in documents for task in doc.tasks)
    area_list = [Bar(name, area_counts[code]) for code, name in areas.items()]
    if area_counts[None]:
        area_list.append(Bar(unknown, area_counts[None]))
    deadlines, undated = deadline_bars(documents, labels)
    percent = labels["percentages"]
    target_counts = Counter(indicator_of(t, percent) for doc in documents for t in doc.targets)
    charts = [
        Chart("by-type", labels["by_type"], counted(
            (text(r.get("doc_type_name")) or text(r.get("doc_type")) for r in records), unknown)),
        Chart("by-level", labels["by_level"], counted((text(get(r, "issuer", "level")) for r in records), unknown)),
        Chart("by-province", labels["by_province"],
              counted((text(get(r, "issuer", "province")) for r in records), unknown)),
        Chart("by-period", labels["by_period"], period_bars(documents, unknown)),
        Chart("tasks-by-area", labels["tasks_by_area"], area_list),
        Chart("tasks-by-lead", labels["tasks_by_lead"], lead_bars(documents, labels)),
        Chart("deadlines", labels["deadlines"], deadlines, kind="columns",
              note=f"{labels['no_deadline']}: {undated}" if undated else None),
        Chart("targets-by-indicator", labels["targets_by_indicator"],
              [Bar(code, target_counts[code]) for code in (*indicators, percent) if target_counts[code]]),
        Chart("findings-by-rule", labels["findings_by_rule"], finding_bars(documents, labels)),
    ]
    return {chart.key: chart for chart in charts}
