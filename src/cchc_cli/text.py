"""Small text helpers every stage shares: folding for matching, spacing, capitals, dates, syllable runs and
the year-range grammar of time frames."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import lru_cache

import regex

__all__ = ["DASHES", "SYLLABLE_RUN", "YEAR_RANGE_RE", "clean_space", "count_syllables", "fold", "is_upper_text",
           "iso_date", "printable"]

DASHES = "-–—‐‒"
# A syllable as the reference metric counts it: a run of letters and digits.
SYLLABLE_RUN = regex.compile(r"[\p{L}\p{N}]+")
# A time frame of years in a table cell or a sentence: "2026-2030", "2026 – 2030", a cut-off "2026-20" or
# "2026-" (the end year lost in a wrapped cell).
YEAR_RANGE_RE = re.compile(r"\b(?P<a>20\d\d)\s*[-–]\s*(?P<b>20\d\d|20\d?)?(?!\d)")


@lru_cache(maxsize=1 << 16)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    if ch in DASHES:
        return "-"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


def fold(text: str) -> str:
    """Lower case, tone and vowel marks removed, đ → d, dashes → '-'; one character per character, so an
    index into the folded text is an index into `text`."""
    return "".join(_fold_char(ch) for ch in text)


def clean_space(text: str) -> str:
    return " ".join(text.split())


UPPER_TEXT = 0.8  # the share of capitals of a line printed in capitals
UPPER_TEXT_DAMAGED = 0.6  # ... where the OCR may have read some capitals small (a heading's title, a column)


def is_upper_text(text: str, threshold: float = UPPER_TEXT) -> bool:
    """Mostly capital letters (a heading printed in capitals), at least 3 letters."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 3:
        return False
    return sum(ch.isupper() for ch in letters) / len(letters) >= threshold


def iso_date(day: int | str, month: int | str, year: int | str) -> str | None:
    """'2025-09-03', or None for an impossible date (31/2, month 13)."""
    try:
        return _dt.date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


def count_syllables(text: str) -> int:
    """Syllables (runs of letters and digits) in `text`."""
    return len(SYLLABLE_RUN.findall(text))


# Characters that would act on a terminal or a log instead of being shown: C0 and C1 controls, DEL, and the
# bidirectional overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, keep: str = "") -> str:
    """`text` with control characters (but those in `keep`) written as escapes (``\\x1b``, ``\\u202e``), for
    what people read: messages, tables, CI annotations. Data outputs (JSON, CSV, the store) keep the text
    exact."""

    def escape(m: re.Match[str]) -> str:
        ch = m.group()
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _CONTROL.sub(escape, text)
