"""The repair engine: OCR tokens → candidate lattice → Viterbi under the trigram model → local rescoring.

For every word token the lexicon proposes intended syllables with ln P(observed | intended); the search over
each sentence (sentences run across line breaks; :mod:`.search`) adds the language model's
ln P(syllable | two before). Codes (document symbols, dates, URLs) are repaired by their own grammar in
codes.py and enter the sentence as the number unit. Casing comes from the observed token's shape. Everything
outside the replaced tokens is copied through unchanged.

A :class:`Repairer` holds the models and is shared (cached per :class:`~cchc_cli.resources.Resources`); what
one call learns about its document lives in a :class:`DocumentState` passed through the passes.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import regex

from ..document import Edit, Flag, RepairResult
from ..labels import roman_value
from ..resources import Resources, load_resources
from ..vietnamese import (
    STRONG_MARKS,
    has_syllable_shape,
    normalize_syllable,
    place_tone,
    split_tone,
    strip_marks,
    tone_allowed,
)
from .calibration import Calibration, Evidence, features, load_calibration
from .channel import ChannelModel
from .codes import find_codes
from .lexicon import Lexicon, load_lexicon
from .lm import LN10, LanguageModel, load_lm
from .search import local_posteriors, viterbi
from .terms import Option, TermFit, TermFitter, TermMatcher
from .vie_ocr import VieOcrChannel, load_vie_ocr

# A word token: letters plus the symbols the OCR puts in place of letters (c6, K¢é, 1ap, ciia).
# Characters that print nothing inside a word (a soft hyphen, zero-width spaces and joiners, a BOM): part of
# the word, left out of its reading, dropped from it when the word is repaired.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = regex.compile(f"[{INVISIBLE}]")
WORD = regex.compile(rf"[\p{{L}}\p{{M}}\p{{N}}&¢@€©®¥§{INVISIBLE}]+")
LETTERLIKE = regex.compile(r"[\p{L}&¢@€©®¥§]")
STOP = regex.compile(r"[.;:!?…()\[\]{}“”\"]")
# a number with separators (114.400, 95,5, 2.1: one number, as the language model was built, not a sentence
# end), a word with the apostrophe, opening quote or question mark the OCR prints for a horn or a hook inside
# it ("THU'C", "Tru‘éng", "chi?c", "du’¢c" for THỰC, Trưởng, chức, được) or at its end ("tu’", "ct?" for tư,
# cứ: the word is read both with the mark and with it kept as printed, see TAIL_MARKS), or a sentence stop
TOKEN_OR_STOP = regex.compile(
    rf"\p{{N}}+(?:[.,]\p{{N}}+)+(?![\p{{L}}\p{{M}}\p{{N}}&¢@€©®¥§{INVISIBLE}])"
    rf"|[\p{{L}}\p{{M}}\p{{N}}&¢@€©®¥§{INVISIBLE}]+(?:['’‘?][\p{{L}}\p{{M}}&¢@€©®¥§{INVISIBLE}]+)*"
    rf"(?:['’?](?![\p{{L}}\p{{M}}\p{{N}}&¢@€©®¥§]))?|[.;:!?…()\[\]{{}}“”\"]"
)
# What the OCR prints after a word for its horn or hook (the round trips' raw OCR has about forty of them for
# each one the text had: 'tu’' for tư, 'st?' for sứ); such a token also has the readings of the word before it
# with the mark kept as printed (Settings.tail_kept)
TAIL_MARKS = "'’?"
VIETNAMESE_ONLY = regex.compile(r"[ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")

THIRD = itemgetter(2)  # an option's weighted ln P(obs | option)
NOT_A_CANDIDATE = -50.0  # ln P(observed | reading) of a reading the channel did not propose
CANDIDATE_CACHE_SIZE = 200_000
FLAG_CANDIDATES = 5  # candidates a flag lists
LONE_CAPITALS_MIN_WORDS = 4  # lines with fewer words are not judged ...
LONE_CAPITALS_SHARE = 0.25  # ... nor lines where more of the words than this are in capitals
OCR_ROMAN_I = regex.compile(r"I[iI]*i[iI]*")  # II, III with the OCR's small i: no word of the language
ROMAN_WORD = regex.compile(r"[IVX]{2,}")  # a roman numeral in a line of small letters is no word in capitals
DIGIT_WORD_MAX = 2  # numbers of at most this many digits between words are weighed as words too
LABEL_LETTERS = "abcdđeghiklmnopqrstuvxy"  # the order of lettered list items: a) b) c) d) đ) e) …
# the share of d/đ labels the order decides that are right: (44 + 1) / (44 + 2) on the tuning halves of the dev
# sets, where all 44 were (the halves not tuned on: 72 of 74, both wrong in lists whose source skips a letter)
LABEL_ORDER_CONFIDENCE = 0.98
LABEL_GAP = 80  # lines: a lettered label further from the one before it starts a new list
# a row of dots to fill in by hand ('Họ và tên: ……………') as the OCR prints it: a long run of small round letters
# ('cceccceceseseeeeeece'); no syllable, nor two run together, is ten of them
LEADER = regex.compile(r"[ceosaun]{10,}")
LEADER_LETTERS = 2  # ... of two letters at least (one letter repeated is not dots: 'aaaa…')
LEADER_TEXT = "……"
LEADER_CONFIDENCE = 0.8  # set by hand: the tuning halves have four such runs, all rows of dots
# an all-capitals word that reads as a syllable this well (ln P(obs | syllable)) is not taken for acronyms run
# together
ACRONYM_READS = -8.0
ACRONYM_MAX = 8  # an all-capitals word up to this long may be an acronym (ISO, LGSP, ĐMST): not flagged
# a word that is no syllable but that the corpus uses this often (log10 of its unigram probability: some thirty
# times in its 33 million syllables), and is this long or has a Vietnamese letter, is a foreign word or a name
# ('online', 'Internet', 'Covid', 'Đăk'): not flagged as unreadable; the OCR's leftovers ('thwce', 'phuwrong')
# are in no correct text, while short ones ('th', 'ng', 'bt') are fragments the corpus has too
USED_WORD_LOGP = -6.0
USED_WORD_LENGTH = 4
# a number with a letter after a word that numbers things (Phụ lục 1a, Mẫu 2b, Điều 5a, khoản 4b) may be that
# label, which the language model knows as a number; elsewhere '1a' is the OCR's là (the samples: 'nhất 1a năm')
LABEL_NUMBER = regex.compile(r"\d{1,3}[a-hđ]")
LABEL_WORDS = frozenset({"luc", "mau", "dieu", "khoan", "diem", "muc", "bieu", "so", "bang", "phan", "chuong",
                         "hinh", "tiet", "vu"})  # their letters without marks, as the OCR prints them
# a code kept as printed (an annex's form H05, KT14, a time 10h00, an area 50m3): not flagged as unreadable
CODE_WORD = regex.compile(r"[A-Z]{1,4}\d{1,4}|\d{1,2}h\d{2}|\d+(?:m[23²³]?|km²?|ha)")
CAPITAL_RUN = 2  # words in capitals in a row that are read as Vietnamese in an English sentence
MAX_SENTENCE = 400  # tokens decoded together at most (the search costs memory in proportion)
UPPER_SHARE = 0.6  # a token this much in capitals is a capitals word (the OCR reads accented capitals small)
STREAM_WINDOW = 400  # lines repair_lines decodes together, cut at a blank line where it can ...
WINDOW_STRETCH = 4  # ... or, with no blank line, at this many times as many ...
WINDOW_CHARS = 1 << 20  # ... or once they hold this many characters
LINE_PIECE = 1 << 16  # a longer line is repaired in pieces of about this many characters, cut between words


@dataclass(slots=True)
class Settings:
    lm_weight: float = 1.0
    viterbi_beam: float = 10.0  # Viterbi states this many nats below the best are dropped
    channel_weight: float = 1.0
    max_candidates: int = 20
    candidate_margin: float = 10.0  # ln units below the best prescore
    identity_mix: float = 0.05  # chance that a token with Vietnamese marks was read right
    clean_identity: float = 0.97  # in text that already reads as Vietnamese: chance a token is right as is
    clean_ratio: float = 0.2  # share of words with Vietnamese-only letters above which text counts as clean
    clean_marked_share: float = 0.5  # ... or of words with Vietnamese marks, all of them known syllables
    keep_floor: float = -17.0  # ln P(obs|best): below it no reading is plausible, keep and flag
    code_keep_floor: float = -14.0  # ... for a token shaped like a code (CODE_WORD)
    flag_below: float = 0.6  # confidence under which an edit is also flagged
    split_trigger: float = -6.0  # a token whose best single reading is below this may be two syllables
    split_floor: float = -3.0  # each half of a split must read this well
    split_penalty: float = -4.0  # ln cost of the OCR dropping a space
    max_token: int = 40  # longer tokens are kept as printed and flagged (the work per token stays bounded)
    split_min_length: int = 5  # only tokens this long (letters only) are tried as two syllables
    split_min_half: int = 2  # letters of each half of a split
    split_half_candidates: int = 3  # best readings of each half combined
    split_readings: int = 3  # two-syllable readings kept for a token
    split_shapes: bool = True  # each half of a split must have a Vietnamese syllable's shape ('again sử' not)
    keep_foreign: bool = True  # a word of the corpus that is no syllable ('document') may be right as printed
    foreign_min_words: int = 2  # English function words that make a sentence English ...
    foreign_share: float = 0.15  # ... when they are also this share of its words
    english_min_words: int = 3  # words of the corpus no syllable could be ('annual', 'tariff') that make a
    english_share: float = 0.5  # sentence English too, when they are also this share of its words
    adapt_weight: float = 300.0  # weight of the document's own evidence when the channel adapts (0: off)
    adapt_sure: float = 0.9  # first-pass confidence from which a reading is kept and taught to the channel
    adapt_min_pairs: int = 150  # documents with fewer sure readings are not adapted
    adapt_max_length: int = 10  # longer observed tokens are not taught to the channel
    term_bonus: float = 1.5  # ln bonus per syllable of a built-in dictionary phrase the OCR tokens fit
    user_bonus: float = 6.0  # ... of a user's dictionary term (user terms win over the model)
    term_floor: float = -12.0  # every token of a phrase match must read at least this well
    term_mean: float = -6.0  # and on average this well
    vie_variants: int = 12  # readings of a word Tesseract vie printed: itself and its most frequent variants
    vie_weight: float = 1.0  # scale of ln P(printed | another syllable) for text Tesseract vie read
    join_blank_lines: bool = True  # a blank line before a lower-case continuation does not end a sentence
    digit_words: bool = True  # a short number between two words may be a word the OCR read as digits
    digit_keep: float = -4.0  # ln weight of reading such a number as the number it shows
    digit_search: bool = True  # such a number's readings come from all the lexicon's searches
    fix_lone_capitals: bool = True  # a capitalised word alone in a line of small letters: its case fixed
    calibrate: bool = True  # confidences through dictionaries/confidence.yaml (off: the decoder's own share)
    # document cache (second pass): ln bonus of a reading the same OCR shape had where the first pass was sure,
    # times its share of those readings ...
    cache_shape: float = 2.0
    # ... and of a word the first pass read surely elsewhere in the document, times ln(1 + its share of the
    # document's sure words over its share of the corpus)
    cache_word: float = 1.5
    cache_cap: float = 2.0  # ... that ln at most
    # ... and of a reading the same OCR shape had after the same OCR token (the same context), times its share
    cache_context: float = 4.0
    order_labels: bool = True  # a list label read as d or đ takes the letter the labels around it call for
    # ln weight of reading a word's trailing ?, ’ or ' as the punctuation it shows rather than a mark the OCR
    # split off the word (TAIL_MARKS)
    tail_kept: float = -9.0
    # the other tones of a token's best readings, at their reading's ln P(obs | reading) plus this (the OCR
    # prints a tone mark as another one, or as a letter the channel saw only for one tone: 'ctv' for cứ);
    # None: off
    tone_swap: float | None = -3.0
    tone_swap_readings: int = 3  # ... of this many best readings
    # ln bonus per syllable of a two-syllable word of the word list (dictionaries/words2.txt) the OCR tokens fit
    # (0: the word list is not used)
    word_bonus: float = 0.5


@dataclass(slots=True)
class Token:
    line: int  # 0-based
    start: int
    end: int
    text: str
    kind: str  # 'word' | 'num' | 'code' | 'foreign'
    plain: str = ""  # the text as read: without the invisible characters it may hold (set by tokenize_line)
    replacement: str | None = None
    confidence: float = 1.0
    reason: str = ""
    # the readings weighed, best first, as the lattice held them: (syllables, or None for the token as printed,
    # then ids and score); a flag lists the first words (the lattice's own list: most tokens are never flagged)
    candidates: Sequence[tuple[str | None, object, float]] = ()
    flagged: bool = False
    evidence: Evidence | None = None  # what the decoder knew when it chose the word (for its confidence)


@dataclass
class DocumentState:
    """What one repair call learns about its text, passed through the passes (never kept on the Repairer).

    `clean`: the text already reads as Vietnamese. After the first pass: `adapted`, the channel re-estimated
    on the sure readings, with its own candidate cache; `fixed`, those sure readings by (line, column), kept
    in the second pass; `sentences`, the tokens of the text's sentences.
    """

    clean: bool = False
    adapted: ChannelModel | None = None
    adapted_candidates: dict[tuple[str, bool], list[tuple[str, int, float]]] = field(default_factory=dict)
    fixed: dict[tuple[int, int], str] = field(default_factory=dict)
    # the document cache: the sure readings of each observed shape (lowercase), and the sure words' counts
    shapes: dict[str, Counter[str]] = field(default_factory=dict)
    contexts: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)  # ... by (token before, shape)
    words: Counter[str] = field(default_factory=Counter)
    words_total: int = 0  # the sum of `words`
    sentences: list[list[Token]] = field(default_factory=list)
    # the lattice options made of a candidate list, by its id and the floor they keep (the list kept beside them)
    options: dict[tuple[int, float], tuple[list[tuple[str, int, float]], tuple[Option, ...]]] = field(
        default_factory=dict)
    # text Tesseract vie read: by 0-based line, its words' (start column, confidence 0-100), by column
    confidence: dict[int, list[tuple[int, float]]] = field(default_factory=dict)

    def ocr_confidence(self, tok: Token) -> float | None:
        """The OCR's confidence in the word `tok` is part of (None: not OCR'd text)."""
        words = self.confidence.get(tok.line)
        if not words:
            return None
        index = bisect_right(words, (tok.start, math.inf)) - 1
        return words[index][1] if index >= 0 else None


def case_shape(token: str) -> str:
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return "lower"
    if len(letters) >= 2 and sum(c.isupper() for c in letters) >= UPPER_SHARE * len(letters):
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


def assign_reason(original: str, out: str) -> str:
    """The reason code of an edit from `original` (NFC) to `out`."""
    if normalize_syllable(original) == out:
        return "diacritics"
    if " " in out:
        return "split"
    if out.lower() == original.lower():
        return "case"
    if strip_marks(out).lower() == strip_marks(original).lower():
        return "diacritics"
    return "ocr-char"


class Repairer:
    def __init__(self, resources: Resources | None = None, settings: Settings | None = None) -> None:
        self.resources = resources or load_resources()
        self.lm: LanguageModel = load_lm()
        self.lexicon: Lexicon = load_lexicon()
        self.terms = TermMatcher(self.resources)
        self._word_terms: TermMatcher | None = None  # the terms and the word list's words (made when first used)
        self.foreign = self.resources.foreign_words
        self.codebook = self.resources.codebook
        # the document types whose code the OCR prints as another's (ĐA, DA, PA): named before a symbol, they
        # decide its type segment
        self._named_types = tuple((d.folded, d.abbr) for d in self.resources.doc_types if d.abbr)
        self._cands: dict[tuple[str, bool], list[tuple[str, int, float]]] = {}
        self.settings = settings or Settings()
        # bare forms of marked syllables ('sach' of 'sách'): never kept as they are
        self.bare_forms = {b for w in self.lexicon.vocab if (b := strip_marks(w)) != w}
        # known abbreviations that no syllable could be misread as (SIPAS, not TU): kept as printed
        self.abbreviations = {a for a in self.terms.abbreviations if not has_syllable_shape(a.lower())}
        # the capital abbreviations by their letters with Đ read as D (an abbreviation printed with D stays D)
        capitals = [a for a in sorted(self.terms.abbreviations) if len(a) >= 2 and a.isupper() and a.isalpha()]
        self._acronym_pieces = {a.replace("Đ", "D"): a for a in reversed(capitals) if "Đ" in a}
        self._acronym_pieces.update({a: a for a in capitals if "Đ" not in a})
        self.vie: VieOcrChannel = load_vie_ocr()
        self.calibration: Calibration = load_calibration()
        self.trace: dict[tuple[int, int], list[float]] | None = None  # scripts/calibrate.py: features by position
        self.unreadable_trace: set[tuple[int, int]] | None = None  # scripts/calibrate.py: words flagged unreadable
        # bench/accuracy.py --review: every reading each word's lattice held, by (1-based line, column)
        self.lattice_trace: dict[tuple[int, int], set[str]] | None = None
        self._vie_cands: dict[tuple[str, int], list[tuple[str, int, float]]] = {}
        self._digit_cands: dict[str, list[tuple[str, int, float]]] = {}
        self._tone_siblings: dict[str, tuple[str, ...]] = {}  # a word's other tones (the LM's syllables)
        self._unreadable_memo: dict[str, bool] = {}  # _unreadable by output word

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings (scripts/tune.py tries many): the caches that depend on them start again."""
        self._settings = settings
        self._cands = {}
        self._vie_cands = {}
        self._digit_cands = {}
        s = settings
        fit = TermFit(s.term_bonus, s.user_bonus, s.term_floor, s.term_mean, s.channel_weight, s.word_bonus)
        matcher = self.terms
        if s.word_bonus:
            if self._word_terms is None:
                self._word_terms = self.terms.with_words(self.resources.two_syllable_words)
            matcher = self._word_terms
        self.term_fitter = TermFitter(matcher, self.lexicon.channel, self.lm, fit)

    # ---- candidates -------------------------------------------------------------------------
    def candidates(self, obs: str, state: DocumentState) -> list[tuple[str, int, float]]:
        """[(syllable, lm id, ln P(obs|syllable))] for a lowercase observed token, pruned."""
        clean = state.clean
        adapted = state.adapted
        cache = self._cands if adapted is None else state.adapted_candidates
        got = cache.get((obs, clean))
        if got is not None:
            return got
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
            words = list({*found, *self.lexicon.neighbours(obs)})
            found = dict(zip(words, adapted.logprobs(obs, words), strict=True))
        if self.settings.tone_swap is not None:
            self._add_tone_swaps(found)
        found = self._with_identity(obs, norm, found, clean)
        got = self._pruned(found)
        if len(self._cands) > CANDIDATE_CACHE_SIZE:
            self._cands.clear()
        cache[(obs, clean)] = got
        return got

    def _add_tone_swaps(self, found: dict[str, float]) -> None:
        """The other tones of the best readings (Settings.tone_swap), where the channel reads them worse."""
        s = self.settings
        swap = s.tone_swap
        assert swap is not None
        siblings = self._tone_siblings
        for w, lp in heapq.nlargest(s.tone_swap_readings, found.items(), key=itemgetter(1)):
            others = siblings.get(w)
            if others is None:
                others = siblings[w] = self._siblings_of(w)
            for sibling in others:
                if found.get(sibling, NOT_A_CANDIDATE) < lp + swap:
                    found[sibling] = lp + swap

    def _siblings_of(self, word: str) -> tuple[str, ...]:
        """The syllables of the language model that are `word` with another tone."""
        base, tone = split_tone(word)
        ids = self.lm.ids
        return tuple(sibling for other in range(6) if other != tone
                     and (sibling := place_tone(base, other)) in ids and sibling != word and tone_allowed(sibling))

    def vie_candidates(self, obs: str, confidence: float) -> list[tuple[str, int, float]]:
        """[(syllable, lm id, ln P(obs|syllable))] for a word Tesseract's Vietnamese model printed with this
        confidence: the syllable as printed and the ones with its letters and other marks. A word that is no
        syllable as printed (a name, a code, an English word, an abbreviation) is kept: Tesseract vie does
        not garble Vietnamese syllables into such words."""
        key = (obs, round(confidence))
        got = self._vie_cands.get(key)
        if got is not None:
            return got
        norm = normalize_syllable(obs)
        lm = self.lm
        if norm in lm.ids and tone_allowed(norm):
            variants = self.lexicon.variants(norm)[: self.settings.vie_variants]
            weight = self.settings.vie_weight
            found = {w: lp if w == norm else weight * lp for w, lp in self.vie.logprobs(norm, variants,
                                                                                           confidence).items()}
            got = self._pruned(found)
            if all(w != norm for w, _, _ in got):  # the word as printed always stays a reading
                got.append((norm, lm.ids[norm], found[norm]))
        else:
            got = [(norm, lm.ids.get(norm, lm.unk), 0.0)]
        if len(self._vie_cands) > CANDIDATE_CACHE_SIZE:
            self._vie_cands.clear()
        self._vie_cands[key] = got
        return got

    def _with_identity(self, obs: str, norm: str, found: dict[str, float], clean: bool) -> dict[str, float]:
        """The readings of `obs` with the chance that it was printed as it reads."""
        s = self.settings
        lm = self.lm
        if clean and tone_allowed(norm):
            # the text already reads as correct Vietnamese: a token is most likely right as it stands
            keep = math.log(1 - s.clean_identity)
            p_ocr = math.exp(found.get(norm, NOT_A_CANDIDATE))
            found = {w: lp + keep for w, lp in found.items()}
            found[norm] = math.log(s.clean_identity + (1 - s.clean_identity) * p_ocr)
        elif norm in lm.ids and VIETNAMESE_ONLY.search(norm):
            # text that already carries Vietnamese marks is usually right: mix in an identity reading
            p_ocr = math.exp(found.get(norm, NOT_A_CANDIDATE))
            found[norm] = math.log(s.identity_mix + (1 - s.identity_mix) * p_ocr)
        elif norm in lm.ids and norm not in found and norm not in self.bare_forms and (
                tone_allowed(norm) or (s.keep_foreign and not has_syllable_shape(norm))):
            # a word the corpus uses (an abbreviation, a foreign or rare word) may simply be right
            found[norm] = self.lexicon.channel.logprob(obs, norm)
        return found

    def _pruned(self, found: dict[str, float]) -> list[tuple[str, int, float]]:
        """The readings within the margin of the best prescore (channel and unigram), at most max_candidates."""
        s = self.settings
        lm = self.lm
        scored = []
        for w, lp in found.items():
            wid = lm.ids.get(w, lm.unk)
            pre = s.channel_weight * lp + s.lm_weight * lm.uni_logp[wid] * LN10
            scored.append((pre, w, wid, lp))
        scored.sort(reverse=True)
        if scored:
            top = scored[0][0]
            scored = [x for x in scored if x[0] >= top - s.candidate_margin][: s.max_candidates]
        return [(w, wid, lp) for _, w, wid, lp in scored]

    def split_options(self, obs: str, state: DocumentState) -> list[tuple[str, tuple[int, int], float]]:
        """Readings of one OCR token as two syllables the OCR ran together ('caicach' → 'cải cách')."""
        s = self.settings
        lm = self.lm
        found: list[tuple[float, str, tuple[int, int], float]] = []
        for cut in range(s.split_min_half, len(obs) - s.split_min_half + 1):
            left, right = obs[:cut], obs[cut:]
            lc = [c for c in self.candidates(left, state)[: s.split_half_candidates] if c[2] > s.split_floor
                  and (not s.split_shapes or has_syllable_shape(c[0]))]
            rc = [c for c in self.candidates(right, state)[: s.split_half_candidates] if c[2] > s.split_floor
                  and (not s.split_shapes or has_syllable_shape(c[0]))]
            for lw, lid, llp in lc:
                for rw, rid, rlp in rc:
                    lp = llp + rlp + s.split_penalty
                    pre = lp + LN10 * lm.bigram(lid, rid)
                    found.append((pre, f"{lw} {rw}", (lid, rid), lp))
        found.sort(reverse=True)
        return [(w, ids, lp) for _, w, ids, lp in found[: s.split_readings]]

    # ---- tokenising ------------------------------------------------------------------------
    def tokenize_line(self, line_no: int, line: str, tails: bool = True) -> list[Token | str]:
        """Tokens of one line, with the string 'STOP' where a sentence ends. With `tails`, a word's trailing
        mark (TAIL_MARKS) is part of it; without (text that reads as Vietnamese, or that Tesseract's Vietnamese
        model read: it prints marks as marks), it is punctuation."""
        out: list[Token | str] = []
        spans = [(c.start, c.end, c) for c in find_codes(line, self.codebook, self._named_types)]
        pos = 0
        for cstart, cend, code in [*spans, (len(line), len(line), None)]:
            segment = line[pos:cstart]
            for m in TOKEN_OR_STOP.finditer(segment):
                text = m.group()
                a, b = pos + m.start(), pos + m.end()
                if STOP.fullmatch(text):
                    out.append("STOP")
                elif not LETTERLIKE.search(text) or not text.strip("§"):  # '§ 3': the section sign itself
                    out.append(Token(line_no, a, b, text, "num", plain=text))
                else:
                    tail = not tails and len(text) > 1 and text[-1] in TAIL_MARKS
                    if tail:
                        text, b = text[:-1], b - 1
                    out.append(Token(line_no, a, b, text, "word", plain=_INVISIBLE_RE.sub("", text)))
                    if tail and line[b] == "?":
                        out.append("STOP")
            if code is not None:
                tok = Token(line_no, cstart, cend, line[cstart:cend], "code", plain=line[cstart:cend])
                if code.text != tok.text:
                    tok.replacement, tok.confidence, tok.reason = code.text, code.confidence, "code"
                out.append(tok)
            pos = max(pos, cend)
        words = [t for t in out if isinstance(t, Token) and t.kind == "word"]
        if self.is_foreign(words):  # an English line: its words are kept as printed, but names in capitals
            capitals = {id(t) for run in self._capital_runs(words) for t in run}
            for t in words:
                if id(t) not in capitals:
                    t.kind = "foreign"
        return out

    def is_foreign(self, sentence: list[Token]) -> bool:
        """An English sentence (quoted names, translated passages): left as printed."""
        s = self.settings
        words = [t.plain for t in sentence if t.kind == "word"]
        hits = sum(1 for w in words if w.lower() in self.foreign)
        if hits >= s.foreign_min_words and hits >= s.foreign_share * len(words):
            return True
        # English words the function-word list lacks: letters a syllable could not be, in small letters (not
        # an acronym), used by the corpus (the OCR's own garbage is not), e.g. 'The annual tariff-rate quota'
        # (the words of a line already found English count as English: a sentence runs on into such lines)
        ids = self.lm.ids
        kept = sum(1 for t in sentence if t.kind == "foreign")
        english = kept + sum(1 for w in words if len(w) >= 2 and w.isascii() and w.isalpha() and not w.isupper()
                             and (low := w.lower()) in ids and not has_syllable_shape(low))
        return english >= s.english_min_words and english >= s.english_share * (len(words) + kept)

    # ---- decoding --------------------------------------------------------------------------
    def decode(self, sentence: list[Token], state: DocumentState) -> None:
        """Choose a reading for every word of `sentence` (setting each token's replacement, confidence,
        reason and flag)."""
        if self.is_foreign(sentence):
            for run in self._capital_runs(sentence):  # a Vietnamese name in capitals in an English sentence
                self._decode_words(run, state)
            return
        self._decode_words(sentence, state)

    def _capital_runs(self, tokens: list[Token]) -> list[list[Token]]:
        """The runs of two or more words in capitals shaped like syllables (and no English function word) of an
        English sentence: a Vietnamese name the OCR printed without its marks ('THU VIEN PHAP LUAT has the
        copyright on this translation'), read as Vietnamese."""
        runs: list[list[Token]] = [[]]
        for t in tokens:
            w = t.plain
            if (t.kind in ("word", "foreign") and len(w) >= 2 and w.isascii() and w.isalpha() and w.isupper()
                    and has_syllable_shape(low := w.lower()) and low not in self.foreign):
                runs[-1].append(t)
            elif runs[-1]:
                runs.append([])
        return [run for run in runs if len(run) >= CAPITAL_RUN]

    def _decode_words(self, sentence: list[Token], state: DocumentState) -> None:
        """:meth:`decode` of a sentence that is not English."""
        lattice = self.build_lattice(sentence, state)
        boosted: set[tuple[int, str]] = set()
        if not state.clean:
            words = [tok.plain if tok.kind == "word" and len(tok.plain) <= self.settings.max_token else None
                     for tok in sentence]
            boosted = self.term_fitter.apply(words, lattice)
        if self.lattice_trace is not None:
            for tok, options in zip(sentence, lattice, strict=True):
                self.lattice_trace.setdefault((tok.line + 1, tok.start + 1), {tok.plain.lower()}).update(
                    w for w, _, _ in options if w is not None)
        choice = viterbi(lattice, self.lm, self.settings.lm_weight * LN10, self.settings.viterbi_beam)
        self.rescore_locally(sentence, lattice, choice, boosted, state)

    def build_lattice(self, sentence: list[Token], state: DocumentState) -> list[list[Option]]:
        """Each token's options: (syllables, or None to keep the token; LM ids; weighted ln P(obs | option))."""
        s = self.settings
        lm = self.lm
        lattice: list[list[Option]] = []
        for i, tok in enumerate(sentence):
            if s.digit_words and tok.kind in ("num", "word") and self._digits_between_words(sentence, i):
                tok.kind = "word"  # '6' for 'ở', '14' for 'là': weighed as a word, the number kept as a reading
                lattice.append([(None, (lm.num,), s.digit_keep), *(
                    (w, (wid,), s.channel_weight * lp) for w, wid, lp in self._digit_readings(tok.plain, state)
                    if lp >= s.keep_floor and w.isalpha())])
                continue
            if tok.kind != "word":
                lattice.append([(None, (lm.unk if tok.kind == "foreign" else lm.num,), 0.0)])
                continue
            obs = tok.plain.lower()
            if not state.clean and LEADER.fullmatch(obs) and len(set(obs)) >= LEADER_LETTERS:  # dots: given back
                tok.replacement, tok.reason, tok.confidence = LEADER_TEXT, "ocr-char", LEADER_CONFIDENCE
                lattice.append([(None, (lm.unk,), 0.0)])
                continue
            if len(obs) > s.max_token:  # no syllable, nor two run together, is this long: kept, and flagged
                tok.flagged, tok.confidence = True, 0.0  # not weighed at all
                lattice.append([(None, (lm.unk,), 0.0)])
                continue
            if tok.plain in self.abbreviations:
                lattice.append([(None, (lm.ids.get(obs, lm.unk),), 0.0)])
                continue
            acronym = self._acronym(tok.plain) if "&" not in tok.plain else self._joined_acronyms(tok.plain)
            if acronym is not None:
                lattice.append([(acronym.lower(), (lm.unk,), 0.0)])
                continue
            if state.clean and ((digits := any(c.isdigit() for c in obs)) or (
                    tok.plain.isupper() and tok.plain.isascii() and not has_syllable_shape(obs))):
                # text that reads as Vietnamese prints its codes, footnote marks and acronyms as they are (C2,
                # 1B, m3, karaoke3, BPC): the OCR's digits for letters belong to another kind of text
                lattice.append([(None, (lm.num if digits else lm.ids.get(obs, lm.unk),), 0.0)])
                continue
            fixed = state.fixed.get((tok.line, tok.start))
            if fixed is not None:  # sure in the first pass: kept in the second
                lattice.append([(fixed, tuple(lm.ids.get(w, lm.unk) for w in fixed.split(" ")), 0.0)])
                continue
            confidence = state.ocr_confidence(tok) if state.confidence else None
            cands = self.candidates(obs, state) if confidence is None else self.vie_candidates(obs, confidence)
            # a code-shaped token (H05, KT14) is read as a word only where the channel reads it well (T6 is Tổ)
            floor = s.code_keep_floor if CODE_WORD.fullmatch(tok.plain) else s.keep_floor
            made = state.options.get((id(cands), floor))
            if made is None or made[0] is not cands:
                made = state.options[(id(cands), floor)] = (cands, tuple(
                    (w, (wid,), s.channel_weight * lp) for w, wid, lp in cands if lp >= floor))
            options: list[Option] = list(made[1])  # a list of its own: the term fitter changes it
            if obs[-1] in TAIL_MARKS:
                options += self._tail_kept(obs, state)
            if options and LABEL_NUMBER.fullmatch(tok.plain) and (i == 0 or self._numbers_things(sentence[i - 1])):
                options.append((None, (lm.num,), s.digit_keep))
            # (text that already reads as Vietnamese ran no words together: "Government" is not "Governme nt")
            if (not state.clean and len(obs) >= s.split_min_length and obs.isalpha()
                    and (not cands or cands[0][2] < s.split_trigger)):
                options += [(w, ids, s.channel_weight * lp) for w, ids, lp in self.split_options(obs, state)]
            if not options:
                tok.flagged = bool(cands) and not CODE_WORD.fullmatch(tok.plain)
                tok.candidates = cands
                options = [(None, (lm.ids.get(normalize_syllable(obs), lm.unk),), 0.0)]
            elif state.words:
                options = self._cached(obs, options, state, sentence[i - 1].plain.lower() if i else "")
            lattice.append(options)
        return lattice

    @staticmethod
    def _numbers_things(before: Token) -> bool:
        """Can the token after `before` be a label such as 4b: `before` is a word that numbers things (Điều,
        khoản, Phụ lục) or a code in capitals (Lưu: VT, CS 2b)?"""
        plain = before.plain
        return strip_marks(plain).lower() in LABEL_WORDS or (len(plain) >= 2 and plain.isupper() and plain.isascii())

    def _digit_readings(self, obs: str, state: DocumentState) -> list[tuple[str, int, float]]:
        """The readings of a number between words as a word: its candidates, and with digit_search the
        look-alike and fallback searches too (the channel saw few digits for words: '16' for lệ)."""
        got = self.candidates(obs, state)
        if not self.settings.digit_search or state.clean or state.adapted is not None:
            return got
        found = self._digit_cands.get(obs)
        if found is None:
            lm = self.lm
            known = {w for w, _, _ in got}
            found = self._digit_cands[obs] = got + [
                (w, lm.ids[w], lp) for w, lp in self.lexicon.all_searches(obs) if w not in known and w in lm.ids]
        return found

    def _acronym(self, printed: str) -> str | None:
        """An acronym the OCR printed with D for Đ, as known abbreviations run together ('TTHDND' → TTHĐND,
        'HDNDTP' → HĐNDTP): the fewest pieces of two letters or more, each an abbreviation once its Đ is read
        D, and one at least with an Đ. None when the word is no such acronym, is known as printed, or the
        language model knows it, or it reads as a syllable (DUQC is ĐƯỢC)."""
        if (len(printed) < 3 or "D" not in printed or not printed.isascii() or not printed.isalpha()
                or not printed.isupper() or printed.lower() in self.lm.ids):
            return None
        readings = self.lexicon.candidates(printed.lower())
        if readings and readings[0][1] > ACRONYM_READS:
            return None
        pieces = self._acronym_pieces
        best: list[list[str] | None] = [[]] + [None] * len(printed)  # the fewest pieces of each prefix
        for end in range(2, len(printed) + 1):
            for start in range(end - 1):
                before = best[start]
                piece = pieces.get(printed[start:end])
                if before is not None and piece is not None and (
                        best[end] is None or len(before) + 1 < len(best[end])):  # type: ignore[arg-type]
                    best[end] = [*before, piece]
        found = best[-1]
        if found is None or "Đ" not in "".join(found):
            return None
        return "".join(found)

    def _joined_acronyms(self, printed: str) -> str | None:
        """Acronyms joined by '&' ('DBQH&HDND' for ĐBQH&HĐND), each read as :meth:`_acronym` reads one; None
        when none of them changes."""
        parts = printed.split("&")
        if len(parts) < 2 or not all(len(p) >= 3 and p.isascii() and p.isalpha() and p.isupper() for p in parts):
            return None  # two letters say too little: GD&DT is GD&ĐT, while GD alone may be GĐ
        read = [self._acronym(p) or self._acronym_pieces.get(p) or p for p in parts]
        return "&".join(read) if read != parts else None

    def _tail_kept(self, obs: str, state: DocumentState) -> list[Option]:
        """The readings of a token that ends in a mark (TAIL_MARKS) as the word before it followed by the mark
        as printed: 'không?' is a question, 'ct?' is cứ."""
        s = self.settings
        mark = obs[-1]
        return [(w + mark, (wid,), s.channel_weight * lp + s.tail_kept) for w, wid, lp in
                self.candidates(obs[:-1], state) if lp >= s.keep_floor]

    def _cached(self, obs: str, options: list[Option], state: DocumentState, before: str) -> list[Option]:
        """The options with the document cache's bonus: a reading this shape had where the first pass was
        sure, and a word the document uses more than the corpus does (a name of its header, its units)."""
        s = self.settings
        shape = state.shapes.get(obs)
        shape_total = shape.total() + 1 if shape else 1
        context = state.contexts.get((before, obs)) if s.cache_context else None
        context_total = context.total() + 1 if context else 1
        total = state.words_total
        uni = self.lm.uni_logp
        out: list[Option] = []
        for w, ids, lp in options:
            if w is not None:
                if shape:
                    lp += s.cache_shape * shape.get(w, 0) / shape_total
                if context:
                    lp += s.cache_context * context.get(w, 0) / context_total
                seen = state.words.get(w)
                if seen:
                    lp += s.cache_word * min(math.log1p(seen / total / 10 ** uni[ids[0]]), s.cache_cap)
            out.append((w, ids, lp))
        return out

    @staticmethod
    def _digits_between_words(sentence: list[Token], i: int) -> bool:
        """A number of one or two digits with a word on each side: the one before on its line, the one after on
        its line or at the start of the next ('gay 6' / 'nhiém': gây ô nhiễm)."""
        tok = sentence[i]
        if len(tok.plain) > DIGIT_WORD_MAX or not tok.plain.isdigit() or i == 0 or i + 1 == len(sentence):
            return False
        before, after = sentence[i - 1], sentence[i + 1]
        return before.line == tok.line and after.line - tok.line in (0, 1) and all(
            n.kind == "word" and 2 * sum(c.isalpha() for c in n.plain) >= len(n.plain) for n in (before, after))

    def rescore_locally(self, sentence: list[Token], lattice: list[list[Option]], choice: list[int],
                        boosted: set[tuple[int, str]], state: DocumentState) -> None:
        """Each chosen reading's confidence, its share among its token's options with both neighbours fixed;
        where the exact local trigram score prefers another reading of the same length, that one is taken
        (one ICM step: the Viterbi state keeps one history per option)."""
        lm = self.lm
        lm_weight = self.settings.lm_weight * LN10
        flat: list[int] = [lm.bos, lm.bos]
        starts: list[int] = []
        for i, k in enumerate(choice):
            starts.append(len(flat))
            flat.extend(lattice[i][k][1])
        flat.append(lm.eos)
        decided: list[tuple[int, tuple]] = []  # the tokens given evidence here, and what it holds
        shares = [t.evidence.share if t.kind == "word" and t.evidence is not None else 1.0 for t in sentence]
        for i, tok in enumerate(sentence):
            options = lattice[i]
            k = choice[i]
            word = options[k][0]
            if tok.kind != "word":
                continue
            if word is None:
                if len(options) > 1:  # kept as printed over readings (a number between words): how surely
                    probs = local_posteriors(lm, lm_weight, flat, starts[i], options, k)
                    tok.confidence, tok.candidates = probs[k], options
                    tok.flagged = tok.flagged or probs[k] < self.settings.flag_below
                continue
            if (tok.line, tok.start) in state.fixed:
                continue  # second pass: sure in the first pass, kept as it was read then
            probs = local_posteriors(lm, lm_weight, flat, starts[i], options, k)
            best = max(range(len(probs)), key=probs.__getitem__)
            if best != k and len(options[best][1]) == len(options[k][1]):
                k = best
                word = options[k][0]
                flat[starts[i] : starts[i] + len(options[k][1])] = options[k][1]
                if word is None:
                    continue
            tok.candidates = options
            shape = state.shapes.get(tok.plain.lower()) if state.fixed else None
            shares[i] = share = probs[k]
            decided.append((i, (share, options[k][2], max(map(THIRD, options)), len(options),
                                lm.uni_logp[options[k][1][0]], bool(state.fixed), bool(shape),
                                shape[word] / shape.total() if shape else 0.0)))
            self._set_word(tok, word, share)
            if tok.replacement is not None and (i, word) in boosted and tok.reason == "ocr-char":
                tok.reason = "term"
        # how sure the words beside each one are: a word read in a run of doubtful words is more often wrong
        last = len(sentence) - 1
        for i, known in decided:
            around = min(shares[i - 1] if i > 0 else 1.0, shares[i + 1] if i < last else 1.0)
            sentence[i].evidence = Evidence(*known, around)

    def _finish(self, tokens_by_line: list[list[Token]], state: DocumentState) -> None:
        """The words' confidences as probabilities (the calibration), and flags on what a reader would doubt:
        a word below `flag_below`, or one that reads as no word at all."""
        if state.clean:
            return
        s = self.settings
        for toks in tokens_by_line:
            if s.fix_lone_capitals:
                self._fix_lone_capitals([t for t in toks if t.kind == "word"])
            for tok in toks:
                if tok.kind != "word":
                    continue
                ev = tok.evidence
                if ev is not None:
                    printed = normalize_syllable(tok.plain.lower()) in self.lm.ids
                    kept = tok.replacement is None
                    if self.trace is not None:
                        self.trace[(tok.line + 1, tok.start + 1)] = features(ev, tok.reason, kept, printed,
                                                                               len(tok.plain))
                    if s.calibrate:
                        tok.confidence = self.calibration.probability(ev, tok.reason, kept, printed, len(tok.plain))
                        tok.flagged = tok.flagged or tok.confidence < s.flag_below
                out = tok.replacement if tok.replacement is not None else tok.plain
                if OCR_ROMAN_I.fullmatch(out):  # 'Ii', 'Iii': II, III
                    tok.replacement = out.upper()
                    tok.reason = assign_reason(unicodedata.normalize("NFC", tok.plain), tok.replacement)
                if ev is None and tok.flagged and tok.confidence >= s.flag_below:
                    unreadable = True  # kept as printed for want of any reading
                elif not tok.flagged and not (tok.replacement is None and tok.plain.isdigit()) \
                        and self._unreadable(tok.replacement or tok.plain):
                    tok.flagged = unreadable = True
                else:
                    unreadable = False
                if unreadable:
                    if self.unreadable_trace is not None:
                        self.unreadable_trace.add((tok.line + 1, tok.start + 1))
                    if s.calibrate and self.calibration.unreadable is not None:
                        tok.confidence = min(tok.confidence, self.calibration.unreadable)

    def _order_labels(self, lines: list[str], tokens_by_line: list[list[Token]]) -> None:
        """A list label read as d or đ ('d)', 'đ.') takes the letter its neighbours call for: d after c (or
        before đ), đ after d (or before e). The two differ by a stroke the OCR loses or the repair may add."""
        labels: list[tuple[int, Token, str]] = []  # (line, token, letter as read)
        for n, toks in enumerate(tokens_by_line):
            if not toks:
                continue
            tok = toks[0]
            line = lines[n]
            out = (tok.replacement if tok.replacement is not None else tok.plain).lower()
            if (tok.kind == "word" and len(tok.plain) == 1 and out in LABEL_LETTERS and not line[: tok.start].strip()
                    and line[tok.end : tok.end + 1] in (")", ".") and line[tok.end + 1 : tok.end + 2] in ("", " ")):
                labels.append((n, tok, out))
        for i, (n, tok, letter) in enumerate(labels):
            if letter not in ("d", "đ"):
                continue
            before = labels[i - 1][2] if i > 0 and n - labels[i - 1][0] <= LABEL_GAP else None
            after = labels[i + 1][2] if i + 1 < len(labels) and labels[i + 1][0] - n <= LABEL_GAP else None
            want = ({"c": "d", "d": "đ"}.get(before or "") or {"đ": "d", "e": "đ"}.get(after or ""))
            if want is None:
                continue
            # the order decides: the word's own evidence (one letter, either way) is not the reader's doubt
            tok.confidence, tok.flagged = LABEL_ORDER_CONFIDENCE, False
            if want == letter:
                continue
            new = want.upper() if tok.plain.isupper() else want
            original = unicodedata.normalize("NFC", tok.plain)
            tok.replacement = new if new != original else None
            tok.reason = assign_reason(original, new) if tok.replacement is not None else ""
            labels[i] = (n, tok, want)

    def _fix_lone_capitals(self, words: list[Token]) -> None:
        """A syllable in capitals alone in a line of small letters is a capitalised word the OCR read as
        capitals (it reads 'Bộ' as 'BO'): title case ('BỘ Tài chính' → 'Bộ Tài chính', 'Hà NỘI' → 'Hà Nội').
        Acronyms (no syllable's shape, or a known abbreviation) and lines of capitals are left alone. In a short
        line (a recipient: '- BO Tai chinh;') only a syllable before a capitalised word is judged."""
        outs = [t.replacement if t.replacement is not None else t.plain for t in words]
        upper = [len(o) >= 2 and o.isupper() for o in outs]
        short = len(words) < LONE_CAPITALS_MIN_WORDS
        if (short and len(words) < 2) or sum(upper) > LONE_CAPITALS_SHARE * max(len(words), LONE_CAPITALS_MIN_WORDS):
            return
        for i, tok in enumerate(words):
            out = outs[i]
            low = out.lower()
            if short and not (i + 1 < len(words) and (outs[i + 1][:1].isupper() or (
                    not tok.plain.isupper() and tok.plain[1:2].isupper())) and outs[i + 1][1:].islower()):
                continue  # (a capital printed small, 'NOi dung', is a capitalised word's own mark: 'Nội dung')
            if (not upper[i] or (i > 0 and upper[i - 1]) or (i + 1 < len(words) and upper[i + 1]) or " " in out
                    or (ROMAN_WORD.fullmatch(out) and roman_value(out) is not None)  # khóa XIII, Chương VI
                    or out in self.terms.abbreviations or normalize_syllable(low) not in self.lm.ids
                    or not has_syllable_shape(low) or not tone_allowed(low)):
                continue
            new = out[0] + out[1:].lower()
            original = unicodedata.normalize("NFC", tok.plain)
            tok.replacement = new if new != original else None
            tok.reason = assign_reason(original, new) if tok.replacement is not None else ""

    def _unreadable(self, out: str) -> bool:
        """An output word a reader would stop at: no syllable of the language model, nor an abbreviation, an
        acronym, a list label or a foreign word (the OCR's leftovers: 'phuwrong', 'v6o1', 'nghié')."""
        got = self._unreadable_memo.get(out)
        if got is None:
            if len(self._unreadable_memo) > CANDIDATE_CACHE_SIZE:
                self._unreadable_memo.clear()
            got = self._unreadable_memo[out] = self._reads_as_nothing(out)
        return got

    def _reads_as_nothing(self, out: str) -> bool:
        for word in out.split(" "):
            word = word.rstrip(TAIL_MARKS) or word  # a mark kept after the word is punctuation
            lower = word.lower()
            if (len(word) < 2 or word == LEADER_TEXT or word in self.abbreviations or lower in self.foreign
                    or (word.isupper() and word.isalpha() and len(word) <= ACRONYM_MAX)):
                continue
            if CODE_WORD.fullmatch(word):
                continue
            wid = self.lm.ids.get(normalize_syllable(lower))
            if not word.isalpha() or wid is None:
                return True
            if not has_syllable_shape(lower) and (
                    self.lm.uni_logp[wid] < USED_WORD_LOGP or (len(word) < USED_WORD_LENGTH and word.isascii())):
                return True  # a word the corpus uses often enough is a foreign word or a name: 'online', 'Đăk'
        return False

    def _set_word(self, tok: Token, word: str, conf: float) -> None:
        original = unicodedata.normalize("NFC", tok.plain)
        if word == normalize_syllable(original.lower()):
            # read as printed: keep its case; only a known syllable's tone placement may move (hoà → hòa)
            out = normalize_syllable(original) if word in self.lm.ids else original
        else:
            shape = case_shape(tok.plain)
            if shape == "title" and tok.plain[0] in "I|1J" and word.startswith("l"):
                # 'Iy' is 'lý' misread, 'Jan' is 'lần': the capital is the OCR's
                shape = case_shape(tok.plain[1:]) if len(tok.plain) > 2 else "lower"
            out = apply_case(word, shape)
        tok.confidence = conf
        if conf < self.settings.flag_below:
            tok.flagged = True
        if out != original:
            tok.replacement, tok.reason = out, assign_reason(original, out)

    # ---- public ----------------------------------------------------------------------------
    def repair_text(self, text: str, confidence: Mapping[tuple[int, int], float] | None = None) -> RepairResult:
        """Repair a whole text. `confidence`: for text Tesseract's Vietnamese model read, its confidence
        (0-100) in each word by (0-based line, 0-based column of the word's first character)."""
        text = unicodedata.normalize("NFC", text)
        lines = text.split("\n")
        state = DocumentState()
        for (line, column), conf in sorted((confidence or {}).items()):
            state.confidence.setdefault(line, []).append((column, conf))
        tokens_by_line = self._process(list(enumerate(lines)), state)
        if self.settings.adapt_weight > 0 and not state.clean:
            self._adapt_and_redo(tokens_by_line, state)
        self._finish(tokens_by_line, state)
        if self.settings.order_labels and not state.clean:
            self._order_labels(lines, tokens_by_line)
        out_lines = []
        edits: list[Edit] = []
        flags: list[Flag] = []
        for line, toks in zip(lines, tokens_by_line, strict=True):
            out_lines.append(self._render(line, toks, edits, flags))
        return RepairResult(text="\n".join(out_lines), edits=edits, flags=flags)

    def repair_lines(self, lines: Iterable[str], window: int = STREAM_WINDOW) -> Iterator[str]:
        """Stream: repair windows of lines, cutting at blank lines where possible; memory is bounded by
        WINDOW_CHARS however long the lines are."""
        buf: list[str] = []
        chars = 0
        for line in lines:
            if len(line) > LINE_PIECE:
                if buf:
                    yield from self._repair_window(buf)
                    buf, chars = [], 0
                yield self._repair_long_line(line)
                continue
            buf.append(line)
            chars += len(line)
            if (len(buf) >= window and not line.strip() or len(buf) >= WINDOW_STRETCH * window
                    or chars >= WINDOW_CHARS):
                yield from self._repair_window(buf)
                buf, chars = [], 0
        if buf:
            yield from self._repair_window(buf)

    def _repair_long_line(self, line: str) -> str:
        """A line longer than LINE_PIECE, repaired a piece at a time (pieces end after a space or tab, where
        no word is cut)."""
        ending = "\n" if line.endswith("\n") else ""
        body = line[:-1] if ending else line
        out = []
        start = 0
        while start < len(body):
            end = min(len(body), start + LINE_PIECE)
            if end < len(body):
                cut = max(body.rfind(" ", start, end), body.rfind("\t", start, end))
                end = cut + 1 if cut > start else end
            out.extend(self._repair_window([body[start:end]]))
            start = end
        return "".join(out) + ending

    def _repair_window(self, buf: list[str]) -> Iterator[str]:
        # each element may carry its own "\n"; repair the content and put the ending back
        bodies = [unicodedata.normalize("NFC", b[:-1] if b.endswith("\n") else b) for b in buf]
        state = DocumentState()
        toks = self._process(list(enumerate(bodies)), state)
        self._finish(toks, state)
        for raw, body, t in zip(buf, bodies, toks, strict=True):
            yield self._render(body, t, [], []) + ("\n" if raw.endswith("\n") else "")

    # ---- per-document adaptation ----------------------------------------------------------
    def _adapt_and_redo(self, first: list[list[Token]], state: DocumentState) -> None:
        """Learn this document's OCR habits from the first pass's sure readings, then decode the doubtful
        tokens again with the adapted channel (unsupervised adaptation, as in speaker adaptation)."""
        pairs, fixed = self._sure_readings(first)
        words = sum(1 for toks in first for t in toks if t.kind == "word")
        if sum(pairs.values()) < self.settings.adapt_min_pairs or len(fixed) == words:
            return
        state.adapted = self._adapted_channel(pairs)
        state.adapted_candidates = {}
        state.fixed = fixed
        if self.settings.cache_shape or self.settings.cache_word:
            for toks in first:
                for t in toks:
                    word = fixed.get((t.line, t.start))
                    if word is not None and t.kind == "word":
                        state.shapes.setdefault(t.plain.lower(), Counter())[word] += 1
                        if len(word) > 1 and has_syllable_shape(word):  # a syllable: no letter, no code
                            state.words[word] += 1
            state.words_total = state.words.total()
            if self.settings.cache_context:
                for sentence in state.sentences:
                    for i, t in enumerate(sentence):
                        word = fixed.get((t.line, t.start))
                        if word is not None and t.kind == "word":
                            key = (sentence[i - 1].plain.lower() if i else "", t.plain.lower())
                            state.contexts.setdefault(key, Counter())[word] += 1
        # decode again only the sentences with a doubtful word; the sure words stay as they were read
        for sentence in state.sentences:
            doubtful = [t for t in sentence if t.kind == "word" and (t.line, t.start) not in fixed]
            if not doubtful:
                continue
            for t in doubtful:
                t.replacement, t.confidence, t.reason, t.candidates, t.flagged = None, 1.0, "", (), False
            self.decode(sentence, state)

    def _sure_readings(
        self, first: list[list[Token]]
    ) -> tuple[Counter[tuple[str, str]], dict[tuple[int, int], str]]:
        """(observed, read) pairs to teach the channel, and the sure readings by (line, column)."""
        s = self.settings
        pairs: Counter[tuple[str, str]] = Counter()
        fixed: dict[tuple[int, int], str] = {}
        for toks in first:
            for t in toks:
                if t.kind != "word" or t.flagged:
                    continue
                word = (t.replacement if t.replacement is not None else t.plain).lower()
                if t.confidence >= s.adapt_sure:
                    fixed[(t.line, t.start)] = normalize_syllable(word) if " " not in word else word
                    obs = t.plain.lower()
                    if " " not in word and word.isalpha() and len(obs) <= s.adapt_max_length:
                        pairs[(obs, normalize_syllable(word))] += 1
        return pairs, fixed

    def _adapted_channel(self, pairs: Counter[tuple[str, str]]) -> ChannelModel:
        base = self.lexicon.channel
        doc_counts = base.expected_counts(pairs)
        counts = {c: dict(d) for c, d in base.counts.items()}
        for c, d in doc_counts.items():
            row = counts.setdefault(c, {})
            for seg, n in d.items():
                row[seg] = row.get(seg, 0.0) + self.settings.adapt_weight * n
        return ChannelModel(counts, alpha=base.alpha, rules=base.rules, lookalikes=base.lookalikes,
                            priors=base.priors)

    # ---- passes ------------------------------------------------------------------------------
    def _reads_as_vietnamese(self, words: list[str]) -> bool:
        """Text that already reads as correct Vietnamese (it is taken as printed but for plainly damaged
        tokens): enough words carry letters only Vietnamese has; or, in a short text, most words carry
        Vietnamese marks and every word is a known syllable as printed (a repaired line, "và bên an 06.")."""
        if not words:
            return False
        s = self.settings
        if sum(1 for w in words if STRONG_MARKS.search(w)) >= s.clean_ratio * len(words):
            return True
        marked = sum(1 for w in words if VIETNAMESE_ONLY.search(w.lower()))
        if marked < s.clean_marked_share * len(words):
            return False
        ids = self.lm.ids
        return all(w.isalpha() and normalize_syllable(w.lower()) in ids for w in words)

    def _process(self, numbered: list[tuple[int, str]], state: DocumentState) -> list[list[Token]]:
        """Tokenise the lines, cut the sentences (at stops and blank lines) and decode each; the tokens by line."""
        words = [w for _, line in numbered for w in WORD.findall(line) if LETTERLIKE.search(w)]
        state.clean = self._reads_as_vietnamese(words)
        per_line: list[list[Token]] = []
        sentence: list[Token] = []
        state.sentences = sentences = []
        gap = False  # blank lines since the sentence's last line
        for i, line in numbered:
            toks = self.tokenize_line(i, line, tails=not state.clean and not state.confidence.get(i))
            if not line.strip():
                gap = gap or bool(sentence)
            elif gap:
                if not self._continues(line, toks):
                    sentences.append(sentence)
                    sentence = []
                gap = False
            kept: list[Token] = []
            for t in toks:
                # a sentence ends at a stop, and a text without stops is still decoded in bounded pieces
                if sentence and (t == "STOP" or len(sentence) >= MAX_SENTENCE):
                    sentences.append(sentence)
                    sentence = []
                if t != "STOP":
                    assert isinstance(t, Token)
                    sentence.append(t)
                    kept.append(t)
            per_line.append(kept)
        if sentence:
            sentences.append(sentence)
        for sent in sentences:
            self.decode(sent, state)
        return per_line

    def _continues(self, line: str, toks: list[Token | str]) -> bool:
        """A line after a blank line goes on with the sentence before it when it starts with a lower-case word
        (the OCR leaves blank lines inside paragraphs; a heading, a list label or a capital starts anew)."""
        if not self.settings.join_blank_lines or not toks or not isinstance(toks[0], Token):
            return False
        first = toks[0]
        head = line.lstrip()
        if first.kind != "word" or not head.startswith(first.text):
            return False
        return head[:1].islower()

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
                words = [c[0] for c in t.candidates if c[0] is not None][:FLAG_CANDIDATES]
                flags.append(Flag(t.line + 1, t.start + 1, t.text, words, round(t.confidence, 3)))
        parts.append(line[pos:])
        return unicodedata.normalize("NFC", "".join(parts))
