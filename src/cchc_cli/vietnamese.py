"""Vietnamese orthography: tones, vowel marks, base letters and one tone-placement convention.

The convention is the "old style" used by most administrative documents: hòa, hòe, thủy, Ủy (tone on the
first vowel of oa/oe/uy when nothing follows), hoàn, quý, quả, người, thuyền otherwise by the usual rules.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TONE_MARKS = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
TONE_BY_NUMBER = {v: k for k, v in TONE_MARKS.items()}
VOWEL_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
VOWELS = set("aăâeêioôơuưy")
MARKED_VOWELS = set("ăâêôơư")
# Letters only Vietnamese text has (outside Latin-1): an OCR reading with an English model prints é, à, ô
# but never these.
STRONG_MARKS = re.compile(
    "[ăơưđĂƠƯĐạảẹẻẽịỉĩọỏụủũỳỵỷỹầấẩẫậằắẳẵặềếểễệồốổỗộờớởỡợừứửữự"
    "ẠẢẸẺẼỊỈĨỌỎỤỦŨỲỴỶỸẦẤẨẪẬẰẮẲẴẶỀẾỂỄỆỒỐỔỖỘỜỚỞỠỢỪỨỬỮỰ]"
)


def split_tone(syllable: str) -> tuple[str, int]:
    """('toán' → 'toan', 2) with vowel marks kept: ('người' → 'người' without tone, 1)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = 0
    kept = []
    for ch in decomposed:
        if ch in TONE_MARKS:
            tone = TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


@lru_cache(maxsize=65536)
def strip_marks(text: str) -> str:
    """Letters without any diacritic: 'Đường' → 'Duong'."""
    decomposed = unicodedata.normalize("NFD", text)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return out.replace("đ", "d").replace("Đ", "D")


def _tone_position(base: str) -> int | None:
    """Index in `base` (lowercase, toneless, NFC) of the vowel that carries the tone, old style."""
    n = len(base)
    start = 0
    # 'qu' and 'gi' (before another vowel) belong to the onset
    if base.startswith("qu") or (base.startswith("gi") and n > 2 and base[2] in VOWELS):
        start = 2
    i = start
    while i < n and base[i] not in VOWELS:
        i += 1
    if i == n:
        if start == 2 and base.startswith("gi"):
            return 1
        return None
    j = i
    while j < n and base[j] in VOWELS:
        j += 1
    nucleus = range(i, j)
    has_coda = j < n
    marked = [k for k in nucleus if base[k] in MARKED_VOWELS]
    if marked:
        return marked[-1]  # ươ → ơ; otherwise the only marked vowel
    length = j - i
    if length == 1:
        return i
    if length == 2:
        return i + 1 if has_coda else i
    return i + 1  # three plain vowels (oai, uyu, oay): the middle one


@lru_cache(maxsize=131072)
def place_tone(base: str, tone: int) -> str:
    """Put tone number 0-5 on a toneless syllable (any case) by the project's convention."""
    if tone == 0:
        return base
    pos = _tone_position(base.lower())
    if pos is None:
        return base
    mark = TONE_BY_NUMBER[tone]
    return unicodedata.normalize("NFC", base[: pos + 1] + mark + base[pos + 1 :])


@lru_cache(maxsize=131072)
def normalize_syllable(syllable: str) -> str:
    """One syllable (any case) rewritten with the project's tone placement, NFC."""
    base, tone = split_tone(syllable)
    if tone == 0 or sum(ch in TONE_MARKS for ch in unicodedata.normalize("NFD", syllable)) > 1:
        return unicodedata.normalize("NFC", syllable)  # no tone, or not one syllable (two run together)
    return place_tone(base, tone)


def normalize_tones(text: str) -> str:
    """NFC text with every syllable's tone mark placed by the project's convention."""
    import regex

    text = unicodedata.normalize("NFC", text)
    return regex.sub(r"\p{L}+", lambda m: normalize_syllable(m.group()), text)


def tone_allowed(syllable: str) -> bool:
    """Phonotactics: a syllable closed by p, t, c or ch takes only the sắc or nặng tone ('sach' cannot be)."""
    base, tone = split_tone(syllable.lower())
    if base.endswith(("p", "t", "c", "ch")) and any(v in base for v in VOWELS):
        return tone in (2, 5)
    return True


_ALL_VOWELS = "".join(
    unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in ("", *TONE_MARKS)
)
# onset, one to three vowels (any tone), coda: the shape of a lowercase Vietnamese syllable
SYLLABLE_SHAPE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnpqrstvx])?"
    f"[{_ALL_VOWELS}]{{1,3}}"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def has_syllable_shape(word: str) -> bool:
    """Could this lowercase word be a Vietnamese syllable by its letters alone ('tu' yes, 'sipas' no)?"""
    return SYLLABLE_SHAPE.fullmatch(word) is not None


# --- alphabetical order ----------------------------------------------------------------------------------

# The Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), with the Latin letters
# it lacks (f, j, w, z) where Latin puts them, for names and codes written in them.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
# Tones after the letters, in the dictionaries' order: ngang, huyền, hỏi, ngã, sắc, nặng (the numbers are
# those of TONE_MARKS: 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng).
TONE_ORDER = {0: 0, 1: 1, 3: 2, 4: 3, 2: 4, 5: 5}
_SORT_WORD = re.compile(r"\d+|[^\W\d_]+")

SortKey = tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...], str]


@lru_cache(maxsize=65536)
def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letters, tones) of one word (lowercase NFC), or of a number: ((0, value),) sorts numbers by value,
    before words."""
    if word.isdigit():
        return (0, int(word)), ()
    letters: list[int] = [1]
    tones: list[int] = []
    for ch in word:
        base, tone = split_tone(ch)
        letters.append(_LETTER_RANK.get(base, len(ALPHABET) + ord(base[0])))
        tones.append(TONE_ORDER[tone])
    return tuple(letters), tuple(tones)


def sort_key(text: str | None) -> SortKey:
    """A key that sorts text in Vietnamese alphabetical order: word by word, letters first (a < ă < â < b …
    d < đ …), then the tones of the word (ngang, huyền, hỏi, ngã, sắc, nặng), then case; numbers by value,
    before words; punctuation ignored except as the last tie-break. None and empty text sort first."""
    text = unicodedata.normalize("NFC", text or "")
    words = [_word_key(w) for w in _SORT_WORD.findall(text.lower())]
    return tuple(w[0] for w in words), tuple(w[1] for w in words), text
