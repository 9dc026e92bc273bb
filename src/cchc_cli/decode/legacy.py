"""Legacy Vietnamese encodings: TCVN3 (ABC), TCVN 5712 VN1 and VNI-Windows as Python codecs, and a detector.

Importing this module registers the codecs with :func:`codecs.register`, so ``--encoding tcvn3`` works like
any Python encoding (``b"...".decode("vni")`` too). Names (case, ``-``/``_`` and spaces do not matter):

* ``tcvn3``, also ``abc``, ``tcvn``, ``vn3``, ``tcvn5712-3``, ``vntime``: the 8-bit font encoding of the ABC
  fonts (.VnTime ...), TCVN 5712:1993 VN3. Lowercase letters with tones, the seven base letters
  Ă Â Ê Ô Ơ Ư Đ in both cases; uppercase letters with tones exist only in VN2's few extra positions
  (0xAF, 0xBA, 0xBF-0xC5, ...) and the combining tone marks at 0xB0-0xB4. Bytes 0x80-0x9F are the
  Windows punctuation a TCVN3 text file saved on Windows contains there (curly quotes, dashes).
  Text set in the all-capital fonts (.VnTimeH) uses the lowercase codes and decodes to lowercase letters:
  those files never recorded the capitals. Converters (e.g. the ``vietnamese`` package on PyPI) write an
  uppercase toned letter as its uppercase base followed by the lowercase toned letter ("Uñy" for "Ủy");
  such a pair, which never occurs in Vietnamese, is read back as the uppercase letter.
* ``tcvn5712-1``, also ``vn1``, ``vscii``, ``tcvn5712``: VN1, the full standard (glibc's TCVN5712-1): VN3
  plus every uppercase toned letter, in 0x80-0x9F and in twelve C0 control positions.
* ``vni``, also ``vni-windows``, ``vni-win``: VNI for Windows: a base letter followed by a mark byte
  (``a`` + 0xF9 "ù" = á; ``o`` + 0xE1 "á" = ố), uppercase marks after uppercase letters, and single bytes for
  đ ơ ư and the marked i / ỵ. Other bytes are Windows-1252.

All decoders return NFC text. Detection (:func:`detect`) decodes the first bytes of a file that is not UTF-8
with each candidate (these three and Windows-1258) and keeps one only when most of the resulting
non-ASCII words are Vietnamese syllables, with a clear margin over the others; Windows-1258 also needs its
own signal, combining tone marks that compose into Vietnamese syllables. Western text (French, German ...
in Windows-1252 or Latin-1) does not pass: its accented letters do not make Vietnamese syllables in any of
these encodings.
"""

from __future__ import annotations

import codecs
import gzip
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

from ..vietnamese import has_syllable_shape, normalize_syllable, split_tone

__all__ = ["CODEC_NAMES", "Candidate", "c0_letters", "detect", "is_syllable", "score_candidates"]

# --- the tables (TCVN 5712:1993 and the VNI-Windows font layout) --------------------------------------

_CP1252 = bytes(range(256)).decode("cp1252", errors="surrogateescape")
# cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D unassigned: read them as the C1 controls (as Latin-1 does)
_WINDOWS = "".join(chr(0x80 + i) if "\udc80" <= ch <= "\udcff" else ch for i, ch in enumerate(_CP1252[128:]))

# 0xA0-0xFF, in rows of 16. Lowercase positions are VN3 (TCVN3/ABC); the uppercase letters and the five
# combining tone marks (0xB0-0xB4) fill the positions VN3 leaves free, as VN2 and VN1 assign them.
_TCVN_HIGH = (
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    "éẹềểễếệìỉỄẾỒĩíịò"
    "Ổỏõóọồổỗốộờởỡớợù"
    "ỖủũúụừửữứựỳỷỹýỵỐ"
)
# VN1 only: uppercase toned letters in 0x80-0x9F and in twelve C0 positions
_VN1_C1 = "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
_VN1_C0 = {0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ",
           0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ"}

_ASCII = "".join(chr(i) for i in range(128))


def c0_letters(codec: str | None) -> bytes:
    """The control bytes (< 0x20) that `codec` reads as letters: VN1's twelve capitals, else none."""
    return bytes(sorted(_VN1_C0)) if codec == "tcvn5712-1" else b""


TCVN3_TABLE = _ASCII + _WINDOWS[:32] + _TCVN_HIGH
VN1_TABLE = "".join(_VN1_C0.get(i, chr(i)) for i in range(128)) + _VN1_C1 + _TCVN_HIGH
assert len(TCVN3_TABLE) == len(VN1_TABLE) == 256

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
# VNI mark bytes: (lowercase byte, uppercase byte) → the marks they add to the letter before them
_VNI_MARKS: dict[tuple[int, int], str] = {
    (0xF8, 0xD8): _GRAVE,
    (0xF9, 0xD9): _ACUTE,
    (0xFB, 0xDB): _HOOK,
    (0xF5, 0xD5): _TILDE,
    (0xEF, 0xCF): _DOT,
    (0xE2, 0xC2): _CIRCUMFLEX,
    (0xE1, 0xC1): _CIRCUMFLEX + _ACUTE,
    (0xE0, 0xC0): _CIRCUMFLEX + _GRAVE,
    (0xE5, 0xC5): _CIRCUMFLEX + _HOOK,
    (0xE3, 0xC3): _CIRCUMFLEX + _TILDE,
    (0xE4, 0xC4): _CIRCUMFLEX + _DOT,
    (0xEA, 0xCA): _BREVE,
    (0xE9, 0xC9): _BREVE + _ACUTE,
    (0xE8, 0xC8): _BREVE + _GRAVE,
    (0xFA, 0xDA): _BREVE + _HOOK,
    (0xFC, 0xDC): _BREVE + _TILDE,
    (0xEB, 0xCB): _BREVE + _DOT,
}
# VNI single-byte letters: (lowercase byte, uppercase byte) → lowercase letter
_VNI_LETTERS: dict[tuple[int, int], str] = {
    (0xF1, 0xD1): "đ",
    (0xF4, 0xD4): "ơ",
    (0xF6, 0xD6): "ư",
    (0xEC, 0xCC): "ì",
    (0xED, 0xCD): "í",
    (0xE6, 0xC6): "ỉ",
    (0xF3, 0xD3): "ĩ",
    (0xF2, 0xD2): "ị",
    (0xEE, 0xCE): "ỵ",
}


def _vni_decoding_map() -> dict[int, str]:
    mapping = {i: ch for i, ch in enumerate(_ASCII + _WINDOWS)}
    for (lower, upper), marks in _VNI_MARKS.items():
        mapping[lower] = mapping[upper] = marks
    for (lower, upper), letter in _VNI_LETTERS.items():
        mapping[lower], mapping[upper] = letter, letter.upper()
    return mapping


VNI_MAP = _vni_decoding_map()

# --- codecs ---------------------------------------------------------------------------------------------

_UPPER_BASES = "AEIOUYĂÂÊÔƠƯ"
_TONES = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)
# "A" + "à" → "À": an uppercase base letter followed by the same letter in lowercase with a tone
_PAIRS = {
    base + unicodedata.normalize("NFC", base.lower() + tone): unicodedata.normalize("NFC", base + tone)
    for base in _UPPER_BASES
    for tone in _TONES
}
_PAIR_RE = re.compile(f"[{_UPPER_BASES}][{''.join(sorted({pair[1] for pair in _PAIRS}))}]")


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _merge_pairs(text: str) -> str:
    return _PAIR_RE.sub(lambda m: _PAIRS.get(m.group(), m.group()), text) if not text.isascii() else text


class _TcvnCodec:
    """TCVN3 or VN1: a byte table, then "A"+"à" pairs merged and NFC (the combining marks of 0xB0-0xB4)."""

    def __init__(self, name: str, table: str) -> None:
        self.name = name
        self.table = table
        self.modifiable = frozenset(i for i, ch in enumerate(table) if ch in _UPPER_BASES)  # "A" in "Aà"
        encoding = {ch: bytes([i]) for i, ch in enumerate(table) if i >= 0x80 or ch != chr(i)}
        for i in range(128):
            encoding.setdefault(chr(i), bytes([i]))
        self.encoding = encoding

    def decode(self, data: bytes, errors: str = "strict") -> tuple[str, int]:
        text, length = codecs.charmap_decode(bytes(data), errors, self.table)
        return _nfc(_merge_pairs(text)), length

    def encode(self, text: str, errors: str = "strict") -> tuple[bytes, int]:
        return _encode_chars(self.name, text, errors, self._char), len(text)

    def _char(self, ch: str) -> bytes | None:
        found = self.encoding.get(ch)
        if found is not None:
            return found
        base, tone = split_tone(ch)
        if tone and base in _UPPER_BASES:  # no code of its own: the converters' pair, "A" + "à"
            return self.encoding[base] + self.encoding[unicodedata.normalize("NFC", base.lower() + _TONES[tone - 1])]
        return None


class _VniCodec:
    name = "vni"

    def __init__(self) -> None:
        # the bytes a following mark byte attaches to: letters
        self.modifiable = frozenset(i for i, ch in VNI_MAP.items() if ch.isalpha())
        self.encoding: dict[str, bytes] = {}
        marks_byte = {marks: pair for pair, marks in _VNI_MARKS.items()}
        taken = {b for pair in (*_VNI_MARKS, *_VNI_LETTERS) for b in pair}
        for i, ch in enumerate(_ASCII + _WINDOWS):
            if i not in taken:
                self.encoding.setdefault(ch, bytes([i]))
        for (lower, upper), letter in _VNI_LETTERS.items():
            self.encoding[letter], self.encoding[letter.upper()] = bytes([lower]), bytes([upper])
        single = {ch for letter in _VNI_LETTERS.values() for ch in (letter, letter.upper())}
        for base in "aeiouyăâêôơưAEIOUYĂÂÊÔƠƯ":
            for tone in ("", *_TONES):
                letter = unicodedata.normalize("NFC", base + tone)
                if letter in single or len(letter) != 1 or letter.isascii():
                    continue
                decomposed = unicodedata.normalize("NFD", letter)
                head, marks = decomposed[0], decomposed[1:]
                if head.lower() in "ou" and marks.startswith("\u031b"):  # ơ, ư: single bytes, then the tone
                    head, marks = unicodedata.normalize("NFC", head + "\u031b"), marks[1:]
                marks = "".join(sorted(marks, key=lambda m: m not in (_CIRCUMFLEX, _BREVE)))
                pair = marks_byte.get(marks)
                if pair is None:
                    continue
                self.encoding[letter] = self.encoding[head] + bytes([pair[1] if head.isupper() else pair[0]])

    def decode(self, data: bytes, errors: str = "strict") -> tuple[str, int]:
        text, length = codecs.charmap_decode(bytes(data), errors, VNI_MAP)
        return _nfc(text), length

    def encode(self, text: str, errors: str = "strict") -> tuple[bytes, int]:
        return _encode_chars(self.name, text, errors, self.encoding.get), len(text)


def _encode_chars(name: str, text: str, errors: str, char_bytes) -> bytes:
    text = _nfc(text)
    out = bytearray()
    for position, ch in enumerate(text):
        found = char_bytes(ch)
        if found is not None:
            out += found
        elif errors == "ignore":
            continue
        elif errors == "replace":
            out += b"?"
        else:
            raise UnicodeEncodeError(name, text, position, position + 1, "character not in this encoding")
    return bytes(out)


class _IncrementalDecoder(codecs.IncrementalDecoder):
    """Decodes chunk by chunk, holding back a last character that a following byte could still change."""

    codec: _TcvnCodec | _VniCodec

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self.pending = b""

    def decode(self, data: bytes, final: bool = False) -> str:  # type: ignore[override]
        data = self.pending + bytes(data)
        self.pending = b""
        if not final and data and data[-1] in self.codec.modifiable:
            # a TCVN capital base may pair with the next byte, a VNI letter may take the next mark byte
            self.pending, data = data[-1:], data[:-1]
        return self.codec.decode(data, self.errors)[0]

    def reset(self) -> None:
        self.pending = b""

    def getstate(self) -> tuple[bytes, int]:
        return self.pending, 0

    def setstate(self, state: tuple[bytes, int]) -> None:
        self.pending = state[0]


def _codec_info(codec: _TcvnCodec | _VniCodec) -> codecs.CodecInfo:
    class IncrementalDecoder(_IncrementalDecoder):
        pass

    IncrementalDecoder.codec = codec

    class IncrementalEncoder(codecs.IncrementalEncoder):
        def encode(self, text: str, final: bool = False) -> bytes:  # type: ignore[override]
            return codec.encode(text, self.errors)[0]

    class StreamReader(codecs.StreamReader):
        def decode(self, data: bytes, errors: str = "strict") -> tuple[str, int]:  # type: ignore[override]
            return codec.decode(data, errors)

    class StreamWriter(codecs.StreamWriter):
        def encode(self, text: str, errors: str = "strict") -> tuple[bytes, int]:  # type: ignore[override]
            return codec.encode(text, errors)

    return codecs.CodecInfo(
        name=codec.name,
        encode=codec.encode,
        decode=codec.decode,
        incrementalencoder=IncrementalEncoder,
        incrementaldecoder=IncrementalDecoder,
        streamreader=StreamReader,
        streamwriter=StreamWriter,
    )


CODEC_NAMES = ("tcvn3", "tcvn5712-1", "vni")


@cache
def _codec(name: str) -> _TcvnCodec | _VniCodec:
    if name == "vni":
        return _VniCodec()
    return _TcvnCodec(name, TCVN3_TABLE if name == "tcvn3" else VN1_TABLE)


_ALIASES = {
    **dict.fromkeys(["tcvn3", "abc", "tcvn", "vn3", "tcvn5712_3", "vntime", "tcvn_abc"], "tcvn3"),
    **dict.fromkeys(["tcvn5712_1", "tcvn5712", "tcvn_5712", "vn1", "vscii", "tcvn5712_1:1993"], "tcvn5712-1"),
    **dict.fromkeys(["vni", "vni_windows", "vni_win", "vniwin", "vni_windows_font"], "vni"),
}


def _search(name: str) -> codecs.CodecInfo | None:
    key = _ALIASES.get(name.lower().replace("-", "_").replace(" ", "_"))
    return None if key is None else _codec_info_of(key)


@cache
def _codec_info_of(name: str) -> codecs.CodecInfo:
    return _codec_info(_codec(name))


codecs.register(_search)

# --- detection ------------------------------------------------------------------------------------------

# Runs of letter bytes in any of the candidate encodings (ASCII letters, high bytes, VN1's C0 letters) that
# are not plain ASCII words: the only places where the encodings differ.
_RUN_RE = re.compile(rb"[A-Za-z\x80-\xff\x01\x02\x04-\x06\x11-\x17]+")
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
WORD_RE = _WORD_RE
_TONE_MARKS = frozenset(_TONES)
_TONED = frozenset(unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in _TONES)

MIN_VALID = 3  # Vietnamese words needed before a legacy encoding is considered at all
MIN_SHARE = 0.8  # of the non-ASCII words, the share that must be Vietnamese syllables
MARGIN = 2.0  # the winner's count of Vietnamese words over the runner-up's
CP1258_MIN_COMPOSED = 3  # Windows-1258's own signal: syllables made by composing its combining tone marks
MAX_WORDS = 2000  # distinct non-ASCII words looked at (64 KB of Vietnamese has about 1,100): bounds the time

_CANDIDATES = ("tcvn3", "tcvn5712-1", "vni", "cp1258")
_FAMILY = {"tcvn3": "tcvn", "tcvn5712-1": "tcvn", "vni": "vni", "cp1258": "cp1258"}


@dataclass
class Candidate:
    """What decoding a file's head with one codec gives: occurrences of non-ASCII words by kind."""

    codec: str
    valid: int = 0  # words that are Vietnamese syllables
    invalid: int = 0  # words with non-ASCII letters or stray marks that are not
    composed: int = 0  # valid words whose tone came as a combining mark

    @property
    def share(self) -> float:
        total = self.valid + self.invalid
        return self.valid / total if total else 0.0


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """The words the repair model knows (the ``<vocab>`` line of dictionaries/ocr_index: Vietnamese syllables
    and some foreign words, which the shape test in is_syllable leaves out); empty when the data is missing
    (then the shape alone decides)."""
    from ..data import open_bytes

    try:
        with open_bytes("ocr_index.txt.gz") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if line.startswith("<vocab>\t"):
                    return frozenset(line.rstrip("\n").split("\t")[1:])  # is_syllable checks the shape
                if number > 100:
                    break
    except OSError:
        pass
    return frozenset()


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """An NFC word (lowercase, Capitalised or UPPERCASE) that is a Vietnamese syllable, with its tone on
    either vowel of oa/oe/uy ("hoà" as well as "hòa")."""
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
        return False
    lower = word.lower()
    if not has_syllable_shape(lower) or sum(ch in _TONED for ch in lower) > 1:
        return False
    known = _syllables()
    return not known or lower in known or normalize_syllable(lower) in known


def _ambiguous(run: bytes) -> bool:
    """A lone C0/C1 byte: VN1's capital letter or the dash, bullet or ellipsis Windows puts there."""
    return len(run) == 1 and (run[0] < 0x20 or 0x80 <= run[0] < 0xA0)


def score_candidates(head: bytes) -> list[Candidate]:
    """How each candidate encoding reads the non-ASCII words of `head`.

    The distinct letter runs with non-ASCII bytes are joined and decoded once per candidate (in C), so the
    cost is one decode and one look-up per distinct word, not per byte.
    """
    runs: dict[bytes, int] = {}
    for run, count in Counter(_RUN_RE.findall(head)).items():
        if not run.isalpha() and not _ambiguous(run):
            runs[run] = count
            if len(runs) == MAX_WORDS:
                break
    if not runs:  # only ambiguous bytes (a lone dash or euro sign): no word to judge any encoding by
        return [Candidate(codec) for codec in _CANDIDATES]
    counts = list(runs.values())
    blob = b"\n".join(runs)
    scores = []
    for codec in _CANDIDATES:
        candidate = Candidate(codec)
        scores.append(candidate)
        if codec == "cp1258":
            raw = blob.decode("cp1258", errors="replace")
            marked = [any(ch in _TONE_MARKS for ch in part) for part in raw.split("\n")]
            text = unicodedata.normalize("NFC", raw)
        else:
            text = _codec(codec).decode(blob, "replace")[0]
            marked = None
        for index, (part, count) in enumerate(zip(text.split("\n"), counts, strict=True)):
            for word in (part,) if part.isalpha() else _WORD_RE.findall(part):
                if word.isascii():
                    continue
                if is_syllable(word):
                    candidate.valid += count
                    if marked is not None and marked[index]:
                        candidate.composed += count
                else:
                    candidate.invalid += count
    return scores


def detect(head: bytes) -> str | None:
    """The legacy encoding `head` (the first bytes of a file that is not UTF-8) is unmistakably in, or None.

    Each candidate decodes the words that have non-ASCII bytes; the winner has the most Vietnamese
    syllables, at least MIN_VALID of them, MIN_SHARE of its non-ASCII words, and MARGIN times as many as
    any other family. Windows-1258 also needs CP1258_MIN_COMPOSED syllables made with its combining marks.
    """
    scores = score_candidates(head)
    best_of_family: dict[str, Candidate] = {}
    for candidate in scores:  # TCVN3 and VN1 differ only in 0x80-0x9F and C0: VN1 only when it reads better
        family = _FAMILY[candidate.codec]
        held = best_of_family.get(family)
        if held is None or candidate.valid - candidate.invalid > held.valid - held.invalid:
            best_of_family[family] = candidate
    ranked = sorted(best_of_family.values(), key=lambda c: c.valid, reverse=True)
    best, runner_up = ranked[0], ranked[1]
    if best.valid < MIN_VALID or best.share < MIN_SHARE or best.valid < MARGIN * runner_up.valid:
        return None
    if best.codec == "cp1258" and best.composed < CP1258_MIN_COMPOSED:
        return None
    return best.codec
