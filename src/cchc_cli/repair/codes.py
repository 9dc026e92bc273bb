"""Codes inside OCR lines: document symbols, dates, standards, URLs, e-mail addresses (stub, being written)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeSpan:
    start: int
    end: int
    text: str  # the repaired code (equal to the original when nothing needed fixing)
    kind: str
    confidence: float = 1.0


def find_codes(line: str) -> list[CodeSpan]:
    return []
