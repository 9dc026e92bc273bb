"""Measure Tesseract's Vietnamese model on scans of the corpus's training part: how often a word it prints is
wrong at each confidence, and how its wrong words differ from the right ones (tone, vowel marks or đ, both).
Writes dictionaries/vie_ocr.yaml, the repair's channel for text Tesseract vie read (cchc_cli.repair.vie_ocr).

usage: python scripts/train_vie_ocr.py SCANS_DIR [SCANS_DIR ...] [--out dictionaries/vie_ocr.yaml] [--jobs 2]
                                       [--psm 6]

SCANS_DIR: made by scripts/make_scans.py from the *training* part (e.g. work-data/scans/dev): NAME.pdf with
NAME.gold.txt. Each PDF is read as cchc reads it (cchc_cli.decode.source.read_source: pages drawn, Tesseract
``-l vie --oem 1``, junk words left out), its words aligned with the gold text's syllables (difflib over
lowercase tokens; only one-for-one pairs count), and each printed word counted as right or wrong in its
confidence band.
"""

from __future__ import annotations

import argparse
import difflib
import math
import sys
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.decode import ocr  # noqa: E402
from cchc_cli.decode.source import DPI, SourceOptions, read_source  # noqa: E402
from cchc_cli.document import SourceText  # noqa: E402
from cchc_cli.repair.vie_ocr import change_kind  # noqa: E402
from cchc_cli.vietnamese import normalize_syllable, split_tone, strip_marks  # noqa: E402

TOKEN = regex.compile(r"[\p{L}\p{N}]+")
UPPERS = (30, 50, 65, 75, 82, 88, 92, 95, 100)  # confidence bands (upper bounds)


def printed_words(scanned: SourceText) -> list[tuple[str, float]]:
    """(lowercase syllable token, confidence) for each token of the words OCR'd, in reading order."""
    lines = scanned.text.split("\n")
    out = []
    for (line, start), conf in sorted(scanned.word_confidence.items()):
        word = lines[line][start:].split(" ", 1)[0]
        for m in TOKEN.finditer(word):
            out.append((normalize_syllable(m.group().lower()), conf))
    return out


def gold_tokens(text: str) -> list[str]:
    return [normalize_syllable(t.lower()) for t in TOKEN.findall(unicodedata.normalize("NFC", text))]


def count(scans: list[Path], psm: int, jobs: int) -> tuple[Counter, Counter, Counter, Counter]:
    right: Counter[int] = Counter()
    wrong: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    tones: Counter[tuple[int, int]] = Counter()  # (tone printed, tone on the page) of the tone errors
    pdfs = sorted(p for d in scans for p in d.glob("*.pdf") if not p.name.endswith(".searchable.pdf"))
    options = SourceOptions(ocr="always", psm=psm)
    with ThreadPoolExecutor(jobs) as pool:  # cchc's own reading: the page drawn, Tesseract vie, junk left out
        readings = list(pool.map(lambda pdf: read_source(pdf, pdf.name, options), pdfs))
    for pdf, scanned in zip(pdfs, readings, strict=True):
        printed = printed_words(scanned)
        gold = gold_tokens(pdf.with_name(pdf.name.removesuffix(".pdf") + ".gold.txt").read_text("utf-8"))
        matcher = difflib.SequenceMatcher(a=[w for w, _ in printed], b=gold, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                for _, conf in printed[a1:a2]:
                    right[band(conf)] += 1
            elif op == "replace" and a2 - a1 == b2 - b1:
                for (word, conf), truth in zip(printed[a1:a2], gold[b1:b2], strict=True):
                    wrong[band(conf)] += 1
                    if strip_marks(word) == strip_marks(truth):
                        kinds[change_kind(word, truth)] += 1
                        if change_kind(word, truth) == "tone":
                            tones[(split_tone(word)[1], split_tone(truth)[1])] += 1
                    else:
                        kinds["letters"] += 1
    return right, wrong, kinds, tones


def isotonic(rates: list[float], weights: list[int]) -> list[float]:
    """The non-increasing sequence closest to `rates` in weighted least squares (pool adjacent violators):
    a word Tesseract is surer of is never more often wrong."""
    blocks: list[list[float]] = []  # [rate, weight, count of bands]
    for rate, weight in zip(rates, weights, strict=True):
        blocks.append([rate, max(weight, 1), 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            r2, w2, n2 = blocks.pop()
            r1, w1, n1 = blocks.pop()
            blocks.append([(r1 * w1 + r2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return [rate for rate, _, n in blocks for _ in range(int(n))]


def band(conf: float) -> int:
    return next((i for i, upper in enumerate(UPPERS) if conf <= upper), len(UPPERS) - 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scans", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, default=REPO / "dictionaries" / "vie_ocr.yaml")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--psm", type=int, default=ocr.PSM)
    a = ap.parse_args()
    tesseract = ocr.require_tesseract("train_vie_ocr", "measuring Tesseract")
    right, wrong, kinds, tones = count(a.scans, a.psm, a.jobs)
    lines = [
        "# cchc: the channel of Tesseract's Vietnamese model (tesseract -l vie --oem 1), for text cchc OCR'd itself.",
        "# error_rate: the share of printed words that are not the word on the page, by confidence band (add-one",
        "# smoothed, then made non-increasing: pool adjacent violators); kinds: among wrong words with the right",
        "# letters, the share that differ by the tone only, by the vowel marks or đ only, or both; tones: for a",
        "# tone error, P(tone on the page | tone printed), 0 level, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng (add-0.5",
        "# smoothed). Measured by scripts/train_vie_ocr.py on scans of the corpus's",
        f"# training part ({sum(right.values()) + sum(wrong.values())} words, Tesseract {tesseract.version}, "
        f"--psm {a.psm}, pages drawn at {DPI} dpi); never on held-out text.",
        "version: 1",
        "bands:",
    ]
    raw_rates = [(wrong[i] + 1) / (right[i] + wrong[i] + 2) for i in range(len(UPPERS))]
    rates = isotonic(raw_rates, [right[i] + wrong[i] for i in range(len(UPPERS))])
    for i, upper in enumerate(UPPERS):
        lines.append(f"  - {{upper: {upper}, error_rate: {rates[i]:.5f}}}  # {right[i] + wrong[i]} words, "
                     f"{wrong[i]} wrong")
    same = sum(kinds[k] for k in ("tone", "mark", "both"))
    lines.append("kinds:")
    for kind in ("tone", "mark", "both"):
        lines.append(f"  {kind}: {(kinds[kind] + 1) / (same + 3):.4f}  # {kinds[kind]} words")
    lines.append(f"# wrong words whose letters differ too (not modelled here): {kinds['letters']}")
    lines.append("tones:")
    for printed in range(6):
        row = {t: tones[(printed, t)] + 0.5 for t in range(6) if t != printed}
        total = sum(row.values())
        cells = ", ".join(f"{t}: {n / total:.4f}" for t, n in row.items())
        lines.append(f"  {printed}: {{{cells}}}  # {sum(tones[(printed, t)] for t in range(6))} errors")
    lines.append(f"floor: {max(1e-4, 1 / (sum(right.values()) + 2)):.2g}")
    a.out.write_text("\n".join(lines) + "\n", "utf-8")
    total = sum(right.values()) + sum(wrong.values())
    print(f"{a.out}: {total} words, {sum(wrong.values())} wrong ({sum(wrong.values()) / max(1, total):.2%}); "
          f"kinds {dict(kinds)}; log-odds spread {math.log((wrong[0] + 1) / (right[0] + 1)):.2f}")


if __name__ == "__main__":
    main()
