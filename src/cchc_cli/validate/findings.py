"""What ``cchc validate`` reports: the rules (an id, a severity, what they check), findings, and the
checked documents with their exit code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..errors import ExitCode

__all__ = ["FORMATS", "LOW_CONFIDENCE_SHARE", "RULES", "CheckedDocument", "Finding", "Rule", "Severity",
           "exit_code", "summary"]

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
        Rule("not-a-document", "error",
             "the text was not read as an administrative document: no type word (KẾ HOẠCH, QUYẾT ĐỊNH, …) and no "
             "document number in its header (doc_type null)"),
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
        Rule("extraction-note", "warning",
             "a note the extraction left in the record's `warnings` (a row number read as another, a heading "
             "read another way, a header field not found), at its line"),
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
    name: str = ""  # how a reader names it: type and number ('QĐ 95/QĐ-UBND', 'KH of 95/QĐ-UBND')

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def exit_code(documents: Iterable[CheckedDocument], *, strict: bool = False) -> int:
    """0 when nothing fails, 1 for errors (and, with `strict`, warnings)."""
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
