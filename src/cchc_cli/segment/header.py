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
from collections.abc import Iterator, Sequence

from rapidfuzz.distance.Levenshtein import distance

from ..document import Header, Stamp
from ..resources import Resources
from ..symbols import doc_type_close, symbol_type_code
from ..text import UPPER_TEXT_DAMAGED, clean_space, fold, is_upper_text, iso_date

__all__ = ["NEXT_HEADER_GAP", "NUMBER_RE", "PREAMBLE_START_RE", "STAMP_RE", "header_start", "left_column",
           "parse_header", "split_documents"]

HEADER_LINES = 30  # the stamp, the columns, number and date lie within this many lines of the start
TITLE_LINES = 10  # a title wraps over at most this many lines
LOOK_AHEAD_LINES = 6  # a number or date is looked for this many lines with text past the last header line read
TYPE_WORD_LINES = 2  # the type word is on one of this many lines with text after the date
ATTACHED_LINES = 4  # "(Kèm theo …)" wraps over at most this many lines
MOTTO_LEFT_LINES = 5  # a left column printed on lines of its own above the motto has at most this many
NEXT_HEADER_GAP = 5  # a second motto within this many lines of the last document's start is the same header

# (folded; a repaired letter may still be wrong: "HỘI CHI NGHĨA", "CHỢ) NGHĨA")
MOTTO_RE = re.compile(r"cong\s*hoa\s*xa\s*h\w{0,2}\W?\s*ch\w{0,2}\W?\s*nghia")
# The motto's first words, folded: "CỘNG HÒA XÃ HỘI CHI" / "NGHĨA VIỆT NAM" begins a motto all the same.
MOTTO_START_RE = re.compile(r"^\W*c[o0q]ng(\s*h[o0q][a@]\b|\W*$)")  # not "CÔNG ĐIỆN"
MOTTO_INSIDE_RE = re.compile(r"c[o0q]ng\s*h[o0q][a@]\s*x[a@]\b")
# "Độc lập - Tự do - Hạnh phúc" whole, folded: it anchors a header whose first motto line is beyond reading.
MOTTO2_LINE_RE = re.compile(r"^\W*d\S{0,2}c\s*l\S{0,2}p\s*-\s*t\S{0,2}\s*do\s*-\s*h\S{0,3}nh\s*ph\S{0,3}c\W*$")
# The motto as an English-model OCR leaves it, before any repair ("CONG HOA XA HQI CHU NGHIA"), folded.
OCR_MOTTO_RE = re.compile(r"c[o0q]ng\s*h[o0q][a@]\s*x[a@]\s*h[o0q][il1|]\s*ch[u]\s*ngh[il1][a@]")
# "Độc lập - Tự do - Hạnh phúc", of which the OCR may damage the first word ("Pégc lập").
MOTTO2_RE = re.compile(r"\S*\s*l[a-z]{0,2}p\s*-\s*t\S*\s*do\b.*$")
STAMP_RE = re.compile(
    r"^\s*S[ốôo6]\s*:?\s*(?P<number>[^;\s]+)\s*;\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s*;"
    r"\s*(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<tz>[+-]\d{2}:?\d{2})?"
)
# "Số: 95/QĐ-UBND", "SỐ): …", "Số:; …", "SỐ: roe 44/…", or a word the OCR or the repair made of "Số" before a
# colon ("Stt: 637/TB-VPCP", "$0: 112/2021/NĐ-CP"): the label, then the number (66.17/2026/NQ-CP has a dot)
_SO = r"(?:S[ốôoó6ỐÔOÓ](?![\w])\s*[)\]|.,]?|(?:S\w{0,2}|\$\w?)(?=\s*[:;]))"
_SO_TAIL = r"\s*[:;]{0,2}[\s|.;:,]*(?:[a-z]{1,3}\s+(?=\d))?"
_NUMBER = r"(?P<number>\d+(?:\.\d+)?\s*(?:[/-]\s*[\w\-Đđ/]+)+)"
NUMBER_RE = re.compile(r"^[\s~|.\-–—_'`*•$]*" + _SO + _SO_TAIL + _NUMBER, re.IGNORECASE)
# ... the same after the issuing body on its line ("CHÍNH PHỦ_ Số: 171/2025/NĐ-CP"): the colon is needed there
NUMBER_INSIDE_RE = re.compile(r"(?<![\w])S[ốôoó]\s*:\s*" + _NUMBER)
# "Số:" alone at the end of a line (maybe with debris: "SỐ: ;", "SỐ: roe"), the number on the next line
NUMBER_ALONE_RE = re.compile(r"^[\s~|.\-–—_'`*•]*S[ốôoó6ỐÔOÓ]\s*[)\]|.,]?\s*[:;]{0,2}[\s|.;:,]*(?:[a-z]{1,3})?\s*$",
                             re.IGNORECASE)
NUMBER_NEXT_RE = re.compile(r"^\s*" + _NUMBER)
# ... or a word the repair made of it ("SQ:", "Sơn:"), when a symbol with a letter code follows
NUMBER_ALONE_DAMAGED_RE = re.compile(r"^[\s~|.\-–—_'`*•]*S\w{0,2}\s*[:;][\s|.]*$")
SYMBOL_NEXT_RE = re.compile(r"^\s*\d+(?:/\d{4})?/[A-ZĐ]")
# A line of the motto wrapped in a narrow column: "CỘNG HÒA XÃ" / "HỘI CHỦ NGHĨA VIỆT NAM", folded.
MOTTO_PART_RE = re.compile(
    r"^\W*(c[o0q]ng(\s*h[o0q][a@](\s*x[a@](\s*h[o0q][il1|])?)?)?"
    r"|(h[o0q][a@]\s*)?(x[a@]\s*)?(h[o0q][il1|]\s*)?ch\w{0,2}\W?\s*ngh[il1][a@](\s*v[il1][e]t(\s*n[a@]m)?)?"
    r"|(ngh[il1][a@]\s*)?v[il1][e]t\s*n[a@]m)\W*$")
# "<place>," / "ngày 20 tháng 11 năm 2025": the date's words begin the next line
DATE_NEXT_RE = re.compile(r"^\s*ng[aà]y\s+\d", re.IGNORECASE)
SUBJECT_RE = re.compile(r"(?:^|\s)[Vv]\s*/\s*[Vv]\b\s*:?\s*(?P<rest>.*)$")
# A legal web library's page: its metadata block before the document ("Số hiệu:" / "471/QĐ-UBND", …)
META_RE = re.compile(r"^\s*(?P<key>s[oố] hi[eệ]u|lo[aạ]i v[aă]n b[aả]n|n[oơ]i ban h[aà]nh|ng[uư][oờ]i k[yý]|"
                     r"ng[aà]y ban h[aà]nh)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
RECIPIENTS_RE = re.compile(r"^\W*(noi\s*nhan|luu\s*:)")  # the end of the document before, folded
META_LINES = 60  # a web library's banner and metadata block take at most this many lines
DATE_WORDS_RE = re.compile(
    r"(?P<place>[^,;:]*?)\s*,\s*ng[aà]y\s*(?P<d>\d{1,2})[.,]?\s*th[aá]ng\s*(?P<m>\d{1,2})[.,]?\s*n[aăâ]\S?m\s*"
    r"(?P<y>\d{4})"
)
DATE_SLASH_RE = re.compile(r"(?P<place>[^,;:]*?)\s*,\s*ng[aà]y\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")
DATE_BEGINS_RE = re.compile(r",\s*ng[aà]y\s*\d")
WRAPPED_DATE_RE = re.compile(r",\s*ng[aà]y\s*\d{0,2}[\s|.]*$")
ATTACHED_RE = re.compile(r"^\s*\(?\s*k[eè]m\s+theo\b", re.IGNORECASE)
# "Kính gửi: …", matched folded ("gửi" carries a tone mark the plain letters of a pattern would miss)
_ADDRESSEE_FOLDED_RE = re.compile(r"^\s*kinh\s+gu\S*\s*:?\s*(?P<rest>.*)$")


def addressee(line: str) -> str | None:
    """What follows "Kính gửi:" at the start of `line` (as printed), or None when the line does not open so."""
    m = _ADDRESSEE_FOLDED_RE.match(fold(line))
    return line[m.start("rest"):] if m else None
PREAMBLE_START_RE = re.compile(r"^\s*(can\s*c\w{0,2}\b|thuc\s+hien\b|theo\s+de\s+nghi\b)")
HEADING_START_RE = re.compile(r"^\s*(phan\s+[ivx1l]+\b|[ivxl1|]{1,4}\s*\.\s|\d{1,2}\s*\.\s|dieu\s+\d)")


def _next_text(lines: Sequence[str], i: int, floor: int, step: int = 1, gap: int = 1) -> int | None:
    """The index of the first line with text from `i` on (backwards when `step` is -1), past at most
    `gap` blank lines; None when there is none."""
    j = i
    while floor <= j < len(lines) and not lines[j].strip():
        j += step
        if abs(j - i) > gap:
            return None
    return j if floor <= j < len(lines) else None


def motto_at(lines: Sequence[str], i: int, *, ocr: bool = False) -> bool:
    """Line index `i` holds the national motto, or begins it when a narrow column wraps it
    ("CỘNG HÒA XÃ" / "HỘI CHỦ NGHĨA VIỆT NAM")."""
    pattern = OCR_MOTTO_RE if ocr else MOTTO_RE
    folded = fold(lines[i])
    m = pattern.search(folded)
    if m:
        # a header's motto, not "… Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;" in a preamble
        return is_upper_text(lines[i][m.start():], UPPER_TEXT_DAMAGED) or _motto2_near(lines, i)
    if not ocr and MOTTO2_LINE_RE.match(folded):
        # the second motto line, its first beyond reading: unless a motto line stands just above
        above = [j for j in (_next_text(lines, i - 1, 0, step=-1),) if j is not None]
        above += [k for j in above for k in (_next_text(lines, j - 1, 0, step=-1),) if k is not None]
        return not any(pattern.search(fold(lines[j])) for j in above)
    if not MOTTO_START_RE.match(folded):
        return False
    j = _next_text(lines, i + 1, 0)
    return (j is not None and bool(pattern.search(folded + " " + fold(lines[j])))
            and (is_upper_text(lines[i] + " " + lines[j], UPPER_TEXT_DAMAGED) or _motto2_near(lines, j)))


def _motto2_near(lines: Sequence[str], i: int) -> bool:
    j = _next_text(lines, i + 1, 0)
    return bool(MOTTO2_RE.search(fold(lines[i]))) or (j is not None and bool(MOTTO2_RE.search(fold(lines[j]))))


def header_start(lines: Sequence[str], i: int, floor: int = 0, *, ocr: bool = False) -> int | None:
    """The index of the line where a document begins when line index `i` holds the national motto (a left
    column printed on lines of its own above the motto, down to index `floor`, belongs to it); else None.
    `ocr`: the lines are OCR text not yet repaired (the motto's letters may be misread)."""
    if not motto_at(lines, i, ocr=ocr):
        return None
    start = i
    pending = None  # a line of two or three letters ("Nổ" for "NỘI") kept only under a line in capitals
    for _ in range(MOTTO_LEFT_LINES):
        j = _next_text(lines, (pending if pending is not None else start) - 1, floor, step=-1)
        if j is None or META_RE.match(lines[j]) or lines[j].lstrip()[:1] in "-+•*–" or RECIPIENTS_RE.match(
                fold(lines[j])):
            break  # a recipient line of the document before ("- Lưu: VT."), a metadata line
        if is_upper_text(lines[j], UPPER_TEXT_DAMAGED):
            start, pending = j, None
        elif pending is None and sum(ch.isalpha() for ch in lines[j]) <= 3 and len(lines[j].split()) <= 2:
            pending = j
        else:
            break
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


def left_column(line: str) -> str:
    """The left column's part of a header line read across both columns (the motto cut off)."""
    return _split_columns(line)[0]


def _split_columns(line: str) -> tuple[str, str]:
    """(left, right) of a header line read across two columns: the right one is the motto."""
    folded = fold(line)
    cut = len(line)
    m = MOTTO_RE.search(folded)
    if m:
        cut = m.start()
    else:
        m2 = MOTTO2_RE.search(folded) or MOTTO_INSIDE_RE.search(folded)
        if m2:
            cut = m2.start()
    return line[:cut].strip(), line[cut:].strip()


def parse_header(lines: Sequence[str], first: int, last: int, resources: Resources) -> tuple[Header, list[str]]:
    """The header block of the document on lines first..last (1-based). Returns the header and warnings.

    The header proper may follow a web library's banner and metadata block: it is read from its motto on,
    and the metadata (and the signature stamp) fill in a number, date or type the header does not show,
    with a warning naming where the value came from."""
    top = _header_top(lines, first, last)
    header = Header(body_start=top)
    for no in range(first, top):  # a signature stamp printed above a banner or a blank gap
        if (stamp := STAMP_RE.match(lines[no - 1])) and header.stamp is None:
            header.stamp = _stamp(stamp, no)
    no = _read_top(lines, header, top, last, resources)
    no = _read_type_word(lines, header, no, min(last, top + HEADER_LINES), resources)
    no = _read_title(lines, header, no, last, resources)
    if header.title is None and header.subject:
        header.title, header.title_line = header.subject, header.subject_line
    header.body_start = _read_attachment_and_addressees(lines, header, no, last)
    meta_end = top - 1 if top > first else min(last, first - 1 + META_LINES)
    warnings = _fall_back(header, read_metadata(lines, first, meta_end), resources)
    warnings += _number_agrees_with_type(header, resources)
    if header.type_word is None and header.number is None and header.issuer_text is None:
        warnings.append(f"lines {first}-{last}: no document header (issuing body, number, type word) found")
    return header, warnings


def _header_top(lines: Sequence[str], first: int, last: int) -> int:
    """The 1-based line where the header begins: its motto's left column, past anything before it (a web
    page's banner and metadata block); `first` when no motto is near."""
    for i in range(first - 1, min(last, first - 1 + META_LINES)):
        start = header_start(lines, i, first - 1)
        if start is not None:
            return start + 1
    return first


def read_metadata(lines: Sequence[str], first: int, last: int) -> dict[str, tuple[str, int]]:
    """A legal web library's metadata block on lines first..last: {key: (value, line)}, keys ``number``,
    ``type``, ``place``, ``signer``, ``date`` (ISO). A value may stand on the line after its key."""
    keys = {"so hieu": "number", "loai van ban": "type", "noi ban hanh": "place", "nguoi ky": "signer",
            "ngay ban hanh": "date"}
    found: dict[str, tuple[str, int]] = {}
    for no in range(first, last + 1):
        m = META_RE.match(lines[no - 1])
        if not m:
            continue
        key = keys.get(clean_space(fold(m["key"]).lower()))
        value, line_no = m["value"].strip(" |:.;,"), no
        if not value:
            j = _next_text(lines, no, 0)
            if j is None or j + 1 > last or META_RE.match(lines[j]):
                continue
            value, line_no = lines[j].strip(" |:.;,"), j + 1
        if key == "date":
            d = re.match(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})$", value)
            value = (iso_date(d[1], d[2], d[3]) or "") if d else ""
        elif key == "number":
            value = _clean_number(value) if NUMBER_NEXT_RE.match(value) else ""
        if key and value and key not in found and (key != "type" or len(value.split()) <= 5):
            found[key] = (value, line_no)
    return found


def _fall_back(header: Header, meta: dict[str, tuple[str, int]], resources: Resources) -> list[str]:
    """Fill the number, date and type the header does not show from the metadata block, then the stamp.
    The stamp is the signed file's: a plan attached to a decision carries the decision's stamp, so it
    stands for the document only when the document is attached to none and its symbol's type agrees."""
    warnings = []
    if header.number is None and "number" in meta:
        header.number, header.number_line = meta["number"][0], meta["number"][1]
        warnings.append(f"line {header.number_line}: number read from the web library's metadata block "
                        "(none readable in the header)")
    if header.date is None and "date" in meta:
        header.date, header.date_line = meta["date"][0], meta["date"][1]
        warnings.append(f"line {header.date_line}: date read from the web library's metadata block "
                        "(none readable in the header)")
    if header.type_word is None and header.subject is None and "type" in meta:
        header.type_word, header.type_line = meta["type"][0], meta["type"][1]
        warnings.append(f"line {header.type_line}: document type read from the web library's metadata block "
                        "(no type word readable in the header)")
    stamp = header.stamp if header.attached_text is None else None
    if stamp is not None and stamp.number:
        named = resources.doc_type(header.type_word)
        code = symbol_type_code(stamp.number, resources.type_codes)
        if named is not None and code is not None and named.abbr != code:
            stamp = None
    if stamp is not None and header.number is None and stamp.number and NUMBER_NEXT_RE.match(stamp.number):
        header.number, header.number_line = stamp.number, stamp.line
        warnings.append(f"line {stamp.line}: number read from the digital-signature stamp (none readable in "
                        "the header)")
    if stamp is not None and header.date is None and stamp.signed_at:
        header.date, header.date_line = stamp.signed_at[:10], stamp.line
        warnings.append(f"line {stamp.line}: date read from the digital-signature stamp (none readable in "
                        "the header)")
    return warnings


def _number_agrees_with_type(header: Header, resources: Resources) -> list[str]:
    """A symbol whose type code the OCR damaged by one letter ("13/2026/TI-NHNN", "16/2023/TTI-BKHĐT")
    under a type word that names the code ("THÔNG TƯ": TT) gets the type word's code, with a warning."""
    named = resources.doc_type(header.type_word)
    if header.number is None or named is None or not named.abbr:
        return []
    parts = header.number.split("/")
    k = 2 if len(parts) >= 3 and parts[1].isdigit() else 1
    if len(parts) <= k:
        return []
    code, _, rest = parts[k].partition("-")
    if code == named.abbr or code in resources.type_codes or not rest or distance(code, named.abbr) != 1:
        return []
    was = header.number
    parts[k] = f"{named.abbr}-{rest}"
    header.number = "/".join(parts)
    return [f"line {header.number_line}: number '{was}' read as '{header.number}': its type code agrees with "
            f"the type word '{header.type_word}'"]


def _read_top(lines: Sequence[str], header: Header, first: int, last: int, resources: Resources) -> int:
    """The stamp, the issuer's column beside the motto, ``Số: …``, a công văn's ``V/v …`` and the place and
    date, in any order and wrapped in any way; the next line."""
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
        if MOTTO_PART_RE.match(folded) or MOTTO_START_RE.match(folded):
            # "CỘNG HÒA XÃ" / "HỘI CHỦ NGHĨA VIỆT NAM" of a narrow column
            motto_seen = True
            no += 1
            continue
        left, _right = _split_columns(line)
        is_motto = bool(MOTTO_RE.search(folded) or MOTTO2_RE.search(folded))
        inside = NUMBER_INSIDE_RE.search(left) if header.number is None and not NUMBER_RE.match(left) else None
        if inside is not None and inside.start() and is_upper_text(left[: inside.start()], UPPER_TEXT_DAMAGED):
            # "CHÍNH PHỦ_ Số: 171/2025/NĐ-CP": the issuing body and the number read as one line
            issuer_parts.append(left[: inside.start()].strip(" _|"))
            header.issuer_line = header.issuer_line or no
            header.issuer_lines.append(no)
            left = left[inside.start():]
        if header.number is None and (taken := _take_number(lines, header, no, limit, left)):
            no = max(taken, header.date_line or taken) + 1
            continue
        if header.subject is None and (subject := SUBJECT_RE.search(line)) and header.number is not None:
            no = _take_subject(lines, header, no, limit, subject)
            continue
        if header.date is None and (_date_begins(line) or _date_next(lines, no, limit)) and _take_date(
                header, line, no, lines, last):
            no = max(no, header.date_line or no) + 1
            continue
        short = sum(ch.isalpha() for ch in left) <= 3 and len(left.split()) <= 2  # "Nổ" for "NỘI"
        if HEADING_START_RE.match(folded) and not motto_seen:
            break  # "III. TỔ CHỨC THỰC HIỆN": the outline of a text without a header, no issuing body
        upper = is_upper_text(left, UPPER_TEXT_DAMAGED) or (short and bool(issuer_parts))
        if is_motto or (not motto_seen and left and upper and resources.doc_type(left) is None):
            motto_seen = motto_seen or is_motto
            if left and (is_upper_text(left, UPPER_TEXT_DAMAGED) or (short and not is_motto)):
                issuer_parts.append(left)
                header.issuer_line = header.issuer_line or no
                header.issuer_lines.append(no)
            no += 1
            continue
        break
    if issuer_parts:
        header.issuer_text = clean_space(" ".join(issuer_parts))
    return _look_ahead(lines, header, no, limit)


def _look_ahead(lines: Sequence[str], header: Header, no: int, limit: int) -> int:
    """The number or the date not read yet but a line or two further on, past a line the reader could not
    place (a damaged "V/v", a stray line): read them; the line after the last one read (else `no`)."""
    if header.number is not None and header.date is not None:
        return no
    end, seen, scan = no, 0, no
    while scan <= limit and seen < LOOK_AHEAD_LINES:
        line = lines[scan - 1]
        if not line.strip():
            scan += 1
            continue
        seen += 1
        folded = fold(line)
        if PREAMBLE_START_RE.match(folded) or addressee(line) is not None:
            break
        if header.number is None and (taken := _take_number(lines, header, scan, limit, line.strip())):
            end = scan = max(taken, header.date_line or taken) + 1
            continue
        if header.date is None and _date_begins(line) and _take_date(header, line, scan, lines, limit):
            end = scan = max(scan, header.date_line or scan) + 1
            continue
        scan += 1
    return end


def _take_number(lines: Sequence[str], header: Header, no: int, limit: int, left: str) -> int | None:
    """``Số: 95/QĐ-UBND`` on line `no` (or ``Số:`` there and the number on the next line), with the place
    and date printed beside it; the last line read, or None when the line holds no number."""
    number = NUMBER_RE.match(left)
    at, rest = no, ""
    if number:
        rest = lines[no - 1][lines[no - 1].find(number["number"]) + len(number["number"]):]
    elif (NUMBER_ALONE_RE.match(left) or NUMBER_ALONE_RE.match(lines[no - 1])
          or NUMBER_ALONE_DAMAGED_RE.match(left)):
        j = _next_text(lines, no, 0)
        number = NUMBER_NEXT_RE.match(lines[j]) if j is not None and j + 1 <= limit else None
        if number is not None and j is not None and not NUMBER_ALONE_RE.match(left) and not NUMBER_ALONE_RE.match(
                lines[no - 1]) and not SYMBOL_NEXT_RE.match(lines[j]):
            number = None  # "Sơn:" then a bare number: not enough to take it for "Số:"
        if number is None or j is None:
            return None
        at, rest = j + 1, lines[j][number.end():]
    else:
        return None
    header.number = _clean_number(number["number"])
    header.number_line = at
    if header.date is None:
        _take_date(header, rest, at, lines, limit)
    return at


def _take_subject(lines: Sequence[str], header: Header, no: int, limit: int, m: re.Match[str]) -> int:
    """A công văn's ``V/v …`` (wrapped lines in small letters joined; a date beside it read); the next line."""
    parts = [m["rest"]]
    first_line = no
    if header.date is None and _take_date(header, lines[no - 1], no, lines, limit):
        parts = [re.split(r"\s*,\s*ng[aà]y\b", m["rest"])[0]]
    no += 1
    while no <= limit and len(parts) < TITLE_LINES:
        nxt = lines[no - 1].strip()
        if not nxt:
            no += 1
            continue
        folded = fold(nxt)
        if (_date_begins(nxt) or _date_next(lines, no, limit)
                or addressee(nxt) is not None or NUMBER_RE.match(nxt) or MOTTO_RE.search(folded)
                or (is_upper_text(nxt) and not is_upper_text(" ".join(parts)))):
            break
        parts.append(nxt)
        no += 1
    header.subject = clean_space(" ".join(parts)).strip(" .") or None
    header.subject_line = first_line
    return no


def _date_begins(line: str) -> bool:
    """Line holds a place and date, or begins one wrapped onto the next line."""
    return "ngay" in fold(line) and bool(DATE_WORDS_RE.search(line) or DATE_SLASH_RE.search(line)
                                         or WRAPPED_DATE_RE.search(line) or DATE_BEGINS_RE.search(line))


def _date_next(lines: Sequence[str], no: int, limit: int) -> bool:
    """Line `no` ends its place with a comma and the date's words begin the next line."""
    if not lines[no - 1].rstrip().endswith(","):
        return False
    j = _next_text(lines, no, 0)
    return j is not None and j + 1 <= limit and bool(DATE_NEXT_RE.match(lines[j]))


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
    """The type word (KẾ HOẠCH …) on one of the next few lines with text, past a line of debris, maybe
    wrapped over two lines ("QUYẾT" / "ĐỊNH"); the next line."""
    for scan in _text_lines(lines, no, limit, TYPE_WORD_LINES):
        line = lines[scan - 1].strip(" |’'‘`.,;")  # a box the OCR read as bars, a stray mark
        words = line.split()
        if len(words) >= 3 and len(words[-1]) <= 3 and resources.doc_type(" ".join(words[:-1])) is not None:
            line = " ".join(words[:-1])  # "NGHỊ ĐỊNH đó": a speck the OCR read as a word after the type word
        if (resources.doc_type(line) or doc_type_close(line, resources.doc_types)) and is_upper_text(line):
            header.type_word = clean_space(line).rstrip(":")
            header.type_line = scan
            return scan + 1
        j = _next_text(lines, scan, 0)
        if j is not None and j + 1 <= limit and is_upper_text(line + " " + lines[j]) and resources.doc_type(
                line + " " + lines[j]) is not None:
            header.type_word = clean_space(line + " " + lines[j]).rstrip(":")
            header.type_line = scan
            return j + 2
        if sum(ch.isalpha() for ch in line) >= 3:
            break  # a line of text that names no type: the title of a công văn, a preamble …
    return no


def _text_lines(lines: Sequence[str], start: int, limit: int, count: int) -> Iterator[int]:
    """The 1-based numbers of the first `count` lines with text from `start` to `limit`."""
    seen = 0
    for no in range(start, limit + 1):
        if seen >= count:
            return
        if lines[no - 1].strip():
            seen += 1
            yield no


def _read_title(lines: Sequence[str], header: Header, no: int, last: int, resources: Resources) -> int:
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
                # A title wrapped over a blank line goes on with a small letter, or in capitals when it is
                # printed in capitals (and the line names no authority).
                after = lines[nxt - 1].strip() if nxt <= last else ""
                upper_goes_on = (is_upper_text(" ".join(title_parts)) and is_upper_text(after)
                                 and not _ends_title(after, title_parts, header, resources))
                if after and (after[:1].islower() or upper_goes_on) and not ATTACHED_RE.match(after):
                    scan = nxt
                    continue
                break
            scan += 1
            continue
        if _ends_title(stripped, title_parts, header, resources):
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


def _ends_title(stripped: str, title_parts: list[str], header: Header, resources: Resources) -> bool:
    """`stripped` is no line of the title: what follows it (or, before a title, no title at all)."""
    folded = fold(stripped)
    # The first line after the type word is the title even when it reads "Thực hiện …".
    first_title_line = not title_parts and header.type_word is not None
    if (ATTACHED_RE.match(stripped) or addressee(stripped) is not None or HEADING_START_RE.match(folded)
            or (PREAMBLE_START_RE.match(folded) and not first_title_line)):
        return True
    if title_parts and is_upper_text(stripped) and not is_upper_text(" ".join(title_parts)):
        return True  # "CHỦ TỊCH ỦY BAN NHÂN DÂN …" after a decision's title
    if title_parts and is_upper_text(stripped, UPPER_TEXT_DAMAGED) and resources.cues.issuing_authority.match(
            folded.strip(" |.")):
        return True  # … after a title in capitals too
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
        rest = addressee(lines[no - 1])
        if rest is not None:
            addressees = [rest] if rest.strip() else []
            no += 1
            while no <= last and lines[no - 1].strip().startswith(("-", "+", "•")):
                addressees.append(lines[no - 1].strip().lstrip("-+• "))
                no += 1
            header.addressees = [a.strip().rstrip(";,.") for a in addressees if a.strip().rstrip(";,.")]
    return no


def _take_date(header: Header, text: str, no: int, lines: Sequence[str], last: int) -> bool:
    """The place and date on line `no` (its text from `text`), or wrapped onto the next line with text
    anywhere after ", ngày"; True when read."""
    candidates = [(text, no)]
    if (WRAPPED_DATE_RE.search(text) or text.rstrip().endswith(",") or
            (re.search(r",\s*ng[aà]y\b", text) and not DATE_WORDS_RE.search(_unjunk(text)))) and no < last:
        nxt = no + 1
        while nxt < last and not lines[nxt - 1].strip():
            nxt += 1
        candidates.insert(0, (text.rstrip() + " " + lines[nxt - 1].strip(), nxt))
    for candidate, line_no in candidates:
        candidate = _unjunk(candidate)
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


def _unjunk(text: str) -> str:
    """`text` without the marks the OCR leaves between words of a date ("ngày 24 . tháng", "ngày | |")."""
    return re.sub(r"(?<=\s)[.|,;:'’`~_—-]+(?=\s)", " ", f" {text.replace('|', ' ')} ").strip()


def _clean_number(number: str) -> str:
    return re.sub(r"\s+", "", number).rstrip(".,;:_|~'")


def _sentence_case(text: str) -> str:
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]
