"""Codes inside OCR lines, recognised by pattern and repaired by their own grammar, not by the language model.

- document symbols: ``133/QĐ-UBND``, ``118/2025/NĐ-CP``, ``57-NQ/TW``, ``959/UBND-NCKTGS``. Each letter segment
  is checked against the code book (:class:`cchc_cli.symbols.CodeBook`: the type and issuer codes of
  dictionaries/document_codes.yaml), reading the characters the OCR confuses in them as one class (Đ/D/P/B/},
  Q/0/O, I/1/l/|, S/5; dictionaries/ocr_lookalikes.yaml): ``0D`` → ``QĐ``, ``ND`` → ``NĐ``, ``QHHIS`` →
  ``QH15``. A segment that matches nothing is left as printed. The type segment of a symbol whose type the
  words before it name takes that type's code where the two look alike (``Đề án số 362/DA-CP`` → ``ĐA``).
- dates (``30/7/2025``, ``13-08-2025``), standards (``ISO 9001:2015``, ``TCVN 5712:1993``), URLs (and the
  rest of one wrapped onto the next line: ``hien-Phap-lenh-uu-dai-418294.aspx``), e-mail addresses, domain
  names, road chainages (``K0+000``) and times of day (``07h30``): kept untouched; units of area and volume
  after a number or a word and a slash (``km²``, ``m3``, ``người/km²``) too, with the ``?`` the OCR prints for
  ² read as ².
- outline labels at the start of a line: roman numerals the OCR read with digits (``I1.`` → ``II.``,
  ``Il.`` → ``II.``, ``|.`` → ``I.``) and the lettered item ``¢)`` → ``c)``.

Digits inside ordinary words (``c6``, ``1ap``, ``S6:``) are OCR errors, not codes: nothing here matches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from ..labels import roman_value
from ..symbols import CodeBook
from ..text import fold


@dataclass(frozen=True, slots=True)
class CodeSpan:
    start: int
    end: int
    text: str  # the repaired code (equal to the original when nothing needed fixing)
    kind: str  # symbol | date | standard | url | email | chainage | time | unit | label
    confidence: float = 1.0


# --- patterns -------------------------------------------------------------------------------------------
_SEG = r"[\p{L}\p{N}}?|]+"
SYMBOL = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}/.-])\d{{1,5}}[a-z]?(?:/\d{{4}})?[/-]{_SEG}(?:[-/]{_SEG})*[-/]?"
)
DATE = regex.compile(r"(?<![\p{N}/.-])(?:[0-3]?\d)([/.-])(?:[01]?\d)\1(?:19|20)\d\d(?![\p{N}/])")
STANDARD = regex.compile(r"\b(?:TCVN|ISO|QCVN|IEC)(?:[\s/]+(?:ISO|IEC))?\s*\d{2,5}(?:[-.]\d+)*(?::\d{4})?")
URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:)]", regex.I)
# the rest of a URL wrapped onto the next line, known by its query: 'ban?classid=0&mode=1'
URL_QUERY = regex.compile(r"(?<!\S)[^\s<>\"“”?&]*[?&][\w.%-]+=[^\s<>\"“”]*[^\s<>\"“”.,;:)]")
# a web address's path without its start, as a URL wrapped onto the next line leaves it, or a page's name: words
# of plain letters joined by hyphens with no space, ending in a page suffix or with at least two of its words in
# small letters ('hien-Phap-lenh-uu-dai-nguoi-co-cong-418294.aspx'); prose puts spaces round its dashes
SLUG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}/.-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+){3,}-?(?:\.(?:aspx|html?|php|pdf|docx?))?"
    r"(?![\p{L}\p{M}\p{N}/-])"
)
SLUG_PAGE = regex.compile(r"\.(?:aspx|html?|php|pdf|docx?)$")
# (a placeholder in angle brackets stands for part of the address: 'hdnd.<tenphuongxa>@bacninh.gov.vn')
EMAIL = regex.compile(r"(?:[\w.+-]|<[\w.+-]+>)+@[\w-]+(?:\.[\w-]+)+")
DOMAIN = regex.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.vn|com\.vn|org\.vn|edu\.vn|vn|com|org|net)\b")
# a road's chainage, kilometre + metres: "K0+000", "Km12+500"
CHAINAGE = regex.compile(r"(?<![\p{L}\p{N}])K[mM]?\d{1,4}\+\d{1,4}(?:[.,]\d+)?(?![\p{L}\p{N}])")
# a time of day: '07h30', '13g00', '17h' (an hour of two digits alone: '1h' is as likely an OCR error for 'lh')
TIME = regex.compile(r"(?<![\p{L}\p{N}])(?:(?:[01]?\d|2[0-3])[hg][0-5]\d|(?:[01]\d|2[0-3])[hg])(?![\p{L}\p{N}])")
# a unit of area or volume after a number or per one ('2,54 km²', '5.000 m3/ngày', '7.026 người/km²'); the OCR
# reads ² as '?' ('30 km?')
UNIT = regex.compile(r"(?<=\d\s?|\p{L}/)(?:k|c|d|h)?m[23²³?](?![\p{L}\p{N}])")
ROMAN_LABEL = regex.compile(r"^(\s*)([IVXl1|]{1,5})(\.)(?=\s|$)")
LETTER_LABEL = regex.compile(r"^(\s*)(¢)(\))")
# confidence of a relabelled outline label (I1. → II., ¢) → c)), of a symbol given back the space after it
LABEL_CONFIDENCE = 0.95
UNIT_CONFIDENCE = 0.95  # of a '?' read as ² (set by hand: the dev sets' tuning halves have four, all ²)
RUN_ON_CONFIDENCE = 0.9
NAMED_TYPE_CONFIDENCE = 0.97  # of a type code the words before its symbol name (as a known code's own case)
NAMED_TYPE_REACH = 24  # characters before a symbol where its type's name is looked for


def symbol_extent(text: str, book: CodeBook) -> str:
    """The symbol part of a match: it stops before a segment that is an ordinary word ('51/Ngày'), or inside
    one that is a code with a word run on ('NĐ-CPngay': the space the OCR lost after 'CP')."""
    parts = regex.split(r"([/-])", text)
    for i in range(2, len(parts), 2):
        seg = parts[i]
        lower = sum(ch.islower() for ch in seg)
        if lower >= 2 and seg.upper() not in book.exact:
            prefix = regex.match(r"[\p{Lu}\p{N}]{2,}(?=\p{Ll})", seg)
            if prefix and book.exact.get(prefix.group().upper()) is not None:
                return "".join(parts[:i]) + prefix.group()
            return "".join(parts[: i - 1])
    return text


def repair_symbol(text: str, book: CodeBook, named: str | None = None,
                  types: Sequence[tuple[str, str]] = ()) -> tuple[str, float]:
    """The symbol with each letter segment mended; `named`: the type code the words before it name ('Đề án số'
    → ĐA), which a segment of its look-alikes takes (DA, PA and ĐA are one shape to the OCR). A first letter
    segment the book does not know that is a type code and an issuer's run together ('TTBKHDT') is mended as
    the two (TTBKHĐT)."""
    parts = regex.split(r"([/-])", text)
    conf = 1.0
    out = []
    first = True
    for i, part in enumerate(parts):
        if i == 0 or part in "/-" or part.isdigit():
            out.append(part)
            continue
        if (named is not None and part.isascii() and part != named
                and book.skeleton(part) == book.skeleton(named)):
            fixed, c = named, NAMED_TYPE_CONFIDENCE
        else:
            fixed, c = book.fix_segment(part)
            if first and fixed == part and part.upper() not in book.exact:
                fixed, c = _type_run_on(part, book, types) or (fixed, c)
        named, first = None, False  # the first letter segment only: the type's
        conf = min(conf, c)
        out.append(fixed)
    return "".join(out), conf


def _type_run_on(segment: str, book: CodeBook, types: Sequence[tuple[str, str]]) -> tuple[str, float] | None:
    """'TTBKHDT' → ('TTBKHĐT', 0.9): a type code, then a code of the book, with no hyphen between (as printed:
    the OCR may have lost it, or the document never had it)."""
    if not segment.isascii() or not segment.isalpha() or not segment.isupper():
        return None
    for cut in range(2, len(segment) - 1):
        left, lc = book.fix_segment(segment[:cut])
        if all(code != left for _, code in types):
            continue
        right, rc = book.fix_segment(segment[cut:])
        if right.upper() in book.exact:
            return left + right, min(lc, rc, RUN_ON_CONFIDENCE)
    return None


def named_type(before: str, types: Sequence[tuple[str, str]]) -> str | None:
    """The type code of the document type the text before a symbol ends by naming, with or without 'số'
    ('… Đề án số ', 'Dé an s6 '): `types` are (folded name, code) pairs."""
    folded = fold(before).rstrip(" :")
    folded = regex.sub(r"\s+s[o06e0]$", "", folded)  # 'số', as the OCR prints it
    for name, code in types:
        if folded.endswith(name) and (len(folded) == len(name) or not folded[-len(name) - 1].isalnum()):
            return code
    return None


def find_codes(line: str, book: CodeBook, types: Sequence[tuple[str, str]] = ()) -> list[CodeSpan]:
    """Non-overlapping code spans of one line, left to right; symbols mended with the code `book` (and the
    document `types`, (folded name, code) pairs, that the words before a symbol may name)."""
    spans: list[CodeSpan] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(a: int, b: int, text: str, kind: str, conf: float = 1.0) -> None:
        spans.append(CodeSpan(a, b, text, kind, conf))
        taken.append((a, b))

    for pat, kind in ((URL, "url"), (URL_QUERY, "url"), (EMAIL, "email"), (STANDARD, "standard"), (DATE, "date"),
                      (DOMAIN, "url"), (CHAINAGE, "chainage"), (TIME, "time")):
        for m in pat.finditer(line):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), m.group(), kind)
    for m in UNIT.finditer(line):
        if free(m.start(), m.end()):
            fixed = m.group().replace("?", "²")
            add(m.start(), m.end(), fixed, "unit", UNIT_CONFIDENCE if fixed != m.group() else 1.0)
    for m in SLUG.finditer(line):
        words = m.group().rstrip("-").split("-")
        if free(m.start(), m.end()) and (SLUG_PAGE.search(m.group())
                                         or sum(any(c.islower() for c in w) for w in words) >= 2):
            add(m.start(), m.end(), m.group(), "url")
    for m in SYMBOL.finditer(line):
        raw = symbol_extent(m.group(), book)
        a, b = m.start(), m.start() + len(raw)
        if not free(a, b) or not regex.search(r"\p{L}", raw.split("/", 1)[-1] if "/" in raw else raw):
            continue
        fixed, conf = repair_symbol(raw, book, named_type(line[max(0, a - NAMED_TYPE_REACH):a], types), types)
        if b < len(line) and line[b].isalpha():  # a word ran on: give it back its space
            fixed, conf = fixed + " ", min(conf, RUN_ON_CONFIDENCE)
        add(a, b, fixed, "symbol", conf)
    m = ROMAN_LABEL.match(line)
    if m and free(m.start(2), m.end(2)):
        raw = m.group(2)
        if regex.search(r"[IVX]", raw) or raw == "|":
            fixed = raw.replace("1", "I").replace("l", "I").replace("|", "I")
            if roman_value(fixed) is not None:
                add(m.start(2), m.end(2), fixed, "label", LABEL_CONFIDENCE if fixed != raw else 1.0)
    m = LETTER_LABEL.match(line)
    if m and free(m.start(2), m.end(2)):
        add(m.start(2), m.end(2), "c", "label", LABEL_CONFIDENCE)
    spans.sort(key=lambda c: c.start)
    return spans
