"""The review loop for doubtful words: what the repair doubted, as rows a person corrects, and the user
dictionary made from the corrected rows (``cchc review``, ``cchc dictionary learn``).

A row is a flagged token (left as printed, or changed with confidence under 0.6) or an edit made with less
confidence than asked (``below``): where it is, ±40 characters of the repaired line around it with the
reading chosen in brackets, the OCR token, the chosen reading, the candidates the engine weighed, the chosen
reading's confidence and an empty ``correct`` column. :func:`learn_terms` turns the rows whose ``correct`` was
filled into terms of the ``--dictionary`` format: the corrected word with the word beside it in the repaired
text (a phrase is what the engine's term fitting matches), the OCR forms it was seen as in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .document import RepairResult
from .errors import InputError
from .io import BinaryOut

__all__ = ["COLUMNS", "CONTEXT", "learn_terms", "read_review", "review_rows", "write_review"]

CONTEXT = 40  # characters of repaired text on each side of the token
COLUMNS = ("file", "line", "column", "kind", "context", "token", "chosen", "candidates", "confidence", "correct")
CANDIDATE_SEPARATOR = " | "
_WORD_RE = re.compile(r"[^\W\d_]+")


def review_rows(label: str, result: RepairResult, *, below: float = 0.9,
                flags_only: bool = False) -> list[dict[str, Any]]:
    """The rows of one repaired file, in reading order: every flagged token, and (unless `flags_only`) each
    edit with a confidence under `below` that is not also flagged."""
    lines = result.text.split("\n")
    edits = {(e.line, e.column): e for e in result.edits}
    rows = []
    flagged = set()
    for f in result.flags:
        flagged.add((f.line, f.column))
        edit = edits.get((f.line, f.column))
        chosen = edit.after if edit is not None else f.token
        rows.append(_row(label, result, lines, f.line, f.column, "flag", f.token, chosen, f.candidates,
                         f.confidence))
    for e in () if flags_only else result.edits:
        if e.confidence < below and (e.line, e.column) not in flagged:
            rows.append(_row(label, result, lines, e.line, e.column, "edit", e.before, e.after, [], e.confidence))
    if flags_only or below < 1:
        rows = [r for r in rows if r["kind"] == "flag" or float(r["confidence"]) < below]
    return sorted(rows, key=lambda r: (r["line"], r["column"]))


def _row(label: str, result: RepairResult, lines: list[str], line: int, column: int, kind: str, token: str,
         chosen: str, candidates: list[str], confidence: float) -> dict[str, Any]:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    # The column is the input's: the edits before it on the line moved the repaired text by their difference.
    shift = sum(len(e.after) - len(e.before) for e in result.edits if e.line == line and e.column < column)
    start = max(0, column - 1 + shift)
    end = start + len(chosen)
    context = f"{text[max(0, start - CONTEXT):start]}[{text[start:end]}]{text[end:end + CONTEXT]}"
    return {"file": label, "line": line, "column": column, "kind": kind, "context": context.strip(),
            "token": token, "chosen": chosen, "candidates": CANDIDATE_SEPARATOR.join(candidates),
            "confidence": f"{confidence:.2f}", "correct": ""}


def write_review(rows: Iterable[dict[str, Any]], out: BinaryOut) -> int:
    """The rows as CSV (UTF-8 with a byte-order mark, which spreadsheets need to read it); returns the count."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    out.write(("\ufeff" + text.getvalue()).encode("utf-8"))
    return count


def read_review(data: bytes, label: str) -> Iterator[dict[str, str]]:
    """The rows of a review file, as ``cchc review`` wrote it (and a spreadsheet saved it: CSV, UTF-8)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 text; save the review file as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("context", "token", "chosen", "correct") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{label}: not a review file (no {', '.join(missing)} column); make one with "
                         "'cchc review FILE -o review.csv'")
    yield from reader


def learn_terms(rows: Iterable[dict[str, str]]) -> tuple[str, int]:
    """A user dictionary (YAML text of the --dictionary format) from the rows whose `correct` differs from the
    reading chosen, and how many terms it holds. Each term is the correct word with its neighbour in the
    repaired text (or what the reviewer wrote, when it has several words); its OCR forms are in a comment."""
    terms: dict[str, list[str]] = {}
    for row in rows:
        correct = " ".join((row.get("correct") or "").split())
        if not correct or correct == (row.get("chosen") or "").strip():
            continue
        text = correct if " " in correct else _with_neighbour(correct, row.get("context") or "")
        seen = terms.setdefault(text, [])
        where = f"{row.get('file', '')}:{row.get('line', '')}".strip(":")
        seen.append(f"{row.get('token', '')} ({where})" if where else row.get("token", ""))
    lines = ["# A user dictionary made by 'cchc dictionary learn' from a filled review file (cchc review).",
             "# Each term: the corrected word with the word beside it, as the text printed them; the OCR forms",
             "# it was seen as are in the comment above it. Use it with --dictionary FILE (or dictionaries =",
             "# [\"FILE\"] in cchc.toml).", "version: 1", "terms:" if terms else "terms: []"]
    for text, forms in terms.items():
        lines.append(f"  # OCR: {'; '.join(dict.fromkeys(forms))}")
        lines.append(f"  - text: {json.dumps(text, ensure_ascii=False)}")
    return "\n".join(lines) + "\n", len(terms)


def _with_neighbour(correct: str, context: str) -> str:
    """'mẽ' in 'biến mạnh [mô] trong' → 'mạnh mẽ': the word before the bracket, else the one after it (also
    where a sentence ends between: 'địa phương. [Gồm] việc' → 'Gắn việc', since the decoder reads a term
    within a sentence, and a sentence stops where the decoder's sentences do)."""
    from .repair.engine import STOP

    m = re.search(r"\[[^\]]*\]", context)
    if not m:
        return correct
    head = context[:m.start()]
    before = _WORD_RE.findall(head)
    if before and STOP.search(head, head.rfind(before[-1]) + len(before[-1])):
        before = []
    after = _WORD_RE.findall(context[m.end():])
    if before:
        return f"{before[-1]} {correct}"
    return f"{correct} {after[0]}" if after else correct
