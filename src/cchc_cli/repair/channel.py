"""OCR channel model: how likely the OCR turns an intended syllable into an observed string.

Each intended (lowercase) character emits an observed segment of 0-3 characters: ``ư → w``, ``ủ → ii``,
``ó → 6``, ``đ → d``, ``ế → &``. P(observed | intended) sums over all ways to cut the observed string into
such segments. The emission table (dictionaries/ocr_channel.tsv) is learned by EM from round-trip OCR data
(scripts/train_channel.py); segments never seen in training get a small prior mass from `prior()`.

:meth:`ChannelModel.prob` and :meth:`ChannelModel.posteriors` run in the compiled core when search.py does
(``_core.c``: the same sums in the same order, so the same floats; the model's `emit` values are kept in a
per-model C table, filled by asking the model the pairs it has not seen); :meth:`ChannelModel.prob_python` and
:meth:`ChannelModel.posteriors_python` are the reference, used under ``CCHC_PURE_PYTHON=1``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from functools import lru_cache

from .. import data
from ..resources import OcrLookalikes, load_resources
from ..vietnamese import strip_marks
from .search import _core

MAX_SEG = 3
# The prior P0(seg | intended char): a hand-written, deliberately broad distribution for what the data has
# not shown (another font, another scanner). Per observed character: the base letter is the likeliest
# reading; a vowel may be read as any vowel-like glyph, a consonant as its look-alikes
# (dictionaries/ocr_lookalikes.yaml).
LEN_PRIOR = {0: 0.02, 1: 0.9, 2: 0.07, 3: 0.01}
SAME_BASE = 0.6
IDENTITY = 0.1  # the OCR may also read a marked letter as itself
VOWELISH_MASS = 0.25
OTHER_CHAR = 0.15 / 60
MIX = 0.03  # share of the prior beside the learned, smoothed table
TOP_SEGMENTS = 24  # segments of each intended character kept for k-best enumeration
POSTERIOR_FLOOR = 1e-6  # alignment posteriors below this are dropped from the E-step
POSTERIOR_CACHE_SIZE = 300_000
PRIOR_CACHE_SIZE = 500_000
# the compiled core runs the channel's sums (a core built before it had them, or for other segment lengths, not)
_channel_core = _core is not None and getattr(_core, "CHANNEL_MAX_SEG", None) == MAX_SEG


def prior(seg: str, intended: str, looks: OcrLookalikes) -> float:
    """Base distribution P0(seg | intended char) used before and beside the learned counts."""
    p = LEN_PRIOR[len(seg)]
    base = strip_marks(intended)
    vowel = base in "aeiouy"
    vowelish = looks.vowel_looks
    consonant = looks.consonant_looks.get(intended, "")
    for ch in seg:
        if ch == base:
            p *= SAME_BASE
        elif ch == intended:
            p *= IDENTITY
        elif vowel and ch in vowelish:
            p *= VOWELISH_MASS / len(vowelish)
        elif ch in consonant:
            p *= VOWELISH_MASS / len(consonant)
        else:
            p *= OTHER_CHAR
    return p


class ChannelModel:
    def __init__(self, counts: dict[str, dict[str, float]], alpha: float = 2.0,
                 rules: dict[str, dict[str, float]] | None = None, lookalikes: OcrLookalikes | None = None,
                 priors: dict[tuple[str, str], float] | None = None) -> None:
        """`counts[intended][seg]` are expected counts; alpha weighs the prior (Dirichlet smoothing);
        `rules[intended][seg]` are hand-given shares mixed in (dictionaries/ocr_channel_rules.tsv);
        `lookalikes` shape the prior (default: dictionaries/ocr_lookalikes.yaml); `priors`, the memo of
        prior() to share with another model of the same lookalikes (a document's adapted channel shares its
        base's)."""
        self.lookalikes = lookalikes or load_resources().ocr_lookalikes
        self.priors: dict[tuple[str, str], float] = {} if priors is None else priors
        self.counts = counts
        self.rules = rules or {}
        self.rule_total = {c: sum(d.values()) for c, d in self.rules.items()}
        self.alpha = alpha
        self.totals = {c: sum(d.values()) for c, d in counts.items()}
        self._emit_cache: dict[tuple[str, str], float] = {}
        self._post_cache: dict[tuple[str, str], tuple[tuple[str, str, float], ...]] = {}
        self._tables: dict[str, dict[str, float]] = {}  # intended char → observed segment → P
        self._top: dict[str, list[tuple[float, str]]] | None = None
        # the compiled core's emission table for this model (None: the reference path), which computes
        # :meth:`_emission` itself for the characters of the model's counts and rules
        self._ctable = _core.EmitTable(self.emit_spec()) if _channel_core else None

    def emit_spec(self) -> tuple:
        """What the compiled core's EmitTable needs to compute :meth:`_emission` (and prior()) as they do: the
        constants, and for each intended character of the counts and rules its bare letter, whether that is a
        vowel, its consonant look-alikes, its counts' total, its counts and its rules (the dicts themselves)."""
        vowelish = self.lookalikes.vowel_looks
        chars = []
        for c in sorted(set(self.counts) | set(self.rules)):
            if len(c) != 1:
                continue  # no character: never asked
            base = strip_marks(c)
            consonant = self.lookalikes.consonant_looks.get(c, "")
            rules = self.rules.get(c) or None
            chars.append((c, base, base in "aeiouy", consonant,
                          VOWELISH_MASS / len(consonant) if consonant else 0.0, self.totals.get(c, 0.0),
                          self.counts.get(c), rules, 1 - self.rule_total[c] if rules else 1.0))
        return (self.alpha, MIX, 1 - MIX, tuple(LEN_PRIOR[k] for k in range(MAX_SEG + 1)), SAME_BASE, IDENTITY,
                VOWELISH_MASS / len(vowelish) if vowelish else 0.0, OTHER_CHAR, vowelish, chars)

    def emit(self, intended: str, seg: str) -> float:
        """P(seg | intended char): the smoothed learned share, the prior's and the rules' (memoised)."""
        key = (intended, seg)
        p = self._emit_cache.get(key)
        if p is None:
            p = self._emit_cache[key] = self._emission(intended, seg)
        return p

    def _emission(self, intended: str, seg: str) -> float:
        """:meth:`emit`, computed (the compiled core keeps what it asks in its own table)."""
        n = self.totals.get(intended, 0.0)
        c = self.counts.get(intended, {}).get(seg, 0.0)
        p0 = self.priors.get((seg, intended))
        if p0 is None:
            if len(self.priors) > PRIOR_CACHE_SIZE:
                self.priors.clear()
            p0 = self.priors[(seg, intended)] = prior(seg, intended, self.lookalikes)
        p = (1 - MIX) * (c + self.alpha * p0) / (n + self.alpha) + MIX * p0
        rules = self.rules.get(intended)
        if rules:
            p = (1 - self.rule_total[intended]) * p + rules.get(seg, 0.0)
        return p

    def prob(self, observed: str, intended: str) -> float:
        """P(observed | intended), both lowercase (:meth:`prob_python`, in the core in use)."""
        if self._ctable is None:
            return self.prob_python(observed, intended)
        return _core.channel_prob(self._ctable, self._emission, observed, intended)

    def prob_python(self, observed: str, intended: str) -> float:
        """P(observed | intended), both lowercase, by the forward algorithm."""
        m = len(observed)
        segs = [[observed[j : j + k] for k in range(min(MAX_SEG, m - j) + 1)] for j in range(m + 1)]
        tables = self._tables
        prev = [0.0] * (m + 1)
        prev[0] = 1.0
        for c in intended:
            tab = tables.get(c)
            if tab is None:
                tab = tables[c] = {}
            cur = [0.0] * (m + 1)
            for j in range(m + 1):
                pj = prev[j]
                if pj == 0.0:
                    continue
                for k, seg in enumerate(segs[j]):
                    e = tab.get(seg)
                    if e is None:
                        e = tab[seg] = self.emit(c, seg)
                    cur[j + k] += pj * e
            prev = cur
        return prev[m]

    def expected_counts(self, pairs: dict[tuple[str, str], int]) -> dict[str, dict[str, float]]:
        """E-step of EM: expected emission counts over (observed, intended) pairs under this model."""
        counts: dict[str, dict[str, float]] = {}
        for (o, g), weight in pairs.items():
            for c, seg, post in self.posteriors(o, g):
                row = counts.setdefault(c, {})
                row[seg] = row.get(seg, 0.0) + weight * post
        return counts

    def posteriors(self, o: str, g: str) -> tuple[tuple[str, str, float], ...]:
        """(intended char, observed segment, posterior) of the alignments of `g` printed and read as `o`.

        Memoised: a batch adapts the same base channel to many documents, which share most of their pairs."""
        key = (o, g)
        got = self._post_cache.get(key)
        if got is not None:
            return got
        if self._ctable is None:
            result = self.posteriors_python(o, g)
        else:
            result = _core.channel_posteriors(self._ctable, self._emission, o, g, POSTERIOR_FLOOR)
        if len(self._post_cache) > POSTERIOR_CACHE_SIZE:
            self._post_cache.clear()
        self._post_cache[key] = result
        return result

    def posteriors_python(self, o: str, g: str) -> tuple[tuple[str, str, float], ...]:
        """:meth:`posteriors` computed (not memoised) by the forward-backward algorithm: the reference."""
        m, n = len(o), len(g)
        fwd = [[0.0] * (m + 1) for _ in range(n + 1)]
        fwd[0][0] = 1.0
        for i, c in enumerate(g):
            row, nxt = fwd[i], fwd[i + 1]
            for j in range(m + 1):
                if row[j]:
                    for k in range(min(MAX_SEG, m - j) + 1):
                        nxt[j + k] += row[j] * self.emit(c, o[j : j + k])
        total = fwd[n][m]
        out: list[tuple[str, str, float]] = []
        if total > 0:
            bwd = [[0.0] * (m + 1) for _ in range(n + 1)]
            bwd[n][m] = 1.0
            for i in range(n - 1, -1, -1):
                c = g[i]
                for j in range(m + 1):
                    bwd[i][j] = sum(
                        self.emit(c, o[j : j + k]) * bwd[i + 1][j + k] for k in range(min(MAX_SEG, m - j) + 1)
                    )
            for i, c in enumerate(g):
                for j in range(m + 1):
                    if not fwd[i][j]:
                        continue
                    for k in range(min(MAX_SEG, m - j) + 1):
                        seg = o[j : j + k]
                        post = fwd[i][j] * self.emit(c, seg) * bwd[i + 1][j + k] / total
                        if post > POSTERIOR_FLOOR:
                            out.append((c, seg, post))
        return tuple(out)

    def logprob(self, observed: str, intended: str) -> float:
        p = self.prob(observed, intended)
        return math.log(p) if p > 0 else -1e9

    def logprobs(self, observed: str, words: list[str]) -> list[float]:
        """[:meth:`logprob` of `observed` and each of `words`], in the core in use."""
        if self._ctable is None:
            return self.logprobs_python(observed, words)
        return _core.channel_logprobs(self._ctable, self._emission, observed, words)

    def logprobs_python(self, observed: str, words: list[str]) -> list[float]:
        """:meth:`logprobs` by the reference path."""
        out = []
        for w in words:
            p = self.prob_python(observed, w)
            out.append(math.log(p) if p > 0 else -1e9)
        return out

    @property
    def top(self) -> dict[str, list[tuple[float, str]]]:
        """The most likely segments of each intended char, for k-best enumeration (made when first asked: a
        document's adapted channel never is)."""
        if self._top is None:
            top = {}
            for c in set(self.counts) | set(self.rules):
                segs = set(self.counts.get(c, {})) | set(self.rules.get(c, {}))
                top[c] = sorted(((self.emit(c, s), s) for s in segs), reverse=True)[:TOP_SEGMENTS]
            self._top = top
        return self._top

    def kbest(self, intended: str, k: int = 60, floor: float = 1e-6) -> list[tuple[str, float]]:
        """The k likeliest observed strings for `intended` (Viterbi path probability), best first."""
        heap: list[tuple[float, int, str]] = [(-1.0, 0, "")]
        best: dict[str, float] = {}
        n = len(intended)
        pops = 0
        while heap and len(best) < k and pops < 20000:
            negp, i, out = heapq.heappop(heap)
            pops += 1
            p = -negp
            if i == n:
                if out not in best:
                    best[out] = p
                continue
            for q, seg in self.top.get(intended[i], [(self.emit(intended[i], intended[i]), intended[i])]):
                pq = p * q
                if pq >= floor:
                    heapq.heappush(heap, (-pq, i + 1, out + seg))
        return sorted(best.items(), key=lambda kv: -kv[1])


def read_channel_tsv(lines: Iterable[str]) -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, float]] = {}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        intended, seg, count = line.rstrip("\n").split("\t")
        counts.setdefault(intended, {})[seg.replace("∅", "")] = float(count)
    return counts


@lru_cache(maxsize=1)
def load_channel() -> ChannelModel:
    counts = read_channel_tsv(data.read_text("ocr_channel.tsv").splitlines())
    rules = read_channel_tsv(data.read_text("ocr_channel_rules.tsv").splitlines())
    return ChannelModel(counts, rules=rules)
