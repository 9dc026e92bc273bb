"""Dictionary terms in the decoder: multi-syllable names and phrases the OCR damaged.

The built-in term dictionary (dictionaries/terms.yaml, the 2025 gazetteer) and the users' own files
(``--dictionary``), all read through :class:`cchc_cli.resources.Resources`, give phrases such as "Phòng Văn
hóa - Xã hội" or "Bạch Long Vĩ". Where a run of OCR tokens can be read as a phrase (each token is a plausible
OCR reading of the phrase's syllable under the channel model), the phrase's syllables join the candidates of
those tokens with a bonus: small for built-in terms (the language model still decides), large for user terms
(the user's names win over the model).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex

from ..vietnamese import normalize_syllable, strip_marks

if TYPE_CHECKING:
    from ..resources import Resources
    from .channel import ChannelModel
    from .lm import LanguageModel

SYLLABLE = regex.compile(r"[\p{L}\p{M}\p{N}]+")
MAX_TERM = 10  # syllables

# One option of a token in the decoder's lattice: (syllables or None to keep the token, LM ids,
# weighted ln P(observed | option)).
Option = tuple[str | None, tuple[int, ...], float]


@dataclass(frozen=True, slots=True)
class Phrase:
    syllables: tuple[str, ...]  # lowercase, NFC, project tone placement
    user: bool
    word: bool = False  # a word of the word list (dictionaries/words2.txt), not a term: its own, smaller bonus


def phrase_syllables(text: str) -> tuple[str, ...]:
    return tuple(normalize_syllable(s.lower()) for s in SYLLABLE.findall(text))


class TermMatcher:
    """The phrases of the term dictionaries (built-in terms, the gazetteer, the user's files), indexed for
    the decoder."""

    def __init__(self, resources: Resources) -> None:
        self.by_first: dict[tuple[str, str], list[Phrase]] = {}
        self.user_by_bare: dict[str, list[Phrase]] = {}
        self.user_words: set[str] = set()
        seen: set[tuple[str, ...]] = set()
        sources = resources.term_forms
        # single-word abbreviations as printed (SIPAS, PAPI, HĐND, TTg): the decoder keeps these tokens
        self.abbreviations: set[str] = {
            form for form, _ in sources if form.isalnum() and sum(c.isupper() for c in form) >= 2
        }
        for form, is_user in sources:
            sylls = phrase_syllables(form)
            if not sylls or len(sylls) > MAX_TERM or not all(s.isalpha() for s in sylls):
                continue
            if is_user:
                self.user_words.update(sylls)
            elif len(sylls) < 2:
                continue  # single built-in syllables are the language model's business
            if sylls in seen and not is_user:
                continue
            seen.add(sylls)
            if is_user:  # found by bare letters: the user's names may be rare words the model never saw
                self.user_by_bare.setdefault(strip_marks(sylls[0]), []).append(Phrase(sylls, True))
            else:  # found through the candidates the decoder already has: first syllable, second's letters
                self.by_first.setdefault((sylls[0], strip_marks(sylls[1])), []).append(Phrase(sylls, False))

        self._seen = seen
        self._index()

    def _index(self) -> None:
        self.first_syllables: frozenset[str] = frozenset(first for first, _ in self.by_first)
        # the same lists by first syllable, then by the second's bare letters (TermFitter.apply's look-up)
        self.by_first_next: dict[str, dict[str, list[Phrase]]] = {}
        for (first, next_bare), phrases in self.by_first.items():
            self.by_first_next.setdefault(first, {})[next_bare] = phrases

    def with_words(self, words: tuple[str, ...]) -> TermMatcher:
        """A matcher of these terms and of the two-syllable words ('điều chỉnh') they do not hold."""
        out = copy.copy(self)
        out.by_first = {key: list(phrases) for key, phrases in self.by_first.items()}
        seen = self._seen
        for word in words:
            sylls = tuple(word.split(" "))
            if sylls not in seen:
                out.by_first.setdefault((sylls[0], strip_marks(sylls[1])), []).append(Phrase(sylls, False, True))
        out._index()
        return out

    def starting_with(self, syllable: str, next_bare: str) -> list[Phrase]:
        return self.by_first.get((syllable, next_bare), [])

    def user_starting_with(self, bare: str) -> list[Phrase]:
        return self.user_by_bare.get(bare, [])


@dataclass(frozen=True, slots=True)
class TermFit:
    """How dictionary phrases join the lattice: their bonus and how well the OCR tokens must read as them."""

    builtin_bonus: float  # ln bonus per syllable of a built-in phrase the tokens fit
    user_bonus: float  # ... of a user's term (user terms win over the model)
    floor: float  # every token of a match must read at least this well, in ln P(observed | syllable)
    mean: float  # and on average this well
    channel_weight: float
    word_bonus: float = 0.0  # ... of a word of the word list (not a term: no 'term' reason for its edits)


def _term_core() -> Any:
    """The compiled core when search.py uses it and it has the term search (a core built before it, not)."""
    from .search import _core  # here: search.py imports this module

    return _core if _core is not None and hasattr(_core, "term_fit") else None


class TermFitter:
    """Adds the syllables of dictionary phrases that runs of OCR tokens fit to those tokens' options.

    A built-in phrase fits when every syllable is already a candidate of its token (or the channel reads the
    token as it well enough); a user's phrase when the channel reads every token as the phrase's syllable
    well enough.
    """

    def __init__(self, matcher: TermMatcher, channel: ChannelModel, lm: LanguageModel, fit: TermFit) -> None:
        self.matcher = matcher
        self.channel = channel
        self.lm = lm
        self.fit = fit
        self._logprob: dict[tuple[str, str], float] = {}
        self._core = _term_core()

    def apply(self, words: list[str | None], lattice: list[list[Option]]) -> set[tuple[int, str]]:
        """`words[i]` is the observed text of token i (None for a token that is not a word). The options of
        matched tokens are extended in place; returns the (token index, syllable) pairs boosted.

        The search for built-in phrases runs in the compiled core when search.py's does and the core has
        it (``_core.term_fit``: the same look-ups, fits and boosts in the same order); otherwise, and under
        ``CCHC_PURE_PYTHON=1``, :meth:`apply_python`."""
        core = self._core
        if core is None:
            return self.apply_python(words, lattice)
        boosted: set[tuple[int, str]] = set()
        fit = self.fit
        bonus = fit.builtin_bonus

        def boost(phrase: Phrase, i: int, lps: list[float]) -> None:
            self._boost(phrase, i, lps, bonus, lattice, boosted)

        def user(i: int) -> None:
            self._fit_user_phrases(i, words, lattice, boosted)

        core.term_fit(words if type(words) is list else list(words), lattice, self.matcher.by_first_next,
                      self._logprob, self._token_logprob, strip_marks, boost,
                      user if self.matcher.user_by_bare else None,
                      float(fit.floor), float(fit.channel_weight), fit.mean * fit.channel_weight)
        return boosted

    def _fit_user_phrases(self, i: int, words: list[str | None], lattice: list[list[Option]],
                          boosted: set[tuple[int, str]]) -> None:
        """The user's phrases that start at token i (a word) and the tokens fit, boosted."""
        for phrase in self.matcher.user_by_bare.get(strip_marks(str(words[i]).lower()), ()):
            lps = self._fit_user(phrase, i, words)
            if lps is not None:
                self._boost(phrase, i, lps, self.fit.user_bonus, lattice, boosted)

    def apply_python(self, words: list[str | None], lattice: list[list[Option]]) -> set[tuple[int, str]]:
        """The pure-Python implementation of :meth:`apply` (the reference of the compiled core). The same
        work as :meth:`apply_unindexed`, with the same results in the same order: phrases are found through
        a two-level index (first syllable, then the next token's bare letters), a token's bare letters are
        made only when one of its predecessor's options starts a phrase and it is a word, and the built-in
        fit is computed inline."""
        boosted: set[tuple[int, str]] = set()
        n = len(words)
        cand_maps: list[dict[str, float] | None] = [None] * n
        index = self.matcher.by_first_next
        user_by_bare = self.matcher.user_by_bare
        memo = self._logprob
        fit = self.fit
        floor = fit.floor
        weight = fit.channel_weight
        least_mean = fit.mean * fit.channel_weight
        builtin_bonus = fit.builtin_bonus
        for i, word in enumerate(words):
            if word is None:
                continue
            nxt = words[i + 1] if i + 1 < n else None  # (the last word: the user's phrases only)
            if nxt is not None:
                bares: set[str] | None = None  # the next token's bare letters, made when first needed
                for w, _wids, _ch in lattice[i]:
                    seconds = index.get(w)  # type: ignore[arg-type]
                    if seconds is None:
                        continue
                    if bares is None:
                        bares = {strip_marks(v) for v, _ids, _c in lattice[i + 1] if v is not None}
                        bares.add(strip_marks(nxt.lower()))
                    for nb in bares:
                        phrases = seconds.get(nb)
                        if phrases is None:
                            continue
                        for phrase in phrases:
                            # _fit_builtin, inline
                            sylls = phrase.syllables
                            if i + len(sylls) > n:
                                continue
                            lps: list[float] | None = []
                            for j, syl in enumerate(sylls):
                                m = cand_maps[i + j]
                                if m is None:
                                    if words[i + j] is None:
                                        lps = None
                                        break
                                    m = cand_maps[i + j] = {v: c for v, _ids, c in lattice[i + j] if v is not None}
                                lp = m.get(syl)
                                if lp is None:
                                    observed = str(words[i + j]).lower()
                                    lp = memo.get((observed, syl))
                                    if lp is None:
                                        lp = self._token_logprob(observed, syl)
                                    if lp < floor:
                                        lps = None
                                        break
                                    lp *= weight
                                lps.append(lp)  # type: ignore[union-attr]
                            if lps is not None and sum(lps) / len(lps) >= least_mean:
                                self._boost(phrase, i, lps, builtin_bonus, lattice, boosted)
            if user_by_bare:
                for phrase in user_by_bare.get(strip_marks(word.lower()), ()):
                    lps = self._fit_user(phrase, i, words)
                    if lps is not None:
                        self._boost(phrase, i, lps, fit.user_bonus, lattice, boosted)
        return boosted

    def apply_unindexed(self, words: list[str | None], lattice: list[list[Option]]) -> set[tuple[int, str]]:
        """The first implementation, without the index (:meth:`apply_python` must give the same options, in
        the same order, and the same boosted pairs; kept for the tests)."""
        boosted: set[tuple[int, str]] = set()
        n = len(words)
        cand_maps: list[dict[str, float] | None] = [None] * n
        bares: dict[int, set[str]] = {}  # the bare letters a token may stand for, made when needed

        def bare_forms(j: int) -> set[str]:
            b = bares.get(j)
            if b is None:
                b = bares[j] = set()
                if words[j] is not None:
                    b.update(strip_marks(w) for w, _ids, _ch in lattice[j] if w is not None)
                    b.add(strip_marks(str(words[j]).lower()))
            return b

        firsts = self.matcher.first_syllables
        for i, word in enumerate(words):
            if word is None:
                continue
            for w, _wids, _ch in lattice[i] if i + 1 < n else ():
                if w not in firsts:
                    continue
                for nb in bare_forms(i + 1):
                    for phrase in self.matcher.starting_with(w, nb):
                        lps = self._fit_builtin(phrase, i, words, lattice, cand_maps)
                        if lps is not None:
                            self._boost(phrase, i, lps, self.fit.builtin_bonus, lattice, boosted)
            if self.matcher.user_by_bare:
                for phrase in self.matcher.user_starting_with(strip_marks(word.lower())):
                    lps = self._fit_user(phrase, i, words)
                    if lps is not None:
                        self._boost(phrase, i, lps, self.fit.user_bonus, lattice, boosted)
        return boosted

    def _token_logprob(self, observed: str, syllable: str) -> float:
        lp = self._logprob.get((observed, syllable))
        if lp is None:
            lp = self.channel.logprob(observed, syllable) if normalize_syllable(observed) != syllable else 0.0
            self._logprob[(observed, syllable)] = lp
        return lp

    def _fit_builtin(self, phrase: Phrase, i: int, words: list[str | None], lattice: list[list[Option]],
                     cand_maps: list[dict[str, float] | None]) -> list[float] | None:
        fit = self.fit
        if i + len(phrase.syllables) > len(words):
            return None
        lps = []
        for j, syl in enumerate(phrase.syllables):
            m = cand_maps[i + j]
            if m is None:
                if words[i + j] is None:
                    return None
                m = cand_maps[i + j] = {w: ch for w, _ids, ch in lattice[i + j] if w is not None}
            lp = m.get(syl)
            if lp is None:
                # not among the token's candidates: the channel may still read the token as this syllable
                lp = self._token_logprob(str(words[i + j]).lower(), syl)
                if lp < fit.floor:
                    return None
                lp *= fit.channel_weight
            lps.append(lp)
        return lps if sum(lps) / len(lps) >= fit.mean * fit.channel_weight else None

    def _fit_user(self, phrase: Phrase, i: int, words: list[str | None]) -> list[float] | None:
        fit = self.fit
        if i + len(phrase.syllables) > len(words):
            return None
        lps = []
        for j, syl in enumerate(phrase.syllables):
            word = words[i + j]
            if word is None:
                return None
            lp = self._token_logprob(word.lower(), syl)
            if lp < fit.floor:
                return None
            lps.append(fit.channel_weight * lp)
        return lps if sum(lps) / len(lps) >= fit.mean * fit.channel_weight else None

    def _boost(self, phrase: Phrase, i: int, lps: list[float], bonus: float, lattice: list[list[Option]],
               boosted: set[tuple[int, str]]) -> None:
        """The phrase's syllables among the options of its tokens, at their fit plus `bonus`, the pairs boosted
        recorded in `boosted`; a word of the word list takes the word bonus instead and is not recorded (its
        edits keep their own reason: a word is no term)."""
        if phrase.word:
            bonus, boosted = self.fit.word_bonus, None  # type: ignore[assignment]
        lm = self.lm
        for j, syl in enumerate(phrase.syllables):
            opts = lattice[i + j]
            sc = lps[j] + bonus
            for k, (w, wids, c) in enumerate(opts):
                if w == syl:
                    if sc > c:
                        opts[k] = (w, wids, sc)
                    break
            else:
                entry = (syl, (lm.ids.get(syl, lm.unk),), sc)
                if len(opts) == 1 and opts[0][0] is None:
                    opts[0] = entry
                else:
                    opts.append(entry)
            if boosted is not None:
                boosted.add((i + j, syl))
