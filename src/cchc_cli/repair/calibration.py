"""Confidences a reviewer can trust: the probability that an output word is right, from the decoder's evidence.

The decoder's own number (a word's share among its readings with both neighbours fixed) is overconfident:
on round-trip pages of the corpus's training part, edits it put at 0.99 or more were right 98.9% of the
time, edits at 0.95-0.99 only 77%. A logistic model over what the decoder knew when it chose the word (that
share, how well the OCR token fits the reading and the best reading, how many readings there were, how
common the word is, the kind of change, whether the token as printed is already a syllable, its length;
whether the first pass was unsure of it, and how the first pass read the same OCR shape elsewhere in the
document where it was sure)
maps it to a probability, fitted by scripts/calibrate.py on round trips (never on the gold samples or the
held-out part) and shipped as dictionaries/confidence.yaml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import data

FEATURES = ("bias", "logit_share", "channel", "channel_gap", "log_options", "unigram", "diacritics",
            "ocr_char", "term", "split", "case", "kept", "printed_is_syllable", "length", "redone", "shape_seen",
            "shape_share", "neighbour")
REASONS = ("diacritics", "ocr-char", "term", "split", "case")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the decoder knew about one word when it chose it."""

    share: float  # the word's local posterior
    channel: float  # ln P(printed | chosen reading), weighted
    best_channel: float  # ln P(printed | best reading) among the options
    options: int
    unigram: float  # log10 P(word) of the language model (its first syllable)
    redone: bool = False  # decoded again in the second pass (the first pass was not sure of it)
    shape_seen: bool = False  # the first pass was sure of this OCR shape elsewhere in the document ...
    shape_share: float = 0.0  # ... and gave this reading that share of those times
    neighbour: float = 1.0  # the smaller local posterior of the words beside it (1: none is in doubt)


def features(ev: Evidence, reason: str, kept: bool, printed_is_syllable: bool, length: int) -> list[float]:
    share = min(max(ev.share, 1e-4), 1 - 1e-6)
    return [1.0, math.log(share / (1 - share)), max(ev.channel, -20.0), min(ev.best_channel - ev.channel, 20.0),
            math.log(max(ev.options, 1)), max(ev.unigram, -8.0), *(float(reason == r) for r in REASONS),
            float(kept), float(printed_is_syllable), min(length, 20) / 10.0, float(ev.redone), float(ev.shape_seen),
            ev.shape_share, _logit(ev.neighbour)]


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class Calibration:
    weights: tuple[float, ...] | None  # None: confidences stay the decoder's share
    # the share of the words flagged as reading as no word (or kept for want of any reading) that were right
    # anyway (foreign words, names, codes): their confidence, no more (None: not fitted, left as it was)
    unreadable: float | None = None

    def probability(self, ev: Evidence, reason: str, kept: bool, printed_is_syllable: bool, length: int) -> float:
        """sigmoid(weights · features(...)), written out: it runs for every word of every document."""
        w = self.weights
        if w is None:
            return ev.share
        share = min(max(ev.share, 1e-4), 1 - 1e-6)
        z = (w[0] + w[1] * math.log(share / (1 - share)) + w[2] * max(ev.channel, -20.0)
             + w[3] * min(ev.best_channel - ev.channel, 20.0) + w[4] * math.log(max(ev.options, 1))
             + w[5] * max(ev.unigram, -8.0) + (w[6 + REASONS.index(reason)] if reason in REASONS else 0.0)
             + (w[11] if kept else 0.0) + (w[12] if printed_is_syllable else 0.0) + w[13] * (min(length, 20) / 10.0)
             + (w[14] if ev.redone else 0.0) + (w[15] if ev.shape_seen else 0.0) + w[16] * ev.shape_share
             + w[17] * _logit(ev.neighbour))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def load_calibration() -> Calibration:
    raw = data.read_yaml("confidence.yaml")
    weights = raw.get("weights")
    unreadable = raw.get("unreadable")
    if unreadable is not None and not (isinstance(unreadable, int | float) and 0 <= unreadable <= 1):
        raise data.DictionaryError(f"confidence.yaml: unreadable {unreadable!r} is no probability")
    unreadable = None if unreadable is None else float(unreadable)
    if not weights:
        return Calibration(None, unreadable)
    if list(weights) != list(FEATURES):
        raise data.DictionaryError(f"confidence.yaml: features {list(weights)} are not {list(FEATURES)}")
    return Calibration(tuple(float(weights[f]) for f in FEATURES), unreadable)
