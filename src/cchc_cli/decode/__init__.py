"""Decode stage: the bytes of an input file → NFC text, or a one-line refusal that says what to do.

PDFs, page images and Word files are recognised by their bytes and read by :mod:`.source` (their text,
page by page; OCR by :mod:`.ocr`); this module decodes text. Order (issue 2; issue 4 extends step 5):

1. binaries are recognised first, by magic bytes (PDF, Word/ZIP, old Office, RTF, images) and by NUL or
   other control bytes, and refused with a message naming the remedy;
2. an explicit ``--encoding`` wins;
3. a byte-order mark: UTF-8, UTF-16 LE/BE (and UTF-32);
4. strict UTF-8;
5. legacy Vietnamese encodings, through :data:`LEGACY_DETECTORS`: :func:`cchc_cli.decode.legacy.detect` reads the
   head as TCVN3 (ABC), TCVN 5712 VN1, VNI-Windows and Windows-1258 and keeps the one whose non-ASCII words
   are Vietnamese syllables by a clear margin (Windows-1258 only with its combining tone marks); the codecs
   are registered by :mod:`cchc_cli.decode.legacy`, so ``--encoding tcvn3|vni|cp1258`` work too;
6. anything else is refused: "FILE: not UTF-8 text; pass --encoding (e.g. --encoding cp1258)".

Nothing is translated: ``\\r`` and a missing final newline survive (we decode bytes, never open files in
text mode). The text is normalised to NFC, the one form the rest of the program works in; a BOM is dropped.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ..errors import InputError, UsageError
from . import legacy

__all__ = [
    "HEAD_SIZE",
    "LEGACY_DETECTORS",
    "LegacyDetector",
    "check_encoding",
    "decode_bytes",
    "encoding_doubt",
    "guess_encoding",
    "iter_decoded_lines",
    "sniff_binary",
]

# How much of a file is looked at to recognise binaries and to choose an encoding.
HEAD_SIZE = 64 * 1024
_CHUNK_SIZE = 1024 * 1024

_OCR_FIRST = "pass the file itself to cchc repair/ingest, which OCRs it (the text functions take text only)"
_AS_PLAIN_TEXT = "save it as DOCX or plain text (.txt, UTF-8)"

# (magic bytes, offset, what the file is and what to do). Checked in order.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF", 0, "a PDF: pass the file itself to cchc repair/ingest (the text functions take text only)"),
    (b"PK\x03\x04", 0, "a ZIP archive (not a Word DOCX): unpack it and pass its files"),
    (b"PK\x05\x06", 0, "a ZIP archive (not a Word DOCX): unpack it and pass its files"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, f"a Word/Office (.doc) file: {_AS_PLAIN_TEXT}"),
    (b"{\\rtf", 0, f"an RTF document: {_AS_PLAIN_TEXT}"),
    (b"\x89PNG\r\n\x1a\n", 0, f"an image (PNG): {_OCR_FIRST}"),
    (b"\xff\xd8\xff", 0, f"an image (JPEG): {_OCR_FIRST}"),
    (b"II*\x00", 0, f"an image (TIFF): {_OCR_FIRST}"),
    (b"MM\x00*", 0, f"an image (TIFF): {_OCR_FIRST}"),
    (b"GIF87a", 0, f"an image (GIF): {_OCR_FIRST}"),
    (b"GIF89a", 0, f"an image (GIF): {_OCR_FIRST}"),
    (b"WEBP", 8, f"an image (WebP): {_OCR_FIRST}"),
    (b"\x1f\x8b", 0, "a gzip-compressed file: decompress it first"),
)
_BINARY = "a binary file, not text: pass a plain text file (.txt, UTF-8)"

# Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 control bytes that never occur in text files (tab, newlines, form feed and escape do occur).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1b")
_CONTROL_SHARE = 0.01

LegacyDetector = Callable[[bytes], "str | None"]
"""Looks at the first bytes of a file that is not UTF-8 and returns the name of a registered Python codec
(``codecs.register``) when they are unmistakably in that encoding, else None.

Registered: :func:`cchc_cli.decode.legacy.detect` (TCVN3/ABC, VN1, VNI, and Windows-1258 only on an unmistakable
signal). Detectors run in order; the first answer wins. The codec's output is normalised to NFC here, so
decomposed cp1258 marks compose.
"""
LEGACY_DETECTORS: list[LegacyDetector] = [legacy.detect]


def check_encoding(encoding: str) -> str:
    """The canonical codec name for ``--encoding``; a usage error when Python knows no such codec, or one
    that is not a text encoding (rot13, base64, zlib, hex turn bytes into bytes)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise UsageError(
            f"unknown encoding {encoding!r} (--encoding); try utf-8, utf-16, cp1258, tcvn3 or vni"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"--encoding {encoding}: not a text encoding (it turns bytes into bytes); try utf-8, "
                         "utf-16, cp1258, tcvn3 or vni")
    return info.name


def sniff_binary(head: bytes, path: str, *, wide: bool = False, codec: str | None = None) -> None:
    """Refuse a file whose first bytes show it is not text. `wide`: UTF-16/32, where NUL bytes are normal.

    `codec`: the encoding given with --encoding; TCVN 5712 VN1 has capital letters on control bytes."""
    if head.startswith(b"PK\x03\x04") and b"word/" in head[:4096]:
        raise InputError(f"{path}: a Word (DOCX) file: pass the file itself to cchc repair/ingest (the text "
                         "functions take text only)")
    for magic, offset, what in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            raise InputError(f"{path}: {what}")
    if wide or _bom(head)[0] in {"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"}:
        return
    if b"\x00" in head:
        raise InputError(_binary(path, head if codec is None else b""))
    sample = head[:8192]
    limit = _CONTROL_SHARE * len(sample)
    if sample and _controls(sample, legacy.c0_letters(codec)) > limit:
        vn1_letters = legacy.c0_letters("tcvn5712-1")
        if codec is None and _controls(sample, vn1_letters) <= limit and legacy.detect(head) == "tcvn5712-1":
            return
        raise InputError(_binary(path, head if codec is None else b""))


# What a file that is not UTF-8 looks like, for the hint of its refusal: (codec, how the user knows it).
_NAMES = {"utf-16-le": "UTF-16 (little-endian) without a byte-order mark",
          "utf-16-be": "UTF-16 (big-endian) without a byte-order mark",
          "tcvn3": "TCVN3 (ABC)", "tcvn5712-1": "TCVN 5712 VN1", "vni": "VNI", "cp1258": "Windows-1258"}
_FLAG = {"utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}
_WIDE_NUL_SHARE = 0.3  # of the high (or low) bytes of UTF-16 code units: ASCII text has NUL there
_PRINTABLE_SHARE = 0.95


def guess_encoding(head: bytes) -> str | None:
    """The encoding a file that is neither UTF-8 nor unmistakably one of the legacy ones most likely is (for a
    hint, never to read it by): UTF-16 without a byte-order mark (NUL in every other byte, text once decoded),
    or the legacy encoding that reads its non-ASCII words as Vietnamese syllables and none as garbage."""
    sample = head[: 8192 - 8192 % 2]
    for codec, nul_at in (("utf-16-le", 1), ("utf-16-be", 0)):
        halves = sample[nul_at::2]
        if halves and halves.count(0) >= _WIDE_NUL_SHARE * len(halves):
            try:
                text = sample.decode(codec)
            except UnicodeDecodeError:
                continue
            if sum(ch.isprintable() or ch in "\t\r\n" for ch in text) >= _PRINTABLE_SHARE * len(text):
                return codec
    if b"\x00" in sample:
        return None
    best = max(legacy.score_candidates(head), key=lambda c: (c.valid - c.invalid, c.valid))
    return best.codec if best.valid and not best.invalid else None


def _binary(path: str, head: bytes) -> str:
    """The refusal of a file that does not read as text, with the encoding it looks like when there is one."""
    codec = guess_encoding(head) if head else None
    if codec is None:
        return f"{path}: {_BINARY}"
    return f"{path}: not UTF-8 text; it looks like {_NAMES[codec]}: try --encoding {_FLAG.get(codec, codec)}"


def encoding_doubt(head: bytes, encoding: str) -> str | None:
    """Why ``--encoding ENC`` looks wrong for a file whose first bytes are `head`: they are valid UTF-8 with
    Vietnamese words, and ENC turns them into words that are not Vietnamese (mojibake: 'á»¦Y' for 'ỦY').
    None when ENC reads them as well, or they are not UTF-8."""
    codec = check_encoding(encoding)
    if codecs.lookup(codec).name.startswith("utf-8") or head.isascii():
        return None
    try:
        as_utf8 = codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
        as_given = _nfc(head.decode(_with_byte_order(codec, head), errors="replace"))
    except (UnicodeDecodeError, LookupError):
        return None
    right, wrong = _vietnamese_words(as_utf8), _vietnamese_words(as_given)
    if right <= wrong or right < legacy.MIN_VALID:
        return None
    return (f"the file is valid UTF-8 and reads as Vietnamese that way, but --encoding {encoding} gives words "
            "that are not Vietnamese; drop --encoding unless you are sure")


def _vietnamese_words(text: str) -> int:
    return sum(1 for word in legacy.WORD_RE.findall(text) if not word.isascii() and legacy.is_syllable(word))


def _controls(sample: bytes, letters: bytes) -> int:
    return sum(sample.count(b) for b in _CONTROL if b not in letters)


def decode_bytes(data: bytes, path: str, encoding: str | None = None) -> str:
    """The text of a whole file. Raises InputError (binary, undecodable) or UsageError (unknown encoding)."""
    if not data:
        return ""
    codec = check_encoding(encoding) if encoding else None
    sniff_binary(data[:HEAD_SIZE], path, wide=_is_wide(codec), codec=codec)
    if codec is None:
        codec, bom_length = _bom(data)
        data = data[bom_length:]
    if codec is not None:
        codec = _with_byte_order(codec, data)
        _no_nul(data, codec, path)
        return _text(_decode(data, codec, path, explicit=encoding is not None), codec, path)
    _no_nul(data, None, path)
    try:
        return _nfc(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        detected = _detect_legacy(data[:HEAD_SIZE])
        if detected is None:
            raise InputError(_not_utf8(path, data, exc)) from None
        return _text(_decode(data, detected, path, explicit=False), detected, path)


def iter_decoded_lines(stream: BinaryIO, path: str, encoding: str | None = None) -> Iterator[str]:
    """Decode a binary stream incrementally into NFC lines, each with its "\\n" (the last may lack one).

    Memory stays bounded by the longest line. The encoding is chosen from the first HEAD_SIZE bytes as in
    :func:`decode_bytes`; bytes further on that do not decode raise InputError with the line they are on,
    so callers writing to a final destination should validate first (one pass) or write atomically.
    """
    head = _read_at_least(stream, HEAD_SIZE)
    if not head:
        return
    at_eof = len(head) < HEAD_SIZE
    codec = check_encoding(encoding) if encoding else None
    sniff_binary(head, path, wide=_is_wide(codec), codec=codec)
    explicit = codec is not None
    if codec is None:
        codec, bom_length = _bom(head)
        head = head[bom_length:]
    if codec is None:
        try:
            codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=at_eof)
            codec = "utf-8"
        except UnicodeDecodeError as exc:
            codec = _detect_legacy(head)
            if codec is None:
                raise InputError(_not_utf8(path, head, exc)) from None
    codec = _with_byte_order(codec, head)
    wide = _is_wide(codec)
    if explicit and codec == "utf-8":
        codec = "utf-8-sig"
    decoder = codecs.getincrementaldecoder(codec)("strict")
    lines_done = 0
    pending = ""
    chunk = head
    first = True
    while True:
        final = not chunk
        if chunk and not wide and b"\x00" in chunk:
            raise InputError(f"{path}: {_BINARY}")
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            line = lines_done + pending.count("\n") + chunk.count(b"\n", 0, exc.start) + 1
            raise InputError(_bad_bytes(path, codec, line, explicit)) from None
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        pending += text
        parts = pending.split("\n")
        pending = parts.pop()
        for part in parts:
            lines_done += 1
            yield _text(part + "\n", codec, path)
        if final:
            break
        chunk = b"" if at_eof else stream.read(_CHUNK_SIZE)
        at_eof = at_eof or not chunk
    if pending:
        yield _text(pending, codec, path)


# --- helpers ---------------------------------------------------------------------------------------------


def _read_at_least(stream: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < size:
        block = stream.read(size - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _bom(data: bytes) -> tuple[str | None, int]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None, 0


def _is_wide(codec: str | None) -> bool:
    return codec is not None and codecs.lookup(codec).name.startswith(("utf-16", "utf-32"))


def _detect_legacy(head: bytes) -> str | None:
    for detector in LEGACY_DETECTORS:
        codec = detector(head)
        if codec:
            return codec
    return None


def _decode(data: bytes, codec: str, path: str, *, explicit: bool) -> str:
    try:
        return data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(_bad_bytes(path, codec, _line_of(data, exc.start), explicit)) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _not_utf8(path: str, data: bytes, exc: UnicodeDecodeError) -> str:
    codec = guess_encoding(data[:HEAD_SIZE])
    if codec is not None:
        return f"{path}: not UTF-8 text (line {_line_of(data, exc.start)}); it looks like {_NAMES[codec]}: try " \
               f"--encoding {_FLAG.get(codec, codec)}"
    return (
        f"{path}: not UTF-8 text (line {_line_of(data, exc.start)}); "
        "pass --encoding (e.g. --encoding cp1258)"
    )


def _bad_bytes(path: str, codec: str, line: int, explicit: bool) -> str:
    if explicit:
        return f"{path}: not valid {codec} text (line {line}); check --encoding"
    if codec.startswith("utf-8"):
        return f"{path}: not UTF-8 text (line {line}); pass --encoding (e.g. --encoding cp1258)"
    return f"{path}: not valid {codec} text (line {line}); pass --encoding"


def _with_byte_order(codec: str, data: bytes) -> str:
    """UTF-16 or UTF-32 named without a byte order, on text without a byte-order mark: little-endian, as
    Windows writes it (Python's stream decoder would refuse it; its whole-text decoder guesses the machine's)."""
    name = codecs.lookup(codec).name
    if name in ("utf-16", "utf-32") and _bom(data)[0] is None:
        return f"{name}-le"
    return codec


def _no_nul(data: bytes, codec: str | None, path: str) -> None:
    """A NUL byte anywhere (outside UTF-16/32, where they are normal) is a binary file, whatever its size."""
    if not _is_wide(codec) and b"\x00" in data:
        raise InputError(f"{path}: {_BINARY}")


def _text(text: str, codec: str, path: str) -> str:
    """Decoded text, in NFC; a codec that made lone surrogates (utf-7, unicode_escape) made no text."""
    text = _nfc(text)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"{path}: decoding it as {codec} gives characters no text holds (lone surrogates); "
                             "check --encoding") from None
    return text


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)
