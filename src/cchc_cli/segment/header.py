"""Documents in a file and their header blocks.

A document starts at its header: the national motto ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") with the issuing
body in the left column, on the same lines (as the OCR usually reads two columns) or on lines of their own.
Then come ``Số: 95/QĐ-UBND``, ``<place>, ngày dd tháng mm năm yyyy`` (maybe wrapped over two lines, or
``dd/mm/yyyy``), the type word (KẾ HOẠCH …), the title lines, ``(Kèm theo …)`` and ``Kính gửi: …``.
A digital-signature stamp line (``Số: 464/QĐ-UBND; 13/08/2025; 7:54:41 +07:00``) is kept apart: it is the
number of the signed file, not of the document it heads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document import Header, Stamp
from ..resources import Resources
from ..text import UPPER_TEXT_DAMAGED, clean_space, fold, is_upper_text, iso_date

__all__ = ["NEXT_HEADER_GAP", "NUMBER_RE", "PREAMBLE_START_RE", "STAMP_RE", "header_start", "parse_header",
           "split_documents"]

HEADER_LINES = 30  # the stamp, the columns, number and date lie within this many lines of the start
TITLE_LINES = 6  # a title wraps over at most this many lines
ATTACHED_LINES = 4  # "(Kèm theo …)" wraps over at most this many lines
MOTTO_LEFT_LINES = 3  # a left column printed on lines of its own above the motto has at most this many
NEXT_HEADER_GAP = 5  # a second motto within this many lines of the last document's start is the same header

MOTTO_RE = re.compile(r"cong\s*hoa\s*xa\s*hoi\s*chu\s*nghia")
# The motto as an English-model OCR leaves it, before any repair ("CONG HOA XA HQI CHU NGHIA"), folded.
OCR_MOTTO_RE = re.compile(r"c[o0q]ng\s*h[o0q][a@]\s*x[a@]\s*h[o0q][il1|]\s*ch[u]\s*ngh[il1][a@]")
# "Độc lập - Tự do - Hạnh phúc", of which the OCR may damage the first word ("Pégc lập").
MOTTO2_RE = re.compile(r"\S*\s*l[a-z]{0,2}p\s*-\s*t\S*\s*do\b.*$")
STAMP_RE = re.compile(
    r"^\s*S[ốôo6]\s*:?\s*(?P<number>[^;\s]+)\s*;\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s*;"
    r"\s*(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<tz>[+-]\d{2}:?\d{2})?"
)
NUMBER_RE = re.compile(r"^\s*S[ốôo6]\s*:?\s*(?P<number>\d+\s*(?:[/-]\s*[\w\-Đđ/]+)+)")
DATE_WORDS_RE = re.compile(
    r"(?P<place>[^,;:]*?)\s*,\s*ng[aà]y\s+(?P<d>\d{1,2})\s+th[aá]ng\s+(?P<m>\d{1,2})\s+n[aăâ]\S?m\s+(?P<y>\d{4})"
)
DATE_SLASH_RE = re.compile(r"(?P<place>[^,;:]*?)\s*,\s*ng[aà]y\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")
WRAPPED_DATE_RE = re.compile(r",\s*ng[aà]y\s*\d{0,2}\s*$")
ATTACHED_RE = re.compile(r"^\s*\(?\s*k[eè]m\s+theo\b", re.IGNORECASE)
ADDRESSEE_RE = re.compile(r"^\s*k[ií]nh\s+g[uư]\S*\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
PREAMBLE_START_RE = re.compile(r"^\s*(can\s*c\w{0,2}\b|thuc\s+hien\b|theo\s+de\s+nghi\b)")
HEADING_START_RE = re.compile(r"^\s*(phan\s+[ivx1l]+\b|[ivxl1|]{1,4}\s*\.\s|\d{1,2}\s*\.\s|dieu\s+\d)")


def header_start(lines: Sequence[str], i: int, floor: int = 0, *, ocr: bool = False) -> int | None:
    """The index of the line where a document begins when line index `i` holds the national motto (a left
    column printed on lines of its own above the motto, down to index `floor`, belongs to it); else None.
    `ocr`: the lines are OCR text not yet repaired (the motto's letters may be misread)."""
    if not (OCR_MOTTO_RE if ocr else MOTTO_RE).search(fold(lines[i])):
        return None
    start = i
    while (start > floor and lines[start - 1].strip() and is_upper_text(lines[start - 1])
           and i - start < MOTTO_LEFT_LINES):
        start -= 1
    return start


def split_documents(lines: Sequence[str], first_line: int = 1) -> list[tuple[int, int]]:
    """(first, last) 1-based line spans of the documents on lines `first_line`.. of a file, in order. Lines
    with no header are one span (a document whose type cannot be told); blank lines none."""
    begin = first_line - 1
    n = len(lines)
    if not any(lines[i].strip() for i in range(begin, n)):
        return []
    starts: list[int] = []
    for i in range(begin, n):
        start = header_start(lines, i, begin)
        if start is not None and (not starts or start > starts[-1] + NEXT_HEADER_GAP):
            starts.append(start)
    if not starts:
        return [(first_line, n)]
    starts[0] = begin  # a stamp line, blank lines or anything before the first header belongs to the first
    spans = []
    for k, s in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else n - 1
        spans.append((s + 1, end + 1))
    return spans


def _split_columns(line: str) -> tuple[str, str]:
    """(left, right) of a header line read across two columns: the right one is the motto."""
    folded = fold(line)
    cut = len(line)
    m = MOTTO_RE.search(folded)
    if m:
        cut = m.start()
    else:
        m2 = MOTTO2_RE.search(folded)
        if m2:
            cut = m2.start()
    return line[:cut].strip(), line[cut:].strip()


def parse_header(lines: Sequence[str], first: int, last: int, resources: Resources) -> tuple[Header, list[str]]:
    """The header block of the document on lines first..last (1-based). Returns the header and warnings."""
    header = Header(body_start=first)
    no = _read_top(lines, header, first, last, resources)
    no = _read_type_word(lines, header, no, min(last, first + HEADER_LINES), resources)
    no = _read_title(lines, header, no, last)
    header.body_start = _read_attachment_and_addressees(lines, header, no, last)
    warnings: list[str] = []
    if header.type_word is None and header.number is None and header.issuer_text is None:
        warnings.append(f"lines {first}-{last}: no document header (issuing body, number, type word) found")
    return header, warnings


def _read_top(lines: Sequence[str], header: Header, first: int, last: int, resources: Resources) -> int:
    """The stamp, the issuer's column beside the motto, ``Số: …`` and the place and date; the next line."""
    limit = min(last, first + HEADER_LINES)
    no = first
    issuer_parts: list[str] = []
    motto_seen = False
    while no <= limit:
        line = lines[no - 1]
        if not line.strip():
            no += 1
            continue
        stamp = STAMP_RE.match(line)
        if stamp and header.stamp is None:
            header.stamp = _stamp(stamp, no)
            no += 1
            continue
        folded = fold(line)
        left, _right = _split_columns(line)
        is_motto = bool(MOTTO_RE.search(folded) or MOTTO2_RE.search(folded))
        number = NUMBER_RE.match(line)
        if number and header.number is None:
            header.number = _clean_number(number["number"])
            header.number_line = no
            _take_date(header, line[number.end():], no, lines, last)
            no = max(no, header.date_line or no) + 1  # past a date wrapped onto the next line
            continue
        dated = DATE_WORDS_RE.search(line) or DATE_SLASH_RE.search(line) or WRAPPED_DATE_RE.search(line)
        if header.date is None and "ngay" in folded and dated and _take_date(header, line, no, lines, last):
            no = max(no, header.date_line or no) + 1
            continue
        if is_motto or (not motto_seen and left and is_upper_text(left) and resources.doc_type(left) is None):
            motto_seen = motto_seen or is_motto
            if left and is_upper_text(left, UPPER_TEXT_DAMAGED):
                issuer_parts.append(left)
                header.issuer_line = header.issuer_line or no
            no += 1
            continue
        break
    if issuer_parts:
        header.issuer_text = clean_space(" ".join(issuer_parts))
    return no


def _stamp(m: re.Match[str], no: int) -> Stamp:
    signed_at = None
    date = iso_date(m["d"], m["m"], m["y"])
    if date:
        hh, mm, *ss = m["time"].split(":")
        signed_at = f"{date}T{int(hh):02d}:{mm}:{ss[0] if ss else '00'}"
        if m["tz"]:
            tz = m["tz"].replace(":", "")
            signed_at += f"{tz[:3]}:{tz[3:]}"
    return Stamp(_clean_number(m["number"]), signed_at, no)


def _read_type_word(lines: Sequence[str], header: Header, no: int, limit: int, resources: Resources) -> int:
    """The type word (KẾ HOẠCH …) on the first line that is not blank; the next line."""
    scan = no
    while scan <= limit and not lines[scan - 1].strip():
        scan += 1
    if scan <= limit:
        line = lines[scan - 1]
        if resources.doc_type(line) is not None and is_upper_text(line):
            header.type_word = clean_space(line).rstrip(":")
            header.type_line = scan
            return scan + 1
    return no


def _read_title(lines: Sequence[str], header: Header, no: int, last: int) -> int:
    """The title lines (also a công văn's "V/v …" line); the line after them."""
    title_parts: list[str] = []
    title_line = None
    scan = no
    while scan <= last:
        stripped = lines[scan - 1].strip()
        if not stripped:
            if title_parts:
                nxt = scan + 1
                while nxt <= last and not lines[nxt - 1].strip():
                    nxt += 1
                # A title wrapped over a blank line goes on with a small letter.
                if nxt <= last and lines[nxt - 1].strip()[:1].islower() and not ATTACHED_RE.match(lines[nxt - 1]):
                    scan = nxt
                    continue
                break
            scan += 1
            continue
        if _ends_title(stripped, title_parts, header):
            break
        title_parts.append(stripped)
        title_line = title_line or scan
        scan += 1
        if len(title_parts) >= TITLE_LINES:
            break
    if not title_parts:
        return no
    title = clean_space(" ".join(title_parts))
    title = re.sub(r"^[Vv]/[Vv]\s*:?\s*", "", title)
    header.title = _sentence_case(title) if is_upper_text(title) else title
    header.title_line = title_line
    return scan


def _ends_title(stripped: str, title_parts: list[str], header: Header) -> bool:
    """`stripped` is no line of the title: what follows it (or, before a title, no title at all)."""
    folded = fold(stripped)
    # The first line after the type word is the title even when it reads "Thực hiện …".
    first_title_line = not title_parts and header.type_word is not None
    if (ATTACHED_RE.match(stripped) or ADDRESSEE_RE.match(stripped) or HEADING_START_RE.match(folded)
            or (PREAMBLE_START_RE.match(folded) and not first_title_line)):
        return True
    if title_parts and is_upper_text(stripped) and not is_upper_text(" ".join(title_parts)):
        return True  # "CHỦ TỊCH ỦY BAN NHÂN DÂN …" after a decision's title
    return header.type_word is None and not folded.startswith("v/v") and not title_parts


def _read_attachment_and_addressees(lines: Sequence[str], header: Header, no: int, last: int) -> int:
    """``(Kèm theo …)`` and ``Kính gửi: …``; the first line of the body."""
    while no <= last and not lines[no - 1].strip():
        no += 1
    if no <= last and ATTACHED_RE.match(lines[no - 1]):
        parts = [lines[no - 1].strip()]
        header.attached_line = no
        while ")" not in parts[-1] and no + 1 <= last and len(parts) < ATTACHED_LINES and lines[no].strip():
            no += 1
            parts.append(lines[no - 1].strip())
        header.attached_text = clean_space(" ".join(parts))
        no += 1
    while no <= last and not lines[no - 1].strip():
        no += 1
    if no <= last:
        m = ADDRESSEE_RE.match(lines[no - 1])
        if m:
            addressees = [m["rest"]] if m["rest"].strip() else []
            no += 1
            while no <= last and lines[no - 1].strip().startswith(("-", "+", "•")):
                addressees.append(lines[no - 1].strip().lstrip("-+• "))
                no += 1
            header.addressees = [a.strip().rstrip(";,.") for a in addressees if a.strip().rstrip(";,.")]
    return no


def _take_date(header: Header, text: str, no: int, lines: Sequence[str], last: int) -> bool:
    candidates = [(text, no)]
    if WRAPPED_DATE_RE.search(text) and no < last:
        nxt = no + 1
        while nxt < last and not lines[nxt - 1].strip():
            nxt += 1
        candidates.insert(0, (text.rstrip() + " " + lines[nxt - 1].strip(), nxt))
    for candidate, line_no in candidates:
        m = DATE_WORDS_RE.search(candidate) or DATE_SLASH_RE.search(candidate)
        if m:
            header.date = iso_date(m["d"], m["m"], m["y"])
            header.date_line = line_no
            place = clean_space(m["place"])
            # The place is printed after the number in the right column: drop what the left column left.
            if header.place is None and place:
                header.place = place
            return True
    return False


def _clean_number(number: str) -> str:
    return re.sub(r"\s+", "", number).rstrip(".,;:")


def _sentence_case(text: str) -> str:
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]
