"""Codes inside OCR lines, recognised by pattern and repaired by their own grammar, not by the language model.

- document symbols: ``133/QĐ-UBND``, ``118/2025/NĐ-CP``, ``57-NQ/TW``, ``959/UBND-NCKTGS``. Each letter segment
  is checked against the type and issuer codes of dictionaries/document_codes.yaml, reading the characters
  the OCR confuses in them as one class (Đ/D/P/B/}, Q/0/O, I/1/l/|, S/5): ``0D`` → ``QĐ``, ``ND`` → ``NĐ``,
  ``QHHIS`` → ``QH15``. A segment that matches nothing is left as printed.
- dates (``30/7/2025``, ``13-08-2025``), standards (``ISO 9001:2015``, ``TCVN 5712:1993``), URLs, e-mail
  addresses and domain names: kept untouched.
- outline labels at the start of a line: roman numerals the OCR read with digits (``I1.`` → ``II.``,
  ``Il.`` → ``II.``, ``|.`` → ``I.``) and the lettered item ``¢)`` → ``c)``.

Digits inside ordinary words (``c6``, ``1ap``, ``S6:``) are OCR errors, not codes: nothing here matches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex
import yaml


@dataclass(frozen=True, slots=True)
class CodeSpan:
    start: int
    end: int
    text: str  # the repaired code (equal to the original when nothing needed fixing)
    kind: str  # symbol | date | standard | url | email | label
    confidence: float = 1.0


# --- patterns -------------------------------------------------------------------------------------------
_SEG = r"[\p{L}\p{N}}?|]+"
SYMBOL = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}/.-])\d{{1,5}}[a-z]?(?:/\d{{4}})?[/-]{_SEG}(?:[-/]{_SEG})*[-/]?"
)
DATE = regex.compile(r"(?<![\p{N}/.-])(?:[0-3]?\d)([/.-])(?:[01]?\d)\1(?:19|20)\d\d(?![\p{N}/])")
STANDARD = regex.compile(r"\b(?:TCVN|ISO|QCVN|IEC)(?:[\s/]+(?:ISO|IEC))?\s*\d{2,5}(?:[-.]\d+)*(?::\d{4})?")
URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:)]", regex.I)
EMAIL = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DOMAIN = regex.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.vn|com\.vn|org\.vn|edu\.vn|vn|com|org|net)\b")
ROMAN_LABEL = regex.compile(r"^(\s*)([IVXl1|]{1,5})(\.)(?=\s|$)")
LETTER_LABEL = regex.compile(r"^(\s*)(¢)(\))")

# characters the OCR confuses inside codes, read as one class
_SKELETON = str.maketrans({"Đ": "D", "P": "D", "B": "D", "}": "D", "?": "D", "Þ": "D",
                           "Q": "O", "0": "O", "Ô": "O", "Ơ": "O",
                           "1": "I", "L": "I", "|": "I", "!": "I",
                           "5": "S", "$": "S", "6": "G", "8": "B"})


def skeleton(segment: str) -> str:
    s = segment.upper().translate(_SKELETON)
    out: list[str] = []
    for ch in s:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class CodeBook:
    exact: dict[str, str]  # upper-case segment → canonical code
    by_skeleton: dict[str, str]  # skeleton → canonical code (first listed wins)


@lru_cache(maxsize=1)
def codebook() -> CodeBook:
    text = resources.files("cchc_cli.dictionaries").joinpath("document_codes.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    exact: dict[str, str] = {}
    by_skel: dict[str, str] = {}
    for code in [*data.get("types", []), *data.get("issuers", [])]:
        code = str(code)
        exact.setdefault(code.upper(), code)
        by_skel.setdefault(skeleton(code), code)
    return CodeBook(exact, by_skel)


def fix_segment(seg: str) -> tuple[str, float]:
    """The repaired letter segment of a symbol and a confidence (1.0 when unchanged)."""
    if not seg or seg.isdigit():
        return seg, 1.0
    book = codebook()
    canon = book.exact.get(seg.upper())
    if canon is not None:
        return canon, 1.0 if canon == seg else 0.97
    canon = book.by_skeleton.get(skeleton(seg))
    if canon is not None:
        return canon, 0.9
    return seg, 1.0


def symbol_extent(text: str) -> str:
    """The symbol part of a match: it stops before a segment that is an ordinary word ('51/Ngày')."""
    parts = regex.split(r"([/-])", text)
    book = codebook()
    for i in range(2, len(parts), 2):
        seg = parts[i]
        lower = sum(ch.islower() for ch in seg)
        if lower >= 2 and seg.upper() not in book.exact:
            return "".join(parts[: i - 1])
    return text


def repair_symbol(text: str) -> tuple[str, float]:
    parts = regex.split(r"([/-])", text)
    conf = 1.0
    out = []
    for i, part in enumerate(parts):
        if i == 0 or part in "/-":
            out.append(part)
            continue
        fixed, c = fix_segment(part)
        conf = min(conf, c)
        out.append(fixed)
    return "".join(out), conf


def _roman_value(s: str) -> bool:
    return bool(regex.fullmatch(r"X{0,3}(?:IX|IV|V?I{0,3})", s)) and s != ""


def find_codes(line: str) -> list[CodeSpan]:
    """Non-overlapping code spans of one line, left to right."""
    spans: list[CodeSpan] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(a: int, b: int, text: str, kind: str, conf: float = 1.0) -> None:
        spans.append(CodeSpan(a, b, text, kind, conf))
        taken.append((a, b))

    for pat, kind in ((URL, "url"), (EMAIL, "email"), (STANDARD, "standard"), (DATE, "date"),
                      (DOMAIN, "url")):
        for m in pat.finditer(line):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), m.group(), kind)
    for m in SYMBOL.finditer(line):
        raw = symbol_extent(m.group())
        a, b = m.start(), m.start() + len(raw)
        if not free(a, b) or not regex.search(r"\p{L}", raw.split("/", 1)[-1] if "/" in raw else raw):
            continue
        fixed, conf = repair_symbol(raw)
        add(a, b, fixed, "symbol", conf)
    m = ROMAN_LABEL.match(line)
    if m and free(m.start(2), m.end(2)):
        raw = m.group(2)
        if regex.search(r"[IVX]", raw) or raw == "|":
            fixed = raw.replace("1", "I").replace("l", "I").replace("|", "I")
            if _roman_value(fixed):
                add(m.start(2), m.end(2), fixed, "label", 0.95 if fixed != raw else 1.0)
    m = LETTER_LABEL.match(line)
    if m and free(m.start(2), m.end(2)):
        add(m.start(2), m.end(2), "c", "label", 0.95)
    spans.sort(key=lambda c: c.start)
    return spans
