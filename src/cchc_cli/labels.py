"""Outline labels: roman numerals (also as the OCR damages them) and the order of lettered items.

One implementation for the repair (``I1.`` → ``II.``), the segmenter (heading numbers) and ``cchc validate``
(gaps among sibling headings).
"""

from __future__ import annotations

import re

__all__ = [
    "LATIN_LETTERS",
    "OCR_ROMAN_LIMIT",
    "VIETNAMESE_LETTERS",
    "letter_after",
    "letter_of_rank",
    "letter_rank",
    "letters_follow",
    "ocr_roman_value",
    "roman_value",
    "to_roman",
]

ROMAN_NUMERAL = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_NUMERALS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
             (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
# Headings of a document never run past XLIX; a larger value read from damaged strokes is not a numeral.
OCR_ROMAN_LIMIT = 50
# The strokes the OCR prints for a capital I in a numeral.
_I_STROKES = str.maketrans({"1": "I", "l": "I", "|": "I"})

# The two alphabets outline letters follow: the Vietnamese one (no f, j, w, z; đ after d) and the Latin one
# (documents that leave đ out, or use f).
VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def roman_value(label: str) -> int | None:
    """The value of a well-formed roman numeral ('IV' → 4, 'XL' → 40); None for anything else ('IIII', '')."""
    if not label or not ROMAN_NUMERAL.fullmatch(label):
        return None
    total = 0
    for ch, nxt in zip(label, label[1:] + " ", strict=True):
        value = _ROMAN_DIGITS[ch]
        total += -value if nxt != " " and _ROMAN_DIGITS[nxt] > value else value
    return total


def to_roman(value: int) -> str:
    out = ""
    for number, letters in _NUMERALS:
        while value >= number:
            out += letters
            value -= number
    return out


def ocr_roman_value(token: str) -> int | None:
    """The heading numeral the OCR damaged: 'I1', 'Il', '|', 'I11' → 2, 2, 1, 3 (1, l and | are I)."""
    if not any(ch in token for ch in "IVXL|") and not re.fullmatch(r"[1l]{2,}", token):
        return None
    value = roman_value(token.translate(_I_STROKES))
    return value if value is not None and value < OCR_ROMAN_LIMIT else None


def letter_rank(letter: str) -> int:
    """A letter's place in steps of 2, so that đ (between d and e) has one of its own: a=1, b=3, … d=7, đ=8."""
    if letter == "đ":
        return 2 * LATIN_LETTERS.index("d") + 2
    return 2 * LATIN_LETTERS.index(letter) + 1


def letter_of_rank(rank: int) -> str:
    return "đ" if rank == letter_rank("đ") else LATIN_LETTERS[(rank - 1) // 2]


def letter_after(letter: str) -> str | None:
    """The next letter in Vietnamese order ('d' → 'đ', 'y' → None)."""
    i = VIETNAMESE_LETTERS.find(letter)
    return VIETNAMESE_LETTERS[i + 1] if 0 <= i < len(VIETNAMESE_LETTERS) - 1 else None


def letters_follow(previous: str, current: str) -> bool:
    """`current` comes right after `previous` in the Vietnamese or the Latin alphabet (d → đ, d → e)."""
    nexts = set()
    for alphabet in (VIETNAMESE_LETTERS, LATIN_LETTERS):
        i = alphabet.find(previous)
        if 0 <= i < len(alphabet) - 1:
            nexts.add(alphabet[i + 1])
    return current in nexts


def letters_between(previous: str, current: str) -> str:
    """The letters missing between two lettered items, in the alphabet both belong to."""
    both_vietnamese = previous in VIETNAMESE_LETTERS and current in VIETNAMESE_LETTERS
    alphabet = VIETNAMESE_LETTERS if both_vietnamese else LATIN_LETTERS
    i, j = alphabet.find(previous), alphabet.find(current)
    return alphabet[i + 1: j] if 0 <= i < j else ""
