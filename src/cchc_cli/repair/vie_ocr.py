"""The channel of Tesseract's Vietnamese model: P(what it printed | the syllable on the page), given the
confidence it reported for the word.

Tesseract ``vie`` prints real Vietnamese; its few errors keep the letters and lose or change the marks: a
wrong tone (``chi`` for ``chỉ``), ``d`` for ``đ``, ``u`` for ``ư``, ``ơ`` for ``ô``. So the readings of a
word it printed are the syllables with the same bare letters (:meth:`Lexicon.variants`), and the chance
that the word is wrong at all comes from its confidence: the error rate by confidence band and the share of
each kind of change among the errors are measured on Tesseract's output for pages of the corpus's training
part (``dictionaries/vie_ocr.yaml``, built by ``scripts/train_vie_ocr.py``). A word Tesseract was sure of
keeps a high identity probability, and the language model must be much surer of another reading to change
it; a doubtful word is where the context decides.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .. import data
from ..vietnamese import split_tone

__all__ = ["VieOcrChannel", "change_kind", "load_vie_ocr"]

KINDS = ("tone", "mark", "both")


def change_kind(printed: str, intended: str) -> str:
    """How two syllables with the same bare letters differ: the tone only, the vowel marks or đ only, both."""
    printed_base, printed_tone = split_tone(printed)
    intended_base, intended_tone = split_tone(intended)
    if printed_base == intended_base:
        return "tone"
    return "mark" if printed_tone == intended_tone else "both"


@dataclass(frozen=True)
class VieOcrChannel:
    """`bands`: (upper confidence, error rate) by rising confidence; `kinds`: share of each change kind
    among the errors that keep the letters; `tones`: for a tone error, P(the tone on the page | the tone
    printed), by tone number (0 level, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng); `floor`: the smallest error
    rate ever assumed."""

    bands: tuple[tuple[float, float], ...]
    kinds: dict[str, float]
    tones: dict[int, dict[int, float]]
    floor: float = 1e-4

    def error_rate(self, confidence: float) -> float:
        """The chance that a word printed with this confidence (0-100) is not what the page shows."""
        uppers = [upper for upper, _ in self.bands]
        index = min(bisect_left(uppers, confidence), len(self.bands) - 1)
        return max(self.floor, min(0.9, self.bands[index][1]))

    def logprobs(self, printed: str, variants: list[str], confidence: float) -> dict[str, float]:
        """ln P(printed | syllable) for the printed syllable itself and each variant."""
        error = self.error_rate(confidence)
        out = {printed: math.log(1 - error)}
        by_kind: dict[str, list[str]] = {}
        for v in variants:
            if v != printed:
                by_kind.setdefault(change_kind(printed, v), []).append(v)
        printed_tone = split_tone(printed)[1]
        for kind, words in by_kind.items():
            share = self.kinds.get(kind, 0.0)
            if share <= 0:
                continue
            if kind != "tone":
                each = math.log(error * share / len(words))
                out.update(dict.fromkeys(words, each))
                continue
            row = self.tones.get(printed_tone, {})
            for w in words:
                p = row.get(split_tone(w)[1], 0.0)
                if p > 0:
                    out[w] = math.log(error * share * p)
        return out


@lru_cache(maxsize=1)
def load_vie_ocr() -> VieOcrChannel:
    raw = data.read_yaml("vie_ocr.yaml")
    bands = tuple((float(b["upper"]), float(b["error_rate"])) for b in raw["bands"])
    kinds = {k: float(raw["kinds"].get(k, 0.0)) for k in KINDS}
    tones = {int(s): {int(t): float(p) for t, p in row.items()} for s, row in raw["tones"].items()}
    return VieOcrChannel(bands, kinds, tones, float(raw.get("floor", 1e-4)))

