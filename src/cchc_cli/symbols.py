"""Document symbols ("số, ký hiệu"): ``133/QĐ-UBND``, ``118/2025/NĐ-CP``, ``57-NQ/TW``.

One implementation of what every stage asks about a symbol: its grammar (:data:`SYMBOL_RE`, over repaired
text), the code book of type and issuer codes (:class:`CodeBook`, from ``dictionaries/document_codes.yaml``)
that mends an OCR-damaged segment, the type code a symbol carries (:func:`symbol_type_code`) and the
document type a type word names (:func:`doc_type_named`). The repair reads damaged symbols with a wider
grammar of its own (``repair/codes.py``) and mends them with the same code book.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance.Levenshtein import distance

from .text import clean_space, fold

__all__ = ["SYMBOL_RE", "CodeBook", "DocType", "doc_type_close", "doc_type_named", "symbol_problem", "symbol_type_code"]

# number, optional year, then code segments joined by / or - (at least one containing a capital letter)
SYMBOL_RE = re.compile(
    r"(?<![\w/.-])(?P<symbol>\d{1,5}(?:\.\d{1,3})?(?:/\d{4})?(?:\s?[/-]\s?(?:[A-ZĐ][A-Za-zĐđ0-9&]*|\d{1,4}))*"
    r"\s?[/-]\s?[A-ZĐ][A-Za-zĐđ0-9&]*(?:[/-][A-ZĐ0-9][A-Za-zĐđ0-9&]*)*)(?![\w])"
)
_SEGMENT_SPLIT = re.compile(r"[/-]")
# A damaged segment is read as a code of about its length ("QHHIS" → "QH15"), never "ĐT" → "BTTTT".
SKELETON_LENGTH_SLACK = 1
# Characters that show a segment was damaged by the OCR (digits and marks for letters, small letters): only
# such a segment may be read as a code of another length.
DAMAGE_MARKS = frozenset("0123456789|}?!IlOoSs" + "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class CodeBook:
    """The codes a symbol's letter segments may hold, and how to read a damaged one.

    `exact` maps an upper-case segment to its canonical code; `by_skeleton` maps the segment's skeleton (the
    characters the OCR confuses read as one class, runs of one character as one) to the first code listed
    with it.
    """

    exact: Mapping[str, str]
    by_skeleton: Mapping[str, str]
    confusions: Mapping[int, str]

    @classmethod
    def build(cls, codes: Iterable[str], confusions: Mapping[str, str]) -> CodeBook:
        table = str.maketrans(dict(confusions))
        exact: dict[str, str] = {}
        by_skeleton: dict[str, str] = {}
        book = cls(exact, by_skeleton, table)
        for code in codes:
            exact.setdefault(code.upper(), code)
            by_skeleton.setdefault(book.skeleton(code), code)
        return book

    def skeleton(self, segment: str) -> str:
        out: list[str] = []
        for ch in segment.upper().translate(self.confusions):
            if not out or out[-1] != ch:
                out.append(ch)
        return "".join(out)

    def fix_segment(self, segment: str) -> tuple[str, float]:
        """The repaired letter segment of a symbol and a confidence (1.0 when unchanged)."""
        if not segment or segment.isdigit():
            return segment, 1.0
        canon = self.exact.get(segment.upper())
        if canon is not None:
            return canon, 1.0 if canon == segment else 0.97
        if not segment.isascii():
            return segment, 1.0  # "ĐT": letters the English-model OCR never prints, so printed that way
        canon = self.by_skeleton.get(self.skeleton(segment))
        if canon is None or abs(len(canon) - len(segment)) > SKELETON_LENGTH_SLACK:
            return segment, 1.0
        if len(canon) != len(segment) and not self._looks_damaged(segment):
            return segment, 1.0  # "NCC" in capitals is a code of its own, not "NC" read with a letter doubled
        return canon, 0.9

    def _looks_damaged(self, segment: str) -> bool:
        """Digits or small letters in it, or two look-alikes side by side ("NDB" for "NĐ"): the OCR's."""
        if any(ch in DAMAGE_MARKS for ch in segment):
            return True
        upper = segment.upper()
        classes = upper.translate(self.confusions)
        return any(classes[k] == classes[k + 1] and upper[k] != upper[k + 1] for k in range(len(upper) - 1))


@dataclass(frozen=True)
class DocType:
    """A document type: its name ("Kế hoạch"), its code in symbols ("KH"; None for a Luật) and the name
    folded for matching."""

    name: str
    abbr: str | None
    folded: str


def doc_type_named(word: str | None, types: Sequence[DocType]) -> DocType | None:
    """The type a printed type word names ('KẾ HOẠCH', 'Kế hoạch:', 'Quyết định'), case and marks ignored."""
    if not word:
        return None
    folded = fold(clean_space(word)).rstrip(": .")
    for doc_type in types:
        if doc_type.folded == folded:
            return doc_type
    return None


CLOSE_TYPE_LETTERS = 8  # a type word this long may have one letter misread ("NGH) QUYẾT" for "NGHỊ QUYẾT")


def doc_type_close(word: str | None, types: Sequence[DocType]) -> DocType | None:
    """The type a type word with one letter misread names, when exactly one type is that close."""
    if not word:
        return None
    letters = re.sub(r"[^a-z]", "", fold(word).lower())
    close = [t for t in types if len(t.folded.replace(" ", "")) >= CLOSE_TYPE_LETTERS
             and distance(letters, re.sub(r"[^a-z]", "", t.folded.lower())) <= 1]
    return close[0] if len(close) == 1 else None


def symbol_type_code(number: str | None, codes: Collection[str]) -> str | None:
    """The type code a symbol carries: '95/QĐ-UBND' → 'QĐ', '118/2025/NĐ-CP' → 'NĐ', '57-NQ/TW' → 'NQ';
    None for a symbol without one ('123/UBND-VP') or a text that is no symbol."""
    if not number or not SYMBOL_RE.fullmatch(number):
        return None
    for part in _SEGMENT_SPLIT.split(number)[1:]:
        if part in codes:
            return part
    return None


def symbol_problem(number: object, codebook: CodeBook) -> str | None:
    """Why `number` is not a well-formed document symbol, or None. A code segment the code book would still
    correct (QD → QĐ) is damaged."""
    if not isinstance(number, str) or not SYMBOL_RE.fullmatch(number):
        return "expected number/[year/]codes such as 123/QĐ-UBND, 118/2025/NĐ-CP or 57-NQ/TW"
    for segment in _SEGMENT_SPLIT.split(number)[1:]:
        fixed, _ = codebook.fix_segment(segment)
        if fixed != segment:
            return f"the code {segment} reads as a damaged {fixed}"
    return None
