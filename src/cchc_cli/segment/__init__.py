"""Segmentation: repaired text → documents with their header, preamble, outline, list items, task table and
closing.

Each step is a plain function over the text's lines (1-based line numbers, the same as the input's):
:func:`split_documents`, :func:`parse_header`, :func:`find_preamble`, :func:`find_headings`,
:func:`find_items`, :func:`find_table_rows`, :func:`find_closing`; :func:`segment_lines` runs them all and
:func:`segment` does it for a :class:`~cchc_cli.document.Document`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Document, DocumentSpan, Heading, ListItem, TableRow, items_between
from ..resources import Resources, load_resources
from .header import header_start, parse_header, split_documents
from .items import find_items, find_numbered_lines
from .outline import APPENDIX_RE, TABLE_TITLE_RE, find_closing, find_headings, find_preamble
from .table import find_table_rows

__all__ = [
    "find_closing",
    "find_headings",
    "find_items",
    "find_preamble",
    "find_table_rows",
    "header_start",
    "parse_header",
    "segment",
    "segment_lines",
    "split_documents",
]

APPENDIX_TITLE_WORDS = 8  # "PHỤ LỤC …" heads an appendix when its line is this short


def segment(document: Document, resources: Resources | None = None) -> list[DocumentSpan]:
    """Segment the repaired `document` (its ``spans`` are set and returned)."""
    document.spans = segment_lines(document.lines, resources, first_line=document.first_line)
    return document.spans


def _find_appendix(lines: Sequence[str], start: int, end: int) -> int | None:
    for no in range(start, end + 1):
        line = lines[no - 1]
        if (APPENDIX_RE.match(line) and len(line.split()) <= APPENDIX_TITLE_WORDS) or TABLE_TITLE_RE.match(line):
            return no
    return None


def _attach_items(headings: list[Heading], items: list[ListItem]) -> None:
    """Give each heading the items of its own body (before its first sub-heading)."""
    for k, heading in enumerate(headings):
        last = heading.end if k + 1 == len(headings) else min(heading.end, headings[k + 1].line - 1)
        heading.items = items_between(items, heading.last + 1, last)


def segment_lines(lines: Sequence[str], resources: Resources | None = None, *,
                  first_line: int = 1) -> list[DocumentSpan]:
    """The documents of a (repaired) text's lines from `first_line` on (a part of a text: its lines indexed as
    the whole text's), in order; blank lines only give none."""
    resources = resources or load_resources()
    documents: list[DocumentSpan] = []
    for first, last in split_documents(lines, first_line):
        header, warnings = parse_header(lines, first, last, resources)
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
        items = find_items(lines, outline_start, body_end)
        _attach_items(headings, items)
        rows: list[TableRow] = []
        if appendix is not None:
            table_end = closing.line - 1 if closing.line and closing.line > appendix else last
            rows, table_warnings = find_table_rows(lines, appendix, table_end)
            warnings += table_warnings
        documents.append(DocumentSpan(
            first=first, last=last, header=header, preamble=preamble, headings=headings, body_end=body_end,
            appendix_line=appendix, rows=rows, closing=closing, warnings=warnings, items=items,
            numbered=find_numbered_lines(lines, outline_start, body_end),
        ))
    return documents
