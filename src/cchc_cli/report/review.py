"""The review view of a document: its repaired text, line by line, with each edit marked (the OCR's original
and the confidence in its tooltip) and the doubtful words highlighted.

The store keeps the records, not the repaired text nor the edit log, so the text is read again from the
source file and repaired again (as ``cchc repair FILE`` does) when the file is still where it was ingested
and has the same sha256 as the record says; with the same cchc and dictionaries the text is the one the
records were read from (the report says when the pipeline differs). A file that is gone or changed, a text
read from stdin and a scan (which would need OCR again) show no text, only the doubtful words the record
holds. Every text from a document is HTML-escaped here: the fragments are markup for the template.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from ..document import Edit, Flag, RepairResult
from ..errors import CchcError
from ..resources import Resources
from .gather import ReportDocument, get, items

__all__ = ["LOW_CONFIDENCE", "Review", "ReviewNote", "line_markup", "read_sources", "reviews"]

LOW_CONFIDENCE = 0.6  # an edit under this confidence is doubtful too (as a flag is)
OCR_FORMATS = ("pdf-ocr", "image-ocr")
REASON_CLASS = {"ocr-char": "o", "split": "s", "merge": "m", "code": "c", "case": "k", "term": "t"}

# what reads and repairs the source files: their store keys → a repair result, or the error that stopped one
SourceReader = Callable[[Sequence[str]], dict[str, RepairResult | CchcError]]


@dataclass(frozen=True)
class ReviewNote:
    """Why a document's text is not shown (or is shown with a caveat): a label key and its parameters."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Review:
    """A document's text view: its lines (number, markup), or a note and the record's doubtful words."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    notes: list[ReviewNote] = field(default_factory=list)
    doubtful: list[dict[str, Any]] = field(default_factory=list)


def _title(*parts: str) -> str:
    return escape(" · ".join(p for p in parts if p), quote=True)


def _edit_tag(edit: Edit, shown: str, flag: Flag | None) -> str:
    classes = [c for c in (REASON_CLASS.get(edit.reason, ""),
                           "lo" if flag is not None or edit.confidence < LOW_CONFIDENCE else "") if c]
    cls = f' class="{" ".join(classes)}"' if classes else ""
    alternatives = ", ".join(flag.candidates[:5]) if flag is not None else ""
    # a sure edit (100%, most of them) shows only the original: the page is a third smaller for it
    percent = round(edit.confidence * 100)
    title = _title(edit.before, f"{percent}%" if percent < 100 or alternatives else "", alternatives)
    return f'<i{cls} title="{title}">{escape(shown)}</i>'


def _flag_tag(flag: Flag, shown: str) -> str:
    title = _title("?", ", ".join(flag.candidates[:5]), f"{round(flag.confidence * 100)}%")
    return f'<mark title="{title}">{escape(shown)}</mark>'


def line_markup(line: str, edits: Sequence[Edit], flags: Sequence[Flag]) -> str:
    """The repaired `line` as HTML: each edit (its columns are those of the OCR's line) an ``<i>`` whose
    title holds the OCR's original and the confidence, each doubtful word left as printed a ``<mark>``. An
    edit or flag that does not fit the line (it should not happen) is left unmarked."""
    flags_at = {f.column: f for f in flags}
    spans: list[tuple[int, int, str]] = []  # (start, end, markup) in the repaired line
    delta = 0
    deltas: list[tuple[int, int]] = []  # (input column, shift of the text after it)
    for edit in sorted(edits, key=lambda e: e.column):
        start = edit.column - 1 + delta
        if line[start:start + len(edit.after)] == edit.after:
            spans.append((start, start + len(edit.after), _edit_tag(edit, edit.after, flags_at.pop(edit.column, None))))
        delta += len(edit.after) - len(edit.before)
        deltas.append((edit.column, delta))
    for column, flag in flags_at.items():
        shift = next((d for c, d in reversed(deltas) if c < column), 0)
        start = column - 1 + shift
        if line[start:start + len(flag.token)] == flag.token:
            spans.append((start, start + len(flag.token), _flag_tag(flag, flag.token)))
    out = []
    at = 0
    for start, end, markup in sorted(spans):
        if start < at:  # overlapping: keep the first
            continue
        out += [escape(line[at:start]), markup]
        at = end
    out.append(escape(line[at:]))
    return "".join(out)


def document_lines(result: RepairResult, first: int, last: int) -> list[tuple[int, str]]:
    """(line number, markup) of lines `first`..`last` (1-based) of a repaired file."""
    lines = result.text.split("\n")
    edits: dict[int, list[Edit]] = {}
    flags: dict[int, list[Flag]] = {}
    for edit in result.edits:
        if first <= edit.line <= last:
            edits.setdefault(edit.line, []).append(edit)
    for flag in result.flags:
        if first <= flag.line <= last:
            flags.setdefault(flag.line, []).append(flag)
    return [(n, line_markup(lines[n - 1], edits.get(n, ()), flags.get(n, ())))
            for n in range(max(1, first), min(last, len(lines)) + 1)]


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _why_not(doc: ReportDocument) -> ReviewNote | None:
    """Why the source of `doc` cannot be read again, or None when it can."""
    path = Path(doc.path)
    if doc.path.startswith("<stdin>"):
        return ReviewNote("text_stdin")
    if get(doc.record, "source", "format") in OCR_FORMATS:
        return ReviewNote("text_scan", {"path": doc.path})
    if not path.is_file():
        return ReviewNote("text_missing", {"path": doc.path})
    expected = get(doc.record, "source", "sha256")
    if isinstance(expected, str) and _sha256(path) != expected:
        return ReviewNote("text_changed", {"path": doc.path})
    return None


def _doubtful(record: dict[str, Any]) -> list[dict[str, Any]]:
    found = [t for t in items(get(record, "repair") or {}, "low_confidence")]
    return [dict(t, candidate_text=", ".join(str(c) for c in t.get("candidates") or [] if isinstance(c, str))[:200])
            for t in found]


def reviews(documents: Sequence[ReportDocument], read: SourceReader,
            pipelines: Callable[[str], str | None], current: str) -> Iterator[tuple[ReportDocument, Review]]:
    """Each document with its text view: its source read again by `read` (once a file) when it can be;
    `pipelines(path)` is the pipeline version of the file's latest ingest, `current` this cchc's."""
    notes = {doc.anchor: _why_not(doc) for doc in documents}
    wanted = list(dict.fromkeys(doc.path for doc in documents if notes[doc.anchor] is None))
    results = read(wanted) if wanted else {}
    for doc in documents:
        review = Review()
        result = results.get(doc.path)
        note = notes[doc.anchor] or (ReviewNote("text_missing", {"path": doc.path})
                                     if not isinstance(result, RepairResult) else None)
        lines = get(doc.record, "source", "lines")
        if note is None and isinstance(result, RepairResult):
            first, last = (lines if isinstance(lines, list) and len(lines) == 2
                           and all(isinstance(n, int) for n in lines) else (1, result.text.count("\n") + 1))
            review.lines = document_lines(result, first, last)
            ingested = pipelines(doc.path)
            if ingested is not None and ingested != current:
                review.notes.append(ReviewNote("text_pipeline", {"pipeline": ingested}))
        else:
            review.notes.append(note or ReviewNote("text_missing", {"path": doc.path}))
            review.doubtful = _doubtful(doc.record)
        yield doc, review


def _repair_one(path: str) -> tuple[str, RepairResult | CchcError]:
    from ..repair.files import repair_file

    try:
        result = repair_file(path, resources=_WORKER_RESOURCES.get("resources"))
    except CchcError as exc:
        return path, exc
    return path, result if result is not None else CchcError(f"{path}: too large to show")


_WORKER_RESOURCES: dict[str, Resources] = {}


def _warm(dictionaries: tuple[Path, ...]) -> None:
    from ..repair import get_repairer
    from ..resources import load_resources

    _WORKER_RESOURCES["resources"] = load_resources(list(dictionaries))
    get_repairer(_WORKER_RESOURCES["resources"])


def _failed(path: str, exc: BaseException) -> tuple[str, CchcError]:
    return path, CchcError(f"{path}: {type(exc).__name__}: {exc}")


def read_sources(dictionaries: Sequence[Path] = (), jobs: int = 1) -> SourceReader:
    """A reader that repairs source files again (`jobs` worker processes for several files), with the user's
    `dictionaries`."""

    def read(paths: Sequence[str]) -> dict[str, RepairResult | CchcError]:
        from ..workers import run_pool

        if jobs <= 1 or len(paths) <= 1:
            _warm(tuple(dictionaries))
            return dict(_repair_one(p) for p in paths)
        return dict(run_pool(iter(paths), _repair_one, min(jobs, len(paths)), warm=_warm,
                             warm_args=(tuple(dictionaries),), failed=_failed))

    return read
