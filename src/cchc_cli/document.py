"""The document object that goes through the stages, and the annotations each stage adds to it.

Like spaCy's ``Doc``: :class:`Document` holds the input's text; the repair stage adds a
:class:`RepairResult` (the repaired text, an :class:`Edit` for every change and a :class:`Flag` for every
doubtful token), the segmentation stage adds one :class:`DocumentSpan` per administrative document in the
text (header, preamble, headings, list items, table rows, closing), each a span of 1-based input lines; the
extraction stage reads all of it and builds the records. Every annotation points back to its lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any, overload

__all__ = [
    "REASONS",
    "Closing",
    "Document",
    "DocumentSpan",
    "Edit",
    "Flag",
    "Header",
    "Heading",
    "ListItem",
    "NumberedLine",
    "PartLines",
    "Paragraph",
    "PageInfo",
    "RepairResult",
    "SourceText",
    "Stamp",
    "TableRow",
    "apply_edits",
    "items_between",
]

# --- repair ------------------------------------------------------------------------------------------------

# Reason codes an Edit may carry (documented in the README).
REASONS = {
    "diacritics": "only the diacritics (tone or vowel marks, đ) changed",
    "ocr-char": "letters the OCR misread were replaced (1→l, 6→ó, w→ư, ii→ủ, ...)",
    "split": "one OCR token was split into several syllables (Caicach → Cải cách)",
    "merge": "several OCR tokens were joined into one",
    "code": "a document symbol, date or other code repaired by its own grammar (0D → QĐ)",
    "case": "only the letter case changed",
    "term": "letters were replaced to fit a user or built-in dictionary term (a place, unit or phrase)",
}


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: `before` at (line, column) became `after`. Line and column are 1-based code points."""

    line: int
    column: int
    before: str
    after: str
    confidence: float
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Flag:
    """A token left as it was but doubtful, with the candidates the engine weighed."""

    line: int
    column: int
    token: str
    candidates: list[str]
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class PageInfo:
    """One page: its number (1-based), how its text was read (``text-layer``: the PDF's own text, read as
    Vietnamese; ``text-layer-repaired``: an English-OCR text layer, repaired as OCR text; ``ocr``: the page
    image read by Tesseract ``vie``; ``docx``), the OCR's mean word confidence (0-100, OCR'd pages only) and
    its [first, last] 1-based lines in the text."""

    number: int
    method: str
    confidence: float | None
    lines: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        conf = None if self.confidence is None else round(self.confidence, 1)
        return {"number": self.number, "method": self.method, "confidence": conf, "lines": list(self.lines)}


@dataclass(slots=True)
class SourceText:
    """The text read from a PDF, an image or a DOCX (:func:`cchc_cli.decode.source.read_source`) and where it
    came from: `format` ``pdf-text``, ``pdf-ocr``, ``image-ocr`` or ``docx``; its pages; the OCR's confidence
    (0-100) in each word, by (0-based line, 0-based column) of `text`; warnings about how it was read."""

    text: str
    format: str
    pages: list[PageInfo] = field(default_factory=list)
    word_confidence: dict[tuple[int, int], float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """What ``--json`` says of it: the format and the pages."""
        return {"format": self.format, "pages": [p.to_dict() for p in self.pages]}


@dataclass(slots=True)
class RepairResult:
    """The repaired text, its edits and flags; `source`: how a PDF, image or DOCX input was read."""

    text: str
    edits: list[Edit] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    source: SourceText | None = None

    def to_dict(self) -> dict:
        out = {
            "text": self.text,
            "edits": [e.to_dict() for e in self.edits],
            "flags": [f.to_dict() for f in self.flags],
        }
        if self.source is not None:
            out["source"] = self.source.to_dict()
        return out


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Replay an edit log: `text` (read as NFC, as the repair reads it) with each edit's `before`, found at
    its line and column, replaced by its `after`. ``apply_edits(text, repair_text(text).edits)`` is the
    repaired text. Raises ValueError for an edit that does not fit the text."""
    lines = unicodedata.normalize("NFC", text).split("\n")
    by_line: dict[int, list[Edit]] = {}
    for edit in edits:
        by_line.setdefault(edit.line, []).append(edit)
    for number, line_edits in by_line.items():
        if not 1 <= number <= len(lines):
            raise ValueError(f"an edit on line {number}, but the text has {len(lines)} line(s)")
        line = lines[number - 1]
        for edit in sorted(line_edits, key=lambda e: -e.column):
            start = edit.column - 1
            found = line[start: start + len(edit.before)]
            if start < 0 or found != edit.before:
                raise ValueError(f"line {number}, column {edit.column}: the edit replaces {edit.before!r} but the "
                                 f"text has {found!r}")
            line = line[:start] + edit.after + line[start + len(edit.before):]
        lines[number - 1] = unicodedata.normalize("NFC", line)
    return "\n".join(lines)


# --- segmentation ------------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    line: int  # first line
    last: int
    text: str  # lines joined with single spaces


@dataclass
class Stamp:
    number: str | None
    signed_at: str | None
    line: int


@dataclass
class Header:
    issuer_text: str | None = None  # left column as printed: "ỦY BAN NHÂN DÂN PHƯỜNG DƯƠNG KINH"
    issuer_line: int | None = None
    issuer_lines: list[int] = field(default_factory=list)  # every line the left column's text came from
    number: str | None = None
    number_line: int | None = None
    place: str | None = None
    date: str | None = None
    date_line: int | None = None
    type_word: str | None = None  # "KẾ HOẠCH" as printed
    type_line: int | None = None
    title: str | None = None
    title_line: int | None = None
    attached_text: str | None = None  # "(Kèm theo Quyết định số … )" joined
    attached_line: int | None = None
    addressees: list[str] = field(default_factory=list)  # Kính gửi
    subject: str | None = None  # a công văn's "V/v …", joined
    subject_line: int | None = None
    stamp: Stamp | None = None
    body_start: int = 1  # first line after the header block


@dataclass
class ListItem:
    """An entry of a list in the body: a bullet (``-``, ``+``, ``•``, ``–``), a parenthesised number ``(1)``
    or a lettered item ``a)``.

    `parts` are the item's text lines as (line, text), the first without its label, then every line up to
    the next item (blank lines skipped): what a reader takes as the item's text, a paragraph after it
    included. The first `own` of them are the item itself: its wrapped lines, up to a blank line followed by
    prose (a line after a blank one that starts in small letters still wraps the item).
    """

    label: str  # as printed: "-", "+", "•", "–", "(1)", "a)"
    line: int
    parts: list[tuple[int, str]]
    own: int

    @property
    def kind(self) -> str:
        """'-' (a dash or dot), '+', '(n)' or 'a)'."""
        if self.label in ("-", "•", "–"):
            return "-"
        if self.label == "+":
            return "+"
        return "(n)" if self.label.startswith("(") else "a)"

    @property
    def own_parts(self) -> list[tuple[int, str]]:
        return self.parts[: self.own]


def items_between(items: Iterable[ListItem], first: int, last: int) -> list[ListItem]:
    """The items that start on lines first..last, with their lines cut at `last`."""
    out = []
    for item in items:
        if first <= item.line <= last:
            parts = [(no, text) for no, text in item.parts if no <= last]
            out.append(replace(item, parts=parts, own=min(item.own, len(parts))))
    return out


@dataclass
class NumberedLine:
    """A body line that begins with an outline label, ``2.1.`` or ``a)`` (also ``A)``, and ``)`` whose letter
    the OCR lost), whether the outline took it as a heading or as an entry with its text."""

    line: int
    form: str  # "number" or "letter"
    label: str  # "2.1", "a", "" (a lost letter)
    text: str  # the line's text after the label, as printed


@dataclass
class Heading:
    kind: str  # phan, roman, number, letter, article
    label: str
    title: str
    line: int
    last: int  # last line of the heading text (titles may wrap)
    rank: int  # nesting rank: smaller is higher
    end: int = 0  # last line of the section's content (filled by the outline builder)
    items: list[ListItem] = field(default_factory=list)  # the list items of its body, before any sub-heading


@dataclass
class TableRow:
    stt: int
    group: str | None
    line: int  # the line where the STT is printed
    first: int
    last: int
    cells: list[tuple[int, str]]  # (line, text) of every line of the row
    # a table whose cells are known (a Word table, a row per line with its cells joined by " | "): the row's
    # cells by the column's role (content, lead, cooperating, output, deadline), from the column header
    columns: dict[str, str] | None = None


@dataclass
class Closing:
    line: int | None = None  # "Nơi nhận:" line
    recipients: list[str] = field(default_factory=list)
    signer_name: str | None = None
    signer_position: str | None = None
    signer_line: int | None = None


@dataclass
class DocumentSpan:
    first: int
    last: int
    header: Header
    preamble: list[Paragraph]
    headings: list[Heading]
    body_end: int  # last line of the outline's body (before the appendix / closing)
    appendix_line: int | None
    rows: list[TableRow]
    closing: Closing
    warnings: list[str]
    items: list[ListItem] = field(default_factory=list)  # every list item of the outline's body
    numbered: list[NumberedLine] = field(default_factory=list)  # every line of the body with an outline label


# --- the document ------------------------------------------------------------------------------------------


class PartLines(Sequence[str]):
    """The lines of a part of a text, indexed as the whole text's lines (index k is line k + 1 of the whole):
    the stages read a part of a long file with the file's line numbers. Lines before the part read as blank
    (the stages are told where the part begins and do not look there)."""

    def __init__(self, lines: list[str], first_line: int) -> None:
        self._lines = lines
        self._skip = first_line - 1

    def __len__(self) -> int:
        return self._skip + len(self._lines)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._lines[index - self._skip] if index >= self._skip else ""


@dataclass
class Document:
    """One input text on its way through the stages.

    `text` is the input as decoded (NFC); `source` the path records name (None through the API), `sha256`
    the digest of the bytes it was decoded from. The repair stage sets `repair`, the segmentation stage
    `spans`. A long file is read in parts: a part's `first_line` is the line of the file it begins on, its
    `first_position` how many documents the file held before it, and `ends_file` whether it is the last
    part (only there do trailing blank lines belong to no document).
    """

    text: str
    source: str | None = None
    sha256: str | None = None
    repair: RepairResult | None = None
    spans: list[DocumentSpan] = field(default_factory=list)
    first_line: int = 1
    first_position: int = 0
    ends_file: bool = True
    origin: SourceText | None = None  # a PDF, image or DOCX: how its text was read

    def _numbered(self, lines: list[str]) -> list[str] | PartLines:
        return lines if self.first_line == 1 else PartLines(lines, self.first_line)

    @cached_property
    def original_lines(self) -> Sequence[str]:
        return self._numbered(self.text.split("\n"))

    @cached_property
    def lines(self) -> Sequence[str]:
        """The repaired text's lines (the input's lines, repaired); trailing blank lines, which belong to no
        document, left out."""
        if self.repair is None:
            raise ValueError("the document has not been repaired yet")
        lines = self.repair.text.split("\n")
        while self.ends_file and lines and not lines[-1].strip():
            lines.pop()
        return self._numbered(lines)
