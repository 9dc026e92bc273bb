"""Measure Tesseract's Vietnamese model on scans of the corpus's training part: how often a word it prints is
wrong at each confidence, and how its wrong words differ from the right ones (tone, vowel marks or đ, both).
Writes dictionaries/vie_ocr.yaml, the repair's channel for text Tesseract vie read (cchc_cli.repair.vie_ocr).

usage: python scripts/train_vie_ocr.py SCANS_DIR [SCANS_DIR ...] [--out dictionaries/vie_ocr.yaml] [--jobs 2]
                                       [--psm 6]

SCANS_DIR: made by scripts/make_scans.py from the *training* part (e.g. work-data/scans/dev): NAME/page-*.png
with NAME.gold.txt. Each page is read with ``tesseract … -l vie --oem 1 tsv`` (cached beside it as
page-NNN.vie.tsv), its words aligned with the gold text's syllables (difflib over lowercase tokens; only
one-for-one pairs count), and each printed word counted as right or wrong in its confidence band.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import sys
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.decode import ocr  # noqa: E402
from cchc_cli.repair.vie_ocr import change_kind  # noqa: E402
from cchc_cli.vietnamese import normalize_syllable, strip_marks  # noqa: E402

TOKEN = regex.compile(r"[\p{L}\p{N}]+")
UPPERS = (30, 50, 65, 75, 82, 88, 92, 95, 100)  # confidence bands (upper bounds)


def page_tsv(png: Path, tesseract: ocr.Tesseract, psm: int) -> str:
    """Tesseract's TSV for one page, cached beside it."""
    cached = png.with_name(f"{png.stem}.vie{'' if psm == ocr.PSM else psm}.tsv")
    if cached.exists():
        return cached.read_text("utf-8")
    import subprocess

    done = subprocess.run([tesseract.path, str(png), "stdout", "-l", "vie", "--oem", "1", "--psm", str(psm), "tsv"],
                          capture_output=True, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    text = done.stdout.decode("utf-8")
    cached.write_text(text, "utf-8")
    return text


def printed_words(tsv: str) -> list[tuple[str, float]]:
    """(lowercase syllable token, confidence) for each token of the page's words, in reading order."""
    page = ocr.layout_tsv(tsv)
    lines = page.text.split("\n")
    out = []
    for word in page.words:
        for m in TOKEN.finditer(lines[word.line][word.start : word.end]):
            out.append((normalize_syllable(m.group().lower()), word.confidence))
    return out


def gold_tokens(text: str) -> list[str]:
    return [normalize_syllable(t.lower()) for t in TOKEN.findall(unicodedata.normalize("NFC", text))]


def count(scans: list[Path], tesseract: ocr.Tesseract, psm: int, jobs: int) -> tuple[Counter, Counter, Counter]:
    right: Counter[int] = Counter()
    wrong: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    docs = sorted(p for d in scans for p in d.iterdir() if p.is_dir() and (d / f"{p.name}.gold.txt").exists())
    pngs = [png for doc in docs for png in sorted(doc.glob("page-*.png"))]
    with ThreadPoolExecutor(jobs) as pool:
        tsvs = dict(zip(pngs, pool.map(lambda p: page_tsv(p, tesseract, psm), pngs), strict=True))
    for doc in docs:
        printed = [w for png in sorted(doc.glob("page-*.png")) for w in printed_words(tsvs[png])]
        gold = gold_tokens((doc.parent / f"{doc.name}.gold.txt").read_text("utf-8"))
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
                    else:
                        kinds["letters"] += 1
    return right, wrong, kinds


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
    right, wrong, kinds = count(a.scans, tesseract, a.psm, a.jobs)
    lines = [
        "# cchc: the channel of Tesseract's Vietnamese model (tesseract -l vie --oem 1), for text cchc OCR'd itself.",
        "# error_rate: the share of printed words that are not the word on the page, by confidence band (add-one",
        "# smoothed); kinds: among wrong words with the right letters, the share that differ by the tone only,",
        "# by the vowel marks or đ only, or both. Measured by scripts/train_vie_ocr.py on scans of the corpus's",
        f"# training part ({sum(right.values()) + sum(wrong.values())} words, Tesseract {tesseract.version}, "
        f"--psm {a.psm}); never on held-out text.",
        "version: 1",
        "bands:",
    ]
    for i, upper in enumerate(UPPERS):
        n_right, n_wrong = right[i], wrong[i]
        rate = (n_wrong + 1) / (n_right + n_wrong + 2)
        lines.append(f"  - {{upper: {upper}, error_rate: {rate:.5f}}}  # {n_right + n_wrong} words, {n_wrong} wrong")
    same = sum(kinds[k] for k in ("tone", "mark", "both"))
    lines.append("kinds:")
    for kind in ("tone", "mark", "both"):
        lines.append(f"  {kind}: {(kinds[kind] + 1) / (same + 3):.4f}  # {kinds[kind]} words")
    lines.append(f"# wrong words whose letters differ too (not modelled here): {kinds['letters']}")
    lines.append(f"floor: {max(1e-4, 1 / (sum(right.values()) + 2)):.2g}")
    a.out.write_text("\n".join(lines) + "\n", "utf-8")
    total = sum(right.values()) + sum(wrong.values())
    print(f"{a.out}: {total} words, {sum(wrong.values())} wrong ({sum(wrong.values()) / max(1, total):.2%}); "
          f"kinds {dict(kinds)}; log-odds spread {math.log((wrong[0] + 1) / (right[0] + 1)):.2f}")


if __name__ == "__main__":
    main()
