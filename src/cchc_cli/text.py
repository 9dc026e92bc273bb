"""Small text helpers shared by segmentation and extraction: folding for matching, dates, labels."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "iso_date", "is_upper_text", "clean_space", "DASHES"]

DASHES = "-–—‐‒"


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


def is_upper_text(text: str, threshold: float = 0.8) -> bool:
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


_SPACE_RE = re.compile(r"\s+")
