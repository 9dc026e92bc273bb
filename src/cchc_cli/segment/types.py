"""What segmentation finds in a document: spans of lines (1-based, inclusive) with the text they hold."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Closing", "DocumentSpan", "Header", "Heading", "Paragraph", "Stamp", "TableRow"]


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
    stamp: Stamp | None = None
    body_start: int = 1  # first line after the header block


@dataclass
class Heading:
    kind: str  # phan, roman, number, letter, article
    label: str
    title: str
    line: int
    last: int  # last line of the heading text (titles may wrap)
    rank: int  # nesting rank: smaller is higher
    end: int = 0  # last line of the section's content (filled by the outline builder)


@dataclass
class TableRow:
    stt: int
    group: str | None
    line: int  # the line where the STT is printed
    first: int
    last: int
    cells: list[tuple[int, str]]  # (line, text) of every line of the row


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
