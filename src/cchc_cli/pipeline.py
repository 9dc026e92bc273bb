"""The pipeline: bytes → decode → repair → segment → extract → validated DocumentRecords, one way, over one
:class:`~cchc_cli.document.Document`.

:func:`ingest_text` is the library entry point (``cchc_cli.ingest_text``); ``cchc ingest`` decodes each
file and runs it (:mod:`cchc_cli.batch`). Repair runs first and segmentation reads the repaired text, which keeps the
input's lines, so every line number in a record is a line of the input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from .decode import HEAD_SIZE, decode_bytes, encoding_doubt
from .decode.source import SourceOptions, input_format, read_source
from .document import Document, RepairResult, SourceText
from .extract import extract_records
from .records import DocumentRecord
from .repair import get_repairer
from .resources import Resources, load_resources
from .segment import segment

__all__ = ["PART_BYTES", "PART_LIMIT", "ingest_bytes", "ingest_document", "ingest_lines", "ingest_text"]

# A long text is read in parts (ingest_lines): a part is cut where a document begins once it holds this many
# characters (the repair of a part takes about 1 KB of memory a character, on top of the loaded model) ...
PART_BYTES = 256 * 1024
# ... or, in a document this long, at a blank line (at any line past twice this), so that memory stays bounded.
PART_LIMIT = 1024 * 1024


def ingest_document(document: Document, resources: Resources | None = None) -> list[DocumentRecord]:
    """Repair (unless already repaired), segment and extract `document`; its records, in order."""
    resources = resources or load_resources()
    if not document.text.strip():
        return []
    if document.repair is None:
        confidence = _part_confidence(document.origin, document.first_line) if document.origin else None
        document.repair = _from_line(get_repairer(resources).repair_text(document.text, confidence),
                                     document.first_line)
    segment(document, resources)
    return extract_records(document, resources)


def _part_confidence(origin: SourceText, first_line: int) -> dict[tuple[int, int], float] | None:
    """The OCR's word confidences of the part of the text that begins on `first_line`, by the part's lines."""
    shift = first_line - 1
    found = {(line - shift, column): conf for (line, column), conf in origin.word_confidence.items() if line >= shift}
    return found or None


def _from_line(result: RepairResult, first_line: int) -> RepairResult:
    """A part's repair with the line numbers of the whole file."""
    if first_line == 1:
        return result
    shift = first_line - 1
    return RepairResult(result.text, [replace(e, line=e.line + shift) for e in result.edits],
                        [replace(f, line=f.line + shift) for f in result.flags])


def ingest_lines(lines: Iterable[str], source: str | None = None, *, sha256: str | None = None,
                 resources: Resources | None = None,
                 on_part: Callable[[int, int], None] | None = None,
                 origin: SourceText | None = None) -> Iterator[DocumentRecord]:
    """The records of a text given as a stream of lines (each with or without its "\\n"), read in parts
    (:data:`PART_BYTES`) so that memory stays bounded whatever its length: each part is repaired, segmented
    and extracted alone, with the file's line numbers and document positions. `on_part(documents, lines)`
    hears how far it got after each part."""
    resources = resources or load_resources()
    position = 0
    done = 0
    for first_line, part, last in _parts(lines):
        text = unicodedata.normalize("NFC", "\n".join(part))
        document = Document(text, source, sha256, first_line=first_line, first_position=position, ends_file=last,
                            origin=origin)
        records = ingest_document(document, resources) if text.strip() else []
        position += len(records)
        done = first_line + len(part) - 1
        yield from records
        if on_part is not None:
            on_part(position, done)


def _parts(lines: Iterable[str]) -> Iterator[tuple[int, list[str], bool]]:
    """(first line, lines without their "\\n", last part?) of consecutive parts of a text."""
    from .segment import header_start
    from .segment.header import NEXT_HEADER_GAP

    part: list[str] = []
    first = 1
    size = 0
    last_start = -NEXT_HEADER_GAP - 1  # the file line (0-based) of the last document start seen
    for number, raw in enumerate(lines, start=1):
        line = raw[:-1] if raw.endswith("\n") else raw
        part.append(line)
        size += len(line) + 1
        start = header_start(part, len(part) - 1, ocr=True)
        if start is not None and first - 1 + start > last_start + NEXT_HEADER_GAP:
            last_start = first - 1 + start
            head = size - sum(len(kept) + 1 for kept in part[start:])  # the part before the new document
            if head >= PART_BYTES and start > 0:  # cut there
                yield first, part[:start], False
                first, part = first + start, part[start:]
                size = sum(len(kept) + 1 for kept in part)
        if size >= PART_LIMIT and (not line.strip() or size >= 2 * PART_LIMIT):
            yield first, part, False
            first, part, size = number + 1, [], 0
    yield first, part, True


def ingest_text(
    text: str,
    source: str | None = None,
    *,
    dictionaries: list[Path] | None = None,
    resources: Resources | None = None,
    sha256: str | None = None,
) -> list[DocumentRecord]:
    """The documents of `text` (one OCR'd file) as records, in order. An empty or blank text gives none.

    `source` is the path recorded in each record's ``source.path``; `sha256` the digest of the bytes the
    text was decoded from (the CLI passes it; through the API it is usually unknown and stays null).
    `dictionaries`: the user's term files (or `resources` loaded once with :func:`cchc_cli.load_resources`).
    """
    if resources is not None and dictionaries:
        raise ValueError("give dictionaries or resources, not both")
    resources = resources or load_resources(dictionaries)
    return _ingest(unicodedata.normalize("NFC", text), source, sha256, resources, None)


def _ingest(text: str, source: str | None, sha256: str | None, resources: Resources,
            origin: SourceText | None) -> list[DocumentRecord]:
    if len(text) > PART_BYTES:  # several documents, most likely: read a few at a time
        return list(ingest_lines(text.split("\n"), source, sha256=sha256, resources=resources, origin=origin))
    return ingest_document(Document(text, source, sha256, origin=origin), resources)


def ingest_bytes(data: bytes | Path, label: str, source: str | None = None, *, resources: Resources | None = None,
                 sha256: str | None = None, encoding: str | None = None,
                 options: SourceOptions | None = None) -> list[DocumentRecord]:
    """The records of one input: text bytes (decoded as every input is), or a PDF, an image or a DOCX (its
    bytes, or its path: read page by page, :func:`~cchc_cli.decode.source.read_source`). `label` names it
    in errors; `source` is the path the records name."""
    resources = resources or load_resources()
    if isinstance(data, Path) or input_format(data[:4096]) != "text":
        scanned = read_source(data, label, options)
        records = _ingest(scanned.text, source, sha256, resources, scanned)
        for record in records:  # how the file was read concerns each of its documents
            record.warnings.extend(scanned.warnings)
        return records
    records = _ingest(decode_bytes(data, label, encoding), source, sha256, resources, None)
    doubt = encoding_doubt(data[:HEAD_SIZE], encoding) if encoding else None
    for record in records if doubt else ():  # a wrong --encoding gives mojibake the records would carry silently
        record.warnings.append(doubt)  # type: ignore[arg-type]
    return records

