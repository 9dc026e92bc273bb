"""Align round-trip OCR output with its gold text by tokens; write token pairs for channel training.

usage: python scripts/align_pairs.py DIR [DIR ...] -o PAIRS.tsv [--skip-dev | --pick even|odd] [--avoid DEV_DIR]...

DIR holds <name>.gold.txt / <name>.ocr.txt files from scripts/make_roundtrip.py. Tesseract adds blank lines
and may split or join lines, so the alignment ignores lines: the whitespace tokens of both sides are first
matched on their unaccented lower-case keys (rapidfuzz's Levenshtein opcodes over token lists), then each
unmatched stretch is aligned by a small dynamic programme over string similarity allowing 1:1, 1:2 (OCR
joined two words), 2:1 (OCR split a word), 1:0 and 0:1. Output lines: ``ocr<TAB>gold<TAB>kind``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import regex
from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

EDGE = regex.compile(r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$")
GAP = 0.75
JOIN = 0.6
DIGIT_LOOKS = str.maketrans("10645", "loaas")


def key(token: str) -> str:
    return unidecode(EDGE.sub("", token)).lower()


def sim(a: str, b: str) -> float:
    """Similarity of an OCR token to a gold token, reading digits as the letters they usually stand for."""
    return Levenshtein.normalized_similarity(key(a).translate(DIGIT_LOOKS), key(b))


def align_block(ocr: list[str], gold: list[str]) -> list[tuple[str, str, str]]:
    """Minimum-cost alignment of two short token lists."""
    n, m = len(ocr), len(gold)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, str] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == inf:
                continue
            steps: list[tuple[int, int, float, str]] = []
            if i < n and j < m:
                steps.append((1, 1, 1 - sim(ocr[i], gold[j]), "1:1"))
            if i < n and j + 1 < m:
                steps.append((1, 2, 1 - sim(ocr[i], gold[j] + gold[j + 1]) + JOIN, "1:2"))
            if i + 1 < n and j < m:
                steps.append((2, 1, 1 - sim(ocr[i] + ocr[i + 1], gold[j]) + JOIN, "2:1"))
            if i < n:
                steps.append((1, 0, GAP, "1:0"))
            if j < m:
                steps.append((0, 1, GAP, "0:1"))
            for di, dj, sc, kind in steps:
                if c + sc < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = c + sc
                    back[i + di][j + dj] = (i, j, kind)
    out: list[tuple[str, str, str]] = []
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj, kind = back[i][j]  # type: ignore[misc]
        out.append((" ".join(ocr[pi:i]), " ".join(gold[pj:j]), kind))
        i, j = pi, pj
    out.reverse()
    return out


def align(ocr_text: str, gold_text: str) -> Iterator[tuple[str, str, str]]:
    ocr, gold = ocr_text.split(), gold_text.split()
    ok, gk = [key(t) for t in ocr], [key(t) for t in gold]
    for tag, a0, a1, b0, b1 in Levenshtein.opcodes(ok, gk):
        if tag == "equal":
            for a, b in zip(range(a0, a1), range(b0, b1), strict=True):
                yield ocr[a], gold[b], "1:1"
        elif a1 - a0 > 60 or b1 - b0 > 60:
            continue  # a lost or duplicated region: nothing reliable to learn from it
        else:
            yield from align_block(ocr[a0:a1], gold[b0:b1])


def sources(d: Path) -> list[list[str]]:
    """The rows (name, noise, source document) of a round-trip folder's SOURCES.tsv."""
    path = d / "SOURCES.tsv"
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines()[1:] if line] if path.exists() else []
    return [r for r in rows if len(r) == 3]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--skip-dev", action="store_true",
                    help="leave out passages numbered a multiple of 10 (the tuning split, scripts/tune.py)")
    ap.add_argument("--pick", choices=["even", "odd"],
                    help="only the passages with an even / odd number (a set split in halves: train on one, report "
                         "on the other)")
    ap.add_argument("--avoid", type=Path, action="append", default=[],
                    help="leave out passages of a document that an odd-numbered passage of this set (the half a "
                         "development set reports on) was drawn from (SOURCES.tsv of scripts/make_roundtrip.py)")
    a = ap.parse_args()
    avoided = {row[2] for d in a.avoid for row in sources(d) if int(row[0].split("_")[1]) % 2 == 1}
    files = n = skipped = 0
    documents: dict[Path, dict[str, str]] = {}
    with open(a.output, "w", encoding="utf-8") as out:
        for d in a.dirs:
            for gold_path in sorted(d.glob("*.gold.txt")):
                ocr_path = gold_path.with_name(gold_path.name.replace(".gold.", ".ocr."))
                if not ocr_path.exists():
                    continue
                number = int(gold_path.name.split("_")[1].split(".")[0])
                if avoided and documents.setdefault(d, dict((r[0], r[2]) for r in sources(d))).get(
                        gold_path.name.removesuffix(".gold.txt")) in avoided:
                    skipped += 1
                    continue
                if (a.skip_dev and number % 10 == 0) or (a.pick and number % 2 != (a.pick == "odd")):
                    continue
                files += 1
                gold = gold_path.read_text(encoding="utf-8")
                ocr = ocr_path.read_text(encoding="utf-8")
                for o, g, kind in align(ocr, gold):
                    out.write(f"{o}\t{g}\t{kind}\n")
                    n += 1
    print(f"{files} files, {n} pairs -> {a.output}" + (f"; {skipped} passage(s) of avoided documents left out"
                                                       if skipped else ""))


if __name__ == "__main__":
    main()
