"""Syllable accuracy, by the definition of the project's reference metric (../shared/tools/score.py).

A syllable is a run of letters and digits; accuracy = 1 - (token edit distance / gold syllables). Tone-mark
placement (hòa / hoà) is not an error; case is (unless fold_case).
"""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein

from .text import SYLLABLE_RUN
from .vietnamese import split_tone


def syllables(text: str, fold_case: bool = False) -> list[str]:
    out = []
    for tok in SYLLABLE_RUN.findall(unicodedata.normalize("NFC", text)):
        base, tone = split_tone(tok)
        if fold_case:
            base = base.lower()
        out.append(f"{base}#{tone}" if tone else base)
    return out


def syllable_accuracy(gold: str, candidate: str, fold_case: bool = False) -> float:
    g = syllables(gold, fold_case)
    c = syllables(candidate, fold_case)
    return 1 - Levenshtein.distance(g, c) / max(1, len(g))
