"""Reading page images with Tesseract's Vietnamese model (``tesseract … -l vie --oem 1``), through its command
line: no Python binding to build, and the same program a user would run by hand.

:func:`find_tesseract` says whether Tesseract and its ``vie`` data are installed (``cchc doctor`` reports it);
:func:`ocr_page` reads one page image (PNG bytes) and returns its text, line by line, with each word's
confidence from Tesseract's TSV output (0-100), which the repair stage takes as evidence: a word Tesseract
was sure of is kept, a doubtful one may be changed.

The text is laid out as Tesseract's own text output lays it out (a blank line between paragraphs), except
that a wide gap between two words of one line (the issuing body | national motto columns of a header, the
cells of a table row) is kept as several spaces, so the columns stay apart in the text as on the page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import InputError

__all__ = ["INSTALL_HINT", "OcrPage", "OcrWord", "Tesseract", "find_tesseract", "ocr_page", "require_tesseract"]

INSTALL_HINT = "install Tesseract with its Vietnamese data (apt-get install tesseract-ocr tesseract-ocr-vie)"
LANG = "vie"
# Page segmentation: one uniform block of text (6) keeps the header's two columns and a table's cells on
# their printed lines; measured against automatic segmentation (3, 4) in bench/scans.py.
PSM = 6
OCR_TIMEOUT = 600  # seconds for one page: a page that takes longer is refused, the batch goes on
# Words Tesseract reads with a confidence under this (0-100) are left out of the text: specks, table rules
# and dotted leaders read as letters ("rrrrrrr", "TSIẸẸEẸTTTT"). On the scans of the corpus's training part
# (scripts/make_scans.py) 90% of the words under 10 are not on the page, and leaving them out removes 31% of
# Tesseract's errors; 20 removes 2 points more there, but real scans read with lower confidences throughout,
# so the lower bound is kept.
JUNK_CONFIDENCE = 10.0
# A gap between two words wider than this many times the line's height is printed as a column gap.
COLUMN_GAP = 1.5
COLUMN_SPACES = 6
# Letters Tesseract vie prints for Vietnamese ones that look the same: the Icelandic eth for đ (16 times in
# the dev scans' 47,000 syllables, never in their text).
LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})


@dataclass(frozen=True, slots=True)
class Tesseract:
    """An installed Tesseract: its program, version and the languages its data holds."""

    path: str
    version: str
    languages: tuple[str, ...]

    @property
    def has_vietnamese(self) -> bool:
        return LANG in self.languages


@dataclass(frozen=True, slots=True)
class OcrWord:
    """A word of the page's text: 0-based line and columns in :attr:`OcrPage.text`, confidence 0-100."""

    line: int
    start: int
    end: int
    confidence: float


@dataclass(slots=True)
class OcrPage:
    text: str
    words: list[OcrWord] = field(default_factory=list)

    @property
    def confidence(self) -> float | None:
        """The mean word confidence (0-100), None for a page without words."""
        if not self.words:
            return None
        return sum(w.confidence for w in self.words) / len(self.words)


def _env() -> dict[str, str]:
    # one thread per Tesseract: cchc runs pages (and files) in parallel processes itself
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


@lru_cache(maxsize=4)
def _probe(program: str) -> Tesseract | None:
    try:
        version = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30, env=_env())
        langs = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, env=_env())
    except (OSError, subprocess.SubprocessError):
        return None
    first = (version.stdout or version.stderr).strip().splitlines()
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", first[0]) if first else None
    listed = [ln.strip() for ln in langs.stdout.splitlines()[1:] if ln.strip()]
    return Tesseract(program, match.group(1) if match else "unknown", tuple(listed))


def find_tesseract() -> Tesseract | None:
    """The Tesseract on PATH (or at ``$CCHC_TESSERACT``), None when there is none."""
    program = os.environ.get("CCHC_TESSERACT") or shutil.which("tesseract")
    if not program:
        return None
    return _probe(program)


def require_tesseract(label: str, what: str) -> Tesseract:
    """The installed Tesseract with Vietnamese data, else an InputError saying how to install it."""
    found = find_tesseract()
    if found is None:
        raise InputError(f"{label}: {what} needs OCR, and Tesseract is not installed: {INSTALL_HINT}")
    if not found.has_vietnamese:
        raise InputError(f"{label}: {what} needs OCR, and Tesseract has no Vietnamese data ('vie'): "
                         f"{INSTALL_HINT}")
    return found


def ocr_page(png: bytes, tesseract: Tesseract, label: str, *, dpi: int, psm: int = PSM) -> OcrPage:
    """The text of one page image (PNG bytes), read with ``-l vie --oem 1``. InputError when Tesseract fails
    on it (the message names the file and what Tesseract said)."""
    cmd = [tesseract.path, "stdin", "stdout", "-l", LANG, "--oem", "1", "--psm", str(psm), "--dpi", str(dpi), "tsv"]
    try:
        done = subprocess.run(cmd, input=png, capture_output=True, timeout=OCR_TIMEOUT, env=_env())
    except subprocess.TimeoutExpired:
        raise InputError(f"{label}: Tesseract took over {OCR_TIMEOUT} s on a page; check the scan") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot run Tesseract ({exc.strerror or exc}): {INSTALL_HINT}") from None
    if done.returncode != 0:
        said = " ".join(done.stderr.decode("utf-8", "replace").split())[-200:] or f"exit {done.returncode}"
        raise InputError(f"{label}: Tesseract could not read a page ({said}); check the scan")
    return layout_tsv(done.stdout.decode("utf-8", "replace"))


def layout_tsv(tsv: str, min_confidence: float = JUNK_CONFIDENCE) -> OcrPage:
    """The page text and word confidences from Tesseract's TSV (level 5 rows are words); words read with a
    confidence under `min_confidence` are left out."""
    lines: list[list[tuple[int, int, int, float, str]]] = []  # words of each printed line
    keys: list[tuple[int, int, int]] = []
    for row in tsv.split("\n")[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = unicodedata.normalize("NFC", cols[11].strip().translate(LOOKALIKES))
        if not text or float(cols[10]) < min_confidence:
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))  # block, paragraph, line
        left, width, height, conf = int(cols[6]), int(cols[8]), int(cols[9]), float(cols[10])
        if not keys or keys[-1] != key:
            keys.append(key)
            lines.append([])
        lines[-1].append((left, width, height, max(conf, 0.0), text))
    out: list[str] = []
    words: list[OcrWord] = []
    previous: tuple[int, int] | None = None
    for key, line in zip(keys, lines, strict=True):
        if previous is not None and key[:2] != previous:
            out.append("")  # a new paragraph or block, as Tesseract's text output prints it
        previous = key[:2]
        height = sorted(w[2] for w in line)[len(line) // 2]
        parts: list[str] = []
        column = 0
        right = None
        for left, width, _, conf, text in line:
            if right is not None:
                gap = " " * COLUMN_SPACES if left - right > COLUMN_GAP * height else " "
                parts.append(gap)
                column += len(gap)
            words.append(OcrWord(len(out), column, column + len(text), conf))
            parts.append(text)
            column += len(text)
            right = left + width
        out.append("".join(parts))
    return OcrPage("\n".join(out), words)
