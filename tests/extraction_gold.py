"""The three annotated seeds (tests/data/gold/*.annot.json) mapped onto cchc's record contract, and the
extraction metrics measured on them. Shared by tests/test_ingest.py and bench/extraction.py.

The annotations are read only here, to measure: the ingest code never reads them. Their shapes differ from
the contract: KE_HOACH / QUYET_DINH / BAO_CAO for KH / QĐ / BC, `lead` for `lead_unit`, flat `subsections`
(with `parent`), `appendix_tasks`, `responsible_units`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.records import DocumentRecord, Section

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "gold"
SAMPLES = ROOT / "samples"
ANNOTATED = ("000_8c0715b9867aa8fa", "001_1f3803ca4a2b50d8", "003_4df792cc80223c47")
DOC_TYPES = {"KE_HOACH": "KH", "QUYET_DINH": "QĐ", "BAO_CAO": "BC", "CONG_VAN": "CV", "TO_TRINH": "TTr"}


def annotation(seed: str) -> list[dict[str, Any]]:
    return json.loads((GOLD / f"{seed}.annot.json").read_text("utf-8"))["documents"]


def flat_sections(sections: list[Section], parent: str | None = None) -> list[tuple[str | None, Section]]:
    out: list[tuple[str | None, Section]] = []
    for s in sections:
        out.append((parent, s))
        out.extend(flat_sections(s.children, s.label))
    return out


def normalized(text: str | None) -> str:
    """Text as a reader compares it, by this scorer's own rules (not cchc's): case, marks, đ, dashes and spacing
    ignored."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"[\u2010-\u2015]", "-", plain)
    return " ".join(plain.split()).strip(" .:;")


def _same_text(a: str | None, b: str | None) -> bool:
    return normalized(a) == normalized(b)


# The canonical name (the contract's `lead_units`, dictionaries/units.yaml) of each first lead unit the seed-001
# annotation prints, written by hand from the annotation: the lead score does not depend on cchc's matcher.
CANONICAL_LEADS = {
    "Văn phòng UBND": "Văn phòng Ủy ban nhân dân",
    "Văn phòng UBND đặc khu": "Văn phòng Ủy ban nhân dân",
    "Phòng Văn hóa - Xã hội": "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công": "Trung tâm Phục vụ hành chính công",
    "Các phòng chuyên môn": "Các phòng chuyên môn",
    "Phòng Kinh tế": "Phòng Kinh tế",
    "Công an đặc khu Bạch Long Vĩ": "Công an",
}


@dataclass
class Scores:
    fields: dict[str, list[bool]] = field(default_factory=dict)
    sections_found: list[bool] = field(default_factory=list)  # label at its line
    section_titles: list[bool] = field(default_factory=list)  # ... and title, marks and case ignored
    legal_tp: int = 0
    legal_fp: int = 0
    legal_fn: int = 0
    targets_tp: int = 0
    targets_fp: int = 0
    targets_fn: int = 0
    rows_found: list[bool] = field(default_factory=list)
    lead_right: list[bool] = field(default_factory=list)
    units_found: list[bool] = field(default_factory=list)

    def field(self, name: str, ok: bool) -> None:
        self.fields.setdefault(name, []).append(ok)


def f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 1.0 if fp == fn == 0 else 0.0
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def first_lead(text: str) -> str:
    """The canonical name of the first unit of an annotation's `lead` ("X chủ trì phối hợp với Y", "X; Y")."""
    first = re.split(r" chủ trì| phối hợp|[,;]", text)[0].strip()
    return CANONICAL_LEADS[first]


def score(seed: str, records: list[DocumentRecord], scores: Scores) -> None:
    """Add the comparison of `records` with the seed's annotation to `scores`."""
    gold_docs = annotation(seed)
    scores.field("document count", len(records) == len(gold_docs))
    for gold, rec in zip(gold_docs, records, strict=False):
        scores.field("doc_type", DOC_TYPES.get(gold["doc_type"], gold["doc_type"]) == rec.doc_type)
        scores.field("number", gold["number"] == rec.number)
        scores.field("date", gold["date"] == rec.date)
        scores.field("issuer", gold["issuer"] == rec.issuer.name)
        scores.field("issuer level", gold["issuer_level"] == rec.issuer.level)
        scores.field("title", _same_text(gold["title"], rec.title))
        gp = gold.get("period") or {}
        rp = rec.period
        scores.field("period", bool(rp) and gp.get("from") == rp.from_ and gp.get("to") == rp.to)
        attached = (gold.get("attached_to") or "").split(" ")[0] or None
        scores.field("attached_to", attached == (rec.attached_to.number if rec.attached_to else None))
        scores.field("lines", [gold["start_line"], gold["end_line"]] == [rec.source.lines[0],
                                                                           min(rec.source.lines[1], gold["end_line"])])
        # sections: the roman headings and their subsections (the annotation lists two levels)
        found = {(s.label, s.line): s for _, s in flat_sections(rec.sections)}
        for g in [*gold["sections"], *gold["subsections"]]:
            s = found.get((g["label"], g["line"]))
            scores.sections_found.append(s is not None)
            scores.section_titles.append(s is not None and _same_text(g["title"], s.title))
        # legal basis: by line (and number when the annotation has one)
        gold_lb = {(g["line"], g["number"]) for g in gold["legal_basis"]}
        rec_lb = {(r.line, r.number) for r in rec.legal_basis}
        tp = len(gold_lb & rec_lb)
        scores.legal_tp += tp
        scores.legal_fp += len(rec_lb) - tp
        scores.legal_fn += len(gold_lb) - tp
        gold_t = {g["line"] for g in gold["targets"]}
        rec_t = {t.line for t in rec.targets}
        tp = len(gold_t & rec_t)
        scores.targets_tp += tp
        scores.targets_fp += len(rec_t) - tp
        scores.targets_fn += len(gold_t) - tp
        tasks = {t.stt: t for t in rec.tasks}
        for g in gold["appendix_tasks"]:
            t = tasks.get(g["stt"])
            scores.rows_found.append(t is not None and t.line == g["line"])
            scores.lead_right.append(t is not None and bool(t.lead_units) and t.lead_units[0] == first_lead(g["lead"]))
        for g in gold["responsible_units"]:
            scores.units_found.append(any(r.line == g["line"] and _same_text(r.unit, g["unit"])
                                          for r in rec.responsibilities))
