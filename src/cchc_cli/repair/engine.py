"""The repair engine: OCR tokens → candidate lattice → beam search under the trigram model.

For every word token the lexicon proposes intended syllables with ln P(observed | intended); a beam search
over each sentence (sentences run across line breaks) adds the language model's ln P(syllable | two
before). Codes (document symbols, dates, URLs) are repaired by their own grammar in codes.py and enter the
sentence as the number unit. Casing comes from the observed token's shape. Everything outside the
replaced tokens is copied through unchanged.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex

from ..vietnamese import has_syllable_shape, normalize_syllable, strip_marks, tone_allowed
from .channel import ChannelModel
from .codes import find_codes
from .lexicon import Lexicon, load_lexicon
from .lm import LanguageModel, load_lm
from .types import Edit, Flag, RepairResult

LN10 = math.log(10)
# A word token: letters plus the symbols the OCR puts in place of letters (c6, K¢é, 1ap, ciia).
WORD = regex.compile(r"[\p{L}\p{M}\p{N}&¢@€©®¥]+")
LETTERLIKE = regex.compile(r"[\p{L}&¢@€©®¥]")
STOP = regex.compile(r"[.;:!?…()\[\]{}“”\"]")
# a word, with the apostrophe the OCR prints for a horn inside it ("THU'C" for THỰC), or a sentence stop
TOKEN_OR_STOP = regex.compile(r"[\p{L}\p{M}\p{N}&¢@€©®¥]+(?:['’][\p{L}\p{M}]+)*|[.;:!?…()\[\]{}“”\"]")
# letters only Vietnamese text has (outside Latin-1): an OCR reading with an English model never makes them
STRONG_MARKS = regex.compile(
    "[ăơưđĂƠƯĐạảẹẻẽịỉĩọỏụủũỳỵỷỹầấẩẫậằắẳẵặềếểễệồốổỗộờớởỡợừứửữự"
    "ẠẢẸẺẼỊỈĨỌỎỤỦŨỲỴỶỸẦẤẨẪẬẰẮẲẴẶỀẾỂỄỆỒỐỔỖỘỜỚỞỠỢỪỨỬỮỰ]"
)
VIETNAMESE_ONLY = regex.compile(r"[ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@dataclass(slots=True)
class Settings:
    lm_weight: float = 1.5
    viterbi_beam: float = 10.0  # Viterbi states this many nats below the best are dropped
    channel_weight: float = 1.0
    max_candidates: int = 12
    candidate_margin: float = 8.0  # ln units below the best prescore
    identity_mix: float = 0.05  # chance that a token with Vietnamese marks was read right
    clean_identity: float = 0.97  # in text that already reads as Vietnamese: chance a token is right as is
    clean_ratio: float = 0.2  # share of words with Vietnamese-only letters above which text counts as clean
    keep_floor: float = -14.0  # ln P(obs|best): below it no reading is plausible, keep and flag
    flag_below: float = 0.6  # confidence under which an edit is also flagged
    split_trigger: float = -6.0  # a token whose best single reading is below this may be two syllables
    split_floor: float = -3.0  # each half of a split must read this well
    split_penalty: float = -4.0  # ln cost of the OCR dropping a space
    adapt_weight: float = 300.0  # weight of the document's own evidence when the channel adapts (0: off)
    adapt_sure: float = 0.9  # first-pass confidence from which a reading is kept and taught to the channel
    adapt_min_pairs: int = 150  # documents with fewer sure readings are not adapted
    term_bonus: float = 1.5  # ln bonus per syllable of a built-in dictionary phrase the OCR tokens fit
    user_bonus: float = 6.0  # ... of a user's dictionary term (user terms win over the model)
    term_floor: float = -12.0  # every token of a phrase match must read at least this well
    term_mean: float = -6.0  # and on average this well


@dataclass(slots=True)
class Token:
    line: int  # 0-based
    start: int
    end: int
    text: str
    kind: str  # 'word' | 'num' | 'code'
    replacement: str | None = None
    confidence: float = 1.0
    reason: str = ""
    candidates: list[tuple[str, float]] = field(default_factory=list)
    flagged: bool = False


def case_shape(token: str) -> str:
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return "lower"
    if len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.6 * len(letters):
        return "upper"  # the OCR often reads an accented capital as a small letter: CHiNH
    if letters[0].isupper():
        return "title"
    return "lower"


def apply_case(word: str, shape: str) -> str:
    if shape == "upper":
        return word.upper()
    if shape == "title":
        return word[:1].upper() + word[1:]
    return word


class Repairer:
    def __init__(self, dictionaries: tuple[Path, ...] = (), settings: Settings | None = None) -> None:
        self.lm: LanguageModel = load_lm()
        self.lexicon: Lexicon = load_lexicon()
        self.settings = settings or Settings()
        self.dictionaries = dictionaries
        from .terms import TermMatcher

        self.foreign = load_word_list("foreign_words.txt")
        self.terms = TermMatcher(dictionaries)
        self._term_lp: dict[tuple[str, str], float] = {}
        self._cands: dict[tuple[str, bool], list[tuple[str, int, float]]] = {}
        self.clean = False  # set per window by _process: does the text already read as Vietnamese?
        # per-document adaptation (repair_text): the channel re-estimated on the first pass's sure readings
        self._adapted: ChannelModel | None = None
        self._adapted_cands: dict[tuple[str, bool], list[tuple[str, int, float]]] = {}
        self._fixed: dict[tuple[int, int], str] = {}
        self._sentences: list[list[Token]] = []  # the last _process call's sentences, for the second pass
        # bare forms of marked syllables ('sach' of 'sách'): never kept as they are
        self.bare_forms = {b for w in self.lexicon.vocab if (b := strip_marks(w)) != w}
        # known abbreviations that no syllable could be misread as (SIPAS, not TU): kept as printed
        self.abbreviations = {
            a for a in self.terms.abbreviations
            if not has_syllable_shape(a.lower())
        }
        if not self.lexicon.logfreq:
            ids, uni = self.lm.ids, self.lm.uni_logp
            self.lexicon.logfreq = {w: uni[ids[w]] * LN10 for w in self.lexicon.vocab if w in ids}

    # ---- candidates -------------------------------------------------------------------------
    def candidates(self, obs: str) -> list[tuple[str, int, float]]:
        """[(syllable, lm id, ln P(obs|syllable))] for a lowercase observed token, pruned."""
        clean = self.clean
        adapted = self._adapted
        cache = self._cands if adapted is None else self._adapted_cands
        got = cache.get((obs, clean))
        if got is not None:
            return got
        s = self.settings
        lm = self.lm
        norm = normalize_syllable(obs)
        if clean and (not obs.isascii() or (norm in lm.ids and tone_allowed(norm))):
            # in text that reads as Vietnamese, a word with marks or a known word is taken as printed
            # (so correct text passes through and repair(repair(x)) == repair(x))
            got = [(norm, lm.ids.get(norm, lm.unk), 0.0)]
            cache[(obs, clean)] = got
            return got
        found = dict(self.lexicon.candidates(obs))
        if adapted is not None:
            # the channel adapted to this document: score the index's readings and the look-alikes anew
            found = {w: adapted.logprob(obs, w) for w in {*found, *self.lexicon._neighbours(obs)}}
        if clean and tone_allowed(norm):
            # the text already reads as correct Vietnamese: a token is most likely right as it stands
            keep = math.log(1 - s.clean_identity)
            p_ocr = math.exp(found.get(norm, -50.0))
            found = {w: lp + keep for w, lp in found.items()}
            found[norm] = math.log(s.clean_identity + (1 - s.clean_identity) * p_ocr)
        elif norm in lm.ids and VIETNAMESE_ONLY.search(norm):
            # text that already carries Vietnamese marks is usually right: mix in an identity reading
            p_ocr = math.exp(found.get(norm, -50.0))
            found[norm] = math.log(s.identity_mix + (1 - s.identity_mix) * p_ocr)
        elif norm in lm.ids and norm not in found and norm not in self.bare_forms and tone_allowed(norm):
            # a word the corpus uses (an abbreviation, a foreign or rare word) may simply be right
            found[norm] = self.lexicon.channel.logprob(obs, norm)
        scored = []
        for w, lp in found.items():
            wid = lm.ids.get(w, lm.unk)
            pre = s.channel_weight * lp + s.lm_weight * lm.uni_logp[wid] * LN10
            scored.append((pre, w, wid, lp))
        scored.sort(reverse=True)
        if scored:
            top = scored[0][0]
            scored = [x for x in scored if x[0] >= top - s.candidate_margin][: s.max_candidates]
        got = [(w, wid, lp) for _, w, wid, lp in scored]
        if len(self._cands) > 200_000:
            self._cands.clear()
        cache[(obs, clean)] = got
        return got

    # ---- tokenising ------------------------------------------------------------------------
    def tokenize_line(self, line_no: int, line: str) -> list[Token | str]:
        """Tokens of one line, with the string 'STOP' where a sentence ends."""
        out: list[Token | str] = []
        codes = find_codes(line)
        spans = [(c.start, c.end, c) for c in codes]
        pos = 0
        for cstart, cend, code in [*spans, (len(line), len(line), None)]:
            segment = line[pos:cstart]
            for m in TOKEN_OR_STOP.finditer(segment):
                text = m.group()
                a, b = pos + m.start(), pos + m.end()
                if STOP.fullmatch(text):
                    out.append("STOP")
                elif not LETTERLIKE.search(text):
                    out.append(Token(line_no, a, b, text, "num"))
                else:
                    out.append(Token(line_no, a, b, text, "word"))
            if code is not None:
                tok = Token(line_no, cstart, cend, line[cstart:cend], "code")
                if code.text != tok.text:
                    tok.replacement, tok.confidence, tok.reason = code.text, code.confidence, "code"
                out.append(tok)
            pos = max(pos, cend)
        words = [t for t in out if isinstance(t, Token) and t.kind == "word"]
        if self.is_foreign(words):  # an English line: its words are kept as printed
            for t in words:
                t.kind = "foreign"
        return out

    # ---- decoding --------------------------------------------------------------------------
    def split_options(self, obs: str) -> list[tuple[str, tuple[int, int], float]]:
        """Readings of one OCR token as two syllables the OCR ran together ('caicach' → 'cải cách')."""
        s = self.settings
        lm = self.lm
        found: list[tuple[float, str, tuple[int, int], float]] = []
        for cut in range(2, len(obs) - 1):
            left, right = obs[:cut], obs[cut:]
            lc = [c for c in self.candidates(left)[:3] if c[2] > s.split_floor]
            rc = [c for c in self.candidates(right)[:3] if c[2] > s.split_floor]
            for lw, lid, llp in lc:
                for rw, rid, rlp in rc:
                    lp = llp + rlp + s.split_penalty
                    pre = lp + LN10 * lm.bigram(lid, rid)
                    found.append((pre, f"{lw} {rw}", (lid, rid), lp))
        found.sort(reverse=True)
        return [(w, ids, lp) for _, w, ids, lp in found[:3]]

    def is_foreign(self, sentence: list[Token]) -> bool:
        """An English sentence (quoted names, translated passages): left as printed."""
        words = [t.text.lower() for t in sentence if t.kind == "word"]
        hits = sum(1 for w in words if w in self.foreign)
        return hits >= 2 and hits >= 0.15 * len(words)

    def decode(self, sentence: list[Token]) -> None:
        s = self.settings
        lm = self.lm
        if self.is_foreign(sentence):
            return
        # each option: (syllables or None to keep the token, LM ids, weighted ln P(obs | option))
        lattice: list[list[tuple[str | None, tuple[int, ...], float]]] = []
        for tok in sentence:
            if tok.kind != "word":
                lattice.append([(None, (lm.unk if tok.kind == "foreign" else lm.num,), 0.0)])
                continue
            obs = tok.text.lower()
            if tok.text in self.abbreviations:
                lattice.append([(None, (lm.ids.get(obs, lm.unk),), 0.0)])
                continue
            fixed = self._fixed.get((tok.line, tok.start))
            if fixed is not None:  # sure in the first pass: kept in the second
                lattice.append([(fixed, tuple(lm.ids.get(w, lm.unk) for w in fixed.split(" ")), 0.0)])
                continue
            cands = self.candidates(obs)
            options: list[tuple[str | None, tuple[int, ...], float]] = [
                (w, (wid,), s.channel_weight * lp) for w, wid, lp in cands if lp >= s.keep_floor
            ]
            if len(obs) >= 5 and obs.isalpha() and (not cands or cands[0][2] < s.split_trigger):
                options += [(w, ids, s.channel_weight * lp) for w, ids, lp in self.split_options(obs)]
            if not options:
                tok.flagged = bool(cands)
                tok.candidates = [(w, lp) for w, _, lp in cands]
                options = [(None, (lm.ids.get(normalize_syllable(obs), lm.unk),), 0.0)]
            lattice.append(options)
        boosted = self._apply_terms(sentence, lattice) if not self.clean else set()
        # Viterbi over the previous option; the syllable before it comes from that option's best path
        # (trigram scores with a bigram-sized state: K x K language-model lookups per token)
        lmw = s.lm_weight * LN10
        score = lm.score
        cache = lm.cache
        vsize = lm.size
        bos = lm.bos
        states: list[tuple[float, int, int, int]] = [(0.0, -1, bos, bos)]  # (score, back, u, v)
        backs: list[list[tuple[float, int, int, int]]] = []
        beam = s.viterbi_beam
        for options in lattice:
            cur: list[tuple[float, int, int, int]] = []
            # beam: states far below the best seldom win once the next LM score is added; skip them
            floor = max(st[0] for st in states) - beam
            live = [(si, st[0], st[2], st[3]) for si, st in enumerate(states) if st[0] >= floor]
            for _w, wids, ch in options:
                best = -1e300
                arg = 0
                last = wids[-1]
                for si, sc, u, v in live:
                    if len(wids) == 1:
                        x = cache.get((u * vsize + v) * vsize + last)
                        if x is None:
                            x = score(u, v, last)
                    else:
                        x = score(u, v, wids[0]) + score(v, wids[0], wids[1])
                    x = sc + lmw * x
                    if x > best:
                        best, arg = x, si
                prev_v = states[arg][3] if len(wids) == 1 else wids[-2]
                cur.append((best + ch, arg, prev_v, last))
            backs.append(cur)
            states = cur
        k = max(range(len(states)), key=lambda i: states[i][0] + lmw * score(states[i][2], states[i][3], lm.eos))
        choice: list[int] = []
        for cur in reversed(backs):
            choice.append(k)
            k = cur[k][1]
        choice.reverse()
        # confidence: the chosen option's share among the options at its place, neighbours fixed
        flat: list[int] = [bos, bos]
        starts: list[int] = []
        for i, k in enumerate(choice):
            starts.append(len(flat))
            flat.extend(lattice[i][k][1])
        flat.append(lm.eos)
        for i, tok in enumerate(sentence):
            options = lattice[i]
            k = choice[i]
            word = options[k][0]
            if tok.kind != "word" or word is None:
                continue
            if (tok.line, tok.start) in self._fixed:
                continue  # second pass: sure in the first pass, kept as it was read then
            probs = self._local_posteriors(flat, starts[i], options, k)
            best = max(range(len(probs)), key=probs.__getitem__)
            if best != k and len(options[best][1]) == len(options[k][1]):
                # the Viterbi state keeps one history per option; with both neighbours now known, the
                # exact local trigram score prefers another reading: take it (one ICM step)
                k = best
                word = options[k][0]
                flat[starts[i] : starts[i] + len(options[k][1])] = options[k][1]
                if word is None:
                    continue
            conf = probs[k]
            tok.candidates = [(w, round(ch, 2)) for w, _, ch in options if w is not None]
            self._set_word(tok, word, conf)
            if tok.replacement is not None and (i, word) in boosted and tok.reason == "ocr-char":
                tok.reason = "term"

    def _apply_terms(self, sentence: list[Token], lattice: list[list]) -> set[tuple[int, str]]:
        """Add the syllables of dictionary phrases that runs of tokens fit to those tokens' options.

        A built-in phrase fits when every syllable is already a candidate of its token; a user's phrase
        when the channel model reads every token as the phrase's syllable well enough.
        """
        s = self.settings
        boosted: set[tuple[int, str]] = set()
        n = len(sentence)
        cand_maps: list[dict[str, float] | None] = [None] * n
        bares: dict[int, set[str]] = {}  # the bare letters a token may stand for, made when needed

        def bare_forms(j: int) -> set[str]:
            b = bares.get(j)
            if b is None:
                tok = sentence[j]
                b = bares[j] = set()
                if tok.kind == "word":
                    b.update(strip_marks(w) for w, _ids, _ch in lattice[j] if w is not None)
                    b.add(strip_marks(tok.text.lower()))
            return b

        firsts = self.terms.first_syllables
        for i, tok in enumerate(sentence):
            if tok.kind != "word" or i + 1 >= n:
                continue
            for w, _wids, _ch in lattice[i]:
                if w not in firsts:
                    continue
                for nb in bare_forms(i + 1):
                    for phrase in self.terms.starting_with(w, nb):
                        lps = self._fit_builtin(phrase, i, sentence, lattice, cand_maps)
                        if lps is not None:
                            self._boost(phrase, i, lps, s.term_bonus, lattice, boosted)
            if self.terms.user_by_bare:
                for phrase in self.terms.user_starting_with(strip_marks(tok.text.lower())):
                    lps = self._fit_user(phrase, i, sentence)
                    if lps is not None:
                        self._boost(phrase, i, lps, s.user_bonus, lattice, boosted)
        return boosted

    def _fit_builtin(self, phrase, i: int, sentence: list[Token], lattice: list[list],
                     cand_maps: list[dict[str, float] | None]) -> list[float] | None:
        if i + len(phrase.syllables) > len(sentence):
            return None
        lps = []
        for j, syl in enumerate(phrase.syllables):
            m = cand_maps[i + j]
            if m is None:
                if sentence[i + j].kind != "word":
                    return None
                m = cand_maps[i + j] = {w: ch for w, _ids, ch in lattice[i + j] if w is not None}
            lp = m.get(syl)
            if lp is None:
                # not among the token's candidates: the channel may still read the token as this syllable
                o = sentence[i + j].text.lower()
                lp = self._term_lp.get((o, syl))
                if lp is None:
                    lp = self.lexicon.channel.logprob(o, syl) if normalize_syllable(o) != syl else 0.0
                    self._term_lp[(o, syl)] = lp
                if lp < self.settings.term_floor:
                    return None
                lp *= self.settings.channel_weight
            lps.append(lp)
        return lps if sum(lps) / len(lps) >= self.settings.term_mean * self.settings.channel_weight else None

    def _fit_user(self, phrase, i: int, sentence: list[Token]) -> list[float] | None:
        s = self.settings
        if i + len(phrase.syllables) > len(sentence):
            return None
        lps = []
        for j, syl in enumerate(phrase.syllables):
            t = sentence[i + j]
            if t.kind != "word":
                return None
            o = t.text.lower()
            lp = self._term_lp.get((o, syl))
            if lp is None:
                lp = self.lexicon.channel.logprob(o, syl) if normalize_syllable(o) != syl else 0.0
                self._term_lp[(o, syl)] = lp
            if lp < s.term_floor:
                return None
            lps.append(s.channel_weight * lp)
        return lps if sum(lps) / len(lps) >= s.term_mean * s.channel_weight else None

    def _boost(self, phrase, i: int, lps: list[float], bonus: float, lattice: list[list],
               boosted: set[tuple[int, str]]) -> None:
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
            boosted.add((i + j, syl))

    def _local_posteriors(self, flat: list[int], j: int, options: list, k: int) -> list[float]:
        """P(each option | the chosen neighbours): a softmax over the options' local scores."""
        if len(options) == 1:
            return [1.0]
        score = self.lm.score
        lmw = self.settings.lm_weight * LN10
        n_chosen = len(options[k][1])
        left = flat[j - 2 : j]
        right = flat[j + n_chosen : j + n_chosen + 2]
        cache = self.lm.cache
        size = self.lm.size
        scores = []
        for _w, wids, ch in options:
            ctx = [*left, *wids, *right]
            sc = ch
            for t in range(2, len(ctx)):
                a, b, c = ctx[t - 2], ctx[t - 1], ctx[t]
                x = cache.get((a * size + b) * size + c)
                sc += lmw * (score(a, b, c) if x is None else x)
            scores.append(sc)
        m = max(scores)
        exps = [math.exp(x - m) for x in scores]
        z = sum(exps)
        return [x / z for x in exps]

    def _set_word(self, tok: Token, word: str, conf: float) -> None:
        original = unicodedata.normalize("NFC", tok.text)
        if word == normalize_syllable(original.lower()):
            # read as printed: keep its case; only a known syllable's tone placement may move (hoà → hòa)
            out = normalize_syllable(original) if word in self.lm.ids else original
        else:
            shape = case_shape(tok.text)
            if shape == "title" and tok.text[0] in "I|1" and word.startswith("l"):
                shape = case_shape(tok.text[1:]) if len(tok.text) > 2 else "lower"  # 'Iy' is 'lý' misread
            out = apply_case(word, shape)
        tok.confidence = conf
        if conf < self.settings.flag_below:
            tok.flagged = True
        if out == original:
            return
        if normalize_syllable(original) == out:
            tok.replacement, tok.reason = out, "diacritics"
            return
        tok.replacement = out
        if " " in out:
            tok.reason = "split"
        elif out.lower() == original.lower():
            tok.reason = "case"
        elif strip_marks(out).lower() == strip_marks(original).lower():
            tok.reason = "diacritics"
        else:
            tok.reason = "ocr-char"

    # ---- public ----------------------------------------------------------------------------
    def repair_text(self, text: str) -> RepairResult:
        text = unicodedata.normalize("NFC", text)
        lines = text.split("\n")
        tokens_by_line = self._process(list(enumerate(lines)))
        if self.settings.adapt_weight > 0 and not self.clean:
            tokens_by_line = self._adapt_and_redo(lines, tokens_by_line)
        out_lines = []
        edits: list[Edit] = []
        flags: list[Flag] = []
        for line, toks in zip(lines, tokens_by_line, strict=True):
            out_lines.append(self._render(line, toks, edits, flags))
        return RepairResult(text="\n".join(out_lines), edits=edits, flags=flags)

    def repair_lines(self, lines: Iterable[str], window: int = 400) -> Iterator[str]:
        """Stream: repair windows of lines, cutting at blank lines where possible (bounded memory)."""
        buf: list[str] = []
        for line in lines:
            buf.append(line)
            if len(buf) >= window and not line.strip() or len(buf) >= 4 * window:
                yield from self._repair_window(buf)
                buf = []
        if buf:
            yield from self._repair_window(buf)

    def _repair_window(self, buf: list[str]) -> Iterator[str]:
        # each element may carry its own "\n"; repair the content and put the ending back
        bodies = [unicodedata.normalize("NFC", b[:-1] if b.endswith("\n") else b) for b in buf]
        toks = self._process(list(enumerate(bodies)))
        for raw, body, t in zip(buf, bodies, toks, strict=True):
            yield self._render(body, t, [], []) + ("\n" if raw.endswith("\n") else "")

    def _adapt_and_redo(self, lines: list[str], first: list[list[Token]]) -> list[list[Token]]:
        """Learn this document's OCR habits from the first pass's sure readings, then decode the doubtful
        tokens again with the adapted channel (unsupervised adaptation, as in speaker adaptation)."""
        from collections import Counter

        s = self.settings
        pairs: Counter[tuple[str, str]] = Counter()
        fixed: dict[tuple[int, int], str] = {}
        for toks in first:
            for t in toks:
                if t.kind != "word" or t.flagged:
                    continue
                word = (t.replacement if t.replacement is not None else t.text).lower()
                if t.confidence >= s.adapt_sure:
                    fixed[(t.line, t.start)] = normalize_syllable(word) if " " not in word else word
                    obs = t.text.lower()
                    if " " not in word and word.isalpha() and len(obs) <= 10:
                        pairs[(obs, normalize_syllable(word))] += 1
        if sum(pairs.values()) < s.adapt_min_pairs or len(fixed) == sum(
            1 for toks in first for t in toks if t.kind == "word"
        ):
            return first
        base = self.lexicon.channel
        doc_counts = base.expected_counts(pairs)
        counts = {c: dict(d) for c, d in base.counts.items()}
        for c, d in doc_counts.items():
            row = counts.setdefault(c, {})
            for seg, n in d.items():
                row[seg] = row.get(seg, 0.0) + s.adapt_weight * n
        self._adapted = ChannelModel(counts, alpha=base.alpha, rules=base.rules)
        self._adapted_cands = {}
        self._fixed = fixed
        try:
            # decode again only the sentences with a doubtful word; the sure words stay as they were read
            for sentence in self._sentences:
                doubtful = [t for t in sentence if t.kind == "word" and (t.line, t.start) not in fixed]
                if not doubtful:
                    continue
                for t in doubtful:
                    t.replacement, t.confidence, t.reason, t.candidates, t.flagged = None, 1.0, "", [], False
                self.decode(sentence)
            return first
        finally:
            self._adapted = None
            self._adapted_cands = {}
            self._fixed = {}

    def _process(self, numbered: list[tuple[int, str]]) -> list[list[Token]]:
        words = [w for _, line in numbered for w in WORD.findall(line) if LETTERLIKE.search(w)]
        strong = sum(1 for w in words if STRONG_MARKS.search(w))
        self.clean = bool(words) and strong >= self.settings.clean_ratio * len(words)
        per_line: list[list[Token]] = []
        sentence: list[Token] = []
        self._sentences = sentences = []
        for i, line in numbered:
            toks = self.tokenize_line(i, line)
            if not line.strip() and sentence:
                sentences.append(sentence)
                sentence = []
            kept: list[Token] = []
            for t in toks:
                if t == "STOP":
                    if sentence:
                        sentences.append(sentence)
                        sentence = []
                else:
                    assert isinstance(t, Token)
                    sentence.append(t)
                    kept.append(t)
            per_line.append(kept)
        if sentence:
            sentences.append(sentence)
        for sent in sentences:
            self.decode(sent)
        return per_line

    def _render(self, line: str, toks: list[Token], edits: list[Edit], flags: list[Flag]) -> str:
        parts = []
        pos = 0
        for t in toks:
            if t.replacement is not None and t.replacement != t.text:
                parts.append(line[pos : t.start])
                parts.append(t.replacement)
                pos = t.end
                edits.append(Edit(t.line + 1, t.start + 1, t.text, t.replacement, round(t.confidence, 3),
                                  t.reason))
            if t.flagged:
                flags.append(Flag(t.line + 1, t.start + 1, t.text, [w for w, _ in t.candidates][:5],
                                  round(t.confidence, 3)))
        parts.append(line[pos:])
        return unicodedata.normalize("NFC", "".join(parts))


@lru_cache(maxsize=4)
def load_word_list(name: str) -> frozenset[str]:
    from importlib import resources

    text = resources.files("cchc_cli.dictionaries").joinpath(name).read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=8)
def get_repairer(dictionaries: tuple[Path, ...] = ()) -> Repairer:
    return Repairer(dictionaries)
