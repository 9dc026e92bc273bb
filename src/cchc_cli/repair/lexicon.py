"""Candidate syllables for an observed OCR token.

The index (dictionaries/ocr_index.txt.gz, built by scripts/build_index.py) maps an observed lowercase
string to the intended syllables that the channel model can turn into it, with log P(observed | intended).
Observed strings the index has never seen fall back to a fuzzy search over the syllables' bare letters,
scored by the channel model itself.
"""

from __future__ import annotations

import gzip
import math
from functools import lru_cache
from importlib import resources

from ..vietnamese import strip_marks
from .channel import ChannelModel, load_channel

# observed characters that stand for letters, for the fuzzy fallback's first guess only
_LETTER_GUESS = str.maketrans({"0": "o", "1": "l", "2": "z", "3": "e", "4": "a", "5": "s", "6": "o",
                               "7": "t", "8": "b", "9": "g", "&": "e", "¢": "c", "@": "a", "€": "e",
                               "|": "l", "$": "s", "©": "c", "®": "r"})


NEIGHBOURS = 30  # most frequent look-alike syllables scored by the channel for each new observed string
# The neighbourhood search runs when the index's best reading scores below this, in ln P(obs | w) + ln P(w):
# an unlikely reading of the letters, or a reading that is a rare word ('íy' where 'lý' was printed).
SEARCH_BELOW = -10.0
FLOOR = -20.0  # ln P(obs | syllable) under which a reading is not considered
RARE = -18.0  # ln P(word) of a word the language model does not know


class Lexicon:
    def __init__(self, index_text: str, channel: ChannelModel) -> None:
        self.channel = channel
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
        self.search_below = SEARCH_BELOW
        self.logfreq: dict[str, float] = {}  # ln P(word), set by the engine from its language model

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

        The union of what the index lists for `obs` and the frequent syllables whose bare letters are
        within about one edit of it (a deletion-neighbourhood search), all scored by the channel model.
        """
        got = self._parsed.get(obs)
        if got is not None:
            return got
        merged: dict[str, float] = {}
        rest = self.raw.get(obs)
        if rest is not None:
            parts = rest.split("\t")
            merged = {parts[i]: float(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}
        logfreq = self.logfreq
        best = max((lp + logfreq.get(w, RARE) for w, lp in merged.items()), default=FLOOR + RARE)
        for w in self._neighbours(obs) if best < self.search_below else ():
            if w not in merged:
                lp = self.channel.logprob(obs, w)
                if lp > FLOOR:
                    merged[w] = lp
        got = sorted(merged.items(), key=lambda x: -x[1])
        if len(self._parsed) > 100_000:
            self._parsed.clear()
        self._parsed[obs] = got
        return got

    def _neighbours(self, obs: str) -> list[str]:
        if len(obs) > 12 or not obs:
            return []
        index = self._neighbour_index()
        guess = obs.translate(_LETTER_GUESS)
        keys = {guess, *(guess[:i] + guess[i + 1 :] for i in range(len(guess)))}
        found: set[str] = set()
        for key in keys:
            found.update(index.get(key, ()))
        return sorted(found, key=self.rank.__getitem__)[:NEIGHBOURS]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    data = resources.files("cchc_cli.dictionaries").joinpath("ocr_index.txt.gz").read_bytes()
    return Lexicon(gzip.decompress(data).decode("utf-8"), load_channel())


def logsumexp(xs: list[float]) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))
