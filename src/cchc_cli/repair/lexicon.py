"""Candidate syllables for an observed OCR token.

The index (dictionaries/ocr_index.txt.gz, built by scripts/build_index.py) maps an observed lowercase
string to the intended syllables that the channel model can turn into it, with log P(observed | intended).
Observed strings the index has never seen fall back to a fuzzy search over the syllables' bare letters,
scored by the channel model itself.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .. import data
from ..vietnamese import strip_marks
from .channel import ChannelModel, load_channel
from .lm import LN10, load_lm

NEIGHBOURS = 30  # most frequent look-alike syllables scored by the channel for each new observed string
# The neighbourhood search runs when the index's best reading scores below this, in ln P(obs | w) + ln P(w):
# for all but the commonest words' clean readings. The index lists what the channel makes likely, and misses
# readings a real scan makes ('déi' listed ten, not 'dõi'): at -10 (an unlikely reading or a rare word
# only) the tuning halves had 638 and 621 errors, at -4 601 and 602, as with the search always on.
SEARCH_BELOW = -4.0
FLOOR = -20.0  # ln P(obs | syllable) under which a reading is not considered
RARE = -18.0  # ln P(word) of a word the language model does not know
MAX_NEIGHBOUR_LENGTH = 12  # longer observed strings get no look-alike search
# When even the look-alikes read the token this badly (best ln P(obs | w) + ln P(w)), every syllable that
# starts with the token's first letter (as first guessed) and is about as long is scored by the channel: the
# OCR's garbles of horned and breved vowels ('dw¢c', 'ngw¢i', 'giffa' for được, người, giữa) are more than
# one edit from any syllable's bare letters, and the index lists few of them. Tuning halves (Liberation,
# DejaVu, whole documents): 1,024 errors without it; at -18 853, -14 833, -10 809, -7 783, -4 778 (length
# 3: as 2); the degraded scans' 256 -> 177 at -7. Scoring only the 1,500 most frequent syllables gave 781
# (3,000: 779; all 7,720: 783) at 1.25x the whole process of `cchc repair` on seed 001 (all: 1.65x).
FALLBACK_BELOW = -7.0
FALLBACK_LENGTH = 2  # letters the syllable may be longer or shorter by
FALLBACK_WORDS = 1500  # the most frequent syllables, which the search scores
PARSED_CACHE_SIZE = 100_000


class Lexicon:
    def __init__(self, index_text: str, channel: ChannelModel, unigram: Mapping[str, float],
                 letter_guess: Mapping[int, str]) -> None:
        """`unigram`: ln P(word) of the syllables the language model knows; `letter_guess`: a translate table
        of the symbols the OCR prints for letters (dictionaries/ocr_lookalikes.yaml), the look-alike search's
        first guess."""
        self.channel = channel
        self.letter_guess = letter_guess
        self.raw: dict[str, str] = {}
        vocab: set[str] = set()
        for line in index_text.split("\n"):
            if not line or line.startswith("#"):
                continue
            obs, _, rest = line.partition("\t")
            self.raw[obs] = rest
        self._parsed: dict[str, list[tuple[str, float]]] = {}
        vocab_line = self.raw.pop("<vocab>", "")
        self.ranked: list[str] = vocab_line.split("\t") if vocab_line else []  # by corpus frequency
        self.rank = {w: i for i, w in enumerate(self.ranked)}
        vocab.update(self.ranked)
        self.vocab = vocab
        self._bare: dict[str, list[str]] | None = None
        self._by_first: dict[str, list[tuple[str, int]]] | None = None
        self.fallback_below = FALLBACK_BELOW
        self.search_below = SEARCH_BELOW
        # ln P(word) of the index's syllables (others count as RARE)
        self.logfreq = {w: unigram[w] for w in vocab if w in unigram}

    def _neighbour_index(self) -> dict[str, list[str]]:
        """Bare letters of the syllables, and each with one letter deleted → the syllables (by frequency)."""
        if self._bare is None:
            index: dict[str, list[str]] = {}
            for w in self.ranked:
                b = strip_marks(w)
                for key in {b, *(b[:i] + b[i + 1 :] for i in range(len(b)))}:
                    index.setdefault(key, []).append(w)
            self._bare = index
        return self._bare

    def candidates(self, obs: str) -> list[tuple[str, float]]:
        """[(intended syllable, ln P(obs | syllable))], best first; obs is lowercase.

        The union of what the index lists for `obs`, the frequent syllables whose bare letters are within
        about one edit of it (a deletion-neighbourhood search) when the index reads it less than well, and
        the frequent syllables of its first letter and about its length (the fallback search) when even
        those read it badly, all scored by the channel model.
        """
        got = self._parsed.get(obs)
        if got is not None:
            return got
        merged: dict[str, float] = {}
        rest = self.raw.get(obs)
        if rest is not None:
            parts = rest.split("\t")
            merged = {parts[i]: float(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}
        best = self._best(merged)
        if best < self.search_below:
            self._score_into(merged, obs, self.neighbours(obs))
            best = self._best(merged)
        if best < self.fallback_below:
            self._score_into(merged, obs, self.same_start(obs))
        got = sorted(merged.items(), key=lambda x: -x[1])
        if len(self._parsed) > PARSED_CACHE_SIZE:
            self._parsed.clear()
        self._parsed[obs] = got
        return got

    def all_searches(self, obs: str) -> list[tuple[str, float]]:
        """:meth:`candidates` with both searches run whatever the index reads (for the few tokens whose index
        entry is least to be trusted: digits the OCR printed for a word, '16' for lệ), best first."""
        merged = dict(self.candidates(obs))
        self._score_into(merged, obs, self.neighbours(obs))
        self._score_into(merged, obs, self.same_start(obs))
        return sorted(merged.items(), key=lambda x: -x[1])

    def _best(self, readings: dict[str, float]) -> float:
        """The best ln P(obs | w) + ln P(w) among `readings` (a floor when there are none)."""
        logfreq = self.logfreq
        return max((lp + logfreq.get(w, RARE) for w, lp in readings.items()), default=FLOOR + RARE)

    def _score_into(self, readings: dict[str, float], obs: str, words: Iterable[str]) -> None:
        """Add the `words` not yet among `readings` that the channel reads `obs` as well enough."""
        new = [w for w in words if w not in readings]
        for w, lp in zip(new, self.channel.logprobs(obs, new), strict=True):
            if lp > FLOOR:
                readings[w] = lp

    def variants(self, word: str) -> list[str]:
        """The syllables with the same bare letters as `word` (its other tones and marks, đ for d), most
        frequent first: what Tesseract's Vietnamese model confuses a syllable with."""
        bare = strip_marks(word)
        return [w for w in self._neighbour_index().get(bare, ()) if strip_marks(w) == bare]

    def same_start(self, obs: str) -> list[str]:
        """The syllables whose bare letters start with `obs`'s first guessed letter and are within
        FALLBACK_LENGTH letters of its length (the fallback search's readings)."""
        guess = obs.translate(self.letter_guess)
        if not guess or len(obs) > MAX_NEIGHBOUR_LENGTH:
            return []
        if self._by_first is None:
            by_first: dict[str, list[tuple[str, int]]] = {}
            for w in self.ranked[:FALLBACK_WORDS]:
                b = strip_marks(w)
                if b:
                    by_first.setdefault(b[0], []).append((w, len(b)))
            self._by_first = by_first
        n = len(obs)
        return [w for w, length in self._by_first.get(guess[0], ()) if abs(length - n) <= FALLBACK_LENGTH]

    def neighbours(self, obs: str) -> list[str]:
        """The most frequent syllables whose bare letters are within one deletion of `obs`'s first guess."""
        if len(obs) > MAX_NEIGHBOUR_LENGTH or not obs:
            return []
        index = self._neighbour_index()
        guess = obs.translate(self.letter_guess)
        keys = {guess, *(guess[:i] + guess[i + 1 :] for i in range(len(guess)))}
        found: set[str] = set()
        for key in keys:
            found.update(index.get(key, ()))
        return sorted(found, key=self.rank.__getitem__)[:NEIGHBOURS]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    from ..resources import load_resources

    index = gzip.decompress(data.read_bytes("ocr_index.txt.gz")).decode("utf-8")
    lm = load_lm()
    unigram = {w: lm.uni_logp[i] * LN10 for w, i in lm.ids.items()}
    return Lexicon(index, load_channel(), unigram, load_resources().ocr_lookalikes.letter_guess)

