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

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..vietnamese import strip_marks
from .channel import ChannelModel, load_channel

# observed characters that stand for letters, for the fuzzy fallback's first guess only
_LETTER_GUESS = str.maketrans({"0": "o", "1": "l", "2": "z", "3": "e", "4": "a", "5": "s", "6": "o",
                               "7": "t", "8": "b", "9": "g", "&": "e", "¢": "c", "@": "a", "€": "e",
                               "|": "l", "$": "s", "©": "c", "®": "r"})


WEAK = -5.0  # ln P(obs | best indexed reading) under which the fuzzy search also runs


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
        vocab.update(vocab_line.split("\t") if vocab_line else [])
        self.vocab = vocab
        self._bare: dict[str, list[str]] | None = None

    def _bare_index(self) -> dict[str, list[str]]:
        if self._bare is None:
            bare: dict[str, list[str]] = {}
            for w in self.vocab:
                bare.setdefault(strip_marks(w), []).append(w)
            self._bare = bare
        return self._bare

    def candidates(self, obs: str, limit: int = 8) -> list[tuple[str, float]]:
        """[(intended syllable, ln P(obs | syllable))], best first; obs is lowercase."""
        got = self._parsed.get(obs)
        if got is not None:
            return got
        rest = self.raw.get(obs)
        got = []
        if rest is not None:
            parts = rest.split("\t")
            got = [(parts[i], float(parts[i + 1])) for i in range(0, len(parts) - 1, 2)][:limit]
        if not got or got[0][1] < WEAK:
            # the index knows no likely reading: search the syllables that look alike, scored by the channel
            merged = dict(got)
            for w, lp in self._fuzzy(obs, limit):
                merged[w] = max(lp, merged.get(w, -1e9))
            got = sorted(merged.items(), key=lambda x: -x[1])[:limit]
        self._parsed[obs] = got
        return got

    def _fuzzy(self, obs: str, limit: int) -> list[tuple[str, float]]:
        if len(obs) > 12:
            return []
        bare = self._bare_index()
        guess = obs.translate(_LETTER_GUESS)
        matches = process.extract(guess, list(bare), scorer=Levenshtein.normalized_distance, limit=12,
                                  score_cutoff=0.5)
        scored = []
        for key, _dist, _ in matches:
            for w in bare[key]:
                lp = self.channel.logprob(obs, w)
                if lp > -30:
                    scored.append((w, lp))
        scored.sort(key=lambda x: -x[1])
        return scored[:limit]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    data = resources.files("cchc_cli.dictionaries").joinpath("ocr_index.txt.gz").read_bytes()
    return Lexicon(gzip.decompress(data).decode("utf-8"), load_channel())


def logsumexp(xs: list[float]) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))
