"""How much a set of OCR text looks like the real samples' OCR, without gold: the shapes of its raw tokens.

usage: python bench/ocr_profile.py [DIR_OR_FILE ...]   (default: samples/ and bench/data/roundtrip)

For each set (a folder's *.ocr.txt, or its *.txt when it has none, or one file), the share of word tokens
that: are a bare syllable's shape ('cong'), carry the accents of Latin-1 only ('phép', 'c6a' aside), carry a
letter only Vietnamese has (which an English model never prints), mix digits into letters ('c6'), are no
syllable's shape ('ciia'), are in capitals; and the share of blank lines that
come before a line starting in lower case (the OCR's blank lines inside paragraphs). Then the total
variation distance between each set's token-shape distribution and the first set's (0 = the same profile).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import regex

from cchc_cli.vietnamese import STRONG_MARKS, has_syllable_shape

REPO = Path(__file__).resolve().parents[1]
TOKEN = regex.compile(r"[\p{L}\p{N}]*\p{L}[\p{L}\p{N}]*")
SHAPES = ("bare-syllable", "latin-accents", "vietnamese-letters", "digits-in-word", "not-a-syllable", "capitals")


def shape(tok: str) -> str:
    low = tok.lower()
    if tok.isupper() and len(tok) > 1:
        return "capitals"
    if any(c.isdigit() for c in tok):
        return "digits-in-word"
    if STRONG_MARKS.search(low):
        return "vietnamese-letters"
    if not low.isascii():
        return "latin-accents"
    return "bare-syllable" if has_syllable_shape(low) else "not-a-syllable"


def texts(arg: Path) -> list[str]:
    if arg.is_file():
        return [arg.read_text("utf-8")]
    files = sorted(arg.glob("*.ocr.txt")) or sorted(p for p in arg.glob("*.txt") if not p.name.endswith(".gold.txt"))
    return [p.read_text("utf-8") for p in files]


def profile(docs: list[str]) -> tuple[Counter[str], float, int]:
    shapes: Counter[str] = Counter()
    blank = blank_lower = 0
    for doc in docs:
        lines = doc.split("\n")
        for i, line in enumerate(lines):
            shapes.update(shape(t) for t in TOKEN.findall(line))
            if not line.strip() and i + 1 < len(lines) and lines[i + 1].strip():
                blank += 1
                blank_lower += lines[i + 1].lstrip()[:1].islower()
    return shapes, blank_lower / max(blank, 1), blank


def main() -> None:
    args = [Path(a) for a in sys.argv[1:]] or [REPO / "samples", REPO / "bench" / "data" / "roundtrip"]
    rows = []
    for arg in args:
        shapes, lower_after_blank, blanks = profile(texts(arg))
        total = sum(shapes.values()) or 1
        rows.append((arg, {s: shapes[s] / total for s in SHAPES}, lower_after_blank, blanks, total))
    print(f"{'set':<34} {'tokens':>7}  " + "  ".join(f"{s:>18}" for s in SHAPES) + "  lower after blank  TVD")
    for arg, dist, lower, blanks, total in rows:
        tvd = sum(abs(dist[s] - rows[0][1][s]) for s in SHAPES) / 2
        print(f"{str(arg)[-34:]:<34} {total:>7}  " + "  ".join(f"{dist[s]:>18.1%}" for s in SHAPES)
              + f"  {lower:>8.1%} of {blanks:<5}  {tvd:.3f}")


if __name__ == "__main__":
    main()
