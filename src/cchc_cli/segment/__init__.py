"""Segmentation: repaired text → documents with their header, preamble, outline, task table and closing.

Each stage is a plain function over the text's lines (1-based line numbers, the same as the input's):
:func:`split_documents`, :func:`parse_header`, :func:`find_preamble`, :func:`find_headings`,
:func:`find_table_rows`, :func:`find_closing`; :func:`segment_text` runs them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .header import parse_header, split_documents
from .outline import APPENDIX_RE, TABLE_TITLE_RE, find_closing, find_headings, find_preamble
from .table import find_table_rows
from .types import Closing, DocumentSpan, Header, Heading, Paragraph, TableRow

__all__ = [
    "Closing",
    "DocumentSpan",
    "Header",
    "Heading",
    "Paragraph",
    "TableRow",
    "find_closing",
    "find_headings",
    "find_preamble",
    "find_table_rows",
    "parse_header",
    "segment_lines",
    "segment_text",
    "split_documents",
]


def segment_text(text: str, *, dictionaries: Sequence[Path] = ()) -> list[DocumentSpan]:
    """The documents of a (repaired) text, in order; an empty or blank text gives none."""
    return segment_lines(text.split("\n"), dictionaries=dictionaries)


def _find_appendix(lines: Sequence[str], start: int, end: int) -> int | None:
    for no in range(start, end + 1):
        line = lines[no - 1]
        if (APPENDIX_RE.match(line) and len(line.split()) <= 8) or TABLE_TITLE_RE.match(line):
            return no
    return None


def segment_lines(lines: Sequence[str], *, dictionaries: Sequence[Path] = ()) -> list[DocumentSpan]:
    documents: list[DocumentSpan] = []
    for first, last in split_documents(lines):
        header, warnings = parse_header(lines, first, last, dictionaries=dictionaries)
        start = header.body_start
        appendix = _find_appendix(lines, start, last)
        closing = find_closing(lines, start, appendix - 1 if appendix else last)
        if closing.line is None and appendix is not None:
            closing = find_closing(lines, appendix, last)
        body_end = last
        for stop in (closing.line, appendix):
            if stop is not None and start <= stop <= body_end:
                body_end = stop - 1
        preamble = find_preamble(lines, start, body_end)
        outline_start = preamble[-1].last + 1 if preamble else start
        headings, heading_warnings = find_headings(lines, outline_start, body_end)
        warnings += heading_warnings
        rows: list[TableRow] = []
        if appendix is not None:
            table_end = closing.line - 1 if closing.line and closing.line > appendix else last
            rows, table_warnings = find_table_rows(lines, appendix, table_end)
            warnings += table_warnings
        documents.append(
            DocumentSpan(
                first=first,
                last=last,
                header=header,
                preamble=preamble,
                headings=headings,
                body_end=body_end,
                appendix_line=appendix,
                rows=rows,
                closing=closing,
                warnings=warnings,
            )
        )
    return documents
