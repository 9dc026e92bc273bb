"""Scoring of records against the extraction dev set (scripts/make_extraction_devset.py builds it).

A page is one OCR'd document head; its truth is a line of ``truth.jsonl``. For every field the score is
precision (right ÷ fields the reader filled) and recall (right ÷ fields the truth has): a wrong value
counts against both, a missing one against recall only, a value where the truth has none (a page that is
no document) against precision only. On a ``nodoc`` page (a web page that holds no document header) only
``number`` and ``date`` are scored: neither may be invented (a type word in its text may be real).
Comparisons: ``doc_type``, ``number``, ``date`` exact; ``place`` and
``issuer`` with case and marks ignored; ``title`` right when its similarity to the truth (case and marks
ignored) is at least 0.9; cited documents as sets of codes (references ∪ legal_basis), micro-averaged; the
units of a responsibilities section matched one to one with similarity ≥ 0.85 (case and marks ignored).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.fuzz import ratio

from cchc_cli.records import DocumentRecord
from cchc_cli.text import fold

FIELDS = ("doc_type", "number", "date", "place", "issuer", "title")
TITLE_SIMILARITY = 90.0
UNIT_SIMILARITY = 85.0


@dataclass
class Count:
    right: int = 0
    filled: int = 0
    truth: int = 0

    def add(self, right: int, filled: int, truth: int) -> None:
        self.right += right
        self.filled += filled
        self.truth += truth

    def precision(self) -> float | None:
        return self.right / self.filled if self.filled else None

    def recall(self) -> float | None:
        return self.right / self.truth if self.truth else None


@dataclass
class Table:
    """Counts per (layout, field); layout "all" sums them."""

    counts: dict[tuple[str, str], Count] = field(default_factory=lambda: defaultdict(Count))
    pages: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[tuple[str, str, object, object]] = field(default_factory=list)

    def add(self, layout: str, name: str, right: int, filled: int, truth: int) -> None:
        for key in (layout, "all"):
            self.counts[(key, name)].add(right, filled, truth)


def load_truth(directory: Path, half: str) -> list[dict]:
    rows = [json.loads(line) for line in (directory / "truth.jsonl").read_text("utf-8").splitlines() if line]
    return [r for r in rows if half == "all" or r["half"] == half]


def _norm(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", fold(text).lower()).strip(" .,;:") if text else None


def _value(record: DocumentRecord | None, name: str) -> str | None:
    if record is None:
        return None
    if name == "issuer":
        return record.issuer.name
    return getattr(record, name)


def _truth(row: dict, name: str) -> str | None:
    if name == "issuer":
        return " ".join(row["issuer"]) or None
    return row[name]


def _same(name: str, got: str, want: str) -> bool:
    if name in ("doc_type", "number", "date"):
        return got == want
    if name == "title":
        return ratio(_norm(got) or "", _norm(want) or "") >= TITLE_SIMILARITY
    return _norm(got) == _norm(want)


def cited_codes(record: DocumentRecord | None) -> set[str]:
    """The codes of the documents a record cites (references ∪ legal_basis)."""
    if record is None:
        return set()
    codes = {r.number for r in [*record.references, *record.legal_basis] if r.number}
    return {c for c in codes if "/" in c}


def page_values(records: Iterable[DocumentRecord]) -> dict:
    """What the first record of a page says of each scored field (plain values: they cross processes)."""
    records = list(records)
    first = records[0] if records else None
    values = {name: _value(first, name) for name in FIELDS}
    values["cited"] = sorted(cited_codes(first))
    values["units"] = [r.unit for rec in records for r in rec.responsibilities]
    values["documents"] = len(records)
    return values


def score_page(row: dict, values: dict, table: Table) -> None:
    layout = row["layout"]
    table.pages[layout] += 1
    if layout == "resp":  # a responsibilities section: its units only
        right = _matched(values["units"], row["units"])
        table.counts[("resp", "units")].add(right, len(values["units"]), len(row["units"]))
        if right < len(row["units"]) or right < len(values["units"]):
            table.misses.append((row["name"], "units", values["units"], row["units"]))
        return
    table.pages["all"] += 1
    for name in FIELDS:
        if layout == "nodoc" and name not in ("number", "date"):
            continue  # a page with no document header: what must not be invented is a number or a date
        got, want = values[name], _truth(row, name)
        right = bool(got and want and _same(name, got, want))
        table.add(layout, name, int(right), int(got is not None), int(want is not None))
        if not right and (got or want) and name in ("doc_type", "number", "date"):
            table.misses.append((row["name"], name, got, want))
    if row.get("cited") is not None:
        got_codes, want_codes = set(values["cited"]), set(row["cited"])
        want_codes.discard(row.get("number"))
        got_codes.discard(row.get("number") or "")
        table.add(layout, "cited", len(got_codes & want_codes), len(got_codes), len(want_codes))


def _matched(got: list[str], want: list[str]) -> int:
    """Units of `want` matched one to one by a unit of `got` (similarity ≥ UNIT_SIMILARITY, case and marks
    ignored: a name the repair left slightly damaged still counts)."""
    free = [_norm(g) or "" for g in got]
    right = 0
    for w in want:
        scores = [(ratio(_norm(w) or "", g), k) for k, g in enumerate(free)]
        best = max(scores, default=(0.0, -1))
        if best[0] >= UNIT_SIMILARITY:
            right += 1
            free[best[1]] = "\x00"
    return right


def print_units(table: Table) -> None:
    c = table.counts.get(("resp", "units"))
    if c:
        print(f"  units of responsibilities sections ({table.pages['resp']} pages, {c.truth} units): "
              f"P {_pct(c.precision()).strip()} R {_pct(c.recall()).strip()}")


def _pct(x: float | None) -> str:
    return f"{x:6.1%}" if x is not None else "   n/a"


def print_table(table: Table, title: str) -> None:
    layouts = [k for k in ("cols", "stacked", "narrow", "web", "source", "nodoc") if k in table.pages] + ["all"]
    print(title)
    print(f"  {'field':<9}" + "".join(f"{lay + ' (' + str(table.pages[lay]) + ')':>20}" for lay in layouts))
    for name in (*FIELDS, "cited"):
        cells = []
        for lay in layouts:
            c = table.counts.get((lay, name))
            cells.append(f"{'P ' + _pct(c.precision()) + ' R ' + _pct(c.recall()):>20}" if c else f"{'':>20}")
        print(f"  {name:<9}" + "".join(cells))
