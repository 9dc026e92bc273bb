"""The body of a document: preamble paragraphs, outline headings, the closing (``Nơi nhận:``, signature).

Headings only (issue 3): ``PHẦN I`` (phan), roman ``II.`` (also as the OCR leaves it: ``I1.``, ``Il.``,
``|.``), numbered ``1.`` ``2.1.`` ``7.1.3.`` (number), lettered ``a)`` … ``đ)`` (letter; ``¢)`` is ``c)``)
when it heads a block rather than starting a sentence, ``Điều 1.`` (article). Bullets and sentences are body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document import Closing, Heading, Paragraph
from ..labels import letter_after, ocr_roman_value, to_roman
from ..text import UPPER_TEXT_DAMAGED, clean_space, fold, is_upper_text
from .header import PREAMBLE_START_RE

__all__ = ["APPENDIX_RE", "BULLET_RE", "LETTER_RE", "NUMBER_RE", "TABLE_TITLE_RE", "find_closing",
           "find_headings", "find_preamble"]

HEADING_WORDS = 32  # a numbered heading's title is at most this many words ...
SENTENCE_WORDS = 12  # ... and, ending like a sentence, at most this many
ITEM_TEXT_WORDS = 3  # "1. Phòng X: Chủ trì, …": more words after a colon make an item with its text
LETTER_HEADING_WORDS = 14  # a lettered heading's title is at most this many words
LETTER_SENTENCE_WORDS = 6  # a longer one followed by a line in small letters is a lettered sentence
LETTER_SENTENCE_CHARS = 66  # a lettered line this long (not ending with ':') is a sentence that wraps
NAME_WORDS = (2, 5)  # a signer's name has this many words

PHAN_RE = re.compile(r"^\s*PH[ẦẤA]N\s+(?P<label>[IVXL1l|]{1,5}|\d{1,2})\b\s*[.:\-–]?\s*(?P<title>.*)$")
ROMAN_RE = re.compile(r"^\s*(?P<label>[IVXL1l|]{1,5})\s*[.:]\s*(?P<title>\S.*)$")
NUMBER_RE = re.compile(r"^\s*(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})\s*\.?\s+(?P<title>\S.*)$")
NUMBER_DOT_RE = re.compile(r"^\s*(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})\s*\.\s*(?P<title>\S.*)$")
LETTER_RE = re.compile(r"^\s*(?P<label>[a-zđA-ZĐ¢]?)\s*\)\s*(?P<title>\S.*)$")
ARTICLE_RE = re.compile(r"^\s*Đi[ềêe]u\s+(?P<label>\d{1,3})\s*[.:]\s*(?P<title>.*)$")
BULLET_RE = re.compile(r"^\s*[-+•*–]\s*")
CLOSING_RE = re.compile(r"^\s*N[ơo]i\s+nh[ậa]n\s*:", re.IGNORECASE)
SIGNATURE_RE = re.compile(r"\b(TM\.|KT\.|Q\.\s*CHỦ TỊCH|PHÓ CHỦ TỊCH|CHỦ TỊCH)")
APPENDIX_RE = re.compile(r"^\s*(PHỤ LỤC|Phụ lục)\b(?!\s+(số\s+)?\d+\s+kèm)")
TABLE_TITLE_RE = re.compile(r"^\s*DANH\s+MỤC\s+NHIỆM\s+VỤ")


def find_preamble(lines: Sequence[str], start: int, end: int) -> list[Paragraph]:
    """``Căn cứ …;``, ``Thực hiện …``, ``Theo đề nghị của …`` paragraphs before the first heading."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    first = 0
    for no in range(start, end + 1):
        line = lines[no - 1]
        folded = fold(line.strip())
        stripped = line.strip()
        if _is_heading_start(line) or fold(stripped).rstrip(":") in {"quyet dinh", "quyet nghi", "chi thi"}:
            break
        if PREAMBLE_START_RE.match(folded):
            if current:
                paragraphs.append(Paragraph(first, no - 1, clean_space(" ".join(current))))
            current, first = [stripped], no
        elif current and stripped:
            current.append(stripped)
        if current and (not stripped or stripped.endswith((";", "."))):
            last = no if stripped else no - 1
            paragraphs.append(Paragraph(first, last, clean_space(" ".join(current))))
            current = []
    if current:
        paragraphs.append(Paragraph(first, end, clean_space(" ".join(current))))
    return paragraphs


def _is_heading_start(line: str) -> bool:
    return bool(
        PHAN_RE.match(line) or ARTICLE_RE.match(line)
        or (ROMAN_RE.match(line) and ocr_roman_value(ROMAN_RE.match(line)["label"]) is not None)  # type: ignore[index]
        or NUMBER_DOT_RE.match(line)
    )


def find_headings(lines: Sequence[str], start: int, end: int) -> tuple[list[Heading], list[str]]:
    """The outline headings on lines start..end, in order, with the section each one's content ends on."""
    headings: list[Heading] = []
    warnings: list[str] = []
    last_roman = 0
    no = start
    while no <= end:
        line = lines[no - 1]
        if not line.strip():
            no += 1
            continue
        heading = _heading_at(lines, no, end, last_roman, headings, warnings)
        if heading is None:
            no += 1
            continue
        if heading.kind == "roman":
            last_roman = ocr_roman_value(heading.label) or last_roman
        elif heading.kind == "phan":
            last_roman = 0
        headings.append(heading)
        no = heading.last + 1
    for k, h in enumerate(headings):
        nxt = next((o for o in headings[k + 1:] if o.rank <= h.rank), None)
        h.end = nxt.line - 1 if nxt else end
    return headings, warnings


def _title_lines(lines: Sequence[str], no: int, end: int, first_title: str, max_extra: int = 2) -> tuple[str, int]:
    """A heading's title and its last line: the title may wrap onto a line or two that go on in small letters
    (or in capitals, for a heading in capitals)."""
    parts = [first_title.strip()]
    last = no
    upper = is_upper_text(first_title)
    while last < end and len(parts) <= max_extra:
        nxt = lines[last].strip()
        if not nxt or _is_heading_start(lines[last]) or BULLET_RE.match(nxt) or LETTER_RE.match(nxt):
            break
        continues_lower = not upper and nxt[:1].islower() and not parts[-1].rstrip().endswith((".", ":", ";"))
        if not ((upper and is_upper_text(nxt)) or continues_lower):
            break
        parts.append(nxt)
        last += 1
    return clean_space(" ".join(parts)), last


def _heading_like(title: str) -> bool:
    """A heading's title, not a numbered sentence: short, and not a full sentence with an ending."""
    words = title.split()
    if len(words) > HEADING_WORDS:
        return False
    body = title.rstrip()
    if ":" in body.rstrip(":") and len(body.split(":", 1)[1].split()) > ITEM_TEXT_WORDS:
        return False  # "1. Phòng Văn hóa - Xã hội: Chủ trì, hướng dẫn …" is an item with its text
    return not (body.endswith((".", ";", ",")) and len(words) > SENTENCE_WORDS)


def _heading_at(
    lines: Sequence[str], no: int, end: int, last_roman: int, headings: list[Heading], warnings: list[str]
) -> Heading | None:
    line = lines[no - 1]
    m = PHAN_RE.match(line)
    if m:
        return _phan_heading(lines, no, end, m)
    m = ARTICLE_RE.match(line)
    if m:
        return Heading("article", m["label"], _strip_title(m["title"].strip()), no, no, 1)
    m = ROMAN_RE.match(line)
    if m:
        heading = _roman_heading(lines, no, end, m, last_roman, warnings)
        if heading is not None:
            return heading
    m = NUMBER_RE.match(line)
    if m and (NUMBER_DOT_RE.match(line) or "." in m["label"]):
        return _number_heading(lines, no, end, m, last_roman, warnings)
    m = LETTER_RE.match(line)
    if m:
        return _letter_heading(lines, no, end, m, headings, warnings)
    return None


def _phan_heading(lines: Sequence[str], no: int, end: int, m: re.Match[str]) -> Heading:
    label = m["label"]
    value = ocr_roman_value(label)
    if value:
        label = to_roman(value)
    title, last = (m["title"].strip(), no)
    if not title:
        nxt = no + 1
        while nxt <= end and not lines[nxt - 1].strip():
            nxt += 1
        if nxt <= end and is_upper_text(lines[nxt - 1]) and not _is_heading_start(lines[nxt - 1]):
            title, last = _title_lines(lines, nxt, end, lines[nxt - 1])
    return Heading("phan", label, _strip_title(title), no, last, 0)


def _roman_heading(lines: Sequence[str], no: int, end: int, m: re.Match[str], last_roman: int,
                   warnings: list[str]) -> Heading | None:
    value = ocr_roman_value(m["label"])
    if value is None or not (is_upper_text(m["title"], UPPER_TEXT_DAMAGED) or value in (last_roman + 1, 1)):
        return None
    title, last = _title_lines(lines, no, end, m["title"])
    if value != last_roman + 1 and any(ch in m["label"] for ch in "1l|"):
        # "I1." after "III." is a damaged "IV.", not a jump back: the OCR read a stroke as 1, l or |
        warnings.append(f"line {no}: heading '{m['label']}.' read as {to_roman(last_roman + 1)}")
        value = last_roman + 1
    return Heading("roman", to_roman(value), _strip_title(title), no, last, 1)


def _number_heading(lines: Sequence[str], no: int, end: int, m: re.Match[str], last_roman: int,
                    warnings: list[str]) -> Heading | None:
    label = m["label"].rstrip(".")
    title, last = _title_lines(lines, no, end, m["title"])
    if is_upper_text(m["title"]) and "." not in label and last_roman and len(m["title"].split()) >= 2:
        # A heading in capitals numbered "1." where the roman "II." is due: the OCR lost the numeral.
        value = last_roman + 1
        warnings.append(f"line {no}: heading '{label}.' in capitals read as roman {to_roman(value)}")
        return Heading("roman", to_roman(value), _strip_title(title), no, last, 1)
    if not _heading_like(title):
        return None
    return Heading("number", label, _strip_title(title), no, last, 2 + label.count("."))


def _letter_heading(lines: Sequence[str], no: int, end: int, m: re.Match[str], headings: list[Heading],
                    warnings: list[str]) -> Heading | None:
    line = lines[no - 1]
    letter = m["label"].lower().replace("¢", "c")
    title, last = _title_lines(lines, no, end, m["title"], max_extra=1)
    words = title.split()
    if len(words) > LETTER_HEADING_WORDS or title.rstrip().endswith((".", ";", ",")):
        return None
    if len(line.rstrip()) >= LETTER_SENTENCE_CHARS and not line.rstrip().endswith(":"):
        return None  # a line as long as the text's lines: a lettered sentence that wraps, not a heading
    prev = next((h for h in reversed(headings) if h.kind == "letter"), None)
    if not letter:
        # ") Trung tâm …": the OCR lost the letter; it is the one after the previous lettered heading.
        following = letter_after(prev.label) if prev is not None else None
        if following is None or not m["title"][:1].isupper():
            return None
        letter = following
        warnings.append(f"line {no}: a lettered heading without its letter read as '{letter})'")
    nxt = last + 1
    while nxt <= end and not lines[nxt - 1].strip():
        nxt += 1
    # A lettered heading heads a block: what follows is a bullet, a paragraph or another heading,
    # not the rest of its own sentence.
    if nxt <= end and lines[nxt - 1].strip()[:1].islower() and len(words) > LETTER_SENTENCE_WORDS:
        return None
    if prev is not None and prev.label == "d" and letter == "d":
        letter = "đ"  # Vietnamese order is a, b, c, d, đ, e: a second "d)" is "đ)" without its bar
    return Heading("letter", letter, _strip_title(title), no, last, 6)


def _strip_title(title: str) -> str:
    """The title without its final punctuation and without the OCR debris after a title in capitals
    ("YÊU CẦU q -", "MỤC TIÊU |"): marks, and letters in small type that make no word of it."""
    words = clean_space(title).split()
    upper = is_upper_text(title, UPPER_TEXT_DAMAGED)
    while len(words) > 1:
        last = words[-1]
        if not any(ch.isalnum() for ch in last) or (upper and len(last) <= 2 and not any(ch.isupper() or ch.isdigit()
                                                                                            for ch in last)):
            words.pop()
            continue
        break
    return " ".join(words).rstrip(":;,.-–|~_ ").strip()


def find_closing(lines: Sequence[str], start: int, end: int) -> Closing:
    """``Nơi nhận:`` and its list (left column), the signature block (right column), the signer's name."""
    closing = Closing()
    no = None
    for k in range(end, start - 1, -1):
        if CLOSING_RE.match(lines[k - 1]):
            no = k
            break
    if no is None:
        return closing
    closing.line = no
    marks: list[str] = []
    recipients: list[str] = []
    for k in range(no, end + 1):
        line = lines[k - 1]
        left = line
        m = SIGNATURE_RE.search(line)
        if m:
            marks.append(line[m.start():].strip())
            left = line[: m.start()].rstrip()
            # a damaged first letter of the mark (">HO CHỦ TỊCH") stays on the left: drop it
            if not left.endswith((";", ",", ".")):
                left = re.sub(r"\s\S{1,3}$", "", left)
        if k == no:
            left = CLOSING_RE.sub("", left)
        stripped = left.strip()
        if not stripped:
            continue
        if BULLET_RE.match(stripped):
            recipients.append(BULLET_RE.sub("", stripped))
        elif recipients and not recipients[-1].rstrip().endswith((";", ".")) and stripped[:1].isalnum():
            recipients[-1] += " " + stripped
    closing.recipients = [r.strip().rstrip(";,.”\" ").strip() for r in recipients if r.strip().rstrip(";,.”\" ")]
    folded_marks = fold(" ".join(marks))
    if "pho chu tich" in folded_marks or "kt." in folded_marks:
        closing.signer_position = "Phó Chủ tịch"
    elif "chu tich" in folded_marks:
        closing.signer_position = "Chủ tịch"
    # The signer's name: the last line of the document that reads as a person's name.
    for k in range(end, no, -1):
        stripped = lines[k - 1].strip()
        if not stripped:
            continue
        words = stripped.split()
        name_like = all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)
        if NAME_WORDS[0] <= len(words) <= NAME_WORDS[1] and name_like:
            closing.signer_name = stripped
            closing.signer_line = k
        break
    return closing
