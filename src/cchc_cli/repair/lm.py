"""Syllable trigram language model (back-off form of interpolated Kneser-Ney), loaded lazily.

Built by scripts/build_lm.py from the training part of ../shared/corpus; see the README for the figures.
Scores are log10 probabilities. Lookups are bisections in sorted arrays, cached per n-gram. The compiled
core (:mod:`.search`, ``_core.c``) reads the same typed arrays in place (:meth:`LanguageModel.arrays`).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate

from .. import data
from .blob import read_blob
from .units import BOS, EOS, NUM, UNK

QSTEP = 24.0
LN10 = math.log(10)
SCORE_CACHE_SIZE = 1_000_000  # trigram scores the pure path keeps (2 M put its peak at 414 MB with 20 readings)


class LanguageModel:
    def __init__(self, parts: dict) -> None:
        self.vocab: list[str] = parts["vocab"].split("\n")
        self.ids: dict[str, int] = {w: i for i, w in enumerate(self.vocab)}
        self.unk, self.bos, self.eos, self.num = (self.ids[s] for s in (UNK, BOS, EOS, NUM))
        # the typed arrays as read (the compiled core reads these); Python reads the unigrams as lists
        self.uni_logp_array = parts["uni_logp"]
        self.uni_bow_array = parts["uni_bow"]
        self.uni_logp = self.uni_logp_array.tolist()
        self.uni_bow = self.uni_bow_array.tolist()
        self.bi_start = parts["bi_start"]
        self.bi_word = parts["bi_word"]
        self.bi_logp = parts["bi_logp"]
        self.bi_bow = parts["bi_bow"]
        self.tri_start_array = array("I", accumulate(parts["tri_count"], initial=0))
        self.tri_start = self.tri_start_array.tolist()
        self.tri_word = parts["tri_word"]
        self.tri_logp = parts["tri_logp"]
        self.size = len(self.vocab)
        self.cache: dict[int, float] = {}  # key (u * size + v) * size + w
        self.compiled: object | None = None  # the compiled core's view of these arrays (made by .search)

    def arrays(self) -> tuple[array, ...]:
        """The model's typed arrays, in the order the compiled core's Model takes them."""
        return (self.uni_logp_array, self.uni_bow_array, self.bi_start, self.bi_word, self.bi_logp, self.bi_bow,
                self.tri_start_array, self.tri_word, self.tri_logp)

    def id(self, word: str) -> int:
        return self.ids.get(word, self.unk)

    def _bigram_index(self, v: int, w: int) -> int:
        lo, hi = self.bi_start[v], self.bi_start[v + 1]
        j = bisect_left(self.bi_word, w, lo, hi)
        return j if j < hi and self.bi_word[j] == w else -1

    def bigram(self, v: int, w: int) -> float:
        j = self._bigram_index(v, w)
        if j >= 0:
            return -self.bi_logp[j] / QSTEP
        return self.uni_bow[v] + self.uni_logp[w]

    def score(self, u: int, v: int, w: int) -> float:
        """log10 P(w | u v)."""
        key = (u * self.size + v) * self.size + w
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        j = self._bigram_index(u, v)
        if j >= 0:
            lo, hi = self.tri_start[j], self.tri_start[j + 1]
            k = bisect_left(self.tri_word, w, lo, hi)
            if k < hi and self.tri_word[k] == w:
                s = -self.tri_logp[k] / QSTEP
            else:
                s = -self.bi_bow[j] / QSTEP + self.bigram(v, w)
        else:
            s = self.bigram(v, w)
        if len(self.cache) > SCORE_CACHE_SIZE:
            self.cache.clear()
        self.cache[key] = s
        return s

    def sentence_logprob(self, words: list[str]) -> float:
        ids = [self.bos, self.bos] + [self.id(w) for w in words] + [self.eos]
        return sum(self.score(a, b, c) for a, b, c in zip(ids, ids[1:], ids[2:], strict=False))


@lru_cache(maxsize=1)
def load_lm() -> LanguageModel:
    return LanguageModel(read_blob(data.read_bytes("lm3.bin.gz")))
